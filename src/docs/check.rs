//! Checking an example's result against its page.
//!
//! - A `lisp` example's run matches its `output` fence when what `granola FILE` prints for it
//!   (values, printed output, then `fatal: ...` on an error) is exactly the fence's text.
//! - A bridge example's reply matches its `response` fence ("documented response matches") when
//!   every key the fence shows is in the reply with a matching value (a reply may hold more keys);
//!   the string `"…"` (or `"..."`) matches any value; an array whose last element is `"…"` matches
//!   any array that starts with the elements before it, other arrays must have the same length;
//!   numbers match to a relative 1e-9; everything else must be equal, except placeholders:
//!   a documented timestamp (`"2026-01-01T00:00:10.000Z"`) matches any timestamp of that form,
//!   and a documented id (a UUID, or `res-`/`pop-` + a UUID) any id of the same form, because
//!   both depend on when and where the example runs.

use serde_json::Value;

/// Does a run's output (what `granola FILE` prints) match the documented `output` fence?
pub fn output_matches(expected: &str, actual: &str) -> bool {
    expected == actual
}

/// The lines where `actual` differs from `expected`, for a failure message (empty when they match).
pub fn output_diff(expected: &str, actual: &str) -> String {
    let mut out = String::new();
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i).copied(), a.get(i).copied());
        if x != y {
            let show = |l: Option<&str>| l.map_or("no line".to_string(), |l| format!("{l:?}"));
            out.push_str(&format!(
                "    line {}: expected {}\n    line {}:      got {}\n",
                i + 1,
                show(x),
                i + 1,
                show(y)
            ));
        }
    }
    if out.is_empty() && expected != actual {
        out.push_str(&format!("    the texts differ only in line breaks: expected {expected:?}, got {actual:?}\n"));
    }
    out
}

/// The form of a value that depends on the run: a timestamp, or an id (with its prefix).
#[derive(PartialEq)]
enum Placeholder<'a> {
    Timestamp,
    Id(&'a str),
}

fn placeholder(s: &str) -> Option<Placeholder<'_>> {
    if is_timestamp(s) {
        return Some(Placeholder::Timestamp);
    }
    let (prefix, rest) = match s.split_once('-') {
        Some((p, r)) if matches!(p, "res" | "pop") => (p, r),
        _ => ("", s),
    };
    is_uuid(rest).then_some(Placeholder::Id(prefix))
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let head = digits(0..4) && at(4, b'-') && digits(5..7) && at(7, b'-') && digits(8..10) && at(10, b'T');
    let time = digits(11..13) && at(13, b':') && digits(14..16) && at(16, b':') && digits(17..19);
    let tail = match &s.get(19..) {
        Some("Z") => true,
        Some(t) => {
            t.len() >= 3
                && t.starts_with('.')
                && t.ends_with('Z')
                && t[1..t.len() - 1].bytes().all(|x| x.is_ascii_digit())
        }
        None => false,
    };
    head && time && tail
}

/// 8-4-4-4-12 hex digits.
fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.bytes().all(|c| c.is_ascii_hexdigit()))
}

fn is_ellipsis(v: &Value) -> bool {
    matches!(v, Value::String(s) if s == "…" || s == "...")
}

/// Does the reply `actual` hold what the documented response `expected` shows (see the module
/// docs)? On a mismatch, says where: `$.job.status: documented "queued", returned "running"`.
pub fn documented_match(expected: &Value, actual: &Value) -> Result<(), String> {
    fn go(e: &Value, a: &Value, path: &str, depth: usize) -> Result<(), String> {
        if depth > 64 {
            return Ok(());
        }
        match (e, a) {
            (e, _) if is_ellipsis(e) => Ok(()),
            (Value::Object(eo), Value::Object(ao)) => {
                for (k, ev) in eo {
                    let av = ao.get(k).ok_or_else(|| format!("{path}.{k}: missing in the actual response"))?;
                    go(ev, av, &format!("{path}.{k}"), depth + 1)?;
                }
                Ok(())
            }
            (Value::Array(ea), Value::Array(aa)) => {
                let open = ea.last().is_some_and(is_ellipsis);
                let shown = if open { &ea[..ea.len() - 1] } else { &ea[..] };
                if (open && aa.len() < shown.len()) || (!open && aa.len() != shown.len()) {
                    return Err(format!("{path}: {} items documented, {} returned", ea.len(), aa.len()));
                }
                for (i, ev) in shown.iter().enumerate() {
                    go(ev, &aa[i], &format!("{path}[{i}]"), depth + 1)?;
                }
                Ok(())
            }
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
                if x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()) {
                    Ok(())
                } else {
                    Err(format!("{path}: documented {x}, returned {y}"))
                }
            }
            (e, a) if e == a => Ok(()),
            (Value::String(es), Value::String(as_))
                if placeholder(es).is_some() && placeholder(es) == placeholder(as_) =>
            {
                Ok(())
            }
            (e, a) => Err(format!("{path}: documented {e}, returned {a}")),
        }
    }
    go(expected, actual, "$", 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_responses_match_by_the_pages_rules() {
        let a = json!({"jobId": "x", "status": "queued", "list": [1, 2, 3], "n": 0.30000000000000004});
        assert!(documented_match(&json!({"status": "queued"}), &a).is_ok(), "shown keys only");
        assert!(documented_match(&json!({"jobId": "…", "list": [1, "…"], "n": 0.3}), &a).is_ok());
        assert!(documented_match(&json!({"jobId": "...", "list": [1, 2, 3, "…"]}), &a).is_ok());
        assert!(documented_match(&json!({"status": "running"}), &a).is_err());
        assert!(documented_match(&json!({"list": [1, 2]}), &a).is_err(), "closed arrays have their length");
        assert!(documented_match(&json!({"list": [1, 2, 3, 4, "…"]}), &a).is_err());
        assert_eq!(
            documented_match(&json!({"missing": 1}), &a),
            Err("$.missing: missing in the actual response".into())
        );
        assert!(documented_match(&json!({"a": 1}), &json!({"a": 1.0})).is_ok());
        assert!(documented_match(&json!({"a": 1e-12}), &json!({"a": 2e-12})).is_err(), "relative, not absolute");
        assert!(documented_match(&json!("x"), &json!("y")).is_err());
        // timestamps and ids depend on the run: any value of the same form matches
        let t = json!({"at": "2026-01-01T00:00:10.000Z", "id": "8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f", "r": "res-8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f"});
        let same_form = json!({"at": "2031-07-04T12:34:56.789Z", "id": "00000000-1111-4222-8333-444444444444", "r": "res-00000000-1111-4222-8333-444444444444"});
        assert!(documented_match(&t, &same_form).is_ok());
        assert!(
            documented_match(&json!({"at": "2026-01-01T00:00:10Z"}), &json!({"at": "2026-02-01T00:00:00Z"})).is_ok()
        );
        assert!(documented_match(&t, &json!({"at": "yesterday", "id": "x", "r": "r"})).is_err());
        assert!(
            documented_match(
                &json!({"r": "res-8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f"}),
                &json!({"r": "pop-8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f"})
            )
            .is_err(),
            "the prefix is kept"
        );
        assert!(documented_match(&json!({"at": "2026-01-01T00:00:10.000Z"}), &json!({"at": null})).is_err());
    }

    #[test]
    fn output_must_be_exact() {
        assert!(output_matches("1\n2\n", "1\n2\n"));
        assert!(!output_matches("1\n2\n", "1\n2"));
        assert_eq!(output_diff("1\n2\n", "1\n3\n"), "    line 2: expected \"2\"\n    line 2:      got \"3\"\n");
        assert_eq!(output_diff("1\n2\n", "1\n"), "    line 2: expected \"2\"\n    line 2:      got no line\n");
        assert!(!output_diff("1\n", "1").is_empty());
    }
}
