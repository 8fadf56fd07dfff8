//! The one run loop: every host (the CLI, `run_script`, the browser, the tests) drives an
//! [`Interp`] through [`RunLoop::next`], which counts the step budget and asks a [`Pacer`]
//! how to wait for job time.

use super::{ErrorKind, Host, Interp, LispError, Outcome, Pos};

/// How a [`RunLoop`] waits for job time and when it hands control back.
pub trait Pacer {
    /// Before every slice: bring job time up to date (the CLI advances the job engine to the
    /// wall clock here). Default: nothing.
    fn sync(&mut self) {}
    /// The program sleeps until job time `until_ms`. Either make job time get there and
    /// answer [`Wait::Ready`] (jump the clock, or block until then), or answer [`Wait::Later`]
    /// to hand control back ([`Driven::Waiting`]): the caller calls `next` again once job time
    /// has come (a browser, from a timer).
    fn wait(&mut self, until_ms: f64) -> Wait;
    /// After a slice that used all its fuel: `true` hands control back ([`Driven::Yield`]),
    /// e.g. once per browser frame. Default: never.
    fn should_yield(&mut self) -> bool {
        false
    }
    /// Checked before every slice: `true` ends the run with [`Driven::Interrupted`] (Ctrl-C,
    /// a Stop button). Default: never.
    fn interrupted(&mut self) -> bool {
        false
    }
}

/// A [`Pacer`]'s answer to a sleep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Job time has reached the wake-up time: go on.
    Ready,
    /// Return to the caller, who calls again later.
    Later,
}

/// Why [`RunLoop::next`] returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Driven {
    /// A top-level form finished; its value in printer form (the host echoes it).
    Value { printed: String, pos: Pos },
    /// The current form failed (the rest of its load is discarded).
    Error(LispError),
    /// Nothing left to run.
    Idle,
    /// The program sleeps until job time `until_ms` and the pacer answered [`Wait::Later`].
    Waiting { until_ms: f64 },
    /// The pacer asked to hand control back ([`Pacer::should_yield`]); call again.
    Yield,
    /// The pacer reported an interruption; the caller decides (usually [`Interp::stop`]).
    Interrupted,
    /// The step budget is spent (`steps` taken); the caller decides how to word it.
    BudgetSpent { steps: u64 },
}

/// Drives an [`Interp`] in slices of `slice` steps, under an overall step budget.
#[derive(Clone, Debug)]
pub struct RunLoop {
    slice: u64,
    budget: Option<u64>,
    used: u64,
}

impl RunLoop {
    /// Slices of `slice` steps; at most `budget` steps in all (`None`: no budget).
    pub fn new(slice: u64, budget: Option<u64>) -> RunLoop {
        RunLoop { slice: slice.max(1), budget, used: 0 }
    }

    /// Steps spent so far (every slice counts at least one, so even a program that only
    /// sleeps meets its budget).
    pub fn steps(&self) -> u64 {
        self.used
    }

    /// Run until something the caller must see: a value, an error, idle, a wait or yield
    /// the pacer asked for, an interruption, or the end of the budget.
    pub fn next(&mut self, interp: &mut Interp, host: &mut dyn Host, pacer: &mut dyn Pacer) -> Driven {
        loop {
            if pacer.interrupted() {
                return Driven::Interrupted;
            }
            let fuel = match self.budget {
                Some(b) if self.used >= b => return Driven::BudgetSpent { steps: self.used },
                Some(b) => self.slice.min(b - self.used),
                None => self.slice,
            };
            pacer.sync();
            let before = interp.steps();
            let outcome = interp.run(host, fuel);
            self.used = self.used.saturating_add(interp.steps().saturating_sub(before).max(1));
            match outcome {
                Outcome::Value { printed, pos } => return Driven::Value { printed, pos },
                Outcome::Error(e) => return Driven::Error(e),
                Outcome::Idle => return Driven::Idle,
                Outcome::OutOfFuel => {
                    if pacer.should_yield() {
                        return Driven::Yield;
                    }
                }
                Outcome::Sleeping { until_ms } => {
                    if pacer.wait(until_ms) == Wait::Later {
                        return Driven::Waiting { until_ms };
                    }
                }
            }
        }
    }

    /// Run everything queued to the end, collecting what `granola FILE` prints: program
    /// output and each top-level value on its own line. Stops at the first error; a spent
    /// budget is the limit error `step limit exceeded (N steps)` at the running form.
    pub fn run_to_end(&mut self, interp: &mut Interp, pacer: &mut dyn Pacer) -> ScriptRun {
        struct Collect(String);
        impl Host for Collect {
            fn print(&mut self, text: &str) {
                self.0.push_str(text);
            }
        }
        let mut out = Collect(String::new());
        loop {
            match self.next(interp, &mut out, pacer) {
                Driven::Value { printed, .. } => {
                    out.0.push_str(&printed);
                    out.0.push('\n');
                }
                Driven::Idle | Driven::Interrupted => return ScriptRun { stdout: out.0, error: None },
                Driven::Error(e) => return ScriptRun { stdout: out.0, error: Some(e) },
                Driven::Waiting { .. } | Driven::Yield => {}
                Driven::BudgetSpent { .. } => {
                    let pos = interp.current_form_pos();
                    interp.stop();
                    let error = LispError {
                        message: format!("step limit exceeded ({} steps)", self.budget.unwrap_or(self.used)),
                        pos: Some(pos),
                        kind: ErrorKind::Limit,
                    };
                    return ScriptRun { stdout: out.0, error: Some(error) };
                }
            }
        }
    }
}

/// What a whole script printed (see [`RunLoop::run_to_end`]).
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
