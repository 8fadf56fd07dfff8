#![cfg(not(target_arch = "wasm32"))]
//! The HTTP transport around the bridge: health, tool listing, body limit, rate limit, time
//! limit, methods, graceful shutdown, and the port-taken error. Real HTTP on loopback.

mod server_support;

use std::time::Duration;

use granola::server::client::Client;
use server_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_reports_engine_and_advances_job_time() {
    let server = start(|_| {}).await;
    let mut c = client(&server);
    let a = c.get("/healthz", &[]).await.unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("application/json"));
    let a = a.json();
    assert_eq!(a["status"], "ok");
    assert!(a["jobs"]["total"].is_u64());
    tokio::time::sleep(Duration::from_millis(60)).await;
    let b = c.get("/healthz", &[]).await.unwrap().json();
    let (ta, tb) = (a["jobTimeMs"].as_f64().unwrap(), b["jobTimeMs"].as_f64().unwrap());
    assert!(tb >= ta + 40.0, "job time follows wall time at speed 1: {ta} -> {tb}");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speed_scales_job_time() {
    let server = start(|c| c.speed = 10.0).await;
    let mut c = client(&server);
    let a = c.get("/healthz", &[]).await.unwrap().json()["jobTimeMs"].as_f64().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let b = c.get("/healthz", &[]).await.unwrap().json()["jobTimeMs"].as_f64().unwrap();
    assert!(b - a >= 400.0, "speed 10: {a} -> {b}");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_lists_the_bridge_tools() {
    let server = start(|_| {}).await;
    let expected = server.with_core(|core| core.bridge.tools());
    let resp = client(&server).get("/tools", &[]).await.unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["tools"], expected);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_route_returns_the_bridges_status_and_body() {
    let server = start(|_| {}).await;
    let tok = operator();
    let body = r#"{"jobId":"nope"}"#;
    let expected = server.with_core(|core| {
        let call = granola::bridge::Call { tool: "get_job_status", token: Some(&tok), body, unix_ms: now_ms() };
        core.bridge.call(&mut core.engine, &call)
    });
    let resp = client(&server).post_json("/get_job_status", Some(&tok), body).await.unwrap();
    assert_eq!(resp.status, expected.status);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let mut got = resp.json();
    let mut want = expected.body.clone();
    // correlation ids differ per call
    for v in [&mut got, &mut want] {
        if let Some(e) = v.get_mut("error").and_then(|e| e.as_object_mut()) {
            e.remove("correlationId");
        }
    }
    assert_eq!(got, want);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_get_413_in_the_error_shape() {
    let server = start(|c| c.max_body_bytes = 1024).await;
    let mut c = client(&server);
    let big = format!(r#"{{"jobId":"{}"}}"#, "x".repeat(2000));
    let resp = c.post_json("/get_job_status", Some(&operator()), &big).await.unwrap();
    assert_eq!(resp.status, 413);
    let body = resp.json();
    assert_eq!(body["error"]["code"], "INVALID_INPUT");
    assert_eq!(body["error"]["details"][0]["field"], "body");
    assert!(body["error"]["message"].as_str().unwrap().contains("1024"));
    // the same through /mcp
    let rpc = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{}"}}}}"#, "y".repeat(2000));
    let resp = c.post_json("/mcp", None, &rpc).await.unwrap();
    assert_eq!(resp.status, 413);

    // A chunked body (no Content-Length) is cut off at the limit too.
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let chunk = "z".repeat(800);
    let req = format!(
        "POST /get_job_status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         {:x}\r\n{chunk}\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len(),
        chunk.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 413"), "{out}");
    assert!(out.contains("INVALID_INPUT"));
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_utf8_body_is_400() {
    let server = start(|_| {}).await;
    let resp = client(&server)
        .request("POST", "/get_job_status", &[("Content-Type", "application/json")], &[0xff, 0xfe, b'{'])
        .await
        .unwrap();
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["error"]["code"], "INVALID_INPUT");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_gives_429_per_client_and_spares_the_site() {
    let server = start(|c| {
        c.rate_limit = 3;
        c.rate_window = Duration::from_secs(60);
    })
    .await;
    let mut c = client(&server);
    let tok = operator();
    for _ in 0..3 {
        let r = c.post_json("/get_job_status", Some(&tok), r#"{"jobId":"a"}"#).await.unwrap();
        assert_ne!(r.status, 429);
    }
    let r = c.post_json("/get_job_status", Some(&tok), r#"{"jobId":"a"}"#).await.unwrap();
    assert_eq!(r.status, 429);
    let body = r.json();
    assert_eq!(body["error"]["code"], "RATE_LIMITED");
    assert_eq!(body["error"]["retryable"], true);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // the same client is limited on /mcp and /tools too, before auth is looked at
    assert_eq!(c.post_json("/mcp", None, r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).await.unwrap().status, 429);
    assert_eq!(c.get("/tools", &[]).await.unwrap().status, 429);
    assert_eq!(c.post_json("/cancel_job", None, "{}").await.unwrap().status, 429);
    // health and the site are not rate limited
    assert_eq!(c.get("/healthz", &[]).await.unwrap().status, 200);
    assert_eq!(c.get("/", &[]).await.unwrap().status, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_window_resets() {
    let server = start(|c| {
        c.rate_limit = 1;
        c.rate_window = Duration::from_millis(1000);
    })
    .await;
    let mut c = client(&server);
    assert_eq!(c.get("/tools", &[]).await.unwrap().status, 200);
    assert_eq!(c.get("/tools", &[]).await.unwrap().status, 429);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(c.get("/tools", &[]).await.unwrap().status, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_time_out_with_504() {
    let server = start(|c| c.request_timeout = Duration::from_millis(200)).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    // Promise a body and never send it.
    stream
        .write_all(b"POST /get_job_status HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n{\"jobId\"")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n =
        tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.expect("answered in time").unwrap();
    let out = String::from_utf8_lossy(&buf[..n]);
    assert!(out.starts_with("HTTP/1.1 504"), "{out}");
    assert!(out.contains("TIMEOUT"));
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_and_unknown_paths() {
    let server = start(|_| {}).await;
    let mut c = client(&server);
    // /mcp is POST only
    assert_eq!(c.get("/mcp", &[]).await.unwrap().status, 405);
    // a tool name is POST only; GET goes to the site (nothing built: helpful 404 page)
    let r = c.get("/cancel_job", &[]).await.unwrap();
    assert_eq!(r.status, 404);
    assert!(r.text().contains("not built"));
    // other methods on site paths
    let r = c.request("DELETE", "/index.html", &[], b"").await.unwrap();
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["error"]["code"], "INVALID_INPUT");
    // POST to a deeper path is not a tool
    let r = c.post_json("/a/b", Some(&operator()), "{}").await.unwrap();
    assert_eq!(r.status, 405);
    server.shutdown().await.unwrap();
}

/// A stop does not wait for a client that is still sending its body (issue 14: such a
/// client used to hold the exit for the whole request time limit): it gets a complete 503
/// with `Retry-After` at once, and the server ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_answers_a_half_sent_request_with_503_at_once() {
    let server = start(|c| c.request_timeout = Duration::from_secs(30)).await;
    let addr = server.addr();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = br#"{"jobId":"abc"}"#;
    let head = format!(
        "POST /get_job_status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        operator(),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Stop while the request is half sent; the rest of the body never comes.
    let shutdown = tokio::spawn(server.shutdown());
    let mut buf = vec![0u8; 8192];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await.unwrap().unwrap();
    let out = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(out.starts_with("HTTP/1.1 503"), "{out}");
    assert!(out.to_ascii_lowercase().contains("retry-after: 5"), "{out}");
    assert!(out.contains("shutting down"), "{out}");
    // Bounded only so a regression fails instead of hanging; the old behaviour waited 30 s.
    tokio::time::timeout(Duration::from_secs(10), shutdown).await.expect("the server ends").unwrap().unwrap();
    // New connections are refused now.
    assert!(Client::new(addr).get("/healthz", &[]).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_taken_is_an_error_not_a_panic() {
    let server = start(|_| {}).await;
    let mut cfg = granola::server::ServerConfig::for_tests();
    cfg.addr = server.addr();
    let err = granola::server::Server::start(cfg).await.err().expect("second bind fails");
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    server.shutdown().await.unwrap();
}

#[test]
fn cli_exit_codes() {
    let bin = env!("CARGO_BIN_EXE_granola");
    // a taken port: exit code 3 and a clear message
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let out = std::process::Command::new(bin).args(["serve", "--addr", &addr, "--quiet"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already in use"), "{err}");
    // bad arguments: 2
    let out = std::process::Command::new(bin).args(["serve", "--speed", "fast"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = std::process::Command::new(bin).args(["token"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // a token: three base64url parts with the asked roles and lifetime, signed with the
    // secret generated in the data directory (the one `granola serve --data DIR` uses)
    let data = temp_dir("token-data");
    let out = std::process::Command::new(bin)
        .args(["token", "--role", "operator", "--ttl", "10m", "--sub", "ann", "--data"])
        .arg(&data)
        .env_remove("GRANOLA_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let tok = String::from_utf8(out.stdout).unwrap();
    let tok = tok.trim();
    let parts: Vec<&str> = tok.split('.').collect();
    assert_eq!(parts.len(), 3);
    use base64::Engine as _;
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["sub"], "ann");
    assert_eq!(claims["roles"], serde_json::json!(["operator"]));
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 600);
    let secret = std::fs::read_to_string(data.join("secret")).unwrap();
    let again = granola::bridge::auth::mint_token(
        secret.trim(),
        "ann",
        &["operator"],
        600,
        claims["iat"].as_f64().unwrap() * 1000.0,
    );
    assert_eq!(again, tok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_client_does_not_hold_the_shutdown_forever() {
    let server = start(|c| c.request_timeout = Duration::from_millis(100)).await;
    // Half a request line and nothing more; plus an idle keep-alive connection.
    let mut stuck = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stuck.write_all(b"POST /get_job_st").await.unwrap();
    let mut idle = Client::new(server.addr());
    assert_eq!(idle.get("/healthz", &[]).await.unwrap().status, 200);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(10), server.shutdown()).await.expect("shutdown ends").unwrap();
    eprintln!("shutdown with a stuck client took {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(7));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off() {
    let server = start(|c| c.header_timeout = Duration::from_millis(200)).await;
    let mut slow = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buf = vec![0u8; 1024];
    let started = std::time::Instant::now();
    let n =
        tokio::time::timeout(Duration::from_secs(3), slow.read(&mut buf)).await.expect("closed in time").unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(n == 0 || text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // everyone else is fine
    assert_eq!(client(&server).get("/healthz", &[]).await.unwrap().status, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_wait_their_turn() {
    let server = start(|c| c.max_connections = 2).await;
    let mut a = client(&server);
    let mut b = client(&server);
    assert_eq!(a.get("/healthz", &[]).await.unwrap().status, 200);
    assert_eq!(b.get("/healthz", &[]).await.unwrap().status, 200);
    let addr = server.addr();
    let third = tokio::spawn(async move { Client::new(addr).get("/healthz", &[]).await.map(|r| r.status) });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!third.is_finished(), "the third connection waits while two are open");
    drop(a);
    let status =
        tokio::time::timeout(Duration::from_secs(3), third).await.expect("served once a slot frees").unwrap().unwrap();
    assert_eq!(status, 200);
    assert_eq!(b.get("/healthz", &[]).await.unwrap().status, 200);
    server.shutdown().await.unwrap();
}
