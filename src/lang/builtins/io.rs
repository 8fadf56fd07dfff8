//! Group `io`: output and the readable (`write`) form.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    b!(
        "print",
        "io",
        0,
        N,
        "(print x...) -> nil",
        "Print the values in printer form separated by spaces, then a newline.",
        bi_print
    ),
    b!(
        "write",
        "io",
        1,
        m(1),
        "(write x) -> x",
        "Print x in readable form and a newline; unreadable values are an error.",
        bi_write
    ),
    b!(
        "write-to-string",
        "io",
        1,
        m(1),
        "(write-to-string x) -> string",
        "The readable form of x as a string.",
        bi_write_to_string
    ),
    b!(
        "save",
        "io",
        2,
        m(2),
        "(save path x) -> #t",
        "Write x's readable form to a file so that load returns it.",
        bi_save
    ),
];

/// Bytes of output left before the output limit.
fn out_room(c: &Ctx) -> usize {
    c.svc.limits.max_output_bytes.saturating_sub(c.svc.out_bytes)
}

/// `v` printed for output: `None` when it would not fit in what is left of the output
/// limit (the caller then reports the overflow).
fn for_output(c: &mut Ctx, v: Value, readable: bool, room: usize) -> Result<Option<String>, String> {
    match printer::print(c.heap, c.syms, c.table, v, readable, "write", room) {
        Ok(s) => Ok(Some(s)),
        Err(PrintError::TooLong) => {
            c.flags |= Ctx::OUT_EXCEEDED;
            Ok(None)
        }
        Err(PrintError::Unreadable(m)) => Err(m),
    }
}

/// `v`'s readable form as a new string's text, bounded by the heap limit.
fn readable(c: &mut Ctx, v: Value, who: &str) -> Result<String, String> {
    match printer::print(c.heap, c.syms, c.table, v, true, "write", c.heap.room()) {
        Ok(s) => Ok(s),
        Err(PrintError::TooLong) => {
            let msg = format!("{who}: heap limit exceeded ({} bytes)", c.heap.cap());
            Err(c.limit_error(msg))
        }
        Err(PrintError::Unreadable(m)) => Err(m),
    }
}

fn bi_print(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let mut line = String::new();
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        let room = out_room(c).saturating_sub(line.len());
        match for_output(c, *v, false, room)? {
            Some(s) => line.push_str(&s),
            None => return Ok(Value::Nil),
        }
    }
    line.push('\n');
    c.emit(&line);
    Ok(Value::Nil)
}
fn bi_write(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let room = out_room(c);
    let Some(mut s) = for_output(c, arg(a, 0), true, room)? else {
        return Ok(Value::Nil);
    };
    s.push('\n');
    c.emit(&s);
    Ok(arg(a, 0))
}
fn bi_write_to_string(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let s = readable(c, arg(a, 0), "write-to-string")?;
    Ok(c.heap.string(s))
}
fn bi_save(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let path = c.heap.str_of(arg(a, 0)).ok_or("save: expected file path string")?.to_string();
    let x = arg(a, 1);
    let body = readable(c, x, "save")?;
    let text = match x {
        Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) => body,
        _ if c.heap.str_of(x).is_some() => body,
        _ => format!("(quote {body})"),
    };
    match c.svc.files.as_deref_mut() {
        Some(f) => f.write(&path, &text).map_err(|e| format!("save: {e}"))?,
        None => return Err("save: files cannot be written here (this host has no file system)".into()),
    }
    Ok(Value::Bool(true))
}
