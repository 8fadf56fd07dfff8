//! Checking an example's result against its page.
//!
//! - A `lisp` example's run matches its `output` fence when what `granola FILE` prints for it
//!   (values, printed output, then `fatal: ...` on an error) is exactly the fence's text.
//! - A bridge example's reply matches its `response` fence ("documented response matches") when
//!   every key the fence shows is in the reply with a matching value (a reply may hold more keys);
//!   the string `"…"` (or `"..."`) matches any value; an array whose last element is `"…"` matches
//!   any array that starts with the elements before it, other arrays must have the same length;
//!   numbers match to a relative 1e-9; everything else must be equal.

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
            out.push_str(&format!("    line {}: expected {:?}\n    line {}:      got {:?}\n", i + 1, x, i + 1, y));
        }
    }
    if out.is_empty() && expected != actual {
        out.push_str(&format!("    the texts differ only in line breaks: expected {expected:?}, got {actual:?}\n"));
    }
    out
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
    }

    #[test]
    fn output_must_be_exact() {
        assert!(output_matches("1\n2\n", "1\n2\n"));
        assert!(!output_matches("1\n2\n", "1\n2"));
        assert_eq!(
            output_diff("1\n2\n", "1\n3\n"),
            "    line 2: expected Some(\"2\")\n    line 2:      got Some(\"3\")\n"
        );
        assert!(!output_diff("1\n", "1").is_empty());
    }
}
