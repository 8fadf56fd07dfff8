#![cfg(not(target_arch = "wasm32"))]
//! Resource limits end runaway programs with a clear limit error instead of eating memory:
//! the heap cap (allocation bombs, huge sources), `load` nesting and file size, the output
//! cap on echoed values; and the REPL's input check stays linear.

use granola::jobs::Engine;
use granola::lang::repl::{Entry, ReplInput};
use granola::lang::{ErrorKind, Interp, Limits, LispError, MemFiles, RunLoop, ScriptRun};
use granola::runtime::{new_interp, run_script, JumpClock};
use std::cell::RefCell;
use std::rc::Rc;

fn session(limits: Limits, files: MemFiles) -> (Interp, Rc<RefCell<Engine>>) {
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut it = new_interp(&engine, limits);
    it.set_files(Box::new(files));
    (it, engine)
}

fn run_in(it: &mut Interp, engine: &Rc<RefCell<Engine>>, src: &str) -> ScriptRun {
    if let Err(e) = it.load(src) {
        return ScriptRun { stdout: String::new(), error: Some(e) };
    }
    RunLoop::new(100_000, Some(Limits::SCRIPT_STEPS)).run_to_end(it, &mut JumpClock(engine.clone()))
}

fn small_heap() -> Limits {
    Limits { max_heap_bytes: 24 << 20, ..Limits::default() }
}

fn limit_error(r: &ScriptRun) -> &LispError {
    let e = r.error.as_ref().unwrap_or_else(|| panic!("expected a limit error, got {r:?}"));
    assert_eq!(e.kind, ErrorKind::Limit, "{e:?}");
    e
}

#[test]
fn the_limits_have_documented_defaults() {
    let d = Limits::default();
    assert_eq!(d.max_heap_bytes, 512 << 20);
    assert_eq!(d.max_output_bytes, 1 << 20);
    assert_eq!(d.max_load_depth, 64);
    assert_eq!(d.max_file_bytes, 16 << 20);
    assert_eq!(d.max_depth, 100_000);
    assert_eq!(d.step_budget, None);
    assert!(Limits::browser().max_heap_bytes < d.max_heap_bytes);
}

#[test]
fn allocation_bombs_end_with_a_heap_limit_error_and_the_session_recovers() {
    let bombs = [
        // an ever longer list
        "(define (grow l) (grow (cons 1 l)))\n(grow nil)",
        // a vector that never stops growing
        "(define (f v i) (vec.push! v i) (f v (+ i 1)))\n(f (vec.make) 0)",
        // a map that never stops growing
        "(define (f m i) (map.set! m i i) (f m (+ i 1)))\n(f (map.make) 0)",
        // a string that doubles
        "(define (dbl s) (dbl (write-to-string (list s s))))\n(dbl \"x\")",
        // JSON text that doubles
        "(define (dbl s) (dbl (json.encode (list s s))))\n(dbl \"x\")",
    ];
    for src in bombs {
        let (mut it, engine) = session(small_heap(), MemFiles::default());
        let r = run_in(&mut it, &engine, src);
        let e = limit_error(&r);
        assert!(e.message.contains("heap limit exceeded (25165824 bytes)"), "{src}: {}", e.message);
        // The next entry runs, and what the bomb built is collected.
        let after = run_in(&mut it, &engine, "(+ 1 2)");
        assert_eq!(after.transcript(), "3\n", "{src}");
        it.collect_garbage();
        let stats = it.heap_stats();
        let bytes: usize = stats.lines().nth(2).and_then(|l| l.rsplit(' ').next()).unwrap().parse().unwrap();
        assert!(bytes < 4 << 20, "{src}: {bytes} bytes still held");
    }
}

#[test]
fn a_huge_source_stops_at_the_heap_limit_while_it_is_read() {
    let (mut it, _) = session(Limits { max_heap_bytes: 4 << 20, ..Limits::default() }, MemFiles::default());
    let src = "'(a b) ".repeat(200_000);
    let e = it.load(&src).expect_err("reading 1.4 MB of lists into a 4 MB heap must fail");
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(e.message, "heap limit exceeded (4194304 bytes)");
}

#[test]
fn a_file_that_loads_itself_stops_at_the_load_nesting_limit() {
    let mut files = MemFiles::default();
    files.insert("self.lisp", "(print \"in\")\n(load \"self.lisp\")\n");
    files.insert("a.lisp", "(load \"b.lisp\")");
    files.insert("b.lisp", "(load \"a.lisp\")");
    let (mut it, engine) = session(Limits::default(), files);
    let r = run_in(&mut it, &engine, "(print 0)\n  (load \"self.lisp\")\n(print 2)");
    let e = limit_error(&r);
    assert_eq!(e.located(), "line 2, column 3: load: self.lisp: too many nested loads (more than 64 files open)");
    assert_eq!(r.stdout.matches("\"in\"").count(), 64);
    let r = run_in(&mut it, &engine, "(load \"a.lisp\")");
    assert_eq!(limit_error(&r).message, "load: a.lisp: too many nested loads (more than 64 files open)");
    // A chain within the limit loads fine.
    let mut files = MemFiles::default();
    for i in 0..10 {
        files.insert(&format!("f{i}.lisp"), &format!("(load \"f{}.lisp\")", i + 1));
    }
    files.insert("f10.lisp", "'bottom");
    let (mut it, engine) = session(Limits { max_load_depth: 11, ..Limits::default() }, files);
    assert_eq!(run_in(&mut it, &engine, "(load \"f0.lisp\")").transcript(), "bottom\n");
}

#[test]
fn load_refuses_a_file_past_the_size_limit() {
    let mut files = MemFiles::default();
    files.insert("big.lisp", &format!("(quote {})", "x".repeat(2000)));
    let (mut it, engine) = session(Limits { max_file_bytes: 1000, ..Limits::default() }, files);
    let r = run_in(&mut it, &engine, "(load \"big.lisp\")");
    assert_eq!(limit_error(&r).located(), "line 1, column 1: load: big.lisp: file too large (more than 1000 bytes)");
}

#[test]
fn the_output_limit_covers_echoed_top_level_values() {
    // 2,000 echoed values of 1,002 bytes each: 2 MB of echo, no print at all.
    let src = format!("(define s \"{}\")\n{}", "x".repeat(1000), "s\n".repeat(2000));
    let r = run_script(&src);
    assert_eq!(limit_error(&r).message, "output limit exceeded (1048576 bytes)");
    assert!(r.stdout.len() <= 1 << 20, "{} bytes echoed", r.stdout.len());
    assert!(r.stdout.len() > 1_000_000);
    // One value too big to echo at all: the limit, not a 3 MB string.
    let r = run_script("(define (build n acc) (if (= n 0) acc (build (- n 1) (cons n acc))))\n(build 300000 nil)");
    assert_eq!(limit_error(&r).located(), "line 2, column 1: output limit exceeded (1048576 bytes)");
    assert_eq!(r.stdout, "<closure>\n");
    // print and echo share the budget
    let src = format!("(define s \"{}\")\n(print s)\n{}", "y".repeat(600_000), "s\n");
    assert_eq!(limit_error(&run_script(&src)).message, "output limit exceeded (1048576 bytes)");
}

#[test]
fn repl_input_of_many_open_lines_is_checked_in_linear_time() {
    let mut input = ReplInput::default();
    for _ in 0..20_000 {
        assert_eq!(input.push("(\n"), Entry::More);
    }
    // Every byte was examined once (re-reading the whole entry per line would be 400 million).
    assert_eq!(input.scanned(), 40_000);
    let text = input.finish().unwrap();
    assert_eq!(text.len(), 40_000);
    assert_eq!(input.prompt(), "muslisp> ");
    // Completeness agrees with the reader on strings, comments, quotes and stray parens.
    let cases: &[(&str, bool)] = &[
        ("(a\n", true),
        ("(a)\n", false),
        ("\"abc\n", true),
        ("\"a\\\"b\" (x\n", true),
        ("; (\n", false),
        ("(a ; )\n", true),
        ("'\n", true),
        ("'x\n", false),
        (",@\n", true),
        ("`(a ,b)\n", false),
        (")\n", false),
        ("(\"\\q\"\n", false),
        ("(a) (b\n", true),
    ];
    for (src, more) in cases {
        let mut input = ReplInput::default();
        let got = input.push(src) == Entry::More;
        assert_eq!(got, *more, "{src:?}");
        assert_eq!(granola::lang::is_incomplete(src), *more, "{src:?}");
        let (mut it, _) = session(Limits::default(), MemFiles::default());
        assert_eq!(it.load(src).err().is_some_and(|e| e.is_incomplete()), *more, "reader on {src:?}");
    }
}
