//! `planner.plan`'s request map → [`PlanRequest`], with the reference's error texts.
//!
//! Keys are found by normalised lookup (symbol or string keys, one leading `:` dropped,
//! `-` read as `_`; the first matching entry wins).

use super::models::Bound;
use super::{default_seed, Action, Algorithm, Derivatives, PlanRequest};
use crate::lang::fields::{int, lookup, number, numbers, text};
use crate::lang::fnv::fnv1a64;
use crate::lang::Datum;

fn map_arg<'a>(v: &'a Datum, where_: &str) -> Result<&'a Datum, String> {
    match v {
        Datum::Map(_) => Ok(v),
        _ => Err(format!("{where_}: expected map")),
    }
}

/// A seed value: integer >= 0, float >= 0 (truncated), or text (hashed).
pub fn seed(v: &Datum, where_: &str) -> Result<u64, String> {
    match v {
        Datum::Int(i) if *i < 0 => Err(format!("{where_}: seed must be non-negative")),
        Datum::Int(i) => Ok(*i as u64),
        Datum::Float(f) if !f.is_finite() || *f < 0.0 => Err(format!("{where_}: seed must be non-negative finite")),
        Datum::Float(f) => Ok(*f as u64),
        Datum::Str(s) | Datum::Sym(s) => Ok(fnv1a64(s.as_bytes())),
        _ => Err(format!("{where_}: unsupported seed type")),
    }
}

fn bounds(v: &Datum, where_: &str) -> Result<Vec<Bound>, String> {
    let rows: &[Datum] = match v {
        Datum::Nil => &[],
        Datum::List(rows) => rows,
        _ => return Err(format!("{where_}: expected list of [lo hi] pairs")),
    };
    rows.iter()
        .map(|row| {
            let pair: &[Datum] = match row {
                Datum::Nil => &[],
                Datum::List(p) => p,
                _ => return Err(format!("{where_}: bounds row must be a 2-item list")),
            };
            if pair.len() != 2 {
                return Err(format!("{where_}: each bounds row must have exactly 2 items"));
            }
            let lo = number(&pair[0], where_)?;
            let hi = number(&pair[1], where_)?;
            if !lo.is_finite() || !hi.is_finite() || lo > hi {
                return Err(format!("{where_}: bounds values must be finite and ordered"));
            }
            Ok(Bound { lo, hi })
        })
        .collect()
}

/// A `{action_schema, u}` map.
pub fn action(v: &Datum, where_: &str) -> Result<Action, String> {
    let m = map_arg(v, where_)?;
    let schema = lookup(m, "action_schema").ok_or_else(|| format!("{where_}: missing action_schema"))?;
    let u = lookup(m, "u").ok_or_else(|| format!("{where_}: missing u"))?;
    Ok(Action { schema: text(schema, &format!("{where_} action_schema"))?, u: numbers(u, &format!("{where_} u"))? })
}

fn opt_text(m: &Datum, key: &str, default: &str, where_: &str) -> Result<String, String> {
    lookup(m, key).map_or(Ok(default.to_string()), |v| text(v, where_))
}
fn opt_int(m: &Datum, key: &str, default: i64, where_: &str) -> Result<i64, String> {
    lookup(m, key).map_or(Ok(default), |v| int(v, where_))
}
fn opt_number(m: &Datum, key: &str, default: f64, where_: &str) -> Result<f64, String> {
    lookup(m, key).map_or(Ok(default), |v| number(v, where_))
}

/// Parse `(planner.plan request)`'s map.
pub fn parse(req: &Datum) -> Result<PlanRequest, String> {
    const P: &str = "planner.plan";
    let m = map_arg(req, P)?;
    let schema = lookup(m, "schema_version").ok_or("planner.plan: missing required schema_version")?;
    if text(schema, "planner.plan schema_version")? != "planner.request.v1" {
        return Err("planner.plan: schema_version must be \"planner.request.v1\"".into());
    }
    let planner_v = lookup(m, "planner").ok_or("planner.plan: missing required planner")?;
    let planner = Algorithm::parse(&text(planner_v, "planner.plan planner")?)
        .ok_or("planner.plan planner: expected :mcts, :mppi, or :ilqr")?;
    let model_v = lookup(m, "model_service").ok_or("planner.plan: missing required model_service")?;
    let model = text(model_v, "planner.plan model_service")?;
    let state_v = lookup(m, "state").ok_or("planner.plan: missing required state")?;
    let state = numbers(state_v, "planner.plan state")?;
    let budget_v = lookup(m, "budget_ms").ok_or("planner.plan: missing required budget_ms")?;
    let budget_ms = int(budget_v, "planner.plan budget_ms")?;
    let seed = match lookup(m, "seed") {
        Some(v) => seed(v, P)?,
        None => default_seed(&model, planner, budget_ms, &state),
    };
    let mut r = PlanRequest::new(planner, &model, state, budget_ms, seed);
    if let Some(v) = lookup(m, "safe_action") {
        r.safe_action = Some(action(v, "planner.plan safe_action")?);
    }
    if let Some(v) = lookup(m, "action_schema") {
        r.action_schema = text(v, "planner.plan action_schema")?;
    }
    r.work_max = opt_int(m, "work_max", r.work_max, "planner.plan work_max")?;
    r.horizon = opt_int(m, "horizon", r.horizon, "planner.plan horizon")?;
    r.dt_ms = opt_int(m, "dt_ms", r.dt_ms, "planner.plan dt_ms")?;
    r.top_k = opt_int(m, "top_k", r.top_k, "planner.plan top_k")?;
    if let Some(v) = lookup(m, "bounds") {
        r.bounds = bounds(v, "planner.plan bounds")?;
    }
    if let Some(v) = lookup(m, "constraints") {
        let c = map_arg(v, "planner.plan constraints")?;
        if let Some(v) = lookup(c, "max_du") {
            r.constraints.max_du = numbers(v, "planner.plan constraints.max_du")?;
        }
        if let Some(v) = lookup(c, "smoothness_weight") {
            r.constraints.smoothness_weight = number(v, "planner.plan constraints.smoothness_weight")?;
        }
        if let Some(v) = lookup(c, "collision_weight") {
            r.constraints.collision_weight = Some(number(v, "planner.plan constraints.collision_weight")?);
        }
        if let Some(v) = lookup(c, "goal_tolerance") {
            r.constraints.goal_tolerance = Some(number(v, "planner.plan constraints.goal_tolerance")?);
        }
    }
    r.run_id = opt_text(m, "run_id", &r.run_id, "planner.plan run_id")?;
    r.node_name = opt_text(m, "node_name", &r.node_name, "planner.plan node_name")?;
    if let Some(v) = lookup(m, "tick_index") {
        let t = int(v, "planner.plan tick_index")?;
        if t < 0 {
            return Err("planner.plan tick_index: expected non-negative integer".into());
        }
        r.tick_index = t as u64;
    }
    r.state_key = opt_text(m, "state_key", "", "planner.plan state_key")?;
    if let Some(v) = lookup(m, "mcts") {
        let c = map_arg(v, "planner.plan mcts")?;
        let d = &mut r.mcts;
        d.c_ucb = opt_number(c, "c_ucb", d.c_ucb, "planner.plan mcts c_ucb")?;
        d.pw_k = opt_number(c, "pw_k", d.pw_k, "planner.plan mcts pw_k")?;
        d.pw_alpha = opt_number(c, "pw_alpha", d.pw_alpha, "planner.plan mcts pw_alpha")?;
        d.max_depth = opt_int(c, "max_depth", d.max_depth, "planner.plan mcts max_depth")?;
        d.gamma = opt_number(c, "gamma", d.gamma, "planner.plan mcts gamma")?;
        d.rollout_policy = opt_text(c, "rollout_policy", &d.rollout_policy, "planner.plan mcts rollout_policy")?;
        d.action_sampler = opt_text(c, "action_sampler", &d.action_sampler, "planner.plan mcts action_sampler")?;
    }
    if let Some(v) = lookup(m, "mppi") {
        let c = map_arg(v, "planner.plan mppi")?;
        let d = &mut r.mppi;
        d.lambda = opt_number(c, "lambda", d.lambda, "planner.plan mppi lambda")?;
        d.n_samples = opt_int(c, "n_samples", d.n_samples, "planner.plan mppi n_samples")?;
        d.n_elite = opt_int(c, "n_elite", d.n_elite, "planner.plan mppi n_elite")?;
        if let Some(v) = lookup(c, "sigma") {
            d.sigma = numbers(v, "planner.plan mppi sigma")?;
        }
        if let Some(v) = lookup(c, "u_init") {
            d.u_init = numbers(v, "planner.plan mppi u_init")?;
        }
        if let Some(v) = lookup(c, "u_nominal") {
            d.u_nominal = numbers(v, "planner.plan mppi u_nominal")?;
        }
    }
    if let Some(v) = lookup(m, "ilqr") {
        let c = map_arg(v, "planner.plan ilqr")?;
        let d = &mut r.ilqr;
        d.max_iters = opt_int(c, "max_iters", d.max_iters, "planner.plan ilqr max_iters")?;
        d.reg_init = opt_number(c, "reg_init", d.reg_init, "planner.plan ilqr reg_init")?;
        d.reg_factor = opt_number(c, "reg_factor", d.reg_factor, "planner.plan ilqr reg_factor")?;
        d.tol_cost = opt_number(c, "tol_cost", d.tol_cost, "planner.plan ilqr tol_cost")?;
        d.tol_grad = opt_number(c, "tol_grad", d.tol_grad, "planner.plan ilqr tol_grad")?;
        d.fd_eps = opt_number(c, "fd_eps", d.fd_eps, "planner.plan ilqr fd_eps")?;
        if let Some(v) = lookup(c, "derivatives") {
            let t = text(v, "planner.plan ilqr derivatives")?;
            d.derivatives =
                Derivatives::parse(&t).ok_or("planner.plan ilqr derivatives: expected :analytic or :finite_diff")?;
        }
        if let Some(v) = lookup(c, "u_init") {
            d.u_init = numbers(v, "planner.plan ilqr u_init")?;
        }
    }
    Ok(r)
}

/// `(planner.set-base-seed n)`'s argument.
pub fn base_seed_arg(v: &Datum) -> Result<u64, String> {
    match v {
        Datum::Int(i) if *i < 0 => Err("planner.set-base-seed: seed must be non-negative".into()),
        Datum::Int(i) => Ok(*i as u64),
        _ => Err("planner.set-base-seed: expected integer".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::datum::sym_map;

    fn base() -> Vec<(&'static str, Datum)> {
        vec![
            ("schema_version", Datum::str("planner.request.v1")),
            ("planner", Datum::sym(":mcts")),
            ("model_service", Datum::str("toy-1d")),
            ("state", Datum::List(vec![Datum::Float(0.0)])),
            ("budget_ms", Datum::Int(1000)),
        ]
    }

    fn with(extra: Vec<(&'static str, Datum)>) -> Datum {
        let mut b = base();
        for (k, v) in extra {
            match b.iter_mut().find(|(bk, _)| *bk == k) {
                Some(e) => e.1 = v,
                None => b.push((k, v)),
            }
        }
        sym_map(b)
    }

    fn without(key: &str) -> Datum {
        sym_map(base().into_iter().filter(|(k, _)| *k != key).collect())
    }

    #[test]
    fn minimal_request_and_default_seed() {
        let r = parse(&with(vec![])).unwrap();
        assert_eq!(r.planner, Algorithm::Mcts);
        assert_eq!(r.seed & (u64::MAX >> 1), 7047170373247538759);
        assert_eq!(r.top_k, 3);
    }

    #[test]
    fn keys_are_normalised() {
        let m = Datum::Map(vec![
            (Datum::str(":schema-version"), Datum::str("planner.request.v1")),
            (Datum::sym("planner"), Datum::str("MCTS")),
            (Datum::sym(":model-service"), Datum::sym("toy-1d")),
            (Datum::str("state"), Datum::Float(0.5)),
            (Datum::sym("budget-ms"), Datum::Int(5)),
            (Datum::sym(":work-max"), Datum::Int(9)),
        ]);
        let r = parse(&m).unwrap();
        assert_eq!((r.state.clone(), r.budget_ms, r.work_max), (vec![0.5], 5, 9));
    }

    #[test]
    fn errors_in_order() {
        let cases: Vec<(Datum, &str)> = vec![
            (Datum::Int(1), "planner.plan: expected map"),
            (without("schema_version"), "planner.plan: missing required schema_version"),
            (
                with(vec![("schema_version", Datum::str("v2"))]),
                "planner.plan: schema_version must be \"planner.request.v1\"",
            ),
            (without("planner"), "planner.plan: missing required planner"),
            (with(vec![("planner", Datum::sym("astar"))]), "planner.plan planner: expected :mcts, :mppi, or :ilqr"),
            (without("model_service"), "planner.plan: missing required model_service"),
            (with(vec![("model_service", Datum::Int(3))]), "planner.plan model_service: expected string or symbol"),
            (without("state"), "planner.plan: missing required state"),
            (with(vec![("state", Datum::List(vec![Datum::sym("a")]))]), "planner.plan state: expected numeric value"),
            (with(vec![("state", Datum::str("x"))]), "planner.plan state: expected numeric list or number"),
            (without("budget_ms"), "planner.plan: missing required budget_ms"),
            (with(vec![("budget_ms", Datum::Float(1.0))]), "planner.plan budget_ms: expected integer"),
            (with(vec![("seed", Datum::Int(-1))]), "planner.plan: seed must be non-negative"),
            (with(vec![("seed", Datum::Float(-1.0))]), "planner.plan: seed must be non-negative finite"),
            (with(vec![("seed", Datum::Nil)]), "planner.plan: unsupported seed type"),
            (with(vec![("safe_action", Datum::Int(1))]), "planner.plan safe_action: expected map"),
            (
                with(vec![("safe_action", sym_map(vec![("u", Datum::Nil)]))]),
                "planner.plan safe_action: missing action_schema",
            ),
            (
                with(vec![("safe_action", sym_map(vec![("action_schema", Datum::str("a"))]))]),
                "planner.plan safe_action: missing u",
            ),
            (with(vec![("work_max", Datum::str("x"))]), "planner.plan work_max: expected integer"),
            (with(vec![("bounds", Datum::Int(1))]), "planner.plan bounds: expected list of [lo hi] pairs"),
            (
                with(vec![("bounds", Datum::List(vec![Datum::List(vec![Datum::Float(1.0), Datum::Float(0.0)])]))]),
                "planner.plan bounds: bounds values must be finite and ordered",
            ),
            (
                with(vec![("bounds", Datum::List(vec![Datum::List(vec![Datum::Float(1.0)])]))]),
                "planner.plan bounds: each bounds row must have exactly 2 items",
            ),
            (with(vec![("constraints", Datum::Int(1))]), "planner.plan constraints: expected map"),
            (with(vec![("tick_index", Datum::Int(-2))]), "planner.plan tick_index: expected non-negative integer"),
            (with(vec![("mcts", Datum::Int(1))]), "planner.plan mcts: expected map"),
            (
                with(vec![("mcts", sym_map(vec![("c_ucb", Datum::str("x"))]))]),
                "planner.plan mcts c_ucb: expected numeric value",
            ),
            (
                with(vec![("ilqr", sym_map(vec![("derivatives", Datum::sym(":magic"))]))]),
                "planner.plan ilqr derivatives: expected :analytic or :finite_diff",
            ),
        ];
        for (req, msg) in cases {
            assert_eq!(parse(&req).unwrap_err(), msg);
        }
    }

    #[test]
    fn seeds_of_every_kind() {
        assert_eq!(parse(&with(vec![("seed", Datum::Int(7))])).unwrap().seed, 7);
        assert_eq!(parse(&with(vec![("seed", Datum::Float(7.9))])).unwrap().seed, 7);
        assert_eq!(parse(&with(vec![("seed", Datum::str("abc"))])).unwrap().seed, fnv1a64(b"abc"));
        assert_eq!(base_seed_arg(&Datum::Int(-1)).unwrap_err(), "planner.set-base-seed: seed must be non-negative");
        assert_eq!(base_seed_arg(&Datum::Float(1.0)).unwrap_err(), "planner.set-base-seed: expected integer");
    }
}
