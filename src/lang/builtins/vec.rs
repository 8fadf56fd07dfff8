//! Group `vec`: mutable vectors.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!("vec.make", "vec", 0, m(1), "(vec.make [capacity]) -> vec", "A new empty mutable vector.", bi_vec_make),
    b!("vec.len", "vec", 1, m(1), "(vec.len v) -> integer", "Number of elements.", bi_vec_len),
    b!("vec.get", "vec", 2, m(2), "(vec.get v i) -> value", "Element at index i (0-based).", bi_vec_get),
    b!("vec.set!", "vec", 3, m(3), "(vec.set! v i x) -> x", "Replace the element at index i.", bi_vec_set),
    b!("vec.push!", "vec", 2, m(2), "(vec.push! v x) -> integer", "Append x; returns its index.", bi_vec_push),
    b!("vec.pop!", "vec", 1, m(1), "(vec.pop! v) -> value", "Remove and return the last element.", bi_vec_pop),
    b!("vec.clear!", "vec", 1, m(1), "(vec.clear! v) -> nil", "Remove every element.", bi_vec_clear),
    b!(
        "vec.reserve!",
        "vec",
        2,
        m(2),
        "(vec.reserve! v capacity) -> nil",
        "Reserve room for at least capacity elements.",
        bi_vec_reserve
    ),
];

fn vec_mut<'h>(heap: &'h mut Heap, name: &str, v: Value) -> Result<&'h mut Vec<Value>, String> {
    match heap.obj_mut(v) {
        Some(Obj::Vec(items)) => Ok(items),
        _ => Err(format!("{name}: expected vec")),
    }
}
fn bi_vec_make(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let cap = if a.is_empty() { 4 } else { capacity("vec.make", arg(a, 0))? };
    Ok(c.heap.alloc(Obj::Vec(Vec::with_capacity(cap))))
}
fn bi_vec_len(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Int(vec_mut(c.heap, "vec.len", arg(a, 0))?.len() as i64))
}
fn index(name: &str, v: Value, len: usize) -> Result<usize, String> {
    match v {
        Value::Int(i) if i >= 0 && (i as u64) < len as u64 => Ok(i as usize),
        Value::Int(_) => Err(format!("{name}: index out of range")),
        _ => Err(format!("{name}: expected integer index")),
    }
}
fn bi_vec_get(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let items = vec_mut(c.heap, "vec.get", arg(a, 0))?;
    let i = index("vec.get", arg(a, 1), items.len())?;
    items.get(i).copied().ok_or_else(|| "vec.get: index out of range".into())
}
fn bi_vec_set(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let items = vec_mut(c.heap, "vec.set!", arg(a, 0))?;
    let i = index("vec.set!", arg(a, 1), items.len())?;
    let x = arg(a, 2);
    match items.get_mut(i) {
        Some(slot) => *slot = x,
        None => return Err("vec.set!: index out of range".into()),
    }
    Ok(x)
}
fn bi_vec_push(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let items = vec_mut(c.heap, "vec.push!", arg(a, 0))?;
    items.push(arg(a, 1));
    let n = items.len() as i64 - 1;
    c.heap.note_growth(std::mem::size_of::<Value>());
    Ok(Value::Int(n))
}
fn bi_vec_pop(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    vec_mut(c.heap, "vec.pop!", arg(a, 0))?.pop().ok_or_else(|| "vec.pop!: vector is empty".into())
}
fn bi_vec_clear(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    vec_mut(c.heap, "vec.clear!", arg(a, 0))?.clear();
    Ok(Value::Nil)
}
fn bi_vec_reserve(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let items = vec_mut(c.heap, "vec.reserve!", arg(a, 0))?;
    let cap = capacity("vec.reserve!", arg(a, 1))?;
    if cap > items.len() {
        items.reserve(cap - items.len());
    }
    Ok(Value::Nil)
}
