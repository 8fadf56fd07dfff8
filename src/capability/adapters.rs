//! The mock adapters behind `cap.call` for `cap.navigation.v1` (`mock-nav2`),
//! `cap.motion.v1` (`mock-moveit`) and `cap.tamp.v1` (`mock-pddlstream-pybullet`): request
//! validation with the reference's reason codes, deterministic fixture results, and
//! `fnv1a64:` request/response hashes over `json.encode` text.

use super::json::encode;
use super::text_opt;
use crate::lang::datum::sym_map;
use crate::lang::fields::lookup;
use crate::lang::fnv::tagged_text;
use crate::lang::Datum;

/// The capability ids served here.
pub const CAPABILITIES: &[&str] = &["cap.navigation.v1", "cap.motion.v1", "cap.tamp.v1"];

/// The adapter id of a mock capability.
pub fn adapter_name(capability: &str) -> &'static str {
    match capability {
        "cap.navigation.v1" => "mock-nav2",
        "cap.motion.v1" => "mock-moveit",
        _ => "mock-pddlstream-pybullet",
    }
}

fn result_schema(capability: &str) -> &'static str {
    match capability {
        "cap.navigation.v1" => "cap.navigation.result.v1",
        "cap.motion.v1" => "cap.motion.result.v1",
        _ => "cap.tamp.result.v1",
    }
}

fn request_schema(capability: &str) -> &'static str {
    match capability {
        "cap.navigation.v1" => "cap.navigation.request.v1",
        "cap.motion.v1" => "cap.motion.request.v1",
        _ => "cap.tamp.request.v1",
    }
}

fn operation_allowed(capability: &str, op: &str) -> bool {
    if op == "cancel" || op == "status" {
        return true;
    }
    match capability {
        "cap.navigation.v1" => matches!(op, "navigate-to-pose" | "navigate-through-poses" | "get-path"),
        "cap.motion.v1" => matches!(op, "move-to-pose" | "move-to-joints" | "validate-target"),
        "cap.tamp.v1" => matches!(op, "solve" | "validate-plan"),
        _ => false,
    }
}

fn default_status(capability: &str, op: &str) -> &'static str {
    match (capability, op) {
        (_, "cancel") => "cancelled",
        (_, "status") => "running",
        ("cap.navigation.v1", "navigate-to-pose" | "navigate-through-poses") => "accepted",
        ("cap.navigation.v1", "get-path") => "ok",
        ("cap.motion.v1", "move-to-pose" | "move-to-joints") => "accepted",
        ("cap.motion.v1", "validate-target") => "ok",
        ("cap.tamp.v1", "solve" | "validate-plan") => "ok",
        _ => "rejected",
    }
}

fn status_allowed(capability: &str, status: &str) -> bool {
    const COMMON: &[&str] =
        &["accepted", "running", "ok", "cancelled", "timeout", "rejected", "unreachable", "error", "unavailable"];
    COMMON.contains(&status) || (capability == "cap.motion.v1" && status == "collision")
}

/// A validation failure: reason code and message.
type Rejection = (&'static str, String);

fn reject(code: &'static str, msg: &str) -> Result<(), Rejection> {
    Err((code, msg.to_string()))
}

/// A text-or-symbol entry: `None` absent, `Some(None)` present but not text.
fn text_entry(m: &Datum, key: &str) -> Option<Option<String>> {
    lookup(m, key).map(|v| match v {
        Datum::Str(s) | Datum::Sym(s) => Some(s.clone()),
        _ => None,
    })
}

fn is_number(d: &Datum) -> bool {
    matches!(d, Datum::Int(_) | Datum::Float(_))
}

fn target(req: &Datum) -> Result<&Datum, Rejection> {
    match lookup(req, "target") {
        None => Err(("missing_target", "operation requires target map".into())),
        Some(t @ Datum::Map(_)) => Ok(t),
        Some(_) => Err(("invalid_target", "target must be a map".into())),
    }
}

fn frame(target: &Datum, allowed: &[&str], required: bool) -> Result<(), Rejection> {
    match text_entry(target, "frame") {
        None if required => reject("missing_frame", "target frame is required"),
        None => Ok(()),
        Some(None) => reject("invalid_frame", "target frame must be a string or symbol"),
        Some(Some(f)) if !allowed.contains(&f.as_str()) => reject("invalid_frame", "target frame is not supported"),
        Some(Some(_)) => Ok(()),
    }
}

fn validate(req: &Datum, capability: &str, op: &str, adapter: &str) -> Result<(), Rejection> {
    let expected = adapter_name(capability);
    if adapter != expected {
        return Err(("adapter_mismatch", format!("adapter must be {expected}")));
    }
    for field in ["timeout_ms", "deadline_ms"] {
        match lookup(req, field) {
            None => {}
            Some(Datum::Int(n)) if *n >= 0 => {}
            Some(_) => return Err(("invalid_timeout", format!("{field} must be a non-negative integer"))),
        }
    }
    if !operation_allowed(capability, op) {
        return reject("unsupported_operation", "operation is not supported by capability");
    }
    if op == "cancel" || op == "status" {
        return match text_entry(req, "job_id") {
            Some(Some(j)) if !j.is_empty() => Ok(()),
            _ => reject("missing_job_id", "operation requires job_id"),
        };
    }
    match (capability, op) {
        ("cap.navigation.v1", "navigate-to-pose" | "get-path") => {
            let t = target(req)?;
            frame(t, &["map", "odom"], true)?;
            match (lookup(t, "x"), lookup(t, "y")) {
                (Some(x), Some(y)) if is_number(x) && is_number(y) => Ok(()),
                _ => reject("invalid_target", "navigation target requires numeric x and y"),
            }
        }
        ("cap.navigation.v1", "navigate-through-poses") => match lookup(req, "poses") {
            None => reject("missing_poses", "operation requires poses list"),
            Some(Datum::List(_)) => Ok(()),
            Some(_) => reject("invalid_poses", "poses must be a non-empty list"),
        },
        ("cap.motion.v1", "move-to-pose" | "validate-target" | "move-to-joints") => {
            let t = target(req)?;
            match text_entry(req, "group") {
                None => {}
                Some(None) => return reject("invalid_group", "motion group must be a string or symbol"),
                Some(Some(g)) if g != "arm" && g != "manipulator" => {
                    return reject("invalid_group", "motion group is not supported")
                }
                Some(Some(_)) => {}
            }
            if op == "move-to-joints" {
                if lookup(t, "joints").is_none() && lookup(t, "named_state").is_none() {
                    return reject("invalid_target", "joint target requires joints or named_state");
                }
                return Ok(());
            }
            frame(t, &["world", "base_link", "tool0"], false)
        }
        ("cap.tamp.v1", _) => {
            match text_entry(req, "planner") {
                Some(Some(p)) if p == "pddlstream-pybullet" || p == "mock-pddlstream-pybullet" => {}
                None => {}
                Some(_) => return reject("invalid_planner", "TAMP planner is not supported"),
            }
            match lookup(req, "context") {
                None | Some(Datum::Map(_)) => {}
                Some(_) => return reject("invalid_context", "context must be a map"),
            }
            if op == "validate-plan" {
                return match lookup(req, "plan") {
                    None => reject("missing_plan", "validate-plan requires plan"),
                    Some(Datum::List(_) | Datum::Nil) => Ok(()),
                    Some(_) => reject("invalid_plan", "plan must be a list"),
                };
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn progress(capability: &str, status: &str) -> Datum {
    let ok = status == "ok";
    let mut p = vec![("status", Datum::Sym(format!(":{status}")))];
    match capability {
        "cap.navigation.v1" => {
            p.push(("distance_remaining_m", Datum::Float(if ok { 0.0 } else { 1.25 })));
            p.push(("number_of_recoveries", Datum::Int(0)));
            p.push(("estimated_time_remaining_ms", Datum::Int(if ok { 0 } else { 1200 })));
        }
        "cap.motion.v1" => {
            p.push(("fraction", Datum::Float(if ok { 1.0 } else { 0.4 })));
            p.push(("planning_scene_age_ms", Datum::Int(20)));
        }
        _ => {
            p.push(("expanded_states", Datum::Int(7)));
            p.push(("sampled_streams", Datum::Int(3)));
        }
    }
    sym_map(p)
}

fn tamp_plan() -> Datum {
    let step = |i: i64, cap: &str, op: &str| {
        sym_map(vec![
            ("index", Datum::Int(i)),
            ("capability", Datum::str(cap)),
            ("operation", Datum::str(op)),
            ("guard", Datum::str("scene-fresh?")),
        ])
    };
    Datum::List(vec![
        step(0, "cap.perception.scene.v1", "get-scene"),
        step(1, "cap.motion.v1", "validate-target"),
        step(2, "cap.motion.v1", "move-to-pose"),
    ])
}

fn tamp_proposal(request_id: &str) -> Datum {
    sym_map(vec![
        ("schema_version", Datum::str("agent_proposal.v1")),
        ("proposal_id", Datum::str(if request_id.is_empty() { "mock-tamp-proposal" } else { request_id })),
        ("source", Datum::str("mock-pddlstream-pybullet")),
        ("slot", Datum::str("task-plan")),
        ("fragment_contract", Datum::str("guarded-task-plan.v1")),
        (
            "fragment",
            Datum::str(
                "(slot task-plan :contract guarded-task-plan.v1 :install at-tick-boundary :fallback safe-stop \
                 (reactive-sel (seq (cond scene-fresh?) (act validate-target) (act execute-motion)) (act safe-stop)))",
            ),
        ),
    ])
}

/// `cap.call` on a mock adapter capability.
pub fn call(req: &Datum, capability: &str) -> Result<Datum, String> {
    let expected = request_schema(capability);
    let schema = text_opt(req, "schema_version", "cap.call schema_version")?.unwrap_or_else(|| expected.to_string());
    if schema != expected {
        return Err(format!("cap.call: schema_version must be \"{expected}\""));
    }
    let op = text_opt(req, "operation", "cap.call operation")?.unwrap_or_default();
    if op.is_empty() {
        return Err("cap.call: missing required operation".into());
    }
    let request_hash = tagged_text(&encode(req)?);
    let mut request_id = text_opt(req, "request_id", "cap.call request_id")?.unwrap_or_default();
    if request_id.is_empty() {
        request_id = format!("cap-call-{}", &request_hash["fnv1a64:".len()..]);
    }
    let adapter = match text_entry(req, "adapter") {
        None => adapter_name(capability).to_string(),
        Some(Some(a)) => a,
        Some(None) => "__mbt_invalid_adapter__".to_string(),
    };
    let mut verdict = validate(req, capability, &op, &adapter);
    let mut status = String::from("rejected");
    if verdict.is_ok() {
        status = text_opt(req, "mock_status", "cap.call mock_status")?
            .unwrap_or_else(|| default_status(capability, &op).to_string());
        if let Some(rest) = status.strip_prefix(':') {
            status = rest.to_string();
        }
        if !status_allowed(capability, &status) {
            verdict = Err(("invalid_status", "mock_status is not in the capability status vocabulary".into()));
            status = "rejected".into();
        }
    }
    let accepted = verdict.is_ok();
    let host_reached = accepted && status != "unavailable";
    let mut out = vec![
        ("schema_version", Datum::str(result_schema(capability))),
        ("capability", Datum::str(capability)),
        ("operation", Datum::Str(op.clone())),
        ("request_id", Datum::Str(request_id.clone())),
        ("status", Datum::Sym(format!(":{status}"))),
        ("adapter", Datum::Str(adapter.clone())),
        ("adapter_schema", Datum::Str(format!("{capability}.{adapter}.adapter.v1"))),
        ("host_reached", Datum::Bool(host_reached)),
        ("request_hash", Datum::Str(request_hash)),
        ("validation_status", Datum::sym(if accepted { ":accepted" } else { ":rejected" })),
    ];
    if let Err((code, _)) = &verdict {
        out.push(("validation_reason_code", Datum::str(code)));
    }
    if status == "accepted" || status == "running" || op == "status" || op == "cancel" {
        let job = text_opt(req, "job_id", "cap.call job_id")?.unwrap_or_else(|| format!("{request_id}-job"));
        out.push(("job_id", Datum::Str(job)));
    }
    out.push(("progress", progress(capability, &status)));
    if capability == "cap.navigation.v1" && (op == "get-path" || op == "status") {
        out.push((
            "path",
            sym_map(vec![
                ("frame", Datum::str("map")),
                ("poses", Datum::List(vec![Datum::str("start"), Datum::str("goal")])),
            ]),
        ));
    }
    if capability == "cap.motion.v1" && (op == "validate-target" || status == "ok") {
        let group = text_opt(req, "group", "cap.call group")?.unwrap_or_else(|| "arm".into());
        out.push((
            "result",
            sym_map(vec![("feasible", Datum::Bool(status == "ok")), ("planning_group", Datum::Str(group))]),
        ));
    }
    if capability == "cap.tamp.v1" && (op == "solve" || op == "validate-plan") {
        out.push(("plan", tamp_plan()));
        out.push(("proposal", tamp_proposal(&request_id)));
    }
    match &verdict {
        Err((code, msg)) => {
            out.push(("error_code", Datum::str(code)));
            out.push(("error", Datum::Str(msg.clone())));
        }
        Ok(()) if status == "rejected" => {
            out.push(("error_code", Datum::str("capability_mock_rejected")));
            out.push(("error", Datum::str("mock adapter returned rejected status")));
        }
        Ok(()) => {}
    }
    let mut map = sym_map(out);
    let response_hash = tagged_text(&encode(&map)?);
    if let Datum::Map(entries) = &mut map {
        entries.push((Datum::sym("response_hash"), Datum::Str(response_hash)));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(cap: &str, entries: Vec<(&str, Datum)>) -> Datum {
        let mut e = vec![("capability", Datum::str(cap))];
        e.extend(entries);
        sym_map(e)
    }

    fn get<'a>(m: &'a Datum, k: &str) -> &'a Datum {
        lookup(m, k).unwrap_or_else(|| panic!("no {k} in {m:?}"))
    }

    #[test]
    fn navigate_without_target_is_rejected() {
        let r =
            call(&req("cap.navigation.v1", vec![("operation", Datum::str("navigate-to-pose"))]), "cap.navigation.v1")
                .unwrap();
        let Datum::Map(e) = &r else { panic!() };
        assert_eq!(e.len(), 15);
        assert_eq!(get(&r, "status"), &Datum::sym(":rejected"));
        assert_eq!(get(&r, "error_code"), &Datum::str("missing_target"));
        assert_eq!(get(&r, "validation_reason_code"), &Datum::str("missing_target"));
        assert_eq!(get(&r, "host_reached"), &Datum::Bool(false));
        assert_eq!(get(&r, "adapter_schema"), &Datum::str("cap.navigation.v1.mock-nav2.adapter.v1"));
        let Datum::Str(id) = get(&r, "request_id") else { panic!() };
        let Datum::Str(hash) = get(&r, "request_hash") else { panic!() };
        assert_eq!(id.strip_prefix("cap-call-"), hash.strip_prefix("fnv1a64:"));
    }

    #[test]
    fn navigate_to_a_pose() {
        let target = sym_map(vec![("frame", Datum::str("map")), ("x", Datum::Float(1.0)), ("y", Datum::Int(2))]);
        let r = call(
            &req(
                "cap.navigation.v1",
                vec![
                    ("operation", Datum::str("navigate-to-pose")),
                    ("target", target),
                    ("request_id", Datum::str("n1")),
                ],
            ),
            "cap.navigation.v1",
        )
        .unwrap();
        assert_eq!(get(&r, "status"), &Datum::sym(":accepted"));
        assert_eq!(get(&r, "job_id"), &Datum::str("n1-job"));
        assert_eq!(get(&r, "host_reached"), &Datum::Bool(true));
        assert_eq!(get(get(&r, "progress"), "distance_remaining_m"), &Datum::Float(1.25));
        // The response hash covers everything else in the result.
        let Datum::Map(mut e) = r.clone() else { panic!() };
        let (_, last) = e.pop().unwrap();
        assert_eq!(last, Datum::Str(tagged_text(&encode(&Datum::Map(e)).unwrap())));
        // Same request, same answer.
        assert_eq!(
            r,
            call(
                &req(
                    "cap.navigation.v1",
                    vec![
                        ("operation", Datum::str("navigate-to-pose")),
                        (
                            "target",
                            sym_map(vec![("frame", Datum::str("map")), ("x", Datum::Float(1.0)), ("y", Datum::Int(2))])
                        ),
                        ("request_id", Datum::str("n1"))
                    ]
                ),
                "cap.navigation.v1"
            )
            .unwrap()
        );
    }

    #[test]
    fn validation_reasons() {
        let t = |cap: &str, extra: Vec<(&str, Datum)>| {
            let r = call(&req(cap, extra), cap).unwrap();
            match lookup(&r, "validation_reason_code") {
                Some(Datum::Str(s)) => s.clone(),
                _ => "accepted".into(),
            }
        };
        let op = |s: &str| ("operation", Datum::str(s));
        assert_eq!(t("cap.navigation.v1", vec![op("fly")]), "unsupported_operation");
        assert_eq!(t("cap.navigation.v1", vec![op("status")]), "missing_job_id");
        assert_eq!(t("cap.navigation.v1", vec![op("status"), ("job_id", Datum::str("j"))]), "accepted");
        assert_eq!(t("cap.navigation.v1", vec![op("get-path"), ("target", Datum::Int(1))]), "invalid_target");
        assert_eq!(t("cap.navigation.v1", vec![op("get-path"), ("target", sym_map(vec![]))]), "missing_frame");
        assert_eq!(
            t("cap.navigation.v1", vec![op("get-path"), ("target", sym_map(vec![("frame", Datum::str("moon"))]))]),
            "invalid_frame"
        );
        assert_eq!(t("cap.navigation.v1", vec![op("navigate-through-poses")]), "missing_poses");
        assert_eq!(t("cap.navigation.v1", vec![op("navigate-through-poses"), ("poses", Datum::Nil)]), "invalid_poses");
        assert_eq!(
            t("cap.navigation.v1", vec![op("cancel"), ("job_id", Datum::str("j")), ("timeout_ms", Datum::Int(-1))]),
            "invalid_timeout"
        );
        assert_eq!(
            t("cap.navigation.v1", vec![op("cancel"), ("job_id", Datum::str("j")), ("adapter", Datum::str("nav3"))]),
            "adapter_mismatch"
        );
        assert_eq!(
            t(
                "cap.navigation.v1",
                vec![op("cancel"), ("job_id", Datum::str("j")), ("mock_status", Datum::sym(":flying"))]
            ),
            "invalid_status"
        );
        assert_eq!(t("cap.motion.v1", vec![op("move-to-joints"), ("target", sym_map(vec![]))]), "invalid_target");
        assert_eq!(
            t("cap.motion.v1", vec![op("move-to-pose"), ("target", sym_map(vec![])), ("group", Datum::str("leg"))]),
            "invalid_group"
        );
        assert_eq!(t("cap.motion.v1", vec![op("validate-target"), ("target", sym_map(vec![]))]), "accepted");
        assert_eq!(t("cap.tamp.v1", vec![op("solve"), ("planner", Datum::str("fast-downward"))]), "invalid_planner");
        assert_eq!(t("cap.tamp.v1", vec![op("solve"), ("context", Datum::Int(1))]), "invalid_context");
        assert_eq!(t("cap.tamp.v1", vec![op("validate-plan")]), "missing_plan");
        assert_eq!(t("cap.tamp.v1", vec![op("validate-plan"), ("plan", Datum::Int(1))]), "invalid_plan");
        assert_eq!(t("cap.tamp.v1", vec![op("solve")]), "accepted");
    }

    #[test]
    fn fixtures() {
        let r = call(
            &req("cap.motion.v1", vec![("operation", Datum::str("validate-target")), ("target", sym_map(vec![]))]),
            "cap.motion.v1",
        )
        .unwrap();
        assert_eq!(get(get(&r, "result"), "feasible"), &Datum::Bool(true));
        assert_eq!(get(get(&r, "result"), "planning_group"), &Datum::str("arm"));
        let r = call(&req("cap.tamp.v1", vec![("operation", Datum::str("solve"))]), "cap.tamp.v1").unwrap();
        let Datum::List(plan) = get(&r, "plan") else { panic!() };
        assert_eq!(plan.len(), 3);
        assert_eq!(get(get(&r, "proposal"), "slot"), &Datum::str("task-plan"));
        let r = call(
            &req(
                "cap.navigation.v1",
                vec![
                    ("operation", Datum::str("cancel")),
                    ("job_id", Datum::str("j")),
                    ("mock_status", Datum::str("rejected")),
                ],
            ),
            "cap.navigation.v1",
        )
        .unwrap();
        assert_eq!(get(&r, "error_code"), &Datum::str("capability_mock_rejected"));
    }

    #[test]
    fn hard_errors() {
        assert_eq!(
            call(&req("cap.tamp.v1", vec![("schema_version", Datum::str("v0"))]), "cap.tamp.v1").unwrap_err(),
            "cap.call: schema_version must be \"cap.tamp.request.v1\""
        );
        assert_eq!(
            call(&req("cap.tamp.v1", vec![]), "cap.tamp.v1").unwrap_err(),
            "cap.call: missing required operation"
        );
        assert_eq!(
            call(&req("cap.tamp.v1", vec![("operation", Datum::Int(1))]), "cap.tamp.v1").unwrap_err(),
            "cap.call operation: expected string or symbol"
        );
    }
}
