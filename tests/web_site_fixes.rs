//! Browser tests of QA's web findings: the REPL continues an unfinished form on Enter, a
//! finished VLA job shows its final explanation and a labelled confidence, an unknown
//! reference name gets a real not-found page, a bridge example in the playground's gallery
//! switches to the console and leaves the Lisp editor with a note, and the share link opens
//! without a trailing blank line.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use granola::lang::Datum;
use granola::web::app::Route;
use granola::web::session::{Session, SessionProvider};
use granola::web::site;
use granola::web::site::jobs::JobsPanel;
use granola::web::site::playground::{Playground, Repl};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

type Slot = Rc<RefCell<Option<Session>>>;

#[derive(Properties)]
struct Props {
    speed: f64,
    slot: Slot,
    children: Html,
}

impl PartialEq for Props {
    fn eq(&self, o: &Self) -> bool {
        self.speed == o.speed && Rc::ptr_eq(&self.slot, &o.slot) && self.children == o.children
    }
}

#[derive(Properties, PartialEq)]
struct GrabProps {
    slot: Slot,
}

#[function_component(Grab)]
fn grab(p: &GrabProps) -> Html {
    *p.slot.borrow_mut() = use_context::<Session>();
    Html::default()
}

#[function_component(Mount)]
fn mount_component(p: &Props) -> Html {
    html! {
        <SessionProvider speed={p.speed} tick_ms={20}>
            <Grab slot={p.slot.clone()} />
            <div class="under-test">{ p.children.clone() }</div>
        </SessionProvider>
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

async fn wait_for(ms: f64, mut cond: impl FnMut() -> bool) -> bool {
    let start = now();
    while now() - start < ms {
        if cond() {
            return true;
        }
        TimeoutFuture::new(10).await;
    }
    cond()
}

struct Mounted {
    handle: Option<yew::AppHandle<Mount>>,
    session: Session,
    root: web_sys::Element,
}

impl Mounted {
    fn q(&self, sel: &str) -> Option<web_sys::Element> {
        self.root.query_selector(sel).ok().flatten()
    }
    fn text(&self, sel: &str) -> String {
        self.q(sel).and_then(|e| e.text_content()).unwrap_or_default()
    }
    fn unmount(mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
        self.root.remove();
    }
}

async fn mount(speed: f64, children: Html) -> Mounted {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let slot: Slot = Rc::new(RefCell::new(None));
    let h = yew::Renderer::<Mount>::with_root_and_props(root.clone(), Props { speed, slot: slot.clone(), children }).render();
    assert!(wait_for(5000.0, || slot.borrow().is_some()).await, "session provided");
    let session = slot.borrow().clone().unwrap();
    Mounted { handle: Some(h), session, root }
}

/// Runs JS `body` with arguments (a and b).
fn js(args: &str, body: &str, a: &JsValue, b: &JsValue) -> JsValue {
    js_sys::Function::new_with_args(args, body).call2(&JsValue::NULL, a, b).unwrap_or(JsValue::UNDEFINED)
}

fn editor_text(root: &web_sys::Element) -> String {
    js(
        "root, _",
        "const host = root.querySelector('.editor-host');
         if (host && host.__granolaEditor) return host.__granolaEditor.getText();
         const ta = root.querySelector('textarea.editor-fallback');
         return ta ? ta.value : null;",
        root,
        &JsValue::UNDEFINED,
    )
    .as_string()
    .unwrap_or_default()
}

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
    root.query_selector("textarea.repl-input").ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok()).map(|t| t.value()).unwrap_or_default()
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
    assert!(wait_for(3000.0, || m.q(".repl-log .error").is_some()).await, "an extra ) is an error: {}", m.text(".repl-log"));
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
    assert!(wait_for(2000.0, || m.text(".repl-log .error").contains("unterminated")).await, "log: {}", m.text(".repl-log"));
    m.unmount();
}

// ------------------------------------------------------------------ 2. jobs panel

fn vla_request() -> Datum {
    use granola::lang::datum::sym_map;
    sym_map(vec![
        ("task_id", Datum::str("t")),
        ("instruction", Datum::str("move")),
        ("observation", sym_map(vec![("state", Datum::List(vec![Datum::Float(0.0)])), ("timestamp_ms", Datum::Int(100)), ("frame_id", Datum::str("base"))])),
        ("action_space", sym_map(vec![("type", Datum::sym(":continuous")), ("dims", Datum::Int(1)), ("bounds", Datum::List(vec![Datum::List(vec![Datum::Float(-1.0), Datum::Float(1.0)])]))])),
        ("constraints", sym_map(vec![("max_abs_value", Datum::Float(1.0)), ("max_delta", Datum::Float(1.0))])),
        ("model", sym_map(vec![("name", Datum::str("rt2-stub")), ("version", Datum::str("stub-1"))])),
    ])
}

fn submit_vla(s: &Session) -> u64 {
    let mut e = s.engine.borrow_mut();
    match granola::vla::call(&mut e, "vla.submit", &[vla_request()]) {
        Ok(Datum::Int(id)) => id as u64,
        other => panic!("vla.submit: {other:?}"),
    }
}

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
    assert_eq!(m.q(".not-found a.not-found-index").and_then(|a| a.get_attribute("href")).as_deref(), Some("#/reference"));
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
    assert!(wait_for(3000.0, || editor_text(&m.root).contains("bridge request")).await, "editor: {:?}", editor_text(&m.root));
    let text = editor_text(&m.root);
    assert!(text.contains(title), "names the example: {text}");
    assert!(text.lines().all(|l| l.starts_with(';')), "only comments, so Run runs nothing: {text}");
    assert!(m.q(".pg-console.pg-console-picked").is_some(), "the console is highlighted");
    assert!(m.text(".pg-console-note").contains(title));
    // The note is inside the console box, so `#pg-console + .pg-console` (scripts/e2e-site.mjs) still holds.
    assert!(m.q("#pg-console + .pg-console .pg-console-note").is_some());
    // Run evaluates the note: no values, no error, and not the previous program.
    m.q("#playground-runner button.run, .runner button.run").unwrap().dyn_into::<web_sys::HtmlElement>().unwrap().click();
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
