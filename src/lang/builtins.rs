//! The builtin table: the one place every builtin is declared (name, group, arity,
//! signature, one-line summary, implementation). The evaluator registers from it; `help`,
//! `apropos`, the docs index and the docs-coverage test read it.

use super::heap::{Heap, MapKey, MapObj, Obj, Policy, PqEntry, PqObj, Symbols, Value};
use super::printer::{self, format_g};
use super::{Datum, Host};
use std::cell::RefCell;
use std::rc::Rc;

/// What a builtin asks the evaluator to do after it returns.
pub(crate) enum Effect {
    Sleep(f64),
    GcStats,
}

/// What a builtin can reach.
pub(crate) struct Ctx<'a> {
    pub heap: &'a mut Heap,
    pub syms: &'a mut Symbols,
    pub host: &'a mut dyn Host,
    pub engine: &'a Rc<RefCell<crate::jobs::Engine>>,
    pub files: Option<&'a mut (dyn super::Files + 'static)>,
    pub effect: Option<Effect>,
    pub out_bytes: &'a mut usize,
    pub max_out: usize,
    pub out_exceeded: bool,
}

impl Ctx<'_> {
    pub fn emit(&mut self, text: &str) {
        *self.out_bytes = self.out_bytes.saturating_add(text.len());
        if *self.out_bytes > self.max_out {
            self.out_exceeded = true;
            return;
        }
        self.host.print(text);
    }
}

pub(crate) type BuiltinFn = fn(&mut Ctx, &[Value]) -> Result<Value, String>;

/// One builtin: its name, group, arity, signature and one-line summary.
pub struct BuiltinInfo {
    pub name: &'static str,
    pub group: &'static str,
    pub min_args: usize,
    pub max_args: Option<usize>,
    pub signature: &'static str,
    pub summary: &'static str,
    pub(crate) func: BuiltinFn,
}

impl std::fmt::Debug for BuiltinInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltinInfo").field("name", &self.name).field("group", &self.group).finish()
    }
}

impl BuiltinInfo {
    /// The arity error text for `got` arguments, or `None` if `got` is allowed.
    pub fn arity_error(&self, got: usize) -> Option<String> {
        let ok = got >= self.min_args && self.max_args.is_none_or(|m| got <= m);
        if ok {
            return None;
        }
        let n = self.name;
        Some(match self.max_args {
            Some(m) if m == self.min_args => format!("{n}: expected {m} arguments, got {got}"),
            None => format!("{n}: expected at least {} arguments, got {got}", self.min_args),
            Some(m) if m == self.min_args + 1 => format!("{n}: expected {} or {m} arguments", self.min_args),
            Some(m) => format!("{n}: expected {} to {m} arguments", self.min_args),
        })
    }
}

/// Group names in display order.
pub const GROUPS: &[&str] =
    &["core", "math", "predicates", "time", "json", "rng", "vec", "map", "pq", "io", "gc", "help", "vla", "cap"];

/// The data types the docs describe (reference section 2, minus BT and media handles).
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

macro_rules! b {
    ($name:expr, $group:expr, $min:expr, $max:expr, $sig:expr, $sum:expr, $f:expr) => {
        BuiltinInfo {
            name: $name,
            group: $group,
            min_args: $min,
            max_args: $max,
            signature: $sig,
            summary: $sum,
            func: $f,
        }
    };
}

const N: Option<usize> = None;
const fn m(n: usize) -> Option<usize> {
    Some(n)
}

static TABLE: &[BuiltinInfo] = &[
    // core
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
    // math
    b!(
        "+",
        "math",
        0,
        N,
        "(+ x...) -> number",
        "Sum; integer if every argument is an integer (checked), else float.",
        bi_add
    ),
    b!(
        "-",
        "math",
        1,
        N,
        "(- x y...) -> number",
        "Subtract the rest from the first; with one argument, negate.",
        bi_sub
    ),
    b!(
        "*",
        "math",
        0,
        N,
        "(* x...) -> number",
        "Product; integer if every argument is an integer (checked), else float.",
        bi_mul
    ),
    b!(
        "/",
        "math",
        1,
        N,
        "(/ x y...) -> float",
        "Divide, always as floats; with one argument, the reciprocal. No division-by-zero error.",
        bi_div
    ),
    b!("=", "math", 2, N, "(= x y z...) -> boolean", "Numeric equality over each adjacent pair.", bi_num_eq),
    b!("<", "math", 2, N, "(< x y z...) -> boolean", "Strictly increasing over each adjacent pair.", bi_lt),
    b!(">", "math", 2, N, "(> x y z...) -> boolean", "Strictly decreasing over each adjacent pair.", bi_gt),
    b!("<=", "math", 2, N, "(<= x y z...) -> boolean", "Non-decreasing over each adjacent pair.", bi_le),
    b!(">=", "math", 2, N, "(>= x y z...) -> boolean", "Non-increasing over each adjacent pair.", bi_ge),
    b!("sqrt", "math", 1, m(1), "(sqrt x) -> float", "Square root; x must not be negative.", bi_sqrt),
    b!("log", "math", 1, m(1), "(log x) -> float", "Natural logarithm; x must be positive.", bi_log),
    b!("exp", "math", 1, m(1), "(exp x) -> float", "e raised to x.", bi_exp),
    b!("atan2", "math", 2, m(2), "(atan2 y x) -> float", "Angle of the point (x, y) in radians.", bi_atan2),
    b!("abs", "math", 1, m(1), "(abs x) -> number", "Absolute value, keeping the number's type.", bi_abs),
    b!("clamp", "math", 3, m(3), "(clamp x lo hi) -> number", "Limit x to the range [lo, hi].", bi_clamp),
    // predicates
    b!("number?", "predicates", 1, m(1), "(number? x) -> boolean", "True for integers and floats.", bi_numberp),
    b!(
        "integer?",
        "predicates",
        1,
        m(1),
        "(integer? x) -> boolean",
        "True for integers (not for floats with integral value).",
        bi_integerp
    ),
    b!("int?", "predicates", 1, m(1), "(int? x) -> boolean", "Alias of integer?.", bi_integerp),
    b!("float?", "predicates", 1, m(1), "(float? x) -> boolean", "True for floats.", bi_floatp),
    b!(
        "zero?",
        "predicates",
        1,
        m(1),
        "(zero? x) -> boolean",
        "True for integer 0 and float 0.0 or -0.0; false for anything else.",
        bi_zerop
    ),
    // time
    b!(
        "time.now-ms",
        "time",
        0,
        m(0),
        "(time.now-ms) -> integer",
        "Current job time in whole milliseconds.",
        bi_now_ms
    ),
    b!(
        "time.sleep-ms",
        "time",
        1,
        m(1),
        "(time.sleep-ms ms) -> nil",
        "Wait for ms milliseconds of job time (jobs keep running meanwhile).",
        bi_sleep_ms
    ),
    // json
    b!(
        "json.encode",
        "json",
        1,
        m(1),
        "(json.encode x) -> string",
        "Encode data as compact JSON; map keys sorted.",
        bi_json_encode
    ),
    b!(
        "json.decode",
        "json",
        1,
        m(1),
        "(json.decode text) -> value",
        "Decode JSON text; objects become maps with string keys, arrays lists.",
        bi_json_decode
    ),
    // rng
    b!(
        "rng.make",
        "rng",
        1,
        m(1),
        "(rng.make seed) -> rng",
        "A new SplitMix64 random generator from an integer seed.",
        bi_rng_make
    ),
    b!("rng.uniform", "rng", 3, m(3), "(rng.uniform r lo hi) -> float", "Uniform float in [lo, hi).", bi_rng_uniform),
    b!("rng.int", "rng", 2, m(2), "(rng.int r n) -> integer", "Uniform integer in [0, n).", bi_rng_int),
    b!(
        "rng.normal",
        "rng",
        3,
        m(3),
        "(rng.normal r mu sigma) -> float",
        "Normally distributed float (Box-Muller).",
        bi_rng_normal
    ),
    // vec
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
    // map
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
    // pq
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
    // io
    b!(
        "print",
        "io",
        0,
        N,
        "(print x...) -> nil",
        "Print the values in printer form separated by spaces, then a newline.",
        bi_print
    ),
    b!(
        "write",
        "io",
        1,
        m(1),
        "(write x) -> x",
        "Print x in readable form and a newline; unreadable values are an error.",
        bi_write
    ),
    b!(
        "write-to-string",
        "io",
        1,
        m(1),
        "(write-to-string x) -> string",
        "The readable form of x as a string.",
        bi_write_to_string
    ),
    b!(
        "save",
        "io",
        2,
        m(2),
        "(save path x) -> #t",
        "Write x's readable form to a file so that load returns it.",
        bi_save
    ),
    // gc
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
    // help
    b!(
        "help",
        "help",
        0,
        m(1),
        "(help [name]) -> nil",
        "Print a builtin's or special form's signature and summary; with no argument, list the groups.",
        bi_help
    ),
    b!(
        "apropos",
        "help",
        1,
        m(1),
        "(apropos text) -> list",
        "Names of builtins and special forms containing text.",
        bi_apropos
    ),
    // vla / cap
    b!(
        "vla.submit",
        "vla",
        1,
        m(1),
        "(vla.submit request) -> integer",
        "Submit a VLA job from a request map; returns its job id.",
        bi_vla
    ),
    b!("vla.poll", "vla", 1, m(1), "(vla.poll id) -> map", "Status, partial and final result of a job.", bi_vla),
    b!("vla.cancel", "vla", 1, m(1), "(vla.cancel id) -> boolean", "Request cancellation of a job.", bi_vla),
    b!("cap.list", "cap", 0, m(0), "(cap.list) -> list", "Names of the available capabilities.", bi_vla),
    b!("cap.describe", "cap", 1, m(1), "(cap.describe name) -> map", "Schema and metadata of one capability.", bi_vla),
];

static SPECIAL: &[BuiltinInfo] = &[
    b!(
        "quote",
        "special",
        1,
        m(1),
        "(quote datum) -> datum",
        "Return the datum unevaluated; 'x is short for (quote x).",
        bi_never
    ),
    b!(
        "if",
        "special",
        2,
        m(3),
        "(if test then [else]) -> value",
        "Evaluate then when test is truthy, else the else branch (or nil).",
        bi_never
    ),
    b!(
        "define",
        "special",
        2,
        N,
        "(define name expr) | (define (name param...) body...) -> value",
        "Bind a name in the current environment; returns the bound value.",
        bi_never
    ),
    b!(
        "lambda",
        "special",
        2,
        N,
        "(lambda (param...) body...) -> closure",
        "Make a closure with fixed parameters over the current environment.",
        bi_never
    ),
    b!(
        "begin",
        "special",
        0,
        N,
        "(begin form...) -> value",
        "Evaluate forms in order; the last value (nil when empty).",
        bi_never
    ),
    b!(
        "let",
        "special",
        2,
        N,
        "(let ((name expr)...) body...) -> value",
        "Bind names in parallel in a new scope, then evaluate the body.",
        bi_never
    ),
    b!(
        "cond",
        "special",
        0,
        N,
        "(cond (test body...)... [(else body...)]) -> value",
        "Evaluate the body of the first clause whose test is truthy.",
        bi_never
    ),
    b!(
        "and",
        "special",
        0,
        N,
        "(and x...) -> value",
        "The first falsy value, or the last value (#t when empty).",
        bi_never
    ),
    b!("or", "special", 0, N, "(or x...) -> value", "The first truthy value, or nil.", bi_never),
    b!(
        "quasiquote",
        "special",
        1,
        m(1),
        "(quasiquote template) -> value",
        "Build data from a template; `x is short for (quasiquote x).",
        bi_never
    ),
    b!(
        "unquote",
        "special",
        1,
        m(1),
        "(unquote expr) -> value",
        "Inside quasiquote, insert expr's value; ,x is short for (unquote x).",
        bi_never
    ),
    b!(
        "unquote-splicing",
        "special",
        1,
        m(1),
        "(unquote-splicing expr) -> values",
        "Inside a quasiquoted list, splice in a list's elements; ,@x is short.",
        bi_never
    ),
    b!(
        "load",
        "special",
        1,
        m(1),
        "(load path) -> value",
        "Read and evaluate a file in the current environment (native only).",
        bi_never
    ),
];

/// Every builtin, in group order.
pub fn table() -> &'static [BuiltinInfo] {
    TABLE
}

/// The 13 core special forms (group `special`; their `func` is never called).
pub fn special_forms() -> &'static [BuiltinInfo] {
    SPECIAL
}

/// A builtin by name.
pub fn lookup(name: &str) -> Option<&'static BuiltinInfo> {
    TABLE.iter().find(|b| b.name == name)
}

/// A builtin or special form by name.
pub fn lookup_any(name: &str) -> Option<&'static BuiltinInfo> {
    lookup(name).or_else(|| SPECIAL.iter().find(|b| b.name == name))
}

/// Whether `name` is one of the 13 core special forms.
pub fn is_special_form(name: &str) -> bool {
    SPECIAL.iter().any(|b| b.name == name)
}

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

fn bi_never(_: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    Err("special form called as a function".into())
}

// ---------- helpers ----------

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

fn text_arg<'h>(heap: &'h Heap, syms: &'h Symbols, v: Value) -> Option<&'h str> {
    match v {
        Value::Sym(s) => Some(syms.name(s)),
        _ => heap.str_of(v),
    }
}

// ---------- core ----------

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
        (Value::Obj(x), Value::Obj(y)) => x == y,
        _ => false,
    }
}
fn bi_eqp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(eq_values(arg(a, 0), arg(a, 1))))
}
fn bi_hash64(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let t = text_arg(c.heap, c.syms, arg(a, 0)).ok_or("hash64: expected string or symbol")?;
    let mut h: u64 = 1469598103934665603;
    for b in t.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(1099511628211);
    }
    Ok(Value::Int((h & 0x7fff_ffff_ffff_ffff) as i64))
}

// ---------- math ----------

fn check_nums(name: &str, a: &[Value]) -> Result<bool, String> {
    let mut any_float = false;
    for v in a {
        match v {
            Value::Int(_) => {}
            Value::Float(_) => any_float = true,
            _ => return Err(format!("{name}: expected number")),
        }
    }
    Ok(any_float)
}

fn ints(a: &[Value]) -> impl Iterator<Item = i64> + '_ {
    a.iter().map(|v| if let Value::Int(i) = v { *i } else { 0 })
}
fn floats(a: &[Value]) -> impl Iterator<Item = f64> + '_ {
    a.iter().map(|v| num(*v).unwrap_or(0.0))
}

fn bi_add(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if let [Value::Int(x), Value::Int(y)] = a {
        return x.checked_add(*y).map(Value::Int).ok_or_else(|| "+: integer overflow".into());
    }
    if check_nums("+", a)? {
        Ok(Value::Float(floats(a).sum()))
    } else {
        let mut acc: i64 = 0;
        for i in ints(a) {
            acc = acc.checked_add(i).ok_or("+: integer overflow")?;
        }
        Ok(Value::Int(acc))
    }
}
fn bi_sub(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if let [Value::Int(x), Value::Int(y)] = a {
        return x.checked_sub(*y).map(Value::Int).ok_or_else(|| "-: integer overflow".into());
    }
    let fl = check_nums("-", a)?;
    if a.len() == 1 {
        return match arg(a, 0) {
            Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(|| "-: integer overflow".into()),
            v => Ok(Value::Float(-num(v).unwrap_or(0.0))),
        };
    }
    if fl {
        let mut it = floats(a);
        let first = it.next().unwrap_or(0.0);
        Ok(Value::Float(it.fold(first, |x, y| x - y)))
    } else {
        let mut it = ints(a);
        let mut acc = it.next().unwrap_or(0);
        for i in it {
            acc = acc.checked_sub(i).ok_or("-: integer overflow")?;
        }
        Ok(Value::Int(acc))
    }
}
fn bi_mul(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if check_nums("*", a)? {
        Ok(Value::Float(floats(a).product()))
    } else {
        let mut acc: i64 = 1;
        for i in ints(a) {
            acc = acc.checked_mul(i).ok_or("*: integer overflow")?;
        }
        Ok(Value::Int(acc))
    }
}
fn bi_div(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    check_nums("/", a)?;
    let mut it = floats(a);
    let first = it.next().unwrap_or(0.0);
    if a.len() == 1 {
        return Ok(Value::Float(1.0 / first));
    }
    Ok(Value::Float(it.fold(first, |x, y| x / y)))
}

fn compare(name: &str, a: &[Value], ok: fn(std::cmp::Ordering) -> bool) -> Result<Value, String> {
    for w in a.windows(2) {
        let (x, y) = (w[0], w[1]);
        let ord = match (x, y) {
            (Value::Int(p), Value::Int(q)) => Some(p.cmp(&q)),
            _ => {
                let p = num(x).ok_or_else(|| format!("{name}: expected number"))?;
                let q = num(y).ok_or_else(|| format!("{name}: expected number"))?;
                p.partial_cmp(&q)
            }
        };
        match ord {
            Some(o) if ok(o) => {}
            _ => return Ok(Value::Bool(false)),
        }
    }
    Ok(Value::Bool(true))
}
fn bi_num_eq(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare("=", a, |o| o.is_eq())
}
fn bi_lt(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare("<", a, |o| o.is_lt())
}
fn bi_gt(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare(">", a, |o| o.is_gt())
}
fn bi_le(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare("<=", a, |o| o.is_le())
}
fn bi_ge(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare(">=", a, |o| o.is_ge())
}
fn num1(name: &str, a: &[Value], i: usize) -> Result<f64, String> {
    num(arg(a, i)).ok_or_else(|| format!("{name}: expected number"))
}
fn bi_sqrt(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let x = num1("sqrt", a, 0)?;
    if x < 0.0 {
        return Err("sqrt: expected x >= 0".into());
    }
    Ok(Value::Float(x.sqrt()))
}
fn bi_log(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let x = num1("log", a, 0)?;
    if x <= 0.0 {
        return Err("log: expected x > 0".into());
    }
    Ok(Value::Float(x.ln()))
}
fn bi_exp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Float(num1("exp", a, 0)?.exp()))
}
fn bi_atan2(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let y = num1("atan2", a, 0)?;
    let x = num1("atan2", a, 1)?;
    Ok(Value::Float(y.atan2(x)))
}
fn bi_abs(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    match arg(a, 0) {
        Value::Int(i) => i.checked_abs().map(Value::Int).ok_or_else(|| "abs: integer overflow".into()),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        _ => Err("abs: expected number".into()),
    }
}
fn bi_clamp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if let [Value::Int(x), Value::Int(lo), Value::Int(hi)] = a {
        if lo > hi {
            return Err("clamp: expected lo <= hi".into());
        }
        return Ok(Value::Int((*x).max(*lo).min(*hi)));
    }
    let x = num1("clamp", a, 0)?;
    let lo = num1("clamp", a, 1)?;
    let hi = num1("clamp", a, 2)?;
    if lo > hi {
        return Err("clamp: expected lo <= hi".into());
    }
    Ok(Value::Float(if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }))
}

// ---------- predicates ----------

fn bi_numberp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(matches!(arg(a, 0), Value::Int(_) | Value::Float(_))))
}
fn bi_integerp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(matches!(arg(a, 0), Value::Int(_))))
}
fn bi_floatp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(matches!(arg(a, 0), Value::Float(_))))
}
fn bi_zerop(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(match arg(a, 0) {
        Value::Int(i) => i == 0,
        Value::Float(f) => f == 0.0,
        _ => false,
    }))
}

// ---------- time ----------

fn engine_now(c: &Ctx) -> f64 {
    c.engine.try_borrow().map(|e| e.now()).unwrap_or(0.0)
}
fn bi_now_ms(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    let t = engine_now(c);
    Ok(Value::Int(if t.is_finite() { t.floor() as i64 } else { 0 }))
}
fn bi_sleep_ms(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    match arg(a, 0) {
        Value::Int(n) if n >= 0 => {
            if n > 0 {
                c.effect = Some(Effect::Sleep(engine_now(c) + n as f64));
            }
            Ok(Value::Nil)
        }
        _ => Err("time.sleep-ms: expected non-negative integer".into()),
    }
}

// ---------- json ----------

const MAX_NEST: usize = 512;

fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(ch),
        }
    }
    out.push('"');
}

fn json_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err("json.encode: non-finite floats are not supported".into());
    }
    Ok(format_g(f, 17))
}

fn json_enc(c: &Ctx, v: Value, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_NEST {
        return Err("json.encode: nesting too deep".into());
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&json_float(f)?),
        Value::Sym(s) => json_str(out, c.syms.name(s)),
        Value::Prim(_) => return Err("json.encode: unsupported value type: primitive_fn".into()),
        Value::Obj(_) => match c.heap.obj(v) {
            Some(Obj::Str(s)) => json_str(out, s),
            Some(Obj::Cons { .. }) => {
                let items = c.heap.list_vec(v).ok_or("json.encode: expected proper list")?;
                json_array(c, &items, out, depth)?;
            }
            Some(Obj::Vec(items)) => {
                let items = items.clone();
                json_array(c, &items, out, depth)?;
            }
            Some(Obj::Map(mo)) => {
                let mut entries: Vec<(String, String)> = Vec::new();
                for (k, val) in mo.iter() {
                    let kt = match k {
                        MapKey::Sym(s) => c.syms.name(*s).to_string(),
                        MapKey::Str(s) => s.clone(),
                        MapKey::Int(i) => i.to_string(),
                        MapKey::Float(bits) => json_float(f64::from_bits(*bits))?,
                    };
                    let mut vt = String::new();
                    json_enc(c, val, &mut vt, depth + 1)?;
                    entries.push((kt, vt));
                }
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then_with(|| a.1.cmp(&b.1)));
                out.push('{');
                for (i, (k, val)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_str(out, k);
                    out.push(':');
                    out.push_str(val);
                }
                out.push('}');
            }
            Some(o) => return Err(format!("json.encode: unsupported value type: {}", o.type_name())),
            None => out.push_str("null"),
        },
    }
    Ok(())
}

fn json_array(c: &Ctx, items: &[Value], out: &mut String, depth: usize) -> Result<(), String> {
    out.push('[');
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_enc(c, *it, out, depth + 1)?;
    }
    out.push(']');
    Ok(())
}

fn bi_json_encode(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    json_enc(c, arg(a, 0), &mut out, 0)?;
    Ok(c.heap.string(out))
}

struct JsonIn<'t> {
    b: &'t [u8],
    i: usize,
}

impl JsonIn<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
}

fn jerr(m: &str) -> String {
    format!("json.decode: {m}")
}

fn json_string(p: &mut JsonIn) -> Result<String, String> {
    // at the opening quote
    p.i += 1;
    let mut s: Vec<u8> = Vec::new();
    loop {
        let ch = p.peek().ok_or_else(|| jerr("unterminated string"))?;
        p.i += 1;
        match ch {
            b'"' => break,
            b'\\' => {
                let e = p.peek().ok_or_else(|| jerr("unterminated string"))?;
                p.i += 1;
                s.push(match e {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 8,
                    b'f' => 12,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'u' => return Err(jerr("unsupported escape sequence")),
                    _ => return Err(jerr("invalid escape")),
                });
            }
            _ => s.push(ch),
        }
    }
    Ok(String::from_utf8_lossy(&s).into_owned())
}

fn json_value(c: &mut Ctx, p: &mut JsonIn, depth: usize) -> Result<Value, String> {
    if depth > MAX_NEST {
        return Err(jerr("nesting too deep"));
    }
    p.ws();
    let ch = p.peek().ok_or_else(|| jerr("unexpected end of input"))?;
    match ch {
        b'n' | b't' | b'f' => {
            let (word, v): (&[u8], Value) = match ch {
                b'n' => (b"null", Value::Nil),
                b't' => (b"true", Value::Bool(true)),
                _ => (b"false", Value::Bool(false)),
            };
            if p.b.get(p.i..p.i + word.len()) == Some(word) {
                p.i += word.len();
                Ok(v)
            } else {
                Err(jerr("invalid literal"))
            }
        }
        b'"' => {
            let s = json_string(p)?;
            Ok(c.heap.string(s))
        }
        b'[' => {
            p.i += 1;
            let mut items = Vec::new();
            p.ws();
            if p.peek() == Some(b']') {
                p.i += 1;
                return Ok(Value::Nil);
            }
            loop {
                items.push(json_value(c, p, depth + 1)?);
                p.ws();
                match p.peek() {
                    Some(b',') => p.i += 1,
                    Some(b']') => {
                        p.i += 1;
                        break;
                    }
                    None => return Err(jerr("unexpected end of input")),
                    _ => return Err(jerr("expected , or ]")),
                }
            }
            Ok(c.heap.list(&items))
        }
        b'{' => {
            p.i += 1;
            let mut map = MapObj::default();
            p.ws();
            if p.peek() == Some(b'}') {
                p.i += 1;
                return Ok(c.heap.alloc(Obj::Map(Box::new(map))));
            }
            loop {
                p.ws();
                match p.peek() {
                    Some(b'"') => {}
                    None => return Err(jerr("unexpected end of input")),
                    _ => return Err(jerr("expected string key")),
                }
                let k = json_string(p)?;
                p.ws();
                match p.peek() {
                    Some(b':') => p.i += 1,
                    None => return Err(jerr("unexpected end of input")),
                    _ => return Err(jerr("expected :")),
                }
                let v = json_value(c, p, depth + 1)?;
                map.set(MapKey::Str(k), v);
                p.ws();
                match p.peek() {
                    Some(b',') => p.i += 1,
                    Some(b'}') => {
                        p.i += 1;
                        break;
                    }
                    None => return Err(jerr("unexpected end of input")),
                    _ => return Err(jerr("expected , or }")),
                }
            }
            Ok(c.heap.alloc(Obj::Map(Box::new(map))))
        }
        b'-' | b'0'..=b'9' => {
            let st = p.i;
            if ch == b'-' {
                p.i += 1;
            }
            let ds = p.i;
            while p.peek().is_some_and(|d| d.is_ascii_digit()) {
                p.i += 1;
            }
            if p.i == ds {
                return Err(jerr("invalid number"));
            }
            let mut is_float = false;
            if p.peek() == Some(b'.') {
                is_float = true;
                p.i += 1;
                let fs = p.i;
                while p.peek().is_some_and(|d| d.is_ascii_digit()) {
                    p.i += 1;
                }
                if p.i == fs {
                    return Err(jerr("invalid number"));
                }
            }
            if matches!(p.peek(), Some(b'e' | b'E')) {
                is_float = true;
                p.i += 1;
                if matches!(p.peek(), Some(b'+' | b'-')) {
                    p.i += 1;
                }
                let es = p.i;
                while p.peek().is_some_and(|d| d.is_ascii_digit()) {
                    p.i += 1;
                }
                if p.i == es {
                    return Err(jerr("invalid exponent"));
                }
            }
            let text = std::str::from_utf8(&p.b[st..p.i]).unwrap_or("0");
            if !is_float {
                if let Ok(i) = text.parse::<i64>() {
                    return Ok(Value::Int(i));
                }
            }
            let f: f64 = text.parse().map_err(|_| jerr("invalid number"))?;
            if !f.is_finite() {
                return Err(jerr("non-finite number"));
            }
            Ok(Value::Float(f))
        }
        _ => Err(jerr("unexpected token")),
    }
}

fn bi_json_decode(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let text = c.heap.str_of(arg(a, 0)).ok_or("json.decode: expected string")?.to_string();
    let mut p = JsonIn { b: text.as_bytes(), i: 0 };
    let v = json_value(c, &mut p, 0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(jerr("trailing characters"));
    }
    Ok(v)
}

// ---------- rng ----------

fn rng_next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e3779b97f4a7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}
fn unit(state: &mut u64) -> f64 {
    (rng_next(state) >> 11) as f64 * (1.0 / 9007199254740992.0)
}
fn rng_state<'h>(heap: &'h mut Heap, name: &str, v: Value) -> Result<(&'h mut u64, &'h mut Option<f64>), String> {
    match heap.obj_mut(v) {
        Some(Obj::Rng { state, spare }) => Ok((state, spare)),
        _ => Err(format!("{name}: expected rng")),
    }
}
fn bi_rng_make(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    match arg(a, 0) {
        Value::Int(s) => Ok(c.heap.alloc(Obj::Rng { state: s as u64, spare: None })),
        _ => Err("rng.make: expected integer".into()),
    }
}
fn bi_rng_uniform(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let lo = num1("rng.uniform", a, 1)?;
    let hi = num1("rng.uniform", a, 2)?;
    let (st, _) = rng_state(c.heap, "rng.uniform", arg(a, 0))?;
    if lo > hi {
        return Err("rng.uniform: expected lo <= hi".into());
    }
    if lo == hi {
        return Ok(Value::Float(lo));
    }
    Ok(Value::Float(lo + (hi - lo) * unit(st)))
}
fn bi_rng_int(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let n = match arg(a, 1) {
        Value::Int(n) => n,
        _ => return Err("rng.int: expected integer".into()),
    };
    let (st, _) = rng_state(c.heap, "rng.int", arg(a, 0))?;
    if n <= 0 {
        return Err("rng.int: expected n > 0".into());
    }
    let n = n as u64;
    let threshold = n.wrapping_neg() % n;
    loop {
        let d = rng_next(st);
        if d >= threshold {
            return Ok(Value::Int((d % n) as i64));
        }
    }
}
fn bi_rng_normal(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let mu = num1("rng.normal", a, 1)?;
    let sigma = num1("rng.normal", a, 2)?;
    let (st, spare) = rng_state(c.heap, "rng.normal", arg(a, 0))?;
    if sigma < 0.0 {
        return Err("rng.normal: expected sigma >= 0".into());
    }
    if sigma == 0.0 {
        return Ok(Value::Float(mu));
    }
    if let Some(z) = spare.take() {
        return Ok(Value::Float(mu + sigma * z));
    }
    let mut u1 = unit(st);
    if u1 == 0.0 {
        u1 = f64::MIN_POSITIVE;
    }
    let u2 = unit(st);
    let r = (-2.0 * u1.ln()).sqrt();
    let th = 2.0 * std::f64::consts::PI * u2;
    *spare = Some(r * th.sin());
    Ok(Value::Float(mu + sigma * r * th.cos()))
}

// ---------- vec ----------

fn vec_mut<'h>(heap: &'h mut Heap, name: &str, v: Value) -> Result<&'h mut Vec<Value>, String> {
    match heap.obj_mut(v) {
        Some(Obj::Vec(items)) => Ok(items),
        _ => Err(format!("{name}: expected vec")),
    }
}
fn capacity(name: &str, v: Value) -> Result<usize, String> {
    match v {
        Value::Int(n) if n >= 0 => Ok((n as u64).min(1 << 16) as usize),
        Value::Int(_) => Err(format!("{name}: expected non-negative capacity")),
        _ => Err(format!("{name}: expected integer capacity")),
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
    Ok(Value::Int(items.len() as i64 - 1))
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

// ---------- map ----------

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
fn bi_map_get(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    map_mut(c.heap, "map.get", arg(a, 0))?;
    let k = map_key(c.heap, "map.get", arg(a, 1))?;
    let m = map_mut(c.heap, "map.get", arg(a, 0))?;
    Ok(m.get(&k).unwrap_or(arg(a, 2)))
}
fn bi_map_has(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    map_mut(c.heap, "map.has?", arg(a, 0))?;
    let k = map_key(c.heap, "map.has?", arg(a, 1))?;
    Ok(Value::Bool(map_mut(c.heap, "map.has?", arg(a, 0))?.get(&k).is_some()))
}
fn bi_map_set(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    map_mut(c.heap, "map.set!", arg(a, 0))?;
    let k = map_key(c.heap, "map.set!", arg(a, 1))?;
    map_mut(c.heap, "map.set!", arg(a, 0))?.set(k, arg(a, 2));
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

// ---------- pq ----------

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
    Ok(Value::Int(q.heap.len() as i64))
}
fn bi_pq_pop(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let e = pq_mut(c.heap, "pq.pop!", arg(a, 0))?.heap.pop().ok_or("pq.pop!: priority queue is empty")?;
    Ok(c.heap.list(&[Value::Float(e.prio), e.payload]))
}
fn bi_pq_peek(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let e = *pq_mut(c.heap, "pq.peek", arg(a, 0))?.heap.peek().ok_or("pq.peek: priority queue is empty")?;
    Ok(c.heap.list(&[Value::Float(e.prio), e.payload]))
}

// ---------- io ----------

fn bi_print(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let mut line = String::new();
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        line.push_str(&printer::show(c.heap, c.syms, *v));
    }
    line.push('\n');
    c.emit(&line);
    Ok(Value::Nil)
}
fn bi_write(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let mut s = printer::print(c.heap, c.syms, arg(a, 0), true, "write")?;
    s.push('\n');
    c.emit(&s);
    Ok(arg(a, 0))
}
fn bi_write_to_string(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let s = printer::print(c.heap, c.syms, arg(a, 0), true, "write")?;
    Ok(c.heap.string(s))
}
fn bi_save(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let path = c.heap.str_of(arg(a, 0)).ok_or("save: expected file path string")?.to_string();
    let x = arg(a, 1);
    let body = printer::print(c.heap, c.syms, x, true, "write")?;
    let text = match x {
        Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) => body,
        _ if c.heap.str_of(x).is_some() => body,
        _ => format!("(quote {body})"),
    };
    match c.files.as_mut() {
        Some(f) => f.write(&path, &text).map_err(|e| format!("save: {e}"))?,
        None => return Err("save: files cannot be written here (this host has no file system)".into()),
    }
    Ok(Value::Bool(true))
}

// ---------- gc ----------

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
    c.effect = Some(Effect::GcStats);
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

// ---------- help ----------

fn name_arg(c: &Ctx, v: Value, who: &str) -> Result<String, String> {
    match v {
        Value::Prim(p) => Ok(TABLE.get(p as usize).map(|b| b.name).unwrap_or("?").to_string()),
        _ => text_arg(c.heap, c.syms, v).map(str::to_string).ok_or_else(|| format!("{who}: expected string or symbol")),
    }
}
fn bi_help(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if a.is_empty() {
        let mut out = String::from("Builtin groups (try (help 'name) or (apropos \"text\")):\n");
        out.push_str(&format!("  special: {}\n", SPECIAL.iter().map(|b| b.name).collect::<Vec<_>>().join(" ")));
        for g in GROUPS {
            let names: Vec<&str> = TABLE.iter().filter(|b| b.group == *g).map(|b| b.name).collect();
            out.push_str(&format!("  {g}: {}\n", names.join(" ")));
        }
        c.emit(&out);
        return Ok(Value::Nil);
    }
    let name = name_arg(c, arg(a, 0), "help")?;
    let info = lookup_any(&name).ok_or_else(|| format!("help: no builtin or special form named {name}"))?;
    let kind = if info.group == "special" { "special form".to_string() } else { format!("group {}", info.group) };
    let text = format!("{}\n  {}\n  ({kind})\n", info.signature, info.summary);
    c.emit(&text);
    Ok(Value::Nil)
}
fn bi_apropos(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let needle = name_arg(c, arg(a, 0), "apropos")?;
    let names: Vec<&str> =
        SPECIAL.iter().chain(TABLE.iter()).map(|b| b.name).filter(|n| n.contains(needle.as_str())).collect();
    let vals: Vec<Value> = names.iter().map(|n| Value::Sym(c.syms.intern(n))).collect();
    Ok(c.heap.list(&vals))
}

// ---------- vla / cap (dispatched to crate::vla) ----------

const DATUM_DEPTH: usize = 64;

/// Deep copy of a Lisp value into a [`Datum`] (bounded depth, so cycles are safe).
pub(crate) fn to_datum(heap: &Heap, syms: &Symbols, v: Value, depth: usize) -> Result<Datum, String> {
    if depth > DATUM_DEPTH {
        return Err("value nested too deeply".into());
    }
    Ok(match v {
        Value::Nil => Datum::Nil,
        Value::Bool(b) => Datum::Bool(b),
        Value::Int(i) => Datum::Int(i),
        Value::Float(f) => Datum::Float(f),
        Value::Sym(s) => Datum::Sym(syms.name(s).to_string()),
        Value::Prim(_) => Datum::Opaque(printer::show(heap, syms, v)),
        Value::Obj(_) => match heap.obj(v) {
            Some(Obj::Str(s)) => Datum::Str(s.clone()),
            Some(Obj::Cons { .. }) => {
                let mut items = Vec::new();
                let mut cur = v;
                loop {
                    match heap.pair(cur) {
                        Some((a, d)) => {
                            items.push(to_datum(heap, syms, a, depth + 1)?);
                            cur = d;
                        }
                        None => {
                            if !matches!(cur, Value::Nil) {
                                // An improper list has no Datum list form: keeping its tail as
                                // one more element would let `(cons 0.1 0.2)` pass for
                                // `(0.1 0.2)`. It goes over as its printed form instead.
                                return Ok(Datum::Opaque(printer::show(heap, syms, v)));
                            }
                            break;
                        }
                    }
                    if items.len() > 1_000_000 {
                        return Err("list too long".into());
                    }
                }
                Datum::list(items)
            }
            Some(Obj::Map(m)) => {
                let mut out = Vec::with_capacity(m.len());
                for (k, val) in m.iter() {
                    let kd = match k {
                        MapKey::Sym(s) => Datum::Sym(syms.name(*s).to_string()),
                        MapKey::Str(s) => Datum::Str(s.clone()),
                        MapKey::Int(i) => Datum::Int(*i),
                        MapKey::Float(b) => Datum::Float(f64::from_bits(*b)),
                    };
                    out.push((kd, to_datum(heap, syms, val, depth + 1)?));
                }
                Datum::Map(out)
            }
            _ => Datum::Opaque(printer::show(heap, syms, v)),
        },
    })
}

/// Build fresh Lisp values from a [`Datum`] (maps become map objects, lists lists).
pub(crate) fn from_datum(heap: &mut Heap, syms: &mut Symbols, d: &Datum, depth: usize) -> Result<Value, String> {
    if depth > 256 {
        return Err("result nested too deeply".into());
    }
    Ok(match d {
        Datum::Nil => Value::Nil,
        Datum::Bool(b) => Value::Bool(*b),
        Datum::Int(i) => Value::Int(*i),
        Datum::Float(f) => Value::Float(*f),
        Datum::Sym(s) => Value::Sym(syms.intern(s)),
        Datum::Str(s) | Datum::Opaque(s) => heap.string(s.clone()),
        Datum::List(items) => {
            let mut vals = Vec::with_capacity(items.len());
            for it in items {
                vals.push(from_datum(heap, syms, it, depth + 1)?);
            }
            heap.list(&vals)
        }
        Datum::Map(entries) => {
            let mut m = MapObj::default();
            for (k, v) in entries {
                let key = match k {
                    Datum::Sym(s) => MapKey::Sym(syms.intern(s)),
                    Datum::Str(s) => MapKey::Str(s.clone()),
                    Datum::Int(i) => MapKey::Int(*i),
                    Datum::Float(f) if !f.is_nan() => {
                        MapKey::Float(if *f == 0.0 { 0.0f64.to_bits() } else { f.to_bits() })
                    }
                    other => MapKey::Str(format!("{other:?}")),
                };
                let val = from_datum(heap, syms, v, depth + 1)?;
                m.set(key, val);
            }
            heap.alloc(Obj::Map(Box::new(m)))
        }
    })
}

fn bi_vla(_: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    // Dispatched by name in the evaluator (it needs the builtin's name).
    Err("vla: internal dispatch error".into())
}

pub(crate) fn call_vla(c: &mut Ctx, name: &str, a: &[Value]) -> Result<Value, String> {
    let mut datums = Vec::with_capacity(a.len());
    for v in a {
        datums.push(to_datum(c.heap, c.syms, *v, 0).map_err(|e| format!("{name}: {e}"))?);
    }
    let result = {
        let mut eng = c.engine.try_borrow_mut().map_err(|_| format!("{name}: the job engine is busy"))?;
        crate::vla::call(&mut eng, name, &datums)?
    };
    from_datum(c.heap, c.syms, &result, 0).map_err(|e| format!("{name}: {e}"))
}
