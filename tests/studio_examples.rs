//! The behaviour-tree programs of the playground's gallery (examples/bt_*.lisp and the robot's
//! examples/drive_robot_tree.lisp) run headless
//! to their documented end: the patrol charges and walks on, the guarded VLA policy takes the
//! model's answer and its emergency stop cancels the job in flight, the planner loop reaches
//! its goal, the robot reaches its goal in the 2-D world.

use granola::runtime::run_script;

fn run(path: &str) -> String {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let r = run_script(&src);
    assert!(r.error.is_none(), "{path}: {:?}\n{}", r.error, r.stdout);
    r.stdout
}

#[test]
fn the_patrol_charges_then_walks_on() {
    let out = run("examples/bt_patrol.lisp");
    assert!(out.contains("\"dock\" 100"), "charged to full: {out}");
    assert!(out.contains("\"kitchen\" 88"), "walks on after charging: {out}");
    assert!(out.trim_end().ends_with("patrolled"), "{out}");
}

#[test]
fn the_guarded_policy_uses_the_model_and_stops_on_the_guard() {
    let out = run("examples/bt_guarded_vla.lisp");
    assert!(out.contains("(2 success 2 0.72 nil)"), "the model's answer is taken: {out}");
    assert!(out.contains("(7 running 1 "), "a job is in flight at tick 7: {out}");
    assert!(out.contains("(8 success 1 0.0 nil)"), "the guard stops and clears the job: {out}");
}

#[test]
fn the_planner_loop_reaches_its_goal() {
    let out = run("examples/bt_planner_loop.lisp");
    assert!(out.trim_end().ends_with("success"), "{out}");
    assert!(out.lines().any(|l| l.contains(" running x ")), "it takes several ticks: {out}");
}

#[test]
fn the_robot_reaches_its_goal() {
    let out = run("examples/drive_robot_tree.lisp");
    assert!(out.contains(":ok \"success predicate satisfied\""), "{out}");
    assert!(out.contains("collisions 0"), "{out}");
}

/// Every `lisp` example in the docs that makes a tree instance or ticks one gets the live tree
/// view under its output (the runner attaches one when `studio::wants_studio` holds).
#[test]
fn every_docs_example_that_makes_a_tree_shows_it_live() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let pages = granola::docs::tree::read(&dir).unwrap_or_else(|e| panic!("docs/ must be readable: {e}"));
    let mut with_trees = 0;
    let mut missing = Vec::new();
    for (rel, text) in &pages {
        let parsed = granola::docs::parse(rel, text, &|_| None);
        for ex in parsed.lisp_examples() {
            if !(ex.code.contains("bt.new-instance") || ex.code.contains("(bt.tick")) {
                continue;
            }
            with_trees += 1;
            if !granola::studio::wants_studio(&ex.code) {
                missing.push(format!("docs/{rel}:{}", ex.line));
            }
        }
    }
    assert!(with_trees >= 100, "only {with_trees} tree examples found: did the docs lose them?");
    assert!(missing.is_empty(), "examples without the tree view: {missing:#?}");
}
