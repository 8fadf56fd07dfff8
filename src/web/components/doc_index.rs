//! `DocIndex`: the index of the docs pages, grouped like the reference (special forms, data
//! types, builtins by group, bridge tools, guides); with `bridge_only`, the bridge index with a
//! free console.

use yew::prelude::*;

use crate::web::docs::{self, Group, PageMeta};

use super::bridge_console::BridgeConsole;
use super::doc_page::scroll_to;

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

/// The index (see the module docs).
#[function_component(DocIndex)]
pub fn doc_index(props: &IndexProps) -> Html {
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
