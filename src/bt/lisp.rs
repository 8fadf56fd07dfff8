//! The Lisp face of the behaviour-tree runtime: the `bt` and `events` rows of the builtin
//! table, the `bt` / `defbt` special forms, the `bt_def` / `bt_instance` handles, and the
//! per-interpreter [`BtExt`] extension that holds the runtime.
//!
//! `bt.tick` and `bt.reset` are flow builtins: when a tree reaches a condition or action
//! written in Lisp (`bt.define-condition`, `bt.define-action`), the builtin asks the
//! evaluator to call it and continues in [`TickResume`] with its result, so fuel, Stop and
//! `time.sleep-ms` work inside callbacks like anywhere else.

use super::blackboard::BbValue;
use super::compile;
use super::events::Severity;
use super::form::{Forms, Item};
use super::leaf::HostEnv;
use super::mbt1;
use super::model::{Def, Lit, Origin, Status};
use super::runtime::{self, Answer, BtRuntime, GcSnap, Progress, Purpose};
use crate::jobs::SharedEngine;
use crate::lang::{Builtin, Ctx, Extension, Flow, FrontEnd, HandleKind, Interp, LispError, Resume, Value};
use std::rc::Rc;

/// `<bt_def:N>`.
pub static BT_DEF: HandleKind = HandleKind { name: "bt_def", json: None };
/// `<bt_instance:N>`.
pub static BT_INSTANCE: HandleKind = HandleKind { name: "bt_instance", json: None };

/// The `bt` and `events` groups, the `bt`/`defbt` special forms and the BT handles.
pub static FRONT_END: FrontEnd = FrontEnd {
    name: "bt",
    groups: &[SYNTAX_ROWS, BT_ROWS, EVENT_ROWS],
    handles: &[&BT_DEF, &BT_INSTANCE],
    install: Some(install),
};

/// The runtime of one interpreter.
pub struct BtExt {
    pub rt: BtRuntime<Value>,
    /// (instance, node) pairs whose callback error was already printed.
    shown: std::collections::HashSet<(u32, u32)>,
}

impl BtExt {
    pub fn new(start_ms: f64) -> BtExt {
        BtExt { rt: BtRuntime::new(start_ms), shown: Default::default() }
    }
}

impl Extension for BtExt {
    fn trace(&self, roots: &mut Vec<Value>) {
        roots.extend(self.rt.host_values().copied());
    }
}

/// The same groups, forms and handles without the host leaves (`vla-request`, `vla-wait`,
/// `vla-cancel`, `plan-action` fail with their logged error, as before they are installed), for
/// a host that leaves the planner and the VLA leaves' code out (the embed's small build).
pub static FRONT_END_WITHOUT_HOST_LEAVES: FrontEnd = FrontEnd {
    name: "bt",
    groups: &[SYNTAX_ROWS, BT_ROWS, EVENT_ROWS],
    handles: &[&BT_DEF, &BT_INSTANCE],
    install: Some(install_without_host_leaves),
};

fn bt_ext(interp: &Interp) -> BtExt {
    let now = interp.now_ms();
    BtExt::new(if now.is_finite() { now } else { 0.0 })
}

fn install(interp: &mut Interp) {
    let mut ext = bt_ext(interp);
    ext.rt.set_host_leaves(Box::new(super::host::HostLeafRuntime::new()));
    interp.install(ext);
}

fn install_without_host_leaves(interp: &mut Interp) {
    let ext = bt_ext(interp);
    interp.install(ext);
}

/// Hand the host leaves the interpreter's current settings (the planner's base seed) before
/// a tick, a reset or a callback's return.
fn sync_host(c: &mut Ctx) {
    let seed = c.exts.get::<crate::planner::lisp::PlannerState>().map(|p| p.0.base_seed());
    let env = HostEnv { planner_base_seed: seed.unwrap_or(crate::planner::DEFAULT_BASE_SEED) };
    if let Some(bt) = c.exts.get::<BtExt>() {
        bt.rt.host_leaves().sync(&env);
    }
}

macro_rules! row {
    (plain $name:expr, $min:expr, $max:expr, $sig:expr, $sum:expr, $f:expr) => {
        Builtin::plain($name, "bt", $min, $max, $sig, $sum, $f)
    };
    (flow $name:expr, $min:expr, $max:expr, $sig:expr, $sum:expr, $f:expr) => {
        Builtin::flow($name, "bt", $min, $max, $sig, $sum, $f)
    };
    (events $name:expr, $min:expr, $max:expr, $sig:expr, $sum:expr, $f:expr) => {
        Builtin::plain($name, "events", $min, $max, $sig, $sum, $f)
    };
}

static SYNTAX_ROWS: &[Builtin] = &[
    Builtin::syntax(
        "bt",
        "bt",
        1,
        Some(1),
        "(bt FORM) -> bt_def",
        "Compile a behaviour tree (FORM is not evaluated).",
        sx_bt,
    ),
    Builtin::syntax(
        "defbt",
        "bt",
        2,
        Some(2),
        "(defbt name FORM) -> bt_def",
        "Compile a behaviour tree and bind it to name in the current environment.",
        sx_defbt,
    ),
];

static BT_ROWS: &[Builtin] = &[
    row!(plain "bt.compile", 1, Some(1), "(bt.compile data) -> bt_def", "Compile a behaviour tree from a list built or quoted at run time.", bi_compile),
    row!(plain "bt.new-instance", 1, Some(1), "(bt.new-instance def) -> bt_instance", "A fresh instance of a definition, with its own blackboard and node memory.", bi_new_instance),
    row!(flow "bt.tick", 1, Some(2), "(bt.tick inst [inputs]) -> symbol", "Tick an instance once (after writing the (key value) inputs); returns success, failure or running.", bi_tick),
    row!(flow "bt.reset", 1, Some(1), "(bt.reset inst) -> nil", "Halt the whole tree, then clear node memory and the blackboard.", bi_reset),
    row!(flow "bt.halt", 1, Some(1), "(bt.halt inst) -> nil", "Halt the running nodes of an instance (jobs released, node memory zeroed) but keep its blackboard (Granola).", bi_halt),
    row!(plain "bt.status->symbol", 1, Some(1), "(bt.status->symbol sym) -> symbol", "Check that sym is success, failure or running and return it.", bi_status_symbol),
    row!(plain "bt.blackboard.get", 2, Some(3), "(bt.blackboard.get inst key [default]) -> value", "Read a blackboard entry (default or nil when the key is absent).", bi_bb_get),
    row!(plain "bt.blackboard.put", 3, Some(3), "(bt.blackboard.put inst key value) -> value", "Write a blackboard entry (Granola; from a callback, as that leaf).", bi_bb_put),
    row!(plain "bt.blackboard.dump", 1, Some(1), "(bt.blackboard.dump inst) -> string", "Every blackboard entry with its type, tick, time and writer.", bi_bb_dump),
    row!(plain "bt.stats", 1, Some(1), "(bt.stats inst) -> string", "Tick counts and durations, per instance and per node.", bi_stats),
    row!(plain "bt.scheduler.stats", 0, Some(0), "(bt.scheduler.stats) -> string", "Counts of scheduler jobs (async-sleep-ms and VLA jobs).", bi_scheduler_stats),
    row!(plain "bt.set-tick-budget-ms", 2, Some(2), "(bt.set-tick-budget-ms inst ms) -> nil", "Set an instance's tick budget in milliseconds of job time (0 disables).", bi_set_budget),
    row!(plain "bt.to-dsl", 1, Some(1), "(bt.to-dsl def) -> list", "The canonical DSL list of a definition.", bi_to_dsl),
    row!(plain "bt.save-dsl", 2, Some(2), "(bt.save-dsl def path) -> #t", "Write the canonical DSL text of a definition to a file.", bi_save_dsl),
    row!(plain "bt.load-dsl", 1, Some(1), "(bt.load-dsl path) -> bt_def", "Compile the one DSL form in a file.", bi_load_dsl),
    row!(plain "bt.save", 2, Some(2), "(bt.save def path) -> #t", "Write a definition as an MBT1 binary file.", bi_save),
    row!(plain "bt.load", 1, Some(1), "(bt.load path) -> bt_def", "Read a definition from an MBT1 binary file.", bi_load),
    row!(plain "bt.export-dot", 2, Some(2), "(bt.export-dot def path) -> #t", "Write a definition as a Graphviz DOT file.", bi_export_dot),
    row!(plain "bt.define-condition", 2, Some(2), "(bt.define-condition name fn) -> symbol", "Use a Lisp function as the condition name: (fn inst arg...), truthy means success (Granola).", bi_define_condition),
    row!(plain "bt.define-action", 2, Some(3), "(bt.define-action name fn [halt-fn]) -> symbol", "Use a Lisp function as the action name: (fn inst arg...) returns success, failure or running (Granola).", bi_define_action),
    row!(plain "bt.node-memory", 1, Some(1), "(bt.node-memory inst) -> value", "The state the running Lisp action keeps between ticks (nil at first and after a halt) (Granola).", bi_node_memory),
    row!(plain "bt.set-node-memory!", 2, Some(2), "(bt.set-node-memory! inst value) -> value", "Set the state of the running Lisp action (Granola).", bi_set_node_memory),
];

static EVENT_ROWS: &[Builtin] = &[
    row!(events "events.enable", 1, Some(1), "(events.enable bool) -> nil", "Turn event logging on or off (on by default).", ev_enable),
    row!(events "events.set-ring-size", 1, Some(1), "(events.set-ring-size n) -> nil", "How many event lines the ring keeps (default 8192; 0 keeps none).", ev_ring_size),
    row!(events "events.dump", 0, Some(1), "(events.dump [n]) -> list", "The stored event lines (mbt.evt.v1 JSON), oldest first; the last n.", ev_dump),
    row!(events "events.set-path", 1, Some(1), "(events.set-path path) -> nil", "Also append every event line to a file.", ev_set_path),
    row!(events "events.set-flush-each-message", 1, Some(1), "(events.set-flush-each-message bool) -> nil", "Write the event file after every line instead of at each tick end.", ev_flush_each),
    row!(events "events.enable-tick-audit", 1, Some(1), "(events.enable-tick-audit bool) -> nil", "Add a tick_audit record at the end of every tick.", ev_tick_audit),
    row!(events "events.snapshot-bb", 0, Some(1), "(events.snapshot-bb [all]) -> nil", "Request a bb_snapshot record at the next tick.", ev_snapshot),
];

// ---- helpers ----

fn ext<'c>(c: &'c mut Ctx, who: &str) -> Result<&'c mut BtExt, String> {
    c.exts.get::<BtExt>().ok_or_else(|| format!("{who}: behaviour trees are not available here"))
}

fn def_arg(c: &Ctx, who: &str, v: Value) -> Result<u32, String> {
    c.handle_id(&BT_DEF, v).ok_or_else(|| format!("{who}: expected bt_def"))
}

fn inst_arg(c: &Ctx, who: &str, v: Value) -> Result<u32, String> {
    c.handle_id(&BT_INSTANCE, v).ok_or_else(|| format!("{who}: expected bt_instance"))
}

fn path_arg(c: &Ctx, who: &str, v: Value) -> Result<String, String> {
    match c.heap.str_of(v) {
        Some(s) => Ok(s.to_string()),
        None => Err(format!("{who}: expected file path string")),
    }
}

/// The error of a file builtin where the host has no file system (as `load`/`save` say it).
fn no_files(who: &str, what: &str) -> String {
    format!("{who}: files cannot be {what} here (this host has no file system)")
}

fn bool_arg(c: &Ctx, who: &str, v: Value) -> Result<bool, String> {
    let _ = c;
    match v {
        Value::Bool(b) => Ok(b),
        _ => Err(format!("{who}: expected boolean")),
    }
}

fn engine_now(c: &Ctx) -> f64 {
    let t = c.now_ms();
    if t.is_finite() {
        t
    } else {
        0.0
    }
}

/// A copy of Lisp data as a [`Forms`] arena (iterative: no depth limit but memory).
pub fn to_forms(c: &Ctx, v: Value) -> (Forms, usize) {
    let mut forms = Forms::new();
    // Placeholder items are filled in as each list's elements are converted.
    enum Task {
        Convert(Value, usize),
    }
    let root = forms.push(Item::Atom(Lit::Nil));
    let mut tasks = vec![Task::Convert(v, root)];
    while let Some(Task::Convert(v, slot)) = tasks.pop() {
        let item = match v {
            Value::Nil => Item::Atom(Lit::Nil),
            Value::Bool(b) => Item::Atom(Lit::Bool(b)),
            Value::Int(i) => Item::Atom(Lit::Int(i)),
            Value::Float(f) => Item::Atom(Lit::Float(f)),
            Value::Sym(_) => Item::Atom(Lit::Sym(c.symbol_name(v).unwrap_or("").to_string())),
            _ => {
                if let Some(s) = c.heap.str_of(v) {
                    Item::Atom(Lit::Str(s.to_string()))
                } else if c.heap.pair(v).is_some() {
                    match c.heap.list_vec(v) {
                        Some(elems) => {
                            let mut idx = Vec::with_capacity(elems.len());
                            for e in elems {
                                let s = forms.push(Item::Atom(Lit::Nil));
                                idx.push(s);
                                tasks.push(Task::Convert(e, s));
                            }
                            Item::List(idx)
                        }
                        None => Item::Improper,
                    }
                } else {
                    Item::Other(c.type_name(v).to_string())
                }
            }
        };
        forms.items[slot] = item;
    }
    (forms, root)
}

/// Lisp data from a [`Forms`] arena whose list elements precede their lists (what
/// [`compile::to_dsl`] builds).
fn from_forms(c: &mut Ctx, forms: &Forms, root: usize) -> Value {
    let mut vals: Vec<Value> = Vec::with_capacity(forms.items.len());
    for (i, item) in forms.items.iter().enumerate() {
        let v = match item {
            Item::Atom(l) => lit_value(c, l),
            Item::List(elems) => {
                let vs: Vec<Value> = elems.iter().map(|&e| vals[e]).collect();
                c.list(&vs)
            }
            Item::Improper | Item::Other(_) => Value::Nil,
        };
        vals.push(v);
        if i == root {
            break;
        }
    }
    vals.get(root).copied().unwrap_or(Value::Nil)
}

fn lit_value(c: &mut Ctx, l: &Lit) -> Value {
    match l {
        Lit::Nil => Value::Nil,
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Int(i) => Value::Int(*i),
        Lit::Float(f) => Value::Float(*f),
        Lit::Sym(s) => c.intern(s),
        Lit::Str(s) => c.string(s.clone()),
    }
}

/// A Lisp value as a blackboard value (`bt.tick` inputs, `bt.blackboard.put`). `who` is the
/// message prefix (`bt.tick: bt.tick`, as the reference doubles it).
fn bb_value(c: &Ctx, who: &str, v: Value) -> Result<BbValue, String> {
    Ok(match v {
        Value::Nil => BbValue::Nil,
        Value::Bool(b) => BbValue::Bool(b),
        Value::Int(i) => BbValue::Int(i),
        Value::Float(f) => BbValue::Float(f),
        Value::Sym(_) => BbValue::Str(c.symbol_name(v).unwrap_or("").to_string()),
        Value::Handle(..) => match c.type_name(v) {
            "image_handle" => BbValue::Image(handle_raw_id(v)),
            "blob_handle" => BbValue::Blob(handle_raw_id(v)),
            _ => return Err(format!("{who}: unsupported blackboard value type")),
        },
        _ => {
            if let Some(s) = c.heap.str_of(v) {
                BbValue::Str(s.to_string())
            } else if let Some(items) = c.heap.pair(v).and_then(|_| c.heap.list_vec(v)) {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    match x {
                        Value::Int(i) => out.push(i as f64),
                        Value::Float(f) => out.push(f),
                        _ => return Err(format!("{who}: list values for blackboard must be numeric")),
                    }
                }
                BbValue::FloatVec(out)
            } else {
                return Err(format!("{who}: unsupported blackboard value type"));
            }
        }
    })
}

fn handle_raw_id(v: Value) -> i64 {
    match v {
        Value::Handle(h) => i64::from(h.id()),
        _ => 0,
    }
}

/// A blackboard value as Lisp data (`bt.blackboard.get`).
fn bb_to_value(c: &mut Ctx, v: &BbValue) -> Value {
    match v {
        BbValue::Nil => Value::Nil,
        BbValue::Bool(b) => Value::Bool(*b),
        BbValue::Int(i) => Value::Int(*i),
        BbValue::Float(f) => Value::Float(*f),
        BbValue::Str(s) => c.string(s.clone()),
        BbValue::FloatVec(xs) => {
            let vs: Vec<Value> = xs.iter().map(|x| Value::Float(*x)).collect();
            c.list(&vs)
        }
        BbValue::Image(id) | BbValue::Blob(id) => {
            let name = if matches!(v, BbValue::Image(_)) { "image_handle" } else { "blob_handle" };
            match c.table().handle_kinds().iter().find(|k| k.name == name) {
                Some(kind) => c.handle(kind, *id as u32).unwrap_or(Value::Int(*id)),
                None => Value::Int(*id),
            }
        }
    }
}

fn key_text(c: &Ctx, v: Value) -> Option<String> {
    match v {
        Value::Sym(_) => c.symbol_name(v).map(str::to_string),
        _ => c.heap.str_of(v).map(str::to_string),
    }
}

fn gc_snap(c: &mut Ctx) -> GcSnap {
    let audit = c.exts.get::<BtExt>().is_some_and(|b| b.rt.events.tick_audit());
    if !audit {
        return GcSnap::default();
    }
    let h = &c.heap;
    GcSnap {
        total_allocated: h.total_allocated,
        bytes_allocated: h.estimate() as u64,
        collections: h.collections,
        pause_ns: h.pause_ns,
        live_after_gc: h.live_after_gc as u64,
        freed_total: h.freed_total,
        forced: h.forced,
        policy: h.policy.name().trim_start_matches(':').to_string(),
    }
}

/// Write pending event-file lines and print callback errors.
fn after(c: &mut Ctx) -> Result<(), String> {
    let Some(bt) = c.exts.get::<BtExt>() else { return Ok(()) };
    let notices = std::mem::take(&mut bt.rt.notices);
    let out = bt.rt.events.take_file_output();
    for n in notices {
        c.emit(&format!("{n}\n"));
    }
    if let Some((path, text)) = out {
        let failed = match c.files() {
            Some(files) => files.append(&path, &text).is_err(),
            None => true,
        };
        if failed {
            // Stop writing the file (once) rather than failing every tick.
            if let Some(bt) = c.exts.get::<BtExt>() {
                bt.rt.events.clear_path();
            }
            c.emit(&format!("events: cannot write {path}; the event file is closed\n"));
        }
    }
    Ok(())
}

// ---- special forms ----

fn compile_value(c: &mut Ctx, v: Value, origin: Origin, prefix: &str) -> Result<u32, String> {
    let (forms, root) = to_forms(c, v);
    let def = compile::build_def(&forms, root, origin, prefix, None)?;
    Ok(ext(c, prefix.trim_end_matches(": "))?.rt.add_def(def))
}

fn sx_bt(c: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    let id = compile_value(c, a[0], Origin::Form, "bt: ")?;
    Ok(Flow::Return(c.handle(&BT_DEF, id)?))
}

fn sx_defbt(c: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    if !matches!(a[0], Value::Sym(_)) {
        return Err("defbt: first argument must be a symbol".into());
    }
    let id = compile_value(c, a[1], Origin::Form, "bt: ")?;
    let h = c.handle(&BT_DEF, id)?;
    c.define(a[0], h)?;
    Ok(Flow::Return(h))
}

// ---- builtins ----

fn bi_compile(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let id = compile_value(c, a[0], Origin::Compile, "bt.compile: ")?;
    c.handle(&BT_DEF, id)
}

fn bi_new_instance(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.new-instance";
    let d = def_arg(c, who, a[0])?;
    let now = engine_now(c);
    let id = ext(c, who)?.rt.new_instance(d, now).ok_or_else(|| format!("{who}: expected bt_def"))?;
    after(c)?;
    c.handle(&BT_INSTANCE, id)
}

fn apply_inputs(c: &mut Ctx, inst: u32, inputs: Value) -> Result<(), String> {
    let who = "bt.tick: bt.tick";
    let Some(items) = c.list_items(inputs) else {
        return Err(format!("{who}: expected list of key/value pairs"));
    };
    let ns = (engine_now(c) * 1e6) as i64;
    for item in items {
        let Some(pair) = c.list_items(item) else {
            return Err(format!("{who}: each entry must be a 2-item list"));
        };
        if pair.len() != 2 {
            return Err(format!("{who}: each entry must contain exactly key and value"));
        }
        let Some(key) = key_text(c, pair[0]) else {
            return Err(format!("{who}: expected key as symbol or string"));
        };
        let value = bb_value(c, who, pair[1])?;
        ext(c, "bt.tick")?.rt.put_input(inst, &key, value, ns);
    }
    Ok(())
}

fn busy_error(c: &mut Ctx, who: &str, inst: u32) -> Result<(), String> {
    let busy = ext(c, who)?.rt.instance(inst).is_some_and(|i| i.is_busy());
    if busy {
        return Err(format!(
            "{who}: <bt_instance:{inst}> is already running a tick (called from one of its own callbacks)"
        ));
    }
    Ok(())
}

fn bi_tick(c: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    let who = "bt.tick";
    let inst = inst_arg(c, who, a[0])?;
    busy_error(c, who, inst)?;
    if let Some(&inputs) = a.get(1) {
        apply_inputs(c, inst, inputs)?;
    }
    sync_host(c);
    let gc = gc_snap(c);
    let shared = SharedEngine::of(c, who)?.clone();
    let progress = {
        let mut eng = shared.engine(who)?;
        ext(c, who)?.rt.tick_start(inst, &mut eng, gc).map_err(|m| format!("{who}: {m}"))?
    };
    step(c, inst, progress)
}

fn bi_reset(c: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    let who = "bt.reset";
    let inst = inst_arg(c, who, a[0])?;
    busy_error(c, who, inst)?;
    sync_host(c);
    let shared = SharedEngine::of(c, who)?.clone();
    let progress = {
        let mut eng = shared.engine(who)?;
        ext(c, who)?.rt.reset_start(inst, &mut eng).map_err(|m| format!("{who}: {m}"))?
    };
    if let Some(bt) = c.exts.get::<BtExt>() {
        bt.shown.retain(|(i, _)| *i != inst);
    }
    step(c, inst, progress)
}

fn bi_halt(c: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    let who = "bt.halt";
    let inst = inst_arg(c, who, a[0])?;
    busy_error(c, who, inst)?;
    let shared = SharedEngine::of(c, who)?.clone();
    let progress = {
        let mut eng = shared.engine(who)?;
        ext(c, who)?.rt.halt_start(inst, &mut eng).map_err(|m| format!("{who}: {m}"))?
    };
    step(c, inst, progress)
}

/// Turn machine progress into a flow: finish, or call the Lisp callback.
fn step(c: &mut Ctx, inst: u32, progress: Progress<Value>) -> Result<Flow, String> {
    after(c)?;
    match progress {
        Progress::Done(Some(s)) => Ok(Flow::Return(c.intern(s.name()))),
        Progress::Done(None) => Ok(Flow::Return(Value::Nil)),
        Progress::Call(req) => {
            let mut args = Vec::with_capacity(req.args.len() + 1);
            args.push(c.handle(&BT_INSTANCE, inst)?);
            for l in &req.args {
                let v = lit_value(c, l);
                args.push(v);
            }
            let then = Box::new(TickResume { inst, node: req.node, token: req.token, purpose: req.purpose });
            Ok(Flow::Call { callee: req.callee, args, then })
        }
    }
}

/// The rest of a `bt.tick` / `bt.reset` after a Lisp callback.
pub struct TickResume {
    inst: u32,
    node: u32,
    token: Rc<()>,
    purpose: Purpose,
}

impl Resume for TickResume {
    fn resume(self: Box<Self>, c: &mut Ctx, result: Result<Value, LispError>) -> Result<Flow, String> {
        let answer = match (self.purpose, result) {
            (_, Err(e)) => Answer::Threw(e.message),
            (Purpose::Condition, Ok(v)) => Answer::Cond(v.truthy()),
            (Purpose::Halt, Ok(_)) => Answer::Halted,
            (Purpose::Action, Ok(v)) => match v {
                Value::Bool(true) => Answer::Act(Status::Success),
                Value::Bool(false) => Answer::Act(Status::Failure),
                Value::Sym(_) => match c.symbol_name(v).and_then(Status::from_name) {
                    Some(s) => Answer::Act(s),
                    None => {
                        Answer::Threw(format!("action returned {}; expected success, failure or running", c.show(v)))
                    }
                },
                _ => Answer::Threw(format!("action returned {}; expected success, failure or running", c.show(v))),
            },
        };
        let who = "bt.tick";
        sync_host(c);
        let gc = gc_snap(c);
        let shared = SharedEngine::of(c, who)?.clone();
        let progress = {
            let mut eng = shared.engine(who)?;
            let bt = ext(c, who)?;
            let p = bt.rt.resume(self.inst, answer, &mut eng, gc, self.token.clone());
            // Show each leaf's first callback error; the event log has every one.
            let key = (self.inst, self.node);
            if !bt.rt.notices.is_empty() && !bt.shown.insert(key) {
                bt.rt.notices.clear();
            }
            p
        };
        step(c, self.inst, progress)
    }
}

fn bi_status_symbol(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.status->symbol";
    let Value::Sym(_) = a[0] else { return Err(format!("{who}: expected symbol")) };
    match c.symbol_name(a[0]).and_then(Status::from_name) {
        Some(_) => Ok(a[0]),
        None => Err(format!("{who}: expected success/failure/running")),
    }
}

fn bi_bb_get(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.blackboard.get";
    let inst = inst_arg(c, who, a[0])?;
    let Some(key) = key_text(c, a[1]) else { return Err(format!("{who}: expected key as symbol or string")) };
    let default = a.get(2).copied().unwrap_or(Value::Nil);
    let value = ext(c, who)?.rt.instance(inst).and_then(|i| i.bb.get(&key)).map(|e| e.value.clone());
    Ok(match value {
        Some(v) => bb_to_value(c, &v),
        None => default,
    })
}

fn bi_bb_put(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.blackboard.put";
    let inst = inst_arg(c, who, a[0])?;
    let Some(key) = key_text(c, a[1]) else { return Err(format!("{who}: expected key as symbol or string")) };
    let value = bb_value(c, who, a[2])?;
    let shared = SharedEngine::of(c, who)?.clone();
    {
        let eng = shared.0.try_borrow().map_err(|_| format!("{who}: the job engine is busy"))?;
        ext(c, who)?.rt.put_from_lisp(inst, &key, value, &eng);
    }
    after(c)?;
    Ok(a[2])
}

fn bi_bb_dump(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.blackboard.dump";
    let inst = inst_arg(c, who, a[0])?;
    let text = ext(c, who)?.rt.instance(inst).map(|i| i.bb.dump()).unwrap_or_default();
    Ok(c.string(text))
}

fn bi_stats(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.stats";
    let inst = inst_arg(c, who, a[0])?;
    let text = ext(c, who)?.rt.stats_text(inst).unwrap_or_default();
    Ok(c.string(text))
}

fn bi_scheduler_stats(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    let who = "bt.scheduler.stats";
    let shared = SharedEngine::of(c, who)?.clone();
    let text = {
        let eng = shared.0.try_borrow().map_err(|_| format!("{who}: the job engine is busy"))?;
        runtime::scheduler_stats(&eng)
    };
    Ok(c.string(text))
}

fn bi_set_budget(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.set-tick-budget-ms";
    let inst = inst_arg(c, who, a[0])?;
    let Value::Int(ms) = a[1] else { return Err(format!("{who}: expected integer milliseconds")) };
    if ms < 0 {
        return Err(format!("{who}: tick budget must be non-negative"));
    }
    if let Some(i) = ext(c, who)?.rt.instance_mut(inst) {
        i.budget_ms = ms;
    }
    Ok(Value::Nil)
}

fn def_of(c: &mut Ctx, who: &str, v: Value) -> Result<Rc<Def>, String> {
    let id = def_arg(c, who, v)?;
    ext(c, who)?.rt.def(id).cloned().ok_or_else(|| format!("{who}: expected bt_def"))
}

fn bi_to_dsl(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let def = def_of(c, "bt.to-dsl", a[0])?;
    let (forms, root) = compile::to_dsl(&def.nodes, def.root);
    Ok(from_forms(c, &forms, root))
}

fn bi_save_dsl(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.save-dsl";
    let def = def_of(c, who, a[0])?;
    let path = path_arg(c, who, a[1])?;
    let text = compile::canonical_text(&def)?;
    let files = c.files().ok_or_else(|| no_files(who, "written"))?;
    files.write(&path, &text).map_err(|_| format!("{who}: failed to open file for write: {path}"))?;
    Ok(Value::Bool(true))
}

fn bi_load_dsl(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.load-dsl";
    let path = path_arg(c, who, a[0])?;
    let max = c.limits().max_file_bytes;
    let text = c
        .files()
        .ok_or_else(|| no_files(who, "read"))?
        .read(&path, max)
        .map(|(_, t)| t)
        .map_err(|_| format!("{who}: {path}: {who}: failed to open file: {path}"))?;
    let datums = c.read_all(&text).map_err(|e| format!("{who}: {path}: {}", e.located()))?;
    let datum = match datums.as_slice() {
        [d] => *d,
        [] => return Err(format!("{who}: {path}: line 1, column 1: expected one expression, got none")),
        _ => return Err(format!("{who}: {path}: line 1, column 1: expected one expression, got multiple")),
    };
    let (forms, root) = to_forms(c, datum);
    let def = compile::build_def(&forms, root, Origin::LoadDsl, &format!("{who}: {path}: "), Some(&text))?;
    let id = ext(c, who)?.rt.add_def(def);
    c.handle(&BT_DEF, id)
}

fn bi_save(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.save";
    let def = def_of(c, who, a[0])?;
    let path = path_arg(c, who, a[1])?;
    let bytes = mbt1::save(&def);
    let files = c.files().ok_or_else(|| no_files(who, "written"))?;
    files.write_bytes(&path, &bytes).map_err(|_| format!("{who}: {who}: failed to open file: {path}"))?;
    Ok(Value::Bool(true))
}

fn bi_load(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.load";
    let path = path_arg(c, who, a[0])?;
    let max = c.limits().max_file_bytes;
    let bytes = c
        .files()
        .ok_or_else(|| no_files(who, "read"))?
        .read_bytes(&path, max)
        .map(|(_, b)| b)
        .map_err(|_| format!("{who}: {who}: failed to open file: {path}"))?;
    let def = mbt1::load(&bytes).map_err(|m| format!("{who}: {who}: {m}"))?;
    let id = ext(c, who)?.rt.add_def(def);
    c.handle(&BT_DEF, id)
}

fn bi_export_dot(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.export-dot";
    let def = def_of(c, who, a[0])?;
    let path = path_arg(c, who, a[1])?;
    mbt1::validate(&def).map_err(|m| format!("{who}: bt.load: {m}"))?;
    let text = mbt1::dot(&def);
    let files = c.files().ok_or_else(|| no_files(who, "written"))?;
    files.write(&path, &text).map_err(|_| format!("{who}: failed to open file: {path}"))?;
    Ok(Value::Bool(true))
}

fn callback_name(c: &Ctx, who: &str, v: Value) -> Result<String, String> {
    match key_text(c, v) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(format!("{who}: name must be a non-empty symbol or string")),
    }
}

fn procedure(c: &Ctx, who: &str, v: Value) -> Result<Value, String> {
    if c.is_procedure(v) {
        Ok(v)
    } else {
        Err(format!("{who}: expected procedure"))
    }
}

fn bi_define_condition(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.define-condition";
    let name = callback_name(c, who, a[0])?;
    let f = procedure(c, who, a[1])?;
    ext(c, who)?.rt.define_condition(&name, f);
    Ok(c.intern(&name))
}

fn bi_define_action(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.define-action";
    let name = callback_name(c, who, a[0])?;
    let f = procedure(c, who, a[1])?;
    let halt = match a.get(2) {
        Some(&h) => Some(procedure(c, who, h)?),
        None => None,
    };
    ext(c, who)?.rt.define_action(&name, f, halt);
    Ok(c.intern(&name))
}

fn bi_node_memory(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.node-memory";
    let inst = inst_arg(c, who, a[0])?;
    match ext(c, who)?.rt.calling_memory(inst) {
        Some(m) => Ok(m.unwrap_or(Value::Nil)),
        None => Err(format!("{who}: no callback of this instance is running")),
    }
}

fn bi_set_node_memory(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "bt.set-node-memory!";
    let inst = inst_arg(c, who, a[0])?;
    match ext(c, who)?.rt.calling_memory(inst) {
        Some(m) => {
            *m = if a[1] == Value::Nil { None } else { Some(a[1]) };
            Ok(a[1])
        }
        None => Err(format!("{who}: no callback of this instance is running")),
    }
}

// ---- events ----

fn ev_enable(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "events.enable";
    let on = bool_arg(c, who, a[0])?;
    ext(c, who)?.rt.events.set_enabled(on);
    Ok(Value::Nil)
}

fn ev_ring_size(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "events.set-ring-size";
    let n = match a[0] {
        Value::Int(n) if n >= 0 => n as usize,
        Value::Int(_) => return Err(format!("{who}: expected non-negative integer")),
        _ => return Err(format!("{who}: expected integer")),
    };
    ext(c, who)?.rt.events.set_ring_capacity(n);
    Ok(Value::Nil)
}

fn ev_dump(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "events.dump";
    let n = match a.first() {
        None => 0,
        Some(Value::Int(n)) if *n >= 0 => *n as usize,
        Some(Value::Int(_)) => return Err(format!("{who}: expected non-negative integer")),
        Some(_) => return Err(format!("{who}: expected integer")),
    };
    let lines = ext(c, who)?.rt.events.dump(n);
    let vals: Vec<Value> = lines.into_iter().map(|l| c.string(l)).collect();
    Ok(c.list(&vals))
}

fn ev_set_path(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "events.set-path";
    let Some(path) = c.heap.str_of(a[0]).map(str::to_string) else {
        return Err(format!("{who}: expected string path"));
    };
    if path.is_empty() {
        return Err(format!("{who}: path must not be empty"));
    }
    match c.files() {
        None => return Err(no_files(who, "written")),
        Some(f) => f.append(&path, "").map_err(|_| format!("{who}: failed to open file: {path}"))?,
    }
    ext(c, who)?.rt.events.set_path(&path);
    Ok(Value::Nil)
}

fn ev_flush_each(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "events.set-flush-each-message";
    let on = bool_arg(c, who, a[0])?;
    ext(c, who)?.rt.events.set_flush_each(on);
    Ok(Value::Nil)
}

fn ev_tick_audit(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "events.enable-tick-audit";
    let on = bool_arg(c, who, a[0])?;
    ext(c, who)?.rt.events.set_tick_audit(on);
    Ok(Value::Nil)
}

fn ev_snapshot(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let who = "events.snapshot-bb";
    let full = match a.first() {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(format!("{who}: expected boolean when argument is provided")),
    };
    ext(c, who)?.rt.events.request_snapshot(full);
    Ok(Value::Nil)
}

/// Record an event of another front end (`cap_call_start`, `planner_v1`, ...) in the event log,
/// outside any tick (`tick` absent). `json` is the `data` object. Nothing happens when the
/// interpreter has no behaviour-tree runtime.
pub fn emit_event(c: &mut Ctx, kind: &'static str, json: String) {
    let now = engine_now(c);
    if let Some(bt) = c.exts.get::<BtExt>() {
        bt.rt.events.emit_raw(now, None, 0, kind, json);
        let out = bt.rt.events.take_file_output();
        if let Some((path, text)) = out {
            if let Some(files) = c.files() {
                let _ = files.append(&path, &text);
            }
        }
    }
}

/// Log a line from another front end (planner, VLA, capabilities) into the event log.
pub fn log_line(c: &mut Ctx, severity: Severity, message: &str) {
    let now = engine_now(c);
    if let Some(bt) = c.exts.get::<BtExt>() {
        bt.rt.events.log(now, None, 0, severity, 0, message);
    }
}
