//! `#/bridge` (the bridge's tools and guides, and a free console) and `#/bridge/<tool>` (a
//! tool's page, or a console for a tool without one).

use yew::prelude::*;

use crate::web::components::{BridgeConsole, DocIndex, DocPage};
use crate::web::docs;

/// `#/bridge`: the bridge index.
pub fn index() -> Html {
    html! { <DocIndex bridge_only={true} /> }
}

/// `#/bridge/<tool>`: the page of a tool (`run_simulation`) or of another bridge page (by its
/// file stem).
pub fn page(tool: &str) -> Html {
    let tool = AttrValue::from(tool.to_string());
    match docs::find(&format!("bridge/{tool}")) {
        Some(meta) => html! { <DocPage key={meta.path} path={meta.path} /> },
        None => html! {
            <article class="doc">
                <h1><code>{tool.clone()}</code></h1>
                <p class="muted">{"This tool has no page yet. Try it in the console:"}</p>
                <BridgeConsole key={tool.to_string()} pick_tool={true} tool={tool.clone()} body="{}" role="operator" />
            </article>
        },
    }
}
