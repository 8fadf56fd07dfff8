//! Reading the request and option maps front ends take (`vla.submit`, `planner.plan`,
//! `cap.call`, `env.*`, behaviour-tree leaves): fields are found by normalised name (symbol or
//! string keys, one leading `:` dropped, `-` read as `_`; the first matching entry in
//! insertion order wins), and values are read with the reference's error wording
//! (`<where>: expected integer`).

use super::Datum;

/// `key` with one leading `:` removed and every `-` turned into `_`.
pub fn normalize_key(key: &str) -> String {
    key.strip_prefix(':').unwrap_or(key).replace('-', "_")
}

/// The value of the first symbol/string key of `map` that normalises to `key` (`None` when
/// `map` is not a map).
pub fn lookup<'a>(map: &'a Datum, key: &str) -> Option<&'a Datum> {
    let Datum::Map(entries) = map else { return None };
    lookup_entries(entries, key)
}

/// [`lookup`] over a map's entries.
pub fn lookup_entries<'a>(entries: &'a [(Datum, Datum)], key: &str) -> Option<&'a Datum> {
    entries.iter().find_map(|(k, v)| match k {
        Datum::Sym(s) | Datum::Str(s) if normalize_key(s) == key => Some(v),
        _ => None,
    })
}

/// A string or symbol's text.
pub fn text(v: &Datum, where_: &str) -> Result<String, String> {
    match v {
        Datum::Str(s) | Datum::Sym(s) => Ok(s.clone()),
        _ => Err(format!("{where_}: expected string or symbol")),
    }
}

/// An integer.
pub fn int(v: &Datum, where_: &str) -> Result<i64, String> {
    match v {
        Datum::Int(i) => Ok(*i),
        _ => Err(format!("{where_}: expected integer")),
    }
}

/// A number (integer or float) as a float.
pub fn number(v: &Datum, where_: &str) -> Result<f64, String> {
    match v {
        Datum::Int(i) => Ok(*i as f64),
        Datum::Float(f) => Ok(*f),
        _ => Err(format!("{where_}: expected numeric value")),
    }
}

/// A number (one value) or a proper list of numbers.
pub fn numbers(v: &Datum, where_: &str) -> Result<Vec<f64>, String> {
    match v {
        Datum::Int(_) | Datum::Float(_) => Ok(vec![number(v, where_)?]),
        Datum::Nil => Ok(Vec::new()),
        Datum::List(items) => items.iter().map(|x| number(x, where_)).collect(),
        _ => Err(format!("{where_}: expected numeric list or number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_lookup() {
        let m = vec![
            (Datum::Int(1), Datum::Int(0)),
            (Datum::sym(":task-id"), Datum::str("a")),
            (Datum::str("task_id"), Datum::str("b")),
        ];
        assert_eq!(lookup_entries(&m, "task_id"), Some(&Datum::str("a")));
        assert_eq!(lookup(&Datum::Map(m.clone()), "task_id"), Some(&Datum::str("a")));
        assert_eq!(lookup_entries(&m, "instruction"), None);
        assert_eq!(lookup(&Datum::Nil, "task_id"), None);
    }
}
