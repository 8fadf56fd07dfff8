//! Which evaluator a page gets. The embed comes in two builds with the same JS API:
//!
//! - the **small** one (`granola-embed_bg.wasm`, the default first load): the core language,
//!   jobs and VLA, behaviour trees (without the host leaves) — [`SMALL_FRONT_ENDS`];
//! - the **full** one (`granola-embed-full_bg.wasm`): every front end of the site
//!   (`runtime::FRONT_ENDS`: also the planner, simulated environments, media, `cap.call`,
//!   model services and the trees' VLA/planning leaves).
//!
//! The loader (www/embed/loader.js) picks the full build when the page asks for it
//! (`data-full`) or when a block it takes over names something only the full build has
//! ([`needs_full`], by the same rule as the loader's `FULL_ONLY`, kept equal by a test); each
//! build's entry point tells the snippets which one they run on ([`Evaluator`]), so the small
//! one can say why a symbol is unbound ([`hint`]).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

use crate::jobs::Engine;
use crate::lang::{FrontEnd, Interp, Limits, Table};

/// The small build's front ends.
pub static SMALL_FRONT_ENDS: &[&FrontEnd] =
    &[&crate::lang::builtins::CORE, &crate::vla::FRONT_END, &crate::bt::lisp::FRONT_END_WITHOUT_HOST_LEAVES];

/// Names only the full build has: an entry ending in `.` is a prefix, any other a whole name
/// (builtins of the planner, env, media, capability and model-service groups; the trees' host
/// leaves). The loader carries the same list (`var FULL_ONLY = [...]`).
pub const FULL_ONLY: &[&str] = &[
    "env.",
    "planner.",
    "image.",
    "blob.",
    "model-service.",
    "cap.call",
    "plan-action",
    "vla-request",
    "vla-wait",
    "vla-cancel",
];

/// The small build's table (composed once).
pub fn small_table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::compose(SMALL_FRONT_ENDS))
}

/// An interpreter of the small build.
pub fn small_interp(engine: &Rc<RefCell<Engine>>, limits: Limits) -> Interp {
    crate::runtime::new_interp_on(small_table(), engine, limits)
}

/// Whether `symbol` is only in the full build.
pub fn needs_full(symbol: &str) -> bool {
    FULL_ONLY.iter().any(|f| if f.ends_with('.') { symbol.starts_with(f) } else { symbol == *f })
}

/// The symbols of `source` as the loader splits them (on whitespace, parentheses, quotes and
/// commas: strings and comments are not told apart, so a name in a string also counts).
pub fn tokens(source: &str) -> impl Iterator<Item = &str> {
    source.split(|c: char| c.is_whitespace() || "()'`,\"".contains(c)).filter(|t| !t.is_empty())
}

/// Whether any of `source`'s symbols needs the full build.
pub fn source_needs_full(source: &str) -> bool {
    tokens(source).any(needs_full)
}

/// What the small build adds to an "unbound symbol" error whose symbol is in the full build.
pub fn hint(message: &str) -> Option<String> {
    let name = message.strip_prefix("unbound symbol: ")?.trim();
    needs_full(name).then(|| {
        format!(
            "{name} is in Granola's full evaluator; this page loaded the small one. Add data-full to the page's granola-embed.js script tag."
        )
    })
}

/// The evaluator a build's entry point hands the snippets.
#[derive(Clone, Copy)]
pub struct Evaluator {
    pub new_interp: fn(&Rc<RefCell<Engine>>, Limits) -> Interp,
    pub full: bool,
}

impl Evaluator {
    /// The small build's.
    pub const SMALL: Evaluator = Evaluator { new_interp: small_interp, full: false };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_small_build_lacks_exactly_the_full_only_names() {
        let small = small_table();
        let full = crate::runtime::table();
        let mut missing = 0;
        for b in full.rows() {
            let absent = small.lookup_any(b.name).is_none();
            assert_eq!(
                absent,
                needs_full(b.name),
                "{}: in the small build = {}, FULL_ONLY says {}",
                b.name,
                !absent,
                needs_full(b.name)
            );
            missing += usize::from(absent);
        }
        assert!(missing >= 20, "{missing}");
        for b in small.rows() {
            assert!(full.lookup_any(b.name).is_some(), "{} is only in the small build", b.name);
        }
    }

    fn run(new_interp: fn(&Rc<RefCell<Engine>>, Limits) -> Interp, src: &str) -> String {
        let engine = Rc::new(RefCell::new(Engine::default()));
        let mut interp = new_interp(&engine, Limits::default());
        interp.load(src).expect("reads");
        crate::lang::RunLoop::new(crate::runtime::SCRIPT_SLICE, Some(10_000_000))
            .run_to_end(&mut interp, &mut crate::runtime::JumpClock(engine))
            .transcript()
    }

    #[test]
    fn host_leaves_fail_in_the_small_build_and_plan_in_the_full_one() {
        let src = "(define i (bt.new-instance (bt (plan-action :name \"pl\" :state_key s :action_key a :work_max 100 :budget_ms 1000))))\n(bt.tick i (list (list 's 0.0)))\n(bt.blackboard.get i 'a nil)";
        assert!(source_needs_full(src));
        let small = run(small_interp, src);
        assert!(small.ends_with("failure\nnil\n"), "{small}");
        let full = run(crate::runtime::new_interp, src);
        assert!(full.ends_with("success\n0.917696957308584\n"), "{full}");
        // the rest of the language is the same
        let both =
            "(define (sq x) (* x x))\n(map sq '(1 2 3))\n(bt.tick (bt.new-instance (bt (seq (succeed) (succeed)))))";
        assert_eq!(run(small_interp, both), run(crate::runtime::new_interp, both));
    }

    #[test]
    fn sources_and_hints() {
        assert!(source_needs_full("(env.info)"));
        assert!(source_needs_full("(define p (planner.plan req))"));
        assert!(source_needs_full("(bt (seq (vla-request :name x)))"));
        assert!(!source_needs_full("(vla.submit req) (cap.list) (bt.tick t) (define envx 1)"));
        assert!(!source_needs_full("(cap.describe \"x\")"));
        assert_eq!(
            hint("unbound symbol: env.info").as_deref(),
            Some("env.info is in Granola's full evaluator; this page loaded the small one. Add data-full to the page's granola-embed.js script tag.")
        );
        assert_eq!(hint("unbound symbol: square"), None);
    }
}
