//! The per-instance blackboard: typed entries with write metadata, iterated in the order the
//! reference's `std::unordered_map<std::string, entry>` (libstdc++) iterates them.
//!
//! The reference dumps and snapshots its blackboard in hash-table order, and programs (and
//! the docs) show that order, so this map reproduces libstdc++'s node list exactly: the
//! `_Hash_bytes` string hash (seed `0xc70f6907`), the prime rehash policy (1 bucket, 13 at
//! the first insert, then the next prime of at least twice the count), and the
//! "insert at bucket begin" rules of `_M_insert_bucket_begin` and `_M_rehash_aux`. Lookups
//! go through an ordinary hash index on the side.

use super::fmt;
use std::collections::HashMap;

/// A blackboard value.
#[derive(Clone, Debug, PartialEq)]
pub enum BbValue {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    FloatVec(Vec<f64>),
    Image(i64),
    Blob(i64),
}

impl BbValue {
    /// The dump type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            BbValue::Nil => "nil",
            BbValue::Bool(_) => "bool",
            BbValue::Int(_) => "int64",
            BbValue::Float(_) => "float64",
            BbValue::Str(_) => "string",
            BbValue::FloatVec(_) => "float64[]",
            BbValue::Image(_) => "image_handle",
            BbValue::Blob(_) => "blob_handle",
        }
    }

    /// The dump text (`#t`, `2`, `[0.1,1e-07]`, raw strings, `image_handle(3)`).
    pub fn repr(&self) -> String {
        match self {
            BbValue::Nil => "nil".into(),
            BbValue::Bool(b) => if *b { "#t" } else { "#f" }.into(),
            BbValue::Int(i) => i.to_string(),
            BbValue::Float(f) => fmt::cpp_double(*f),
            BbValue::Str(s) => s.clone(),
            BbValue::FloatVec(v) => {
                let mut s = String::from("[");
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    fmt::push_g(&mut s, *x, 6);
                }
                s.push(']');
                s
            }
            BbValue::Image(id) => format!("image_handle({id})"),
            BbValue::Blob(id) => format!("blob_handle({id})"),
        }
    }

    /// The JSON form used in event payloads (`null`, `true`, 6-digit floats, `[..]`,
    /// `{"image_handle":ID}`).
    pub fn json(&self) -> String {
        let mut s = String::new();
        self.push_json(&mut s);
        s
    }

    pub fn push_json(&self, s: &mut String) {
        match self {
            BbValue::Nil => s.push_str("null"),
            BbValue::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
            BbValue::Int(i) => s.push_str(&i.to_string()),
            BbValue::Float(f) => fmt::push_g(s, *f, 6),
            BbValue::Str(t) => fmt::push_json_string(s, t),
            BbValue::FloatVec(v) => {
                s.push('[');
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    fmt::push_g(s, *x, 6);
                }
                s.push(']');
            }
            BbValue::Image(id) => s.push_str(&format!("{{\"image_handle\":{id}}}")),
            BbValue::Blob(id) => s.push_str(&format!("{{\"blob_handle\":{id}}}")),
        }
    }

    /// The values as numbers (ints and floats as one element, vectors as they are).
    pub fn as_vector(&self) -> Option<Vec<f64>> {
        match self {
            BbValue::Int(i) => Some(vec![*i as f64]),
            BbValue::Float(f) => Some(vec![*f]),
            BbValue::FloatVec(v) => Some(v.clone()),
            _ => None,
        }
    }
}

/// One entry: value plus last-write metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct BbEntry {
    pub value: BbValue,
    /// Tick of the last write.
    pub tick: u64,
    /// Job time of the last write, in nanoseconds.
    pub ts_ns: i64,
    /// Node current at the write (0 for tick inputs and writes from outside a tick).
    pub writer_node: u32,
    /// Writer name (callback name, `bt.tick`, ...); may be empty.
    pub writer_name: String,
}

const NONE: u32 = u32::MAX;
/// Bucket marker: the bucket's "node before its first key" is the list head.
const HEAD: u32 = u32::MAX - 1;

struct Slot {
    key: String,
    hash: u64,
    entry: BbEntry,
    next: u32,
}

/// The blackboard map (see the module documentation).
pub struct Blackboard {
    slots: Vec<Slot>,
    index: HashMap<String, u32>,
    /// Per bucket: the node before its first key (`HEAD`: the list head), or `NONE`.
    buckets: Vec<u32>,
    head: u32,
    next_resize: usize,
}

impl Default for Blackboard {
    fn default() -> Self {
        Blackboard { slots: Vec::new(), index: HashMap::new(), buckets: vec![NONE], head: NONE, next_resize: 0 }
    }
}

impl std::fmt::Debug for Blackboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter().map(|(k, e)| (k, &e.value))).finish()
    }
}

/// libstdc++'s `std::_Hash_bytes` (64-bit), as `std::hash<std::string>` uses it.
pub fn libstdcxx_hash(bytes: &[u8]) -> u64 {
    const MUL: u64 = 0xc6a4a7935bd1e995;
    const SEED: u64 = 0xc70f6907;
    fn shift(v: u64) -> u64 {
        v ^ (v >> 47)
    }
    let len = bytes.len();
    let mut h = SEED ^ (len as u64).wrapping_mul(MUL);
    let aligned = len & !7;
    for chunk in bytes[..aligned].chunks_exact(8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let data = shift(u64::from_le_bytes(w).wrapping_mul(MUL)).wrapping_mul(MUL);
        h ^= data;
        h = h.wrapping_mul(MUL);
    }
    if len & 7 != 0 {
        let mut r = 0u64;
        for &b in bytes[aligned..].iter().rev() {
            r = (r << 8) + u64::from(b);
        }
        h ^= r;
        h = h.wrapping_mul(MUL);
    }
    h = shift(h).wrapping_mul(MUL);
    shift(h)
}

/// The start of libstdc++'s `__prime_list` (beyond it, the next prime is computed).
const PRIMES: &[u64] = &[
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 103, 109, 113, 127,
    137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257, 277, 293, 313, 337, 359, 383, 409, 439, 467, 503, 541,
    577, 619, 661, 709, 761, 823, 887, 953, 1031, 1109, 1193, 1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357,
    2549, 2753, 2971, 3209, 3469, 3739, 4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783, 9497, 10273,
    11113, 12011, 12983, 14033, 15173, 16411, 17749, 19183, 20753, 22447, 24281, 26267, 28411, 30727, 33223, 35933,
    38873, 42043, 45481, 49201, 53201, 57557, 62233, 67307, 72817, 78779, 85229, 92203, 99733, 107897, 116731, 126271,
    136607, 147793, 159871, 172933, 187091, 202409, 218971, 236897, 256279, 277261, 299951, 324503, 351061, 379787,
    410857, 444487, 480881, 520241, 562841, 608903, 658753, 712697, 771049, 834181, 902483, 976369, 1056323, 1142821,
    1236397, 1337629, 1447153, 1565659, 1693859, 1832561, 1982627, 2144977, 2320627, 2510653,
];

/// `_Prime_rehash_policy::_M_next_bkt` (max load factor 1): the bucket count for `n`.
fn next_bucket(n: usize, next_resize: &mut usize) -> usize {
    const FAST: [usize; 14] = [2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13];
    if n < FAST.len() {
        if n == 0 {
            return 1;
        }
        *next_resize = FAST[n];
        return FAST[n];
    }
    let p = match PRIMES.iter().find(|&&p| p as usize >= n) {
        Some(&p) => p as usize,
        None => {
            let mut c = n | 1;
            while !is_prime(c) {
                c += 2;
            }
            c
        }
    };
    *next_resize = p;
    p
}

fn is_prime(n: usize) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 1;
    }
    true
}

impl Blackboard {
    pub fn new() -> Blackboard {
        Blackboard::default()
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn bucket_count(&self) -> usize {
        self.buckets.len()
    }

    pub fn get(&self, key: &str) -> Option<&BbEntry> {
        self.index.get(key).map(|&i| &self.slots[i as usize].entry)
    }

    /// Insert or overwrite (an overwrite keeps the key's position).
    pub fn put(&mut self, key: &str, entry: BbEntry) {
        if let Some(&i) = self.index.get(key) {
            self.slots[i as usize].entry = entry;
            return;
        }
        let hash = libstdcxx_hash(key.as_bytes());
        // _M_need_rehash(bucket_count, element_count, 1)
        let n_elt = self.slots.len();
        if n_elt + 1 > self.next_resize {
            let min_bkts = (n_elt + 1).max(if self.next_resize == 0 { 11 } else { 0 });
            if min_bkts >= self.buckets.len() {
                let want = (min_bkts + 1).max(self.buckets.len() * 2);
                let mut nr = self.next_resize;
                let n = next_bucket(want, &mut nr);
                self.next_resize = nr;
                self.rehash(n);
            } else {
                self.next_resize = self.buckets.len();
            }
        }
        let id = self.slots.len() as u32;
        self.slots.push(Slot { key: key.to_string(), hash, entry, next: NONE });
        self.index.insert(key.to_string(), id);
        let bkt = (hash % self.buckets.len() as u64) as usize;
        self.insert_bucket_begin(bkt, id);
    }

    fn bucket_of(&self, id: u32) -> usize {
        (self.slots[id as usize].hash % self.buckets.len() as u64) as usize
    }

    fn set_next(&mut self, before: u32, next: u32) {
        if before == HEAD {
            self.head = next;
        } else {
            self.slots[before as usize].next = next;
        }
    }

    fn next_of(&self, before: u32) -> u32 {
        if before == HEAD {
            self.head
        } else {
            self.slots[before as usize].next
        }
    }

    fn insert_bucket_begin(&mut self, bkt: usize, id: u32) {
        let before = self.buckets[bkt];
        if before != NONE {
            let after = self.next_of(before);
            self.slots[id as usize].next = after;
            self.set_next(before, id);
        } else {
            let old_head = self.head;
            self.slots[id as usize].next = old_head;
            self.head = id;
            if old_head != NONE {
                let b = self.bucket_of(old_head);
                self.buckets[b] = id;
            }
            self.buckets[bkt] = HEAD;
        }
    }

    fn rehash(&mut self, n: usize) {
        let mut buckets = vec![NONE; n];
        let mut p = self.head;
        self.head = NONE;
        let mut bbegin_bkt = 0usize;
        while p != NONE {
            let next = self.slots[p as usize].next;
            let bkt = (self.slots[p as usize].hash % n as u64) as usize;
            if buckets[bkt] == NONE {
                self.slots[p as usize].next = self.head;
                self.head = p;
                buckets[bkt] = HEAD;
                if self.slots[p as usize].next != NONE {
                    buckets[bbegin_bkt] = p;
                }
                bbegin_bkt = bkt;
            } else {
                let before = buckets[bkt];
                let after = if before == HEAD { self.head } else { self.slots[before as usize].next };
                self.slots[p as usize].next = after;
                if before == HEAD {
                    self.head = p;
                } else {
                    self.slots[before as usize].next = p;
                }
            }
            p = next;
        }
        self.buckets = buckets;
    }

    /// Remove every entry; the bucket count and rehash threshold stay (as `clear()` does).
    pub fn clear(&mut self) {
        self.slots.clear();
        self.index.clear();
        self.buckets.iter_mut().for_each(|b| *b = NONE);
        self.head = NONE;
    }

    /// Entries in iteration (dump) order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &BbEntry)> {
        let mut p = self.head;
        std::iter::from_fn(move || {
            if p == NONE {
                return None;
            }
            let s = &self.slots[p as usize];
            p = s.next;
            Some((s.key.as_str(), &s.entry))
        })
    }

    /// `bt.blackboard.dump` text.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        for (k, e) in self.iter() {
            out.push_str(k);
            out.push('=');
            out.push_str(&e.value.repr());
            out.push_str(&format!(
                " type={} tick={} ts_ns={} writer_node={}",
                e.value.type_name(),
                e.tick,
                e.ts_ns,
                e.writer_node
            ));
            if !e.writer_name.is_empty() {
                out.push_str(" writer_name=");
                out.push_str(&e.writer_name);
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(v: i64) -> BbEntry {
        BbEntry { value: BbValue::Int(v), tick: 1, ts_ns: 0, writer_node: 0, writer_name: String::new() }
    }

    fn order(keys: &[&str]) -> Vec<String> {
        let mut bb = Blackboard::new();
        for (i, k) in keys.iter().enumerate() {
            bb.put(k, e(i as i64));
        }
        bb.iter().map(|(k, _)| k.to_string()).collect()
    }

    #[test]
    fn matches_the_reference_dump_orders() {
        // bt.md 4.4: `a b c d e f g h k` dumps as `g f e c k h b d a`.
        assert_eq!(
            order(&["a", "b", "c", "d", "e", "f", "g", "h", "k"]),
            ["g", "f", "e", "c", "k", "h", "b", "d", "a"]
        );
        // bt.md 4.4 example: n, x, y, "s p" dump as y, x, s p, n.
        assert_eq!(order(&["n", "x", "y", "s p"]), ["y", "x", "s p", "n"]);
    }

    #[test]
    fn bucket_growth() {
        let mut bb = Blackboard::new();
        assert_eq!(bb.bucket_count(), 1);
        let keys: Vec<String> = (0..60).map(|i| format!("k{i}")).collect();
        for (i, k) in keys.iter().enumerate() {
            bb.put(k, e(0));
            let want = match i + 1 {
                1..=13 => 13,
                14..=29 => 29,
                30..=59 => 59,
                _ => 127,
            };
            assert_eq!(bb.bucket_count(), want, "after {} keys", i + 1);
        }
        assert_eq!(bb.iter().count(), 60);
        bb.clear();
        assert_eq!(bb.bucket_count(), 127);
        assert!(bb.is_empty());
    }

    #[test]
    fn overwrite_keeps_position() {
        let mut bb = Blackboard::new();
        for k in ["a", "b", "c"] {
            bb.put(k, e(1));
        }
        let before: Vec<String> = bb.iter().map(|(k, _)| k.to_string()).collect();
        bb.put("a", e(9));
        let after: Vec<String> = bb.iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(before, after);
        assert_eq!(bb.get("a").unwrap().value, BbValue::Int(9));
    }
}
