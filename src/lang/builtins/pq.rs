//! Group `pq`: min-priority queues.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!("pq.make", "pq", 0, m(1), "(pq.make [capacity]) -> pq", "A new empty min-priority queue.", bi_pq_make),
    b!("pq.len", "pq", 1, m(1), "(pq.len q) -> integer", "Number of entries.", bi_pq_len),
    b!("pq.empty?", "pq", 1, m(1), "(pq.empty? q) -> boolean", "Whether the queue has no entries.", bi_pq_empty),
    b!(
        "pq.push!",
        "pq",
        3,
        m(3),
        "(pq.push! q priority payload) -> integer",
        "Add payload with a numeric priority; returns the new size.",
        bi_pq_push
    ),
    b!(
        "pq.pop!",
        "pq",
        1,
        m(1),
        "(pq.pop! q) -> (priority payload)",
        "Remove the entry with the smallest priority (oldest first on ties).",
        bi_pq_pop
    ),
    b!(
        "pq.peek",
        "pq",
        1,
        m(1),
        "(pq.peek q) -> (priority payload)",
        "The entry pq.pop! would remove, without removing it.",
        bi_pq_peek
    ),
];

fn pq_mut<'h>(heap: &'h mut Heap, name: &str, v: Value) -> Result<&'h mut PqObj, String> {
    match heap.obj_mut(v) {
        Some(Obj::Pq(q)) => Ok(q),
        _ => Err(format!("{name}: expected pq")),
    }
}
fn bi_pq_make(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let cap = if a.is_empty() { 0 } else { capacity("pq.make", arg(a, 0))? };
    let mut q = PqObj::default();
    q.heap.reserve(cap);
    Ok(c.heap.alloc(Obj::Pq(Box::new(q))))
}
fn bi_pq_len(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Int(pq_mut(c.heap, "pq.len", arg(a, 0))?.heap.len() as i64))
}
fn bi_pq_empty(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(pq_mut(c.heap, "pq.empty?", arg(a, 0))?.heap.is_empty()))
}
fn bi_pq_push(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    pq_mut(c.heap, "pq.push!", arg(a, 0))?;
    let prio = num(arg(a, 1)).ok_or("pq.push!: expected numeric priority")?;
    if !prio.is_finite() {
        return Err("pq.push!: priority must be finite".into());
    }
    let q = pq_mut(c.heap, "pq.push!", arg(a, 0))?;
    let seq = q.seq;
    q.seq += 1;
    q.heap.push(PqEntry { prio, seq, payload: arg(a, 2) });
    let n = q.heap.len() as i64;
    c.heap.note_growth(std::mem::size_of::<PqEntry>());
    Ok(Value::Int(n))
}
fn bi_pq_pop(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let e = pq_mut(c.heap, "pq.pop!", arg(a, 0))?.heap.pop().ok_or("pq.pop!: priority queue is empty")?;
    Ok(c.heap.list(&[Value::Float(e.prio), e.payload]))
}
fn bi_pq_peek(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let e = *pq_mut(c.heap, "pq.peek", arg(a, 0))?.heap.peek().ok_or("pq.peek: priority queue is empty")?;
    Ok(c.heap.list(&[Value::Float(e.prio), e.payload]))
}
