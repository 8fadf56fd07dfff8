#![cfg(not(target_arch = "wasm32"))]
//! Runs the example requests of every `docs/bridge/*.md` page, in order, on a fresh bridge.
//!
//! A request is a fenced block with the info string `request <tool> role=<role> [after=<ms>]`
//! holding the JSON body; it may be followed by a `response <status>` block. The engine is
//! advanced `after` job-ms (default 10 000) after each request. `$JOB_ID` / `$RESULTS_ID` in a
//! body are replaced by the latest `jobId` / `resultsId` seen in a response, `$JOB_ID_<n>` by
//! the n-th distinct `jobId` seen on the page. A documented
//! response matches when every key it shows matches (objects may hold more keys), the string
//! `"…"` matches any value, an array ending in `"…"` matches any longer array with that
//! prefix, and numbers match to 1e-9 relative.

use std::path::{Path, PathBuf};

use granola::bridge::auth::{mint_claims, mint_token};
use granola::bridge::{tools::TOOLS, Bridge, BridgeConfig, Call, DEV_SECRET};
use granola::jobs::Engine;
use serde_json::Value;

const WALL: f64 = 1_767_225_600_000.0;

#[derive(Debug)]
struct Block {
    info: String,
    body: String,
    line: usize,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else { continue };
        let info = info.trim().to_string();
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        out.push(Block { info, body, line: i + 1 });
    }
    out
}

fn token_for(role: &str) -> Option<String> {
    match role {
        "none" => None,
        "expired" => Some(mint_token(DEV_SECRET, "docs", &["viewer"], 60, WALL - 3_600_000.0)),
        "tampered" => {
            let mut t = mint_token(DEV_SECRET, "docs", &["admin"], 3600, WALL);
            t.truncate(t.len() - 4);
            t.push_str("AAAA");
            Some(t)
        }
        "norole" => Some(mint_claims(
            DEV_SECRET,
            &format!(r#"{{"sub":"docs","exp":{}}}"#, (WALL / 1000.0) as i64 + 3600),
            r#"{"alg":"HS256","typ":"JWT"}"#,
        )),
        r => Some(mint_token(DEV_SECRET, "docs", &[r], 3600, WALL)),
    }
}

fn matches(doc: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (doc, actual) {
        (Value::String(s), _) if s == "…" => Ok(()),
        (Value::Object(d), Value::Object(a)) => {
            for (k, dv) in d {
                let av = a.get(k).ok_or_else(|| format!("{path}.{k}: missing in the actual response"))?;
                matches(dv, av, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(d), Value::Array(a)) => {
            let open = d.last().is_some_and(|v| v == "…");
            let shown = if open { &d[..d.len() - 1] } else { &d[..] };
            if (open && a.len() < shown.len()) || (!open && a.len() != d.len()) {
                return Err(format!("{path}: {} items documented, {} returned", d.len(), a.len()));
            }
            for (i, dv) in shown.iter().enumerate() {
                matches(dv, &a[i], &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(d), Value::Number(a)) => {
            let (d, a) = (d.as_f64().unwrap_or(f64::NAN), a.as_f64().unwrap_or(f64::NAN));
            if (d - a).abs() <= 1e-9 * d.abs().max(a.abs()).max(1e-300) || d == a {
                Ok(())
            } else {
                Err(format!("{path}: documented {d}, returned {a}"))
            }
        }
        (d, a) if d == a => Ok(()),
        (d, a) => Err(format!("{path}: documented {d}, returned {a}")),
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
    let mut bridge = Bridge::new(BridgeConfig { secret: DEV_SECRET.into(), epoch_unix_ms: WALL });
    let mut engine = Engine::default();
    let (mut job_id, mut results_id) = (String::new(), String::new());
    let mut all_jobs: Vec<String> = Vec::new();
    let bs = blocks(&text);
    let mut count = 0;
    for (i, b) in bs.iter().enumerate() {
        let mut words = b.info.split_whitespace();
        if words.next() != Some("request") {
            continue;
        }
        let tool = words.next().ok_or(format!("line {}: request without a tool", b.line))?;
        let (mut role, mut after) = ("viewer".to_string(), 10_000.0);
        for w in words {
            if let Some(r) = w.strip_prefix("role=") {
                role = r.to_string();
            } else if let Some(a) = w.strip_prefix("after=") {
                after = a.parse().map_err(|_| format!("line {}: bad after=", b.line))?;
            } else {
                return Err(format!("line {}: unknown attribute {w}", b.line));
            }
        }
        let mut body = b.body.clone();
        for (n, j) in all_jobs.iter().enumerate().rev() {
            body = body.replace(&format!("$JOB_ID_{}", n + 1), j);
        }
        let body = body.replace("$JOB_ID", &job_id).replace("$RESULTS_ID", &results_id);
        let tok = token_for(&role);
        let reply = bridge.call(&mut engine, &Call { tool, token: tok.as_deref(), body: &body, unix_ms: WALL });
        count += 1;
        if let Some(next) = bs.get(i + 1).filter(|n| n.info.starts_with("response")) {
            let status: u16 = next
                .info
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or(format!("line {}: response block needs a status", next.line))?;
            if reply.status != status {
                return Err(format!(
                    "line {}: {tool} answered {} (documented {status}): {}",
                    b.line, reply.status, reply.body
                ));
            }
            if !next.body.trim().is_empty() {
                let doc: Value = serde_json::from_str(&next.body).map_err(|e| format!("line {}: {e}", next.line))?;
                matches(&doc, &reply.body, "$")
                    .map_err(|e| format!("line {}: {e}\nactual: {}", next.line, reply.body))?;
            }
        } else if reply.status >= 400 {
            return Err(format!("line {}: {tool} failed without a documented response: {}", b.line, reply.body));
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
        engine.advance(now + after);
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
        for b in blocks(&text) {
            if (b.info.starts_with("request") || b.info.starts_with("response")) && !b.body.trim().is_empty() {
                serde_json::from_str::<Value>(&b.body).unwrap_or_else(|e| panic!("{} line {}: {e}", t.name, b.line));
            }
        }
    }
    for extra in ["lifecycle.md", "auth.md", "index.md"] {
        assert!(dir.join(extra).exists(), "{extra}");
    }
}

#[test]
fn the_matcher_itself() {
    use serde_json::json;
    assert!(matches(&json!({"a": "…"}), &json!({"a": [1], "b": 2}), "$").is_ok());
    assert!(matches(&json!([1, "…"]), &json!([1, 2, 3]), "$").is_ok());
    assert!(matches(&json!([1]), &json!([1, 2]), "$").is_err());
    assert!(matches(&json!({"a": 1}), &json!({"a": 1.0}), "$").is_ok());
    assert!(matches(&json!({"a": 1}), &json!({"b": 1}), "$").is_err());
    assert!(matches(&json!("x"), &json!("y"), "$").is_err());
}
