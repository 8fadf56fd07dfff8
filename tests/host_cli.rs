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
    assert!(stdout.contains("\n:ok \"success predicate satisfied\"\n"), "{stdout}");
    assert!(stdout.contains("\nticks 280 collisions 0\n"), "{stdout}");
    assert!(stdout.contains("\nt_ms 13950 x 8.70928082315296 y 3.00692162360684\n"), "{stdout}");
}
