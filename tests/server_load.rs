#![cfg(not(target_arch = "wasm32"))]
//! Load: thousands of requests from concurrent keep-alive clients on loopback. No request may
//! fail, and every submitted job must still be known to the server and end in a terminal
//! state (succeeded, or cancelled when its cancel was accepted).

mod server_support;

use std::time::Duration;

use server_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_lose_no_request_and_no_job() {
    let server = start(|cfg| {
        cfg.rate_limit = 0; // every client is 127.0.0.1
        cfg.speed = 1000.0; // 2 s runs take 2 ms, so the queue drains during the test
        cfg.slots = 4;
    })
    .await;
    let tok = operator();
    load::prepare(server.addr(), &tok, "load").await.unwrap();
    let plan = load::LoadPlan { clients: 16, rounds: 40, token: tok.clone(), simulation: "load".into() };
    let report = tokio::time::timeout(Duration::from_secs(120), load::run(server.addr(), &plan))
        .await
        .expect("load finishes in bounded time");
    eprintln!(
        "load: {} requests in {:.2?} ({:.0} req/s), p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        report.requests,
        report.elapsed,
        report.throughput(),
        report.percentile_ms(50.0),
        report.percentile_ms(95.0),
        report.percentile_ms(99.0)
    );
    assert_eq!(report.failures, 0, "{:#?}", report.failure_samples);
    assert_eq!(report.requests, 16 * 40 * load::REQUESTS_PER_ROUND);
    assert_eq!(report.jobs.len(), 16 * 40);
    let distinct: std::collections::BTreeSet<&String> = report.jobs.iter().collect();
    assert_eq!(distinct.len(), report.jobs.len(), "job ids are unique");

    // No job lost: the store holds exactly these jobs, and each ends terminal.
    let stored = server.with_core(|core| core.bridge.retained_jobs());
    assert_eq!(stored, report.jobs.len());
    let finals = load::final_statuses(server.addr(), &tok, &report.jobs, Duration::from_secs(60)).await.unwrap();
    for (job, status) in &finals {
        if report.cancelled.contains(job) {
            assert!(status == "cancelled" || status == "succeeded", "{job}: {status}");
        } else {
            assert_eq!(status, "succeeded", "{job}");
        }
    }
    server.shutdown().await.unwrap();
}
