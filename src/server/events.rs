//! `GET /jobs/{jobId}/events`: a job's state changes and progress as server-sent events.
//!
//! The same authorization and ownership as `get_job_status` (the token is checked once, when
//! the stream opens; unknown and other subjects' jobs are a 404 JSON error, not a stream).
//! Each frame is `data: <the get_job_status record, flat>` followed by a blank line; the
//! first frame is the current record, then one frame whenever the status, the attempt, the
//! progress or the error changes. The stream ends after the frame with a terminal status
//! (or when the server stops; a `: keep-alive` comment goes out every 15 s of silence).

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::http::{bearer, reply_response, App};
use crate::bridge::auth::Principal;
use crate::bridge::Reply;

/// How often the stream looks at the job.
const POLL: Duration = Duration::from_millis(50);
/// A comment frame after this much silence keeps proxies from closing the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

const TERMINAL: [&str; 4] = ["succeeded", "failed", "cancelled", "timeout"];

async fn status(app: &App, principal: &Principal, job_id: &str) -> Reply {
    let _turn = app.call_turns.acquire().await;
    let app = app.clone();
    let principal = principal.clone();
    let body = json!({"jobId": job_id}).to_string();
    tokio::task::spawn_blocking(move || app.call_as(&principal, "get_job_status", &body))
        .await
        .unwrap_or_else(|_| crate::bridge::ApiError::internal("get_job_status failed unexpectedly").into_reply())
}

/// What a frame is sent for: a change in any of these.
fn fingerprint(rec: &Value) -> String {
    json!([rec["status"], rec["attempts"], rec["progress"]["done"], rec["error"], rec["cancelRequested"]]).to_string()
}

fn frame(rec: &Value) -> Bytes {
    let mut flat = rec.clone();
    if let Value::Object(m) = &mut flat {
        m.remove("job");
    }
    Bytes::from(format!("data: {flat}\n\n"))
}

fn is_terminal(rec: &Value) -> bool {
    TERMINAL.contains(&rec["status"].as_str().unwrap_or(""))
}

struct Cursor {
    app: App,
    principal: Principal,
    job_id: String,
    last: String,
    quiet_since: Instant,
    /// A frame to send before looking again (the first one).
    pending: Option<Value>,
    ended: bool,
}

pub(crate) async fn stream(State(app): State<App>, Path(job_id): Path<String>, headers: HeaderMap) -> Response {
    let token = bearer(&headers);
    let auth_app = app.clone();
    let principal = match tokio::task::spawn_blocking(move || auth_app.authenticate(token.as_deref())).await {
        Ok(Ok(p)) => p,
        Ok(Err(reply)) => return reply_response(&reply),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let first = status(&app, &principal, &job_id).await;
    if first.status != 200 {
        return reply_response(&first);
    }
    let start = Cursor {
        app,
        principal,
        job_id,
        last: fingerprint(&first.body),
        quiet_since: Instant::now(),
        pending: Some(first.body),
        ended: false,
    };
    let frames = futures_util::stream::unfold(start, |mut c| async move {
        if c.ended {
            return None;
        }
        if let Some(rec) = c.pending.take() {
            c.ended = is_terminal(&rec);
            return Some((Ok::<Bytes, std::convert::Infallible>(frame(&rec)), c));
        }
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = c.app.stopped() => return None,
            }
            let reply = status(&c.app, &c.principal, &c.job_id).await;
            if reply.status != 200 {
                // Purged meanwhile (or the engine went away): nothing more to tell.
                return None;
            }
            let fp = fingerprint(&reply.body);
            if fp != c.last {
                c.last = fp;
                c.quiet_since = Instant::now();
                c.ended = is_terminal(&reply.body);
                return Some((Ok(frame(&reply.body)), c));
            }
            if c.quiet_since.elapsed() >= KEEP_ALIVE {
                c.quiet_since = Instant::now();
                return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), c));
            }
        }
    });
    let mut resp = Response::new(Body::from_stream(frames));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}
