//! The one builtin table: rows declared by each front end, composed once per process.

use super::ctx::{Ctx, Flow};
use super::heap::Value;
use super::Interp;
use std::collections::HashMap;

/// A plain builtin: evaluated, arity-checked arguments in, a value or an error message out.
pub type PlainFn = fn(&mut Ctx, &[Value]) -> Result<Value, String>;
/// A flow builtin or syntax row: may ask the evaluator to call a procedure or sleep.
pub type FlowFn = fn(&mut Ctx, &[Value]) -> Result<Flow, String>;

/// The core special forms, evaluated by the evaluator itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    Quote,
    If,
    Define,
    Lambda,
    Begin,
    Let,
    Cond,
    And,
    Or,
    Quasiquote,
    Unquote,
    UnquoteSplicing,
    Load,
}

/// What a row runs.
#[derive(Clone, Copy)]
pub enum Func {
    /// An ordinary builtin.
    Plain(PlainFn),
    /// A builtin that may call a Lisp procedure and resume, or sleep (see [`Flow`]).
    Flow(FlowFn),
    /// A front end's special form: its arguments arrive unevaluated.
    Syntax(FlowFn),
    /// A core special form.
    Special(Special),
}

/// One row of the table: a builtin or a special form, with its name, group, arity,
/// signature and one-line summary (what `help`, the docs index and completion show).
pub struct Builtin {
    pub name: &'static str,
    pub group: &'static str,
    pub min_args: usize,
    pub max_args: Option<usize>,
    pub signature: &'static str,
    pub summary: &'static str,
    pub func: Func,
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builtin").field("name", &self.name).field("group", &self.group).finish()
    }
}

impl Builtin {
    /// A plain builtin row.
    pub const fn plain(
        name: &'static str,
        group: &'static str,
        min_args: usize,
        max_args: Option<usize>,
        signature: &'static str,
        summary: &'static str,
        f: PlainFn,
    ) -> Builtin {
        Builtin { name, group, min_args, max_args, signature, summary, func: Func::Plain(f) }
    }

    /// A flow builtin row.
    pub const fn flow(
        name: &'static str,
        group: &'static str,
        min_args: usize,
        max_args: Option<usize>,
        signature: &'static str,
        summary: &'static str,
        f: FlowFn,
    ) -> Builtin {
        Builtin { name, group, min_args, max_args, signature, summary, func: Func::Flow(f) }
    }

    /// A syntax row (a front end's special form; arguments unevaluated).
    pub const fn syntax(
        name: &'static str,
        group: &'static str,
        min_args: usize,
        max_args: Option<usize>,
        signature: &'static str,
        summary: &'static str,
        f: FlowFn,
    ) -> Builtin {
        Builtin { name, group, min_args, max_args, signature, summary, func: Func::Syntax(f) }
    }

    /// Whether this row is a special form (core or a front end's syntax row).
    pub fn is_special_form(&self) -> bool {
        matches!(self.func, Func::Special(_) | Func::Syntax(_))
    }

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

/// A kind of opaque handle value (`<bt_def:3>`, `<image_handle:1>`): a name (its type name
/// in messages and its printed form) and how `json.encode` writes it (`None`: refused with
/// `json.encode: unsupported value type: <name>`).
#[derive(Debug)]
pub struct HandleKind {
    pub name: &'static str,
    pub json: Option<fn(&HandleKind, u32) -> String>,
}

impl HandleKind {
    /// JSON form `{"type":"<name>","id":N}` (media handles).
    pub fn type_and_id(kind: &HandleKind, id: u32) -> String {
        format!("{{\"type\":\"{}\",\"id\":{id}}}", kind.name)
    }
}

/// A front end: its builtin rows (one slice per group, in display order), its handle kinds,
/// and what it installs into each new interpreter (extensions), if anything.
pub struct FrontEnd {
    pub name: &'static str,
    pub groups: &'static [&'static [Builtin]],
    pub handles: &'static [&'static HandleKind],
    pub install: Option<fn(&mut Interp)>,
}

/// The composed table: every row of every front end, in order. Composed once per process
/// (by `crate::runtime`); interpreters, `help`, the docs and completion read it.
pub struct Table {
    rows: Vec<&'static Builtin>,
    groups: Vec<&'static str>,
    handles: Vec<&'static HandleKind>,
    installs: Vec<fn(&mut Interp)>,
    index: HashMap<&'static str, usize>,
    duplicates: Vec<&'static str>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table").field("rows", &self.rows.len()).field("groups", &self.groups).finish()
    }
}

impl Table {
    /// Compose front ends in order. A name declared twice keeps its first row (and is listed
    /// by [`Table::duplicates`], which the runtime's tests check is empty).
    pub fn compose(front_ends: &[&FrontEnd]) -> Table {
        let mut t = Table {
            rows: Vec::new(),
            groups: Vec::new(),
            handles: Vec::new(),
            installs: Vec::new(),
            index: HashMap::new(),
            duplicates: Vec::new(),
        };
        for fe in front_ends {
            for group in fe.groups {
                for row in group.iter() {
                    if t.index.contains_key(row.name) {
                        t.duplicates.push(row.name);
                        continue;
                    }
                    if !row.is_special_form() && !t.groups.contains(&row.group) {
                        t.groups.push(row.group);
                    }
                    t.index.insert(row.name, t.rows.len());
                    t.rows.push(row);
                }
            }
            for h in fe.handles {
                if t.handles.iter().any(|k| k.name == h.name) {
                    t.duplicates.push(h.name);
                } else {
                    t.handles.push(h);
                }
            }
            if let Some(f) = fe.install {
                t.installs.push(f);
            }
        }
        t
    }

    /// Every row (builtins and special forms), in table order.
    pub fn rows(&self) -> &[&'static Builtin] {
        &self.rows
    }

    /// The builtins (rows bound as global procedures), in table order.
    pub fn builtins(&self) -> impl Iterator<Item = &'static Builtin> + '_ {
        self.rows.iter().copied().filter(|b| !b.is_special_form())
    }

    /// The special forms: the core ones and every front end's syntax rows. The evaluator,
    /// `help`, the docs coverage test and completion read this one list.
    pub fn special_forms(&self) -> impl Iterator<Item = &'static Builtin> + '_ {
        self.rows.iter().copied().filter(|b| b.is_special_form())
    }

    /// Builtin group names in display order (special forms are not in a group here).
    pub fn groups(&self) -> &[&'static str] {
        &self.groups
    }

    /// A builtin (not a special form) by name.
    pub fn lookup(&self, name: &str) -> Option<&'static Builtin> {
        self.lookup_any(name).filter(|b| !b.is_special_form())
    }

    /// A builtin or special form by name.
    pub fn lookup_any(&self, name: &str) -> Option<&'static Builtin> {
        self.index.get(name).and_then(|i| self.rows.get(*i)).copied()
    }

    /// Whether `name` is a special form.
    pub fn is_special_form(&self, name: &str) -> bool {
        self.lookup_any(name).is_some_and(|b| b.is_special_form())
    }

    /// The handle kinds, in table order.
    pub fn handle_kinds(&self) -> &[&'static HandleKind] {
        &self.handles
    }

    /// The data type names the docs describe: the core types, then every handle kind.
    pub fn data_types(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = super::builtins::DATA_TYPES.to_vec();
        out.extend(self.handles.iter().map(|h| h.name));
        out
    }

    /// Names declared more than once (rows or handle kinds); empty in a good composition.
    pub fn duplicates(&self) -> &[&'static str] {
        &self.duplicates
    }

    /// Run every front end's `install` on a new interpreter (the runtime does this after
    /// installing job time and the job engine).
    pub fn install(&self, interp: &mut Interp) {
        for f in &self.installs {
            f(interp);
        }
    }

    /// Whether this table starts with every row and handle kind of `base`, in the same places
    /// (it composes the same front ends, then more): see `Interp::extend_table`.
    pub fn extends(&self, base: &Table) -> bool {
        base.rows.len() <= self.rows.len()
            && base.rows.iter().zip(&self.rows).all(|(a, b)| std::ptr::eq(*a, *b))
            && base.handles.len() <= self.handles.len()
            && base.handles.iter().zip(&self.handles).all(|(a, b)| a.name == b.name)
            && base.installs.len() <= self.installs.len()
    }

    /// Run the `install` of the front ends this table has beyond `base` (see [`Table::extends`]).
    pub fn install_beyond(&self, base: &Table, interp: &mut Interp) {
        for f in self.installs.iter().skip(base.installs.len()) {
            f(interp);
        }
    }

    pub(crate) fn row(&self, i: u16) -> Option<&'static Builtin> {
        self.rows.get(i as usize).copied()
    }

    pub(crate) fn handle_index(&self, kind: &HandleKind) -> Option<u16> {
        self.handles.iter().position(|k| k.name == kind.name).map(|i| i as u16)
    }

    pub(crate) fn handle_kind(&self, i: u16) -> Option<&'static HandleKind> {
        self.handles.get(i as usize).copied()
    }

    pub(crate) fn handle_by_name(&self, name: &str) -> Option<u16> {
        self.handles.iter().position(|k| k.name == name).map(|i| i as u16)
    }
}
