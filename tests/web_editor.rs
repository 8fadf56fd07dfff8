//! Browser tests of the editor, examples and runner for issue 15:
//! - item 1: Tab in an editor moves focus until the user starts editing (then it indents, and
//!   Esc gives Tab back), with a hint saying which; Esc stops a run;
//! - item 3: errors wrap in the output column; parse errors are marked on the character at
//!   fault (the unclosed `(`, the stray `)`);
//! - item 5: the editor gets the builtin table (completion with signatures, hover docs), matches
//!   brackets, colours parentheses by depth; Format pretty-prints (and marks text that does not
//!   read); Copy on examples and on the docs' static code blocks;
//! - item 6: the home page's examples are runnable editors with "open in playground";
//! - item 9: when a limit ends or cuts a run, the message is above the output;
//! - values inline: the playground shows each top-level value after its form.
#![cfg(target_arch = "wasm32")]

mod web_support;

use gloo_timers::future::TimeoutFuture;
use granola::web::components::example::storage_key;
use granola::web::components::{DocPage, Example, Runner};
use granola::web::pages::playground::{PlaygroundPage, INLINE_KEY};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn wait_cm(m: &Mounted) {
    load_editor_bundle();
    assert!(wait_for(8000.0, || m.q(".editor-cm .cm-editor").is_some()).await, "CodeMirror replaced the textarea");
}

/// Dispatches a keydown on the editor's content; whether the editor (or anything) handled it.
fn key_in_editor(m: &Mounted, key: &str) -> bool {
    js(
        "root, key",
        "const c = root.querySelector('.cm-content'); c.focus();
         const e = new KeyboardEvent('keydown', {key, code: key, keyCode: key === 'Tab' ? 9 : 27, bubbles: true, cancelable: true});
         c.dispatchEvent(e); return e.defaultPrevented;",
        &m.root,
        &JsValue::from_str(key),
    )
    .as_bool()
    .unwrap_or(false)
}

/// Types `text` at the end of the editor as a user would (a user input transaction).
fn type_at_end(m: &Mounted, text: &str) {
    js(
        "root, text",
        "const ed = root.querySelector('.editor-host').__granolaEditor; const v = ed.view;
         const end = v.state.doc.length; v.focus();
         v.dispatch({changes: {from: end, insert: text}, selection: {anchor: end + text.length}, userEvent: 'input.type'});",
        &m.root,
        &JsValue::from_str(text),
    );
}

#[wasm_bindgen_test]
async fn tab_moves_focus_until_the_user_edits_and_esc_gives_it_back() {
    let code = "(+ 1 2)";
    storage().remove_item(&storage_key(code)).unwrap();
    let m = mount(1.0, html! { <Example id="ex-tab" code={code} /> }).await;
    wait_cm(&m).await;
    // Tabbing through: the editor does not take Tab, the example is not edited.
    assert!(!key_in_editor(&m, "Tab"), "Tab is left to the browser (focus moves on)");
    TimeoutFuture::new(50).await;
    assert_eq!(editor_text(&m.root), code);
    assert!(m.q(".example.edited").is_none(), "not marked edited");
    assert!(
        m.text(".cm-granola-keyhint").contains("Tab moves to the next control"),
        "{}",
        m.text(".cm-granola-keyhint")
    );
    // Once the user types, Tab indents.
    type_at_end(&m, "\n");
    TimeoutFuture::new(30).await;
    assert!(m.text(".cm-granola-keyhint").contains("Tab indents"), "{}", m.text(".cm-granola-keyhint"));
    assert!(key_in_editor(&m, "Tab"), "Tab indents while editing");
    TimeoutFuture::new(30).await;
    assert!(
        editor_text(&m.root).ends_with("\n  ") || editor_text(&m.root).ends_with('\t'),
        "{:?}",
        editor_text(&m.root)
    );
    // Esc: Tab moves focus again.
    key_in_editor(&m, "Escape");
    TimeoutFuture::new(30).await;
    assert!(!key_in_editor(&m, "Tab"), "after Esc, Tab leaves the editor");
    storage().remove_item(&storage_key(code)).unwrap();
    m.unmount();
}

#[wasm_bindgen_test]
async fn esc_stops_a_run() {
    let m = mount(1.0, html! { <Runner id="esc-run" source="(define (f) (f))\n(f)" autorun={true} /> }).await;
    assert!(wait_for(3000.0, || m.q("#esc-run[data-status=\"running\"]").is_some()).await);
    assert!(m.q("#esc-run button.stop").unwrap().get_attribute("aria-keyshortcuts").as_deref() == Some("Escape"));
    key_down(&m.q("#esc-run .runner-bar").unwrap(), "Escape", false);
    assert!(wait_for(2000.0, || m.q("#esc-run[data-status=\"stopped\"]").is_some()).await, "Esc stopped the run");
    m.unmount();
}

#[wasm_bindgen_test]
async fn errors_wrap_in_a_narrow_output_column() {
    let src = "(car (list.ref (list 1 2 3) 1) 'an-extra-argument-that-makes-the-message-long)";
    let m = mount(1.0, html! { <div style="width:220px"><Runner id="wrap" source={src} autorun={true} /></div> }).await;
    assert!(wait_for(3000.0, || m.q("#wrap .runner-output .error").is_some()).await);
    let out = m.q("#wrap .runner-output").unwrap();
    assert!(out.scroll_width() <= out.client_width() + 1, "wrapped: {} > {}", out.scroll_width(), out.client_width());
    m.unmount();
}

#[wasm_bindgen_test]
async fn parse_errors_are_marked_on_the_character_at_fault() {
    for (code, fault, note) in [
        ("(define (f x)\n  (+ x 1)\n(f 2)", "(", "the '(' at line 1, column 1 is never closed"),
        ("(+ 1 2))\n", ")", "the ')' at line 1, column 8 closes nothing"),
        ("(print \"abc)\n", "\"", "the string that starts at line 1, column 8"),
    ] {
        storage().remove_item(&storage_key(code)).unwrap();
        let m = mount(1.0, html! { <Example id="ex-parse" code={code} /> }).await;
        wait_cm(&m).await;
        m.click("#ex-parse button.run");
        assert!(
            wait_for(3000.0, || m.text("#ex-parse .runner-output").contains(note)).await,
            "{}",
            m.text(".runner-output")
        );
        assert!(
            wait_for(2000.0, || m.text(".cm-granola-error-mark") == fault).await,
            "{code:?}: marked {:?}",
            m.text(".cm-granola-error-mark")
        );
        m.unmount();
    }
}

#[wasm_bindgen_test]
async fn completion_lists_builtins_with_their_signatures() {
    let m = mount(1.0, html! { <Example id="ex-comp" code="(map.g" /> }).await;
    wait_cm(&m).await;
    let names = js("_a, _b", "return window.granolaEditor.names();", &JsValue::UNDEFINED, &JsValue::UNDEFINED);
    assert!(names.as_f64().unwrap_or(0.0) > 100.0, "the builtin table was given to the editor: {names:?}");
    type_at_end(&m, "e");
    assert!(
        wait_for(3000.0, || m.text(".cm-tooltip-autocomplete").contains("map.get")).await,
        "completion shows map.get: {:?}",
        m.text(".cm-tooltip-autocomplete")
    );
    assert!(m.text(".cm-tooltip-autocomplete").contains("m key default"), "with its arguments");
    storage().remove_item(&storage_key("(map.g")).unwrap();
    m.unmount();
}

#[wasm_bindgen_test]
async fn brackets_match_and_parentheses_are_coloured_by_depth() {
    let code = "(a (b (c)))";
    let m = mount(1.0, html! { <Example id="ex-paren" code={code} /> }).await;
    wait_cm(&m).await;
    let colours = js(
        "root, _",
        "return Array.from(root.querySelectorAll('.cm-content span')).filter(s => s.textContent === '(' && !s.classList.contains('cm-matchingBracket'))
           .map(s => getComputedStyle(s).color).join('|');",
        &m.root,
        &JsValue::UNDEFINED,
    )
    .as_string()
    .unwrap_or_default();
    let c: Vec<&str> = colours.split('|').collect();
    assert_eq!(c.len(), 3, "{colours}");
    assert!(c[0] != c[1] && c[1] != c[2], "depths differ: {colours}");
    js(
        "root, _",
        "const v = root.querySelector('.editor-host').__granolaEditor.view; v.focus(); v.dispatch({selection: {anchor: v.state.doc.length}});",
        &m.root,
        &JsValue::UNDEFINED,
    );
    assert!(wait_for(2000.0, || m.count(".cm-matchingBracket") == 2).await, "{}", m.count(".cm-matchingBracket"));
    m.unmount();
}

#[wasm_bindgen_test]
async fn format_pretty_prints_and_marks_text_that_does_not_read() {
    let code = "(define (square x)\n(* x x))   (square   3)";
    storage().remove_item(&storage_key(code)).unwrap();
    let m = mount(1.0, html! { <Example id="ex-fmt" code={code} /> }).await;
    wait_cm(&m).await;
    m.click(".example button.format");
    assert!(
        wait_for(2000.0, || editor_text(&m.root) == "(define (square x)\n  (* x x))\n(square 3)\n").await,
        "{:?}",
        editor_text(&m.root)
    );
    m.click("#ex-fmt button.run");
    assert!(wait_for(3000.0, || m.text("#ex-fmt .runner-output").contains('9')).await, "the formatted program runs");
    set_editor_text(&m.root, "(a (b)");
    TimeoutFuture::new(50).await;
    m.click(".example button.format");
    assert!(
        wait_for(2000.0, || m.text(".cm-granola-error-mark") == "(").await,
        "{:?}",
        m.text(".cm-granola-error-mark")
    );
    assert_eq!(editor_text(&m.root), "(a (b)", "unreadable text is left as it is");
    storage().remove_item(&storage_key(code)).unwrap();
    m.unmount();
}

fn copied() -> String {
    js("_a, _b", "return window.__granolaCopied || '';", &JsValue::UNDEFINED, &JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn copy_buttons_on_examples_and_on_static_code_blocks() {
    let code = "(list 1 2 3)";
    storage().remove_item(&storage_key(code)).unwrap();
    let m = mount(1.0, html! { <Example id="ex-copy" code={code} /> }).await;
    m.click(".example button.copy");
    assert_eq!(copied(), code);
    assert!(wait_for(1000.0, || m.text(".example button.copy").contains("Copied")).await);
    m.unmount();

    let m = mount(1.0, html! { <DocPage path="reference/guides/vla-jobs.md" /> }).await;
    assert!(
        wait_for(3000.0, || m.q("article.doc .code-block > button.copy").is_some()).await,
        "static blocks have Copy"
    );
    let n_blocks = m.count("article.doc .code-block > pre");
    assert!(n_blocks >= 2, "{n_blocks}");
    let pre_text = m.text("article.doc .code-block > pre");
    m.click("article.doc .code-block > button.copy");
    assert_eq!(copied(), pre_text);
    assert!(m.text("article.doc .code-block > button.copy").contains("Copied"));
    m.unmount();
}

#[wasm_bindgen_test]
async fn the_home_page_examples_are_runnable_editors() {
    for code in [granola::web::gallery::HOME_EXAMPLE, granola::web::gallery::JOB_EXAMPLE] {
        storage().remove_item(&storage_key(code)).unwrap();
    }
    let m = mount(1.0, granola::web::pages::home::page()).await;
    assert!(wait_for(5000.0, || m.q(".example #home-runner[data-status=\"done\"]").is_some()).await, "ran on load");
    assert_eq!(m.count(".example .editor"), 2, "both examples are editors");
    assert_eq!(m.count(".example a.open-playground"), 2, "both open in the playground");
    assert!(m.text("#home-runner .runner-output").contains("hello from muslisp"));
    m.click("#job-runner button.run");
    assert!(wait_for(5000.0, || m.count(".job-row") >= 1).await, "the job example's job shows in the jobs panel");
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_limit_message_is_shown_above_the_output() {
    // The output limit (1 MiB in the browser) ends this run.
    let src = "(define (f n) (print \"line of output \" n \"\\n\") (f (+ n 1)))\n(f 0)";
    let m = mount(1.0, html! { <Runner id="cap" source={src} autorun={true} /> }).await;
    assert!(
        wait_for(60000.0, || m.q("#cap[data-status=\"error\"]").is_some()).await,
        "{}",
        m.text("#cap .runner-status")
    );
    let alert = m.q("#cap .runner-alert").expect("an alert above the output");
    assert!(alert.text_content().unwrap().contains("output limit"), "{}", alert.text_content().unwrap());
    let out = m.q("#cap .runner-output").unwrap();
    assert!(alert.get_bounding_client_rect().bottom() <= out.get_bounding_client_rect().top() + 1.0, "above");
    m.unmount();

    // Many lines, no limit error: the cut is said at the top too.
    let src = "(define (f n) (if (< n 600) (begin (print n \"\\n\") (f (+ n 1))) 'end))\n(f 0)";
    let m = mount(1.0, html! { <Runner id="cut" source={src} autorun={true} /> }).await;
    assert!(wait_for(10000.0, || m.q("#cut[data-status=\"done\"]").is_some()).await);
    assert!(m.text("#cut .runner-alert").contains("Output cut"), "{}", m.text("#cut .runner-alert"));
    m.unmount();
}

#[wasm_bindgen_test]
async fn the_playground_can_show_values_inline() {
    storage().set_item(INLINE_KEY, "1").unwrap();
    storage().set_item("granola.playground", "(+ 1 2)\n(define x\n  5)\n(* x 2)\n").unwrap();
    let m = mount(1.0, html! { <PlaygroundPage /> }).await;
    wait_cm(&m).await;
    m.click("#playground-runner button.run");
    assert!(wait_for(5000.0, || m.count(".cm-granola-inline") == 3).await, "{}", m.count(".cm-granola-inline"));
    let rows = js(
        "root, _",
        "const lines = Array.from(root.querySelectorAll('.cm-content .cm-line'));
         return Array.from(root.querySelectorAll('.cm-granola-inline'))
           .map(w => (lines.indexOf(w.closest('.cm-line')) + 1) + ':' + w.textContent.trim()).join('|');",
        &m.root,
        &JsValue::UNDEFINED,
    )
    .as_string()
    .unwrap_or_default();
    assert!(
        rows.starts_with("1:⇒ 3|3:⇒ ") && rows.ends_with("|4:⇒ 10"),
        "each value after its form's last line: {rows}"
    );
    // Off: no inline values.
    js("root, _", "root.querySelector('.pg-inline input').click();", &m.root, &JsValue::UNDEFINED);
    assert!(wait_for(2000.0, || m.count(".cm-granola-inline") == 0).await);
    storage().remove_item(INLINE_KEY).unwrap();
    storage().remove_item("granola.playground").unwrap();
    m.unmount();
}
