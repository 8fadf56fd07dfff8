//! The native `granola` command: `granola FILE` runs a script, `granola` is the REPL,
//! `granola serve` starts the server, `granola token` prints a dev token. The work is in the
//! library (`granola::runtime::cli`, `granola::server`).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use granola::runtime::cli;
    use std::io::Write;
    const USAGE: &str = "usage: granola [FILE.lisp] | granola serve ... | granola token ...";
    const HELP: &str = "\
Granola: the muslisp job language, its behaviour trees and the simulation job bridge.

usage:
  granola FILE.lisp     run a program: each top-level value and all output on stdout,
                        `fatal: line L, column C: message` on stderr and exit status 1 on an
                        error; job time follows the wall clock (time.sleep-ms really waits)
  granola               the REPL: an unfinished form continues on the next line; :clear (or
                        Ctrl-C) drops it; :q, :quit or :exit (or Ctrl-D) leaves; (help),
                        (help 'name) and (apropos \"text\") explain the builtins
  granola -- FILE       run a program whose name starts with a dash
  granola serve [...]   the site, the bridge API and MCP on 127.0.0.1:8080
                        (granola serve --help for its options)
  granola token [...]   print a bearer token for the API (granola token --help)
  granola -h | --help   this text
  granola -V | --version

The reference pages, the playground and the tour are in the site `granola serve` (or
`make serve`) shows; docs/ holds the same pages as Markdown.";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("serve") => granola::server::cli_serve(&args[1..]),
        Some("token") => granola::server::cli_token(&args[1..]),
        Some("-h") | Some("--help") => {
            let _ = writeln!(std::io::stdout(), "{HELP}");
            0
        }
        Some("-V") | Some("--version") => {
            let _ = writeln!(std::io::stdout(), "granola {}", env!("CARGO_PKG_VERSION"));
            0
        }
        // `granola -x` used to read a file named "-x" ("fatal: cannot read -x"); `--` still
        // runs a script whose name starts with a dash.
        Some("--") if args.len() == 2 => cli::script(&args[1]),
        Some(opt) if opt.starts_with('-') && opt.len() > 1 => {
            eprintln!("granola: unknown option {opt}\n{USAGE}");
            2
        }
        Some(path) => cli::script(path),
        None => cli::repl(),
    };
    std::process::exit(code);
}

#[cfg(target_arch = "wasm32")]
fn main() {}
