#![cfg(not(target_arch = "wasm32"))]
//! Job lifecycle through the bridge: §6 checklist items adapted to the bridge's decisions.

mod bridge_support;

use bridge_support::*;
use serde_json::json;

#[test]
fn submit_and_complete() {
    let mut env = Env::new();
    env.load("sim-1", "one_compartment_oral");
    let job = env.run(json!({"simulationId": "sim-1"}));
    let s = env.status(&job);
    assert_eq!(s["status"], "queued");
    assert_eq!(s["job"]["status"], "queued");
    env.advance(0.0);
    assert_eq!(env.status(&job)["status"], "running");
    env.advance(10_000.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "succeeded", "{s}");
    assert_eq!(s["attempts"], 1);
    let rid = s["resultHandle"]["resultsId"].as_str().unwrap().to_string();
    let r = env.ok("get_simulation_results", json!({"resultsId": rid}), 200);
    assert_eq!(r["series"][0]["values"].as_array().unwrap().len(), 49);
}

const STATUSES: [&str; 6] = ["queued", "running", "succeeded", "failed", "timeout", "cancelled"];

#[test]
fn status_payload_is_flat_and_nested() {
    let mut env = Env::new();
    env.advance(1_500.0);
    env.load("sim-1", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "sim-1"}));
    assert_eq!(job.len(), 36);
    assert_eq!(job.matches('-').count(), 4);
    env.advance(500.0);
    let s = env.status(&job);
    for k in [
        "jobId",
        "status",
        "submittedAt",
        "startedAt",
        "finishedAt",
        "attempts",
        "maxRetries",
        "timeoutSeconds",
        "cancelRequested",
        "progress",
        "resultHandle",
        "error",
    ] {
        assert!(s.get(k).is_some(), "flat {k}");
        assert_eq!(s[k], s["job"][k], "nested {k}");
    }
    assert_eq!(s["submittedAt"], "2026-01-01T00:00:01.500Z");
    assert_eq!(s["startedAt"], "2026-01-01T00:00:01.500Z");
    assert_eq!(s["finishedAt"], serde_json::Value::Null);
    assert_eq!(s["timeoutSeconds"], 300);
    assert_eq!(s["maxRetries"], 0);
    assert_eq!(s["cancelRequested"], false);
    assert_eq!(s["status"], "running"); // engine state Streaming counts as running
    assert_eq!(s["progress"]["done"], 6);
    assert_eq!(s["progress"]["total"], 20);
    assert_eq!(s["progress"]["percentage"], 30);
    env.advance(10_000.0);
    let s = env.status(&job);
    assert!(STATUSES.contains(&s["status"].as_str().unwrap()));
    assert_eq!(s["status"], "succeeded");
    // 20 slices 100 ms apart: the last one runs 1.9 s after the start.
    assert_eq!(s["finishedAt"], "2026-01-01T00:00:03.400Z");
    assert_eq!(s["error"], serde_json::Value::Null);
    let rid = s["resultHandle"]["resultsId"].as_str().unwrap().to_string();
    let r = env.ok("get_simulation_results", json!({"resultsId": rid}), 200);
    assert!(!r["series"][0]["values"].as_array().unwrap().is_empty());
    assert_eq!(r["generatedAt"], "2026-01-01T00:00:03.400Z");
}

#[test]
fn retry_then_succeed() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "s", "maxRetries": 2, "failFirstAttempts": 1}));
    env.advance(10_000.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "succeeded", "{s}");
    assert_eq!(s["attempts"], 2);
    assert_eq!(s["maxRetries"], 2);
    assert_eq!(s["error"], serde_json::Value::Null);
    assert!(s["resultHandle"]["resultsId"].is_string());
}

#[test]
fn retries_exhausted_fail() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let a = env.run(json!({"simulationId": "s", "maxRetries": 1, "failFirstAttempts": 10}));
    let b = env.run(json!({"simulationId": "s", "maxRetries": 2, "failFirstAttempts": 10}));
    env.advance(10_000.0);
    let s = env.status(&a);
    assert_eq!(s["status"], "failed");
    assert_eq!(s["attempts"], 2);
    assert!(!s["error"]["message"].as_str().unwrap().is_empty());
    assert_eq!(s["resultHandle"], serde_json::Value::Null);
    let s = env.status(&b);
    assert_eq!(s["status"], "failed");
    assert_eq!(s["attempts"], 3);
    // A failed job has completed: nothing to cancel.
    let r = env.call("operator", "cancel_job", json!({"jobId": b}));
    assert_eq!(r.status, 404);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("status failed"));
    // No retries: one attempt.
    let c = env.run(json!({"simulationId": "s", "failFirstAttempts": 1}));
    env.advance(10_000.0);
    assert_eq!(env.status(&c)["attempts"], 1);
    assert_eq!(env.status(&c)["status"], "failed");
}

#[test]
fn a_retry_waits_queued_with_its_error() {
    let mut env = Env::with_slots(1);
    env.load("s", "one_compartment_iv");
    let a = env.run(json!({"simulationId": "s", "maxRetries": 1, "failFirstAttempts": 1}));
    let b = env.run(json!({"simulationId": "s"}));
    env.advance(100.0); // a's first attempt fails at its second step; b takes the slot
    let s = env.status(&a);
    assert_eq!(s["status"], "queued");
    assert_eq!(s["attempts"], 1);
    assert!(s["error"]["message"].as_str().unwrap().contains("transient"));
    assert_eq!(env.status(&b)["status"], "running");
    // Cancelling during the retry wait removes it from the queue.
    let c = env.ok("cancel_job", json!({"jobId": a}), 200);
    assert_eq!(c, json!({"jobId": a, "status": "cancelled"}));
    env.advance(10_000.0);
    let s = env.status(&a);
    assert_eq!(s["status"], "cancelled");
    assert_eq!(s["attempts"], 1);
    assert_eq!(s["error"], serde_json::Value::Null);
    assert_eq!(s["progress"]["message"], "cancelled while waiting to retry (after attempt 1)");
    assert_eq!(env.status(&b)["status"], "succeeded");
}

#[test]
fn cancel_while_queued() {
    let mut env = Env::with_slots(1);
    env.load("s", "one_compartment_iv");
    let blocker = env.run(json!({"simulationId": "s"}));
    let job = env.run(json!({"simulationId": "s"}));
    env.advance(50.0);
    assert_eq!(env.status(&job)["status"], "queued");
    let c = env.ok("cancel_job", json!({"jobId": job}), 200);
    assert_eq!(c, json!({"jobId": job, "status": "cancelled"}));
    let s = env.status(&job);
    assert_eq!(s["status"], "cancelled");
    assert_eq!(s["cancelRequested"], true);
    assert_eq!(s["attempts"], 0);
    assert_eq!(s["startedAt"], serde_json::Value::Null);
    assert_eq!(s["finishedAt"], "2026-01-01T00:00:00.050Z");
    assert_eq!(s["submittedAt"], "2026-01-01T00:00:00.000Z");
    assert_eq!(s["resultHandle"], serde_json::Value::Null);
    env.advance(10_000.0);
    assert_eq!(env.status(&blocker)["status"], "succeeded");
    let s = env.status(&job);
    assert_eq!(s["status"], "cancelled");
    assert_eq!(s["attempts"], 0, "never started");
}

#[test]
fn cancel_before_the_first_advance() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "s"}));
    let c = env.ok("cancel_job", json!({"jobId": job}), 200);
    assert_eq!(c["status"], "cancelled");
    env.advance(10_000.0);
    assert_eq!(env.status(&job)["status"], "cancelled");
}

#[test]
fn cancel_while_running() {
    let mut env = Env::new();
    env.load("s", "one_compartment_oral");
    let job = env.run(json!({"simulationId": "s", "runId": "r1"}));
    env.advance(250.0);
    let c = env.ok("cancel_job", json!({"jobId": job}), 200);
    assert_eq!(c, json!({"jobId": job, "status": "running"}));
    let s = env.status(&job);
    assert_eq!(s["status"], "running");
    assert_eq!(s["cancelRequested"], true);
    env.advance(49.0);
    assert_eq!(env.status(&job)["status"], "running");
    env.advance(1.0); // next step at 300 ms is the cancellation point
    let s = env.status(&job);
    assert_eq!(s["status"], "cancelled");
    assert_eq!(s["resultHandle"], serde_json::Value::Null);
    assert_eq!(s["finishedAt"], "2026-01-01T00:00:00.300Z");
    assert_eq!(s["attempts"], 1);
    assert_eq!(s["progress"]["done"], 3);
    assert_eq!(s["error"], serde_json::Value::Null);
    // Its results never appear.
    let r = env.call("viewer", "get_simulation_results", json!({"resultsId": "r1"}));
    assert_eq!(r.status, 404);
    assert!(env.bridge.results("r1").is_none());
    // A second cancel is on a finished job.
    let r = env.call("operator", "cancel_job", json!({"jobId": job}));
    assert_eq!(r.status, 404);
}

#[test]
fn cancel_at_every_cancellation_point() {
    // A default run has 20 slices at 0, 100, …, 1900 ms after its start; a cancel that
    // arrives after k slices ends the job at slice k + 1 with k slices done.
    for k in 0..20u32 {
        let mut env = Env::new();
        env.load("s", "one_compartment_iv");
        let job = env.run(json!({"simulationId": "s"}));
        env.advance(0.0);
        env.advance(k as f64 * 100.0 - 50.0);
        let before = env.status(&job);
        assert_eq!(before["status"], "running");
        let c = env.ok("cancel_job", json!({"jobId": job}), 200);
        assert_eq!(c["status"], "running", "k={k}");
        env.advance(10_000.0);
        let s = env.status(&job);
        assert_eq!(s["status"], "cancelled", "k={k}");
        assert_eq!(s["progress"]["done"], k.max(1), "k={k}");
        assert_eq!(s["resultHandle"], serde_json::Value::Null);
    }
    // After the last slice the job has succeeded: cancel is a 404 and changes nothing.
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "s"}));
    env.advance(1_900.0);
    assert_eq!(env.status(&job)["status"], "succeeded");
    let r = env.call("operator", "cancel_job", json!({"jobId": job}));
    assert_eq!(r.status, 404);
    assert_eq!(code(&r), "NOT_FOUND");
    assert_eq!(field(&r), "jobId");
    let s = env.status(&job);
    assert_eq!(s["status"], "succeeded");
    assert_eq!(s["cancelRequested"], false);
    assert!(s["resultHandle"]["resultsId"].is_string());
}

#[test]
fn cancel_population_between_subjects() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let b = env.ok(
        "run_population_simulation",
        json!({"simulationId": "s", "cohort": {"size": 30}, "runId": "pop-x"}),
        202,
    );
    let job = b["jobId"].as_str().unwrap().to_string();
    env.advance(45.0); // subjects at 0, 10, 20, 30, 40 ms
    assert_eq!(env.ok("cancel_job", json!({"jobId": job}), 200)["status"], "running");
    env.advance(10_000.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "cancelled");
    assert_eq!(s["progress"]["done"], 5);
    assert_eq!(s["progress"]["total"], 30);
    assert_eq!(env.call("viewer", "get_population_results", json!({"resultsId": "pop-x"})).status, 404);
}

#[test]
fn cancel_during_a_failing_attempt() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "s", "maxRetries": 3, "failFirstAttempts": 2}));
    env.advance(0.0);
    assert_eq!(env.ok("cancel_job", json!({"jobId": job}), 200)["status"], "running");
    env.advance(10_000.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "cancelled");
    assert_eq!(s["attempts"], 1);
}

#[test]
fn unknown_jobs_are_404() {
    let mut env = Env::new();
    let r = env.call("operator", "cancel_job", json!({"jobId": "8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f"}));
    assert_eq!(r.status, 404);
    assert_eq!(code(&r), "NOT_FOUND");
    assert_eq!(field(&r), "jobId");
    let r = env.call("viewer", "get_job_status", json!({"jobId": "nope"}));
    assert_eq!(r.status, 404);
    assert!(r.body["error"]["message"].as_str().unwrap().starts_with("Job not found"));
    assert_eq!(r.body["error"]["retryable"], false);
}

#[test]
fn timeout_ends_the_job() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "s", "timeoutSeconds": 1, "maxRetries": 3, "runId": "slow"}));
    assert_eq!(env.status(&job)["timeoutSeconds"], 1);
    env.advance(999.0);
    assert_eq!(env.status(&job)["status"], "running");
    env.advance(1.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "timeout");
    assert_eq!(s["attempts"], 1, "no retry after a timeout");
    assert!(s["error"]["message"].as_str().unwrap().contains("timeout"));
    assert_eq!(s["finishedAt"], "2026-01-01T00:00:01.000Z");
    assert_eq!(s["resultHandle"], serde_json::Value::Null);
    // Its results id answers 504 TIMEOUT.
    let r = env.call("viewer", "get_simulation_results", json!({"resultsId": "slow"}));
    assert_eq!(r.status, 504);
    assert_eq!(code(&r), "TIMEOUT");
    assert_eq!(r.body["error"]["retryable"], true);
    // Cancelling a timed-out job: already completed.
    assert_eq!(env.call("operator", "cancel_job", json!({"jobId": job})).status, 404);
}

#[test]
fn queue_time_does_not_count_towards_the_timeout() {
    // One slot; each run takes 1.9 s. Five jobs with a 2 s timeout wait up to 7.6 s in the
    // queue and still all succeed: the timeout counts from the start of each attempt.
    let mut env = Env::with_slots(1);
    env.load("s", "one_compartment_iv");
    let jobs: Vec<String> = (0..5).map(|_| env.run(json!({"simulationId": "s", "timeoutSeconds": 2}))).collect();
    let slow = env.run(json!({"simulationId": "s", "timeoutSeconds": 1}));
    env.advance(9_000.0);
    assert_eq!(env.status(&slow)["status"], "queued", "it starts at 9.5 s");
    env.advance(600.0);
    assert_eq!(env.status(&slow)["status"], "running");
    env.advance(100_000.0);
    for job in &jobs {
        let s = env.status(job);
        assert_eq!(s["status"], "succeeded", "{s}");
        assert_eq!(s["attempts"], 1);
    }
    // The last one started at 9.5 s, after queueing, and timed out 1 s later.
    let s = env.status(&slow);
    assert_eq!(s["status"], "timeout");
    assert_eq!(s["attempts"], 1);
    assert_eq!(s["startedAt"], "2026-01-01T00:00:09.500Z");
    assert_eq!(s["finishedAt"], "2026-01-01T00:00:10.500Z");
    assert!(s["error"]["message"].as_str().unwrap().contains("exceeded timeout (1 s)"));
}

#[test]
fn each_retry_gets_a_fresh_timeout() {
    // Attempt 1 fails at 100 ms and is retried at once; attempt 2 runs 1.9 s, finishing at
    // 2.0 s. A 2 s limit from submission would end it there; per attempt it ends at 2.1 s.
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "s", "timeoutSeconds": 2, "maxRetries": 1, "failFirstAttempts": 1}));
    env.advance(10_000.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "succeeded", "{s}");
    assert_eq!(s["attempts"], 2);
    assert_eq!(s["startedAt"], "2026-01-01T00:00:00.100Z");
    assert_eq!(s["finishedAt"], "2026-01-01T00:00:02.000Z");
    // A retry that is itself too slow times out 1 s after its own start, and is not retried
    // again even with retries left.
    let job = env.run(json!({"simulationId": "s", "timeoutSeconds": 1, "maxRetries": 3, "failFirstAttempts": 1}));
    env.advance(10_000.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "timeout");
    assert_eq!(s["attempts"], 2);
    assert_eq!(s["startedAt"], "2026-01-01T00:00:10.100Z");
    assert_eq!(s["finishedAt"], "2026-01-01T00:00:11.100Z");
}

#[test]
fn results_not_ready_yet() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "s", "runId": "later"}));
    let r = env.call("viewer", "get_simulation_results", json!({"resultsId": "later"}));
    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"]["retryable"], true);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("not ready"));
    env.advance(10_000.0);
    assert_eq!(env.status(&job)["resultHandle"]["resultsId"], "later");
    assert_eq!(env.call("viewer", "get_simulation_results", json!({"resultsId": "later"})).status, 200);
    // runId already used.
    let r = env.call("operator", "run_simulation", json!({"simulationId": "s", "runId": "later"}));
    assert_eq!(r.status, 409);
    assert_eq!(field(&r), "runId");
}

#[test]
fn retention_purges_jobs_and_results() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "s", "runId": "old"}));
    env.advance(10_000.0);
    assert_eq!(env.status(&job)["status"], "succeeded");
    let engine_id = env.bridge.engine_job(&job).unwrap();
    // Default retention is 7 days of job time.
    env.advance(6.0 * 86_400_000.0);
    assert_eq!(env.status(&job)["status"], "succeeded");
    env.advance(86_400_000.0);
    let r = env.call("viewer", "get_job_status", json!({"jobId": job}));
    assert_eq!(r.status, 404);
    assert_eq!(env.call("operator", "cancel_job", json!({"jobId": job})).status, 404);
    assert_eq!(env.call("viewer", "get_simulation_results", json!({"resultsId": "old"})).status, 404);
    assert!(env.bridge.results("old").is_none());
    assert!(env.engine.job(engine_id).is_none());
    // The runId is free again.
    env.run(json!({"simulationId": "s", "runId": "old"}));
}

#[test]
fn retention_window_is_configurable() {
    let mut env = Env::new();
    env.bridge.retention_ms = 1_000.0;
    env.load("s", "one_compartment_iv");
    let done = env.run(json!({"simulationId": "s", "idempotencyKey": "k1"}));
    env.advance(1_900.0);
    let running = env.run(json!({"simulationId": "s"}));
    env.advance(1_000.0);
    // `done` finished at 1.9 s, 1 s ago: purged; the running job is kept.
    assert_eq!(env.call("viewer", "get_job_status", json!({"jobId": done})).status, 404);
    assert_eq!(env.status(&running)["status"], "running");
    // Its idempotency key went with it: the same key now makes a new job.
    let again = env.run(json!({"simulationId": "s", "idempotencyKey": "k1"}));
    assert_ne!(again, done);
    env.bridge.retention_ms = 0.0; // disabled
    env.advance(1_000_000.0);
    assert_eq!(env.status(&running)["status"], "succeeded");
}

#[test]
fn idempotent_replay_returns_the_same_job() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let body = json!({"simulationId": "s", "runId": "r", "idempotencyKey": "abc"});
    let a = env.run(body.clone());
    let b = env.run(body.clone());
    env.advance(10_000.0);
    let third = env.ok("run_simulation", body, 202);
    assert_eq!(a, b);
    assert_eq!(third["jobId"], a);
    assert_eq!(third["status"], "succeeded", "replay shows the current state");
    assert_eq!(env.status(&a)["attempts"], 1);
    assert_eq!(env.engine.issued(), 1);
    // Defaults count as given: an explicit default is the same payload.
    let d = env.run(
        json!({"simulationId": "s", "runId": "r", "idempotencyKey": "abc", "timeoutSeconds": 300, "maxRetries": 0}),
    );
    assert_eq!(d, a);
}

#[test]
fn idempotency_conflicts() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    env.run(json!({"simulationId": "s", "runId": "r1", "idempotencyKey": "abc"}));
    let r =
        env.call("operator", "run_simulation", json!({"simulationId": "s", "runId": "r2", "idempotencyKey": "abc"}));
    assert_eq!(r.status, 409);
    assert_eq!(code(&r), "CONFLICT");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("Idempotency"));
    assert_eq!(field(&r), "idempotencyKey");
    // Keys are global: the other run tool conflicts too.
    let r = env.call(
        "operator",
        "run_population_simulation",
        json!({"simulationId": "s", "cohort": {"size": 2}, "idempotencyKey": "abc"}),
    );
    assert_eq!(r.status, 409);
    assert_eq!(env.engine.issued(), 1);
}

#[test]
fn population_end_to_end() {
    let mut env = Env::new();
    env.load("pop", "one_compartment_oral");
    let b = env.ok(
        "run_population_simulation",
        json!({"simulationId": "pop", "cohort": {"size": 40, "seed": 7, "sampling": "random"}, "metadata": {"study": "demo"}, "outputs": {"aggregates": ["mean", "sd"]}}),
        202,
    );
    assert_eq!(b["status"], "queued");
    assert_eq!(b["simulationId"], "pop");
    assert_eq!(b["jobType"], "population");
    let job = b["jobId"].as_str().unwrap().to_string();
    env.advance(10_000.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "succeeded");
    let rid = s["resultHandle"]["resultsId"].as_str().unwrap().to_string();
    let r = env.ok("get_population_results", json!({"resultsId": rid}), 200);
    assert_eq!(r["simulationId"], "pop");
    assert!(!r["aggregates"].as_object().unwrap().is_empty());
    assert!(!r["chunks"].as_array().unwrap().is_empty());
    assert_eq!(r["metadata"]["study"], "demo");
    assert_eq!(r["metadata"]["outputs"]["aggregates"], json!(["mean", "sd"]));
    assert_eq!(r["cohort"]["seed"], 7);
    let lean =
        env.ok("get_population_results", json!({"resultsId": rid, "includeSubjects": false, "chunkSize": 10}), 200);
    assert_eq!(lean["chunks"].as_array().unwrap().len(), 4);
    assert!(lean["chunks"][0].get("subjects").is_none());
    // The Rust API the web app reads.
    assert_eq!(env.bridge.population_results(&rid).unwrap().subjects.len(), 40);
    // Wrong results tool for the kind.
    assert_eq!(env.call("viewer", "get_simulation_results", json!({"resultsId": rid})).status, 404);
    assert_eq!(env.call("viewer", "calculate_pk_parameters", json!({"resultsId": rid})).status, 404);
}

#[test]
fn a_run_uses_the_parameters_at_submission() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    env.set("s", "V", 25.0);
    let a = env.run(json!({"simulationId": "s", "runId": "a"}));
    env.set("s", "V", 100.0);
    env.advance(10_000.0);
    assert_eq!(env.status(&a)["status"], "succeeded");
    let r = env.ok("get_simulation_results", json!({"resultsId": "a"}), 200);
    assert_eq!(r["series"][0]["values"][0]["value"], 4.0);
    assert_eq!(r["parameters"]["V"], 25);
}

#[test]
fn jobs_panel_summary() {
    let mut env = Env::new();
    env.load("sim-1", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "sim-1"}));
    env.advance(150.0);
    let id = env.bridge.engine_job(&job).unwrap();
    assert_eq!(env.bridge.job_id_of(id), Some(job.as_str()));
    let sum = env.engine.job(id).unwrap().summary();
    assert_eq!(sum.label, "simulation sim-1");
    assert_eq!(sum.progress, Some((2, 20)));
    assert!(sum.text.contains("2/20"), "{}", sum.text);
}

#[test]
fn numerical_failures_are_not_retried() {
    use granola::bridge::models::{lookup, Simulation};
    use granola::bridge::work::{BridgeWork, Plan, RunSpec};
    use granola::jobs::{Engine, State, SubmitOptions};
    let mut model = Simulation::from_entry("x", lookup("one_compartment_iv").unwrap(), 0.0).model();
    model.cl = f64::NAN;
    let work = BridgeWork::new(RunSpec {
        job_id: "j".into(),
        simulation_id: "x".into(),
        model_name: "m".into(),
        results_id: "r".into(),
        model,
        plan: Plan::Single,
        max_retries: 3,
        timeout_s: 300.0,
        budget_steps: granola::bridge::ode::RUN_BUDGET_STEPS,
        fail_first_attempts: 0,
    });
    let mut engine = Engine::default();
    let id = engine.submit(Box::new(work), SubmitOptions::default());
    engine.advance(10_000.0);
    let rec = engine.job(id).unwrap();
    assert_eq!(rec.state, State::Failed);
    assert_eq!(rec.attempts, 1);
    let w = rec.work::<BridgeWork>().unwrap();
    assert!(w.error.as_deref().unwrap().contains("Numerical failure"));
}
