#![cfg(not(target_arch = "wasm32"))]
//! Issue 14, defects 3 and 4: jobs and results belong to the token's subject (other
//! non-admin subjects get 404 as if they did not exist, admins see all, idempotency keys are
//! per subject), and retention is capped by count and bytes, oldest-finished first.

mod bridge_support;

use bridge_support::*;
use granola::bridge::auth::mint_token;
use granola::bridge::{Call, Reply, TEST_SECRET};
use serde_json::{json, Value};

fn as_user(env: &mut Env, sub: &str, role: &str, tool: &str, body: Value) -> Reply {
    let tok = mint_token(TEST_SECRET, sub, &[role], 3600, WALL);
    env.bridge.call(&mut env.engine, &Call { tool, token: Some(&tok), body: &body.to_string(), unix_ms: WALL })
}

/// ann's finished run (job id, results id), plus bob's running one.
fn two_users() -> (Env, String, String, String) {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let r = as_user(&mut env, "ann", "operator", "run_simulation", json!({"simulationId": "s", "runId": "ann-run"}));
    assert_eq!(r.status, 202);
    let ann_job = r.body["jobId"].as_str().unwrap().to_string();
    env.advance(10_000.0);
    let r = as_user(&mut env, "bob", "operator", "run_simulation", json!({"simulationId": "s"}));
    let bob_job = r.body["jobId"].as_str().unwrap().to_string();
    (env, ann_job, "ann-run".to_string(), bob_job)
}

#[test]
fn another_subjects_jobs_and_results_are_not_found() {
    let (mut env, ann_job, ann_results, _) = two_users();
    let unknown = as_user(&mut env, "bob", "operator", "get_job_status", json!({"jobId": "no-such-job"}));
    assert_eq!(unknown.status, 404);
    for (tool, body) in [
        ("get_job_status", json!({"jobId": ann_job})),
        ("cancel_job", json!({"jobId": ann_job})),
        ("get_simulation_results", json!({"resultsId": ann_results})),
        ("calculate_pk_parameters", json!({"resultsId": ann_results})),
        ("get_population_results", json!({"resultsId": ann_results})),
    ] {
        let r = as_user(&mut env, "bob", "operator", tool, body.clone());
        assert_eq!(r.status, 404, "{tool}: {}", r.body);
        assert_eq!(code(&r), "NOT_FOUND");
        if tool == "get_job_status" || tool == "cancel_job" {
            // Word for word what an unknown id gets: nothing tells bob the job exists.
            assert_eq!(r.body, unknown.body, "{tool}");
        }
        let own = as_user(&mut env, "ann", "viewer", tool, body);
        if tool == "get_population_results" {
            // ann hears what her id really is; bob heard only "not found".
            assert!(own.body["error"]["message"].as_str().unwrap().contains("single run"), "{}", own.body);
            assert_eq!(r.body["error"]["message"], "Population results not found");
        } else {
            assert_ne!(own.status, 404, "{tool} for the owner: {}", own.body);
        }
    }
    // Results not ready yet are not a hint either: bob's own results id says "not ready",
    // ann asking for it hears only "not found".
    let (mut env, _, _, bob_job) = two_users();
    env.advance(10.0);
    let rid = as_user(&mut env, "bob", "viewer", "get_job_status", json!({"jobId": bob_job})).body;
    assert_eq!(rid["status"], "running");
    let bob_results = env.bridge.store().job(&bob_job).unwrap().results_id;
    let r = as_user(&mut env, "bob", "viewer", "get_simulation_results", json!({"resultsId": bob_results}));
    assert!(r.body["error"]["message"].as_str().unwrap().contains("not ready"), "{}", r.body);
    let r = as_user(&mut env, "ann", "viewer", "get_simulation_results", json!({"resultsId": bob_results}));
    assert_eq!(r.body["error"]["message"], "Results not found");
}

#[test]
fn admins_see_and_cancel_every_job() {
    let (mut env, ann_job, ann_results, bob_job) = two_users();
    env.advance(10.0);
    let r = as_user(&mut env, "root", "admin", "get_job_status", json!({"jobId": ann_job}));
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("succeeded")));
    let r = as_user(&mut env, "root", "admin", "get_simulation_results", json!({"resultsId": ann_results}));
    assert_eq!(r.status, 200);
    let r = as_user(&mut env, "root", "admin", "cancel_job", json!({"jobId": bob_job}));
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("running")));
    env.advance(1_000.0);
    let r = as_user(&mut env, "bob", "viewer", "get_job_status", json!({"jobId": bob_job}));
    assert_eq!(r.body["status"], "cancelled");
}

#[test]
fn idempotency_keys_are_per_subject() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let body = json!({"simulationId": "s", "idempotencyKey": "k-1"});
    let ann = as_user(&mut env, "ann", "operator", "run_simulation", body.clone());
    let ann_again = as_user(&mut env, "ann", "operator", "run_simulation", body.clone());
    assert_eq!(ann.body["jobId"], ann_again.body["jobId"], "a replay returns the same job");
    // bob's k-1 is another key: his own job, not ann's (it used to be ann's).
    let bob = as_user(&mut env, "bob", "operator", "run_simulation", body);
    assert_eq!(bob.status, 202);
    assert_ne!(bob.body["jobId"], ann.body["jobId"]);
    // ...and a different payload under bob's k-1 conflicts only with bob's own job.
    let other = json!({"simulationId": "s", "idempotencyKey": "k-1", "maxRetries": 2});
    assert_eq!(as_user(&mut env, "bob", "operator", "run_simulation", other.clone()).status, 409);
    assert_eq!(as_user(&mut env, "cy", "operator", "run_simulation", other).status, 202);
}

#[test]
fn retention_caps_evict_the_oldest_finished_first() {
    let mut env = Env::new();
    env.bridge.max_finished_jobs = 3;
    env.load("s", "one_compartment_iv");
    let mut jobs = Vec::new();
    for i in 0..5 {
        jobs.push(env.run(json!({"simulationId": "s", "runId": format!("r{i}")})));
        env.advance(2_000.0);
    }
    let running = env.run(json!({"simulationId": "s"}));
    env.advance(10.0);
    let status = |env: &mut Env, job: &str| env.call("viewer", "get_job_status", json!({"jobId": job})).status;
    assert_eq!(status(&mut env, &jobs[0]), 404, "the oldest finished went first");
    assert_eq!(status(&mut env, &jobs[1]), 404);
    for j in &jobs[2..] {
        assert_eq!(status(&mut env, j), 200);
    }
    assert_eq!(status(&mut env, &running), 200, "unfinished jobs are never evicted");
    assert!(env.bridge.results("r1").is_none() && env.bridge.results("r2").is_some());
    let st = env.bridge.store().stats();
    assert_eq!((st.jobs, st.finished_jobs, st.results), (4, 3, 3));
    let fig = env.bridge.retention_json();
    assert_eq!(fig["finishedJobs"], 3);
    assert_eq!(fig["maxFinishedJobs"], 3);
    assert_eq!(fig["evicted"], 2);
    assert_eq!(fig["resultBytes"], st.result_bytes);

    // A byte cap: room for two results of this size.
    let one = st.result_bytes / 3;
    env.bridge.max_finished_jobs = 100;
    env.bridge.max_result_bytes = one * 2 + one / 2;
    env.advance(0.0);
    env.call("viewer", "list_tools", json!({}));
    assert_eq!(status(&mut env, &jobs[2]), 404);
    assert_eq!(status(&mut env, &jobs[3]), 200);
    assert!(env.bridge.store().stats().result_bytes <= env.bridge.max_result_bytes);
}

#[test]
fn a_full_queue_answers_429() {
    let mut env = Env::with_slots(1);
    env.bridge.max_active_jobs = 3;
    env.load("s", "one_compartment_iv");
    for _ in 0..3 {
        env.run(json!({"simulationId": "s"}));
    }
    let r = env.call("operator", "run_simulation", json!({"simulationId": "s"}));
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(code(&r), "RATE_LIMITED");
    assert_eq!(r.body["error"]["retryable"], true);
    env.advance(10_000.0);
    assert_eq!(env.call("operator", "run_simulation", json!({"simulationId": "s"})).status, 202);
}
