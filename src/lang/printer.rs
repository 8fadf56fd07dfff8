//! The printer: values to their reference printed forms (`print`/REPL form and `write` form).
//! Iterative, so deep or long structures cannot overflow the host stack.

use super::heap::{Heap, Obj, Symbols, Value};
use super::table::Table;

/// `printf("%.<prec>g")` for a finite or non-finite double (C spelling of inf/nan).
/// [`format_g`] of a finite non-zero `x` whose exact decimal value has at most `p`
/// significant digits and prints in fixed notation (integers, halves, 0.25, 1.125, ...):
/// written from its exact digits, without the big-number arithmetic that `{:.*}` needs
/// for them. `None` for every other number.
fn format_g_short(x: f64, p: usize) -> Option<String> {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 || biased == 0x7ff || p > 30 {
        return None;
    }
    let mut m = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let mut e = biased - 1075;
    let tz = m.trailing_zeros();
    m >>= tz;
    e += tz as i32;
    // |x| = n * 10^-k exactly
    let (n, k): (u128, u32) = if e >= 0 {
        if e > 63 {
            return None;
        }
        ((m as u128) << e, 0)
    } else {
        let k = e.unsigned_abs();
        if k > 40 {
            return None;
        }
        ((m as u128).checked_mul(5u128.checked_pow(k)?)?, k)
    };
    let digits = n.to_string();
    let len = digits.len();
    if len > p {
        return None;
    }
    // the exponent of the leading digit; %g prints fixed notation for -4 <= exp < p
    let exp = len as i64 - 1 - i64::from(k);
    if exp < -4 || exp >= p as i64 {
        return None;
    }
    let k = k as usize;
    let mut out = String::with_capacity(len + 8);
    if x < 0.0 {
        out.push('-');
    }
    if len > k {
        out.push_str(digits.get(..len - k)?);
        let frac = digits.get(len - k..)?.trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
    } else {
        out.push_str("0.");
        out.push_str(&"0".repeat(k - len));
        out.push_str(digits.trim_end_matches('0'));
    }
    Some(out)
}

pub fn format_g(x: f64, prec: usize) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let p = prec.max(1);
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    if let Some(s) = format_g_short(x, p) {
        return s;
    }
    format_g_digits(x, p)
}

/// [`format_g`]'s general case (a finite non-zero `x`), through the standard formatter.
fn format_g_digits(x: f64, p: usize) -> String {
    let e_form = format!("{:.*e}", p - 1, x);
    let (mant, exp) = match e_form.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (e_form.clone(), 0),
    };
    if exp < -4 || exp >= p as i32 {
        let mut m = mant;
        if m.contains('.') {
            while m.ends_with('0') {
                m.pop();
            }
            if m.ends_with('.') {
                m.pop();
            }
        }
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{}{:02}", m, sign, exp.unsigned_abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let mut s = format!("{:.*}", decimals, x);
        if s.contains('.') {
            while s.ends_with('0') {
                s.pop();
            }
            if s.ends_with('.') {
                s.pop();
            }
        }
        s
    }
}

/// The reference float form: `%.15g`, then `.0` when there is no `.`/`e`; `nan`, `inf`.
pub fn format_float(x: f64) -> String {
    let mut s = format_g(x, 15);
    if x.is_finite() && !s.contains(['.', 'e', 'E']) {
        s.push_str(".0");
    }
    s
}

pub fn escape_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out.push('"');
}

enum Task {
    Val(Value),
    /// Continue a list whose next cell is this value.
    Rest(Value),
    Text(&'static str),
}

/// Why [`print`] gave no text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrintError {
    /// `readable` and the value has no readable form: the complete message.
    Unreadable(String),
    /// The text would be longer than the `max` bytes asked for.
    TooLong,
}

/// The type name of `v` as messages use it (`integer`, `map`, `bt_def`, …).
pub fn type_name(heap: &Heap, table: &Table, v: Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Bool(_) => "boolean",
        Value::Int(_) => "integer",
        Value::Float(_) => "float",
        Value::Sym(_) => "symbol",
        Value::Prim(_) => "primitive_fn",
        Value::Handle(h) => table.handle_kind(h.kind()).map(|h| h.name).unwrap_or("handle"),
        Value::Obj(_) => heap.obj(v).map(Obj::type_name).unwrap_or("nil"),
    }
}

/// Print `v`. With `readable`, unreadable values are an error (`write` rules, `who` names
/// the builtin in the message). Stops with [`PrintError::TooLong`] past `max` bytes.
pub fn print(
    heap: &Heap,
    syms: &Symbols,
    table: &Table,
    v: Value,
    readable: bool,
    who: &str,
    max: usize,
) -> Result<String, PrintError> {
    let unreadable = |what: &str| PrintError::Unreadable(format!("{who}: cannot serialise {what} as readable data"));
    let mut out = String::new();
    let mut tasks = vec![Task::Val(v)];
    while let Some(t) = tasks.pop() {
        if out.len() > max {
            return Err(PrintError::TooLong);
        }
        match t {
            Task::Text(s) => out.push_str(s),
            Task::Rest(cell) => match cell {
                Value::Nil => out.push(')'),
                _ => match heap.pair(cell) {
                    Some((a, d)) => {
                        out.push(' ');
                        tasks.push(Task::Rest(d));
                        tasks.push(Task::Val(a));
                    }
                    None => {
                        out.push_str(" . ");
                        tasks.push(Task::Text(")"));
                        tasks.push(Task::Val(cell));
                    }
                },
            },
            Task::Val(v) => match v {
                Value::Nil => out.push_str("nil"),
                Value::Bool(true) => out.push_str("#t"),
                Value::Bool(false) => out.push_str("#f"),
                Value::Int(i) => out.push_str(&i.to_string()),
                Value::Float(f) => {
                    if readable && !f.is_finite() {
                        return Err(PrintError::Unreadable(format!("{who}: non-finite floats are not readable")));
                    }
                    out.push_str(&format_float(f))
                }
                Value::Sym(s) => out.push_str(syms.name(s)),
                Value::Prim(p) => {
                    if readable {
                        return Err(unreadable("primitive_fn"));
                    }
                    out.push_str("<primitive:");
                    out.push_str(table.row(p).map(|b| b.name).unwrap_or("?"));
                    out.push('>');
                }
                Value::Handle(h) => {
                    let id = h.id();
                    let name = table.handle_kind(h.kind()).map(|h| h.name).unwrap_or("handle");
                    if readable {
                        return Err(unreadable(name));
                    }
                    out.push_str(&format!("<{name}:{id}>"));
                }
                Value::Obj(_) => match heap.obj(v) {
                    Some(Obj::Cons { car, cdr, .. }) => {
                        out.push('(');
                        tasks.push(Task::Rest(*cdr));
                        tasks.push(Task::Val(*car));
                    }
                    Some(Obj::Str(s)) => escape_into(&mut out, s),
                    Some(o) => {
                        if readable {
                            return Err(unreadable(o.type_name()));
                        }
                        match o {
                            Obj::Closure { .. } => out.push_str("<closure>"),
                            Obj::Vec(items) => out.push_str(&format!("<vec:{}>", items.len())),
                            Obj::Map(m) => out.push_str(&format!("<map:{}>", m.len())),
                            Obj::Pq(q) => out.push_str(&format!("<pq:{}>", q.heap.len())),
                            Obj::Rng { .. } => out.push_str("<rng>"),
                            Obj::Env { .. } => out.push_str("<environment>"),
                            _ => out.push_str("nil"),
                        }
                    }
                    None => out.push_str("nil"),
                },
            },
        }
    }
    if out.len() > max {
        return Err(PrintError::TooLong);
    }
    Ok(out)
}

/// Printer form, never failing (uncapped: for values whose size the caller bounds).
pub fn show(heap: &Heap, syms: &Symbols, table: &Table, v: Value) -> String {
    print(heap, syms, table, v, false, "print", usize::MAX).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{format_g_digits, format_g_short};

    /// The short-decimal path gives exactly what the general formatter gives.
    #[test]
    fn short_floats_print_as_the_general_path() {
        let mut xs: Vec<f64> = Vec::new();
        for i in -3000i32..3000 {
            for d in [1.0, 2.0, 4.0, 8.0, 16.0, 1024.0, 0.001, 10.0, 3.0] {
                xs.push(f64::from(i) / d);
                xs.push(f64::from(i) * d * 1.0e6);
            }
        }
        let mut state = 0x1234_5678_9abc_def0u64;
        for _ in 0..20000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            xs.push(f64::from_bits(state >> 2));
            xs.push((state % 100_000) as f64 / 64.0);
            xs.push((state >> 11) as f64);
        }
        xs.extend([9007199254740992.0, 9007199254740993.0, 1e16, 1e17, 123456789012345678.0, 0.0001, 0.00001, 5e-324]);
        for x in xs {
            if x == 0.0 || !x.is_finite() {
                continue;
            }
            for p in [6, 15, 17] {
                if let Some(s) = format_g_short(x, p) {
                    assert_eq!(s, format_g_digits(x, p), "{x:e} at {p}");
                }
            }
        }
    }
}
