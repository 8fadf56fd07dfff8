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
