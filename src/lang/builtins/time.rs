//! Group `time`: job time (the host's clock; nothing here reads the wall clock).

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!(
        "time.now-ms",
        "time",
        0,
        m(0),
        "(time.now-ms) -> integer",
        "Current job time in whole milliseconds.",
        bi_now_ms
    ),
    Builtin::flow(
        "time.sleep-ms",
        "time",
        1,
        m(1),
        "(time.sleep-ms ms) -> nil",
        "Wait for ms milliseconds of job time (jobs keep running meanwhile).",
        bi_sleep_ms,
    ),
];

fn bi_now_ms(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    let t = c.now_ms();
    Ok(Value::Int(if t.is_finite() { t.floor() as i64 } else { 0 }))
}
fn bi_sleep_ms(_: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    match arg(a, 0) {
        Value::Int(n) if n >= 0 => Ok(Flow::Sleep(n as f64)),
        _ => Err("time.sleep-ms: expected non-negative integer".into()),
    }
}
