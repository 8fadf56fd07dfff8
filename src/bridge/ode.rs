//! Classical fourth-order Runge–Kutta with a fixed fine internal step.
//!
//! The internal step is `h = min(MAX_H, STEP_RATE / fastest rate)`, so `h·k ≤ 0.02` for every
//! rate constant `k` of the model: the local error per step is then about `(h·k)^5 / 120`
//! (≈ 3e-11 relative), and the solution stays within 1e-6 of the closed forms over the
//! catalogue's ranges. Each output interval is split into equal internal steps, so output
//! times are hit exactly.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::models::Model;

/// Largest internal step (h).
pub const MAX_H: f64 = 0.01;
/// Largest `h × fastest rate constant`.
pub const STEP_RATE: f64 = 0.02;
/// Most internal steps one run (one subject) may take.
pub const MAX_SUBSTEPS: f64 = 5.0e6;
/// Most internal steps one whole run (all subjects of a population) may take: the run's
/// compute budget, checked when the run is submitted and enforced while it runs.
pub const RUN_BUDGET_STEPS: f64 = 5.0e7;
/// Internal steps between two looks at the cancel flag and the budget.
pub const METER_BLOCK: u64 = 1024;

/// Why a metered integration stopped early.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stop {
    /// The job was cancelled or timed out.
    Cancelled,
    /// The run used up its compute budget (`limit` internal steps).
    Budget { limit: f64 },
}

/// The cancel flag and the compute budget of one attempt, shared by every piece of its work
/// (which may run on another thread): the integrator looks at it every [`METER_BLOCK`] steps.
#[derive(Debug)]
pub struct Meter {
    cancelled: AtomicBool,
    used: AtomicU64,
    limit: u64,
}

impl Meter {
    /// A meter allowing `budget_steps` internal steps in total.
    pub fn new(budget_steps: f64) -> Meter {
        let limit =
            if budget_steps.is_finite() && budget_steps > 0.0 { budget_steps.min(u64::MAX as f64) as u64 } else { 0 };
        Meter { cancelled: AtomicBool::new(false), used: AtomicU64::new(0), limit }
    }

    /// Stop the work at its next cancellation point.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Internal steps charged so far.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Charge `steps` internal steps; `Err` once cancelled or over the budget.
    pub fn charge(&self, steps: u64) -> Result<(), Stop> {
        if self.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        let used = self.used.fetch_add(steps, Ordering::Relaxed).saturating_add(steps);
        if used > self.limit {
            return Err(Stop::Budget { limit: self.limit as f64 });
        }
        Ok(())
    }
}

/// The internal step for `model`.
pub fn internal_step(model: &Model) -> f64 {
    MAX_H.min(STEP_RATE / model.max_rate())
}

/// How many internal steps a whole run of `model` takes.
pub fn substeps_for(model: &Model) -> f64 {
    (model.end_time / internal_step(model)).ceil() + model.grid().len() as f64
}

/// One RK4 step of size `h` from amounts `y`.
pub fn rk4_step(model: &Model, y: &[f64; 2], h: f64) -> [f64; 2] {
    let add = |a: &[f64; 2], b: &[f64; 2], s: f64| [a[0] + s * b[0], a[1] + s * b[1]];
    let k1 = model.rhs(y);
    let k2 = model.rhs(&add(y, &k1, h / 2.0));
    let k3 = model.rhs(&add(y, &k2, h / 2.0));
    let k4 = model.rhs(&add(y, &k3, h));
    [
        y[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
        y[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
    ]
}

/// Integrate from `t0` to `t1` (`t1 ≥ t0`) in equal internal steps no larger than `h_max`.
pub fn integrate(model: &Model, y: [f64; 2], t0: f64, t1: f64, h_max: f64) -> [f64; 2] {
    let span = t1 - t0;
    if span.is_nan() || h_max.is_nan() || span <= 0.0 || h_max <= 0.0 {
        return y;
    }
    let n = (span / h_max).ceil().clamp(1.0, MAX_SUBSTEPS) as u64;
    let h = span / n as f64;
    let mut y = y;
    for _ in 0..n {
        y = rk4_step(model, &y, h);
    }
    y
}

/// [`integrate`] with a cancellation point and a budget charge every [`METER_BLOCK`] steps.
pub fn integrate_metered(
    model: &Model,
    y: [f64; 2],
    t0: f64,
    t1: f64,
    h_max: f64,
    meter: &Meter,
) -> Result<[f64; 2], Stop> {
    let span = t1 - t0;
    if span.is_nan() || h_max.is_nan() || span <= 0.0 || h_max <= 0.0 {
        return Ok(y);
    }
    let n = (span / h_max).ceil().clamp(1.0, MAX_SUBSTEPS) as u64;
    let h = span / n as f64;
    let mut y = y;
    let mut left = n;
    while left > 0 {
        let block = left.min(METER_BLOCK);
        meter.charge(block)?;
        for _ in 0..block {
            y = rk4_step(model, &y, h);
        }
        left -= block;
    }
    Ok(y)
}

/// Output times and the concentrations at them.
pub type Series = (Vec<f64>, Vec<f64>);

/// A run in progress: the output grid, the state at the last output point, the series so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Integration {
    pub model: Model,
    pub grid: Vec<f64>,
    pub h: f64,
    pub y: [f64; 2],
    /// Concentrations at `grid[..conc.len()]`.
    pub conc: Vec<f64>,
}

impl Integration {
    pub fn new(model: Model) -> Integration {
        let grid = model.grid();
        let y = model.initial();
        let c0 = model.concentration(&y);
        Integration { model, h: internal_step(&model), grid, y, conc: vec![c0] }
    }

    pub fn done(&self) -> bool {
        self.conc.len() >= self.grid.len()
    }

    /// Integrate up to `count` more output points; `Ok(false)` if the numbers stopped being
    /// finite, `Err` if the meter stopped the work.
    pub fn advance(&mut self, count: usize, meter: &Meter) -> Result<bool, Stop> {
        for _ in 0..count {
            let i = self.conc.len();
            let (Some(&t0), Some(&t1)) = (self.grid.get(i.wrapping_sub(1)), self.grid.get(i)) else {
                return Ok(true);
            };
            self.y = integrate_metered(&self.model, self.y, t0, t1, self.h, meter)?;
            let c = self.model.concentration(&self.y);
            if !c.is_finite() {
                return Ok(false);
            }
            self.conc.push(c);
        }
        Ok(true)
    }

    /// Run to the end at once: `(times, concentrations)`, or `Ok(None)` on a numerical failure.
    pub fn run(model: Model, meter: &Meter) -> Result<Option<Series>, Stop> {
        let mut it = Integration::new(model);
        let n = it.grid.len();
        if !it.advance(n, meter)? {
            return Ok(None);
        }
        Ok(Some((it.grid, it.conc)))
    }
}
