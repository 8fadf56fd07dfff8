//! `model-service.*` and the model-service capabilities of `cap.call`
//! (`cap.model.world.rollout.v1`, `cap.model.world.score_trajectory.v1`), as a build without
//! the muesli-model-service bridge answers: never configured, every call `:unavailable`,
//! with the request and response hashes the reference computes.

use super::json::encode;
use super::text_opt;
use crate::lang::datum::sym_map;
use crate::lang::fields::{int, lookup};
use crate::lang::fnv::fnv1a64;
use crate::lang::fnv::tagged_text;
use crate::lang::Datum;

/// The model-service capability ids `cap.call` routes here.
pub const CAPABILITIES: &[&str] = &["cap.model.world.rollout.v1", "cap.model.world.score_trajectory.v1"];

/// What `(model-service.check)` requires of a service.
pub const REQUIRED: &[&str] = &[
    "cap.model.world.rollout.v1",
    "cap.model.world.score_trajectory.v1",
    "cap.vla.action_chunk.v1",
    "cap.vla.propose_nav_goal.v1",
];

const OPERATIONS: &[&str] = &["describe", "invoke", "start", "step", "cancel", "status", "close"];

const UNCONFIGURED: (&str, &str) = ("model_service_unconfigured", "muesli-model-service bridge is not configured");
const REPLAY_MISS: (&str, &str) = ("model_service_replay_miss", "model-service replay cache miss");

fn strs(items: &[&str]) -> Datum {
    Datum::list(items.iter().map(|s| Datum::str(s)).collect())
}

/// `(model-service.info)`: the defaults of an unconfigured bridge.
pub fn info() -> Datum {
    sym_map(vec![
        ("configured", Datum::Bool(false)),
        ("endpoint", Datum::str("ws://127.0.0.1:8765/v1/ws")),
        ("connect_timeout_ms", Datum::Int(200)),
        ("request_timeout_ms", Datum::Int(500)),
        ("required", Datum::Bool(false)),
        ("replay_mode", Datum::str("live")),
        ("replay_cache_path", Datum::str("")),
        ("fault_schedule", Datum::str("")),
    ])
}

/// `(model-service.check)`: not compatible, because not configured.
pub fn check() -> Datum {
    sym_map(vec![
        ("compatible", Datum::Bool(false)),
        ("request_id", Datum::str("model-service-describe-compatibility")),
        ("error_code", Datum::str(UNCONFIGURED.0)),
        ("error", Datum::str(UNCONFIGURED.1)),
        ("required_capabilities", strs(REQUIRED)),
        ("missing_capabilities", Datum::Nil),
        ("invalid_capabilities", Datum::Nil),
        ("descriptor_errors", Datum::Nil),
    ])
}

/// `(model-service.configure x)`: this build has no bridge to configure.
pub fn configure(_config: &Datum) -> Result<Datum, String> {
    Err("model-service.configure: optional model-service bridge is not built".into())
}

fn json_str(s: &str) -> String {
    encode(&Datum::str(s)).unwrap_or_default()
}

/// `cap.call` on a model-service capability without a bridge.
pub fn call(req: &Datum, capability: &str) -> Result<Datum, String> {
    let mut id = text_opt(req, "request_id", "cap.call request_id")?.unwrap_or_default();
    if id.is_empty() {
        id = format!("cap-call-{}", fnv1a64(encode(req)?.as_bytes()));
    }
    let op = text_opt(req, "operation", "cap.call operation")?.unwrap_or_else(|| "invoke".into());
    if !OPERATIONS.contains(&op.as_str()) {
        return Err("cap.call: unsupported model-service operation".into());
    }
    let deadline_ms = match lookup(req, "deadline_ms") {
        Some(v) => int(v, "cap.call deadline_ms")?,
        None => 0,
    };
    let replay_mode = text_opt(req, "replay_mode", "cap.call replay_mode")?.unwrap_or_default();
    let input = match lookup(req, "input") {
        Some(v) => encode(v)?,
        None => encode(req)?,
    };
    let mode = if replay_mode.is_empty() { "live".to_string() } else { replay_mode.clone() };
    let mut envelope = format!(
        "{{\"version\":\"0.2\",\"id\":{},\"op\":{},\"capability\":{}",
        json_str(&id),
        json_str(&op),
        json_str(capability)
    );
    if deadline_ms > 0 {
        envelope.push_str(&format!(",\"deadline_ms\":{deadline_ms}"));
    }
    envelope.push_str(&format!(",\"input\":{input},\"refs\":[],\"replay\":{{\"mode\":{}}}}}", json_str(&mode)));
    let (code, message, retryable) = if replay_mode == "replay" {
        (REPLAY_MISS.0, REPLAY_MISS.1, false)
    } else {
        (UNCONFIGURED.0, UNCONFIGURED.1, true)
    };
    let response = format!(
        "{{\"version\":\"0.2\",\"id\":{},\"status\":\"unavailable\",\"output\":{{}},\"session_id\":null,\"error\":{{\"code\":{},\"message\":{},\"retryable\":{retryable}}},\"metadata\":{{}}}}",
        json_str(&id),
        json_str(code),
        json_str(message)
    );
    Ok(sym_map(vec![
        ("schema_version", Datum::str("cap.model_service.result.v1")),
        ("capability", Datum::str(capability)),
        ("request_id", Datum::Str(id)),
        ("status", Datum::sym(":unavailable")),
        ("host_reached", Datum::Bool(false)),
        ("output", Datum::Map(Vec::new())),
        ("metadata", Datum::Map(Vec::new())),
        ("error_code", Datum::str(code)),
        ("error_retryable", Datum::Bool(retryable)),
        ("error", Datum::str(message)),
        ("request_hash", Datum::Str(tagged_text(&envelope))),
        ("response_hash", Datum::Str(tagged_text(&response))),
        ("replay_cache_hit", Datum::Bool(false)),
        ("validation_status", Datum::sym(":not_checked")),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollout_without_a_bridge() {
        let req = sym_map(vec![("capability", Datum::str("cap.model.world.rollout.v1"))]);
        let r = call(&req, "cap.model.world.rollout.v1").unwrap();
        assert_eq!(
            encode(&r).unwrap(),
            "{\"capability\":\"cap.model.world.rollout.v1\",\"error\":\"muesli-model-service bridge is not configured\",\"error_code\":\"model_service_unconfigured\",\"error_retryable\":true,\"host_reached\":false,\"metadata\":{},\"output\":{},\"replay_cache_hit\":false,\"request_hash\":\"fnv1a64:69c5e11351b191f9\",\"request_id\":\"cap-call-13061159493090197990\",\"response_hash\":\"fnv1a64:7155942d979057d5\",\"schema_version\":\"cap.model_service.result.v1\",\"status\":\":unavailable\",\"validation_status\":\":not_checked\"}"
        );
    }

    #[test]
    fn replay_mode_and_operations() {
        let req = sym_map(vec![
            ("capability", Datum::str("cap.model.world.score_trajectory.v1")),
            ("replay_mode", Datum::str("replay")),
            ("request_id", Datum::str("r7")),
        ]);
        let r = call(&req, "cap.model.world.score_trajectory.v1").unwrap();
        assert_eq!(lookup(&r, "error_code"), Some(&Datum::str("model_service_replay_miss")));
        assert_eq!(lookup(&r, "error"), Some(&Datum::str("model-service replay cache miss")));
        assert_eq!(lookup(&r, "error_retryable"), Some(&Datum::Bool(false)));
        assert_eq!(lookup(&r, "request_id"), Some(&Datum::str("r7")));
        let bad = sym_map(vec![("capability", Datum::str("x")), ("operation", Datum::str("launch"))]);
        assert_eq!(call(&bad, "x").unwrap_err(), "cap.call: unsupported model-service operation");
        let bad = sym_map(vec![("capability", Datum::str("x")), ("deadline_ms", Datum::str("soon"))]);
        assert_eq!(call(&bad, "x").unwrap_err(), "cap.call deadline_ms: expected integer");
    }

    #[test]
    fn info_check_configure() {
        assert_eq!(
            encode(&info()).unwrap(),
            "{\"configured\":false,\"connect_timeout_ms\":200,\"endpoint\":\"ws://127.0.0.1:8765/v1/ws\",\"fault_schedule\":\"\",\"replay_cache_path\":\"\",\"replay_mode\":\"live\",\"request_timeout_ms\":500,\"required\":false}"
        );
        let c = check();
        assert_eq!(lookup(&c, "compatible"), Some(&Datum::Bool(false)));
        assert_eq!(lookup(&c, "missing_capabilities"), Some(&Datum::Nil));
        let Datum::Map(e) = &c else { panic!() };
        assert_eq!(e.len(), 8);
        assert_eq!(
            configure(&Datum::Int(1)).unwrap_err(),
            "model-service.configure: optional model-service bridge is not built"
        );
    }
}
