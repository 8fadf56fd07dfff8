//! The built web site from `--dist`: content types from the file extension (`.wasm` →
//! `application/wasm`); the precompressed `.br` or `.gz` sibling `make dist` writes next to
//! every file (brotli when the browser accepts it, else gzip; files without one are gzipped by
//! the compression layer); long-lived immutable caching for content-hashed names (the wasm
//! modules, the JS glue, the CSS) and `no-cache` for everything else (index.html above all,
//! revalidated with `Last-Modified`); and a helpful page instead of an error when nothing is
//! built yet.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::http::{error_response, App};
use crate::bridge::Code;

pub(crate) async fn serve(State(app): State<App>, req: Request) -> Response {
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        return error_response(
            405,
            Code::InvalidInput,
            &format!("Method not allowed: {} {} is not a route; tools are POST /<tool>", method, req.uri().path()),
            "method",
        );
    }
    let dist = app.cfg.dist.clone();
    if !dist.join("index.html").is_file() {
        return not_built(&app, req.uri().path());
    }
    let path = req.uri().path().to_string();
    let served = ServeDir::new(&dist).precompressed_br().precompressed_gzip().oneshot(req).await;
    let mut resp = match served {
        Ok(resp) => resp.map(axum::body::Body::new),
        Err(_) => return error_response(500, Code::Internal, "Could not read the site", "path"),
    };
    let status = resp.status();
    if status == StatusCode::NOT_FOUND {
        let mut page = (StatusCode::NOT_FOUND, Html(not_found_page(&path))).into_response();
        page.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return page;
    }
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let cache = if is_hashed_asset(&path) { "public, max-age=31536000, immutable" } else { "no-cache" };
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        resp.headers_mut().insert("x-content-type-options", HeaderValue::from_static("nosniff"));
        // The body depends on Accept-Encoding (a .br or .gz sibling): caches must key on it.
        if !resp.headers().get_all(header::VARY).iter().any(|v| v.as_bytes().eq_ignore_ascii_case(b"accept-encoding")) {
            resp.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    resp
}

/// Does the last path segment carry a content hash (a run of ≥ 8 hex digits with at least one
/// decimal digit, separated by `-`, `_` or `.`), like Trunk's `granola-web-1a2b3c4d5e6f7a8b.js`?
pub(crate) fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    if name.is_empty() || name.ends_with(".html") {
        return false;
    }
    name.split(['-', '_', '.']).any(|piece| {
        (8..=64).contains(&piece.len())
            && piece.bytes().all(|b| b.is_ascii_hexdigit())
            && piece.bytes().any(|b| b.is_ascii_digit())
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn not_built(app: &App, path: &str) -> Response {
    let dist = escape(&app.cfg.dist.display().to_string());
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Granola: site not built</title>\
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:3em auto;padding:0 1em}}code,pre{{background:#f3f3f3;padding:.1em .3em}}</style></head><body>\
<h1>Granola is running, but the site is not built</h1>\
<p>There is no <code>index.html</code> in <code>{dist}</code>, so there is nothing to show at <code>{path}</code>.</p>\
<p>Build the site and reload this page (no restart needed):</p><pre>trunk build --release   # or: make dist</pre>\
<p>or start the server with <code>granola serve --dist PATH</code> pointing at a built site.</p>\
<p>The bridge works without the site: <a href=\"/tools\">GET /tools</a> lists the tools, \
<a href=\"/healthz\">GET /healthz</a> shows the engine, tools are <code>POST /&lt;tool&gt;</code> and agents use <code>POST /mcp</code>.</p>\
</body></html>",
        path = escape(path)
    );
    let status = if path == "/" || path == "/index.html" { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let mut resp = (status, Html(body)).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

fn not_found_page(path: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\
<body><h1>Not found</h1><p>Nothing at <code>{}</code>. Go to <a href=\"/\">the start page</a>.</p></body></html>",
        escape(path)
    )
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn hashed_names() {
        assert!(is_hashed_asset("/granola-web-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_asset("/granola-web-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_asset("/assets/style-0123abcd.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/"));
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/deadbeefcafe.js"));
        assert!(!is_hashed_asset("/app.js"));
    }
}
