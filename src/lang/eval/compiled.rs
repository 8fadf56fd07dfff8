//! The compile pass and the compiled part of the machine.
//!
//! Each top-level form is compiled once, just before it runs, into [`Node`]s: special forms
//! are recognised and checked once, variables are resolved to a lexical address (how many
//! environments up, which slot) or a global, quoted data and constants are held in place, and
//! calls, bodies and `let` bindings are runs of node ids (no list walking, no list-to-vector
//! conversion). The machine runs nodes with the same steps the list walker takes for the
//! same form: a node made from a list takes one step, a symbol or a constant in an argument
//! position takes none, and every frame the walker pushes has a compiled twin. So fuel, Stop,
//! the depth limit, every error message and every position stay what they were.
//!
//! Anything unusual is left to the walker: a malformed special form (whose error the walker
//! raises at the same step), `quasiquote`, `load` and the front ends' syntax rows become
//! [`Node::Walk`], which runs the form's first step exactly as the walker would.
//!
//! Scoping: an environment made by a compiled `lambda` or `let` holds the parameters (or
//! bindings) in order, and a `define` in it appends a name at run time. So a name found among
//! an enclosing scope's parameters has a fixed slot. A name that a body may `define` at run
//! time, or any name looked up through a scope whose code may add names we cannot see
//! (`load`, a syntax row, a form left to the walker), is looked up by name as before.

use super::{Fail, FormKind, Frame, Interp, Mode, R};
use crate::lang::heap::{Obj, Value, GLOBAL};
use crate::lang::table::Special;
use crate::lang::Pos;
use std::rc::Rc;

/// [`Interp::push_atom`]'s answers.
const PUSHED: u8 = 0;
const LIST: u8 = 1;
const SLOW: u8 = 2;

/// No node (an `if` without an else branch, a `cond` clause that is `else`).
pub(super) const NONE: u32 = u32::MAX;

/// A run of node ids in [`Code::kids`].
#[derive(Clone, Copy)]
pub(super) struct Seq {
    pub start: u32,
    pub len: u32,
}

impl Seq {
    fn end(self) -> u32 {
        self.start.saturating_add(self.len)
    }
}

#[derive(Clone, Copy)]
pub(super) enum Node {
    // Atoms (made from anything but a list): evaluated in place where the walker does.
    // `at` locates an unbound-symbol error (the walker's `in_cell`/`in_head`).
    Const(Value),
    Local {
        up: u32,
        slot: u32,
        sym: u32,
        at: Option<Pos>,
    },
    Global {
        sym: u32,
        at: Option<Pos>,
    },
    Name {
        sym: u32,
        at: Option<Pos>,
    },
    // Made from a list: one step each.
    Quote {
        pos: Pos,
        datum: Value,
    },
    If {
        pos: Pos,
        test: u32,
        then: u32,
        els: u32,
    },
    Define {
        pos: Pos,
        sym: u32,
        expr: u32,
    },
    DefineFn {
        pos: Pos,
        sym: u32,
        lam: u32,
    },
    Lambda {
        pos: Pos,
        lam: u32,
    },
    Begin {
        pos: Pos,
        body: Seq,
    },
    /// `binds` = pairs (name, init node) in `kids`, `len` pairs.
    Let {
        pos: Pos,
        binds: Seq,
        body: Seq,
    },
    /// `clauses` = triples (test node or NONE for `else`, body start, body length).
    Cond {
        pos: Pos,
        clauses: Seq,
    },
    And {
        pos: Pos,
        items: Seq,
    },
    Or {
        pos: Pos,
        items: Seq,
    },
    /// Head and arguments.
    Call {
        pos: Pos,
        items: Seq,
    },
    /// A list form left to the walker.
    Walk {
        form: Value,
    },
}

/// A compiled `lambda`: what its closures need to run their body as nodes.
pub(super) struct Lam {
    pub params: Rc<[u32]>,
    pub body: Seq,
    /// The body as read (what the closure's `body` holds).
    pub src: Value,
    /// False once the table gained syntax rows after this was compiled (a call of such a
    /// name must become the special form): its closures fall back to the walker.
    pub valid: bool,
    /// Whether nothing in the body can keep the call's environment once the call returns
    /// (no `lambda`, nothing left to the walker): the environment is freed then.
    pub frees_env: bool,
}

/// The code of one top-level form: where its nodes, kids and lambdas start, and the form
/// (a GC root: nodes point into it).
#[derive(Clone, Copy)]
pub(super) struct Unit {
    node0: u32,
    kid0: u32,
    lam0: u32,
    root: Value,
}

/// All compiled code of a session, one [`Unit`] per top-level form, in order. A form that
/// made no `lambda` is dropped when it finishes; the others stay while a closure made from
/// them lives or the machine is inside them, and are compacted away by the collector.
#[derive(Default)]
pub(super) struct Code {
    pub nodes: Vec<Node>,
    pub kids: Vec<u32>,
    pub lams: Vec<Lam>,
    units: Vec<Unit>,
    /// Whether the last unit goes when its form ends (it made no closures).
    temp: bool,
}

impl Code {
    /// The forms the nodes point into (GC roots).
    pub fn roots(&self) -> impl Iterator<Item = Value> + '_ {
        self.units.iter().map(|u| u.root)
    }

    fn unit_of(&self, i: u32, start: impl Fn(&Unit) -> u32) -> usize {
        self.units.partition_point(|u| start(u) <= i).saturating_sub(1)
    }
}

struct Scope {
    names: Vec<u32>,
    /// Names a `define` in this scope's own code may add at run time.
    defs: Vec<u32>,
    /// Whether this scope's code may add names nobody can see here.
    open: bool,
}

/// A list form, recognised and checked the way the walker checks it when it starts.
enum Form {
    Atom,
    Quote(Value),
    /// The cells holding test, then and else.
    If(Value, Value, Option<Value>),
    /// Name and the cell holding the expression.
    Define(u32, Value),
    /// Name, parameters, body.
    DefineFn(u32, Vec<u32>, Value),
    Lambda(Vec<u32>, Value),
    Begin(Value),
    /// (name, cell holding the init expression), body.
    Let(Vec<(u32, Value)>, Value),
    /// (clause list or None for `else`, body).
    Cond(Vec<(Option<Value>, Value)>),
    And(Value),
    Or(Value),
    Call(Value),
    Walk,
}

/// How deeply forms nest before the rest is left to the walker (the compiler recurses; the
/// walker does not).
const MAX_NEST: u32 = 128;

struct Compiler<'a> {
    it: &'a mut Interp,
    scopes: Vec<Scope>,
    made_lambda: bool,
    /// Nesting depth of the form being compiled.
    depth: u32,
    /// Per lambda being compiled (innermost last): whether its body may capture its
    /// environment (makes a closure or leaves a form to the walker).
    captures: Vec<bool>,
}

impl Compiler<'_> {
    fn pair(&self, v: Value) -> Option<(Value, Value)> {
        self.it.heap.pair(v)
    }

    fn proper_len(&self, mut v: Value) -> Option<usize> {
        let mut n = 0usize;
        loop {
            match v {
                Value::Nil => return Some(n),
                _ => {
                    v = self.pair(v)?.1;
                    n += 1;
                }
            }
        }
    }

    fn cells(&self, mut v: Value) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some((_, d)) = self.pair(v) {
            out.push(v);
            v = d;
        }
        out
    }

    fn car(&self, v: Value) -> Value {
        self.pair(v).map_or(Value::Nil, |p| p.0)
    }

    fn params(&self, params: Value) -> Option<Vec<u32>> {
        if matches!(params, Value::Nil) {
            return Some(Vec::new());
        }
        self.pair(params)?;
        self.proper_len(params)?;
        let mut out = Vec::new();
        let mut v = params;
        while let Some((p, d)) = self.pair(v) {
            match p {
                Value::Sym(s) => out.push(s),
                _ => return None,
            }
            v = d;
        }
        Some(out)
    }

    fn form(&self, x: Value) -> Form {
        let Some((head, rest)) = self.pair(x) else {
            return Form::Atom;
        };
        let Some(n) = self.proper_len(rest) else {
            return Form::Walk;
        };
        let Value::Sym(id) = head else {
            return Form::Call(x);
        };
        let kind = match self.it.forms.get(id as usize) {
            Some(FormKind::Core(k)) => *k,
            Some(FormKind::Syntax(_)) => return Form::Walk,
            None if self.it.late_forms.iter().any(|(s, _)| *s == id) => return Form::Walk,
            None => return Form::Call(x),
        };
        match kind {
            Special::Quote if n == 1 => Form::Quote(self.car(rest)),
            Special::If if (2..=3).contains(&n) => {
                let then = self.pair(rest).map_or(Value::Nil, |p| p.1);
                let els = self.pair(then).map(|p| p.1).filter(|c| !matches!(c, Value::Nil));
                Form::If(rest, then, els)
            }
            Special::Define if n >= 2 => {
                let (target, more) = self.pair(rest).unwrap_or((Value::Nil, Value::Nil));
                match target {
                    Value::Sym(s) if n == 2 => Form::Define(s, more),
                    _ => match self.pair(target) {
                        Some((Value::Sym(s), params)) => match self.params(params) {
                            Some(ps) => Form::DefineFn(s, ps, more),
                            None => Form::Walk,
                        },
                        _ => Form::Walk,
                    },
                }
            }
            Special::Lambda if n >= 2 => {
                let (params, body) = self.pair(rest).unwrap_or((Value::Nil, Value::Nil));
                match self.params(params) {
                    Some(ps) => Form::Lambda(ps, body),
                    None => Form::Walk,
                }
            }
            Special::Begin => Form::Begin(rest),
            Special::Let if n >= 2 => {
                let (bindings, body) = self.pair(rest).unwrap_or((Value::Nil, Value::Nil));
                if !matches!(bindings, Value::Nil) && self.pair(bindings).is_none() {
                    return Form::Walk;
                }
                if self.proper_len(bindings).is_none() {
                    return Form::Walk;
                }
                let mut out = Vec::new();
                let mut cur = bindings;
                while let Some((b, more)) = self.pair(cur) {
                    let Some((Value::Sym(s), cell)) = self.pair(b) else {
                        return Form::Walk;
                    };
                    if self.proper_len(b) != Some(2) {
                        return Form::Walk;
                    }
                    out.push((s, cell));
                    cur = more;
                }
                Form::Let(out, body)
            }
            Special::Cond => {
                let mut out = Vec::new();
                let mut cur = rest;
                while let Some((clause, more)) = self.pair(cur) {
                    let Some((test, body)) = self.pair(clause) else {
                        return Form::Walk;
                    };
                    if self.proper_len(clause).is_none() {
                        return Form::Walk;
                    }
                    if test == Value::Sym(self.it.sym_else) {
                        if !matches!(more, Value::Nil) {
                            return Form::Walk;
                        }
                        out.push((None, body));
                    } else {
                        out.push((Some(clause), body));
                    }
                    cur = more;
                }
                Form::Cond(out)
            }
            Special::And => Form::And(rest),
            Special::Or => Form::Or(rest),
            _ => Form::Walk,
        }
    }

    /// Note what `x`, run in the innermost scope, may define there.
    fn scan(&self, x: Value, sc: &mut Scope, d: u32) {
        if d > MAX_NEST && self.pair(x).is_some() {
            sc.open = true;
            return;
        }
        let d = d + 1;
        match self.form(x) {
            Form::Atom | Form::Quote(_) | Form::Lambda(..) => {}
            Form::If(t, th, el) => {
                self.scan(self.car(t), sc, d);
                self.scan(self.car(th), sc, d);
                if let Some(e) = el {
                    self.scan(self.car(e), sc, d);
                }
            }
            Form::Define(s, cell) => {
                sc.defs.push(s);
                self.scan(self.car(cell), sc, d);
            }
            Form::DefineFn(s, ..) => sc.defs.push(s),
            Form::Begin(l) | Form::And(l) | Form::Or(l) | Form::Call(l) => {
                for c in self.cells(l) {
                    self.scan(self.car(c), sc, d);
                }
            }
            Form::Let(binds, _) => {
                for (_, cell) in binds {
                    self.scan(self.car(cell), sc, d);
                }
            }
            Form::Cond(clauses) => {
                for (clause, body) in clauses {
                    if let Some(c) = clause {
                        self.scan(self.car(c), sc, d);
                    }
                    for c in self.cells(body) {
                        self.scan(self.car(c), sc, d);
                    }
                }
            }
            Form::Walk => sc.open = true,
        }
    }

    fn push(&mut self, n: Node) -> u32 {
        let id = self.it.code.nodes.len() as u32;
        self.it.code.nodes.push(n);
        id
    }

    fn seq(&mut self, ids: &[u32]) -> Seq {
        let start = self.it.code.kids.len() as u32;
        self.it.code.kids.extend_from_slice(ids);
        Seq { start, len: ids.len() as u32 }
    }

    fn resolve(&self, sym: u32, at: Option<Pos>) -> Node {
        for (up, sc) in self.scopes.iter().rev().enumerate() {
            if let Some(slot) = sc.names.iter().rposition(|n| *n == sym) {
                return Node::Local { up: up as u32, slot: slot as u32, sym, at };
            }
            if sc.open || sc.defs.contains(&sym) {
                return Node::Name { sym, at };
            }
        }
        Node::Global { sym, at }
    }

    /// The element held by list cell `cell`.
    fn elem(&mut self, cell: Value) -> u32 {
        let at = self.it.heap.pos_of(cell);
        let x = self.car(cell);
        self.expr(x, at)
    }

    fn elems(&mut self, list: Value) -> Seq {
        let ids: Vec<u32> = self.cells(list).into_iter().map(|c| self.elem(c)).collect();
        self.seq(&ids)
    }

    fn expr(&mut self, x: Value, at: Option<Pos>) -> u32 {
        self.depth += 1;
        let id = self.expr_in(x, at);
        self.depth -= 1;
        id
    }

    fn expr_in(&mut self, x: Value, at: Option<Pos>) -> u32 {
        let pos = match self.it.heap.obj(x) {
            Some(Obj::Cons { pos, .. }) => *pos,
            _ => {
                let n = match x {
                    Value::Sym(s) => self.resolve(s, at),
                    _ => Node::Const(x),
                };
                return self.push(n);
            }
        };
        let form = if self.depth > MAX_NEST { Form::Walk } else { self.form(x) };
        if matches!(form, Form::Atom | Form::Walk | Form::Lambda(..) | Form::DefineFn(..)) {
            if let Some(c) = self.captures.last_mut() {
                *c = true;
            }
        }
        let node = match form {
            Form::Atom | Form::Walk => Node::Walk { form: x },
            Form::Quote(datum) => Node::Quote { pos, datum },
            Form::If(t, th, el) => {
                let test = self.elem(t);
                let then = self.elem(th);
                let els = el.map_or(NONE, |e| self.elem(e));
                Node::If { pos, test, then, els }
            }
            Form::Define(sym, cell) => {
                let expr = self.elem(cell);
                Node::Define { pos, sym, expr }
            }
            Form::DefineFn(sym, ps, body) => {
                let lam = self.lambda(ps, body);
                Node::DefineFn { pos, sym, lam }
            }
            Form::Lambda(ps, body) => {
                let lam = self.lambda(ps, body);
                Node::Lambda { pos, lam }
            }
            Form::Begin(l) => {
                let body = self.elems(l);
                Node::Begin { pos, body }
            }
            Form::Let(binds, body) => {
                let mut ids = Vec::with_capacity(binds.len() * 2);
                for &(s, cell) in &binds {
                    let init = self.elem(cell);
                    ids.extend([s, init]);
                }
                let names: Vec<u32> = binds.iter().map(|b| b.0).collect();
                for &s in &names {
                    self.it.mark_local(s);
                }
                let bseq = self.seq(&ids);
                let body = self.scoped(names, body);
                Node::Let { pos, binds: Seq { start: bseq.start, len: binds.len() as u32 }, body }
            }
            Form::Cond(clauses) => {
                let mut ids = Vec::with_capacity(clauses.len() * 3);
                for (clause, body) in clauses {
                    let test = match clause {
                        Some(c) => {
                            let at = self.it.heap.head_elem_pos(c);
                            let t = self.car(c);
                            self.expr(t, at)
                        }
                        None => NONE,
                    };
                    let b = self.elems(body);
                    ids.extend([test, b.start, b.len]);
                }
                let s = self.seq(&ids);
                Node::Cond { pos, clauses: Seq { start: s.start, len: s.len / 3 } }
            }
            Form::And(l) => {
                let items = self.elems(l);
                Node::And { pos, items }
            }
            Form::Or(l) => {
                let items = self.elems(l);
                Node::Or { pos, items }
            }
            Form::Call(l) => {
                let head_at = self.it.heap.head_elem_pos(l);
                let head = self.car(l);
                let mut ids = vec![self.expr(head, head_at)];
                let args = self.pair(l).map_or(Value::Nil, |p| p.1);
                for c in self.cells(args) {
                    ids.push(self.elem(c));
                }
                let items = self.seq(&ids);
                Node::Call { pos, items }
            }
        };
        self.push(node)
    }

    /// Compile `body` in a new scope binding `names`.
    fn scoped(&mut self, names: Vec<u32>, body: Value) -> Seq {
        let mut sc = Scope { names, defs: Vec::new(), open: false };
        for c in self.cells(body) {
            self.scan(self.car(c), &mut sc, self.depth + 1);
        }
        self.scopes.push(sc);
        let seq = self.elems(body);
        self.scopes.pop();
        seq
    }

    fn lambda(&mut self, ps: Vec<u32>, body: Value) -> u32 {
        self.made_lambda = true;
        for &s in &ps {
            self.it.mark_local(s);
        }
        let params: Rc<[u32]> = Rc::from(ps.clone());
        let src = body;
        self.captures.push(false);
        let body = self.scoped(ps, body);
        let frees_env = !self.captures.pop().unwrap_or(true);
        let id = self.it.code.lams.len() as u32;
        self.it.code.lams.push(Lam { params, body, src, valid: true, frees_env });
        id
    }
}

/// Subtract `dn` from every `step`-th kid of `seq` from offset `first` (node ids).
fn shift_kids(kids: &mut [u32], seq: Seq, step: u32, first: u32, dn: u32) {
    let total = seq.len.saturating_mul(step);
    let mut j = first;
    while j < total {
        if let Some(k) = kids.get_mut((seq.start + j) as usize) {
            if *k != NONE {
                *k -= dn;
            }
        }
        j += step;
    }
}

/// Node `n` moved down by `(nodes, kids, lambdas)`; its kids (already in `kids` at their
/// new places) renumbered too.
fn relocate(n: Node, (dn, dk, dl): (u32, u32, u32), kids: &mut [u32]) -> Node {
    let nd = |id: u32| if id == NONE { id } else { id - dn };
    let sq = |s: Seq| Seq { start: s.start - dk, len: s.len };
    match n {
        Node::Const(_)
        | Node::Local { .. }
        | Node::Global { .. }
        | Node::Name { .. }
        | Node::Quote { .. }
        | Node::Walk { .. } => n,
        Node::If { pos, test, then, els } => Node::If { pos, test: nd(test), then: nd(then), els: nd(els) },
        Node::Define { pos, sym, expr } => Node::Define { pos, sym, expr: nd(expr) },
        Node::DefineFn { pos, sym, lam } => Node::DefineFn { pos, sym, lam: lam - dl },
        Node::Lambda { pos, lam } => Node::Lambda { pos, lam: lam - dl },
        Node::Begin { pos, body } => {
            let body = sq(body);
            shift_kids(kids, body, 1, 0, dn);
            Node::Begin { pos, body }
        }
        Node::And { pos, items } => {
            let items = sq(items);
            shift_kids(kids, items, 1, 0, dn);
            Node::And { pos, items }
        }
        Node::Or { pos, items } => {
            let items = sq(items);
            shift_kids(kids, items, 1, 0, dn);
            Node::Or { pos, items }
        }
        Node::Call { pos, items } => {
            let items = sq(items);
            shift_kids(kids, items, 1, 0, dn);
            Node::Call { pos, items }
        }
        Node::Let { pos, binds, body } => {
            let binds = sq(binds);
            shift_kids(kids, binds, 2, 1, dn);
            let body = sq(body);
            shift_kids(kids, body, 1, 0, dn);
            Node::Let { pos, binds, body }
        }
        Node::Cond { pos, clauses } => {
            let clauses = sq(clauses);
            for k in 0..clauses.len {
                let c = (clauses.start + 3 * k) as usize;
                if let Some(t) = kids.get_mut(c) {
                    if *t != NONE {
                        *t -= dn;
                    }
                }
                let (bs, bl) = (kids.get(c + 1).copied().unwrap_or(0), kids.get(c + 2).copied().unwrap_or(0));
                let b = Seq { start: bs - dk, len: bl };
                if let Some(x) = kids.get_mut(c + 1) {
                    *x = b.start;
                }
                shift_kids(kids, b, 1, 0, dn);
            }
            Node::Cond { pos, clauses }
        }
    }
}

impl Interp {
    /// Compile the top-level form `form` (run in the global environment); its root node.
    pub(super) fn compile_top(&mut self, form: Value) -> u32 {
        self.release_form();
        let (root, made_lambda) = self.compile_unit(form);
        self.code.temp = !made_lambda;
        root
    }

    /// Compile a form of a file that `load` runs in the global environment; its root node.
    /// Its code stays until the collector finds it unused (as does the running top-level
    /// form's from now on: units after it may hold closures).
    pub(super) fn compile_loaded(&mut self, form: Value) -> u32 {
        self.code.temp = false;
        self.compile_unit(form).0
    }

    fn compile_unit(&mut self, form: Value) -> (u32, bool) {
        let c = &mut self.code;
        let unit =
            Unit { node0: c.nodes.len() as u32, kid0: c.kids.len() as u32, lam0: c.lams.len() as u32, root: form };
        c.units.push(unit);
        let mut c = Compiler { it: self, scopes: Vec::new(), made_lambda: false, depth: 0, captures: Vec::new() };
        let root = c.expr(form, None);
        (root, c.made_lambda)
    }

    /// Drop the code of the top-level form that just ended, unless it made closures.
    pub(super) fn release_form(&mut self) {
        if std::mem::take(&mut self.code.temp) {
            if let Some(u) = self.code.units.pop() {
                self.code.nodes.truncate(u.node0 as usize);
                self.code.kids.truncate(u.kid0 as usize);
                self.code.lams.truncate(u.lam0 as usize);
            }
        }
    }

    /// After a collection: drop the units no live closure, frame or running form needs, and
    /// move the rest down (renumbering what points into them). `live_lams` are the lambdas
    /// of the closures that survived.
    pub(super) fn compact_code(&mut self, live_lams: &[u32]) {
        let n = self.code.units.len();
        if n == 0 {
            return;
        }
        let mut live = vec![false; n];
        if self.active {
            live[n - 1] = true;
        }
        let code = &self.code;
        let mut used: Vec<usize> = Vec::new();
        if let Mode::Node(id, _) = self.mode {
            used.push(code.unit_of(id, |u| u.node0));
        }
        for f in &self.stack {
            match f {
                Frame::NIf { then: id, .. } | Frame::NLet { node: id, .. } | Frame::NCond { node: id, .. } => {
                    used.push(code.unit_of(*id, |u| u.node0))
                }
                Frame::NArgs { at, .. } | Frame::NBegin { at, .. } | Frame::NAnd { at, .. } | Frame::NOr { at, .. } => {
                    used.push(code.unit_of(at.saturating_sub(1), |u| u.kid0))
                }
                _ => {}
            }
        }
        // (one flag per lambda first: there may be a closure per live object)
        let mut lam_live = vec![false; code.lams.len()];
        for &l in live_lams {
            if let Some(f) = lam_live.get_mut(l as usize) {
                *f = true;
            }
        }
        used.extend(lam_live.iter().enumerate().filter(|(_, f)| **f).map(|(l, _)| code.unit_of(l as u32, |u| u.lam0)));
        for u in used {
            if let Some(l) = live.get_mut(u) {
                *l = true;
            }
        }
        if live.iter().all(|l| *l) {
            return;
        }
        // New places: unit i moves down by shift[i] nodes / kids / lambdas.
        let old = std::mem::take(&mut self.code);
        let mut new = Code { temp: old.temp, ..Code::default() };
        let mut shift = vec![(0u32, 0u32, 0u32); n];
        for (i, u) in old.units.iter().enumerate() {
            if !live[i] {
                continue;
            }
            let next = old.units.get(i + 1);
            let ne = next.map_or(old.nodes.len(), |x| x.node0 as usize);
            let ke = next.map_or(old.kids.len(), |x| x.kid0 as usize);
            let le = next.map_or(old.lams.len(), |x| x.lam0 as usize);
            let nu = Unit {
                node0: new.nodes.len() as u32,
                kid0: new.kids.len() as u32,
                lam0: new.lams.len() as u32,
                root: u.root,
            };
            let sh = (u.node0 - nu.node0, u.kid0 - nu.kid0, u.lam0 - nu.lam0);
            shift[i] = sh;
            new.kids.extend(old.kids.get(u.kid0 as usize..ke).unwrap_or(&[]).iter().copied());
            for &node in old.nodes.get(u.node0 as usize..ne).unwrap_or(&[]) {
                let node = relocate(node, sh, &mut new.kids);
                new.nodes.push(node);
            }
            for l in old.lams.get(u.lam0 as usize..le).unwrap_or(&[]) {
                let body = Seq { start: l.body.start - sh.1, len: l.body.len };
                shift_kids(&mut new.kids, body, 1, 0, sh.0);
                new.lams.push(Lam {
                    params: l.params.clone(),
                    body,
                    src: l.src,
                    valid: l.valid,
                    frees_env: l.frees_env,
                });
            }
            new.units.push(nu);
        }
        let node_shift = |id: u32| id - shift[old.unit_of(id, |u| u.node0)].0;
        let kid_shift = |at: u32| shift[old.unit_of(at.saturating_sub(1), |u| u.kid0)].1;
        if let Mode::Node(id, e) = self.mode {
            self.mode = Mode::Node(node_shift(id), e);
        }
        for f in &mut self.stack {
            match f {
                Frame::NIf { then, els, .. } => {
                    let d = shift[old.unit_of(*then, |u| u.node0)].0;
                    *then -= d;
                    if *els != NONE {
                        *els -= d;
                    }
                }
                Frame::NLet { node, .. } | Frame::NCond { node, .. } => *node = node_shift(*node),
                Frame::NArgs { at, end, .. }
                | Frame::NBegin { at, end, .. }
                | Frame::NAnd { at, end, .. }
                | Frame::NOr { at, end, .. } => {
                    let d = kid_shift(*at);
                    *at -= d;
                    *end -= d;
                }
                _ => {}
            }
        }
        self.heap.remap_code(|l| l - shift[old.unit_of(l, |u| u.lam0)].2);
        self.code = new;
    }

    /// Closures compiled so far run on the walker from now on (the table gained syntax rows).
    pub(super) fn invalidate_code(&mut self) {
        for l in &mut self.code.lams {
            l.valid = false;
        }
    }

    /// A compiled closure's body (its lambda id) and whether its call's environment can be
    /// freed when the call returns, if it is still valid.
    #[inline]
    pub(super) fn lam_body(&self, lam: u32) -> Option<(Seq, bool)> {
        match self.code.lams.get(lam as usize) {
            Some(l) if l.valid => Some((l.body, l.frees_env)),
            _ => None,
        }
    }

    #[inline]
    fn node(&self, id: u32) -> R<Node> {
        match self.code.nodes.get(id as usize) {
            Some(n) => Ok(*n),
            None => Err("internal: compiled node".into()),
        }
    }

    #[cold]
    fn bad_node() -> Fail {
        "internal: compiled node".into()
    }

    #[inline]
    fn kid(&self, i: u32) -> u32 {
        self.code.kids.get(i as usize).copied().unwrap_or(NONE)
    }

    #[inline]
    fn local(&self, up: u32, slot: u32, sym: u32, env: u32) -> R<Value> {
        let mut e = env;
        for _ in 0..up {
            match self.heap.get(e) {
                Some(Obj::Env { parent, .. }) => e = *parent,
                _ => return self.lookup(sym, env),
            }
        }
        if let Some(Obj::Env { vars, .. }) = self.heap.get(e) {
            if let Some(&(k, v)) = vars.get(slot as usize) {
                if k == sym {
                    return Ok(v);
                }
            }
        }
        self.lookup(sym, env)
    }

    #[inline]
    fn global(&self, sym: u32) -> R<Value> {
        match self.globals.get(sym as usize) {
            Some(Some(v)) => Ok(*v),
            _ => self.lookup(sym, GLOBAL),
        }
    }

    #[cold]
    fn at(&mut self, f: Fail, at: Option<Pos>) -> Fail {
        if self.err_pos.is_none() {
            self.err_pos = at;
        }
        f
    }

    /// An atom's value in place (the walker's `atom_value`), or None for a list node.
    #[inline]
    fn n_atom(&mut self, id: u32, env: u32) -> Option<R<Value>> {
        let r = match self.code.nodes.get(id as usize)? {
            Node::Const(v) => return Some(Ok(*v)),
            Node::Local { up, slot, sym, at } => (self.local(*up, *slot, *sym, env), *at),
            Node::Global { sym, at } => (self.global(*sym), *at),
            Node::Name { sym, at } => (self.lookup(*sym, env), *at),
            _ => return None,
        };
        Some(match r {
            (Ok(v), _) => Ok(v),
            (Err(f), at) => Err(self.at(f, at)),
        })
    }

    /// Push an atom's value onto the value stack when it is at hand (a constant, a bound
    /// local or global): [`PUSHED`]; [`LIST`] for a list node; anything else (a name looked
    /// up by name, an unbound one) is for [`Interp::push_slow`]. (A small status comes back
    /// in a register, where an `Option<R<Value>>` goes through memory.)
    #[inline]
    fn push_atom(&mut self, id: u32, env: u32) -> u8 {
        let v = match self.code.nodes.get(id as usize) {
            Some(Node::Const(v)) => *v,
            Some(Node::Local { up, slot, sym, .. }) => {
                let mut e = env;
                for _ in 0..*up {
                    match self.heap.get(e) {
                        Some(Obj::Env { parent, .. }) => e = *parent,
                        _ => return SLOW,
                    }
                }
                match self.heap.get(e) {
                    Some(Obj::Env { vars, .. }) => match vars.get(*slot as usize) {
                        Some(&(k, v)) if k == *sym => v,
                        _ => return SLOW,
                    },
                    _ => return SLOW,
                }
            }
            Some(Node::Global { sym, .. }) => match self.globals.get(*sym as usize) {
                Some(Some(v)) => *v,
                _ => return SLOW,
            },
            Some(Node::Name { .. }) | None => return SLOW,
            Some(_) => return LIST,
        };
        self.vals.push(v);
        PUSHED
    }

    /// The slow side of [`Interp::push_atom`]: push the value found by name, or fail.
    #[cold]
    #[inline(never)]
    fn push_slow(&mut self, id: u32, env: u32) -> R<()> {
        match self.n_atom(id, env) {
            Some(v) => {
                self.vals.push(v?);
                Ok(())
            }
            None => Err("internal: compiled node".into()),
        }
    }

    /// Evaluate node `id` (the walker's `eval_at`): a symbol at once, anything else in the
    /// next step.
    #[inline]
    fn n_eval_at(&mut self, id: u32, env: u32) -> R<()> {
        match self.code.nodes.get(id as usize) {
            Some(Node::Local { .. } | Node::Global { .. } | Node::Name { .. }) => match self.n_atom(id, env) {
                Some(v) => self.mode = Mode::Return(v?),
                None => return Err("internal: compiled node".into()),
            },
            _ => self.mode = Mode::Node(id, env),
        }
        Ok(())
    }

    /// One step on node `id` (the walker's step on a form).
    pub(super) fn n_step(&mut self, id: u32, env: u32, host: &mut dyn crate::lang::host::Host) -> R<()> {
        let Some(&node) = self.code.nodes.get(id as usize) else {
            return Err(Self::bad_node());
        };
        let pos = match node {
            Node::Const(v) => {
                self.mode = Mode::Return(v);
                return Ok(());
            }
            Node::Local { up, slot, sym, .. } => {
                self.mode = Mode::Return(self.local(up, slot, sym, env)?);
                return Ok(());
            }
            Node::Global { sym, .. } => {
                self.mode = Mode::Return(self.global(sym)?);
                return Ok(());
            }
            Node::Name { sym, .. } => {
                self.mode = Mode::Return(self.lookup(sym, env)?);
                return Ok(());
            }
            Node::Walk { form } => {
                let Some(Obj::Cons { car, cdr, pos }) = self.heap.obj(form) else {
                    return Err("internal: compiled node".into());
                };
                let (head, rest) = (*car, *cdr);
                if pos.line > 0 {
                    self.cur_pos = *pos;
                }
                return self.eval_form(form, head, rest, env, host);
            }
            Node::Quote { pos, .. }
            | Node::If { pos, .. }
            | Node::Define { pos, .. }
            | Node::DefineFn { pos, .. }
            | Node::Lambda { pos, .. }
            | Node::Begin { pos, .. }
            | Node::Let { pos, .. }
            | Node::Cond { pos, .. }
            | Node::And { pos, .. }
            | Node::Or { pos, .. }
            | Node::Call { pos, .. } => pos,
        };
        if pos.line > 0 {
            self.cur_pos = pos;
        }
        match node {
            Node::Call { items, .. } => {
                let base = self.vals.len() as u32;
                let pos = self.cur_pos;
                let head = self.kid(items.start);
                match self.n_atom(head, env) {
                    Some(v) => {
                        self.vals.push(v?);
                        self.n_args(pos, base, items.start + 1, items.end(), env, host)
                    }
                    None => {
                        self.push(Frame::NArgs { pos, base, at: items.start + 1, end: items.end(), env })?;
                        self.mode = Mode::Node(head, env);
                        Ok(())
                    }
                }
            }
            Node::If { test, then, els, .. } => match self.n_atom(test, env) {
                Some(tv) => self.n_branch(tv?, then, els, env),
                None => {
                    self.push(Frame::NIf { then, els, env })?;
                    self.mode = Mode::Node(test, env);
                    Ok(())
                }
            },
            Node::Quote { datum, .. } => {
                self.mode = Mode::Return(datum);
                Ok(())
            }
            Node::Define { sym, expr, .. } => match self.n_atom(expr, env) {
                Some(v) => {
                    let v = v?;
                    self.define(sym, v, env);
                    self.mode = Mode::Return(v);
                    Ok(())
                }
                None => {
                    self.push(Frame::Define { sym, env })?;
                    self.mode = Mode::Node(expr, env);
                    Ok(())
                }
            },
            Node::DefineFn { sym, lam, .. } => {
                let c = self.n_closure(lam, env)?;
                self.define(sym, c, env);
                self.mode = Mode::Return(c);
                Ok(())
            }
            Node::Lambda { lam, .. } => {
                let c = self.n_closure(lam, env)?;
                self.mode = Mode::Return(c);
                Ok(())
            }
            Node::Begin { body, .. } => self.n_body(body.start, body.end(), env),
            Node::Let { .. } => {
                let base = self.vals.len() as u32;
                self.n_let(id, 0, base, env)
            }
            Node::Cond { .. } => self.n_cond(id, 0, env),
            Node::And { items, .. } => {
                if items.len == 0 {
                    self.mode = Mode::Return(Value::Bool(true));
                    Ok(())
                } else {
                    self.n_and(items.start, items.end(), env)
                }
            }
            Node::Or { items, .. } => {
                if items.len == 0 {
                    self.mode = Mode::Return(Value::Nil);
                    Ok(())
                } else {
                    let tail = matches!(self.stack.last(), Some(Frame::CallMark { .. }));
                    self.n_or(items.start, items.end(), env, tail)
                }
            }
            _ => Err("internal: compiled node".into()),
        }
    }

    fn n_closure(&mut self, lam: u32, env: u32) -> R<Value> {
        let Some(l) = self.code.lams.get(lam as usize) else {
            return Err("internal: compiled lambda".into());
        };
        let params = l.params.clone();
        let body = l.src;
        Ok(self.heap.alloc(Obj::Closure { params, body, env, code: lam }))
    }

    fn n_branch(&mut self, tv: Value, then: u32, els: u32, env: u32) -> R<()> {
        if tv.truthy() {
            self.n_eval_at(then, env)
        } else if els != NONE {
            self.n_eval_at(els, env)
        } else {
            self.mode = Mode::Return(Value::Nil);
            Ok(())
        }
    }

    pub(super) fn n_args(
        &mut self,
        pos: Pos,
        base: u32,
        mut at: u32,
        end: u32,
        env: u32,
        host: &mut dyn crate::lang::host::Host,
    ) -> R<()> {
        while at < end {
            let a = self.kid(at);
            match self.push_atom(a, env) {
                PUSHED => at += 1,
                LIST => {
                    self.push(Frame::NArgs { pos, base, at: at + 1, end, env })?;
                    self.mode = Mode::Node(a, env);
                    return Ok(());
                }
                _ => {
                    self.push_slow(a, env)?;
                    at += 1;
                }
            }
        }
        self.apply(pos, base, host)
    }

    /// A body (the walker's `eval_body`).
    pub(super) fn n_body(&mut self, at: u32, end: u32, env: u32) -> R<()> {
        if at >= end {
            self.mode = Mode::Return(Value::Nil);
            return Ok(());
        }
        if at + 1 < end {
            self.push(Frame::NBegin { at: at + 1, end, env })?;
        }
        self.n_eval_at(self.kid(at), env)
    }

    pub(super) fn n_let(&mut self, node: u32, mut i: u32, base: u32, env: u32) -> R<()> {
        let Node::Let { binds, body, .. } = self.node(node)? else {
            return Err("internal: compiled let".into());
        };
        while i < binds.len {
            let init = self.kid(binds.start + 2 * i + 1);
            match self.n_atom(init, env) {
                Some(v) => {
                    self.vals.push(v?);
                    i += 1;
                }
                None => {
                    self.push(Frame::NLet { node, i: i + 1, base, env })?;
                    self.mode = Mode::Node(init, env);
                    return Ok(());
                }
            }
        }
        let b = base as usize;
        let mut vars = self.heap.take_vars();
        for j in 0..binds.len {
            let s = self.kid(binds.start + 2 * j);
            if let Some(v) = self.vals.get(b + j as usize) {
                vars.push((s, *v));
            }
        }
        self.vals.truncate(b);
        let Value::Obj(e) = self.heap.alloc(Obj::Env { vars, parent: env }) else {
            return Err("internal: environment allocation".into());
        };
        self.n_body(body.start, body.end(), e)
    }

    pub(super) fn n_cond(&mut self, node: u32, mut k: u32, env: u32) -> R<()> {
        let Node::Cond { clauses, .. } = self.node(node)? else {
            return Err("internal: compiled cond".into());
        };
        while k < clauses.len {
            let c = clauses.start + 3 * k;
            let (test, bstart, blen) = (self.kid(c), self.kid(c + 1), self.kid(c + 2));
            if test == NONE {
                return self.n_body(bstart, bstart + blen, env);
            }
            match self.n_atom(test, env) {
                Some(tv) => {
                    let tv = tv?;
                    if tv.truthy() {
                        if blen == 0 {
                            self.mode = Mode::Return(tv);
                            return Ok(());
                        }
                        return self.n_body(bstart, bstart + blen, env);
                    }
                    k += 1;
                }
                None => {
                    let pos = self.cur_pos;
                    self.push(Frame::NCond { node, k, env, pos })?;
                    self.mode = Mode::Node(test, env);
                    return Ok(());
                }
            }
        }
        self.mode = Mode::Return(Value::Nil);
        Ok(())
    }

    /// A `cond` test's value came back.
    pub(super) fn n_cond_resume(&mut self, node: u32, k: u32, env: u32, v: Value) -> R<()> {
        let Node::Cond { clauses, .. } = self.node(node)? else {
            return Err("internal: compiled cond".into());
        };
        if v.truthy() {
            let c = clauses.start + 3 * k;
            let (bstart, blen) = (self.kid(c + 1), self.kid(c + 2));
            if blen == 0 {
                self.mode = Mode::Return(v);
                Ok(())
            } else {
                self.n_body(bstart, bstart + blen, env)
            }
        } else {
            self.n_cond(node, k + 1, env)
        }
    }

    pub(super) fn n_and(&mut self, at: u32, end: u32, env: u32) -> R<()> {
        if at + 1 < end {
            self.push(Frame::NAnd { at: at + 1, end, env })?;
        }
        self.n_eval_at(self.kid(at), env)
    }

    pub(super) fn n_or(&mut self, at: u32, end: u32, env: u32, tail: bool) -> R<()> {
        if at + 1 >= end && tail {
            return self.n_eval_at(self.kid(at), env);
        }
        self.push(Frame::NOr { at: at + 1, end, env, tail })?;
        self.n_eval_at(self.kid(at), env)
    }

    pub(super) fn n_if_resume(&mut self, v: Value, then: u32, els: u32, env: u32) -> R<()> {
        self.n_branch(v, then, els, env)
    }
}
