#![cfg(not(target_arch = "wasm32"))]
//! Behaviour-tree golden transcripts: `tests/transcripts/bt/*.lisp`, in the format of the
//! core ones plus the file directives (`;put-hex>`, `;hex>`, `;text>`, `;lines>`; see
//! `transcript_support`), run with an in-memory file system and a jumping job clock.

mod transcript_support;

#[test]
fn bt_transcripts() {
    transcript_support::run_dir("transcripts/bt", transcript_support::Files::Memory);
}
