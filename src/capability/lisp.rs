//! The `cap.call` row (group `cap`, next to `cap.list`/`cap.describe` of the VLA front end)
//! and the `model-service` group of the builtin table.

use super::{call, model_service, Echo};
use crate::lang::fields::normalize_key;
use crate::lang::heap::{MapKey, Obj};
use crate::lang::{Builtin, Ctx, FrontEnd, Value};

/// The capability front end (`cap.call`, `model-service.*`); no per-interpreter state.
pub static FRONT_END: FrontEnd =
    FrontEnd { name: "capability", groups: &[CAP_ROWS, MODEL_SERVICE_ROWS], handles: &[], install: None };

static CAP_ROWS: &[Builtin] = &[Builtin::plain(
    "cap.call",
    "cap",
    1,
    Some(1),
    "(cap.call request) -> map",
    "Call a capability: the echo test capability, the mock robot adapters, or the model-service ids.",
    lisp_cap_call,
)];

static MODEL_SERVICE_ROWS: &[Builtin] = &[
    Builtin::plain(
        "model-service.configure",
        "model-service",
        1,
        Some(1),
        "(model-service.configure config) -> boolean",
        "Configure the model-service bridge (not built in: always an error here).",
        lisp_ms_configure,
    ),
    Builtin::plain(
        "model-service.check",
        "model-service",
        0,
        Some(0),
        "(model-service.check) -> map",
        "Check the configured model service against the capabilities Granola needs.",
        lisp_ms_check,
    ),
    Builtin::plain(
        "model-service.clear",
        "model-service",
        0,
        Some(0),
        "(model-service.clear) -> nil",
        "Forget the model-service configuration.",
        lisp_ms_clear,
    ),
    Builtin::plain(
        "model-service.info",
        "model-service",
        0,
        Some(0),
        "(model-service.info) -> map",
        "The model-service bridge settings (unconfigured defaults here).",
        lisp_ms_info,
    ),
];

/// The value of the first symbol/string key of the map `m` that normalises to `key`.
pub(crate) fn map_value(c: &Ctx, m: Value, key: &str) -> Option<Value> {
    let Some(Obj::Map(map)) = c.heap.obj(m) else { return None };
    map.iter().find_map(|(k, v)| {
        let text = match k {
            MapKey::Sym(s) => c.syms.name(*s),
            MapKey::Str(s) => s.as_str(),
            _ => return None,
        };
        (normalize_key(text) == key).then_some(v)
    })
}

fn lisp_cap_call(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let req = c.to_datum(a[0]).map_err(|e| format!("cap.call: {e}"))?;
    let (out, echo) = call(&req)?;
    let v = c.from_datum(&out).map_err(|e| format!("cap.call: {e}"))?;
    // The echo is the caller's own value (same identity), as in the reference.
    let original = match echo {
        Echo::None => None,
        Echo::Payload => map_value(c, a[0], "payload"),
        Echo::Request => Some(a[0]),
    };
    if let Some(orig) = original {
        let key = c.syms.intern("echo");
        if let Some(Obj::Map(m)) = c.heap.obj_mut(v) {
            m.set(MapKey::Sym(key), orig);
        }
    }
    Ok(v)
}

fn datum(c: &mut Ctx, who: &str, d: &crate::lang::Datum) -> Result<Value, String> {
    c.from_datum(d).map_err(|e| format!("{who}: {e}"))
}

fn lisp_ms_configure(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let cfg = c.to_datum(a[0]).unwrap_or(crate::lang::Datum::Nil);
    let d = model_service::configure(&cfg)?;
    datum(c, "model-service.configure", &d)
}

fn lisp_ms_check(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    datum(c, "model-service.check", &model_service::check())
}

fn lisp_ms_clear(_: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    Ok(Value::Nil)
}

fn lisp_ms_info(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    datum(c, "model-service.info", &model_service::info())
}
