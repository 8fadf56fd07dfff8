//! The tree view of a snippet that ticks a behaviour tree: what to draw ([`TreeScene`], read
//! through `bt::inspect` from the snippet's interpreter after each batch of its run) and how
//! ([`draw`]).
//!
//! [`draw`] is the one hook for the drawing: it takes a scene and returns the view's HTML
//! (a string the snippet puts into its own tree panel). Today it draws a compact outline:
//! one row per node, indented under its parent, with the node's kind, name and arguments and
//! the status it returned in the instance's last recorded tick (a glyph and a word, so the
//! status does not rest on colour alone). A richer drawing (the site's tree view) plugs in
//! here: any function from a [`TreeScene`] to markup, free of Yew, replaces the body of
//! [`draw`] and nothing else changes.

use crate::bt::inspect::NodeInfo;
use crate::bt::model::Status;
use crate::bt::runtime::BtRuntime;

use super::model::esc;

/// Nodes drawn per tree at most (the rest are counted).
pub const MAX_NODES: usize = 300;

/// One instance's tree as of its last recorded tick.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeScene {
    pub inst: u32,
    /// The last recorded tick (0: none recorded yet).
    pub tick: u64,
    pub root: u32,
    /// The definition's nodes, in id order.
    pub nodes: Vec<NodeInfo>,
    /// The status each node returned in `tick` (the last one, for a node ticked twice).
    pub statuses: Vec<(u32, Status)>,
    /// Blackboard entries (key, value text, type), in dump order.
    pub blackboard: Vec<(String, String, &'static str)>,
}

impl TreeScene {
    pub fn status_of(&self, node: u32) -> Option<Status> {
        self.statuses.iter().rev().find(|(n, _)| *n == node).map(|(_, s)| *s)
    }
}

/// Every instance with the ticks it has started.
pub fn instance_ticks<V: Clone>(rt: &BtRuntime<V>) -> Vec<(u32, u64)> {
    rt.list_instances().iter().map(|i| (i.id, i.ticks)).collect()
}

/// Instances that ticked since `before` was taken (new ones, or more ticks), in id order.
pub fn ticked_since(before: &[(u32, u64)], now: &[(u32, u64)]) -> Vec<u32> {
    now.iter()
        .filter(|(id, t)| *t > 0 && before.iter().find(|(b, _)| b == id).is_none_or(|(_, bt)| t > bt))
        .map(|(id, _)| *id)
        .collect()
}

/// The scene of instance `inst`.
pub fn scene<V: Clone>(rt: &BtRuntime<V>, inst: u32) -> Option<TreeScene> {
    let info = rt.list_instances().into_iter().find(|i| i.id == inst)?;
    let nodes = rt.def_nodes(info.def)?;
    let root = rt.def_root(info.def)?;
    let tick = rt.recorded_ticks(inst).last().copied().unwrap_or(0);
    let statuses =
        if tick > 0 { rt.tick_statuses(inst, tick).iter().map(|t| (t.node, t.status)).collect() } else { Vec::new() };
    let blackboard = rt
        .blackboard_entries(inst)
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.key, e.value.repr(), e.type_name))
        .collect();
    Some(TreeScene { inst, tick, root, nodes, statuses, blackboard })
}

fn glyph(s: Option<Status>) -> (&'static str, &'static str) {
    match s {
        Some(Status::Success) => ("✓", "success"),
        Some(Status::Failure) => ("✗", "failure"),
        Some(Status::Running) => ("▶", "running"),
        None => ("·", "not ticked"),
    }
}

/// The view's HTML for `scene` (see the module docs: this is the hook a richer drawing
/// replaces).
pub fn draw(scene: &TreeScene) -> String {
    let root_status = scene.status_of(scene.root);
    let mut out = format!(
        "<div class=\"ge-head\">Tree <span class=\"ge-dim\">&lt;bt_instance:{}&gt; · tick {} · root {}</span></div><ul class=\"ge-tree-list\" role=\"tree\">",
        scene.inst,
        scene.tick,
        glyph(root_status).1
    );
    let mut drawn = 0usize;
    let mut hidden = 0usize;
    // Depth-first from the root with an explicit stack (trees may be deep).
    let mut stack: Vec<(u32, usize)> = vec![(scene.root, 0)];
    let mut seen = vec![false; scene.nodes.len()];
    while let Some((id, depth)) = stack.pop() {
        let Some(node) = scene.nodes.get(id as usize) else { continue };
        if drawn >= MAX_NODES {
            hidden += 1;
            continue;
        }
        drawn += 1;
        let status = scene.status_of(id);
        let (g, word) = glyph(status);
        let mut text = String::from(node.kind.dsl_name());
        if !node.name.is_empty() {
            text.push(' ');
            text.push_str(&node.name);
        }
        for a in &node.args {
            text.push(' ');
            text.push_str(&a.show());
        }
        if matches!(node.kind.dsl_name(), "repeat" | "retry") {
            text.push_str(&format!(" {}", node.count));
        }
        let class = word.replace(' ', "-");
        out.push_str(&format!(
            "<li role=\"treeitem\" data-node=\"{id}\" data-status=\"{class}\" class=\"ge-tn ge-s-{class}\" style=\"--depth:{depth}\"><span class=\"ge-g\" aria-hidden=\"true\">{g}</span> <code>{}</code> <span class=\"ge-dim\">#{id} {word}</span></li>",
            esc(&text)
        ));
        let already = seen.get(id as usize).copied().unwrap_or(true);
        if let Some(s) = seen.get_mut(id as usize) {
            *s = true;
        }
        if !already {
            for c in node.children.iter().rev() {
                stack.push((*c, depth + 1));
            }
        }
    }
    if hidden > 0 {
        out.push_str(&format!("<li class=\"ge-dim\">{hidden} more nodes not shown</li>"));
    }
    out.push_str("</ul>");
    if !scene.blackboard.is_empty() {
        out.push_str("<div class=\"ge-bb\"><span class=\"ge-dim\">blackboard</span>");
        for (k, v, t) in scene.blackboard.iter().take(40) {
            out.push_str(&format!(" <span class=\"ge-bbe\" title=\"{}\"><b>{}</b>={}</span>", esc(t), esc(k), esc(v)));
        }
        out.push_str("</div>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bt::lisp::BtExt;
    use crate::jobs::Engine;
    use crate::lang::{Host, Limits};
    use std::cell::RefCell;
    use std::rc::Rc;

    struct Sink;
    impl Host for Sink {
        fn print(&mut self, _: &str) {}
    }

    fn run(interp: &mut crate::lang::Interp, src: &str) {
        interp.load(src).expect("loads");
        let engine = Rc::new(RefCell::new(Engine::default()));
        let mut pacer = crate::runtime::JumpClock(engine);
        let mut rl = crate::lang::RunLoop::new(100_000, Some(1_000_000));
        loop {
            match rl.next(interp, &mut Sink, &mut pacer) {
                crate::lang::Driven::Idle => break,
                crate::lang::Driven::Error(e) => panic!("{}", e.located()),
                _ => {}
            }
        }
    }

    #[test]
    fn a_ticked_tree_shows_each_nodes_last_status() {
        let engine = Rc::new(RefCell::new(Engine::default()));
        let mut interp = crate::runtime::new_interp(&engine, Limits::default());
        let before = instance_ticks(&interp.ext::<BtExt>().expect("bt installed").rt);
        assert!(before.is_empty());
        run(
            &mut interp,
            "(define r (bt.new-instance (bt (sel (seq (cond always-false) (act bb-put-int a 1)) (act bb-put-int dock 1)))))\n(bt.tick r)",
        );
        let rt = &interp.ext::<BtExt>().expect("bt").rt;
        let now = instance_ticks(rt);
        assert_eq!(ticked_since(&before, &now), vec![1]);
        assert!(ticked_since(&now, &now).is_empty());
        let s = scene(rt, 1).expect("scene");
        assert_eq!(s.tick, 1);
        assert_eq!(s.status_of(s.root), Some(Status::Success));
        assert_eq!(s.status_of(0), Some(Status::Failure));
        assert_eq!(s.status_of(1), None, "the sequence stopped at the failed condition");
        let html = draw(&s);
        assert!(html.contains("tick 1 · root success"), "{html}");
        assert!(html.contains("data-node=\"0\" data-status=\"failure\""), "{html}");
        assert!(html.contains("data-node=\"1\" data-status=\"not-ticked\""), "{html}");
        assert!(html.contains("<b>dock</b>=1"), "{html}");
        // the root comes first, its children follow in order
        let root_at = html.find(&format!("data-node=\"{}\"", s.root)).unwrap();
        assert!(root_at < html.find("data-node=\"0\"").unwrap());
        assert!(scene(rt, 99).is_none());
    }
}
