//! Browser tests of the playground: the REPL continues an unfinished form on Enter (and Eval
//! still reports it), a bridge example from the gallery switches to the console and leaves the
//! Lisp editor with a note, share links round-trip the program and open without a trailing
//! blank line, `help`/`apropos` in a program link to pages, and the gallery's programs run to
//! their point; the REPL keeps definitions, waits on job time and stops a runaway entry.
#![cfg(target_arch = "wasm32")]

mod web_support;

use gloo_timers::future::TimeoutFuture;
use granola::web::components::help_links::help_targets;
use granola::web::components::Repl;
use granola::web::gallery::{self, Entry, GALLERY};
use granola::web::pages::playground::{program_from_url, share_url, PlaygroundPage};
use granola::web::util::{decode_b64, encode_b64};
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

#[wasm_bindgen_test]
async fn a_bridge_example_switches_to_the_console_and_clears_the_lisp_editor() {
    let m = mount(1.0, html! { <PlaygroundPage /> }).await;
    assert!(wait_for(3000.0, || m.q(".pg-gallery select").is_some()).await);
    let (i, title) = GALLERY
        .iter()
        .enumerate()
        .find(|(_, g)| matches!(g.1, Entry::Bridge(..)))
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
    assert!(wait_for(3000.0, || editor_text(&m.root) == gallery::FIRST).await);
    m.unmount();
}

#[wasm_bindgen_test]
fn the_share_link_opens_without_a_trailing_blank_line() {
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
    let old = format!("#/playground?code={}", encode_b64("(define x 1)\n(+ x 41)\n\n  \n"));
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
#[wasm_bindgen_test]
fn the_share_link_round_trips_the_program() {
    let prog = "(define (f x) (* x 2))\n(f 21) ; ünïcode";
    let url = share_url(prog);
    let code = url.split("code=").nth(1).unwrap();
    assert_eq!(decode_b64(code).as_deref(), Some(prog));
    assert!(!code.contains('+') && !code.contains('/'), "URL-safe");
}

#[wasm_bindgen_test]
fn help_and_apropos_in_a_program_link_to_pages() {
    let t = help_targets("(help 'map.get)\n(help vla.poll)\n(apropos \"map.s\")");
    assert_eq!(&t[..2], ["map.get", "vla.poll"]);
    assert!(t.iter().any(|n| n == "map.set!"), "apropos matches: {t:?}");
}
fn last_line(s: &str) -> &str {
    s.trim_end().lines().last().unwrap_or("")
}

/// The playground's gallery programs run without errors on the real evaluator and end where
/// their titles say.
#[wasm_bindgen_test]
fn gallery_programs_run_to_their_point() {
    for (title, entry) in GALLERY {
        if let Entry::Lisp(src) = entry {
            let run = granola::runtime::run_script(src);
            assert!(run.error.is_none(), "{title}: {:?}\n{}", run.error, run.stdout);
        }
    }
    let end = |src: &str| last_line(&granola::runtime::run_script(src).stdout).to_string();
    assert_eq!(end(granola::web::gallery::CANCEL_MID), ":cancelled");
    assert_eq!(end(granola::web::gallery::VLA_CANCEL), ":cancelled");
    assert!(end(granola::web::gallery::POLL_LOOP).starts_with("(polls "));
}

fn repl_busy(m: &Mounted) -> bool {
    m.q(".repl").and_then(|e| e.get_attribute("data-busy")).as_deref() == Some("true")
}

#[wasm_bindgen_test]
async fn the_repl_keeps_definitions_waits_on_job_time_and_stops_a_runaway_entry() {
    let m = mount(1.0, html! { <Repl /> }).await;
    repl_type_enter(&m.root, "(define n 40)");
    assert!(wait_for(3000.0, || m.text(".repl-log .value").contains("40")).await, "log: {}", m.text(".repl-log"));
    assert!(wait_for(3000.0, || !repl_busy(&m)).await);
    // output, a job-time sleep, then a value that uses the earlier definition
    repl_type_enter(&m.root, "(print \"before\")\n(time.sleep-ms 30)\n(+ n 2)");
    assert!(wait_for(5000.0, || m.text(".repl-log").contains("⇒ 42")).await, "log: {}", m.text(".repl-log"));
    let log = m.text(".repl-log");
    assert!(log.find("\"before\"").unwrap() < log.find("⇒ 42").unwrap(), "output before the value: {log}");
    assert!(wait_for(3000.0, || !repl_busy(&m)).await);
    // an endless loop runs until Stop, and the REPL goes on with its definitions
    repl_type_enter(&m.root, "(define (spin k) (spin (+ k 1)))");
    assert!(wait_for(3000.0, || !repl_busy(&m) && m.text(".repl-log").contains("<closure>")).await);
    repl_type_enter(&m.root, "(spin 0)");
    assert!(wait_for(3000.0, || repl_busy(&m)).await, "the loop runs");
    TimeoutFuture::new(30).await;
    assert!(repl_busy(&m), "still running after a timer fired");
    m.q(".repl-input-row button.stop").unwrap().dyn_into::<web_sys::HtmlElement>().unwrap().click();
    assert!(wait_for(3000.0, || !repl_busy(&m)).await, "Stop ends the entry");
    assert!(m.text(".repl-log .error").contains("Stopped."), "log: {}", m.text(".repl-log"));
    repl_type_enter(&m.root, "(+ n 1)");
    assert!(wait_for(3000.0, || m.text(".repl-log").contains("⇒ 41")).await, "log: {}", m.text(".repl-log"));
    m.unmount();
}
