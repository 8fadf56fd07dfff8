//! `#/reference` (the index) and `#/reference/<name>`: the page of a builtin, special form, data
//! type or guide; for a builtin without a page, one generated from the builtin table; for an
//! unknown name, a not-found page with suggestions.

use yew::prelude::*;

use crate::web::components::{DocIndex, DocPage};
use crate::web::docs;
use crate::web::search::{search, SearchHit};

/// `#/reference`: the index.
pub fn index() -> Html {
    html! { <DocIndex /> }
}

/// `#/reference/<name>` (the name decoded: `map.get`, `special-forms/let`); see the module docs.
pub fn page(name: &str) -> Html {
    if let Some(meta) = docs::find(&format!("reference/{name}")) {
        return html! { <DocPage key={meta.path} path={meta.path} /> };
    }
    builtin_page(name).unwrap_or_else(|| not_found(name))
}

/// A page generated from the builtin table for a builtin that has no Markdown page yet.
fn builtin_page(name: &str) -> Option<Html> {
    let b = crate::runtime::table().lookup(name)?;
    Some(html! {
        <article class="doc">
            <nav class="doc-crumbs"><a href="#/reference">{"Reference"}</a>{" › "}<span>{format!("Builtins: {}", b.group)}</span></nav>
            <h1><code>{b.name}</code></h1>
            <p><strong>{"Signature: "}</strong><code>{b.signature}</code></p>
            <p>{b.summary}</p>
            <p class="muted">{"This builtin has no reference page yet. Try it in the "}<a href="#/playground">{"playground"}</a>{"."}</p>
        </article>
    })
}

/// `#/reference/<name>` when there is no page and no builtin of that name: says so, offers
/// builtins a few edits away and search results for the name (or, failing that, for its parts,
/// e.g. `map` of `map.gett`), and links to the index.
fn not_found(name: &str) -> Html {
    // Builtins whose names are a few edits away (`map.gett` → `map.get`), closest first.
    let mut close: Vec<(usize, &str)> = crate::runtime::table()
        .builtins()
        .map(|b| (edit_distance(name, b.name), b.name))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4))
        .collect();
    close.sort();
    let mut hits: Vec<SearchHit> = close
        .into_iter()
        .take(5)
        .map(|(_, n)| SearchHit {
            title: n.to_string(),
            href: format!("#/reference/{}", docs::encode_segment(n)),
            snippet: crate::runtime::table().lookup(n).map(|b| b.signature.to_string()).unwrap_or_default(),
        })
        .collect();
    let mut found = search(name, 8);
    if found.is_empty() {
        for part in name.split(['.', '/', '-', '_', '!', '?']) {
            if part.len() >= 2 {
                found = search(part, 8);
                if !found.is_empty() {
                    break;
                }
            }
        }
    }
    for h in found {
        if hits.len() < 8 && !hits.iter().any(|x| x.href == h.href || x.title == h.title) {
            hits.push(h);
        }
    }
    html! {
        <article class="doc not-found" data-missing={name.to_string()}>
            <nav class="doc-crumbs"><a href="#/reference">{"Reference"}</a></nav>
            <h1>{"No page named "}<code>{name.to_string()}</code></h1>
            <p>{"There is no reference page, special form or builtin called "}<code>{name.to_string()}</code>{"."}</p>
            if hits.is_empty() {
                <p class="muted">{"Nothing in the reference matches that name."}</p>
            } else {
                <h2>{"Did you mean"}</h2>
                <ul class="not-found-hits">
                    { for hits.iter().map(|h| html! {
                        <li><a href={h.href.clone()}><code>{h.title.clone()}</code></a><span class="index-summary">{" — "}{h.snippet.clone()}</span></li>
                    }) }
                </ul>
            }
            <p><a class="not-found-index" href="#/reference">{"Browse the reference index"}</a>{" or use the search box above."}</p>
        </article>
    }
}

/// Levenshtein distance over chars (names are short; bounded to 64 chars each).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
