//! Browser test: a behaviour tree with VLA leaves, a planning leaf, a stop guard and a
//! fallback (examples/vla_planner_tree.lisp) runs in the page's runner; the jobs its
//! `vla-request` leaf submits appear in the jobs panel and end there (the second one
//! cancelled by the guard's halt, or done).
#![cfg(target_arch = "wasm32")]

mod web_support;

use granola::jobs::State;
use granola::vla::VlaWork;
use granola::web::components::{JobsPanel, Runner};
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

const TREE: &str = include_str!("../examples/vla_planner_tree.lisp");

#[wasm_bindgen_test]
async fn a_tree_with_vla_and_planner_leaves_runs_and_its_jobs_show_in_the_panel() {
    // 1 job-ms per 20 wall-ms: the 1 ms sleeps between ticks are visible, the run short.
    let m = mount(0.05, html! { <><Runner id="tree-run" source={TREE} autorun={true} /><JobsPanel /></> }).await;
    assert!(
        wait_for(20000.0, || m.q("#tree-run[data-status=\"done\"]").is_some()).await,
        "the program finished: {}",
        m.text("#tree-run .runner-output")
    );
    let out = m.text("#tree-run .runner-output");
    for tick in 1..=8 {
        assert!(out.contains(&format!("({tick} ")), "tick {tick} printed: {out}");
    }
    assert!(out.contains("success 2 0.72 nil \"done\")"), "the model's answer was committed: {out}");
    assert!(out.contains("jobs :"), "the program reported its jobs: {out}");
    assert!(!out.contains("fatal") && !out.contains("error"), "no errors: {out}");

    // The leaf-submitted jobs are VLA jobs on the session's engine, with the instance as run id.
    let jobs: Vec<(u64, State, String)> = m
        .session
        .engine
        .borrow()
        .jobs()
        .filter_map(|j| j.work::<VlaWork>().map(|w| (j.id, j.state, w.request.run_id.clone())))
        .collect();
    assert!(jobs.len() >= 2, "two jobs submitted: {jobs:?}");
    for (_, state, run_id) in &jobs {
        assert_eq!(run_id, "inst-1");
        assert!(matches!(state, State::Done | State::Cancelled), "ended: {jobs:?}");
    }
    // ... and the panel lists them with their end states.
    for (id, state, _) in &jobs {
        let row = format!(".job-row[data-job=\"{id}\"]");
        let want = if *state == State::Done { "done" } else { "cancelled" };
        assert!(
            wait_for(3000.0, || m.q(&row).and_then(|e| e.get_attribute("data-state")).as_deref() == Some(want)).await,
            "row {id} shows {want}"
        );
    }
    m.unmount();
}
