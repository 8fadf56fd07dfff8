//! Group `help`: `help` and `apropos`, read from the composed table.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!(
        "help",
        "help",
        0,
        m(1),
        "(help [name]) -> nil",
        "Print a builtin's or special form's signature and summary; with no argument, list the groups.",
        bi_help
    ),
    b!(
        "apropos",
        "help",
        1,
        m(1),
        "(apropos text) -> list",
        "Names of builtins and special forms containing text.",
        bi_apropos
    ),
];

fn name_arg(c: &Ctx, v: Value, who: &str) -> Result<String, String> {
    match v {
        Value::Prim(p) => Ok(c.table.row(p).map(|b| b.name).unwrap_or("?").to_string()),
        _ => text_arg(c.heap, c.syms, v).map(str::to_string).ok_or_else(|| format!("{who}: expected string or symbol")),
    }
}
fn bi_help(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    if a.is_empty() {
        let mut out = String::from("Builtin groups (try (help 'name) or (apropos \"text\")):\n");
        let table = c.table;
        out.push_str(&format!("  special: {}\n", table.special_forms().map(|b| b.name).collect::<Vec<_>>().join(" ")));
        for g in table.groups() {
            let names: Vec<&str> = table.builtins().filter(|b| b.group == *g).map(|b| b.name).collect();
            out.push_str(&format!("  {g}: {}\n", names.join(" ")));
        }
        c.emit(&out);
        return Ok(Value::Nil);
    }
    let name = name_arg(c, arg(a, 0), "help")?;
    let info = c.table.lookup_any(&name).ok_or_else(|| format!("help: no builtin or special form named {name}"))?;
    let kind = if info.is_special_form() { "special form".to_string() } else { format!("group {}", info.group) };
    let text = format!("{}\n  {}\n  ({kind})\n", info.signature, info.summary);
    c.emit(&text);
    Ok(Value::Nil)
}
fn bi_apropos(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let needle = name_arg(c, arg(a, 0), "apropos")?;
    let names: Vec<&str> = c
        .table
        .special_forms()
        .chain(c.table.builtins())
        .map(|b| b.name)
        .filter(|n| n.contains(needle.as_str()))
        .collect();
    let vals: Vec<Value> = names.iter().map(|n| Value::Sym(c.syms.intern(n))).collect();
    Ok(c.heap.list(&vals))
}
