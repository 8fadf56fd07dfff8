//! The simulation bridge as the page uses it: dev tokens for the console's identities, sending
//! a request through `Bridge::call` on the session's engine (with the `$JOB_ID` / `$RESULTS_ID`
//! placeholders the docs pages use), and reading a bridge job's status record and plot data
//! directly from the bridge (no token, no tool call).

use std::cell::{RefCell, RefMut};
use std::collections::HashMap;

use crate::bridge::{auth::mint_token, Bridge, Call, Code, Reply};
use crate::jobs::JobId;

use super::components::plot::{Band, PlotData, Series};
use super::session::Session;
use super::util::unix_ms;

/// The identities of the console's picker.
pub const IDENTITIES: &[&str] = &["viewer", "operator", "admin", "anonymous"];
/// Test identities the bridge pages use: no token, a token without roles, an expired token,
/// a token with a broken signature (offered in the picker too).
pub const EXTRA_IDENTITIES: &[&str] = &["none", "norole", "expired", "tampered"];

#[derive(Default)]
struct Seen {
    /// Distinct job ids in the order responses returned them.
    jobs: Vec<String>,
    results: Option<String>,
}

thread_local! {
    /// Job and results ids returned to the consoles, per scope (a docs page's path; "" is
    /// the whole session), for `$JOB_ID`, `$JOB_ID_n` and `$RESULTS_ID`.
    static SEEN: RefCell<HashMap<String, Seen>> = RefCell::new(HashMap::new());
}

/// The subject of the page's tokens: one person trying every role, so jobs submitted as
/// operator are theirs when they read them as viewer (jobs belong to the token's subject).
pub const PAGE_SUBJECT: &str = "playground";

/// The session's bridge, made on first use with the session's settings (`None` while another
/// caller holds it).
pub fn bridge(session: &Session) -> Option<RefMut<'_, Bridge>> {
    let mut slot = session.bridge.try_borrow_mut().ok()?;
    if slot.is_none() {
        *slot = Some(Bridge::new(session.bridge_config.clone()));
    }
    RefMut::filter_map(slot, Option::as_mut).ok()
}

/// The dev token for an identity (`None` for anonymous / none). `role@name` signs for the
/// subject `name` instead of [`PAGE_SUBJECT`] (the docs show ownership with it).
pub fn token_for(session: &Session, identity: &str) -> Option<String> {
    let secret = bridge(session)?.config.secret.clone();
    let now = unix_ms();
    let (role, sub) = identity.split_once('@').unwrap_or((identity, PAGE_SUBJECT));
    match role {
        "" | "anonymous" | "none" => None,
        "norole" => Some(mint_token(&secret, sub, &[], 3600, now)),
        "expired" => Some(mint_token(&secret, sub, &["admin"], 60, now - 7_200_000.0)),
        "tampered" => {
            // Change the signature's first character: every one of its 6 bits counts, so the
            // token still decodes and fails the signature check (changing the last character
            // could give a non-canonical encoding, "Malformed", for 1 secret in 16).
            let t = mint_token(&secret, sub, &["admin"], 3600, now);
            let at = t.rfind('.').map_or(0, |i| i + 1);
            let first = t[at..].chars().next().unwrap_or('A');
            let mut out = t[..at].to_string();
            out.push(if first == 'A' { 'B' } else { 'A' });
            out.push_str(&t[at + first.len_utf8().min(t.len() - at)..]);
            Some(out)
        }
        r => Some(mint_token(&secret, sub, &[r], 3600, now)),
    }
}

/// Forget the ids remembered for `scope` (all scopes for "").
pub fn forget(scope: &str) {
    SEEN.with(|s| {
        if scope.is_empty() {
            s.borrow_mut().clear();
        } else {
            s.borrow_mut().remove(scope);
        }
    });
}

/// Replaces `$JOB_ID_n`, `$JOB_ID` and `$RESULTS_ID` with ids returned earlier in `scope`
/// (else anywhere in the session).
pub fn substitute(scope: &str, body: &str) -> String {
    SEEN.with(|s| {
        let s = s.borrow();
        let mut out = body.to_string();
        for key in [scope, ""] {
            let Some(seen) = s.get(key) else { continue };
            for (i, id) in seen.jobs.iter().enumerate().rev() {
                out = out.replace(&format!("$JOB_ID_{}", i + 1), id);
            }
            if let Some(last) = seen.jobs.last() {
                out = out.replace("$JOB_ID", last);
            }
            if let Some(r) = &seen.results {
                out = out.replace("$RESULTS_ID", r);
            }
        }
        out
    })
}

fn remember(scope: &str, body: &serde_json::Value) {
    SEEN.with(|s| {
        let mut all = s.borrow_mut();
        for key in [scope, ""] {
            let s = all.entry(key.to_string()).or_default();
            if let Some(job) = body.get("jobId").and_then(|j| j.as_str()) {
                if !s.jobs.iter().any(|j| j == job) {
                    s.jobs.push(job.to_string());
                }
            }
            let rid =
                body.get("resultsId").or_else(|| body.pointer("/resultHandle/resultsId")).and_then(|r| r.as_str());
            if let Some(r) = rid {
                s.results = Some(r.to_string());
            }
        }
    });
}

/// Send one request through the bridge on the session's engine (placeholders substituted
/// from the ids returned earlier in `scope`).
pub fn send_in(session: &Session, scope: &str, tool: &str, role: &str, body: &str) -> Reply {
    let token = token_for(session, role);
    let body = substitute(scope, body);
    let reply = {
        let mut engine = session.engine.borrow_mut();
        let Some(mut bridge) = bridge(session) else {
            let body = crate::bridge::error_body(Code::Internal, "The bridge is busy; try again.", true, &[]);
            return Reply { status: 503, body };
        };
        bridge.call(&mut engine, &Call { tool, token: token.as_deref(), body: &body, unix_ms: unix_ms() })
    };
    remember(scope, &reply.body);
    session.advance();
    reply
}

/// [`send_in`] with the session-wide scope.
pub fn send(session: &Session, tool: &str, role: &str, body: &str) -> Reply {
    send_in(session, "", tool, role, body)
}

/// The bridge job id of an engine job, if the bridge submitted it.
pub fn bridge_job_id(session: &Session, engine_id: JobId) -> Option<String> {
    bridge(session)?.job_id_of(engine_id).map(str::to_string)
}

/// The status of a bridge job (`queued`, `running`, `succeeded`, ...), read from the bridge.
pub fn job_status(session: &Session, job_id: &str) -> Option<String> {
    let engine = session.engine.try_borrow().ok()?;
    let record = bridge(session)?.job_record(&engine, job_id)?;
    record.get("status").and_then(|s| s.as_str()).map(str::to_string)
}

/// Plot data of a finished simulation or population run, by results id.
pub fn plot_of(session: &Session, results_id: &str) -> Option<PlotData> {
    let bridge = bridge(session)?;
    if let Some(r) = bridge.results(results_id) {
        return Some(PlotData {
            series: vec![Series {
                name: r.model_name.clone(),
                points: r.times.iter().copied().zip(r.concentrations.iter().copied()).collect(),
            }],
            bands: vec![],
            x_label: format!("time ({})", r.time_unit),
            y_label: format!("concentration ({})", r.unit),
        });
    }
    let p = bridge.population_results(results_id)?;
    let n = p.times.len().min(p.p5.len()).min(p.p50.len()).min(p.p95.len());
    Some(PlotData {
        series: vec![Series { name: "median".into(), points: (0..n).map(|i| (p.times[i], p.p50[i])).collect() }],
        bands: vec![Band {
            name: "5th–95th percentile".into(),
            points: (0..n).map(|i| (p.times[i], p.p5[i], p.p95[i])).collect(),
        }],
        x_label: "time (h)".into(),
        y_label: "concentration (mg/L)".into(),
    })
}

/// A bridge job's status record and, once it has results, their plot data.
pub type StatusRecord = (serde_json::Value, Option<PlotData>);

/// The status record of a bridge job (by engine id), as `get_job_status` describes it, and once
/// it has results, their plot data. Read from the bridge directly (finished jobs' results are
/// collected first, as a tool call would).
pub fn status_record(session: &Session, engine_id: JobId) -> Option<StatusRecord> {
    let job = bridge_job_id(session, engine_id)?;
    let record = {
        let mut engine = session.engine.try_borrow_mut().ok()?;
        let mut bridge = bridge(session)?;
        bridge.sync(&mut engine);
        bridge.job_record(&engine, &job)?
    };
    let results_id = record.pointer("/resultHandle/resultsId").and_then(|v| v.as_str()).map(str::to_string);
    let plot = results_id.and_then(|rid| plot_of(session, &rid));
    Some((record, plot))
}

/// Example values for request fields the schema leaves open (used by [`request_template`]).
const FIELD_EXAMPLES: &[(&str, i64)] = &[("size", 50), ("seed", 1)];

/// A working request body for `tool`, built from its request schema: every required field,
/// plus top-level choices with an `enum` (a load's `model`); a simulation id the session has
/// loaded (or a new one for `load_simulation`), `$JOB_ID` / `$RESULTS_ID` for the ids returned
/// earlier, `e.g.` values from field descriptions, defaults and minimums. Pretty JSON.
pub fn request_template(session: &Session, tool: &str) -> String {
    use serde_json::{Map, Value};
    let schema = crate::bridge::tools::request_schema(tool);
    let loaded: Vec<String> =
        bridge(session).map(|b| b.simulation_ids().map(str::to_string).collect()).unwrap_or_default();
    let sim_id = if tool == "load_simulation" {
        (1..).map(|n| if n == 1 { "demo".to_string() } else { format!("demo-{n}") }).find(|id| !loaded.contains(id))
    } else {
        loaded.last().cloned()
    }
    .unwrap_or_else(|| "demo".to_string());
    // The newest job (an active one to cancel) and the newest results of the right kind.
    let job_id = newest_bridge_job(session, |_, active| tool != "cancel_job" || active)
        .map(|(id, _)| id)
        .unwrap_or_else(|| "$JOB_ID".to_string());
    let population = tool == "get_population_results";
    let results_id = newest_bridge_job(session, |record, _| {
        record.pointer("/resultHandle/resultsId").and_then(|r| r.as_str()).is_some_and(|rid| {
            bridge(session).is_some_and(|b| {
                if population {
                    b.population_results(rid).is_some()
                } else {
                    b.results(rid).is_some()
                }
            })
        })
    })
    .and_then(|(_, record)| record.pointer("/resultHandle/resultsId").and_then(|r| r.as_str()).map(str::to_string))
    .unwrap_or_else(|| "$RESULTS_ID".to_string());
    let ids = Ids { sim: &sim_id, job: &job_id, results: &results_id };

    struct Ids<'a> {
        sim: &'a str,
        job: &'a str,
        results: &'a str,
    }
    fn value_for(name: &str, s: &Value, ids: &Ids, depth: usize) -> Value {
        if let Some(e) = s.get("enum").and_then(Value::as_array).and_then(|a| a.first()) {
            return e.clone();
        }
        match name {
            "simulationId" => return Value::from(ids.sim),
            "jobId" => return Value::from(ids.job),
            "resultsId" => return Value::from(ids.results),
            _ => {}
        }
        if let Some((_, v)) = FIELD_EXAMPLES.iter().find(|(n, _)| *n == name) {
            return Value::from(*v);
        }
        if let Some(d) = s.get("default") {
            return d.clone();
        }
        match s.get("type").and_then(Value::as_str).unwrap_or("") {
            "string" => {
                let desc = s.get("description").and_then(Value::as_str).unwrap_or("");
                let eg =
                    desc.split("e.g. ").nth(1).map(|r| r.trim_end_matches('.').split_whitespace().next().unwrap_or(""));
                Value::from(eg.filter(|e| !e.is_empty()).unwrap_or("text"))
            }
            "number" | "integer" => s.get("minimum").cloned().unwrap_or(Value::from(1)),
            "boolean" => Value::Bool(false),
            "array" => Value::Array(vec![]),
            "object" if depth < 4 => object_for(s, ids, depth + 1, false),
            _ => Value::Object(Map::new()),
        }
    }
    fn object_for(s: &Value, ids: &Ids, depth: usize, top: bool) -> Value {
        let mut out = Map::new();
        let props = s.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = props {
            for (name, p) in props {
                let pick = required.contains(&name.as_str())
                    || (top && p.get("enum").is_some())
                    || (top && required.is_empty() && name == "resultsId");
                if pick {
                    out.insert(name.clone(), value_for(name, p, ids, depth));
                }
            }
        }
        Value::Object(out)
    }
    let body = object_for(&schema, &ids, 0, true);
    serde_json::to_string_pretty(&body).unwrap_or_else(|_| "{}".to_string())
}

/// The newest bridge job whose status record satisfies `pred(record, active)`: (job id, record).
fn newest_bridge_job(
    session: &Session,
    pred: impl Fn(&serde_json::Value, bool) -> bool,
) -> Option<(String, serde_json::Value)> {
    let found: Vec<(String, serde_json::Value, bool)> = {
        let mut engine = session.engine.try_borrow_mut().ok()?;
        let mut bridge = bridge(session)?;
        bridge.sync(&mut engine);
        engine
            .jobs()
            .rev()
            .filter_map(|j| {
                let id = bridge.job_id_of(j.id)?.to_string();
                let record = bridge.job_record(&engine, &id)?;
                Some((id, record, j.state.is_active()))
            })
            .take(64)
            .collect()
    };
    found.into_iter().find(|(_, r, active)| pred(r, *active)).map(|(id, r, _)| (id, r))
}

/// A refused request as one plain sentence (401, 403 and other 4xx answers), or `None`.
pub fn refusal_sentence(tool: &str, identity: &str, reply: &Reply) -> Option<String> {
    if !(400..500).contains(&reply.status) {
        return None;
    }
    let err = reply.body.get("error");
    let message = err.and_then(|e| e.get("message")).and_then(|m| m.as_str()).unwrap_or("refused");
    let detail = err
        .and_then(|e| e.get("details"))
        .and_then(|d| d.as_array())
        .and_then(|d| d.first())
        .and_then(|d| d.get("issue"))
        .and_then(|i| i.as_str())
        .unwrap_or("");
    let who = if identity.is_empty() { "anonymous" } else { identity };
    Some(match reply.status {
        401 => format!(
            "Refused (401): the request has no valid token ({}). Pick an identity such as operator above.",
            if detail.is_empty() { message } else { detail }
        ),
        403 => {
            let needs = crate::bridge::tools::spec(tool)
                .map(|s| s.role.allowed().join(" or "))
                .unwrap_or_else(|| "another role".to_string());
            format!("Refused (403): the {who} identity may not call {tool}; it needs {needs}. Pick one of those identities above.")
        }
        404 => format!(
            "Not found (404): {message}{}",
            if detail.is_empty() { String::new() } else { format!(" ({detail})") }
        ),
        s => format!(
            "The bridge refused the request ({s}): {message}{}",
            if detail.is_empty() { String::new() } else { format!(" — {detail}") }
        ),
    })
}

/// The plot of a bridge job's results once it has them (by bridge job id).
pub fn job_plot(session: &Session, job_id: &str) -> Option<PlotData> {
    let record = {
        let mut engine = session.engine.try_borrow_mut().ok()?;
        let mut bridge = bridge(session)?;
        bridge.sync(&mut engine);
        bridge.job_record(&engine, job_id)?
    };
    let rid = record.pointer("/resultHandle/resultsId").and_then(|v| v.as_str())?.to_string();
    plot_of(session, &rid).filter(|p| !p.is_empty())
}
