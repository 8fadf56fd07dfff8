#![cfg(not(target_arch = "wasm32"))]
//! The vla/cap reference pages and the VLA jobs guide: every `lisp` block, run as a script on
//! a fresh interpreter with a manual clock, prints exactly its `output` block. Also the seed
//! pages' examples (read from `../shared/seeds`; missing pages fail) print what they should.

use std::path::Path;

const PAGES: &[&str] = &[
    "docs/reference/builtins/vla/vla-submit.md",
    "docs/reference/builtins/vla/vla-poll.md",
    "docs/reference/builtins/vla/vla-cancel.md",
    "docs/reference/builtins/cap/cap-list.md",
    "docs/reference/builtins/cap/cap-describe.md",
    "docs/reference/guides/vla-jobs.md",
];

/// (lisp source, expected output or None) for every `lisp` block of a page (the docs model's
/// fences, as the site and tests/docs_examples.rs read them).
fn examples(text: &str) -> Vec<(String, Option<String>)> {
    granola::docs::parse("", text, &|_| None)
        .lisp_examples()
        .map(|ex| (format!("{}\n", ex.code), ex.expected.clone()))
        .collect()
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
            let got = granola::runtime::run_script(&src).transcript();
            if got != expected {
                failures.push(format!("{page} example {}:\n--- expected\n{expected}--- got\n{got}", n + 1));
            }
        }
    }
    assert!(count >= 14, "found only {count} examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed pages (`../shared/seeds` beside the repository root, as on every CI machine):
/// each page's examples, in order, and what each prints as a script. A missing seed page
/// fails the test.
const SEEDS: &[(&str, &[&str])] =
    &[("vla-poll.md", &["<map:2>\n", "<map:2>\n"]), ("vla-cancel.md", &["#t\n", "<map:3>\n"])];

fn seed_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds")
}

#[test]
fn seed_page_examples_run() {
    let dir = seed_dir();
    let mut checked = 0;
    for (page, wants) in SEEDS {
        let path = dir.join(page);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("seed page {} is missing ({e}): the seed pages must be at ../shared/seeds", path.display())
        });
        let srcs: Vec<String> = examples(&text).into_iter().map(|(src, _)| src).collect();
        assert_eq!(srcs.len(), wants.len(), "{page}: expected {} examples, found {}", wants.len(), srcs.len());
        for (n, (src, want)) in srcs.iter().zip(wants.iter()).enumerate() {
            assert_eq!(granola::runtime::run_script(src).transcript(), *want, "{page} example {}", n + 1);
            checked += 1;
        }
    }
    assert_eq!(checked, 4);
}
