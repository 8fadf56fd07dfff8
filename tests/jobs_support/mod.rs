//! Helpers shared by the `jobs_*` integration tests: request builders and map accessors.
#![allow(dead_code)]

use granola::jobs::Engine;
use granola::lang::Datum;
use granola::vla;

pub fn s(text: &str) -> Datum {
    Datum::str(text)
}

pub fn sym(text: &str) -> Datum {
    Datum::sym(text)
}

pub fn floats(xs: &[f64]) -> Datum {
    Datum::list(xs.iter().map(|x| Datum::Float(*x)).collect())
}

pub fn map(entries: Vec<(&str, Datum)>) -> Datum {
    Datum::Map(entries.into_iter().map(|(k, v)| (Datum::sym(k), v)).collect())
}

pub fn rows(rs: &[(f64, f64)]) -> Datum {
    Datum::list(rs.iter().map(|(a, b)| floats(&[*a, *b])).collect())
}

/// The request of the seed pages (`vla.poll` / `vla.cancel`), with `state` as given.
pub fn seed_request(state: &[f64]) -> Datum {
    map(vec![
        ("task_id", s("task")),
        ("instruction", s("move")),
        (
            "observation",
            map(vec![("state", floats(state)), ("timestamp_ms", Datum::Int(100)), ("frame_id", s("base"))]),
        ),
        (
            "action_space",
            map(vec![("type", sym(":continuous")), ("dims", Datum::Int(1)), ("bounds", rows(&[(-1.0, 1.0)]))]),
        ),
        ("constraints", map(vec![("max_abs_value", Datum::Float(1.0)), ("max_delta", Datum::Float(1.0))])),
        ("model", map(vec![("name", s("rt2-stub")), ("version", s("stub-1"))])),
    ])
}

/// A request with `dims` dimensions and default bounds/constraints, plus extra top-level or
/// nested settings applied by `edit`.
pub fn request(state: &[f64], dims: i64) -> Datum {
    map(vec![
        ("instruction", s("move")),
        ("observation", map(vec![("state", floats(state))])),
        ("action_space", map(vec![("dims", Datum::Int(dims))])),
    ])
}

/// Set (or add) `key` in map `m` at `path` (symbol keys).
pub fn set(m: &mut Datum, path: &[&str], value: Datum) {
    let Datum::Map(entries) = m else { panic!("not a map") };
    let key = path[0];
    if path.len() == 1 {
        if let Some(e) = entries.iter_mut().find(|(k, _)| *k == Datum::sym(key)) {
            e.1 = value;
        } else {
            entries.push((Datum::sym(key), value));
        }
        return;
    }
    if !entries.iter().any(|(k, _)| *k == Datum::sym(key)) {
        entries.push((Datum::sym(key), Datum::Map(Vec::new())));
    }
    let e = entries.iter_mut().find(|(k, _)| *k == Datum::sym(key)).unwrap();
    set(&mut e.1, &path[1..], value);
}

/// Remove `key` from map `m` at `path`.
pub fn unset(m: &mut Datum, path: &[&str]) {
    let Datum::Map(entries) = m else { panic!("not a map") };
    if path.len() == 1 {
        entries.retain(|(k, _)| *k != Datum::sym(path[0]));
        return;
    }
    let e = entries.iter_mut().find(|(k, _)| *k == Datum::sym(path[0])).unwrap();
    unset(&mut e.1, &path[1..]);
}

/// Follow symbol keys through nested maps.
pub fn get<'a>(d: &'a Datum, path: &[&str]) -> Option<&'a Datum> {
    let mut cur = d;
    for k in path {
        cur = cur.get_sym(k)?;
    }
    Some(cur)
}

pub fn keys(d: &Datum) -> Vec<String> {
    match d {
        Datum::Map(es) => es
            .iter()
            .map(|(k, _)| match k {
                Datum::Sym(s) => s.clone(),
                other => format!("{other:?}"),
            })
            .collect(),
        _ => panic!("not a map: {d:?}"),
    }
}

pub fn status(d: &Datum) -> String {
    match get(d, &["status"]) {
        Some(Datum::Sym(s)) => s.clone(),
        other => panic!("no status: {other:?}"),
    }
}

pub fn float(d: &Datum, path: &[&str]) -> f64 {
    match get(d, path) {
        Some(Datum::Float(x)) => *x,
        other => panic!("{path:?} is not a float: {other:?}"),
    }
}

pub fn u(d: &Datum, path: &[&str]) -> Vec<f64> {
    match get(d, path) {
        Some(Datum::Nil) => Vec::new(),
        Some(Datum::List(xs)) => xs
            .iter()
            .map(|x| match x {
                Datum::Float(f) => *f,
                other => panic!("not a float: {other:?}"),
            })
            .collect(),
        other => panic!("{path:?} is not a list: {other:?}"),
    }
}

/// A `vla`/`cap` builtin by name on plain data, through the Rust functions the rows call:
/// `Err` is the complete Lisp error message.
pub fn call(e: &mut Engine, name: &str, args: &[Datum]) -> Result<Datum, String> {
    let arg = |i: usize| args.get(i).ok_or_else(|| format!("{name}: expected {} arguments, got {}", i + 1, args.len()));
    match name {
        "vla.submit" => vla::submit(e, arg(0)?).map(|id| Datum::Int(id as i64)),
        "vla.poll" => Ok(vla::poll(e, vla::job_id_arg(name, arg(0)?)?)),
        "vla.cancel" => Ok(Datum::Bool(vla::cancel(e, vla::job_id_arg(name, arg(0)?)?))),
        "cap.list" => Ok(vla::cap::list()),
        "cap.describe" => vla::cap::describe(arg(0)?),
        _ => panic!("{name}: not a vla/cap builtin"),
    }
}

pub fn submit(e: &mut Engine, req: &Datum) -> u64 {
    match call(e, "vla.submit", std::slice::from_ref(req)) {
        Ok(Datum::Int(n)) => n as u64,
        other => panic!("submit failed: {other:?}"),
    }
}

pub fn poll(e: &mut Engine, id: u64) -> Datum {
    call(e, "vla.poll", &[Datum::Int(id as i64)]).expect("poll")
}

pub fn cancel(e: &mut Engine, id: u64) -> bool {
    match call(e, "vla.cancel", &[Datum::Int(id as i64)]) {
        Ok(Datum::Bool(b)) => b,
        other => panic!("cancel: {other:?}"),
    }
}

/// Submit `req`, run it to the end on a fresh engine, return the final poll.
pub fn run_to_end(req: &Datum) -> Datum {
    let mut e = Engine::default();
    let id = submit(&mut e, req);
    e.advance(1000.0);
    poll(&mut e, id)
}

pub fn assert_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}");
    }
}
