//! `cap.call` and `model-service.*`: the echo capability, the mock adapters
//! (`cap.navigation.v1`, `cap.motion.v1`, `cap.tamp.v1`) and the model-service capabilities
//! answering as a build without the model-service bridge does. (`cap.list` and
//! `cap.describe` live with the capability registry in `crate::vla::cap`.)
//!
//! Dispatch order, as in the reference: model-service capabilities, then the mock adapters,
//! then `cap.echo.v1`; anything else (`vla.rt2` included) is an unknown capability.

pub mod adapters;
pub mod json;
pub mod lisp;
pub mod model_service;

use crate::lang::datum::sym_map;
use crate::lang::fields::{lookup, text};
use crate::lang::Datum;

/// The text of an optional string-or-symbol entry.
pub(crate) fn text_opt(m: &Datum, key: &str, where_: &str) -> Result<Option<String>, String> {
    lookup(m, key).map(|v| text(v, where_)).transpose()
}

/// Where the `echo` entry of an echo result comes from: a front end with the original Lisp
/// value at hand puts that very value there (the reference echoes by identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Echo {
    /// Not an echo result (or a rejected one).
    None,
    /// The request's `payload` entry.
    Payload,
    /// The request map itself (no `payload`).
    Request,
}

/// `(cap.call request)`: the result map, and where an echo came from. `Err` is the error
/// `cap.call` raises.
pub fn call(req: &Datum) -> Result<(Datum, Echo), String> {
    if !matches!(req, Datum::Map(_)) {
        return Err("cap.call: expected map".into());
    }
    let cap = lookup(req, "capability").ok_or("cap.call: missing required capability")?;
    let cap = text(cap, "cap.call capability")?;
    if model_service::CAPABILITIES.contains(&cap.as_str()) {
        return Ok((model_service::call(req, &cap)?, Echo::None));
    }
    if adapters::CAPABILITIES.contains(&cap.as_str()) {
        return Ok((adapters::call(req, &cap)?, Echo::None));
    }
    if cap != "cap.echo.v1" {
        return Err("cap.call: unknown capability".into());
    }
    let schema = lookup(req, "schema_version").ok_or("cap.call: missing required schema_version")?;
    if text(schema, "cap.call schema_version")? != "cap.echo.request.v1" {
        return Err("cap.call: schema_version must be \"cap.echo.request.v1\"".into());
    }
    let op = lookup(req, "operation").ok_or("cap.call: missing required operation")?;
    let op = text(op, "cap.call operation")?;
    let mut out = vec![
        ("schema_version", Datum::str("cap.echo.result.v1")),
        ("capability", Datum::str("cap.echo.v1")),
        ("operation", Datum::Str(op.clone())),
    ];
    if let Some(id) = lookup(req, "request_id") {
        out.push(("request_id", id.clone()));
    }
    if op != "echo" {
        out.push(("status", Datum::sym(":rejected")));
        out.push(("error", Datum::str("unsupported operation")));
        return Ok((sym_map(out), Echo::None));
    }
    out.push(("status", Datum::sym(":ok")));
    let (echo, from) = match lookup(req, "payload") {
        Some(p) => (p.clone(), Echo::Payload),
        None => (req.clone(), Echo::Request),
    };
    out.push(("echo", echo));
    Ok((sym_map(out), from))
}

/// The reference's `cap_call_start` / `cap_call_end` event data (JSON objects, fixed key
/// order) for a mock-adapter or model-service call with `result`; `None` for echo calls and
/// anything else that logs no events. An event log that wants them emits both, start first.
pub fn call_events(req: &Datum, result: &Datum) -> Option<(String, String)> {
    let s = |k: &str| match lookup(result, k) {
        Some(Datum::Str(t)) | Some(Datum::Sym(t)) => t.trim_start_matches(':').to_string(),
        _ => String::new(),
    };
    let q = |t: &str| json::encode(&Datum::str(t)).unwrap_or_default();
    let flag = |k: &str| matches!(lookup(result, k), Some(Datum::Bool(true)));
    let cap = s("capability");
    let non_negative = |k: &str| match lookup(req, k) {
        Some(Datum::Int(n)) if *n >= 0 => Some(*n),
        _ => None,
    };
    if adapters::CAPABILITIES.contains(&cap.as_str()) {
        let deadline = non_negative("deadline_ms").or_else(|| non_negative("timeout_ms")).unwrap_or(0);
        let head = format!(
            "{{\"request_id\":{},\"capability\":{},\"operation\":{},\"deadline_ms\":{deadline},\"adapter\":{}",
            q(&s("request_id")),
            q(&cap),
            q(&s("operation")),
            q(&s("adapter"))
        );
        let mut end = format!("{head},\"status\":{},\"host_reached\":{}", q(&s("status")), flag("host_reached"));
        for k in ["request_hash", "response_hash"] {
            if !s(k).is_empty() {
                end.push_str(&format!(",\"{k}\":{}", q(&s(k))));
            }
        }
        return Some((format!("{head}}}"), format!("{end}}}")));
    }
    if model_service::CAPABILITIES.contains(&cap.as_str()) {
        let op = lookup(req, "operation").and_then(|v| text(v, "").ok()).unwrap_or_else(|| "invoke".into());
        let deadline = match lookup(req, "deadline_ms") {
            Some(Datum::Int(n)) => *n,
            _ => 0,
        };
        let head = format!(
            "{{\"request_id\":{},\"capability\":{},\"operation\":{},\"deadline_ms\":{deadline}",
            q(&s("request_id")),
            q(&cap),
            q(&op)
        );
        let mut end = format!("{head},\"status\":{},\"host_reached\":{}", q(&s("status")), flag("host_reached"));
        for k in ["request_hash", "response_hash"] {
            end.push_str(&format!(",\"{k}\":{}", q(&s(k))));
        }
        end.push_str(&format!(
            ",\"replay_cache_hit\":{},\"validation_status\":{}",
            flag("replay_cache_hit"),
            q(&s("validation_status"))
        ));
        end.push_str(&format!(",\"error_code\":{}", q(&s("error_code"))));
        return Some((format!("{head}}}"), format!("{end}}}")));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::json::encode;
    use super::*;

    fn req(entries: Vec<(&str, Datum)>) -> Datum {
        sym_map(entries)
    }

    #[test]
    fn echo() {
        let r = req(vec![
            ("schema_version", Datum::str("cap.echo.request.v1")),
            ("capability", Datum::str("cap.echo.v1")),
            ("operation", Datum::str("echo")),
            ("request_id", Datum::str("r1")),
            ("payload", Datum::List(vec![Datum::Int(1), Datum::Int(2), Datum::Int(3)])),
        ]);
        let (out, from) = call(&r).unwrap();
        assert_eq!(
            encode(&out).unwrap(),
            "{\"capability\":\"cap.echo.v1\",\"echo\":[1,2,3],\"operation\":\"echo\",\"request_id\":\"r1\",\"schema_version\":\"cap.echo.result.v1\",\"status\":\":ok\"}"
        );
        assert_eq!(from, Echo::Payload);
        let Datum::Map(e) = &out else { panic!() };
        assert_eq!(e.len(), 6);
    }

    #[test]
    fn echo_rejections_and_errors() {
        let base = |op: &str| {
            req(vec![
                ("schema_version", Datum::str("cap.echo.request.v1")),
                ("capability", Datum::sym("cap.echo.v1")),
                ("operation", Datum::str(op)),
            ])
        };
        let (out, from) = call(&base("shout")).unwrap();
        assert_eq!(lookup(&out, "status"), Some(&Datum::sym(":rejected")));
        assert_eq!(lookup(&out, "error"), Some(&Datum::str("unsupported operation")));
        assert_eq!(from, Echo::None);
        let (out, from) = call(&base("echo")).unwrap();
        assert_eq!(from, Echo::Request);
        assert_eq!(lookup(&out, "echo"), Some(&base("echo")));

        let cases: Vec<(Datum, &str)> = vec![
            (Datum::Int(1), "cap.call: expected map"),
            (req(vec![]), "cap.call: missing required capability"),
            (req(vec![("capability", Datum::Int(1))]), "cap.call capability: expected string or symbol"),
            (req(vec![("capability", Datum::str("vla.rt2"))]), "cap.call: unknown capability"),
            (req(vec![("capability", Datum::str("cap.echo.v1"))]), "cap.call: missing required schema_version"),
            (
                req(vec![("capability", Datum::str("cap.echo.v1")), ("schema_version", Datum::str("x"))]),
                "cap.call: schema_version must be \"cap.echo.request.v1\"",
            ),
            (
                req(vec![
                    ("capability", Datum::str("cap.echo.v1")),
                    ("schema_version", Datum::str("cap.echo.request.v1")),
                ]),
                "cap.call: missing required operation",
            ),
            (req(vec![("capability", Datum::str("cap.vla.action_chunk.v1"))]), "cap.call: unknown capability"),
        ];
        for (r, msg) in cases {
            assert_eq!(call(&r).unwrap_err(), msg);
        }
    }

    #[test]
    fn events_of_adapter_and_model_service_calls() {
        let r = req(vec![
            ("capability", Datum::str("cap.navigation.v1")),
            ("operation", Datum::str("cancel")),
            ("job_id", Datum::str("j1")),
            ("request_id", Datum::str("c1")),
            ("timeout_ms", Datum::Int(250)),
        ]);
        let (out, _) = call(&r).unwrap();
        let (start, end) = call_events(&r, &out).unwrap();
        assert_eq!(
            start,
            "{\"request_id\":\"c1\",\"capability\":\"cap.navigation.v1\",\"operation\":\"cancel\",\"deadline_ms\":250,\"adapter\":\"mock-nav2\"}"
        );
        assert!(end.starts_with(&start[..start.len() - 1]), "{end}");
        assert!(end.contains(",\"status\":\"cancelled\",\"host_reached\":true,\"request_hash\":\"fnv1a64:"), "{end}");
        let r = req(vec![("capability", Datum::str("cap.model.world.rollout.v1"))]);
        let (out, _) = call(&r).unwrap();
        let (start, end) = call_events(&r, &out).unwrap();
        assert_eq!(
            start,
            "{\"request_id\":\"cap-call-13061159493090197990\",\"capability\":\"cap.model.world.rollout.v1\",\"operation\":\"invoke\",\"deadline_ms\":0}"
        );
        assert!(end.ends_with(",\"replay_cache_hit\":false,\"validation_status\":\"not_checked\",\"error_code\":\"model_service_unconfigured\"}"), "{end}");
        let echo = req(vec![
            ("capability", Datum::str("cap.echo.v1")),
            ("schema_version", Datum::str("cap.echo.request.v1")),
            ("operation", Datum::str("echo")),
        ]);
        let (out, _) = call(&echo).unwrap();
        assert!(call_events(&echo, &out).is_none());
    }

    #[test]
    fn routes_to_model_service_and_adapters() {
        let (r, _) = call(&req(vec![("capability", Datum::str("cap.model.world.rollout.v1"))])).unwrap();
        assert_eq!(lookup(&r, "status"), Some(&Datum::sym(":unavailable")));
        let (r, _) =
            call(&req(vec![("capability", Datum::str("cap.tamp.v1")), ("operation", Datum::str("solve"))])).unwrap();
        assert_eq!(lookup(&r, "adapter"), Some(&Datum::str("mock-pddlstream-pybullet")));
    }
}
