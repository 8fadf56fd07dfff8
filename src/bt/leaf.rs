//! What a leaf sees while it ticks: [`LeafCx`] (blackboard, node memory, the event log, the
//! job engine), the extension point for the host leaves ([`HostLeaves`]: `plan-action` and
//! the VLA leaves), and the scheduler job behind `async-sleep-ms`.

use super::blackboard::{BbEntry, BbValue, Blackboard};
use super::events::{EventLog, Severity};
use super::model::{Def, Node, Status};
use crate::jobs::{Engine, JobId, State, Step, StepCtx, Summary, Work};
use std::any::Any;
use std::rc::Rc;

/// Per-node memory: zero-initialised, created on first use, zeroed when the node is halted.
/// `i0`/`i1`/`b0` are the reference's integer/flag slots (indices, counters, job ids);
/// `value` is the state a Lisp-written action keeps (`bt.node-memory`).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeMem<V> {
    pub exists: bool,
    pub i0: i64,
    pub i1: i64,
    pub b0: bool,
    pub value: Option<V>,
}

impl<V> Default for NodeMem<V> {
    fn default() -> Self {
        NodeMem { exists: false, i0: 0, i1: 0, b0: false, value: None }
    }
}

impl<V> NodeMem<V> {
    /// Zero the memory (it keeps existing).
    pub fn zero(&mut self) {
        self.i0 = 0;
        self.i1 = 0;
        self.b0 = false;
        self.value = None;
    }
}

/// Counters the tick audit reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickCounters {
    pub planner_calls: u64,
    pub vla_submits: u64,
    pub vla_polls: u64,
}

/// A leaf's view of its instance and the services around it.
pub struct LeafCx<'a, V> {
    pub inst: u32,
    pub def: &'a Rc<Def>,
    pub node: u32,
    /// The instance's tick counter (the tick being run, or the current one during a reset).
    pub tick: u64,
    pub bb: &'a mut Blackboard,
    pub mem: &'a mut [NodeMem<V>],
    pub events: &'a mut EventLog,
    pub engine: &'a mut Engine,
    pub counters: &'a mut TickCounters,
    /// Job time at the start of the tick (ns) and the instance's budget (ms, 0 = none).
    pub tick_start_ns: i64,
    pub budget_ms: i64,
}

/// Job time in nanoseconds.
pub fn now_ns(engine: &Engine) -> i64 {
    (engine.now() * 1_000_000.0) as i64
}

impl<V> LeafCx<'_, V> {
    pub fn now_ms(&self) -> f64 {
        self.engine.now()
    }

    pub fn now_ns(&self) -> i64 {
        now_ns(self.engine)
    }

    /// The node being ticked.
    pub fn node(&self) -> &Node {
        self.def.node(self.node)
    }

    pub fn bb_get(&self, key: &str) -> Option<&BbEntry> {
        self.bb.get(key)
    }

    /// A node write: stamped with the tick, job time, this node and `writer`; logs
    /// `bb_write` (or `bb_delete` for `nil`), without `source_node` for node 0.
    pub fn bb_put(&mut self, key: &str, value: BbValue, writer: &str) {
        let now = self.engine.now();
        self.events.bb_write(now, Some(self.tick), self.inst, key, &value, self.node);
        let entry = BbEntry {
            value,
            tick: self.tick,
            ts_ns: now_ns(self.engine),
            writer_node: self.node,
            writer_name: writer.to_string(),
        };
        self.bb.put(key, entry);
    }

    /// An `error`-type log record from this node.
    pub fn log(&mut self, severity: Severity, message: &str) {
        let now = self.engine.now();
        self.events.log(now, Some(self.tick), self.inst, severity, self.node, message);
    }

    /// This node's memory (created on first use).
    pub fn mem(&mut self) -> &mut NodeMem<V> {
        let m = &mut self.mem[self.node as usize];
        m.exists = true;
        m
    }

    /// A `Raw` event in this tick.
    pub fn emit_raw(&mut self, kind: &'static str, json: String) {
        let now = self.engine.now();
        self.events.emit_raw(now, Some(self.tick), self.inst, kind, json);
    }

    /// Budget left in this tick (ms), or `None` without a budget.
    pub fn budget_remaining_ms(&self) -> Option<f64> {
        if self.budget_ms <= 0 {
            return None;
        }
        let elapsed = (self.now_ns() - self.tick_start_ns) as f64 / 1e6;
        Some(self.budget_ms as f64 - elapsed)
    }

    /// The reference's decision-point gate: with less than 0.25 ms of budget left, log
    /// `budget blocked decision point: <point> node=<id>` and a `budget_warning`; false.
    pub fn budget_allows(&mut self, point: &str) -> bool {
        let Some(remaining) = self.budget_remaining_ms() else { return true };
        if remaining >= 0.25 {
            return true;
        }
        let mut json = String::from("{\"decision_point\":");
        super::fmt::push_json_string(&mut json, point);
        json.push_str(&format!(
            ",\"remaining_ms\":{},\"threshold_ms\":0.25,\"reason\":\"insufficient_budget\",\"node_id\":{}}}",
            super::fmt::cpp_double(remaining),
            self.node
        ));
        self.emit_raw("budget_warning", json);
        let msg = format!("budget blocked decision point: {point} node={}", self.node);
        self.log(Severity::Warn, &msg);
        false
    }

    /// A scheduler record: a debug `error` line with `message`, then `sched_<kind>`.
    pub fn sched_event(&mut self, kind: SchedEvent, job: JobId, message: &str) {
        self.log(Severity::Debug, message);
        let mut json = format!("{{\"job_id\":\"{job}\"");
        match kind {
            SchedEvent::Submit | SchedEvent::Start => {
                json.push_str(",\"kind\":\"scheduler\"");
                if self.node != 0 {
                    json.push_str(&format!(",\"node_id\":{}", self.node));
                }
            }
            SchedEvent::Finish(ok) => json.push_str(if ok { ",\"outcome\":\"ok\"" } else { ",\"outcome\":\"failed\"" }),
            SchedEvent::Cancel => json.push_str(",\"outcome\":\"cancelled\""),
        }
        json.push('}');
        self.emit_raw(kind.type_name(), json);
    }
}

/// Scheduler record kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedEvent {
    Submit,
    Start,
    /// `true`: done; `false`: failed.
    Finish(bool),
    Cancel,
}

impl SchedEvent {
    pub fn type_name(self) -> &'static str {
        match self {
            SchedEvent::Submit => "sched_submit",
            SchedEvent::Start => "sched_start",
            SchedEvent::Finish(_) => "sched_finish",
            SchedEvent::Cancel => "sched_cancel",
        }
    }
}

/// What the host leaves need from the interpreter around the runtime, handed over before
/// every tick, reset and callback resumption ([`HostLeaves::sync`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostEnv {
    /// The base seed `plan-action` derives its per-tick seeds from (`planner.set-base-seed`).
    pub planner_base_seed: u64,
}

/// The extension point for `plan-action` and the VLA leaves (`vla-request`, `vla-wait`,
/// `vla-cancel`). The runtime calls [`HostLeaves::tick`] when one of those nodes ticks,
/// [`HostLeaves::halt`] for every node of a halted subtree (release the jobs it owns),
/// [`HostLeaves::overrun`] after a tick that missed its budget (cancel in-flight jobs),
/// and [`HostLeaves::reset`] from `bt.reset` (forget the instance's bookkeeping).
pub trait HostLeaves<V> {
    fn tick(&mut self, cx: &mut LeafCx<V>) -> Status;
    /// `reason` says why (`reset`, `reactive-sel switched to higher priority`, ...).
    fn halt(&mut self, _cx: &mut LeafCx<V>, _reason: &str) {}
    fn overrun(&mut self, _cx: &mut LeafCx<V>) {}
    fn reset(&mut self, _inst: u32) {}
    /// In-flight jobs of an instance (the tick audit's `active_async_jobs`).
    fn active_jobs(&self, _inst: u32) -> usize {
        0
    }
    /// Every job id the instance's leaves still keep track of.
    fn tracked_jobs(&self, _inst: u32) -> Vec<JobId> {
        Vec::new()
    }
    /// Take the interpreter's current settings (see [`HostEnv`]).
    fn sync(&mut self, _env: &HostEnv) {}
}

/// Until the host leaves are built in: every such leaf fails with a logged error.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHostLeaves;

impl<V> HostLeaves<V> for NoHostLeaves {
    fn tick(&mut self, cx: &mut LeafCx<V>) -> Status {
        let kind = cx.node().kind.dsl_name();
        let msg = format!("{kind} failed: {kind}: this leaf is not available in this build");
        cx.log(Severity::Error, &msg);
        Status::Failure
    }
}

/// The scheduler job behind `async-sleep-ms`: it runs for `ms` of job time.
#[derive(Clone, Debug)]
pub struct SleepWork {
    pub ms: i64,
    started: bool,
}

/// The engine job kind of [`SleepWork`].
pub const SLEEP_KIND: &str = "bt.sleep";

impl SleepWork {
    pub fn new(ms: i64) -> SleepWork {
        SleepWork { ms, started: false }
    }
}

impl Work for SleepWork {
    fn kind(&self) -> &'static str {
        SLEEP_KIND
    }
    fn step(&mut self, ctx: &StepCtx) -> Step {
        if ctx.cancel_requested {
            return Step::Finish(State::Cancelled);
        }
        if !self.started {
            self.started = true;
            return Step::Continue { after_ms: self.ms.max(0) as f64, partial: false };
        }
        Step::Finish(State::Done)
    }
    fn summary(&self) -> Summary {
        Summary { label: format!("async-sleep-ms {}", self.ms), ..Summary::default() }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
