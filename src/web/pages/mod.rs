//! One file per route (see `app::switch`): [`home`] `#/`, [`reference`] `#/reference` and
//! `#/reference/<name>`, [`bridge`] `#/bridge` and `#/bridge/<tool>`, [`playground`]
//! `#/playground`, [`jobs`] `#/jobs`, [`tour`] `#/tour`, and [`not_found`] for any other path (a
//! docs page by its path, e.g. `#/docs/reference/guides/vla-jobs`, or a not-found note).
//! Pages with state of their own are components (`PlaygroundPage`, `TourPage`); the others are
//! view functions (`page()`, `index()`) over components.
//!
//! Every page but the home page is loaded on demand (`web::lazy::EXTRA`): `app::switch` draws
//! [`view`] through it. The simulation bridge's code comes with it (the job list reads a bridge
//! job's record through [`Pages::status_record`]).

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

use super::bridge::StatusRecord;
use super::components::jobs_panel::JobsPanelProps;
use super::components::{DocsGate, JobsPanel};
use super::route::Route;
use super::session::Session;
use super::util::hash_hex;
use crate::jobs::JobId;

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

/// What the first load reaches of the pages, through the module loaded on demand
/// (`web::lazy::EXTRA`).
pub struct Pages {
    /// [`view`].
    pub view: fn(&Route) -> Html,
    /// `web::bridge::status_record`: the simulation bridge's code is loaded on demand with the
    /// pages, because only they (the bridge console, the bridge docs, the playground's bridge
    /// examples) send requests; the job list of the first load reads a bridge job's record
    /// through here.
    pub status_record: fn(&Session, JobId) -> Option<StatusRecord>,
    /// The job list ([`JobsPanel`]), which the home page draws once the session has a job.
    pub jobs_panel: fn(&JobsPanelProps) -> Html,
}

fn jobs_panel(props: &JobsPanelProps) -> Html {
    html! { <JobsPanel ..props.clone() /> }
}

/// The pages' part of the on-demand module's API.
pub static API: Pages = Pages { view, status_record: super::bridge::status_record, jobs_panel };
