//! `Datum`: a plain, owned, heap-independent copy of Lisp data.
//!
//! It is the exchange format between the evaluator's heap and everything outside it:
//! the job front ends (`vla.submit` reads its request map as a `Datum`, `vla.poll` returns
//! a `Datum` that the evaluator turns into fresh Lisp maps), JSON, and the JS API.

use super::heap::{Heap, MapKey, MapObj, Obj, Symbols, Value};
use super::printer;
use super::table::Table;

/// Plain Lisp data. Maps keep their entries in insertion order.
#[derive(Clone, Debug, PartialEq)]
pub enum Datum {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A symbol, by name (keywords are symbols whose name starts with `:`).
    Sym(String),
    Str(String),
    /// A proper list (an empty list is `Nil`, never `List(vec![])`).
    List(Vec<Datum>),
    /// A map; keys are `Sym`, `Str`, `Int` or `Float`.
    Map(Vec<(Datum, Datum)>),
    /// A front-end handle (`<image_handle:1>`), by its kind's name and id.
    Handle {
        kind: &'static str,
        id: u32,
    },
    /// A value with no plain-data form (closure, vec, pq, rng, ...), by its printed form.
    Opaque(String),
}

impl Datum {
    /// Convenience: a symbol datum.
    pub fn sym(name: &str) -> Datum {
        Datum::Sym(name.to_string())
    }

    /// Convenience: a string datum.
    pub fn str(text: &str) -> Datum {
        Datum::Str(text.to_string())
    }

    /// A list datum; an empty vector becomes `Nil`.
    pub fn list(items: Vec<Datum>) -> Datum {
        if items.is_empty() {
            Datum::Nil
        } else {
            Datum::List(items)
        }
    }

    /// Look up a map entry by key; `None` if this is not a map or the key is absent.
    pub fn get(&self, key: &Datum) -> Option<&Datum> {
        match self {
            Datum::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Look up a map entry by symbol name.
    pub fn get_sym(&self, name: &str) -> Option<&Datum> {
        match self {
            Datum::Map(entries) => {
                entries.iter().find(|(k, _)| matches!(k, Datum::Sym(s) if s == name)).map(|(_, v)| v)
            }
            _ => None,
        }
    }
}

/// Builds a map datum with symbol keys, in the given order.
pub fn sym_map(entries: Vec<(&str, Datum)>) -> Datum {
    Datum::Map(entries.into_iter().map(|(k, v)| (Datum::sym(k), v)).collect())
}

/// Deep copy of a Lisp value into a [`Datum`] (nesting bounded by `max_depth`, so cycles
/// are safe).
pub(crate) fn to_datum(
    heap: &Heap,
    syms: &Symbols,
    table: &Table,
    v: Value,
    max_depth: usize,
) -> Result<Datum, String> {
    to_datum_at(heap, syms, table, v, 0, max_depth)
}

fn to_datum_at(
    heap: &Heap,
    syms: &Symbols,
    table: &Table,
    v: Value,
    depth: usize,
    max: usize,
) -> Result<Datum, String> {
    if depth > max {
        return Err("value nested too deeply".into());
    }
    Ok(match v {
        Value::Nil => Datum::Nil,
        Value::Bool(b) => Datum::Bool(b),
        Value::Int(i) => Datum::Int(i),
        Value::Float(f) => Datum::Float(f),
        Value::Sym(s) => Datum::Sym(syms.name(s).to_string()),
        Value::Handle(handle) => match table.handle_kind(handle.kind()) {
            Some(h) => Datum::Handle { kind: h.name, id: handle.id() },
            None => Datum::Opaque(printer::show(heap, syms, table, v)),
        },
        Value::Prim(_) => Datum::Opaque(printer::show(heap, syms, table, v)),
        Value::Obj(_) => match heap.obj(v) {
            Some(Obj::Str(s)) => Datum::Str(s.clone()),
            Some(Obj::Cons { .. }) => {
                let mut items = Vec::new();
                let mut cur = v;
                loop {
                    match heap.pair(cur) {
                        Some((a, d)) => {
                            items.push(to_datum_at(heap, syms, table, a, depth + 1, max)?);
                            cur = d;
                        }
                        None => {
                            if !matches!(cur, Value::Nil) {
                                // An improper list has no Datum list form: keeping its tail as
                                // one more element would let `(cons 0.1 0.2)` pass for
                                // `(0.1 0.2)`. It goes over as its printed form instead.
                                return Ok(Datum::Opaque(printer::show(heap, syms, table, v)));
                            }
                            break;
                        }
                    }
                    if items.len() > 1_000_000 {
                        return Err("list too long".into());
                    }
                }
                Datum::list(items)
            }
            Some(Obj::Map(m)) => {
                let mut out = Vec::with_capacity(m.len());
                for (k, val) in m.iter() {
                    let kd = match k {
                        MapKey::Sym(s) => Datum::Sym(syms.name(*s).to_string()),
                        MapKey::Str(s) => Datum::Str(s.clone()),
                        MapKey::Int(i) => Datum::Int(*i),
                        MapKey::Float(b) => Datum::Float(f64::from_bits(*b)),
                    };
                    out.push((kd, to_datum_at(heap, syms, table, val, depth + 1, max)?));
                }
                Datum::Map(out)
            }
            _ => Datum::Opaque(printer::show(heap, syms, table, v)),
        },
    })
}

/// Build fresh Lisp values from a [`Datum`] (maps become map objects, lists lists).
pub(crate) fn from_datum(
    heap: &mut Heap,
    syms: &mut Symbols,
    table: &Table,
    d: &Datum,
    depth: usize,
) -> Result<Value, String> {
    if depth > 256 {
        return Err("result nested too deeply".into());
    }
    Ok(match d {
        Datum::Nil => Value::Nil,
        Datum::Bool(b) => Value::Bool(*b),
        Datum::Int(i) => Value::Int(*i),
        Datum::Float(f) => Value::Float(*f),
        Datum::Sym(s) => Value::Sym(syms.intern(s)),
        Datum::Handle { kind, id } => match table.handle_by_name(kind) {
            Some(k) => Value::Handle(super::heap::Handle::new(k, *id)),
            None => return Err(format!("unknown handle kind: {kind}")),
        },
        Datum::Str(s) | Datum::Opaque(s) => heap.string(s.clone()),
        Datum::List(items) => {
            let mut vals = Vec::with_capacity(items.len());
            for it in items {
                vals.push(from_datum(heap, syms, table, it, depth + 1)?);
            }
            heap.list(&vals)
        }
        Datum::Map(entries) => {
            let mut m = MapObj::default();
            for (k, v) in entries {
                let key = match k {
                    Datum::Sym(s) => MapKey::Sym(syms.intern(s)),
                    Datum::Str(s) => MapKey::Str(s.clone()),
                    Datum::Int(i) => MapKey::Int(*i),
                    Datum::Float(f) if !f.is_nan() => {
                        MapKey::Float(if *f == 0.0 { 0.0f64.to_bits() } else { f.to_bits() })
                    }
                    other => MapKey::Str(format!("{other:?}")),
                };
                let val = from_datum(heap, syms, table, v, depth + 1)?;
                m.set(key, val);
            }
            heap.alloc(Obj::Map(Box::new(m)))
        }
    })
}
