#![cfg(not(target_arch = "wasm32"))]
//! Lisp callbacks run on the evaluator's own machine: a callback that never ends is stopped by
//! the step budget (as the Stop button stops it), the page-side loop keeps control, and the
//! instance it was ticking is usable again afterwards; deep Lisp recursion inside a callback
//! hits the ordinary depth limit; job-time sleeps inside callbacks count against the budget.

use granola::jobs::Engine;
use granola::lang::{Driven, Host, Interp, Limits, RunLoop};
use granola::runtime::{new_interp, JumpClock};
use std::cell::RefCell;
use std::rc::Rc;

struct Capture(String);
impl Host for Capture {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// Run `src`; returns the printed values and the first error (or `budget`), stopping the
/// interpreter the way a host's Stop does when the step budget runs out.
fn run(interp: &mut Interp, engine: &Rc<RefCell<Engine>>, src: &str, budget: u64) -> (Vec<String>, Option<String>) {
    let mut host = Capture(String::new());
    interp.load(src).expect("parses");
    let mut rl = RunLoop::new(1_000, Some(budget));
    let mut clock = JumpClock(engine.clone());
    let mut values = Vec::new();
    loop {
        match rl.next(interp, &mut host, &mut clock) {
            Driven::Value { printed, .. } => values.push(printed),
            Driven::Idle => return (values, None),
            Driven::Error(e) => return (values, Some(e.message)),
            Driven::BudgetSpent { .. } => {
                interp.stop();
                return (values, Some("budget".into()));
            }
            Driven::Waiting { .. } | Driven::Yield | Driven::Interrupted => {}
        }
    }
}

#[test]
fn a_runaway_callback_is_stopped_and_its_instance_recovers() {
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut interp = new_interp(&engine, Limits::default());
    let setup = "(define (spin inst) (spin inst))
(bt.define-action 'work spin)
(define i (bt.new-instance (bt (seq (act bb-put-int before 1) (act work)))))
(bt.tick i)";
    let (values, err) = run(&mut interp, &engine, setup, 200_000);
    assert_eq!(err.as_deref(), Some("budget"), "{values:?}");
    // The abandoned tick is discarded: the same instance ticks again once the action is fixed.
    let (values, err) = run(
        &mut interp,
        &engine,
        "(bt.define-action 'work (lambda (inst) 'success))
(list (bt.tick i) (bt.blackboard.get i 'before))
(bt.stats i)",
        1_000_000,
    );
    assert_eq!(err, None);
    assert_eq!(values[1], "(success 1)");
    assert!(values[2].starts_with("\"tick_count=1\\n"), "the abandoned tick did not finish: {}", values[2]);
    // The event log says what happened.
    let (values, _) = run(
        &mut interp,
        &engine,
        "(define (find lines) (if (null? lines) nil (let ((d (map.get (json.decode (car lines)) \"data\" nil))) (or (map.get d \"message\" nil) (find (cdr lines))))))
(find (events.dump 40))",
        1_000_000,
    );
    assert_eq!(values[1], "\"tick abandoned: evaluation stopped inside a callback\"");
}

#[test]
fn deep_recursion_inside_a_callback_is_the_ordinary_depth_error() {
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut interp = new_interp(&engine, Limits { max_depth: 500, ..Limits::default() });
    let (values, err) = run(
        &mut interp,
        &engine,
        "(define (deep n) (+ 1 (deep n)))
(bt.define-condition 'deep (lambda (inst) (deep 1)))
(define i (bt.new-instance (bt (sel (cond deep) (succeed)))))
(bt.tick i)",
        10_000_000,
    );
    // A limit error ends the whole form (it is not a callback failure).
    let err = err.expect("the depth limit ends the form");
    assert!(err.contains("maximum recursion depth exceeded"), "{err} {values:?}");
    let (values, err) =
        run(&mut interp, &engine, "(bt.define-condition 'deep (lambda (inst) #t))\n(bt.tick i)", 1_000_000);
    assert_eq!(err, None);
    assert_eq!(values.last().map(String::as_str), Some("success"));
}

#[test]
fn sleeping_callbacks_move_job_time_and_overrun_the_budget() {
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut interp = new_interp(&engine, Limits::default());
    let (values, err) = run(
        &mut interp,
        &engine,
        "(bt.define-action 'nap (lambda (inst ms) (time.sleep-ms ms) 'success))
(define i (bt.new-instance (bt (seq (act nap 15) (act nap 10)))))
(define t0 (time.now-ms))
(bt.tick i)
(- (time.now-ms) t0)
(bt.stats i)",
        10_000_000,
    );
    assert_eq!(err, None);
    assert_eq!(values[4], "25");
    assert!(values[5].starts_with("\"tick_count=1\\ntick_overrun_count=1\\ntick_last_ns=25000000\\n"), "{}", values[5]);
}
