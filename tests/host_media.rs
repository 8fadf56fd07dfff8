#![cfg(not(target_arch = "wasm32"))]
//! `image.*` / `blob.*` from Lisp: the reference's transcript (bt-host.md 5), handle
//! identity and JSON form, errors, and the deliberate difference: invalid dimensions are an
//! ordinary error (the session goes on), not a process exit.

use granola::jobs::Engine;
use granola::lang::{Driven, Host, Limits, RunLoop};
use granola::runtime::{new_interp, run_script, JumpClock};
use std::cell::RefCell;
use std::rc::Rc;

fn run(src: &str) -> String {
    run_script(src).transcript()
}

#[test]
fn the_reference_transcript() {
    let src = "(image.make 640 480 3 \"rgb8\" 1000 \"camera\")
(json.encode (image.info (image.make 2 2 1 'mono8 0 'cam2)))
(json.encode (blob.info (blob.make 1024 \"application/octet-stream\" 5 \"tag1\")))
(image.info (image.make 1 1 1 \"x\" 0 \"f\"))
(blob.info (blob.make 0 \"x\" -7 'tag))
";
    assert_eq!(
        run(src),
        "<image_handle:1>\n\"{\\\"channels\\\":1,\\\"encoding\\\":\\\"mono8\\\",\\\"frame_id\\\":\\\"cam2\\\",\\\"h\\\":2,\\\"id\\\":2,\\\"timestamp_ms\\\":0,\\\"w\\\":2}\"\n\"{\\\"id\\\":1,\\\"mime_type\\\":\\\"application/octet-stream\\\",\\\"size_bytes\\\":1024,\\\"tag\\\":\\\"tag1\\\",\\\"timestamp_ms\\\":5}\"\n<map:7>\n<map:5>\n"
    );
}

#[test]
fn identity_json_and_printing() {
    let src = "(define a (image.make 2 2 1 'mono8 0 'cam))
(define b (blob.make 8 \"text/plain\" 0 \"t\"))
(list (eq? a a) (eq? a (image.make 2 2 1 'mono8 0 'cam)) a b)
(json.encode (list a b))
(map.get (image.info a) 'encoding nil)
(write a)
";
    assert_eq!(
        run(src),
        "<image_handle:1>\n<blob_handle:1>\n(#t #f <image_handle:1> <blob_handle:1>)\n\"[{\\\"type\\\":\\\"image_handle\\\",\\\"id\\\":1},{\\\"type\\\":\\\"blob_handle\\\",\\\"id\\\":1}]\"\n\"mono8\"\nfatal: line 6, column 1: write: cannot serialise image_handle as readable data\n"
    );
}

#[test]
fn errors() {
    let cases = [
        ("(image.make 1.0 2 1 \"e\" 0 \"f\")", "image.make width: expected integer"),
        ("(image.make 1 2 'c \"e\" 0 \"f\")", "image.make channels: expected integer"),
        ("(image.make 1 2 1 3 0 \"f\")", "image.make encoding: expected string or symbol"),
        ("(image.make 1 2 1 \"e\" \"now\" \"f\")", "image.make timestamp_ms: expected integer"),
        ("(image.make 1 2 1 \"e\" 0 nil)", "image.make frame_id: expected string or symbol"),
        ("(image.make 1 2 1 \"e\" 0)", "image.make: expected 6 arguments, got 5"),
        ("(image.make 0 2 1 \"e\" 0 \"f\")", "create_image: dimensions/channels must be > 0"),
        ("(image.make 2 2 -1 \"e\" 0 \"f\")", "create_image: dimensions/channels must be > 0"),
        ("(blob.make -1 \"m\" 0 \"t\")", "create_blob: size_bytes must be >= 0"),
        ("(blob.make 1 2 0 \"t\")", "blob.make mime_type: expected string or symbol"),
        ("(image.info 1)", "image.info: expected image_handle"),
        ("(blob.info (image.make 1 1 1 \"e\" 0 \"f\"))", "blob.info: expected blob_handle"),
        ("(image.info (blob.make 1 \"m\" 0 \"t\"))", "image.info: expected image_handle"),
    ];
    for (code, msg) in cases {
        assert_eq!(run(&format!("{code}\n")), format!("fatal: line 1, column 1: {msg}\n"), "{code}");
    }
}

struct Capture(String);
impl Host for Capture {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// What the REPL does with each entry: load it, run it, show values or the error.
#[test]
fn a_rejected_make_keeps_the_session_and_uses_no_id() {
    let engine = Rc::new(RefCell::new(Engine::default()));
    let mut interp = new_interp(&engine, Limits::default());
    let mut host = Capture(String::new());
    let mut shown = Vec::new();
    for entry in ["(image.make 0 480 3 \"rgb8\" 0 \"cam\")", "(image.make 640 480 3 \"rgb8\" 0 \"cam\")"] {
        interp.load(entry).unwrap();
        let mut run = RunLoop::new(1_000_000, Some(Limits::SCRIPT_STEPS));
        loop {
            match run.next(&mut interp, &mut host, &mut JumpClock(engine.clone())) {
                Driven::Value { printed, .. } => shown.push(printed),
                Driven::Error(e) => shown.push(format!("error: {}", e.message)),
                Driven::Idle => break,
                _ => {}
            }
        }
    }
    assert_eq!(shown, ["error: create_image: dimensions/channels must be > 0", "<image_handle:1>"]);
}
