#![cfg(not(target_arch = "wasm32"))]
//! Property tests of behaviour trees through the evaluator: random trees over every composite,
//! decorator, demo leaf and Lisp-written callback (with node memory, halt functions, errors,
//! wrong return values and job-time sleeps), ticked with random blackboard inputs.
//!
//! - every tick prints one of the three statuses and nothing panics;
//! - after more ticks and `bt.reset`, the same inputs give the same statuses (first-tick
//!   behaviour);
//! - `bt.save-dsl` -> `bt.load-dsl` and `bt.save` -> `bt.load` give trees that tick the same.

use granola::runtime::run_script;
use proptest::prelude::*;

mod bt_support;

const PRELUDE: &str = r#"
(bt.define-condition 'lisp-ok (lambda (inst key) (bt.blackboard.get inst key #f)))
(bt.define-action 'lisp-count
  (lambda (inst n)
    (let ((k (+ 1 (or (bt.node-memory inst) 0))))
      (bt.set-node-memory! inst k)
      (bt.blackboard.put inst 'counted k)
      (if (< k n) 'running 'success)))
  (lambda (inst n) (bt.blackboard.put inst 'halted n)))
(bt.define-action 'lisp-boom (lambda (inst) (car 1)))
(bt.define-action 'lisp-bad (lambda (inst) 42))
(bt.define-condition 'lisp-sleepy (lambda (inst) (time.sleep-ms 1) #t))
(define (run i inputs)
  (if (null? inputs) nil (let ((s (bt.tick i (car inputs)))) (cons s (run i (cdr inputs))))))
"#;

fn leaf() -> impl Strategy<Value = String> {
    let key = prop_oneof![Just("a"), Just("b"), Just("c")];
    prop_oneof![
        Just("(succeed)".to_string()),
        Just("(fail)".to_string()),
        Just("(running)".to_string()),
        Just("(cond always-true)".to_string()),
        Just("(act approach-target)".to_string()),
        Just("(act no-such-action)".to_string()),
        (0i64..3).prop_map(|n| format!("(act running-then-success {n})")),
        key.clone().prop_map(|k| format!("(cond bb-truthy {k})")),
        key.clone().prop_map(|k| format!("(cond lisp-ok {k})")),
        (1i64..4).prop_map(|n| format!("(act lisp-count {n})")),
        (key.clone(), 0i64..3).prop_map(|(k, v)| format!("(act bb-put-int {k} {v})")),
        Just("(act lisp-boom)".to_string()),
        Just("(act lisp-bad)".to_string()),
        Just("(cond lisp-sleepy)".to_string()),
    ]
}

fn tree() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 32, 3, |inner| {
        prop_oneof![
            bt_support::composite_text(inner.clone().boxed()),
            inner.clone().prop_map(|c| format!("(invert {c})")),
            (0i64..3, inner.clone()).prop_map(|(n, c)| format!("(repeat {n} {c})")),
            (0i64..3, inner.clone()).prop_map(|(n, c)| format!("(retry {n} {c})")),
            inner.prop_map(|c| format!("(slot s :contract \"c.v1\" {c})")),
        ]
    })
}

fn inputs() -> impl Strategy<Value = String> {
    let value = prop_oneof![Just("#t"), Just("#f"), Just("0"), Just("1")];
    let entry = (prop_oneof![Just("a"), Just("b"), Just("c")], value).prop_map(|(k, v)| format!("({k} {v})"));
    prop::collection::vec(prop::collection::vec(entry, 0..3).prop_map(|es| format!("({})", es.join(" "))), 1..7)
        .prop_map(|ticks| format!("'({})", ticks.join(" ")))
}

/// The printed `(label statuses...)` lines of a run, by label.
fn results(out: &str, label: &str) -> Option<String> {
    out.lines().find(|l| l.starts_with(&format!("({label} "))).map(|l| l[label.len() + 2..].to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn random_trees_reset_and_round_trips(t in tree(), ins in inputs()) {
        let program = format!(
            "{PRELUDE}
(define d (bt.compile '{t}))
(define i (bt.new-instance d))
(list 'fresh (run i {ins}))
(run i {ins})
(bt.reset i)
(list 'after-reset (run i {ins}))
(bt.save-dsl d \"tree.lisp\")
(list 'dsl (run (bt.new-instance (bt.load-dsl \"tree.lisp\")) {ins}))
(bt.save d \"tree.mbt\")
(list 'mbt1 (run (bt.new-instance (bt.load \"tree.mbt\")) {ins}))
"
        );
        let run = run_script(&program);
        prop_assert!(run.error.is_none(), "{}\n{:?}\n{}", t, run.error, run.stdout);
        let fresh = results(&run.stdout, "fresh").expect("fresh run printed");
        let body = fresh.trim_start_matches('(').trim_end_matches(')').trim_end_matches(')');
        for s in body.split_whitespace() {
            prop_assert!(matches!(s, "success" | "failure" | "running"), "status {s} in {fresh}");
        }
        prop_assert_eq!(results(&run.stdout, "after-reset"), Some(fresh.clone()), "reset: {}", t);
        prop_assert_eq!(results(&run.stdout, "dsl"), Some(fresh.clone()), "DSL round trip: {}", t);
        prop_assert_eq!(results(&run.stdout, "mbt1"), Some(fresh), "MBT1 round trip: {}", t);
    }
}

#[test]
fn deep_trees_compile_tick_save_and_load() {
    // 20,000 nested inverts: no recursion anywhere (compile, tick, halt, DSL, MBT1, DOT).
    let depth = 20_000;
    let tree = format!("{}(succeed){}", "(invert ".repeat(depth), ")".repeat(depth));
    let program = format!(
        "(define d (bt.compile '{tree}))
(define i (bt.new-instance d))
(bt.tick i)
(bt.reset i)
(bt.save d \"deep.mbt\")
(bt.save-dsl d \"deep.lisp\")
(bt.export-dot d \"deep.dot\")
(bt.tick (bt.new-instance (bt.load \"deep.mbt\")))
(bt.tick (bt.new-instance (bt.load-dsl \"deep.lisp\")))
"
    );
    let run = run_script(&program);
    assert!(run.error.is_none(), "{:?}", run.error);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines, ["<bt_def:1>", "<bt_instance:1>", "success", "nil", "#t", "#t", "#t", "success", "success"]);
}
