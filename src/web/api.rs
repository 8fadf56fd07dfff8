//! A thin JS API, so other pages can embed the evaluator. After the app loads it is on
//! `window.granola` (the `#[wasm_bindgen]` exports that publish these functions are declared in
//! the site's binary, `src/bin/granola-web.rs`: exports declared in the library would be linked
//! into every wasm binary of the crate, the embed's too):
//!
//! - `await granola.eval(source)` → `{stdout, values, error}`; runs on a fresh interpreter
//!   sharing the page's job engine, in slices (the page stays responsive).
//! - `granola.submit(request)` → job id; `request` is a plain object with the fields of a
//!   `vla.submit` request map (`{instruction: "move", action_space: {dims: 2}}`).
//! - `granola.poll(id)` → the `vla.poll` map as a plain object.
//! - `granola.cancel(id)` → the `vla.cancel` result.
//! - `granola.jobs()` → every job, newest first (`{id, kind, state, active, elapsedMs, ...}`).
//!
//! Lisp data crosses as JSON-like values: maps → objects (keys by name), lists → arrays,
//! symbols → strings (keywords keep their `:`), nil → null, opaque values → their printed form.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::lang::Datum;
use crate::vla;

use super::driver;
use super::jobs::snapshots;
use super::runner::{run_source, RunOptions, StopFlag};
use super::session;

#[derive(Serialize)]
struct EvalResult {
    stdout: String,
    values: Vec<String>,
    error: Option<String>,
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// Run muslisp source; resolves to `{stdout, values, error}` (`error` is
/// `line L, column C: message`, or null).
pub async fn eval_source(source: String) -> Result<JsValue, JsValue> {
    let s = session::global_or_new();
    let report = run_source(&s, &source, RunOptions::default(), &StopFlag::new(), |_| {}).await;
    to_js(&EvalResult { stdout: report.stdout, values: report.values, error: report.error })
}

/// Run `op` on the page's job engine (brought up to the clock's job time first), then tell the
/// job views; `Err` texts are the Lisp error messages.
fn with_engine(op: impl FnOnce(&mut crate::jobs::Engine) -> Result<Datum, String>) -> Result<JsValue, JsValue> {
    let s = session::global_or_new();
    s.advance();
    let result = {
        let mut engine = s.engine.try_borrow_mut().map_err(|_| JsValue::from_str("granola: engine busy"))?;
        op(&mut engine)
    };
    driver::poke();
    match result {
        Ok(d) => datum_to_js(&d),
        Err(e) => Err(JsValue::from_str(&e)),
    }
}

/// Submit a VLA job; returns its id.
pub fn submit(request: JsValue) -> Result<JsValue, JsValue> {
    let json: serde_json::Value =
        serde_wasm_bindgen::from_value(request).map_err(|e| JsValue::from_str(&format!("submit: {e}")))?;
    with_engine(|e| vla::submit(e, &json_to_datum(&json)).map(|id| Datum::Int(id as i64)))
}

/// Poll a VLA job (the `vla.poll` map).
pub fn poll(id: f64) -> Result<JsValue, JsValue> {
    with_engine(|e| Ok(vla::poll(e, vla::job_id_arg("vla.poll", &id_datum(id))?)))
}

/// Cancel a job.
pub fn cancel(id: f64) -> Result<JsValue, JsValue> {
    with_engine(|e| Ok(Datum::Bool(vla::cancel(e, vla::job_id_arg("vla.cancel", &id_datum(id))?))))
}

/// Every job of the page's session, newest first.
pub fn jobs() -> Result<JsValue, JsValue> {
    let s = session::global_or_new();
    s.advance();
    let list = match s.engine.try_borrow() {
        Ok(e) => snapshots(&e, usize::MAX),
        Err(_) => Vec::new(),
    };
    to_js(&list)
}

fn id_datum(id: f64) -> Datum {
    if id.is_finite() && id.fract() == 0.0 && id.abs() < 9.0e15 {
        Datum::Int(id as i64)
    } else {
        Datum::Float(id)
    }
}

/// JSON → Datum: objects → maps with symbol keys, arrays → lists, null → nil.
pub fn json_to_datum(v: &serde_json::Value) -> Datum {
    use serde_json::Value as J;
    match v {
        J::Null => Datum::Nil,
        J::Bool(b) => Datum::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Datum::Int(i),
            None => Datum::Float(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => Datum::Str(s.clone()),
        J::Array(items) => Datum::list(items.iter().map(json_to_datum).collect()),
        J::Object(m) => Datum::Map(m.iter().map(|(k, v)| (Datum::sym(k), json_to_datum(v))).collect()),
    }
}

/// Datum → JSON: maps → objects (keys by name), lists → arrays, symbols → strings.
pub fn datum_to_json(d: &Datum) -> serde_json::Value {
    use serde_json::Value as J;
    match d {
        Datum::Nil => J::Null,
        Datum::Bool(b) => J::Bool(*b),
        Datum::Int(i) => J::from(*i),
        Datum::Float(f) => serde_json::Number::from_f64(*f).map(J::Number).unwrap_or(J::Null),
        Datum::Sym(s) | Datum::Str(s) | Datum::Opaque(s) => J::String(s.clone()),
        Datum::Handle { kind, id } => J::String(format!("<{kind}:{id}>")),
        Datum::List(items) => J::Array(items.iter().map(datum_to_json).collect()),
        Datum::Map(entries) => {
            let mut m = serde_json::Map::new();
            for (k, v) in entries {
                let key = match k {
                    Datum::Sym(s) | Datum::Str(s) => s.clone(),
                    Datum::Int(i) => i.to_string(),
                    Datum::Float(f) => f.to_string(),
                    other => format!("{other:?}"),
                };
                m.insert(key, datum_to_json(v));
            }
            J::Object(m)
        }
    }
}

fn datum_to_js(d: &Datum) -> Result<JsValue, JsValue> {
    to_js(&datum_to_json(d))
}
