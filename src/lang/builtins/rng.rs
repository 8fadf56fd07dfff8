//! Group `rng`: SplitMix64 generators.

use super::*;
use crate::lang::splitmix::splitmix64;

pub(super) static ROWS: &[Builtin] = &[
    b!(
        "rng.make",
        "rng",
        1,
        m(1),
        "(rng.make seed) -> rng",
        "A new SplitMix64 random generator from an integer seed.",
        bi_rng_make
    ),
    b!("rng.uniform", "rng", 3, m(3), "(rng.uniform r lo hi) -> float", "Uniform float in [lo, hi).", bi_rng_uniform),
    b!("rng.int", "rng", 2, m(2), "(rng.int r n) -> integer", "Uniform integer in [0, n).", bi_rng_int),
    b!(
        "rng.normal",
        "rng",
        3,
        m(3),
        "(rng.normal r mu sigma) -> float",
        "Normally distributed float (Box-Muller).",
        bi_rng_normal
    ),
];

fn unit(state: &mut u64) -> f64 {
    (splitmix64(state) >> 11) as f64 * (1.0 / 9007199254740992.0)
}
fn rng_state<'h>(heap: &'h mut Heap, name: &str, v: Value) -> Result<(&'h mut u64, &'h mut Option<f64>), String> {
    match heap.obj_mut(v) {
        Some(Obj::Rng { state, spare }) => Ok((state, spare)),
        _ => Err(format!("{name}: expected rng")),
    }
}
fn bi_rng_make(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    match arg(a, 0) {
        Value::Int(s) => Ok(c.heap.alloc(Obj::Rng { state: s as u64, spare: None })),
        _ => Err("rng.make: expected integer".into()),
    }
}
fn bi_rng_uniform(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let lo = num1("rng.uniform", a, 1)?;
    let hi = num1("rng.uniform", a, 2)?;
    let (st, _) = rng_state(c.heap, "rng.uniform", arg(a, 0))?;
    if lo > hi {
        return Err("rng.uniform: expected lo <= hi".into());
    }
    if lo == hi {
        return Ok(Value::Float(lo));
    }
    Ok(Value::Float(lo + (hi - lo) * unit(st)))
}
fn bi_rng_int(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let n = match arg(a, 1) {
        Value::Int(n) => n,
        _ => return Err("rng.int: expected integer".into()),
    };
    let (st, _) = rng_state(c.heap, "rng.int", arg(a, 0))?;
    if n <= 0 {
        return Err("rng.int: expected n > 0".into());
    }
    let n = n as u64;
    let threshold = n.wrapping_neg() % n;
    loop {
        let d = splitmix64(st);
        if d >= threshold {
            return Ok(Value::Int((d % n) as i64));
        }
    }
}
fn bi_rng_normal(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let mu = num1("rng.normal", a, 1)?;
    let sigma = num1("rng.normal", a, 2)?;
    let (st, spare) = rng_state(c.heap, "rng.normal", arg(a, 0))?;
    if sigma < 0.0 {
        return Err("rng.normal: expected sigma >= 0".into());
    }
    if sigma == 0.0 {
        return Ok(Value::Float(mu));
    }
    if let Some(z) = spare.take() {
        return Ok(Value::Float(mu + sigma * z));
    }
    let mut u1 = unit(st);
    if u1 == 0.0 {
        u1 = f64::MIN_POSITIVE;
    }
    let u2 = unit(st);
    let r = (-2.0 * u1.ln()).sqrt();
    let th = 2.0 * std::f64::consts::PI * u2;
    *spare = Some(r * th.sin());
    Ok(Value::Float(mu + sigma * r * th.cos()))
}
