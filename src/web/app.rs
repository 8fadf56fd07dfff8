//! The app: the session, the shell (header, page, footer) and the hash router. Pages are in
//! [`super::pages`], the pieces they are built from in [`super::components`].

use yew::prelude::*;

use super::components::Header;
use super::lazy::{use_module, EXTRA};
use super::pages;
use super::route::Route;
use super::session::SessionProvider;
use super::util::{ensure_styles, on_hash_change};

/// The whole app: the session (with the job driver, registered for the JS API) and the shell.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <SessionProvider global={true}>
            <Shell />
        </SessionProvider>
    }
}

/// The page for a route. The home page is part of the first load; every other page is loaded
/// on demand ([`super::lazy::EXTRA`]; at once in builds without the split).
pub fn switch(route: &Route) -> Html {
    match route {
        Route::Home => pages::home::page(),
        _ => html! { <LazyPage route={route.clone()} /> },
    }
}

#[derive(Properties, PartialEq)]
pub struct LazyPageProps {
    pub route: Route,
}

/// A page loaded on demand: "Loading…" until the module is in, then the page.
#[function_component(LazyPage)]
pub fn lazy_page(props: &LazyPageProps) -> Html {
    match use_module(&EXTRA) {
        Some(Ok(api)) => {
            // The robotics builtins came with the pages: the reference and help know them now.
            crate::runtime::add_on_demand(api.robotics.front_ends);
            (api.pages.view)(&props.route)
        }
        Some(Err(e)) => html! {
            <div class="card load-error" role="alert">
                <p>{ format!("This page could not be loaded ({e}).") }</p>
                <p><button class="button" onclick={Callback::from(|_| reload())}>{ "Reload" }</button></p>
            </div>
        },
        None => html! { <p class="loading muted" aria-live="polite">{ "Loading the page…" }</p> },
    }
}

fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// The shell: skip link, header, the current route's page, footer. Mount inside a
/// [`SessionProvider`].
#[function_component(Shell)]
pub fn shell() -> Html {
    let route = use_state(Route::current);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
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
