//! A read-only view of the runtime for tools that show trees (the live tree view): the
//! definitions and instances, each node's structure, the statuses nodes returned in a
//! recorded tick (from the event log), and the blackboard with its write metadata.

use super::blackboard::BbValue;
use super::events::Data;
use super::model::{Kind, Lit, Origin, Status};
use super::runtime::BtRuntime;

/// A definition, in brief.
#[derive(Clone, Debug, PartialEq)]
pub struct DefInfo {
    pub id: u32,
    pub node_count: usize,
    pub root: u32,
    pub origin: Origin,
}

/// An instance, in brief.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceInfo {
    pub id: u32,
    pub def: u32,
    /// Ticks started so far.
    pub ticks: u64,
    /// Suspended in one of its own callbacks.
    pub busy: bool,
    pub budget_ms: i64,
}

/// One node's structure.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeInfo {
    pub id: u32,
    pub kind: Kind,
    /// Leaf or slot name; empty for other kinds.
    pub name: String,
    /// `name`, or `node-<id>` when empty (as stats and events show it).
    pub label: String,
    pub args: Vec<Lit>,
    pub children: Vec<u32>,
    /// The `repeat` / `retry` count.
    pub count: i64,
}

/// What a node did in one recorded tick.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTick {
    pub node: u32,
    pub status: Status,
    pub dur_ns: i64,
}

/// A blackboard entry with its metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct BbInfo {
    pub key: String,
    pub value: BbValue,
    /// `int64`, `float64`, `string`, ...
    pub type_name: &'static str,
    pub writer_node: u32,
    pub writer_name: String,
    pub tick: u64,
    pub ts_ns: i64,
}

impl<V: Clone> BtRuntime<V> {
    pub fn list_defs(&self) -> Vec<DefInfo> {
        self.defs()
            .iter()
            .enumerate()
            .map(|(i, d)| DefInfo { id: i as u32 + 1, node_count: d.nodes.len(), root: d.root, origin: d.origin })
            .collect()
    }

    pub fn list_instances(&self) -> Vec<InstanceInfo> {
        self.instances()
            .iter()
            .map(|i| InstanceInfo { id: i.id, def: i.def_id, ticks: i.tick, busy: i.is_busy(), budget_ms: i.budget_ms })
            .collect()
    }

    /// The nodes of a definition, in id order.
    pub fn def_nodes(&self, def: u32) -> Option<Vec<NodeInfo>> {
        let d = self.def(def)?;
        Some(
            d.nodes
                .iter()
                .enumerate()
                .map(|(i, n)| NodeInfo {
                    id: i as u32,
                    kind: n.kind,
                    name: n.name.clone(),
                    label: n.display_name(i as u32),
                    args: n.args.clone(),
                    children: n.children.clone(),
                    count: n.int_param,
                })
                .collect(),
        )
    }

    /// The root id of a definition.
    pub fn def_root(&self, def: u32) -> Option<u32> {
        self.def(def).map(|d| d.root)
    }

    /// Ticks of `inst` that still have records in the event log, oldest first.
    pub fn recorded_ticks(&self, inst: u32) -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        for e in self.events.records() {
            if e.inst == inst {
                if let (Some(t), Data::TickBegin { .. }) = (e.tick, &e.data) {
                    if out.last() != Some(&t) {
                        out.push(t);
                    }
                }
            }
        }
        out
    }

    /// The status each node returned in tick `tick` of `inst` (in the order they returned;
    /// a node ticked twice, through a shared child, appears twice). Empty when the tick is no
    /// longer in the log.
    pub fn tick_statuses(&self, inst: u32, tick: u64) -> Vec<NodeTick> {
        self.events
            .records()
            .filter(|e| e.inst == inst && e.tick == Some(tick))
            .filter_map(|e| match e.data {
                Data::NodeExit { node, status, dur_ns } => Some(NodeTick { node, status, dur_ns }),
                _ => None,
            })
            .collect()
    }

    /// Keys written by nodes during tick `tick` of `inst`, with the writing node.
    pub fn tick_writes(&self, inst: u32, tick: u64) -> Vec<(String, u32)> {
        self.events
            .records()
            .filter(|e| e.inst == inst && e.tick == Some(tick))
            .filter_map(|e| match &e.data {
                Data::BbWrite { key, source, .. } | Data::BbDelete { key, source } => Some((key.to_string(), *source)),
                _ => None,
            })
            .collect()
    }

    /// The blackboard of an instance, in dump order.
    pub fn blackboard_entries(&self, inst: u32) -> Option<Vec<BbInfo>> {
        let i = self.instance(inst)?;
        Some(
            i.bb.iter()
                .map(|(k, e)| BbInfo {
                    key: k.to_string(),
                    value: e.value.clone(),
                    type_name: e.value.type_name(),
                    writer_node: e.writer_node,
                    writer_name: e.writer_name.clone(),
                    tick: e.tick,
                    ts_ns: e.ts_ns,
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::bt::model::{Kind, Status};
    use crate::bt::tests::H;

    #[test]
    fn inspection_views() {
        let mut h = H::new();
        let i = h.inst("(sel (cond bb-truthy hi) (seq (act bb-put-int n 1) (running)))");
        h.tick(i, &[]);
        h.tick(i, &[("hi", crate::bt::blackboard::BbValue::Bool(true))]);
        let defs = h.rt.list_defs();
        assert_eq!(defs.len(), 1);
        assert_eq!(defs[0].node_count, 5);
        let nodes = h.rt.def_nodes(1).unwrap();
        assert_eq!(nodes[4].kind, Kind::Sel);
        assert_eq!(nodes[4].children, vec![0, 3]);
        assert_eq!(nodes[1].label, "bb-put-int");
        assert_eq!(h.rt.recorded_ticks(i), vec![1, 2]);
        let t1: Vec<(u32, Status)> = h.rt.tick_statuses(i, 1).iter().map(|t| (t.node, t.status)).collect();
        assert_eq!(
            t1,
            vec![
                (0, Status::Failure),
                (1, Status::Success),
                (2, Status::Running),
                (3, Status::Running),
                (4, Status::Running)
            ]
        );
        assert_eq!(h.rt.tick_writes(i, 1), vec![("n".to_string(), 1)]);
        let bb = h.rt.blackboard_entries(i).unwrap();
        let n = bb.iter().find(|e| e.key == "n").unwrap();
        assert_eq!((n.writer_node, n.writer_name.as_str(), n.tick, n.type_name), (1, "bb-put-int", 1, "int64"));
        let hi = bb.iter().find(|e| e.key == "hi").unwrap();
        assert_eq!((hi.writer_node, hi.writer_name.as_str(), hi.tick), (0, "bt.tick", 2));
        let insts = h.rt.list_instances();
        assert_eq!((insts[0].ticks, insts[0].busy), (2, false));
    }
}
