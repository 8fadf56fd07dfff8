//! Small reusable views. Each takes its inputs as props; those marked * read the session's
//! contexts (`Session` for running code, `SessionHandle` for job views, see `web::session`).
//!
//! - [`Header`]: brand, navigation, [`SearchBox`], [`SpeedControl`]*, [`ThemeToggle`].
//! - [`Runner`]* `{source, id, expected, on_done, autorun, show_source, budget, run_token,
//!   on_error_at, on_values, isolated}`: runs muslisp and shows values, output and errors as
//!   they arrive (limits said above the output; Esc stops); children (an editor) go above its
//!   controls. `on_error_at` gets an [`ErrorMark`] (the character at fault and the message).
//! - [`Editor`] `{text, generation, on_change, on_run, run_key, error, inline_values,
//!   min_lines, label, class}`: CodeMirror 6 (www/editor: completion and hover docs from the
//!   builtin table, rainbow parentheses, Tab that does not trap) with a textarea fallback.
//! - [`Example`]* `{code, expected, id, heading, autorun, live}`: a runnable example (an Editor
//!   in a Runner, edits saved, Copy, Format, open in playground, Reset, "live jobs" switch),
//!   with [`HelpLinks`]. The docs pages and the home page use it.
//! - [`program_buffer::use_program`]: the state of an editable program (typed text, what the
//!   editor shows, the error mark; Format, change and error callbacks that save the text).
//! - [`CopyButton`] `{text, what}`: copies a text, says "Copied ✓".
//! - [`JobsPanel`]* `{compact, height, title}`: the job list (a [`job_row::job_row`] each,
//!   windowed), Cancel, and [`job_details::job_details`] (timeline, partials, record, [`Plot`]).
//! - [`Plot`] `{data, width, height, title}`: SVG curves and percentile bands.
//! - [`BridgeConsole`]* `{tool, body, role, expected_status, expected_body, pick_tool, scope}`.
//! - [`Repl`]*: the playground's REPL.
//! - [`DocPage`]* `{path}`: a rendered docs page; [`DocIndex`] `{bridge_only}`: the index;
//!   [`DocsGate`]: waits for the docs pages.

pub mod bridge_console;
pub mod copy_button;
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
pub mod program_buffer;
pub mod repl;
pub mod runner;
pub mod search_box;
pub mod speed_control;
pub mod theme_toggle;

pub use bridge_console::BridgeConsole;
pub use copy_button::CopyButton;
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
