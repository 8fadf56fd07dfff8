//! The Yew web app (wasm32 only). Thin: it calls the core (`lang`, `jobs`, `vla`, `bridge`,
//! `docs`). Laid out as Yew apps are:
//!
//! - [`app`]: the shell (header, page, footer) and the router; [`route`]: the hash routes.
//! - [`pages`]: one component per route (home, reference, bridge, playground, jobs, tour).
//! - [`components`]: the reusable views pages are built from (runner, editor, example, job
//!   list and rows, plot, bridge console, REPL, search box, theme toggle, ...).
//! - [`session`]: the shared state. One job engine, one bridge and the job clock, provided as
//!   contexts by `SessionProvider`: `Session` (never changes; for running code) and
//!   `SessionHandle` (a `use_reducer` handle whose version changes when jobs change; views
//!   dispatch `SessionAction`s to cancel jobs or set the clock). [`driver`] is the timer that
//!   advances the engine and tells the views.
//! - Models the views read: [`jobs`] (job snapshots, kinds, timelines, records), [`docs`] (the
//!   docs pages, compiled in or fetched), [`search`], [`bridge`] (tokens, requests,
//!   placeholders, status records), [`gallery`] (the programs the pages show).
//! - [`runner`]: `run_source`, the evaluation loop that runs muslisp in slices on the main thread.
//! - [`studio`]: the live behaviour-tree view (tree studio) and the world canvas, attached to
//!   runs of programs that make trees; [`tree_links`]: which tree nodes wait on which jobs.
//! - [`api`]: the JS API (`granola.eval`, `submit`, `poll`, `cancel`, `jobs`).
//! - [`util`]: storage, navigation, DOM helpers, the one job-time format.
//! - [`lazy`]: code loaded on demand (the one mechanism: modules split out of the app's wasm by
//!   the site build, fetched when a page or program first needs them; see its docs).

pub mod api;
pub mod app;
pub mod bridge;
pub mod components;
pub mod docs;
pub mod driver;
pub mod gallery;
pub mod jobs;
pub mod lazy;
pub mod pages;
pub mod route;
pub mod runner;
pub mod search;
pub mod session;
pub mod studio;
pub mod tree_links;
pub mod util;
