//! The core builtins, one file per group, and the core front end ([`CORE`]) that lists
//! them: the special forms first, then `core`, `math`, `predicates`, `time`, `json`, `rng`,
//! `vec`, `map`, `pq`, `io`, `gc`, `help`. Front ends declare their own rows the same way.

use super::ctx::{Ctx, Flow};
use super::heap::{Heap, KeyRef, MapKey, MapObj, Obj, Policy, PqEntry, PqObj, Symbols, Value};
use super::printer::{self, PrintError};
use super::table::{Builtin, FrontEnd, Func, Special};

/// A plain row: `b!(name, group, min, max, signature, summary, function)`.
macro_rules! b {
    ($name:expr, $group:expr, $min:expr, $max:expr, $sig:expr, $sum:expr, $f:expr) => {
        Builtin::plain($name, $group, $min, $max, $sig, $sum, $f)
    };
}

/// A core special form row (group `special`).
macro_rules! form {
    ($name:expr, $group:expr, $min:expr, $max:expr, $sig:expr, $sum:expr, $k:expr) => {
        Builtin {
            name: $name,
            group: $group,
            min_args: $min,
            max_args: $max,
            signature: $sig,
            summary: $sum,
            func: Func::Special($k),
        }
    };
}

mod core;
pub(crate) mod gc;
mod help;
mod io;
mod json;
mod map;
mod math;
mod pq;
mod predicates;
mod rng;
mod special;
mod time;
mod vec;

/// The core language as a front end: every row above, no handles, nothing to install.
pub static CORE: FrontEnd = FrontEnd {
    name: "core",
    groups: &[
        special::ROWS,
        core::ROWS,
        math::ROWS,
        predicates::ROWS,
        time::ROWS,
        json::ROWS,
        rng::ROWS,
        vec::ROWS,
        map::ROWS,
        pq::ROWS,
        io::ROWS,
        gc::ROWS,
        help::ROWS,
    ],
    handles: &[],
    install: None,
};

/// The data types the docs describe (reference section 2, minus front-end handle kinds,
/// which the table adds: [`Table::data_types`](super::Table::data_types)).
pub const DATA_TYPES: &[&str] = &[
    "nil",
    "boolean",
    "integer",
    "float",
    "symbol",
    "string",
    "cons",
    "primitive_fn",
    "closure",
    "vec",
    "map",
    "pq",
    "rng",
];

/// The docs file name for a builtin/form/type name (`map.get` -> `map-get`).
pub fn doc_file_stem(name: &str) -> String {
    match name {
        "+" => return "plus".into(),
        "-" => return "minus".into(),
        "*" => return "mul".into(),
        "/" => return "div".into(),
        "=" => return "eq".into(),
        "<" => return "lt".into(),
        "<=" => return "lte".into(),
        ">" => return "gt".into(),
        ">=" => return "gte".into(),
        _ => {}
    }
    name.replace("->", "-to-").replace('?', "-q").replace('!', "-bang").replace('.', "-")
}

const N: Option<usize> = None;
const fn m(n: usize) -> Option<usize> {
    Some(n)
}

// ---------- helpers shared by the groups ----------

#[inline]
fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).copied().unwrap_or(Value::Nil)
}

fn num(v: Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

fn num1(name: &str, a: &[Value], i: usize) -> Result<f64, String> {
    num(arg(a, i)).ok_or_else(|| format!("{name}: expected number"))
}

fn text_arg<'h>(heap: &'h Heap, syms: &'h Symbols, v: Value) -> Option<&'h str> {
    match v {
        Value::Sym(s) => Some(syms.name(s)),
        _ => heap.str_of(v),
    }
}

/// A capacity argument (`vec.make`, `pq.make`, `vec.reserve!`), at most 65,536.
fn capacity(name: &str, v: Value) -> Result<usize, String> {
    match v {
        Value::Int(n) if n >= 0 => Ok((n as u64).min(1 << 16) as usize),
        Value::Int(_) => Err(format!("{name}: expected non-negative capacity")),
        _ => Err(format!("{name}: expected integer capacity")),
    }
}
