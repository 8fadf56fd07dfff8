//! The golden-transcript runner shared by `lang_transcripts` and `bt_transcripts`.
//!
//! A transcript is a `.lisp` file read line by line. Source lines accumulate until a directive:
//! - `;=> text`   the last value of the accumulated forms prints as `text`
//! - `;!! text`   evaluating them fails with message `text` (or `line L, column C: text`)
//! - `;out> text` (before `;=>`/`;!!`) a line of program output expected from them
//!
//! With [`Files::Memory`] the interpreter gets an in-memory file system and four more
//! directives check or seed it:
//! - `;put-hex> PATH HEX`  create a file with these bytes (e.g. an MBT1 file the reference wrote)
//! - `;hex> PATH HEX`      the file holds exactly these bytes
//! - `;text> PATH TEXT`    the file holds exactly TEXT (`\n`, `\t`, `\"`, `\\` escapes)
//! - `;lines> PATH N`      the file holds N lines
//!
//! One interpreter per file on a jumping job clock, so definitions carry over and sleeps take
//! no real time. A missing or empty directory fails, and so does a file without checks.
#![allow(dead_code)]

use granola::jobs::Engine;
use granola::lang::{Driven, Files as FileSystem, Host, Interp, Limits, MemFiles, RunLoop};
use granola::runtime::{new_interp, JumpClock};
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

/// Which file system the transcripts' interpreters see.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Files {
    /// The interpreter's default.
    Default,
    /// An in-memory one the file directives can seed and check.
    Memory,
}

struct Capture(String);
impl Host for Capture {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// MemFiles shared between the interpreter and the runner.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<MemFiles>>);

impl FileSystem for Shared {
    fn read(&mut self, path: &str, max: usize) -> Result<(String, String), String> {
        self.0.borrow_mut().read(path, max)
    }
    fn write(&mut self, path: &str, text: &str) -> Result<(), String> {
        self.0.borrow_mut().write(path, text)
    }
    fn read_bytes(&mut self, path: &str, max: usize) -> Result<(String, Vec<u8>), String> {
        self.0.borrow_mut().read_bytes(path, max)
    }
    fn write_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        self.0.borrow_mut().write_bytes(path, bytes)
    }
    fn append(&mut self, path: &str, text: &str) -> Result<(), String> {
        self.0.borrow_mut().append(path, text)
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

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex")).collect()
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A file directive, checked against the in-memory files; `None` if `line` is not one.
fn file_directive(files: &Shared, line: &str, at: &str, checks: &mut usize) -> Option<Option<String>> {
    if let Some(rest) = line.strip_prefix(";put-hex> ") {
        let (p, hex) = rest.split_once(' ').expect("path and hex");
        files.0.borrow_mut().write_bytes(p, &unhex(hex)).unwrap();
        return Some(None);
    }
    let (directive, rest) =
        [";hex> ", ";lines> ", ";text> "].iter().find_map(|d| line.strip_prefix(d).map(|r| (*d, r)))?;
    *checks += 1;
    let (p, want) = rest.split_once(' ').expect("path and expectation");
    let mem = files.0.borrow();
    let failure = match directive {
        ";hex> " => {
            let got = mem.get_bytes(p).map(<[u8]>::to_vec);
            (got.as_deref() != Some(unhex(want).as_slice()))
                .then(|| format!("{at}: file {p}: expected bytes {want}, got {got:02x?}"))
        }
        ";lines> " => {
            let got = mem.get(p).map(|t| t.lines().count());
            (got != want.parse().ok()).then(|| format!("{at}: file {p}: expected {want} lines, got {got:?}"))
        }
        _ => {
            let want = unescape(want);
            let got = mem.get(p).map(str::to_string);
            (got.as_deref() != Some(want.as_str()))
                .then(|| format!("{at}: file {p}:\n    expected {want:?}\n    got      {got:?}"))
        }
    };
    Some(failure)
}

/// Runs one transcript: the number of checks and the failures.
pub fn run_file(path: &Path, fs: Files) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut interp = new_interp(&engine, Limits::default());
    let files = Shared::default();
    if fs == Files::Memory {
        interp.set_files(Box::new(files.clone()));
    }
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
        if fs == Files::Memory {
            if let Some(failure) = file_directive(&files, line, &format!("{name}:{ln}"), &mut checks) {
                failures.extend(failure);
                continue;
            }
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

/// Runs every `.lisp` transcript directly in `tests/<dir>` and fails with all the failures.
pub fn run_dir(dir: &str, fs: Files) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "lisp"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no transcripts in {}", dir.display());
    let mut total = 0;
    let mut all = Vec::new();
    for f in &files {
        let (n, fails) = run_file(f, fs);
        assert!(n > 0, "{}: no checks", f.display());
        total += n;
        all.extend(fails);
    }
    eprintln!("{total} transcript checks in {} files of {}", files.len(), dir.display());
    assert!(all.is_empty(), "{} transcript failures:\n{}", all.len(), all.join("\n"));
}
