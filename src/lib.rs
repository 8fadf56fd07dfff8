//! Granola: a muslisp evaluator, one job engine, the front ends that give Lisp its groups
//! (`vla`, `cap.call`, behaviour trees, planner, simulated world, media), the JSON simulation
//! bridge, the native CLI/server and the Yew web app.
//!
//! Layering (each module imports only from the rows below it):
//! - `web` (wasm32 only), `server` (native only) — the hosts: the browser app, `granola serve`;
//!   `embed` — the small browser entry point that makes other sites' code blocks runnable (no
//!   Yew, nothing from `web`)
//! - `runtime` — the one composition: builtin table (core + every front end's rows) and
//!   interpreters on a job engine, for CLI, server and browser; `run_script`; the native CLI
//!   driver (`runtime::cli`)
//! - `studio` — the tree studio's core (shapes, recordings, layout, SVG) on `bt`
//! - `bt` — behaviour trees (DSL, tick machine, blackboard, events; `bt`/`events` rows)
//! - `env`, `media` — the `env.*` simulated world and the image/blob handles
//! - `capability` — `cap.call` and `model-service.*` (mock adapters; JSON text of data)
//! - `planner` — MCTS/MPPI/iLQR behind `planner.plan`
//! - `vla` — `vla.*` jobs on the engine and the `cap.list`/`cap.describe` registry
//! - `bridge` — the JSON simulation bridge (one tool table, job store, auth)
//! - `jobs` — the one job engine, with injected clock and id source
//! - `lang` — reader, heap, printer, evaluator, run loop, core builtins (`lang::builtins`, one
//!   file per group), the front-end interface (rows, flow builtins, extensions, handles), and
//!   the helpers every layer shares (`lang::fields` for request maps, `lang::textfmt`,
//!   `lang::fnv`, `lang::splitmix`); it imports nothing else from the crate
//! - `docs` (beside the layers) — the docs model: pages, fences, expected-output matching; std,
//!   pulldown-cmark, serde_json and `lang::fnv` only (`build.rs` compiles it, with that file)
//!
//! Nothing below the hosts reads the wall clock, prints, spawns threads or panics on input
//! (`runtime::cli` is the native host's driver).

pub mod bridge;
pub mod bt;
pub mod capability;
pub mod docs;
pub mod env;
pub mod jobs;
pub mod lang;
pub mod media;
pub mod planner;
pub mod runtime;
pub mod studio;
pub mod vla;

#[cfg(not(target_arch = "wasm32"))]
pub mod server;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub mod embed;
