//! The Yew web app (wasm32 only). Thin: it calls the core (`lang`, `jobs`, `vla`, `bridge`).
//!
//! - [`app`]: the shell (header, navigation, search box, hash router, themes) and the home page.
//! - [`session`]: the [`session::Session`] context (shared engine, bridge, clock, version) and
//!   its provider, which also runs the job driver.
//! - [`driver`]: the job driver (a timer that advances the engine on the scaled job clock),
//!   the speed control, job snapshots and a minimal job list with Cancel buttons.
//! - [`runner`]: the `<Runner>` component that runs muslisp in slices on the main thread.
//! - [`api`]: the JS API (`granola.eval`, `submit`, `poll`, `cancel`, `jobs`).
//! - `site` (web2): docs rendering, editor, search, jobs panel, playground, tour, bridge console.

pub mod api;
pub mod app;
pub mod driver;
pub mod runner;
pub mod session;
pub mod site;

/// Milliseconds from the browser's monotonic clock (`performance.now()`); 0 if unavailable.
pub fn wall_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// `localStorage`, if the browser allows it.
pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Read a remembered setting.
pub fn load_setting(key: &str) -> Option<String> {
    local_storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Remember a setting (silently ignored when storage is unavailable).
pub fn save_setting(key: &str, value: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(key, value);
    }
}
