//! The demo callbacks the reference's CLI host registers at start-up (conditions and actions
//! usable by name in `cond` / `act`). Errors returned here are what the reference's callbacks
//! throw; the runtime turns them into a `failure` plus `condition threw: ...` /
//! `action threw: ...`.

use super::blackboard::BbValue;
use super::leaf::{LeafCx, SchedEvent, SleepWork};
use super::model::{Lit, Status};
use crate::capability;
use crate::jobs::{CancelOutcome, JobOptions, State};
use crate::lang::datum::sym_map;
use crate::lang::fields::lookup;
use crate::lang::Datum;

pub type CondFn<V> = fn(&mut LeafCx<V>, &[Lit]) -> Result<bool, String>;
pub type ActFn<V> = fn(&mut LeafCx<V>, &[Lit]) -> Result<Status, String>;

/// The demo conditions, by name.
pub fn conditions<V>() -> Vec<(&'static str, CondFn<V>)> {
    vec![
        ("always-true", |_, _| Ok(true)),
        ("always-false", |_, _| Ok(false)),
        ("bb-has", bb_has),
        ("bb-truthy", bb_truthy),
        ("battery-ok", |_, _| Ok(true)),
        ("target-visible", target_visible),
        ("goal-reached-1d", goal_reached_1d),
        ("ptz-target-centred", ptz_target_centred),
    ]
}

/// The demo actions, by name.
pub fn actions<V>() -> Vec<(&'static str, ActFn<V>)> {
    vec![
        ("always-success", |_, _| Ok(Status::Success)),
        ("always-fail", |_, _| Ok(Status::Failure)),
        ("running-then-success", running_then_success),
        ("bb-put-int", bb_put_int),
        ("bb-put-float", bb_put_float),
        ("select-action", select_action),
        ("cap-navigation-tick", cap_navigation_tick),
        ("cap-navigation-cancel", cap_navigation_cancel),
        ("apply-planned-1d", apply_planned_1d),
        ("apply-planned-ptz", apply_planned_ptz),
        ("approach-target", approach_target),
        ("grasp", |_, _| Ok(Status::Success)),
        ("search-target", search_target),
        ("async-sleep-ms", async_sleep_ms),
    ]
}

fn key_arg(args: &[Lit], i: usize, who: &str) -> Result<String, String> {
    match args.get(i) {
        None => Err(format!("{who}: missing key argument")),
        Some(Lit::Sym(s)) | Some(Lit::Str(s)) => Ok(s.clone()),
        Some(_) => Err(format!("{who}: key must be symbol or string")),
    }
}

fn key_arg_or(args: &[Lit], i: usize, who: &str, default: &str) -> Result<String, String> {
    if i >= args.len() {
        return Ok(default.to_string());
    }
    key_arg(args, i, who)
}

fn int_arg(args: &[Lit], i: usize, who: &str) -> Result<i64, String> {
    match args.get(i) {
        Some(Lit::Int(v)) => Ok(*v),
        _ => Err(format!("{who}: expected integer argument at index {i}")),
    }
}

fn num_arg(args: &[Lit], i: usize, who: &str) -> Result<f64, String> {
    match args.get(i) {
        None => Err(format!("{who}: missing numeric argument")),
        Some(Lit::Int(v)) => Ok(*v as f64),
        Some(Lit::Float(f)) => Ok(*f),
        Some(_) => Err(format!("{who}: expected numeric argument")),
    }
}

fn as_vector(v: &BbValue, who: &str) -> Result<Vec<f64>, String> {
    v.as_vector().ok_or_else(|| format!("{who}: expected numeric or numeric-vector blackboard value"))
}

/// `bb-truthy`'s notion of truth.
pub fn truthy(v: &BbValue) -> bool {
    match v {
        BbValue::Nil => false,
        BbValue::Bool(b) => *b,
        BbValue::Int(i) => *i != 0,
        BbValue::Float(f) => f.is_finite() && f.abs() > 1e-9,
        BbValue::Str(s) => !s.is_empty() && s != "0" && s != "false",
        BbValue::FloatVec(v) => !v.is_empty(),
        BbValue::Image(_) | BbValue::Blob(_) => true,
    }
}

fn bb_has<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<bool, String> {
    let key = key_arg(args, 0, "bb-has")?;
    Ok(cx.bb_get(&key).is_some())
}

fn bb_truthy<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<bool, String> {
    let key = key_arg(args, 0, "bb-truthy")?;
    Ok(cx.bb_get(&key).is_some_and(|e| truthy(&e.value)))
}

fn target_visible<V>(cx: &mut LeafCx<V>, _: &[Lit]) -> Result<bool, String> {
    Ok(match cx.bb_get("target-visible").map(|e| &e.value) {
        Some(BbValue::Bool(b)) => *b,
        Some(BbValue::Int(i)) => *i != 0,
        _ => false,
    })
}

fn goal_reached_1d<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<bool, String> {
    let who = "goal-reached-1d";
    let key = key_arg_or(args, 0, who, "state")?;
    let goal = if args.len() > 1 { num_arg(args, 1, who)? } else { 1.0 };
    let tol = if args.len() > 2 { num_arg(args, 2, who)? } else { 0.05 };
    let Some(e) = cx.bb_get(&key) else { return Ok(false) };
    let state = as_vector(&e.value, who)?;
    Ok(state.first().is_some_and(|x| (goal - x).abs() <= tol))
}

fn ptz_target_centred<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<bool, String> {
    let who = "ptz-target-centred";
    let key = key_arg_or(args, 0, who, "ptz-state")?;
    let tol = if args.len() > 1 { num_arg(args, 1, who)? } else { 0.05 };
    let Some(e) = cx.bb_get(&key) else { return Ok(false) };
    let s = as_vector(&e.value, "ptz-target-centred state")?;
    if s.len() < 4 {
        return Ok(false);
    }
    Ok((s[2] * s[2] + s[3] * s[3]).sqrt() <= tol)
}

fn running_then_success<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<Status, String> {
    let target = if args.is_empty() { 1 } else { int_arg(args, 0, "running-then-success")? };
    let m = cx.mem();
    if m.i0 < target {
        m.i0 += 1;
        return Ok(Status::Running);
    }
    m.i0 = 0;
    Ok(Status::Success)
}

fn bb_put_int<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<Status, String> {
    let key = key_arg(args, 0, "bb-put-int")?;
    let v = int_arg(args, 1, "bb-put-int")?;
    cx.bb_put(&key, BbValue::Int(v), "bb-put-int");
    Ok(Status::Success)
}

fn bb_put_float<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<Status, String> {
    let key = key_arg(args, 0, "bb-put-float")?;
    let v = num_arg(args, 1, "bb-put-float")?;
    cx.bb_put(&key, BbValue::Float(v), "bb-put-float");
    Ok(Status::Success)
}

fn select_action<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<Status, String> {
    let who = "select-action";
    let src = key_arg(args, 0, who)?;
    let branch = int_arg(args, 1, who)?;
    let out = if args.len() > 2 { key_arg(args, 2, who)? } else { "action_vec".to_string() };
    let Some(e) = cx.bb_get(&src) else { return Ok(Status::Failure) };
    let Some(action) = e.value.as_vector() else { return Ok(Status::Failure) };
    if action.len() < 2 {
        return Ok(Status::Failure);
    }
    cx.bb_put(&out, BbValue::FloatVec(action), who);
    cx.bb_put("active_branch", BbValue::Int(branch), who);
    Ok(Status::Success)
}

fn apply_planned_1d<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<Status, String> {
    let who = "apply-planned-1d";
    let state_key = key_arg_or(args, 0, who, "state")?;
    let action_key = key_arg_or(args, 1, who, "action")?;
    let out = key_arg_or(args, 2, who, &state_key)?;
    let (Some(s), Some(a)) = (cx.bb_get(&state_key), cx.bb_get(&action_key)) else {
        return Ok(Status::Failure);
    };
    let state = as_vector(&s.value, "apply-planned-1d state")?;
    let action = as_vector(&a.value, "apply-planned-1d action")?;
    if state.is_empty() || action.is_empty() {
        return Ok(Status::Failure);
    }
    let x = state[0] + 0.25 * action[0].clamp(-1.0, 1.0);
    cx.bb_put(&out, BbValue::Float(x), who);
    Ok(Status::Success)
}

fn apply_planned_ptz<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<Status, String> {
    let who = "apply-planned-ptz";
    let state_key = key_arg_or(args, 0, who, "ptz-state")?;
    let action_key = key_arg_or(args, 1, who, "ptz-action")?;
    let out = key_arg_or(args, 2, who, &state_key)?;
    let (Some(s), Some(a)) = (cx.bb_get(&state_key), cx.bb_get(&action_key)) else {
        return Ok(Status::Failure);
    };
    let s = as_vector(&s.value, "apply-planned-ptz state")?;
    let a = as_vector(&a.value, "apply-planned-ptz action")?;
    if s.len() < 4 || a.len() < 2 {
        return Ok(Status::Failure);
    }
    let vx = s.get(4).copied().unwrap_or(0.0);
    let vy = s.get(5).copied().unwrap_or(0.0);
    let dp = a[0].clamp(-0.25, 0.25);
    let dt = a[1].clamp(-0.25, 0.25);
    let next = vec![
        (s[0] + dp).clamp(-1.5, 1.5),
        (s[1] + dt).clamp(-1.0, 1.0),
        (s[2] + vx - dp * 1.15).clamp(-2.0, 2.0),
        (s[3] + vy - dt * 1.15).clamp(-2.0, 2.0),
        vx,
        vy,
    ];
    cx.bb_put(&out, BbValue::FloatVec(next), who);
    Ok(Status::Success)
}

fn approach_target<V>(cx: &mut LeafCx<V>, _: &[Lit]) -> Result<Status, String> {
    let m = cx.mem();
    if m.i0 == 0 {
        m.i0 = 1;
        return Ok(Status::Running);
    }
    m.i0 = 0;
    Ok(Status::Success)
}

fn search_target<V>(cx: &mut LeafCx<V>, _: &[Lit]) -> Result<Status, String> {
    cx.bb_put("target-visible", BbValue::Bool(true), "robot.search-target");
    Ok(Status::Success)
}

/// Scheduler job states as the reference's `job_status` codes (kept in node memory `i1`).
const JS_QUEUED: i64 = 0;
const JS_RUNNING: i64 = 1;
const JS_DONE: i64 = 2;
const JS_FAILED: i64 = 3;
const JS_CANCELLED: i64 = 4;
const JS_UNKNOWN: i64 = 5;

/// The scheduler status of an engine job.
pub fn sched_status(state: Option<State>) -> i64 {
    match state {
        Some(State::Queued) => JS_QUEUED,
        Some(State::Running) | Some(State::Streaming) => JS_RUNNING,
        Some(State::Done) => JS_DONE,
        Some(State::Failed) | Some(State::TimedOut) => JS_FAILED,
        Some(State::Cancelled) => JS_CANCELLED,
        None => JS_UNKNOWN,
    }
}

fn async_sleep_ms<V>(cx: &mut LeafCx<V>, args: &[Lit]) -> Result<Status, String> {
    let delay = if args.is_empty() { 1 } else { int_arg(args, 0, "async-sleep-ms")? };
    if !cx.mem().b0 {
        let id = cx.engine.submit_with(Box::new(SleepWork::new(delay)), JobOptions::default());
        let m = cx.mem();
        m.i0 = id as i64;
        m.b0 = true;
        m.i1 = JS_QUEUED;
        cx.sched_event(SchedEvent::Submit, id, "scheduler submitted task async-sleep-ms");
        return Ok(Status::Running);
    }
    let id = cx.mem().i0.max(0) as u64;
    let status = sched_status(cx.engine.job(id).map(|j| j.state));
    if status != cx.mem().i1 {
        match status {
            JS_RUNNING => cx.sched_event(SchedEvent::Start, id, "scheduler started task async-sleep-ms"),
            JS_CANCELLED => cx.sched_event(SchedEvent::Cancel, id, "scheduler cancelled task async-sleep-ms"),
            JS_DONE | JS_FAILED => {
                cx.sched_event(SchedEvent::Finish(status == JS_DONE), id, "scheduler finished task async-sleep-ms")
            }
            _ => {}
        }
        cx.mem().i1 = status;
    }
    if status == JS_QUEUED || status == JS_RUNNING {
        return Ok(Status::Running);
    }
    let m = cx.mem();
    m.b0 = false;
    m.i0 = 0;
    m.i1 = JS_UNKNOWN;
    Ok(if status == JS_DONE { Status::Success } else { Status::Failure })
}

/// Halting an `act` node whose memory holds a live scheduler job: cancel it. True when a
/// queued or running job was cancelled (the caller then skips the "no halt hook" warning).
pub fn cancel_scheduler_leaf<V>(cx: &mut LeafCx<V>, reason: &str) -> bool {
    let (b0, i0) = {
        let m = &cx.mem[cx.node as usize];
        (m.b0, m.i0)
    };
    if !b0 || i0 <= 0 {
        return false;
    }
    let id = i0 as u64;
    let status = sched_status(cx.engine.job(id).map(|j| j.state));
    if status != JS_QUEUED && status != JS_RUNNING {
        return false;
    }
    match cx.engine.cancel(id) {
        CancelOutcome::CancelledWhileQueued | CancelOutcome::Requested(_) => {}
        _ => return false,
    }
    cx.sched_event(SchedEvent::Cancel, id, &format!("scheduler cancelled by halt_subtree ({reason})"));
    let m = &mut cx.mem[cx.node as usize];
    m.b0 = false;
    m.i0 = 0;
    m.i1 = JS_UNKNOWN;
    true
}

// ---- cap.navigation.v1 through the mock adapter ----

fn bb_text<V>(cx: &LeafCx<V>, key: &str) -> Option<String> {
    match cx.bb_get(key).map(|e| &e.value) {
        Some(BbValue::Str(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn bb_text_or<V>(cx: &LeafCx<V>, key: &str, default: &str) -> String {
    match cx.bb_get(key).map(|e| &e.value) {
        Some(BbValue::Str(s)) => s.clone(),
        _ => default.to_string(),
    }
}

fn bb_number<V>(cx: &LeafCx<V>, key: &str) -> Option<f64> {
    match cx.bb_get(key).map(|e| &e.value) {
        Some(BbValue::Float(f)) => Some(*f),
        Some(BbValue::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// The `cap.navigation.request.v1` map the reference builds from the blackboard; it goes
/// through the same path as `(cap.call request)` (`crate::capability`).
fn nav_request<V>(
    cx: &LeafCx<V>,
    operation: &str,
    request_id: String,
    job_id: Option<String>,
) -> Result<Datum, String> {
    let timeout_ms = match cx.bb_get("nav_timeout_ms").map(|e| &e.value) {
        Some(BbValue::Int(i)) => *i,
        _ => 1000,
    };
    let mut m = vec![
        ("schema_version", Datum::str("cap.navigation.request.v1")),
        ("capability", Datum::str("cap.navigation.v1")),
        ("operation", Datum::str(operation)),
        ("request_id", Datum::Str(request_id)),
        ("timeout_ms", Datum::Int(timeout_ms)),
    ];
    if let Some(a) = bb_text(cx, "nav_action_name") {
        m.push(("action_name", Datum::Str(a)));
    }
    if let Some(j) = job_id {
        m.push(("job_id", Datum::Str(j)));
    }
    let mock_status = match operation {
        "navigate-to-pose" => {
            let (Some(x), Some(y)) = (bb_number(cx, "nav_goal_x"), bb_number(cx, "nav_goal_y")) else {
                return Err("cap-navigation-tick: nav_goal_x and nav_goal_y are required".into());
            };
            m.push((
                "target",
                sym_map(vec![
                    ("frame", Datum::Str(bb_text_or(cx, "nav_goal_frame", "map"))),
                    ("x", Datum::Float(x)),
                    ("y", Datum::Float(y)),
                    ("yaw", Datum::Float(bb_number(cx, "nav_goal_yaw").unwrap_or(0.0))),
                ]),
            ));
            bb_text(cx, "nav_mock_status")
        }
        "status" => bb_text(cx, "nav_mock_status"),
        "cancel" => bb_text(cx, "nav_mock_cancel_status"),
        _ => None,
    };
    if let Some(st) = mock_status {
        m.push(("mock_status", Datum::Str(st)));
    }
    Ok(sym_map(m))
}

/// Call the mock adapter, logging `cap_call_start` / `cap_call_end` as the reference does.
fn call_nav<V>(cx: &mut LeafCx<V>, req: &Datum) -> Result<Datum, String> {
    let (resp, _) = capability::call(req)?;
    if let Some((start, end)) = capability::call_events(req, &resp) {
        cx.emit_raw("cap_call_start", start);
        cx.emit_raw("cap_call_end", end);
    }
    Ok(resp)
}

fn resp_text(resp: &Datum, key: &str) -> Option<String> {
    match lookup(resp, key) {
        Some(Datum::Str(s)) | Some(Datum::Sym(s)) => Some(s.trim_start_matches(':').to_string()),
        _ => None,
    }
}

fn store_nav_result<V>(cx: &mut LeafCx<V>, resp: &Datum, writer: &str, branch: i64) {
    if let Some(st) = resp_text(resp, "status").filter(|s| !s.is_empty()) {
        cx.bb_put("nav_status", BbValue::Str(st), writer);
    }
    if let Some(j) = resp_text(resp, "job_id").filter(|j| !j.is_empty()) {
        cx.bb_put("nav_job_id", BbValue::Str(j), writer);
    }
    for (key, field) in [("nav_request_hash", "request_hash"), ("nav_response_hash", "response_hash")] {
        cx.bb_put(key, BbValue::Str(resp_text(resp, field).unwrap_or_default()), writer);
    }
    cx.bb_put(
        "nav_host_reached",
        BbValue::Bool(matches!(lookup(resp, "host_reached"), Some(Datum::Bool(true)))),
        writer,
    );
    if let Some(p) = lookup(resp, "progress").filter(|_| resp_text(resp, "operation").as_deref() != Some("cancel")) {
        if let Some(Datum::Float(d)) = lookup(p, "distance_remaining_m") {
            cx.bb_put("nav_distance_remaining_m", BbValue::Float(*d), writer);
        }
        if let Some(Datum::Int(n)) = lookup(p, "number_of_recoveries") {
            cx.bb_put("nav_number_of_recoveries", BbValue::Int(*n), writer);
        }
        if let Some(Datum::Int(n)) = lookup(p, "estimated_time_remaining_ms") {
            cx.bb_put("nav_estimated_time_remaining_ms", BbValue::Int(*n), writer);
        }
    }
    cx.bb_put("active_branch", BbValue::Int(branch), writer);
}

fn cap_navigation_tick<V>(cx: &mut LeafCx<V>, _: &[Lit]) -> Result<Status, String> {
    let writer = "cap-navigation-tick";
    let job = bb_text(cx, "nav_job_id");
    let default_id = if job.is_some() { "flagship-nav-status" } else { "flagship-nav-goal" };
    let request_id = bb_text_or(cx, "nav_request_id", default_id);
    let op = if job.is_some() { "status" } else { "navigate-to-pose" };
    match nav_request(cx, op, request_id, job).and_then(|req| call_nav(cx, &req)) {
        Ok(resp) => {
            store_nav_result(cx, &resp, writer, 2);
            Ok(match resp_text(&resp, "status").as_deref() {
                Some("accepted" | "running") => Status::Running,
                Some("ok") => Status::Success,
                _ => Status::Failure,
            })
        }
        Err(msg) => {
            cx.bb_put("nav_status", BbValue::Str("error".into()), writer);
            cx.bb_put("nav_error", BbValue::Str(msg), writer);
            cx.bb_put("nav_host_reached", BbValue::Bool(false), writer);
            cx.bb_put("active_branch", BbValue::Int(2), writer);
            Ok(Status::Failure)
        }
    }
}

fn cap_navigation_cancel<V>(cx: &mut LeafCx<V>, _: &[Lit]) -> Result<Status, String> {
    let writer = "cap-navigation-cancel";
    let Some(job) = bb_text(cx, "nav_job_id") else { return Ok(Status::Success) };
    let request_id = bb_text_or(cx, "nav_cancel_request_id", "flagship-nav-cancel");
    match nav_request(cx, "cancel", request_id, Some(job)).and_then(|req| call_nav(cx, &req)) {
        Ok(resp) => {
            store_nav_result(cx, &resp, writer, 1);
            if resp_text(&resp, "status").as_deref() == Some("cancelled") {
                cx.bb_put("nav_job_id", BbValue::Str(String::new()), writer);
            }
        }
        Err(msg) => {
            cx.bb_put("nav_status", BbValue::Str("error".into()), writer);
            cx.bb_put("nav_error", BbValue::Str(msg), writer);
            cx.bb_put("nav_host_reached", BbValue::Bool(false), writer);
        }
    }
    Ok(Status::Success)
}
