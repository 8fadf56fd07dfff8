//! JSON text of a [`Datum`] by `json.encode`'s rules (reference language.md 4.5): no
//! whitespace, object keys sorted by their text (byte order, ties by encoded value), floats
//! with 17 significant digits, symbols as strings, only `\\ \" \n \r \t` escaped.
//!
//! The hashes of `cap.call` are taken over exactly this text, so it must not differ from
//! `json.encode` by a single byte.

use crate::lang::textfmt::{format_g, push_quoted};
use crate::lang::Datum;

/// `json.encode`'s text for `d`; `Err` for what `json.encode` refuses (non-finite floats,
/// values with no JSON form).
pub fn encode(d: &Datum) -> Result<String, String> {
    let mut out = String::new();
    enc(d, &mut out, false)?;
    Ok(out)
}

/// Like [`encode`] but never fails: non-finite floats become `null` and values with no JSON
/// form their printed text as a string (the run-loop's JSONL log does this).
pub fn encode_lenient(d: &Datum) -> String {
    let mut out = String::new();
    // Cannot fail in lenient mode.
    let _ = enc(d, &mut out, true);
    out
}

fn key_text(k: &Datum) -> String {
    match k {
        Datum::Sym(s) | Datum::Str(s) => s.clone(),
        Datum::Int(i) => i.to_string(),
        Datum::Float(f) => format_g(*f, 17),
        other => format!("{other:?}"),
    }
}

/// The type name in a printed opaque value (`<closure>` -> `closure`, `<vec:3>` -> `vec`).
fn opaque_type(printed: &str) -> &str {
    let inner = printed.trim_start_matches('<').trim_end_matches('>');
    inner.split(':').next().unwrap_or(inner)
}

fn enc(d: &Datum, out: &mut String, lenient: bool) -> Result<(), String> {
    match d {
        Datum::Nil => out.push_str("null"),
        Datum::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Datum::Int(i) => out.push_str(&i.to_string()),
        Datum::Float(f) if !f.is_finite() => {
            if lenient {
                out.push_str("null")
            } else {
                return Err("json.encode: non-finite floats are not supported".into());
            }
        }
        Datum::Float(f) => out.push_str(&format_g(*f, 17)),
        Datum::Str(s) | Datum::Sym(s) => push_quoted(out, s),
        Datum::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                enc(x, out, lenient)?;
            }
            out.push(']');
        }
        Datum::Map(entries) => {
            let mut rows = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let mut val = String::new();
                enc(v, &mut val, lenient)?;
                rows.push((key_text(k), val));
            }
            rows.sort();
            out.push('{');
            for (i, (k, v)) in rows.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_quoted(out, k);
                out.push(':');
                out.push_str(v);
            }
            out.push('}');
        }
        #[allow(unreachable_patterns)]
        other => {
            let printed = match other {
                Datum::Opaque(p) => p.clone(),
                _ => format!("{other:?}"),
            };
            if lenient {
                push_quoted(out, &printed);
            } else {
                return Err(format!("json.encode: unsupported value type: {}", opaque_type(&printed)));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::datum::sym_map;

    #[test]
    fn like_json_encode() {
        let d = sym_map(vec![
            ("task_id", Datum::str("demo")),
            ("state", Datum::List(vec![Datum::Int(0), Datum::Float(1.0)])),
            ("x", Datum::Float(0.1)),
            ("k", Datum::sym(":ok")),
            ("n", Datum::Nil),
        ]);
        assert_eq!(
            encode(&d).unwrap(),
            "{\"k\":\":ok\",\"n\":null,\"state\":[0,1],\"task_id\":\"demo\",\"x\":0.10000000000000001}"
        );
        assert_eq!(encode(&Datum::Float(f64::NAN)).unwrap_err(), "json.encode: non-finite floats are not supported");
        assert_eq!(encode_lenient(&Datum::Float(f64::INFINITY)), "null");
        assert_eq!(
            encode(&Datum::Opaque("<closure>".into())).unwrap_err(),
            "json.encode: unsupported value type: closure"
        );
        assert_eq!(encode_lenient(&Datum::Opaque("<closure>".into())), "\"<closure>\"");
        assert_eq!(encode(&Datum::str("a\"b\\\n")).unwrap(), "\"a\\\"b\\\\\\n\"");
    }

    #[test]
    fn equal_keys_sort_by_value() {
        let d = Datum::Map(vec![(Datum::str("a"), Datum::Int(2)), (Datum::sym("a"), Datum::Int(1))]);
        assert_eq!(encode(&d).unwrap(), "{\"a\":1,\"a\":2}");
    }
}
