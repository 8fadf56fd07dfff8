//! Reading an `mbt.evt.v1` log back into a [`Recorder`], so a downloaded run can be replayed
//! in the tree view without running anything.
//!
//! Every `bt_def` record starts a tree (its nodes and edges give the shape; node arguments
//! are not in the log). A `tick_begin` with tick number `k` belongs to the newest tree whose
//! last tick was `k - 1`, else to the newest tree (logs of one instance, like the view's own
//! downloads, are read exactly). The blackboard is rebuilt from `bb_write`, `bb_delete` and
//! `bb_snapshot` records; tick inputs and writes from outside a tick leave no record, so they
//! are missing from a replayed blackboard.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::Value as J;

use crate::bt::blackboard::{BbEntry, BbValue, Blackboard};
use crate::bt::events::{Data, Event, Severity, Tap};
use crate::bt::model::{Def, Kind, Node, Origin, Status, ALL_KINDS};

use super::record::Recorder;

/// Lines longer than this are refused (a log line of a sane run is far shorter).
pub const MAX_LINE: usize = 1 << 20;

fn kind_of(name: &str) -> Option<Kind> {
    ALL_KINDS.iter().copied().find(|k| k.event_name() == name || k.dsl_name() == name)
}

/// A definition from a `bt_def` payload (kinds, names, children; no arguments).
pub fn def_from_json(data: &J) -> Result<Def, String> {
    let nodes = data.get("nodes").and_then(J::as_array).ok_or("bt_def without nodes")?;
    let mut out: Vec<Node> = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        let id = n.get("id").and_then(J::as_u64).ok_or("bt_def node without id")?;
        if id as usize != i {
            return Err(format!("bt_def node {i} has id {id}"));
        }
        let kname = n.get("kind").and_then(J::as_str).unwrap_or("");
        let kind = kind_of(kname).ok_or_else(|| format!("bt_def node {i}: unknown kind {kname}"))?;
        let mut node = Node::new(kind);
        if kind.has_name() {
            node.name = n.get("name").and_then(J::as_str).unwrap_or("").to_string();
        }
        out.push(node);
    }
    let mut has_parent = vec![false; out.len()];
    if let Some(edges) = data.get("edges").and_then(J::as_array) {
        let mut es: Vec<(u64, u64, u64)> = edges
            .iter()
            .filter_map(|e| {
                Some((
                    e.get("parent")?.as_u64()?,
                    e.get("index").and_then(J::as_u64).unwrap_or(0),
                    e.get("child")?.as_u64()?,
                ))
            })
            .collect();
        es.sort();
        for (p, _, c) in es {
            if (p as usize) < out.len() && (c as usize) < out.len() {
                out[p as usize].children.push(c as u32);
                has_parent[c as usize] = true;
            }
        }
    }
    let root = (0..out.len()).rev().find(|&i| !has_parent[i]).ok_or("bt_def without a root")? as u32;
    Ok(Def { nodes: out, root, origin: Origin::LoadBinary, canonical: None })
}

/// A blackboard value from a `bb_write` preview.
pub fn bb_value(j: &J) -> BbValue {
    match j {
        J::Null => BbValue::Nil,
        J::Bool(b) => BbValue::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => BbValue::Int(i),
            None => BbValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => BbValue::Str(s.clone()),
        J::Array(xs) => BbValue::FloatVec(xs.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()),
        J::Object(m) => {
            if let Some(id) = m.get("image_handle").and_then(J::as_i64) {
                BbValue::Image(id)
            } else if let Some(id) = m.get("blob_handle").and_then(J::as_i64) {
                BbValue::Blob(id)
            } else {
                BbValue::Str(j.to_string())
            }
        }
    }
}

fn status(j: &J, key: &str) -> Option<Status> {
    Status::from_name(j.get(key)?.as_str()?)
}

fn severity(s: &str) -> Severity {
    match s {
        "debug" => Severity::Debug,
        "info" => Severity::Info,
        "warn" => Severity::Warn,
        _ => Severity::Error,
    }
}

fn u32_of(j: &J, key: &str) -> u32 {
    j.get(key).and_then(J::as_u64).unwrap_or(0) as u32
}

/// The payload of a record of type `kind` as [`Data`].
fn data_of(kind: &str, d: &J) -> Data {
    let ns = |j: &J| (j.get("dur_ms").and_then(J::as_f64).unwrap_or(0.0) * 1e6).round() as i64;
    match kind {
        "node_enter" => Data::NodeEnter { node: u32_of(d, "node_id") },
        "node_exit" | "node_status" => {
            let node = u32_of(d, "node_id");
            let st = status(d, "status").unwrap_or(Status::Failure);
            if kind == "node_exit" {
                Data::NodeExit { node, status: st, dur_ns: ns(d) }
            } else {
                Data::NodeStatus { node, status: st, dur_ns: ns(d) }
            }
        }
        "tick_begin" => Data::TickBegin { budget_ms: d.get("tick_budget_ms").and_then(J::as_i64).unwrap_or(0) },
        "tick_end" => Data::TickEnd {
            status: status(d, "root_status").unwrap_or(Status::Failure),
            tick_ns: (d.get("tick_ms").and_then(J::as_f64).unwrap_or(0.0) * 1e6).round() as i64,
            budget_ms: d.get("tick_budget_ms").and_then(J::as_f64).unwrap_or(0.0) as i64,
        },
        "bb_write" => Data::BbWrite {
            key: d.get("key").and_then(J::as_str).unwrap_or("").into(),
            value_json: d.get("preview").map(|p| p.to_string()).unwrap_or_default().into(),
            source: u32_of(d, "source_node"),
        },
        "bb_delete" => Data::BbDelete {
            key: d.get("key").and_then(J::as_str).unwrap_or("").into(),
            source: u32_of(d, "source_node"),
        },
        "error" => Data::Log {
            severity: severity(d.get("severity").and_then(J::as_str).unwrap_or("")),
            node: u32_of(d, "node_id"),
            message: d.get("message").and_then(J::as_str).unwrap_or("").into(),
        },
        _ => Data::Raw { kind: Cow::Owned(kind.to_string()), json: d.to_string().into() },
    }
}

struct Tree {
    inst: u32,
    def: Rc<Def>,
    last_tick: Option<u64>,
    bb: Blackboard,
}

/// Read a log (one JSON record per line; blank lines skipped) into a recorder with one tree
/// per `bt_def`. `Err` names the first line that is not a record.
pub fn read_log(text: &str) -> Result<Recorder, String> {
    let mut rec = Recorder::new("");
    let mut trees: Vec<Tree> = Vec::new();
    let mut current: Option<usize> = None;
    let mut records = 0usize;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.len() > MAX_LINE {
            return Err(format!("line {}: longer than {} bytes", n + 1, MAX_LINE));
        }
        let j: J = serde_json::from_str(line).map_err(|e| format!("line {}: not a JSON record ({e})", n + 1))?;
        let Some(kind) = j.get("type").and_then(J::as_str) else {
            return Err(format!("line {}: a record without a type", n + 1));
        };
        if rec.run_id.is_empty() {
            if let Some(r) = j.get("run_id").and_then(J::as_str) {
                rec.run_id = r.to_string();
            }
        }
        records += 1;
        let empty = J::Object(Default::default());
        let d = j.get("data").unwrap_or(&empty);
        let seq = j.get("seq").and_then(J::as_u64).unwrap_or(records as u64);
        let unix_ms = j.get("unix_ms").and_then(J::as_i64).unwrap_or(0);
        let tick = j.get("tick").and_then(J::as_u64);
        let data = data_of(kind, d);
        if kind == "bt_def" {
            let def = Rc::new(def_from_json(d).map_err(|e| format!("line {}: {e}", n + 1))?);
            rec.event(&Event { seq, unix_ms, tick: None, inst: 0, data });
            let inst = trees.len() as u32 + 1;
            rec.instance(inst, inst, &def);
            trees.push(Tree { inst, def, last_tick: None, bb: Blackboard::new() });
            current = None;
            continue;
        }
        let Some(tick) = tick else {
            rec.event(&Event { seq, unix_ms, tick: None, inst: 0, data });
            continue;
        };
        if kind == "tick_begin" {
            let pick = trees
                .iter()
                .rposition(|t| t.last_tick.map_or(tick == 1, |l| l + 1 == tick))
                .or_else(|| trees.len().checked_sub(1));
            current = pick;
            if let Some(i) = pick {
                trees[i].last_tick = Some(tick);
            }
        }
        let Some(ti) = current else { continue };
        let t = &mut trees[ti];
        let label = |node: u32| t.def.nodes.get(node as usize).map(|nd| nd.display_name(node)).unwrap_or_default();
        match &data {
            Data::BbWrite { key, value_json, source } => {
                let value = serde_json::from_str::<J>(value_json).map(|v| bb_value(&v)).unwrap_or(BbValue::Nil);
                let writer_name = label(*source);
                t.bb.put(key, BbEntry { value, tick, ts_ns: unix_ms * 1_000_000, writer_node: *source, writer_name });
            }
            Data::BbDelete { key, source } => {
                let writer_name = label(*source);
                t.bb.put(
                    key,
                    BbEntry {
                        value: BbValue::Nil,
                        tick,
                        ts_ns: unix_ms * 1_000_000,
                        writer_node: *source,
                        writer_name,
                    },
                );
            }
            Data::Raw { kind, .. } if kind == "bb_snapshot" => {
                let mut bb = Blackboard::new();
                if let Some(entries) = d.get("entries").and_then(J::as_array) {
                    for e in entries {
                        if let (Some(k), Some(v)) = (e.get(0).and_then(J::as_str), e.get(1)) {
                            let old = t.bb.get(k).cloned();
                            let (wn, wname, wt) =
                                old.map_or((0, String::new(), tick), |o| (o.writer_node, o.writer_name, o.tick));
                            bb.put(
                                k,
                                BbEntry { value: bb_value(v), tick: wt, ts_ns: 0, writer_node: wn, writer_name: wname },
                            );
                        }
                    }
                }
                t.bb = bb;
            }
            Data::TickEnd { .. } => rec.tick_end(t.inst, tick, &t.bb),
            _ => {}
        }
        rec.event(&Event { seq, unix_ms, tick: Some(tick), inst: t.inst, data });
    }
    if records == 0 {
        return Err("the file holds no records".into());
    }
    if trees.is_empty() {
        return Err("the log has no bt_def record, so there is no tree to show".into());
    }
    Ok(rec)
}
