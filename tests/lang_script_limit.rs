#![cfg(not(target_arch = "wasm32"))]
//! `run_script` never hangs: an overall step cap ends scripts that would run forever.

use granola::lang::{ErrorKind, Limits};
use granola::runtime::{run_script, run_script_with_step_limit};

#[test]
fn infinite_tail_loop_hits_the_step_limit() {
    let src = "(print \"start\")\n(define (spin n) (spin (+ n 1)))\n(spin 0)\n(print \"never\")";
    let r = run_script_with_step_limit(src, 300_000);
    let e = r.error.expect("an endless loop must end with an error");
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(e.message, "step limit exceeded (300000 steps)");
    assert_eq!(e.located(), "line 3, column 1: step limit exceeded (300000 steps)");
    assert_eq!(r.stdout, "\"start\"\nnil\n<closure>\n");
}

#[test]
fn endless_sleeping_hits_the_step_limit() {
    let src = "(define (nap) (time.sleep-ms 1) (nap))\n(nap)";
    let r = run_script_with_step_limit(src, 50_000);
    let e = r.error.expect("endless sleeping must end with an error");
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(e.located(), "line 2, column 1: step limit exceeded (50000 steps)");
}

#[test]
fn scripts_under_the_limit_are_unaffected() {
    let src = "(define (count n acc) (if (= n 0) acc (count (- n 1) (+ acc 1))))\n(count 10000 0)";
    let r = run_script_with_step_limit(src, 1_000_000);
    assert_eq!(r.error, None);
    assert_eq!(r.stdout, "<closure>\n10000\n");
}

#[test]
fn run_script_uses_the_default_cap() {
    assert_eq!(Limits::SCRIPT_STEPS, 100_000_000);
    // The real cap, on an endless loop: it ends, with the documented message.
    let r = run_script("(define (spin) (spin))\n(spin)");
    let e = r.error.expect("run_script must not hang");
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(e.message, "step limit exceeded (100000000 steps)");
}
