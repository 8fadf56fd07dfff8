//! Browser tests of the JS API (`window.granola`: `evalSource`, `submit`, `poll`, `cancel`,
//! `jobs`) called as the page calls it, on the global session: results, the `vla.*` maps as
//! plain objects, and the Lisp error messages thrown as strings.
#![cfg(target_arch = "wasm32")]

use granola::web::api;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn request(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

#[wasm_bindgen_test]
async fn eval_returns_stdout_values_and_a_located_error() {
    let r = api::eval_source("(define x 20)\n(print \"hi\")\n(+ x 1)".into()).await.unwrap();
    assert_eq!(get(&r, "stdout").as_string().unwrap(), "20\n\"hi\"\nnil\n21\n");
    assert!(get(&r, "error").is_null());
    let r = api::eval_source("(+ 1 2)\n(car 5)\n(+ 3 4)".into()).await.unwrap();
    assert_eq!(get(&r, "error").as_string().unwrap(), "line 2, column 1: car: expected cons");
    assert_eq!(get(&r, "stdout").as_string().unwrap(), "3\n", "the rest is not run");
}

#[wasm_bindgen_test]
fn submit_poll_cancel_and_jobs() {
    let id = api::submit(request(r#"{"instruction":"wave","action_space":{"dims":1}}"#)).unwrap();
    let id = id.as_f64().expect("a numeric job id");
    assert!(id >= 1.0);
    let p = api::poll(id).unwrap();
    let status = get(&p, "status").as_string().unwrap();
    assert!([":queued", ":streaming", ":done"].contains(&status.as_str()), "status {status}");
    assert!(get(&get(&p, "stats"), "latency_ms").as_f64().is_some());
    let listed = js_sys::Array::from(&api::jobs().unwrap());
    assert!(listed
        .iter()
        .any(|j| get(&j, "id").as_f64() == Some(id) && get(&j, "kind").as_string().as_deref() == Some("vla")));
    let cancelled = api::cancel(id).unwrap();
    assert!(cancelled.as_bool().is_some(), "cancel answers a boolean");
    // an unknown id polls as {status :error, stats {}}, as in Lisp
    let unknown = api::poll(1.0e6).unwrap();
    assert_eq!(get(&unknown, "status").as_string().unwrap(), ":error");
}

#[wasm_bindgen_test]
fn bad_arguments_throw_the_lisp_messages() {
    let e = api::poll(1.5).unwrap_err();
    assert_eq!(e.as_string().unwrap(), "vla.poll: expected integer");
    let e = api::cancel(0.0).unwrap_err();
    assert_eq!(e.as_string().unwrap(), "vla.cancel: job id must be > 0");
    let e = api::cancel(-3.0).unwrap_err();
    assert_eq!(e.as_string().unwrap(), "vla.cancel: expected non-negative integer");
    let e = api::submit(request(r#"{"instruction":"wave","action_space":{"dims":0}}"#)).unwrap_err();
    assert_eq!(e.as_string().unwrap(), "vla.submit: action_space.dims must be > 0");
    let e = api::submit(request("[1, 2]")).unwrap_err();
    assert_eq!(e.as_string().unwrap(), "vla.submit: expected request map");
}
