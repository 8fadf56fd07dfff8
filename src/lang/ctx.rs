//! What a builtin sees ([`Ctx`]), how a flow builtin talks back to the evaluator ([`Flow`],
//! [`Resume`]), and per-interpreter front-end state ([`Extension`]).

use super::datum::{self, Datum};
use super::heap::{Heap, Symbols, Value};
use super::host::{Files, Host, JobTime};
use super::limits::Limits;
use super::printer;
use super::table::{HandleKind, Table};
use super::LispError;
use std::any::Any;

/// What a flow builtin, a syntax row or a [`Resume`] asks the evaluator to do next.
pub enum Flow {
    /// Finish with this value.
    Return(Value),
    /// Call `callee` (a closure or builtin) with `args` on the evaluator's own stack, then
    /// `then.resume(ctx, result)`: `Ok(value)`, or `Err` with the callee's runtime error (its
    /// message and position, `load:` prefixes of files it loaded included). Limit errors are
    /// not delivered: they end the whole top-level form.
    Call { callee: Value, args: Vec<Value>, then: Box<dyn Resume> },
    /// Wait for this many milliseconds of job time (nothing when not positive), then finish
    /// with `nil` (`time.sleep-ms`).
    Sleep(f64),
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Flow::Return(v) => f.debug_tuple("Return").field(v).finish(),
            Flow::Call { callee, args, .. } => {
                f.debug_struct("Call").field("callee", callee).field("args", args).finish()
            }
            Flow::Sleep(ms) => f.debug_tuple("Sleep").field(ms).finish(),
        }
    }
}

/// The rest of a flow builtin after a [`Flow::Call`]. This is the contract an evaluator
/// must keep: `resume` is called exactly once (unless the run is stopped, which drops it),
/// with a fresh [`Ctx`], after the callee returned or failed.
pub trait Resume {
    /// Continue with the callee's value or error; answer with the next step.
    fn resume(self: Box<Self>, ctx: &mut Ctx, result: Result<Value, LispError>) -> Result<Flow, String>;
    /// Report every heap [`Value`] this continuation holds (the collector may run while the
    /// callee runs).
    fn trace(&self, _roots: &mut Vec<Value>) {}
}

/// Per-interpreter state of a front end (a BT runtime, a media store, the job engine).
/// `trace` reports every heap [`Value`] it holds, so the collector keeps them alive.
pub trait Extension: Any {
    fn trace(&self, _roots: &mut Vec<Value>) {}
}

/// The extensions installed in one interpreter, by type (each with its `TypeId`, so that a
/// look-up compares ids instead of asking every extension for its type).
#[derive(Default)]
pub struct Extensions(Vec<(std::any::TypeId, Box<dyn Extension>)>);

impl Extensions {
    /// The installed `T`, if any.
    pub fn get<T: Extension>(&mut self) -> Option<&mut T> {
        let id = std::any::TypeId::of::<T>();
        self.0.iter_mut().find(|(t, _)| *t == id).and_then(|(_, e)| {
            let any: &mut dyn Any = e.as_mut();
            any.downcast_mut::<T>()
        })
    }

    /// The installed `T`, if any (shared).
    pub fn get_ref<T: Extension>(&self) -> Option<&T> {
        let id = std::any::TypeId::of::<T>();
        self.0.iter().find(|(t, _)| *t == id).and_then(|(_, e)| {
            let any: &dyn Any = e.as_ref();
            any.downcast_ref::<T>()
        })
    }

    /// Install `ext`, replacing an installed value of the same type.
    pub fn insert<T: Extension>(&mut self, ext: T) {
        match self.get::<T>() {
            Some(slot) => *slot = ext,
            None => self.0.push((std::any::TypeId::of::<T>(), Box::new(ext))),
        }
    }

    pub(crate) fn trace(&self, roots: &mut Vec<Value>) {
        for (_, e) in &self.0 {
            e.trace(roots);
        }
    }
}

/// What a builtin can reach: the heap and symbols, extensions, job time, output, files and
/// limits. Made by the evaluator for each call.
pub struct Ctx<'a> {
    pub heap: &'a mut Heap,
    pub syms: &'a mut Symbols,
    pub exts: &'a mut Extensions,
    pub(crate) host: &'a mut dyn Host,
    pub(crate) table: &'static Table,
    /// Job time, files, limits, output count: one pointer, so making a `Ctx` per call
    /// stays cheap.
    pub(crate) svc: &'a mut Services,
    /// What the call asks of the evaluator afterwards ([`Ctx::OUT_EXCEEDED`], …): one field,
    /// so the common case (nothing) is one test.
    pub(crate) flags: u8,
    pub(crate) may_define: bool,
}

/// The interpreter's host services as builtins see them.
pub(crate) struct Services {
    pub(crate) time: Box<dyn JobTime>,
    pub(crate) files: Option<Box<dyn Files>>,
    pub(crate) limits: Limits,
    /// Output bytes of the current load (against `limits.max_output_bytes`).
    pub(crate) out_bytes: usize,
    /// Bindings a syntax row asked for during its call (empty between calls).
    pub(crate) defines: Vec<(u32, Value)>,
}

impl Ctx<'_> {
    pub(crate) const OUT_EXCEEDED: u8 = 1;
    pub(crate) const GC_STATS: u8 = 2;
    pub(crate) const LIMIT: u8 = 4;
    pub(crate) const DEFINES: u8 = 8;

    /// Program output, counted against the output limit (past it nothing more is printed
    /// and the form fails with `output limit exceeded`).
    pub fn emit(&mut self, text: &str) {
        self.svc.out_bytes = self.svc.out_bytes.saturating_add(text.len());
        if self.svc.out_bytes > self.svc.limits.max_output_bytes {
            self.flags |= Ctx::OUT_EXCEEDED;
            return;
        }
        self.host.print(text);
    }

    /// Mark the error this builtin is about to return as a resource limit
    /// ([`ErrorKind::Limit`](super::ErrorKind::Limit): not delivered to a [`Resume`], ends the
    /// form). Returns `msg` for `return Err(ctx.limit_error(msg))`.
    pub fn limit_error(&mut self, msg: String) -> String {
        self.flags |= Ctx::LIMIT;
        msg
    }

    /// Bytes the heap may still grow by before its limit.
    pub fn heap_room(&self) -> usize {
        self.heap.room()
    }

    /// File access, when the host has any (native hosts; `run_script`'s in-memory files).
    pub fn files(&mut self) -> Option<&mut (dyn Files + 'static)> {
        self.svc.files.as_deref_mut()
    }

    /// Read every datum of `text` with the interpreter's reader limits (nesting, heap), for
    /// front ends that load Lisp data from files (`bt.load-dsl`). Positions are `text`'s own.
    pub fn read_all(&mut self, text: &str) -> Result<Vec<Value>, LispError> {
        let forms = super::reader::read_all(text, self.heap, self.syms, self.svc.limits.max_read_depth)?;
        Ok(forms.into_iter().map(|(v, _)| v).collect())
    }

    /// Current job time in milliseconds.
    pub fn now_ms(&self) -> f64 {
        self.svc.time.now_ms()
    }

    /// The installed extension `T` (see also the `exts` field, for borrowing the heap at the
    /// same time).
    pub fn ext<T: Extension>(&mut self) -> Option<&mut T> {
        self.exts.get::<T>()
    }

    /// The limits of this interpreter.
    pub fn limits(&self) -> &Limits {
        &self.svc.limits
    }

    /// The composed builtin table.
    pub fn table(&self) -> &'static Table {
        self.table
    }

    /// A handle value of `kind` (which must be one of the table's handle kinds).
    pub fn handle(&self, kind: &HandleKind, id: u32) -> Result<Value, String> {
        match self.table.handle_index(kind) {
            Some(k) => Ok(Value::Handle(super::heap::Handle::new(k, id))),
            None => Err(format!("{}: handle kind not registered", kind.name)),
        }
    }

    /// The id of `v` if it is a handle of `kind`.
    pub fn handle_id(&self, kind: &HandleKind, v: Value) -> Option<u32> {
        match v {
            Value::Handle(h) if self.table.handle_kind(h.kind()).is_some_and(|k| k.name == kind.name) => Some(h.id()),
            _ => None,
        }
    }

    /// Bind `name` (a symbol) to `value` in the environment the special form was evaluated
    /// in. Only syntax rows (and their `Resume`s) may define; the binding happens as soon as
    /// the call returns.
    pub fn define(&mut self, name: Value, value: Value) -> Result<(), String> {
        match name {
            Value::Sym(s) if self.may_define => {
                self.svc.defines.push((s, value));
                self.flags |= Ctx::DEFINES;
                Ok(())
            }
            Value::Sym(_) => Err("define: only special forms can bind names".into()),
            _ => Err("define: expected symbol".into()),
        }
    }

    /// A symbol value.
    pub fn intern(&mut self, name: &str) -> Value {
        Value::Sym(self.syms.intern(name))
    }

    /// The name of a symbol value.
    pub fn symbol_name(&self, v: Value) -> Option<&str> {
        match v {
            Value::Sym(s) => Some(self.syms.name(s)),
            _ => None,
        }
    }

    /// The text of a string value, or of a symbol's name.
    pub fn text(&self, v: Value) -> Option<&str> {
        match v {
            Value::Sym(s) => Some(self.syms.name(s)),
            _ => self.heap.str_of(v),
        }
    }

    /// A new string value.
    pub fn string(&mut self, text: String) -> Value {
        self.heap.string(text)
    }

    /// A new proper list.
    pub fn list(&mut self, items: &[Value]) -> Value {
        self.heap.list(items)
    }

    /// The elements of a proper list (`None` if `v` is not one).
    pub fn list_items(&self, v: Value) -> Option<Vec<Value>> {
        self.heap.list_vec(v)
    }

    /// Whether `v` can be called (a closure or builtin).
    pub fn is_procedure(&self, v: Value) -> bool {
        match v {
            Value::Prim(_) => true,
            Value::Obj(_) => matches!(self.heap.obj(v), Some(super::heap::Obj::Closure { .. })),
            _ => false,
        }
    }

    /// `v` in printer form (`print`, the REPL).
    pub fn show(&self, v: Value) -> String {
        printer::show(self.heap, self.syms, self.table, v)
    }

    /// The type name of `v` as messages use it (`integer`, `map`, `bt_def`, …).
    pub fn type_name(&self, v: Value) -> &'static str {
        printer::type_name(self.heap, self.table, v)
    }

    /// A plain-data copy of `v` (depth bounded by [`Limits::max_data_depth`]).
    pub fn to_datum(&self, v: Value) -> Result<Datum, String> {
        datum::to_datum(self.heap, self.syms, self.table, v, self.svc.limits.max_data_depth)
    }

    /// Fresh Lisp values from a [`Datum`] (maps become map objects, lists lists).
    pub fn from_datum(&mut self, d: &Datum) -> Result<Value, String> {
        datum::from_datum(self.heap, self.syms, self.table, d, 0)
    }
}
