//! `BridgeConsole`: a JSON request editor for the simulation bridge with an identity picker
//! (viewer, operator, admin, anonymous). The page mints the dev token for the chosen
//! identity with `bridge::auth::mint_token` and shows it; Send calls `Bridge::call` on the
//! session's engine and shows the HTTP status and body; a returned job is tracked live.

use std::cell::RefCell;
use std::collections::HashMap;

use yew::prelude::*;

use crate::bridge::{auth::mint_token, Call, Reply};
use crate::jobs::JobId;
use crate::web::session::Session;

use super::util::unix_ms;

/// The identities of the picker (the docs pages may also use `none`, `norole`, `expired`
/// and `tampered`, which are offered as well).
pub const IDENTITIES: &[&str] = &["viewer", "operator", "admin", "anonymous"];
/// Test identities the bridge pages use: no token, a token without roles, an expired token,
/// a token with a broken signature.
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

/// The dev token for an identity (`None` for anonymous / none). `role@name` signs for the
/// subject `name` instead of [`PAGE_SUBJECT`] (the docs show ownership with it).
pub fn token_for(session: &Session, identity: &str) -> Option<String> {
    let secret = session.bridge.borrow().config.secret.clone();
    let now = unix_ms();
    let (role, sub) = identity.split_once('@').unwrap_or((identity, PAGE_SUBJECT));
    match role {
        "" | "anonymous" | "none" => None,
        "norole" => Some(mint_token(&secret, sub, &[], 3600, now)),
        "expired" => Some(mint_token(&secret, sub, &["admin"], 60, now - 7_200_000.0)),
        "tampered" => {
            let mut t = mint_token(&secret, sub, &["admin"], 3600, now);
            let last = t.pop().unwrap_or('A');
            t.push(if last == 'A' { 'B' } else { 'A' });
            Some(t)
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
        let mut bridge = session.bridge.borrow_mut();
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
    session.bridge.try_borrow().ok()?.job_id_of(engine_id).map(str::to_string)
}

/// Plot data of a finished simulation or population run, by results id.
pub fn plot_of(session: &Session, results_id: &str) -> Option<super::plot::PlotData> {
    use super::plot::{Band, PlotData, Series};
    let bridge = session.bridge.try_borrow().ok()?;
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

fn call_admin(session: &Session, tool: &str, body: serde_json::Value) -> Option<Reply> {
    let token = token_for(session, "admin");
    let text = body.to_string();
    let mut engine = session.engine.try_borrow_mut().ok()?;
    let mut bridge = session.bridge.try_borrow_mut().ok()?;
    Some(bridge.call(&mut engine, &Call { tool, token: token.as_deref(), body: &text, unix_ms: unix_ms() }))
}

/// The status record of a bridge job (by engine id) and, once it has results, its plot data.
pub fn status_record(
    session: &Session,
    engine_id: JobId,
) -> Option<(serde_json::Value, Option<super::plot::PlotData>)> {
    let job = bridge_job_id(session, engine_id)?;
    let status = call_admin(session, "get_job_status", serde_json::json!({ "jobId": job }))?;
    let results_id = status
        .body
        .pointer("/resultHandle/resultsId")
        .or_else(|| status.body.get("resultsId"))
        .or_else(|| status.body.get("resultId"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let plot = results_id.and_then(|rid| plot_of(session, &rid));
    Some((status.body, plot))
}

pub use crate::docs::documented_match;

#[derive(Properties, PartialEq)]
pub struct BridgeConsoleProps {
    /// Initial tool name (`run_simulation`, ...).
    #[prop_or_default]
    pub tool: AttrValue,
    /// Initial JSON request body.
    #[prop_or(AttrValue::Static("{}"))]
    pub body: AttrValue,
    /// Initial identity (`viewer`, `operator`, `admin`, `anonymous`).
    #[prop_or(AttrValue::Static("operator"))]
    pub role: AttrValue,
    /// Expected status and body from the page, shown next to the real ones.
    #[prop_or_default]
    pub expected_status: Option<u16>,
    #[prop_or_default]
    pub expected_body: Option<AttrValue>,
    /// Let the user pick the tool (the playground console does; a docs example doesn't).
    #[prop_or(false)]
    pub pick_tool: bool,
    /// Scope of `$JOB_ID` / `$RESULTS_ID` (a docs page passes its path, so a page's
    /// placeholders mean the ids returned on that page).
    #[prop_or_default]
    pub scope: AttrValue,
}

/// The bridge console (see the module docs).
#[function_component(BridgeConsole)]
pub fn bridge_console(props: &BridgeConsoleProps) -> Html {
    super::ensure_styles();
    let session = use_context::<Session>();
    let tool = use_state(|| props.tool.to_string());
    let role = use_state(|| props.role.to_string());
    let body = use_state(|| props.body.to_string());
    let reply = use_state(|| None::<Reply>);
    let tracked = use_state(|| None::<String>);
    let Some(session) = session else {
        return html! { <div class="bridge-console"><p>{"No session."}</p></div> };
    };
    let token = token_for(&session, &role);

    let tools: Vec<String> = {
        let t = session.bridge.borrow().tools();
        t.as_array()
            .map(|a| a.iter().filter_map(|x| x.get("name").and_then(|n| n.as_str()).map(str::to_string)).collect())
            .unwrap_or_default()
    };

    let on_send = {
        let session = session.clone();
        let tool = tool.clone();
        let role = role.clone();
        let body = body.clone();
        let reply = reply.clone();
        let tracked = tracked.clone();
        let scope = props.scope.to_string();
        Callback::from(move |_| {
            let r = send_in(&session, &scope, &tool, &role, &body);
            tracked.set(r.body.get("jobId").and_then(|j| j.as_str()).map(str::to_string));
            reply.set(Some(r));
        })
    };
    let on_role = {
        let role = role.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                role.set(s.value());
            }
        })
    };
    let on_tool = {
        let tool = tool.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                tool.set(s.value());
            }
        })
    };
    let on_body = {
        let body = body.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                body.set(t.value());
            }
        })
    };
    let on_key = {
        let on_send = on_send.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                on_send.emit(());
            }
        })
    };
    let on_reset = {
        let body = body.clone();
        let orig = props.body.to_string();
        let reply = reply.clone();
        Callback::from(move |_| {
            body.set(orig.clone());
            reply.set(None);
        })
    };

    // Live status of a returned job (re-read whenever the session version changes).
    let live = tracked.as_ref().and_then(|job| {
        let r = call_admin(&session, "get_job_status", serde_json::json!({ "jobId": job }))?;
        let status = r.body.get("status").and_then(|s| s.as_str()).unwrap_or("?").to_string();
        Some(html! {
            <div class="bridge-live" data-status={status.clone()}>
                {"Job "}<code>{job.clone()}</code>{": "}
                <span class={format!("badge badge-{}", status)}>{status}</span>
                <span class="muted">{" (live; see the jobs panel for its timeline)"}</span>
            </div>
        })
    });

    let status_class = |s: u16| {
        if s < 300 {
            "status-ok"
        } else if s < 500 {
            "status-client"
        } else {
            "status-server"
        }
    };
    let rows = body.lines().count().clamp(3, 20);
    html! {
        <div class="bridge-console">
            <div class="bridge-bar">
                if props.pick_tool && !tools.is_empty() {
                    <label>{"Tool "}
                        <select class="bridge-tool" onchange={on_tool}>
                            { for tools.iter().map(|t| html!{ <option value={t.clone()} selected={*t == *tool}>{t.clone()}</option> }) }
                        </select>
                    </label>
                } else {
                    <span class="bridge-tool-name">{"POST /"}<code>{(*tool).clone()}</code></span>
                }
                <label>{"Identity "}
                    <select class="bridge-role" onchange={on_role} aria-label="identity">
                        { for IDENTITIES.iter().map(|r| html!{ <option value={*r} selected={*r == role.as_str()}>{*r}</option> }) }
                        <optgroup label="test tokens">
                            { for EXTRA_IDENTITIES.iter().map(|r| html!{ <option value={*r} selected={*r == role.as_str()}>{*r}</option> }) }
                        </optgroup>
                    </select>
                </label>
                <button class="run bridge-send" onclick={on_send.reform(|_: MouseEvent| ())}>{"Send"}</button>
                <button class="bridge-reset" onclick={on_reset}>{"Reset"}</button>
            </div>
            <div class="bridge-token">
                { match &token {
                    Some(t) => html!{ <>{"Authorization: Bearer "}<code class="token" title={t.clone()}>{t.clone()}</code></> },
                    None => html!{ <span class="muted">{"No Authorization header (anonymous)"}</span> },
                } }
            </div>
            <textarea class="bridge-body" spellcheck="false" rows={rows.to_string()} value={(*body).clone()}
                oninput={on_body} onkeydown={on_key} aria-label="JSON request body" />
            if let Some(r) = &*reply {
                <div class="bridge-reply">
                    <div class={classes!("bridge-status", status_class(r.status))} data-status={r.status.to_string()}>
                        {format!("HTTP {}", r.status)}
                        if let Some(exp) = props.expected_status {
                            {{
                                let body_check = props.expected_body.as_ref()
                                    .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
                                    .map(|e| documented_match(&e, &r.body))
                                    .unwrap_or(Ok(()));
                                let (ok, text) = match (exp == r.status, &body_check) {
                                    (true, Ok(())) => (true, " ✓ as documented".to_string()),
                                    (true, Err(why)) => (false, format!(" (status as documented; {why})")),
                                    (false, _) => (false, format!(" (the page expects {exp})")),
                                };
                                html! { <span class={classes!("expected", if ok { "match" } else { "mismatch" })}>{text}</span> }
                            }}
                        }
                    </div>
                    <pre class="bridge-response">{serde_json::to_string_pretty(&r.body).unwrap_or_default()}</pre>
                </div>
            }
            { live.unwrap_or_default() }
            if let Some(exp) = &props.expected_body {
                <details class="expected-body"><summary>{format!("Documented response{}", props.expected_status.map(|s| format!(" ({s})")).unwrap_or_default())}</summary><pre>{exp.to_string()}</pre></details>
            }
        </div>
    }
}
