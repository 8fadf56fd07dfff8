//! Group `math`: arithmetic, comparison and elementary functions.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!(
        "+",
        "math",
        0,
        N,
        "(+ x...) -> number",
        "Sum; integer if every argument is an integer (checked), else float.",
        bi_add
    ),
    b!(
        "-",
        "math",
        1,
        N,
        "(- x y...) -> number",
        "Subtract the rest from the first; with one argument, negate.",
        bi_sub
    ),
    b!(
        "*",
        "math",
        0,
        N,
        "(* x...) -> number",
        "Product; integer if every argument is an integer (checked), else float.",
        bi_mul
    ),
    b!(
        "/",
        "math",
        1,
        N,
        "(/ x y...) -> float",
        "Divide, always as floats; with one argument, the reciprocal. No division-by-zero error.",
        bi_div
    ),
    b!("=", "math", 2, N, "(= x y z...) -> boolean", "Numeric equality over each adjacent pair.", bi_num_eq),
    b!("<", "math", 2, N, "(< x y z...) -> boolean", "Strictly increasing over each adjacent pair.", bi_lt),
    b!(">", "math", 2, N, "(> x y z...) -> boolean", "Strictly decreasing over each adjacent pair.", bi_gt),
    b!("<=", "math", 2, N, "(<= x y z...) -> boolean", "Non-decreasing over each adjacent pair.", bi_le),
    b!(">=", "math", 2, N, "(>= x y z...) -> boolean", "Non-increasing over each adjacent pair.", bi_ge),
    b!("sqrt", "math", 1, m(1), "(sqrt x) -> float", "Square root; x must not be negative.", bi_sqrt),
    b!("log", "math", 1, m(1), "(log x) -> float", "Natural logarithm; x must be positive.", bi_log),
    b!("exp", "math", 1, m(1), "(exp x) -> float", "e raised to x.", bi_exp),
    b!("atan2", "math", 2, m(2), "(atan2 y x) -> float", "Angle of the point (x, y) in radians.", bi_atan2),
    b!("abs", "math", 1, m(1), "(abs x) -> number", "Absolute value, keeping the number's type.", bi_abs),
    b!("clamp", "math", 3, m(3), "(clamp x lo hi) -> number", "Limit x to the range [lo, hi].", bi_clamp),
];

fn check_nums(name: &str, a: &[Value]) -> Result<bool, String> {
    let mut any_float = false;
    for v in a {
        match v {
            Value::Int(_) => {}
            Value::Float(_) => any_float = true,
            _ => return Err(format!("{name}: expected number")),
        }
    }
    Ok(any_float)
}

fn ints(a: &[Value]) -> impl Iterator<Item = i64> + '_ {
    a.iter().map(|v| if let Value::Int(i) = v { *i } else { 0 })
}
fn floats(a: &[Value]) -> impl Iterator<Item = f64> + '_ {
    a.iter().map(|v| num(*v).unwrap_or(0.0))
}

fn bi_add(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if let [Value::Int(x), Value::Int(y)] = a {
        return x.checked_add(*y).map(Value::Int).ok_or_else(|| "+: integer overflow".into());
    }
    if check_nums("+", a)? {
        Ok(Value::Float(floats(a).sum()))
    } else {
        let mut acc: i64 = 0;
        for i in ints(a) {
            acc = acc.checked_add(i).ok_or("+: integer overflow")?;
        }
        Ok(Value::Int(acc))
    }
}
fn bi_sub(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if let [Value::Int(x), Value::Int(y)] = a {
        return x.checked_sub(*y).map(Value::Int).ok_or_else(|| "-: integer overflow".into());
    }
    let fl = check_nums("-", a)?;
    if a.len() == 1 {
        return match arg(a, 0) {
            Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(|| "-: integer overflow".into()),
            v => Ok(Value::Float(-num(v).unwrap_or(0.0))),
        };
    }
    if fl {
        let mut it = floats(a);
        let first = it.next().unwrap_or(0.0);
        Ok(Value::Float(it.fold(first, |x, y| x - y)))
    } else {
        let mut it = ints(a);
        let mut acc = it.next().unwrap_or(0);
        for i in it {
            acc = acc.checked_sub(i).ok_or("-: integer overflow")?;
        }
        Ok(Value::Int(acc))
    }
}
fn bi_mul(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if check_nums("*", a)? {
        Ok(Value::Float(floats(a).product()))
    } else {
        let mut acc: i64 = 1;
        for i in ints(a) {
            acc = acc.checked_mul(i).ok_or("*: integer overflow")?;
        }
        Ok(Value::Int(acc))
    }
}
fn bi_div(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    check_nums("/", a)?;
    let mut it = floats(a);
    let first = it.next().unwrap_or(0.0);
    if a.len() == 1 {
        return Ok(Value::Float(1.0 / first));
    }
    Ok(Value::Float(it.fold(first, |x, y| x / y)))
}

fn compare(name: &str, a: &[Value], ok: fn(std::cmp::Ordering) -> bool) -> Result<Value, String> {
    for w in a.windows(2) {
        let (x, y) = (w[0], w[1]);
        let ord = match (x, y) {
            (Value::Int(p), Value::Int(q)) => Some(p.cmp(&q)),
            _ => {
                let p = num(x).ok_or_else(|| format!("{name}: expected number"))?;
                let q = num(y).ok_or_else(|| format!("{name}: expected number"))?;
                p.partial_cmp(&q)
            }
        };
        match ord {
            Some(o) if ok(o) => {}
            _ => return Ok(Value::Bool(false)),
        }
    }
    Ok(Value::Bool(true))
}
fn bi_num_eq(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare("=", a, |o| o.is_eq())
}
fn bi_lt(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare("<", a, |o| o.is_lt())
}
fn bi_gt(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare(">", a, |o| o.is_gt())
}
fn bi_le(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare("<=", a, |o| o.is_le())
}
fn bi_ge(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    compare(">=", a, |o| o.is_ge())
}
fn bi_sqrt(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let x = num1("sqrt", a, 0)?;
    if x < 0.0 {
        return Err("sqrt: expected x >= 0".into());
    }
    Ok(Value::Float(x.sqrt()))
}
fn bi_log(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let x = num1("log", a, 0)?;
    if x <= 0.0 {
        return Err("log: expected x > 0".into());
    }
    Ok(Value::Float(x.ln()))
}
fn bi_exp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Float(num1("exp", a, 0)?.exp()))
}
fn bi_atan2(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let y = num1("atan2", a, 0)?;
    let x = num1("atan2", a, 1)?;
    Ok(Value::Float(y.atan2(x)))
}
fn bi_abs(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    match arg(a, 0) {
        Value::Int(i) => i.checked_abs().map(Value::Int).ok_or_else(|| "abs: integer overflow".into()),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        _ => Err("abs: expected number".into()),
    }
}
fn bi_clamp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if let [Value::Int(x), Value::Int(lo), Value::Int(hi)] = a {
        if lo > hi {
            return Err("clamp: expected lo <= hi".into());
        }
        return Ok(Value::Int((*x).max(*lo).min(*hi)));
    }
    let x = num1("clamp", a, 0)?;
    let lo = num1("clamp", a, 1)?;
    let hi = num1("clamp", a, 2)?;
    if lo > hi {
        return Err("clamp: expected lo <= hi".into());
    }
    Ok(Value::Float(if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }))
}
