//! The `rt2-stub` model as an engine [`Work`]: three stages one job-ms apart, then the
//! completion with validation and clamping. Every result a `vla.poll` reports (the latest
//! partial, the final response) lives here.
//!
//! Timing, for a job that a worker slot picks up at job time `t` (see
//! `docs/reference/guides/vla-jobs.md`), following the reference's stub, which emits a stage's
//! partial as the stage runs and then sleeps 1 ms before it checks its deadline:
//! - `t`: the job starts and stage 1 emits partial 1 at once (`:streaming`).
//! - `t+1`, `t+2`: stages 2 and 3 emit partials 2 and 3.
//! - `t+3`: the final (`:done`, or `:error` for an invalid action), `latency_ms` 3 when the job
//!   did not wait in the queue (the reference measures 3.2 to 4.6 ms).
//!
//! Every step is a cancellation point: a cancel seen before a stage ends the job `:cancelled`
//! with the partials so far (`cancelled before completion`); a cancel seen at the completion
//! drops the finished answer (`cancelled`). Deadlines fire before a step due at the same job
//! time, as the reference's stub finds its deadline passed after the 1 ms sleep that follows a
//! stage: `deadline_ms 1` times out after stage 1 with 1 partial, `deadline_ms 3` after all
//! three, `deadline_ms 4` finishes.

use std::any::Any;

use super::request::VlaRequest;
use crate::jobs::{EndReason, Ms, State, Step, StepCtx, Summary, Work};

/// Job-ms between one stage's partial and the next step (the reference's stub sleeps 1 ms
/// after each stage; its whole job takes about 3.3 ms).
pub const STAGE_MS: Ms = 1.0;

/// Response status of a final (`:ok :timeout :error :cancelled :invalid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseStatus {
    Ok,
    Timeout,
    Error,
    Cancelled,
    Invalid,
}

impl ResponseStatus {
    pub fn keyword(self) -> &'static str {
        match self {
            ResponseStatus::Ok => ":ok",
            ResponseStatus::Timeout => ":timeout",
            ResponseStatus::Error => ":error",
            ResponseStatus::Cancelled => ":cancelled",
            ResponseStatus::Invalid => ":invalid",
        }
    }

    /// The job state a final with this status ends the job in (`:invalid` ends it `:error`).
    pub fn job_state(self) -> State {
        match self {
            ResponseStatus::Ok => State::Done,
            ResponseStatus::Timeout => State::TimedOut,
            ResponseStatus::Error | ResponseStatus::Invalid => State::Failed,
            ResponseStatus::Cancelled => State::Cancelled,
        }
    }
}

/// A continuous action (the only kind the stub produces).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Action {
    /// Omitted from the Lisp map when empty.
    pub frame_id: String,
    pub u: Vec<f64>,
}

/// One streamed partial result.
#[derive(Clone, Debug, PartialEq)]
pub struct Partial {
    pub sequence: u32,
    pub confidence: f64,
    pub text_chunk: String,
    pub action_candidate: Option<Action>,
}

/// One accepted partial together with the job time it was emitted at.
#[derive(Clone, Debug, PartialEq)]
pub struct PartialRecord {
    /// Job time (ms) at which the partial was emitted.
    pub at_ms: Ms,
    pub partial: Partial,
}

/// What the final `stats` map holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FinalStats {
    /// Rejected at submission: an empty map.
    Empty,
    /// Cancelled while queued: `latency_ms` only.
    Latency(f64),
    /// Ended after the job started (or by its deadline): `latency_ms` and `partials`.
    Full { latency_ms: f64, partials: u32 },
}

/// The final response of a job.
#[derive(Clone, Debug, PartialEq)]
pub struct Final {
    pub status: ResponseStatus,
    pub action: Action,
    pub confidence: f64,
    pub model_name: String,
    pub model_version: String,
    /// Omitted from the Lisp map when empty.
    pub explanation: String,
    pub stats: FinalStats,
}

/// One VLA job: its request, the stub's progress, and its results.
#[derive(Clone, Debug)]
pub struct VlaWork {
    pub request: VlaRequest,
    pub request_hash: u64,
    /// Whether the start step ran (the job was picked up and stage 1 ran).
    pub started: bool,
    /// Stages completed, i.e. partials emitted (0..=3).
    pub stage: u32,
    pub proposal: Vec<f64>,
    pub partial: Option<Partial>,
    pub partial_count: u32,
    pub fin: Option<Final>,
    /// Every partial emitted, oldest first (at most 3), so a viewer that was not watching
    /// while the job streamed can still show the whole history. Read it with [`VlaWork::partials`].
    history: Vec<PartialRecord>,
}

impl VlaWork {
    pub fn new(request: VlaRequest) -> VlaWork {
        let request_hash = request.hash();
        VlaWork {
            request,
            request_hash,
            started: false,
            stage: 0,
            proposal: Vec::new(),
            partial: None,
            partial_count: 0,
            fin: None,
            history: Vec::new(),
        }
    }

    /// A job rejected by shape validation: its final is already set.
    pub fn rejected(request: VlaRequest, explanation: &str) -> VlaWork {
        let mut w = VlaWork::new(request);
        w.fin = Some(w.make_final(ResponseStatus::Error, Action::default(), 0.0, explanation, FinalStats::Empty));
        w
    }

    fn make_final(
        &self,
        status: ResponseStatus,
        action: Action,
        confidence: f64,
        explanation: &str,
        stats: FinalStats,
    ) -> Final {
        Final {
            status,
            action,
            confidence,
            model_name: self.request.model.name.clone(),
            model_version: self.request.model.version.clone(),
            explanation: explanation.to_string(),
            stats,
        }
    }

    fn proposal_action(&self) -> Action {
        Action { frame_id: self.request.action_space.frame_id.clone(), u: self.proposal.clone() }
    }

    fn full_stats(&self, ctx: &StepCtx) -> FinalStats {
        FinalStats::Full { latency_ms: ctx.now - ctx.submitted_at, partials: self.partial_count }
    }

    /// Every partial the job emitted, oldest first, with its job time. `partial` is the last
    /// of these (what `vla.poll` reports).
    pub fn partials(&self) -> &[PartialRecord] {
        &self.history
    }

    fn emit(&mut self, now: Ms, text: &str, confidence: f64) {
        self.partial_count += 1;
        let p = Partial {
            sequence: self.stage,
            confidence,
            text_chunk: text.to_string(),
            action_candidate: Some(self.proposal_action()),
        };
        self.history.push(PartialRecord { at_ms: now, partial: p.clone() });
        self.partial = Some(p);
    }

    /// Run stage `self.stage + 1` of the stub at job time `now`.
    fn run_stage(&mut self, now: Ms) {
        let dims = self.request.action_space.dims.max(0) as usize;
        self.stage += 1;
        match self.stage {
            1 => {
                self.proposal = vec![0.0; dims];
                self.emit(now, "encode observation", 0.20);
            }
            2 => {
                let state = &self.request.observation.state;
                for d in 0..dims {
                    self.proposal[d] = stage2_value(state, dims, d);
                }
                self.emit(now, "decode action prior", 0.55);
            }
            _ => {
                for x in &mut self.proposal {
                    *x *= 0.9;
                }
                self.emit(now, "finalize structured action", 0.75);
            }
        }
    }

    fn end(&mut self, f: Final) -> Step {
        let state = f.status.job_state();
        self.fin = Some(f);
        Step::Finish(state)
    }
}

/// The stage-2 rule for dimension `d`. A dimension past the end of the state reads as 0.0
/// (the reference reads out of bounds there).
pub fn stage2_value(state: &[f64], dims: usize, d: usize) -> f64 {
    if state.is_empty() {
        0.0
    } else if dims == 1 {
        (1.0 - state[0]).clamp(-1.0, 1.0)
    } else if state.len() >= 4 && d < 2 {
        state[2 + d].clamp(-0.35, 0.35)
    } else {
        state.get(d).copied().unwrap_or(0.0).clamp(-1.0, 1.0)
    }
}

/// Validation and clamping of an ok action, in the reference's order. `Err` is the reason for
/// an `:invalid` final; the clamps applied before the failure stay in `u`.
pub fn validate_and_clamp(req: &VlaRequest, u: &mut [f64]) -> Result<(), &'static str> {
    let dims = req.action_space.dims.max(0) as usize;
    if u.len() != dims || req.action_space.bounds.len() < dims {
        return Err("response.action dimensions do not match action space");
    }
    let c = &req.constraints;
    for (x, &(lo, hi)) in u.iter_mut().zip(&req.action_space.bounds) {
        if !x.is_finite() {
            return Err("response.action contains non-finite value");
        }
        *x = clamp(*x, lo, hi);
        if x.abs() > c.max_abs_value {
            *x = c.max_abs_value.copysign(*x);
        }
        let v = *x;
        if c.forbidden_ranges.iter().any(|&(flo, fhi)| v >= flo && v <= fhi) {
            return Err("response.action intersects forbidden range");
        }
    }
    let state = &req.observation.state;
    for i in 0..state.len().min(u.len()) {
        let delta = u[i] - state[i];
        if delta.abs() > c.max_delta {
            u[i] = state[i] + c.max_delta.copysign(delta);
            let (lo, hi) = req.action_space.bounds[i];
            u[i] = clamp(u[i], lo, hi);
        }
    }
    Ok(())
}

/// `std::clamp` semantics without the panic of `f64::clamp` on odd bounds.
fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if hi < x {
        hi
    } else {
        x
    }
}

impl Work for VlaWork {
    fn kind(&self) -> &'static str {
        "vla"
    }

    fn step(&mut self, ctx: &StepCtx) -> Step {
        if self.fin.is_some() {
            // Already decided (never expected: a finished work is not stepped again).
            let state = self.fin.as_ref().map(|f| f.status.job_state()).unwrap_or(State::Failed);
            return Step::Finish(state);
        }
        if self.stage < 3 {
            if ctx.cancel_requested {
                let stats = self.full_stats(ctx);
                let f = self.make_final(
                    ResponseStatus::Cancelled,
                    Action::default(),
                    0.0,
                    "cancelled before completion",
                    stats,
                );
                return self.end(f);
            }
            // Stage 1 runs at the pick-up, the others one job-ms after the previous one.
            self.started = true;
            self.run_stage(ctx.now);
            return Step::Continue { after_ms: STAGE_MS, partial: true };
        }
        // Completion, one job-ms after stage 3's partial.
        let stats = self.full_stats(ctx);
        let mut action = self.proposal_action();
        if ctx.cancel_requested {
            // The model had finished; its answer is dropped.
            let f = self.make_final(ResponseStatus::Cancelled, action, 0.75, "cancelled", stats);
            return self.end(f);
        }
        let f = match validate_and_clamp(&self.request, &mut action.u) {
            Ok(()) => self.make_final(ResponseStatus::Ok, action, 0.75, "rt2-style stub output", stats),
            Err(reason) => self.make_final(ResponseStatus::Invalid, action, 0.75, reason, stats),
        };
        self.end(f)
    }

    fn on_end(&mut self, ctx: &StepCtx, reason: EndReason) {
        if self.fin.is_some() {
            return;
        }
        let f = match reason {
            EndReason::CancelledWhileQueued => self.make_final(
                ResponseStatus::Cancelled,
                Action::default(),
                0.0,
                "cancelled while queued",
                FinalStats::Latency(ctx.now - ctx.submitted_at),
            ),
            EndReason::Deadline => {
                let stats = self.full_stats(ctx);
                let action = if self.stage == 0 { Action::default() } else { self.proposal_action() };
                self.make_final(ResponseStatus::Timeout, action, 0.0, "deadline exceeded", stats)
            }
        };
        self.fin = Some(f);
    }

    fn summary(&self) -> Summary {
        // Once the job has its final, the panel shows the final's explanation (why it ended),
        // not the last partial's text, which would read as if the job were still streaming.
        let (text, confidence) = match (&self.partial, &self.fin) {
            (_, Some(f)) => (f.explanation.clone(), Some(f.confidence)),
            (Some(p), None) => (p.text_chunk.clone(), Some(p.confidence)),
            (None, None) => (String::new(), None),
        };
        Summary {
            label: format!("{} \"{}\"", self.request.model.name, self.request.instruction),
            text,
            confidence,
            progress: Some((u64::from(self.stage), 3)),
            partial_seq: self.partial_count,
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vla::request::VlaRequest;

    fn ctx(now: Ms, cancel: bool) -> StepCtx {
        StepCtx { job: 1, now, submitted_at: 0.0, started_at: 0.0, attempt: 1, cancel_requested: cancel }
    }

    fn work(state: Vec<f64>, dims: i64) -> VlaWork {
        let mut r = VlaRequest { instruction: "move".into(), ..VlaRequest::default() };
        r.observation.state = state;
        r.action_space.dims = dims;
        r.action_space.bounds = vec![(-1.0, 1.0); dims as usize];
        VlaWork::new(r)
    }

    #[test]
    fn partial_one_at_pick_up_then_one_per_job_ms_and_the_final_one_job_ms_after_the_third() {
        let mut w = work(vec![0.1], 1);
        assert_eq!(w.step(&ctx(0.0, false)), Step::Continue { after_ms: STAGE_MS, partial: true });
        assert_eq!(w.partial_count, 1);
        assert_eq!(w.step(&ctx(1.0, false)), Step::Continue { after_ms: STAGE_MS, partial: true });
        assert_eq!(w.step(&ctx(2.0, false)), Step::Continue { after_ms: STAGE_MS, partial: true });
        assert_eq!(w.partial_count, 3);
        assert!(w.fin.is_none());
        assert_eq!(w.step(&ctx(3.0, false)), Step::Finish(State::Done));
        let f = w.fin.clone().unwrap();
        assert_eq!(f.status, ResponseStatus::Ok);
        assert_eq!(f.stats, FinalStats::Full { latency_ms: 3.0, partials: 3 });
    }

    #[test]
    fn every_partial_is_kept_with_its_job_time_and_partial_is_the_latest() {
        let mut w = work(vec![0.1], 1);
        let at = |t: f64| StepCtx {
            job: 1,
            now: t,
            submitted_at: 10.0,
            started_at: 10.0,
            attempt: 1,
            cancel_requested: false,
        };
        assert!(w.partials().is_empty());
        for t in [10.0, 11.0, 12.0] {
            w.step(&at(t));
            // `partial` (what vla.poll reports) is always the newest record.
            assert_eq!(w.partials().last().map(|r| &r.partial), w.partial.as_ref());
        }
        assert_eq!(w.step(&at(13.0)), Step::Finish(State::Done));
        let got: Vec<(u32, f64, &str, f64)> = w
            .partials()
            .iter()
            .map(|r| (r.partial.sequence, r.at_ms, r.partial.text_chunk.as_str(), r.partial.confidence))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, 10.0, "encode observation", 0.20),
                (2, 11.0, "decode action prior", 0.55),
                (3, 12.0, "finalize structured action", 0.75),
            ]
        );
        // Each record keeps the action candidate as it was at that stage.
        let u: Vec<Vec<f64>> =
            w.partials().iter().map(|r| r.partial.action_candidate.clone().unwrap_or_default().u).collect();
        assert_eq!(u[0], vec![0.0]);
        assert_eq!(u[1], vec![stage2_value(&[0.1], 1, 0)]);
        assert_eq!(u[2], vec![stage2_value(&[0.1], 1, 0) * 0.9]);
        assert_eq!(w.partials().len() as u32, w.partial_count);
    }

    #[test]
    fn a_cancelled_job_keeps_the_partials_it_emitted() {
        let mut w = work(vec![0.1], 1);
        w.step(&ctx(0.0, false));
        assert_eq!(w.step(&ctx(1.0, true)), Step::Finish(State::Cancelled));
        assert_eq!(w.partials().len(), 1);
        assert_eq!(w.partials()[0].at_ms, 0.0);
    }

    #[test]
    fn cancel_seen_at_each_stage_boundary() {
        // Before stages 2 and 3 (at t+1, t+2) and at the completion (t+3).
        for stages_done in 1..=3u32 {
            let mut w = work(vec![0.1], 1);
            for s in 0..stages_done {
                assert!(matches!(w.step(&ctx(f64::from(s), false)), Step::Continue { partial: true, .. }));
            }
            let at = f64::from(stages_done);
            let step = w.step(&ctx(at, true));
            assert_eq!(step, Step::Finish(State::Cancelled));
            let f = w.fin.clone().unwrap();
            assert_eq!(f.status, ResponseStatus::Cancelled);
            let want_stats = FinalStats::Full { latency_ms: at, partials: stages_done };
            assert_eq!(f.stats, want_stats);
            if stages_done < 3 {
                assert_eq!(f.explanation, "cancelled before completion");
                assert!(f.action.u.is_empty());
                assert_eq!(f.confidence, 0.0);
            } else {
                assert_eq!(f.explanation, "cancelled");
                assert_eq!(f.action.u.len(), 1);
            }
            assert_eq!(w.partial_count, stages_done);
        }
    }

    #[test]
    fn cancel_at_the_pick_up_emits_nothing() {
        let mut w = work(vec![0.1], 1);
        assert_eq!(w.step(&ctx(0.0, true)), Step::Finish(State::Cancelled));
        assert_eq!(w.partial_count, 0);
        assert_eq!(w.fin.unwrap().explanation, "cancelled before completion");
    }

    #[test]
    fn stage_two_rules() {
        assert_eq!(stage2_value(&[], 3, 1), 0.0);
        assert_eq!(stage2_value(&[0.1, 9.0], 1, 0), 0.9);
        assert_eq!(stage2_value(&[-3.0], 1, 0), 1.0);
        assert_eq!(stage2_value(&[0.0, 0.0, 0.9, -0.1], 3, 0), 0.35);
        assert_eq!(stage2_value(&[0.0, 0.0, 0.9, -0.1], 3, 1), -0.1);
        assert_eq!(stage2_value(&[0.0, 0.0, 0.9, -0.1], 3, 2), 0.9);
        assert_eq!(stage2_value(&[0.2, 5.0], 3, 1), 1.0);
        assert_eq!(stage2_value(&[0.2, 5.0], 3, 2), 0.0);
    }

    #[test]
    fn validation_rejects_non_finite_and_wrong_length() {
        let w = work(vec![], 2);
        let mut u = vec![0.0];
        assert_eq!(validate_and_clamp(&w.request, &mut u), Err("response.action dimensions do not match action space"));
        let mut u = vec![0.0, f64::NAN];
        assert_eq!(validate_and_clamp(&w.request, &mut u), Err("response.action contains non-finite value"));
        let mut u = vec![5.0, -5.0];
        assert_eq!(validate_and_clamp(&w.request, &mut u), Ok(()));
        assert_eq!(u, vec![1.0, -1.0]);
    }
}
