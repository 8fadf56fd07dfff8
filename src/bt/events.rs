//! The event log (`events.*`): `mbt.evt.v1` records in a ring (on by default, 8192 lines),
//! an optional JSON-lines file sink, BB snapshots and the tick-audit switch.
//!
//! Records are stored compactly (node and tick events are a few words, no text) and turned
//! into JSON lines only when they are read (`events.dump`, the file sink), so that ticking
//! a tree with the log on costs little. Every emission consumes a sequence number, also while
//! the log is disabled (as in the reference). Time stamps are job time: `unix_ms` is the job
//! clock in milliseconds and `run_id` is `run-<job ms when the runtime was created>`.

use super::blackboard::{BbValue, Blackboard};
use super::fmt;
use super::model::{Def, Status};
use crate::lang::fnv;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Default ring capacity.
pub const DEFAULT_RING: usize = 8192;
/// `bb_write` previews longer than this are replaced by a truncation marker.
pub const PREVIEW_LIMIT: usize = 4096;

/// Severity of an `error`-type record (the reference logs informational lines there too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Debug,
    Info,
    Warn,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Debug => "debug",
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Error => "error",
        }
    }
}

/// The payload of one record.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    NodeEnter {
        node: u32,
    },
    NodeExit {
        node: u32,
        status: Status,
        dur_ns: i64,
    },
    NodeStatus {
        node: u32,
        status: Status,
        dur_ns: i64,
    },
    /// `budget_ms` 0: the payload is `{}`.
    TickBegin {
        budget_ms: i64,
    },
    TickEnd {
        status: Status,
        tick_ns: i64,
        budget_ms: i64,
    },
    /// `tick_ok` / `tick_deadline_missed`.
    TickOutcome {
        missed: bool,
        node: Option<u32>,
    },
    /// `bb_write` (`value_json` is the preview JSON before truncation); `source` 0 is omitted.
    BbWrite {
        key: Box<str>,
        value_json: Box<str>,
        source: u32,
    },
    /// `bb_delete`.
    BbDelete {
        key: Box<str>,
        source: u32,
    },
    /// `error` records (all log lines).
    Log {
        severity: Severity,
        node: u32,
        message: Box<str>,
    },
    /// Any other type, with its `data` object already in JSON.
    Raw {
        kind: Cow<'static, str>,
        json: Box<str>,
    },
}

impl Data {
    /// The `type` field.
    pub fn type_name(&self) -> &str {
        match self {
            Data::NodeEnter { .. } => "node_enter",
            Data::NodeExit { .. } => "node_exit",
            Data::NodeStatus { .. } => "node_status",
            Data::TickBegin { .. } => "tick_begin",
            Data::TickEnd { .. } => "tick_end",
            Data::TickOutcome { missed: false, .. } => "tick_ok",
            Data::TickOutcome { missed: true, .. } => "tick_deadline_missed",
            Data::BbWrite { .. } => "bb_write",
            Data::BbDelete { .. } => "bb_delete",
            Data::Log { .. } => "error",
            Data::Raw { kind, .. } => kind,
        }
    }

    /// The `data` object as JSON.
    pub fn json(&self) -> String {
        let mut s = String::new();
        match self {
            Data::NodeEnter { node } => s.push_str(&format!("{{\"node_id\":{node}}}")),
            Data::NodeExit { node, status, dur_ns } | Data::NodeStatus { node, status, dur_ns } => {
                s.push_str(&format!(
                    "{{\"node_id\":{node},\"status\":\"{}\",\"dur_ms\":{}}}",
                    status.name(),
                    fmt::ns_as_ms(*dur_ns)
                ))
            }
            Data::TickBegin { budget_ms } => {
                if *budget_ms > 0 {
                    s.push_str(&format!("{{\"tick_budget_ms\":{budget_ms}}}"));
                } else {
                    s.push_str("{}");
                }
            }
            Data::TickEnd { status, tick_ns, budget_ms } => {
                s.push_str(&format!("{{\"root_status\":\"{}\",\"tick_ms\":{}", status.name(), fmt::ns_as_ms(*tick_ns)));
                if *budget_ms > 0 {
                    s.push_str(&format!(",\"tick_budget_ms\":{}", fmt::cpp_double(*budget_ms as f64)));
                }
                s.push('}');
            }
            Data::TickOutcome { missed, node } => {
                s.push_str("{\"schema_version\":\"runtime_outcome.v1\",\"outcome\":\"");
                s.push_str(if *missed { "tick_deadline_missed" } else { "tick_ok" });
                s.push_str("\",\"source\":\"bt.tick\"");
                if let Some(n) = node {
                    s.push_str(&format!(",\"node_id\":{n}"));
                }
                if *missed {
                    s.push_str(",\"reason\":\"tick_budget_overrun\"");
                }
                s.push('}');
            }
            Data::BbWrite { key, value_json, source } => {
                s.push_str("{\"key\":");
                fmt::push_json_string(&mut s, key);
                s.push_str(",\"value_digest\":\"");
                s.push_str(&fnv::tagged_text(value_json));
                s.push_str("\",\"preview\":");
                if value_json.len() > PREVIEW_LIMIT {
                    s.push_str(&format!(
                        "{{\"_truncated\":true,\"_type\":\"{}\",\"_bytes\":{}}}",
                        json_type_of(value_json),
                        value_json.len()
                    ));
                } else {
                    s.push_str(value_json);
                }
                if *source != 0 {
                    s.push_str(&format!(",\"source_node\":{source}"));
                }
                s.push('}');
            }
            Data::BbDelete { key, source } => {
                s.push_str("{\"key\":");
                fmt::push_json_string(&mut s, key);
                if *source != 0 {
                    s.push_str(&format!(",\"source_node\":{source}"));
                }
                s.push('}');
            }
            Data::Log { severity, node, message } => {
                s.push_str(&format!(
                    "{{\"severity\":\"{}\",\"component\":\"\",\"node_id\":{node},\"message\":",
                    severity.name()
                ));
                fmt::push_json_string(&mut s, message);
                s.push('}');
            }
            Data::Raw { json, .. } => s.push_str(json),
        }
        s
    }
}

/// The blackboard type name a long preview had (only strings and vectors get that long).
fn json_type_of(json: &str) -> &'static str {
    if json.starts_with('[') {
        "float64[]"
    } else {
        "string"
    }
}

/// One record.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub seq: u64,
    pub unix_ms: i64,
    /// The tick it was raised in (absent for `run_start`, `bt_def`, ...).
    pub tick: Option<u64>,
    /// The instance it concerns (0: none). Not part of the JSON line; for inspection.
    pub inst: u32,
    pub data: Data,
}

/// The file sink: lines not yet written out, and where they go.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileSink {
    pub path: String,
    /// Formatted lines (each ending in `\n`) waiting to be appended to `path`.
    pub pending: String,
    /// The pending text should be written now (a `tick_end`, or flush-each-message).
    pub flush_due: bool,
}

/// Something that watches the runtime as it runs, whatever the log keeps: every record as it
/// is emitted (also while the log is disabled or its ring is 0), every new instance, each
/// instance's blackboard at the end of every tick, and every `bt.reset`. The live tree view
/// records runs this way, independently of the ring.
pub trait Tap {
    /// A new instance of definition `def_id`.
    fn instance(&mut self, _inst: u32, _def_id: u32, _def: &Rc<Def>) {}
    /// A record, as emitted.
    fn event(&mut self, ev: &Event);
    /// The end of tick `tick` of `inst` (just before its `tick_end` record).
    fn tick_end(&mut self, _inst: u32, _tick: u64, _bb: &Blackboard) {}
    /// `bt.reset` of `inst` finished (node memory and blackboard cleared).
    fn reset(&mut self, _inst: u32) {}
}

/// A shared [`Tap`] (see [`EventLog::set_tap`]).
#[derive(Clone)]
pub struct TapRef(pub Rc<RefCell<dyn Tap>>);

impl std::fmt::Debug for TapRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TapRef")
    }
}

impl TapRef {
    /// Run `f` on the tap unless it is busy (a tap never sees its own re-entrant calls).
    pub fn with(&self, f: impl FnOnce(&mut dyn Tap)) {
        if let Ok(mut t) = self.0.try_borrow_mut() {
            f(&mut *t);
        }
    }
}

/// The process-wide event log.
#[derive(Clone, Debug)]
pub struct EventLog {
    enabled: bool,
    ring_cap: usize,
    ring: VecDeque<Event>,
    seq: u64,
    run_started: bool,
    run_id: String,
    tick_audit: bool,
    snapshot: Option<bool>,
    flush_each: bool,
    file: Option<FileSink>,
    tap: Option<TapRef>,
}

impl EventLog {
    /// A log whose run id is `run-<start_ms>`.
    pub fn new(start_ms: i64) -> EventLog {
        EventLog {
            enabled: true,
            ring_cap: DEFAULT_RING,
            ring: VecDeque::new(),
            seq: 0,
            run_started: false,
            run_id: format!("run-{start_ms}"),
            tick_audit: false,
            snapshot: None,
            flush_each: false,
            file: None,
            tap: None,
        }
    }

    /// Install (or remove) the [`Tap`] that sees everything the runtime does.
    pub fn set_tap(&mut self, tap: Option<TapRef>) {
        self.tap = tap;
    }

    pub fn tap(&self) -> Option<&TapRef> {
        self.tap.as_ref()
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    pub fn ring_capacity(&self) -> usize {
        self.ring_cap
    }

    /// `events.set-ring-size`: shrinking keeps the newest records; 0 clears.
    pub fn set_ring_capacity(&mut self, n: usize) {
        self.ring_cap = n;
        while self.ring.len() > n {
            self.ring.pop_front();
        }
        if n == 0 {
            self.ring = VecDeque::new();
        }
    }

    pub fn tick_audit(&self) -> bool {
        self.tick_audit
    }

    pub fn set_tick_audit(&mut self, on: bool) {
        self.tick_audit = on;
    }

    pub fn set_flush_each(&mut self, on: bool) {
        self.flush_each = on;
    }

    pub fn flush_each(&self) -> bool {
        self.flush_each
    }

    /// `events.set-path`: enable the file sink (appending to `path`).
    pub fn set_path(&mut self, path: &str) {
        let pending = self.file.take().map(|f| f.pending).unwrap_or_default();
        self.file = Some(FileSink { path: path.to_string(), pending, flush_due: false });
    }

    /// Turn the file sink off (after a write failed).
    pub fn clear_path(&mut self) {
        self.file = None;
    }

    pub fn file(&self) -> Option<&FileSink> {
        self.file.as_ref()
    }

    /// Take the lines waiting for the file sink: `(path, text)`.
    pub fn take_file_output(&mut self) -> Option<(String, String)> {
        let f = self.file.as_mut()?;
        f.flush_due = false;
        if f.pending.is_empty() {
            return None;
        }
        Some((f.path.clone(), std::mem::take(&mut f.pending)))
    }

    /// `events.snapshot-bb`: request one `bb_snapshot` at the next tick (`full`: every entry).
    pub fn request_snapshot(&mut self, full: bool) {
        self.snapshot = Some(full);
    }

    pub fn take_snapshot_request(&mut self) -> Option<bool> {
        self.snapshot.take()
    }

    pub fn run_started(&self) -> bool {
        self.run_started
    }

    /// Emit `run_start` once (the flag is set even when the record is suppressed).
    pub fn ensure_run_started(&mut self, now_ms: f64, tree_hash: &str) {
        if self.run_started {
            return;
        }
        let mut json = String::from("{\"git_sha\":\"unknown\",\"host\":{\"name\":\"muesli-bt\",\"version\":\"dev\",\"platform\":\"native\"},\"contract_version\":\"1.0.0\",\"contract_id\":\"runtime-contract-v1.0.0\",\"tick_hz\":50,\"tree_hash\":");
        fmt::push_json_string(&mut json, tree_hash);
        json.push_str(",\"capabilities\":{\"reset\":true}}");
        self.emit(now_ms, None, 0, Data::Raw { kind: Cow::Borrowed("run_start"), json: json.into() });
        self.run_started = true;
    }

    /// Record one event; returns its sequence number (consumed even when disabled).
    #[inline]
    pub fn emit(&mut self, now_ms: f64, tick: Option<u64>, inst: u32, data: Data) -> u64 {
        self.seq += 1;
        let seq = self.seq;
        let store = self.enabled && (self.ring_cap > 0 || self.file.is_some());
        if !store && self.tap.is_none() {
            return seq;
        }
        let ev = Event { seq, unix_ms: now_ms.floor() as i64, tick, inst, data };
        if let Some(tap) = &self.tap {
            tap.with(|t| t.event(&ev));
        }
        if !store {
            return seq;
        }
        if let Some(file) = self.file.as_mut() {
            let line = format_line(&self.run_id, &ev);
            file.pending.push_str(&line);
            file.pending.push('\n');
            if self.flush_each || matches!(ev.data, Data::TickEnd { .. }) {
                file.flush_due = true;
            }
        }
        if self.ring_cap > 0 {
            if self.ring.len() >= self.ring_cap {
                self.ring.pop_front();
            }
            self.ring.push_back(ev);
        }
        seq
    }

    /// A `Raw` record.
    pub fn emit_raw(
        &mut self,
        now_ms: f64,
        tick: Option<u64>,
        inst: u32,
        kind: impl Into<Cow<'static, str>>,
        json: String,
    ) -> u64 {
        self.emit(now_ms, tick, inst, Data::Raw { kind: kind.into(), json: json.into() })
    }

    /// An `error` record.
    pub fn log(&mut self, now_ms: f64, tick: Option<u64>, inst: u32, severity: Severity, node: u32, message: &str) {
        self.emit(now_ms, tick, inst, Data::Log { severity, node, message: message.into() });
    }

    /// A `bb_write` / `bb_delete` record for a node write.
    pub fn bb_write(&mut self, now_ms: f64, tick: Option<u64>, inst: u32, key: &str, value: &BbValue, source: u32) {
        if !self.enabled && self.tap.is_none() {
            self.seq += 1;
            return;
        }
        let data = match value {
            BbValue::Nil => Data::BbDelete { key: key.into(), source },
            v => Data::BbWrite { key: key.into(), value_json: v.json().into(), source },
        };
        self.emit(now_ms, tick, inst, data);
    }

    /// Stored records, oldest first.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &Event> + ExactSizeIterator {
        self.ring.iter()
    }

    /// `events.dump [n]`: the last `n` lines (0 or more than stored: all), oldest first.
    pub fn dump(&self, n: usize) -> Vec<String> {
        let skip = if n == 0 || n >= self.ring.len() { 0 } else { self.ring.len() - n };
        self.ring.iter().skip(skip).map(|e| format_line(&self.run_id, e)).collect()
    }

    /// The number of sequence numbers consumed so far.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

/// One `mbt.evt.v1` line (without the newline).
pub fn format_line(run_id: &str, ev: &Event) -> String {
    let mut s = String::with_capacity(160);
    s.push_str("{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":");
    fmt::push_json_string(&mut s, ev.data.type_name());
    s.push_str(",\"run_id\":");
    fmt::push_json_string(&mut s, run_id);
    s.push_str(&format!(",\"unix_ms\":{},\"seq\":{}", ev.unix_ms, ev.seq));
    if let Some(t) = ev.tick {
        s.push_str(&format!(",\"tick\":{t}"));
    }
    s.push_str(",\"data\":");
    s.push_str(&ev.data.json());
    s.push('}');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_ring() {
        let mut log = EventLog::new(0);
        log.ensure_run_started(0.0, "fnv1a64:0caf1ec6ff0240e8");
        log.emit(0.0, Some(1), 1, Data::NodeEnter { node: 1 });
        log.emit(1.5, Some(1), 1, Data::NodeExit { node: 1, status: Status::Failure, dur_ns: 45917 });
        let lines = log.dump(0);
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"run_start\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":1,\"data\":{\"git_sha\":\"unknown\""));
        assert_eq!(lines[1], "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"node_enter\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":2,\"tick\":1,\"data\":{\"node_id\":1}}");
        assert!(lines[2].ends_with(
            "\"unix_ms\":1,\"seq\":3,\"tick\":1,\"data\":{\"node_id\":1,\"status\":\"failure\",\"dur_ms\":0.045917}}"
        ));
        assert_eq!(log.dump(1).len(), 1);
        log.set_ring_capacity(2);
        assert_eq!(log.dump(0).len(), 2);
        log.set_enabled(false);
        log.emit(0.0, None, 0, Data::NodeEnter { node: 0 });
        log.set_enabled(true);
        log.emit(0.0, None, 0, Data::NodeEnter { node: 0 });
        assert!(log.dump(1)[0].contains("\"seq\":5"));
    }

    #[test]
    fn bb_write_payload() {
        let d = Data::BbWrite { key: "hits".into(), value_json: "1".into(), source: 0 };
        assert_eq!(d.json(), "{\"key\":\"hits\",\"value_digest\":\"fnv1a64:44bd5ad473cd4776\",\"preview\":1}");
    }
}
