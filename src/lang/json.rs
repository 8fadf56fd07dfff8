//! The JSON codec behind `json.encode` and `json.decode` (reference section 4.5): compact
//! output with map keys sorted, `%.17g` floats; decoding objects to maps with string keys and
//! arrays to lists. Nesting is bounded by `Limits::max_json_depth`.

use super::ctx::Ctx;
use super::heap::{MapKey, MapObj, Obj, Value};
use super::textfmt::{format_g, push_g, push_quoted};
use std::borrow::Cow;
use std::fmt::Write as _;

/// `(json.encode v)`'s text.
pub(crate) fn encode(c: &mut Ctx, v: Value) -> Result<String, String> {
    let mut out = String::new();
    match json_enc(c, v, &mut out, 0) {
        Ok(()) => Ok(out),
        Err(e) if e.contains(HEAP_LIMIT) => Err(c.limit_error(e)),
        Err(e) => Err(e),
    }
}

const HEAP_LIMIT: &str = "heap limit exceeded";

/// `(json.decode text)`'s value.
pub(crate) fn decode(c: &mut Ctx, text: &str) -> Result<Value, String> {
    let mut p = JsonIn { b: text.as_bytes(), i: 0 };
    let v = json_value(c, &mut p, 0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(jerr("trailing characters"));
    }
    Ok(v)
}

fn json_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err("json.encode: non-finite floats are not supported".into());
    }
    Ok(format_g(f, 17))
}

fn json_enc(c: &Ctx, v: Value, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > c.svc.limits.max_json_depth {
        return Err("json.encode: nesting too deep".into());
    }
    if out.len() > c.heap.room() {
        return Err(format!("json.encode: {HEAP_LIMIT} ({} bytes)", c.heap.cap()));
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => {
            if !f.is_finite() {
                return Err("json.encode: non-finite floats are not supported".into());
            }
            push_g(out, f, 17);
        }
        Value::Sym(s) => push_quoted(out, c.syms.name(s)),
        Value::Prim(_) => return Err("json.encode: unsupported value type: primitive_fn".into()),
        Value::Handle(handle) => match c.table.handle_kind(handle.kind()) {
            Some(h) => match h.json {
                Some(f) => out.push_str(&f(h, handle.id())),
                None => return Err(format!("json.encode: unsupported value type: {}", h.name)),
            },
            None => return Err("json.encode: unsupported value type: handle".into()),
        },
        Value::Obj(_) => match c.heap.obj(v) {
            Some(Obj::Str(s)) => push_quoted(out, s),
            Some(Obj::Cons { .. }) => {
                // (checked whole first: an improper list fails before any element is encoded)
                let mut cur = v;
                while let Some((_, d)) = c.heap.pair(cur) {
                    cur = d;
                }
                if !matches!(cur, Value::Nil) {
                    return Err("json.encode: expected proper list".into());
                }
                out.push('[');
                let mut cur = v;
                let mut first = true;
                while let Some((a, d)) = c.heap.pair(cur) {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    json_enc(c, a, out, depth + 1)?;
                    cur = d;
                }
                out.push(']');
            }
            Some(Obj::Vec(items)) => json_array(c, items, out, depth)?,
            Some(Obj::Map(mo)) => {
                // Each value is encoded once into one scratch buffer; entries keep the key
                // (borrowed where it can be) and where their value's text sits.
                let mut texts = String::new();
                let mut entries: Vec<(Cow<str>, usize, usize)> = Vec::with_capacity(mo.len());
                for (k, val) in mo.iter() {
                    let kt: Cow<str> = match k {
                        MapKey::Sym(s) => Cow::Borrowed(c.syms.name(*s)),
                        MapKey::Str(s) => Cow::Borrowed(s.as_str()),
                        MapKey::Int(i) => Cow::Owned(i.to_string()),
                        MapKey::Float(bits) => Cow::Owned(json_float(f64::from_bits(*bits))?),
                    };
                    let start = texts.len();
                    json_enc(c, val, &mut texts, depth + 1)?;
                    entries.push((kt, start, texts.len()));
                }
                let text = |e: &(Cow<str>, usize, usize)| texts.get(e.1..e.2).unwrap_or("");
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then_with(|| text(a).cmp(text(b))));
                out.push('{');
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_quoted(out, &e.0);
                    out.push(':');
                    out.push_str(text(e));
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
    // The common case, no escapes: one copy of the slice.
    let rest = p.b.get(p.i..).unwrap_or(&[]);
    if let Some(n) = rest.iter().position(|&b| b == b'"' || b == b'\\') {
        if rest.get(n) == Some(&b'"') {
            let s = String::from_utf8_lossy(rest.get(..n).unwrap_or(&[])).into_owned();
            p.i += n + 1;
            return Ok(s);
        }
    }
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
    Ok(String::from_utf8(s).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

fn json_value(c: &mut Ctx, p: &mut JsonIn, depth: usize) -> Result<Value, String> {
    if depth > c.svc.limits.max_json_depth {
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
