//! The one job engine: ids, a FIFO queue with worker slots, states, deadlines, cooperative
//! cancellation, streaming partials, retries and an event log.
//!
//! The engine never reads a clock and never spawns a thread. A host calls
//! [`Engine::advance`] with the current job time; the engine then replays, in time order,
//! everything that became due since the last call (starting queued jobs when a slot frees,
//! running work steps, firing deadlines). The same engine therefore runs on browser timers,
//! on a real-time ticker in the CLI and server, and step by step on a manual clock in tests.
//!
//! Front ends (`vla`, `bridge`) put their job-specific logic in a [`Work`] object: the engine
//! calls `Work::step` when the job starts and then whenever its next step is due; each step
//! is a cancellation point. Job-specific results stay inside the work object and are read
//! back with [`JobRecord::work`].

pub mod clock;
pub mod ids;
pub mod lisp;

pub use clock::Clock;
pub use lisp::SharedEngine;

use std::any::Any;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Job identifiers: positive, increasing, never reused.
pub type JobId = u64;

/// Job time in milliseconds.
pub type Ms = f64;

/// Engine-level job state. Front ends map it to their own vocabulary
/// (`:queued`/`:streaming`/`:done`… for VLA, `queued`/`running`/`succeeded`… for the bridge).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    Queued,
    Running,
    Streaming,
    Done,
    Failed,
    TimedOut,
    Cancelled,
}

impl State {
    pub fn is_terminal(self) -> bool {
        matches!(self, State::Done | State::Failed | State::TimedOut | State::Cancelled)
    }

    pub fn is_active(self) -> bool {
        !self.is_terminal()
    }

    /// Lower-case name: `queued`, `running`, `streaming`, `done`, `failed`, `timeout`, `cancelled`.
    pub fn name(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::Streaming => "streaming",
            State::Done => "done",
            State::Failed => "failed",
            State::TimedOut => "timeout",
            State::Cancelled => "cancelled",
        }
    }
}

/// What a work step sees.
#[derive(Clone, Debug)]
pub struct StepCtx {
    pub job: JobId,
    pub now: Ms,
    pub submitted_at: Ms,
    /// Start of the current attempt.
    pub started_at: Ms,
    /// 1-based attempt number.
    pub attempt: u32,
    pub cancel_requested: bool,
}

/// What a work step returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Keep going; run the next step `after_ms` later. `partial`: this step produced a
    /// partial result (the job becomes `Streaming` and a partial event is logged).
    Continue { after_ms: Ms, partial: bool },
    /// The work ended in this terminal state.
    Finish(State),
    /// A retryable failure: the job goes back to the end of the queue; its next start is a
    /// new attempt.
    Requeue,
}

/// Why the engine ended a job without asking its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// `cancel` on a queued job.
    CancelledWhileQueued,
    /// The job's deadline passed while it was queued or running, or the current attempt ran
    /// past its attempt timeout ([`JobOptions::attempt_timeout_ms`]; the work can tell the two
    /// apart with [`StepCtx::started_at`] and its own settings). The job ends `TimedOut`.
    Deadline,
}

/// A short, display-oriented description of a job (for the jobs panel and snapshots).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// What the job is, e.g. `rt2-stub "move"` or `simulation sim-1`.
    pub label: String,
    /// Latest partial text or progress message.
    pub text: String,
    pub confidence: Option<f64>,
    /// (done, total) where known.
    pub progress: Option<(u64, u64)>,
    /// Number of partial results produced so far.
    pub partial_seq: u32,
}

/// Job-specific logic driven by the engine.
pub trait Work: Send + 'static {
    /// Short display name of the kind: `vla`, `simulation`, `population`, ... (to tell kinds
    /// apart in code, use the work's type: [`JobRecord::is`]).
    fn kind(&self) -> &'static str;
    /// Run one step. Called at the start of each attempt and then each time a step is due.
    fn step(&mut self, ctx: &StepCtx) -> Step;
    /// Called when the engine ends the job itself (see [`EndReason`]), before the state changes.
    fn on_end(&mut self, _ctx: &StepCtx, _reason: EndReason) {}
    /// Display summary.
    fn summary(&self) -> Summary {
        Summary::default()
    }
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// Options for [`Engine::submit`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmitOptions {
    /// Deadline relative to submission; when it passes the job ends `TimedOut`.
    pub deadline_ms: Option<Ms>,
}

/// Options for [`Engine::submit_with`]: [`SubmitOptions`] plus settings added later (a
/// separate struct so that existing `SubmitOptions { .. }` literals keep compiling).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobOptions {
    /// Deadline relative to submission, queue time included; when it passes the job ends
    /// `TimedOut` whatever it is doing.
    pub deadline_ms: Option<Ms>,
    /// Time limit of each attempt, counted from that attempt's start (queue time, including
    /// the wait before a retry, does not count). When it passes while the attempt is still
    /// running, the job ends `TimedOut` (via `Work::on_end(ctx, EndReason::Deadline)`) and is
    /// not retried. A step due at the same moment does not run. Every attempt gets a fresh
    /// limit.
    pub attempt_timeout_ms: Option<Ms>,
}

impl From<SubmitOptions> for JobOptions {
    fn from(o: SubmitOptions) -> JobOptions {
        JobOptions { deadline_ms: o.deadline_ms, attempt_timeout_ms: None }
    }
}

/// One job as the engine keeps it.
pub struct JobRecord {
    pub id: JobId,
    /// Display name of the job's kind ([`Work::kind`]); compare kinds with [`JobRecord::is`].
    pub kind: &'static str,
    pub state: State,
    pub submitted_at: Ms,
    pub started_at: Option<Ms>,
    pub finished_at: Option<Ms>,
    pub deadline_at: Option<Ms>,
    /// Per-attempt time limit ([`JobOptions::attempt_timeout_ms`]).
    pub attempt_timeout_ms: Option<Ms>,
    /// When the current attempt times out (set at each start, cleared when it ends).
    pub attempt_deadline_at: Option<Ms>,
    pub cancel_requested: bool,
    pub attempts: u32,
    generation: u32,
    work: Box<dyn Work>,
}

impl JobRecord {
    /// Whether the job's work is a `T` (how to tell job kinds apart: `job.is::<VlaWork>()`;
    /// [`JobRecord::kind`] is the display name).
    pub fn is<T: 'static>(&self) -> bool {
        self.work::<T>().is_some()
    }

    /// The job's work object, if it is a `T`.
    pub fn work<T: 'static>(&self) -> Option<&T> {
        self.work.as_any().downcast_ref::<T>()
    }

    pub fn work_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.work.as_any_mut().downcast_mut::<T>()
    }

    pub fn summary(&self) -> Summary {
        self.work.summary()
    }

    /// Job time spent so far (to `now`, or to the finish).
    pub fn elapsed(&self, now: Ms) -> Ms {
        self.finished_at.unwrap_or(now) - self.submitted_at
    }
}

/// One entry of the event log: a state change, or a partial result (`from == Some(to)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub seq: u64,
    pub job: JobId,
    pub from: Option<State>,
    pub to: State,
    pub at: Ms,
    pub partial_seq: u32,
}

/// Result of [`Engine::cancel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// No such job (never issued, or removed).
    Unknown,
    /// The job had already ended; nothing changed.
    AlreadyTerminal(State),
    /// The job was queued and is now `Cancelled`.
    CancelledWhileQueued,
    /// The job is running; the flag is set and the work sees it at its next step.
    Requested(State),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TimerKind {
    // Order matters: at equal times deadlines fire before a step.
    Deadline = 0,
    AttemptTimeout = 1,
    Step = 2,
}

#[derive(Clone, Copy, Debug)]
struct Timer {
    at: Ms,
    kind: TimerKind,
    seq: u64,
    job: JobId,
    generation: u32,
}

impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timer {
    // BinaryHeap is a max-heap: invert so the earliest timer is on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .at
            .total_cmp(&self.at)
            .then_with(|| (other.kind as u8).cmp(&(self.kind as u8)))
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The job engine. See the module documentation.
pub struct Engine {
    now: Ms,
    slots: usize,
    busy: usize,
    /// Jobs by id: `jobs[i]` is job `first_id + i`; removed jobs are `None`, and removed jobs
    /// at the front are dropped so the table does not grow with jobs long gone.
    jobs: VecDeque<Option<JobRecord>>,
    first_id: JobId,
    queue: VecDeque<JobId>,
    timers: BinaryHeap<Timer>,
    timer_seq: u64,
    events: Vec<Event>,
    /// Sequence number of `events[0]` (events before it were forgotten by the host).
    event_base: u64,
    /// Jobs not removed (what `jobs().count()` would count, kept up to date in O(1)).
    retained: usize,
    /// Jobs in state `Queued` (kept up to date in O(1); the queue may hold stale ids).
    queued: usize,
}

/// Default number of worker slots: two, so a third job is visibly queued.
pub const DEFAULT_SLOTS: usize = 2;

impl Default for Engine {
    fn default() -> Self {
        Engine::new(DEFAULT_SLOTS)
    }
}

impl Engine {
    /// An engine at job time 0 with `slots` worker slots (at least 1).
    pub fn new(slots: usize) -> Engine {
        Engine {
            now: 0.0,
            slots: slots.max(1),
            busy: 0,
            jobs: VecDeque::new(),
            first_id: 1,
            queue: VecDeque::new(),
            timers: BinaryHeap::new(),
            timer_seq: 0,
            events: Vec::new(),
            event_base: 0,
            retained: 0,
            queued: 0,
        }
    }

    /// Current job time (the last time passed to `advance`).
    pub fn now(&self) -> Ms {
        self.now
    }

    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Change the number of worker slots (takes effect at the next `advance`).
    pub fn set_slots(&mut self, slots: usize) {
        self.slots = slots.max(1);
    }

    /// Queue a job at the current job time. It starts at the next `advance` that finds a free slot.
    pub fn submit(&mut self, work: Box<dyn Work>, opts: SubmitOptions) -> JobId {
        self.submit_with(work, opts.into())
    }

    /// [`Engine::submit`] with the full set of options (e.g. a per-attempt timeout).
    pub fn submit_with(&mut self, work: Box<dyn Work>, opts: JobOptions) -> JobId {
        let id = self.issued() + 1;
        let valid = |d: &Ms| d.is_finite() && *d >= 0.0;
        let deadline_at = opts.deadline_ms.filter(valid).map(|d| self.now + d);
        let record = JobRecord {
            id,
            kind: work.kind(),
            state: State::Queued,
            submitted_at: self.now,
            started_at: None,
            finished_at: None,
            deadline_at,
            attempt_timeout_ms: opts.attempt_timeout_ms.filter(valid),
            attempt_deadline_at: None,
            cancel_requested: false,
            attempts: 0,
            generation: 0,
            work,
        };
        self.jobs.push_back(Some(record));
        self.retained += 1;
        self.queued += 1;
        self.queue.push_back(id);
        self.log(id, None, State::Queued, 0);
        if let Some(at) = deadline_at {
            self.push_timer(at, TimerKind::Deadline, id, 0);
        }
        id
    }

    /// Record a job that ended the moment it was submitted (for example a request rejected by
    /// validation, which still gets an id and a result). It takes the next id, logs `Queued`
    /// and then its terminal state at the current job time, never occupies a worker slot and
    /// never runs a step. A non-terminal `state` is recorded as `Failed`.
    pub fn submit_ended(&mut self, work: Box<dyn Work>, state: State) -> JobId {
        let state = if state.is_terminal() { state } else { State::Failed };
        let id = self.issued() + 1;
        let record = JobRecord {
            id,
            kind: work.kind(),
            state: State::Queued,
            submitted_at: self.now,
            started_at: None,
            finished_at: None,
            deadline_at: None,
            attempt_timeout_ms: None,
            attempt_deadline_at: None,
            cancel_requested: false,
            attempts: 0,
            generation: 0,
            work,
        };
        self.jobs.push_back(Some(record));
        self.retained += 1;
        self.queued += 1; // finish() below takes it off again
        self.log(id, None, State::Queued, 0);
        self.finish(id, state);
        id
    }

    /// Request cancellation. Queued jobs end `Cancelled` at once; running jobs see the flag
    /// at their next step; terminal jobs are left alone.
    pub fn cancel(&mut self, id: JobId) -> CancelOutcome {
        let now = self.now;
        let Some(job) = self.slot_mut(id) else {
            return CancelOutcome::Unknown;
        };
        match job.state {
            s if s.is_terminal() => CancelOutcome::AlreadyTerminal(s),
            State::Queued => {
                job.cancel_requested = true;
                let ctx = ctx_for(job, now);
                job.work.on_end(&ctx, EndReason::CancelledWhileQueued);
                self.finish(id, State::Cancelled);
                CancelOutcome::CancelledWhileQueued
            }
            s => {
                job.cancel_requested = true;
                CancelOutcome::Requested(s)
            }
        }
    }

    /// Replay everything due up to job time `now`, in time order. Time never goes back:
    /// an earlier `now` only starts queued jobs that fit in free slots.
    pub fn advance(&mut self, now: Ms) {
        let target = if now.is_finite() { now.max(self.now) } else { self.now };
        loop {
            self.fill_slots();
            match self.timers.peek() {
                Some(t) if t.at <= target => {
                    let t = *t;
                    self.timers.pop();
                    if t.at > self.now {
                        self.now = t.at;
                    }
                    self.fire(t);
                }
                _ => break,
            }
        }
        self.now = target;
        self.fill_slots();
    }

    /// The earliest job time at which something is due (for hosts that schedule wake-ups).
    pub fn next_due(&mut self) -> Option<Ms> {
        while let Some(t) = self.timers.peek() {
            if self.timer_live(t) {
                return Some(t.at);
            }
            self.timers.pop();
        }
        if self.busy < self.slots && !self.queue.is_empty() {
            return Some(self.now);
        }
        None
    }

    pub fn job(&self, id: JobId) -> Option<&JobRecord> {
        let idx = usize::try_from(id.checked_sub(self.first_id)?).ok()?;
        self.jobs.get(idx)?.as_ref()
    }

    pub fn job_mut(&mut self, id: JobId) -> Option<&mut JobRecord> {
        self.slot_mut(id)
    }

    /// Every known job, oldest first.
    pub fn jobs(&self) -> impl DoubleEndedIterator<Item = &JobRecord> {
        self.jobs.iter().filter_map(|j| j.as_ref())
    }

    /// Number of ids ever issued (the last id).
    pub fn issued(&self) -> u64 {
        self.first_id - 1 + self.jobs.len() as u64
    }

    /// Number of jobs not removed, in O(1) (the same as `jobs().count()`, which walks every
    /// id ever issued).
    pub fn retained_count(&self) -> usize {
        self.retained
    }

    /// Jobs not yet terminal.
    pub fn active_count(&self) -> usize {
        self.busy + self.queued_count()
    }

    /// Jobs waiting for a slot (O(1)).
    pub fn queued_count(&self) -> usize {
        self.queued
    }

    /// Forget a terminal job (retention purge). Its id is never reused; later lookups say unknown.
    pub fn remove(&mut self, id: JobId) -> bool {
        let Some(idx) = id.checked_sub(self.first_id).and_then(|i| usize::try_from(i).ok()) else {
            return false;
        };
        match self.jobs.get(idx) {
            Some(Some(j)) if j.state.is_terminal() => {
                self.jobs[idx] = None;
                self.retained = self.retained.saturating_sub(1);
                while let Some(None) = self.jobs.front() {
                    self.jobs.pop_front();
                    self.first_id += 1;
                }
                true
            }
            _ => false,
        }
    }

    /// Events with `seq >= cursor` (pass the previous [`Engine::event_cursor`] to read incrementally).
    pub fn events_since(&self, cursor: u64) -> &[Event] {
        let start =
            usize::try_from(cursor.saturating_sub(self.event_base)).unwrap_or(usize::MAX).min(self.events.len());
        &self.events[start..]
    }

    /// The cursor just past the newest event.
    pub fn event_cursor(&self) -> u64 {
        self.event_base + self.events.len() as u64
    }

    /// Drop the events before `cursor` (a host whose readers have all read that far calls it
    /// so the log does not grow forever). Cursors keep their meaning; reading from before
    /// `cursor` afterwards returns only the events still kept.
    pub fn forget_events_before(&mut self, cursor: u64) {
        let n = usize::try_from(cursor.saturating_sub(self.event_base)).unwrap_or(usize::MAX).min(self.events.len());
        self.events.drain(..n);
        self.event_base += n as u64;
    }

    // ---- internals ----

    fn slot_mut(&mut self, id: JobId) -> Option<&mut JobRecord> {
        let idx = usize::try_from(id.checked_sub(self.first_id)?).ok()?;
        self.jobs.get_mut(idx)?.as_mut()
    }

    fn log(&mut self, job: JobId, from: Option<State>, to: State, partial_seq: u32) {
        let seq = self.event_cursor();
        self.events.push(Event { seq, job, from, to, at: self.now, partial_seq });
    }

    fn push_timer(&mut self, at: Ms, kind: TimerKind, job: JobId, generation: u32) {
        self.timer_seq += 1;
        self.timers.push(Timer { at, kind, seq: self.timer_seq, job, generation });
    }

    fn timer_live(&self, t: &Timer) -> bool {
        match self.job(t.job) {
            None => false,
            Some(j) => match t.kind {
                TimerKind::Deadline => j.state.is_active(),
                TimerKind::Step | TimerKind::AttemptTimeout => {
                    j.generation == t.generation && matches!(j.state, State::Running | State::Streaming)
                }
            },
        }
    }

    fn fill_slots(&mut self) {
        while self.busy < self.slots {
            let Some(id) = self.queue.pop_front() else { break };
            let now = self.now;
            let Some(job) = self.slot_mut(id) else { continue };
            if job.state != State::Queued {
                continue; // cancelled or timed out while waiting
            }
            job.state = State::Running;
            job.started_at = Some(now);
            job.attempts += 1;
            job.generation += 1;
            let generation = job.generation;
            let timeout_at = job.attempt_timeout_ms.map(|d| now + d);
            job.attempt_deadline_at = timeout_at;
            self.busy += 1;
            self.queued = self.queued.saturating_sub(1);
            self.log(id, Some(State::Queued), State::Running, 0);
            if let Some(at) = timeout_at {
                self.push_timer(at, TimerKind::AttemptTimeout, id, generation);
            }
            self.push_timer(now, TimerKind::Step, id, generation);
        }
    }

    fn fire(&mut self, t: Timer) {
        if !self.timer_live(&t) {
            return;
        }
        let now = self.now;
        match t.kind {
            TimerKind::Deadline | TimerKind::AttemptTimeout => {
                let Some(job) = self.slot_mut(t.job) else { return };
                let ctx = ctx_for(job, now);
                job.work.on_end(&ctx, EndReason::Deadline);
                self.finish(t.job, State::TimedOut);
            }
            TimerKind::Step => {
                let Some(job) = self.slot_mut(t.job) else { return };
                let ctx = ctx_for(job, now);
                let step = job.work.step(&ctx);
                match step {
                    Step::Continue { after_ms, partial } => {
                        let after = if after_ms.is_finite() && after_ms > 0.0 { after_ms } else { 0.0 };
                        let generation = job.generation;
                        if partial {
                            let from = job.state;
                            job.state = State::Streaming;
                            let seq = job.work.summary().partial_seq;
                            self.log(t.job, Some(from), State::Streaming, seq);
                        }
                        self.push_timer(now + after, TimerKind::Step, t.job, generation);
                    }
                    Step::Finish(state) => {
                        let state = if state.is_terminal() { state } else { State::Failed };
                        self.finish(t.job, state);
                    }
                    Step::Requeue => {
                        let from = job.state;
                        job.state = State::Queued;
                        job.generation += 1;
                        job.attempt_deadline_at = None;
                        self.busy = self.busy.saturating_sub(1);
                        self.queued += 1;
                        self.queue.push_back(t.job);
                        self.log(t.job, Some(from), State::Queued, 0);
                    }
                }
            }
        }
    }

    fn finish(&mut self, id: JobId, state: State) {
        let now = self.now;
        let Some(job) = self.slot_mut(id) else { return };
        let from = job.state;
        if from.is_terminal() {
            return;
        }
        job.state = state;
        job.finished_at = Some(now);
        job.attempt_deadline_at = None;
        job.generation += 1;
        let seq = job.work.summary().partial_seq;
        if matches!(from, State::Running | State::Streaming) {
            self.busy = self.busy.saturating_sub(1);
        }
        if from == State::Queued {
            self.queued = self.queued.saturating_sub(1);
        }
        self.log(id, Some(from), state, seq);
    }
}

fn ctx_for(job: &JobRecord, now: Ms) -> StepCtx {
    StepCtx {
        job: job.id,
        now,
        submitted_at: job.submitted_at,
        started_at: job.started_at.unwrap_or(now),
        attempt: job.attempts,
        cancel_requested: job.cancel_requested,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test work: `steps` partial steps `every` ms apart, then Done; honours cancel.
    struct Ticker {
        steps: u32,
        every: Ms,
        done: u32,
        ended: Option<EndReason>,
    }

    impl Work for Ticker {
        fn kind(&self) -> &'static str {
            "ticker"
        }
        fn step(&mut self, ctx: &StepCtx) -> Step {
            if ctx.cancel_requested {
                return Step::Finish(State::Cancelled);
            }
            if self.done == self.steps {
                return Step::Finish(State::Done);
            }
            self.done += 1;
            Step::Continue { after_ms: self.every, partial: true }
        }
        fn on_end(&mut self, _ctx: &StepCtx, reason: EndReason) {
            self.ended = Some(reason);
        }
        fn summary(&self) -> Summary {
            Summary { partial_seq: self.done, ..Summary::default() }
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    }

    fn ticker(steps: u32, every: Ms) -> Box<dyn Work> {
        Box::new(Ticker { steps, every, done: 0, ended: None })
    }

    #[test]
    fn third_job_waits_for_a_slot() {
        let mut e = Engine::new(2);
        let a = e.submit(ticker(3, 1.0), SubmitOptions::default());
        let b = e.submit(ticker(3, 1.0), SubmitOptions::default());
        let c = e.submit(ticker(3, 1.0), SubmitOptions::default());
        assert_eq!((a, b, c), (1, 2, 3));
        e.advance(0.0);
        assert_eq!(e.job(a).unwrap().state, State::Streaming);
        assert_eq!(e.job(c).unwrap().state, State::Queued);
        e.advance(3.0);
        assert_eq!(e.job(a).unwrap().state, State::Done);
        assert_eq!(e.job(a).unwrap().finished_at, Some(3.0));
        assert_eq!(e.job(c).unwrap().started_at, Some(3.0));
        e.advance(100.0);
        assert_eq!(e.job(c).unwrap().state, State::Done);
        assert_eq!(e.job(c).unwrap().finished_at, Some(6.0));
    }

    #[test]
    fn cancel_in_each_state() {
        let mut e = Engine::new(1);
        let a = e.submit(ticker(5, 1.0), SubmitOptions::default());
        let b = e.submit(ticker(5, 1.0), SubmitOptions::default());
        e.advance(1.5);
        assert_eq!(e.cancel(b), CancelOutcome::CancelledWhileQueued);
        assert_eq!(e.job(b).unwrap().state, State::Cancelled);
        assert_eq!(e.job(b).unwrap().attempts, 0);
        assert_eq!(e.cancel(a), CancelOutcome::Requested(State::Streaming));
        e.advance(1.9);
        assert_eq!(e.job(a).unwrap().state, State::Streaming);
        e.advance(2.0);
        assert_eq!(e.job(a).unwrap().state, State::Cancelled);
        assert_eq!(e.cancel(a), CancelOutcome::AlreadyTerminal(State::Cancelled));
        assert_eq!(e.cancel(99), CancelOutcome::Unknown);
        assert_eq!(e.cancel(0), CancelOutcome::Unknown);
    }

    #[test]
    fn deadline_fires_before_a_step_due_at_the_same_time() {
        let mut e = Engine::new(1);
        let a = e.submit(ticker(5, 1.0), SubmitOptions { deadline_ms: Some(1.0) });
        e.advance(10.0);
        let j = e.job(a).unwrap();
        assert_eq!(j.state, State::TimedOut);
        assert_eq!(j.finished_at, Some(1.0));
        assert_eq!(j.summary().partial_seq, 1);
        assert_eq!(j.work::<Ticker>().unwrap().ended, Some(EndReason::Deadline));
    }

    #[test]
    fn a_job_can_end_at_submission() {
        let mut e = Engine::new(1);
        e.advance(5.0);
        let a = e.submit(ticker(3, 1.0), SubmitOptions::default());
        let cursor = e.event_cursor();
        let b = e.submit_ended(ticker(3, 1.0), State::Failed);
        let c = e.submit_ended(ticker(3, 1.0), State::Running); // not terminal: recorded as Failed
        assert_eq!((a, b, c), (1, 2, 3));
        let jb = e.job(b).unwrap();
        assert_eq!(jb.state, State::Failed);
        assert_eq!((jb.submitted_at, jb.finished_at, jb.attempts), (5.0, Some(5.0), 0));
        assert_eq!(e.job(c).unwrap().state, State::Failed);
        let evs: Vec<_> = e.events_since(cursor).iter().map(|ev| (ev.job, ev.from, ev.to)).collect();
        assert_eq!(
            evs,
            vec![
                (b, None, State::Queued),
                (b, Some(State::Queued), State::Failed),
                (c, None, State::Queued),
                (c, Some(State::Queued), State::Failed)
            ]
        );
        assert_eq!(e.cancel(b), CancelOutcome::AlreadyTerminal(State::Failed));
        // The ended jobs never take the only slot: job a runs at once.
        e.advance(5.0);
        assert_eq!(e.job(a).unwrap().state, State::Streaming);
        assert_eq!(e.active_count(), 1);
        e.advance(100.0);
        assert_eq!(e.job(a).unwrap().state, State::Done);
        assert_eq!(e.job(b).unwrap().summary().partial_seq, 0);
    }

    #[test]
    fn events_read_incrementally_in_order() {
        let mut e = Engine::new(2);
        let a = e.submit(ticker(2, 1.0), SubmitOptions::default());
        let cursor = e.event_cursor();
        e.advance(5.0);
        let states: Vec<_> = e.events_since(cursor).iter().map(|ev| (ev.to, ev.at)).collect();
        assert_eq!(
            states,
            vec![(State::Running, 0.0), (State::Streaming, 0.0), (State::Streaming, 1.0), (State::Done, 2.0)]
        );
        assert!(e.events_since(e.event_cursor()).is_empty());
        assert_eq!(e.retained_count(), 1);
        assert!(e.remove(a));
        assert!(e.job(a).is_none());
        assert!(!e.remove(a));
        assert_eq!(e.retained_count(), 0);
        assert_eq!(e.retained_count(), e.jobs().count());
    }

    /// A test work: attempt `k` (1-based) takes `steps[k-1]` steps 1 ms apart and then
    /// requeues, except the last listed attempt, which finishes `Done`.
    struct Attempts {
        steps: Vec<u32>,
        done: u32,
        attempt: u32,
        ended: Option<EndReason>,
    }

    impl Work for Attempts {
        fn kind(&self) -> &'static str {
            "attempts"
        }
        fn step(&mut self, ctx: &StepCtx) -> Step {
            if ctx.attempt != self.attempt {
                self.attempt = ctx.attempt;
                self.done = 0;
            }
            let want = self.steps.get(ctx.attempt as usize - 1).copied().unwrap_or(0);
            if self.done < want {
                self.done += 1;
                return Step::Continue { after_ms: 1.0, partial: false };
            }
            if (ctx.attempt as usize) < self.steps.len() {
                Step::Requeue
            } else {
                Step::Finish(State::Done)
            }
        }
        fn on_end(&mut self, _ctx: &StepCtx, reason: EndReason) {
            self.ended = Some(reason);
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    }

    /// The O(1) counters agree with a walk over every job.
    fn check_counts(e: &Engine) {
        assert_eq!(e.queued_count(), e.jobs().filter(|j| j.state == State::Queued).count());
        assert_eq!(e.retained_count(), e.jobs().count());
        assert_eq!(e.active_count(), e.jobs().filter(|j| j.state.is_active()).count());
    }

    #[test]
    fn counters_stay_consistent() {
        let mut e = Engine::new(1);
        let a = e.submit(ticker(3, 1.0), SubmitOptions::default());
        let b = e.submit_with(
            Box::new(Attempts { steps: vec![1, 1], done: 0, attempt: 0, ended: None }),
            JobOptions::default(),
        );
        let c = e.submit(ticker(3, 1.0), SubmitOptions { deadline_ms: Some(1.0) });
        let d = e.submit(ticker(3, 1.0), SubmitOptions::default());
        e.submit_ended(ticker(1, 1.0), State::Failed);
        check_counts(&e);
        assert_eq!(e.queued_count(), 4);
        for t in [0.0, 0.5, 1.0, 2.0, 3.0, 3.5, 4.0, 5.0, 6.0] {
            e.advance(t);
            check_counts(&e);
            if t == 2.0 {
                assert_eq!(e.cancel(d), CancelOutcome::CancelledWhileQueued);
                check_counts(&e);
            }
        }
        e.advance(100.0);
        check_counts(&e);
        assert_eq!(e.queued_count(), 0);
        assert_eq!(e.job(c).unwrap().state, State::TimedOut);
        assert_eq!(e.job(b).unwrap().attempts, 2);
        assert!(e.remove(a));
        check_counts(&e);
    }

    fn attempt_timeout(ms: Ms) -> JobOptions {
        JobOptions { attempt_timeout_ms: Some(ms), ..JobOptions::default() }
    }

    #[test]
    fn attempt_timeout_does_not_count_queue_time() {
        let mut e = Engine::new(1);
        let blocker = e.submit(ticker(5, 1.0), SubmitOptions::default()); // busy 0..5
        let fits = e.submit_with(ticker(2, 1.0), attempt_timeout(3.0)); // 5..7
        let slow = e.submit_with(ticker(5, 1.0), attempt_timeout(1.5)); // starts at 7
                                                                        // The same limit counted from submission would have expired in the queue.
        let by_deadline = e.submit(ticker(2, 1.0), SubmitOptions { deadline_ms: Some(3.0) });
        e.advance(6.0);
        assert_eq!(e.job(fits).unwrap().state, State::Streaming);
        assert_eq!(e.job(fits).unwrap().attempt_deadline_at, Some(8.0));
        assert_eq!(e.job(slow).unwrap().state, State::Queued);
        assert_eq!(e.job(slow).unwrap().attempt_deadline_at, None);
        assert_eq!(e.job(by_deadline).unwrap().state, State::TimedOut);
        e.advance(100.0);
        assert_eq!(e.job(blocker).unwrap().state, State::Done);
        let j = e.job(fits).unwrap();
        assert_eq!((j.state, j.started_at, j.finished_at), (State::Done, Some(5.0), Some(7.0)));
        assert_eq!(j.attempt_deadline_at, None);
        let j = e.job(slow).unwrap();
        assert_eq!((j.state, j.started_at, j.finished_at, j.attempts), (State::TimedOut, Some(7.0), Some(8.5), 1));
        assert_eq!(j.summary().partial_seq, 2, "steps at 7 and 8 ran");
        assert_eq!(j.work::<Ticker>().unwrap().ended, Some(EndReason::Deadline));
    }

    #[test]
    fn each_attempt_gets_a_fresh_timeout() {
        let mut e = Engine::new(1);
        // Attempt 1: steps at 0, 1, 2, requeue at 3 (wait 0 ms: the slot is free). Attempt 2:
        // starts at 3, finishes at 6. A 4 ms limit from submission would end it at 4.
        let id = e.submit_with(
            Box::new(Attempts { steps: vec![3, 3], done: 0, attempt: 0, ended: None }),
            attempt_timeout(4.0),
        );
        e.advance(3.5);
        let j = e.job(id).unwrap();
        assert_eq!((j.attempts, j.started_at, j.attempt_deadline_at), (2, Some(3.0), Some(7.0)));
        e.advance(100.0);
        let j = e.job(id).unwrap();
        assert_eq!((j.state, j.finished_at, j.attempts), (State::Done, Some(6.0), 2));
        assert_eq!(j.work::<Attempts>().unwrap().ended, None);
        // A retry that is itself too slow times out 4 ms after its own start, not retried.
        let mut e = Engine::new(1);
        let id = e.submit_with(
            Box::new(Attempts { steps: vec![1, 9, 1], done: 0, attempt: 0, ended: None }),
            attempt_timeout(4.0),
        );
        e.advance(100.0);
        let j = e.job(id).unwrap();
        assert_eq!((j.state, j.started_at, j.finished_at, j.attempts), (State::TimedOut, Some(1.0), Some(5.0), 2));
        assert_eq!(j.work::<Attempts>().unwrap().ended, Some(EndReason::Deadline));
    }

    #[test]
    fn a_step_due_with_the_attempt_timeout_loses() {
        let mut e = Engine::new(1);
        let a = e.submit_with(ticker(5, 1.0), attempt_timeout(2.0));
        e.advance(10.0);
        let j = e.job(a).unwrap();
        assert_eq!((j.state, j.finished_at), (State::TimedOut, Some(2.0)));
        assert_eq!(j.summary().partial_seq, 2, "the steps at 0 and 1 ran; the one at 2 did not");
        // A job that ends before its limit is not touched by the stale timer.
        let b = e.submit_with(ticker(1, 1.0), attempt_timeout(5.0));
        e.advance(100.0);
        let j = e.job(b).unwrap();
        assert_eq!((j.state, j.finished_at), (State::Done, Some(11.0)));
        // Cancelling and the job deadline still work alongside it.
        let c = e.submit_with(ticker(50, 1.0), JobOptions { deadline_ms: Some(3.0), attempt_timeout_ms: Some(10.0) });
        e.advance(200.0);
        assert_eq!(e.job(c).unwrap().finished_at, Some(103.0));
        assert_eq!(e.job(c).unwrap().state, State::TimedOut);
        let d = e.submit_with(ticker(50, 1.0), attempt_timeout(10.0));
        e.advance(201.5);
        assert_eq!(e.cancel(d), CancelOutcome::Requested(State::Streaming));
        e.advance(300.0);
        assert_eq!((e.job(d).unwrap().state, e.job(d).unwrap().finished_at), (State::Cancelled, Some(202.0)));
        // Negative or non-finite limits are ignored.
        let f = e.submit_with(ticker(1, 1.0), attempt_timeout(f64::NAN));
        assert_eq!(e.job(f).unwrap().attempt_timeout_ms, None);
    }

    #[test]
    fn forgotten_jobs_and_events_leave_nothing_behind() {
        let mut e = Engine::new(1);
        let mut last = 0;
        for _ in 0..1000 {
            last = e.submit(ticker(1, 1.0), SubmitOptions::default());
            e.advance(e.now() + 2.0);
            assert_eq!(e.job(last).unwrap().state, State::Done);
            assert!(e.remove(last));
            let cursor = e.event_cursor();
            e.forget_events_before(cursor);
            assert!(e.events_since(0).is_empty());
        }
        assert_eq!(last, 1000);
        assert_eq!(e.issued(), 1000);
        assert!(e.jobs.is_empty() && e.events.is_empty(), "nothing kept for removed jobs");
        // Ids keep counting; a kept job behind removed ones is still found.
        let a = e.submit(ticker(1, 1.0), SubmitOptions::default());
        let b = e.submit(ticker(1, 1.0), SubmitOptions::default());
        assert_eq!((a, b), (1001, 1002));
        e.advance(e.now() + 10.0);
        assert!(e.remove(a));
        assert_eq!(e.job(b).unwrap().id, b);
        assert!(e.job(a).is_none() && e.job(0).is_none() && e.job(5).is_none());
        let cursor = e.event_cursor();
        assert_eq!(e.events_since(cursor - 1).len(), 1);
    }
}
