//! Markdown → [`Parsed`]: the page cut into rendered HTML fragments (headings carry ids, relative
//! `.md` links are hash routes) and its example fences, plus the table of contents.
//!
//! The example fences (the one grammar every consumer reads):
//! - ```` ```lisp ```` (also `muslisp`, `scheme`): a runnable program; an ```` ```output ````
//!   fence right after it holds exactly what `granola FILE` prints for it.
//! - ```` ```request <tool> role=<identity> [after=<ms>] ````: a bridge request (JSON body) sent
//!   as `<identity>`; `after` is the job time the page lets pass afterwards (default 10 000).
//!   A ```` ```response <status> ```` fence right after it holds the documented reply.
//!
//! "Right after" means the next block of the page (blank lines between the fences are fine,
//! text is not). Malformed example fences are reported in [`Parsed::problems`].

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::page::{rewrite_link, slug};

/// One `lisp` example, with the `output` block that follows it (if any).
#[derive(Clone, Debug, PartialEq)]
pub struct LispExample {
    pub code: String,
    pub expected: Option<String>,
    /// The nearest heading above it (`Minimal`, `Realistic`, ...).
    pub heading: String,
    /// Line of the opening fence (1-based).
    pub line: u32,
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
    /// `after=<ms>`: job time the page lets pass after this request (default [`DEFAULT_AFTER_MS`]).
    pub after_ms: Option<f64>,
    /// Line of the opening fence (1-based).
    pub line: u32,
}

/// Job time a bridge page lets pass after a request without `after=`.
pub const DEFAULT_AFTER_MS: f64 = 10_000.0;
/// The identity of a request fence without `role=`.
pub const DEFAULT_ROLE: &str = "anonymous";

impl BridgeExample {
    /// Job time to let pass after this request.
    pub fn after(&self) -> f64 {
        self.after_ms.unwrap_or(DEFAULT_AFTER_MS)
    }
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

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Parsed {
    pub blocks: Vec<Block>,
    pub sections: Vec<Section>,
    /// Malformed example fences, as `line N: what` (empty for a good page).
    pub problems: Vec<String>,
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

/// Every code block of rendered HTML gets a Copy button: `<pre>` becomes
/// `<div class="code-block"><button class="copy" ...>Copy</button><pre>` (the site copies the
/// `<pre>`'s text when it is pressed).
pub fn with_copy_buttons(html: &str) -> String {
    html.replace(
        "<pre>",
        "<div class=\"code-block\"><button type=\"button\" class=\"copy\" aria-label=\"Copy code\" title=\"Copy code to the clipboard\">Copy</button><pre>",
    )
    .replace("</pre>", "</pre></div>")
}

/// The words after `request`: the tool, `role=`, `after=`. Unknown words are problems.
fn request_info(words: &[&str], problems: &mut Vec<String>, line: u32) -> (String, String, Option<f64>) {
    let tool = words.first().copied().unwrap_or("").to_string();
    if tool.is_empty() || tool.contains('=') {
        problems.push(format!("line {line}: request fence without a tool name"));
    }
    let mut role = DEFAULT_ROLE.to_string();
    let mut after_ms = None;
    for w in words.iter().skip(1) {
        if let Some(r) = w.strip_prefix("role=") {
            role = r.to_string();
        } else if let Some(a) = w.strip_prefix("after=") {
            match a.parse::<f64>() {
                Ok(ms) if ms.is_finite() && ms >= 0.0 => after_ms = Some(ms),
                _ => problems.push(format!("line {line}: bad after={a} (job-ms, a number >= 0)")),
            }
        } else {
            problems.push(format!("line {line}: unknown request attribute {w}"));
        }
    }
    (tool, role, after_ms)
}

/// Parses and renders a page: `path` (relative to `docs/`) is used to rewrite relative links,
/// `link` gives the hash route (`#/reference/map.get`) of a docs path that is a page.
pub fn parse(path: &str, source: &str, link: &dyn Fn(&str) -> Option<String>) -> Parsed {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events: Vec<(Event, usize)> =
        Parser::new_ext(source, opts).into_offset_iter().map(|(e, range)| (e, range.start)).collect();
    let line_at = |offset: usize| -> u32 { 1 + source[..offset.min(source.len())].matches('\n').count() as u32 };
    let mut blocks = Vec::new();
    let mut sections = Vec::new();
    let mut problems = Vec::new();
    let mut pending: Vec<Event> = Vec::new();
    let mut heading = String::new();
    let mut i = 0;

    /// The code block starting at events[i] (a Start(CodeBlock)): (info, text, index after its End).
    fn code_at(events: &[(Event, usize)], i: usize) -> Option<(String, String, usize)> {
        let Some((Event::Start(Tag::CodeBlock(kind)), _)) = events.get(i) else { return None };
        let info = match kind {
            CodeBlockKind::Fenced(info) => info.trim().to_string(),
            CodeBlockKind::Indented => String::new(),
        };
        let mut text = String::new();
        let mut j = i + 1;
        while let Some((ev, _)) = events.get(j) {
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
            blocks.push(Block::Html(with_copy_buttons(&html)));
        }
    };

    while i < events.len() {
        match &events[i].0 {
            Event::Start(Tag::Heading { level, .. }) => {
                // Collect the heading's text to give it an id and a TOC entry.
                let level = *level;
                let mut text = String::new();
                let mut j = i + 1;
                while let Some((ev, _)) = events.get(j) {
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
                let line = line_at(events[i].1);
                let Some((info, text, next)) = code_at(&events, i) else {
                    i += 1;
                    continue;
                };
                let words: Vec<&str> = info.split_whitespace().collect();
                // The block right after (if it is a code block).
                let follow = code_at(&events, next);
                let follow_word = follow.as_ref().and_then(|(finfo, _, _)| finfo.split_whitespace().next());
                match words.first().copied().unwrap_or("") {
                    "lisp" | "muslisp" | "scheme" => {
                        flush(&mut pending, &mut blocks);
                        let (expected, after) = match &follow {
                            Some((_, ftext, fnext)) if follow_word == Some("output") => (Some(ftext.clone()), *fnext),
                            _ => (None, next),
                        };
                        blocks.push(Block::Lisp(LispExample {
                            code: text.trim_end_matches('\n').to_string(),
                            expected,
                            heading: heading.clone(),
                            line,
                        }));
                        i = after;
                    }
                    "request" => {
                        flush(&mut pending, &mut blocks);
                        let (tool, role, after_ms) = request_info(&words[1..], &mut problems, line);
                        let (expected_status, expected_body, after) = match &follow {
                            Some((finfo, ftext, fnext)) if follow_word == Some("response") => {
                                let status = finfo.split_whitespace().nth(1).and_then(|s| s.parse::<u16>().ok());
                                if status.is_none() {
                                    problems.push(format!(
                                        "line {}: response fence needs a status (```response 200)",
                                        line_at(events[next].1)
                                    ));
                                }
                                (status, Some(ftext.clone()), *fnext)
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
                            line,
                        }));
                        i = after;
                    }
                    "response" | "output" => {
                        problems.push(format!("line {line}: a {info} fence without the example fence before it"));
                        for (ev, _) in &events[i..next] {
                            pending.push(ev.clone());
                        }
                        i = next;
                    }
                    _ => {
                        // An ordinary code block: keep it in the Markdown run (with a language class).
                        for (ev, _) in &events[i..next] {
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
    Parsed { blocks, sections, problems }
}

// ---------------------------------------------------------------- the JSON form

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
    /// The JSON form build.rs writes and [`Parsed::from_json`] reads back:
    /// `{"b":[["h",html] | ["l",code,expected|null,heading,line]
    /// | ["r",tool,role,body,status|null,expected_body|null,heading,after_ms|null,line], ...],
    /// "s":[[level,title,id], ...]}`, plus `"p":[problem, ...]` when there are problems.
    pub fn to_json(&self) -> String {
        let blocks: Vec<String> = self
            .blocks
            .iter()
            .map(|b| match b {
                Block::Html(h) => format!("[\"h\",{}]", js(h)),
                Block::Lisp(l) => {
                    format!("[\"l\",{},{},{},{}]", js(&l.code), js_opt(&l.expected), js(&l.heading), l.line)
                }
                Block::Bridge(r) => format!(
                    "[\"r\",{},{},{},{},{},{},{},{}]",
                    js(&r.tool),
                    js(&r.role),
                    js(&r.body),
                    r.expected_status.map(|s| s.to_string()).unwrap_or_else(|| "null".into()),
                    js_opt(&r.expected_body),
                    js(&r.heading),
                    r.after_ms.filter(|a| a.is_finite()).map(|a| format!("{a:?}")).unwrap_or_else(|| "null".into()),
                    r.line,
                ),
            })
            .collect();
        let sections: Vec<String> =
            self.sections.iter().map(|s| format!("[{},{},{}]", s.level, js(&s.title), js(&s.id))).collect();
        let problems = if self.problems.is_empty() {
            String::new()
        } else {
            format!(",\"p\":[{}]", self.problems.iter().map(|p| js(p)).collect::<Vec<_>>().join(","))
        };
        format!("{{\"b\":[{}],\"s\":[{}]{problems}}}", blocks.join(","), sections.join(","))
    }

    /// Reads a page's rendering back from its JSON form ([`Parsed::to_json`]); `None` if malformed.
    pub fn from_json(v: &serde_json::Value) -> Option<Parsed> {
        let s = |v: Option<&serde_json::Value>| -> Option<String> { Some(v?.as_str()?.to_string()) };
        let opt = |v: Option<&serde_json::Value>| -> Option<Option<String>> {
            let v = v?;
            if v.is_null() {
                Some(None)
            } else {
                Some(Some(v.as_str()?.to_string()))
            }
        };
        let line = |v: Option<&serde_json::Value>| -> Option<u32> { u32::try_from(v?.as_u64()?).ok() };
        let mut blocks = Vec::new();
        for b in v.get("b")?.as_array()? {
            let block = match b.get(0)?.as_str()? {
                "h" => Block::Html(s(b.get(1))?),
                "l" => Block::Lisp(LispExample {
                    code: s(b.get(1))?,
                    expected: opt(b.get(2))?,
                    heading: s(b.get(3))?,
                    line: line(b.get(4))?,
                }),
                "r" => Block::Bridge(BridgeExample {
                    tool: s(b.get(1))?,
                    role: s(b.get(2))?,
                    body: s(b.get(3))?,
                    expected_status: b.get(4)?.as_u64().and_then(|n| u16::try_from(n).ok()),
                    expected_body: opt(b.get(5))?,
                    heading: s(b.get(6))?,
                    after_ms: b.get(7)?.as_f64(),
                    line: line(b.get(8))?,
                }),
                _ => return None,
            };
            blocks.push(block);
        }
        let mut sections = Vec::new();
        for sec in v.get("s")?.as_array()? {
            sections.push(Section {
                level: u8::try_from(sec.get(0)?.as_u64()?).ok()?,
                title: s(sec.get(1))?,
                id: s(sec.get(2))?,
            });
        }
        let mut problems = Vec::new();
        if let Some(ps) = v.get("p") {
            for p in ps.as_array()? {
                problems.push(p.as_str()?.to_string());
            }
        }
        Some(Parsed { blocks, sections, problems })
    }
}
