//! Small browser helpers shared by the app: clocks, remembered settings (localStorage), hash
//! navigation, DOM look-ups, share-link encoding and the one job-time format.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

// ---------------------------------------------------------------- clocks

pub use crate::runtime::browser::wall_now;

/// Unix time in ms.
pub fn unix_ms() -> f64 {
    js_sys::Date::now()
}

// ---------------------------------------------------------------- storage

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Read a localStorage entry.
pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Write a localStorage entry (ignored when storage is unavailable or full).
pub fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Forget a localStorage entry.
pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

// ---------------------------------------------------------------- navigation

/// The current location hash, with its `#` (`#/reference/map.get`), or empty.
pub fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// A query parameter of the hash (`#/playground?code=...` → `hash_query("code")`), decoded
/// (`%XX` and `+`).
pub fn hash_query(key: &str) -> Option<String> {
    let hash = current_hash();
    let (_, query) = hash.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode_component(k) == key).then(|| decode_component(&v.replace('+', " ")))
    })
}

/// Go to a hash route (`#/reference/map.get`); the router re-renders on `hashchange`.
pub fn navigate(href: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(href);
    }
}

/// `decodeURIComponent`, or the text as given when it is not valid percent-encoding.
pub fn decode_component(s: &str) -> String {
    js_sys::decode_uri_component(s).map(String::from).unwrap_or_else(|_| s.to_string())
}

/// `encodeURIComponent`.
pub fn encode_component(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// Calls `f` on every `hashchange` until the returned guard is dropped.
pub fn on_hash_change(f: impl Fn() + 'static) -> Option<Listener> {
    let window = web_sys::window()?;
    Some(Listener::new(&window, "hashchange", move |_| f()))
}

// ---------------------------------------------------------------- DOM

/// The element with this id, as `T`.
pub fn by_id<T: JsCast>(id: &str) -> Option<T> {
    web_sys::window()?.document()?.get_element_by_id(id)?.dyn_into::<T>().ok()
}

/// Scrolls the element with this id into view (if there is one).
pub fn scroll_to_id(id: &str) {
    if let Some(el) = by_id::<web_sys::Element>(id) {
        el.scroll_into_view();
    }
}

/// An event listener that is removed when dropped (hold it in an effect's cleanup).
pub struct Listener {
    target: web_sys::EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    /// Listens for `event` on `target` (scroll events do not bubble: listen on the element).
    pub fn new(
        target: &web_sys::EventTarget,
        event: &'static str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Listener {
        let callback = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        Listener { target: target.clone(), event, callback }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.event, self.callback.as_ref().unchecked_ref());
    }
}

/// Writes `text` to the clipboard where the browser allows it (silently does nothing otherwise;
/// a refusal is caught, not reported as an error). The text is also kept as
/// `window.__granolaCopied` (tests read it; headless browsers often refuse the clipboard).
pub fn copy_to_clipboard(text: &str) {
    let Some(w) = web_sys::window() else { return };
    let _ = js_sys::Reflect::set(&w, &"__granolaCopied".into(), &wasm_bindgen::JsValue::from_str(text));
    let Ok(nav) = js_sys::Reflect::get(&w, &"navigator".into()) else { return };
    let Ok(clip) = js_sys::Reflect::get(&nav, &"clipboard".into()) else { return };
    if clip.is_undefined() {
        return;
    }
    if let Ok(f) = js_sys::Reflect::get(&clip, &"writeText".into()) {
        if let Ok(f) = f.dyn_into::<js_sys::Function>() {
            if let Ok(p) = f.call1(&clip, &wasm_bindgen::JsValue::from_str(text)) {
                if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
                    let ignore = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
                    let _ = p.catch(&ignore);
                    ignore.forget();
                }
            }
        }
    }
}

// ---------------------------------------------------------------- text

/// FNV-1a 64-bit hash as 16 hex digits: the key of an example's saved edits.
pub fn hash_hex(text: &str) -> String {
    format!("{:016x}", crate::lang::fnv::fnv1a64_standard(text.as_bytes()))
}

/// Base64url (no padding) of UTF-8 text, for share links.
pub fn encode_b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.as_bytes())
}

/// The text of a base64url share link (padding tolerated), if it is valid UTF-8.
pub fn decode_b64(text: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim().trim_end_matches('=')).ok()?;
    String::from_utf8(bytes).ok()
}

/// Job milliseconds for display: `850 ms`, `12.4 s`, `3 min 5 s`.
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        return "–".into();
    }
    if ms < 1000.0 {
        format!("{:.0} ms", ms)
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        let s = (ms / 1000.0).round() as u64;
        format!("{} min {} s", s / 60, s % 60)
    }
}

// ---------------------------------------------------------------- styles

/// The stylesheet of the pages and components (the shell's base styles are `www/style.css`).
const APP_CSS: &str = include_str!("app.css");

/// Adds the app's stylesheet to the document once. The shell calls it, and so do components
/// that may be mounted on their own (in tests), so they are styled either way.
pub fn ensure_styles() {
    add_style_once("granola-site-css", APP_CSS);
}

/// Adds a `<style id=ID>` holding `css` to the document's head, unless one with that id is
/// already there.
pub fn add_style_once(id: &str, css: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if doc.get_element_by_id(id).is_some() {
        return;
    }
    if let Ok(style) = doc.create_element("style") {
        style.set_id(id);
        style.set_text_content(Some(css));
        if let Some(head) = doc.head() {
            let _ = head.append_child(&style);
        }
    }
}
