//! Running muslisp source in the page: [`run_source`] evaluates on the core evaluator in slices
//! on the main thread (the `<Runner>` view, `components::runner`, shows it as it goes).
//!
//! Each Run makes a fresh interpreter that shares the session's job engine, loads the whole
//! source (parse errors show at once with line and column), then drives it with the
//! language's one run loop ([`RunLoop`]) in small slices. Between slices it yields to the
//! browser (gloo-timers), so the page stays responsive; Stop sets a flag the loop checks before
//! every slice, so a run ends within one slice. Events (output, values, errors) are handed on as
//! they happen. A per-run step budget ends runaway programs with a clear message.
//!
//! The JS API's `eval` uses [`run_source`] too; the REPL drives its long-lived interpreter with
//! the same loop ([`drive`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;

use crate::lang::{Driven, ErrorKind, Host, Interp, Limits, LispError, RunLoop};
use crate::runtime::browser::FramePacer;

use super::session::Session;
use super::util::wall_now;

/// Steps per slice.
pub const SLICE_FUEL: u64 = 20_000;
pub use crate::runtime::browser::FRAME_MS;
/// Default step budget of one run.
pub const DEFAULT_BUDGET: u64 = 50_000_000;
/// `stdout` in a [`RunReport`] keeps at most this many bytes.
pub const MAX_REPORT_BYTES: usize = 1 << 20;

/// What a finished run produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunReport {
    /// Everything `granola FILE` would print on stdout: printed output, and each top-level
    /// value in printer form on its own line.
    pub stdout: String,
    /// The error that ended the run, as `line L, column C: message` (like the CLI's
    /// `fatal:` line without the prefix); also set for Stop and the step budget.
    pub error: Option<String>,
    /// Each top-level value in printer form, in order.
    pub values: Vec<String>,
}

impl RunReport {
    /// Exactly what `granola FILE` prints for this run (stdout, then `fatal: ...` if it failed):
    /// the text an example's `output` block holds.
    pub fn script_output(&self) -> String {
        let mut out = self.stdout.clone();
        if let Some(e) = &self.error {
            // exactly like `lang::ScriptRun::transcript` (no newline is added before it)
            out.push_str("fatal: ");
            out.push_str(e);
            out.push('\n');
        }
        out
    }

    /// Does this run's output match an example's documented `output` block (`docs::output_matches`)?
    pub fn matches(&self, expected: &str) -> bool {
        crate::docs::output_matches(expected, &self.script_output())
    }
}

/// Options of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunOptions {
    /// Total steps before the run is ended as runaway.
    pub budget: u64,
    /// Steps per slice.
    pub slice_fuel: u64,
    /// Run on a private engine whose job time jumps straight to the end of every
    /// `time.sleep-ms` (like `granola FILE` / `runtime::run_script`): the output is exactly what
    /// a docs page's `output` block holds (job ids from 1, exact latencies), but the jobs do
    /// not show in the page's job lists.
    pub isolated: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { budget: DEFAULT_BUDGET, slice_fuel: SLICE_FUEL, isolated: false }
    }
}

/// Something that happened during a run, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum RunEvent {
    /// Printed output, as produced.
    Output(String),
    /// A top-level form finished.
    Value { printed: String, line: u32, col: u32 },
    /// The run failed (parse error, runtime error, limit).
    Error { message: String, line: Option<u32>, col: Option<u32>, kind: ErrorKind },
    /// The program waits for job time (`time.sleep-ms`).
    Sleeping { until_ms: f64 },
    /// The run was stopped (Stop button) or ended by the step budget.
    Stopped { reason: String },
}

/// A cloneable stop flag for a run.
#[derive(Clone, Debug, Default)]
pub struct StopFlag(Rc<Cell<bool>>);

impl StopFlag {
    pub fn new() -> StopFlag {
        StopFlag::default()
    }
    pub fn stop(&self) {
        self.0.set(true);
    }
    pub fn is_stopped(&self) -> bool {
        self.0.get()
    }
}

struct Buf(String);

impl Host for Buf {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

fn error_event(e: &LispError) -> RunEvent {
    RunEvent::Error {
        message: e.message.clone(),
        line: e.pos.as_ref().map(|p| p.line),
        col: e.pos.as_ref().map(|p| p.col),
        kind: e.kind,
    }
}

fn push_capped(out: &mut String, text: &str) {
    if out.len() < MAX_REPORT_BYTES {
        let room = MAX_REPORT_BYTES - out.len();
        if text.len() <= room {
            out.push_str(text);
        } else {
            let mut cut = room;
            while cut > 0 && !text.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&text[..cut]);
        }
    }
}

/// Run `source` on a fresh interpreter sharing `session`'s engine, in slices, yielding to
/// the browser between them. `on` receives the events of each slice batch as they happen.
pub async fn run_source(
    session: &Session,
    source: &str,
    opts: RunOptions,
    stop: &StopFlag,
    on: impl FnMut(Vec<RunEvent>),
) -> RunReport {
    run_source_in(session, source, opts, stop, on, |_, _| {}).await
}

/// [`run_source`], first handing the fresh interpreter and its engine to `attach` (before the
/// source is loaded). The interpreter is borrowed only while a slice runs, so views (the live
/// tree view) can read it between slices and go on using it after the run.
pub async fn run_source_in(
    session: &Session,
    source: &str,
    opts: RunOptions,
    stop: &StopFlag,
    mut on: impl FnMut(Vec<RunEvent>),
    attach: impl FnOnce(&Rc<RefCell<Interp>>, &Rc<RefCell<crate::jobs::Engine>>),
) -> RunReport {
    let mut report = RunReport::default();
    let engine =
        if opts.isolated { Rc::new(RefCell::new(crate::jobs::Engine::default())) } else { session.engine.clone() };
    // The robotics builtins are loaded on demand (web::lazy): before a program that names them.
    if crate::runtime::names_on_demand(source) {
        if let Err(message) = super::lazy::ensure_on_demand().await {
            report.error = Some(message.clone());
            on(vec![RunEvent::Error { message, line: None, col: None, kind: ErrorKind::Runtime }]);
            return report;
        }
    }
    if !opts.isolated {
        // Job time is the clock's now (the driver may not have ticked since the last frame), so
        // a program's first sleep starts from the present, not from a stale engine time.
        session.advance();
    }
    let cell = Rc::new(RefCell::new(crate::runtime::new_interp(&engine, Limits::browser())));
    attach(&cell, &engine);
    let loaded = cell.borrow_mut().load(source);
    if let Err(e) = loaded {
        report.error = Some(e.located());
        on(vec![error_event(&e)]);
        return report;
    }
    drive(session, &engine, &cell, opts, stop, on).await
}

/// Run what is loaded in `interp` (whose job engine is `engine`) to the end through the one
/// run loop with the browser's pacer, yielding to the browser between slices; `on` receives
/// the events as they happen. [`run_source`] uses it on a fresh interpreter, the REPL on the
/// one that keeps its definitions. The interpreter is borrowed only while a slice runs, so
/// views (the live tree view) can use it between slices.
pub async fn drive(
    session: &Session,
    engine: &Rc<RefCell<crate::jobs::Engine>>,
    interp: &RefCell<Interp>,
    opts: RunOptions,
    stop: &StopFlag,
    mut on: impl FnMut(Vec<RunEvent>),
) -> RunReport {
    let mut report = RunReport::default();
    let mut host = Buf(String::new());
    let mut batch: Vec<RunEvent> = Vec::new();
    // Isolated runs jump job time at sleeps; the others wait for the page's job clock.
    let mut pacer = FramePacer::new(stop.0.clone(), opts.isolated.then(|| engine.clone()));
    let mut run = RunLoop::new(opts.slice_fuel, Some(opts.budget));
    loop {
        let driven = match interp.try_borrow_mut() {
            Ok(mut interp) => run.next(&mut interp, &mut host, &mut pacer),
            // A view is using the interpreter right now: try again next frame.
            Err(_) => Driven::Yield,
        };
        if !host.0.is_empty() {
            let text = std::mem::take(&mut host.0);
            push_capped(&mut report.stdout, &text);
            batch.push(RunEvent::Output(text));
        }
        match driven {
            Driven::Value { printed, pos } => {
                push_capped(&mut report.stdout, &printed);
                push_capped(&mut report.stdout, "\n");
                report.values.push(printed.clone());
                batch.push(RunEvent::Value { printed, line: pos.line, col: pos.col });
                if pacer.frame_over() {
                    on(std::mem::take(&mut batch));
                    pacer.yield_frame().await;
                }
            }
            Driven::Idle => break,
            Driven::Error(e) => {
                report.error = Some(e.located());
                batch.push(error_event(&e));
                break;
            }
            Driven::Interrupted => {
                interp.borrow_mut().stop();
                let reason = "Stopped.".to_string();
                report.error = Some(reason.clone());
                batch.push(RunEvent::Stopped { reason });
                break;
            }
            Driven::BudgetSpent { steps } => {
                interp.borrow_mut().stop();
                let reason = format!(
                    "Stopped after {} steps: the step budget of one run is used up (an endless loop?).",
                    group_digits(steps)
                );
                report.error = Some(reason.clone());
                batch.push(RunEvent::Stopped { reason });
                break;
            }
            Driven::Waiting { until_ms } => {
                batch.push(RunEvent::Sleeping { until_ms });
                on(std::mem::take(&mut batch));
                wait_for_job_time(session, until_ms, stop).await;
                pacer.restart();
            }
            Driven::Yield => {
                if !batch.is_empty() {
                    on(std::mem::take(&mut batch));
                }
                pacer.yield_frame().await;
            }
        }
    }
    if !batch.is_empty() {
        on(batch);
    }
    super::driver::poke();
    report
}

/// Wait (yielding to the browser) until the session's engine reaches job time `until_ms`,
/// or the run is stopped. Advances the engine itself too, so it also works without a driver.
async fn wait_for_job_time(session: &Session, until_ms: f64, stop: &StopFlag) {
    // Let the page show what was submitted before the wait.
    super::driver::poke();
    loop {
        if stop.is_stopped() {
            return;
        }
        let now = session.advance();
        if now >= until_ms {
            return;
        }
        let wall = session.clock.borrow().wall_until(until_ms, wall_now());
        let wait = if wall.is_finite() { wall.clamp(4.0, 100.0) } else { 100.0 };
        TimeoutFuture::new(wait as u32).await;
    }
}

fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
