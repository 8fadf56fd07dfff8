//! A heap-independent copy of Lisp data for the compiler and `bt.to-dsl`: a flat arena of
//! atoms and lists, so that arbitrarily deep data is built, walked and dropped without
//! recursion.

use super::model::Lit;

/// One item of a [`Forms`] arena.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A literal (including `nil`, the empty list).
    Atom(Lit),
    /// A proper, non-empty list of items (by index).
    List(Vec<usize>),
    /// An improper list (`(a . b)`); its elements are not kept.
    Improper,
    /// Any other value (vector, map, closure, handle...), by type name.
    Other(String),
}

/// A flat arena of data items; lists refer to their elements by index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Forms {
    pub items: Vec<Item>,
}

impl Forms {
    pub fn new() -> Forms {
        Forms::default()
    }

    /// Add an item; returns its index.
    pub fn push(&mut self, item: Item) -> usize {
        self.items.push(item);
        self.items.len() - 1
    }

    pub fn atom(&mut self, lit: Lit) -> usize {
        self.push(Item::Atom(lit))
    }

    pub fn sym(&mut self, s: &str) -> usize {
        self.atom(Lit::Sym(s.to_string()))
    }

    /// A list of the given elements (`nil` when empty).
    pub fn list(&mut self, elems: Vec<usize>) -> usize {
        if elems.is_empty() {
            self.atom(Lit::Nil)
        } else {
            self.push(Item::List(elems))
        }
    }

    pub fn get(&self, i: usize) -> &Item {
        &self.items[i]
    }

    /// The `write` text of item `root` (lists in parentheses, strings quoted and escaped,
    /// floats in the `%.15g` form). `Err`: the reference's `write` error text.
    pub fn write(&self, root: usize) -> Result<String, String> {
        enum Task {
            Item(usize),
            Text(&'static str),
        }
        let mut out = String::new();
        let mut tasks = vec![Task::Item(root)];
        while let Some(t) = tasks.pop() {
            match t {
                Task::Text(s) => out.push_str(s),
                Task::Item(i) => match &self.items[i] {
                    Item::Atom(l) => l.write_into(&mut out)?,
                    Item::List(elems) => {
                        out.push('(');
                        tasks.push(Task::Text(")"));
                        for (k, &e) in elems.iter().enumerate().rev() {
                            tasks.push(Task::Item(e));
                            if k > 0 {
                                tasks.push(Task::Text(" "));
                            }
                        }
                    }
                    Item::Improper => return Err("write: expected proper list".into()),
                    Item::Other(t) => return Err(format!("write: cannot serialise {t} as readable data")),
                },
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_nested_lists() {
        let mut f = Forms::new();
        let a = f.sym("act");
        let s = f.atom(Lit::Str("s\"q".into()));
        let x = f.atom(Lit::Float(1.0));
        let inner = f.list(vec![a, s, x]);
        let h = f.sym("invert");
        let root = f.list(vec![h, inner]);
        assert_eq!(f.write(root).unwrap(), "(invert (act \"s\\\"q\" 1.0))");
    }

    #[test]
    fn deep_write_does_not_recurse() {
        let mut f = Forms::new();
        let mut cur = f.sym("x");
        for _ in 0..200_000 {
            cur = f.list(vec![cur]);
        }
        let text = f.write(cur).unwrap();
        assert_eq!(text.len(), 200_000 * 2 + 1);
    }
}
