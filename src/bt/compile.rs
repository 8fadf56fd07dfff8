//! The DSL compiler: data (a [`Forms`] arena) to a post-order node vector.
//!
//! Depth first, left to right, with an explicit stack (no recursion, so a deeply nested
//! form cannot overflow the host stack); the first error met is reported. Messages are the
//! reference's, without the `bt: ` / `bt.compile: ` prefix the caller adds; an improper list
//! gives the unprefixed `expected proper list` ([`CompileError::prefixed`] is false).

use super::form::{Forms, Item};
use super::model::{Canonical, Class, Def, Kind, Lit, Node, Origin};
use crate::lang::fnv;

#[derive(Clone, Debug, PartialEq)]
pub struct CompileError {
    pub message: String,
    /// Whether the caller adds its `bt: ` style prefix (false only for `expected proper list`).
    pub prefixed: bool,
}

impl CompileError {
    fn new(message: impl Into<String>) -> CompileError {
        CompileError { message: message.into(), prefixed: true }
    }

    /// The full message after `prefix` (e.g. `bt: `).
    pub fn with_prefix(&self, prefix: &str) -> String {
        if self.prefixed {
            format!("{prefix}{}", self.message)
        } else {
            self.message.clone()
        }
    }
}

/// A node whose children are being compiled.
struct Pending {
    node: Node,
    child_forms: Vec<usize>,
    next: usize,
}

enum Started {
    Done(Node),
    Pending(Pending),
}

/// Compile the tree at `root`. Returns the nodes (post-order ids) and the root id.
pub fn compile(forms: &Forms, root: usize) -> Result<(Vec<Node>, u32), CompileError> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<Pending> = Vec::new();
    let mut next_form = Some(root);
    loop {
        if let Some(f) = next_form.take() {
            match start(forms, f)? {
                Started::Done(n) => {
                    let id = nodes.len() as u32;
                    nodes.push(n);
                    if deliver(&mut stack, id) {
                        return Ok((nodes, id));
                    }
                }
                Started::Pending(p) => stack.push(p),
            }
        }
        // Descend into the next child of the innermost pending node, or finish it.
        let Some(top) = stack.last_mut() else {
            // Unreachable: the root either completed (returned above) or is pending.
            return Err(CompileError::new("BT form must be a list"));
        };
        if top.next < top.child_forms.len() {
            next_form = Some(top.child_forms[top.next]);
            top.next += 1;
            continue;
        }
        let done = stack.pop().map(|p| p.node);
        if let Some(n) = done {
            let id = nodes.len() as u32;
            nodes.push(n);
            if deliver(&mut stack, id) {
                return Ok((nodes, id));
            }
        }
    }
}

/// Record child `id` with its parent; true when `id` is the root.
fn deliver(stack: &mut [Pending], id: u32) -> bool {
    match stack.last_mut() {
        Some(parent) => {
            parent.node.children.push(id);
            false
        }
        None => true,
    }
}

fn literal(forms: &Forms, i: usize) -> Result<Lit, CompileError> {
    match forms.get(i) {
        Item::Atom(l) => Ok(l.clone()),
        _ => Err(CompileError::new("leaf args must be literals or symbols")),
    }
}

fn text_of(forms: &Forms, i: usize) -> Option<String> {
    match forms.get(i) {
        Item::Atom(Lit::Sym(s)) | Item::Atom(Lit::Str(s)) => Some(s.clone()),
        _ => None,
    }
}

fn arity(name: &str, items: &[usize], expected: usize) -> Result<(), CompileError> {
    if items.len() != expected {
        return Err(CompileError::new(format!("{name}: expected {} arguments, got {}", expected - 1, items.len() - 1)));
    }
    Ok(())
}

fn start(forms: &Forms, f: usize) -> Result<Started, CompileError> {
    let items = match forms.get(f) {
        Item::List(items) => items,
        Item::Improper => return Err(CompileError { message: "expected proper list".into(), prefixed: false }),
        Item::Atom(_) | Item::Other(_) => return Err(CompileError::new("BT form must be a list")),
    };
    let head = match forms.get(items[0]) {
        Item::Atom(Lit::Sym(s)) => s.as_str(),
        _ => return Err(CompileError::new("BT form head must be a symbol")),
    };
    let Some(kind) = Kind::from_dsl(head) else {
        return Err(CompileError::new(format!("unknown BT form: {head}")));
    };
    let mut node = Node::new(kind);
    let pending = |node: Node, child_forms: Vec<usize>| Ok(Started::Pending(Pending { node, child_forms, next: 0 }));
    match kind {
        Kind::Seq
        | Kind::Sel
        | Kind::MemSeq
        | Kind::MemSel
        | Kind::AsyncSeq
        | Kind::ReactiveSeq
        | Kind::ReactiveSel => {
            if items.len() < 2 {
                return Err(CompileError::new(format!("{head}: expects at least one child")));
            }
            pending(node, items[1..].to_vec())
        }
        Kind::Invert => {
            arity(head, items, 2)?;
            pending(node, vec![items[1]])
        }
        Kind::Repeat | Kind::Retry => {
            arity(head, items, 3)?;
            let Item::Atom(Lit::Int(n)) = forms.get(items[1]) else {
                return Err(CompileError::new(format!("{head}: repeat/retry count must be integer")));
            };
            if *n < 0 {
                return Err(CompileError::new(format!("{head}: count must be non-negative")));
            }
            node.int_param = *n;
            pending(node, vec![items[2]])
        }
        Kind::Slot => {
            if items.len() < 4 {
                return Err(CompileError::new("slot: expects name, option key/value pairs, and one child"));
            }
            let Some(name) = text_of(forms, items[1]) else {
                return Err(CompileError::new("slot: name must be symbol or string"));
            };
            if (items.len() - 3) % 2 != 0 {
                return Err(CompileError::new("slot: expected option key/value pairs before child"));
            }
            node.name = name;
            for &a in &items[2..items.len() - 1] {
                node.args.push(literal(forms, a)?);
            }
            pending(node, vec![items[items.len() - 1]])
        }
        Kind::Cond | Kind::Act => {
            if items.len() < 2 {
                return Err(CompileError::new(format!("{head}: expects at least a leaf name")));
            }
            let Some(name) = text_of(forms, items[1]) else {
                return Err(CompileError::new(format!("{head}: leaf name must be symbol or string")));
            };
            node.name = name;
            for &a in &items[2..] {
                node.args.push(literal(forms, a)?);
            }
            Ok(Started::Done(node))
        }
        Kind::Succeed | Kind::Fail | Kind::Running => {
            arity(head, items, 1)?;
            Ok(Started::Done(node))
        }
        Kind::PlanAction | Kind::VlaRequest | Kind::VlaWait | Kind::VlaCancel => {
            if (items.len() - 1) % 2 != 0 {
                return Err(CompileError::new(format!("{head}: expected key/value pairs")));
            }
            for &a in &items[1..] {
                node.args.push(literal(forms, a)?);
            }
            Ok(Started::Done(node))
        }
    }
}

/// `bt.to-dsl`: the canonical list of a definition (names as symbols, args as stored).
/// Shared children (possible in MBT1 files) are written out at every use. Returns the arena
/// and its root index; every list's elements come before the list itself.
pub fn to_dsl(nodes: &[Node], root: u32) -> (Forms, usize) {
    struct Walk {
        node: u32,
        next: usize,
        built: Vec<usize>,
    }
    let mut forms = Forms::new();
    let mut stack = vec![Walk { node: root, next: 0, built: Vec::new() }];
    let mut result = 0;
    while let Some(top) = stack.last_mut() {
        let n = &nodes[top.node as usize];
        let walk_children = matches!(n.kind.class(), Class::Composite | Class::Decorator);
        if walk_children && top.next < n.children.len() {
            let c = n.children[top.next];
            top.next += 1;
            stack.push(Walk { node: c, next: 0, built: Vec::new() });
            continue;
        }
        let Some(w) = stack.pop() else { break };
        let mut elems = vec![forms.sym(n.kind.dsl_name())];
        match n.kind {
            Kind::Repeat | Kind::Retry => elems.push(forms.atom(Lit::Int(n.int_param))),
            Kind::Cond | Kind::Act | Kind::Slot => elems.push(forms.sym(&n.name)),
            _ => {}
        }
        for a in &n.args {
            elems.push(forms.atom(a.clone()));
        }
        elems.extend(w.built);
        let item = forms.list(elems);
        match stack.last_mut() {
            Some(parent) => parent.built.push(item),
            None => result = item,
        }
    }
    (forms, result)
}

/// Compile a definition as `bt` / `bt.compile` / `bt.load-dsl` do. `prefix` goes before
/// compile errors (`bt: `, `bt.compile: `, ...). `bt.compile` and `bt.load-dsl` attach
/// identity metadata: the canonical text (`write` of `bt.to-dsl`, which fails for non-finite
/// floats with the unprefixed `write:` error) and the source hash (of `source_text`, or of
/// the `write` text of the data when it is `None`).
pub fn build_def(
    forms: &Forms,
    root: usize,
    origin: Origin,
    prefix: &str,
    source_text: Option<&str>,
) -> Result<Def, String> {
    let (nodes, root_id) = compile(forms, root).map_err(|e| e.with_prefix(prefix))?;
    let mut def = Def { nodes, root: root_id, origin, canonical: None };
    if matches!(origin, Origin::Compile | Origin::LoadDsl) {
        let (dsl_forms, dsl_root) = to_dsl(&def.nodes, def.root);
        let dsl = dsl_forms.write(dsl_root)?;
        let source_hash = match source_text {
            Some(t) => fnv::fnv1a64(t.as_bytes()),
            None => fnv::fnv1a64(forms.write(root)?.as_bytes()),
        };
        let dsl_hash = fnv::fnv1a64(dsl.as_bytes());
        def.canonical = Some(Canonical { dsl, dsl_hash, source_hash });
    }
    Ok(def)
}

/// The `write` text of `bt.to-dsl` (what `bt.save-dsl` writes).
pub fn canonical_text(def: &Def) -> Result<String, String> {
    let (f, r) = to_dsl(&def.nodes, def.root);
    f.write(r)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny s-expression reader for tests (symbols, ints, floats, strings, #t/#f, nil).
    pub(crate) fn read(src: &str) -> (Forms, usize) {
        let mut forms = Forms::new();
        let toks = tokenize(src);
        let mut stack: Vec<Vec<usize>> = vec![Vec::new()];
        for t in toks {
            match t.as_str() {
                "(" => stack.push(Vec::new()),
                ")" => {
                    let elems = stack.pop().unwrap();
                    let i = forms.list(elems);
                    stack.last_mut().unwrap().push(i);
                }
                _ => {
                    let lit = if let Some(s) = t.strip_prefix('"') {
                        Lit::Str(s.to_string())
                    } else if t == "#t" {
                        Lit::Bool(true)
                    } else if t == "#f" {
                        Lit::Bool(false)
                    } else if t == "nil" {
                        Lit::Nil
                    } else if let Ok(i) = t.parse::<i64>() {
                        Lit::Int(i)
                    } else if let Ok(x) = t.parse::<f64>() {
                        Lit::Float(x)
                    } else {
                        Lit::Sym(t.clone())
                    };
                    let i = forms.atom(lit);
                    stack.last_mut().unwrap().push(i);
                }
            }
        }
        let root = stack[0][0];
        (forms, root)
    }

    fn tokenize(src: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut chars = src.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '(' | ')' => out.push(c.to_string()),
                '"' => {
                    let mut s = String::from("\"");
                    while let Some(d) = chars.next() {
                        match d {
                            '"' => break,
                            '\\' => {
                                if let Some(e) = chars.next() {
                                    s.push(e)
                                }
                            }
                            _ => s.push(d),
                        }
                    }
                    out.push(s);
                }
                c if c.is_whitespace() => {}
                _ => {
                    let mut s = c.to_string();
                    while let Some(&d) = chars.peek() {
                        if d == '(' || d == ')' || d.is_whitespace() {
                            break;
                        }
                        s.push(d);
                        chars.next();
                    }
                    out.push(s);
                }
            }
        }
        out
    }

    pub(crate) fn compile_str(src: &str) -> Result<(Vec<Node>, u32), String> {
        let (f, r) = read(src);
        compile(&f, r).map_err(|e| e.with_prefix("bt: "))
    }

    #[test]
    fn post_order_ids() {
        let (nodes, root) = compile_str("(sel (seq (cond a) (act b)) (invert (fail)))").unwrap();
        assert_eq!(root, 5);
        let kinds: Vec<_> = nodes.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, vec![Kind::Cond, Kind::Act, Kind::Seq, Kind::Fail, Kind::Invert, Kind::Sel]);
        assert_eq!(nodes[2].children, vec![0, 1]);
        assert_eq!(nodes[5].children, vec![2, 4]);
    }

    #[test]
    fn compile_errors_in_order() {
        let cases = [
            ("(seq)", "bt: seq: expects at least one child"),
            ("(invert)", "bt: invert: expected 1 arguments, got 0"),
            ("(repeat 2)", "bt: repeat: expected 2 arguments, got 1"),
            ("(repeat 1.0 (succeed))", "bt: repeat: repeat/retry count must be integer"),
            ("(retry -1 (succeed))", "bt: retry: count must be non-negative"),
            ("(slot s :k (succeed))", "bt: slot: expected option key/value pairs before child"),
            ("(slot s (succeed))", "bt: slot: expects name, option key/value pairs, and one child"),
            ("(slot 1 :k v (succeed))", "bt: slot: name must be symbol or string"),
            ("(cond)", "bt: cond: expects at least a leaf name"),
            ("(act 5)", "bt: act: leaf name must be symbol or string"),
            ("(act f (1 2))", "bt: leaf args must be literals or symbols"),
            ("(succeed 1)", "bt: succeed: expected 0 arguments, got 1"),
            ("(vla-wait :name)", "bt: vla-wait: expected key/value pairs"),
            ("(foo)", "bt: unknown BT form: foo"),
            ("(\"seq\" (succeed))", "bt: BT form head must be a symbol"),
            ("(seq (fail) (repeat -1 (succeed)) (foo))", "bt: repeat: count must be non-negative"),
        ];
        for (src, want) in cases {
            assert_eq!(compile_str(src).unwrap_err(), want, "{src}");
        }
    }

    #[test]
    fn to_dsl_round_trip_text() {
        let src = "(sel (seq (cond battery-ok) (repeat 2 (act \"grasp\" 1 2.5 sym #t nil))) (invert (fail)) (retry 3 (running)) (slot my-slot :contract \"c.v1\" :fallback stop (succeed)))";
        let (nodes, root) = compile_str(src).unwrap();
        let (f, r) = to_dsl(&nodes, root);
        assert_eq!(
            f.write(r).unwrap(),
            "(sel (seq (cond battery-ok) (repeat 2 (act grasp 1 2.5 sym #t nil))) (invert (fail)) (retry 3 (running)) (slot my-slot :contract \"c.v1\" :fallback stop (succeed)))"
        );
    }

    #[test]
    fn deep_nesting_compiles_without_recursion() {
        let depth = 100_000;
        let mut src = String::new();
        for _ in 0..depth {
            src.push_str("(invert ");
        }
        src.push_str("(succeed)");
        for _ in 0..depth {
            src.push(')');
        }
        let (nodes, root) = compile_str(&src).unwrap();
        assert_eq!(nodes.len(), depth + 1);
        assert_eq!(root as usize, depth);
        let (f, r) = to_dsl(&nodes, root);
        assert_eq!(f.write(r).unwrap(), src);
    }
}
