//! The bridge's job work objects on the shared engine: one simulation run (steps = slices of
//! the output time grid) or one population run (steps = subjects). Every step starts by
//! checking the cancel flag, so each step boundary is a cancellation point.

use std::any::Any;

use serde_json::Value;

use crate::jobs::{EndReason, Ms, State, Step, StepCtx, Summary, Work};

use super::models::Model;
use super::ode::Integration;
use super::pk;
use super::population::{self, SubjectParams, Variability};

/// Job time one simulation slice takes (ms).
pub const SLICE_MS: Ms = 100.0;
/// Most slices a simulation run is split into.
pub const MAX_SLICES: usize = 20;
/// Job time one population subject takes (ms).
pub const SUBJECT_MS: Ms = 10.0;

/// A finished simulation run: the concentration–time series.
#[derive(Clone, Debug, PartialEq)]
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
    pub time_unit: &'static str,
    pub unit: &'static str,
    /// Job time (ms) the run finished.
    pub generated_at: Ms,
}

/// One simulated subject of a population run.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
pub struct Cohort {
    pub size: u32,
    pub seed: u64,
    pub sampling: String,
    pub variability: Vec<Variability>,
}

/// A finished population run.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    Simulation(SimResult),
    Population(PopResult),
}

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

/// The work object of one bridge job.
pub struct BridgeWork {
    pub job_id: String,
    pub simulation_id: String,
    pub model_name: String,
    pub results_id: String,
    pub model: Model,
    pub plan: Plan,
    pub max_retries: u32,
    pub timeout_s: f64,
    /// Test hook: the first N attempts fail with a retryable error.
    pub fail_first_attempts: u32,
    /// Attempt whose state `run` holds (0 = not started).
    pub attempt: u32,
    run: Option<Run>,
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
    /// Test hook: the first N attempts fail with a retryable error.
    pub fail_first_attempts: u32,
}

impl BridgeWork {
    pub fn new(spec: RunSpec) -> BridgeWork {
        let RunSpec {
            job_id,
            simulation_id,
            model_name,
            results_id,
            model,
            plan,
            max_retries,
            timeout_s,
            fail_first_attempts,
        } = spec;
        let total = match &plan {
            Plan::Single => slices(&model).1 as u64,
            Plan::Population { cohort, .. } => cohort.size as u64,
        };
        BridgeWork {
            job_id,
            simulation_id,
            model_name,
            results_id,
            model,
            plan,
            max_retries,
            timeout_s,
            fail_first_attempts,
            attempt: 0,
            run: None,
            pending_failure: false,
            done: 0,
            total,
            message: "queued".to_string(),
            error: None,
            output: None,
            harvested: false,
        }
    }

    pub fn job_type(&self) -> &'static str {
        match self.plan {
            Plan::Single => "simulation",
            Plan::Population { .. } => "population",
        }
    }

    fn start_attempt(&mut self, attempt: u32) {
        self.attempt = attempt;
        self.done = 0;
        self.run = Some(match &self.plan {
            Plan::Single => {
                let (intervals, slices) = slices(&self.model);
                Run::Single { it: Integration::new(self.model), intervals, slices }
            }
            Plan::Population { cohort, .. } => Run::Population {
                subjects: population::sample(
                    cohort.size,
                    cohort.seed,
                    self.model.cl,
                    self.model.v,
                    &cohort.variability,
                ),
                done: Vec::new(),
                curves: Vec::new(),
                grid: self.model.grid(),
            },
        });
        self.pending_failure = attempt <= self.fail_first_attempts;
        self.message = format!("attempt {attempt} started");
    }

    fn fail(&mut self, message: String) -> Step {
        self.error = Some(message);
        self.run = None;
        if self.attempt <= self.max_retries {
            self.message = format!("attempt {} failed; re-queued", self.attempt);
            Step::Requeue
        } else {
            self.message = format!("attempt {} failed; no retries left", self.attempt);
            Step::Finish(State::Failed)
        }
    }

    fn finish_single(&mut self, now: Ms) -> Step {
        let Some(Run::Single { it, .. }) = self.run.take() else {
            return Step::Finish(State::Failed);
        };
        self.output = Some(Output::Simulation(SimResult {
            results_id: self.results_id.clone(),
            job_id: self.job_id.clone(),
            simulation_id: self.simulation_id.clone(),
            model_name: self.model_name.clone(),
            model: self.model,
            times: it.grid,
            concentrations: it.conc,
            time_unit: "h",
            unit: "mg/L",
            generated_at: now,
        }));
        self.error = None;
        self.message = "completed".to_string();
        Step::Finish(State::Done)
    }

    fn finish_population(&mut self, now: Ms) -> Step {
        let Some(Run::Population { done, curves, grid, .. }) = self.run.take() else {
            return Step::Finish(State::Failed);
        };
        let Plan::Population { cohort, metadata, outputs } = &self.plan else {
            return Step::Finish(State::Failed);
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
        self.output = Some(Output::Population(PopResult {
            results_id: self.results_id.clone(),
            job_id: self.job_id.clone(),
            simulation_id: self.simulation_id.clone(),
            model_name: self.model_name.clone(),
            cohort: cohort.clone(),
            subjects: done,
            times: grid,
            p5,
            p50,
            p95,
            aggregates,
            metadata: metadata.clone(),
            outputs: outputs.clone(),
            generated_at: now,
        }));
        self.error = None;
        self.message = "completed".to_string();
        Step::Finish(State::Done)
    }
}

/// (output intervals, number of slices) for a single run: `min(intervals, MAX_SLICES)`
/// slices; slice `k` (0-based) ends at output point `(k + 1) · intervals / slices`.
pub fn slices(model: &Model) -> (usize, usize) {
    let intervals = model.grid().len().saturating_sub(1).max(1);
    (intervals, intervals.min(MAX_SLICES))
}

impl Work for BridgeWork {
    fn kind(&self) -> &'static str {
        self.job_type()
    }

    fn step(&mut self, ctx: &StepCtx) -> Step {
        if ctx.cancel_requested {
            self.run = None;
            self.output = None;
            self.error = None;
            self.message = format!("cancelled after {}/{}", self.done, self.total);
            return Step::Finish(State::Cancelled);
        }
        if ctx.attempt != self.attempt || self.run.is_none() {
            self.start_attempt(ctx.attempt);
        }
        if self.pending_failure && self.done >= 1 {
            self.pending_failure = false;
            return self.fail(format!("InteropError: transient failure injected on attempt {}", self.attempt));
        }
        if self.pending_failure {
            // A failing attempt still does (and reports) its first unit of work.
            self.done = 1;
            return Step::Continue { after_ms: step_ms(&self.plan), partial: true };
        }
        match self.run.as_mut() {
            Some(Run::Single { it, intervals, slices }) => {
                let k = self.done as usize + 1;
                let target = 1 + k.min(*slices) * *intervals / (*slices).max(1);
                if !it.advance(target.saturating_sub(it.conc.len())) {
                    self.run = None;
                    self.error = Some("Numerical failure: the solution is not finite".to_string());
                    return Step::Finish(State::Failed);
                }
                self.done += 1;
                let t = it.grid.get(it.conc.len().saturating_sub(1)).copied().unwrap_or(0.0);
                self.message = format!("integrated to t = {t} h ({}/{} slices)", self.done, self.total);
                if it.done() {
                    return self.finish_single(ctx.now);
                }
                Step::Continue { after_ms: SLICE_MS, partial: true }
            }
            Some(Run::Population { subjects, done, curves, .. }) => {
                let Some(s) = subjects.get(done.len()).cloned() else {
                    return self.finish_population(ctx.now);
                };
                let model = Model { cl: s.cl, v: s.v, ..self.model };
                let Some((times, conc)) = Integration::run(model) else {
                    self.run = None;
                    self.error = Some(format!("Numerical failure in subject {}", s.id));
                    return Step::Finish(State::Failed);
                };
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
                self.done = done.len() as u64;
                self.message = format!("{}/{} subjects simulated", self.done, self.total);
                if done.len() >= subjects.len() {
                    return self.finish_population(ctx.now);
                }
                Step::Continue { after_ms: SUBJECT_MS, partial: true }
            }
            None => Step::Finish(State::Failed),
        }
    }

    fn on_end(&mut self, _ctx: &StepCtx, reason: EndReason) {
        self.run = None;
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
            label: format!("{} {}", self.job_type(), self.simulation_id),
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
