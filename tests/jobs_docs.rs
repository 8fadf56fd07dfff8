#![cfg(not(target_arch = "wasm32"))]
//! The vla/cap reference pages and the VLA jobs guide: every `lisp` block, run as a script on
//! a fresh interpreter with a manual clock, prints exactly its `output` block. Also the seed
//! pages' examples run without error.

use std::path::Path;

const PAGES: &[&str] = &[
    "docs/reference/builtins/vla/vla-submit.md",
    "docs/reference/builtins/vla/vla-poll.md",
    "docs/reference/builtins/vla/vla-cancel.md",
    "docs/reference/builtins/cap/cap-list.md",
    "docs/reference/builtins/cap/cap-describe.md",
    "docs/reference/guides/vla-jobs.md",
];

/// (lisp source, expected output or None) for every `lisp` block of a page.
fn examples(text: &str) -> Vec<(String, Option<String>)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let block = |i: &mut usize| {
        let mut body = String::new();
        *i += 1;
        while *i < lines.len() && lines[*i].trim_end() != "```" {
            body.push_str(lines[*i]);
            body.push('\n');
            *i += 1;
        }
        *i += 1;
        body
    };
    while i < lines.len() {
        if lines[i].trim_end() == "```lisp" {
            let src = block(&mut i);
            let expected = if i < lines.len() && lines[i].trim_end() == "```output" {
                Some(block(&mut i))
            } else {
                None
            };
            out.push((src, expected));
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn page_examples_print_their_output_blocks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut count = 0;
    for page in PAGES {
        let text = std::fs::read_to_string(root.join(page)).expect(page);
        for (n, (src, expected)) in examples(&text).into_iter().enumerate() {
            count += 1;
            let Some(expected) = expected else {
                failures.push(format!("{page} example {}: no output block", n + 1));
                continue;
            };
            let got = granola::lang::run_script(&src).transcript();
            if got != expected {
                failures.push(format!("{page} example {}:\n--- expected\n{expected}--- got\n{got}", n + 1));
            }
        }
    }
    assert!(count >= 14, "found only {count} examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seed_page_examples_run() {
    let seeds = Path::new("/work/shared/seeds");
    for (name, want) in [
        ("vla-poll.md", vec!["<map:2>\n", "<map:2>\n"]),
        ("vla-cancel.md", vec!["#t\n", "<map:3>\n"]),
    ] {
        let Ok(text) = std::fs::read_to_string(seeds.join(name)) else {
            return; // the seed pages are not part of the repository
        };
        let got: Vec<String> =
            examples(&text).into_iter().map(|(src, _)| granola::lang::run_script(&src).transcript()).collect();
        assert_eq!(got, want, "{name}");
    }
}
