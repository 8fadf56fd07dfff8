#![cfg(not(target_arch = "wasm32"))]
//! Golden transcripts: `tests/transcripts/<area>.lisp`, mal-style.
//!
//! Source lines accumulate until a directive line:
//! - `;=> text`   the last value of the accumulated forms prints as `text`
//! - `;!! text`   evaluating them fails with message `text` (or `line L, column C: text`)
//! - `;out> text` (before `;=>`/`;!!`) a line of program output expected from them
//!
//! One interpreter per file, so definitions carry over.

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

enum Got {
    Values(Vec<String>),
    Error(String, String),
}

fn eval_chunk(interp: &mut Interp, engine: &Rc<RefCell<Engine>>, host: &mut Capture, src: &str) -> Got {
    if let Err(e) = interp.load(src) {
        return Got::Error(e.message.clone(), e.located());
    }
    let mut values = Vec::new();
    let mut run = RunLoop::new(1_000_000, Some(Limits::SCRIPT_STEPS));
    let mut clock = JumpClock(engine.clone());
    loop {
        match run.next(interp, host, &mut clock) {
            Driven::Value { printed, .. } => values.push(printed),
            Driven::Idle => return Got::Values(values),
            Driven::Error(e) => return Got::Error(e.message.clone(), e.located()),
            Driven::BudgetSpent { .. } => {
                return Got::Error("transcript runner: step budget spent".into(), String::new())
            }
            Driven::Waiting { .. } | Driven::Yield | Driven::Interrupted => {}
        }
    }
}

fn run_file(path: &std::path::Path) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).expect("read transcript");
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut interp = new_interp(&engine, Limits::default());
    let mut host = Capture(String::new());
    let mut pending = String::new();
    let mut want_out: Vec<String> = Vec::new();
    let mut failures = Vec::new();
    let mut checks = 0;
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    for (lineno, line) in text.lines().enumerate() {
        let ln = lineno + 1;
        if let Some(o) = line.strip_prefix(";out>") {
            want_out.push(o.strip_prefix(' ').unwrap_or(o).to_string());
            continue;
        }
        let (is_err, expected) = if let Some(e) = line.strip_prefix(";=>") {
            (false, e.trim_start().to_string())
        } else if let Some(e) = line.strip_prefix(";!!") {
            (true, e.trim_start().to_string())
        } else {
            pending.push_str(line);
            pending.push('\n');
            continue;
        };
        checks += 1;
        host.0.clear();
        let got = eval_chunk(&mut interp, &engine, &mut host, &pending);
        let src = std::mem::take(&mut pending);
        let out: Vec<String> = host.0.lines().map(str::to_string).collect();
        let wanted_out = std::mem::take(&mut want_out);
        let ctx = format!("{name}:{ln}: {}", src.trim());
        match (&got, is_err) {
            (Got::Values(vs), false) => {
                let last = vs.last().cloned().unwrap_or_default();
                if last != expected {
                    failures.push(format!("{ctx}\n    expected value: {expected}\n    got value:      {last}"));
                }
            }
            (Got::Values(vs), true) => {
                failures.push(format!("{ctx}\n    expected error: {expected}\n    got values: {vs:?}"));
            }
            (Got::Error(m, located), false) => {
                failures.push(format!("{ctx}\n    expected value: {expected}\n    got error: {located} ({m})"));
            }
            (Got::Error(m, located), true) => {
                if *m != expected && *located != expected {
                    failures.push(format!(
                        "{ctx}\n    expected error: {expected}\n    got error:      {m}\n    (located: {located})"
                    ));
                }
            }
        }
        if out != wanted_out {
            failures.push(format!("{ctx}\n    expected output: {wanted_out:?}\n    got output:      {out:?}"));
        }
    }
    (checks, failures)
}

#[test]
fn transcripts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("transcripts dir").flatten().map(|e| e.path()).collect();
    files.sort();
    let mut total = 0;
    let mut all = Vec::new();
    for f in files.iter().filter(|p| p.extension().is_some_and(|e| e == "lisp")) {
        let (n, fails) = run_file(f);
        total += n;
        all.extend(fails);
    }
    eprintln!("{total} transcript checks in {} files", files.len());
    assert!(total > 0, "no transcript checks found");
    assert!(all.is_empty(), "{} transcript failures:\n{}", all.len(), all.join("\n"));
}
