//! The `planner` group of the builtin table: `planner.plan`, `planner.set-base-seed`,
//! `planner.get-base-seed`, over a per-interpreter [`PlannerState`].

use super::{request, Planner};
use crate::lang::{Builtin, Ctx, Datum, Extension, FrontEnd, Interp, Value};

/// The planner front end (group `planner`).
pub static FRONT_END: FrontEnd = FrontEnd { name: "planner", groups: &[ROWS], handles: &[], install: Some(install) };

/// Per-interpreter planner state (the base seed of derived seeds). A planning leaf reaches
/// it with `ctx.ext::<PlannerState>()` and calls [`Planner::derive_seed`] and
/// [`Planner::plan`].
#[derive(Default)]
pub struct PlannerState(pub Planner);

impl Extension for PlannerState {}

fn install(interp: &mut Interp) {
    interp.install(PlannerState::default());
}

static ROWS: &[Builtin] = &[
    Builtin::plain(
        "planner.plan",
        "planner",
        1,
        Some(1),
        "(planner.plan request) -> map",
        "Plan one action with MCTS, MPPI or iLQR over a built-in model; seeded and repeatable.",
        lisp_plan,
    ),
    Builtin::plain(
        "planner.set-base-seed",
        "planner",
        1,
        Some(1),
        "(planner.set-base-seed n) -> nil",
        "Set the base seed that planning leaves derive their per-tick seeds from.",
        lisp_set_base_seed,
    ),
    Builtin::plain(
        "planner.get-base-seed",
        "planner",
        0,
        Some(0),
        "(planner.get-base-seed) -> integer",
        "The base seed of derived planner seeds (masked to 63 bits).",
        lisp_get_base_seed,
    ),
];

fn state<'c>(c: &'c mut Ctx, who: &str) -> Result<&'c mut Planner, String> {
    c.ext::<PlannerState>().map(|s| &mut s.0).ok_or_else(|| format!("{who}: there is no planner here"))
}

fn lisp_plan(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let req = c.to_datum(a[0]).map_err(|e| format!("planner.plan: {e}"))?;
    let req = request::parse(&req)?;
    let result = state(c, "planner.plan")?.plan(&req);
    c.from_datum(&result.to_datum()).map_err(|e| format!("planner.plan: {e}"))
}

fn lisp_set_base_seed(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let seed = request::base_seed_arg(&match a[0] {
        Value::Int(i) => Datum::Int(i),
        _ => Datum::Nil,
    })?;
    state(c, "planner.set-base-seed")?.set_base_seed(seed);
    Ok(Value::Nil)
}

fn lisp_get_base_seed(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    let seed = state(c, "planner.get-base-seed")?.base_seed();
    Ok(Value::Int((seed & 0x7fff_ffff_ffff_ffff) as i64))
}
