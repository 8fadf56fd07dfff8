//! `cargo run --release --example bench_bt`: the behaviour-tree core without the evaluator.
//! A 341-node tree (4-ary, depth 4: `seq`/`sel` over `always-true` conditions and
//! `always-success` actions) ticked 2,000 times with the event log on (the reference takes
//! about 6 s for the same through its CLI), then a 50,000-deep `invert` chain.

use granola::bt::form::{Forms, Item};
use granola::bt::model::{Def, Lit, Origin};
use granola::bt::runtime::{BtRuntime, GcSnap, Progress};
use granola::jobs::Engine;
use std::time::Instant;

fn tree(forms: &mut Forms, depth: u32, k: &mut u32, all_seq: bool) -> usize {
    *k += 1;
    if depth == 0 {
        let (kind, name) = if (*k).is_multiple_of(2) { ("cond", "always-true") } else { ("act", "always-success") };
        let a = forms.sym(kind);
        let b = forms.sym(name);
        return forms.list(vec![a, b]);
    }
    let head = forms.sym(if all_seq || depth.is_multiple_of(2) { "seq" } else { "sel" });
    let mut elems = vec![head];
    for _ in 0..4 {
        elems.push(tree(forms, depth - 1, k, all_seq));
    }
    forms.push(Item::List(elems))
}

fn run(all_seq: bool) {
    let mut forms = Forms::new();
    let mut k = 0;
    let root = tree(&mut forms, 4, &mut k, all_seq);
    let (nodes, r) = granola::bt::compile::compile(&forms, root).expect("compiles");
    assert_eq!(nodes.len(), 341);
    let mut rt: BtRuntime<()> = BtRuntime::new(0.0);
    let mut eng = Engine::default();
    let d = rt.add_def(Def { nodes, root: r, origin: Origin::Form, canonical: None });
    let i = rt.new_instance(d, 0.0).unwrap();
    let t0 = Instant::now();
    for _ in 0..2000 {
        match rt.tick_start(i, &mut eng, GcSnap::default()) {
            Ok(Progress::Done(_)) => {}
            _ => panic!("unexpected"),
        }
    }
    let dt = t0.elapsed();
    let visits = (rt.events.seq() - 2 - 2000 * 3) / 3;
    println!(
        "bt core, {}: 341-node tree x 2000 ticks: {:.3} s ({} node visits, {} events logged, {:.0} ns per visit)",
        if all_seq { "all seq (every node ticked)" } else { "seq/sel alternating" },
        dt.as_secs_f64(),
        visits,
        rt.events.seq(),
        dt.as_nanos() as f64 / visits as f64
    );
}

fn main() {
    run(false);
    run(true);
    let _ = Lit::Nil;
}
