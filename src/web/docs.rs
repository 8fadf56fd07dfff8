//! The docs pages in the app: where they come from (compiled in by `build.rs`, or fetched from
//! `docs.json` in the site build), their build-time renderings, and the index the pages, the
//! router and search read ([`PageMeta`]: title, group, route). The model itself (routes, fences,
//! rendering, matching) is `crate::docs`.

use std::sync::OnceLock;

pub use crate::docs::{
    encode_segment, percent_decode, slug, Block, BridgeExample, Group, LispExample, Parsed, Section,
};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/docs_pages.rs"));
}

/// The pages fetched from the docs asset (the site build; see `build.rs`).
static FETCHED: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
/// Every page rendered at build time (by build.rs): docs path -> [`Parsed`], decoded from the
/// compiled-in JSON or from `docs.json`.
static RENDERED: OnceLock<std::collections::HashMap<&'static str, Parsed>> = OnceLock::new();

/// Every page as (path relative to `docs/`, Markdown text). In the site build (`make dist`) the
/// pages are not compiled in, to keep the first load small: they come from `docs.json` (copied
/// into dist/ by `scripts/docs-asset.py`), fetched by [`ensure_loaded`]; until it arrives this
/// is empty. Other builds (tests, `trunk serve`) compile the pages in and have them at once.
pub fn sources() -> &'static [(&'static str, &'static str)] {
    if generated::EMBEDDED {
        generated::PAGES
    } else {
        FETCHED.get().map(Vec::as_slice).unwrap_or(&[])
    }
}

/// True once the pages are available (always, when they are compiled in).
pub fn loaded() -> bool {
    generated::EMBEDDED || FETCHED.get().is_some()
}

thread_local! {
    static LOADING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static WAITING: std::cell::RefCell<Vec<Box<dyn FnOnce()>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What to do once the docs pages are in.
pub type Then = Box<dyn FnOnce()>;

/// Starts fetching the docs asset (once) and calls `then` when the pages are available
/// (at once if they already are). A failed fetch is retried by the next call.
pub fn ensure_loaded(then: Option<Then>) {
    if loaded() {
        if let Some(f) = then {
            f();
        }
        return;
    }
    if let Some(f) = then {
        WAITING.with(|w| w.borrow_mut().push(f));
    }
    if LOADING.with(|l| l.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        let pages = fetch_pages().await;
        LOADING.with(|l| l.set(false));
        match pages {
            Some((v, rendered)) => {
                let _ = RENDERED.set(rendered);
                let _ = FETCHED.set(v);
                let waiting = WAITING.with(|w| std::mem::take(&mut *w.borrow_mut()));
                for f in waiting {
                    f();
                }
            }
            None => web_sys::console::warn_1(&"granola: could not load docs.json".into()),
        }
    });
}

/// `docs.json` (written by build.rs, copied into dist/ by scripts/docs-asset.py):
/// `[[path, markdown, rendered], ...]`, next to index.html; the query names the content hash so
/// a changed docs tree is never served from a stale cache.
async fn fetch_pages() -> Option<(Vec<(&'static str, &'static str)>, std::collections::HashMap<&'static str, Parsed>)> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let url = concat!("docs.json?v=", env!("GRANOLA_DOCS_HASH"));
    let resp = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url)).await.ok()?;
    let resp: web_sys::Response = resp.dyn_into().ok()?;
    if !resp.ok() {
        return None;
    }
    let text = wasm_bindgen_futures::JsFuture::from(resp.text().ok()?).await.ok()?.as_string()?;
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).ok()?;
    let mut pages = Vec::with_capacity(rows.len());
    let mut rendered = std::collections::HashMap::with_capacity(rows.len());
    for row in &rows {
        let path = row.get(0)?.as_str()?;
        let text = row.get(1)?.as_str()?;
        // Loaded once per page view and kept for its lifetime, like the compiled-in pages.
        let path: &'static str = Box::leak(path.to_string().into_boxed_str());
        pages.push((path, &*Box::leak(text.to_string().into_boxed_str())));
        rendered.insert(path, Parsed::from_json(row.get(2)?)?);
    }
    Some((pages, rendered))
}

/// The build-time rendering of the page at `path` (see [`Parsed::to_json`]).
pub fn rendered(path: &str) -> Option<&'static Parsed> {
    if generated::EMBEDDED {
        RENDERED
            .get_or_init(|| {
                let rows: Vec<(String, serde_json::Value)> =
                    serde_json::from_str(generated::RENDERED).unwrap_or_default();
                rows.iter()
                    .filter_map(|(p, v)| {
                        let key = generated::PAGES.iter().find(|(q, _)| q == p)?.0;
                        Some((key, Parsed::from_json(v)?))
                    })
                    .collect()
            })
            .get(path)
    } else {
        RENDERED.get()?.get(path)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PageMeta {
    /// Path relative to `docs/`, e.g. `reference/builtins/map/map-get.md`.
    pub path: &'static str,
    pub source: &'static str,
    /// The H1 text without backticks (`map.get`); the file stem if the page has no H1.
    pub title: String,
    /// True when the H1 is a code span (a name), shown in monospace.
    pub title_is_code: bool,
    pub group: Group,
    /// Route after `#/`, e.g. `reference/map.get`.
    pub route: String,
    /// The `**Signature:**` code, or the first paragraph (shortened).
    pub summary: String,
}

impl PageMeta {
    /// The link to this page (`#/reference/map.get`, `#/reference/null%3F`): the name is
    /// percent-encoded so `?`, `/` and `#` in builtin names survive the hash router.
    pub fn href(&self) -> String {
        crate::docs::href(&self.group, &self.route)
    }
}

static METAS: OnceLock<Vec<PageMeta>> = OnceLock::new();

/// All compiled pages, in index order (group, then title).
pub fn pages() -> &'static [PageMeta] {
    if !loaded() {
        return &[];
    }
    METAS.get_or_init(|| {
        let mut v: Vec<PageMeta> = sources().iter().map(|(p, s)| meta(p, s)).collect();
        v.sort_by(|a, b| a.group.cmp(&b.group).then_with(|| a.title.cmp(&b.title)));
        v
    })
}

/// Builds the metadata of one page.
pub fn meta(path: &'static str, source: &'static str) -> PageMeta {
    let (group, route, title, title_is_code) = crate::docs::classify(path, source, &is_bridge_tool);
    PageMeta { path, source, title, title_is_code, group, route, summary: crate::docs::summary(source) }
}

/// Is `name` one of the bridge's tools? (The names only: the tool handlers stay out of the
/// first load.)
pub fn is_bridge_tool(name: &str) -> bool {
    crate::bridge::tools::TOOL_NAMES.contains(&name)
}

/// The page for a route (after `#/`). Accepts the canonical route, a docs path with or
/// without `.md`, a builtin name (`map.get`) or a file stem.
pub fn find(route: &str) -> Option<&'static PageMeta> {
    let exact = percent_decode(route.trim_start_matches("#/").trim_start_matches('/'));
    let r = exact.trim_end_matches('/').to_string();
    let r = r.as_str();
    let all = pages();
    all.iter()
        .find(|p| p.route == exact)
        .or_else(|| all.iter().find(|p| p.route == r))
        .or_else(|| all.iter().find(|p| p.path == r || p.path.trim_end_matches(".md") == r))
        .or_else(|| {
            let name = r.strip_prefix("reference/").or_else(|| r.strip_prefix("bridge/")).unwrap_or(r);
            all.iter()
                .find(|p| p.title_is_code && p.title == name)
                .or_else(|| all.iter().find(|p| p.path.ends_with(&format!("/{name}.md"))))
        })
}

fn page_href(path: &str) -> Option<String> {
    pages().iter().find(|p| p.path == path).map(PageMeta::href)
}

/// Parses and renders a page with pulldown-cmark, as build.rs does for every page under `docs/`
/// (the app itself shows [`rendered`] pages; this is for tests and ad-hoc pages).
pub fn parse(path: &str, source: &str) -> Parsed {
    crate::docs::parse(path, source, &page_href)
}

/// The index: groups in reference order, each with its pages sorted by title.
pub fn index() -> Vec<(Group, Vec<&'static PageMeta>)> {
    let mut out: Vec<(Group, Vec<&'static PageMeta>)> = Vec::new();
    for p in pages() {
        match out.last_mut() {
            Some((g, v)) if *g == p.group => v.push(p),
            _ => out.push((p.group.clone(), vec![p])),
        }
    }
    out
}
