#![cfg(not(target_arch = "wasm32"))]
//! The pretty-printer (`lang::pretty::format`, the site's Format button): on random programs
//! (atoms, strings with escapes, nested lists, quote prefixes, comments, blank lines, odd
//! spacing) and on every `lisp` example of `docs/` and the transcripts, formatting keeps the
//! forms the reader reads and every comment, and formatting twice changes nothing.
//! Missing `docs/` fails.

use std::path::Path;

use granola::docs;
use granola::lang::pretty::{format, format_width, read_printed, top_level_forms, WIDTH};
use proptest::prelude::*;

// ---------------------------------------------------------------- generated programs

#[derive(Clone, Debug)]
enum Gen {
    Atom(String),
    List(Vec<(String, Gen)>, String),
    Prefix(&'static str, Box<Gen>),
    Comment(String),
}

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "a",
            "foo",
            "define",
            "let",
            "lambda",
            "if",
            "cond",
            "begin",
            "map.get",
            "+",
            "-",
            "x->y",
            "@x",
            "#t",
            "#f",
            "nil",
            "'",
            "a'b",
            "q\"q",
            ":key",
            "vla.submit",
            "list",
            "print",
        ])
        .prop_map(str::to_string),
        (-1000i64..1000).prop_map(|n| n.to_string()),
        prop::sample::select(vec!["1.0", "2.50", "-3e2", ".5", "0x1p3", "1e400"]).prop_map(str::to_string),
        prop::sample::select(vec![
            "\"\"",
            "\"a  b\"",
            "\"x\\n\\t\"",
            "\"q\\\"q\"",
            "\"semi ; colon\"",
            "\"two\nlines\"",
            "\"(paren\"",
            "\"é ü\"",
        ])
        .prop_map(str::to_string),
    ]
    .prop_filter("a lone quote is not an atom", |a| a != "'")
}

/// Separators between elements: always at least one space-like character.
fn sep() -> impl Strategy<Value = String> {
    prop::sample::select(vec![" ", " ", " ", "  ", "\n", "\n  ", "\n\n", "\t", " \n\n\n "]).prop_map(str::to_string)
}

fn node(counter: std::rc::Rc<std::cell::Cell<u32>>) -> impl Strategy<Value = Gen> {
    let leaf = atom().prop_map(Gen::Atom);
    leaf.prop_recursive(5, 48, 6, move |inner| {
        let c = counter.clone();
        prop_oneof![
            3 => (prop::collection::vec((sep(), inner.clone()), 0..6), sep()).prop_map(|(v, s)| Gen::List(v, s)),
            1 => (prop::sample::select(vec!["'", "`", ",", ",@"]), inner.clone())
                .prop_map(|(p, g)| Gen::Prefix(p, Box::new(g))),
            1 => (0u32..1).prop_map(move |_| {
                c.set(c.get() + 1);
                Gen::Comment(format!(";@c{} (not code)", c.get()))
            }),
        ]
    })
}

fn render(g: &Gen, out: &mut String) {
    match g {
        Gen::Atom(a) => out.push_str(a),
        Gen::Comment(c) => {
            out.push_str(c);
            out.push('\n');
        }
        Gen::Prefix(p, inner) => {
            out.push_str(p);
            // `, @x` keeps its space; a comment right after a prefix needs nothing
            if *p == "," && matches!(&**inner, Gen::Atom(a) if a.starts_with('@')) {
                out.push(' ');
            }
            if matches!(&**inner, Gen::Comment(_)) {
                // a prefix needs a datum: quote an atom after the comment
                render(inner, out);
                out.push('x');
            } else {
                render(inner, out);
            }
        }
        Gen::List(items, close) => {
            out.push('(');
            for (k, (s, it)) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(s);
                }
                render(it, out);
            }
            out.push_str(close);
            out.push(')');
        }
    }
}

fn program() -> impl Strategy<Value = String> {
    let counter = std::rc::Rc::new(std::cell::Cell::new(0));
    prop::collection::vec((sep(), node(counter)), 0..6).prop_map(|forms| {
        let mut s = String::new();
        for (sep, g) in forms {
            s.push_str(&sep);
            render(&g, &mut s);
        }
        s
    })
}

/// The comments of a generated program, in order (they are the only `;@c<N>` texts).
fn comments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(k) = rest.find(";@c") {
        let end = rest[k..].find('\n').map(|e| k + e).unwrap_or(rest.len());
        out.push(rest[k..end].trim_end());
        rest = &rest[end..];
    }
    out
}

fn check(src: &str, width: usize) -> Result<(), TestCaseError> {
    let Ok(before) = read_printed(src) else { return Ok(()) };
    let once = format_width(src, width).map_err(|e| TestCaseError::fail(format!("format failed: {e}\n{src}")))?;
    prop_assert_eq!(read_printed(&once).unwrap(), before, "meaning kept:\n{}\n---\n{}", src, once);
    let twice = format_width(&once, width).unwrap();
    prop_assert_eq!(&twice, &once, "idempotent:\n{}", src);
    prop_assert_eq!(comments(&once), comments(src), "comments kept");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn formatting_keeps_meaning_and_comments_and_is_idempotent(src in program()) {
        check(&src, WIDTH)?;
    }

    #[test]
    fn narrow_widths_too(src in program(), width in 4usize..40) {
        check(&src, width)?;
    }

    #[test]
    fn top_level_spans_start_where_values_are_reported(src in program()) {
        if read_printed(&src).is_ok() {
            let spans = top_level_forms(&src);
            prop_assert_eq!(spans.len(), read_printed(&src).unwrap().len());
            for s in &spans {
                prop_assert!(s.end.line > s.start.line || s.end.col >= s.start.col);
            }
        }
    }
}

// ---------------------------------------------------------------- real programs

#[test]
fn every_docs_example_and_transcript_formats_stably() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = docs::tree::read(&root.join("docs")).expect("docs/ must be readable");
    let mut sources: Vec<(String, String)> = Vec::new();
    for (rel, text) in &pages {
        for (n, ex) in docs::parse(rel, text, &|_| None).lisp_examples().enumerate() {
            sources.push((format!("docs/{rel} #{}", n + 1), ex.code.clone()));
        }
    }
    assert!(sources.len() >= 200, "only {} docs examples", sources.len());
    let dir = root.join("tests/transcripts");
    let entries = std::fs::read_dir(&dir).expect("tests/transcripts must exist");
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) == Some("lisp") {
            sources.push((p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
        }
    }
    let mut failures = Vec::new();
    let mut formatted = 0;
    for (name, src) in &sources {
        let Ok(before) = read_printed(src) else { continue };
        match format(src) {
            Ok(once) => {
                formatted += 1;
                if read_printed(&once).ok().as_ref() != Some(&before) {
                    failures.push(format!("{name}: meaning changed"));
                } else if format(&once).ok().as_ref() != Some(&once) {
                    failures.push(format!("{name}: not idempotent"));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(formatted >= 200, "formatted {formatted}");
}

#[test]
fn a_typical_program_looks_right() {
    let src = "(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))\n(define (request text dims) (let ((req (map.make)) (space (map.make))) (map.set! space 'dims dims) (map.set! req 'action_space space) (map.set! req 'instruction text) req))\n";
    assert_eq!(
        format(src).unwrap(),
        "(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))\n\
         (define (request text dims)\n  \
           (let ((req (map.make)) (space (map.make)))\n    \
             (map.set! space 'dims dims)\n    \
             (map.set! req 'action_space space)\n    \
             (map.set! req 'instruction text)\n    \
             req))\n"
    );
}
