//! Browser tests of the tour: a step checks the learner's run, gives a hint for a wrong answer,
//! and unlocks the next step (progress remembered); the starters run, the job steps end where
//! their checks expect, and the last step passes only once the learner adds the cancel.
#![cfg(target_arch = "wasm32")]

mod web_support;

use gloo_timers::future::TimeoutFuture;
use granola::web::pages::tour::{TourPage, STEPS};
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_tour_step_checks_the_result_and_unlocks_the_next() {
    storage().set_item("granola.tour.done", "0").unwrap();
    let m = mount(1.0, html! { <TourPage /> }).await;
    assert!(m.q(".tour-step[data-step=\"1\"] button[disabled]").is_some(), "step 2 locked");
    set_editor_text(&m.root, "(+ 1 2)");
    m.click("#tour-runner button.run");
    assert!(wait_for(5000.0, || m.q(".tour-verdict.hint").is_some()).await, "a wrong answer gets a hint");
    set_editor_text(&m.root, "(* 6 7)");
    TimeoutFuture::new(30).await;
    m.click("#tour-runner button.run");
    assert!(wait_for(5000.0, || m.q(".tour-verdict.ok").is_some()).await, "42 passes");
    assert_eq!(storage().get_item("granola.tour.done").unwrap().as_deref(), Some("1"), "progress saved");
    assert!(m.q(".tour-step[data-step=\"1\"] button:not([disabled])").is_some(), "step 2 unlocked");
    m.unmount();
}
fn last_line(s: &str) -> &str {
    s.trim_end().lines().last().unwrap_or("")
}
/// The tour's starters: the job steps run as given, and the last step passes once the
/// learner adds the cancel.
#[wasm_bindgen_test]
fn tour_starters_lead_to_their_checks() {
    assert!(STEPS.len() >= 5);
    for s in STEPS {
        let run = granola::runtime::run_script(s.starter);
        assert!(run.error.is_none(), "{}: {:?}", s.title, run.error);
    }
    let watch = STEPS.iter().find(|s| s.title.contains("stream")).unwrap();
    assert_eq!(last_line(&granola::runtime::run_script(watch.starter).stdout), ":done");
    let cancel = STEPS.iter().find(|s| s.title.contains("Cancel")).unwrap();
    assert_eq!(
        last_line(&granola::runtime::run_script(cancel.starter).stdout),
        ":done",
        "not passed before the learner acts"
    );
    let solved = cancel.starter.replace("; add (vla.cancel job) here", "(vla.cancel job)");
    assert_eq!(last_line(&granola::runtime::run_script(&solved).stdout), ":cancelled");
}

/// The behaviour-tree chapter: each starter runs but does not yet give the value its check
/// wants; the learner's change does.
#[wasm_bindgen_test]
fn the_behaviour_tree_steps_pass_only_once_solved() {
    let out = |src: &str| last_line(&granola::runtime::run_script(src).stdout).to_string();
    let step = |t: &str| STEPS.iter().find(|s| s.title == t).unwrap_or_else(|| panic!("step {t}"));
    let first = step("A behaviour tree");
    assert_eq!(out(first.starter), "running");
    assert_eq!(out(&format!("{}(bt.tick robot)\n(bt.tick robot)\n", first.starter)), "success");
    let fallback = step("Make the fallback take over");
    assert_eq!(out(fallback.starter), "(1 nil)");
    assert_eq!(out(&fallback.starter.replace("door-open #t", "door-open #f")), "(nil 1)");
    let cond = step("A condition in Lisp");
    assert_eq!(out(cond.starter), "(\"work\" \"work\")");
    let solved =
        cond.starter.replace("(lambda (robot) #t))", "(lambda (robot) (> (bt.blackboard.get robot 'battery 0) 20)))");
    assert_eq!(out(&solved), "(\"work\" \"charge\")");
}
