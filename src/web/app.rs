//! The app: the session, the shell (header, page, footer) and the hash router. Pages are in
//! [`super::pages`], the pieces they are built from in [`super::components`].

use yew::prelude::*;

use super::components::{DocsGate, Header};
use super::docs;
use super::pages::{self, PlaygroundPage, TourPage};
use super::route::Route;
use super::session::SessionProvider;
use super::util::{ensure_styles, hash_hex, on_hash_change};

/// The whole app: the session (with the job driver, registered for the JS API) and the shell.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <SessionProvider global={true}>
            <Shell />
        </SessionProvider>
    }
}

/// The page for a route. Pages that read the docs pages are drawn behind a [`DocsGate`] (the site
/// build fetches them after start-up).
pub fn switch(route: &Route) -> Html {
    match route.clone() {
        Route::Home => pages::home::page(),
        Route::ReferenceIndex => gated(route, pages::reference::index),
        Route::Reference(name) => gated(route, move || pages::reference::page(&name)),
        Route::Bridge => gated(route, pages::bridge::index),
        Route::BridgeTool(tool) => gated(route, move || pages::bridge::page(&tool)),
        // Keyed by the shared program, so opening another share link reloads the editor.
        Route::Playground => {
            let key = pages::playground::program_from_url().map(|p| hash_hex(&p)).unwrap_or_default();
            html! { <PlaygroundPage {key} /> }
        }
        Route::Jobs => pages::jobs::page(),
        Route::Tour => html! { <TourPage /> },
        Route::NotFound(path) => gated(route, move || pages::not_found::page(&path)),
    }
}

/// `page` behind a [`DocsGate`], keyed by the route (another route is a fresh page).
fn gated(route: &Route, page: impl Fn() -> Html + 'static) -> Html {
    html! { <DocsGate key={route.href()} render={Callback::from(move |_| page())} /> }
}

/// The shell: skip link, header, the current route's page, footer. Mount inside a
/// [`SessionProvider`].
#[function_component(Shell)]
pub fn shell() -> Html {
    let route = use_state(Route::current);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            // Start fetching the docs pages (site build) right after start-up, so the home page's
            // example runs without waiting for them and the reference usually has them in time.
            docs::ensure_loaded(None);
            let listener = on_hash_change(move || {
                route.set(Route::current());
                if let Some(w) = web_sys::window() {
                    w.scroll_to_with_x_and_y(0.0, 0.0);
                }
            });
            move || drop(listener)
        });
    }
    ensure_styles();
    html! {
        <>
            <a class="skip" href="#main">{ "Skip to content" }</a>
            <Header route={(*route).clone()} />
            <main id="main" class={classes!("page", format!("page-{}", route.section()))}>
                { switch(&route) }
            </main>
            <footer class="footer">
                <span>{ "Granola — muslisp runs in your browser (Rust → WebAssembly). Nothing is sent anywhere." }</span>
                <a href="#/reference">{ "Reference" }</a>
            </footer>
        </>
    }
}
