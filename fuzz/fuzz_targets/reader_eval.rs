#![no_main]
//! Reader + evaluator fuzz target: any text is parsed and, if it parses, evaluated under a
//! step budget with small limits. Nothing may panic, hang or overflow the stack.

use granola::jobs::Engine;
use granola::lang::{Driven, Host, Limits, MemFiles, RunLoop};
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

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let engine = Rc::new(RefCell::new(Engine::default()));
    let limits = Limits { max_depth: 300, max_output_bytes: 1 << 16, ..Limits::default() };
    let mut interp = new_interp(&engine, limits);
    interp.set_files(Box::new(MemFiles::default()));
    let mut sink = Sink(0);
    if interp.load(&text).is_err() {
        return;
    }
    // A total budget of 200k steps in slices of 5k.
    let mut run = RunLoop::new(5_000, Some(200_000));
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
    let _ = interp.heap_stats();
});
