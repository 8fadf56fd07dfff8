//! Group `gc`: heap statistics and the collection policy.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!("heap-stats", "gc", 0, m(0), "(heap-stats) -> nil", "Print heap and collector statistics.", bi_heap_stats),
    b!("gc-stats", "gc", 0, m(0), "(gc-stats) -> nil", "Force a collection, then print heap statistics.", bi_gc_stats),
    b!("gc.policy", "gc", 0, m(0), "(gc.policy) -> symbol", "The current collection policy.", bi_gc_policy),
    b!(
        "gc.set-policy!",
        "gc",
        1,
        m(1),
        "(gc.set-policy! policy) -> symbol",
        "Select :default, :between-ticks, :manual or :fail-on-tick-gc.",
        bi_gc_set_policy
    ),
];

pub(crate) fn stats_text(h: &Heap) -> String {
    format!(
        "total allocated objects: {}\nlive objects after last GC: {}\nbytes allocated: {}\nnext GC threshold: {}\ncollection count: {}\ntotal GC pause ns: {}\nfreed objects total: {}\nforced collection count: {}\n",
        h.total_allocated, h.live_after_gc, h.bytes(), h.threshold, h.collections, h.pause_ns, h.freed_total, h.forced
    )
}
fn bi_heap_stats(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    let t = stats_text(c.heap);
    c.emit(&t);
    Ok(Value::Nil)
}
fn bi_gc_stats(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    c.flags |= Ctx::GC_STATS;
    Ok(Value::Nil)
}
fn bi_gc_policy(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    let n = c.heap.policy.name();
    Ok(Value::Sym(c.syms.intern(n)))
}
fn bi_gc_set_policy(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let t = text_arg(c.heap, c.syms, arg(a, 0)).ok_or("gc.set-policy!: expected string or symbol")?;
    let p = match t.strip_prefix(':').unwrap_or(t) {
        "default" => Policy::Default,
        "between-ticks" => Policy::BetweenTicks,
        "manual" => Policy::Manual,
        "fail-on-tick-gc" => Policy::FailOnTickGc,
        _ => return Err("gc.set-policy!: expected :default, :between-ticks, :manual, or :fail-on-tick-gc".into()),
    };
    c.heap.policy = p;
    Ok(Value::Sym(c.syms.intern(p.name())))
}
