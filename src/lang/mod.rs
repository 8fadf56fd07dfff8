//! The muslisp language: reader, values and heap, printer, evaluator, the core builtins, and
//! the interface every front end (`vla`, `bt`, `planner`, `env`, `media`, …) builds on.
//!
//! `lang` imports nothing else from the crate. Job time, job effects, output, files and
//! limits come in from the host through the small interface below; `crate::runtime` composes
//! the whole builtin table and builds interpreters for the CLI, the server and the browser.
//!
//! # Running code
//! [`Interp`] is one evaluator session. [`Interp::load`] parses and queues source;
//! [`Interp::run`] evaluates in slices of `fuel` steps and reports an [`Outcome`] (a top-level
//! value, an error, a sleep on job time, out of fuel, idle). [`RunLoop`] is the one loop that
//! drives `run` for every host: it counts a step budget and asks a [`Pacer`] how to wait for
//! job time (jump it, block, or hand control back to a browser timer). [`repl::ReplInput`]
//! is the REPL's line buffer (the reader decides when an entry is complete).
//!
//! # Writing a front end
//! A front end declares a [`FrontEnd`]: its builtin rows (one slice per group), its handle
//! kinds and an optional `install` function that puts per-interpreter state (an
//! [`Extension`]) into each new [`Interp`]. `src/vla/mod.rs` (`vla::FRONT_END`) is a small
//! real example; `crate::runtime::FRONT_ENDS` lists every front end (adding one is one line).
//!
//! - **Rows**: [`Builtin`] `{ name, group, min_args, max_args, signature, summary, func }`.
//!   The arity is checked before `func` runs; errors are `Err(String)` with the complete
//!   message (`"vla.poll: expected integer"`).
//! - **Plain builtins**: [`Func::Plain`]`(fn(&mut Ctx, &[Value]) -> Result<Value, String>)`.
//! - **Flow builtins**: [`Func::Flow`]`(fn(&mut Ctx, &[Value]) -> Result<Flow, String>)`.
//!   Return [`Flow::Return`]`(v)` to finish, [`Flow::Sleep`]`(ms)` to wait for job time and
//!   return `nil`, or [`Flow::Call`]`{ callee, args, then }` to have the evaluator call a Lisp
//!   procedure on its own stack and then call `then.resume(ctx, result)` ([`Resume`]) with the
//!   procedure's value or its error (kind [`ErrorKind::Runtime`]). `resume` answers with the
//!   next [`Flow`], so a builtin can call several procedures in turn. Fuel, Stop,
//!   `time.sleep-ms` and the depth limit work inside the call as anywhere else; a
//!   [`ErrorKind::Limit`] error (depth, output, heap, nesting) is not delivered to `resume`:
//!   it ends the whole form. A `Resume` that holds [`Value`]s reports them in `trace`.
//! - **Syntax rows**: [`Func::Syntax`]`(fn(&mut Ctx, &[Value]) -> Result<Flow, String>)` is a
//!   special form: its arguments arrive unevaluated (the forms as read), and
//!   [`Ctx::define`] binds a name in the environment the form was evaluated in (for
//!   `(defbt NAME FORM)`). A syntax name is a special form regardless of bindings; the table
//!   lists syntax rows with the core special forms ([`Table::special_forms`]).
//! - **Extensions**: any `'static` type implementing [`Extension`] (its `trace` reports the
//!   `Value`s it holds, so the collector keeps them). Install with [`Interp::install`] (in the
//!   front end's `install`), reach from builtins with [`Ctx::ext`] or `ctx.exts.get::<T>()`
//!   (a field, so `ctx.heap` can be borrowed at the same time).
//! - **Handles**: a [`HandleKind`] `{ name, json }` declared by the front end; values are
//!   [`Ctx::handle`]`(&KIND, id)` (printed `<bt_def:3>`, identity `eq?`), read back with
//!   [`Ctx::handle_id`]. `write`/`save` refuse them (`write: cannot serialise bt_def as
//!   readable data`); `json.encode` uses `json` when set, else `json.encode: unsupported value
//!   type: bt_def`. [`HandleKind::type_and_id`] encodes `{"type":"image_handle","id":N}`.
//! - **Host interface**: [`JobTime`] (job time for `time.*`; the runtime installs the job
//!   engine), [`Host`] (output of one `run`), [`Files`] (`load`/`save`), [`Limits`].
//! - **Data exchange**: [`Ctx::to_datum`] / [`Ctx::from_datum`] convert to and from
//!   [`Datum`], plain owned data for front ends that work outside the heap.
//! - **Shared helpers**: [`fields`] (reading request/option maps by normalised key), [`fnv`] (the one FNV-1a 64 hash, reference and standard bases),
//!   [`textfmt`] (the `%g` number forms and string escapes), [`splitmix`] (SplitMix64).

pub mod builtins;
mod ctx;
pub mod datum;
mod eval;
pub mod fields;
pub mod fnv;
pub mod heap;
mod host;
mod json;
mod limits;
pub mod pretty;
mod printer;
mod reader;
pub mod repl;
mod run;
pub mod splitmix;
mod table;
pub mod textfmt;

pub use ctx::{Ctx, Extension, Extensions, Flow, Resume};
pub use datum::Datum;
pub use eval::Interp;
pub use heap::{Handle, Heap, Symbols, Value};
pub use host::{Files, Host, JobTime, ManualTime, MemFiles};
pub use limits::Limits;
pub use run::{Driven, Pacer, RunLoop, ScriptRun, Wait};
pub use table::{Builtin, FrontEnd, Func, HandleKind, Special, Table};

/// A source position, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// What kind of failure a [`LispError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text did not parse; `incomplete` means more input could complete it.
    Parse { incomplete: bool },
    /// An ordinary evaluation error (type, arity, unbound symbol, ...).
    Runtime,
    /// A resource limit (recursion depth, output size, heap, nesting, steps) was hit.
    Limit,
}

/// An error: the bare message (no position prefix), where it happened, and its kind.
#[derive(Clone, Debug, PartialEq)]
pub struct LispError {
    pub message: String,
    pub pos: Option<Pos>,
    pub kind: ErrorKind,
}

impl LispError {
    /// `line L, column C: message` when the position is known, else the message.
    pub fn located(&self) -> String {
        match self.pos {
            Some(p) => format!("line {}, column {}: {}", p.line, p.col, self.message),
            None => self.message.clone(),
        }
    }

    /// Whether this is a parse error that more input could complete.
    pub fn is_incomplete(&self) -> bool {
        matches!(self.kind, ErrorKind::Parse { incomplete: true })
    }
}

impl std::fmt::Display for LispError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.located())
    }
}

impl std::error::Error for LispError {}

/// What one call to [`Interp::run`] ended with.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// One top-level form finished; its value in printer form.
    Value { printed: String, pos: Pos },
    /// The slice's step budget is used up; call `run` again.
    OutOfFuel,
    /// `(time.sleep-ms)` waits for job time; advance job time, then run again.
    Sleeping { until_ms: f64 },
    /// Nothing queued.
    Idle,
    /// The current form failed; the rest of that load was discarded.
    Error(LispError),
}

/// Whether `source` is an unfinished entry that more input could complete (an open list,
/// string or quote). Asks the reader without building values.
pub fn is_incomplete(source: &str) -> bool {
    let mut s = reader::Scanner::default();
    s.feed(source);
    s.needs_more()
}
