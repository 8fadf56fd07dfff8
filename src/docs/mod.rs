//! The documentation model: what a page under `docs/` is, how it renders, what its examples are
//! and how an example's result is checked against the page. One module for every consumer:
//! `build.rs` renders the pages with it at build time, the web app reads the renderings back
//! and checks results with it, and the native tests run the pages' examples through it.
//!
//! - [`page`]: where a page belongs (index group, hash route, title, summary) and how links
//!   between pages become hash routes.
//! - [`render`]: Markdown → [`Parsed`] (HTML fragments, table of contents, the `lisp`+`output`
//!   and `request`+`response` example fences, problems with the fences), and its JSON form.
//! - [`check`]: expected-output matching for `lisp` examples and "documented response matches"
//!   for bridge examples.
//! - [`tree`]: reading the `docs/` tree from disk and its content hash.
//!
//! Target-independent and self-contained (std, pulldown-cmark and serde_json only, no `crate::`
//! paths): build.rs compiles this same directory with `#[path = "src/docs/mod.rs"]`, since a build
//! script cannot depend on the crate it builds.

pub mod check;
pub mod page;
pub mod render;
pub mod tree;

pub use check::{documented_match, output_diff, output_matches};
pub use page::{classify, encode_segment, h1, href, percent_decode, resolve_path, rewrite_link, slug, summary, Group};
pub use render::{parse, Block, BridgeExample, LispExample, Parsed, Section};
