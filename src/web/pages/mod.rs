//! One file per route (see `app::switch`): [`home`] `#/`, [`reference`] `#/reference` and
//! `#/reference/<name>`, [`bridge`] `#/bridge` and `#/bridge/<tool>`, [`playground`]
//! `#/playground`, [`jobs`] `#/jobs`, [`tour`] `#/tour`, and [`not_found`] for any other path (a
//! docs page by its path, e.g. `#/docs/reference/guides/vla-jobs`, or a not-found note).
//! Pages with state of their own are components (`PlaygroundPage`, `TourPage`); the others are
//! view functions (`page()`, `index()`) over components.
//!
//! Every page but the home page is in the `pages` module loaded on demand ([`PAGES`], see
//! `web::lazy`): `app::switch` draws [`view`] through it.

pub mod bridge;
pub mod home;
pub mod jobs;
pub mod not_found;
pub mod playground;
pub mod reference;
pub mod tour;

pub use playground::PlaygroundPage;
pub use tour::TourPage;

use yew::prelude::*;

use super::components::DocsGate;
use super::route::Route;
use super::util::hash_hex;

/// A page other than the home page. Pages that read the docs pages are drawn behind a
/// [`DocsGate`] (the site build fetches them when a page first needs them).
pub fn view(route: &Route) -> Html {
    match route.clone() {
        Route::Home => home::page(),
        Route::ReferenceIndex => gated(route, reference::index),
        Route::Reference(name) => gated(route, move || reference::page(&name)),
        Route::Bridge => gated(route, bridge::index),
        Route::BridgeTool(tool) => gated(route, move || bridge::page(&tool)),
        // Keyed by the shared program, so opening another share link reloads the editor.
        Route::Playground => {
            let key = playground::program_from_url().map(|p| hash_hex(&p)).unwrap_or_default();
            html! { <PlaygroundPage {key} /> }
        }
        Route::Jobs => jobs::page(),
        Route::Tour => html! { <TourPage /> },
        Route::NotFound(path) => gated(route, move || not_found::page(&path)),
    }
}

/// `page` behind a [`DocsGate`], keyed by the route (another route is a fresh page).
fn gated(route: &Route, page: impl Fn() -> Html + 'static) -> Html {
    html! { <DocsGate key={route.href()} render={Callback::from(move |_| page())} /> }
}

/// The API of the `pages` module.
pub struct Pages {
    /// [`view`].
    pub view: fn(&Route) -> Html,
}

fn pages_api() -> &'static Pages {
    static API: Pages = Pages { view };
    &API
}

crate::lazy_module! {
    /// Every page but the home page.
    pub static PAGES: Pages = "pages", pages_api,
        __wasm_split_00___pages___00_export_2_api, __wasm_split_00___pages___00_import_2_api;
}
