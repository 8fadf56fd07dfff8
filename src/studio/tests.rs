//! The studio core against the tick machine: statuses, paths, blackboards as of any tick,
//! bounds, and the log written and read back.

use std::cell::RefCell;
use std::rc::Rc;

use crate::bt::blackboard::BbValue;
use crate::bt::events::TapRef;
use crate::bt::model::{Def, Status};
use crate::bt::tests::H;

use super::layout::{layout, Orient};
use super::record::Recorder;

/// A compiled definition of DSL text.
pub(crate) fn def_of(src: &str) -> Rc<Def> {
    let mut h = H::new();
    let d = h.def(src);
    h.rt.def(d).unwrap().clone()
}

fn tapped() -> (H, Rc<RefCell<Recorder>>) {
    let mut h = H::new();
    let rec = Rc::new(RefCell::new(Recorder::new(h.rt.events.run_id())));
    h.rt.events.set_tap(Some(TapRef(rec.clone())));
    (h, rec)
}

const S: Option<Status> = Some(Status::Success);
const F: Option<Status> = Some(Status::Failure);
const R: Option<Status> = Some(Status::Running);

#[test]
fn statuses_path_and_blackboard_per_tick() {
    let (mut h, rec) = tapped();
    let i = h.inst("(sel (cond bb-truthy hi) (seq (act bb-put-int n 1) (running)))");
    h.tick(i, &[]);
    h.tick(i, &[("hi", BbValue::Bool(true))]);
    let r = rec.borrow();
    let t = r.of_instance(i).unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t.statuses(0), vec![F, S, R, R, R]);
    assert_eq!(t.statuses(1), vec![S, None, None, None, S]);
    assert_eq!(t.path(0), vec![(4, 0), (4, 3), (3, 1), (3, 2)]);
    assert_eq!(t.path(1), vec![(4, 0)]);
    assert_eq!(t.tick(0).unwrap().root, R);
    let bb0 = t.bb_at(0);
    assert_eq!(bb0.keys().collect::<Vec<_>>(), vec!["n"]);
    assert_eq!((bb0["n"].writer_node, bb0["n"].writer_name.as_str(), bb0["n"].tick), (1, "bb-put-int", 1));
    let bb1 = t.bb_at(1);
    assert_eq!(bb1.keys().collect::<Vec<_>>(), vec!["hi", "n"]);
    assert_eq!(t.changed_keys(0), vec!["n"]);
    assert_eq!(t.changed_keys(1), vec!["hi"], "the tick input shows as a change of tick 2");
    let (ev, total) = t.events(0, 100);
    assert_eq!(total, ev.len());
    assert_eq!(ev[0].kind, "tick_begin");
    assert!(ev.iter().any(|e| e.kind == "bb_write" && e.node == Some(1)));
    assert_eq!(ev.last().unwrap().kind, "tick_ok");
    assert_eq!(t.event_count(0), total);
    let (part, total2) = t.events_from(0, 2, 3);
    assert_eq!((part, total2), (ev[2..5].to_vec(), total), "a window of the list is the same rows");
    assert_eq!(t.events_from(0, total, 5).0, vec![], "nothing past the end");
    assert_eq!(t.first_failure(), Some(0), "no root failure: the first node failure (tick 1)");
}

#[test]
fn reset_and_halt_show_in_the_recording() {
    let (mut h, rec) = tapped();
    let i = h.inst("(mem-seq (act bb-put-int k 1) (act running-then-success 2))");
    h.tick(i, &[]);
    h.reset(i);
    assert!(rec.borrow().of_instance(i).unwrap().bb_now().is_empty(), "reset clears the current blackboard");
    h.tick(i, &[]);
    let p = h.rt.halt_start(i, &mut h.eng).unwrap();
    assert!(matches!(p, crate::bt::runtime::Progress::Done(None)));
    assert_eq!(h.tick(i, &[]), Status::Running, "after a halt the action starts over");
    let r = rec.borrow();
    let t = r.of_instance(i).unwrap();
    assert_eq!(t.len(), 3);
    assert!(t.tick(1).unwrap().reset_before);
    assert_eq!(t.bb_at(0)["k"].tick, 1);
    assert_eq!(t.bb_at(1)["k"].tick, 2, "rewritten after the reset");
    assert_eq!(t.bb_at(2)["k"].tick, 3, "the halt zeroed mem-seq's index, so k is written again");
}

#[test]
fn many_ticks_stay_bounded_and_scrubbable() {
    let (mut h, rec) = tapped();
    rec.borrow_mut().max_ticks = 1000;
    let i = h.inst("(seq (act bb-put-int k 1) (cond bb-truthy go) (act bb-put-int done 2))");
    for n in 0..2500u64 {
        let go = n % 3 == 0;
        h.tick(i, &[("go", BbValue::Bool(go))]);
    }
    let r = rec.borrow();
    let t = r.of_instance(i).unwrap();
    assert_eq!(t.len(), 1000);
    assert_eq!(t.dropped, 1500);
    assert_eq!(t.tick(0).unwrap().tick, 1501);
    // tick 1501 is the 1501st call: n = 1500, go = true
    assert_eq!(t.statuses(0)[3], S);
    assert_eq!(t.bb_at(0)["go"].value, BbValue::Bool(true));
    assert_eq!(t.bb_at(1)["go"].value, BbValue::Bool(false));
    assert_eq!(t.bb_at(999)["go"].value, BbValue::Bool(2499 % 3 == 0));
    // the same blackboard whether rebuilt from the base or from a checkpoint
    for j in [0usize, 63, 64, 65, 500, 998] {
        assert_eq!(t.bb_at(j)["k"].tick, t.tick(j).unwrap().tick);
    }
    assert!(r.bytes() < 1000 * 1024, "about a few hundred bytes a tick: {}", r.bytes());
}

#[test]
fn byte_bound_drops_the_oldest() {
    let (mut h, rec) = tapped();
    rec.borrow_mut().max_bytes = 64 * 1024;
    let i = h.inst("(seq (succeed) (succeed) (succeed) (succeed) (succeed) (succeed) (succeed) (succeed))");
    for _ in 0..3000 {
        h.tick(i, &[]);
    }
    let r = rec.borrow();
    assert!(r.bytes() <= 64 * 1024, "{}", r.bytes());
    let t = r.of_instance(i).unwrap();
    assert!(t.len() > 50 && t.len() < 3000, "{}", t.len());
    assert_eq!(t.tick(t.len() - 1).unwrap().tick, 3000);
}

#[test]
fn the_log_reads_back_the_same() {
    let (mut h, rec) = tapped();
    let i = h.inst("(reactive-sel (cond bb-truthy stop) (seq (act bb-put-int n 7) (act running-then-success 2)))");
    h.tick(i, &[]);
    h.tick(i, &[]);
    h.tick(i, &[("stop", BbValue::Bool(true))]);
    let r = rec.borrow();
    let t = r.of_instance(i).unwrap();
    let text = t.log_text(&r.run_id, r.run_start());
    assert!(text.lines().all(|l| l.starts_with("{\"schema\":\"mbt.evt.v1\"")));
    assert!(text.lines().next().unwrap().contains("\"type\":\"run_start\""));
    assert!(text.lines().nth(1).unwrap().contains("\"type\":\"bt_def\""));
    // every line of the live ring is in the download, in order (seq aside)
    let strip = |l: &str| {
        let a = l.find(",\"seq\":").unwrap();
        let b = a + l[a + 1..].find(',').unwrap() + 1;
        format!("{}{}", &l[..a], &l[b..])
    };
    let ring: Vec<String> = h.rt.events.dump(0).iter().map(|l| strip(l)).collect();
    let ours: Vec<String> = text.lines().map(strip).collect();
    assert_eq!(ring, ours);
    let back = super::log::read_log(&text).unwrap();
    assert_eq!(back.trees().len(), 1);
    let b = &back.trees()[0];
    assert_eq!(b.len(), 3);
    for k in 0..3 {
        assert_eq!(b.statuses(k), t.statuses(k), "tick {k}");
        assert_eq!(b.path(k), t.path(k));
    }
    assert_eq!(b.bb_at(0)["n"].value, BbValue::Int(7));
    assert_eq!(b.bb_at(0)["n"].writer_name, "bb-put-int");
    assert_eq!(b.shape.nodes.len(), t.shape.nodes.len());
    assert_eq!(b.shape.root, t.shape.root);
    assert_eq!(b.shape.nodes[0].name, "bb-truthy");
    assert_eq!(back.run_id, r.run_id);
}

#[test]
fn bad_logs_are_refused_with_a_line() {
    assert!(super::log::read_log("").unwrap_err().contains("no records"));
    assert!(super::log::read_log("{\"type\":\"tick_begin\"}\nnot json").unwrap_err().starts_with("line 2:"));
    assert!(super::log::read_log("{\"type\":\"tick_begin\",\"tick\":1}").unwrap_err().contains("no bt_def"));
}

#[test]
fn layout_places_without_overlap_and_folds() {
    let def = def_of("(sel (seq (cond a) (act b) (act c)) (seq (cond d) (act e)) (invert (fail)))");
    let s = super::shape::TreeShape::from_def(def);
    let l = layout(&s, &[], Some(Orient::TopDown));
    assert_eq!(l.nodes.len(), s.len());
    for a in &l.nodes {
        for b in &l.nodes {
            if a.id < b.id {
                let apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{a:?} {b:?}");
            }
        }
    }
    let root = l.placed(s.root).unwrap();
    assert_eq!(root.depth, 0);
    let mut folded = vec![false; s.len()];
    folded[3] = true; // the first seq
    let f = layout(&s, &folded, Some(Orient::TopDown));
    assert_eq!(f.nodes.len(), s.len() - 3);
    assert_eq!(f.placed(3).unwrap().hidden, 3);
    let lr = layout(&s, &[], Some(Orient::LeftRight));
    assert!(lr.placed(0).unwrap().x > lr.placed(s.root).unwrap().x);
    // a very wide tree goes left to right by itself
    let wide = format!("(seq {})", "(act always-success) ".repeat(40));
    let w = super::shape::TreeShape::from_def(def_of(&wide));
    assert_eq!(layout(&w, &[], None).orient, Orient::LeftRight);
}

#[test]
fn a_deep_tree_lays_out_without_recursion() {
    let src = format!("{}(succeed){}", "(invert ".repeat(3000), ")".repeat(3000));
    let s = super::shape::TreeShape::from_def(def_of(&src));
    let l = layout(&s, &[], None);
    assert_eq!(l.nodes.len(), 3001);
}

#[test]
fn vla_leaves_know_their_job_key() {
    let s = super::shape::TreeShape::from_def(def_of(
        "(sel (vla-wait :name p :action_key act) (vla-request :job-key \"my.job\" :instruction \"go\") (plan-action))",
    ));
    assert_eq!(s.nodes[0].job_key.as_deref(), Some("p.job_id"));
    assert_eq!(s.nodes[1].job_key.as_deref(), Some("my.job"));
    assert_eq!(s.nodes[1].name, "vla-request-1");
    assert_eq!(s.nodes[2].name, "plan-action-2");
    assert_eq!(s.nodes[2].job_key, None);
}

/// The documented cost of a large tree (module docs of `record`, docs/reference/bt/index.md):
/// a 500-node tree whose every node runs every tick takes about 4.4 KB per recorded tick, so
/// the 32 MiB bound keeps about its last 7,600 ticks.
#[test]
fn a_500_node_tree_costs_about_4_kb_per_tick() {
    let (mut h, rec) = tapped();
    let group = "(seq (succeed) (succeed) (succeed) (succeed) (succeed) (succeed) (succeed) (succeed) (succeed))";
    let src = format!("(seq {})", vec![group; 50].join(" "));
    let i = h.inst(&src);
    for _ in 0..200 {
        h.tick(i, &[]);
    }
    let r = rec.borrow();
    let t = r.of_instance(i).unwrap();
    assert_eq!(t.shape.len(), 501);
    let per_tick = r.bytes() / 200;
    eprintln!("501 nodes: {per_tick} bytes per tick");
    assert!((3000..=4600).contains(&per_tick), "{per_tick} bytes per tick");
    let kept = super::record::MAX_BYTES / per_tick;
    assert!((7000..=11_000).contains(&kept), "{kept} ticks fit the byte bound");
}
