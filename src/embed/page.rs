//! The page: [`scan`] finds the marked code blocks, groups them into sessions, mounts a
//! [`Snippet`] after each and follows the page's dark mode. It changes nothing of the page but
//! the blocks it takes over: each block is hidden (`display: none`) and marked
//! `data-granola-embedded`, and the widget is inserted right after it.
//!
//! - A block is the `<pre>` around a matched `<code>`, or the `<div class="highlight">`-like
//!   wrapper(s) around that `<pre>` when it is their only element (MkDocs, Material, Jekyll,
//!   pandoc).
//! - Its expected output is the element right after the block, when it is or holds an element
//!   matching the `expected` selector.
//! - The nearest `data-granola-session` attribute (`shared` or `isolated`) on the block or an
//!   ancestor chooses its mode, else the page's option; snippets under the same
//!   `data-granola-session="shared"` element (or, for the page's option, on the whole page)
//!   share one session. `data-granola-speed` (job-ms per wall-ms) works the same way.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::evaluator::Evaluator;
use super::model::{self, block_text, Mode, Options, ThemeChoice, ThemeHints};
use super::run::{self, Session};
use super::snippet::Snippet;

#[derive(Default)]
struct Page {
    count: u32,
    hosts: Vec<HtmlElement>,
    /// Shared sessions by the element that declared them (`None`: the page's).
    shared: Vec<(Option<Element>, Rc<Session>)>,
    theme: Option<ThemeChoice>,
    watching: bool,
}

thread_local! {
    static PAGE: RefCell<Page> = RefCell::new(Page::default());
}

fn option(options: &JsValue, key: &str) -> Option<String> {
    if !options.is_object() {
        return None;
    }
    let v = js_sys::Reflect::get(options, &JsValue::from_str(key)).ok()?;
    if let Some(s) = v.as_string() {
        Some(s)
    } else if let Some(b) = v.as_bool() {
        Some(if b { "true" } else { "false" }.to_string())
    } else {
        v.as_f64().map(|x| x.to_string())
    }
}

/// The block a matched element stands for (see the module docs).
fn block_of(el: &Element) -> Element {
    let mut block =
        if el.tag_name() == "PRE" { el.clone() } else { el.closest("pre").ok().flatten().unwrap_or(el.clone()) };
    for _ in 0..2 {
        let Some(parent) = block.parent_element() else { break };
        let class = parent.class_name();
        let wrapper = ["highlight", "language-", "sourceCode", "codehilite"].iter().any(|w| class.contains(w));
        if parent.tag_name() != "DIV" || parent.child_element_count() != 1 || !wrapper {
            break;
        }
        block = parent;
    }
    block
}

fn expected_after(block: &Element, selector: &str) -> Option<String> {
    let sib = block.next_element_sibling()?;
    let target =
        if sib.matches(selector).unwrap_or(false) { sib } else { sib.query_selector(selector).ok().flatten()? };
    Some(block_text(&target.text_content().unwrap_or_default()))
}

fn session_for(el: &Element, opts: &Options) -> Rc<Session> {
    let holder = el.closest("[data-granola-session]").ok().flatten();
    let declared = holder.as_ref().and_then(|h| h.get_attribute("data-granola-session")).and_then(|v| Mode::parse(&v));
    let mode = declared.unwrap_or(opts.mode);
    let speed = el
        .closest("[data-granola-speed]")
        .ok()
        .flatten()
        .and_then(|h| h.get_attribute("data-granola-speed"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|x| x.is_finite() && *x > 0.0)
        .unwrap_or(opts.speed);
    if mode == Mode::Isolated {
        return Session::new(mode, speed, opts.budget);
    }
    let key = if declared.is_some() { holder } else { None };
    PAGE.with(|p| {
        let mut p = p.borrow_mut();
        let found = p.shared.iter().find(|(k, _)| match (k, &key) {
            (None, None) => true,
            (Some(a), Some(b)) => a.is_same_node(Some(b)),
            _ => false,
        });
        if let Some((_, s)) = found {
            return s.clone();
        }
        let s = Session::new(mode, speed, opts.budget);
        p.shared.push((key, s.clone()));
        s
    })
}

/// Turn the blocks under `root` (a document or an element) into snippets; returns how many
/// new ones there are. Blocks already taken over are skipped, so a page may call it again
/// after adding content.
pub fn scan(root: &JsValue, options: &JsValue, evaluator: Evaluator) -> u32 {
    run::set_evaluator(evaluator);
    let opts = Options::from_lookup(|k| option(options, k));
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return 0 };
    let found = match root.dyn_ref::<Element>() {
        Some(el) => el.query_selector_all(&opts.selector),
        None => doc.query_selector_all(&opts.selector),
    };
    let Ok(list) = found else {
        web_sys::console::warn_1(&JsValue::from_str(&format!("granola-embed: bad selector {:?}", opts.selector)));
        return 0;
    };
    PAGE.with(|p| p.borrow_mut().theme = Some(opts.theme));
    let mut new: Vec<Rc<Snippet>> = Vec::new();
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        let block = block_of(&el);
        if el.has_attribute("data-granola-embedded") || block.has_attribute("data-granola-embedded") {
            continue;
        }
        // the code without its final newline (an editor would show an empty last line)
        let code = block_text(&el.text_content().unwrap_or_default()).trim_end_matches('\n').to_string();
        let expected = expected_after(&block, &opts.expected);
        let session = session_for(&el, &opts);
        let id = PAGE.with(|p| {
            let mut p = p.borrow_mut();
            p.count += 1;
            p.count
        });
        let Some(sn) = Snippet::mount(id, &block, code, expected, session.clone(), &opts.editor_url) else { continue };
        session.join(&sn);
        let _ = sn.host().set_attribute("data-build", if evaluator.full { "full" } else { "small" });
        let _ = el.set_attribute("data-granola-embedded", &id.to_string());
        let _ = block.set_attribute("data-granola-embedded", &id.to_string());
        PAGE.with(|p| p.borrow_mut().hosts.push(sn.host().clone()));
        new.push(sn);
    }
    apply_theme();
    watch_theme();
    let count = new.len() as u32;
    if opts.autorun && !new.is_empty() {
        wasm_bindgen_futures::spawn_local(async move {
            for sn in new {
                run::run(sn).await;
            }
        });
    }
    count
}

fn attr(el: &Option<HtmlElement>, name: &str) -> String {
    el.as_ref().and_then(|e| e.get_attribute(name)).unwrap_or_default()
}

fn hints() -> ThemeHints {
    let window = web_sys::window();
    let doc = window.as_ref().and_then(|w| w.document());
    let html = doc.as_ref().and_then(|d| d.document_element()).and_then(|e| e.dyn_into::<HtmlElement>().ok());
    let body = doc.as_ref().and_then(|d| d.body());
    let mut data = Vec::new();
    for name in ["data-theme", "data-bs-theme", "data-color-mode", "data-mode"] {
        data.push(attr(&html, name));
        data.push(attr(&body, name));
    }
    ThemeHints {
        classes: format!("{} {}", attr(&html, "class"), attr(&body, "class")),
        data_theme: data.join(" "),
        md_scheme: format!("{} {}", attr(&html, "data-md-color-scheme"), attr(&body, "data-md-color-scheme")),
        prefers_dark: window
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    }
}

/// Set each snippet's `data-theme` from the page (see [`model::is_dark`]).
pub fn apply_theme() {
    let h = hints();
    PAGE.with(|p| {
        let p = p.borrow();
        let dark = model::is_dark(p.theme.unwrap_or(ThemeChoice::Auto), &h);
        for host in &p.hosts {
            let _ = host.set_attribute("data-theme", if dark { "dark" } else { "light" });
        }
    });
}

/// Follow the page's theme switches (attributes of `<html>` and `<body>`) and the system's.
fn watch_theme() {
    if PAGE.with(|p| std::mem::replace(&mut p.borrow_mut().watching, true)) {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let Some(doc) = window.document() else { return };
    let cb = Closure::<dyn FnMut()>::new(apply_theme);
    if let Ok(obs) = web_sys::MutationObserver::new(cb.as_ref().unchecked_ref()) {
        let init = web_sys::MutationObserverInit::new();
        init.set_attributes(true);
        let names: js_sys::Array =
            ["class", "data-theme", "data-bs-theme", "data-color-mode", "data-mode", "data-md-color-scheme"]
                .iter()
                .map(|s| JsValue::from_str(s))
                .collect();
        init.set_attribute_filter(&names);
        if let Some(html) = doc.document_element() {
            let _ = obs.observe_with_options(&html, &init);
        }
        if let Some(body) = doc.body() {
            let _ = obs.observe_with_options(&body, &init);
        }
    }
    if let Ok(Some(mq)) = window.match_media("(prefers-color-scheme: dark)") {
        let _ = mq.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
    }
    cb.forget();
}
