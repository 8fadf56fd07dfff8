//! The page addresses. Routes live in the URL hash (`#/reference/map.get`), so the site works
//! from any static host.

use super::util::{current_hash, decode_component, encode_component};

/// A page address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `#/`
    Home,
    /// `#/reference`
    ReferenceIndex,
    /// `#/reference/<name>`, e.g. `map.get` or `special-forms/let` (the rest of the path, decoded)
    Reference(String),
    /// `#/bridge`
    Bridge,
    /// `#/bridge/<tool>`
    BridgeTool(String),
    /// `#/playground`
    Playground,
    /// `#/jobs`
    Jobs,
    /// `#/tour`
    Tour,
    /// anything else (the hash path as given, decoded), e.g. `docs/reference/guides/vla-jobs`
    NotFound(String),
}

impl Route {
    /// Parse a location hash (`#/reference/map.get?x=1`; the leading `#` and any `?query`
    /// are optional / ignored).
    pub fn parse(hash: &str) -> Route {
        let h = hash.strip_prefix('#').unwrap_or(hash);
        let path = h.split('?').next().unwrap_or("");
        let path = path.trim_start_matches('/').trim_end_matches('/');
        let decoded = decode_component(path);
        let (head, rest) = match decoded.split_once('/') {
            Some((a, b)) => (a.to_string(), Some(b.to_string())),
            None => (decoded.clone(), None),
        };
        match (head.as_str(), rest) {
            ("", None) => Route::Home,
            ("reference", None) => Route::ReferenceIndex,
            ("reference", Some(name)) => Route::Reference(name),
            ("bridge", None) => Route::Bridge,
            ("bridge", Some(tool)) => Route::BridgeTool(tool),
            ("playground", None) => Route::Playground,
            ("jobs", None) => Route::Jobs,
            ("tour", None) => Route::Tour,
            _ => Route::NotFound(decoded),
        }
    }

    /// The hash for this route (`#/reference/map.get`).
    pub fn href(&self) -> String {
        match self {
            Route::Home => "#/".to_string(),
            Route::ReferenceIndex => "#/reference".to_string(),
            Route::Reference(name) => format!("#/reference/{}", encode(name)),
            Route::Bridge => "#/bridge".to_string(),
            Route::BridgeTool(tool) => format!("#/bridge/{}", encode(tool)),
            Route::Playground => "#/playground".to_string(),
            Route::Jobs => "#/jobs".to_string(),
            Route::Tour => "#/tour".to_string(),
            Route::NotFound(p) => format!("#/{}", encode(p)),
        }
    }

    /// The top-level section (for highlighting the navigation and the page's CSS class).
    pub fn section(&self) -> &'static str {
        match self {
            Route::Home => "home",
            Route::ReferenceIndex | Route::Reference(_) => "reference",
            Route::Bridge | Route::BridgeTool(_) => "bridge",
            Route::Playground => "playground",
            Route::Jobs => "jobs",
            Route::Tour => "tour",
            Route::NotFound(_) => "",
        }
    }

    /// The route of the current location.
    pub fn current() -> Route {
        Route::parse(&current_hash())
    }
}

/// Percent-encodes each path segment, keeping `/` readable in nested names such as
/// `special-forms/let`.
fn encode(s: &str) -> String {
    s.split('/').map(encode_component).collect::<Vec<_>>().join("/")
}
