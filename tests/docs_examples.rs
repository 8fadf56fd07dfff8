#![cfg(not(target_arch = "wasm32"))]
//! The pages under `docs/` check themselves: every `lisp` example followed by an `output` fence
//! prints exactly that when run as a file (`run_script`, like `granola FILE`), every example fence
//! is well formed, and the reference pages cover the builtin table (one page per builtin and
//! special form; every page's H1 names a real builtin, special form or data type). Fences and
//! matching come from the docs model (`granola::docs`), the same code the site uses.
//! A missing `docs/` or `docs/reference` fails.

use std::path::{Path, PathBuf};

use granola::docs;
use granola::runtime::{run_script, table};

/// At least this many examples must be checked (210 when this was written): a docs tree that
/// lost its examples, or a fence grammar that stopped finding them, fails instead of passing.
const MIN_EXAMPLES: usize = 200;

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

/// Every page under docs/ as (path relative to docs/, text); fails when there are none.
fn pages() -> Vec<(String, String)> {
    let pages = docs::tree::read(&docs_dir()).unwrap_or_else(|e| panic!("docs/ must be readable: {e}"));
    assert!(!pages.is_empty(), "no pages under {}", docs_dir().display());
    pages
}

#[test]
fn docs_examples_print_their_output() {
    let pages = pages();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (rel, text) in &pages {
        let parsed = docs::parse(rel, text, &|_| None);
        for (n, ex) in parsed.lisp_examples().enumerate() {
            let Some(expected) = &ex.expected else { continue };
            checked += 1;
            let got = run_script(&ex.code).transcript();
            if !docs::output_matches(expected, &got) {
                failures.push(format!(
                    "docs/{rel} (lisp block #{}, line {}):\n{}",
                    n + 1,
                    ex.line,
                    docs::output_diff(expected, &got)
                ));
            }
        }
    }
    eprintln!("{checked} docs examples checked in {} files", pages.len());
    assert!(failures.is_empty(), "{} docs examples differ:\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= MIN_EXAMPLES, "only {checked} examples checked (at least {MIN_EXAMPLES} expected)");
}

#[test]
fn example_fences_are_well_formed() {
    let mut problems = Vec::new();
    for (rel, text) in pages() {
        for p in docs::parse(&rel, &text, &|_| None).problems {
            problems.push(format!("docs/{rel}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{} fence problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn reference_pages_cover_the_builtin_table() {
    let refdir = docs_dir().join("reference");
    assert!(refdir.is_dir(), "{} is missing", refdir.display());
    // Only the per-name page folders; guides and indexes may have any title.
    let mut files = Vec::new();
    for sub in ["builtins", "special-forms", "data-types"] {
        let dir = refdir.join(sub);
        files.extend(docs::tree::pages(&dir).unwrap_or_else(|e| panic!("{e}")).into_iter().map(|p| p.path));
    }
    let mut names = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for f in &files {
        let fname = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if fname == "index.md" || fname == "README.md" {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let Some((name, _)) = docs::h1(&text) else {
            problems.push(format!("{}: no H1 heading", f.display()));
            continue;
        };
        let known = table().lookup_any(&name).is_some() || table().data_types().contains(&name.as_str());
        if !known {
            problems.push(format!("{}: H1 `{name}` is not a builtin, special form or data type", f.display()));
        }
        names.insert(name);
    }
    assert!(!names.is_empty(), "no reference pages under {}", refdir.display());
    // Every builtin and special form must have a page.
    for b in table().rows() {
        if !names.contains(b.name) {
            problems.push(format!("no reference page for `{}` (expected a page with H1 `# \\`{}\\``)", b.name, b.name));
        }
    }
    assert!(problems.is_empty(), "{} reference problems:\n{}", problems.len(), problems.join("\n"));
}
