//! One file per route (see `app::switch`): [`home`] `#/`, [`reference`] `#/reference` and
//! `#/reference/<name>`, [`bridge`] `#/bridge` and `#/bridge/<tool>`, [`playground`]
//! `#/playground`, [`jobs`] `#/jobs`, [`tour`] `#/tour`, and [`not_found`] for any other path (a
//! docs page by its path, e.g. `#/docs/reference/guides/vla-jobs`, or a not-found note).
//! Pages with state of their own are components (`PlaygroundPage`, `TourPage`); the others are
//! view functions (`page()`, `index()`) over components.

pub mod bridge;
pub mod home;
pub mod jobs;
pub mod not_found;
pub mod playground;
pub mod reference;
pub mod tour;

pub use playground::PlaygroundPage;
pub use tour::TourPage;
