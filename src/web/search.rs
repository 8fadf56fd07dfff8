//! Search over the docs pages (names first, then titles, then text) and the builtin table (for
//! builtins without a page): what the header's search box and the reference's not-found page
//! show.

use std::sync::OnceLock;

use super::docs::{self, pages, PageMeta};

/// One result as the search box shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    pub title: String,
    /// Where it links (a hash, e.g. `#/reference/map.get`).
    pub href: String,
    /// A short line of context.
    pub snippet: String,
}

/// Search hits for the header box (at most `limit`): every page by name and text, then builtins
/// that have no page yet (from the builtin table).
pub fn search(query: &str, limit: usize) -> Vec<SearchHit> {
    docs::ensure_loaded(None);
    let mut hits: Vec<SearchHit> = search_pages(query, limit)
        .into_iter()
        .map(|h| SearchHit {
            title: h.page.title.clone(),
            href: h.page.href(),
            snippet: if h.snippet.is_empty() { h.page.group.label() } else { h.snippet },
        })
        .collect();
    if hits.len() < limit {
        let q = query.trim().to_lowercase();
        for b in crate::runtime::table().builtins() {
            if hits.len() >= limit {
                break;
            }
            let covered =
                hits.iter().any(|h| h.title == b.name) || docs::find(&format!("reference/{}", b.name)).is_some();
            if !covered && (b.name.to_lowercase().contains(&q) || b.summary.to_lowercase().contains(&q)) {
                hits.push(SearchHit {
                    title: b.name.to_string(),
                    href: format!("#/reference/{}", docs::encode_segment(b.name)),
                    snippet: b.signature.to_string(),
                });
            }
        }
    }
    hits
}

/// One page found by [`search_pages`].
#[derive(Clone, Debug, PartialEq)]
pub struct PageHit {
    pub page: &'static PageMeta,
    pub score: u32,
    /// A short piece of the text around the first match (empty for name matches).
    pub snippet: String,
}

static TEXTS: OnceLock<Vec<String>> = OnceLock::new();

/// Page text without Markdown punctuation, lower-cased (one per `pages()` entry).
fn texts() -> &'static [String] {
    if !docs::loaded() {
        return &[];
    }
    TEXTS.get_or_init(|| pages().iter().map(|p| plain(p.source).to_lowercase()).collect())
}

/// Markdown to plain-ish text: drops fences, backticks, emphasis and link targets.
pub fn plain(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for line in md.lines() {
        let l = line.trim();
        if l.starts_with("```") {
            continue;
        }
        let l = l.trim_start_matches('#').trim_start_matches("- ").trim();
        let mut chars = l.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '`' | '*' | '|' => {}
                ']' if chars.peek() == Some(&'(') => {
                    // skip "(target)"
                    for c2 in chars.by_ref() {
                        if c2 == ')' {
                            break;
                        }
                    }
                }
                '[' => {}
                _ => out.push(c),
            }
        }
        out.push(' ');
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Search the pages. Every whitespace-separated term must occur (in the name or the text).
pub fn search_pages(query: &str, limit: usize) -> Vec<PageHit> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let terms: Vec<&str> = q.split_whitespace().collect();
    let texts = texts();
    let mut hits: Vec<PageHit> = Vec::new();
    for (i, page) in pages().iter().enumerate() {
        let title = page.title.to_lowercase();
        let text = texts.get(i).map(String::as_str).unwrap_or("");
        let mut score = 0u32;
        let mut all = true;
        for term in &terms {
            let s = if title == *term {
                1000
            } else if title.starts_with(term) {
                600
            } else if title.contains(term) {
                400
            } else if page.summary.to_lowercase().contains(term) {
                150
            } else if text.contains(term) {
                50 + (text.matches(term).count().min(20) as u32)
            } else {
                0
            };
            if s == 0 {
                all = false;
                break;
            }
            score += s;
        }
        if !all {
            continue;
        }
        let snippet = if score >= 400 * terms.len() as u32 { page.summary.clone() } else { snippet(text, terms[0]) };
        hits.push(PageHit { page, score, snippet });
    }
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.page.title.len().cmp(&b.page.title.len()))
            .then_with(|| a.page.title.cmp(&b.page.title))
    });
    hits.truncate(limit);
    hits
}

fn snippet(text: &str, term: &str) -> String {
    let Some(pos) = text.find(term) else { return String::new() };
    let start = text[..pos].char_indices().rev().nth(40).map(|(i, _)| i).unwrap_or(0);
    let end_rel = text[pos..].char_indices().nth(80).map(|(i, _)| pos + i).unwrap_or(text.len());
    let mut s = String::new();
    if start > 0 {
        s.push('…');
    }
    s.push_str(&text[start..end_rel]);
    if end_rel < text.len() {
        s.push('…');
    }
    s
}
