//! Group `core`: pairs and lists, identity, hashing.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!("cons", "core", 2, m(2), "(cons a b) -> pair", "Make a new pair whose car is a and whose cdr is b.", bi_cons),
    b!("car", "core", 1, m(1), "(car pair) -> value", "First element of a pair.", bi_car),
    b!("cdr", "core", 1, m(1), "(cdr pair) -> value", "Rest of a pair.", bi_cdr),
    b!("list", "core", 0, N, "(list x...) -> list", "Build a proper list of the arguments; (list) is nil.", bi_list),
    b!("null?", "core", 1, m(1), "(null? x) -> boolean", "True only for nil (the empty list).", bi_nullp),
    b!(
        "eq?",
        "core",
        2,
        m(2),
        "(eq? a b) -> boolean",
        "Numbers compare by value across types, everything else by identity.",
        bi_eqp
    ),
    b!(
        "hash64",
        "core",
        1,
        m(1),
        "(hash64 text) -> integer",
        "64-bit FNV-1a hash of a string or symbol, top bit cleared.",
        bi_hash64
    ),
];

fn bi_cons(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(c.heap.cons(arg(a, 0), arg(a, 1)))
}
fn bi_car(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    c.heap.pair(arg(a, 0)).map(|p| p.0).ok_or_else(|| "car: expected cons".into())
}
fn bi_cdr(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    c.heap.pair(arg(a, 0)).map(|p| p.1).ok_or_else(|| "cdr: expected cons".into())
}
fn bi_list(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(c.heap.list(a))
}
fn bi_nullp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(matches!(arg(a, 0), Value::Nil)))
}

/// `eq?`: numbers numerically across types, booleans by value, everything else identity.
pub(crate) fn eq_values(a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => num(a) == num(b),
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Sym(x), Value::Sym(y)) => x == y,
        (Value::Prim(x), Value::Prim(y)) => x == y,
        (Value::Handle(x), Value::Handle(y)) => x == y,
        (Value::Obj(x), Value::Obj(y)) => x == y,
        _ => false,
    }
}
fn bi_eqp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(eq_values(arg(a, 0), arg(a, 1))))
}
fn bi_hash64(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let t = text_arg(c.heap, c.syms, arg(a, 0)).ok_or("hash64: expected string or symbol")?;
    let h = crate::lang::fnv::fnv1a64(t.as_bytes());
    Ok(Value::Int((h & 0x7fff_ffff_ffff_ffff) as i64))
}
