//! Browser tests of the `<Runner>` component (headless Chromium via wasm-bindgen-test):
//! results and errors with positions, Stop on an endless loop with the page still
//! responding, the step budget, the output cap. Each test mounts into a fresh element.
#![cfg(target_arch = "wasm32")]

mod web_support;

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use granola::web::components::runner::MAX_LINES;
use granola::web::components::Runner;
use granola::web::runner::RunReport;
use granola::web::session::SessionProvider;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::{document, key_down, wait_for};

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Properties, PartialEq)]
struct Harness {
    source: AttrValue,
    id: AttrValue,
    #[prop_or_default]
    budget: Option<u64>,
    #[prop_or_default]
    expected: Option<String>,
    #[prop_or_default]
    on_done: Option<Callback<RunReport>>,
    #[prop_or(true)]
    autorun: bool,
    #[prop_or(false)]
    isolated: bool,
}

#[function_component(Mount)]
fn mount(p: &Harness) -> Html {
    html! {
        <SessionProvider speed={1.0}>
            <Runner id={p.id.clone()} source={p.source.clone()} autorun={p.autorun} isolated={p.isolated} budget={p.budget}
                    expected={p.expected.clone()} on_done={p.on_done.clone()} />
        </SessionProvider>
    }
}

fn mount_runner(props: Harness) -> yew::AppHandle<Mount> {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<Mount>::with_root_and_props(root, props).render()
}

fn el(selector: &str) -> Option<web_sys::Element> {
    document().query_selector(selector).ok().flatten()
}

fn text(selector: &str) -> String {
    el(selector).and_then(|e| e.text_content()).unwrap_or_default()
}

fn status(id: &str) -> String {
    el(&format!("#{id}")).and_then(|e| e.get_attribute("data-status")).unwrap_or_default()
}

fn click(selector: &str) {
    el(selector).unwrap_or_else(|| panic!("{selector} not found")).dyn_into::<web_sys::HtmlElement>().unwrap().click();
}

#[wasm_bindgen_test]
async fn shows_values_and_printed_output_in_order() {
    let report = Rc::new(RefCell::new(None));
    let r2 = report.clone();
    let _h = mount_runner(Harness {
        id: "r-values".into(),
        source: "(define (square x) (* x x))\n(square 12)\n(print \"hi\")\n(list 1 2 3)\n".into(),
        budget: None,
        expected: Some("<closure:square>\n144\n\"hi\"\nnil\n(1 2 3)\n".into()),
        on_done: Some(Callback::from(move |r: RunReport| *r2.borrow_mut() = Some(r))),
        autorun: true,
        isolated: false,
    });
    assert!(wait_for(5000.0, || status("r-values") == "done").await, "status: {}", status("r-values"));
    let out = text("#r-values .runner-output");
    let i144 = out.find("144").expect("value 144 shown");
    let ihi = out.find("\"hi\"").expect("printed output shown");
    let ilist = out.find("(1 2 3)").expect("list value shown");
    assert!(i144 < ihi && ihi < ilist, "in order: {out}");
    let r = report.borrow().clone().expect("on_done called");
    assert_eq!(r.error, None);
    assert_eq!(r.values.get(1).map(String::as_str), Some("144"));
    assert!(r.stdout.contains("144\n\"hi\"\nnil\n(1 2 3)\n"), "stdout: {:?}", r.stdout);
    assert!(el("#r-values .runner-expected").is_some(), "expected output shown beside");
}

#[wasm_bindgen_test]
async fn runtime_error_shows_line_and_column() {
    let report = Rc::new(RefCell::new(None));
    let r2 = report.clone();
    let _h = mount_runner(Harness {
        id: "r-error".into(),
        source: "(define x 1)\n(+ x\n   (car 5))\n(print \"never\")\n".into(),
        budget: None,
        expected: None,
        on_done: Some(Callback::from(move |r: RunReport| *r2.borrow_mut() = Some(r))),
        autorun: true,
        isolated: false,
    });
    assert!(wait_for(5000.0, || status("r-error") == "error").await, "status: {}", status("r-error"));
    let err = text("#r-error .runner-output .error");
    assert!(err.contains("line 2, column") || err.contains("line 3, column"), "error text: {err}");
    assert!(!text("#r-error .runner-output").contains("never"), "the rest of the load is discarded");
    // the source view marks the line
    assert!(el("#r-error .src-error").is_some(), "error line highlighted");
    let r = report.borrow().clone().expect("on_done called");
    let e = r.error.clone().expect("error in report");
    assert!(e.starts_with("line "), "report error: {e}");
    assert!(r.script_output().contains("fatal: line "), "script output: {}", r.script_output());
}

#[wasm_bindgen_test]
async fn parse_error_shows_position_before_running_anything() {
    let _h = mount_runner(Harness {
        id: "r-parse".into(),
        source: "(print \"first\")\n(+ 1 2\n".into(),
        budget: None,
        expected: None,
        on_done: None,
        autorun: true,
        isolated: false,
    });
    assert!(wait_for(5000.0, || status("r-parse") == "error").await, "status: {}", status("r-parse"));
    let out = text("#r-parse .runner-output");
    assert!(out.contains("line "), "position shown: {out}");
    assert!(out.contains("parse"), "parse error kind shown: {out}");
    assert!(!out.contains("\"first\""), "nothing ran: {out}");
}

#[wasm_bindgen_test]
async fn stop_ends_an_endless_loop_and_the_page_stays_responsive() {
    let _h = mount_runner(Harness {
        id: "r-loop".into(),
        source: "(define (spin n) (spin (+ n 1)))\n(spin 0)\n".into(),
        budget: Some(u64::MAX),
        expected: None,
        on_done: None,
        autorun: true,
        isolated: false,
    });
    assert!(wait_for(5000.0, || status("r-loop") == "running").await, "started: {}", status("r-loop"));
    // While it runs, browser timers still fire: the main thread is not blocked. Checked by
    // order, not speed: each timer resolves while the loop is still running. (How late such a
    // timer is, and how long Stop takes, are figures of `make bench`.)
    for i in 0..5 {
        TimeoutFuture::new(20).await;
        assert_eq!(status("r-loop"), "running", "timer {i} fired while the loop ran");
    }
    click("#r-loop button.stop");
    assert!(wait_for(2000.0, || status("r-loop") == "stopped").await, "stopped: {}", status("r-loop"));
    assert!(text("#r-loop .runner-output").contains("Stopped"), "stop note shown");
    // and it can run again
    click("#r-loop button.run");
    assert!(wait_for(2000.0, || status("r-loop") == "running").await);
    click("#r-loop button.stop");
    assert!(wait_for(2000.0, || status("r-loop") == "stopped").await);
}

#[wasm_bindgen_test]
async fn step_budget_ends_a_runaway_program_with_a_clear_message() {
    let _h = mount_runner(Harness {
        id: "r-budget".into(),
        source: "(define (spin n) (spin (+ n 1)))\n(spin 0)\n".into(),
        budget: Some(200_000),
        expected: None,
        on_done: None,
        autorun: true,
        isolated: false,
    });
    assert!(wait_for(10000.0, || status("r-budget") == "stopped").await, "status: {}", status("r-budget"));
    let out = text("#r-budget .runner-output");
    assert!(out.contains("step budget"), "message: {out}");
}

#[wasm_bindgen_test]
async fn huge_output_is_capped_with_a_more_lines_note() {
    let _h = mount_runner(Harness {
        id: "r-cap".into(),
        source: "(define (p n) (if (> n 0) (begin (print n) (p (- n 1))) 'done))\n(p 3000)\n".into(),
        budget: None,
        expected: None,
        on_done: None,
        autorun: true,
        isolated: false,
    });
    assert!(wait_for(10000.0, || status("r-cap") == "done").await, "status: {}", status("r-cap"));
    let shown = document().query_selector_all("#r-cap .runner-output .out").unwrap().length();
    assert!(shown as usize <= MAX_LINES, "{shown} lines shown");
    let note = text("#r-cap .runner-output .more");
    assert!(note.contains("more lines"), "note: {note}");
}

#[wasm_bindgen_test]
async fn ctrl_enter_runs_and_nothing_runs_before() {
    let _h = mount_runner(Harness {
        id: "r-keys".into(),
        source: "(+ 40 2)\n".into(),
        budget: None,
        expected: None,
        on_done: None,
        autorun: false,
        isolated: false,
    });
    assert!(wait_for(2000.0, || status("r-keys") == "idle").await, "status: {}", status("r-keys"));
    TimeoutFuture::new(100).await;
    assert_eq!(status("r-keys"), "idle", "no run without a request");
    key_down(&el("#r-keys .runner-source").unwrap(), "Enter", true);
    assert!(wait_for(3000.0, || status("r-keys") == "done").await, "status: {}", status("r-keys"));
    assert!(text("#r-keys .runner-output").contains("42"));
}

#[wasm_bindgen_test]
async fn an_isolated_run_prints_exactly_what_granola_file_prints() {
    let source = "(define r (map.make))\n(define s (map.make))\n(map.set! s 'dims 1)\n(map.set! r 'action_space s)\n(map.set! r 'instruction \"move\")\n(define job (vla.submit r))\n(map.get (vla.poll job) 'status ':none)\n(time.sleep-ms 50)\n(vla.poll job)\n(json.encode (vla.poll job))\n(car 1)\n";
    let expected = granola::runtime::run_script(source).transcript();
    let report = Rc::new(RefCell::new(None));
    let r2 = report.clone();
    let _h = mount_runner(Harness {
        id: "r-isolated".into(),
        source: source.into(),
        budget: None,
        expected: Some(expected.clone()),
        on_done: Some(Callback::from(move |r: RunReport| *r2.borrow_mut() = Some(r))),
        autorun: true,
        isolated: true,
    });
    assert!(wait_for(5000.0, || report.borrow().is_some()).await, "status: {}", status("r-isolated"));
    let r = report.borrow().clone().unwrap();
    assert_eq!(r.script_output(), expected);
    assert!(wait_for(2000.0, || el("#r-isolated .match-ok").is_some()).await, "match badge shown");
}
