//! The Markdown side of the docs pages, shared by `build.rs` (which renders every page at build
//! time, so the browser app needs no Markdown parser) and the app (`docs.rs`, whose tests render
//! ad-hoc pages with [`parse`]). Pure: std and pulldown-cmark only, no `crate::` paths, because
//! build.rs includes this file with `#[path]`.
//!
//! The rendered form of a page is [`Parsed`]: HTML fragments (headings carry ids, relative `.md`
//! links are hash routes) and the `lisp`/`request` example blocks; [`Parsed::to_json`] is the
//! format build.rs writes and `docs.rs` reads back.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

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

/// The first `# ` heading: (text without backticks, whether it was a single code span).
pub fn h1(source: &str) -> Option<(String, bool)> {
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
            let is_code =
                t.len() >= 2 && t.starts_with('`') && t.ends_with('`') && t[1..t.len() - 1].find('`').is_none();
            return Some((t.replace('`', ""), is_code));
        }
    }
    None
}

pub fn summary(source: &str) -> String {
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

/// The index group, route (after `#/`), title (without backticks) and whether the title is a
/// code span, of the page at `path` (relative to `docs/`). `is_tool` says whether a bridge page's
/// file stem names a bridge tool (it only changes the group, never the route).
pub fn classify(path: &str, source: &str, is_tool: &dyn Fn(&str) -> bool) -> (Group, String, String, bool) {
    let stem = path.rsplit('/').next().unwrap_or(path).trim_end_matches(".md").to_string();
    let parts: Vec<&str> = path.split('/').collect();
    let group = match parts.as_slice() {
        ["reference", "special-forms", ..] => Group::SpecialForms,
        ["reference", "data-types", ..] => Group::DataTypes,
        ["reference", "builtins", g, _file] => Group::Builtins((*g).to_string()),
        ["bridge", file] if is_tool(file.trim_end_matches(".md")) => Group::Bridge,
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
    (group, route, title, title_is_code)
}

/// The link to a page of `group` at `route` (`#/reference/map.get`, `#/reference/null%3F`): a
/// builtin's name is percent-encoded so `?`, `/` and `#` survive the hash router.
pub fn href(group: &Group, route: &str) -> String {
    match route.strip_prefix("reference/") {
        Some(name) if matches!(group, Group::Builtins(_)) => format!("#/reference/{}", encode_segment(name)),
        _ => format!("#/{route}"),
    }
}

/// Rewrites a Markdown link found on page `from` into a hash route where it points at a
/// page (`link` gives a page's route by its docs path); external links and anchors are left alone.
pub fn rewrite_link(from: &str, href: &str, link: &dyn Fn(&str) -> Option<String>) -> String {
    if href.starts_with('#') || href.contains("://") || href.starts_with("mailto:") {
        return href.to_string();
    }
    let target = match href.split_once('#') {
        Some((t, _anchor)) => t,
        None => href,
    };
    if !target.ends_with(".md") {
        return href.to_string();
    }
    let path = resolve_path(from, target);
    if path == "reference/index.md" {
        if link(&path).is_some() {
            return "#/reference".into();
        }
    } else if let Some(h) = link(&path) {
        return h;
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

/// Parses and renders a page: `path` (relative to `docs/`) is used to rewrite relative links,
/// `link` gives the hash route (`#/reference/map.get`) of a docs path that is a page.
pub fn parse(path: &str, source: &str, link: &dyn Fn(&str) -> Option<String>) -> Parsed {
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
                pending.push(Event::Start(Tag::Heading { level, id: Some(id.into()), classes: vec![], attrs: vec![] }));
                i += 1;
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest = rewrite_link(path, dest_url, link);
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
                        blocks.push(Block::Lisp(LispExample {
                            code: text.trim_end_matches('\n').to_string(),
                            expected,
                            heading: heading.clone(),
                        }));
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

/// A JSON string literal.
fn js(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn js_opt(s: &Option<String>) -> String {
    s.as_deref().map(js).unwrap_or_else(|| "null".into())
}

impl Parsed {
    /// The JSON form build.rs writes (read back by `docs.rs`):
    /// `{"b":[["h",html] | ["l",code,expected|null,heading]
    /// | ["r",tool,role,body,status|null,expected_body|null,heading,after_ms|null], ...],
    /// "s":[[level,title,id], ...]}`.
    pub fn to_json(&self) -> String {
        let blocks: Vec<String> = self
            .blocks
            .iter()
            .map(|b| match b {
                Block::Html(h) => format!("[\"h\",{}]", js(h)),
                Block::Lisp(l) => format!("[\"l\",{},{},{}]", js(&l.code), js_opt(&l.expected), js(&l.heading)),
                Block::Bridge(r) => format!(
                    "[\"r\",{},{},{},{},{},{},{}]",
                    js(&r.tool),
                    js(&r.role),
                    js(&r.body),
                    r.expected_status.map(|s| s.to_string()).unwrap_or_else(|| "null".into()),
                    js_opt(&r.expected_body),
                    js(&r.heading),
                    r.after_ms.filter(|a| a.is_finite()).map(|a| format!("{a:?}")).unwrap_or_else(|| "null".into()),
                ),
            })
            .collect();
        let sections: Vec<String> =
            self.sections.iter().map(|s| format!("[{},{},{}]", s.level, js(&s.title), js(&s.id))).collect();
        format!("{{\"b\":[{}],\"s\":[{}]}}", blocks.join(","), sections.join(","))
    }
}
