//! `SearchBox`: the header's search. `/` focuses it (unless typing in a field or editor); results
//! come from [`crate::web::search::search`]; Enter opens the selected hit, arrow keys move,
//! Escape clears. The search code and the docs pages come with the module loaded on demand
//! (`web::lazy::EXTRA`), fetched when the box first gets the focus.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::web::docs;
use crate::web::lazy::EXTRA;
use crate::web::util::{navigate, Listener};

/// Is the key event's target a text field, a select or an editor (where `/` is typed text)?
fn typing_in_a_field(e: &web_sys::Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| {
            let tag = el.tag_name().to_ascii_lowercase();
            tag == "input"
                || tag == "textarea"
                || tag == "select"
                || el.closest("[contenteditable]").ok().flatten().is_some()
        })
        .unwrap_or(false)
}

/// The search box (see the module docs).
#[function_component(SearchBox)]
pub fn search_box() -> Html {
    let query = use_state(String::new);
    let selected = use_state(|| 0usize);
    let input_ref = use_node_ref();
    // The site build fetches the docs pages when they are first needed: here, when the box
    // gets the focus; re-render once they are in, so a query typed before that lists the pages.
    let docs_in = use_state(|| docs::loaded() && EXTRA.get().is_some());
    let onfocus = {
        let docs_in = docs_in.clone();
        Callback::from(move |_: FocusEvent| {
            if !*docs_in {
                let docs_in = docs_in.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(api) = EXTRA.load().await {
                        (api.pages.load_docs)(Some(Box::new(move || docs_in.set(true))));
                    }
                });
            }
        })
    };
    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let listener = document.map(|d| {
                Listener::new(&d, "keydown", move |e: web_sys::Event| {
                    let Some(key) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                    if key.key() != "/" || key.ctrl_key() || key.meta_key() || key.alt_key() || typing_in_a_field(&e) {
                        return;
                    }
                    if let Some(input) = input_ref.cast::<web_sys::HtmlInputElement>() {
                        e.prevent_default();
                        let _ = input.focus();
                        input.select();
                    }
                })
            });
            move || drop(listener)
        });
    }
    let api = EXTRA.get().filter(|_| *docs_in);
    let hits = match api {
        Some(api) if !query.trim().is_empty() => (api.pages.search)(query.trim(), 8),
        _ => Vec::new(),
    };
    let oninput = {
        let query = query.clone();
        let selected = selected.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                query.set(input.value());
                selected.set(0);
            }
        })
    };
    let onkeydown = {
        let query = query.clone();
        let selected = selected.clone();
        let hits = hits.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                if let Some(hit) = hits.get(*selected).or_else(|| hits.first()) {
                    navigate(&hit.href);
                    query.set(String::new());
                }
            }
            "ArrowDown" => {
                e.prevent_default();
                if !hits.is_empty() {
                    selected.set((*selected + 1) % hits.len());
                }
            }
            "ArrowUp" => {
                e.prevent_default();
                if !hits.is_empty() {
                    selected.set((*selected + hits.len() - 1) % hits.len());
                }
            }
            "Escape" => query.set(String::new()),
            _ => {}
        })
    };
    let clear = {
        let query = query.clone();
        Callback::from(move |_: MouseEvent| query.set(String::new()))
    };
    html! {
        <div class="search" role="search">
            <input ref={input_ref} class="search-input" type="search" placeholder="Search  /" aria-label="Search the reference (press / to focus)"
                   value={(*query).clone()} {oninput} {onkeydown} {onfocus} autocomplete="off" spellcheck="false" />
            if !query.trim().is_empty() {
                <ul class="search-results" role="listbox">
                    if api.is_none() {
                        <li class="search-empty muted">{ "Loading the reference…" }</li>
                    } else if hits.is_empty() {
                        <li class="search-empty muted">{ "No matches." }</li>
                    }
                    { for hits.iter().enumerate().map(|(i, h)| html! {
                        <li role="option" aria-selected={(i == *selected).to_string()} class={classes!((i == *selected).then_some("selected"))}>
                            <a href={h.href.clone()} onclick={clear.clone()}>
                                <span class="hit-title">{ &h.title }</span>
                                <span class="hit-snippet">{ &h.snippet }</span>
                            </a>
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}
