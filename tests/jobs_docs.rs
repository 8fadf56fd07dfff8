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
            let got = granola::lang::run_script(&src).transcript();
            if got != expected {
                failures.push(format!("{page} example {}:\n--- expected\n{expected}--- got\n{got}", n + 1));
            }
        }
    }
    assert!(count >= 14, "found only {count} examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed pages' examples, kept in the repository as fixtures (copied verbatim from
/// `shared/seeds/`), so they run on every machine; when the seed pages are at hand, the
/// fixtures must still be exactly their examples.
const SEEDS: &[(&str, &str, &str)] = &[
    ("vla-poll.md", "vla-poll-minimal.lisp", "<map:2>\n"),
    ("vla-poll.md", "vla-poll-realistic.lisp", "<map:2>\n"),
    ("vla-cancel.md", "vla-cancel-minimal.lisp", "#t\n"),
    ("vla-cancel.md", "vla-cancel-realistic.lisp", "<map:3>\n"),
];

#[test]
fn seed_page_examples_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (_, fixture, want) in SEEDS {
        let src = std::fs::read_to_string(root.join("tests/fixtures/seeds").join(fixture)).expect(fixture);
        assert_eq!(granola::lang::run_script(&src).transcript(), *want, "{fixture}");
    }
}

#[test]
fn seed_fixtures_match_the_seed_pages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [root.join("../shared/seeds"), Path::new("/work/shared/seeds").to_path_buf()];
    let Some(seeds) = candidates.iter().find(|p| p.is_dir()) else {
        eprintln!("seed pages not found beside the repository; fixtures checked on their own");
        return;
    };
    for (page, fixture, _) in SEEDS {
        let text = std::fs::read_to_string(seeds.join(page)).expect(page);
        let from_page: Vec<String> = examples(&text).into_iter().map(|(src, _)| src).collect();
        let src = std::fs::read_to_string(root.join("tests/fixtures/seeds").join(fixture)).expect(fixture);
        assert!(from_page.contains(&src), "{fixture} is no longer an example of {page}");
    }
}
