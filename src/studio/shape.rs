//! What the tree view draws of a definition: every node's kind family (the shape it is drawn
//! with), its kind, name and arguments as text, its children, and for the VLA leaves the
//! blackboard key that holds the job they submit or wait on.

use std::rc::Rc;

use crate::bt::model::{Class, Def, Kind, Lit, Node};

/// How a node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `seq`, `sel`, `mem-*`, `async-seq`, `reactive-*`.
    Composite,
    /// `invert`, `repeat`, `retry`, `slot`.
    Decorator,
    /// `cond`.
    Condition,
    /// `act`.
    Action,
    /// `succeed`, `fail`, `running`.
    Utility,
    /// `vla-request`, `vla-wait`, `vla-cancel`.
    Vla,
    /// `plan-action`.
    Planner,
}

impl Family {
    pub fn of(kind: Kind) -> Family {
        match kind.class() {
            Class::Composite => Family::Composite,
            Class::Decorator => Family::Decorator,
            Class::Utility => Family::Utility,
            Class::Leaf if kind == Kind::Cond => Family::Condition,
            Class::Leaf => Family::Action,
            Class::Host if kind == Kind::PlanAction => Family::Planner,
            Class::Host => Family::Vla,
        }
    }

    /// The CSS class suffix (`f-composite`, ...).
    pub fn css(self) -> &'static str {
        match self {
            Family::Composite => "composite",
            Family::Decorator => "decorator",
            Family::Condition => "condition",
            Family::Action => "action",
            Family::Utility => "utility",
            Family::Vla => "vla",
            Family::Planner => "planner",
        }
    }

    /// Words for screen readers and the legend.
    pub fn describe(self) -> &'static str {
        match self {
            Family::Composite => "composite",
            Family::Decorator => "decorator",
            Family::Condition => "condition",
            Family::Action => "action",
            Family::Utility => "fixed-status leaf",
            Family::Vla => "VLA leaf",
            Family::Planner => "planner leaf",
        }
    }
}

/// A small glyph for a composite or decorator kind (drawn before its kind name).
pub fn glyph(kind: Kind) -> &'static str {
    match kind {
        Kind::Seq => "→",
        Kind::Sel => "?",
        Kind::MemSeq => "→*",
        Kind::MemSel => "?*",
        Kind::AsyncSeq => "⇢",
        Kind::ReactiveSeq => "⟳→",
        Kind::ReactiveSel => "⟳?",
        Kind::Invert => "¬",
        Kind::Repeat => "×",
        Kind::Retry => "↺",
        Kind::Slot => "◇",
        _ => "",
    }
}

/// One node as the view shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShapeNode {
    pub id: u32,
    pub kind: Kind,
    pub family: Family,
    /// Leaf or slot name, `plan-action`/VLA `:name`, else empty.
    pub name: String,
    /// The arguments as muslisp text (`repeat`/`retry`: the count).
    pub args: String,
    pub children: Vec<u32>,
    /// VLA leaves: the blackboard key of their job id (`:job_key`, else `<name>.job_id`).
    pub job_key: Option<String>,
}

impl ShapeNode {
    /// The text a reader sees for this node (`seq #4`, `cond battery-ok`).
    pub fn caption(&self) -> String {
        if self.name.is_empty() {
            format!("{} #{}", self.kind.dsl_name(), self.id)
        } else {
            format!("{} {}", self.kind.dsl_name(), self.name)
        }
    }
}

/// A definition as the view shows it.
#[derive(Clone, Debug)]
pub struct TreeShape {
    pub nodes: Vec<ShapeNode>,
    pub root: u32,
    /// The definition (for DOT export); absent for trees read back from a log.
    pub def: Option<Rc<Def>>,
}

impl PartialEq for TreeShape {
    fn eq(&self, o: &Self) -> bool {
        self.nodes == o.nodes && self.root == o.root
    }
}

/// The option keys of a host leaf as `bt` reads them: a leading `:` dropped, `-` as `_`.
fn option_key(l: &Lit) -> Option<String> {
    let t = l.text()?;
    Some(t.trim_start_matches(':').replace('-', "_"))
}

/// A host leaf's option value by (normalised) key.
pub fn host_option<'a>(args: &'a [Lit], key: &str) -> Option<&'a Lit> {
    args.chunks(2).find(|p| p.len() == 2 && option_key(&p[0]).as_deref() == Some(key)).map(|p| &p[1])
}

fn args_text(n: &Node) -> String {
    match n.kind {
        Kind::Repeat | Kind::Retry => n.int_param.to_string(),
        _ => n.args.iter().map(Lit::show).collect::<Vec<_>>().join(" "),
    }
}

impl TreeShape {
    pub fn from_def(def: Rc<Def>) -> TreeShape {
        let nodes = def
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let id = i as u32;
                let family = Family::of(n.kind);
                let mut name = n.name.clone();
                let mut job_key = None;
                if matches!(family, Family::Vla | Family::Planner) {
                    let opt = host_option(&n.args, "name").and_then(|l| l.text()).map(str::to_string);
                    let default =
                        if family == Family::Vla { format!("vla-request-{id}") } else { format!("plan-action-{id}") };
                    name = opt.unwrap_or(default);
                    if family == Family::Vla {
                        let key = host_option(&n.args, "job_key").and_then(|l| l.text()).map(str::to_string);
                        job_key = Some(key.unwrap_or_else(|| format!("{name}.job_id")));
                    }
                }
                ShapeNode { id, kind: n.kind, family, name, args: args_text(n), children: n.children.clone(), job_key }
            })
            .collect();
        TreeShape { nodes, root: def.root, def: Some(def) }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn node(&self, id: u32) -> Option<&ShapeNode> {
        self.nodes.get(id as usize)
    }

    /// Each node's first parent (the root and unreachable nodes have none).
    pub fn parents(&self) -> Vec<Option<u32>> {
        let mut p = vec![None; self.nodes.len()];
        // Walk from the root so a shared child (MBT1 DAGs) gets its first parent in
        // depth-first order.
        let mut stack = vec![self.root];
        let mut seen = vec![false; self.nodes.len()];
        while let Some(n) = stack.pop() {
            let Some(node) = self.nodes.get(n as usize) else { continue };
            if std::mem::replace(&mut seen[n as usize], true) {
                continue;
            }
            for &c in node.children.iter().rev() {
                if (c as usize) < p.len() && p[c as usize].is_none() && c != self.root {
                    p[c as usize] = Some(n);
                }
                stack.push(c);
            }
        }
        p
    }

    /// Graphviz DOT: `bt.export-dot`'s text when there is a definition, else one of our own.
    pub fn dot(&self) -> String {
        if let Some(def) = &self.def {
            if crate::bt::mbt1::validate(def).is_ok() {
                return crate::bt::mbt1::dot(def);
            }
        }
        let mut out = String::from("digraph bt {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n");
        for n in &self.nodes {
            let mut label = format!("id={}\\n{}", n.id, n.kind.dsl_name());
            if !n.name.is_empty() {
                label.push_str(&format!("\\nname={}", n.name));
            }
            out.push_str(&format!("  n{} [label=\"{}\"];\n", n.id, label.replace('"', "\\\"")));
        }
        for n in &self.nodes {
            for (i, c) in n.children.iter().enumerate() {
                out.push_str(&format!("  n{} -> n{} [label=\"{i}\"];\n", n.id, c));
            }
        }
        out.push_str("}\n");
        out
    }
}
