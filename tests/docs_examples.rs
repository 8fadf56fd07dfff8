#![cfg(not(target_arch = "wasm32"))]
//! Every ```lisp block in docs/**/*.md that is immediately followed by an ```output block
//! must print exactly that output when run as a file (`run_script`), and the reference
//! pages must cover the builtin table: one page per builtin and special form, and every
//! page's H1 names a real builtin, special form or data type.

use granola::runtime::{run_script, table};
use std::path::{Path, PathBuf};

fn md_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            md_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
}

/// Fenced blocks as (info string, body).
fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        let fence = if t.starts_with("````") {
            "````"
        } else if t.starts_with("```") {
            "```"
        } else {
            continue;
        };
        let info = t.trim_start_matches('`').trim().to_string();
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.trim_start().starts_with(fence) && l.trim().trim_start_matches('`').is_empty() {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        blocks.push((info, body));
    }
    blocks
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

fn diff(expected: &str, got: &str) -> String {
    let mut out = String::new();
    let e: Vec<&str> = expected.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    for i in 0..e.len().max(g.len()) {
        let a = e.get(i).copied();
        let b = g.get(i).copied();
        if a != b {
            out.push_str(&format!("    line {}: expected {:?}\n    line {}:      got {:?}\n", i + 1, a, i + 1, b));
        }
    }
    out
}

#[test]
fn docs_examples_print_their_output() {
    let mut files = Vec::new();
    md_files(&docs_dir(), &mut files);
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let blocks = fenced_blocks(&text);
        let mut idx = 0;
        for w in blocks.windows(2) {
            let (info, body) = (&w[0].0, &w[0].1);
            if info == "lisp" {
                idx += 1;
                if w[1].0 == "output" {
                    checked += 1;
                    let got = run_script(body).transcript();
                    if got != w[1].1 {
                        failures.push(format!(
                            "{} (lisp block #{idx}):\n{}",
                            f.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(f).display(),
                            diff(&w[1].1, &got)
                        ));
                    }
                }
            }
        }
    }
    eprintln!("{checked} docs examples checked in {} files", files.len());
    assert!(failures.is_empty(), "{} docs examples differ:\n{}", failures.len(), failures.join("\n"));
}

fn h1(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.starts_with("# "))?;
    let t = line.trim_start_matches("# ").trim();
    Some(t.trim_matches('`').to_string())
}

#[test]
fn reference_pages_cover_the_builtin_table() {
    let refdir = docs_dir().join("reference");
    if !refdir.is_dir() {
        eprintln!("docs/reference does not exist yet: nothing to check");
        return;
    }
    // Only the per-name page folders; guides and indexes may have any title.
    let mut files = Vec::new();
    for sub in ["builtins", "special-forms", "data-types"] {
        md_files(&refdir.join(sub), &mut files);
    }
    let mut names = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for f in &files {
        let fname = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if fname == "index.md" || fname == "README.md" {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let Some(name) = h1(&text) else {
            problems.push(format!("{}: no H1 heading", f.display()));
            continue;
        };
        let known = table().lookup_any(&name).is_some() || table().data_types().contains(&name.as_str());
        if !known {
            problems.push(format!("{}: H1 `{name}` is not a builtin, special form or data type", f.display()));
        }
        names.insert(name);
    }
    // Pages exist: every builtin and special form must have one.
    if !names.is_empty() {
        for b in table().rows() {
            if !names.contains(b.name) {
                problems
                    .push(format!("no reference page for `{}` (expected a page with H1 `# \\`{}\\``)", b.name, b.name));
            }
        }
    }
    assert!(problems.is_empty(), "{} reference problems:\n{}", problems.len(), problems.join("\n"));
}
