//! The native `granola` command: `granola FILE` runs a script, `granola` is the REPL,
//! `granola serve` starts the server, `granola token` prints a dev token.

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use granola::jobs::Engine;
    use granola::lang::{ErrorKind, Files, Host, Interp, Outcome};
    use std::cell::RefCell;
    use std::io::{BufRead, IsTerminal, Write};
    use std::rc::Rc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    /// Set by SIGINT (Ctrl-C) while the REPL evaluates a form.
    static INTERRUPTED: AtomicBool = AtomicBool::new(false);
    /// Whether the REPL is evaluating (Ctrl-C then stops the form instead of the process).
    static EVALUATING: AtomicBool = AtomicBool::new(false);

    /// REPL only: Ctrl-C while a form runs abandons that form and returns to the prompt; the
    /// evaluator runs in slices, and the driver checks the flag between them (and while it waits
    /// for a `time.sleep-ms`). At the prompt Ctrl-C keeps its usual meaning (rustyline reads it
    /// as a key on a terminal; on piped input it ends the process with status 130).
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
    struct DiskFiles;

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
        fn read(&mut self, path: &str) -> Result<(String, String), String> {
            let abs = absolute(path);
            let shown = abs.display().to_string();
            match std::fs::read_to_string(&abs) {
                Ok(t) => Ok((shown, t)),
                Err(_) => Err(format!("failed to open file: {shown}")),
            }
        }
        fn write(&mut self, path: &str, text: &str) -> Result<(), String> {
            std::fs::write(path, text).map_err(|_| format!("failed to open file for write: {path}"))
        }
    }

    /// Drives an interpreter at speed 1.0: job time follows the wall clock.
    struct Driver {
        interp: Interp,
        engine: Rc<RefCell<Engine>>,
        host: StdoutHost,
        start: Instant,
    }

    enum Step {
        Value(String),
        Error(granola::lang::LispError),
        Idle,
        Interrupted,
    }

    impl Driver {
        fn new() -> Driver {
            let engine = Rc::new(RefCell::new(Engine::default()));
            let mut interp = Interp::new(engine.clone());
            interp.set_files(Box::new(DiskFiles));
            let start = Instant::now();
            Driver { interp, engine, host: StdoutHost { start }, start }
        }

        fn job_now(&self) -> f64 {
            self.start.elapsed().as_secs_f64() * 1000.0
        }

        fn advance(&mut self) {
            let now = self.job_now();
            if let Ok(mut e) = self.engine.try_borrow_mut() {
                if now > e.now() {
                    e.advance(now);
                }
            }
        }

        /// Run until the next top-level value, error or idle.
        fn next(&mut self) -> Step {
            loop {
                if INTERRUPTED.swap(false, Ordering::SeqCst) {
                    return Step::Interrupted;
                }
                self.advance();
                match self.interp.run(&mut self.host, 200_000) {
                    Outcome::Value { printed, .. } => return Step::Value(printed),
                    Outcome::Error(e) => return Step::Error(e),
                    Outcome::Idle => return Step::Idle,
                    Outcome::OutOfFuel => {}
                    Outcome::Sleeping { until_ms } => {
                        // wait in short steps so Ctrl-C is noticed during a long sleep
                        loop {
                            let wait = until_ms - self.job_now();
                            if wait <= 0.0 || INTERRUPTED.load(Ordering::SeqCst) {
                                break;
                            }
                            std::thread::sleep(Duration::from_secs_f64(wait.min(50.0) / 1000.0));
                        }
                        if INTERRUPTED.load(Ordering::SeqCst) {
                            continue;
                        }
                        if let Ok(mut e) = self.engine.try_borrow_mut() {
                            let now = self.job_now().max(until_ms);
                            e.advance(now);
                        }
                    }
                }
            }
        }
    }

    pub fn script(path: &str) -> i32 {
        let source = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                eprintln!("fatal: cannot read {path}: {e}");
                return 1;
            }
        };
        let mut d = Driver::new();
        if let Err(e) = d.interp.load(&source) {
            eprintln!("fatal: {}", e.located());
            return 1;
        }
        loop {
            match d.next() {
                Step::Value(v) => {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{v}");
                }
                Step::Error(e) => {
                    let _ = std::io::stdout().flush();
                    eprintln!("fatal: {}", e.located());
                    return 1;
                }
                Step::Idle | Step::Interrupted => {
                    let _ = std::io::stdout().flush();
                    return 0;
                }
            }
        }
    }

    fn eval_buffer(d: &mut Driver, buffer: &str) {
        if let Err(e) = d.interp.load(buffer) {
            eprintln!("parse error: {}", e.located());
            return;
        }
        INTERRUPTED.store(false, Ordering::SeqCst);
        EVALUATING.store(true, Ordering::SeqCst);
        loop {
            match d.next() {
                Step::Value(v) => {
                    let _ = writeln!(std::io::stdout().lock(), "{v}");
                }
                Step::Error(e) => {
                    let _ = std::io::stdout().flush();
                    eprintln!("error: {}", e.located());
                    d.interp.stop();
                    break;
                }
                Step::Interrupted => {
                    let _ = std::io::stdout().flush();
                    eprintln!("interrupted");
                    d.interp.stop();
                    break;
                }
                Step::Idle => break,
            }
        }
        EVALUATING.store(false, Ordering::SeqCst);
        INTERRUPTED.store(false, Ordering::SeqCst);
        let _ = std::io::stdout().flush();
    }

    /// Whether `buffer` still needs more lines (an incomplete parse).
    fn needs_more(buffer: &str) -> bool {
        let engine = Rc::new(RefCell::new(Engine::default()));
        let mut probe = Interp::new(engine);
        matches!(probe.load(buffer), Err(e) if matches!(e.kind, ErrorKind::Parse { incomplete: true }))
    }

    enum Cmd {
        Quit,
        Clear,
        Line,
    }

    fn command(line: &str, buffer_empty: bool) -> Cmd {
        match line.trim() {
            ":q" | ":quit" | ":exit" if buffer_empty => Cmd::Quit,
            ":clear" => Cmd::Clear,
            _ => Cmd::Line,
        }
    }

    pub fn repl() -> i32 {
        install_interrupt_handler();
        let mut d = Driver::new();
        let mut buffer = String::new();
        if std::io::stdin().is_terminal() {
            let mut rl = match rustyline::DefaultEditor::new() {
                Ok(rl) => rl,
                Err(e) => {
                    eprintln!("fatal: cannot start the line editor: {e}");
                    return 1;
                }
            };
            loop {
                let prompt = if buffer.is_empty() { "muslisp> " } else { "......> " };
                match rl.readline(prompt) {
                    Ok(line) => {
                        match command(&line, buffer.is_empty()) {
                            Cmd::Quit => return 0,
                            Cmd::Clear => {
                                buffer.clear();
                                continue;
                            }
                            Cmd::Line => {}
                        }
                        buffer.push_str(&line);
                        buffer.push('\n');
                        if needs_more(&buffer) {
                            continue;
                        }
                        let _ = rl.add_history_entry(buffer.trim_end());
                        let text = std::mem::take(&mut buffer);
                        eval_buffer(&mut d, &text);
                    }
                    Err(rustyline::error::ReadlineError::Interrupted) => {
                        buffer.clear();
                    }
                    Err(_) => return 0,
                }
            }
        } else {
            let stdin = std::io::stdin();
            let mut lines = stdin.lock();
            loop {
                let prompt = if buffer.is_empty() { "muslisp> " } else { "......> " };
                let _ = write!(std::io::stdout().lock(), "{prompt}");
                let _ = std::io::stdout().flush();
                let mut line = String::new();
                match lines.read_line(&mut line) {
                    Ok(0) | Err(_) => {
                        let _ = writeln!(std::io::stdout().lock());
                        if !buffer.trim().is_empty() {
                            eval_buffer(&mut d, &buffer);
                        }
                        return 0;
                    }
                    Ok(_) => {}
                }
                match command(&line, buffer.is_empty()) {
                    Cmd::Quit => return 0,
                    Cmd::Clear => {
                        buffer.clear();
                        continue;
                    }
                    Cmd::Line => {}
                }
                buffer.push_str(&line);
                if needs_more(&buffer) {
                    continue;
                }
                let text = std::mem::take(&mut buffer);
                eval_buffer(&mut d, &text);
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("serve") => granola::server::cli_serve(&args[1..]),
        Some("token") => granola::server::cli_token(&args[1..]),
        Some("-h") | Some("--help") => {
            use std::io::Write;
            let _ = writeln!(std::io::stdout(), "usage: granola [FILE.lisp] | granola serve ... | granola token ...");
            0
        }
        Some("-V") | Some("--version") => {
            use std::io::Write;
            let _ = writeln!(std::io::stdout(), "granola {}", env!("CARGO_PKG_VERSION"));
            0
        }
        // `granola -x` used to read a file named "-x" ("fatal: cannot read -x"); `--` still
        // runs a script whose name starts with a dash.
        Some("--") if args.len() == 2 => cli::script(&args[1]),
        Some(opt) if opt.starts_with('-') && opt.len() > 1 => {
            eprintln!(
                "granola: unknown option {opt}\nusage: granola [FILE.lisp] | granola serve ... | granola token ..."
            );
            2
        }
        Some(path) => cli::script(path),
        None => cli::repl(),
    };
    std::process::exit(code);
}

#[cfg(target_arch = "wasm32")]
fn main() {}
