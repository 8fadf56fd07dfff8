//! Routes and middleware: tool calls, `/tools`, `/healthz`, `/mcp`, the site fallback,
//! body limit, rate limit, time limit and the request log.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::state::Shared;
use crate::bridge::{error_body, Code};

pub(crate) type App = Arc<Shared>;

pub(crate) fn router(shared: App) -> Router {
    // The API routes count against the per-client rate limit; the site and /healthz do not.
    // `POST /<tool>` is handled in the fallback, so that other methods and deeper paths reach
    // the site without a method-not-allowed in between.
    let api = Router::new()
        .route("/tools", get(tools))
        .route("/mcp", post(super::mcp::handle))
        .route("/jobs/{job_id}/events", get(super::events::stream))
        .route_layer(middleware::from_fn_with_state(shared.clone(), rate_limit));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api)
        .fallback(fallback)
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(middleware::from_fn_with_state(shared.clone(), time_limit))
        .layer(middleware::from_fn_with_state(shared.clone(), access_log))
        .with_state(shared)
}

/// An error in the bridge's shape and taxonomy (`{"error": {code, message, retryable,
/// details: [{field, issue}]}}`), with the transport's own HTTP status.
pub(crate) fn error_response(status: u16, code: Code, message: &str, field: &str) -> Response {
    json_response(status, &error_body(code, message, code.default_retryable(), &[(field, message)]))
}

/// A JSON response with `status`.
pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// The bearer token from `Authorization: Bearer <token>`, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        let token = rest.trim();
        (!token.is_empty()).then(|| token.to_string())
    } else {
        None
    }
}

/// Read the whole body, at most `cfg.max_body_bytes`, as UTF-8.
pub(crate) async fn read_body(app: &Shared, headers: &HeaderMap, body: Body) -> Result<String, Response> {
    let limit = app.cfg.max_body_bytes;
    let too_large = || {
        let mut resp = error_response(
            413,
            Code::InvalidInput,
            &format!("Request body is larger than the limit of {limit} bytes"),
            "body",
        );
        // The rest of the body is not read: the connection cannot carry another request.
        resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        resp
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    // A client still sending its body when the server stops gets a 503 at once, so it cannot
    // hold the shutdown for the request time limit.
    let read = tokio::select! {
        read = axum::body::to_bytes(body, limit) => read,
        _ = app.stopped() => {
            let mut resp = error_response(503, Code::Internal, "The server is shutting down; send the request again later", "request");
            resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return Err(resp);
        }
    };
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(err) => {
            // to_bytes reports an over-limit body through a LengthLimitError source.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
            while let Some(e) = source {
                if e.is::<http_body_util::LengthLimitError>() {
                    return Err(too_large());
                }
                source = e.source();
            }
            return Err(error_response(400, Code::InvalidInput, "Could not read the request body", "body"));
        }
    };
    String::from_utf8(bytes.to_vec())
        .map_err(|_| error_response(400, Code::InvalidInput, "Request body is not valid UTF-8", "body"))
}

/// A tool name as it may appear in `POST /<tool>`.
fn tool_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix('/')?;
    let ok = !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    ok.then_some(name)
}

/// Everything that is not a fixed route: `POST /<tool>` goes to the bridge (rate limited),
/// the rest to the site.
async fn fallback(State(app): State<App>, ConnectInfo(peer): ConnectInfo<SocketAddr>, req: Request) -> Response {
    if req.method() == Method::POST {
        if let Some(tool) = tool_name(req.uri().path()).map(str::to_string) {
            if let Err(wait) = app.limiter.check(peer.ip()) {
                let drained = drain(&app, req.into_body()).await;
                return too_many(wait, drained);
            }
            let (parts, body) = req.into_parts();
            return tool_call(app, tool, parts.headers, body).await;
        }
    }
    super::site::serve(State(app), req).await
}

/// `POST /<tool>`: the bridge's status and body.
async fn tool_call(app: App, tool: String, headers: HeaderMap, body: Body) -> Response {
    let body = match read_body(&app, &headers, body).await {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let token = bearer(&headers);
    let reply = call_blocking(&app, tool, token, body).await;
    let mut resp = reply_response(&reply);
    let correlation = reply
        .body
        .pointer("/error/correlationId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| headers.get("x-correlation-id").and_then(|v| v.to_str().ok()).map(str::to_string));
    if let Some(id) = correlation.and_then(|id| HeaderValue::from_str(&id).ok()) {
        resp.headers_mut().insert("x-correlation-id", id);
    }
    resp
}

/// A bridge call on the blocking pool (it takes the core's mutex, which must never stall the
/// runtime's workers that serve `/healthz` and the other connections).
pub(crate) async fn call_blocking(
    app: &App,
    tool: String,
    token: Option<String>,
    body: String,
) -> crate::bridge::Reply {
    // The calls take turns on the core's mutex anyway: a few threads waiting for it are
    // enough, and the blocking pool does not grow a thread per concurrent client.
    let _turn = app.call_turns.acquire().await;
    let app = app.clone();
    let joined = tokio::task::spawn_blocking(move || app.call(&tool, token.as_deref(), &body)).await;
    joined.unwrap_or_else(|_| crate::bridge::ApiError::internal("the call failed unexpectedly").into_reply())
}

/// A bridge reply as an HTTP response; a 429 (the job queue is full) carries `Retry-After`.
pub(crate) fn reply_response(reply: &crate::bridge::Reply) -> Response {
    let mut resp = json_response(reply.status, &reply.body);
    if reply.status == 429 {
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    resp
}

/// Read and discard a request body (at most the body limit), so that a refused request's
/// client reads the whole answer instead of a reset connection. `false`: it was too large or
/// broken, and the connection must close after the answer.
pub(crate) async fn drain(app: &Shared, body: Body) -> bool {
    axum::body::to_bytes(body, app.cfg.max_body_bytes).await.is_ok()
}

/// `GET /tools`: `{"tools": [...]}` as the bridge describes them.
async fn tools(State(app): State<App>) -> Response {
    json_response(200, &json!({"tools": app.tools()}))
}

/// `GET /healthz`: liveness plus a few engine figures.
///
/// Never takes the core's mutex: the figures are the ticker's latest copy (at most a few
/// milliseconds old), so it answers at once however busy the server is.
async fn healthz(State(app): State<App>) -> Response {
    let h = app.health.lock().map(|h| h.clone()).unwrap_or_default();
    json_response(
        200,
        &json!({
            "status": if app.is_stopping() { "stopping" } else { "ok" },
            "service": "granola",
            "version": env!("CARGO_PKG_VERSION"),
            "uptimeSeconds": (app.uptime_s() * 1000.0).round() / 1000.0,
            "jobTimeMs": h.job_ms,
            "speed": app.cfg.speed,
            "jobs": {"total": h.engine_jobs, "active": h.active, "queued": h.queued},
            "workers": {"threads": app.pool.threads(), "busy": app.pool.busy(), "queuedChunks": app.pool.queued()},
            "retention": h.retention,
        }),
    )
}

async fn rate_limit(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    match app.limiter.check(peer.ip()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let drained = drain(&app, req.into_body()).await;
            too_many(wait, drained)
        }
    }
}

/// The bridge's 429 reply, plus a `Retry-After` header; `Connection: close` when the request
/// body could not be read to its end.
fn too_many(wait: std::time::Duration, drained: bool) -> Response {
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let reply = crate::bridge::rate_limited(secs);
    let mut resp = json_response(reply.status, &reply.body);
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if !drained {
        resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

async fn time_limit(State(app): State<App>, req: Request, next: Next) -> Response {
    let limit = app.cfg.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => error_response(
            Code::Timeout.status(),
            Code::Timeout,
            &format!("The request took longer than {} ms", limit.as_millis()),
            "request",
        ),
    }
}

async fn access_log(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    if !app.cfg.log_requests {
        return next.run(req).await;
    }
    let started = Instant::now();
    let method: Method = req.method().clone();
    // The path only: a query string could carry a secret.
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    eprintln!("{} {} {} {} {:.1}ms {}", iso_now(), method, path, resp.status().as_u16(), ms, peer.ip());
    resp
}

/// Current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn iso_now() -> String {
    let secs = (super::unix_ms() / 1000.0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer abc.def"));
        assert_eq!(bearer(&h).as_deref(), Some("abc.def"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer   x "));
        assert_eq!(bearer(&h).as_deref(), Some("x"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn iso_format() {
        let s = iso_now();
        assert_eq!(s.len(), 20);
        assert!(s.ends_with('Z'));
    }
}
