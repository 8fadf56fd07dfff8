#![cfg(not(target_arch = "wasm32"))]
//! The robot reaches its goal in the built-in world under `env.run-loop`, from the CLI,
//! headless: `granola examples/drive_robot.lisp`.

use std::process::Command;

#[test]
fn drive_robot_from_the_cli() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/drive_robot.lisp");
    assert!(std::path::Path::new(script).is_file(), "{script} is missing");
    let out = Command::new(env!("CARGO_BIN_EXE_granola")).arg(script).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // Job time follows the wall clock in the CLI, so a tick that took longer than 50 ms
    // (a badly overloaded machine) would count as an overrun and change the path: only the
    // outcome is checked here; tests/host_env.rs checks the exact run on the job clock.
    assert!(stdout.contains("\n:ok \"success predicate satisfied\"\n"), "{stdout}");
    assert!(stdout.contains("\nticks "), "{stdout}");
    assert!(stdout.contains("goal (9.0 3.0)\n"), "{stdout}");
}
