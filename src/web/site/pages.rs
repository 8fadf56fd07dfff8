//! Page components: a rendered docs page, the reference index, the bridge index, the jobs page.

use yew::prelude::*;

use super::bridge_console::BridgeConsole;
use super::docs::{self, Block, Group, PageMeta};
use super::example::Example;
use super::jobs::JobsPanel;

#[derive(Properties, PartialEq)]
pub struct DocPageProps {
    /// Path of the page relative to `docs/` (`reference/builtins/map/map-get.md`).
    pub path: AttrValue,
}

/// One docs page: Markdown with typography, every `lisp` block a runnable [`Example`], every
/// bridge `request` block a [`BridgeConsole`], a table of contents, and the jobs panel beside
/// pages that have runnable code.
#[function_component(DocPage)]
pub fn doc_page(props: &DocPageProps) -> Html {
    let path = props.path.to_string();
    let Some(meta) = docs::pages().iter().find(|p| p.path == path) else {
        return html! { <article class="doc"><h1>{"Page not found"}</h1><p>{format!("No page {path}.")}</p></article> };
    };
    // Rendered at build time (build.rs): the app carries no Markdown parser.
    let Some(parsed) = docs::rendered(meta.path) else {
        return html! { <article class="doc"><h1>{"Page not rendered"}</h1><p>{format!("No rendering of {path}.")}</p></article> };
    };
    let mut n_lisp = 0usize;
    let mut n_bridge = 0usize;
    let blocks = parsed.blocks.iter().map(|b| match b {
        Block::Html(h) => Html::from_html_unchecked(AttrValue::from(h.clone())),
        Block::Lisp(ex) => {
            n_lisp += 1;
            let id = format!("ex-{}-{}", docs::slug(&meta.title), n_lisp);
            html! { <Example id={id} code={AttrValue::from(ex.code.clone())}
            expected={ex.expected.clone().map(AttrValue::from)} heading={AttrValue::from(ex.heading.clone())} /> }
        }
        Block::Bridge(bx) => {
            n_bridge += 1;
            html! { <div class="bridge-example" data-n={n_bridge.to_string()}>
                <BridgeConsole tool={AttrValue::from(bx.tool.clone())} body={AttrValue::from(bx.body.clone())}
                    role={AttrValue::from(bx.role.clone())} expected_status={bx.expected_status} scope={meta.path}
                    expected_body={bx.expected_body.clone().map(AttrValue::from)} />
            </div> }
        }
    });
    let blocks: Vec<Html> = blocks.collect();
    let runnable = n_lisp > 0 || n_bridge > 0;
    let toc = parsed.sections.iter().filter(|s| s.level == 2).map(|s| {
        html! { <li><a href={meta.href()} onclick={scroll_to(s.id.clone())}>{s.title.clone()}</a></li> }
    });
    html! {
        <div class={classes!("doc-layout", runnable.then_some("with-jobs"))}>
            <nav class="doc-crumbs">
                <a href={ if meta.path.starts_with("bridge/") { "#/bridge" } else { "#/reference" } }>
                    { if meta.path.starts_with("bridge/") { "Bridge" } else { "Reference" } }
                </a>{" › "}<span>{meta.group.label()}</span>
            </nav>
            <article class="doc" data-path={meta.path} onclick={in_page_anchor()}>
                { for blocks }
            </article>
            <aside class="doc-side">
                if !parsed.sections.is_empty() {
                    <nav class="toc"><h3>{"On this page"}</h3><ul>{ for toc }</ul></nav>
                }
                if runnable { <JobsPanel compact={true} height={320} title="Jobs of this session" /> }
            </aside>
        </div>
    }
}

/// In-page anchors (`[x](#section)`) scroll to the heading instead of replacing the route.
fn in_page_anchor() -> Callback<MouseEvent> {
    Callback::from(|e: MouseEvent| {
        let Some(t) = e.target_dyn_into::<web_sys::Element>() else { return };
        let Ok(Some(a)) = t.closest("a[href^='#']") else { return };
        let href = a.get_attribute("href").unwrap_or_default();
        if href.starts_with("#/") || href.len() < 2 {
            return;
        }
        e.prevent_default();
        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&href[1..])) {
            el.scroll_into_view();
        }
    })
}

fn scroll_to(id: String) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&id)) {
            el.scroll_into_view();
        }
    })
}

fn page_link(p: &PageMeta) -> Html {
    html! {
        <li>
            <a href={p.href()}>
                if p.title_is_code { <code>{p.title.clone()}</code> } else { {p.title.clone()} }
            </a>
            if !p.summary.is_empty() { <span class="index-summary">{" — "}{p.summary.clone()}</span> }
        </li>
    }
}

#[derive(Properties, PartialEq)]
pub struct IndexProps {
    /// Only the bridge tools and the bridge guides (the `#/bridge` page).
    #[prop_or(false)]
    pub bridge_only: bool,
}

/// The reference index, grouped like the reference: special forms, data types, builtins by
/// group, bridge tools, guides. With `bridge_only` the bridge index with a free console.
#[function_component(ReferenceIndex)]
pub fn reference_index(props: &IndexProps) -> Html {
    let groups = docs::index();
    let groups: Vec<_> = groups
        .into_iter()
        .filter(|(g, _)| !props.bridge_only || matches!(g, Group::Bridge | Group::BridgeGuides))
        .collect();
    let builtin_groups: Vec<&String> = groups
        .iter()
        .filter_map(|(g, _)| match g {
            Group::Builtins(n) => Some(n),
            _ => None,
        })
        .collect();
    let total: usize = groups.iter().map(|(_, p)| p.len()).sum();
    html! {
        <article class="doc reference-index">
            <h1>{ if props.bridge_only { "Simulation bridge" } else { "Reference" } }</h1>
            <p class="lead">
                { format!("{total} pages. ") }
                { if props.bridge_only { "Each tool page has requests you can send from the page with any identity." } else { "Every example on these pages runs in your browser: edit it, press Run or Ctrl/Cmd+Enter." } }
            </p>
            if !props.bridge_only && !builtin_groups.is_empty() {
                <p class="group-jump">{"Builtin groups: "}
                    { for builtin_groups.iter().map(|g| html!{ <a class="chip" href="#/reference" onclick={scroll_to(format!("group-builtins-{g}"))}>{(*g).clone()}</a> }) }
                </p>
            }
            if total == 0 { <p class="muted">{"No pages have been written yet."}</p> }
            { for groups.iter().map(|(g, pages)| {
                let id = match g { Group::Builtins(n) => format!("group-builtins-{n}"), other => format!("group-{}", docs::slug(&other.label())) };
                html! {
                    <section class="index-group" id={id}>
                        <h2>{g.label()}</h2>
                        <ul class="index-list">{ for pages.iter().filter(|p| !props.bridge_only || p.path.starts_with("bridge/")).map(|p| page_link(p)) }</ul>
                    </section>
                }
            }) }
            if props.bridge_only {
                <section class="index-group">
                    <h2>{"Console"}</h2>
                    <p>{"Send any tool request as any identity; the dev token is minted in the page."}</p>
                    <BridgeConsole pick_tool={true} tool="list_tools" body="{}" role="viewer" />
                </section>
            }
        </article>
    }
}

/// `#/jobs`: the jobs panel, full height.
#[function_component(JobsPage)]
pub fn jobs_page() -> Html {
    html! {
        <div class="jobs-page">
            <JobsPanel height={560} title="Jobs" />
        </div>
    }
}

/// Names asked about with `(help 'name)` / `(help name)` in a program, and matches of
/// `(apropos "text")`, in order, without repeats.
pub fn help_targets(source: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |n: String| {
        if !n.is_empty() && !out.contains(&n) && out.len() < 12 {
            out.push(n);
        }
    };
    for (i, _) in source.match_indices("(help") {
        let rest = source[i + 5..].trim_start();
        let rest = rest.strip_prefix('\'').unwrap_or(rest);
        let name: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != ')' && *c != '(').collect();
        push(name.trim_matches('"').to_string());
    }
    for (i, _) in source.match_indices("(apropos") {
        let rest = source[i + 8..].trim_start();
        if let Some(r) = rest.strip_prefix('"') {
            let needle: String = r.chars().take_while(|c| *c != '"').collect();
            if !needle.is_empty() {
                for b in crate::runtime::table().builtins().filter(|b| b.name.contains(&needle)).take(8) {
                    push(b.name.to_string());
                }
            }
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct HelpLinksProps {
    pub source: AttrValue,
}

/// Links to the reference pages of the names a program asks `help` / `apropos` about.
#[function_component(HelpLinks)]
pub fn help_links(props: &HelpLinksProps) -> Html {
    let names = help_targets(&props.source);
    let links: Vec<Html> = names
        .iter()
        .filter_map(|n| {
            let href = match docs::find(&format!("reference/{n}")) {
                Some(p) => p.href(),
                None if crate::runtime::table().lookup(n).is_some() => {
                    format!("#/reference/{}", docs::encode_segment(n))
                }
                None => return None,
            };
            Some(html! { <a class="chip" href={href}>{n.clone()}</a> })
        })
        .collect();
    if links.is_empty() {
        return html! {};
    }
    html! { <div class="help-links">{"Reference: "}{ for links }</div> }
}
