//! Any other path: a docs page addressed by its path (`#/docs/reference/guides/vla-jobs`, which
//! is how guides are linked), or a note that there is no such page.

use yew::prelude::*;

use crate::web::components::DocPage;
use crate::web::docs;

/// The page for any other path (the hash path, decoded).
pub fn page(path: &str) -> Html {
    if let Some(meta) = docs::find(path) {
        return html! { <DocPage key={meta.path} path={meta.path} /> };
    }
    html! {
        <section class="prose">
            <h1>{ "Not found" }</h1>
            <p>{ format!("There is no page at “{path}”. ") }<a href="#/">{ "Go home" }</a>{ " or search above." }</p>
        </section>
    }
}
