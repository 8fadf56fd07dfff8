//! Source-text tools for editors: a pretty-printer ([`format`]), the character a parse error
//! is about ([`fault_position`]) and where each top-level form ends ([`top_level_forms`]).
//!
//! [`format`] works on the text, not on values, so comments, string escapes and number
//! spellings are kept exactly. Its rules:
//! - Every top-level form starts on its own line at column 0; one blank line between forms
//!   is kept where the source had one or more, none is added.
//! - Inside a list, a line break the author wrote is kept (blank lines collapse to one);
//!   spaces between elements become one.
//! - A list written on one line stays on one line when it fits in the width; an element that
//!   would pass the width moves to a new line.
//! - Indentation comes from the structure alone: the body of `define`, `lambda`, `let`,
//!   `defbt`, `begin`, `cond`, `bt` and the like is indented two columns; the arguments of
//!   other calls line up under the first argument (or under the head when the first argument
//!   is on a line of its own).
//! - A comment runs to the end of its line, so whatever follows it goes on the next line.
//!
//! The result always reads as the same forms as the source: [`format`] checks this itself
//! and refuses (an error) rather than return text with another meaning. Formatting twice
//! gives the same text as formatting once.

use super::heap::{Heap, Symbols};
use super::printer;
use super::reader;
use super::table::Table;
use super::{ErrorKind, LispError, Pos};

/// Line width [`format`] aims for.
pub const WIDTH: usize = 80;
/// Deepest nesting [`format`] lays out (deeper text is left alone with an error).
pub const MAX_FORMAT_DEPTH: usize = 256;

/// Heads whose elements after the first `n` are a body, indented two columns.
const BODY_FORMS: &[(&str, usize)] = &[
    ("define", 1),
    ("lambda", 1),
    ("let", 1),
    ("let*", 1),
    ("letrec", 1),
    ("defbt", 1),
    ("when", 1),
    ("unless", 1),
    ("begin", 0),
    ("cond", 0),
    ("bt", 0),
];

// ------------------------------------------------------------------ concrete syntax

#[derive(Debug)]
enum Node<'a> {
    /// A token or a string, exactly as written.
    Atom(&'a str),
    List(Vec<Elem<'a>>),
    /// `'`, `` ` ``, `,` or `,@`, comments between it and its datum, and the datum.
    Prefix(&'a str, Vec<&'a str>, Box<Node<'a>>),
}

#[derive(Debug)]
enum Item<'a> {
    Node(Node<'a>),
    /// A `;` comment, without its line break (trailing spaces removed).
    Comment(&'a str),
}

#[derive(Debug)]
struct Elem<'a> {
    item: Item<'a>,
    /// A line break before this element in the source.
    newline: bool,
    /// An empty line before this element in the source.
    blank: bool,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Parses text the reader has accepted into elements (top level first). Never panics; text
/// the reader accepts always parses.
struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    /// Skips spaces; returns (line breaks seen, blank line seen).
    fn space(&mut self) -> (bool, bool) {
        let mut breaks = 0;
        while self.i < self.b.len() && is_space(self.b[self.i]) {
            if self.b[self.i] == b'\n' {
                breaks += 1;
            }
            self.i += 1;
        }
        (breaks > 0, breaks > 1)
    }

    fn comment(&mut self) -> &'a str {
        let start = self.i;
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
        self.text[start..self.i].trim_end()
    }

    /// Elements until a `)` (consumed) or the end of the text.
    fn elems(&mut self, depth: usize) -> Result<Vec<Elem<'a>>, String> {
        let mut out = Vec::new();
        loop {
            let (newline, blank) = self.space();
            if self.i >= self.b.len() {
                return Ok(out);
            }
            match self.b[self.i] {
                b')' => {
                    self.i += 1;
                    return Ok(out);
                }
                b';' => out.push(Elem { item: Item::Comment(self.comment()), newline, blank }),
                _ => out.push(Elem { item: Item::Node(self.node(depth)?), newline, blank }),
            }
        }
    }

    fn node(&mut self, depth: usize) -> Result<Node<'a>, String> {
        if depth > MAX_FORMAT_DEPTH {
            return Err(format!("format: nesting deeper than {MAX_FORMAT_DEPTH} levels"));
        }
        let start = self.i;
        match self.b.get(self.i).copied() {
            Some(b'(') => {
                self.i += 1;
                Ok(Node::List(self.elems(depth + 1)?))
            }
            Some(b'\'' | b'`' | b',') => {
                self.i += 1;
                if self.b[start] == b',' && self.b.get(self.i) == Some(&b'@') {
                    self.i += 1;
                }
                let prefix = &self.text[start..self.i];
                let mut comments = Vec::new();
                loop {
                    self.space();
                    if self.b.get(self.i) == Some(&b';') {
                        comments.push(self.comment());
                    } else {
                        break;
                    }
                }
                let inner = self.node(depth + 1)?;
                Ok(Node::Prefix(prefix, comments, Box::new(inner)))
            }
            Some(b'"') => {
                self.i += 1;
                while self.i < self.b.len() {
                    match self.b[self.i] {
                        b'\\' => self.i += 2,
                        b'"' => {
                            self.i += 1;
                            break;
                        }
                        _ => self.i += 1,
                    }
                }
                self.i = self.i.min(self.b.len());
                Ok(Node::Atom(self.text.get(start..self.i).unwrap_or("")))
            }
            Some(_) => {
                while self.i < self.b.len()
                    && !is_space(self.b[self.i])
                    && !matches!(self.b[self.i], b'(' | b')' | b';')
                {
                    self.i += 1;
                }
                if self.i == start {
                    return Err("format: unexpected text".to_string());
                }
                Ok(Node::Atom(self.text.get(start..self.i).unwrap_or("")))
            }
            None => Err("format: unexpected end of text".to_string()),
        }
    }
}

// ------------------------------------------------------------------ layout

/// The width of `node` on one line, or `None` if it cannot be on one line (a comment or a
/// line break inside, or a string spanning lines).
fn flat_width(node: &Node) -> Option<usize> {
    match node {
        Node::Atom(t) => (!t.contains('\n')).then(|| t.chars().count()),
        Node::Prefix(p, comments, inner) => {
            if comments.is_empty() {
                Some(p.len() + space_after_prefix(p, inner) + flat_width(inner)?)
            } else {
                None
            }
        }
        Node::List(elems) => {
            let mut w = 2;
            for (k, e) in elems.iter().enumerate() {
                if e.newline && k > 0 {
                    return None;
                }
                match &e.item {
                    Item::Comment(_) => return None,
                    Item::Node(n) => w += flat_width(n)? + usize::from(k > 0),
                }
            }
            Some(w)
        }
    }
}

/// `, @x` must keep its space (`,@x` would be unquote-splicing).
fn space_after_prefix(prefix: &str, inner: &Node) -> usize {
    usize::from(prefix == "," && matches!(inner, Node::Atom(t) if t.starts_with('@')))
}

struct Out {
    s: String,
    /// Column of the end of `s` (characters since the last line break).
    col: usize,
}

impl Out {
    fn push(&mut self, t: &str) {
        self.s.push_str(t);
        match t.rfind('\n') {
            Some(k) => self.col = t[k + 1..].chars().count(),
            None => self.col += t.chars().count(),
        }
    }
    fn newline(&mut self, indent: usize, blank: bool) {
        while self.s.ends_with(' ') {
            self.s.pop();
        }
        self.s.push('\n');
        if blank {
            self.s.push('\n');
        }
        self.s.extend(std::iter::repeat_n(' ', indent));
        self.col = indent;
    }
}

fn emit_flat(node: &Node, out: &mut Out) {
    match node {
        Node::Atom(t) => out.push(t),
        Node::Prefix(p, _, inner) => {
            out.push(p);
            if space_after_prefix(p, inner) == 1 {
                out.push(" ");
            }
            emit_flat(inner, out);
        }
        Node::List(elems) => {
            out.push("(");
            for (k, e) in elems.iter().enumerate() {
                if k > 0 {
                    out.push(" ");
                }
                if let Item::Node(n) = &e.item {
                    emit_flat(n, out);
                }
            }
            out.push(")");
        }
    }
}

/// Lays `node` out starting at the current column.
fn emit(node: &Node, out: &mut Out, width: usize) {
    if let Some(w) = flat_width(node) {
        if out.col + w <= width || matches!(node, Node::Atom(_)) {
            emit_flat(node, out);
            return;
        }
    }
    match node {
        Node::Atom(t) => out.push(t),
        Node::Prefix(p, comments, inner) => {
            let col = out.col;
            out.push(p);
            if space_after_prefix(p, inner) == 1 {
                out.push(" ");
            }
            for c in comments {
                out.push(c);
                out.newline(col + p.len(), false);
            }
            emit(inner, out, width);
        }
        Node::List(elems) => emit_list(elems, out, width),
    }
}

fn emit_list(elems: &[Elem], out: &mut Out, width: usize) {
    let open = out.col;
    out.push("(");
    let head = match elems.first().map(|e| &e.item) {
        Some(Item::Node(Node::Atom(t))) => Some(*t),
        _ => None,
    };
    // A body form laid out on several lines has each body element on a line of its own, two
    // columns in. Other lists fill lines, elements on a new line lining up under the first
    // argument when it follows the head on the head's line, else under the head.
    let body = head.and_then(|h| BODY_FORMS.iter().find(|(n, _)| *n == h)).map(|(_, n)| *n);
    let mut indent = if body.is_some() { open + 2 } else { open + 1 };
    let mut after_comment = false;
    let mut first_on_line = true;
    // index among the list's data (comments not counted)
    let mut m = 0usize;
    for (k, e) in elems.iter().enumerate() {
        let is_node = matches!(e.item, Item::Node(_));
        if k > 0 {
            let own_line = is_node && body.is_some_and(|n| m > n);
            let wanted = e.newline || after_comment || own_line;
            let fits = match &e.item {
                Item::Node(n) => flat_width(n).is_none_or(|w| out.col + 1 + w <= width),
                Item::Comment(_) => true,
            };
            if wanted || (!fits && !first_on_line) {
                out.newline(indent, e.blank && e.newline);
                first_on_line = true;
            } else {
                out.push(" ");
            }
        } else if e.newline && !is_node {
            // `(` then a comment on the next line: keep the line break.
            out.newline(open + 1, false);
        }
        if m == 1 && is_node && body.is_none() && head.is_some() && !first_on_line {
            indent = out.col;
        }
        match &e.item {
            Item::Comment(c) => {
                out.push(c);
                after_comment = true;
            }
            Item::Node(n) => {
                emit(n, out, width);
                after_comment = false;
                m += 1;
            }
        }
        // Only the first element on a line may pass the width (nothing is gained by a break).
        first_on_line = false;
    }
    if after_comment {
        out.newline(open + 1, false);
    }
    out.push(")");
}

/// Formats muslisp source (see the module docs). Errors: the reader's error for text that does
/// not read (with its position), or a `format:` error for text nested deeper than
/// [`MAX_FORMAT_DEPTH`].
pub fn format(source: &str) -> Result<String, LispError> {
    format_width(source, WIDTH)
}

/// [`format`] with another line width.
pub fn format_width(source: &str, width: usize) -> Result<String, LispError> {
    let before = read_printed(source)?;
    let plain = |message: String| LispError { message, pos: None, kind: ErrorKind::Limit };
    let mut p = Parser { text: source, b: source.as_bytes(), i: 0 };
    let mut top: Vec<Elem> = Vec::new();
    loop {
        let mut more = p.elems(0).map_err(plain)?;
        top.append(&mut more);
        if p.i >= p.b.len() {
            break;
        }
    }
    let mut out = Out { s: String::new(), col: 0 };
    let mut after_comment = false;
    for (k, e) in top.iter().enumerate() {
        if k > 0 {
            // A trailing comment stays on its form's line.
            let trailing = matches!(e.item, Item::Comment(_)) && !e.newline && !after_comment;
            if trailing {
                out.push(" ");
            } else {
                out.newline(0, e.blank);
            }
        }
        match &e.item {
            Item::Comment(c) => {
                out.push(c);
                after_comment = true;
            }
            Item::Node(n) => {
                emit(n, &mut out, width);
                after_comment = false;
            }
        }
    }
    let mut text = out.s;
    while text.ends_with([' ', '\n']) {
        text.pop();
    }
    if !text.is_empty() {
        text.push('\n');
    }
    let after = read_printed(&text)?;
    if after != before {
        return Err(plain("format: the formatted text would read differently; left unchanged".to_string()));
    }
    Ok(text)
}

/// Every top-level form of `source` as the reader reads it, in printer form: what
/// formatting must keep.
pub fn read_printed(source: &str) -> Result<Vec<String>, LispError> {
    let mut heap = Heap::default();
    let mut syms = Symbols::default();
    let table = Table::compose(&[]);
    let forms = reader::read_all(source, &mut heap, &mut syms, MAX_FORMAT_DEPTH + 1)?;
    Ok(forms.into_iter().map(|(v, _)| printer::show(&heap, &syms, &table, v)).collect())
}

// ------------------------------------------------------------------ positions

/// Byte offset of a 1-based line and byte column.
fn offset_of(text: &str, pos: Pos) -> usize {
    let mut line = 1u32;
    let mut start = 0usize;
    if pos.line > 1 {
        for (k, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line += 1;
                if line == pos.line {
                    start = k + 1;
                    break;
                }
            }
        }
        if line < pos.line {
            return text.len();
        }
    }
    (start + pos.col.saturating_sub(1) as usize).min(text.len())
}

/// 1-based line and byte column of a byte offset.
fn pos_of(text: &str, offset: usize) -> Pos {
    let end = offset.min(text.len());
    let before = &text.as_bytes()[..end];
    let line = 1 + before.iter().filter(|b| **b == b'\n').count() as u32;
    let line_start = before.iter().rposition(|b| *b == b'\n').map(|k| k + 1).unwrap_or(0);
    Pos { line, col: (end - line_start + 1) as u32 }
}

/// What is still open at the end of `text` (lists, a string), scanned like the reader.
/// Returns (offsets of unclosed `(`, offset of an unclosed `"`).
fn unclosed(text: &str) -> (Vec<usize>, Option<usize>) {
    let b = text.as_bytes();
    let mut opens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b';' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' => opens.push(i),
            b')' => {
                opens.pop();
            }
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    if i >= b.len() {
                        return (opens, Some(start));
                    }
                    match b[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            _ => {
                // a token: `"` inside a token is part of it, as in the reader
                if !is_space(b[i]) && !matches!(b[i], b'\'' | b'`' | b',') {
                    while i + 1 < b.len() && !is_space(b[i + 1]) && !matches!(b[i + 1], b'(' | b')' | b';') {
                        i += 1;
                    }
                }
            }
        }
        i += 1;
    }
    (opens, None)
}

/// The character a parse error is about, for an editor to mark: the stray `)` of
/// `unexpected ')'`, the innermost unclosed `(` of `unterminated list`, the opening `"` of
/// `unterminated string`, the `\` of a string escape, the quote of `unexpected end of input`.
/// The reader reports positions as the reference interpreter does (after the `)`, at the end
/// of the text); this maps them back onto the text. Other errors keep their position.
pub fn fault_position(source: &str, err: &LispError) -> Option<Pos> {
    let pos = err.pos?;
    if !matches!(err.kind, ErrorKind::Parse { .. }) {
        return Some(pos);
    }
    let at = offset_of(source, pos);
    let b = source.as_bytes();
    let found = match err.message.as_str() {
        "unexpected ')'" => source[..at].rfind(')'),
        "unterminated list" => unclosed(source).0.last().copied(),
        "unterminated string" => unclosed(source).1,
        "unterminated string escape" | "unknown string escape" => source[..at.min(b.len())].rfind('\\'),
        m if m.starts_with("unexpected end of input") => b.iter().rposition(|c| matches!(c, b'\'' | b'`' | b',')),
        _ => None,
    };
    Some(found.map(|o| pos_of(source, o)).unwrap_or(pos))
}

/// One top-level form: where it starts (as the evaluator reports a value's position) and the
/// position of its last character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormSpan {
    pub start: Pos,
    pub end: Pos,
}

/// The top-level forms of `source` (comments skipped), for showing each form's value next to
/// it. Text after a parse error is not listed.
pub fn top_level_forms(source: &str) -> Vec<FormSpan> {
    let mut p = Parser { text: source, b: source.as_bytes(), i: 0 };
    let mut out = Vec::new();
    loop {
        p.space();
        if p.i >= p.b.len() {
            break;
        }
        match p.b[p.i] {
            b';' => {
                p.comment();
            }
            b')' => break,
            _ => {
                let start = p.i;
                if p.node(0).is_err() || p.i <= start {
                    break;
                }
                out.push(FormSpan { start: pos_of(source, start), end: pos_of(source, p.i - 1) });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> String {
        format(s).unwrap()
    }

    #[test]
    fn short_forms_stay_on_one_line() {
        assert_eq!(f("(+   1  2)"), "(+ 1 2)\n");
        assert_eq!(f("  (define x 1) (define y 2)"), "(define x 1)\n(define y 2)\n");
    }

    #[test]
    fn bodies_indent_two_and_arguments_line_up() {
        assert_eq!(f("(define (f x)\n(* x x))"), "(define (f x)\n  (* x x))\n");
        assert_eq!(f("(foo a\nb\n  c)"), "(foo a\n     b\n     c)\n");
        assert_eq!(f("(foo\na b)"), "(foo\n a b)\n");
    }

    #[test]
    fn long_lines_break() {
        let src = "(define (f x) (if (= x 0) 1 (* x (f (- x 1)) (g x x x x x x x x x x x x x x x x x x x))))";
        let out = f(src);
        assert!(out.lines().all(|l| l.len() <= WIDTH), "{out}");
        assert_eq!(f(&out), out);
    }

    #[test]
    fn comments_and_blank_lines_are_kept() {
        let src = "; top\n(define x 1) ; trailing\n\n\n(f ; inside\n a)\n";
        assert_eq!(f(src), "; top\n(define x 1) ; trailing\n\n(f ; inside\n a)\n");
        assert_eq!(f("(a b ; c\n)"), "(a b ; c\n )\n");
    }

    #[test]
    fn prefixes_and_strings() {
        assert_eq!(f("'( a  b )  `(x ,y ,@z) , @w"), "'(a b)\n`(x ,y ,@z)\n, @w\n");
        assert_eq!(f("(print \"a  b\\n\")"), "(print \"a  b\\n\")\n");
    }

    #[test]
    fn bad_text_is_the_readers_error() {
        let e = format("(a").unwrap_err();
        assert_eq!(e.message, "unterminated list");
        assert_eq!(format("").unwrap(), "");
    }

    #[test]
    fn faults_point_at_the_character() {
        let err = |s: &str| {
            let e = read_printed(s).unwrap_err();
            fault_position(s, &e).unwrap()
        };
        assert_eq!(err("(a))"), Pos { line: 1, col: 4 });
        assert_eq!(err("(a\n  (b c)\n"), Pos { line: 1, col: 1 });
        assert_eq!(err("(a (b \"x\" ; (\n"), Pos { line: 1, col: 4 });
        assert_eq!(err("(print \"abc"), Pos { line: 1, col: 8 });
        assert_eq!(err("\"a\\q\""), Pos { line: 1, col: 3 });
        assert_eq!(err("(a) '"), Pos { line: 1, col: 5 });
    }

    #[test]
    fn spans_of_top_level_forms() {
        let s = "; c\n(define x\n  1)\n42 'q\n";
        let spans = top_level_forms(s);
        assert_eq!(
            spans,
            vec![
                FormSpan { start: Pos { line: 2, col: 1 }, end: Pos { line: 3, col: 4 } },
                FormSpan { start: Pos { line: 4, col: 1 }, end: Pos { line: 4, col: 2 } },
                FormSpan { start: Pos { line: 4, col: 4 }, end: Pos { line: 4, col: 5 } },
            ]
        );
    }
}
