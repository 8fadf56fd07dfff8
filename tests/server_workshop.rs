#![cfg(not(target_arch = "wasm32"))]
//! Issue 14 over HTTP: heavy runs do not freeze the server, `timeoutSeconds` holds however
//! slow the arithmetic, every rate-limited request gets a complete 429, `/healthz` shows the
//! retention figures, and `GET /jobs/{id}/events` streams a job to its end.

mod server_support;

use std::time::{Duration, Instant};

use granola::server::client::Client;
use serde_json::{json, Value};
use server_support::*;

async fn post(c: &mut Client, tool: &str, token: &str, body: Value) -> (u16, Value) {
    let r = c.post_json(&format!("/{tool}"), Some(token), &body.to_string()).await.unwrap();
    (r.status, r.json())
}

/// A population of `size` subjects that each need about 4.8 million integrator steps
/// (one_compartment_iv with k = CL/V = 1000/h over 96 h, no between-subject variability).
async fn load_heavy(c: &mut Client, tok: &str, sim: &str) {
    let (s, b) = post(c, "load_simulation", tok, json!({"simulationId": sim, "model": "one_compartment_iv"})).await;
    assert_eq!(s, 201, "{b}");
    for (k, v) in [("CL", 1000.0), ("V", 1.0), ("EndTime", 96.0), ("OutputInterval", 4.0)] {
        let (s, b) =
            post(c, "set_parameter_value", tok, json!({"simulationId": sim, "parameterPath": k, "value": v})).await;
        assert_eq!(s, 200, "{b}");
    }
}

fn heavy_run(sim: &str, size: u32, extra: Value) -> Value {
    let mut body = json!({"simulationId": sim, "cohort": {"size": size, "covariates": [{"parameter": "CL", "cv": 0}]}});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    body
}

async fn wait_status(c: &mut Client, tok: &str, job: &str, limit: Duration) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let (s, b) = post(c, "get_job_status", tok, json!({"jobId": job})).await;
        assert_eq!(s, 200, "{b}");
        if ["succeeded", "failed", "cancelled", "timeout"].contains(&b["status"].as_str().unwrap_or("")) {
            return b;
        }
        assert!(Instant::now() < deadline, "job {job} did not end: {b}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Defect 1: a population run's arithmetic used to run under the lock every request takes, so
/// one heavy run blocked every endpoint. Now `/healthz` and the tools answer while a worker
/// is in the middle of the numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_answered_while_a_heavy_run_computes() {
    let server = start(|cfg| cfg.workers = 1).await;
    let mut c = client(&server);
    let tok = operator();
    load_heavy(&mut c, &tok, "heavy").await;
    let (s, b) = post(&mut c, "run_population_simulation", &tok, heavy_run("heavy", 10, json!({}))).await;
    assert_eq!(s, 202, "{b}");
    let job = b["jobId"].as_str().unwrap().to_string();
    let mut answered_while_busy = 0;
    for _ in 0..2_000 {
        let h = c.get("/healthz", &[]).await.unwrap().json();
        let busy = h["workers"]["busy"].as_u64().unwrap_or(0);
        let (s, st) = post(&mut c, "get_job_status", &tok, json!({"jobId": job})).await;
        assert_eq!(s, 200);
        let (s, _) = post(&mut c, "list_parameters", &tok, json!({"simulationId": "heavy"})).await;
        assert_eq!(s, 200);
        let still = c.get("/healthz", &[]).await.unwrap().json()["workers"]["busy"].as_u64().unwrap_or(0);
        if busy >= 1 && still >= 1 && st["status"] == "running" {
            answered_while_busy += 1;
        }
        if answered_while_busy >= 3 || st["status"] != "running" {
            break;
        }
    }
    assert!(answered_while_busy >= 3, "requests were answered while the worker computed");
    let (s, b) = post(&mut c, "cancel_job", &tok, json!({"jobId": job})).await;
    assert_eq!(s, 200, "{b}");
    let end = wait_status(&mut c, &tok, &job, Duration::from_secs(60)).await;
    assert_eq!(end["status"], "cancelled");
    // The cancelled chunk stops at the integrator's next cancellation point.
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.get("/healthz", &[]).await.unwrap().json()["workers"]["busy"] != 0 {
        assert!(Instant::now() < deadline, "the worker kept computing a cancelled job");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.shutdown().await.unwrap();
}

/// Defect 1: `timeoutSeconds: 1` was ignored and the run reported `succeeded`, because job
/// time stood still while the arithmetic ran. At speed 10 the run's own pacing takes 0.1 s of
/// job time (10 subjects × 10 ms) but its arithmetic takes far longer than the 1 s of job time
/// (0.1 s of wall time) it is allowed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_seconds_holds_however_slow_the_arithmetic() {
    let server = start(|cfg| {
        cfg.speed = 10.0;
        cfg.workers = 1;
    })
    .await;
    let mut c = client(&server);
    let tok = operator();
    load_heavy(&mut c, &tok, "heavy").await;
    let (s, b) =
        post(&mut c, "run_population_simulation", &tok, heavy_run("heavy", 10, json!({"timeoutSeconds": 1}))).await;
    assert_eq!(s, 202, "{b}");
    let job = b["jobId"].as_str().unwrap().to_string();
    let end = wait_status(&mut c, &tok, &job, Duration::from_secs(60)).await;
    assert_eq!(end["status"], "timeout", "{end}");
    assert_eq!(end["error"]["message"], "Job execution exceeded timeout (1 s)");
    // A light run at the same speed is not affected.
    let (_, b) =
        post(&mut c, "load_simulation", &tok, json!({"simulationId": "light", "model": "one_compartment_iv"})).await;
    assert_eq!(b["simulationId"], "light");
    let (_, b) = post(&mut c, "run_simulation", &tok, json!({"simulationId": "light", "timeoutSeconds": 5})).await;
    let light = b["jobId"].as_str().unwrap().to_string();
    assert_eq!(wait_status(&mut c, &tok, &light, Duration::from_secs(60)).await["status"], "succeeded");
    server.shutdown().await.unwrap();
}

/// One request on a fresh connection, as simple clients send them: the head, then the body
/// in pieces; then the whole response (status, `Retry-After`, body). An error means the client
/// got no complete response (a reset, a broken pipe, a connection closed early).
async fn fresh_post(
    addr: std::net::SocketAddr,
    token: &str,
    body: &str,
) -> Result<(u16, Option<String>, Value), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let head = format!(
        "POST /get_job_status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.map_err(|e| format!("head: {e}"))?;
    for piece in body.as_bytes().chunks(8 * 1024) {
        s.write_all(piece).await.map_err(|e| format!("body: {e}"))?;
        tokio::task::yield_now().await;
    }
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.map_err(|e| format!("response: {e}"))?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| format!("incomplete response: {text:?}"))?;
    let status = head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| format!("bad status line: {head}"))?;
    let retry =
        head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("retry-after:").map(|v| v.trim().to_string()));
    let json = serde_json::from_str(body).map_err(|e| format!("incomplete body ({e}): {body:?}"))?;
    Ok((status, retry, json))
}

/// Defect 5: under concurrency some rate-limited clients got a reset or a broken pipe instead
/// of the 429 (the answer and the close went out before their body was read). 32 clients
/// sending 64 KB bodies on fresh connections: every request gets a whole response, every 429
/// its `Retry-After`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_rate_limited_request_gets_a_complete_429() {
    let server = start(|cfg| cfg.rate_limit = 40).await;
    let addr = server.addr();
    let tok = operator();
    let padding = "x".repeat(64 * 1024);
    let body = json!({"jobId": "no-such-job", "padding": padding}).to_string();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (tok, body) = (tok.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for _ in 0..20 {
                out.push(fresh_post(addr, &tok, &body).await);
            }
            out
        }));
    }
    let (mut limited, mut answered, mut broken) = (0, 0, Vec::new());
    for t in tasks {
        for r in t.await.unwrap() {
            match r {
                Ok((429, retry, body)) => {
                    limited += 1;
                    assert!(retry.is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1)), "429 without Retry-After");
                    assert_eq!(body["error"]["code"], "RATE_LIMITED");
                }
                Ok((404, _, _)) => answered += 1,
                Ok((s, _, b)) => panic!("unexpected {s}: {b}"),
                Err(e) => broken.push(e),
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} of 640 requests got no complete response: {:?}",
        broken.len(),
        &broken[..broken.len().min(5)]
    );
    assert_eq!(answered, 40, "the limit is 40 per window");
    assert_eq!(limited, 600);
    server.shutdown().await.unwrap();
}

/// Defect 4: `/healthz` shows the retention figures and limits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_shows_retention_figures() {
    let server = start(|cfg| {
        cfg.speed = 100.0;
        cfg.max_finished_jobs = 2;
    })
    .await;
    let mut c = client(&server);
    let tok = operator();
    let (_, _) =
        post(&mut c, "load_simulation", &tok, json!({"simulationId": "s", "model": "one_compartment_iv"})).await;
    let mut jobs = Vec::new();
    for _ in 0..3 {
        let (_, b) = post(&mut c, "run_simulation", &tok, json!({"simulationId": "s"})).await;
        let job = b["jobId"].as_str().unwrap().to_string();
        wait_status(&mut c, &tok, &job, Duration::from_secs(30)).await;
        jobs.push(job);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let h = c.get("/healthz", &[]).await.unwrap().json();
    let r = &h["retention"];
    assert_eq!(r["store"], "memory");
    assert_eq!(r["finishedJobs"], 2, "{h}");
    assert_eq!(r["maxFinishedJobs"], 2);
    assert_eq!(r["evicted"], 1);
    assert!(r["resultBytes"].as_u64().unwrap() > 0 && r["maxResultBytes"].as_u64().unwrap() > 0, "{h}");
    assert_eq!(r["retentionSeconds"], 604_800.0);
    assert_eq!(post(&mut c, "get_job_status", &tok, json!({"jobId": jobs[0]})).await.0, 404);
    server.shutdown().await.unwrap();
}

/// Parse `data:` frames of a server-sent event stream.
fn frames(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter_map(|f| f.lines().find_map(|l| l.strip_prefix("data: ")))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

/// `GET /jobs/{jobId}/events`: the job's changes as SSE, ending at its terminal state, with
/// the authorization and ownership of get_job_status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_events_stream_to_the_end() {
    let server = start(|cfg| cfg.speed = 5.0).await;
    let mut c = client(&server);
    let tok = operator();
    let (_, _) =
        post(&mut c, "load_simulation", &tok, json!({"simulationId": "s", "model": "one_compartment_iv"})).await;
    let (_, b) = post(&mut c, "run_simulation", &tok, json!({"simulationId": "s"})).await;
    let job = b["jobId"].as_str().unwrap().to_string();
    let path = format!("/jobs/{job}/events");
    let auth = format!("Bearer {}", viewer());
    let r = tokio::time::timeout(Duration::from_secs(60), c.get(&path, &[("Authorization", &auth)]))
        .await
        .expect("the stream ends")
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    let fs = frames(&r.text());
    assert!(fs.len() >= 3, "{}", r.text());
    assert_eq!(fs.last().unwrap()["status"], "succeeded");
    assert!(fs.iter().all(|f| f["jobId"] == job.as_str() && f.get("job").is_none()));
    let done: Vec<u64> = fs.iter().map(|f| f["progress"]["done"].as_u64().unwrap()).collect();
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "progress only grows: {done:?}");
    assert!(fs.iter().any(|f| f["status"] == "running"), "running frames with progress");
    // A finished job: one frame, then the end.
    let r = c.get(&path, &[("Authorization", &auth)]).await.unwrap();
    assert_eq!(frames(&r.text()).len(), 1);
    // The same rules as get_job_status.
    assert_eq!(c.get(&path, &[]).await.unwrap().status, 401);
    let other = format!(
        "Bearer {}",
        granola::bridge::auth::mint_token(
            granola::server::ServerConfig::test_secret(),
            "someone-else",
            &["viewer"],
            60,
            now_ms()
        )
    );
    let r = c.get(&path, &[("Authorization", &other)]).await.unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "NOT_FOUND");
    let r = c.get("/jobs/no-such-job/events", &[("Authorization", &auth)]).await.unwrap();
    assert_eq!(r.status, 404);
    server.shutdown().await.unwrap();
}
