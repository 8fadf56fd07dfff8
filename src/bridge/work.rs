//! The bridge's job work objects on the shared engine: one simulation run (steps = slices of
//! the output time grid) or one population run (steps = subjects).
//!
//! The numbers are computed in *chunks* (one slice, one subject) handed to a [`Runner`]: the
//! browser and the tests run a chunk at once, inside the engine step ([`Inline`]); the native
//! server runs it on a worker pool, so no request and no lock ever waits for the integrator.
//! A step applies the chunk that finished and hands out the next one; a chunk still running
//! when its step is due makes the step look again [`POLL_MS`] later. Job time keeps running
//! meanwhile, so `timeoutSeconds` holds however slow the arithmetic is.
//!
//! Every step starts by checking the cancel flag, and every chunk runs under a [`Meter`]: a
//! cancelled or timed-out job stops its chunk at the integrator's next cancellation point
//! (every [`ode::METER_BLOCK`] internal steps), and the whole run shares one compute budget.

use std::any::Any;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::jobs::{EndReason, Ms, State, Step, StepCtx, Summary, Work};

use super::models::Model;
use super::ode::{self, Integration, Meter, Stop};
use super::pk;
use super::population::{self, SubjectParams, Variability};

/// Job time one simulation slice takes (ms).
pub const SLICE_MS: Ms = 100.0;
/// Most slices a simulation run is split into.
pub const MAX_SLICES: usize = 20;
/// Job time one population subject takes (ms).
pub const SUBJECT_MS: Ms = 10.0;
/// How often (job ms) a step looks again for a chunk that is still being computed.
pub const POLL_MS: Ms = 5.0;

/// Runs the numerical chunks of bridge jobs.
pub trait Runner: Send + Sync {
    /// Run `chunk`, now or on another thread.
    fn spawn(&self, chunk: Box<dyn FnOnce() + Send>);
}

/// Runs every chunk at once, on the caller's thread (the browser, tests, tools).
#[derive(Clone, Copy, Debug, Default)]
pub struct Inline;

impl Runner for Inline {
    fn spawn(&self, chunk: Box<dyn FnOnce() + Send>) {
        chunk()
    }
}

/// A finished simulation run: the concentration–time series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimResult {
    pub results_id: String,
    pub job_id: String,
    pub simulation_id: String,
    /// Catalogue or inline model name.
    pub model_name: String,
    pub model: Model,
    /// Output times (h).
    pub times: Vec<f64>,
    /// Plasma concentrations (mg/L) at `times`.
    pub concentrations: Vec<f64>,
    pub time_unit: String,
    pub unit: String,
    /// Job time (ms) the run finished.
    pub generated_at: Ms,
}

/// One simulated subject of a population run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubjectResult {
    pub id: u32,
    pub cl: f64,
    pub v: f64,
    pub cmax: f64,
    pub tmax: f64,
    pub auc: f64,
    pub half_life: Option<f64>,
}

/// The cohort a population run sampled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    pub size: u32,
    pub seed: u64,
    pub sampling: String,
    pub variability: Vec<Variability>,
}

/// A finished population run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PopResult {
    pub results_id: String,
    pub job_id: String,
    pub simulation_id: String,
    pub model_name: String,
    pub cohort: Cohort,
    pub subjects: Vec<SubjectResult>,
    /// Output times (h) and the 5th/50th/95th percentile concentration at each.
    pub times: Vec<f64>,
    pub p5: Vec<f64>,
    pub p50: Vec<f64>,
    pub p95: Vec<f64>,
    /// `(name, value)`, e.g. `("meanCmax", 1.9)`.
    pub aggregates: Vec<(String, f64)>,
    pub metadata: Value,
    pub outputs: Value,
    pub generated_at: Ms,
}

/// A job's product.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Output {
    Simulation(SimResult),
    Population(PopResult),
}

impl Output {
    pub fn results_id(&self) -> &str {
        match self {
            Output::Simulation(r) => &r.results_id,
            Output::Population(r) => &r.results_id,
        }
    }

    pub fn job_id(&self) -> &str {
        match self {
            Output::Simulation(r) => &r.job_id,
            Output::Population(r) => &r.job_id,
        }
    }

    /// About how many bytes the result takes (numbers at 8 bytes, text at its length): what
    /// the in-memory store counts against its cap. The SQLite store counts its stored JSON.
    pub fn approx_bytes(&self) -> u64 {
        let text = |s: &str| s.len() as u64;
        let nums = |n: usize| 8 * n as u64;
        match self {
            Output::Simulation(r) => {
                text(&r.results_id)
                    + text(&r.job_id)
                    + text(&r.simulation_id)
                    + text(&r.model_name)
                    + nums(r.times.len() + r.concentrations.len())
                    + 128
            }
            Output::Population(r) => {
                text(&r.results_id)
                    + text(&r.job_id)
                    + text(&r.simulation_id)
                    + text(&r.model_name)
                    + nums(r.times.len() + r.p5.len() + r.p50.len() + r.p95.len())
                    + nums(7 * r.subjects.len())
                    + r.aggregates.iter().map(|(k, _)| text(k) + 8).sum::<u64>()
                    + text(&r.metadata.to_string())
                    + text(&r.outputs.to_string())
                    + 256
            }
        }
    }

    fn set_generated_at(&mut self, at: Ms) {
        match self {
            Output::Simulation(r) => r.generated_at = at,
            Output::Population(r) => r.generated_at = at,
        }
    }
}

/// The numerical state of an attempt, moved into each chunk and back.
enum Run {
    Single { it: Integration, intervals: usize, slices: usize },
    Population { subjects: Vec<SubjectParams>, done: Vec<SubjectResult>, curves: Vec<Vec<f64>>, grid: Vec<f64> },
}

/// Static description of what a job runs (kept for restarts of a retried attempt).
#[derive(Clone, Debug)]
pub enum Plan {
    Single,
    Population { cohort: Cohort, metadata: Value, outputs: Value },
}

/// What a run's output is built from; shared by the chunks of every attempt.
struct RunInfo {
    job_id: String,
    simulation_id: String,
    model_name: String,
    results_id: String,
    model: Model,
    plan: Plan,
}

/// What a chunk reports.
enum ChunkDone {
    /// `done` units (slices or subjects) are complete.
    Progress(u64),
    Finished(Box<Output>),
}

/// A chunk's answer: the run state back, and what happened.
struct ChunkOut {
    run: Run,
    result: Result<ChunkDone, String>,
}

type Cell = Arc<Mutex<Option<ChunkOut>>>;

/// The work object of one bridge job.
pub struct BridgeWork {
    info: Arc<RunInfo>,
    pub max_retries: u32,
    pub timeout_s: f64,
    /// Internal integrator steps one attempt may take in total.
    pub budget_steps: f64,
    /// Test hook: the first N attempts fail with a retryable error.
    pub fail_first_attempts: u32,
    /// Attempt whose state `run` holds (0 = not started).
    pub attempt: u32,
    run: Option<Run>,
    /// The chunk being computed, if any.
    pending: Option<Cell>,
    meter: Option<Arc<Meter>>,
    runner: Arc<dyn Runner>,
    pending_failure: bool,
    pub done: u64,
    pub total: u64,
    pub message: String,
    /// The latest error (kept while a retry waits, cleared on success).
    pub error: Option<String>,
    /// Set when the job succeeds; moved to the bridge's result store afterwards.
    pub output: Option<Output>,
    /// Whether `output` has been moved to the bridge (the job still succeeded).
    pub harvested: bool,
}

/// What a bridge job runs and under which settings: everything [`BridgeWork::new`] needs.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub job_id: String,
    pub simulation_id: String,
    pub model_name: String,
    pub results_id: String,
    /// The model with the parameter values frozen at submission.
    pub model: Model,
    pub plan: Plan,
    pub max_retries: u32,
    /// `timeoutSeconds` (for the record and the timeout message; the engine enforces it).
    pub timeout_s: f64,
    /// Internal integrator steps one attempt may take in total ([`ode::RUN_BUDGET_STEPS`]).
    pub budget_steps: f64,
    /// Test hook: the first N attempts fail with a retryable error.
    pub fail_first_attempts: u32,
}

impl BridgeWork {
    /// A job whose chunks run inline.
    pub fn new(spec: RunSpec) -> BridgeWork {
        BridgeWork::with_runner(spec, Arc::new(Inline))
    }

    /// A job whose chunks run on `runner`.
    pub fn with_runner(spec: RunSpec, runner: Arc<dyn Runner>) -> BridgeWork {
        let RunSpec {
            job_id,
            simulation_id,
            model_name,
            results_id,
            model,
            plan,
            max_retries,
            timeout_s,
            budget_steps,
            fail_first_attempts,
        } = spec;
        let total = match &plan {
            Plan::Single => slices(&model).1 as u64,
            Plan::Population { cohort, .. } => cohort.size as u64,
        };
        BridgeWork {
            info: Arc::new(RunInfo { job_id, simulation_id, model_name, results_id, model, plan }),
            max_retries,
            timeout_s,
            budget_steps,
            fail_first_attempts,
            attempt: 0,
            run: None,
            pending: None,
            meter: None,
            runner,
            pending_failure: false,
            done: 0,
            total,
            message: "queued".to_string(),
            error: None,
            output: None,
            harvested: false,
        }
    }

    pub fn job_id(&self) -> &str {
        &self.info.job_id
    }

    pub fn simulation_id(&self) -> &str {
        &self.info.simulation_id
    }

    pub fn results_id(&self) -> &str {
        &self.info.results_id
    }

    pub fn job_type(&self) -> &'static str {
        match self.info.plan {
            Plan::Single => "simulation",
            Plan::Population { .. } => "population",
        }
    }

    /// Integrator steps the current attempt has used so far.
    pub fn steps_used(&self) -> u64 {
        self.meter.as_ref().map(|m| m.used()).unwrap_or(0)
    }

    fn start_attempt(&mut self, attempt: u32) {
        self.stop_chunk();
        self.attempt = attempt;
        self.done = 0;
        let model = self.info.model;
        self.run = Some(match &self.info.plan {
            Plan::Single => {
                let (intervals, slices) = slices(&model);
                Run::Single { it: Integration::new(model), intervals, slices }
            }
            Plan::Population { cohort, .. } => Run::Population {
                subjects: population::sample(cohort.size, cohort.seed, model.cl, model.v, &cohort.variability),
                done: Vec::new(),
                curves: Vec::new(),
                grid: model.grid(),
            },
        });
        self.meter = Some(Arc::new(Meter::new(self.budget_steps)));
        self.pending_failure = attempt <= self.fail_first_attempts;
        self.message = format!("attempt {attempt} started");
    }

    /// Stop the chunk in flight (it ends at its next cancellation point; its answer is dropped).
    fn stop_chunk(&mut self) {
        if let Some(m) = &self.meter {
            m.cancel();
        }
        self.pending = None;
    }

    fn fail(&mut self, message: String) -> Step {
        self.error = Some(message);
        self.run = None;
        self.stop_chunk();
        if self.attempt <= self.max_retries {
            self.message = format!("attempt {} failed; re-queued", self.attempt);
            Step::Requeue
        } else {
            self.message = format!("attempt {} failed; no retries left", self.attempt);
            Step::Finish(State::Failed)
        }
    }

    /// A failure that a retry would only repeat (numbers, budget): the job fails at once.
    fn fail_for_good(&mut self, message: String) -> Step {
        self.run = None;
        self.stop_chunk();
        self.message = format!("attempt {} failed", self.attempt);
        self.error = Some(message);
        Step::Finish(State::Failed)
    }

    /// Hand the next chunk (unit `self.done + 1`) to the runner.
    fn spawn_next(&mut self) {
        let (Some(run), Some(meter)) = (self.run.take(), self.meter.clone()) else { return };
        let cell: Cell = Arc::new(Mutex::new(None));
        self.pending = Some(cell.clone());
        let info = self.info.clone();
        let unit = self.done + 1;
        self.runner.spawn(Box::new(move || {
            let out = compute_chunk(run, unit, &info, &meter);
            if let Ok(mut slot) = cell.lock() {
                *slot = Some(out);
            }
        }));
    }

    /// The finished chunk, if it is there.
    fn take_chunk(&mut self) -> Option<ChunkOut> {
        let cell = self.pending.as_ref()?;
        let out = cell.lock().ok()?.take()?;
        self.pending = None;
        Some(out)
    }
}

/// (output intervals, number of slices) for a single run: `min(intervals, MAX_SLICES)`
/// slices; slice `k` (0-based) ends at output point `(k + 1) · intervals / slices`.
pub fn slices(model: &Model) -> (usize, usize) {
    let intervals = model.grid().len().saturating_sub(1).max(1);
    (intervals, intervals.min(MAX_SLICES))
}

/// The message a stopped chunk reports.
fn stop_message(stop: Stop, meter: &Meter) -> String {
    match stop {
        Stop::Cancelled => "stopped".to_string(),
        Stop::Budget { limit } => format!(
            "Compute budget exceeded: the run needed more than {limit:.0} integrator steps (used {}); \
             reduce EndTime, the rate constants or the cohort",
            meter.used()
        ),
    }
}

/// Compute unit `unit` (1-based) of a run: one slice or one subject, and the output when it
/// is the last. Runs on the runner's thread.
fn compute_chunk(mut run: Run, unit: u64, info: &RunInfo, meter: &Meter) -> ChunkOut {
    let result = match &mut run {
        Run::Single { it, intervals, slices } => {
            let k = unit as usize;
            let target = 1 + k.min(*slices) * *intervals / (*slices).max(1);
            match it.advance(target.saturating_sub(it.conc.len()), meter) {
                Err(stop) => Err(stop_message(stop, meter)),
                Ok(false) => Err("Numerical failure: the solution is not finite".to_string()),
                Ok(true) if it.done() => Ok(ChunkDone::Finished(Box::new(Output::Simulation(SimResult {
                    results_id: info.results_id.clone(),
                    job_id: info.job_id.clone(),
                    simulation_id: info.simulation_id.clone(),
                    model_name: info.model_name.clone(),
                    model: info.model,
                    times: it.grid.clone(),
                    concentrations: it.conc.clone(),
                    time_unit: "h".to_string(),
                    unit: "mg/L".to_string(),
                    generated_at: 0.0,
                })))),
                Ok(true) => Ok(ChunkDone::Progress(unit)),
            }
        }
        Run::Population { subjects, done, curves, grid } => match subjects.get(done.len()).cloned() {
            None => Ok(ChunkDone::Finished(Box::new(finish_population(info, done, curves, grid)))),
            Some(s) => {
                let model = Model { cl: s.cl, v: s.v, ..info.model };
                let need = ode::substeps_for(&model);
                if need > ode::MAX_SUBSTEPS {
                    Err(too_stiff(&s, need))
                } else {
                    match Integration::run(model, meter) {
                        Err(stop) => Err(stop_message(stop, meter)),
                        Ok(None) => Err(format!("Numerical failure in subject {}", s.id)),
                        Ok(Some((times, conc))) => {
                            let p = pk::compute(&times, &conc, pk::DEFAULT_TERMINAL_POINTS);
                            done.push(SubjectResult {
                                id: s.id,
                                cl: s.cl,
                                v: s.v,
                                cmax: p.cmax,
                                tmax: p.tmax,
                                auc: p.auc,
                                half_life: p.half_life,
                            });
                            curves.push(conc);
                            if done.len() >= subjects.len() {
                                Ok(ChunkDone::Finished(Box::new(finish_population(info, done, curves, grid))))
                            } else {
                                Ok(ChunkDone::Progress(done.len() as u64))
                            }
                        }
                    }
                }
            }
        },
    };
    ChunkOut { run, result }
}

/// The error of a subject whose sampled parameters make the system too stiff to integrate
/// within the per-subject step limit.
pub fn too_stiff(s: &SubjectParams, steps: f64) -> String {
    format!(
        "Subject {} is too stiff to simulate: its sampled CL = {:.4e} L/h and V = {:.4e} L need about {steps:.2e} \
         integrator steps (limit {:.0e} per subject); use a smaller covariate spread (cohort.covariates cv/sd) \
         or a shorter EndTime",
        s.id,
        s.cl,
        s.v,
        ode::MAX_SUBSTEPS
    )
}

fn finish_population(info: &RunInfo, done: &mut Vec<SubjectResult>, curves: &[Vec<f64>], grid: &[f64]) -> Output {
    let (cohort, metadata, outputs) = match &info.plan {
        Plan::Population { cohort, metadata, outputs } => (cohort.clone(), metadata.clone(), outputs.clone()),
        Plan::Single => {
            (Cohort { size: 0, seed: 0, sampling: String::new(), variability: Vec::new() }, Value::Null, Value::Null)
        }
    };
    let cmax: Vec<f64> = done.iter().map(|s| s.cmax).collect();
    let auc: Vec<f64> = done.iter().map(|s| s.auc).collect();
    let mut aggregates = Vec::new();
    for (name, xs) in [("Cmax", &cmax), ("AUC", &auc)] {
        aggregates.push((format!("mean{name}"), population::mean(xs)));
        aggregates.push((format!("sd{name}"), population::sd(xs)));
        for p in [5.0, 50.0, 95.0] {
            aggregates.push((format!("p{}{name}", p as u32), population::percentile(xs, p)));
        }
    }
    let band = |p: f64| -> Vec<f64> {
        (0..grid.len())
            .map(|i| {
                let col: Vec<f64> = curves.iter().filter_map(|c| c.get(i).copied()).collect();
                population::percentile(&col, p)
            })
            .collect()
    };
    let (p5, p50, p95) = (band(5.0), band(50.0), band(95.0));
    Output::Population(PopResult {
        results_id: info.results_id.clone(),
        job_id: info.job_id.clone(),
        simulation_id: info.simulation_id.clone(),
        model_name: info.model_name.clone(),
        cohort,
        subjects: std::mem::take(done),
        times: grid.to_vec(),
        p5,
        p50,
        p95,
        aggregates,
        metadata,
        outputs,
        generated_at: 0.0,
    })
}

impl Work for BridgeWork {
    fn kind(&self) -> &'static str {
        self.job_type()
    }

    fn step(&mut self, ctx: &StepCtx) -> Step {
        if ctx.cancel_requested {
            self.run = None;
            self.stop_chunk();
            self.output = None;
            self.error = None;
            self.message = format!("cancelled after {}/{}", self.done, self.total);
            return Step::Finish(State::Cancelled);
        }
        if ctx.attempt != self.attempt || (self.run.is_none() && self.pending.is_none()) {
            self.start_attempt(ctx.attempt);
        }
        if self.pending_failure && self.done >= 1 {
            self.pending_failure = false;
            return self.fail(format!("InteropError: transient failure injected on attempt {}", self.attempt));
        }
        if self.pending_failure {
            // A failing attempt still does (and reports) its first unit of work.
            self.done = 1;
            return Step::Continue { after_ms: step_ms(&self.info.plan), partial: true };
        }
        if self.pending.is_none() {
            self.spawn_next();
        }
        let Some(out) = self.take_chunk() else {
            // Still being computed on the runner: look again shortly (job time goes on, so
            // the attempt's timeout can fire meanwhile).
            return Step::Continue { after_ms: POLL_MS, partial: false };
        };
        self.run = Some(out.run);
        match out.result {
            Err(message) => self.fail_for_good(message),
            Ok(ChunkDone::Finished(mut output)) => {
                output.set_generated_at(ctx.now);
                self.run = None;
                self.meter = None;
                self.done = self.total;
                self.output = Some(*output);
                self.error = None;
                self.message = "completed".to_string();
                Step::Finish(State::Done)
            }
            Ok(ChunkDone::Progress(done)) => {
                self.done = done;
                self.message = match &self.run {
                    Some(Run::Single { it, .. }) => {
                        let t = it.grid.get(it.conc.len().saturating_sub(1)).copied().unwrap_or(0.0);
                        format!("integrated to t = {t} h ({}/{} slices)", self.done, self.total)
                    }
                    _ => format!("{}/{} subjects simulated", self.done, self.total),
                };
                // Start the next unit now, so it computes while job time runs to its step.
                self.spawn_next();
                Step::Continue { after_ms: step_ms(&self.info.plan), partial: true }
            }
        }
    }

    fn on_end(&mut self, _ctx: &StepCtx, reason: EndReason) {
        self.run = None;
        self.stop_chunk();
        self.output = None;
        match reason {
            EndReason::CancelledWhileQueued => {
                // A cancelled job reports no error, even if an earlier attempt failed.
                self.error = None;
                self.message = if self.attempt == 0 {
                    "cancelled before it started".to_string()
                } else {
                    format!("cancelled while waiting to retry (after attempt {})", self.attempt)
                };
            }
            EndReason::Deadline => {
                // The bridge submits with a per-attempt timeout only, so this is the attempt's
                // timeoutSeconds running out.
                self.error = Some(format!("Job execution exceeded timeout ({} s)", self.timeout_s));
                self.message = "timed out".to_string();
            }
        }
    }

    fn summary(&self) -> Summary {
        Summary {
            label: format!("{} {}", self.job_type(), self.info.simulation_id),
            text: self.message.clone(),
            confidence: None,
            progress: Some((self.done, self.total)),
            partial_seq: u32::try_from(self.done).unwrap_or(u32::MAX),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn step_ms(plan: &Plan) -> Ms {
    match plan {
        Plan::Single => SLICE_MS,
        Plan::Population { .. } => SUBJECT_MS,
    }
}
