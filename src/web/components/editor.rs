//! `Editor`: the Yew binding of the CodeMirror 6 bundle (`www/editor/granola-editor.js`,
//! built by `npm run build:editor`). Until the bundle has loaded (or if it fails to load)
//! the editor is a plain `<textarea>` with the same behaviour (text, change events,
//! Ctrl/Cmd+Enter to run), so the page is usable at once and without JavaScript modules.
//!
//! The bundle is loaded on first use with a `<script type="module">` whose URL is
//! `window.GRANOLA_EDITOR_URL` or else `granola-editor.js` next to the page (Trunk copies it
//! there). The CodeMirror handle is also stored on the host element as `__granolaEditor`
//! (tests use it to type). Once loaded, the bundle is given the builtin table's names,
//! signatures and summaries ([`names_for_editor`]) for completion and hover docs.
//!
//! Keyboard: Tab moves focus on until the user starts editing (types, or clicks into the
//! text); then it indents, and Esc gives Tab back to focus moving. A hint under the text says
//! which, while the editor has focus (see `www/editor/src/editor.js`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// An error position to mark in the editor (1-based line and column).
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorMark {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// A value to show after a line (`values inline`).
#[derive(Clone, Debug, PartialEq)]
pub struct InlineValue {
    pub line: u32,
    pub text: String,
    pub error: bool,
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The text shown at mount, and again whenever `generation` changes (Reset, gallery).
    pub text: AttrValue,
    /// Bump to replace the editor's text with `text`.
    #[prop_or_default]
    pub generation: u64,
    /// Called with the whole text after every edit.
    #[prop_or_default]
    pub on_change: Callback<String>,
    /// Ctrl/Cmd+Enter in the editor.
    #[prop_or_default]
    pub on_run: Callback<()>,
    /// Handle Ctrl/Cmd+Enter here (calling `on_run`); `false` lets the key bubble to an
    /// enclosing `Runner`, which runs on it.
    #[prop_or(true)]
    pub run_key: bool,
    /// Error to underline (cleared by the next edit).
    #[prop_or_default]
    pub error: Option<ErrorMark>,
    /// Values to show at the end of lines (each top-level form's value after its last line).
    #[prop_or_default]
    pub inline_values: Vec<InlineValue>,
    /// Minimum height in lines.
    #[prop_or(3)]
    pub min_lines: u32,
    /// Accessible label.
    #[prop_or(AttrValue::Static("Lisp code editor"))]
    pub label: AttrValue,
    #[prop_or_default]
    pub class: Classes,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Load {
    NotStarted,
    Loading,
    Failed,
}

thread_local! {
    static LOAD: Cell<Load> = const { Cell::new(Load::NotStarted) };
    static NAMES_FED: Cell<bool> = const { Cell::new(false) };
}

/// The builtin table as the editor's completion and hover docs read it: one object per row
/// (builtins and special forms) with `name`, `sig`, `doc`, `special` and `href` (its reference
/// page). Built from `runtime::table()` when the bundle loads, so it is never out of step.
pub fn names_for_editor() -> js_sys::Array {
    let out = js_sys::Array::new();
    for b in crate::runtime::table().rows() {
        let o = js_sys::Object::new();
        let special = b.is_special_form();
        let href = if special {
            format!("#/reference/special-forms/{}", crate::web::util::encode_component(b.name))
        } else {
            format!("#/reference/{}", crate::web::util::encode_component(b.name))
        };
        let _ = js_sys::Reflect::set(&o, &"name".into(), &JsValue::from_str(b.name));
        let _ = js_sys::Reflect::set(&o, &"sig".into(), &JsValue::from_str(b.signature));
        let _ = js_sys::Reflect::set(&o, &"doc".into(), &JsValue::from_str(b.summary));
        let _ = js_sys::Reflect::set(&o, &"special".into(), &JsValue::from_bool(special));
        let _ = js_sys::Reflect::set(&o, &"href".into(), &JsValue::from_str(&href));
        out.push(&o);
    }
    out
}

/// Gives the loaded bundle the table once.
fn feed_names(api: &JsValue) {
    if !NAMES_FED.with(|f| f.replace(true)) {
        call(api, "setNames", &[names_for_editor().into()]);
    }
}

fn api() -> Option<JsValue> {
    let w = web_sys::window()?;
    let v = js_sys::Reflect::get(&w, &JsValue::from_str("granolaEditor")).ok()?;
    if v.is_undefined() || v.is_null() {
        None
    } else {
        Some(v)
    }
}

fn editor_url() -> String {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("GRANOLA_EDITOR_URL")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "granola-editor.js".to_string())
}

/// Loads the CodeMirror bundle once; resolves to its API object, or `None` after a failure
/// or an 8 s timeout.
pub async fn ensure_loaded() -> Option<JsValue> {
    if let Some(a) = api() {
        feed_names(&a);
        return Some(a);
    }
    if LOAD.with(|l| l.get()) == Load::NotStarted {
        LOAD.with(|l| l.set(Load::Loading));
        let doc = web_sys::window()?.document()?;
        let script: web_sys::HtmlScriptElement = doc.create_element("script").ok()?.dyn_into().ok()?;
        script.set_type("module");
        script.set_src(&editor_url());
        let onerror = Closure::<dyn FnMut()>::new(|| LOAD.with(|l| l.set(Load::Failed)));
        script.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        onerror.forget();
        doc.head()?.append_child(&script).ok()?;
    }
    for _ in 0..160 {
        if let Some(a) = api() {
            feed_names(&a);
            return Some(a);
        }
        if LOAD.with(|l| l.get()) == Load::Failed {
            return None;
        }
        TimeoutFuture::new(50).await;
    }
    None
}

fn call(handle: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(handle, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
    let arr = js_sys::Array::new();
    for a in args {
        arr.push(a);
    }
    match f.apply(handle, &arr) {
        Ok(v) => Some(v),
        Err(e) => {
            web_sys::console::error_2(&JsValue::from_str(&format!("granola editor: {method} failed")), &e);
            None
        }
    }
}

struct Live {
    handle: Option<JsValue>,
    _on_change: Option<Closure<dyn FnMut(String)>>,
    _on_run: Option<Closure<dyn FnMut()>>,
}

/// The code editor component (see the module docs).
#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    crate::web::util::ensure_styles();
    let host = use_node_ref();
    let area = use_node_ref();
    let cm_ready = use_state(|| false);
    let text_now = use_mut_ref(|| props.text.to_string());
    let callbacks = use_mut_ref(|| (props.on_change.clone(), props.on_run.clone()));
    *callbacks.borrow_mut() = (props.on_change.clone(), props.on_run.clone());
    let live: Rc<RefCell<Live>> = use_mut_ref(|| Live { handle: None, _on_change: None, _on_run: None });
    // Text for the fallback textarea, replaced on `generation` bumps.
    let fallback_text = use_state(|| props.text.to_string());

    // Mount: load CodeMirror and replace the textarea.
    {
        let host = host.clone();
        let cm_ready = cm_ready.clone();
        let text_now = text_now.clone();
        let callbacks = callbacks.clone();
        let live = live.clone();
        let min_lines = props.min_lines;
        let label = props.label.to_string();
        let run_key = props.run_key;
        use_effect_with((), move |_| {
            let alive = Rc::new(Cell::new(true));
            let alive2 = alive.clone();
            let live2 = live.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let Some(api) = ensure_loaded().await else { return };
                if !alive2.get() {
                    return;
                }
                let Some(el) = host.cast::<web_sys::HtmlElement>() else { return };
                let cb1 = callbacks.clone();
                let tn = text_now.clone();
                let on_change = Closure::<dyn FnMut(String)>::new(move |t: String| {
                    *tn.borrow_mut() = t.clone();
                    let cb = cb1.borrow().0.clone();
                    cb.emit(t);
                });
                let cb2 = callbacks.clone();
                let on_run = Closure::<dyn FnMut()>::new(move || {
                    let cb = cb2.borrow().1.clone();
                    cb.emit(());
                });
                let opts = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&opts, &"onChange".into(), on_change.as_ref());
                let _ = js_sys::Reflect::set(&opts, &"onRun".into(), on_run.as_ref());
                let _ = js_sys::Reflect::set(&opts, &"minLines".into(), &JsValue::from(min_lines));
                let _ = js_sys::Reflect::set(&opts, &"label".into(), &JsValue::from_str(&label));
                let _ = js_sys::Reflect::set(&opts, &"runKey".into(), &JsValue::from_bool(run_key));
                let text = text_now.borrow().clone();
                let Some(handle) = call(&api, "create", &[el.clone().into(), JsValue::from_str(&text), opts.into()])
                else {
                    return;
                };
                let _ = js_sys::Reflect::set(&el, &"__granolaEditor".into(), &handle);
                let mut l = live2.borrow_mut();
                l.handle = Some(handle);
                l._on_change = Some(on_change);
                l._on_run = Some(on_run);
                drop(l);
                cm_ready.set(true);
            });
            move || {
                alive.set(false);
                let mut l = live.borrow_mut();
                if let Some(h) = l.handle.take() {
                    call(&h, "destroy", &[]);
                }
                l._on_change = None;
                l._on_run = None;
            }
        });
    }

    // Replace the text when `generation` changes (not on mount).
    {
        let live = live.clone();
        let text_now = text_now.clone();
        let fallback_text = fallback_text.clone();
        let area = area.clone();
        let first = use_mut_ref(|| true);
        use_effect_with((props.generation, props.text.clone()), move |(_, text)| {
            if std::mem::replace(&mut *first.borrow_mut(), false) {
                return;
            }
            *text_now.borrow_mut() = text.to_string();
            fallback_text.set(text.to_string());
            if let Some(t) = area.cast::<web_sys::HtmlTextAreaElement>() {
                t.set_value(text);
            }
            if let Some(h) = live.borrow().handle.as_ref() {
                call(h, "setText", &[JsValue::from_str(text)]);
            }
        });
    }

    // Error marks.
    {
        let live = live.clone();
        let ready = *cm_ready;
        use_effect_with((props.error.clone(), ready), move |(err, _)| {
            if let Some(h) = live.borrow().handle.as_ref() {
                match err {
                    Some(e) => {
                        call(h, "markError", &[e.line.into(), e.col.into(), JsValue::from_str(&e.message)]);
                    }
                    None => {
                        call(h, "clearError", &[]);
                    }
                }
            }
        });
    }

    // Inline values.
    {
        let live = live.clone();
        let ready = *cm_ready;
        use_effect_with((props.inline_values.clone(), ready), move |(rows, _)| {
            if let Some(h) = live.borrow().handle.as_ref() {
                let arr = js_sys::Array::new();
                for r in rows {
                    let o = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(&o, &"line".into(), &JsValue::from(r.line));
                    let _ = js_sys::Reflect::set(&o, &"text".into(), &JsValue::from_str(&r.text));
                    let _ = js_sys::Reflect::set(&o, &"error".into(), &JsValue::from_bool(r.error));
                    arr.push(&o);
                }
                call(h, "setInlineValues", &[arr.into()]);
            }
        });
    }

    let fallback = if *cm_ready {
        html! {}
    } else {
        let oninput = {
            let on_change = props.on_change.clone();
            let text_now = text_now.clone();
            Callback::from(move |e: InputEvent| {
                if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                    let v = t.value();
                    *text_now.borrow_mut() = v.clone();
                    on_change.emit(v);
                }
            })
        };
        let onkeydown = {
            let on_run = props.on_run.clone();
            let run_key = props.run_key;
            Callback::from(move |e: KeyboardEvent| {
                if run_key && e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                    e.prevent_default();
                    on_run.emit(());
                }
            })
        };
        let rows = (fallback_text.lines().count() as u32).max(props.min_lines).min(40);
        html! {
            <textarea ref={area.clone()} class="editor-fallback" aria-label={props.label.clone()} spellcheck="false"
                autocapitalize="off" autocomplete="off" rows={rows.to_string()}
                value={(*fallback_text).clone()} {oninput} {onkeydown} />
        }
    };
    let error_line = match (&props.error, *cm_ready) {
        (Some(e), false) => {
            html! { <div class="editor-fallback-error">{format!("line {}, column {}: {}", e.line, e.col, e.message)}</div> }
        }
        _ => html! {},
    };
    html! {
        <div class={classes!("editor", props.class.clone(), (*cm_ready).then_some("editor-cm"))}>
            <div ref={host} class="editor-host"></div>
            {fallback}
            {error_line}
        </div>
    }
}

/// The Format button's work: the program pretty-printed (`lang::pretty::format`), or where it
/// fails to read (the character at fault, for the editor to mark).
pub fn format_program(text: &str) -> Result<String, ErrorMark> {
    crate::lang::pretty::format(text).map_err(|e| {
        let at = crate::lang::pretty::fault_position(text, &e).unwrap_or_default();
        ErrorMark { line: at.line, col: at.col, message: format!("Format: {}", e.message) }
    })
}
