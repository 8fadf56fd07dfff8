//! The one place that composes the language: the builtin table (core + every front end) and
//! interpreters wired to a job engine, for the CLI, the server and the browser.
//!
//! Adding a front end is one line in [`FRONT_ENDS`] or [`ON_DEMAND`]. [`new_interp`] gives an
//! interpreter whose job time is the engine's, with the engine installed as an extension
//! ([`SharedEngine`]) and every front end's `install` run. [`run_script`] runs a whole script
//! deterministically (job time jumps over sleeps), as the docs and tests do.
//!
//! The table is [`FRONT_ENDS`] followed by [`ON_DEMAND`]. Every host composes both from the
//! start but the split site build (`make dist`), which keeps the code of the [`ON_DEMAND`] front
//! ends out of its first load: its table starts with [`FRONT_ENDS`] only (completion, search and
//! help know the robotics builtins once their code is in); before it runs a program that names one of their
//! builtins ([`names_on_demand`]) it loads that code (`web::lazy`), calls [`add_on_demand`] and
//! moves the interpreter to the full table ([`extend_interp`], `lang::Interp::extend_table`).

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

use crate::jobs::{Engine, SharedEngine};
use crate::lang::{self, FrontEnd, Interp, Limits, MemFiles, Pacer, RunLoop, ScriptRun, Table, Wait};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

/// The front ends every host has from the start, in table order (the order of `help`'s groups).
pub static FRONT_ENDS: &[&FrontEnd] = &[&lang::builtins::CORE, &crate::vla::FRONT_END];

/// The front ends that follow [`FRONT_ENDS`] in the table: the robotics groups. The browser
/// loads their code when a program first names one of their rows (see the module docs).
pub static ON_DEMAND: &[&FrontEnd] = &[
    &crate::capability::lisp::FRONT_END,
    &crate::media::lisp::FRONT_END,
    &crate::planner::lisp::FRONT_END,
    &crate::env::lisp::FRONT_END,
    &crate::bt::lisp::FRONT_END,
];

/// Names of the [`ON_DEMAND`] rows, by prefix (`bt.`, `env.`, ...) or whole name (`bt`,
/// `defbt`, `cap.call`): what the browser looks for in a program before it runs it. A test
/// checks that every on-demand row matches and no [`FRONT_ENDS`] row does.
pub const ON_DEMAND_PREFIXES: &[&str] =
    &["bt.", "events.", "planner.", "env.", "media.", "image.", "blob.", "model-service."];
/// See [`ON_DEMAND_PREFIXES`].
pub const ON_DEMAND_NAMES: &[&str] = &["bt", "defbt", "cap.call"];

/// Whether `name` is (or may be) the name of an [`ON_DEMAND`] row.
pub fn is_on_demand_name(name: &str) -> bool {
    ON_DEMAND_NAMES.contains(&name) || ON_DEMAND_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Core builtins that list the table (`help`, `apropos`): a program that calls them gets the
/// whole table, so they count as naming the [`ON_DEMAND`] rows too.
pub const TABLE_READERS: &[&str] = &["help", "apropos"];

/// Whether `source` names a builtin or special form of the [`ON_DEMAND`] front ends, or a
/// [`TABLE_READERS`] builtin (a rough scan of its symbols, also inside strings and comments:
/// loading more than needed is harmless).
pub fn names_on_demand(source: &str) -> bool {
    source
        .split(|c: char| c.is_whitespace() || "()[]{}'`,\";".contains(c))
        .any(|w| is_on_demand_name(w) || TABLE_READERS.contains(&w))
}

static FULL: OnceLock<Table> = OnceLock::new();

/// The composed builtin table (built once per process): every front end; in the split site
/// build (`granola_split`, see `web::lazy`) [`FRONT_ENDS`] until [`add_on_demand`] has been
/// called, then every front end.
pub fn table() -> &'static Table {
    if let Some(t) = FULL.get() {
        return t;
    }
    #[cfg(not(all(target_arch = "wasm32", granola_split)))]
    {
        add_on_demand(ON_DEMAND)
    }
    #[cfg(all(target_arch = "wasm32", granola_split))]
    {
        static FIRST: OnceLock<Table> = OnceLock::new();
        FIRST.get_or_init(|| Table::compose(FRONT_ENDS))
    }
}

/// Compose the full table from [`FRONT_ENDS`] and `on_demand` (which is [`ON_DEMAND`]: the
/// browser passes it in from the module that holds their code). Later calls return the same table.
pub fn add_on_demand(on_demand: &'static [&'static FrontEnd]) -> &'static Table {
    FULL.get_or_init(|| {
        let all: Vec<&FrontEnd> = FRONT_ENDS.iter().chain(on_demand).copied().collect();
        Table::compose(&all)
    })
}

/// Whether the table has the [`ON_DEMAND`] front ends (always, but in the split site build).
pub fn has_on_demand() -> bool {
    FULL.get().is_some() || cfg!(not(all(target_arch = "wasm32", granola_split)))
}

/// Move `interp` to the current [`table`] if it was made before [`add_on_demand`] (see
/// `lang::Interp::extend_table`); nothing to do otherwise.
pub fn extend_interp(interp: &mut Interp) -> Result<(), String> {
    interp.extend_table(table())
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
    fn on_demand_rows_are_found_by_name_and_first_rows_are_not() {
        let missed: Vec<&str> = ON_DEMAND
            .iter()
            .flat_map(|fe| fe.groups.iter().flat_map(|g| g.iter()))
            .map(|row| row.name)
            .filter(|n| !is_on_demand_name(n) || !names_on_demand(&format!("(list ({n} 1))")))
            .collect();
        assert!(missed.is_empty(), "not matched by ON_DEMAND_PREFIXES/NAMES: {missed:?}");
        for fe in FRONT_ENDS {
            for row in fe.groups.iter().flat_map(|g| g.iter()) {
                assert!(!is_on_demand_name(row.name), "{} ({}) matches the on-demand names", row.name, fe.name);
            }
        }
        assert!(!names_on_demand("(define (f x) (+ x 1)) (vla.submit req)"));
    }

    #[test]
    fn an_interpreter_moves_to_a_table_with_more_front_ends() {
        static FIRST: OnceLock<Table> = OnceLock::new();
        let first = FIRST.get_or_init(|| Table::compose(FRONT_ENDS));
        let engine = Rc::new(RefCell::new(Engine::default()));
        let mut interp = Interp::with_limits(first, Limits::default());
        let shared = SharedEngine(engine.clone());
        interp.set_time(Box::new(shared.clone()));
        interp.install(shared);
        first.install(&mut interp);
        let run = |interp: &mut Interp, src: &str| {
            interp.load(src).unwrap();
            let r = RunLoop::new(SCRIPT_SLICE, None).run_to_end(interp, &mut JumpClock(engine.clone()));
            (r.stdout, r.error.map(|e| e.message))
        };
        let (_, err) = run(&mut interp, "(define env.step 5) (define x 2) (bt.new-instance 1)");
        assert!(err.unwrap_or_default().contains("bt.new-instance"), "unbound before the extension");
        assert!(table().extends(first));
        extend_interp(&mut interp).unwrap();
        let (out, err) = run(&mut interp, "(print x env.step) (print (bt.tick (bt.new-instance (bt (succeed)))))");
        assert_eq!(err, None);
        assert_eq!(out, "2 5\nnil\nsuccess\nnil\n");
    }

    #[test]
    fn the_table_has_no_duplicate_names() {
        assert!(table().duplicates().is_empty(), "{:?}", table().duplicates());
        assert!(table().lookup("vla.poll").is_some());
        assert!(table().is_special_form("load"));
    }
}
