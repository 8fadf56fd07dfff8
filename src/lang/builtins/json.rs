//! Group `json`: `json.encode` / `json.decode` (the codec is `lang::json`).

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!(
        "json.encode",
        "json",
        1,
        m(1),
        "(json.encode x) -> string",
        "Encode data as compact JSON; map keys sorted.",
        bi_json_encode
    ),
    b!(
        "json.decode",
        "json",
        1,
        m(1),
        "(json.decode text) -> value",
        "Decode JSON text; objects become maps with string keys, arrays lists.",
        bi_json_decode
    ),
];

fn bi_json_encode(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let text = super::super::json::encode(c, arg(a, 0))?;
    Ok(c.heap.string(text))
}

fn bi_json_decode(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let text = c.heap.str_of(arg(a, 0)).ok_or("json.decode: expected string")?.to_string();
    super::super::json::decode(c, &text)
}
