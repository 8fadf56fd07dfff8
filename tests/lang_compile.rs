#![cfg(not(target_arch = "wasm32"))]
//! The compile pass changes nothing observable: every program gives the same values, output,
//! errors (message and position) and step counts compiled as walked.

use granola::jobs::Engine;
use granola::lang::{Driven, Host, Interp, Limits, MemFiles, RunLoop};
use granola::runtime::{new_interp, JumpClock};
use proptest::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

struct Capture(String);
impl Host for Capture {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// Everything observable from running `chunks` in one session, each to its end, with the
/// step count after every event.
fn observe(chunks: &[String], compiled: bool, budget: u64, slice: u64) -> Vec<String> {
    observe_with(chunks, compiled, budget, slice, None)
}

fn observe_with(chunks: &[String], compiled: bool, budget: u64, slice: u64, files: Option<&MemFiles>) -> Vec<String> {
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut interp: Interp = new_interp(&engine, Limits::default());
    interp.set_compiling(compiled);
    if let Some(f) = files {
        interp.set_files(Box::new(f.clone()));
    }
    let mut host = Capture(String::new());
    let mut log = Vec::new();
    for src in chunks {
        if let Err(e) = interp.load(src) {
            log.push(format!("read error {}", e.located()));
            continue;
        }
        let mut run = RunLoop::new(slice, Some(budget));
        let mut clock = JumpClock(engine.clone());
        loop {
            let ev = match run.next(&mut interp, &mut host, &mut clock) {
                Driven::Value { printed, pos } => format!("value {printed} at {pos:?}"),
                Driven::Error(e) => format!("error {} ({:?})", e.located(), e.kind),
                Driven::Idle => break,
                Driven::BudgetSpent { steps } => {
                    interp.stop();
                    log.push(format!("budget spent {steps} | steps {}", interp.steps()));
                    break;
                }
                Driven::Waiting { .. } | Driven::Yield | Driven::Interrupted => continue,
            };
            log.push(format!(
                "{ev} | steps {} | out {:?}",
                interp.steps(),
                without_counts(&std::mem::take(&mut host.0))
            ));
        }
    }
    log.push(format!("end steps {} out {:?}", interp.steps(), without_counts(&host.0)));
    log
}

/// `heap-stats` lines without their numbers: compiled calls free their environments as they
/// return, so the collector's counts differ (the walked run leaves them to the collector).
fn without_counts(out: &str) -> String {
    const STATS: [&str; 7] = [
        "live objects after last GC: ",
        "bytes allocated: ",
        "next GC threshold: ",
        "collection count: ",
        "total GC pause ns: ",
        "freed objects total: ",
        "forced collection count: ",
    ];
    out.lines()
        .map(|l| match STATS.iter().find(|s| l.starts_with(*s)) {
            Some(s) => format!("{s}N"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn same(chunks: &[String], budget: u64) {
    for slice in [1_000_000, 7] {
        let walked = observe(chunks, false, budget, slice);
        let compiled = observe(chunks, true, budget, slice);
        for (i, (w, c)) in walked.iter().zip(&compiled).enumerate() {
            assert_eq!(w, c, "event {i} differs (slice {slice}) in:\n{}", chunks.join("\n;----\n"));
        }
        assert_eq!(walked.len(), compiled.len(), "event counts differ in:\n{}", chunks.join("\n;----\n"));
    }
}

/// A transcript file cut where the transcript runner cuts it (at its directive lines).
fn transcript_chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if line.starts_with(";=>") || line.starts_with(";!!") {
            out.push(std::mem::take(&mut cur));
        } else if !line.starts_with(";out>") {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

fn lisp_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "lisp") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn transcripts_run_the_same_compiled() {
    let files = lisp_files("tests/transcripts");
    assert!(files.len() >= 20, "transcripts missing: {}", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        same(&transcript_chunks(&text), 2_000_000);
    }
}

#[test]
fn examples_and_benches_run_the_same_compiled() {
    let mut files = lisp_files("examples");
    files.extend(lisp_files("bench"));
    assert!(files.len() >= 10, "examples/benches missing");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // (a bounded prefix of each run: steps are compared event by event)
        same(&[text], 300_000);
    }
}

#[test]
fn scoping_corners_run_the_same_compiled() {
    let progs = [
        // body defines shadowing parameters and globals, used before and after
        "(define x 1) (define (f x) (define y x) (define x 5) (list x y)) (f 2) x",
        "(define (g) (let ((a 1)) (define a 2) (define b 3) (+ a b))) (g)",
        "(define (h n) (if (> n 0) (define z n)) z) (h 1) (h 0)",
        "(define z 10) (define (k) (list z (begin (define z 3) z))) (k) z",
        // closures capturing loop variables, shadowing, duplicates
        "(define (mk n acc) (if (= n 0) acc (mk (- n 1) (cons (lambda () n) acc)))) (map (lambda (f) (f)) (mk 3 '()))",
        "((lambda (x x) x) 1 2) (let ((a 1) (a 2)) a)",
        "(define (outer a) (lambda (b) (lambda (c) (list a b c)))) (((outer 1) 2) 3)",
        // redefinition of globals seen by compiled closures
        "(define (p) (q)) (define (q) 1) (p) (define (q) 2) (p)",
        "(define (r) car) (r) (define car cdr) (r)",
        // errors and their positions
        "(define (e1 x) (+ x undefined-thing)) (e1 1)",
        "(if 1 2 3 4)",
        "(let ((a)) a)",
        "(let x 1)",
        "(cond (1 2) ())",
        "(cond (#f 2) ())",
        "(cond (else 1) (2 3))",
        "(lambda x 1)",
        "(define (f . x) 1)",
        "(quote)",
        "(1 2 3)",
        "(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1))))) (deep 100000)",
        "(define (loop) (loop)) (loop)",
        "(and) (or) (and 1 2 #f 3) (or #f #f) (or #f 2) (cond) (begin)",
        "(define (t1 n) (or (= n 0) (t1 (- n 1)))) (t1 100000)",
        "(let ((f (lambda (x) `(a ,x ,@(list x x))))) (f 3))",
        "(define (uq x) `(1 ,(define w x) ,w)) (uq 9) w",
        ":kw",
        "(list :kw)",
        "undefined-sym",
        "(car)",
        "(car 1 2)",
        "((lambda (x) x))",
        "(define v (vec 1 2)) (vec.push! v 3) v",
        "(define (sl) (time.sleep-ms 5) 1) (sl) (time.now-ms)",
        "(let ((a 1)) (let ((b (+ a 1))) (let ((c (+ a b))) (list a b c))))",
        "(define (cnt n) (cond ((= n 0) 'done) ((< n 0)) (else (cnt (- n 1))))) (cnt 5) (cnt -1)",
    ];
    for p in progs {
        same(&[p.to_string()], 2_000_000);
    }
}

fn gen_expr(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        Just("f".to_string()),
        Just("nope".to_string()),
        Just("1".to_string()),
        Just("2.5".to_string()),
        Just("#f".to_string()),
        Just("nil".to_string()),
        Just("\"s\"".to_string()),
        Just("'(1 2)".to_string()),
        Just("+".to_string()),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let e = || gen_expr(depth - 1);
    let name = prop_oneof![Just("x"), Just("y"), Just("f"), Just("g")];
    prop_oneof![
        3 => leaf,
        1 => (e(), e(), e()).prop_map(|(a, b, c)| format!("(if {a} {b} {c})")),
        1 => (e(), e()).prop_map(|(a, b)| format!("(if {a} {b})")),
        1 => e().prop_map(|a| format!("(if {a})")),
        1 => (name.clone(), e(), e()).prop_map(|(n, a, b)| format!("(let (({n} {a})) {b})")),
        1 => (name.clone(), e(), e(), e()).prop_map(|(n, a, b, c)| format!("(let (({n} {a}) (y {b})) (define x {c}) x {n})")),
        1 => (name.clone(), e()).prop_map(|(n, a)| format!("(lambda ({n}) {a})")),
        1 => (name.clone(), e()).prop_map(|(n, a)| format!("(define {n} {a})")),
        1 => (name.clone(), e(), e()).prop_map(|(n, a, b)| format!("(define ({n} x) {a} {b})")),
        1 => (e(), e()).prop_map(|(a, b)| format!("(begin {a} {b})")),
        1 => (e(), e(), e()).prop_map(|(a, b, c)| format!("(cond ({a} {b}) (else {c}))")),
        1 => (e(), e()).prop_map(|(a, b)| format!("(cond ({a}) ({b} 1))")),
        1 => (e(), e()).prop_map(|(a, b)| format!("(and {a} {b})")),
        1 => (e(), e()).prop_map(|(a, b)| format!("(or {a} {b})")),
        2 => (e(), e(), e()).prop_map(|(a, b, c)| format!("({a} {b} {c})")),
        1 => (e(), e()).prop_map(|(a, b)| format!("(f {a} {b})")),
        1 => (e(), e()).prop_map(|(a, b)| format!("((lambda (x y) {a}) {b} x)")),
        1 => e().prop_map(|a| format!("`(1 ,{a})")),
        1 => e().prop_map(|a| format!("(quote {a})")),
    ]
    .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn random_programs_run_the_same_compiled(forms in prop::collection::vec(gen_expr(3), 1..6)) {
        let mut src = String::from("(define x 1) (define y 2) (define (f a b) (list a b)) (define (g x) (+ x 1))\n");
        for f in &forms {
            src.push_str(f);
            src.push('\n');
        }
        // each form in its own load too, so that an error does not hide the rest
        let mut chunks = vec![src];
        chunks.extend(forms);
        same(&chunks, 20_000);
    }
}

#[test]
fn code_of_dead_closures_is_dropped_while_compiled_code_runs() {
    // `gc-stats` collects in the middle of `run` (compiled frames on the stack) after the
    // first `a1` and both `tmp` closures died: their code goes, `run`'s moves down.
    let src = "(define (a1) 1) (define (a2) (a1)) (define (tmp) 'x) (define (tmp) 'y) (define (a1) 2)
        (define (run n acc) (if (= n 0) acc (let ((v (a2))) (gc-stats) (run (- n 1) (cons (list v (tmp)) acc)))))
        (define (tmp) 'z)
        (run 3 '())
        (let ((f (lambda (k) (cond ((= k 0) (gc-stats) 'zero) (else (list k (gc-stats) k)))))) (and (f 1) (or #f (f 0))))";
    let log = observe(&[src.to_string()], true, 1_000_000, 5);
    let values: Vec<&String> = log.iter().filter(|l| l.starts_with("value ")).collect();
    assert_eq!(values.len(), 9, "{log:#?}");
    assert!(values[7].starts_with("value ((2 z) (2 z) (2 z)) "), "{log:#?}");
    assert!(values[8].starts_with("value zero "), "{log:#?}");
}

#[test]
fn loaded_files_run_the_same_compiled() {
    let mut files = MemFiles::default();
    files.insert(
        "lib.lisp",
        "(define hits 0)
         (define (bump!) (define local (+ hits 1)) local)
         (define (adder n) (define base n) (lambda (x) (+ x base)))
         (define (count-down n) (if (= n 0) 'done (count-down (- n 1))))
         (load \"more.lisp\")
         (define twice (lambda (f x) (f (f x))))",
    );
    files.insert("more.lisp", "(define (more x) (list 'more x)) (more 1)");
    files.insert("bad.lisp", "(define ok 1)\n(define (f) (undefined-thing))\n(f)\n(define never 2)");
    files.insert("redef.lisp", "(define (r) 'second)");
    files.insert("loop.lisp", "(define (tmp) (list 1 2 3)) (tmp)");
    let progs = [
        "(load \"lib.lisp\") (bump!) ((adder 5) 1) (count-down 1000) (twice (adder 2) 1) (more 2)",
        "(load \"bad.lisp\") ok never",
        "(define (r) 'first) (define (call-r) (r)) (call-r) (load \"redef.lisp\") (call-r)",
        "(define (ld) (load \"more.lisp\") (more 3)) (ld) (ld)",
        "(define (many n) (if (= n 0) 'ok (begin (load \"loop.lisp\") (gc-stats) (many (- n 1))))) (many 5) (tmp)",
        "(let ((x 1)) (load \"more.lisp\") (list x (more x)))",
        "(begin (load \"loop.lisp\") (gc-stats) (define keep tmp) (load \"loop.lisp\") (gc-stats) (load \"lib.lisp\") (gc-stats) (list (keep) (tmp) ((adder 1) 2)))",
        "(load \"nope.lisp\")",
        "(save \"s.lisp\" \"(define saved (lambda () 42))\") (load \"s.lisp\") (saved)",
    ];
    for p in progs {
        for slice in [1_000_000, 3] {
            let walked = observe_with(&[p.to_string()], false, 200_000, slice, Some(&files));
            let compiled = observe_with(&[p.to_string()], true, 200_000, slice, Some(&files));
            // (gc-stats output counts objects, which differ: compare everything but output)
            let strip = |log: Vec<String>| -> Vec<String> {
                log.into_iter().map(|l| l.split(" | out ").next().unwrap_or("").to_string()).collect()
            };
            let (w, c) = if p.contains("gc-stats") { (strip(walked), strip(compiled)) } else { (walked, compiled) };
            assert_eq!(w, c, "in {p}");
        }
    }
}

#[test]
fn loading_a_file_again_and_again_keeps_the_heap_small() {
    let mut files = MemFiles::default();
    files.insert("f.lisp", "(define (f n) (if (= n 0) 0 (f (- n 1)))) (f 10)");
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut interp: Interp = new_interp(&engine, Limits::default());
    interp.set_files(Box::new(files));
    let mut host = Capture(String::new());
    for i in 0..20_000 {
        interp.load("(load \"f.lisp\")").unwrap();
        let mut run = RunLoop::new(1_000_000, None);
        let mut clock = JumpClock(engine.clone());
        loop {
            match run.next(&mut interp, &mut host, &mut clock) {
                Driven::Idle => break,
                Driven::Value { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        if i % 5_000 == 4_999 {
            interp.collect_garbage();
            let stats = interp.heap_stats();
            let live: usize = stats.lines().nth(1).unwrap().rsplit(' ').next().unwrap().parse().unwrap();
            assert!(live < 1_000, "live objects after GC grew to {live} at iteration {i}");
        }
    }
}
