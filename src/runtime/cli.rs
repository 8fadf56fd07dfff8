//! The native command line: `granola FILE` ([`script`]) and the REPL ([`repl`]). Job time
//! follows the wall clock (speed 1.0); output goes straight to stdout.

use super::new_interp;
use crate::jobs::Engine;
use crate::lang::repl::{Entry, ReplInput};
use crate::lang::{Driven, Files, Host, Interp, Limits, Pacer, RunLoop, Wait};
use std::cell::RefCell;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set by SIGINT (Ctrl-C) while the REPL evaluates a form.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Whether the REPL is evaluating (Ctrl-C then stops the form instead of the process).
static EVALUATING: AtomicBool = AtomicBool::new(false);

/// Steps per slice: small enough that Ctrl-C and jobs get a turn often.
const SLICE: u64 = 200_000;

/// REPL only: Ctrl-C while a form runs abandons that form and returns to the prompt; the
/// run loop checks the flag between slices (and while it waits for a `time.sleep-ms`). At the
/// prompt Ctrl-C keeps its usual meaning (rustyline reads it as a key on a terminal; on piped
/// input it ends the process with status 130).
fn install_interrupt_handler() {
    // SAFETY: the action only touches atomics and calls `_exit`, both async-signal-safe.
    let _ = unsafe {
        signal_hook_registry::register(libc::SIGINT, || {
            if EVALUATING.load(Ordering::SeqCst) {
                INTERRUPTED.store(true, Ordering::SeqCst);
            } else {
                libc::_exit(130);
            }
        })
    };
}

/// Program output straight to stdout.
struct StdoutHost {
    start: Instant,
}

impl Host for StdoutHost {
    fn print(&mut self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
    }
    fn monotonic_ns(&mut self) -> Option<u64> {
        Some(self.start.elapsed().as_nanos().min(u64::MAX as u128) as u64)
    }
}

/// `load`/`save` on the real file system; relative paths against the working directory.
pub struct DiskFiles;

fn absolute(path: &str) -> std::path::PathBuf {
    let p = std::path::Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    }
}

impl Files for DiskFiles {
    fn resolve(&self, path: &str) -> String {
        absolute(path).display().to_string()
    }
    fn read(&mut self, path: &str, max_bytes: usize) -> Result<(String, String), String> {
        let abs = absolute(path);
        let shown = abs.display().to_string();
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&abs)
            .and_then(|f| f.take(max_bytes.saturating_add(1) as u64).read_to_end(&mut bytes))
            .ok()
            .and_then(|_| String::from_utf8(bytes).ok());
        match read {
            Some(t) => Ok((shown, t)),
            None => Err(format!("failed to open file: {shown}")),
        }
    }
    fn write(&mut self, path: &str, text: &str) -> Result<(), String> {
        std::fs::write(path, text).map_err(|_| format!("failed to open file for write: {path}"))
    }
    fn read_bytes(&mut self, path: &str, max_bytes: usize) -> Result<(String, Vec<u8>), String> {
        let abs = absolute(path);
        let shown = abs.display().to_string();
        let mut bytes = Vec::new();
        match std::fs::File::open(&abs).and_then(|f| f.take(max_bytes.saturating_add(1) as u64).read_to_end(&mut bytes))
        {
            Ok(_) => Ok((shown, bytes)),
            Err(_) => Err(format!("failed to open file: {shown}")),
        }
    }
    fn write_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        std::fs::write(path, bytes).map_err(|_| format!("failed to open file for write: {path}"))
    }
    fn append(&mut self, path: &str, text: &str) -> Result<(), String> {
        // The event log's file sink (`events.set-path`) creates missing directories, as the
        // reference does.
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|_| format!("failed to open file for write: {path}"))
    }
}

/// Job time follows the wall clock: the engine is advanced before every slice, and a sleep
/// blocks (in short steps, so Ctrl-C is noticed) until the wall clock gets there.
struct WallClock {
    engine: Rc<RefCell<Engine>>,
    start: Instant,
}

impl WallClock {
    fn job_now(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }
}

impl Pacer for WallClock {
    fn sync(&mut self) {
        let now = self.job_now();
        if let Ok(mut e) = self.engine.try_borrow_mut() {
            if now > e.now() {
                e.advance(now);
            }
        }
    }
    fn wait(&mut self, until_ms: f64) -> Wait {
        loop {
            let wait = until_ms - self.job_now();
            if wait <= 0.0 || INTERRUPTED.load(Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_secs_f64(wait.min(50.0) / 1000.0));
        }
        if !INTERRUPTED.load(Ordering::SeqCst) {
            if let Ok(mut e) = self.engine.try_borrow_mut() {
                e.advance(self.job_now().max(until_ms));
            }
        }
        Wait::Ready
    }
    fn interrupted(&mut self) -> bool {
        INTERRUPTED.swap(false, Ordering::SeqCst)
    }
}

/// An interpreter on a real-time engine, with disk files, writing to stdout.
struct Session {
    interp: Interp,
    host: StdoutHost,
    pacer: WallClock,
}

impl Session {
    fn new() -> Session {
        let engine = Rc::new(RefCell::new(Engine::default()));
        let mut interp = new_interp(&engine, Limits::default());
        interp.set_files(Box::new(DiskFiles));
        let start = Instant::now();
        Session { interp, host: StdoutHost { start }, pacer: WallClock { engine, start } }
    }

    fn next(&mut self, run: &mut RunLoop) -> Driven {
        run.next(&mut self.interp, &mut self.host, &mut self.pacer)
    }
}

/// `granola FILE`: run a script; values and output on stdout, `fatal: ...` on stderr.
/// Returns the exit status.
pub fn script(path: &str) -> i32 {
    let source = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            eprintln!("fatal: cannot read {path}: {e}");
            return 1;
        }
    };
    let mut s = Session::new();
    if let Err(e) = s.interp.load(&source) {
        eprintln!("fatal: {}", e.located());
        return 1;
    }
    let mut run = RunLoop::new(SLICE, s.interp.limits().step_budget);
    loop {
        match s.next(&mut run) {
            Driven::Value { printed, .. } => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{printed}");
            }
            Driven::Error(e) => {
                let _ = std::io::stdout().flush();
                eprintln!("fatal: {}", e.located());
                return 1;
            }
            Driven::BudgetSpent { steps } => {
                let _ = std::io::stdout().flush();
                eprintln!("fatal: step limit exceeded ({steps} steps)");
                return 1;
            }
            Driven::Idle | Driven::Interrupted => {
                let _ = std::io::stdout().flush();
                return 0;
            }
            Driven::Waiting { .. } | Driven::Yield => {}
        }
    }
}

fn eval_entry(s: &mut Session, text: &str) {
    if let Err(e) = s.interp.load(text) {
        eprintln!("parse error: {}", e.located());
        return;
    }
    INTERRUPTED.store(false, Ordering::SeqCst);
    EVALUATING.store(true, Ordering::SeqCst);
    let mut run = RunLoop::new(SLICE, s.interp.limits().step_budget);
    loop {
        match s.next(&mut run) {
            Driven::Value { printed, .. } => {
                let _ = writeln!(std::io::stdout().lock(), "{printed}");
            }
            Driven::Error(e) => {
                let _ = std::io::stdout().flush();
                eprintln!("error: {}", e.located());
                s.interp.stop();
                break;
            }
            Driven::Interrupted => {
                let _ = std::io::stdout().flush();
                eprintln!("interrupted");
                s.interp.stop();
                break;
            }
            Driven::BudgetSpent { steps } => {
                let _ = std::io::stdout().flush();
                eprintln!("error: step limit exceeded ({steps} steps)");
                s.interp.stop();
                break;
            }
            Driven::Idle => break,
            Driven::Waiting { .. } | Driven::Yield => {}
        }
    }
    EVALUATING.store(false, Ordering::SeqCst);
    INTERRUPTED.store(false, Ordering::SeqCst);
    let _ = std::io::stdout().flush();
}

/// The REPL on stdin: a line editor on a terminal, plain lines (with prompts) when piped.
/// Returns the exit status.
pub fn repl() -> i32 {
    install_interrupt_handler();
    let mut s = Session::new();
    let mut input = ReplInput::default();
    if std::io::stdin().is_terminal() {
        let mut rl = match rustyline::DefaultEditor::new() {
            Ok(rl) => rl,
            Err(e) => {
                eprintln!("fatal: cannot start the line editor: {e}");
                return 1;
            }
        };
        loop {
            match rl.readline(input.prompt()) {
                Ok(line) => match input.push(&format!("{line}\n")) {
                    Entry::Quit => return 0,
                    Entry::Cleared | Entry::More => {}
                    Entry::Ready(text) => {
                        let _ = rl.add_history_entry(text.trim_end());
                        eval_entry(&mut s, &text);
                    }
                },
                Err(rustyline::error::ReadlineError::Interrupted) => input.clear(),
                Err(_) => return 0,
            }
        }
    } else {
        let stdin = std::io::stdin();
        let mut lines = stdin.lock();
        loop {
            let _ = write!(std::io::stdout().lock(), "{}", input.prompt());
            let _ = std::io::stdout().flush();
            let mut line = String::new();
            match lines.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = writeln!(std::io::stdout().lock());
                    if let Some(text) = input.finish() {
                        eval_entry(&mut s, &text);
                    }
                    return 0;
                }
                Ok(_) => {}
            }
            match input.push(&line) {
                Entry::Quit => return 0,
                Entry::Cleared | Entry::More => {}
                Entry::Ready(text) => eval_entry(&mut s, &text),
            }
        }
    }
}
