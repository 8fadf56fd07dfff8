//! The native `granola` command: `granola FILE` runs a script, `granola` is the REPL,
//! `granola serve` starts the server, `granola token` prints a dev token.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("serve") => granola::server::cli_serve(&args[1..]),
        Some("token") => granola::server::cli_token(&args[1..]),
        _ => 2,
    };
    std::process::exit(code);
}

#[cfg(target_arch = "wasm32")]
fn main() {}
