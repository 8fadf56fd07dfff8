//! Group `predicates`: number type tests.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!("number?", "predicates", 1, m(1), "(number? x) -> boolean", "True for integers and floats.", bi_numberp),
    b!(
        "integer?",
        "predicates",
        1,
        m(1),
        "(integer? x) -> boolean",
        "True for integers (not for floats with integral value).",
        bi_integerp
    ),
    b!("int?", "predicates", 1, m(1), "(int? x) -> boolean", "Alias of integer?.", bi_integerp),
    b!("float?", "predicates", 1, m(1), "(float? x) -> boolean", "True for floats.", bi_floatp),
    b!(
        "zero?",
        "predicates",
        1,
        m(1),
        "(zero? x) -> boolean",
        "True for integer 0 and float 0.0 or -0.0; false for anything else.",
        bi_zerop
    ),
];

fn bi_numberp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(matches!(arg(a, 0), Value::Int(_) | Value::Float(_))))
}
fn bi_integerp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(matches!(arg(a, 0), Value::Int(_))))
}
fn bi_floatp(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(matches!(arg(a, 0), Value::Float(_))))
}
fn bi_zerop(_: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(match arg(a, 0) {
        Value::Int(i) => i == 0,
        Value::Float(f) => f == 0.0,
        _ => false,
    }))
}
