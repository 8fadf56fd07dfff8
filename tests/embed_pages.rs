//! The embed's demo pages (www/embed/*.html) and its loader, checked natively: every snippet of
//! the pages that has an expected-output block prints exactly that output when the snippets run
//! as the embed runs them (page order; a shared session keeps one interpreter; job time moves
//! only during sleeps, so it jumps here), and the loader's default selector is the one the wasm
//! uses. Each page runs on the evaluator the loader would pick for it (the small build unless
//! a block needs the full one). (The browser side of the same pages is scripts/e2e-embed.mjs, `make e2e-embed`.)

use std::cell::RefCell;
use std::rc::Rc;

use granola::embed::evaluator::{small_interp, source_needs_full, FULL_ONLY};
use granola::embed::model::{block_text, DEFAULT_SELECTOR};
use granola::jobs::Engine;
use granola::lang::{Interp, Limits, RunLoop};
use granola::runtime::{new_interp, JumpClock, SCRIPT_SLICE};

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Text of HTML with the tags dropped and the entities these pages use decoded.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

#[derive(Debug)]
struct Block {
    lang: String,
    text: String,
    /// Inside a `data-granola-session="shared"` element (or the page is shared).
    shared: bool,
}

/// The `<pre>` blocks of a page with their language: the `language-X` class of the `code`
/// inside, or of the wrapper `div` right before the `pre` (Pygments).
fn blocks(html: &str) -> Vec<Block> {
    let page_shared = html.contains("data-session=\"shared\"");
    let mut shared_spans = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find("data-granola-session=\"shared\"") {
        let start = from + i;
        let end = html[start..].find("</section>").map_or(html.len(), |e| start + e);
        shared_spans.push(start..end);
        from = end;
    }
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = html[at..].find("<pre") {
        let start = at + i;
        let Some(len) = html[start..].find("</pre>") else { break };
        let inner = &html[start..start + len];
        let before = &html[start.saturating_sub(80)..start];
        let lang = inner
            .split("class=\"language-")
            .nth(1)
            .or_else(|| before.rsplit("class=\"language-").next().filter(|_| before.contains("class=\"language-")))
            .and_then(|s| s.split(['"', ' ']).next())
            .unwrap_or("")
            .to_string();
        let body_start = inner.find('>').map_or(0, |p| p + 1);
        out.push(Block {
            lang,
            text: block_text(&text_of(&inner[body_start..])),
            shared: page_shared || shared_spans.iter().any(|s| s.contains(&start)),
        });
        at = start + len;
    }
    out
}

/// Run one snippet on `interp` to the end, as `granola FILE` prints it (job time jumps).
fn run(interp: &mut Interp, engine: &Rc<RefCell<Engine>>, src: &str) -> String {
    if let Err(e) = interp.load(src) {
        return format!("fatal: {}\n", e.located());
    }
    RunLoop::new(SCRIPT_SLICE, Some(50_000_000)).run_to_end(interp, &mut JumpClock(engine.clone())).transcript()
}

fn check_page(path: &str, snippets: usize, full: bool) {
    let html = read(path);
    let all = blocks(&html);
    let lisp: Vec<usize> = (0..all.len()).filter(|&i| all[i].lang == "lisp").collect();
    assert_eq!(lisp.len(), snippets, "{path}: lisp blocks");
    let needs_full = lisp.iter().any(|&i| source_needs_full(&all[i].text));
    assert_eq!(needs_full, full, "{path}: the loader picks the {} build", if needs_full { "full" } else { "small" });
    let new_interp = if needs_full { new_interp } else { small_interp };
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut shared = new_interp(&engine, Limits::browser());
    let mut checked = 0;
    for &i in &lisp {
        let b = &all[i];
        let expected = all.get(i + 1).filter(|n| n.lang == "output");
        if !b.shared && expected.is_none() {
            continue; // nothing to compare (and the runaway snippet would spend its whole budget)
        }
        let out = if b.shared {
            run(&mut shared, &engine, &b.text)
        } else {
            let e = Rc::new(RefCell::new(Engine::default()));
            let mut fresh = new_interp(&e, Limits::browser());
            run(&mut fresh, &e, &b.text)
        };
        if let Some(next) = expected {
            assert!(
                granola::docs::output_matches(&next.text, &block_text(&out)),
                "{path}: snippet\n{}\nprinted\n{out}\nexpected\n{}\n{}",
                b.text,
                next.text,
                granola::docs::output_diff(&next.text, &block_text(&out))
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "{path}: only {checked} snippets have an expected output");
}

#[test]
fn the_plain_demo_pages_snippets_print_their_expected_output() {
    check_page("www/embed/demo.html", 9, false);
}

#[test]
fn the_mkdocs_demo_pages_snippets_print_their_expected_output() {
    check_page("www/embed/mkdocs.html", 5, true);
}

#[test]
fn the_loader_knows_the_default_selector() {
    let loader = read("www/embed/loader.js");
    assert!(
        loader.contains(&format!("var DEFAULT_SELECTOR = \"{DEFAULT_SELECTOR}\";")),
        "www/embed/loader.js must carry granola::embed::model::DEFAULT_SELECTOR verbatim"
    );
    assert_eq!(loader.matches("/*__WASM_BINDGEN_GLUE__*/").count(), 1, "the glue's place in the loader");
    let list: Vec<String> = FULL_ONLY.iter().map(|f| format!("\"{f}\"")).collect();
    assert!(
        loader.contains(&format!("var FULL_ONLY = [{}];", list.join(", "))),
        "www/embed/loader.js must carry granola::embed::evaluator::FULL_ONLY verbatim"
    );
}

#[test]
fn the_page_extraction_reads_both_markups() {
    let b = blocks(
        "<div class=\"language-lisp highlight\"><pre><span></span><code><span class=\"p\">(</span>+ 1 2)</code></pre></div>\
         <div class=\"language-output highlight\"><pre><span></span><code>3\n</code></pre></div>\
         <pre><code class=\"language-lisp\">(list &quot;a&quot;)</code></pre>",
    );
    let got: Vec<(&str, &str)> = b.iter().map(|b| (b.lang.as_str(), b.text.as_str())).collect();
    assert_eq!(got, vec![("lisp", "(+ 1 2)\n"), ("output", "3\n"), ("lisp", "(list \"a\")\n")]);
}
