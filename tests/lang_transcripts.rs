#![cfg(not(target_arch = "wasm32"))]
//! Golden transcripts of the core language: `tests/transcripts/<area>.lisp`, mal-style
//! (`;=> value`, `;!! error`, `;out> output line`; see `transcript_support`). One interpreter
//! per file, so definitions carry over.

mod transcript_support;

#[test]
fn transcripts() {
    transcript_support::run_dir("transcripts", transcript_support::Files::Default);
}
