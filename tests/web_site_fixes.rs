//! Browser tests of QA's web findings: the REPL continues an unfinished form on Enter, a
//! finished VLA job shows its final explanation and a labelled confidence, an unknown
//! reference name gets a real not-found page, a bridge example in the playground's gallery
//! switches to the console and leaves the Lisp editor with a note, and the share link opens
//! without a trailing blank line.
#![cfg(target_arch = "wasm32")]

mod web_support;

use gloo_timers::future::TimeoutFuture;
use granola::web::app::Route;
use granola::web::site;
use granola::web::site::jobs::JobsPanel;
use granola::web::site::playground::{Playground, Repl};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Types `text` into the REPL input (replacing it) and presses Enter.
fn repl_type_enter(root: &web_sys::Element, text: &str) {
    js(
        "root, text",
        "const ta = root.querySelector('textarea.repl-input');
         ta.value = text; ta.dispatchEvent(new InputEvent('input', {bubbles: true}));
         ta.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true}));",
        root,
        &JsValue::from_str(text),
    );
}

fn repl_input(root: &web_sys::Element) -> String {
    root.query_selector("textarea.repl-input")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .unwrap_or_default()
}

// ------------------------------------------------------------------ 1. REPL continuation

#[wasm_bindgen_test]
async fn enter_on_an_unfinished_form_continues_it_on_a_new_line() {
    let m = mount(1.0, html! { <Repl /> }).await;
    repl_type_enter(&m.root, "(+ 20 22");
    assert!(wait_for(2000.0, || repl_input(&m.root) == "(+ 20 22\n").await, "input: {:?}", repl_input(&m.root));
    TimeoutFuture::new(50).await;
    assert!(m.q(".repl-log .error").is_none(), "no parse error shown: {}", m.text(".repl-log"));
    assert!(m.q(".repl-log .repl-in").is_none(), "nothing evaluated yet");
    assert_eq!(m.text(".repl-prompt"), ">\n…", "a continuation prompt on the second line");
    // Finishing the form evaluates the whole entry.
    repl_type_enter(&m.root, "(+ 20 22\n)");
    assert!(wait_for(3000.0, || m.text(".repl-log .value").contains("42")).await, "log: {}", m.text(".repl-log"));
    assert_eq!(repl_input(&m.root), "");
    // An unterminated string continues too; a real syntax error is still reported.
    repl_type_enter(&m.root, "(print \"abc");
    assert!(wait_for(2000.0, || repl_input(&m.root) == "(print \"abc\n").await);
    repl_type_enter(&m.root, "(+ 1 2))");
    assert!(
        wait_for(3000.0, || m.q(".repl-log .error").is_some()).await,
        "an extra ) is an error: {}",
        m.text(".repl-log")
    );
    m.unmount();
}

#[wasm_bindgen_test]
async fn the_eval_button_still_reports_an_unfinished_form() {
    let m = mount(1.0, html! { <Repl /> }).await;
    js(
        "root, text",
        "const ta = root.querySelector('textarea.repl-input');
         ta.value = text; ta.dispatchEvent(new InputEvent('input', {bubbles: true}));",
        &m.root,
        &JsValue::from_str("(+ z 22"),
    );
    TimeoutFuture::new(30).await;
    m.q(".repl-input-row button.run").unwrap().dyn_into::<web_sys::HtmlElement>().unwrap().click();
    assert!(
        wait_for(2000.0, || m.text(".repl-log .error").contains("unterminated")).await,
        "log: {}",
        m.text(".repl-log")
    );
    m.unmount();
}

// ------------------------------------------------------------------ 2. jobs panel

#[wasm_bindgen_test]
async fn a_finished_vla_job_shows_its_final_and_a_labelled_confidence() {
    let m = mount(1.0, html! { <JobsPanel /> }).await;
    let id = submit_vla(&m.session);
    let row = format!(".job-row[data-job=\"{id}\"]");
    let state = || m.q(&row).and_then(|e| e.get_attribute("data-state")).unwrap_or_default();
    assert!(wait_for(8000.0, || state() == "done").await, "state: {}", state());
    TimeoutFuture::new(100).await;
    let text = m.text(&format!("{row} .job-text"));
    assert_eq!(text, "rt2-style stub output", "the final's explanation, not the last partial");
    let conf = m.text(&format!("{row} .job-conf"));
    assert_eq!(conf, "conf 0.75", "confidence labelled, not a bare percentage");
    assert!(!m.text(&row).contains('%'), "no percentage that reads as progress: {}", m.text(&row));
    let bar = m.q(&format!("{row} .job-progress")).expect("progress bar");
    assert_eq!(bar.get_attribute("title").as_deref(), Some("progress 3/3"));
    m.unmount();
}

// ------------------------------------------------------------------ 3. not-found page

#[wasm_bindgen_test]
async fn an_unknown_reference_name_gets_a_not_found_page_with_suggestions() {
    let page = site::page(&Route::parse("#/reference/no.such")).expect("a page");
    let m = mount(1.0, page).await;
    assert!(wait_for(2000.0, || m.q(".not-found").is_some()).await);
    assert_eq!(m.text(".not-found h1"), "No page named no.such");
    assert!(!m.text(".not-found").contains("being built"));
    assert_eq!(
        m.q(".not-found a.not-found-index").and_then(|a| a.get_attribute("href")).as_deref(),
        Some("#/reference")
    );
    m.unmount();

    // A near miss suggests the real page.
    let page = site::page(&Route::parse("#/reference/map.gett")).expect("a page");
    let m = mount(1.0, page).await;
    assert!(wait_for(2000.0, || m.q(".not-found-hits").is_some()).await, "suggestions: {}", m.text(".not-found"));
    let hits = m.text(".not-found-hits");
    assert!(hits.contains("map.get"), "suggests map.get: {hits}");
    m.unmount();

    // Real pages and builtins are unaffected.
    let page = site::page(&Route::parse("#/reference/map.get")).expect("a page");
    let m = mount(1.0, page).await;
    TimeoutFuture::new(100).await;
    assert!(m.q(".not-found").is_none());
    m.unmount();
}

// ------------------------------------------------------------------ 4. bridge examples

#[wasm_bindgen_test]
async fn a_bridge_example_switches_to_the_console_and_clears_the_lisp_editor() {
    let m = mount(1.0, html! { <Playground /> }).await;
    assert!(wait_for(3000.0, || m.q(".pg-gallery select").is_some()).await);
    let (i, title) = site::gallery::GALLERY
        .iter()
        .enumerate()
        .find(|(_, g)| matches!(g.1, site::gallery::Entry::Bridge(..)))
        .map(|(i, g)| (i, g.0))
        .expect("a bridge example");
    js(
        "root, i",
        "const s = root.querySelector('.pg-gallery select');
         s.value = String(i); s.dispatchEvent(new Event('change', {bubbles: true}));",
        &m.root,
        &JsValue::from_f64(i as f64),
    );
    assert!(
        wait_for(3000.0, || editor_text(&m.root).contains("bridge request")).await,
        "editor: {:?}",
        editor_text(&m.root)
    );
    let text = editor_text(&m.root);
    assert!(text.contains(title), "names the example: {text}");
    assert!(text.lines().all(|l| l.starts_with(';')), "only comments, so Run runs nothing: {text}");
    assert!(m.q(".pg-console.pg-console-picked").is_some(), "the console is highlighted");
    assert!(m.text(".pg-console-note").contains(title));
    // The note is inside the console box, so `#pg-console + .pg-console` (scripts/e2e-site.mjs) still holds.
    assert!(m.q("#pg-console + .pg-console .pg-console-note").is_some());
    // Run evaluates the note: no values, no error, and not the previous program.
    m.q("#playground-runner button.run, .runner button.run")
        .unwrap()
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    TimeoutFuture::new(500).await;
    assert!(m.q(".runner .error").is_none(), "no error from the note");
    // A Lisp example clears the highlight again.
    js(
        "root, _",
        "const s = root.querySelector('.pg-gallery select');
         s.value = '0'; s.dispatchEvent(new Event('change', {bubbles: true}));",
        &m.root,
        &JsValue::UNDEFINED,
    );
    assert!(wait_for(3000.0, || m.q(".pg-console-picked").is_none()).await);
    assert!(wait_for(3000.0, || editor_text(&m.root) == site::gallery::FIRST).await);
    m.unmount();
}

// ------------------------------------------------------------------ 5. share link

#[wasm_bindgen_test]
fn the_share_link_opens_without_a_trailing_blank_line() {
    use granola::web::site::playground::{program_from_url, share_url};
    let prog = "(define x 1)\n(+ x 41)\n";
    let url = share_url(prog);
    let hash = format!("#{}", url.split_once('#').unwrap().1);
    let loc = web_sys::window().unwrap().location();
    let before = loc.hash().unwrap();
    loc.set_hash(&hash).unwrap();
    let opened = program_from_url();
    loc.set_hash(&before).unwrap();
    assert_eq!(opened.as_deref(), Some("(define x 1)\n(+ x 41)"));
    // Links made before the fix (carrying the final line break, or blank lines) open the same.
    let old = format!("#/playground?code={}", site::util::encode_b64("(define x 1)\n(+ x 41)\n\n  \n"));
    loc.set_hash(&old).unwrap();
    let opened = program_from_url();
    loc.set_hash(&before).unwrap();
    assert_eq!(opened.as_deref(), Some("(define x 1)\n(+ x 41)"));
    // Inner blank lines and leading indentation are kept.
    let prog = "  (define x 1)\n\n(+ x 41)";
    let hash = format!("#{}", share_url(prog).split_once('#').unwrap().1);
    loc.set_hash(&hash).unwrap();
    let opened = program_from_url();
    loc.set_hash(&before).unwrap();
    assert_eq!(opened.as_deref(), Some(prog));
}
