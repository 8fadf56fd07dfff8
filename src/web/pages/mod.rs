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
use super::components::{DocsGate, ErrorMark, JobsPanel};
use super::docs;
use super::route::Route;
use super::search::SearchHit;
use super::session::Session;
use super::studio;
use super::util::hash_hex;
use crate::jobs::Engine;
use crate::jobs::JobId;
use crate::lang::Interp;
use std::cell::RefCell;
use std::rc::Rc;

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
    /// `studio::attach`: the tree studio of a run (the runner's, on any page).
    pub studio_attach: StudioAttach,
    /// The live tree studio of a run, keyed by it.
    pub live_studio: fn(Rc<studio::Live>) -> Html,
    /// The Format button's work (`components::editor::format_program`): the pretty-printer is
    /// only needed once a reader asks for it.
    pub format: fn(&str) -> Result<String, ErrorMark>,
    /// The header's search (`web::search::search`), which also fetches the docs pages the
    /// first time: the first load only has the box.
    pub search: fn(&str, usize) -> Vec<SearchHit>,
    /// `web::docs::ensure_loaded`: fetch the docs pages, then call back.
    pub load_docs: fn(Option<docs::Then>),
}

/// See [`Pages::studio_attach`].
pub type StudioAttach = fn(&Rc<RefCell<Interp>>, &Rc<RefCell<Engine>>, &Session, bool) -> Rc<studio::Live>;

fn live_studio(l: Rc<studio::Live>) -> Html {
    let key = format!("{:p}", Rc::as_ptr(&l));
    html! { <studio::TreeStudio {key} source={studio::Source::Live(l)} /> }
}

fn jobs_panel(props: &JobsPanelProps) -> Html {
    html! { <JobsPanel ..props.clone() /> }
}

/// The pages' part of the on-demand module's API.
pub static API: Pages = Pages {
    view,
    status_record: super::bridge::status_record,
    jobs_panel,
    studio_attach: studio::attach,
    live_studio,
    format: crate::web::components::editor::format_program,
    search: super::search::search,
    load_docs: super::docs::ensure_loaded,
};
