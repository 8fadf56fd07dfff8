//! The one place that composes the language: the builtin table (core + every front end) and
//! interpreters wired to a job engine, for the CLI, the server and the browser.
//!
//! Adding a front end is one line in [`FRONT_ENDS`]. [`new_interp`] gives an interpreter
//! whose job time is the engine's, with the engine installed as an extension
//! ([`SharedEngine`]) and every front end's `install` run. [`run_script`] runs a whole script
//! deterministically (job time jumps over sleeps), as the docs and tests do.

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

use crate::jobs::{Engine, SharedEngine};
use crate::lang::{self, FrontEnd, Interp, Limits, MemFiles, Pacer, RunLoop, ScriptRun, Table, Wait};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

/// Every front end, in table order (the order of `help`'s groups).
pub static FRONT_ENDS: &[&FrontEnd] = &[
    &lang::builtins::CORE,
    &crate::vla::FRONT_END,
    &crate::capability::lisp::FRONT_END,
    &crate::media::lisp::FRONT_END,
    &crate::planner::lisp::FRONT_END,
    &crate::env::lisp::FRONT_END,
    &crate::bt::lisp::FRONT_END,
];

/// The composed builtin table (built once per process).
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::compose(FRONT_ENDS))
}

/// An interpreter on [`table`] whose job time is `engine`'s, with the engine installed for
/// the front ends and each front end's extensions.
pub fn new_interp(engine: &Rc<RefCell<Engine>>, limits: Limits) -> Interp {
    new_interp_on(table(), engine, limits)
}

/// [`new_interp`] on another composition of front ends (a host that carries fewer of them,
/// e.g. the embed's small build, `granola::embed::model::small_table`).
pub fn new_interp_on(table: &'static Table, engine: &Rc<RefCell<Engine>>, limits: Limits) -> Interp {
    let mut interp = Interp::with_limits(table, limits);
    let shared = SharedEngine(engine.clone());
    interp.set_time(Box::new(shared.clone()));
    interp.install(shared);
    table.install(&mut interp);
    interp
}

/// Steps per slice when nothing else needs a turn (scripts, tests).
pub const SCRIPT_SLICE: u64 = 1_000_000;

/// A [`Pacer`] for deterministic runs: job time jumps straight to each wake-up time.
pub struct JumpClock(pub Rc<RefCell<Engine>>);

impl Pacer for JumpClock {
    fn wait(&mut self, until_ms: f64) -> Wait {
        if let Ok(mut e) = self.0.try_borrow_mut() {
            e.advance(until_ms);
        }
        Wait::Ready
    }
}

/// Run a whole script on a fresh interpreter and engine with a jumping clock (sleeping moves
/// job time forward at once) and in-memory files: what `granola FILE` prints,
/// deterministically. Stops with `step limit exceeded (100000000 steps)` after
/// [`Limits::SCRIPT_STEPS`] steps.
pub fn run_script(source: &str) -> ScriptRun {
    run_script_with_step_limit(source, Limits::SCRIPT_STEPS)
}

/// [`run_script`] with another overall step cap.
pub fn run_script_with_step_limit(source: &str, max_steps: u64) -> ScriptRun {
    let engine = Rc::new(RefCell::new(Engine::default()));
    let limits = Limits { step_budget: Some(max_steps), ..Limits::default() };
    let mut interp = new_interp(&engine, limits);
    interp.set_files(Box::new(MemFiles::default()));
    if let Err(e) = interp.load(source) {
        return ScriptRun { stdout: String::new(), error: Some(e) };
    }
    RunLoop::new(SCRIPT_SLICE, limits.step_budget).run_to_end(&mut interp, &mut JumpClock(engine))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_no_duplicate_names() {
        assert!(table().duplicates().is_empty(), "{:?}", table().duplicates());
        assert!(table().lookup("vla.poll").is_some());
        assert!(table().is_special_form("load"));
    }
}
