//! One snippet: the widget that replaces a code block, in its own open shadow root (so its
//! styles and the page's never mix), with the code, Run / Stop / Reset, a status line, the
//! output (capped), the expected-output verdict, the job list with Cancel buttons and the
//! tree view.
//!
//! The code shows as plain text until the reader clicks it (or focuses it and presses a key):
//! then the CodeMirror bundle (`granola-editor.js` next to `granola-embed.js`) is loaded once
//! for the page and replaces it; without the bundle a `<textarea>` does. Ctrl/Cmd+Enter runs
//! from anywhere in the snippet. An error's line and column are marked in the code.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlTextAreaElement, ShadowRoot};

use crate::jobs::{Engine, JobId};

use super::model::{self, esc, Mode, RunLog, Shown};
use super::run::{self, wall_now, Piece, Session};
use super::tree::{self, TreeScene};

const CSS: &str = include_str!("embed.css");

const SKELETON: &str = "<div class=\"ge\"><div class=\"ge-code\"><pre class=\"ge-src\" tabindex=\"0\" \
aria-label=\"muslisp code: press Enter or click to edit, Ctrl+Enter to run\"></pre><div class=\"ge-edit\" hidden></div></div>\
<div class=\"ge-bar\"><button type=\"button\" class=\"ge-run\" title=\"Run (Ctrl+Enter)\">Run</button>\
<button type=\"button\" class=\"ge-stop\" disabled>Stop</button>\
<button type=\"button\" class=\"ge-reset\" title=\"Restore the original code and clear the output\">Reset</button>\
<span class=\"ge-mode\"></span><span class=\"ge-status\" role=\"status\"></span></div>\
<pre class=\"ge-out\"></pre><div class=\"ge-match\" hidden></div><div class=\"ge-jobs\" hidden></div>\
<div class=\"ge-trees\" hidden></div></div>";

/// How the code is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Editing {
    Plain,
    Loading,
    CodeMirror,
    TextArea,
}

/// One live snippet (see the module docs).
pub struct Snippet {
    pub id: u32,
    pub session: Rc<Session>,
    host: HtmlElement,
    original: String,
    text: RefCell<String>,
    expected: Option<String>,
    editor_url: String,
    src: HtmlElement,
    edit: HtmlElement,
    out: HtmlElement,
    status: HtmlElement,
    run_b: HtmlButtonElement,
    stop_b: HtmlButtonElement,
    verdict: HtmlElement,
    jobs: HtmlElement,
    trees: HtmlElement,
    editing: Cell<Editing>,
    editor: RefCell<Option<JsValue>>,
    textarea: RefCell<Option<HtmlTextAreaElement>>,
    error_at: Cell<Option<(u32, u32)>>,
    /// Set by Stop; the run checks it before every slice.
    pub stop: Rc<Cell<bool>>,
    pub running: Cell<bool>,
    /// The first job id of the latest run and the end of its range once it ended.
    pub jobs_range: Cell<(JobId, Option<JobId>)>,
    shown: RefCell<Shown>,
    more: RefCell<Option<Element>>,
    job_rows: RefCell<Vec<(JobId, String)>>,
    trees_html: RefCell<String>,
    started: Cell<f64>,
}

fn part<T: JsCast>(root: &ShadowRoot, sel: &str) -> Option<T> {
    root.query_selector(sel).ok().flatten()?.dyn_into::<T>().ok()
}

fn listen(target: &web_sys::EventTarget, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let c = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = target.add_event_listener_with_callback(event, c.as_ref().unchecked_ref());
    // The widget lives as long as the page.
    c.forget();
}

fn is_run_key(e: &web_sys::KeyboardEvent) -> bool {
    e.key() == "Enter" && (e.ctrl_key() || e.meta_key())
}

fn call(obj: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(obj, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
    let arr: js_sys::Array = args.iter().collect();
    f.apply(obj, &arr).ok()
}

impl Snippet {
    /// Build the widget right after `block` (which is then hidden) and wire it up.
    pub fn mount(
        id: u32,
        block: &Element,
        code: String,
        expected: Option<String>,
        session: Rc<Session>,
        editor_url: &str,
    ) -> Option<Rc<Snippet>> {
        let doc = web_sys::window()?.document()?;
        let host: HtmlElement = doc.create_element("div").ok()?.dyn_into().ok()?;
        host.set_class_name("granola-embed");
        let _ = host.set_attribute("data-granola-snippet", &id.to_string());
        let _ = host.set_attribute("data-state", "idle");
        let _ = host.set_attribute("data-mode", if session.mode == Mode::Shared { "shared" } else { "isolated" });
        let root = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).ok()?;
        root.set_inner_html(&format!("<style>{CSS}</style>{SKELETON}"));
        let sn = Rc::new(Snippet {
            id,
            host: host.clone(),
            original: code.clone(),
            text: RefCell::new(code),
            expected,
            editor_url: editor_url.to_string(),
            src: part(&root, ".ge-src")?,
            edit: part(&root, ".ge-edit")?,
            out: part(&root, ".ge-out")?,
            status: part(&root, ".ge-status")?,
            run_b: part(&root, ".ge-run")?,
            stop_b: part(&root, ".ge-stop")?,
            verdict: part(&root, ".ge-match")?,
            jobs: part(&root, ".ge-jobs")?,
            trees: part(&root, ".ge-trees")?,
            editing: Cell::new(Editing::Plain),
            editor: RefCell::new(None),
            textarea: RefCell::new(None),
            error_at: Cell::new(None),
            stop: Rc::new(Cell::new(false)),
            running: Cell::new(false),
            jobs_range: Cell::new((1, Some(1))),
            shown: RefCell::new(Shown::default()),
            more: RefCell::new(None),
            job_rows: RefCell::new(Vec::new()),
            trees_html: RefCell::new(String::new()),
            started: Cell::new(0.0),
            session,
        });
        let reset_b: HtmlButtonElement = part(&root, ".ge-reset")?;
        if let Some(mode) = part::<HtmlElement>(&root, ".ge-mode") {
            mode.set_text_content(Some(sn.session.mode.label()));
            mode.set_title(match sn.session.mode {
                Mode::Shared => "Snippets in this part of the page share one evaluator: definitions carry over",
                Mode::Isolated => "Each run starts afresh",
            });
        }
        sn.show_code();
        sn.set_status("idle", if sn.expected.is_some() { "expected output below" } else { "" });
        block.insert_adjacent_element("afterend", &host).ok()?;
        let _ = block.dyn_ref::<HtmlElement>().map(|b| b.style().set_property("display", "none"));

        let s = sn.clone();
        listen(&sn.run_b, "click", move |_| wasm_bindgen_futures::spawn_local(run::run(s.clone())));
        let s = sn.clone();
        listen(&sn.stop_b, "click", move |_| s.stop.set(true));
        let s = sn.clone();
        listen(&reset_b, "click", move |_| s.reset());
        let s = sn.clone();
        listen(&sn.src, "click", move |_| s.start_editor());
        let s = sn.clone();
        listen(&sn.src, "keydown", move |e| {
            let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
            let key = k.key();
            if !is_run_key(k)
                && !k.ctrl_key()
                && !k.meta_key()
                && !k.alt_key()
                && (key == "Enter" || key.chars().count() == 1)
            {
                e.prevent_default();
                s.start_editor();
            }
        });
        // Ctrl/Cmd+Enter anywhere in the snippet (code, editor, buttons) runs it.
        let s = sn.clone();
        listen(&root, "keydown", move |e| {
            if e.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(is_run_key) {
                e.prevent_default();
                wasm_bindgen_futures::spawn_local(run::run(s.clone()));
            }
        });
        let s = sn.clone();
        listen(&sn.jobs, "click", move |e| {
            let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
            let button = target.and_then(|t| t.closest("[data-cancel]").ok().flatten());
            if let Some(id) = button.and_then(|b| b.get_attribute("data-cancel")).and_then(|v| v.parse::<JobId>().ok())
            {
                s.session.cancel(id);
            }
        });
        Some(sn)
    }

    /// The host element (in the page's DOM, after the original block).
    pub fn host(&self) -> &HtmlElement {
        &self.host
    }

    /// The code to run.
    pub fn source(&self) -> String {
        self.text.borrow().clone()
    }

    pub fn set_status(&self, state: &str, text: &str) {
        let _ = self.host.set_attribute("data-state", state);
        self.status.set_text_content(Some(text));
    }

    /// The plain code view, with the error's line and column marked.
    fn show_code(&self) {
        let text = self.text.borrow();
        let Some((line, col)) = self.error_at.get() else {
            self.src.set_text_content(Some(&text));
            return;
        };
        let mut html = String::new();
        for (i, l) in text.split('\n').enumerate() {
            if i > 0 {
                html.push('\n');
            }
            if i + 1 != line as usize {
                html.push_str(&esc(l));
                continue;
            }
            // columns count UTF-8 bytes, as the evaluator reports them
            let target = (col.max(1) - 1) as usize;
            let (mut before, mut at, mut after) = (String::new(), String::new(), String::new());
            let mut bytes = 0;
            for ch in l.chars() {
                if bytes < target {
                    before.push(ch);
                } else if at.is_empty() {
                    at.push(ch);
                } else {
                    after.push(ch);
                }
                bytes += ch.len_utf8();
            }
            if at.is_empty() {
                at.push(' ');
            }
            html.push_str(&format!(
                "<span class=\"ge-errline\">{}<span class=\"ge-errcol\">{}</span>{}</span>",
                esc(&before),
                esc(&at),
                esc(&after)
            ));
        }
        self.src.set_inner_html(&html);
    }

    fn mark_error(&self, at: Option<(u32, u32)>, message: &str) {
        self.error_at.set(at);
        match (self.editing.get(), self.editor.borrow().as_ref()) {
            (Editing::CodeMirror, Some(ed)) => {
                match at {
                    Some((l, c)) => call(ed, "markError", &[l.into(), c.into(), JsValue::from_str(message)]),
                    None => call(ed, "clearError", &[]),
                };
            }
            _ => self.show_code(),
        }
    }

    /// A run starts: clear the output, the verdict and the marks.
    pub fn begin_run(&self) {
        self.out.set_inner_html("");
        *self.shown.borrow_mut() = Shown::default();
        *self.more.borrow_mut() = None;
        self.verdict.set_hidden(true);
        let _ = self.host.remove_attribute("data-match");
        self.mark_error(None, "");
        self.trees_html.borrow_mut().clear();
        self.trees.set_inner_html("");
        self.trees.set_hidden(true);
        self.run_b.set_disabled(true);
        self.stop_b.set_disabled(false);
        self.started.set(wall_now());
        if self.session.is_busy() {
            self.set_status("waiting", "waiting for the session…");
        } else {
            self.set_status("running", "running…");
        }
    }

    /// A run ended (`None`: stopped before it started).
    pub fn end_run(&self, log: Option<&RunLog>) {
        self.running.set(false);
        self.run_b.set_disabled(false);
        self.stop_b.set_disabled(true);
        let ms = wall_now() - self.started.get();
        let Some(log) = log else {
            self.set_status("stopped", "stopped");
            return;
        };
        if log.stopped {
            self.set_status("stopped", "stopped");
        } else if log.error.is_some() {
            self.set_status("error", "error");
        } else {
            self.set_status("done", &format!("done in {} ms", ms.round()));
        }
        if let Some(expected) = &self.expected {
            let (ok, html) = match log.check(expected) {
                Ok(()) => (true, "✓ matches the expected output".to_string()),
                Err(diff) => (
                    false,
                    format!("✗ differs from the expected output<pre class=\"ge-diff\">{}</pre>", esc(diff.trim_end())),
                ),
            };
            self.verdict.set_inner_html(&html);
            let yes = if ok { "yes" } else { "no" };
            let _ = self.verdict.set_attribute("data-ok", yes);
            let _ = self.host.set_attribute("data-match", yes);
            self.verdict.set_hidden(false);
        }
    }

    /// Show one piece of the run's output (capped: the rest is counted in a closing note).
    pub fn piece(&self, p: Piece) {
        let (class, text, whole) = match p {
            Piece::Out(t) => ("ge-o", t, false),
            Piece::Value(t) => ("ge-v", t, true),
            Piece::Note(t) => ("ge-note", t, true),
            Piece::Error { text, line, col } => {
                if let (Some(l), Some(c)) = (line, col) {
                    self.mark_error(Some((l, c)), text);
                }
                ("ge-e", text, true)
            }
        };
        let admitted = self.shown.borrow_mut().admit(text, whole);
        match admitted {
            Some(t) if !t.is_empty() => {
                let last = self.out.last_element_child();
                if class == "ge-o" && last.as_ref().is_some_and(|l| l.class_name() == "ge-o") {
                    if let Some(l) = last {
                        let _ = l.insert_adjacent_text("beforeend", &t);
                    }
                } else if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                    if let Ok(span) = doc.create_element("span") {
                        span.set_class_name(class);
                        let shown = if class == "ge-e" { format!("error: {t}") } else { t };
                        span.set_text_content(Some(&shown));
                        let _ = self.out.append_child(&span);
                    }
                }
            }
            Some(_) => {}
            None => self.note_hidden(),
        }
    }

    fn note_hidden(&self) {
        let hidden = self.shown.borrow().hidden();
        let mut more = self.more.borrow_mut();
        if more.is_none() {
            let doc = web_sys::window().and_then(|w| w.document());
            if let Some(el) = doc.and_then(|d| d.create_element("span").ok()) {
                el.set_class_name("ge-note ge-more");
                let _ = self.out.append_child(&el);
                *more = Some(el);
            }
        }
        if let Some(el) = more.as_ref() {
            el.set_text_content(Some(&format!(
                "… {hidden} more lines not shown (a run shows at most {} lines)",
                model::MAX_LINES
            )));
        }
    }

    /// Repaint the job list from the engine (rows are patched in place, see
    /// [`model::row_html`]).
    pub fn paint_jobs(&self, engine: &Engine) {
        let (from, to) = self.jobs_range.get();
        let rows = model::job_rows(engine, from, to);
        if rows.is_empty() {
            if !self.job_rows.borrow().is_empty() {
                self.job_rows.borrow_mut().clear();
                self.jobs.set_inner_html("");
            }
            self.jobs.set_hidden(true);
            return;
        }
        let shown = model::shown_rows(&rows);
        let new: Vec<(JobId, String)> = shown.iter().map(|r| (r.id, model::row_html(r))).collect();
        let mut old = self.job_rows.borrow_mut();
        let same_ids = old.len() == new.len() && old.iter().zip(&new).all(|(a, b)| a.0 == b.0);
        if same_ids {
            if let Some(head) = self.jobs.query_selector(".ge-head").ok().flatten() {
                head.set_inner_html(&model::jobs_head(&rows));
            }
            for (i, ((_, was), (id, now))) in old.iter().zip(&new).enumerate() {
                if was != now {
                    if let Some(li) = self.jobs.query_selector(&format!("li[data-job=\"{id}\"]")).ok().flatten() {
                        li.set_inner_html(now);
                        let _ = li.set_attribute("data-state", shown[i].state);
                    }
                }
            }
        } else {
            self.jobs.set_inner_html(&model::jobs_html(&rows));
        }
        *old = new;
        self.jobs.set_hidden(false);
    }

    /// Repaint the tree view (see [`tree::draw`]).
    pub fn paint_trees(&self, scenes: &[TreeScene]) {
        let html: String = scenes.iter().map(|sc| tree::draw(sc, &format!("ge{}i{}", self.id, sc.inst))).collect();
        if *self.trees_html.borrow() != html {
            self.trees.set_inner_html(&html);
            self.trees.set_hidden(html.is_empty());
            *self.trees_html.borrow_mut() = html;
        }
    }

    /// Back to the page's code: stop a run, clear the output.
    pub fn reset(&self) {
        self.stop.set(true);
        *self.text.borrow_mut() = self.original.clone();
        if let Some(ed) = self.editor.borrow().as_ref() {
            call(ed, "setText", &[JsValue::from_str(&self.original)]);
        }
        if let Some(ta) = self.textarea.borrow().as_ref() {
            ta.set_value(&self.original);
        }
        let _ = self.host.remove_attribute("data-edited");
        self.out.set_inner_html("");
        *self.more.borrow_mut() = None;
        self.verdict.set_hidden(true);
        let _ = self.host.remove_attribute("data-match");
        self.mark_error(None, "");
        if !self.running.get() {
            self.set_status("idle", "");
        }
    }

    fn edited(&self, text: String) {
        let changed = text != self.original;
        *self.text.borrow_mut() = text;
        if changed {
            let _ = self.host.set_attribute("data-edited", "");
        } else {
            let _ = self.host.remove_attribute("data-edited");
        }
    }

    /// Replace the plain code with the editor (loading the bundle once per page).
    pub fn start_editor(self: &Rc<Self>) {
        if self.editing.get() != Editing::Plain {
            return;
        }
        self.editing.set(Editing::Loading);
        let _ = self.src.set_attribute("aria-busy", "true");
        let sn = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mounted = match load_editor(&sn.editor_url).await {
                Some(api) => sn.mount_codemirror(&api),
                None => false,
            };
            if !mounted {
                sn.mount_textarea();
            }
        });
    }

    fn mount_codemirror(self: &Rc<Self>, api: &JsValue) -> bool {
        let s = self.clone();
        let on_change = Closure::<dyn FnMut(String)>::new(move |t: String| s.edited(t));
        let opts = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&opts, &JsValue::from_str(k), v).is_ok();
        set("onChange", on_change.as_ref());
        set("runKey", &JsValue::FALSE);
        set("minLines", &JsValue::from(self.original.lines().count().clamp(1, 30) as u32));
        set("label", &JsValue::from_str("muslisp code"));
        self.edit.set_hidden(false);
        let text = self.source();
        let Some(handle) = call(api, "create", &[self.edit.clone().into(), JsValue::from_str(&text), opts.into()])
        else {
            self.edit.set_hidden(true);
            return false;
        };
        on_change.forget();
        self.src.set_hidden(true);
        self.editing.set(Editing::CodeMirror);
        *self.editor.borrow_mut() = Some(handle.clone());
        let _ = self.host.set_attribute("data-editor", "codemirror");
        if let Some((l, c)) = self.error_at.get() {
            call(&handle, "markError", &[l.into(), c.into(), JsValue::from_str("")]);
        }
        call(&handle, "focus", &[]);
        true
    }

    fn mount_textarea(self: &Rc<Self>) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Some(ta) = doc.create_element("textarea").ok().and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
        else {
            return;
        };
        ta.set_class_name("ge-ta");
        ta.set_value(&self.source());
        ta.set_rows((self.original.lines().count() as u32 + 1).clamp(2, 30));
        ta.set_spellcheck(false);
        let _ = ta.set_attribute("aria-label", "muslisp code");
        let s = self.clone();
        let t2 = ta.clone();
        listen(&ta, "input", move |_| s.edited(t2.value()));
        let _ = self.edit.append_child(&ta);
        self.edit.set_hidden(false);
        self.src.set_hidden(true);
        self.editing.set(Editing::TextArea);
        let _ = self.host.set_attribute("data-editor", "textarea");
        let _ = ta.focus();
        *self.textarea.borrow_mut() = Some(ta);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Load {
    NotStarted,
    Loading,
    Failed,
}

thread_local! {
    static EDITOR_LOAD: Cell<Load> = const { Cell::new(Load::NotStarted) };
}

fn editor_api() -> Option<JsValue> {
    let window: JsValue = web_sys::window()?.into();
    let v = js_sys::Reflect::get(&window, &JsValue::from_str("granolaEditor")).ok()?;
    (!v.is_undefined() && !v.is_null()).then_some(v)
}

/// The editor bundle's API (`window.granolaEditor`), loading it with a classic `<script>` the
/// first time (the element is removed again once it ran); `None` after a failure or 8 s.
async fn load_editor(url: &str) -> Option<JsValue> {
    if let Some(api) = editor_api() {
        return Some(api);
    }
    if EDITOR_LOAD.with(|l| l.get()) == Load::NotStarted {
        EDITOR_LOAD.with(|l| l.set(Load::Loading));
        let doc = web_sys::window()?.document()?;
        let script: web_sys::HtmlScriptElement = doc.create_element("script").ok()?.dyn_into().ok()?;
        script.set_src(url);
        let s2 = script.clone();
        let done = Closure::<dyn FnMut()>::new(move || s2.remove());
        script.set_onload(Some(done.as_ref().unchecked_ref()));
        done.forget();
        let s3 = script.clone();
        let failed = Closure::<dyn FnMut()>::new(move || {
            EDITOR_LOAD.with(|l| l.set(Load::Failed));
            s3.remove();
        });
        script.set_onerror(Some(failed.as_ref().unchecked_ref()));
        failed.forget();
        doc.head()?.append_child(&script).ok()?;
    }
    for _ in 0..160 {
        if let Some(api) = editor_api() {
            return Some(api);
        }
        if EDITOR_LOAD.with(|l| l.get()) == Load::Failed {
            return None;
        }
        TimeoutFuture::new(50).await;
    }
    None
}
