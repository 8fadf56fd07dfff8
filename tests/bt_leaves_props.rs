#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the VLA and planning leaves: random trees of `vla-request`, `vla-wait`,
//! `vla-cancel` and `plan-action` under every kind of composite and guard, driven by a random
//! sequence of ticks (with random guard flags), job-time sleeps, `bt.reset`, `vla.cancel` of
//! random job ids from Lisp, and ticks that overrun their budget. After every step:
//!
//! - no job a leaf submitted is still running (active, not asked to cancel) unless a leaf of
//!   its instance tracks it;
//! - no leaf tracks a job that does not exist;
//! - every tick returns a status and nothing panics.

use granola::bt::lisp::BtExt;
use granola::jobs::Engine;
use granola::lang::{Driven, Host, Interp, Limits, RunLoop};
use granola::runtime::{new_interp, JumpClock};
use granola::vla::VlaWork;
use proptest::prelude::*;

mod bt_support;
use std::cell::RefCell;
use std::rc::Rc;

struct Sink(String);
impl Host for Sink {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

struct World {
    engine: Rc<RefCell<Engine>>,
    interp: Interp,
    out: Sink,
}

impl World {
    fn new() -> World {
        let engine = Rc::new(RefCell::new(Engine::default()));
        let interp = new_interp(&engine, Limits::default());
        World { engine, interp, out: Sink(String::new()) }
    }

    /// Evaluate `src`; the printed values, or the error message.
    fn eval(&mut self, src: &str) -> Result<Vec<String>, String> {
        self.interp.load(src).map_err(|e| e.message.clone())?;
        let mut run = RunLoop::new(1_000_000, Some(Limits::SCRIPT_STEPS));
        let mut clock = JumpClock(self.engine.clone());
        let mut values = Vec::new();
        loop {
            match run.next(&mut self.interp, &mut self.out, &mut clock) {
                Driven::Value { printed, .. } => values.push(printed),
                Driven::Idle => return Ok(values),
                Driven::Error(e) => return Err(e.message.clone()),
                Driven::BudgetSpent { .. } => return Err("step budget spent".into()),
                Driven::Waiting { .. } | Driven::Yield | Driven::Interrupted => {}
            }
        }
    }

    /// The two invariants, as a list of violations.
    fn check(&mut self, instances: u32) -> Vec<String> {
        let mut problems = Vec::new();
        let tracked: Vec<Vec<u64>> = {
            let bt = self.interp.ext::<BtExt>().expect("bt extension");
            (1..=instances).map(|i| bt.rt.host_leaves().tracked_jobs(i)).collect()
        };
        let e = self.engine.borrow();
        for (k, ids) in tracked.iter().enumerate() {
            for id in ids {
                if e.job(*id).is_none() {
                    problems.push(format!("instance {} tracks job {id}, which does not exist", k + 1));
                }
            }
        }
        for j in e.jobs() {
            let Some(w) = j.work::<VlaWork>() else { continue };
            let Some(inst) = w.request.run_id.strip_prefix("inst-").and_then(|n| n.parse::<usize>().ok()) else {
                continue;
            };
            if j.state.is_active() && !j.cancel_requested {
                let ok = tracked.get(inst - 1).is_some_and(|ids| ids.contains(&j.id));
                if !ok {
                    problems
                        .push(format!("job {} of instance {inst} runs ({:?}) and no leaf tracks it", j.id, j.state));
                }
            }
        }
        problems
    }
}

const PRELUDE: &str = r#"
(bt.define-action 'slow (lambda (inst) (time.sleep-ms 25) 'success))
(define (status-of s) (if (eq? s 'success) 0 (if (eq? s 'failure) 1 (if (eq? s 'running) 2 3))))
"#;

fn name() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), Just(":name a ".to_string()), Just(":name b ".to_string())]
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        (name(), request_opts()).prop_map(|(n, o)| format!("(vla-request {n}{o})")),
        (name(), wait_opts()).prop_map(|(n, o)| format!("(vla-wait {n}{o})")),
        name().prop_map(|n| format!("(vla-cancel {n})")),
        Just("(plan-action :state_key q :work_max 20 :budget_ms 5)".to_string()),
        Just("(running)".to_string()),
        Just("(succeed)".to_string()),
        Just("(fail)".to_string()),
        Just("(act async-sleep-ms 2)".to_string()),
        prop_oneof![Just("g1"), Just("g2"), Just("g3")].prop_map(|g| format!("(cond bb-truthy {g})")),
        prop_oneof![Just("g1"), Just("g2")].prop_map(|g| format!("(sel (cond bb-truthy {g}) (act slow))")),
    ]
}

/// A request/wait pair in one of the shapes programs use, with random names and options.
fn block() -> impl Strategy<Value = String> {
    let guard = prop_oneof![Just("g1"), Just("g2"), Just("g3")];
    (name(), name(), 0u32..4, wait_opts(), request_opts(), guard, 0u32..4).prop_map(
        |(wn, other, same, w, r, g, shape)| {
            // Usually the same name on both sides; sometimes not (then they never meet).
            let rn = if same > 0 { wn.clone() } else { other };
            let w = format!("(vla-wait {wn}{w})");
            let r = format!("(vla-request {rn}{r})");
            match shape {
                0 => format!("(sel {w} (seq {r} (running)))"),
                1 => format!("(reactive-sel (seq (cond bb-truthy {g}) (act bb-put-float cmd 0.0)) {w} (seq {r} (running)))"),
                2 => format!("(reactive-sel (seq {w} (act bb-put-int applied 1)) (seq (act bb-put-float cmd 0.0) {r} (running)))"),
                _ => format!("(mem-seq (sel {w} (seq {r} (running))) (sel (seq (cond bb-truthy {g}) (vla-cancel {wn})) (succeed)))"),
            }
        },
    )
}

fn request_opts() -> impl Strategy<Value = String> {
    let deadline = prop_oneof![Just(1i64), Just(3), Just(20), Just(500)];
    (deadline, any::<bool>()).prop_map(|(d, bounded)| {
        let extra = if bounded { " :bound_lo -0.3 :bound_hi 0.3" } else { "" };
        format!(":instruction \"go\" :state_key q :deadline_ms {d}{extra}")
    })
}

fn wait_opts() -> impl Strategy<Value = String> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(early, cancel, clear)| {
        format!(
            ":action_key cmd :meta_key m :early_commit {} :early_confidence 0.5 :cancel_on_early_commit {} :clear_job {}",
            flag(early),
            flag(cancel),
            flag(clear)
        )
    })
}

fn tree() -> impl Strategy<Value = String> {
    prop_oneof![3 => block(), 2 => leaf()].prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            bt_support::composite_text(inner.clone().boxed()),
            inner.clone().prop_map(|c| format!("(invert {c})")),
            (0i64..3, inner).prop_map(|(n, c)| format!("(retry {n} {c})")),
        ]
    })
}

#[derive(Clone, Debug)]
enum Op {
    /// Tick instance k with these guard flags.
    Tick(u32, [bool; 3]),
    Sleep(u32),
    Reset(u32),
    /// `vla.cancel` of the n-th issued job (modulo the count).
    CancelJob(u64),
    /// A tick budget of 0 (none), 1 or 20 ms.
    Budget(u32, i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u32..2, any::<[bool; 3]>()).prop_map(|(k, g)| Op::Tick(k, g)),
        3 => (0u32..8).prop_map(Op::Sleep),
        1 => (0u32..2).prop_map(Op::Reset),
        1 => (1u64..40).prop_map(Op::CancelJob),
        1 => (0u32..2, prop_oneof![Just(0i64), Just(1), Just(20)]).prop_map(|(k, b)| Op::Budget(k, b)),
    ]
}

fn flag(b: bool) -> &'static str {
    if b {
        "#t"
    } else {
        "#f"
    }
}

/// Runs one case; returns how many jobs the leaves submitted.
fn run_case(trees: &[String], ops: &[Op]) -> Result<usize, TestCaseError> {
    let mut w = World::new();
    w.eval(PRELUDE).map_err(|e| TestCaseError::fail(format!("prelude: {e}")))?;
    for (k, t) in trees.iter().enumerate() {
        let src = format!("(define i{} (bt.new-instance (bt {t})))", k + 1);
        w.eval(&src).map_err(|e| TestCaseError::fail(format!("{src}: {e}")))?;
    }
    let n = trees.len() as u32;
    for (step, op) in ops.iter().enumerate() {
        let src = match op {
            Op::Tick(k, g) => format!(
                "(status-of (bt.tick i{} (list (list 'q 0.1) (list 'g1 {}) (list 'g2 {}) (list 'g3 {}))))",
                k % n + 1,
                flag(g[0]),
                flag(g[1]),
                flag(g[2])
            ),
            Op::Sleep(ms) => format!("(time.sleep-ms {ms})"),
            Op::Reset(k) => format!("(bt.reset i{})", k % n + 1),
            Op::CancelJob(j) => {
                let issued = w.engine.borrow().issued();
                if issued == 0 {
                    continue;
                }
                format!("(vla.cancel {})", (j - 1) % issued + 1)
            }
            Op::Budget(k, b) => format!("(bt.set-tick-budget-ms i{} {b})", k % n + 1),
        };
        let got = w.eval(&src).map_err(|e| TestCaseError::fail(format!("step {step} {src}: {e}")))?;
        if let Op::Tick(..) = op {
            prop_assert!(
                matches!(got.last().map(String::as_str), Some("0" | "1" | "2")),
                "step {step}: {src} gave {got:?}"
            );
        }
        let problems = w.check(n);
        prop_assert!(problems.is_empty(), "after step {step} ({src}): {problems:?}\ntrees: {trees:?}\nops: {ops:?}");
    }
    // Whatever happened, a reset of every instance and a little job time leave no job running.
    for k in 1..=n {
        w.eval(&format!("(bt.reset i{k})")).map_err(TestCaseError::fail)?;
    }
    w.eval("(time.sleep-ms 5)").map_err(TestCaseError::fail)?;
    let running: Vec<u64> =
        w.engine.borrow().jobs().filter(|j| j.is::<VlaWork>() && j.state.is_active()).map(|j| j.id).collect();
    prop_assert!(running.is_empty(), "jobs still running after reset: {running:?}");
    prop_assert!(w.check(n).is_empty());
    let submitted = w
        .engine
        .borrow()
        .jobs()
        .filter(|j| j.work::<VlaWork>().is_some_and(|v| v.request.run_id.starts_with("inst-")))
        .count();
    Ok(submitted)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn leaves_never_lose_or_invent_jobs(
        trees in prop::collection::vec(tree(), 1..3),
        ops in prop::collection::vec(op(), 1..60),
    ) {
        let n = run_case(&trees, &ops)?;
        if std::env::var("LEAVES_PROPS_VERBOSE").is_ok() {
            eprintln!("{n} jobs submitted");
        }
    }
}

/// The shapes the guides use, with the operations that stress them most, as fixed cases.
#[test]
fn guide_shapes_keep_the_invariants() {
    let trees = [
        "(reactive-sel (seq (cond bb-truthy g1) (act bb-put-float cmd 0.0)) (vla-wait :name nav :action_key cmd) (seq (vla-request :name nav :instruction \"go\" :state_key q :deadline_ms 500) (running)))".to_string(),
        "(sel (vla-wait :name a :action_key cmd :early_commit #t :early_confidence 0.5 :cancel_on_early_commit #f) (seq (vla-request :name a :instruction \"go\" :state_key q :deadline_ms 500) (running)))".to_string(),
    ];
    let mut ops = Vec::new();
    for i in 0..30u32 {
        ops.push(Op::Tick(i % 2, [i % 5 == 0, false, false]));
        ops.push(Op::Sleep(i % 3));
        if i % 11 == 10 {
            ops.push(Op::Reset(i % 2));
        }
        if i % 7 == 6 {
            ops.push(Op::CancelJob(u64::from(i)));
        }
    }
    let submitted = run_case(&trees, &ops).unwrap();
    assert!(submitted >= 10, "the fixed case submits jobs ({submitted})");
}
