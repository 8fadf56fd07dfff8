//! The node model: node kinds (with their MBT1 codes and spellings), statuses, literal
//! leaf arguments, nodes and compiled definitions.
//!
//! A definition is a flat node vector. Compiled definitions number their nodes in
//! post-order (children before parents, left to right, root last); definitions read from
//! MBT1 files keep the file's numbering, which may share children (a DAG) but never has a
//! cycle (`bt.load` rejects cycles).

use super::fmt;
use crate::lang::fnv;

/// Node kinds, with the MBT1 kind codes as discriminants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Kind {
    Seq = 0,
    Sel = 1,
    Invert = 2,
    Repeat = 3,
    Retry = 4,
    Cond = 5,
    Act = 6,
    Succeed = 7,
    Fail = 8,
    Running = 9,
    PlanAction = 10,
    VlaRequest = 11,
    VlaWait = 12,
    VlaCancel = 13,
    MemSeq = 14,
    MemSel = 15,
    AsyncSeq = 16,
    ReactiveSeq = 17,
    ReactiveSel = 18,
    Slot = 19,
}

/// Every kind, in code order.
pub const ALL_KINDS: [Kind; 20] = [
    Kind::Seq,
    Kind::Sel,
    Kind::Invert,
    Kind::Repeat,
    Kind::Retry,
    Kind::Cond,
    Kind::Act,
    Kind::Succeed,
    Kind::Fail,
    Kind::Running,
    Kind::PlanAction,
    Kind::VlaRequest,
    Kind::VlaWait,
    Kind::VlaCancel,
    Kind::MemSeq,
    Kind::MemSel,
    Kind::AsyncSeq,
    Kind::ReactiveSeq,
    Kind::ReactiveSel,
    Kind::Slot,
];

/// How a kind is shaped (what `bt.load` validates).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// At least one child.
    Composite,
    /// Exactly one child (`invert`, `repeat`, `retry`, `slot`).
    Decorator,
    /// `cond` / `act`: a leaf name, no children.
    Leaf,
    /// `succeed`, `fail`, `running`.
    Utility,
    /// `plan-action` and the VLA leaves: options, no children.
    Host,
}

impl Kind {
    /// The MBT1 kind code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The kind with MBT1 code `c`.
    pub fn from_code(c: u8) -> Option<Kind> {
        ALL_KINDS.get(usize::from(c)).copied()
    }

    /// The DSL spelling (`mem-seq`, `plan-action`).
    pub fn dsl_name(self) -> &'static str {
        match self {
            Kind::Seq => "seq",
            Kind::Sel => "sel",
            Kind::Invert => "invert",
            Kind::Repeat => "repeat",
            Kind::Retry => "retry",
            Kind::Cond => "cond",
            Kind::Act => "act",
            Kind::Succeed => "succeed",
            Kind::Fail => "fail",
            Kind::Running => "running",
            Kind::PlanAction => "plan-action",
            Kind::VlaRequest => "vla-request",
            Kind::VlaWait => "vla-wait",
            Kind::VlaCancel => "vla-cancel",
            Kind::MemSeq => "mem-seq",
            Kind::MemSel => "mem-sel",
            Kind::AsyncSeq => "async-seq",
            Kind::ReactiveSeq => "reactive-seq",
            Kind::ReactiveSel => "reactive-sel",
            Kind::Slot => "slot",
        }
    }

    /// The event-log spelling (`mem_seq`, `plan_action`).
    pub fn event_name(self) -> &'static str {
        match self {
            Kind::PlanAction => "plan_action",
            Kind::VlaRequest => "vla_request",
            Kind::VlaWait => "vla_wait",
            Kind::VlaCancel => "vla_cancel",
            Kind::MemSeq => "mem_seq",
            Kind::MemSel => "mem_sel",
            Kind::AsyncSeq => "async_seq",
            Kind::ReactiveSeq => "reactive_seq",
            Kind::ReactiveSel => "reactive_sel",
            k => k.dsl_name(),
        }
    }

    /// The kind a DSL head names.
    pub fn from_dsl(name: &str) -> Option<Kind> {
        ALL_KINDS.iter().copied().find(|k| k.dsl_name() == name)
    }

    pub fn class(self) -> Class {
        match self {
            Kind::Seq
            | Kind::Sel
            | Kind::MemSeq
            | Kind::MemSel
            | Kind::AsyncSeq
            | Kind::ReactiveSeq
            | Kind::ReactiveSel => Class::Composite,
            Kind::Invert | Kind::Repeat | Kind::Retry | Kind::Slot => Class::Decorator,
            Kind::Cond | Kind::Act => Class::Leaf,
            Kind::Succeed | Kind::Fail | Kind::Running => Class::Utility,
            Kind::PlanAction | Kind::VlaRequest | Kind::VlaWait | Kind::VlaCancel => Class::Host,
        }
    }

    /// Whether the node carries a name (`cond`, `act`, `slot`).
    pub fn has_name(self) -> bool {
        matches!(self, Kind::Cond | Kind::Act | Kind::Slot)
    }
}

/// A tick result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Success,
    Failure,
    Running,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Failure => "failure",
            Status::Running => "running",
        }
    }

    pub fn from_name(s: &str) -> Option<Status> {
        match s {
            "success" => Some(Status::Success),
            "failure" => Some(Status::Failure),
            "running" => Some(Status::Running),
            _ => None,
        }
    }
}

/// A literal leaf argument (also a slot/leaf option key or value). The discriminant order
/// is the MBT1 arg-kind code.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Sym(String),
    Str(String),
}

impl Lit {
    /// The MBT1 arg-kind code (0 nil .. 5 string).
    pub fn code(&self) -> u8 {
        match self {
            Lit::Nil => 0,
            Lit::Bool(_) => 1,
            Lit::Int(_) => 2,
            Lit::Float(_) => 3,
            Lit::Sym(_) => 4,
            Lit::Str(_) => 5,
        }
    }

    /// The text of a symbol or string argument.
    pub fn text(&self) -> Option<&str> {
        match self {
            Lit::Sym(s) | Lit::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Append the `write` (readable) form; `Err` for a non-finite float.
    pub fn write_into(&self, out: &mut String) -> Result<(), String> {
        match self {
            Lit::Nil => out.push_str("nil"),
            Lit::Bool(true) => out.push_str("#t"),
            Lit::Bool(false) => out.push_str("#f"),
            Lit::Int(i) => out.push_str(&i.to_string()),
            Lit::Float(f) => {
                if !f.is_finite() {
                    return Err("write: non-finite floats are not readable".into());
                }
                out.push_str(&crate::lang::textfmt::format_float(*f));
            }
            Lit::Sym(s) => out.push_str(s),
            Lit::Str(s) => fmt::push_lisp_string(out, s),
        }
        Ok(())
    }

    /// The printer (`print`) form: like `write`, but non-finite floats print as `inf`/`nan`.
    pub fn show(&self) -> String {
        let mut out = String::new();
        match self {
            Lit::Float(f) if !f.is_finite() => out.push_str(&crate::lang::textfmt::format_float(*f)),
            l => {
                let _ = l.write_into(&mut out);
            }
        }
        out
    }
}

/// One node of a definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// Child node ids, in order.
    pub children: Vec<u32>,
    /// Leaf name (`cond`/`act`) or slot name; empty for other kinds.
    pub name: String,
    /// Literal arguments (leaf args, or the option pairs of `slot`/`plan-action`/`vla-*`).
    pub args: Vec<Lit>,
    /// The `repeat`/`retry` count, else 0.
    pub int_param: i64,
}

impl Node {
    pub fn new(kind: Kind) -> Node {
        Node { kind, children: Vec::new(), name: String::new(), args: Vec::new(), int_param: 0 }
    }

    /// The name shown in stats, events and labels: the leaf name, else `node-<id>`.
    pub fn display_name(&self, id: u32) -> String {
        if self.name.is_empty() {
            format!("node-{id}")
        } else {
            self.name.clone()
        }
    }
}

/// Where a definition came from (decides what its `bt_def` event shows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `bt`, `defbt`.
    Form,
    /// `bt.compile`.
    Compile,
    /// `bt.load-dsl`.
    LoadDsl,
    /// `bt.load` (MBT1).
    LoadBinary,
}

/// Identity metadata attached by `bt.compile` and `bt.load-dsl`.
#[derive(Clone, Debug, PartialEq)]
pub struct Canonical {
    /// `write` text of `bt.to-dsl`.
    pub dsl: String,
    pub dsl_hash: u64,
    /// Hash of the source: the `write` text of the compiled data, or the whole file text.
    pub source_hash: u64,
}

/// A compiled, immutable definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Def {
    pub nodes: Vec<Node>,
    pub root: u32,
    pub origin: Origin,
    pub canonical: Option<Canonical>,
}

impl Def {
    pub fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    /// The structural string the reference hashes when there is no canonical DSL:
    /// `root=R|id=I|kind=K|name=N|int=P[|arg-kind=A|payload]...[->C]...`.
    pub fn structural_string(&self) -> String {
        let mut s = format!("root={}", self.root);
        for (i, n) in self.nodes.iter().enumerate() {
            s.push_str(&format!("|id={i}|kind={}|name={}|int={}", n.kind.code(), n.name, n.int_param));
            for a in &n.args {
                s.push_str(&format!("|arg-kind={}", a.code()));
                match a {
                    Lit::Nil => {}
                    Lit::Bool(b) => s.push_str(if *b { "|bool=true" } else { "|bool=false" }),
                    Lit::Int(v) => s.push_str(&format!("|int={v}")),
                    Lit::Float(f) => s.push_str(&format!("|float={}", fmt::cpp_double(*f))),
                    Lit::Sym(t) | Lit::Str(t) => s.push_str(&format!("|text={t}")),
                }
            }
            for c in &n.children {
                s.push_str(&format!("->{c}"));
            }
        }
        s
    }

    /// `tree_hash`: the canonical DSL hash when present, else the structural hash.
    pub fn tree_hash(&self) -> u64 {
        match &self.canonical {
            Some(c) => c.dsl_hash,
            None => fnv::fnv1a64(self.structural_string().as_bytes()),
        }
    }
}
