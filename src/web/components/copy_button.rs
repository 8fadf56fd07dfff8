//! `CopyButton`: copies a text to the clipboard and says so for a moment ("Copied ✓").
//! Used on every code block: docs examples, static code in the docs (through the page's
//! delegated click handler, see `doc_page`), the runner's source view.

use gloo_timers::future::TimeoutFuture;
use yew::prelude::*;

use crate::web::util::copy_to_clipboard;

#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// The text to copy.
    pub text: AttrValue,
    /// What is copied, for the accessible name ("Copy code").
    #[prop_or(AttrValue::Static("code"))]
    pub what: AttrValue,
}

/// A Copy button (see the module docs).
#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let copied = use_state(|| false);
    let onclick = {
        let copied = copied.clone();
        let text = props.text.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            copy_to_clipboard(&text);
            copied.set(true);
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                TimeoutFuture::new(1500).await;
                copied.set(false);
            });
        })
    };
    html! {
        <button type="button" class={classes!("copy", (*copied).then_some("copied"))} {onclick}
            aria-label={format!("Copy {}", props.what)} title={format!("Copy {} to the clipboard", props.what)}>
            { if *copied { "Copied ✓" } else { "Copy" } }
        </button>
    }
}
