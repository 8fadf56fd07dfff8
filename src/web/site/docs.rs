//! The documentation pages compiled into the app (see `build.rs`) and their parsed structure:
//! title, group, route, sections and example blocks.
//!
//! Routes (the part after `#/`):
//! - builtins: `reference/<name>` with the name from the H1 (`reference/map.get`);
//! - special forms / data types: `reference/special-forms/<file>`, `reference/data-types/<file>`;
//! - bridge pages: `bridge/<file>` (`bridge/run_simulation`);
//! - anything else (guides, indexes): `docs/<path without .md>`.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::sync::OnceLock;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/docs_pages.rs"));
}

/// The pages fetched from the docs asset (release builds; see `build.rs`).
static FETCHED: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();

/// Every page as (path relative to `docs/`, Markdown text). In the release site (Trunk's
/// `wasm-release` profile) the pages are not compiled in, to keep the first load small: they
/// come from `docs.json` (written into dist/ by `scripts/docs-asset.py`), fetched by
/// [`ensure_loaded`]; until it arrives this is empty. Other builds (tests, `trunk serve`)
/// compile the pages in and have them at once.
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

/// Starts fetching the docs asset (once) and calls `then` when the pages are available
/// (at once if they already are). A failed fetch is retried by the next call.
pub fn ensure_loaded(then: Option<Box<dyn FnOnce()>>) {
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
            Some(v) => {
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

/// `docs.json`: `[[path, markdown], ...]`, next to index.html; the query names the content
/// hash so a changed docs tree is never served from a stale cache.
async fn fetch_pages() -> Option<Vec<(&'static str, &'static str)>> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let url = concat!("docs.json?v=", env!("GRANOLA_DOCS_HASH"));
    let resp = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url)).await.ok()?;
    let resp: web_sys::Response = resp.dyn_into().ok()?;
    if !resp.ok() {
        return None;
    }
    let json = wasm_bindgen_futures::JsFuture::from(resp.json().ok()?).await.ok()?;
    let rows: js_sys::Array = json.dyn_into().ok()?;
    let mut out = Vec::with_capacity(rows.length() as usize);
    for row in rows.iter() {
        let row: js_sys::Array = row.dyn_into().ok()?;
        let path = row.get(0).as_string()?;
        let text = row.get(1).as_string()?;
        // Loaded once per page view and kept for its lifetime, like the compiled-in pages.
        out.push((&*Box::leak(path.into_boxed_str()), &*Box::leak(text.into_boxed_str())));
    }
    Some(out)
}

/// Where a page belongs in the index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    SpecialForms,
    DataTypes,
    /// Builtins of one group (`map`, `vla`, `math`, ...).
    Builtins(String),
    Bridge,
    /// Bridge pages that are not a tool (lifecycle, auth, errors, index).
    BridgeGuides,
    Guides,
}

impl Group {
    pub fn label(&self) -> String {
        match self {
            Group::SpecialForms => "Special forms".into(),
            Group::DataTypes => "Data types".into(),
            Group::Builtins(g) => format!("Builtins: {g}"),
            Group::Bridge => "Bridge tools".into(),
            Group::BridgeGuides => "Bridge guides".into(),
            Group::Guides => "Guides".into(),
        }
    }
}

/// What the index and search know about a page (cheap: no Markdown rendering).
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
        match self.route.strip_prefix("reference/") {
            Some(name) if matches!(self.group, Group::Builtins(_)) => format!("#/reference/{}", encode_segment(name)),
            _ => format!("#/{}", self.route),
        }
    }
}

/// Percent-encodes everything but unreserved characters and a few safe ones.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@<>".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
    let stem = path.rsplit('/').next().unwrap_or(path).trim_end_matches(".md").to_string();
    let parts: Vec<&str> = path.split('/').collect();
    let group = match parts.as_slice() {
        ["reference", "special-forms", ..] => Group::SpecialForms,
        ["reference", "data-types", ..] => Group::DataTypes,
        ["reference", "builtins", g, _file] => Group::Builtins((*g).to_string()),
        ["bridge", file] if is_bridge_tool(file.trim_end_matches(".md")) => Group::Bridge,
        ["bridge", _] => Group::BridgeGuides,
        _ => Group::Guides,
    };
    let (title, title_is_code) = h1(source).unwrap_or((stem.clone(), false));
    let route = match &group {
        Group::Builtins(_) if title_is_code => format!("reference/{title}"),
        Group::Builtins(g) => format!("reference/builtins/{g}/{stem}"),
        Group::SpecialForms => format!("reference/special-forms/{stem}"),
        Group::DataTypes => format!("reference/data-types/{stem}"),
        Group::Bridge => format!("bridge/{stem}"),
        Group::BridgeGuides if stem == "index" => "docs/bridge/index".to_string(),
        Group::BridgeGuides => format!("bridge/{stem}"),
        Group::Guides => format!("docs/{}", path.trim_end_matches(".md")),
    };
    PageMeta { path, source, title, title_is_code, group, route, summary: summary(source) }
}

/// Is `name` one of the bridge's tools?
pub fn is_bridge_tool(name: &str) -> bool {
    crate::bridge::tools::TOOLS.iter().any(|t| t.name == name)
}

/// The first `# ` heading: (text without backticks, whether it was a single code span).
fn h1(source: &str) -> Option<(String, bool)> {
    let mut in_fence = false;
    for line in source.lines() {
        let l = line.trim_start();
        if l.starts_with("```") || l.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(rest) = l.strip_prefix("# ") {
            let t = rest.trim();
            let is_code = t.len() >= 2 && t.starts_with('`') && t.ends_with('`') && t[1..t.len() - 1].find('`').is_none();
            return Some((t.replace('`', ""), is_code));
        }
    }
    None
}

fn summary(source: &str) -> String {
    for line in source.lines() {
        if let Some(rest) = line.trim().strip_prefix("**Signature:**") {
            return rest.trim().trim_matches('`').to_string();
        }
    }
    // First ordinary paragraph line.
    let mut in_fence = false;
    for line in source.lines() {
        let l = line.trim();
        if l.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || l.is_empty() || l.starts_with('#') || l.starts_with('|') || l.starts_with('-') {
            continue;
        }
        let mut s: String = l.replace('`', "").replace("**", "");
        if s.chars().count() > 140 {
            s = s.chars().take(137).collect::<String>() + "...";
        }
        return s;
    }
    String::new()
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

/// Minimal `%XX` decoding for hash routes (`map.set%21` → `map.set!`).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Resolves a relative link target of the page at `from` (a docs path) to a docs path.
pub fn resolve_path(from: &str, target: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop(); // the file itself
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Rewrites a Markdown link found on page `from` into a hash route where it points at a
/// compiled page; external links and anchors are left alone.
pub fn rewrite_link(from: &str, href: &str) -> String {
    if href.starts_with('#') || href.contains("://") || href.starts_with("mailto:") {
        return href.to_string();
    }
    let (target, anchor) = match href.split_once('#') {
        Some((t, a)) => (t, Some(a)),
        None => (href, None),
    };
    if !target.ends_with(".md") {
        return href.to_string();
    }
    let path = resolve_path(from, target);
    let _ = anchor;
    if let Some(p) = pages().iter().find(|p| p.path == path) {
        if p.path == "reference/index.md" {
            return "#/reference".into();
        }
        return p.href();
    }
    // Index pages that are generated by the site rather than written as Markdown.
    if path.ends_with("index.md") {
        if path.starts_with("bridge") {
            return "#/bridge".into();
        }
        return "#/reference".into();
    }
    // A page not (yet) written: route by its file name so it resolves once it exists.
    let stem = path.rsplit('/').next().unwrap_or(&path).trim_end_matches(".md");
    if path.starts_with("bridge/") {
        format!("#/bridge/{stem}")
    } else {
        format!("#/docs/{}", path.trim_end_matches(".md"))
    }
}

/// One `lisp` example, with the `output` block that follows it (if any).
#[derive(Clone, Debug, PartialEq)]
pub struct LispExample {
    pub code: String,
    pub expected: Option<String>,
    /// The nearest heading above it (`Minimal`, `Realistic`, ...).
    pub heading: String,
}

/// One bridge example: a `request <tool> role=<role>` block and the `response <status>` block after it.
#[derive(Clone, Debug, PartialEq)]
pub struct BridgeExample {
    pub tool: String,
    pub role: String,
    pub body: String,
    pub expected_status: Option<u16>,
    pub expected_body: Option<String>,
    pub heading: String,
    /// `after=<ms>`: job time the page lets pass after this request (default 10 000).
    pub after_ms: Option<f64>,
}

/// A page cut into rendered Markdown and example blocks, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Rendered HTML of a run of ordinary Markdown.
    Html(String),
    Lisp(LispExample),
    Bridge(BridgeExample),
}

/// A heading of the page (for the table of contents).
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub level: u8,
    pub title: String,
    pub id: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub blocks: Vec<Block>,
    pub sections: Vec<Section>,
}

impl Parsed {
    pub fn lisp_examples(&self) -> impl Iterator<Item = &LispExample> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Lisp(l) => Some(l),
            _ => None,
        })
    }
    pub fn bridge_examples(&self) -> impl Iterator<Item = &BridgeExample> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Bridge(l) => Some(l),
            _ => None,
        })
    }
}

/// Heading id: lower-case words joined by `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    out.trim_end_matches('-').to_string()
}

fn info_word(kind: &CodeBlockKind) -> String {
    match kind {
        CodeBlockKind::Fenced(info) => info.trim().to_string(),
        CodeBlockKind::Indented => String::new(),
    }
}

/// Parses a page: `path` (relative to `docs/`) is used to rewrite relative links.
pub fn parse(path: &str, source: &str) -> Parsed {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events: Vec<Event> = Parser::new_ext(source, opts).collect();
    let mut blocks = Vec::new();
    let mut sections = Vec::new();
    let mut pending: Vec<Event> = Vec::new();
    let mut heading = String::new();
    let mut i = 0;

    // Reads the code block starting at events[i] (a Start(CodeBlock)); returns (info, text, index after End).
    fn code_at(events: &[Event], i: usize) -> Option<(String, String, usize)> {
        let Some(Event::Start(Tag::CodeBlock(kind))) = events.get(i) else { return None };
        let info = info_word(kind);
        let mut text = String::new();
        let mut j = i + 1;
        while let Some(ev) = events.get(j) {
            match ev {
                Event::Text(t) => text.push_str(t),
                Event::End(TagEnd::CodeBlock) => return Some((info, text, j + 1)),
                _ => {}
            }
            j += 1;
        }
        Some((info, text, j))
    }

    let flush = |pending: &mut Vec<Event>, blocks: &mut Vec<Block>| {
        if !pending.is_empty() {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, pending.drain(..));
            blocks.push(Block::Html(html));
        }
    };

    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { level, .. }) => {
                // Collect the heading's text to give it an id and a TOC entry.
                let level = *level;
                let mut text = String::new();
                let mut j = i + 1;
                while let Some(ev) = events.get(j) {
                    match ev {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                    j += 1;
                }
                let id = slug(&text);
                let lvl = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                };
                if lvl > 1 {
                    sections.push(Section { level: lvl, title: text.clone(), id: id.clone() });
                }
                heading = text;
                pending.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(id.into()),
                    classes: vec![],
                    attrs: vec![],
                }));
                i += 1;
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest = rewrite_link(path, dest_url);
                pending.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest.into(),
                    title: title.clone(),
                    id: id.clone(),
                }));
                i += 1;
            }
            Event::Start(Tag::CodeBlock(_)) => {
                let Some((info, text, next)) = code_at(&events, i) else {
                    i += 1;
                    continue;
                };
                let word = info.split_whitespace().next().unwrap_or("").to_string();
                // The block right after (if it is a code block).
                let follow = code_at(&events, next);
                match word.as_str() {
                    "lisp" | "muslisp" | "scheme" => {
                        flush(&mut pending, &mut blocks);
                        let (expected, after) = match &follow {
                            Some((finfo, ftext, fnext)) if finfo.split_whitespace().next() == Some("output") => {
                                (Some(ftext.clone()), *fnext)
                            }
                            _ => (None, next),
                        };
                        blocks.push(Block::Lisp(LispExample { code: text.trim_end_matches('\n').to_string(), expected, heading: heading.clone() }));
                        i = after;
                    }
                    "request" => {
                        flush(&mut pending, &mut blocks);
                        let mut words = info.split_whitespace().skip(1);
                        let tool = words.next().unwrap_or("").to_string();
                        let mut role = "anonymous".to_string();
                        let mut after_ms = None;
                        for w in words {
                            if let Some(r) = w.strip_prefix("role=") {
                                role = r.to_string();
                            }
                            if let Some(a) = w.strip_prefix("after=") {
                                after_ms = a.parse().ok();
                            }
                        }
                        let (expected_status, expected_body, after) = match &follow {
                            Some((finfo, ftext, fnext)) if finfo.split_whitespace().next() == Some("response") => {
                                let st = finfo.split_whitespace().nth(1).and_then(|s| s.parse().ok());
                                (st, Some(ftext.clone()), *fnext)
                            }
                            _ => (None, None, next),
                        };
                        blocks.push(Block::Bridge(BridgeExample {
                            tool,
                            role,
                            body: text,
                            expected_status,
                            expected_body,
                            heading: heading.clone(),
                            after_ms,
                        }));
                        i = after;
                    }
                    _ => {
                        // An ordinary code block: keep it in the Markdown run (with a language class).
                        for ev in &events[i..next] {
                            pending.push(ev.clone());
                        }
                        i = next;
                    }
                }
            }
            ev => {
                pending.push(ev.clone());
                i += 1;
            }
        }
    }
    flush(&mut pending, &mut blocks);
    Parsed { blocks, sections }
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
