//! `Datum`: a plain, owned, heap-independent copy of Lisp data.
//!
//! It is the exchange format between the evaluator's heap and everything outside it:
//! the job front ends (`vla.submit` reads its request map as a `Datum`, `vla.poll` returns
//! a `Datum` that the evaluator turns into fresh Lisp maps), JSON, and the JS API.

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
