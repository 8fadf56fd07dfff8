#![cfg(not(target_arch = "wasm32"))]
//! Runs `tests/curl_readme.sh` (the README's and seed page's curl lines against a started
//! `granola serve`) with the binary cargo built for this test run. bash, curl and jq are
//! inputs of this test: it fails when one is missing (`make test` installs curl and jq).

use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().map(|o| o.status.success()).unwrap_or(false)
}

#[test]
fn readme_curl_lines_work_verbatim() {
    let missing: Vec<&str> = ["bash", "curl", "jq"].into_iter().filter(|t| !have(t)).collect();
    assert!(
        missing.is_empty(),
        "this test needs {} on PATH (`make browser-tools` installs curl and jq)",
        missing.join(", ")
    );
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/curl_readme.sh"))
        .env("GRANOLA_BIN", env!("CARGO_BIN_EXE_granola"))
        .output()
        .expect("run curl_readme.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "curl_readme.sh failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(stdout.contains("curl_readme: ok"));
}
