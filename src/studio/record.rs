//! The recording behind the tree view's time travel: a [`Recorder`] is the runtime's
//! [`Tap`], so it sees every record as it is emitted (whatever the event ring keeps), every
//! new instance and each instance's blackboard at the end of every tick, and keeps, per tree,
//! a compact history of its ticks.
//!
//! Per tick it keeps the node trace (one `u32` per `node_enter` and per `node_exit`, the
//! `node_status` twin implied), the non-zero durations, the other records of the tick in
//! full (`tick_begin`, `bb_write`, `error`, `vla_submit`, ...) and the blackboard's changes
//! since the tick before (with checkpoints every [`CHECKPOINT_EVERY`] ticks, so the
//! blackboard of any tick is rebuilt from at most that many changes).
//!
//! **Bounds.** A tree keeps at most [`MAX_TICKS`] ticks, and a recorder (one program run, all
//! its trees) about [`MAX_BYTES`] of records; past either bound the oldest ticks are dropped
//! (from the tree that holds the most). A 500-node tree whose every node runs every tick
//! costs about 4.4 KB per tick (8 bytes per node visit, plus the tick's other records), so it
//! keeps its last ~7,600 ticks; a 50-node tree keeps the full 20,000 (tested in
//! `studio::tests::a_500_node_tree_costs_about_4_kb_per_tick`).

use crate::lang::fnv;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::rc::Rc;

use crate::bt::blackboard::{BbValue, Blackboard};
use crate::bt::events::{format_line, Data, Event, EventLog, Tap};
use crate::bt::model::{Def, Status};

use super::shape::{Family, TreeShape};

/// Most ticks one tree keeps.
pub const MAX_TICKS: usize = 20_000;
/// About how many bytes of records one recorder keeps.
pub const MAX_BYTES: usize = 32 << 20;
/// A full blackboard copy is kept after every this many ticks.
pub const CHECKPOINT_EVERY: u64 = 64;

/// A blackboard entry as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct BbRec {
    pub value: BbValue,
    pub writer_node: u32,
    pub writer_name: String,
    /// The tick of the write.
    pub tick: u64,
}

impl BbRec {
    fn bytes(&self) -> usize {
        let v = match &self.value {
            BbValue::Str(s) => s.len(),
            BbValue::FloatVec(v) => v.len() * 8,
            _ => 0,
        };
        64 + v + self.writer_name.len()
    }
}

/// A blackboard as of some tick, in key order.
pub type Bb = BTreeMap<String, BbRec>;

#[derive(Clone, Debug, PartialEq)]
enum BbChange {
    Set(String, BbRec),
    Remove(String),
}

/// Trace codes: `node << 2 | code`, code 0 = enter, 1..3 = exit with success/failure/running.
fn exit_code(s: Status) -> u32 {
    match s {
        Status::Success => 1,
        Status::Failure => 2,
        Status::Running => 3,
    }
}

fn code_status(c: u32) -> Option<Status> {
    match c & 3 {
        1 => Some(Status::Success),
        2 => Some(Status::Failure),
        3 => Some(Status::Running),
        _ => None,
    }
}

/// One recorded tick.
#[derive(Clone, Debug)]
pub struct TickRec {
    pub tick: u64,
    /// Job time (ms) at `tick_begin`.
    pub unix_ms: i64,
    /// The root status (`None`: the tick did not finish, e.g. stopped inside a callback).
    pub root: Option<Status>,
    /// `bt.reset` ran between the tick before and this one.
    pub reset_before: bool,
    trace: Vec<u32>,
    durs: Vec<(u32, i64)>,
    /// Other records, each with the trace position it came before.
    other: Vec<(u32, Event)>,
    bb: Vec<BbChange>,
    bytes: usize,
}

impl TickRec {
    fn new(tick: u64, unix_ms: i64, reset_before: bool) -> TickRec {
        TickRec {
            tick,
            unix_ms,
            root: None,
            reset_before,
            trace: Vec::new(),
            durs: Vec::new(),
            other: Vec::new(),
            bb: Vec::new(),
            bytes: 96,
        }
    }

    /// Node visits (exits) in this tick.
    pub fn visits(&self) -> usize {
        self.trace.iter().filter(|c| *c & 3 != 0).count()
    }
}

fn payload_bytes(d: &Data) -> usize {
    match d {
        Data::BbWrite { key, value_json, .. } => key.len() + value_json.len(),
        Data::BbDelete { key, .. } => key.len(),
        Data::Log { message, .. } => message.len(),
        Data::Raw { json, kind } => json.len() + kind.len(),
        _ => 0,
    }
}

/// One line of a tick's event list.
#[derive(Clone, Debug, PartialEq)]
pub struct EventLine {
    /// The record type (`node_exit`, `bb_write`, ...).
    pub kind: String,
    /// The node it concerns, if any.
    pub node: Option<u32>,
    /// Its data, as the log line's `data` object.
    pub data: String,
}

/// What the VLA leaves of a tree waited on: per node, (first tick seen, job id).
type JobHistory = HashMap<u32, Vec<(u64, i64)>>;

/// The recorded history of one tree (one instance).
#[derive(Clone)]
pub struct Recording {
    /// The live instance id (for loaded logs: the order the instance appeared in).
    pub inst: u32,
    pub def_id: u32,
    pub shape: Rc<TreeShape>,
    def_event: Option<Event>,
    ticks: VecDeque<TickRec>,
    /// The blackboard before the first kept tick.
    base: Bb,
    checkpoints: VecDeque<(u64, Rc<Bb>)>,
    /// The blackboard after the last tick (or empty after a reset).
    cur: Bb,
    reset_pending: bool,
    /// Ticks dropped from the front so far.
    pub dropped: u64,
    jobs: JobHistory,
    /// Per planner node: the last summary line it logged, with its tick.
    plans: HashMap<u32, Vec<(u64, String)>>,
    bytes: usize,
}

impl Recording {
    fn new(inst: u32, def_id: u32, def: &Rc<Def>, def_event: Option<Event>) -> Recording {
        Recording {
            inst,
            def_id,
            shape: Rc::new(TreeShape::from_def(def.clone())),
            def_event,
            ticks: VecDeque::new(),
            base: Bb::new(),
            checkpoints: VecDeque::new(),
            cur: Bb::new(),
            reset_pending: false,
            dropped: 0,
            jobs: HashMap::new(),
            plans: HashMap::new(),
            bytes: 0,
        }
    }

    /// Recorded ticks kept.
    pub fn len(&self) -> usize {
        self.ticks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ticks.is_empty()
    }

    /// About how many bytes this tree's records take.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The `i`-th kept tick (0 = oldest kept).
    pub fn tick(&self, i: usize) -> Option<&TickRec> {
        self.ticks.get(i)
    }

    /// The index of tick number `tick`.
    pub fn index_of(&self, tick: u64) -> Option<usize> {
        self.ticks.binary_search_by_key(&tick, |t| t.tick).ok()
    }

    fn last_for(&mut self, tick: Option<u64>) -> Option<&mut TickRec> {
        let last = self.ticks.back_mut()?;
        match tick {
            Some(t) if t != last.tick => None,
            _ => Some(last),
        }
    }

    /// Record one event; returns the bytes it added.
    fn record(&mut self, ev: &Event) -> usize {
        match &ev.data {
            Data::TickBegin { .. } => {
                let reset = std::mem::take(&mut self.reset_pending);
                let mut t = TickRec::new(ev.tick.unwrap_or(0), ev.unix_ms, reset);
                t.other.push((0, ev.clone()));
                let b = t.bytes + std::mem::size_of::<(u32, Event)>();
                t.bytes = b;
                self.ticks.push_back(t);
                self.bytes += b;
                b
            }
            Data::NodeEnter { node } => self.push_trace(ev.tick, node << 2, 0),
            Data::NodeExit { node, status, dur_ns } => {
                self.push_trace(ev.tick, node << 2 | exit_code(*status), *dur_ns)
            }
            Data::NodeStatus { .. } => 0,
            data => {
                if let Data::Log { node, message, .. } = data {
                    let planner = self.shape.node(*node).is_some_and(|n| n.family == Family::Planner);
                    if planner {
                        let h = self.plans.entry(*node).or_default();
                        h.push((ev.tick.unwrap_or(0), message.to_string()));
                        if h.len() > 256 {
                            h.remove(0);
                        }
                    }
                }
                let done = matches!(data, Data::TickEnd { .. });
                let b = std::mem::size_of::<(u32, Event)>() + payload_bytes(data);
                // Records after a tick's end (halts of bt.halt/bt.reset carry the tick number
                // of the tick before) go with that tick.
                let Some(last) = self.ticks.back_mut() else { return 0 };
                if let Data::TickEnd { status, .. } = data {
                    if ev.tick == Some(last.tick) {
                        last.root = Some(*status);
                    }
                }
                last.other.push((last.trace.len() as u32, ev.clone()));
                last.bytes += b;
                if done {
                    last.trace.shrink_to_fit();
                    last.other.shrink_to_fit();
                }
                self.bytes += b;
                b
            }
        }
    }

    fn push_trace(&mut self, tick: Option<u64>, code: u32, dur: i64) -> usize {
        let Some(last) = self.last_for(tick) else { return 0 };
        if dur != 0 {
            last.durs.push((last.trace.len() as u32, dur));
            last.bytes += 16;
        }
        last.trace.push(code);
        last.bytes += 4;
        self.bytes += if dur != 0 { 20 } else { 4 };
        if dur != 0 {
            20
        } else {
            4
        }
    }

    /// The end of a tick: the blackboard's changes, job ids, a checkpoint now and then.
    fn tick_end(&mut self, tick: u64, bb: &Blackboard) -> usize {
        let mut changes = Vec::new();
        let mut seen = 0usize;
        for (k, e) in bb.iter() {
            seen += 1;
            let same = self.cur.get(k).is_some_and(|r| {
                r.tick == e.tick
                    && r.writer_node == e.writer_node
                    && r.value == e.value
                    && r.writer_name == e.writer_name
            });
            if !same {
                let rec = BbRec {
                    value: e.value.clone(),
                    writer_node: e.writer_node,
                    writer_name: e.writer_name.clone(),
                    tick: e.tick,
                };
                self.cur.insert(k.to_string(), rec.clone());
                changes.push(BbChange::Set(k.to_string(), rec));
            }
        }
        if seen != self.cur.len() {
            let gone: Vec<String> = self.cur.keys().filter(|k| bb.get(k).is_none()).cloned().collect();
            for k in gone {
                self.cur.remove(&k);
                changes.push(BbChange::Remove(k));
            }
        }
        // VLA leaves: which job their key holds now.
        for n in self.shape.nodes.iter().filter(|n| n.family == crate::studio::shape::Family::Vla) {
            let Some(key) = &n.job_key else { continue };
            if let Some(BbValue::Int(id)) = bb.get(key).map(|e| &e.value) {
                let h = self.jobs.entry(n.id).or_default();
                if h.last().map(|x| x.1) != Some(*id) {
                    h.push((tick, *id));
                    if h.len() > 4096 {
                        h.remove(0);
                    }
                }
            }
        }
        let mut added: usize = changes
            .iter()
            .map(|c| match c {
                BbChange::Set(k, r) => k.len() + r.bytes(),
                BbChange::Remove(k) => k.len() + 32,
            })
            .sum();
        let Some(last) = self.ticks.back_mut().filter(|t| t.tick == tick) else { return 0 };
        last.bb = changes;
        last.bytes += added;
        let due = self.checkpoints.back().map_or(tick >= CHECKPOINT_EVERY, |(t, _)| tick >= t + CHECKPOINT_EVERY);
        if due {
            let size: usize = self.cur.iter().map(|(k, r)| k.len() + r.bytes()).sum();
            self.checkpoints.push_back((tick, Rc::new(self.cur.clone())));
            added += size;
            last.bytes += size;
        }
        self.bytes += added;
        added
    }

    fn reset(&mut self) {
        self.cur.clear();
        self.reset_pending = true;
    }

    /// Drop the oldest tick; returns the bytes freed.
    fn pop_front(&mut self) -> usize {
        let Some(t) = self.ticks.pop_front() else { return 0 };
        apply(&mut self.base, &t);
        while self.checkpoints.front().is_some_and(|(ck, _)| *ck <= t.tick) {
            self.checkpoints.pop_front();
        }
        self.dropped += 1;
        self.bytes = self.bytes.saturating_sub(t.bytes);
        t.bytes
    }

    /// Each node's status in tick `i` (its last exit; `None`: not ticked).
    pub fn statuses(&self, i: usize) -> Vec<Option<Status>> {
        let mut out = vec![None; self.shape.len()];
        if let Some(t) = self.ticks.get(i) {
            for &c in &t.trace {
                if let (Some(s), Some(slot)) = (code_status(c), out.get_mut((c >> 2) as usize)) {
                    *slot = Some(s);
                }
            }
        }
        out
    }

    /// The (parent, child) edges tick `i` went down, in order.
    pub fn path(&self, i: usize) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut stack: Vec<u32> = Vec::new();
        if let Some(t) = self.ticks.get(i) {
            for &c in &t.trace {
                let node = c >> 2;
                if c & 3 == 0 {
                    if let Some(&p) = stack.last() {
                        out.push((p, node));
                    }
                    stack.push(node);
                } else {
                    stack.pop();
                }
            }
        }
        out
    }

    /// The blackboard as it was at the end of tick `i`.
    pub fn bb_at(&self, i: usize) -> Bb {
        let Some(target) = self.ticks.get(i) else { return self.cur.clone() };
        let ck = self.checkpoints.iter().rev().find(|(t, _)| *t <= target.tick);
        let (mut state, from) = match ck {
            Some((t, bb)) => ((**bb).clone(), self.index_of(*t).map_or(0, |j| j + 1)),
            None => (self.base.clone(), 0),
        };
        for t in self.ticks.range(from..=i) {
            apply(&mut state, t);
        }
        state
    }

    /// The current blackboard (after the last tick; empty after a reset).
    pub fn bb_now(&self) -> &Bb {
        &self.cur
    }

    /// Keys whose entry changed in tick `i` (written by a node, a tick input, or removed).
    pub fn changed_keys(&self, i: usize) -> Vec<String> {
        self.ticks
            .get(i)
            .map(|t| {
                t.bb.iter()
                    .map(|c| match c {
                        BbChange::Set(k, _) | BbChange::Remove(k) => k.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The records of tick `i`, in order (at most `limit`), and how many there are in all.
    pub fn events(&self, i: usize, limit: usize) -> (Vec<EventLine>, usize) {
        self.events_from(i, 0, limit)
    }

    /// How many records tick `i` has (without building them).
    pub fn event_count(&self, i: usize) -> usize {
        self.ticks.get(i).map_or(0, |t| t.other.len() + t.trace.len())
    }

    /// The records of tick `i` from the `skip`-th on (at most `limit`: a view shows only the
    /// rows in sight, so only those are built), and how many there are in all.
    pub fn events_from(&self, i: usize, skip: usize, limit: usize) -> (Vec<EventLine>, usize) {
        let mut out = Vec::new();
        let mut total = 0usize;
        let Some(t) = self.ticks.get(i) else { return (out, 0) };
        let mut push = |line: &dyn Fn() -> EventLine| {
            if total >= skip && out.len() < limit {
                out.push(line());
            }
            total += 1;
        };
        let mut oi = 0usize;
        let mut di = 0usize;
        for pos in 0..=t.trace.len() {
            while let Some((_, ev)) = t.other.get(oi).filter(|(p, _)| *p as usize == pos) {
                push(&|| EventLine {
                    kind: ev.data.type_name().to_string(),
                    node: event_node(&ev.data),
                    data: ev.data.json(),
                });
                oi += 1;
            }
            let Some(&c) = t.trace.get(pos) else { break };
            let node = c >> 2;
            let dur = match t.durs.get(di) {
                Some(&(at, d)) if at as usize == pos => {
                    di += 1;
                    d
                }
                _ => 0,
            };
            match code_status(c) {
                None => push(&|| EventLine {
                    kind: "node_enter".into(),
                    node: Some(node),
                    data: Data::NodeEnter { node }.json(),
                }),
                Some(status) => push(&|| EventLine {
                    kind: "node_exit".into(),
                    node: Some(node),
                    data: Data::NodeExit { node, status, dur_ns: dur }.json(),
                }),
            }
        }
        // Records stored after the last trace position.
        for (_, ev) in t.other.iter().skip(oi) {
            push(&|| EventLine {
                kind: ev.data.type_name().to_string(),
                node: event_node(&ev.data),
                data: ev.data.json(),
            });
        }
        (out, total)
    }

    /// The first kept tick whose root failed, else the first in which any node failed.
    pub fn first_failure(&self) -> Option<usize> {
        self.ticks.iter().position(|t| t.root == Some(Status::Failure)).or_else(|| {
            self.ticks.iter().position(|t| t.trace.iter().any(|&c| code_status(c) == Some(Status::Failure)))
        })
    }

    /// The job a VLA node's key held at the end of tick `i` or last before it.
    pub fn job_at(&self, node: u32, i: usize) -> Option<i64> {
        let tick = self.ticks.get(i).map_or(u64::MAX, |t| t.tick);
        let h = self.jobs.get(&node)?;
        h.iter().rev().find(|(t, _)| *t <= tick).map(|x| x.1)
    }

    /// A planner node's last logged summary at or before tick `i`.
    pub fn plan_at(&self, node: u32, i: usize) -> Option<&str> {
        let tick = self.ticks.get(i).map_or(u64::MAX, |t| t.tick);
        self.plans.get(&node)?.iter().rev().find(|(t, _)| *t <= tick).map(|x| x.1.as_str())
    }

    /// The recorded run as an `mbt.evt.v1` log: `run_start` (when given), this tree's
    /// `bt_def`, then every kept tick's records. Sequence numbers are counted afresh from 1;
    /// node records carry the time of the record before them.
    pub fn log_text(&self, run_id: &str, run_start: Option<&Event>) -> String {
        let mut out = String::new();
        let mut seq = 0u64;
        let mut line = |ev: &Event, out: &mut String| {
            seq += 1;
            let mut e = ev.clone();
            e.seq = seq;
            out.push_str(&format_line(run_id, &e));
            out.push('\n');
        };
        let hash = self.shape.def.as_ref().map(|d| fnv::tagged(d.tree_hash())).unwrap_or_default();
        match run_start {
            Some(ev) => line(ev, &mut out),
            None => {
                let mut l = EventLog::new(0);
                l.ensure_run_started(self.ticks.front().map_or(0.0, |t| t.unix_ms as f64), &hash);
                let first = l.records().next().cloned();
                if let Some(ev) = first {
                    line(&ev, &mut out);
                }
            }
        }
        match (&self.def_event, &self.shape.def) {
            (Some(ev), _) => line(ev, &mut out),
            (None, Some(def)) => {
                let json = crate::bt::runtime::bt_def_json(def);
                let ev = Event {
                    seq: 0,
                    unix_ms: self.ticks.front().map_or(0, |t| t.unix_ms),
                    tick: None,
                    inst: 0,
                    data: Data::Raw { kind: "bt_def".into(), json: json.into() },
                };
                line(&ev, &mut out);
            }
            _ => {}
        }
        for t in &self.ticks {
            let mut oi = 0usize;
            let mut di = 0usize;
            let mut ms = t.unix_ms;
            for pos in 0..=t.trace.len() {
                while let Some((_, ev)) = t.other.get(oi).filter(|(p, _)| *p as usize == pos) {
                    ms = ev.unix_ms;
                    line(ev, &mut out);
                    oi += 1;
                }
                let Some(&c) = t.trace.get(pos) else { break };
                let node = c >> 2;
                let dur = match t.durs.get(di) {
                    Some(&(at, d)) if at as usize == pos => {
                        di += 1;
                        d
                    }
                    _ => 0,
                };
                let mk = |data| Event { seq: 0, unix_ms: ms, tick: Some(t.tick), inst: self.inst, data };
                match code_status(c) {
                    None => line(&mk(Data::NodeEnter { node }), &mut out),
                    Some(status) => {
                        line(&mk(Data::NodeExit { node, status, dur_ns: dur }), &mut out);
                        line(&mk(Data::NodeStatus { node, status, dur_ns: dur }), &mut out);
                    }
                }
            }
            // Records that came after the last trace position but were stored with a larger one.
            for (_, ev) in t.other.iter().skip(oi) {
                line(ev, &mut out);
            }
        }
        out
    }
}

fn event_node(d: &Data) -> Option<u32> {
    match d {
        Data::NodeEnter { node } | Data::NodeExit { node, .. } | Data::NodeStatus { node, .. } => Some(*node),
        Data::Log { node, .. } => Some(*node),
        Data::BbWrite { source, .. } | Data::BbDelete { source, .. } => Some(*source),
        Data::TickOutcome { node, .. } => *node,
        _ => None,
    }
}

fn apply(state: &mut Bb, t: &TickRec) {
    if t.reset_before {
        state.clear();
    }
    for c in &t.bb {
        match c {
            BbChange::Set(k, r) => {
                state.insert(k.clone(), r.clone());
            }
            BbChange::Remove(k) => {
                state.remove(k);
            }
        }
    }
}

/// Records every tree of one interpreter (install it with `EventLog::set_tap`).
#[derive(Debug)]
pub struct Recorder {
    pub run_id: String,
    run_start: Option<Event>,
    pending_def: Option<Event>,
    trees: Vec<Recording>,
    /// instance id - 1 -> index in `trees`.
    by_inst: Vec<Option<usize>>,
    pub max_ticks: usize,
    pub max_bytes: usize,
    bytes: usize,
    version: u64,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recording(inst {}, {} ticks)", self.inst, self.ticks.len())
    }
}

impl Recorder {
    pub fn new(run_id: &str) -> Recorder {
        Recorder {
            run_id: run_id.to_string(),
            run_start: None,
            pending_def: None,
            trees: Vec::new(),
            by_inst: Vec::new(),
            max_ticks: MAX_TICKS,
            max_bytes: MAX_BYTES,
            bytes: 0,
            version: 0,
        }
    }

    /// Changes every time something is recorded (views redraw when it moved).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// About how many bytes all trees' records take.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn trees(&self) -> &[Recording] {
        &self.trees
    }

    /// The recording of live instance `inst`.
    pub fn of_instance(&self, inst: u32) -> Option<&Recording> {
        let i = (*self.by_inst.get((inst as usize).checked_sub(1)?)?)?;
        self.trees.get(i)
    }

    /// The `run_start` record, if it was seen.
    pub fn run_start(&self) -> Option<&Event> {
        self.run_start.as_ref()
    }

    fn tree_mut(&mut self, inst: u32) -> Option<&mut Recording> {
        let i = (*self.by_inst.get((inst as usize).checked_sub(1)?)?)?;
        self.trees.get_mut(i)
    }

    fn add(&mut self, rec: Recording) {
        let inst = rec.inst as usize;
        if inst >= 1 {
            if self.by_inst.len() < inst {
                self.by_inst.resize(inst, None);
            }
            self.by_inst[inst - 1] = Some(self.trees.len());
        }
        self.trees.push(rec);
    }

    /// Keep within the bounds: the tick bound per tree, then the byte bound overall.
    fn enforce(&mut self, inst: u32) {
        let max_ticks = self.max_ticks.max(1);
        let mut freed = 0usize;
        if let Some(t) = self.tree_mut(inst) {
            while t.ticks.len() > max_ticks {
                freed += t.pop_front();
            }
        }
        self.bytes = self.bytes.saturating_sub(freed);
        while self.bytes > self.max_bytes {
            let Some(t) = self.trees.iter_mut().filter(|t| t.ticks.len() > 1).max_by_key(|t| t.bytes) else { break };
            let f = t.pop_front();
            self.bytes = self.bytes.saturating_sub(f);
            if f == 0 {
                break;
            }
        }
    }
}

impl Tap for Recorder {
    fn instance(&mut self, inst: u32, def_id: u32, def: &Rc<Def>) {
        self.version += 1;
        let ev = self.pending_def.take();
        self.add(Recording::new(inst, def_id, def, ev));
    }

    fn event(&mut self, ev: &Event) {
        self.version += 1;
        if ev.inst == 0 {
            if let Data::Raw { kind, .. } = &ev.data {
                match kind.as_ref() {
                    "run_start" => self.run_start = Some(ev.clone()),
                    "bt_def" => self.pending_def = Some(ev.clone()),
                    _ => {}
                }
            }
            return;
        }
        let new_tick = matches!(ev.data, Data::TickBegin { .. } | Data::TickEnd { .. });
        let Some(t) = self.tree_mut(ev.inst) else { return };
        let b = t.record(ev);
        self.bytes += b;
        if new_tick {
            self.enforce(ev.inst);
        }
    }

    fn tick_end(&mut self, inst: u32, tick: u64, bb: &Blackboard) {
        self.version += 1;
        let Some(t) = self.tree_mut(inst) else { return };
        let b = t.tick_end(tick, bb);
        self.bytes += b;
    }

    fn reset(&mut self, inst: u32) {
        self.version += 1;
        if let Some(t) = self.tree_mut(inst) {
            t.reset();
        }
    }
}
