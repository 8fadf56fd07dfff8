//! The planner behind `planner.plan` (and, later, the `plan-action` leaf): three algorithms
//! (MCTS, MPPI, iLQR) over the built-in models of [`models`], seeded, bit-exact with the
//! reference where the reference's behaviour is verified.
//!
//! A caller builds a [`PlanRequest`] (or parses one from a Lisp map with
//! [`request::parse`]), calls [`Planner::plan`], and gets a [`PlanResult`] back: the
//! action, status, confidence, statistics and algorithm trace, plus
//! [`PlanResult::to_datum`] (the `planner.plan` result map) and [`PlanResult::meta_json`]
//! (the `plan-action` meta string). Seeds: [`Planner::derive_seed`] (per node and tick, from
//! the base seed) and [`default_seed`] (per request, when a Lisp request has no `seed`).
//!
//! Time is modelled, never measured: every model step costs [`STEP_COST_NS`] of planner
//! time, so budget cut-offs, `time_used_ms` and `overrun` are the same on every machine and
//! every run. With an iteration cap that is reached within the budget the result is the
//! reference's to the last digit.

mod ilqr;
pub mod lisp;
pub mod math;
mod mcts;
pub mod models;
mod mppi;
pub mod request;
pub mod result;
pub mod rng;
pub mod sort;

use crate::lang::fnv::fnv1a64;
use crate::lang::textfmt::format_g;
use models::{Bound, Model, Step};
use rng::Rng;

/// The reference's base seed, 5579801004866093652 (0x4d6f6f736c694254).
pub const DEFAULT_BASE_SEED: u64 = 0x4d6f_6f73_6c69_4254;

/// Planner time charged for one model step (stochastic or deterministic), in nanoseconds.
/// Calibrated so that the default `plan-action` search (MCTS, `toy-1d`, 2000 iterations)
/// uses about the 7 ms the reference was measured at.
pub const STEP_COST_NS: u64 = 400;

/// Model steps one plan may take, whatever its `budget_ms` and `work_max`: 1,000,000 steps
/// are 400 ms of planner time. A plan that reaches it stops as if its deadline had passed
/// and says so in `stats.note`. Planning runs inside one evaluation step, which neither fuel
/// nor a page's Stop button can interrupt, so this bounds its time (and the memory of MPPI's
/// samples); the reference has no such limit and would plan for the whole budget.
pub const MAX_PLAN_STEPS: u64 = 1_000_000;

/// The longest `horizon` a plan accepts (MPPI and iLQR allocate per horizon step).
pub const MAX_HORIZON: i64 = 10_000;

/// Lower-case, drop `:`, turn `-` into `_` (how planner, derivative and policy names compare).
pub fn normalized_token(text: &str) -> String {
    text.chars().filter(|c| *c != ':').map(|c| if c == '-' { '_' } else { c.to_ascii_lowercase() }).collect()
}

/// A planning algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    Mcts,
    Mppi,
    Ilqr,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Mcts => "mcts",
            Algorithm::Mppi => "mppi",
            Algorithm::Ilqr => "ilqr",
        }
    }
    /// `mcts`, `:MCTS`, `"mppi"`, `ilqr` … (normalised like keys, case-insensitive).
    pub fn parse(text: &str) -> Option<Algorithm> {
        match normalized_token(text).as_str() {
            "mcts" => Some(Algorithm::Mcts),
            "mppi" => Some(Algorithm::Mppi),
            "ilqr" => Some(Algorithm::Ilqr),
            _ => None,
        }
    }
}

/// How the result came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Timeout,
    NoAction,
    Error,
}

impl Status {
    /// The name without colon (`ok`), as in meta JSON.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Timeout => "timeout",
            Status::NoAction => "noaction",
            Status::Error => "error",
        }
    }
    /// The Lisp keyword (`:ok`).
    pub fn keyword(self) -> &'static str {
        match self {
            Status::Ok => ":ok",
            Status::Timeout => ":timeout",
            Status::NoAction => ":noaction",
            Status::Error => ":error",
        }
    }
}

/// iLQR derivative source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derivatives {
    Analytic,
    FiniteDiff,
}

impl Derivatives {
    /// `analytic`, `finite_diff`/`finite-diff`/`fd` (normalised, case-insensitive).
    pub fn parse(text: &str) -> Option<Derivatives> {
        match normalized_token(text).as_str() {
            "analytic" => Some(Derivatives::Analytic),
            "finite_diff" | "fd" => Some(Derivatives::FiniteDiff),
            _ => None,
        }
    }
}

/// An action: its schema name and values.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub schema: String,
    pub u: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MctsConfig {
    pub c_ucb: f64,
    pub pw_k: f64,
    pub pw_alpha: f64,
    pub max_depth: i64,
    pub gamma: f64,
    /// `model_default` or `random`.
    pub rollout_policy: String,
    /// `model_default` or `safe_action`.
    pub action_sampler: String,
}

impl Default for MctsConfig {
    fn default() -> Self {
        MctsConfig {
            c_ucb: 1.2,
            pw_k: 2.0,
            pw_alpha: 0.5,
            max_depth: 25,
            gamma: 0.95,
            rollout_policy: "model_default".into(),
            action_sampler: "model_default".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MppiConfig {
    pub lambda: f64,
    pub n_samples: i64,
    pub n_elite: i64,
    pub sigma: Vec<f64>,
    pub u_init: Vec<f64>,
    pub u_nominal: Vec<f64>,
}

impl Default for MppiConfig {
    fn default() -> Self {
        MppiConfig {
            lambda: 1.0,
            n_samples: 128,
            n_elite: 0,
            sigma: Vec::new(),
            u_init: Vec::new(),
            u_nominal: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct IlqrConfig {
    pub max_iters: i64,
    pub reg_init: f64,
    pub reg_factor: f64,
    pub tol_cost: f64,
    pub tol_grad: f64,
    pub fd_eps: f64,
    pub derivatives: Derivatives,
    pub u_init: Vec<f64>,
}

impl Default for IlqrConfig {
    fn default() -> Self {
        IlqrConfig {
            max_iters: 30,
            reg_init: 1.0,
            reg_factor: 10.0,
            tol_cost: 1.0e-4,
            tol_grad: 1.0e-4,
            fd_eps: 1.0e-4,
            derivatives: Derivatives::Analytic,
            u_init: Vec::new(),
        }
    }
}

/// Request constraints. Only `max_du` and `smoothness_weight` change a plan; the other two
/// are carried (as in the reference).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    pub max_du: Vec<f64>,
    pub smoothness_weight: f64,
    pub collision_weight: Option<f64>,
    pub goal_tolerance: Option<f64>,
}

/// Everything one planning call needs.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRequest {
    pub planner: Algorithm,
    /// The model name (`toy-1d`, `ptz-track`, `toy-unicycle`, `flagship-goal-shared-v1`).
    pub model_service: String,
    pub state: Vec<f64>,
    /// Negative acts as 0.
    pub budget_ms: i64,
    pub seed: u64,
    /// The fallback action (an empty `u` means the model's zero action).
    pub safe_action: Option<Action>,
    /// Schema of the returned action; empty: the safe action's, else `action.u.v1`.
    pub action_schema: String,
    /// Iteration / sample cap; 0: the algorithm's default.
    pub work_max: i64,
    /// MPPI/iLQR horizon; 0: the model's default.
    pub horizon: i64,
    /// Carried, unused.
    pub dt_ms: i64,
    pub top_k: i64,
    /// Per-dimension bounds; used only when there is one row per action dimension.
    pub bounds: Vec<Bound>,
    pub constraints: Constraints,
    pub run_id: String,
    pub node_name: String,
    pub state_key: String,
    pub tick_index: u64,
    pub mcts: MctsConfig,
    pub mppi: MppiConfig,
    pub ilqr: IlqrConfig,
}

impl PlanRequest {
    /// A request with every optional field at the reference's default (`top_k` 3, `run_id`
    /// `lisp`, `node_name` `planner.plan`).
    pub fn new(planner: Algorithm, model: &str, state: Vec<f64>, budget_ms: i64, seed: u64) -> PlanRequest {
        PlanRequest {
            planner,
            model_service: model.to_string(),
            state,
            budget_ms,
            seed,
            safe_action: None,
            action_schema: String::new(),
            work_max: 0,
            horizon: 0,
            dt_ms: 0,
            top_k: 3,
            bounds: Vec::new(),
            constraints: Constraints::default(),
            run_id: "lisp".into(),
            node_name: "planner.plan".into(),
            state_key: String::new(),
            tick_index: 0,
            mcts: MctsConfig::default(),
            mppi: MppiConfig::default(),
            ilqr: IlqrConfig::default(),
        }
    }
}

/// The seed `planner.plan` uses when the request has none: the hash of
/// `<model>|<planner>|<budget_ms>` followed by `|<v>` for each state value (six significant
/// digits, as a C++ stream prints them).
pub fn default_seed(model: &str, planner: Algorithm, budget_ms: i64, state: &[f64]) -> u64 {
    let mut text = format!("{model}|{}|{budget_ms}", planner.name());
    for v in state {
        text.push('|');
        text.push_str(&format_g(*v, 6));
    }
    fnv1a64(text.as_bytes())
}

/// One of the most visited root children.
#[derive(Clone, Debug, PartialEq)]
pub struct MctsChoice {
    pub action: Action,
    pub visits: i64,
    pub q: f64,
}

/// One of the cheapest MPPI samples.
#[derive(Clone, Debug, PartialEq)]
pub struct MppiChoice {
    pub action: Action,
    pub weight: f64,
    pub cost: f64,
}

/// What the algorithm reports about its search.
#[derive(Clone, Debug, PartialEq)]
pub enum Trace {
    None,
    Mcts { root_visits: i64, root_children: i64, widen_added: i64, top_k: Vec<MctsChoice> },
    Mppi { n_samples: i64, horizon: i64, top_k: Vec<MppiChoice> },
    Ilqr { iters: i64, cost_init: f64, cost_final: f64, reg_final: f64 },
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlanStats {
    /// The request's budget, at least 0.
    pub budget_ms: i64,
    /// Whole milliseconds of modelled planner time.
    pub time_used_ms: i64,
    /// Modelled planner time, exact (what a tick budget should charge).
    pub elapsed_ms: f64,
    /// Iterations (MCTS, iLQR) or kept samples (MPPI).
    pub work_done: i64,
    /// The seed used (full 64 bits; `planner.plan` reports it masked to 63).
    pub seed: u64,
    /// `time_used_ms > budget_ms`.
    pub overrun: bool,
    pub note: String,
}

/// The outcome of one planning call.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanResult {
    pub planner: Algorithm,
    pub status: Status,
    /// In `[0, 1]`.
    pub confidence: f64,
    /// The chosen action (the safe action for `:noaction` and most errors; empty `u` only
    /// when the model is unknown).
    pub action: Action,
    pub stats: PlanStats,
    pub trace: Trace,
    /// Empty unless something went wrong.
    pub error: String,
}

/// What an algorithm returns before the common post-processing.
struct Outcome {
    status: Status,
    action: Action,
    confidence: f64,
    work_done: i64,
    trace: Trace,
    error: String,
}

impl Outcome {
    fn error(safe: Action, msg: &str) -> Outcome {
        Outcome {
            status: Status::Error,
            action: safe,
            confidence: 0.0,
            work_done: 0,
            trace: Trace::None,
            error: msg.into(),
        }
    }
}

fn clamp_confidence(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Shared state of one planning call: the model, resolved bounds and safe action, and the
/// planner-time meter.
struct Backend<'a> {
    req: &'a PlanRequest,
    model: &'a dyn Model,
    bounds: Vec<Bound>,
    safe: Action,
    schema: String,
    steps: u64,
}

impl Backend<'_> {
    /// Clamp to the request bounds (when usable), then the model's own clamp.
    fn clamp(&self, action: &[f64]) -> Vec<f64> {
        clamp_with_bounds(action, &self.bounds, self.model)
    }
    fn count_step(&mut self) {
        self.steps += 1;
    }
    fn step(&mut self, state: &[f64], action: &[f64], rng: &mut Rng) -> Result<Step, String> {
        self.steps += 1;
        if self.steps > 2 * MAX_PLAN_STEPS {
            // Only a single rollout or sample longer than the limit gets here: deadlines are
            // checked between them.
            return Err(format!("more than {} model steps in one plan", 2 * MAX_PLAN_STEPS));
        }
        self.model.step(state, action, rng)
    }
    fn elapsed_ms(&self) -> f64 {
        elapsed_ms(self.steps)
    }
    /// Planner time has reached the budget (`now >= start + budget`), or the plan has taken
    /// [`MAX_PLAN_STEPS`].
    fn deadline_passed(&self) -> bool {
        self.elapsed_ms() >= self.req.budget_ms.max(0) as f64 || self.steps >= MAX_PLAN_STEPS
    }
}

fn elapsed_ms(steps: u64) -> f64 {
    (steps as f64) * (STEP_COST_NS as f64) / 1.0e6
}

fn clamp_with_bounds(action: &[f64], bounds: &[Bound], model: &dyn Model) -> Vec<f64> {
    let dims = model.action_dims();
    if !bounds.is_empty() && bounds.len() == dims {
        let out: Vec<f64> = (0..dims)
            .map(|i| models::clamp(action.get(i).copied().unwrap_or(0.0), bounds[i].lo, bounds[i].hi))
            .collect();
        return model.clamp_action(&out);
    }
    model.clamp_action(action)
}

fn sanitise_bounds(bounds: &[Bound], dims: usize) -> Vec<Bound> {
    if bounds.len() != dims {
        return Vec::new();
    }
    let mut out = bounds.to_vec();
    for b in out.iter_mut() {
        if !b.lo.is_finite() || !b.hi.is_finite() {
            return Vec::new();
        }
        if b.lo > b.hi {
            std::mem::swap(&mut b.lo, &mut b.hi);
        }
    }
    out
}

/// Per-interpreter planner state: the base seed for derived seeds.
#[derive(Clone, Debug)]
pub struct Planner {
    base_seed: u64,
}

impl Default for Planner {
    fn default() -> Self {
        Planner { base_seed: DEFAULT_BASE_SEED }
    }
}

impl Planner {
    pub fn base_seed(&self) -> u64 {
        self.base_seed
    }
    pub fn set_base_seed(&mut self, seed: u64) {
        self.base_seed = seed;
    }

    /// The seed a planning leaf named `node_name` uses at tick `tick_index`: the base seed
    /// mixed with the name's hash and the tick (boost-style `hash_combine`); 0 becomes the
    /// golden constant.
    pub fn derive_seed(&self, node_name: &str, tick_index: u64) -> u64 {
        let mix =
            |seed: u64, v: u64| seed ^ v.wrapping_add(rng::GOLDEN).wrapping_add(seed << 6).wrapping_add(seed >> 2);
        let seed = mix(self.base_seed, fnv1a64(node_name.as_bytes()));
        let seed = mix(seed, tick_index);
        if seed == 0 {
            rng::GOLDEN
        } else {
            seed
        }
    }

    /// Plan once. Never fails: unknown models, invalid states and model failures come back as
    /// `Status::Error` results with an `error` text.
    pub fn plan(&self, req: &PlanRequest) -> PlanResult {
        plan(req)
    }
}

/// Plan once (see [`Planner::plan`]; the base seed plays no part here).
pub fn plan(req: &PlanRequest) -> PlanResult {
    let model = models::by_name(&req.model_service);
    let schema = if !req.action_schema.is_empty() {
        req.action_schema.clone()
    } else if let Some(s) = req.safe_action.as_ref().filter(|a| !a.schema.is_empty()) {
        s.schema.clone()
    } else {
        "action.u.v1".to_string()
    };
    let mut steps = 0u64;
    let mut bounds = Vec::new();
    let mut safe = Action { schema: schema.clone(), u: Vec::new() };
    let outcome = match model {
        None => Outcome::error(safe.clone(), &format!("planner model not found: {}", req.model_service)),
        Some(model) => {
            let dims = model.action_dims();
            bounds = sanitise_bounds(&req.bounds, dims);
            if bounds.is_empty() {
                bounds = sanitise_bounds(&model.action_bounds(), dims);
            }
            safe.u = match req.safe_action.as_ref().filter(|a| !a.u.is_empty()) {
                Some(a) => clamp_with_bounds(&a.u, &bounds, model),
                None => model.zero_action(),
            };
            if safe.u.len() != dims || !safe.u.iter().all(|v| v.is_finite()) {
                safe.u = model.zero_action();
            }
            if !model.validate_state(&req.state) {
                Outcome::error(safe.clone(), "planner state validation failed")
            } else if req.horizon > MAX_HORIZON {
                let msg = format!("planner horizon too long: {} (at most {MAX_HORIZON})", req.horizon);
                Outcome::error(safe.clone(), &msg)
            } else {
                let mut b = Backend {
                    req,
                    model,
                    bounds: bounds.clone(),
                    safe: safe.clone(),
                    schema: schema.clone(),
                    steps: 0,
                };
                let run = match req.planner {
                    Algorithm::Mcts => mcts::run(&mut b),
                    Algorithm::Mppi => mppi::run(&mut b),
                    Algorithm::Ilqr => ilqr::run(&mut b),
                };
                steps = b.steps;
                match run {
                    Ok(o) => o,
                    Err(e) => Outcome::error(safe.clone(), &format!("planner backend threw: {e}")),
                }
            }
        }
    };
    let Outcome { mut status, mut action, confidence, work_done, trace, mut error } = outcome;
    if action.schema.is_empty() {
        action.schema = schema.clone();
    }
    if let Some(model) = model {
        if action.u.is_empty() {
            action.u = safe.u.clone();
        }
        if action.u.len() != model.action_dims() || !action.u.iter().all(|v| v.is_finite()) {
            action = safe.clone();
            if status != Status::Error {
                status = Status::Error;
                if error.is_empty() {
                    error = "planner action dimensionality/finite mismatch".into();
                }
            }
        } else {
            action.u = clamp_with_bounds(&action.u, &bounds, model);
        }
    }
    let budget_ms = req.budget_ms.max(0);
    let elapsed = elapsed_ms(steps);
    let time_used_ms = elapsed.floor() as i64;
    PlanResult {
        planner: req.planner,
        status,
        confidence: clamp_confidence(confidence),
        action,
        stats: PlanStats {
            budget_ms,
            time_used_ms,
            elapsed_ms: elapsed,
            work_done,
            seed: req.seed,
            overrun: time_used_ms > budget_ms,
            note: if steps >= MAX_PLAN_STEPS {
                format!("stopped at the limit of {MAX_PLAN_STEPS} model steps per plan")
            } else {
                String::new()
            },
        },
        trace,
        error,
    }
}

#[cfg(test)]
mod tests;
