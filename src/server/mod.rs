//! The native HTTP server (`granola serve`) and dev tokens (`granola token`).
//! (Being built on the `server` branch; this file is the skeleton's placeholder.)

/// `granola serve [...]`; returns the process exit code.
pub fn cli_serve(args: &[String]) -> i32 {
    let _ = args;
    2
}

/// `granola token [...]`; returns the process exit code.
pub fn cli_token(args: &[String]) -> i32 {
    let _ = args;
    2
}
