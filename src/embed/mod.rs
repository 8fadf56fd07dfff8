//! Runnable muslisp in anyone's pages: the browser entry point `granola-embed.js` (the
//! `granola-embed` wasm binary, built into `dist/embed/` by `make dist`) turns marked code
//! blocks of any HTML page into live snippets. Plain web-sys DOM code: no Yew, no router, no
//! site CSS, nothing from `crate::web`.
//!
//! - [`model`]: the pure parts (options, dark-mode hints, output caps, the run log checked
//!   against an expected-output block, job pacing, the job list rows).
//! - [`evaluator`]: the small and the full build (which front ends each carries, which one a
//!   page needs).
//! - [`tree`]: the tree view of a snippet that ticks a behaviour tree (scene + drawing hook).
//! - `page` (wasm32): finds the blocks, groups them into sessions, follows the page's theme.
//! - `snippet` (wasm32): one snippet's widget (in its own shadow root) and its buttons.
//! - `run` (wasm32): sessions and the run loop (fuel slices, Stop, paced job time).
//!
//! How a page uses it is documented in `docs/reference/guides/embed.md`.

pub mod evaluator;
pub mod model;
pub mod tree;

#[cfg(target_arch = "wasm32")]
pub mod page;
#[cfg(target_arch = "wasm32")]
pub mod run;
#[cfg(target_arch = "wasm32")]
pub mod snippet;
