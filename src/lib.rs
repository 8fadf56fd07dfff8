//! Granola: a muslisp evaluator, one job engine, two job front ends (Lisp `vla.*` and the
//! JSON simulation bridge), the native CLI/server and the Yew web app.
//!
//! Layering (dependencies only point down):
//! - `web` (wasm32 only), `server` (native only)  — thin hosts
//! - `vla`, `bridge`                               — job front ends
//! - `jobs`                                        — the one job engine, injected clock
//! - `lang`                                        — reader, values, printer, evaluator, builtins
//!
//! Nothing below the hosts reads the wall clock, prints, spawns threads or panics on input.

pub mod bridge;
pub mod bt;
pub mod docs;
pub mod jobs;
pub mod lang;
pub mod vla;

#[cfg(not(target_arch = "wasm32"))]
pub mod server;

#[cfg(target_arch = "wasm32")]
pub mod web;
