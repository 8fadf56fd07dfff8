//! The muslisp language: reader, values and heap, printer, evaluator, builtins.
//!
//! Public surface (used by the CLI, the web app and the docs tests):
//! [`Interp`] (one evaluator session), [`Host`] (where program output goes), [`Outcome`]
//! (what one slice of [`Interp::run`] ended with), [`LispError`], [`run_script`] and the
//! [`builtins`] table.

pub mod builtins;
pub mod datum;
mod eval;
mod heap;
mod printer;
mod reader;

pub use datum::Datum;
pub use eval::Interp;

/// Evaluator limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of nested (non-tail) closure calls before an ordinary error.
    pub max_depth: usize,
    /// Maximum bytes of program output per `load`; more is a `Limit` error.
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 10_000, max_output_bytes: 1 << 20 }
    }
}

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
    /// A resource limit (recursion depth, output size, heap) was hit.
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

/// Where a program's output goes, plus optional host services.
pub trait Host {
    /// Program output, exactly as produced (each `print` call ends with a newline).
    fn print(&mut self, text: &str);
    /// A monotonic nanosecond clock used only to report GC pause times; `None` (the
    /// default) reports 0, which keeps output deterministic.
    fn monotonic_ns(&mut self) -> Option<u64> {
        None
    }
}

/// File access for `load` and `save`. Native hosts install one with
/// [`Interp::set_files`]; without one (the browser) both builtins give a clear error.
pub trait Files {
    /// The name a path resolves to (shown in `load: <name>: ...`); default: unchanged.
    fn resolve(&self, path: &str) -> String {
        path.to_string()
    }
    /// Read `path` (already joined with the loading file's directory when relative).
    /// Returns the resolved name (used in `load: <name>: ...` messages) and the text;
    /// `Err` is the message, e.g. `failed to open file: /x/a.lisp`.
    fn read(&mut self, path: &str) -> Result<(String, String), String>;
    /// Write `text` to `path`. `Err` is the message.
    fn write(&mut self, path: &str, text: &str) -> Result<(), String>;
}

/// An in-memory file system for `load`/`save`: deterministic, no host access. `run_script`
/// uses a fresh one per script, so a docs example can `save` a file and `load` it back; a
/// browser host can install one with [`Interp::set_files`] for the same behaviour.
#[derive(Default, Clone, Debug)]
pub struct MemFiles {
    files: std::collections::BTreeMap<String, String>,
}

impl MemFiles {
    /// Pre-populate a file.
    pub fn insert(&mut self, path: &str, text: &str) {
        self.files.insert(path.to_string(), text.to_string());
    }
    /// Contents of a file, if present.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }
}

impl Files for MemFiles {
    fn read(&mut self, path: &str) -> Result<(String, String), String> {
        match self.files.get(path) {
            Some(t) => Ok((path.to_string(), t.clone())),
            None => Err(format!("failed to open file: {path}")),
        }
    }
    fn write(&mut self, path: &str, text: &str) -> Result<(), String> {
        self.files.insert(path.to_string(), text.to_string());
        Ok(())
    }
}

/// What one call to [`Interp::run`] ended with.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// One top-level form finished; its value in printer form.
    Value { printed: String, pos: Pos },
    /// The slice's step budget is used up; call `run` again.
    OutOfFuel,
    /// `(time.sleep-ms)` waits for job time; advance the engine, then run again.
    Sleeping { until_ms: f64 },
    /// Nothing queued.
    Idle,
    /// The current form failed; the rest of that load was discarded.
    Error(LispError),
}

/// The result of [`run_script`].
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptRun {
    /// Program output and every top-level value, one per line, as `granola FILE` prints.
    pub stdout: String,
    /// The first error, if any (the script stopped there).
    pub error: Option<LispError>,
}

impl ScriptRun {
    /// Everything `granola FILE` would print: stdout, then `fatal: ...` if it failed.
    pub fn transcript(&self) -> String {
        let mut out = self.stdout.clone();
        if let Some(e) = &self.error {
            out.push_str("fatal: ");
            out.push_str(&e.located());
            out.push('\n');
        }
        out
    }
}

struct StringHost(String);

impl Host for StringHost {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// The most evaluation steps [`run_script`] spends on one script before it gives up with a
/// [`ErrorKind::Limit`] error, so that a script that never ends (an infinite loop, endless
/// sleeping) cannot hang a test or a docs build. Real scripts use far fewer (the bench
/// programs take a few million to a few tens of millions).
pub const SCRIPT_STEP_LIMIT: u64 = 100_000_000;

/// Run a whole script on a fresh Interp + Engine with a manual clock (sleeping jumps job
/// time forward at once): what `granola FILE` prints, deterministically. Stops with
/// `step limit exceeded (100000000 steps)` after [`SCRIPT_STEP_LIMIT`] steps.
pub fn run_script(source: &str) -> ScriptRun {
    run_script_with_step_limit(source, SCRIPT_STEP_LIMIT)
}

/// [`run_script`] with another overall step cap.
pub fn run_script_with_step_limit(source: &str, max_steps: u64) -> ScriptRun {
    use std::cell::RefCell;
    use std::rc::Rc;
    const SLICE: u64 = 1_000_000;
    let engine = Rc::new(RefCell::new(crate::jobs::Engine::default()));
    let mut interp = Interp::new(engine.clone());
    interp.set_files(Box::new(MemFiles::default()));
    let mut host = StringHost(String::new());
    if let Err(e) = interp.load(source) {
        return ScriptRun { stdout: String::new(), error: Some(e) };
    }
    // Every slice counts as at least one step, so even a slice that takes none ends.
    let mut spent = 0u64;
    loop {
        if spent >= max_steps {
            let pos = interp.current_form_pos();
            interp.stop();
            let error = LispError {
                message: format!("step limit exceeded ({max_steps} steps)"),
                pos: Some(pos),
                kind: ErrorKind::Limit,
            };
            return ScriptRun { stdout: host.0, error: Some(error) };
        }
        let before = interp.steps();
        let outcome = interp.run(&mut host, SLICE.min(max_steps - spent));
        spent = spent.saturating_add(interp.steps().saturating_sub(before).max(1));
        match outcome {
            Outcome::Value { printed, .. } => {
                host.0.push_str(&printed);
                host.0.push('\n');
            }
            Outcome::OutOfFuel => {}
            Outcome::Sleeping { until_ms } => {
                if let Ok(mut e) = engine.try_borrow_mut() {
                    e.advance(until_ms);
                }
            }
            Outcome::Idle => return ScriptRun { stdout: host.0, error: None },
            Outcome::Error(e) => return ScriptRun { stdout: host.0, error: Some(e) },
        }
    }
}
