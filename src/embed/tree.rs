//! The tree view of a snippet that ticks a behaviour tree: what to draw ([`TreeScene`], read
//! through `bt::inspect` from the snippet's interpreter after each batch of its run) and how
//! ([`draw`]).
//!
//! [`draw`] is the one hook for the drawing: a scene in, the view's HTML out (the snippet puts
//! it into its own tree panel). It draws with the tree studio's yew-free drawing
//! (`studio::shape` + `studio::layout` + `studio::svg`, the same SVG as the site's live tree
//! view): node shapes by kind, each node's status in the instance's last recorded tick told
//! apart without colour (border, icon, hatching), the edges the tick went down; then the
//! blackboard. The embed's stylesheet colours it (`.bt-*` classes).

use std::rc::Rc;

use crate::bt::model::{Def, Status};
use crate::bt::runtime::BtRuntime;
use crate::studio::layout::layout;
use crate::studio::shape::TreeShape;
use crate::studio::svg::{svg, SvgOptions};

use super::model::esc;

/// One instance's tree as of its last recorded tick.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeScene {
    pub inst: u32,
    /// The last recorded tick (0: none recorded yet).
    pub tick: u64,
    pub root: u32,
    /// The instance's definition.
    pub def: Rc<Def>,
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
    let def = rt.def(info.def)?.clone();
    let root = def.root;
    let tick = rt.recorded_ticks(inst).last().copied().unwrap_or(0);
    let statuses =
        if tick > 0 { rt.tick_statuses(inst, tick).iter().map(|t| (t.node, t.status)).collect() } else { Vec::new() };
    let blackboard = rt
        .blackboard_entries(inst)
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.key, e.value.repr(), e.type_name))
        .collect();
    Some(TreeScene { inst, tick, root, def, statuses, blackboard })
}

fn status_word(s: Option<Status>) -> &'static str {
    crate::studio::svg::status_words(s)
}

/// The view's HTML for `scene` (see the module docs: this is the hook). `prefix` makes the
/// drawing's element ids unique on the page.
pub fn draw(scene: &TreeScene, prefix: &str) -> String {
    let shape = TreeShape::from_def(scene.def.clone());
    let statuses: Vec<Option<Status>> = (0..shape.len() as u32).map(|id| scene.status_of(id)).collect();
    // The tick went down every edge whose both ends returned a status in it.
    let mut path = Vec::new();
    for (id, st) in statuses.iter().enumerate() {
        if st.is_none() {
            continue;
        }
        for c in shape.node(id as u32).map(|n| n.children.as_slice()).unwrap_or(&[]) {
            if statuses.get(*c as usize).copied().flatten().is_some() {
                path.push((id as u32, *c));
            }
        }
    }
    let lay = layout(&shape, &[], None);
    let label = format!("behaviour tree of <bt_instance:{}> at tick {}", scene.inst, scene.tick);
    let opts = SvgOptions { prefix, statuses: Some(&statuses), path: &path, standalone: false, label: &label };
    let mut out = format!(
        "<div class=\"ge-head\">Tree <span class=\"ge-dim\">&lt;bt_instance:{}&gt; · tick {} · root {}</span></div><div class=\"ge-svg\">{}</div>",
        scene.inst,
        scene.tick,
        status_word(scene.status_of(scene.root)),
        svg(&shape, &lay, &opts)
    );
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
        let html = draw(&s, "t1");
        assert!(html.contains("tick 1 · root success"), "{html}");
        assert!(html.contains("st-failure\" id=\"t1-n0\""), "{html}");
        assert!(html.contains("st-idle\" id=\"t1-n1\""), "{html}");
        assert!(html.contains(&format!("st-success\" id=\"t1-n{}\"", s.root)), "{html}");
        assert!(html.contains("<b>dock</b>=1"), "{html}");
        // the tick went from the selector to the condition's sequence, not to `bb-put-int a`
        assert!(html.contains("class=\"bt-edge on\" id=\"t1-e2-0\""), "{html}");
        assert!(html.contains("class=\"bt-edge\" id=\"t1-e2-1\""), "{html}");
        assert!(scene(rt, 99).is_none());
    }
}
