#![cfg(not(target_arch = "wasm32"))]
//! A behaviour tree with a planning leaf and a safe-stop fallback drives the robot of the
//! built-in world to its goal under `env.run-loop`, from the CLI, headless:
//! `granola examples/drive_robot_tree.lisp`; the same tree on the job clock repeats exactly.

use std::process::Command;

fn script() -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/drive_robot_tree.lisp");
    assert!(std::path::Path::new(script).is_file(), "{script} is missing");
    script.to_string()
}

#[test]
fn a_tree_drives_the_robot_to_its_goal_from_the_cli() {
    let out = Command::new(env!("CARGO_BIN_EXE_granola")).arg(script()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // Job time follows the wall clock in the CLI: only the outcome is checked here.
    assert!(stdout.contains("\n:ok \"success predicate satisfied\"\n"), "{stdout}");
    assert!(stdout.contains("\nticks "), "{stdout}");
    assert!(stdout.contains("goal (9.0 3.0)\n"), "{stdout}");
    assert!(stdout.contains("node 3 (node-3) success="), "the planning leaf ran: {stdout}");
}

#[test]
fn on_the_job_clock_the_drive_repeats_exactly() {
    let src = std::fs::read_to_string(script()).unwrap();
    let a = granola::runtime::run_script(&src);
    let b = granola::runtime::run_script(&src);
    assert!(a.error.is_none(), "{:?}", a.error);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.contains("ticks 245 collisions 0\n"), "{}", a.stdout);
}

/// The tree with VLA leaves, a planner leaf and a fallback, as `granola FILE` and through the
/// REPL (stdin piped). In both, job time follows the wall clock, so only the shape of the run
/// is checked: eight ticks, each running or success, a committed model answer, and both jobs
/// ended.
fn check_tree_output(out: &str) {
    // Without the REPL's prompts.
    let out: String = out
        .lines()
        .map(|l| {
            let mut l = l;
            while let Some(rest) = l.strip_prefix("muslisp> ").or_else(|| l.strip_prefix("......> ")) {
                l = rest;
            }
            format!("{l}\n")
        })
        .collect();
    let out = out.as_str();
    let ticks: Vec<&str> =
        out.lines().filter(|l| l.starts_with('(') && (l.contains(" running ") || l.contains(" success "))).collect();
    assert!(ticks.len() >= 8, "eight ticks printed: {out}");
    assert!(out.contains(" success 2 0.72 nil \"done\")"), "the model's answer was committed: {out}");
    assert!(out.contains("(7 success ") && out.contains("(8 success "), "the stop guard wins: {out}");
    let jobs = out.lines().find(|l| l.starts_with("jobs ")).unwrap_or_else(|| panic!("jobs line: {out}"));
    for word in jobs.split_whitespace().skip(1) {
        assert!(matches!(word, ":done" | ":cancelled"), "every job ended: {jobs}");
    }
}

fn tree_script() -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/vla_planner_tree.lisp");
    assert!(std::path::Path::new(script).is_file(), "{script} is missing");
    script.to_string()
}

#[test]
fn the_vla_and_planner_tree_runs_from_a_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_granola")).arg(tree_script()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    check_tree_output(&stdout);
}

#[test]
fn the_vla_and_planner_tree_runs_in_the_repl() {
    use std::io::Write;
    use std::process::Stdio;
    let src = std::fs::read_to_string(tree_script()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_granola"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.as_mut().unwrap().write_all(format!("{src}\n:quit\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).is_empty(), "no errors: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("muslisp> "), "the REPL prompted: {stdout}");
    check_tree_output(&stdout);
}

#[test]
fn the_vla_and_planner_tree_on_the_job_clock() {
    let src = std::fs::read_to_string(tree_script()).unwrap();
    let run = granola::runtime::run_script(&src);
    assert!(run.error.is_none(), "{:?}", run.error);
    let want = "(1 running 1 0.968108363029526 1 \"-\")\n(2 running 1 0.968108363029526 1 \"streaming\")\n(3 running 1 0.968108363029526 1 \"streaming\")\n(4 success 2 0.72 nil \"done\")\n(5 running 1 0.766297596212837 2 \"done\")\n(6 running 1 0.766297596212837 2 \"streaming\")\n";
    assert!(run.stdout.contains(want), "{}", run.stdout);
    assert!(run.stdout.contains("(7 success 1 0.0 nil \"-\")\n(8 success 1 0.0 nil \"-\")\n"), "{}", run.stdout);
    assert!(run.stdout.contains("jobs :done :cancelled\n"), "the halted branch's job was cancelled: {}", run.stdout);
}
