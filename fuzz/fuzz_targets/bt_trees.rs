#![no_main]
//! Behaviour-tree fuzz target. The first byte picks a mode:
//! - even: the rest is an MBT1 file, loaded with `bt.load` and, if it loads, ticked (with
//!   inputs), reset, converted to DSL text and DOT, and saved again;
//! - odd: the rest is text spliced into `(bt.compile '<text>)` after a prelude of Lisp
//!   conditions and actions (node memory, halt functions, errors, sleeps), then ticked,
//!   reset, and round-tripped through DSL text and MBT1. The text may also escape the quote:
//!   then it is simply evaluated.
//! Everything runs under a step budget with small limits. Nothing may panic, hang or overflow
//! the stack.

use granola::jobs::Engine;
use granola::lang::{Driven, Files, Host, Limits, MemFiles, RunLoop};
use granola::runtime::{new_interp, JumpClock};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::rc::Rc;

struct Sink(usize);
impl Host for Sink {
    fn print(&mut self, text: &str) {
        self.0 += text.len();
    }
}

const PRELUDE: &str = r#"
(bt.define-condition 'lisp-ok (lambda (inst key) (bt.blackboard.get inst key #f)))
(bt.define-action 'lisp-count
  (lambda (inst n) (let ((k (+ 1 (or (bt.node-memory inst) 0)))) (bt.set-node-memory! inst k) (if (< k n) 'running 'success)))
  (lambda (inst n) (bt.blackboard.put inst 'halted n)))
(bt.define-action 'lisp-boom (lambda (inst) (car 1)))
(bt.define-condition 'lisp-sleepy (lambda (inst) (time.sleep-ms 3) #t))
(define (ticks i n) (if (= n 0) nil (cons (bt.tick i (list (list 'a (= 0 (- n (* 2 (/ n 2))))) (list 'b n))) (ticks i (- n 1)))))
"#;

const AFTER: &str = r#"
(define i (bt.new-instance d))
(ticks i 6)
(time.sleep-ms 7)
(ticks i 3)
(bt.reset i)
(ticks i 4)
(bt.to-dsl d)
(bt.export-dot d "t.dot")
(bt.save d "t.mbt")
(ticks (bt.new-instance (bt.load "t.mbt")) 3)
(bt.save-dsl d "t.lisp")
(ticks (bt.new-instance (bt.load-dsl "t.lisp")) 3)
(bt.stats i)
(bt.blackboard.dump i)
(events.dump 50)
"#;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let engine = Rc::new(RefCell::new(Engine::default()));
    let limits = Limits { max_depth: 300, max_output_bytes: 1 << 16, ..Limits::default() };
    let mut interp = new_interp(&engine, limits);
    let mut files = MemFiles::default();
    let program = if mode % 2 == 0 {
        let _ = files.write_bytes("f.mbt", rest);
        format!("{PRELUDE}(define d (bt.load \"f.mbt\")){AFTER}")
    } else {
        let text = String::from_utf8_lossy(rest);
        format!("{PRELUDE}(define d (bt.compile '{text})){AFTER}")
    };
    interp.set_files(Box::new(files));
    let mut sink = Sink(0);
    if interp.load(&program).is_err() {
        return;
    }
    let mut run = RunLoop::new(5_000, Some(300_000));
    let mut clock = JumpClock(engine.clone());
    for _ in 0..1_000 {
        match run.next(&mut interp, &mut sink, &mut clock) {
            Driven::Idle | Driven::BudgetSpent { .. } | Driven::Interrupted => break,
            Driven::Value { printed, .. } => {
                let _ = printed.len();
            }
            Driven::Error(e) => {
                let _ = e.located();
            }
            Driven::Waiting { .. } | Driven::Yield => {}
        }
    }
    interp.stop();
});
