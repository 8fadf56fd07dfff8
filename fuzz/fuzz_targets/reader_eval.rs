#![no_main]
//! Reader + evaluator fuzz target: any text is parsed and, if it parses, evaluated under a
//! step budget with small limits. Nothing may panic, hang or overflow the stack.

use granola::jobs::Engine;
use granola::lang::{Host, Interp, Limits, MemFiles, Outcome};
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
    let limits = Limits { max_depth: 300, max_output_bytes: 1 << 16 };
    let mut interp = Interp::with_limits(engine.clone(), limits);
    interp.set_files(Box::new(MemFiles::default()));
    let mut sink = Sink(0);
    if interp.load(&text).is_err() {
        return;
    }
    // A total budget of 200k steps in slices of 5k.
    for _ in 0..40 {
        match interp.run(&mut sink, 5_000) {
            Outcome::Idle => break,
            Outcome::Sleeping { until_ms } => {
                if until_ms.is_finite() {
                    engine.borrow_mut().advance(until_ms);
                } else {
                    break;
                }
            }
            Outcome::Value { printed, .. } => {
                let _ = printed.len();
            }
            Outcome::Error(e) => {
                let _ = e.located();
            }
            Outcome::OutOfFuel => {}
        }
    }
    interp.stop();
    let _ = interp.heap_stats();
});
