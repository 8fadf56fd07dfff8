//! Small reusable views. Each takes its inputs as props; those marked * read the session's
//! contexts (`Session` for running code, `SessionHandle` for job views, see `web::session`).
//!
//! - [`Header`]: brand, navigation, [`SearchBox`], [`SpeedControl`]*, [`ThemeToggle`].
//! - [`Runner`]* `{source, id, expected, on_done, autorun, show_source, budget, run_token,
//!   on_error_at, isolated}`: runs muslisp and shows values, output and errors as they arrive;
//!   children (an editor) go above its controls.
//! - [`Editor`] `{text, generation, on_change, on_run, run_key, error, min_lines, label, class}`:
//!   CodeMirror 6 (www/editor) with a textarea fallback.
//! - [`Example`]* `{code, expected, id, heading}`: a docs page's runnable example (an Editor in
//!   a Runner, edits saved, Reset, "live jobs" switch), with [`HelpLinks`].
//! - [`JobsPanel`]* `{compact, height, title}`: the job list (a [`job_row::job_row`] each,
//!   windowed), Cancel, and [`job_details::job_details`] (timeline, partials, record, [`Plot`]).
//! - [`Plot`] `{data, width, height, title}`: SVG curves and percentile bands.
//! - [`BridgeConsole`]* `{tool, body, role, expected_status, expected_body, pick_tool, scope}`.
//! - [`Repl`]*: the playground's REPL.
//! - [`DocPage`]* `{path}`: a rendered docs page; [`DocIndex`] `{bridge_only}`: the index;
//!   [`DocsGate`]: waits for the docs pages.

pub mod bridge_console;
pub mod doc_index;
pub mod doc_page;
pub mod docs_gate;
pub mod editor;
pub mod example;
pub mod header;
pub mod help_links;
pub mod job_details;
pub mod job_row;
pub mod jobs_panel;
pub mod plot;
pub mod repl;
pub mod runner;
pub mod search_box;
pub mod speed_control;
pub mod theme_toggle;

pub use bridge_console::BridgeConsole;
pub use doc_index::DocIndex;
pub use doc_page::DocPage;
pub use docs_gate::DocsGate;
pub use editor::{Editor, ErrorMark};
pub use example::Example;
pub use header::Header;
pub use help_links::HelpLinks;
pub use jobs_panel::JobsPanel;
pub use plot::Plot;
pub use repl::Repl;
pub use runner::Runner;
pub use search_box::SearchBox;
pub use speed_control::SpeedControl;
pub use theme_toggle::ThemeToggle;
