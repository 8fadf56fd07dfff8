#![cfg(not(target_arch = "wasm32"))]
//! The `granola` binary: script mode (values, fatal line, exit code) and the REPL on piped stdin.

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_granola")
}

fn script(src: &str) -> (String, String, i32) {
    let dir = std::env::temp_dir().join(format!("granola-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("s{}.lisp", src.len()));
    std::fs::write(&path, src).unwrap();
    let out = Command::new(bin()).arg(&path).current_dir(&dir).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn script_prints_each_value_and_exits_zero() {
    let (out, err, code) = script("(define x 10)\n(print \"hi\")\n(+ x 1)\n");
    assert_eq!(out, "10\n\"hi\"\nnil\n11\n");
    assert_eq!(err, "");
    assert_eq!(code, 0);
}

#[test]
fn script_runtime_error_is_fatal_with_position() {
    let (out, err, code) = script("(print 1)\n  (car 5)\n(print 2)\n");
    assert_eq!(out, "1\nnil\n");
    assert_eq!(err, "fatal: line 2, column 3: car: expected cons\n");
    assert_eq!(code, 1);
}

#[test]
fn script_parse_error_runs_nothing() {
    let (out, err, code) = script("(print 1)\n(car");
    assert_eq!(out, "");
    assert_eq!(err, "fatal: line 2, column 5: unterminated list\n");
    assert_eq!(code, 1);
}

#[test]
fn script_sleep_waits_in_real_time() {
    let t = std::time::Instant::now();
    let (out, _, code) = script("(time.sleep-ms 150)\n(>= (time.now-ms) 150)\n");
    assert_eq!(out, "nil\n#t\n");
    assert_eq!(code, 0);
    assert!(t.elapsed().as_millis() >= 150);
}

#[test]
fn script_save_and_load_use_the_disk() {
    let (out, err, code) =
        script("(save \"saved.lisp\" (list 1 \"x\"))\n(load \"saved.lisp\")\n(load \"missing.lisp\")\n");
    assert_eq!(out, "#t\n(1 \"x\")\n");
    assert!(err.starts_with("fatal: line 3, column 1: load: /"), "{err}");
    assert!(err.contains("missing.lisp: failed to open file: /"), "{err}");
    assert_eq!(code, 1);
}

#[test]
fn repl_on_piped_stdin() {
    let mut child =
        Command::new(bin()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"(define (f x)\n  (* x 2))\n(f 21)\n(car 1)\n)\n\"abc\n:clear\n(+ 1 2)\n:quit\n(+ 5 5)\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout,
        "muslisp> ......> <closure>\nmuslisp> 42\nmuslisp> muslisp> muslisp> ......> muslisp> 3\nmuslisp> "
    );
    assert_eq!(stderr, "error: line 1, column 1: car: expected cons\nparse error: line 1, column 2: unexpected ')'\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn repl_ctrl_c_interrupts_the_running_form_and_keeps_the_session() {
    let mut child =
        Command::new(bin()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"(define kept 41)\n(define (spin) (spin))\n(spin)\n").unwrap();
    stdin.flush().unwrap();
    // the endless loop is running by now; Ctrl-C is SIGINT
    std::thread::sleep(std::time::Duration::from_millis(700));
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    std::thread::sleep(std::time::Duration::from_millis(200));
    // the session (and its definitions) survive
    stdin.write_all(b"(+ kept 1)\n:q\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, "interrupted\n");
    assert!(stdout.ends_with("42\nmuslisp> "), "{stdout}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn version_and_unknown_options() {
    let out = Command::new(bin()).arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("granola "));
    let out = Command::new(bin()).arg("-x").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("granola: unknown option -x\nusage: "));
    // `--` runs a file whose name starts with a dash
    let dir = std::env::temp_dir().join(format!("granola-cli-dash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("-s.lisp"), "(+ 1 2)\n").unwrap();
    let out = Command::new(bin()).args(["--", "-s.lisp"]).current_dir(&dir).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "3\n");
    assert_eq!(out.status.code(), Some(0));
}

/// Run the binary with `args` and `stdin`, killing it (and failing) if it has not ended
/// after 60 s: a process that would eat memory or spin forever fails the test.
fn run_bounded(args: &[&str], stdin: &str, dir: &std::path::Path) -> (String, String, i32) {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let text = stdin.to_string();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(text.as_bytes());
    });
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("granola {args:?} did not end within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let _ = feeder.join();
    (out.join().unwrap(), err.join().unwrap(), status.code().unwrap_or(-1))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("granola-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn loading_dev_zero_is_a_clear_limit_error() {
    let dir = scratch("zero");
    std::fs::write(dir.join("zero.lisp"), "(print 1)\n(load \"/dev/zero\")\n").unwrap();
    let (out, err, code) = run_bounded(&["zero.lisp"], "", &dir);
    assert_eq!(out, "1\nnil\n");
    assert_eq!(err, "fatal: line 2, column 1: load: /dev/zero: file too large (more than 16777216 bytes)\n");
    assert_eq!(code, 1);
}

#[test]
fn a_script_that_loads_itself_ends_with_a_limit_error() {
    let dir = scratch("self");
    std::fs::write(dir.join("self.lisp"), "(load \"self.lisp\")\n").unwrap();
    let (_, err, code) = run_bounded(&["self.lisp"], "", &dir);
    let shown = dir.join("self.lisp").display().to_string();
    assert_eq!(
        err,
        format!("fatal: line 1, column 1: load: {shown}: too many nested loads (more than 64 files open)\n")
    );
    assert_eq!(code, 1);
}

#[test]
fn an_allocation_bomb_in_the_repl_is_an_error_and_the_repl_goes_on() {
    let dir = scratch("bomb");
    // A string that triples at every step reaches the default 512 MiB heap limit quickly.
    let (out, err, code) =
        run_bounded(&[], "(define (grow s) (grow (write-to-string (list s s))))\n(grow \"x\")\n(+ 1 2)\n", &dir);
    assert!(err.starts_with("error: line 1, column 1: "), "{err}");
    assert!(err.trim_end().ends_with("heap limit exceeded (536870912 bytes)"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(out.ends_with("3\nmuslisp> \n"), "{out}");
    assert_eq!(code, 0);
}

#[test]
fn piped_repl_input_of_twenty_thousand_open_lines_reads_to_the_end() {
    let dir = scratch("open");
    let (out, err, code) = run_bounded(&[], &"(\n".repeat(20_000), &dir);
    assert_eq!(err, "parse error: line 20001, column 1: unterminated list\n");
    assert_eq!(out.matches("......> ").count(), 20_000);
    assert_eq!(code, 0);
}

#[test]
fn help_says_how_to_run_a_file_the_repl_the_server_and_tokens() {
    let out = Command::new(env!("CARGO_BIN_EXE_granola")).arg("--help").output().expect("run granola --help");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for part in ["granola FILE.lisp", ":quit", "(help 'name)", "granola serve", "granola token", "--version"] {
        assert!(text.contains(part), "--help lacks {part:?}:\n{text}");
    }
}
