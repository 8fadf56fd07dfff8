//! Browser tests of a docs page's runnable examples and their editor: an example runs and
//! matches its expected output, edits persist across a remount and Reset restores the original,
//! a failing run marks line and column, runs are exact by default and live on request; the
//! CodeMirror bundle loads, highlights and reports edits, and error marks land on the right
//! character after non-ASCII text.
#![cfg(target_arch = "wasm32")]

mod web_support;

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use granola::web::components::example::{storage_key, LIVE_KEY};
use granola::web::components::{Editor, ErrorMark, Example, JobsPanel};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn an_example_runs_and_matches_its_expected_output() {
    let code = "(define x 40)\n(+ x 2)";
    storage().remove_item(&storage_key(code)).unwrap();
    let m =
        mount(1.0, html! { <Example id="ex-run" code={code} expected={Some(AttrValue::from("40\n42\n"))} /> }).await;
    m.click("#ex-run button.run");
    assert!(
        wait_for(5000.0, || m.text("#ex-run .runner-output").contains("42")).await,
        "output: {}",
        m.text("#ex-run .runner-output")
    );
    assert!(wait_for(2000.0, || m.q("#ex-run .match-ok").is_some()).await, "matches the expected output");
    assert!(m.text("#ex-run .runner-expected").contains("42"), "the expected output is shown next to it");
    m.unmount();
}

#[wasm_bindgen_test]
async fn edits_persist_across_a_remount_and_reset_restores_the_original() {
    let code = "(+ 1 1)";
    let key = storage_key(code);
    storage().remove_item(&key).unwrap();
    let m = mount(1.0, html! { <Example id="ex-persist" code={code} /> }).await;
    assert!(wait_for(2000.0, || editor_text(&m.root) == code).await);
    set_editor_text(&m.root, "(+ 40 2)");
    assert!(
        wait_for(2000.0, || storage().get_item(&key).unwrap().as_deref() == Some("(+ 40 2)")).await,
        "saved under the hash of the original"
    );
    assert!(wait_for(2000.0, || m.q(".example.edited").is_some()).await);
    m.unmount();

    let m = mount(1.0, html! { <Example id="ex-persist" code={code} /> }).await;
    assert!(
        wait_for(2000.0, || editor_text(&m.root) == "(+ 40 2)").await,
        "the edit is back: {}",
        editor_text(&m.root)
    );
    m.click("#ex-persist button.run");
    assert!(wait_for(5000.0, || m.text("#ex-persist .runner-output").contains("42")).await, "the edited program runs");
    m.click(".example button.reset");
    assert!(
        wait_for(2000.0, || editor_text(&m.root) == code).await,
        "Reset restores the original: {}",
        editor_text(&m.root)
    );
    assert!(storage().get_item(&key).unwrap().is_none(), "Reset forgets the saved edit");
    assert!(wait_for(2000.0, || m.q(".example.edited").is_none()).await);
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_failing_example_marks_line_and_column() {
    let code = "(+ 1 2)\n(car 5)";
    storage().remove_item(&storage_key(code)).unwrap();
    let m = mount(1.0, html! { <Example id="ex-err" code={code} /> }).await;
    m.click("#ex-err button.run");
    assert!(
        wait_for(5000.0, || m.text("#ex-err .runner-output").contains("line 2")).await,
        "output: {}",
        m.text("#ex-err .runner-output")
    );
    // The editor marks the position: CodeMirror underlines it, the fallback names it.
    assert!(
        wait_for(2000.0, || m.q(".cm-granola-error-line").is_some()
            || m.text(".editor-fallback-error").contains("line 2"))
        .await,
        "error mark shown"
    );
    m.unmount();
}

/// By default an example runs exactly as `granola FILE` does (private engine: job ids from 1,
/// sleeps jump), so it matches its page every time; with "live jobs" on it runs on the page's
/// engine and its job shows in the jobs panel.
#[wasm_bindgen_test]
async fn examples_run_exact_by_default_and_live_on_request() {
    let code = "(define (mk) (let ((r (map.make)) (o (map.make)) (s (map.make)) (c (map.make)) (m (map.make)))\n  (map.set! o 'state (list 0.0)) (map.set! o 'timestamp_ms 100) (map.set! o 'frame_id \"base\")\n  (map.set! s 'type ':continuous) (map.set! s 'dims 1) (map.set! s 'bounds (list (list -1.0 1.0)))\n  (map.set! c 'max_abs_value 1.0) (map.set! c 'max_delta 1.0)\n  (map.set! m 'name \"rt2-stub\") (map.set! m 'version \"stub-1\")\n  (map.set! r 'task_id \"t\") (map.set! r 'instruction \"move\") (map.set! r 'observation o)\n  (map.set! r 'action_space s) (map.set! r 'constraints c) (map.set! r 'model m) r))\n(vla.submit (mk))";
    storage().remove_item(&storage_key(code)).unwrap();
    storage().set_item(LIVE_KEY, "0").unwrap();
    let m = mount(
        0.005,
        html! { <>
            <Example id="ex-live" code={code} expected={Some(AttrValue::from("<closure>\n1\n"))} />
            <JobsPanel />
        </> },
    )
    .await;
    for _ in 0..2 {
        m.click("#ex-live button.run");
        assert!(
            wait_for(5000.0, || m.q("#ex-live .match-ok").is_some()).await,
            "exact run matches: {}",
            m.text("#ex-live .runner-output")
        );
        TimeoutFuture::new(50).await;
    }
    assert_eq!(m.count(".job-row"), 0, "exact runs keep their jobs private");
    js("root, _", "const i = root.querySelector('.live-toggle input'); i.click();", &m.root, &JsValue::UNDEFINED);
    assert!(wait_for(2000.0, || storage().get_item(LIVE_KEY).unwrap().as_deref() == Some("1")).await);
    TimeoutFuture::new(100).await;
    m.click("#ex-live button.run");
    assert!(
        wait_for(5000.0, || m.count(".job-row") == 1).await,
        "a live run's job shows in the panel: rows {}, output {}, engine jobs {}",
        m.count(".job-row"),
        m.text("#ex-live .runner-output"),
        m.session.engine.borrow().issued()
    );
    storage().set_item(LIVE_KEY, "0").unwrap();
    m.unmount();
}

#[wasm_bindgen_test]
async fn the_codemirror_bundle_loads_and_reports_edits() {
    load_editor_bundle();
    let seen: Rc<RefCell<String>> = Rc::new(RefCell::new(String::new()));
    let seen2 = seen.clone();
    let on_change = Callback::from(move |t: String| *seen2.borrow_mut() = t);
    // A string and a comment: the tokenizer must handle every token kind.
    let m = mount(1.0, html! { <Editor text={"(list 1 2 \"two words\" 'sym :kw) ; note"} {on_change} /> }).await;
    assert!(wait_for(8000.0, || m.q(".editor-cm .cm-editor").is_some()).await, "CodeMirror replaced the textarea");
    assert!(m.q("textarea.editor-fallback").is_none());
    assert!(m.text(".cm-content").contains("(list 1 2"));
    assert!(m.q(".cm-content .tok-function, .cm-content span[class]").is_some(), "syntax highlighting spans");
    set_editor_text(&m.root, "(map.make)");
    assert!(wait_for(2000.0, || *seen.borrow() == "(map.make)").await, "on_change got the edit");
    m.unmount();
}

/// The evaluator reports columns in UTF-8 bytes (like the reference); the editor must mark the
/// character that starts at that byte, not the one at that character index.
#[wasm_bindgen_test]
async fn error_marks_land_on_the_right_character_after_non_ascii_text() {
    load_editor_bundle();
    let src = "(list \"\u{e9}\u{1F600}\" foo)";
    let run = granola::runtime::run_script(src);
    let err = run.error.expect("foo is unbound");
    let pos = err.pos.expect("a position");
    assert_eq!((pos.line, pos.col), (1, 16), "byte column of foo");
    let error = Some(ErrorMark { line: pos.line, col: pos.col, message: err.message.clone() });
    let m = mount(1.0, html! { <Editor text={src} {error} /> }).await;
    assert!(wait_for(8000.0, || m.q(".editor-cm .cm-editor").is_some()).await, "CodeMirror replaced the textarea");
    assert!(
        wait_for(2000.0, || m.text(".cm-granola-error-mark") == "f").await,
        "marked: {:?}",
        m.text(".cm-granola-error-mark")
    );
    m.unmount();
}
