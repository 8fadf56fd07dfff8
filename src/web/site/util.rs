//! Small browser helpers shared by the site components.

use wasm_bindgen::JsCast;

/// FNV-1a 64-bit hash as 16 hex digits: the key of an example's saved edits.
pub fn hash_hex(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

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

pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Go to a hash route (`#/reference/map.get`).
pub fn navigate(hash: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(hash);
    }
}

/// The current hash without the leading `#`.
pub fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// Wall-clock milliseconds (performance.now when available).
pub fn wall_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}

/// Unix time in ms.
pub fn unix_ms() -> f64 {
    js_sys::Date::now()
}

/// The element with this id, as `T`.
pub fn by_id<T: JsCast>(id: &str) -> Option<T> {
    web_sys::window()?.document()?.get_element_by_id(id)?.dyn_into::<T>().ok()
}

/// Base64url (no padding) of UTF-8 text, for share links.
pub fn encode_b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.as_bytes())
}

pub fn decode_b64(text: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim().trim_end_matches('=')).ok()?;
    String::from_utf8(bytes).ok()
}

/// Format job milliseconds for display: `850 ms`, `12.4 s`, `3 min 5 s`.
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
