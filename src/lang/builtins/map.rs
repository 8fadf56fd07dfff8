//! Group `map`: mutable insertion-ordered maps.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!(
        "map.make",
        "map",
        0,
        m(0),
        "(map.make) -> map",
        "A new empty mutable map (keys keep insertion order).",
        bi_map_make
    ),
    b!(
        "map.get",
        "map",
        3,
        m(3),
        "(map.get m key default) -> value",
        "Value stored under key, or default when absent.",
        bi_map_get
    ),
    b!("map.has?", "map", 2, m(2), "(map.has? m key) -> boolean", "Whether key is present.", bi_map_has),
    b!("map.set!", "map", 3, m(3), "(map.set! m key value) -> value", "Store value under key.", bi_map_set),
    b!("map.del!", "map", 2, m(2), "(map.del! m key) -> boolean", "Remove key; true if it was present.", bi_map_del),
    b!("map.keys", "map", 1, m(1), "(map.keys m) -> list", "List of the keys, in insertion order.", bi_map_keys),
];

fn map_mut<'h>(heap: &'h mut Heap, name: &str, v: Value) -> Result<&'h mut MapObj, String> {
    match heap.obj_mut(v) {
        Some(Obj::Map(m)) => Ok(m),
        _ => Err(format!("{name}: expected map")),
    }
}
fn map_key(heap: &Heap, name: &str, v: Value) -> Result<MapKey, String> {
    match v {
        Value::Sym(s) => Ok(MapKey::Sym(s)),
        Value::Int(i) => Ok(MapKey::Int(i)),
        Value::Float(f) => {
            if f.is_nan() {
                Err(format!("{name}: float keys must not be NaN"))
            } else {
                Ok(MapKey::Float(if f == 0.0 { 0.0f64.to_bits() } else { f.to_bits() }))
            }
        }
        _ => match heap.str_of(v) {
            Some(s) => Ok(MapKey::Str(s.to_string())),
            None => Err(format!("{name}: expected key as symbol, string, integer, or float")),
        },
    }
}
fn bi_map_make(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    Ok(c.heap.alloc(Obj::Map(Box::default())))
}
fn map_ref<'h>(heap: &'h Heap, name: &str, v: Value) -> Result<&'h MapObj, String> {
    match heap.obj(v) {
        Some(Obj::Map(m)) => Ok(m),
        _ => Err(format!("{name}: expected map")),
    }
}
/// [`map_key`] without copying a string key (same checks, same messages).
fn key_ref<'h>(heap: &'h Heap, name: &str, v: Value) -> Result<KeyRef<'h>, String> {
    match v {
        Value::Sym(s) => Ok(KeyRef::Sym(s)),
        Value::Int(i) => Ok(KeyRef::Int(i)),
        Value::Float(f) => {
            if f.is_nan() {
                Err(format!("{name}: float keys must not be NaN"))
            } else {
                Ok(KeyRef::Float(if f == 0.0 { 0.0f64.to_bits() } else { f.to_bits() }))
            }
        }
        _ => match heap.str_of(v) {
            Some(s) => Ok(KeyRef::Str(s)),
            None => Err(format!("{name}: expected key as symbol, string, integer, or float")),
        },
    }
}
fn bi_map_get(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let m = map_ref(c.heap, "map.get", arg(a, 0))?;
    let k = key_ref(c.heap, "map.get", arg(a, 1))?;
    Ok(m.get_ref(k).unwrap_or(arg(a, 2)))
}
fn bi_map_has(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let m = map_ref(c.heap, "map.has?", arg(a, 0))?;
    let k = key_ref(c.heap, "map.has?", arg(a, 1))?;
    Ok(Value::Bool(m.get_ref(k).is_some()))
}
fn bi_map_set(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    map_ref(c.heap, "map.set!", arg(a, 0))?;
    // (an existing key is found through a borrowed key; only a new one is copied)
    let at = {
        let k = key_ref(c.heap, "map.set!", arg(a, 1))?;
        map_ref(c.heap, "map.set!", arg(a, 0))?.index_of(k)
    };
    match at {
        Some(i) => map_mut(c.heap, "map.set!", arg(a, 0))?.set_at(i, arg(a, 2)),
        None => {
            let k = map_key(c.heap, "map.set!", arg(a, 1))?;
            map_mut(c.heap, "map.set!", arg(a, 0))?.set(k, arg(a, 2));
        }
    }
    c.heap.note_growth(96);
    Ok(arg(a, 2))
}
fn bi_map_del(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    map_mut(c.heap, "map.del!", arg(a, 0))?;
    let k = map_key(c.heap, "map.del!", arg(a, 1))?;
    Ok(Value::Bool(map_mut(c.heap, "map.del!", arg(a, 0))?.remove(&k)))
}
fn bi_map_keys(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let keys: Vec<MapKey> = map_mut(c.heap, "map.keys", arg(a, 0))?.iter().map(|(k, _)| k.clone()).collect();
    let vals: Vec<Value> = keys.into_iter().map(|k| key_value(c.heap, k)).collect();
    Ok(c.heap.list(&vals))
}
pub(crate) fn key_value(heap: &mut Heap, k: MapKey) -> Value {
    match k {
        MapKey::Sym(s) => Value::Sym(s),
        MapKey::Int(i) => Value::Int(i),
        MapKey::Float(b) => Value::Float(f64::from_bits(b)),
        MapKey::Str(s) => heap.string(s),
    }
}
