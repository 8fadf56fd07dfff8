//! `DocsGate`: renders a page that reads the docs pages once they are available. The site build
//! fetches them after start-up, so a docs route opened before they arrive shows a short loading
//! note, then the page.

use yew::prelude::*;

use crate::web::docs;

#[derive(Properties, PartialEq)]
pub struct DocsGateProps {
    /// Draws the page (called only once the docs pages are available).
    pub render: Callback<(), Html>,
}

/// The gate (see the module docs).
#[function_component(DocsGate)]
pub fn docs_gate(props: &DocsGateProps) -> Html {
    let ready = use_state(docs::loaded);
    {
        let ready = ready.clone();
        use_effect_with((), move |_| {
            docs::ensure_loaded(Some(Box::new(move || ready.set(true))));
        });
    }
    if *ready && docs::loaded() {
        props.render.emit(())
    } else {
        html! { <article class="doc docs-loading"><p class="muted">{"Loading the reference…"}</p></article> }
    }
}
