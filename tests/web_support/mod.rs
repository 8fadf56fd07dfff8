//! Helpers shared by the browser tests (`mod web_support;` in each): mounting a component
//! under a fresh session, the clock and waiting on a condition, DOM queries and events, JS
//! calls, the editor's text, localStorage, and submitting a VLA job. Not every test file uses
//! every helper.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use granola::lang::Datum;
use granola::web::session::{Session, SessionProvider};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use yew::prelude::*;

pub type Slot = Rc<RefCell<Option<Session>>>;

#[derive(Properties)]
pub struct Props {
    pub speed: f64,
    pub slot: Slot,
    pub children: Html,
}

impl PartialEq for Props {
    fn eq(&self, o: &Self) -> bool {
        self.speed == o.speed && Rc::ptr_eq(&self.slot, &o.slot) && self.children == o.children
    }
}

#[derive(Properties, PartialEq)]
pub struct GrabProps {
    pub slot: Slot,
}

#[function_component(Grab)]
pub fn grab(p: &GrabProps) -> Html {
    *p.slot.borrow_mut() = use_context::<Session>();
    Html::default()
}

#[function_component(Mount)]
pub fn mount_component(p: &Props) -> Html {
    html! {
        <SessionProvider speed={p.speed} tick_ms={20}>
            <Grab slot={p.slot.clone()} />
            <div class="under-test">{ p.children.clone() }</div>
        </SessionProvider>
    }
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// `performance.now()`.
pub fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// Polls `cond` every 10 ms for up to `ms`; true if it became true.
pub async fn wait_for(ms: f64, mut cond: impl FnMut() -> bool) -> bool {
    let start = now();
    while now() - start < ms {
        if cond() {
            return true;
        }
        TimeoutFuture::new(10).await;
    }
    cond()
}

pub struct Mounted {
    pub handle: Option<yew::AppHandle<Mount>>,
    pub session: Session,
    pub root: web_sys::Element,
}

impl Mounted {
    pub fn q(&self, sel: &str) -> Option<web_sys::Element> {
        self.root.query_selector(sel).ok().flatten()
    }
    pub fn text(&self, sel: &str) -> String {
        self.q(sel).and_then(|e| e.text_content()).unwrap_or_default()
    }
    pub fn count(&self, sel: &str) -> u32 {
        self.root.query_selector_all(sel).map(|l| l.length()).unwrap_or(0)
    }
    pub fn click(&self, sel: &str) {
        let el = self.q(sel).unwrap_or_else(|| panic!("no element {sel}"));
        el.dyn_into::<web_sys::HtmlElement>().unwrap().click();
    }
    pub fn unmount(mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
        self.root.remove();
    }
}

/// Mounts `children` under a fresh session (clock at `speed` job-ms per wall-ms, driver every
/// 20 ms) in a new element, and waits for the session.
pub async fn mount(speed: f64, children: Html) -> Mounted {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let slot: Slot = Rc::new(RefCell::new(None));
    let h = yew::Renderer::<Mount>::with_root_and_props(root.clone(), Props { speed, slot: slot.clone(), children })
        .render();
    let ok = wait_for(5000.0, || slot.borrow().is_some()).await;
    assert!(ok, "session provided");
    let session = slot.borrow().clone().unwrap();
    Mounted { handle: Some(h), session, root }
}

/// Runs JS `body` with arguments (a and b).
pub fn js(args: &str, body: &str, a: &JsValue, b: &JsValue) -> JsValue {
    js_sys::Function::new_with_args(args, body).call2(&JsValue::NULL, a, b).unwrap_or(JsValue::UNDEFINED)
}

pub fn editor_text(root: &web_sys::Element) -> String {
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

pub fn vla_request() -> Datum {
    use granola::lang::datum::sym_map;
    sym_map(vec![
        ("task_id", Datum::str("t")),
        ("instruction", Datum::str("move")),
        (
            "observation",
            sym_map(vec![
                ("state", Datum::List(vec![Datum::Float(0.0)])),
                ("timestamp_ms", Datum::Int(100)),
                ("frame_id", Datum::str("base")),
            ]),
        ),
        (
            "action_space",
            sym_map(vec![
                ("type", Datum::sym(":continuous")),
                ("dims", Datum::Int(1)),
                ("bounds", Datum::List(vec![Datum::List(vec![Datum::Float(-1.0), Datum::Float(1.0)])])),
            ]),
        ),
        ("constraints", sym_map(vec![("max_abs_value", Datum::Float(1.0)), ("max_delta", Datum::Float(1.0))])),
        ("model", sym_map(vec![("name", Datum::str("rt2-stub")), ("version", Datum::str("stub-1"))])),
    ])
}

/// Submits [`vla_request`] on the session's engine; the job id.
pub fn submit_vla(s: &Session) -> u64 {
    let mut e = s.engine.borrow_mut();
    granola::vla::submit(&mut e, &vla_request()).expect("vla.submit")
}

/// The page's localStorage.
pub fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Dispatches a keydown of `key` (with Ctrl when `ctrl`) that bubbles, on `target`.
pub fn key_down(target: &web_sys::EventTarget, key: &str, ctrl: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(ctrl);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&ev).unwrap();
}

/// Types `text` into the first editor under `root` (CodeMirror or the textarea fallback).
pub fn set_editor_text(root: &web_sys::Element, text: &str) {
    js(
        "root, text",
        "const host = root.querySelector('.editor-host');
         if (host && host.__granolaEditor) { host.__granolaEditor.setText(text); return; }
         const ta = root.querySelector('textarea.editor-fallback');
         ta.value = text; ta.dispatchEvent(new Event('input', {bubbles: true}));",
        root,
        &JsValue::from_str(text),
    );
}

/// Loads the CodeMirror bundle as an inline module (the test server does not serve www/).
pub fn load_editor_bundle() {
    let loaded = js_sys::Reflect::get(&web_sys::window().unwrap(), &"granolaEditor".into())
        .map(|v| !v.is_undefined())
        .unwrap_or(false);
    if !loaded {
        let s = document().create_element("script").unwrap();
        s.set_attribute("type", "module").unwrap();
        s.set_text_content(Some(include_str!("../../www/editor/granola-editor.js")));
        document().head().unwrap().append_child(&s).unwrap();
    }
}
