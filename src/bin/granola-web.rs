//! The browser entry point (built by Trunk for wasm32). Natively it is an empty program.

#[cfg(target_arch = "wasm32")]
fn main() {
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(boot) = document.as_ref().and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    yew::Renderer::<granola::web::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}

/// The JS API (`window.granola`, see `granola::web::api`), exported from this binary only.
#[cfg(target_arch = "wasm32")]
mod exports {
    use granola::web::api;
    use wasm_bindgen::prelude::*;

    /// A Promise of `{stdout, values, error}` (the library's future itself, not wrapped in a
    /// second one).
    #[wasm_bindgen(js_name = evalSource)]
    pub fn eval_source(source: String) -> js_sys::Promise {
        wasm_bindgen_futures::future_to_promise(api::eval_source(source))
    }

    #[wasm_bindgen]
    pub fn submit(request: JsValue) -> Result<JsValue, JsValue> {
        api::submit(request)
    }

    #[wasm_bindgen]
    pub fn poll(id: f64) -> Result<JsValue, JsValue> {
        api::poll(id)
    }

    #[wasm_bindgen]
    pub fn cancel(id: f64) -> Result<JsValue, JsValue> {
        api::cancel(id)
    }

    #[wasm_bindgen]
    pub fn jobs() -> Result<JsValue, JsValue> {
        api::jobs()
    }
}
