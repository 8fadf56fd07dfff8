//! Browser tests of the docs pages in the app: a page parses into sections and example blocks
//! with links rewritten to hash routes, every compiled page's build-time rendering equals
//! `docs::parse` and its links resolve through the router, search ranks names first and finds
//! text, every `lisp` example prints its `output` block when run in the browser, a docs page
//! renders its examples, consoles and jobs list, and an unknown reference name gets a not-found
//! page with suggestions.
#![cfg(target_arch = "wasm32")]

mod web_support;

use gloo_timers::future::TimeoutFuture;
use granola::web::app::switch;
use granola::web::components::DocPage;
use granola::web::docs::{self, Block, Group};
use granola::web::route::Route;
use granola::web::runner::{run_source, RunOptions, StopFlag};
use granola::web::search::search;
use granola::web::session::Session;
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

const PAGE: &str = "# `demo.fn`\n\n**Signature:** `(demo.fn x) -> int`\n\n## What It Does\n\nText with a [link](other-page.md) and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Examples\n\n### Minimal\n\n```lisp\n(+ 1 2)\n```\n\n```output\n3\n```\n\n### Bridge\n\n```request run_simulation role=operator\n{\"simulationId\": \"s\"}\n```\n\n```response 202\n{\"status\": \"queued\"}\n```\n\n```json\n{\"plain\": true}\n```\n";

#[wasm_bindgen_test]
fn parse_finds_examples_sections_and_rewrites_links() {
    let p = docs::parse("reference/builtins/demo/demo-fn.md", PAGE);
    let lisp: Vec<_> = p.lisp_examples().collect();
    assert_eq!(lisp.len(), 1);
    assert_eq!(lisp[0].code, "(+ 1 2)");
    assert_eq!(lisp[0].expected.as_deref(), Some("3\n"));
    assert_eq!(lisp[0].heading, "Minimal");
    let bridge: Vec<_> = p.bridge_examples().collect();
    assert_eq!(bridge.len(), 1);
    assert_eq!(
        (bridge[0].tool.as_str(), bridge[0].role.as_str(), bridge[0].expected_status),
        ("run_simulation", "operator", Some(202))
    );
    let html: String =
        p.blocks.iter().filter_map(|b| if let Block::Html(h) = b { Some(h.as_str()) } else { None }).collect();
    assert!(html.contains("<table>"), "tables render: {html}");
    assert!(html.contains("href=\"#/"), "relative .md links become hash routes: {html}");
    assert!(html.contains("id=\"what-it-does\""), "headings get ids");
    assert!(html.contains("plain"), "other code blocks stay in the page");
    let titles: Vec<_> = p.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["What It Does", "Examples", "Minimal", "Bridge"]);

    let m = docs::meta("reference/builtins/demo/demo-fn.md", PAGE);
    assert_eq!(
        (m.title.as_str(), m.route.as_str(), m.group.clone()),
        ("demo.fn", "reference/demo.fn", Group::Builtins("demo".into()))
    );
    assert_eq!(m.summary, "(demo.fn x) -> int");
}

#[wasm_bindgen_test]
fn every_compiled_page_parses_and_its_links_resolve() {
    let pages = docs::pages();
    assert!(!pages.is_empty(), "build.rs compiled the docs/ pages in");
    let mut broken = Vec::new();
    for p in pages {
        let parsed = docs::parse(p.path, p.source);
        assert!(!parsed.blocks.is_empty(), "{} renders", p.path);
        // build.rs renders the same page the same way (the app shows that rendering).
        assert_eq!(docs::rendered(p.path), Some(&parsed), "{}: build-time rendering = docs::parse", p.path);
        assert_eq!(docs::find(&p.route).map(|f| f.path), Some(p.path), "route {} finds its page", p.route);
        let href = p.href();
        let routed = Route::parse(&href);
        let via_router = match &routed {
            Route::Reference(n) => docs::find(&format!("reference/{n}")),
            Route::BridgeTool(n) => docs::find(&format!("bridge/{n}")),
            Route::NotFound(n) => docs::find(n),
            _ => None,
        };
        assert_eq!(
            via_router.map(|f| f.path),
            Some(p.path),
            "href {href} goes through the router ({routed:?}) to its page"
        );
        for b in &parsed.blocks {
            if let Block::Html(h) = b {
                for part in h.split("href=\"#/").skip(1) {
                    let target = part.split('"').next().unwrap_or("");
                    let target = docs::percent_decode(target.split('#').next().unwrap_or(""));
                    let target = target.as_str();
                    let ok = target == "reference"
                        || target == "bridge"
                        || docs::find(target).is_some()
                        || granola::runtime::table().lookup(target.trim_start_matches("reference/")).is_some();
                    if !ok {
                        broken.push(format!("{} -> {}", p.path, target));
                    }
                }
            }
        }
    }
    // Links to pages not written yet are allowed to exist but should be few.
    assert!(broken.len() <= pages.len() / 4, "broken links: {broken:?}");
    let groups: Vec<Group> = docs::index().into_iter().map(|(g, _)| g).collect();
    assert!(groups.iter().any(|g| matches!(g, Group::Builtins(_))));
}

#[wasm_bindgen_test]
fn search_ranks_names_first_and_finds_text() {
    let hits = search("map.get", 8);
    assert!(!hits.is_empty());
    assert_eq!(hits[0].title, "map.get");
    assert_eq!(hits[0].href, "#/reference/map.get");
    let hits = search("insertion order", 8);
    assert!(!hits.is_empty(), "full-text search finds words in page text");
    assert!(search("zzqqxx-nothing", 8).is_empty());
}

/// Every `lisp` example of every page, run by the page's runner in the browser the way an
/// `Example` runs it by default (isolated: a private engine whose job time jumps at sleeps),
/// prints exactly its page's `output` block. Left out: examples that write or read files
/// (`save`/`load`, `bt.save*`/`bt.load*`, `bt.export-dot`, `events.set-path`: the browser host has
/// no file system).
#[wasm_bindgen_test]
async fn every_page_example_matches_its_output_in_the_browser() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for page in docs::pages() {
        let parsed = docs::parse(page.path, page.source);
        for (i, ex) in parsed.lisp_examples().enumerate() {
            let Some(expected) = &ex.expected else { continue };
            if ["(save ", "(load ", "(bt.save", "(bt.load", "(bt.export-dot ", "(events.set-path "]
                .iter()
                .any(|w| ex.code.contains(w))
            {
                continue;
            }
            let session = Session::new(1.0);
            let opts = RunOptions { isolated: true, ..RunOptions::default() };
            let report = run_source(&session, &ex.code, opts, &StopFlag::new(), |_| {}).await;
            checked += 1;
            if !report.matches(expected) {
                failures.push(format!(
                    "{} example {}:\n--- expected\n{}--- got\n{}",
                    page.path,
                    i + 1,
                    expected,
                    report.script_output()
                ));
            }
        }
    }
    assert!(checked >= 50, "examples checked: {checked}");
    assert!(failures.is_empty(), "{} of {checked} examples differ:\n{}", failures.len(), failures.join("\n"));
}

/// A docs page renders its sections, one runnable example per `lisp` block, one console per
/// bridge request, and the jobs panel beside them.
#[wasm_bindgen_test]
async fn doc_pages_render_examples_consoles_and_the_jobs_panel() {
    for (path, sel, min) in
        [("reference/builtins/map/map-get.md", ".example", 2u32), ("bridge/run_simulation.md", ".bridge-console", 2u32)]
    {
        let meta = docs::pages().iter().find(|p| p.path == path).expect(path);
        let parsed = docs::parse(meta.path, meta.source);
        let want =
            if sel == ".example" { parsed.lisp_examples().count() } else { parsed.bridge_examples().count() } as u32;
        assert!(want >= min);
        let m = mount(0.005, html! { <DocPage path={path} /> }).await;
        assert!(wait_for(3000.0, || m.count(sel) == want).await, "{path}: {} of {want} {sel}", m.count(sel));
        assert!(m.q("aside .jobs-panel").is_some(), "{path}: jobs panel beside runnable code");
        assert!(m.count(".toc li") >= 3, "{path}: table of contents");
        assert!(m.q("article.doc table, article.doc ul").is_some());
        m.unmount();
    }
}
#[wasm_bindgen_test]
async fn an_unknown_reference_name_gets_a_not_found_page_with_suggestions() {
    let page = switch(&Route::parse("#/reference/no.such"));
    let m = mount(1.0, page).await;
    assert!(wait_for(2000.0, || m.q(".not-found").is_some()).await);
    assert_eq!(m.text(".not-found h1"), "No page named no.such");
    assert!(!m.text(".not-found").contains("being built"));
    assert_eq!(
        m.q(".not-found a.not-found-index").and_then(|a| a.get_attribute("href")).as_deref(),
        Some("#/reference")
    );
    m.unmount();

    // A near miss suggests the real page.
    let page = switch(&Route::parse("#/reference/map.gett"));
    let m = mount(1.0, page).await;
    assert!(wait_for(2000.0, || m.q(".not-found-hits").is_some()).await, "suggestions: {}", m.text(".not-found"));
    let hits = m.text(".not-found-hits");
    assert!(hits.contains("map.get"), "suggests map.get: {hits}");
    m.unmount();

    // Real pages and builtins are unaffected.
    let page = switch(&Route::parse("#/reference/map.get"));
    let m = mount(1.0, page).await;
    TimeoutFuture::new(100).await;
    assert!(m.q(".not-found").is_none());
    m.unmount();
}
