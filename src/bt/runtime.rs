//! The behaviour-tree runtime: definitions, instances, the callback registry, the event log,
//! and the tick machine.
//!
//! Ticking is an explicit-stack state machine over the node vector (no Rust recursion, so a
//! deep tree cannot overflow the host stack). When a leaf needs a Lisp callback (a condition
//! or action written in Lisp, or an action's halt hook), the machine stops and returns
//! [`Progress::Call`]; the evaluator runs the procedure on its own machine (fuel, Stop and
//! `time.sleep-ms` work inside it) and hands the result back with [`BtRuntime::resume`].
//! While a tick is suspended the instance is busy: ticking or resetting it again from inside
//! one of its own callbacks is an error. If the evaluation is abandoned (Stop), the
//! suspended tick is discarded the next time the instance is used.
//!
//! `V` is the host's value type (the Lisp value), used for Lisp callbacks and the state a
//! Lisp action keeps in its node memory; [`BtRuntime::host_values`] lists them for the GC.
//!
//! All time is job time, read from the [`Engine`] passed in.

use super::blackboard::{BbEntry, BbValue, Blackboard};
use super::demo::{self, ActFn, CondFn};
use super::events::{Data, EventLog, Severity};
use super::fmt;
use super::leaf::{now_ns, HostLeaves, LeafCx, NoHostLeaves, NodeMem, TickCounters, SLEEP_KIND};
use super::model::{Def, Kind, Lit, Status};
use crate::jobs::Engine;
use crate::lang::fnv;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

/// A registered condition or action.
pub enum Callback<V> {
    DemoCond(CondFn<V>),
    DemoAct(ActFn<V>),
    /// A Lisp condition: `(f inst arg...)`, truthy means success.
    LispCond(V),
    /// A Lisp action: `(tick inst arg...)` returns a status; `(halt inst arg...)` is called
    /// when the node is halted.
    LispAct {
        tick: V,
        halt: Option<V>,
    },
}

impl<V> Callback<V> {
    pub fn is_lisp(&self) -> bool {
        matches!(self, Callback::LispCond(_) | Callback::LispAct { .. })
    }
}

const NONE: u32 = u32::MAX;

/// Conditions and actions by name (two name spaces).
pub struct Registry<V> {
    conds: HashMap<String, u32>,
    acts: HashMap<String, u32>,
    entries: Vec<Callback<V>>,
    /// Bumped when a new name appears (instances re-resolve their leaves).
    gen: u64,
}

impl<V> Registry<V> {
    fn with_demo() -> Registry<V> {
        let mut r = Registry { conds: HashMap::new(), acts: HashMap::new(), entries: Vec::new(), gen: 0 };
        for (name, f) in demo::conditions::<V>() {
            r.set_cond(name, Callback::DemoCond(f));
        }
        for (name, f) in demo::actions::<V>() {
            r.set_act(name, Callback::DemoAct(f));
        }
        r
    }

    fn set_cond(&mut self, name: &str, cb: Callback<V>) {
        match self.conds.get(name) {
            Some(&i) => self.entries[i as usize] = cb,
            None => {
                self.conds.insert(name.to_string(), self.entries.len() as u32);
                self.entries.push(cb);
                self.gen += 1;
            }
        }
    }

    fn set_act(&mut self, name: &str, cb: Callback<V>) {
        match self.acts.get(name) {
            Some(&i) => self.entries[i as usize] = cb,
            None => {
                self.acts.insert(name.to_string(), self.entries.len() as u32);
                self.entries.push(cb);
                self.gen += 1;
            }
        }
    }

    pub fn condition(&self, name: &str) -> Option<&Callback<V>> {
        self.conds.get(name).map(|&i| &self.entries[i as usize])
    }

    pub fn action(&self, name: &str) -> Option<&Callback<V>> {
        self.acts.get(name).map(|&i| &self.entries[i as usize])
    }

    /// Condition names, sorted.
    pub fn condition_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.conds.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Action names, sorted.
    pub fn action_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.acts.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }
}

/// Per-instance counters of `bt.stats` (durations in job-time nanoseconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeStats {
    pub tick_count: u64,
    pub overrun_count: u64,
    pub last_ns: i64,
    pub max_ns: i64,
    pub total_ns: i64,
}

/// Per-node counters of `bt.stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeStats {
    pub ticked: bool,
    pub success: u64,
    pub failure: u64,
    pub running: u64,
    pub last_ns: i64,
    pub max_ns: i64,
}

/// Heap figures the tick audit reports (deltas over the tick), supplied by the host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GcSnap {
    pub total_allocated: u64,
    pub bytes_allocated: u64,
    pub collections: u64,
    pub pause_ns: u64,
    pub live_after_gc: u64,
    pub freed_total: u64,
    pub forced: u64,
    /// `gc.policy` name without the colon (`default`, `fail-on-tick-gc`, ...).
    pub policy: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum Mode {
    #[default]
    Idle,
    Tick,
    Reset,
    /// `bt.halt`: halt the whole tree, keep everything else.
    Halt,
}

/// What the machine does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum Next {
    #[default]
    Idle,
    Enter(u32),
    Deliver(Status),
    /// Return this status from the top frame.
    Return(Status),
    Halt,
}

/// Waiting for a Lisp callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum Await {
    #[default]
    None,
    Leaf(u32),
    Halt(u32),
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    node: u32,
    /// Next child index (composites) or phase.
    idx: u32,
    start_ns: i64,
    /// reactive-seq / reactive-sel: the child remembered as running at entry.
    prev: u32,
    prev_index: u32,
}

#[derive(Default)]
struct Machine {
    mode: Mode,
    next: Next,
    stack: Vec<Frame>,
    halt: Vec<u32>,
    halt_reason: &'static str,
    halt_then: Option<Status>,
    awaiting: Await,
    tick_start_ns: i64,
    current: u32,
    audit: bool,
    node_path: Vec<u32>,
    last_path: Vec<u32>,
    terminal: Option<u32>,
    counters: TickCounters,
    gc_start: GcSnap,
}

/// One instance.
pub struct Instance<V> {
    pub id: u32,
    pub def_id: u32,
    pub def: Rc<Def>,
    pub bb: Blackboard,
    pub mem: Vec<NodeMem<V>>,
    /// Ticks started (never reset).
    pub tick: u64,
    pub stats: TreeStats,
    pub node_stats: Vec<NodeStats>,
    /// Tick budget in ms (0: none); new instances start at 20.
    pub budget_ms: i64,
    halt_warned: Vec<bool>,
    resolved: Vec<u32>,
    resolved_gen: u64,
    machine: Machine,
    busy: Option<Weak<()>>,
    /// The node whose Lisp callback is running, if any.
    pub calling: Option<u32>,
}

impl<V> Instance<V> {
    /// Whether a tick or reset of this instance is in progress (suspended in a callback).
    pub fn is_busy(&self) -> bool {
        self.busy.as_ref().is_some_and(|w| w.upgrade().is_some())
    }

    /// What a leaf of `def` at `node` sees of this instance: its blackboard, node memory and
    /// the running tick's counters, start time and budget.
    fn leaf_cx<'a>(
        &'a mut self,
        def: &'a Rc<Def>,
        node: u32,
        events: &'a mut EventLog,
        engine: &'a mut Engine,
    ) -> LeafCx<'a, V> {
        LeafCx {
            inst: self.id,
            def,
            node,
            tick: self.tick,
            bb: &mut self.bb,
            mem: &mut self.mem,
            events,
            engine,
            counters: &mut self.machine.counters,
            tick_start_ns: self.machine.tick_start_ns,
            budget_ms: self.budget_ms,
        }
    }
}

/// Why the machine is calling Lisp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Condition,
    Action,
    Halt,
}

/// A Lisp call the tick needs: `(callee <instance> arg...)`.
pub struct CallRequest<V> {
    pub callee: V,
    pub inst: u32,
    pub node: u32,
    pub name: String,
    pub args: Vec<Lit>,
    pub purpose: Purpose,
    /// Keep this alive while the call runs; if it is dropped without a resume, the tick is
    /// treated as abandoned.
    pub token: Rc<()>,
}

/// Where a tick or reset stands.
pub enum Progress<V> {
    /// Finished: the root status of a tick, `None` for a reset.
    Done(Option<Status>),
    /// Run this Lisp call, then [`BtRuntime::resume`].
    Call(CallRequest<V>),
}

/// The result of a Lisp call.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Cond(bool),
    Act(Status),
    /// A halt hook returned.
    Halted,
    /// The call raised an error (or an action returned something that is not a status).
    Threw(String),
}

/// The runtime (one per interpreter).
pub struct BtRuntime<V> {
    defs: Vec<Rc<Def>>,
    instances: Vec<Instance<V>>,
    pub registry: Registry<V>,
    pub events: EventLog,
    host: Box<dyn HostLeaves<V>>,
    /// Callback errors to show the user (drained by the host).
    pub notices: Vec<String>,
}

/// Scheduler job kinds `bt.scheduler.stats` counts.
pub const SCHEDULER_KINDS: &[&str] = &[SLEEP_KIND, "vla"];

impl<V: Clone> BtRuntime<V> {
    /// A runtime with the demo callbacks; `start_ms` is the job time (for the run id).
    pub fn new(start_ms: f64) -> BtRuntime<V> {
        BtRuntime {
            defs: Vec::new(),
            instances: Vec::new(),
            registry: Registry::with_demo(),
            events: EventLog::new(start_ms.floor() as i64),
            host: Box::new(NoHostLeaves),
            notices: Vec::new(),
        }
    }

    /// Install the host leaves (`plan-action`, `vla-*`).
    pub fn set_host_leaves(&mut self, host: Box<dyn HostLeaves<V>>) {
        self.host = host;
    }

    pub fn host_leaves(&mut self) -> &mut dyn HostLeaves<V> {
        self.host.as_mut()
    }

    // ---- definitions and instances ----

    /// Store a definition; returns its id (from 1).
    pub fn add_def(&mut self, def: Def) -> u32 {
        self.defs.push(Rc::new(def));
        self.defs.len() as u32
    }

    pub fn def(&self, id: u32) -> Option<&Rc<Def>> {
        self.defs.get((id as usize).checked_sub(1)?)
    }

    pub fn def_count(&self) -> usize {
        self.defs.len()
    }

    pub fn instance(&self, id: u32) -> Option<&Instance<V>> {
        self.instances.get((id as usize).checked_sub(1)?)
    }

    pub fn instance_mut(&mut self, id: u32) -> Option<&mut Instance<V>> {
        self.instances.get_mut((id as usize).checked_sub(1)?)
    }

    pub fn instances(&self) -> &[Instance<V>] {
        &self.instances
    }

    pub fn defs(&self) -> &[Rc<Def>] {
        &self.defs
    }

    /// `bt.new-instance`: logs `bt_def` (and `run_start` the first time).
    pub fn new_instance(&mut self, def_id: u32, now_ms: f64) -> Option<u32> {
        let def = self.def(def_id)?.clone();
        let json = bt_def_json(&def);
        let tree_hash = fnv::tagged(def.tree_hash());
        self.events.ensure_run_started(now_ms, &tree_hash);
        self.events.emit_raw(now_ms, None, 0, "bt_def", json);
        let n = def.nodes.len();
        let id = self.instances.len() as u32 + 1;
        if let Some(tap) = self.events.tap() {
            tap.with(|t| t.instance(id, def_id, &def));
        }
        let mut mem = Vec::with_capacity(n);
        mem.resize_with(n, NodeMem::default);
        self.instances.push(Instance {
            id,
            def_id,
            def,
            bb: Blackboard::new(),
            mem,
            tick: 0,
            stats: TreeStats::default(),
            node_stats: vec![NodeStats::default(); n],
            budget_ms: 20,
            halt_warned: vec![false; n],
            resolved: vec![NONE; n],
            resolved_gen: u64::MAX,
            machine: Machine::default(),
            busy: None,
            calling: None,
        });
        Some(id)
    }

    // ---- callbacks ----

    /// `bt.define-condition`.
    pub fn define_condition(&mut self, name: &str, f: V) {
        self.registry.set_cond(name, Callback::LispCond(f));
    }

    /// `bt.define-action`.
    pub fn define_action(&mut self, name: &str, tick: V, halt: Option<V>) {
        self.registry.set_act(name, Callback::LispAct { tick, halt });
    }

    /// Every host value the runtime holds (GC roots): Lisp callbacks and node memories.
    pub fn host_values(&self) -> impl Iterator<Item = &V> {
        let reg = self.registry.entries.iter().flat_map(|c| match c {
            Callback::LispCond(v) => vec![v],
            Callback::LispAct { tick, halt } => {
                let mut out = vec![tick];
                out.extend(halt.iter());
                out
            }
            _ => Vec::new(),
        });
        let mem = self.instances.iter().flat_map(|i| i.mem.iter().filter_map(|m| m.value.as_ref()));
        reg.chain(mem)
    }

    // ---- blackboard from outside a tick ----

    /// A tick input (`bt.tick` inputs): stamped with the next tick, writer 0 `bt.tick`, no event.
    pub fn put_input(&mut self, inst: u32, key: &str, value: BbValue, now_ns: i64) {
        if let Some(i) = self.instance_mut(inst) {
            let entry =
                BbEntry { value, tick: i.tick + 1, ts_ns: now_ns, writer_node: 0, writer_name: "bt.tick".into() };
            i.bb.put(key, entry);
        }
    }

    /// `bt.blackboard.put`: inside one of the instance's callbacks, a write by that node
    /// (its leaf name as writer, logged as `bb_write`); otherwise like a tick input written
    /// by `bt.blackboard.put`, stamped with the current tick.
    pub fn put_from_lisp(&mut self, inst: u32, key: &str, value: BbValue, engine: &Engine) {
        let Some(i) = self.instances.get_mut((inst as usize).wrapping_sub(1)) else { return };
        let ts = now_ns(engine);
        match i.calling {
            Some(node) => {
                let name = i.def.node(node).name.clone();
                self.events.bb_write(engine.now(), Some(i.tick), inst, key, &value, node);
                i.bb.put(key, BbEntry { value, tick: i.tick, ts_ns: ts, writer_node: node, writer_name: name });
            }
            None => {
                let entry =
                    BbEntry { value, tick: i.tick, ts_ns: ts, writer_node: 0, writer_name: "bt.blackboard.put".into() };
                i.bb.put(key, entry);
            }
        }
    }

    /// The memory value of the node whose Lisp callback is running (`bt.node-memory`).
    pub fn calling_memory(&mut self, inst: u32) -> Option<&mut Option<V>> {
        let i = self.instance_mut(inst)?;
        let node = i.calling?;
        let m = &mut i.mem[node as usize];
        m.exists = true;
        Some(&mut m.value)
    }

    // ---- ticking ----

    /// Mark the instance busy for a tick or reset. `Err` when it is busy already.
    fn claim(&mut self, inst: u32, now_ms: f64) -> Result<Rc<()>, String> {
        let i = self.instances.get_mut((inst as usize).wrapping_sub(1)).ok_or("unknown instance")?;
        if let Some(w) = &i.busy {
            if w.upgrade().is_some() {
                return Err(format!(
                    "<bt_instance:{inst}> is already running a tick (called from one of its own callbacks)"
                ));
            }
            // The evaluation that was running the last tick was abandoned (Stop).
            i.machine = Machine::default();
            i.calling = None;
            self.events.log(
                now_ms,
                Some(i.tick),
                inst,
                Severity::Warn,
                i.def.root,
                "tick abandoned: evaluation stopped inside a callback",
            );
        }
        let token = Rc::new(());
        i.busy = Some(Rc::downgrade(&token));
        Ok(token)
    }

    /// Start a tick (inputs already applied).
    pub fn tick_start(&mut self, inst: u32, engine: &mut Engine, gc: GcSnap) -> Result<Progress<V>, String> {
        let token = self.claim(inst, engine.now())?;
        let audit = self.events.tick_audit();
        let now = engine.now();
        let i = &mut self.instances[inst as usize - 1];
        i.tick += 1;
        let tick = i.tick;
        let root = i.def.root;
        let m = &mut i.machine;
        m.mode = Mode::Tick;
        m.stack.clear();
        m.halt.clear();
        m.halt_then = None;
        m.awaiting = Await::None;
        m.tick_start_ns = now_ns(engine);
        m.current = root;
        m.audit = audit;
        m.node_path.clear();
        m.last_path.clear();
        m.terminal = None;
        m.counters = TickCounters::default();
        m.gc_start = gc.clone();
        m.next = Next::Enter(root);
        self.events.emit(now, Some(tick), inst, Data::TickBegin { budget_ms: i.budget_ms });
        if let Some(full) = self.events.take_snapshot_request() {
            let mut json = String::from("{\"entries\":[");
            let limit = if full { usize::MAX } else { 256 };
            for (k, (key, e)) in i.bb.iter().take(limit).enumerate() {
                if k > 0 {
                    json.push(',');
                }
                json.push('[');
                fmt::push_json_string(&mut json, key);
                json.push(',');
                e.value.push_json(&mut json);
                json.push(']');
            }
            json.push_str("]}");
            self.events.emit_raw(now, Some(tick), inst, "bb_snapshot", json);
        }
        Ok(self.run(inst, engine, &gc, token))
    }

    /// Start `bt.reset`: halt the whole tree (reason `reset`), then clear node memory, host
    /// leaf bookkeeping and the blackboard.
    pub fn reset_start(&mut self, inst: u32, engine: &mut Engine) -> Result<Progress<V>, String> {
        self.halt_tree(inst, engine, Mode::Reset, "reset")
    }

    /// Start `bt.halt` (Granola): halt the whole tree as `bt.reset` does (reason `halt`: host
    /// leaves release their jobs, halt hooks run, node memory is zeroed), but keep the
    /// blackboard and the host leaves' other bookkeeping.
    pub fn halt_start(&mut self, inst: u32, engine: &mut Engine) -> Result<Progress<V>, String> {
        self.halt_tree(inst, engine, Mode::Halt, "halt")
    }

    fn halt_tree(
        &mut self,
        inst: u32,
        engine: &mut Engine,
        mode: Mode,
        reason: &'static str,
    ) -> Result<Progress<V>, String> {
        let token = self.claim(inst, engine.now())?;
        let i = &mut self.instances[inst as usize - 1];
        let root = i.def.root;
        let m = &mut i.machine;
        m.mode = mode;
        m.stack.clear();
        m.halt.clear();
        m.halt.push(root);
        m.halt_reason = reason;
        m.halt_then = None;
        m.awaiting = Await::None;
        m.current = root;
        m.tick_start_ns = now_ns(engine);
        m.next = Next::Halt;
        Ok(self.run(inst, engine, &GcSnap::default(), token))
    }

    /// Continue after a Lisp call.
    pub fn resume(&mut self, inst: u32, answer: Answer, engine: &mut Engine, gc: GcSnap, token: Rc<()>) -> Progress<V> {
        let now = engine.now();
        let Some(i) = self.instances.get_mut((inst as usize).wrapping_sub(1)) else {
            return Progress::Done(None);
        };
        i.calling = None;
        let tick = i.tick;
        match std::mem::take(&mut i.machine.awaiting) {
            Await::Leaf(node) => {
                let n = i.def.node(node);
                let status = match answer {
                    Answer::Cond(b) => {
                        if b {
                            Status::Success
                        } else {
                            Status::Failure
                        }
                    }
                    Answer::Act(s) => s,
                    Answer::Halted => Status::Failure,
                    Answer::Threw(msg) => {
                        let what = if n.kind == Kind::Cond { "condition" } else { "action" };
                        let text = format!("{what} threw: {msg}");
                        self.events.log(now, Some(tick), inst, Severity::Error, node, &text);
                        self.notices.push(format!("bt: node {node} ({}) at tick {tick}: {text}", n.name));
                        Status::Failure
                    }
                };
                i.machine.next = Next::Return(status);
            }
            Await::Halt(node) => {
                let halted = match answer {
                    Answer::Threw(msg) => {
                        let text = format!("halt callback threw for node {node}: {msg}");
                        if !i.halt_warned[node as usize] {
                            i.halt_warned[node as usize] = true;
                            self.events.log(now, Some(tick), inst, Severity::Warn, node, &text);
                        }
                        self.notices.push(format!("bt: {text}"));
                        false
                    }
                    _ => true,
                };
                self.halt_after_hook(inst, node, halted, engine);
                let i = &mut self.instances[inst as usize - 1];
                i.machine.next = Next::Halt;
            }
            Await::None => {}
        }
        self.run(inst, engine, &gc, token)
    }

    /// The second half of halting one node (after its halt hook, if any).
    fn halt_after_hook(&mut self, inst: u32, node: u32, halted: bool, engine: &mut Engine) {
        let BtRuntime { instances, events, .. } = self;
        let i = &mut instances[inst as usize - 1];
        let reason = i.machine.halt_reason;
        let mut counters = TickCounters::default();
        let def = i.def.clone();
        let mut halted = halted;
        {
            let mut cx = LeafCx {
                inst,
                def: &def,
                node,
                tick: i.tick,
                bb: &mut i.bb,
                mem: &mut i.mem,
                events,
                engine,
                counters: &mut counters,
                tick_start_ns: i.machine.tick_start_ns,
                budget_ms: i.budget_ms,
            };
            if !halted {
                halted = demo::cancel_scheduler_leaf(&mut cx, reason);
            }
            if !halted && cx.mem[node as usize].b0 && !i.halt_warned[node as usize] {
                i.halt_warned[node as usize] = true;
                cx.log(Severity::Warn, &format!("halt_subtree: no halt hook/job id for running node {node}"));
            }
        }
        self.finish_halt_item(inst, node);
    }

    fn finish_halt_item(&mut self, inst: u32, node: u32) {
        let i = &mut self.instances[inst as usize - 1];
        let m = &mut i.mem[node as usize];
        if m.exists {
            m.zero();
        }
        let def = i.def.clone();
        for &c in &def.node(node).children {
            i.machine.halt.push(c);
        }
    }

    fn resolve(&mut self, inst: u32, node: u32) -> u32 {
        let reg = &self.registry;
        let i = &mut self.instances[inst as usize - 1];
        if i.resolved_gen != reg.gen {
            for (k, n) in i.def.nodes.iter().enumerate() {
                i.resolved[k] = match n.kind {
                    Kind::Cond => reg.conds.get(&n.name).copied().unwrap_or(NONE),
                    Kind::Act => reg.acts.get(&n.name).copied().unwrap_or(NONE),
                    _ => NONE,
                };
            }
            i.resolved_gen = reg.gen;
        }
        i.resolved[node as usize]
    }

    /// Run the machine until it finishes or needs Lisp.
    fn run(&mut self, inst: u32, engine: &mut Engine, gc: &GcSnap, token: Rc<()>) -> Progress<V> {
        let idx = inst as usize - 1;
        let def = self.instances[idx].def.clone();
        loop {
            let next = std::mem::take(&mut self.instances[idx].machine.next);
            match next {
                Next::Idle => {
                    // Nothing left (should not happen): end quietly.
                    self.instances[idx].busy = None;
                    return Progress::Done(None);
                }
                Next::Enter(node) => {
                    let now = now_ns(engine);
                    let i = &mut self.instances[idx];
                    let m = &mut i.machine;
                    m.current = node;
                    if m.audit {
                        m.node_path.push(node);
                    }
                    m.stack.push(Frame { node, idx: 0, start_ns: now, prev: NONE, prev_index: 0 });
                    let tick = i.tick;
                    self.events.emit(engine.now(), Some(tick), inst, Data::NodeEnter { node });
                    if let Some(call) = self.begin(inst, node, engine, &token) {
                        return Progress::Call(call);
                    }
                }
                Next::Deliver(status) => self.on_child(inst, status),
                Next::Return(status) => {
                    let now = now_ns(engine);
                    let i = &mut self.instances[idx];
                    let Some(frame) = i.machine.stack.pop() else {
                        i.busy = None;
                        return Progress::Done(Some(status));
                    };
                    let node = frame.node;
                    let dur = now - frame.start_ns;
                    let m = &mut i.machine;
                    if m.audit {
                        if m.node_path.len() >= m.last_path.len() {
                            m.last_path.clone_from(&m.node_path);
                            m.terminal = Some(node);
                        }
                        m.node_path.pop();
                    } else {
                        m.terminal = Some(node);
                    }
                    let st = &mut i.node_stats[node as usize];
                    st.ticked = true;
                    match status {
                        Status::Success => st.success += 1,
                        Status::Failure => st.failure += 1,
                        Status::Running => st.running += 1,
                    }
                    st.last_ns = dur;
                    st.max_ns = st.max_ns.max(dur);
                    let tick = i.tick;
                    let t = engine.now();
                    self.events.emit(t, Some(tick), inst, Data::NodeExit { node, status, dur_ns: dur });
                    self.events.emit(t, Some(tick), inst, Data::NodeStatus { node, status, dur_ns: dur });
                    let i = &mut self.instances[idx];
                    match i.machine.stack.last() {
                        Some(parent) => {
                            i.machine.current = parent.node;
                            i.machine.next = Next::Deliver(status);
                        }
                        None => {
                            i.machine.current = def.root;
                            self.finish_tick(inst, status, engine, gc);
                            self.instances[idx].busy = None;
                            return Progress::Done(Some(status));
                        }
                    }
                }
                Next::Halt => {
                    let i = &mut self.instances[idx];
                    match i.machine.halt.pop() {
                        Some(node) => {
                            if let Some(call) = self.halt_node(inst, node, engine, &token) {
                                return Progress::Call(call);
                            }
                            self.instances[idx].machine.next = Next::Halt;
                        }
                        None => {
                            let m = &mut i.machine;
                            if m.mode == Mode::Reset {
                                self.finish_reset(inst);
                                return Progress::Done(None);
                            }
                            if m.mode == Mode::Halt {
                                m.mode = Mode::Idle;
                                i.busy = None;
                                return Progress::Done(None);
                            }
                            m.current = m.stack.last().map_or(def.root, |f| f.node);
                            let then = m.halt_then.take().unwrap_or(Status::Failure);
                            m.next = Next::Return(then);
                        }
                    }
                }
            }
        }
    }

    fn finish_reset(&mut self, inst: u32) {
        let i = &mut self.instances[inst as usize - 1];
        for m in i.mem.iter_mut() {
            *m = NodeMem::default();
        }
        i.halt_warned.iter_mut().for_each(|w| *w = false);
        i.bb.clear();
        i.machine.mode = Mode::Idle;
        i.busy = None;
        self.host.reset(inst);
        if let Some(tap) = self.events.tap() {
            tap.with(|t| t.reset(inst));
        }
    }

    /// Begin halting `targets` (processed first to last), then return `then`.
    fn start_halt(&mut self, inst: u32, targets: &[u32], reason: &'static str, then: Status) {
        let m = &mut self.instances[inst as usize - 1].machine;
        m.halt.clear();
        m.halt.extend(targets.iter().rev());
        m.halt_reason = reason;
        m.halt_then = Some(then);
        m.next = Next::Halt;
    }

    /// Halt one node: host leaves, the action's halt hook (maybe Lisp), scheduler jobs,
    /// zero its memory, queue its children.
    fn halt_node(&mut self, inst: u32, node: u32, engine: &mut Engine, token: &Rc<()>) -> Option<CallRequest<V>> {
        let idx = inst as usize - 1;
        self.instances[idx].machine.current = node;
        let def = self.instances[idx].def.clone();
        let n = def.node(node);
        {
            let BtRuntime { instances, events, host, .. } = self;
            let i = &mut instances[idx];
            let reason = i.machine.halt_reason;
            let mut cx = i.leaf_cx(&def, node, events, engine);
            host.halt(&mut cx, reason);
        }
        if n.kind == Kind::Act && self.instances[idx].mem[node as usize].exists {
            let r = self.resolve(inst, node);
            if r != NONE {
                if let Callback::LispAct { halt: Some(h), .. } = &self.registry.entries[r as usize] {
                    let callee = h.clone();
                    let i = &mut self.instances[idx];
                    i.machine.awaiting = Await::Halt(node);
                    i.calling = Some(node);
                    return Some(CallRequest {
                        callee,
                        inst,
                        node,
                        name: n.name.clone(),
                        args: n.args.clone(),
                        purpose: Purpose::Halt,
                        token: token.clone(),
                    });
                }
            }
            self.halt_after_hook(inst, node, false, engine);
            return None;
        }
        self.finish_halt_item(inst, node);
        None
    }

    /// Enter a node: leaves finish (or call Lisp); composites pick their first child.
    fn begin(&mut self, inst: u32, node: u32, engine: &mut Engine, token: &Rc<()>) -> Option<CallRequest<V>> {
        let idx = inst as usize - 1;
        let def = self.instances[idx].def.clone();
        let n = def.node(node);
        let next = match n.kind {
            Kind::Seq | Kind::Sel | Kind::ReactiveSeq | Kind::Invert | Kind::Retry => {
                let i = &mut self.instances[idx];
                if matches!(n.kind, Kind::Retry | Kind::ReactiveSeq) {
                    i.mem[node as usize].exists = true;
                }
                if n.kind == Kind::ReactiveSeq {
                    let (prev, _) = prior_running(&i.mem[node as usize], &n.children);
                    if let Some(f) = i.machine.stack.last_mut() {
                        f.prev = prev;
                    }
                }
                Next::Enter(n.children[0])
            }
            Kind::ReactiveSel => {
                let i = &mut self.instances[idx];
                let m = &mut i.mem[node as usize];
                m.exists = true;
                let (prev, prev_index) = prior_running(m, &n.children);
                if let Some(f) = i.machine.stack.last_mut() {
                    f.prev = prev;
                    f.prev_index = prev_index;
                }
                Next::Enter(n.children[0])
            }
            Kind::MemSeq | Kind::MemSel | Kind::AsyncSeq => {
                let i = &mut self.instances[idx];
                let m = &mut i.mem[node as usize];
                m.exists = true;
                let start = clamp_index(m.i0, n.children.len());
                if let Some(f) = i.machine.stack.last_mut() {
                    f.idx = start as u32;
                }
                Next::Enter(n.children[start])
            }
            Kind::Repeat => {
                let i = &mut self.instances[idx];
                let m = &mut i.mem[node as usize];
                m.exists = true;
                if m.i0 >= n.int_param {
                    Next::Return(Status::Success)
                } else {
                    Next::Enter(n.children[0])
                }
            }
            Kind::Slot => match n.children.first() {
                Some(&c) => Next::Enter(c),
                None => Next::Return(Status::Failure),
            },
            Kind::Succeed => Next::Return(Status::Success),
            Kind::Fail => Next::Return(Status::Failure),
            Kind::Running => Next::Return(Status::Running),
            Kind::Cond | Kind::Act => {
                let r = self.resolve(inst, node);
                let is_cond = n.kind == Kind::Cond;
                if r == NONE {
                    let what = if is_cond { "condition" } else { "action" };
                    let tick = self.instances[idx].tick;
                    self.events.log(
                        engine.now(),
                        Some(tick),
                        inst,
                        Severity::Error,
                        node,
                        &format!("missing {what} callback: {}", n.name),
                    );
                    Next::Return(Status::Failure)
                } else {
                    if !is_cond {
                        self.instances[idx].mem[node as usize].exists = true;
                    }
                    let lisp = match &self.registry.entries[r as usize] {
                        Callback::LispCond(f) => Some((f.clone(), Purpose::Condition)),
                        Callback::LispAct { tick, .. } => Some((tick.clone(), Purpose::Action)),
                        _ => None,
                    };
                    if let Some((callee, purpose)) = lisp {
                        let i = &mut self.instances[idx];
                        i.machine.awaiting = Await::Leaf(node);
                        i.calling = Some(node);
                        return Some(CallRequest {
                            callee,
                            inst,
                            node,
                            name: n.name.clone(),
                            args: n.args.clone(),
                            purpose,
                            token: token.clone(),
                        });
                    }
                    let BtRuntime { instances, events, registry, .. } = self;
                    let i = &mut instances[idx];
                    let mut cx = i.leaf_cx(&def, node, events, engine);
                    let result = match &registry.entries[r as usize] {
                        Callback::DemoCond(f) => {
                            f(&mut cx, &n.args).map(|b| if b { Status::Success } else { Status::Failure })
                        }
                        Callback::DemoAct(f) => f(&mut cx, &n.args),
                        _ => Ok(Status::Failure),
                    };
                    match result {
                        Ok(s) => Next::Return(s),
                        Err(msg) => {
                            let what = if is_cond { "condition" } else { "action" };
                            cx.log(Severity::Error, &format!("{what} threw: {msg}"));
                            Next::Return(Status::Failure)
                        }
                    }
                }
            }
            Kind::PlanAction | Kind::VlaRequest | Kind::VlaWait | Kind::VlaCancel => {
                let BtRuntime { instances, events, host, .. } = self;
                let i = &mut instances[idx];
                let mut cx = i.leaf_cx(&def, node, events, engine);
                Next::Return(host.tick(&mut cx))
            }
        };
        self.instances[idx].machine.next = next;
        None
    }

    /// A child of the top frame returned `st`.
    fn on_child(&mut self, inst: u32, st: Status) {
        let idx = inst as usize - 1;
        let i = &mut self.instances[idx];
        let def = i.def.clone();
        let Some(frame) = i.machine.stack.last_mut() else { return };
        let node = frame.node;
        let n = def.node(node);
        let k = frame.idx as usize;
        let len = n.children.len();
        let mem = &mut i.mem[node as usize];
        use Status::*;
        let next = match n.kind {
            Kind::Seq | Kind::Sel => {
                let (stop, done) = if n.kind == Kind::Seq { (Failure, Success) } else { (Success, Failure) };
                if st == stop || st == Running {
                    Next::Return(st)
                } else if k + 1 < len {
                    frame.idx += 1;
                    Next::Enter(n.children[k + 1])
                } else {
                    Next::Return(done)
                }
            }
            Kind::MemSeq => match st {
                Running | Failure => {
                    mem.i0 = k as i64;
                    Next::Return(st)
                }
                Success if k + 1 < len => {
                    frame.idx += 1;
                    Next::Enter(n.children[k + 1])
                }
                Success => {
                    mem.i0 = 0;
                    self.start_halt(inst, &n.children, "mem-seq complete", Success);
                    return;
                }
            },
            Kind::MemSel => match st {
                Success => {
                    mem.i0 = 0;
                    mem.b0 = false;
                    self.start_halt(inst, &n.children, "mem-sel success", Success);
                    return;
                }
                Running => {
                    mem.i0 = k as i64;
                    mem.b0 = true;
                    Next::Return(Running)
                }
                Failure if k + 1 < len => {
                    frame.idx += 1;
                    Next::Enter(n.children[k + 1])
                }
                Failure => {
                    mem.i0 = 0;
                    mem.b0 = false;
                    Next::Return(Failure)
                }
            },
            Kind::AsyncSeq => match st {
                Running => {
                    mem.i0 = k as i64;
                    Next::Return(Running)
                }
                Failure => {
                    mem.i0 = 0;
                    Next::Return(Failure)
                }
                Success if k + 1 >= len => {
                    mem.i0 = 0;
                    self.start_halt(inst, &n.children, "async-seq complete", Success);
                    return;
                }
                Success => {
                    mem.i0 = k as i64 + 1;
                    Next::Return(Running)
                }
            },
            Kind::ReactiveSeq => {
                let prev = frame.prev;
                let child = n.children[k];
                match st {
                    Failure => {
                        mem.b0 = false;
                        mem.i0 = 0;
                        if prev != NONE {
                            self.start_halt(inst, &[prev], "reactive-seq preempted on failure", Failure);
                            return;
                        }
                        Next::Return(Failure)
                    }
                    Running => {
                        mem.b0 = true;
                        mem.i0 = k as i64;
                        if prev != NONE && prev != child {
                            self.start_halt(inst, &[prev], "reactive-seq switched running child", Running);
                            return;
                        }
                        Next::Return(Running)
                    }
                    Success if k + 1 < len => {
                        frame.idx += 1;
                        Next::Enter(n.children[k + 1])
                    }
                    Success => {
                        mem.b0 = false;
                        mem.i0 = 0;
                        if prev != NONE {
                            self.start_halt(inst, &[prev], "reactive-seq completed", Success);
                            return;
                        }
                        Next::Return(Success)
                    }
                }
            }
            Kind::ReactiveSel => {
                let prev = frame.prev;
                let prev_index = frame.prev_index as usize;
                let child = n.children[k];
                match st {
                    Failure if k + 1 < len => {
                        frame.idx += 1;
                        Next::Enter(n.children[k + 1])
                    }
                    Failure => {
                        mem.b0 = false;
                        mem.i0 = 0;
                        if prev != NONE {
                            self.start_halt(inst, &[prev], "reactive-sel all failed", Failure);
                            return;
                        }
                        Next::Return(Failure)
                    }
                    Success | Running => {
                        if st == Running {
                            mem.b0 = true;
                            mem.i0 = k as i64;
                        } else {
                            mem.b0 = false;
                            mem.i0 = 0;
                        }
                        if prev != NONE && prev_index > k && prev != child {
                            self.start_halt(inst, &[prev], "reactive-sel switched to higher priority", st);
                            return;
                        }
                        Next::Return(st)
                    }
                }
            }
            Kind::Invert => Next::Return(match st {
                Success => Failure,
                Failure => Success,
                Running => Running,
            }),
            Kind::Repeat => match st {
                Failure | Running => Next::Return(st),
                Success => {
                    mem.i0 += 1;
                    Next::Return(if mem.i0 >= n.int_param { Success } else { Running })
                }
            },
            Kind::Retry => match st {
                Success => {
                    mem.i0 = 0;
                    Next::Return(Success)
                }
                Running => Next::Return(Running),
                Failure => {
                    mem.i0 += 1;
                    Next::Return(if mem.i0 <= n.int_param { Running } else { Failure })
                }
            },
            Kind::Slot => Next::Return(st),
            _ => Next::Return(st),
        };
        self.instances[idx].machine.next = next;
    }

    fn finish_tick(&mut self, inst: u32, status: Status, engine: &mut Engine, gc_end: &GcSnap) {
        let idx = inst as usize - 1;
        let now = engine.now();
        let end_ns = now_ns(engine);
        let BtRuntime { instances, events, host, .. } = self;
        let i = &mut instances[idx];
        let tick = i.tick;
        let elapsed = end_ns - i.machine.tick_start_ns;
        let budget_ns = i.budget_ms.saturating_mul(1_000_000);
        let s = &mut i.stats;
        s.tick_count += 1;
        s.last_ns = elapsed;
        s.max_ns = s.max_ns.max(elapsed);
        s.total_ns = s.total_ns.saturating_add(elapsed);
        let missed = budget_ns > 0 && elapsed > budget_ns;
        let root = i.def.root;
        let elapsed_ms = elapsed as f64 / 1e6;
        let budget_ms = i.budget_ms as f64;
        if missed {
            s.overrun_count += 1;
            events.log(now, Some(tick), inst, Severity::Warn, root, "tick budget overrun");
            events.emit_raw(
                now,
                Some(tick),
                inst,
                "budget_warning",
                format!(
                    "{{\"decision_point\":\"tick_end\",\"remaining_ms\":{},\"threshold_ms\":0,\"reason\":\"tick_budget_overrun\"}}",
                    fmt::cpp_double(budget_ms - elapsed_ms)
                ),
            );
            events.emit_raw(
                now,
                Some(tick),
                inst,
                "deadline_exceeded",
                format!(
                    "{{\"source\":\"tick_end\",\"tick_budget_ms\":{},\"tick_elapsed_ms\":{}}}",
                    fmt::cpp_double(budget_ms),
                    fmt::cpp_double(elapsed_ms)
                ),
            );
            let def = i.def.clone();
            let mut cx = i.leaf_cx(&def, root, events, engine);
            host.overrun(&mut cx);
        }
        let now = engine.now();
        if let Some(tap) = events.tap() {
            tap.with(|t| t.tick_end(inst, tick, &i.bb));
        }
        events.emit(now, Some(tick), inst, Data::TickEnd { status, tick_ns: elapsed, budget_ms: i.budget_ms });
        events.emit(now, Some(tick), inst, Data::TickOutcome { missed, node: i.machine.terminal });
        if events.tick_audit() {
            let json = audit_json(i, events, host.active_jobs(inst), status, elapsed, missed, gc_end);
            events.emit_raw(now, Some(tick), inst, "tick_audit", json);
        }
        i.machine.mode = Mode::Idle;
    }

    // ---- text reports ----

    /// `bt.stats`.
    pub fn stats_text(&self, inst: u32) -> Option<String> {
        let i = self.instance(inst)?;
        let s = &i.stats;
        let mut out = format!(
            "tick_count={}\ntick_overrun_count={}\ntick_last_ns={}\ntick_max_ns={}\ntick_total_ns={}\n",
            s.tick_count, s.overrun_count, s.last_ns, s.max_ns, s.total_ns
        );
        for (id, st) in i.node_stats.iter().enumerate() {
            if !st.ticked {
                continue;
            }
            out.push_str(&format!(
                "node {id} ({}) success={} failure={} running={} last_ns={} max_ns={}\n",
                i.def.nodes[id].display_name(id as u32),
                st.success,
                st.failure,
                st.running,
                st.last_ns,
                st.max_ns
            ));
        }
        Some(out)
    }
}

/// `bt.scheduler.stats`: `async-sleep-ms` and VLA jobs on the engine.
pub fn scheduler_stats(engine: &Engine) -> String {
    let (mut submitted, mut started, mut completed, mut failed, mut cancelled) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut last_start: Option<(f64, u64, f64)> = None;
    let mut last_finish: Option<(f64, u64, f64)> = None;
    for j in engine.jobs() {
        if !SCHEDULER_KINDS.contains(&j.kind) {
            continue;
        }
        // Requests rejected at submission never reach a worker and are not counted.
        if j.state.is_terminal() && j.started_at.is_none() && !j.cancel_requested {
            continue;
        }
        submitted += 1;
        if let Some(s) = j.started_at {
            started += 1;
            if last_start.is_none_or(|(t, id, _)| (s, j.id) >= (t, id)) {
                last_start = Some((s, j.id, s - j.submitted_at));
            }
            if let Some(f) = j.finished_at {
                if last_finish.is_none_or(|(t, id, _)| (f, j.id) >= (t, id)) {
                    last_finish = Some((f, j.id, f - s));
                }
            }
        }
        match j.state {
            crate::jobs::State::Done => completed += 1,
            crate::jobs::State::Failed | crate::jobs::State::TimedOut => failed += 1,
            crate::jobs::State::Cancelled => cancelled += 1,
            _ => {}
        }
    }
    let ns = |ms: f64| (ms * 1e6) as i64;
    format!(
        "submitted={submitted}\nstarted={started}\ncompleted={completed}\nfailed={failed}\ncancelled={cancelled}\nqueue_delay_last_ns={}\nrun_time_last_ns={}\n",
        last_start.map_or(0, |(_, _, d)| ns(d)),
        last_finish.map_or(0, |(_, _, d)| ns(d))
    )
}

/// The child remembered as running by a reactive node: (node id or NONE, raw index or len).
fn prior_running<V>(m: &NodeMem<V>, children: &[u32]) -> (u32, u32) {
    let len = children.len() as u32;
    if !m.b0 || m.i0 < 0 {
        return (NONE, len);
    }
    let idx = m.i0 as usize;
    match children.get(idx) {
        Some(&c) => (c, idx as u32),
        None => (NONE, len),
    }
}

fn clamp_index(raw: i64, len: usize) -> usize {
    if raw < 0 || raw as usize >= len {
        0
    } else {
        raw as usize
    }
}

/// The `bt_def` payload.
pub fn bt_def_json(def: &Def) -> String {
    let mut s = String::from("{\"tree_name\":\"bt\",\"dsl\":");
    match &def.canonical {
        Some(c) => fmt::push_json_string(&mut s, &c.dsl),
        None => s.push_str("\"<runtime-definition>\""),
    }
    s.push_str(",\"tree_hash\":\"");
    s.push_str(&fnv::tagged(def.tree_hash()));
    s.push('"');
    if let Some(c) = &def.canonical {
        s.push_str(&format!(
            ",\"source_hash\":\"{}\",\"canonical_dsl_hash\":\"{}\"",
            fnv::tagged(c.source_hash),
            fnv::tagged(c.dsl_hash)
        ));
    }
    s.push_str(",\"nodes\":[");
    for (i, n) in def.nodes.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("{{\"id\":{i},\"kind\":\"{}\",\"name\":", n.kind.event_name()));
        fmt::push_json_string(&mut s, &n.display_name(i as u32));
        s.push('}');
    }
    s.push_str("],\"edges\":[");
    let mut first = true;
    for (p, n) in def.nodes.iter().enumerate() {
        for (k, c) in n.children.iter().enumerate() {
            if !first {
                s.push(',');
            }
            first = false;
            s.push_str(&format!("{{\"parent\":{p},\"child\":{c},\"index\":{k}}}"));
        }
    }
    s.push_str("]}");
    s
}

fn audit_json<V>(
    i: &Instance<V>,
    events: &EventLog,
    active_jobs: usize,
    status: Status,
    elapsed_ns: i64,
    missed: bool,
    gc_end: &GcSnap,
) -> String {
    let m = &i.machine;
    let g0 = &m.gc_start;
    let d = |a: u64, b: u64| a.saturating_sub(b);
    let live_delta = gc_end.bytes_allocated as i64 - g0.bytes_allocated as i64;
    let collections = d(gc_end.collections, g0.collections);
    let violation = if collections > 0 {
        "tick_gc"
    } else if missed {
        "deadline"
    } else {
        "none"
    };
    let path = if m.last_path.is_empty() { &m.node_path } else { &m.last_path };
    let path_text: Vec<String> = path.iter().map(|n| n.to_string()).collect();
    let mut s = format!(
        "{{\"schema_version\":\"tick_audit.v1\",\"tick_id\":{},\"measurement_window\":\"tick_pre_begin_to_tick_end_pre_audit\",\"allocation_count\":{},\"allocation_bytes\":{},\"heap_live_bytes_before\":{},\"heap_live_bytes_after\":{},\"heap_live_bytes_delta\":{},\"gc_collections_delta\":{},\"gc_pause_ns_delta\":{},\"gc_live_objects_after\":{},\"gc_freed_objects_delta\":{},\"gc_forced\":{},\"root_node_id\":{},\"root_status\":\"{}\",\"node_path\":[{}]",
        i.tick,
        d(gc_end.total_allocated, g0.total_allocated),
        live_delta.max(0),
        g0.bytes_allocated,
        gc_end.bytes_allocated,
        live_delta,
        collections,
        d(gc_end.pause_ns, g0.pause_ns),
        gc_end.live_after_gc,
        d(gc_end.freed_total, g0.freed_total),
        d(gc_end.forced, g0.forced) > 0,
        i.def.root,
        status.name(),
        path_text.join(",")
    );
    if let Some(t) = m.terminal {
        s.push_str(&format!(",\"terminal_node_id\":{t}"));
    }
    s.push_str(&format!(
        ",\"active_async_jobs\":{active_jobs},\"planner_calls\":{},\"vla_submits\":{},\"vla_polls\":{},\"fallback_used\":false,\"deadline_missed\":{missed}",
        m.counters.planner_calls, m.counters.vla_submits, m.counters.vla_polls
    ));
    if i.budget_ms > 0 {
        s.push_str(&format!(",\"tick_budget_ms\":{}", fmt::cpp_double(i.budget_ms as f64)));
    }
    let sink = if !events.enabled() {
        "disabled"
    } else if events.file().is_some() {
        "file"
    } else if events.ring_capacity() > 0 {
        "ring"
    } else {
        "disabled"
    };
    let flush = if !events.enabled() {
        "none"
    } else if events.flush_each() {
        "each_message"
    } else {
        "tick_end"
    };
    s.push_str(&format!(
        ",\"tick_elapsed_ns\":{elapsed_ns},\"violation\":\"{violation}\",\"logging_mode\":{{\"enabled\":{},\"sink\":\"{sink}\",\"flush_policy\":\"{flush}\",\"includes_canonical_events_in_window\":true",
        events.enabled()
    ));
    if events.ring_capacity() > 0 {
        s.push_str(&format!(",\"ring_size\":{}", events.ring_capacity()));
    }
    if let Some(f) = events.file() {
        s.push_str(",\"event_log_path\":");
        fmt::push_json_string(&mut s, &f.path);
    }
    let policy = if gc_end.policy.is_empty() { "default" } else { gc_end.policy.as_str() };
    s.push_str(&format!(
        "}},\"audit_mode\":{{\"enabled\":true,\"strict_allocations\":false,\"strict_gc\":{},\"warmup_complete\":false,\"allowed_allocation_count\":0,\"allowed_allocation_bytes\":0,\"gc_policy\":\"{policy}\"}}}}",
        policy == "fail-on-tick-gc"
    ));
    s
}
