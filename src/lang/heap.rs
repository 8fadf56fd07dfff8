//! Values and the heap: an arena of objects with a free list and a mark–sweep collector.
//!
//! A [`Value`] is a small `Copy` word: immediates (nil, booleans, numbers, symbols,
//! primitives, handles) or an index into the arena. Environments are heap objects too, so cycles
//! between closures and the environments they capture are collected like anything else.
//! The collector only runs at evaluator safe points, with the roots handed to it
//! explicitly (globals, the evaluator's stack, registers and queued forms).

use super::Pos;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Index of the global environment (not a heap object).
pub const GLOBAL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Sym(u32),
    /// A builtin: its row in the composed table.
    Prim(u16),
    /// An opaque front-end handle (its kind and id).
    Handle(Handle),
    Obj(u32),
}

/// A handle value's kind (index into the table's handle kinds) and id, packed in one word
/// (so that copying a `Value` stays two plain words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle(u64);

impl Handle {
    pub(crate) fn new(kind: u16, id: u32) -> Handle {
        Handle((u64::from(kind) << 32) | u64::from(id))
    }
    pub(crate) fn kind(self) -> u16 {
        (self.0 >> 32) as u16
    }
    /// The handle's id.
    pub fn id(self) -> u32 {
        self.0 as u32
    }
}

impl Value {
    #[inline]
    pub fn truthy(self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }
}

/// A map key: type + value identity (floats normalised: -0.0 -> 0.0, never NaN).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapKey {
    Sym(u32),
    Str(String),
    Int(i64),
    Float(u64),
}

/// A borrowed map key, so that looking a string key up needs no copy of the string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef<'a> {
    Sym(u32),
    Str(&'a str),
    Int(i64),
    Float(u64),
}

impl MapKey {
    /// This key as a [`KeyRef`].
    pub fn view(&self) -> KeyRef<'_> {
        match self {
            MapKey::Sym(s) => KeyRef::Sym(*s),
            MapKey::Str(s) => KeyRef::Str(s),
            MapKey::Int(i) => KeyRef::Int(*i),
            MapKey::Float(b) => KeyRef::Float(*b),
        }
    }
}

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match self {
            KeyRef::Sym(s) => h.write_u64(u64::from(*s)),
            KeyRef::Str(s) => {
                h.write(s.as_bytes());
                h.write_u8(0xff);
            }
            KeyRef::Int(i) => h.write_u64((*i as u64) ^ 0x5555_5555_5555_5555),
            KeyRef::Float(b) => h.write_u64(b.rotate_left(17)),
        }
    }
}

impl Hash for MapKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.view().hash(h)
    }
}

/// What the map index is searched with: an owned key or a borrowed one.
trait AsKey {
    fn key(&self) -> KeyRef<'_>;
}
impl AsKey for MapKey {
    fn key(&self) -> KeyRef<'_> {
        self.view()
    }
}
impl AsKey for KeyRef<'_> {
    fn key(&self) -> KeyRef<'_> {
        *self
    }
}
impl<'a> Borrow<dyn AsKey + 'a> for MapKey {
    fn borrow(&self) -> &(dyn AsKey + 'a) {
        self
    }
}
impl Hash for dyn AsKey + '_ {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.key().hash(h)
    }
}
impl PartialEq for dyn AsKey + '_ {
    fn eq(&self, o: &Self) -> bool {
        self.key() == o.key()
    }
}
impl Eq for dyn AsKey + '_ {}

/// A fast non-cryptographic hasher (the multiply-rotate scheme of rustc's FxHash) for map
/// keys and symbol names: SipHash's resistance to chosen keys buys nothing here, and it was
/// a visible share of map-heavy programs' time.
#[derive(Clone, Copy, Default)]
pub struct FastHasher(u64);

const FAST_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(FAST_SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// [`HashMap`] with the [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// An insertion-ordered hash map (tombstones compacted when they dominate).
#[derive(Default, Debug)]
pub struct MapObj {
    entries: Vec<Option<(MapKey, Value)>>,
    index: FastMap<MapKey, usize>,
}

impl MapObj {
    pub fn len(&self) -> usize {
        self.index.len()
    }
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
    pub fn get(&self, k: &MapKey) -> Option<Value> {
        self.get_ref(k.view())
    }
    /// [`MapObj::get`] with a borrowed key.
    pub fn get_ref(&self, k: KeyRef<'_>) -> Option<Value> {
        let i = *self.index.get(&k as &dyn AsKey)?;
        self.entries.get(i).and_then(|e| e.as_ref()).map(|(_, v)| *v)
    }
    /// Where the key sits (for [`MapObj::set_at`]), if present.
    pub fn index_of(&self, k: KeyRef<'_>) -> Option<usize> {
        self.index.get(&k as &dyn AsKey).copied()
    }
    /// Replace the value at an index from [`MapObj::index_of`].
    pub fn set_at(&mut self, i: usize, v: Value) {
        if let Some(Some(e)) = self.entries.get_mut(i) {
            e.1 = v;
        }
    }
    pub fn set(&mut self, k: MapKey, v: Value) {
        if let Some(&i) = self.index.get(&k) {
            if let Some(Some(e)) = self.entries.get_mut(i) {
                e.1 = v;
                return;
            }
        }
        self.index.insert(k.clone(), self.entries.len());
        self.entries.push(Some((k, v)));
    }
    pub fn remove(&mut self, k: &MapKey) -> bool {
        self.remove_ref(k.view())
    }
    /// [`MapObj::remove`] with a borrowed key.
    pub fn remove_ref(&mut self, k: KeyRef<'_>) -> bool {
        match self.index.remove(&k as &dyn AsKey) {
            Some(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    *e = None;
                }
                if self.entries.len() > 16 && self.index.len() * 2 < self.entries.len() {
                    self.compact();
                }
                true
            }
            None => false,
        }
    }
    fn compact(&mut self) {
        let old = std::mem::take(&mut self.entries);
        self.index.clear();
        for (k, v) in old.into_iter().flatten() {
            self.index.insert(k.clone(), self.entries.len());
            self.entries.push(Some((k, v)));
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = (&MapKey, Value)> {
        self.entries.iter().flatten().map(|(k, v)| (k, *v))
    }
}

/// A min-priority queue entry.
#[derive(Debug, Clone, Copy)]
pub struct PqEntry {
    pub prio: f64,
    pub seq: u64,
    pub payload: Value,
}

impl PartialEq for PqEntry {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == std::cmp::Ordering::Equal
    }
}
impl Eq for PqEntry {}
impl PartialOrd for PqEntry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for PqEntry {
    // Reversed so that std's max-heap pops the smallest priority, then the oldest.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.prio.total_cmp(&self.prio).then_with(|| o.seq.cmp(&self.seq))
    }
}

#[derive(Debug, Default)]
pub struct PqObj {
    pub heap: std::collections::BinaryHeap<PqEntry>,
    pub seq: u64,
}

#[derive(Debug)]
pub enum Obj {
    Free(u32),
    Cons {
        car: Value,
        cdr: Value,
        pos: Pos,
    },
    Str(String),
    /// `code`: the compiled lambda its body runs as, or `u32::MAX` (the walker runs `body`).
    Closure {
        params: std::rc::Rc<[u32]>,
        body: Value,
        env: u32,
        code: u32,
    },
    Env {
        vars: Vec<(u32, Value)>,
        parent: u32,
    },
    Vec(Vec<Value>),
    Map(Box<MapObj>),
    Pq(Box<PqObj>),
    Rng {
        state: u64,
        spare: Option<f64>,
    },
}

impl Obj {
    pub fn type_name(&self) -> &'static str {
        match self {
            Obj::Free(_) => "free",
            Obj::Cons { .. } => "cons",
            Obj::Str(_) => "string",
            Obj::Closure { .. } => "closure",
            Obj::Env { .. } => "environment",
            Obj::Vec(_) => "vec",
            Obj::Map(_) => "map",
            Obj::Pq(_) => "pq",
            Obj::Rng { .. } => "rng",
        }
    }
    fn payload_bytes(&self) -> usize {
        match self {
            Obj::Str(s) => s.capacity(),
            Obj::Env { vars, .. } => vars.capacity() * std::mem::size_of::<(u32, Value)>(),
            Obj::Closure { params, .. } => params.len() * 4,
            Obj::Vec(v) => v.capacity() * std::mem::size_of::<Value>(),
            Obj::Map(m) => m.entries.capacity() * 48 + m.index.capacity() * 48,
            Obj::Pq(q) => q.heap.capacity() * std::mem::size_of::<PqEntry>(),
            _ => 0,
        }
    }
}

/// Garbage-collection policy (as `gc.set-policy!` names them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    Default,
    BetweenTicks,
    Manual,
    FailOnTickGc,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::Default => ":default",
            Policy::BetweenTicks => ":between-ticks",
            Policy::Manual => ":manual",
            Policy::FailOnTickGc => ":fail-on-tick-gc",
        }
    }
}

const MIN_THRESHOLD: usize = 100_000;
/// Even under the `:manual` policy the heap is collected past this many live objects (or
/// when it reaches its byte cap).
const MANUAL_HARD_LIMIT: usize = 16_000_000;
/// Payload growth (string bytes, vector/map/queue storage) since the last collection that
/// triggers the next one at the latest.
const MIN_GROW_TRIGGER: usize = 16 << 20;
/// Bytes one arena slot costs (the object and its mark).
/// Most variable vectors kept for reuse between collections.
const ENV_POOL_MAX: usize = 1 << 20;

const SLOT_BYTES: usize = std::mem::size_of::<Obj>() + 1;

pub struct Heap {
    objs: Vec<Obj>,
    marks: Vec<bool>,
    free: u32,
    pub live: usize,
    pub total_allocated: u64,
    pub live_after_gc: usize,
    pub threshold: usize,
    pub collections: u64,
    pub pause_ns: u64,
    pub freed_total: u64,
    pub forced: u64,
    pub policy: Policy,
    env_pool: Vec<Vec<(u32, Value)>>,
    /// Payload bytes of the objects that survived the last collection.
    payload_after_gc: usize,
    /// Payload bytes added since the last collection (as noted by `string` and `note_growth`).
    grown: usize,
    grow_threshold: usize,
    /// The most bytes the heap may hold (see `Limits::max_heap_bytes`).
    cap_bytes: usize,
    /// First-element positions of reader-made lists whose first element does not start
    /// right after the '(' (see `set_head_pos`); entries of collected cells are dropped.
    head_pos: HashMap<u32, Pos>,
    /// The compiled lambdas of the closures the last mark reached (the evaluator keeps their
    /// code and drops the rest).
    pub(crate) live_code: Vec<u32>,
}

impl Default for Heap {
    fn default() -> Self {
        Heap {
            objs: Vec::new(),
            marks: Vec::new(),
            free: u32::MAX,
            live: 0,
            total_allocated: 0,
            live_after_gc: 0,
            threshold: MIN_THRESHOLD,
            collections: 0,
            pause_ns: 0,
            freed_total: 0,
            forced: 0,
            policy: Policy::Default,
            env_pool: Vec::new(),
            payload_after_gc: 0,
            grown: 0,
            grow_threshold: MIN_GROW_TRIGGER,
            cap_bytes: usize::MAX,
            head_pos: HashMap::new(),
            live_code: Vec::new(),
        }
    }
}

impl Heap {
    pub fn alloc(&mut self, o: Obj) -> Value {
        self.live += 1;
        self.total_allocated += 1;
        if self.free != u32::MAX {
            let i = self.free;
            if let Some(slot) = self.objs.get_mut(i as usize) {
                if let Obj::Free(next) = slot {
                    self.free = *next;
                    *slot = o;
                    return Value::Obj(i);
                }
            }
            self.free = u32::MAX;
        }
        let i = self.objs.len() as u32;
        self.objs.push(o);
        self.marks.push(false);
        Value::Obj(i)
    }

    #[inline]
    pub fn get(&self, i: u32) -> Option<&Obj> {
        self.objs.get(i as usize)
    }
    #[inline]
    pub fn get_mut(&mut self, i: u32) -> Option<&mut Obj> {
        self.objs.get_mut(i as usize)
    }
    #[inline]
    pub fn obj(&self, v: Value) -> Option<&Obj> {
        match v {
            Value::Obj(i) => self.objs.get(i as usize),
            _ => None,
        }
    }
    #[inline]
    pub fn obj_mut(&mut self, v: Value) -> Option<&mut Obj> {
        match v {
            Value::Obj(i) => self.objs.get_mut(i as usize),
            _ => None,
        }
    }

    /// An empty variable vector for a new environment (reused from collected ones).
    #[inline]
    /// Renumber every closure's compiled lambda (after the evaluator compacted its code).
    pub(crate) fn remap_code(&mut self, f: impl Fn(u32) -> u32) {
        for o in &mut self.objs {
            if let Obj::Closure { code, .. } = o {
                if *code != u32::MAX {
                    *code = f(*code);
                }
            }
        }
    }

    /// Free environment `e` now (the evaluator knows nothing refers to it any more): its
    /// slot goes on the free list and its variable vector back to the pool.
    pub(crate) fn free_env(&mut self, e: u32) {
        let Some(slot) = self.objs.get_mut(e as usize) else { return };
        if !matches!(slot, Obj::Env { .. }) {
            return;
        }
        if let Obj::Env { mut vars, .. } = std::mem::replace(slot, Obj::Free(self.free)) {
            if self.env_pool.len() < ENV_POOL_MAX && vars.capacity() <= 8 {
                vars.clear();
                self.env_pool.push(vars);
            }
        }
        self.free = e;
        self.live = self.live.saturating_sub(1);
        self.freed_total += 1;
    }

    pub fn take_vars(&mut self) -> Vec<(u32, Value)> {
        self.env_pool.pop().unwrap_or_default()
    }

    pub fn cons(&mut self, car: Value, cdr: Value) -> Value {
        self.alloc(Obj::Cons { car, cdr, pos: Pos::default() })
    }
    pub fn cons_at(&mut self, car: Value, cdr: Value, pos: Pos) -> Value {
        self.alloc(Obj::Cons { car, cdr, pos })
    }
    pub fn string(&mut self, s: String) -> Value {
        self.grown = self.grown.saturating_add(s.len());
        self.alloc(Obj::Str(s))
    }

    /// Note `bytes` of payload added to an existing object (a vector or map that grew), so
    /// that the byte cap and the collector see it.
    #[inline]
    pub fn note_growth(&mut self, bytes: usize) {
        self.grown = self.grown.saturating_add(bytes);
    }

    /// Set the byte cap (see `Limits::max_heap_bytes`).
    pub fn set_cap(&mut self, bytes: usize) {
        self.cap_bytes = bytes.max(1 << 20);
        self.retune();
    }

    /// The byte cap.
    pub fn cap(&self) -> usize {
        self.cap_bytes
    }

    /// Estimated bytes held now: every arena slot in use plus payloads (exact for what
    /// survived the last collection, noted growth since).
    pub fn estimate(&self) -> usize {
        self.live.saturating_mul(SLOT_BYTES).saturating_add(self.payload_after_gc).saturating_add(self.grown)
    }

    /// Whether the estimate is past the byte cap.
    pub fn over_cap(&self) -> bool {
        self.estimate() > self.cap_bytes
    }

    /// Bytes left under the cap.
    pub fn room(&self) -> usize {
        self.cap_bytes.saturating_sub(self.estimate())
    }
    #[inline]
    pub fn pair(&self, v: Value) -> Option<(Value, Value)> {
        match self.obj(v) {
            Some(Obj::Cons { car, cdr, .. }) => Some((*car, *cdr)),
            _ => None,
        }
    }
    /// Record where the first element of the reader-made list `head` starts, when that is
    /// not the column right after its '(' (the common case costs nothing).
    pub fn set_head_pos(&mut self, head: Value, list_pos: Pos, first: Pos) {
        let Value::Obj(i) = head else { return };
        if first.line == list_pos.line && first.col == list_pos.col.saturating_add(1) {
            if !self.head_pos.is_empty() {
                self.head_pos.remove(&i);
            }
        } else {
            self.head_pos.insert(i, first);
        }
    }
    /// Where the first element of the list `v` was written (reader-made lists only).
    pub fn head_elem_pos(&self, v: Value) -> Option<Pos> {
        let list_pos = self.pos_of(v)?;
        let Value::Obj(i) = v else { return None };
        match self.head_pos.get(&i) {
            Some(p) => Some(*p),
            None => Some(Pos { line: list_pos.line, col: list_pos.col.saturating_add(1) }),
        }
    }
    pub fn pos_of(&self, v: Value) -> Option<Pos> {
        match self.obj(v) {
            Some(Obj::Cons { pos, .. }) if pos.line > 0 => Some(*pos),
            _ => None,
        }
    }
    pub fn list(&mut self, items: &[Value]) -> Value {
        let mut out = Value::Nil;
        for v in items.iter().rev() {
            out = self.cons(*v, out);
        }
        out
    }
    /// Elements of a proper list, or `None` if improper.
    pub fn list_vec(&self, mut v: Value) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        loop {
            match v {
                Value::Nil => return Some(out),
                _ => {
                    let (a, d) = self.pair(v)?;
                    out.push(a);
                    v = d;
                }
            }
        }
    }
    pub fn str_of(&self, v: Value) -> Option<&str> {
        match self.obj(v) {
            Some(Obj::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// Whether an automatic collection may be due (then ask [`Heap::gc_due`]).
    #[inline]
    pub fn wants_gc(&self) -> bool {
        self.live >= self.threshold || self.grown >= self.grow_threshold
    }

    /// Whether to collect now. The `:manual` policy defers until the hard object limit or
    /// the byte cap (and moves the trigger there).
    pub fn gc_due(&mut self) -> bool {
        if self.policy != Policy::Manual || self.live >= MANUAL_HARD_LIMIT || self.over_cap() {
            return true;
        }
        self.threshold = MANUAL_HARD_LIMIT.min(self.live.saturating_add(self.room() / SLOT_BYTES).saturating_add(1));
        self.grow_threshold = self.grown.saturating_add(self.room()).saturating_add(1);
        false
    }

    /// Recompute the collection triggers from what survived the last collection: twice the
    /// live objects (at least `MIN_THRESHOLD`), but never past the byte cap.
    fn retune(&mut self) {
        let used = self.live_after_gc.saturating_mul(SLOT_BYTES).saturating_add(self.payload_after_gc);
        let room = self.cap_bytes.saturating_sub(used);
        let mut threshold = (self.live_after_gc * 2).max(MIN_THRESHOLD).min(self.live_after_gc + room / SLOT_BYTES);
        if threshold <= self.live_after_gc {
            // Already at the cap: check again after a little more allocation, not every step.
            threshold = self.live_after_gc + MIN_THRESHOLD / 4;
        }
        self.threshold = threshold;
        self.grow_threshold = self.payload_after_gc.max(MIN_GROW_TRIGGER).min(room.max(MIN_GROW_TRIGGER / 4));
    }

    /// Mark from `roots` (values) and `env_roots` (environment indices), then sweep.
    pub fn collect(&mut self, roots: &[Value], env_roots: &[u32], forced: bool) {
        self.mark(roots, env_roots);
        self.finish_collect(forced);
    }

    /// The mark half of [`Heap::collect`] (may be called more than once before
    /// [`Heap::finish_collect`]).
    pub(crate) fn mark(&mut self, roots: &[Value], env_roots: &[u32]) {
        let mut stack: Vec<u32> = Vec::new();
        for r in roots {
            if let Value::Obj(i) = r {
                stack.push(*i);
            }
        }
        for e in env_roots {
            if *e != GLOBAL {
                stack.push(*e);
            }
        }
        self.mark_from(stack);
    }

    /// The sweep half of [`Heap::collect`].
    pub(crate) fn finish_collect(&mut self, forced: bool) {
        self.sweep();
        self.collections += 1;
        if forced {
            self.forced += 1;
        }
    }

    /// Marking with an explicit stack (no recursion on user data).
    pub fn mark_from(&mut self, mut stack: Vec<u32>) {
        while let Some(i) = stack.pop() {
            let iu = i as usize;
            match self.marks.get_mut(iu) {
                Some(m) if !*m => *m = true,
                _ => continue,
            }
            let push = |v: &Value, st: &mut Vec<u32>| {
                if let Value::Obj(j) = v {
                    st.push(*j);
                }
            };
            match self.objs.get(iu) {
                Some(Obj::Cons { car, cdr, .. }) => {
                    push(car, &mut stack);
                    push(cdr, &mut stack);
                }
                Some(Obj::Closure { body, env, code, .. }) => {
                    if *code != u32::MAX {
                        self.live_code.push(*code);
                    }
                    push(body, &mut stack);
                    if *env != GLOBAL {
                        stack.push(*env);
                    }
                }
                Some(Obj::Env { vars, parent }) => {
                    for (_, v) in vars {
                        push(v, &mut stack);
                    }
                    if *parent != GLOBAL {
                        stack.push(*parent);
                    }
                }
                Some(Obj::Vec(items)) => {
                    for v in items {
                        push(v, &mut stack);
                    }
                }
                Some(Obj::Map(m)) => {
                    for (_, v) in m.iter() {
                        push(&v, &mut stack);
                    }
                }
                Some(Obj::Pq(q)) => {
                    for e in q.heap.iter() {
                        push(&e.payload, &mut stack);
                    }
                }
                _ => {}
            }
        }
    }

    fn sweep(&mut self) {
        if !self.head_pos.is_empty() {
            let marks = &self.marks;
            self.head_pos.retain(|i, _| marks.get(*i as usize).copied().unwrap_or(false));
        }
        // Slots past the last live one are given back (the arena keeps at least
        // MIN_THRESHOLD slots); the free list links only the slots below that end, so one
        // pass builds it.
        let last_live = self.marks.iter().rposition(|m| *m).map_or(0, |i| i + 1);
        let end = last_live.max(MIN_THRESHOLD).min(self.objs.len());
        let mut freed = 0u64;
        let mut live = 0usize;
        let mut payload = 0usize;
        // Build the free list so low indices are reused first.
        let mut free = u32::MAX;
        for i in (0..self.objs.len()).rev() {
            let marked = self.marks.get(i).copied().unwrap_or(false);
            if let Some(m) = self.marks.get_mut(i) {
                *m = false;
            }
            if let Some(slot) = self.objs.get_mut(i) {
                if marked {
                    live += 1;
                    payload += slot.payload_bytes();
                } else {
                    if !matches!(slot, Obj::Free(_)) {
                        freed += 1;
                    }
                    let old = std::mem::replace(slot, Obj::Free(free));
                    if let Obj::Env { mut vars, .. } = old {
                        // Keep small variable vectors for reuse by the next calls (as many
                        // as this collection frees: that memory was in use a moment ago, and
                        // calls between collections make about as many again).
                        if self.env_pool.len() < ENV_POOL_MAX && vars.capacity() <= 8 {
                            vars.clear();
                            self.env_pool.push(vars);
                        }
                    }
                    if i < end {
                        free = i as u32;
                    }
                }
            }
        }
        self.objs.truncate(end);
        self.marks.truncate(end);
        if self.objs.len() < self.objs.capacity() / 4 {
            self.objs.shrink_to_fit();
            self.marks.shrink_to_fit();
        }
        self.free = free;
        self.freed_total += freed;
        self.live = live;
        self.live_after_gc = live;
        self.payload_after_gc = payload;
        self.grown = 0;
        self.retune();
    }

    /// Estimated bytes held by the arena and the objects' payloads.
    /// Counts every object not yet freed (live, or garbage not yet collected): its arena
    /// slot plus the payload it owns (string bytes, vector/map/queue storage, env slots).
    pub fn bytes(&self) -> usize {
        let slot = std::mem::size_of::<Obj>() + 1;
        self.objs.iter().filter(|o| !matches!(o, Obj::Free(_))).map(|o| slot + o.payload_bytes()).sum::<usize>()
    }
}

/// The symbol table: names are interned once and never collected.
#[derive(Default)]
pub struct Symbols {
    names: Vec<String>,
    ids: FastMap<String, u32>,
}

impl Symbols {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.ids.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), i);
        i
    }
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map(String::as_str).unwrap_or("?")
    }
}
