//! Granola: a muslisp evaluator, one job engine, two job front ends (Lisp `vla.*` and the
//! JSON simulation bridge), the native CLI/server and the Yew web app.
//!
//! Layering (dependencies only point down):
//! - `web` (wasm32 only), `server` (native only)  — thin hosts; `embed` — the small browser
//!   entry point that makes other sites' code blocks runnable (no Yew)
//! - `runtime`                                     — composes the builtin table and interpreters
//!   (+ the native CLI driver)
//! - `vla`, `bridge`                               — front ends (Lisp rows, JSON tools)
//! - `jobs`                                        — the one job engine, injected clock
//! - `lang`                                        — reader, values, printer, evaluator, core
//!   builtins, and the front-end interface (rows, flow builtins, extensions, handles)
//! - `docs` (beside the layers)                    — the docs model: pages, fences, matching; std,
//!   pulldown-cmark and serde_json only (build.rs compiles it too)
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
