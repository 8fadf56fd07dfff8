//! `DocPage`: one docs page as rendered at build time: Markdown with typography, every `lisp`
//! block a runnable [`Example`], every bridge `request` block a [`BridgeConsole`], a table of
//! contents, and the jobs panel beside pages that have runnable code.

use yew::prelude::*;

use crate::web::docs::{self, Block};
use crate::web::util::scroll_to_id;

use super::bridge_console::BridgeConsole;
use super::example::Example;
use super::jobs_panel::JobsPanel;

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
                    after_ms={Some(bx.after())}
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

/// In-page anchors (`[x](#section)`) scroll to the heading instead of replacing the route, and
/// a code block's Copy button (rendered at build time, `docs::render::with_copy_buttons`)
/// copies its block.
fn in_page_anchor() -> Callback<MouseEvent> {
    Callback::from(|e: MouseEvent| {
        let Some(t) = e.target_dyn_into::<web_sys::Element>() else { return };
        if let Ok(Some(button)) = t.closest(".code-block > button.copy") {
            let text = button.next_element_sibling().and_then(|pre| pre.text_content()).unwrap_or_default();
            crate::web::util::copy_to_clipboard(&text);
            button.set_text_content(Some("Copied ✓"));
            wasm_bindgen_futures::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(1500).await;
                button.set_text_content(Some("Copy"));
            });
            return;
        }
        let Ok(Some(a)) = t.closest("a[href^='#']") else { return };
        let href = a.get_attribute("href").unwrap_or_default();
        if href.starts_with("#/") || href.len() < 2 {
            return;
        }
        e.prevent_default();
        scroll_to_id(&href[1..]);
    })
}

/// A link that scrolls to the element with this id instead of changing the route.
pub fn scroll_to(id: String) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        scroll_to_id(&id);
    })
}
