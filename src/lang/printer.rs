//! The printer: values to their reference printed forms (`print`/REPL form and `write` form).
//! Iterative, so deep or long structures cannot overflow the host stack.

use super::heap::{Heap, Obj, Symbols, Value};
use super::table::Table;
use super::textfmt::{format_float, push_quoted};

enum Task {
    Val(Value),
    /// Continue a list whose next cell is this value.
    Rest(Value),
    Text(&'static str),
}

/// Why [`print`] gave no text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrintError {
    /// `readable` and the value has no readable form: the complete message.
    Unreadable(String),
    /// The text would be longer than the `max` bytes asked for.
    TooLong,
}

/// The type name of `v` as messages use it (`integer`, `map`, `bt_def`, …).
pub fn type_name(heap: &Heap, table: &Table, v: Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Bool(_) => "boolean",
        Value::Int(_) => "integer",
        Value::Float(_) => "float",
        Value::Sym(_) => "symbol",
        Value::Prim(_) => "primitive_fn",
        Value::Handle(h) => table.handle_kind(h.kind()).map(|h| h.name).unwrap_or("handle"),
        Value::Obj(_) => heap.obj(v).map(Obj::type_name).unwrap_or("nil"),
    }
}

/// Print `v`. With `readable`, unreadable values are an error (`write` rules, `who` names
/// the builtin in the message). Stops with [`PrintError::TooLong`] past `max` bytes.
pub fn print(
    heap: &Heap,
    syms: &Symbols,
    table: &Table,
    v: Value,
    readable: bool,
    who: &str,
    max: usize,
) -> Result<String, PrintError> {
    let unreadable = |what: &str| PrintError::Unreadable(format!("{who}: cannot serialise {what} as readable data"));
    let mut out = String::new();
    let mut tasks = vec![Task::Val(v)];
    while let Some(t) = tasks.pop() {
        if out.len() > max {
            return Err(PrintError::TooLong);
        }
        match t {
            Task::Text(s) => out.push_str(s),
            Task::Rest(cell) => match cell {
                Value::Nil => out.push(')'),
                _ => match heap.pair(cell) {
                    Some((a, d)) => {
                        out.push(' ');
                        tasks.push(Task::Rest(d));
                        tasks.push(Task::Val(a));
                    }
                    None => {
                        out.push_str(" . ");
                        tasks.push(Task::Text(")"));
                        tasks.push(Task::Val(cell));
                    }
                },
            },
            Task::Val(v) => match v {
                Value::Nil => out.push_str("nil"),
                Value::Bool(true) => out.push_str("#t"),
                Value::Bool(false) => out.push_str("#f"),
                Value::Int(i) => out.push_str(&i.to_string()),
                Value::Float(f) => {
                    if readable && !f.is_finite() {
                        return Err(PrintError::Unreadable(format!("{who}: non-finite floats are not readable")));
                    }
                    out.push_str(&format_float(f))
                }
                Value::Sym(s) => out.push_str(syms.name(s)),
                Value::Prim(p) => {
                    if readable {
                        return Err(unreadable("primitive_fn"));
                    }
                    out.push_str("<primitive:");
                    out.push_str(table.row(p).map(|b| b.name).unwrap_or("?"));
                    out.push('>');
                }
                Value::Handle(h) => {
                    let id = h.id();
                    let name = table.handle_kind(h.kind()).map(|h| h.name).unwrap_or("handle");
                    if readable {
                        return Err(unreadable(name));
                    }
                    out.push_str(&format!("<{name}:{id}>"));
                }
                Value::Obj(_) => match heap.obj(v) {
                    Some(Obj::Cons { car, cdr, .. }) => {
                        out.push('(');
                        tasks.push(Task::Rest(*cdr));
                        tasks.push(Task::Val(*car));
                    }
                    Some(Obj::Str(s)) => push_quoted(&mut out, s),
                    Some(o) => {
                        if readable {
                            return Err(unreadable(o.type_name()));
                        }
                        match o {
                            Obj::Closure { .. } => out.push_str("<closure>"),
                            Obj::Vec(items) => out.push_str(&format!("<vec:{}>", items.len())),
                            Obj::Map(m) => out.push_str(&format!("<map:{}>", m.len())),
                            Obj::Pq(q) => out.push_str(&format!("<pq:{}>", q.heap.len())),
                            Obj::Rng { .. } => out.push_str("<rng>"),
                            Obj::Env { .. } => out.push_str("<environment>"),
                            _ => out.push_str("nil"),
                        }
                    }
                    None => out.push_str("nil"),
                },
            },
        }
    }
    if out.len() > max {
        return Err(PrintError::TooLong);
    }
    Ok(out)
}

/// Printer form, never failing (uncapped: for values whose size the caller bounds).
pub fn show(heap: &Heap, syms: &Symbols, table: &Table, v: Value) -> String {
    print(heap, syms, table, v, false, "print", usize::MAX).unwrap_or_default()
}
