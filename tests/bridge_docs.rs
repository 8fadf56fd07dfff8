#![cfg(not(target_arch = "wasm32"))]
//! Runs the example requests of every `docs/bridge/*.md` page, in order, on a fresh bridge.
//!
//! A request is a fenced block with the info string `request <tool> role=<role> [after=<ms>]`
//! holding the JSON body; it may be followed by a `response <status>` block (the docs model's
//! fences, `granola::docs::render`). The engine is advanced `after` job-ms (default 10 000) after
//! each request. `$JOB_ID` / `$RESULTS_ID` in a body are replaced by the latest `jobId` /
//! `resultsId` seen in a response, `$JOB_ID_<n>` by the n-th distinct `jobId` seen on the page.
//! A documented response matches by `granola::docs::documented_match` (the rule the site's
//! console shows too).

use std::path::{Path, PathBuf};

use granola::bridge::auth::{mint_claims, mint_token};
use granola::bridge::{tools::TOOLS, Bridge, BridgeConfig, Call, TEST_SECRET};
use granola::docs;
use granola::jobs::Engine;
use serde_json::Value;

const WALL: f64 = 1_767_225_600_000.0;

/// The token of a fence's identity: a role name, or `role@subject` for another subject than
/// the page's own (`docs`).
fn token_for(identity: &str) -> Option<String> {
    let (role, sub) = identity.split_once('@').unwrap_or((identity, "docs"));
    match role {
        "none" => None,
        "expired" => Some(mint_token(TEST_SECRET, sub, &["viewer"], 60, WALL - 3_600_000.0)),
        "tampered" => {
            let mut t = mint_token(TEST_SECRET, sub, &["admin"], 3600, WALL);
            t.truncate(t.len() - 4);
            t.push_str("AAAA");
            Some(t)
        }
        "norole" => Some(mint_claims(
            TEST_SECRET,
            &format!(r#"{{"sub":"{sub}","exp":{}}}"#, (WALL / 1000.0) as i64 + 3600),
            r#"{"alg":"HS256","typ":"JWT"}"#,
        )),
        r => Some(mint_token(TEST_SECRET, sub, &[r], 3600, WALL)),
    }
}

fn find_key(v: &Value, key: &str) -> Option<String> {
    // Breadth-first so a top-level id wins over a nested one.
    let mut queue = std::collections::VecDeque::from([v]);
    while let Some(v) = queue.pop_front() {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(s)) = m.get(key) {
                    return Some(s.clone());
                }
                queue.extend(m.values());
            }
            Value::Array(a) => queue.extend(a.iter()),
            _ => {}
        }
    }
    None
}

/// Run one page; returns the number of requests run.
fn run_page(path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let parsed = docs::parse("", &text, &|_| None);
    if !parsed.problems.is_empty() {
        return Err(parsed.problems.join("\n"));
    }
    let mut bridge = Bridge::new(BridgeConfig { secret: TEST_SECRET.into(), epoch_unix_ms: WALL });
    let mut engine = Engine::default();
    let (mut job_id, mut results_id) = (String::new(), String::new());
    let mut all_jobs: Vec<String> = Vec::new();
    let mut count = 0;
    for ex in parsed.bridge_examples() {
        let (tool, line) = (ex.tool.as_str(), ex.line);
        let mut body = ex.body.clone();
        for (n, j) in all_jobs.iter().enumerate().rev() {
            body = body.replace(&format!("$JOB_ID_{}", n + 1), j);
        }
        let body = body.replace("$JOB_ID", &job_id).replace("$RESULTS_ID", &results_id);
        let tok = token_for(&ex.role);
        let reply = bridge.call(&mut engine, &Call { tool, token: tok.as_deref(), body: &body, unix_ms: WALL });
        count += 1;
        if let Some(documented) = &ex.expected_body {
            let status = ex.expected_status.ok_or(format!("line {line}: response block needs a status"))?;
            if reply.status != status {
                return Err(format!(
                    "line {line}: {tool} answered {} (documented {status}): {}",
                    reply.status, reply.body
                ));
            }
            if !documented.trim().is_empty() {
                let doc: Value =
                    serde_json::from_str(documented).map_err(|e| format!("line {line} (response): {e}"))?;
                docs::documented_match(&doc, &reply.body)
                    .map_err(|e| format!("line {line}: {e}\nactual: {}", reply.body))?;
            }
        } else if reply.status >= 400 {
            return Err(format!("line {line}: {tool} failed without a documented response: {}", reply.body));
        }
        if let Some(j) = reply.body.get("jobId").and_then(Value::as_str) {
            job_id = j.to_string();
            if !all_jobs.contains(&job_id) {
                all_jobs.push(job_id.clone());
            }
        }
        if let Some(r) = find_key(&reply.body, "resultsId") {
            results_id = r;
        }
        let now = engine.now();
        engine.advance(now + ex.after());
    }
    Ok(count)
}

fn pages() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/bridge");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docs/bridge")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_page_runs() {
    let mut failures = Vec::new();
    let mut total = 0;
    for p in pages() {
        match run_page(&p) {
            Ok(n) => total += n,
            Err(e) => failures.push(format!("{}: {e}", p.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(total >= 40, "only {total} requests");
}

#[test]
fn every_tool_has_a_page_in_the_template() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/bridge");
    for t in TOOLS {
        let p = dir.join(format!("{}.md", t.name));
        let text = std::fs::read_to_string(&p).unwrap_or_else(|_| panic!("missing {}", p.display()));
        assert!(text.starts_with(&format!("# `{}`", t.name)), "{}", t.name);
        for h in [
            "## What It Does",
            "## Request",
            "## Response",
            "## Behaviour",
            "## Error Codes",
            "## Example",
            "## See Also",
        ] {
            assert!(text.contains(&format!("\n{h}\n")), "{}: missing {h}", t.name);
        }
        assert!(text.contains(&format!("**Role:** {}", t.role.as_str())), "{}: role line", t.name);
        assert!(text.contains(&format!("```request {} ", t.name)), "{}: no example request", t.name);
        for ex in docs::parse("", &text, &|_| None).bridge_examples() {
            for body in std::iter::once(&ex.body).chain(&ex.expected_body).filter(|b| !b.trim().is_empty()) {
                serde_json::from_str::<Value>(body).unwrap_or_else(|e| panic!("{} line {}: {e}", t.name, ex.line));
            }
        }
    }
    for extra in ["lifecycle.md", "auth.md", "index.md"] {
        assert!(dir.join(extra).exists(), "{extra}");
    }
}
