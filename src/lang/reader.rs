//! The reader: source text to heap values, with a position on every list form.
//! Iterative (an explicit stack), so arbitrarily deep nesting cannot overflow the host stack.

use super::heap::{Heap, Symbols, Value};
use super::{ErrorKind, LispError, Pos};

/// Positions of `text` offsets (1-based line and byte column).
fn pos_at(text: &[u8], offset: usize) -> Pos {
    let end = offset.min(text.len());
    let mut line = 1u32;
    let mut col = 1u32;
    for &b in &text[..end] {
        if b == b'\n' {
            line = line.saturating_add(1);
            col = 1;
        } else {
            col = col.saturating_add(1);
        }
    }
    Pos { line, col }
}

fn perr(text: &[u8], offset: usize, msg: &str, incomplete: bool) -> LispError {
    LispError { message: msg.to_string(), pos: Some(pos_at(text, offset)), kind: ErrorKind::Parse { incomplete } }
}

enum Open {
    List { items: Vec<(Value, Pos)>, pos: Pos },
    Prefix { sym: u32, pos: Pos },
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn limit(text: &[u8], offset: usize, msg: String) -> LispError {
    LispError { message: msg, pos: Some(pos_at(text, offset)), kind: ErrorKind::Limit }
}

/// Read every datum of `source`. Returns each top-level datum with its start position.
/// Lists and quotes nest at most `max_depth` deep, and reading stops with a limit error when
/// the heap passes its byte cap.
pub fn read_all(
    source: &str,
    heap: &mut Heap,
    syms: &mut Symbols,
    max_depth: usize,
) -> Result<Vec<(Value, Pos)>, LispError> {
    let text = source.as_bytes();
    let n = text.len();
    let mut i = 0usize;
    let mut out: Vec<(Value, Pos)> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    // Incremental line/column tracking for datum start positions.
    let mut line = 1u32;
    let mut line_start = 0usize;
    let mut scanned = 0usize;
    let mut datums = 0usize;
    let here = |i: usize, line: &mut u32, line_start: &mut usize, scanned: &mut usize| -> Pos {
        while *scanned < i && *scanned < n {
            if text[*scanned] == b'\n' {
                *line = line.saturating_add(1);
                *line_start = *scanned + 1;
            }
            *scanned += 1;
        }
        Pos { line: *line, col: (i - *line_start + 1).min(u32::MAX as usize) as u32 }
    };
    loop {
        // Skip whitespace and comments.
        while i < n {
            let b = text[i];
            if is_space(b) {
                i += 1;
            } else if b == b';' {
                while i < n && text[i] != b'\n' {
                    i += 1;
                }
            } else {
                break;
            }
        }
        if i >= n {
            return match stack.last() {
                None => Ok(out),
                Some(Open::List { .. }) => Err(perr(text, n, "unterminated list", true)),
                Some(Open::Prefix { sym, .. }) => {
                    let after_comma = syms.name(*sym) == "unquote" && n > 0 && text[n - 1] == b',';
                    let msg = if after_comma { "unexpected end of input after ','" } else { "unexpected end of input" };
                    Err(perr(text, n, msg, true))
                }
            };
        }
        let start = here(i, &mut line, &mut line_start, &mut scanned);
        let b = text[i];
        datums += 1;
        if datums.is_multiple_of(4096) && heap.over_cap() {
            return Err(limit(text, i, format!("heap limit exceeded ({} bytes)", heap.cap())));
        }
        if matches!(b, b'(' | b'\'' | b'`' | b',') && stack.len() >= max_depth {
            return Err(limit(text, i, format!("nesting too deep (more than {max_depth} levels)")));
        }
        let datum: Value;
        let mut dpos = start;
        match b {
            b'(' => {
                i += 1;
                stack.push(Open::List { items: Vec::new(), pos: start });
                continue;
            }
            b')' => {
                i += 1;
                match stack.pop() {
                    Some(Open::List { items, pos }) => {
                        dpos = pos;
                        // The first cell carries the list's own position (its '('); every
                        // other cell carries the position of its element, so an atom that
                        // fails (an unbound symbol) can be located. The first element's
                        // position goes to a side table only when it is not right after '('.
                        let mut v = Value::Nil;
                        for (k, (it, ipos)) in items.iter().enumerate().rev() {
                            v = if k == 0 {
                                let head = heap.cons_at(*it, v, pos);
                                heap.set_head_pos(head, pos, *ipos);
                                head
                            } else {
                                heap.cons_at(*it, v, *ipos)
                            };
                        }
                        datum = v;
                    }
                    _ => return Err(perr(text, i, "unexpected ')'", false)),
                }
            }
            b'\'' | b'`' | b',' => {
                i += 1;
                let name = match b {
                    b'\'' => "quote",
                    b'`' => "quasiquote",
                    _ => {
                        if i < n && text[i] == b'@' {
                            i += 1;
                            "unquote-splicing"
                        } else {
                            "unquote"
                        }
                    }
                };
                let sym = syms.intern(name);
                stack.push(Open::Prefix { sym, pos: start });
                continue;
            }
            b'"' => {
                i += 1;
                let mut s: Vec<u8> = Vec::new();
                loop {
                    if i >= n {
                        return Err(perr(text, n, "unterminated string", true));
                    }
                    let c = text[i];
                    i += 1;
                    if c == b'"' {
                        break;
                    }
                    if c == b'\\' {
                        if i >= n {
                            return Err(perr(text, n, "unterminated string escape", true));
                        }
                        let e = text[i];
                        i += 1;
                        s.push(match e {
                            b'n' => b'\n',
                            b't' => b'\t',
                            b'r' => b'\r',
                            b'"' => b'"',
                            b'\\' => b'\\',
                            _ => return Err(perr(text, i, "unknown string escape", false)),
                        });
                    } else {
                        s.push(c);
                    }
                }
                datum = heap.string(String::from_utf8_lossy(&s).into_owned());
            }
            _ => {
                let st = i;
                while i < n && !is_space(text[i]) && text[i] != b'(' && text[i] != b')' && text[i] != b';' {
                    i += 1;
                }
                let tok = String::from_utf8_lossy(&text[st..i]);
                datum = atom(&tok, syms);
            }
        }
        // Attach the finished datum to whatever is open.
        let mut d = datum;
        loop {
            match stack.last_mut() {
                None => {
                    out.push((d, dpos));
                    break;
                }
                Some(Open::List { items, .. }) => {
                    items.push((d, dpos));
                    break;
                }
                Some(Open::Prefix { sym, pos }) => {
                    let (sym, pos) = (*sym, *pos);
                    stack.pop();
                    let tail = heap.cons_at(d, Value::Nil, dpos);
                    d = heap.cons_at(Value::Sym(sym), tail, pos);
                    heap.set_head_pos(d, pos, pos);
                    dpos = pos;
                    if stack.is_empty() {
                        out.push((d, pos));
                        break;
                    }
                }
            }
        }
    }
}

/// Classify an atom token (reference section 1.4).
pub fn atom(tok: &str, syms: &mut Symbols) -> Value {
    match tok {
        "#t" => return Value::Bool(true),
        "#f" => return Value::Bool(false),
        "nil" => return Value::Nil,
        _ => {}
    }
    if !tok.contains(['.', 'e', 'E']) {
        if let Some(v) = parse_int(tok) {
            return Value::Int(v);
        }
    } else if let Some(f) = parse_strtod(tok) {
        return Value::Float(f);
    }
    Value::Sym(syms.intern(tok))
}

fn parse_int(tok: &str) -> Option<i64> {
    let digits = tok.strip_prefix('-').unwrap_or(tok);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    tok.parse::<i64>().ok()
}

/// A whole-token `strtod`: decimal or hexadecimal floats, `inf`/`nan` spellings.
pub fn parse_strtod(tok: &str) -> Option<f64> {
    let b = tok.as_bytes();
    let (neg, rest) = match b.first() {
        Some(b'-') => (true, &tok[1..]),
        Some(b'+') => (false, &tok[1..]),
        _ => (false, tok),
    };
    let lower = rest.to_ascii_lowercase();
    let mag = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if lower == "nan"
        || (lower.starts_with("nan(")
            && lower.ends_with(')')
            && lower[4..lower.len() - 1].bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'))
    {
        f64::NAN
    } else if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex(hex)?
    } else {
        // sign? digits* ('.' digits*)? (e sign? digits+)?, at least one mantissa digit
        let rb = lower.as_bytes();
        let mut j = 0;
        let mut mant = 0;
        while j < rb.len() && rb[j].is_ascii_digit() {
            j += 1;
            mant += 1;
        }
        if j < rb.len() && rb[j] == b'.' {
            j += 1;
            while j < rb.len() && rb[j].is_ascii_digit() {
                j += 1;
                mant += 1;
            }
        }
        if mant == 0 {
            return None;
        }
        if j < rb.len() && rb[j] == b'e' {
            j += 1;
            if j < rb.len() && (rb[j] == b'+' || rb[j] == b'-') {
                j += 1;
            }
            let ds = j;
            while j < rb.len() && rb[j].is_ascii_digit() {
                j += 1;
            }
            if j == ds {
                return None;
            }
        }
        if j != rb.len() {
            return None;
        }
        lower.parse::<f64>().ok()?
    };
    Some(if neg { -mag } else { mag })
}

fn parse_hex(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut j = 0;
    let mut mant: f64 = 0.0;
    let mut digits = 0;
    let mut exp: i64 = 0;
    while j < b.len() && b[j].is_ascii_hexdigit() {
        mant = mant * 16.0 + (b[j] as char).to_digit(16)? as f64;
        j += 1;
        digits += 1;
    }
    if j < b.len() && b[j] == b'.' {
        j += 1;
        while j < b.len() && b[j].is_ascii_hexdigit() {
            mant = mant * 16.0 + (b[j] as char).to_digit(16)? as f64;
            exp -= 4;
            j += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if j < b.len() && b[j] == b'p' {
        j += 1;
        let mut neg = false;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            neg = b[j] == b'-';
            j += 1;
        }
        let ds = j;
        let mut e: i64 = 0;
        while j < b.len() && b[j].is_ascii_digit() {
            e = (e * 10 + (b[j] - b'0') as i64).min(100_000);
            j += 1;
        }
        if j == ds {
            return None;
        }
        exp += if neg { -e } else { e };
    }
    if j != b.len() {
        return None;
    }
    let mut v = mant;
    let mut e = exp.clamp(-100_000, 100_000);
    while e > 0 {
        let k = e.min(1000);
        v *= 2f64.powi(k as i32);
        e -= k;
    }
    while e < 0 {
        let k = (-e).min(1000);
        v *= 2f64.powi(-(k as i32));
        e += k;
    }
    Some(v)
}

/// Where a [`Scanner`] is inside the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Scan {
    #[default]
    Between,
    Comment,
    Token,
    Str,
    StrEscape,
    AfterComma,
}

/// Whether text read so far is an unfinished entry, decided the way [`read_all`] decides
/// "incomplete", but incrementally and without building values: feeding a REPL's lines one
/// by one costs time linear in their total length.
#[derive(Clone, Debug, Default)]
pub struct Scanner {
    /// Open lists (`true`) and quote prefixes waiting for their datum (`false`).
    open: Vec<bool>,
    state: Scan,
    /// The reader fails on this text whatever follows (a stray `)`, a bad escape).
    broken: bool,
}

impl Scanner {
    /// Scan more text.
    pub fn feed(&mut self, text: &str) {
        for &b in text.as_bytes() {
            if self.broken {
                return;
            }
            self.byte(b);
        }
    }

    /// Whether more input could complete the text fed so far (it would be a parse error
    /// with `incomplete` set if evaluated now).
    pub fn needs_more(&self) -> bool {
        if self.broken {
            return false;
        }
        match self.state {
            Scan::Str | Scan::StrEscape => true,
            // A token at the end finishes its quote prefixes; only open lists remain.
            Scan::Token => self.open.contains(&true),
            _ => !self.open.is_empty(),
        }
    }

    fn datum_done(&mut self) {
        while self.open.last() == Some(&false) {
            self.open.pop();
        }
    }

    fn byte(&mut self, b: u8) {
        match self.state {
            Scan::Comment => {
                if b == b'\n' {
                    self.state = Scan::Between;
                }
                return;
            }
            Scan::Str => {
                match b {
                    b'"' => {
                        self.state = Scan::Between;
                        self.datum_done();
                    }
                    b'\\' => self.state = Scan::StrEscape,
                    _ => {}
                }
                return;
            }
            Scan::StrEscape => {
                if matches!(b, b'n' | b't' | b'r' | b'"' | b'\\') {
                    self.state = Scan::Str;
                } else {
                    self.broken = true;
                }
                return;
            }
            Scan::Token => {
                if !(is_space(b) || matches!(b, b'(' | b')' | b';')) {
                    return;
                }
                self.state = Scan::Between;
                self.datum_done();
            }
            Scan::AfterComma => {
                self.state = Scan::Between;
                if b == b'@' {
                    return;
                }
            }
            Scan::Between => {}
        }
        match b {
            _ if is_space(b) => {}
            b';' => self.state = Scan::Comment,
            b'(' => self.open.push(true),
            b')' => match self.open.pop() {
                Some(true) => self.datum_done(),
                _ => self.broken = true,
            },
            b'\'' | b'`' => self.open.push(false),
            b',' => {
                self.open.push(false);
                self.state = Scan::AfterComma;
            }
            b'"' => self.state = Scan::Str,
            _ => self.state = Scan::Token,
        }
    }
}
