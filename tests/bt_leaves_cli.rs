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
