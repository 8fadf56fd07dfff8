//! The live documentation site (owned by web2): docs rendering, the code editor binding,
//! search, runnable examples, the jobs panel and plots, the playground, the tour and the
//! bridge console. Components take their inputs as props and read the shell's `Session`
//! context where they need jobs.
//!
//! The shell calls exactly two functions: [`page`] (the page for a route, or `None` to let
//! the shell show its own) and [`search`] (hits for the header search box).
//!
//! Components (props-only interfaces; those marked * read the `Session` context):
//! - [`editor::Editor`] `{text, generation, on_change, on_run, run_key, error, min_lines,
//!   label, class}`: CodeMirror 6 (www/editor) with a textarea fallback.
//! - [`example::Example`]* `{code, expected, id, heading}`: Editor inside the shell's
//!   `Runner`; edits saved in localStorage under a hash of `code`; Reset.
//! - [`jobs::JobsPanel`]* `{compact, height, title}`: windowed job list, Cancel, details
//!   (timeline, partials, poll map / status record, [`plot::Plot`]).
//! - [`plot::Plot`] `{data, width, height, title}`: SVG curves and percentile bands.
//! - [`bridge_console::BridgeConsole`]* `{tool, body, role, expected_status, expected_body,
//!   pick_tool, scope}`: identity picker, minted token, Send, status, live job.
//! - [`pages::DocPage`]* `{path}`, [`pages::ReferenceIndex`] `{bridge_only}`,
//!   [`pages::JobsPage`]*, [`pages::HelpLinks`] `{source}`.
//! - [`playground::Playground`]*, [`playground::Repl`]*, [`tour::Tour`]*.
//!
//! Docs: `build.rs` lists every `docs/**/*.md` into `$OUT_DIR/docs_pages.rs` (`include_str!`)
//! and renders each with the docs model (`crate::docs`, at build time: sections, HTML with heading
//! ids and hash-route links, `lisp`+`output` and `request`/`response` example blocks); [`docs`]
//! reads the renderings back (compiled in, or from `docs.json` in the release site) and knows
//! each page's title, group and route, and [`search`] indexes the pages.

pub mod bridge_console;
pub mod docs;
pub mod editor;
pub mod example;
pub mod gallery;
pub mod jobs;
pub mod pages;
pub mod playground;
pub mod plot;
pub mod search;
pub mod tour;
pub mod util;

use yew::prelude::*;

use super::app::{Route, SearchHit};

/// The site's stylesheet, injected once into `<head>` by [`page`].
pub const CSS: &str = include_str!("site.css");

/// Adds the site stylesheet to the document once.
pub fn ensure_styles() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if doc.get_element_by_id("granola-site-css").is_some() {
        return;
    }
    if let Ok(style) = doc.create_element("style") {
        style.set_id("granola-site-css");
        style.set_text_content(Some(CSS));
        if let Some(head) = doc.head() {
            let _ = head.append_child(&style);
        }
    }
}

/// The page for `route`, or `None` to let the shell show its own page / placeholder.
pub fn page(route: &Route) -> Option<Html> {
    ensure_styles();
    // The release site fetches the pages after start-up (docs.rs): start it on the first
    // render of any route, so the home page's example runs without waiting for it and the
    // reference and search usually have it by the time they are opened.
    docs::ensure_loaded(None);
    let needs_docs = matches!(
        route,
        Route::ReferenceIndex | Route::Reference(_) | Route::Bridge | Route::BridgeTool(_) | Route::NotFound(_)
    );
    if needs_docs && !docs::loaded() {
        return Some(html! { <DocsGate route={route.clone()} /> });
    }
    let page_html = |meta: &docs::PageMeta| {
        let path = AttrValue::from(meta.path);
        html! { <pages::DocPage key={meta.path} path={path} /> }
    };
    match route {
        Route::ReferenceIndex => Some(html! { <pages::ReferenceIndex /> }),
        Route::Reference(name) => docs::find(&format!("reference/{name}"))
            .map(page_html)
            .or_else(|| builtin_page(name))
            .or_else(|| Some(not_found(name))),
        Route::Bridge => Some(html! { <pages::ReferenceIndex bridge_only={true} /> }),
        Route::BridgeTool(tool) => Some(match docs::find(&format!("bridge/{tool}")) {
            Some(meta) => page_html(meta),
            None => html! {
                <article class="doc">
                    <h1><code>{tool.clone()}</code></h1>
                    <p class="muted">{"This tool has no page yet. Try it in the console:"}</p>
                    <bridge_console::BridgeConsole key={tool.clone()} pick_tool={true} tool={AttrValue::from(tool.clone())} body="{}" role="operator" />
                </article>
            },
        }),
        // Keyed by the shared program, so opening another share link reloads the editor.
        Route::Playground => {
            let key = playground::program_from_url().map(|p| util::hash_hex(&p)).unwrap_or_default();
            Some(html! { <playground::Playground key={key} /> })
        }
        Route::Jobs => Some(html! { <pages::JobsPage /> }),
        Route::Tour => Some(html! { <tour::Tour /> }),
        Route::NotFound(path) => docs::find(path).map(page_html),
        _ => None,
    }
}

#[derive(Properties, PartialEq)]
struct GateProps {
    route: Route,
}

/// A docs route opened before the pages arrived: a short loading note, then the page.
#[function_component(DocsGate)]
fn docs_gate(props: &GateProps) -> Html {
    let ready = use_state(docs::loaded);
    {
        let ready = ready.clone();
        use_effect_with((), move |_| {
            docs::ensure_loaded(Some(Box::new(move || ready.set(true))));
        });
    }
    if *ready && docs::loaded() {
        page(&props.route).unwrap_or_else(|| super::app::builtin_page(&props.route))
    } else {
        html! { <article class="doc docs-loading"><p class="muted">{"Loading the reference…"}</p></article> }
    }
}

/// A page generated from the builtins table for a builtin that has no Markdown page yet.
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
/// search results for the name (or, failing that, for its parts, e.g. `map` of `map.gett`)
/// and links to the index.
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
    // Then the search box's results for the name, or else for its parts (`map` of `map.gett`).
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

/// Search hits for the header box (at most `limit`): every compiled page by name and text.
pub fn search(query: &str, limit: usize) -> Vec<SearchHit> {
    docs::ensure_loaded(None);
    let mut hits: Vec<SearchHit> = search::search(query, limit)
        .into_iter()
        .map(|h| SearchHit {
            title: h.page.title.clone(),
            href: h.page.href(),
            snippet: if h.snippet.is_empty() { h.page.group.label() } else { h.snippet },
        })
        .collect();
    // Builtins without a page yet (from the builtins table).
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
