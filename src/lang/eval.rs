//! The evaluator: a resumable machine with its own heap stack (no Rust recursion on user
//! data), proper tail calls, a call-depth limit, fuel, and suspension on `time.sleep-ms`.
//!
//! State is a register (`Mode`: evaluate a form / return a value / walk a quasiquote
//! template) plus a stack of continuation frames and a value stack for arguments. A closure
//! call pushes a `CallMark` frame unless the top frame already is one (a tail call), so tail
//! loops run in constant space and the number of `CallMark`s is the call depth.
//!
//! Each top-level form is compiled first (module `compiled`): the machine then runs nodes
//! (`Mode::Node`, the `N*` frames) with the same steps as the list walker below, which still
//! runs what the compiler leaves to it (malformed special forms, quasiquote, syntax rows,
//! forms that `load` runs inside a function).
//!
//! A flow builtin's [`Flow::Call`] pushes a `Flow` frame holding its [`Resume`] and then
//! applies the callee like any call, so the callee runs on this same stack under the same
//! fuel, depth limit and sleep handling. Its value pops the frame and resumes the builtin; a
//! runtime error unwinds the stack only down to the nearest `Flow` frame and is delivered
//! there.

use super::ctx::{Ctx, Extension, Extensions, Flow, Resume, Services};
use super::heap::{Heap, Obj, Symbols, Value, GLOBAL};
use super::host::{Files, Host, JobTime, ManualTime};
use super::printer;
use super::reader;
use super::table::{Func, HandleKind, Special, Table};
use super::{ErrorKind, Limits, LispError, Outcome, Pos};
use std::collections::VecDeque;
use std::rc::Rc;

mod compiled;

/// A table row as `apply` needs it, in one flat array (arity and function).
#[derive(Clone, Copy)]
struct Prim {
    min: usize,
    max: usize,
    func: Func,
}

/// What a special-form symbol (interned first, ids `0..n_special`) means.
#[derive(Clone, Copy)]
enum FormKind {
    Core(Special),
    /// A front end's syntax row: its index in the table.
    Syntax(u16),
}

#[derive(Clone, Copy)]
enum Mode {
    /// Evaluate a form in an environment. (Symbols that sit in a list cell are looked up at
    /// once by `eval_at`, which knows the cell and so the symbol's position.)
    Eval(Value, u32),
    Return(Value),
    Qq(Value, u32, u32),
    /// Run a compiled node in an environment (see `compiled`).
    Node(u32, u32),
}

enum Frame {
    Args {
        pos: Pos,
        base: u32,
        rest: Value,
        env: u32,
    },
    If {
        branches: Value,
        env: u32,
    },
    Begin {
        rest: Value,
        env: u32,
    },
    Define {
        sym: u32,
        env: u32,
    },
    Let {
        base: u32,
        rest: Value,
        /// The `let` form's `(bindings . body)`.
        spec: Value,
        env: u32,
    },
    Cond {
        body: Value,
        rest: Value,
        env: u32,
        pos: Pos,
    },
    And {
        rest: Value,
        env: u32,
    },
    Or {
        rest: Value,
        env: u32,
        tail: bool,
    },
    /// A closure call; `env` is its environment when that is to be freed as the call
    /// returns (or is replaced by a tail call), else `GLOBAL`. (Traced, so that it stays
    /// allocated until then.)
    CallMark {
        env: u32,
    },
    LoadArg {
        env: u32,
        pos: Pos,
    },
    /// (boxed: a rare frame, kept out of the size of every other)
    Load(Box<LoadFrame>),
    QqElem {
        depth: u32,
        rest: Value,
        base: u32,
        splice: bool,
        env: u32,
        pos: Pos,
    },
    QqWrap {
        head: u32,
    },
    // The compiled twins of the frames above (node ids instead of source lists).
    NArgs {
        pos: Pos,
        base: u32,
        at: u32,
        end: u32,
        env: u32,
    },
    NIf {
        then: u32,
        els: u32,
        env: u32,
    },
    NBegin {
        at: u32,
        end: u32,
        env: u32,
    },
    NLet {
        node: u32,
        i: u32,
        base: u32,
        env: u32,
    },
    NCond {
        node: u32,
        k: u32,
        env: u32,
        pos: Pos,
    },
    NAnd {
        at: u32,
        end: u32,
        env: u32,
    },
    NOr {
        at: u32,
        end: u32,
        env: u32,
        tail: bool,
    },
    /// A flow builtin waiting for the procedure it called. `depth`/`vals` are the call depth
    /// and value-stack height to restore when an error unwinds to it; `env` is where its
    /// special form (if it is a syntax row) was evaluated.
    Flow {
        then: Box<dyn Resume>,
        depth: usize,
        vals: u32,
        env: u32,
        pos: Pos,
    },
}

/// A file being loaded: its forms, the one running, where `load` was evaluated.
struct LoadFrame {
    forms: Vec<Value>,
    idx: usize,
    env: u32,
    path: String,
    pos: Pos,
}

impl Frame {
    fn trace(&self, vals: &mut Vec<Value>, envs: &mut Vec<u32>) {
        match self {
            Frame::Args { rest, env, .. }
            | Frame::Begin { rest, env }
            | Frame::And { rest, env }
            | Frame::Or { rest, env, .. } => {
                vals.push(*rest);
                envs.push(*env);
            }
            Frame::If { branches, env } => {
                vals.push(*branches);
                envs.push(*env);
            }
            Frame::Define { env, .. } | Frame::LoadArg { env, .. } => envs.push(*env),
            Frame::Let { rest, spec, env, .. } => {
                vals.extend([*rest, *spec]);
                envs.push(*env);
            }
            Frame::Cond { body, rest, env, .. } => {
                vals.extend([*body, *rest]);
                envs.push(*env);
            }
            Frame::Load(l) => {
                vals.extend(l.forms.iter().copied());
                envs.push(l.env);
            }
            Frame::QqElem { rest, env, .. } => {
                vals.push(*rest);
                envs.push(*env);
            }
            Frame::Flow { then, env, .. } => {
                then.trace(vals);
                envs.push(*env);
            }
            Frame::NArgs { env, .. }
            | Frame::NIf { env, .. }
            | Frame::NBegin { env, .. }
            | Frame::NLet { env, .. }
            | Frame::NCond { env, .. }
            | Frame::NAnd { env, .. }
            | Frame::NOr { env, .. } => envs.push(*env),
            Frame::CallMark { env } => envs.push(*env),
            Frame::QqWrap { .. } => {}
        }
    }
}

struct Fail {
    msg: String,
    kind: ErrorKind,
    /// Name only the outermost file being loaded (not every one) in front of the message.
    outermost_load: bool,
}

impl Fail {
    fn new(msg: String, kind: ErrorKind) -> Fail {
        Fail { msg, kind, outermost_load: false }
    }
    fn limit(msg: String) -> Fail {
        Fail::new(msg, ErrorKind::Limit)
    }
}

impl From<String> for Fail {
    fn from(msg: String) -> Fail {
        Fail::new(msg, ErrorKind::Runtime)
    }
}
impl From<&str> for Fail {
    fn from(msg: &str) -> Fail {
        Fail::new(msg.to_string(), ErrorKind::Runtime)
    }
}

type R<T> = Result<T, Fail>;

enum StepOut {
    Continue,
    Done(Value),
}

/// One evaluator session: heap, globals, queued forms and the running form's state.
pub struct Interp {
    heap: Heap,
    syms: Symbols,
    table: &'static Table,
    prims: Box<[Prim]>,
    /// Meaning of the special-form symbols `0..forms.len()`.
    forms: Vec<FormKind>,
    /// Syntax rows added by [`Interp::extend_table`] (symbol id, row): their symbols were
    /// interned after the first ones, so they are not in `forms`.
    late_forms: Vec<(u32, u16)>,
    sym_quasiquote: u32,
    sym_unquote: u32,
    sym_unquote_splicing: u32,
    sym_else: u32,
    exts: Extensions,
    svc: Services,
    globals: Vec<Option<Value>>,
    /// Whether a symbol has ever been bound in a local environment (a parameter, a `let`
    /// name, a `define` outside the top level). A symbol that never was is looked up in the
    /// globals at once, without walking the environment chain.
    local_syms: Vec<bool>,
    stack: Vec<Frame>,
    vals: Vec<Value>,
    mode: Mode,
    active: bool,
    queue: VecDeque<(Value, Pos, u64)>,
    next_load: u64,
    cur_load: u64,
    top_pos: Pos,
    cur_pos: Pos,
    /// Where the failure being raised happened when that is not `cur_pos` (an unbound
    /// symbol's own position); taken by `fail`.
    err_pos: Option<Pos>,
    steps: u64,
    depth: usize,
    max_stack: usize,
    sleeping: Option<f64>,
    pending_sleep: Option<f64>,
    code: compiled::Code,
    /// Whether top-level forms are compiled (off: the list walker runs everything).
    compiling: bool,
}

impl Interp {
    /// A session on `table` with [`Limits::default`]: every builtin bound, job time a
    /// [`ManualTime`] at 0, no files, no extensions (the runtime adds job time, the engine
    /// and each front end's extensions; see `crate::runtime::new_interp`).
    pub fn new(table: &'static Table) -> Interp {
        Interp::with_limits(table, Limits::default())
    }

    /// [`Interp::new`] with other limits.
    pub fn with_limits(table: &'static Table, limits: Limits) -> Interp {
        let mut syms = Symbols::default();
        let mut forms = Vec::new();
        for (i, b) in table.rows().iter().enumerate() {
            let kind = match b.func {
                Func::Special(k) => FormKind::Core(k),
                Func::Syntax(_) => FormKind::Syntax(i as u16),
                _ => continue,
            };
            let id = syms.intern(b.name) as usize;
            if id == forms.len() {
                forms.push(kind);
            }
        }
        let mut heap = Heap::default();
        heap.set_cap(limits.max_heap_bytes);
        let mut it = Interp {
            sym_quasiquote: syms.intern("quasiquote"),
            sym_unquote: syms.intern("unquote"),
            sym_unquote_splicing: syms.intern("unquote-splicing"),
            sym_else: syms.intern("else"),
            heap,
            syms,
            table,
            prims: table
                .rows()
                .iter()
                .map(|b| Prim { min: b.min_args, max: b.max_args.unwrap_or(usize::MAX), func: b.func })
                .collect(),
            forms,
            late_forms: Vec::new(),
            exts: Extensions::default(),
            svc: Services {
                time: Box::new(ManualTime::default()),
                files: None,
                limits,
                out_bytes: 0,
                defines: Vec::new(),
            },
            globals: Vec::new(),
            local_syms: Vec::new(),
            stack: Vec::new(),
            vals: Vec::new(),
            mode: Mode::Return(Value::Nil),
            active: false,
            queue: VecDeque::new(),
            next_load: 1,
            cur_load: 0,
            top_pos: Pos { line: 1, col: 1 },
            cur_pos: Pos { line: 1, col: 1 },
            err_pos: None,
            steps: 0,
            depth: 0,
            max_stack: limits.max_depth.saturating_mul(10).max(100_000),
            sleeping: None,
            pending_sleep: None,
            code: compiled::Code::default(),
            compiling: true,
        };
        for (i, b) in table.rows().iter().enumerate() {
            if !b.is_special_form() {
                let s = it.syms.intern(b.name);
                it.set_global(s, Value::Prim(i as u16));
            }
        }
        let t = it.syms.intern("true");
        it.set_global(t, Value::Bool(true));
        let f = it.syms.intern("false");
        it.set_global(f, Value::Bool(false));
        it
    }

    /// The table this session was built from.
    pub fn table(&self) -> &'static Table {
        self.table
    }

    /// Move this session to `table`, a composition of the same front ends followed by more
    /// (a host that loads front ends on demand composes such a table once it has their code).
    /// The new builtins are bound unless the program already defined that name, the new syntax
    /// rows become special forms, and the new front ends' `install` runs. Definitions, values
    /// and handles made so far stay valid (the old rows keep their places).
    pub fn extend_table(&mut self, table: &'static Table) -> Result<(), String> {
        let old = self.table;
        if std::ptr::eq(old, table) {
            return Ok(());
        }
        if !table.extends(old) {
            return Err("internal: the new builtin table does not extend this session's table".into());
        }
        let start = old.rows().len();
        if table.rows().iter().skip(start).any(|b| matches!(b.func, Func::Syntax(_))) {
            self.invalidate_code();
        }
        self.table = table;
        let mut prims = self.prims.to_vec();
        for (i, b) in table.rows().iter().enumerate().skip(start) {
            prims.push(Prim { min: b.min_args, max: b.max_args.unwrap_or(usize::MAX), func: b.func });
            let s = self.syms.intern(b.name);
            match b.func {
                Func::Syntax(_) => self.late_forms.push((s, i as u16)),
                Func::Special(_) => return Err(format!("internal: {} cannot be added later", b.name)),
                _ => {
                    if self.globals.get(s as usize).is_none_or(|g| g.is_none()) {
                        self.set_global(s, Value::Prim(i as u16));
                    }
                }
            }
        }
        self.prims = prims.into_boxed_slice();
        table.install_beyond(old, self);
        Ok(())
    }

    /// Install the source of job time (`time.*`, and when a sleep is over).
    pub fn set_time(&mut self, time: Box<dyn JobTime>) {
        self.svc.time = time;
    }

    /// Current job time.
    pub fn now_ms(&self) -> f64 {
        self.svc.time.now_ms()
    }

    /// Install a front end's per-interpreter state, replacing one of the same type.
    pub fn install<T: Extension>(&mut self, ext: T) {
        self.exts.insert(ext);
    }

    /// An installed extension.
    pub fn ext<T: Extension>(&mut self) -> Option<&mut T> {
        self.exts.get::<T>()
    }

    /// Install file access for `load` and `save` (native hosts).
    pub fn set_files(&mut self, files: Box<dyn Files>) {
        self.svc.files = Some(files);
    }

    /// The current limits.
    pub fn limits(&self) -> Limits {
        self.svc.limits
    }

    /// Parse all of `source` first; if it parses, queue its forms. Returns how many.
    pub fn load(&mut self, source: &str) -> Result<usize, LispError> {
        let forms = reader::read_all(source, &mut self.heap, &mut self.syms, self.svc.limits.max_read_depth)?;
        let id = self.next_load;
        self.next_load += 1;
        let n = forms.len();
        for (v, p) in forms {
            self.queue.push_back((v, p, id));
        }
        Ok(n)
    }

    /// Bind the global `name` to the handle `kind`/`id`, for a host that names an object in
    /// source it loads next (the tree view loads `(bt.tick <name>)`). `Err` when the table
    /// has no such handle kind.
    pub fn define_handle(&mut self, name: &str, kind: &HandleKind, id: u32) -> Result<(), String> {
        let k = self.table.handle_index(kind).ok_or_else(|| format!("{}: handle kind not registered", kind.name))?;
        let s = self.syms.intern(name);
        self.set_global(s, Value::Handle(super::heap::Handle::new(k, id)));
        Ok(())
    }

    /// Whether forms run from here on are compiled first (the default) or walked as lists.
    /// Both take the same steps and give the same results; tests compare them.
    #[doc(hidden)]
    pub fn set_compiling(&mut self, on: bool) {
        self.compiling = on;
    }

    /// Abandon the running form and everything queued.
    pub fn stop(&mut self) {
        self.stack.clear();
        self.vals.clear();
        self.queue.clear();
        self.active = false;
        self.sleeping = None;
        self.pending_sleep = None;
        self.err_pos = None;
        self.depth = 0;
        self.mode = Mode::Return(Value::Nil);
        self.release_form();
    }

    pub fn is_idle(&self) -> bool {
        !self.active && self.queue.is_empty() && self.sleeping.is_none()
    }

    /// The 8-line heap statistics text (as `heap-stats` prints it).
    pub fn heap_stats(&self) -> String {
        super::builtins::gc::stats_text(&self.heap)
    }

    /// Force a full collection now (between forms or while idle).
    pub fn collect_garbage(&mut self) {
        self.gc(None, true);
    }

    /// Run until a top-level form finishes, an error, sleep, idle, or `fuel` steps are spent.
    pub fn run(&mut self, host: &mut dyn Host, fuel: u64) -> Outcome {
        let (out, left) = self.run_slice(host, fuel);
        self.steps = self.steps.saturating_add(fuel.saturating_sub(left));
        out
    }

    /// Evaluation steps taken by [`Interp::run`] since this session began.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The position of the top-level form being run (or the last one run).
    pub fn current_form_pos(&self) -> Pos {
        self.top_pos
    }

    /// One slice of `run`; also returns the fuel left over.
    fn run_slice(&mut self, host: &mut dyn Host, fuel: u64) -> (Outcome, u64) {
        if let Some(until) = self.sleeping {
            let now = self.svc.time.now_ms();
            if now < until {
                return (Outcome::Sleeping { until_ms: until }, fuel);
            }
            self.sleeping = None;
        }
        let mut fuel = fuel;
        if !self.active {
            match self.queue.pop_front() {
                None => return (Outcome::Idle, fuel),
                Some((form, pos, load)) => {
                    if load != self.cur_load {
                        self.svc.out_bytes = 0;
                        self.cur_load = load;
                    }
                    self.active = true;
                    self.top_pos = pos;
                    self.cur_pos = pos;
                    self.depth = 0;
                    if self.compiling {
                        let root = self.compile_top(form);
                        self.mode = Mode::Node(root, GLOBAL);
                    } else {
                        self.mode = Mode::Eval(form, GLOBAL);
                    }
                }
            }
        }
        if fuel == 0 {
            return (Outcome::OutOfFuel, 0);
        }
        while fuel > 0 {
            fuel -= 1;
            if self.heap.wants_gc() && self.heap.gc_due() {
                self.gc(Some(host), false);
                if self.heap.over_cap() {
                    // Where the collection happened says little: name the top-level form.
                    self.err_pos = Some(self.top_pos);
                    let f = Fail::limit(format!("heap limit exceeded ({} bytes)", self.heap.cap()));
                    return (Outcome::Error(self.fail(f)), fuel);
                }
            }
            // (matched in place: moving the result first costs a store-forwarding stall
            // per step)
            match self.step(host) {
                Ok(StepOut::Continue) => {}
                Ok(StepOut::Done(v)) => {
                    self.active = false;
                    self.release_form();
                    return match self.echo(v) {
                        Ok(printed) => (Outcome::Value { printed, pos: self.top_pos }, fuel),
                        Err(f) => (Outcome::Error(self.fail(f)), fuel),
                    };
                }
                Err(f) => {
                    if let Err(f) = self.catch(f, host) {
                        return (Outcome::Error(self.fail(f)), fuel);
                    }
                }
            }
            if self.pending_sleep.is_some() {
                if let Some(until) = self.pending_sleep.take() {
                    self.sleeping = Some(until);
                    return (Outcome::Sleeping { until_ms: until }, fuel);
                }
            }
        }
        (Outcome::OutOfFuel, 0)
    }

    /// A finished top-level value in printer form, counted against the output limit (the
    /// host echoes it, one line).
    fn echo(&mut self, v: Value) -> R<String> {
        let room = self.svc.limits.max_output_bytes.saturating_sub(self.svc.out_bytes);
        match printer::print(&self.heap, &self.syms, self.table, v, false, "print", room) {
            Ok(printed) if printed.len() < room => {
                self.svc.out_bytes += printed.len() + 1;
                Ok(printed)
            }
            _ => {
                self.svc.out_bytes = self.svc.limits.max_output_bytes.saturating_add(1);
                self.err_pos = Some(self.top_pos);
                Err(self.output_exceeded())
            }
        }
    }

    fn output_exceeded(&self) -> Fail {
        Fail::limit(format!("output limit exceeded ({} bytes)", self.svc.limits.max_output_bytes))
    }

    /// The message and position of failure `f` as raised where the evaluator is now: each
    /// file being loaded above stack index `floor` adds its `load: <path>: ` prefix, and the
    /// outermost such file gives the position (its `load` form).
    fn locate(&mut self, f: Fail, floor: usize) -> LispError {
        let Fail { msg, kind, outermost_load } = f;
        let mut msg = msg;
        let mut pos = self.err_pos.take().unwrap_or(self.cur_pos);
        let loads = self.stack.get(floor..).unwrap_or(&[]).iter().filter_map(|fr| match fr {
            Frame::Load(l) => Some((&l.path, l.pos)),
            _ => None,
        });
        if outermost_load {
            if let Some((path, p)) = loads.into_iter().next() {
                msg = format!("load: {path}: {msg}");
                pos = p;
            }
        } else {
            for (path, p) in loads.collect::<Vec<_>>().into_iter().rev() {
                msg = format!("load: {path}: {msg}");
                pos = p;
            }
        }
        LispError { message: msg, pos: Some(pos), kind }
    }

    /// Deliver a runtime failure to the nearest flow builtin waiting for a procedure, if any:
    /// unwind to its frame and resume it with the error. Anything else (no such frame, a
    /// limit) stays a failure of the whole form.
    #[cold]
    fn catch(&mut self, f: Fail, host: &mut dyn Host) -> R<()> {
        let mut f = f;
        loop {
            if f.kind != ErrorKind::Runtime {
                return Err(f);
            }
            let Some(at) = self.stack.iter().rposition(|fr| matches!(fr, Frame::Flow { .. })) else {
                return Err(f);
            };
            let err = self.locate(f, at + 1);
            self.stack.truncate(at + 1);
            let Some(Frame::Flow { then, depth, vals, env, pos }) = self.stack.pop() else {
                return Err("internal: flow frame".into());
            };
            self.vals.truncate(vals as usize);
            self.depth = depth;
            self.cur_pos = pos;
            match self.resume_flow(then, Err(err), env, pos, host) {
                Ok(()) => return Ok(()),
                Err(next) => f = next,
            }
        }
    }

    fn fail(&mut self, f: Fail) -> LispError {
        let err = self.locate(f, 0);
        self.stack.clear();
        self.vals.clear();
        self.active = false;
        self.depth = 0;
        self.mode = Mode::Return(Value::Nil);
        self.release_form();
        let load = self.cur_load;
        self.queue.retain(|(_, _, l)| *l != load);
        err
    }

    fn gc(&mut self, host: Option<&mut dyn Host>, forced: bool) {
        let mut host = host;
        let t0 = host.as_mut().and_then(|h| h.monotonic_ns());
        let mut roots: Vec<Value> = Vec::with_capacity(self.vals.len() + self.stack.len() * 2 + 64);
        let mut envs: Vec<u32> = Vec::new();
        roots.extend(self.globals.iter().flatten().copied());
        roots.extend(self.vals.iter().copied());
        roots.extend(self.queue.iter().map(|q| q.0));
        match self.mode {
            Mode::Eval(x, e) | Mode::Qq(x, _, e) => {
                roots.push(x);
                envs.push(e);
            }
            Mode::Return(v) => roots.push(v),
            Mode::Node(_, e) => envs.push(e),
        }
        for f in &self.stack {
            f.trace(&mut roots, &mut envs);
        }
        self.exts.trace(&mut roots);
        // The compiled code that live closures and the running form need is known once
        // everything else is marked (source forms hold no closures); then its forms are
        // marked too.
        self.heap.mark(&roots, &envs);
        let mut live_lams = std::mem::take(&mut self.heap.live_code);
        self.compact_code(&live_lams);
        live_lams.clear();
        self.heap.live_code = live_lams;
        roots.clear();
        roots.extend(self.code.roots());
        self.heap.mark(&roots, &[]);
        self.heap.live_code.clear();
        self.heap.finish_collect(forced);
        if let (Some(t0), Some(t1)) = (t0, host.as_mut().and_then(|h| h.monotonic_ns())) {
            self.heap.pause_ns = self.heap.pause_ns.saturating_add(t1.saturating_sub(t0));
        }
    }

    fn set_global(&mut self, s: u32, v: Value) {
        let i = s as usize;
        if self.globals.len() <= i {
            self.globals.resize(i + 1, None);
        }
        if let Some(slot) = self.globals.get_mut(i) {
            *slot = Some(v);
        }
    }

    /// Note that `s` may now be bound in a local environment (see `local_syms`).
    fn mark_local(&mut self, s: u32) {
        let i = s as usize;
        if self.local_syms.len() <= i {
            self.local_syms.resize(i + 1, false);
        }
        if let Some(m) = self.local_syms.get_mut(i) {
            *m = true;
        }
    }

    fn define(&mut self, s: u32, v: Value, env: u32) {
        if env == GLOBAL {
            self.set_global(s, v);
            return;
        }
        self.mark_local(s);
        if let Some(Obj::Env { vars, .. }) = self.heap.get_mut(env) {
            if let Some(slot) = vars.iter_mut().rev().find(|(k, _)| *k == s) {
                slot.1 = v;
            } else {
                vars.push((s, v));
            }
        }
    }

    #[inline]
    fn lookup(&self, s: u32, mut env: u32) -> R<Value> {
        if !self.local_syms.get(s as usize).copied().unwrap_or(false) {
            env = GLOBAL;
        }
        while env != GLOBAL {
            match self.heap.get(env) {
                Some(Obj::Env { vars, parent }) => {
                    for (k, v) in vars.iter().rev() {
                        if *k == s {
                            return Ok(*v);
                        }
                    }
                    env = *parent;
                }
                _ => break,
            }
        }
        match self.globals.get(s as usize) {
            Some(Some(v)) => Ok(*v),
            _ => {
                let name = self.syms.name(s);
                if name.starts_with(':') && name.len() > 1 {
                    Err(format!("unbound symbol: {name} (keywords are symbols: write '{name})").into())
                } else {
                    Err(format!("unbound symbol: {name}").into())
                }
            }
        }
    }

    /// An unbound-symbol failure of the element held by list cell `cell` (not a first cell):
    /// located at the element itself. (The position is kept beside the failure, in
    /// `err_pos`, so that the hot path's `Result`s stay as small as they were.)
    #[cold]
    fn in_cell(&mut self, f: Fail, cell: Value) -> Fail {
        if self.err_pos.is_none() {
            self.err_pos = self.heap.pos_of(cell);
        }
        f
    }

    /// A failure of the first element of the list `list`, located at that element.
    #[cold]
    fn in_head(&mut self, f: Fail, list: Value) -> Fail {
        if self.err_pos.is_none() {
            self.err_pos = self.heap.head_elem_pos(list);
        }
        f
    }

    /// Evaluate `x`, the element held by list cell `cell`: a symbol at once (an unbound one
    /// is located at itself), anything else in the next step.
    #[inline]
    fn eval_at(&mut self, x: Value, env: u32, cell: Value) -> R<()> {
        match x {
            Value::Sym(s) => match self.lookup(s, env) {
                Ok(v) => self.mode = Mode::Return(v),
                Err(f) => return Err(self.in_cell(f, cell)),
            },
            _ => self.mode = Mode::Eval(x, env),
        }
        Ok(())
    }

    /// Evaluate `x` directly if it needs no frame (anything but a cons).
    #[inline]
    fn atom_value(&self, x: Value, env: u32) -> Option<R<Value>> {
        match x {
            Value::Sym(s) => Some(self.lookup(s, env)),
            Value::Obj(_) => match self.heap.obj(x) {
                Some(Obj::Cons { .. }) => None,
                _ => Some(Ok(x)),
            },
            _ => Some(Ok(x)),
        }
    }

    fn list_len(&self, mut v: Value) -> R<usize> {
        let mut n = 0;
        loop {
            match v {
                Value::Nil => return Ok(n),
                _ => match self.heap.pair(v) {
                    Some((_, d)) => {
                        n += 1;
                        v = d;
                    }
                    None => return Err("expected proper list".into()),
                },
            }
        }
    }

    #[inline]
    fn car_cdr(&self, v: Value) -> (Value, Value) {
        self.heap.pair(v).unwrap_or((Value::Nil, Value::Nil))
    }

    #[inline]
    fn push(&mut self, f: Frame) -> R<()> {
        if self.stack.len() >= self.max_stack {
            return Err(Fail::limit(format!("evaluation too deeply nested ({} frames)", self.max_stack)));
        }
        self.stack.push(f);
        Ok(())
    }

    fn step(&mut self, host: &mut dyn Host) -> R<StepOut> {
        match self.mode {
            Mode::Eval(x, env) => {
                match x {
                    Value::Sym(s) => self.mode = Mode::Return(self.lookup(s, env)?),
                    Value::Obj(_) => match self.heap.obj(x) {
                        Some(Obj::Cons { car, cdr, pos }) => {
                            let (head, rest) = (*car, *cdr);
                            if pos.line > 0 {
                                self.cur_pos = *pos;
                            }
                            self.eval_form(x, head, rest, env, host)?;
                        }
                        _ => self.mode = Mode::Return(x),
                    },
                    _ => self.mode = Mode::Return(x),
                }
                Ok(StepOut::Continue)
            }
            Mode::Return(v) => match self.stack.pop() {
                None => Ok(StepOut::Done(v)),
                Some(f) => self.resume(f, v, host),
            },
            Mode::Qq(x, depth, env) => {
                self.qq(x, depth, env)?;
                Ok(StepOut::Continue)
            }
            Mode::Node(id, env) => {
                self.n_step(id, env, host)?;
                Ok(StepOut::Continue)
            }
        }
    }

    fn eval_form(&mut self, form: Value, head: Value, rest: Value, env: u32, host: &mut dyn Host) -> R<()> {
        if let Value::Sym(id) = head {
            if let Some(kind) = self.forms.get(id as usize) {
                return match *kind {
                    FormKind::Core(k) => self.special(k, rest, env),
                    FormKind::Syntax(row) => self.syntax(row, rest, env, host),
                };
            }
            if let Some(&(_, row)) = self.late_forms.iter().find(|(s, _)| *s == id) {
                return self.syntax(row, rest, env, host);
            }
        }
        let base = self.vals.len() as u32;
        let pos = self.cur_pos;
        match self.atom_value(head, env) {
            Some(v) => {
                let v = v.map_err(|f| self.in_head(f, form))?;
                self.vals.push(v);
                self.continue_args(pos, base, rest, env, host)
            }
            None => {
                self.push(Frame::Args { pos, base, rest, env })?;
                self.mode = Mode::Eval(head, env);
                Ok(())
            }
        }
    }

    fn continue_args(&mut self, pos: Pos, base: u32, mut rest: Value, env: u32, host: &mut dyn Host) -> R<()> {
        loop {
            match rest {
                Value::Nil => return self.apply(pos, base, host),
                _ => {
                    let (a, d) = self.heap.pair(rest).ok_or("expected proper list")?;
                    match self.atom_value(a, env) {
                        Some(v) => {
                            let v = v.map_err(|f| self.in_cell(f, rest))?;
                            self.vals.push(v);
                            rest = d;
                        }
                        None => {
                            self.push(Frame::Args { pos, base, rest: d, env })?;
                            // `a` is a list (atoms were evaluated above): it locates itself.
                            self.mode = Mode::Eval(a, env);
                            return Ok(());
                        }
                    }
                }
            }
        }
    }

    /// Run `f` with a fresh [`Ctx`]; then apply what it asked for (defines in `env`, a
    /// forced collection) and turn an output overflow into a limit failure.
    #[inline(always)]
    fn with_ctx<T>(
        &mut self,
        host: &mut dyn Host,
        env: u32,
        may_define: bool,
        args_at: usize,
        f: impl FnOnce(&mut Ctx, &[Value]) -> Result<T, String>,
    ) -> R<T> {
        let (result, flags) = self.raw_call(host, may_define, args_at, f);
        if flags != 0 {
            return self.after_call(host, env, flags, result);
        }
        result.map_err(Fail::from)
    }

    /// Call `f` with a fresh [`Ctx`] over the values from `args_at` on; its result and
    /// what it asked for afterwards (see [`Interp::after_call`]).
    #[inline(always)]
    fn raw_call<T>(
        &mut self,
        host: &mut dyn Host,
        may_define: bool,
        args_at: usize,
        f: impl FnOnce(&mut Ctx, &[Value]) -> Result<T, String>,
    ) -> (Result<T, String>, u8) {
        let args = self.vals.get(args_at..).unwrap_or(&[]);
        let mut ctx = Ctx {
            heap: &mut self.heap,
            syms: &mut self.syms,
            exts: &mut self.exts,
            host: &mut *host,
            table: self.table,
            svc: &mut self.svc,
            flags: 0,
            may_define,
        };
        (f(&mut ctx, args), ctx.flags)
    }

    /// What a call asked for besides its result (rare): an output overflow, defines, a
    /// forced collection, a limit error.
    #[cold]
    #[inline(never)]
    fn after_call<T>(&mut self, host: &mut dyn Host, env: u32, flags: u8, result: Result<T, String>) -> R<T> {
        if flags & Ctx::OUT_EXCEEDED != 0 {
            self.svc.defines.clear();
            return Err(self.output_exceeded());
        }
        for (s, v) in std::mem::take(&mut self.svc.defines) {
            self.define(s, v, env);
        }
        if flags & Ctx::GC_STATS != 0 {
            self.gc(Some(&mut *host), true);
            let t = super::builtins::gc::stats_text(&self.heap);
            self.svc.out_bytes = self.svc.out_bytes.saturating_add(t.len());
            host.print(&t);
        }
        match result {
            Err(msg) if flags & Ctx::LIMIT != 0 => Err(Fail::limit(msg)),
            r => r.map_err(Fail::from),
        }
    }

    /// A flow builtin's call (kept out of `apply`, whose plain-builtin path is the hot one).
    #[inline(never)]
    fn call_flow(&mut self, func: super::table::FlowFn, pos: Pos, b: usize, host: &mut dyn Host) -> R<()> {
        let r = self.with_ctx(host, GLOBAL, false, b + 1, func);
        self.vals.truncate(b);
        self.do_flow(r?, GLOBAL, pos, host)
    }

    #[cold]
    fn arity_fail(&self, p: u16, argc: usize) -> Fail {
        match self.table.row(p).and_then(|b| b.arity_error(argc)) {
            Some(e) => e.into(),
            None => "attempt to call non-function value".into(),
        }
    }

    /// Carry out what a flow builtin (or its `Resume`) answered.
    fn do_flow(&mut self, flow: Flow, env: u32, pos: Pos, host: &mut dyn Host) -> R<()> {
        match flow {
            Flow::Return(v) => self.mode = Mode::Return(v),
            Flow::Sleep(ms) => {
                if ms > 0.0 {
                    self.pending_sleep = Some(self.svc.time.now_ms() + ms);
                }
                self.mode = Mode::Return(Value::Nil);
            }
            Flow::Call { callee, args, then } => {
                let base = self.vals.len() as u32;
                self.push(Frame::Flow { then, depth: self.depth, vals: base, env, pos })?;
                self.vals.push(callee);
                self.vals.extend(args);
                // (through continue_args, so that `apply` keeps a single call site)
                self.continue_args(pos, base, Value::Nil, env, host)?;
            }
        }
        Ok(())
    }

    fn resume_flow(
        &mut self,
        then: Box<dyn Resume>,
        result: Result<Value, LispError>,
        env: u32,
        pos: Pos,
        host: &mut dyn Host,
    ) -> R<()> {
        self.cur_pos = pos;
        let flow = self.with_ctx(host, env, true, usize::MAX, |ctx, _| then.resume(ctx, result))?;
        self.do_flow(flow, env, pos, host)
    }

    /// A front end's special form: arity-check the unevaluated argument forms, then call it.
    fn syntax(&mut self, row: u16, rest: Value, env: u32, host: &mut dyn Host) -> R<()> {
        let Some(info) = self.table.row(row) else {
            return Err("internal: unknown special form".into());
        };
        let Func::Syntax(f) = info.func else {
            return Err("internal: unknown special form".into());
        };
        let args = self.heap.list_vec(rest).ok_or("expected proper list")?;
        if let Some(e) = info.arity_error(args.len()) {
            return Err(e.into());
        }
        let pos = self.cur_pos;
        let flow = self.with_ctx(host, env, true, usize::MAX, |ctx, _| f(ctx, &args))?;
        self.do_flow(flow, env, pos, host)
    }

    #[inline]
    fn apply(&mut self, pos: Pos, base: u32, host: &mut dyn Host) -> R<()> {
        self.cur_pos = pos;
        let b = base as usize;
        let f = self.vals.get(b).copied().unwrap_or(Value::Nil);
        match f {
            Value::Prim(p) => {
                let Some(&Prim { min, max, func }) = self.prims.get(p as usize) else {
                    return Err("attempt to call non-function value".into());
                };
                let argc = self.vals.len().saturating_sub(b + 1);
                if argc < min || argc > max {
                    return Err(self.arity_fail(p, argc));
                }
                match func {
                    Func::Plain(func) => {
                        // (the hot path: the builtin's own result, read once)
                        let (r, flags) = self.raw_call(host, false, b + 1, func);
                        self.vals.truncate(b);
                        if flags != 0 {
                            let v = self.after_call(host, GLOBAL, flags, r)?;
                            self.mode = Mode::Return(v);
                            return Ok(());
                        }
                        match r {
                            Ok(v) => {
                                self.mode = Mode::Return(v);
                                Ok(())
                            }
                            Err(msg) => Err(msg.into()),
                        }
                    }
                    Func::Flow(func) => self.call_flow(func, pos, b, host),
                    Func::Syntax(_) | Func::Special(_) => Err("attempt to call non-function value".into()),
                }
            }
            Value::Obj(fi) => {
                let argc = self.vals.len().saturating_sub(b + 1);
                let mut vars = self.heap.take_vars();
                let (body, cenv, code) = match self.heap.get(fi) {
                    Some(Obj::Closure { params, body, env, code }) => {
                        if argc != params.len() {
                            let n = params.len();
                            return Err(format!("closure call: expected {n} arguments, got {argc}").into());
                        }
                        let args = self.vals.get(b + 1..).unwrap_or(&[]);
                        vars.extend(params.iter().copied().zip(args.iter().copied()));
                        (*body, *env, *code)
                    }
                    _ => return Err("attempt to call non-function value".into()),
                };
                self.vals.truncate(b);
                // A tail call: the caller's environment goes first when nothing can hold it.
                let tail = match self.stack.last_mut() {
                    Some(Frame::CallMark { env }) => {
                        let old = std::mem::replace(env, GLOBAL);
                        if old != GLOBAL {
                            self.heap.free_env(old);
                        }
                        true
                    }
                    _ => false,
                };
                let Value::Obj(e) = self.heap.alloc(Obj::Env { vars, parent: cenv }) else {
                    return Err("internal: environment allocation".into());
                };
                if !tail {
                    if self.depth >= self.svc.limits.max_depth {
                        return Err(Fail::limit(format!(
                            "maximum recursion depth exceeded ({} frames)",
                            self.svc.limits.max_depth
                        )));
                    }
                    self.push(Frame::CallMark { env: GLOBAL })?;
                    self.depth += 1;
                }
                if code != compiled::NONE {
                    if let Some((seq, frees)) = self.lam_body(code) {
                        if frees {
                            if let Some(Frame::CallMark { env }) = self.stack.last_mut() {
                                *env = e;
                            }
                        }
                        return self.n_body(seq.start, seq.start + seq.len, e);
                    }
                }
                self.eval_body(body, e)
            }
            _ => Err("attempt to call non-function value".into()),
        }
    }

    fn eval_body(&mut self, body: Value, env: u32) -> R<()> {
        match self.heap.pair(body) {
            Some((first, rest)) => {
                if !matches!(rest, Value::Nil) {
                    self.push(Frame::Begin { rest, env })?;
                }
                self.eval_at(first, env, body)?;
            }
            None => self.mode = Mode::Return(Value::Nil),
        }
        Ok(())
    }

    fn resume(&mut self, f: Frame, v: Value, host: &mut dyn Host) -> R<StepOut> {
        match f {
            Frame::Args { pos, base, rest, env } => {
                self.vals.push(v);
                self.cur_pos = pos;
                self.continue_args(pos, base, rest, env, host)?;
            }
            Frame::CallMark { env } => {
                if env != GLOBAL {
                    self.heap.free_env(env);
                }
                self.depth = self.depth.saturating_sub(1);
                self.mode = Mode::Return(v);
            }
            Frame::If { branches, env } => {
                let (then, rest) = self.car_cdr(branches);
                if v.truthy() {
                    self.eval_at(then, env, branches)?;
                } else {
                    match self.heap.pair(rest) {
                        Some((e, _)) => self.eval_at(e, env, rest)?,
                        None => self.mode = Mode::Return(Value::Nil),
                    }
                }
            }
            Frame::Begin { rest, env } => self.eval_body(rest, env)?,
            Frame::Define { sym, env } => {
                self.define(sym, v, env);
                self.mode = Mode::Return(v);
            }
            Frame::Let { base, rest, spec, env } => {
                self.vals.push(v);
                self.continue_let(base, rest, spec, env)?;
            }
            Frame::Cond { body, rest, env, pos } => {
                self.cur_pos = pos;
                if v.truthy() {
                    if matches!(body, Value::Nil) {
                        self.mode = Mode::Return(v);
                    } else {
                        self.eval_body(body, env)?;
                    }
                } else {
                    self.continue_cond(rest, env)?;
                }
            }
            Frame::And { rest, env } => {
                if !v.truthy() {
                    self.mode = Mode::Return(v);
                } else {
                    self.continue_and(rest, env)?;
                }
            }
            Frame::Or { rest, env, tail } => {
                if v.truthy() {
                    self.mode = Mode::Return(v);
                } else if matches!(rest, Value::Nil) {
                    self.mode = Mode::Return(Value::Nil);
                } else {
                    self.continue_or(rest, env, tail)?;
                }
            }
            Frame::LoadArg { env, pos } => self.start_load(v, env, pos)?,
            Frame::Load(mut l) => {
                let next = l.idx + 1;
                match l.forms.get(next).copied() {
                    Some(form) => {
                        l.idx = next;
                        let env = l.env;
                        self.push(Frame::Load(l))?;
                        self.eval_loaded(form, env);
                    }
                    None => self.mode = Mode::Return(v),
                }
            }
            Frame::QqElem { depth, rest, base, splice, env, pos } => {
                self.cur_pos = pos;
                if splice {
                    let items = self.heap.list_vec(v).ok_or("unquote-splicing: expected list value")?;
                    self.vals.extend(items);
                } else {
                    self.vals.push(v);
                }
                self.qq_list(rest, depth, env, base)?;
            }
            Frame::QqWrap { head } => {
                let l = self.heap.list(&[Value::Sym(head), v]);
                self.mode = Mode::Return(l);
            }
            Frame::Flow { then, env, pos, .. } => self.resume_flow(then, Ok(v), env, pos, host)?,
            Frame::NArgs { pos, base, at, end, env } => {
                self.vals.push(v);
                self.cur_pos = pos;
                self.n_args(pos, base, at, end, env, host)?;
            }
            Frame::NIf { then, els, env } => self.n_if_resume(v, then, els, env)?,
            Frame::NBegin { at, end, env } => self.n_body(at, end, env)?,
            Frame::NLet { node, i, base, env } => {
                self.vals.push(v);
                self.n_let(node, i, base, env)?;
            }
            Frame::NCond { node, k, env, pos } => {
                self.cur_pos = pos;
                self.n_cond_resume(node, k, env, v)?;
            }
            Frame::NAnd { at, end, env } => {
                if !v.truthy() {
                    self.mode = Mode::Return(v);
                } else {
                    self.n_and(at, end, env)?;
                }
            }
            Frame::NOr { at, end, env, tail } => {
                if v.truthy() {
                    self.mode = Mode::Return(v);
                } else if at >= end {
                    self.mode = Mode::Return(Value::Nil);
                } else {
                    self.n_or(at, end, env, tail)?;
                }
            }
        }
        Ok(StepOut::Continue)
    }

    fn special(&mut self, form: Special, rest: Value, env: u32) -> R<()> {
        match form {
            Special::Quote => {
                let n = self.list_len(rest)?;
                if n != 1 {
                    return Err(format!("quote: expected 1 arguments, got {n}").into());
                }
                self.mode = Mode::Return(self.car_cdr(rest).0);
            }
            Special::If => {
                let n = self.list_len(rest)?;
                if !(2..=3).contains(&n) {
                    return Err("if: expected 2 or 3 arguments".into());
                }
                let (test, branches) = self.car_cdr(rest);
                match self.atom_value(test, env) {
                    Some(tv) => {
                        let (then, more) = self.car_cdr(branches);
                        if tv.map_err(|f| self.in_cell(f, rest))?.truthy() {
                            self.eval_at(then, env, branches)?;
                        } else {
                            match self.heap.pair(more) {
                                Some((e, _)) => self.eval_at(e, env, more)?,
                                None => self.mode = Mode::Return(Value::Nil),
                            }
                        }
                    }
                    None => {
                        self.push(Frame::If { branches, env })?;
                        self.mode = Mode::Eval(test, env);
                    }
                }
            }
            Special::Define => {
                let n = self.list_len(rest)?;
                if n < 2 {
                    return Err(format!("define: expected at least 2 arguments, got {n}").into());
                }
                let (target, more) = self.car_cdr(rest);
                match target {
                    Value::Sym(s) => {
                        if n != 2 {
                            return Err(format!("define: expected 2 arguments, got {n}").into());
                        }
                        let expr = self.car_cdr(more).0;
                        match self.atom_value(expr, env) {
                            Some(v) => {
                                let v = v.map_err(|f| self.in_cell(f, more))?;
                                self.define(s, v, env);
                                self.mode = Mode::Return(v);
                            }
                            None => {
                                self.push(Frame::Define { sym: s, env })?;
                                self.mode = Mode::Eval(expr, env);
                            }
                        }
                    }
                    _ => match self.heap.pair(target) {
                        Some((name, params)) => {
                            let Value::Sym(s) = name else {
                                return Err("define: function name must be a symbol".into());
                            };
                            let ps = self.params(params)?;
                            let c = self.heap.alloc(Obj::Closure { params: ps, body: more, env, code: compiled::NONE });
                            self.define(s, c, env);
                            self.mode = Mode::Return(c);
                        }
                        None => return Err("define: first argument must be symbol or function signature".into()),
                    },
                }
            }
            Special::Lambda => {
                let n = self.list_len(rest)?;
                if n < 2 {
                    return Err(format!("lambda: expected at least 2 arguments, got {n}").into());
                }
                let (params, body) = self.car_cdr(rest);
                let ps = self.params(params)?;
                let c = self.heap.alloc(Obj::Closure { params: ps, body, env, code: compiled::NONE });
                self.mode = Mode::Return(c);
            }
            Special::Begin => {
                self.list_len(rest)?;
                self.eval_body(rest, env)?;
            }
            Special::Let => {
                let n = self.list_len(rest)?;
                if n < 2 {
                    return Err(format!("let: expected at least 2 arguments, got {n}").into());
                }
                let bindings = self.car_cdr(rest).0;
                // (checked in place: no vectors built per evaluation)
                if !matches!(bindings, Value::Nil)
                    && (self.heap.pair(bindings).is_none() || self.list_len(bindings).is_err())
                {
                    return Err("let: expected binding list".into());
                }
                let mut cur = bindings;
                while let Some((b, more)) = self.heap.pair(cur) {
                    let Some((name, _)) = self.heap.pair(b) else {
                        return Err("let: each binding must be a (name expr) pair".into());
                    };
                    let Ok(n) = self.list_len(b) else {
                        return Err("let: each binding must be a (name expr) pair".into());
                    };
                    if n != 2 {
                        return Err("let: each binding must contain exactly name and expression".into());
                    }
                    let Value::Sym(s) = name else {
                        return Err("let: binding name must be a symbol".into());
                    };
                    self.mark_local(s);
                    cur = more;
                }
                let base = self.vals.len() as u32;
                self.continue_let(base, bindings, rest, env)?;
            }
            Special::Cond => {
                self.list_len(rest)?;
                self.continue_cond(rest, env)?;
            }
            Special::And => {
                self.list_len(rest)?;
                if matches!(rest, Value::Nil) {
                    self.mode = Mode::Return(Value::Bool(true));
                } else {
                    self.continue_and(rest, env)?;
                }
            }
            Special::Or => {
                self.list_len(rest)?;
                if matches!(rest, Value::Nil) {
                    self.mode = Mode::Return(Value::Nil);
                } else {
                    let tail = matches!(self.stack.last(), Some(Frame::CallMark { .. }));
                    self.continue_or(rest, env, tail)?;
                }
            }
            Special::Quasiquote => {
                let n = self.list_len(rest)?;
                if n != 1 {
                    return Err(format!("quasiquote: expected 1 arguments, got {n}").into());
                }
                self.mode = Mode::Qq(self.car_cdr(rest).0, 1, env);
            }
            Special::Unquote => return Err("unquote: only valid inside quasiquote".into()),
            Special::UnquoteSplicing => {
                return Err("unquote-splicing: only valid inside quasiquote list context".into())
            }
            Special::Load => {
                let n = self.list_len(rest)?;
                if n != 1 {
                    return Err(format!("load: expected 1 arguments, got {n}").into());
                }
                let pos = self.cur_pos;
                self.push(Frame::LoadArg { env, pos })?;
                self.eval_at(self.car_cdr(rest).0, env, rest)?;
            }
        }
        Ok(())
    }

    fn params(&mut self, params: Value) -> R<Rc<[u32]>> {
        match params {
            Value::Nil => Ok(Rc::from(Vec::new())),
            _ => {
                let Some(Obj::Cons { .. }) = self.heap.obj(params) else {
                    return Err("lambda: parameter list must be a proper list".into());
                };
                let items = self.heap.list_vec(params).ok_or("lambda: parameter list must be a proper list")?;
                let mut out = Vec::with_capacity(items.len());
                for p in items {
                    match p {
                        Value::Sym(s) => out.push(s),
                        _ => return Err("lambda: parameters must be symbols".into()),
                    }
                }
                for &s in &out {
                    self.mark_local(s);
                }
                Ok(Rc::from(out))
            }
        }
    }

    fn continue_let(&mut self, base: u32, mut rest: Value, spec: Value, env: u32) -> R<()> {
        loop {
            match self.heap.pair(rest) {
                Some((b, more)) => {
                    let cell = self.car_cdr(b).1;
                    let expr = self.car_cdr(cell).0;
                    match self.atom_value(expr, env) {
                        Some(v) => {
                            let v = v.map_err(|f| self.in_cell(f, cell))?;
                            self.vals.push(v);
                            rest = more;
                        }
                        None => {
                            self.push(Frame::Let { base, rest: more, spec, env })?;
                            self.mode = Mode::Eval(expr, env);
                            return Ok(());
                        }
                    }
                }
                None => {
                    let (bindings, body) = self.car_cdr(spec);
                    let b = base as usize;
                    let mut vars = self.heap.take_vars();
                    let mut cur = bindings;
                    let mut i = b;
                    while let Some((bind, more)) = self.heap.pair(cur) {
                        if let (Value::Sym(s), Some(v)) = (self.car_cdr(bind).0, self.vals.get(i)) {
                            vars.push((s, *v));
                        }
                        i += 1;
                        cur = more;
                    }
                    self.vals.truncate(b);
                    let Value::Obj(e) = self.heap.alloc(Obj::Env { vars, parent: env }) else {
                        return Err("internal: environment allocation".into());
                    };
                    return self.eval_body(body, e);
                }
            }
        }
    }

    fn continue_cond(&mut self, mut clauses: Value, env: u32) -> R<()> {
        loop {
            let Some((clause, more)) = self.heap.pair(clauses) else {
                self.mode = Mode::Return(Value::Nil);
                return Ok(());
            };
            if matches!(clause, Value::Nil) {
                return Err("cond: clause cannot be empty".into());
            }
            match self.heap.obj(clause) {
                Some(Obj::Cons { .. }) if self.list_len(clause).is_ok() => {}
                _ => return Err("cond: each clause must be a proper list".into()),
            }
            let (test, body) = self.car_cdr(clause);
            if test == Value::Sym(self.sym_else) {
                if !matches!(more, Value::Nil) {
                    return Err("cond: else clause must be last".into());
                }
                return self.eval_body(body, env);
            }
            match self.atom_value(test, env) {
                Some(tv) => {
                    let tv = tv.map_err(|f| self.in_head(f, clause))?;
                    if tv.truthy() {
                        if matches!(body, Value::Nil) {
                            self.mode = Mode::Return(tv);
                            return Ok(());
                        }
                        return self.eval_body(body, env);
                    }
                    clauses = more;
                }
                None => {
                    let pos = self.cur_pos;
                    self.push(Frame::Cond { body, rest: more, env, pos })?;
                    self.mode = Mode::Eval(test, env);
                    return Ok(());
                }
            }
        }
    }

    fn continue_and(&mut self, rest: Value, env: u32) -> R<()> {
        let (first, more) = self.car_cdr(rest);
        if !matches!(more, Value::Nil) {
            self.push(Frame::And { rest: more, env })?;
        }
        self.eval_at(first, env, rest)?;
        Ok(())
    }

    fn continue_or(&mut self, rest: Value, env: u32, tail: bool) -> R<()> {
        let (first, more) = self.car_cdr(rest);
        if matches!(more, Value::Nil) && tail {
            self.eval_at(first, env, rest)?;
            return Ok(());
        }
        self.push(Frame::Or { rest: more, env, tail })?;
        self.eval_at(first, env, rest)?;
        Ok(())
    }

    fn is_form(&self, v: Value, head: u32) -> Option<Value> {
        match self.heap.pair(v) {
            Some((Value::Sym(h), rest)) if h == head => Some(rest),
            _ => None,
        }
    }

    fn one_arg(&self, rest: Value, name: &str) -> R<Value> {
        match self.list_len(rest) {
            Ok(1) => Ok(self.car_cdr(rest).0),
            _ => Err(format!("{name}: expected 1 argument").into()),
        }
    }

    fn qq(&mut self, x: Value, depth: u32, env: u32) -> R<()> {
        if self.heap.pair(x).is_none() {
            self.mode = Mode::Return(x);
            return Ok(());
        }
        if let Some(rest) = self.is_form(x, self.sym_unquote) {
            let e = self.one_arg(rest, "unquote")?;
            if depth == 1 {
                self.eval_at(e, env, rest)?;
            } else {
                self.push(Frame::QqWrap { head: self.sym_unquote })?;
                self.mode = Mode::Qq(e, depth - 1, env);
            }
            return Ok(());
        }
        if let Some(rest) = self.is_form(x, self.sym_quasiquote) {
            let e = self.one_arg(rest, "quasiquote")?;
            self.push(Frame::QqWrap { head: self.sym_quasiquote })?;
            self.mode = Mode::Qq(e, depth.saturating_add(1), env);
            return Ok(());
        }
        if let Some(rest) = self.is_form(x, self.sym_unquote_splicing) {
            if depth == 1 {
                return Err("unquote-splicing: only valid in list context".into());
            }
            let e = self.one_arg(rest, "unquote-splicing")?;
            self.push(Frame::QqWrap { head: self.sym_unquote_splicing })?;
            self.mode = Mode::Qq(e, depth - 1, env);
            return Ok(());
        }
        let base = self.vals.len() as u32;
        self.qq_list(x, depth, env, base)
    }

    fn qq_list(&mut self, mut rest: Value, depth: u32, env: u32, base: u32) -> R<()> {
        loop {
            if matches!(rest, Value::Nil) {
                let b = base as usize;
                let items: Vec<Value> = self.vals.get(b..).unwrap_or(&[]).to_vec();
                self.vals.truncate(b);
                let l = self.heap.list(&items);
                self.mode = Mode::Return(l);
                return Ok(());
            }
            let (el, more) = self.heap.pair(rest).ok_or("quasiquote: expected proper list")?;
            if self.heap.pair(el).is_none() {
                self.vals.push(el);
                rest = more;
                continue;
            }
            if depth == 1 {
                if let Some(r) = self.is_form(el, self.sym_unquote_splicing) {
                    let e = self.one_arg(r, "unquote-splicing")?;
                    let pos = self.cur_pos;
                    self.push(Frame::QqElem { depth, rest: more, base, splice: true, env, pos })?;
                    self.eval_at(e, env, r)?;
                    return Ok(());
                }
            }
            let pos = self.cur_pos;
            self.push(Frame::QqElem { depth, rest: more, base, splice: false, env, pos })?;
            self.mode = Mode::Qq(el, depth, env);
            return Ok(());
        }
    }

    /// Start a form of a file being loaded: compiled when it runs in the global environment
    /// (as a top-level form would be), walked otherwise.
    fn eval_loaded(&mut self, form: Value, env: u32) {
        if env == GLOBAL && self.compiling {
            let root = self.compile_loaded(form);
            self.mode = Mode::Node(root, GLOBAL);
        } else {
            self.mode = Mode::Eval(form, env);
        }
    }

    fn start_load(&mut self, v: Value, env: u32, pos: Pos) -> R<()> {
        let path = self.heap.str_of(v).ok_or("load: expected file path string")?.to_string();
        // Relative paths resolve against the directory of the file being loaded, if any.
        let base_dir = self.stack.iter().rev().find_map(|f| match f {
            Frame::Load(l) => Some(l.path.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default()),
            _ => None,
        });
        let joined = match base_dir {
            Some(d) if !path.starts_with('/') && !d.is_empty() => format!("{d}/{path}"),
            _ => path,
        };
        let Some(files) = self.svc.files.as_mut() else {
            return Err(format!("load: {joined}: files cannot be loaded here (this host has no file system)").into());
        };
        let shown = files.resolve(&joined);
        let open = self.stack.iter().filter(|f| matches!(f, Frame::Load(_))).count();
        if open >= self.svc.limits.max_load_depth {
            let msg = format!("too many nested loads (more than {} files open)", self.svc.limits.max_load_depth);
            return Err(Fail { outermost_load: true, ..Fail::limit(msg) });
        }
        let max = self.svc.limits.max_file_bytes;
        let (resolved, text) = files.read(&joined, max).map_err(|e| format!("load: {shown}: {e}"))?;
        if text.len() > max {
            return Err(Fail::limit(format!("load: {resolved}: file too large (more than {max} bytes)")));
        }
        let forms =
            reader::read_all(&text, &mut self.heap, &mut self.syms, self.svc.limits.max_read_depth).map_err(|e| {
                let kind = if e.kind == ErrorKind::Limit { ErrorKind::Limit } else { ErrorKind::Runtime };
                Fail::new(format!("load: {resolved}: {}", e.located()), kind)
            })?;
        let forms: Vec<Value> = forms.into_iter().map(|(f, _)| f).collect();
        match forms.first().copied() {
            None => self.mode = Mode::Return(Value::Nil),
            Some(first) => {
                self.push(Frame::Load(Box::new(LoadFrame { forms, idx: 0, env, path: resolved, pos })))?;
                self.eval_loaded(first, env);
            }
        }
        Ok(())
    }
}
