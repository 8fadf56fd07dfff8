//! `plan-action`: plan one action per tick with the planner and write it to the blackboard.
//! Facts: `bt-host.md` 2.4 (derived seeds), 2.7 (options, per-tick steps, meta) and 3 (the
//! decision-point gate). The planner's modelled time is job time: the leaf moves the job clock
//! forward by it, so the tick's budget, later leaves and running jobs all see the time spent.

use super::{action_value, numeric_state, opt_int, opt_number, opt_text, option_failure, option_pairs, outcome};
use crate::bt::blackboard::BbValue;
use crate::bt::events::Severity;
use crate::bt::fmt;
use crate::bt::leaf::LeafCx;
use crate::bt::model::{Lit, Status};
use crate::planner::{self, Action, Algorithm, Derivatives, PlanRequest, Planner};

/// The request a `plan-action` leaf builds from its options, and the keys it reads and writes.
struct PlanOpts {
    req: PlanRequest,
    state_key: String,
    action_key: String,
    meta_key: String,
    seed_key: String,
    safe_action_key: String,
    sigma_key: String,
    max_du_key: String,
}

fn parse(node: u32, args: &[Lit]) -> Result<PlanOpts, String> {
    let mut req = PlanRequest::new(Algorithm::Mcts, "toy-1d", Vec::new(), 20, 0);
    req.node_name = format!("plan-action-{node}");
    let mut o = PlanOpts {
        req,
        state_key: "state".into(),
        action_key: "action".into(),
        meta_key: String::new(),
        seed_key: String::new(),
        safe_action_key: String::new(),
        sigma_key: String::new(),
        max_du_key: String::new(),
    };
    let mut model = "toy-1d".to_string();
    for (raw, key, v) in option_pairs("plan-action", args)? {
        let w = |k: &str| format!("plan-action :{k}");
        let r = &mut o.req;
        match key.as_str() {
            "name" => r.node_name = opt_text(v, &w("name"))?,
            "planner" => {
                let t = opt_text(v, &w("planner"))?;
                r.planner = Algorithm::parse(&t).ok_or_else(|| format!("plan-action: unsupported planner: {t}"))?;
            }
            "budget_ms" => r.budget_ms = opt_int(v, &w("budget_ms"))?,
            "work_max" | "iters_max" => r.work_max = opt_int(v, &w("work_max"))?,
            "horizon" => r.horizon = opt_int(v, &w("horizon"))?,
            "dt_ms" => r.dt_ms = opt_int(v, &w("dt_ms"))?,
            "model_service" => model = opt_text(v, &w("model_service"))?,
            "state_key" => o.state_key = opt_text(v, &w("state_key"))?,
            "action_key" => o.action_key = opt_text(v, &w("action_key"))?,
            "meta_key" => o.meta_key = opt_text(v, &w("meta_key"))?,
            "seed_key" => o.seed_key = opt_text(v, &w("seed_key"))?,
            "safe_action_key" => o.safe_action_key = opt_text(v, &w("safe_action_key"))?,
            "safe_action" | "fallback_action" => {
                let x = opt_number(v, &w("safe_action"))?;
                r.safe_action = Some(Action { schema: String::new(), u: vec![x] });
            }
            "action_schema" => r.action_schema = opt_text(v, &w("action_schema"))?,
            "top_k" => r.top_k = opt_int(v, &w("top_k"))?,
            "gamma" => r.mcts.gamma = opt_number(v, &w("gamma"))?,
            "max_depth" => r.mcts.max_depth = opt_int(v, &w("max_depth"))?,
            "c_ucb" => r.mcts.c_ucb = opt_number(v, &w("c_ucb"))?,
            "pw_k" => r.mcts.pw_k = opt_number(v, &w("pw_k"))?,
            "pw_alpha" => r.mcts.pw_alpha = opt_number(v, &w("pw_alpha"))?,
            "rollout_policy" => r.mcts.rollout_policy = opt_text(v, &w("rollout_policy"))?,
            "action_sampler" => r.mcts.action_sampler = opt_text(v, &w("action_sampler"))?,
            "lambda" => r.mppi.lambda = opt_number(v, &w("lambda"))?,
            "sigma" => r.mppi.sigma = vec![opt_number(v, &w("sigma"))?],
            "sigma_key" => o.sigma_key = opt_text(v, &w("sigma_key"))?,
            "n_samples" => r.mppi.n_samples = opt_int(v, &w("n_samples"))?,
            "n_elite" => r.mppi.n_elite = opt_int(v, &w("n_elite"))?,
            "max_iters" => r.ilqr.max_iters = opt_int(v, &w("max_iters"))?,
            "reg_init" => r.ilqr.reg_init = opt_number(v, &w("reg_init"))?,
            "reg_factor" => r.ilqr.reg_factor = opt_number(v, &w("reg_factor"))?,
            "tol_cost" => r.ilqr.tol_cost = opt_number(v, &w("tol_cost"))?,
            "tol_grad" => r.ilqr.tol_grad = opt_number(v, &w("tol_grad"))?,
            "fd_eps" => r.ilqr.fd_eps = opt_number(v, &w("fd_eps"))?,
            "derivatives" => {
                let t = opt_text(v, &w("derivatives"))?;
                r.ilqr.derivatives =
                    Derivatives::parse(&t).ok_or_else(|| format!("plan-action: unsupported derivatives mode: {t}"))?;
            }
            "max_du" => r.constraints.max_du = vec![opt_number(v, &w("max_du"))?],
            "max_du_key" => o.max_du_key = opt_text(v, &w("max_du_key"))?,
            "smoothness_weight" => r.constraints.smoothness_weight = opt_number(v, &w("smoothness_weight"))?,
            "collision_weight" => r.constraints.collision_weight = Some(opt_number(v, &w("collision_weight"))?),
            "goal_tolerance" => r.constraints.goal_tolerance = Some(opt_number(v, &w("goal_tolerance"))?),
            _ => return Err(format!("plan-action: unknown option: {raw}")),
        }
    }
    o.req.model_service = model;
    o.req.state_key = o.state_key.clone();
    Ok(o)
}

fn push_values(out: &mut String, u: &[f64]) {
    for (i, x) in u.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        fmt::push_g(out, *x, 6);
    }
}

pub(super) fn tick<V>(base_seed: u64, cx: &mut LeafCx<V>) -> Status {
    let node = cx.node;
    let def = std::rc::Rc::clone(cx.def);
    let mut o = match parse(node, &def.node(node).args) {
        Ok(o) => o,
        Err(m) => return option_failure(cx, "plan-action", &m),
    };
    o.req.tick_index = cx.tick;
    o.req.run_id = format!("inst-{}", cx.inst);
    let Some(entry) = cx.bb_get(&o.state_key) else {
        cx.log(Severity::Error, &format!("plan-action: missing state key: {}", o.state_key));
        return Status::Failure;
    };
    match numeric_state(&entry.value, "plan-action") {
        Ok(s) => o.req.state = s,
        Err(e) => {
            cx.log(Severity::Error, &e);
            return Status::Failure;
        }
    }
    for (key, what) in [(&o.safe_action_key, "safe_action"), (&o.sigma_key, "sigma"), (&o.max_du_key, "max_du")] {
        if key.is_empty() {
            continue;
        }
        let Some(e) = cx.bb_get(key) else { continue };
        match numeric_state(&e.value, &format!("plan-action {what}")) {
            Ok(u) => match what {
                "safe_action" => o.req.safe_action = Some(Action { schema: String::new(), u }),
                "sigma" => o.req.mppi.sigma = u,
                _ => o.req.constraints.max_du = u,
            },
            Err(e) => cx.log(Severity::Warn, &format!("plan-action: invalid {what}_key: {e}")),
        }
    }
    if let Some(safe) = o.req.safe_action.as_mut().filter(|a| !a.u.is_empty()) {
        safe.schema =
            if o.req.action_schema.is_empty() { "action.u.v1".to_string() } else { o.req.action_schema.clone() };
    }
    let seeded = if o.seed_key.is_empty() {
        None
    } else {
        cx.bb_get(&o.seed_key).and_then(|e| super::seed_from_entry(&e.value))
    };
    let mut planner = Planner::default();
    planner.set_base_seed(base_seed);
    o.req.seed = seeded.unwrap_or_else(|| planner.derive_seed(&o.req.node_name, cx.tick));

    if !cx.budget_allows("planner_call_start") {
        return Status::Failure;
    }
    let algo = o.req.planner.name();
    cx.emit_raw(
        "planner_call_start",
        format!("{{\"node_id\":{node},\"planner\":\"{algo}\",\"budget_ms\":{}}}", o.req.budget_ms),
    );
    cx.counters.planner_calls += 1;
    let result = planner.plan(&o.req);
    // The planner's time is job time: running jobs progress while it thinks.
    let spent = result.stats.elapsed_ms;
    if spent > 0.0 {
        let t = cx.engine.now() + spent;
        cx.engine.advance(t);
    }
    let meta = result.meta_json(cx.tick);
    let mut record = String::from("{\"schema_version\":\"planner.v1\",\"run_id\":");
    fmt::push_json_string(&mut record, &o.req.run_id);
    record.push_str(",\"node_name\":");
    fmt::push_json_string(&mut record, &o.req.node_name);
    record.push_str(",\"state_key\":");
    fmt::push_json_string(&mut record, &o.state_key);
    record.push(',');
    record.push_str(meta.trim_start_matches("{\"schema_version\":\"planner.v1\","));
    cx.emit_raw("planner_v1", record);
    let mut end = format!(
        "{{\"node_id\":{node},\"planner\":\"{algo}\",\"status\":\"{}\",\"time_used_ms\":",
        result.status.name()
    );
    fmt::push_g(&mut end, spent, 6);
    end.push_str(&format!(",\"work_done\":{}}}", result.stats.work_done));
    cx.emit_raw("planner_call_end", end);
    if result.status == planner::Status::Timeout {
        outcome(cx, "planner_timeout", "plan-action", node, None, "timeout");
    }
    if result.action.u.is_empty() {
        let mut msg = String::from("plan-action: planner returned empty action");
        if !result.error.is_empty() {
            msg.push_str(": ");
            msg.push_str(&result.error);
        }
        cx.log(Severity::Error, &msg);
        return Status::Failure;
    }
    if result.action.u.iter().any(|x| !x.is_finite()) {
        cx.log(Severity::Error, "plan-action: non-finite action value");
        return Status::Failure;
    }
    cx.bb_put(&o.action_key, action_value(&result.action.u), &o.req.node_name);
    if !o.meta_key.is_empty() {
        cx.bb_put(&o.meta_key, BbValue::Str(meta), &o.req.node_name);
    }
    let mut msg = format!("planner={algo} status={} action=", result.status.name());
    push_values(&mut msg, &result.action.u);
    msg.push_str(" confidence=");
    fmt::push_g(&mut msg, result.confidence, 6);
    msg.push_str(&format!(" work={} time_ms={}", result.stats.work_done, result.stats.time_used_ms));
    cx.log(Severity::Info, &msg);
    if result.status != planner::Status::Ok {
        let mut msg = String::from("plan-action: planner status is not :ok");
        if !result.error.is_empty() {
            msg.push_str(": ");
            msg.push_str(&result.error);
        }
        let sev = if result.status == planner::Status::Error { Severity::Error } else { Severity::Warn };
        cx.log(sev, &msg);
        return Status::Failure;
    }
    Status::Success
}
