#![cfg(not(target_arch = "wasm32"))]
//! The bridge tools over real HTTP: the seed page's cancel_job request and response, every
//! tool route with its success status, and every error code and role rule.

mod server_support;

use std::time::Duration;

use granola::server::client::Client;
use serde_json::{json, Value};
use server_support::*;

async fn post(c: &mut Client, tool: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let r = c.post_json(&format!("/{tool}"), token, &body.to_string()).await.unwrap();
    assert_eq!(r.header("content-type"), Some("application/json"), "{tool}");
    (r.status, r.json())
}

async fn load(c: &mut Client, tok: &str, sim: &str) {
    let (s, b) =
        post(c, "load_simulation", Some(tok), json!({"simulationId": sim, "model": "one_compartment_iv"})).await;
    assert_eq!(s, 201, "{b}");
}

async fn run(c: &mut Client, tok: &str, sim: &str) -> String {
    let (s, b) = post(c, "run_simulation", Some(tok), json!({"simulationId": sim})).await;
    assert_eq!(s, 202, "{b}");
    b["jobId"].as_str().unwrap().to_string()
}

/// Poll get_job_status until the job is terminal; returns the whole status body.
async fn wait_terminal(c: &mut Client, tok: &str, job: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (s, b) = post(c, "get_job_status", Some(tok), json!({"jobId": job})).await;
        assert_eq!(s, 200, "{b}");
        if ["succeeded", "failed", "cancelled", "timeout"].contains(&b["job"]["status"].as_str().unwrap()) {
            return b;
        }
        assert!(std::time::Instant::now() < deadline, "job {job} did not finish: {b}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The seed page (cancel_job.md): its request body and response shape, then the follow-up
/// `get_job_status | jq '.job.status'` until a terminal state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_page_cancel_job() {
    // Slow job time (a run takes ~10 s of wall time) so the cancel surely finds it unfinished.
    let server = start(|cfg| cfg.speed = 0.2).await;
    let mut c = client(&server);
    let tok = operator();
    load(&mut c, &tok, "seed").await;
    let job = run(&mut c, &tok, "seed").await;

    let r = c.post_json("/cancel_job", Some(&tok), &format!("{{\"jobId\":\"{job}\"}}")).await.unwrap();
    assert_eq!(r.status, 200);
    let body = r.json();
    let obj = body.as_object().unwrap();
    assert_eq!(obj.len(), 2, "{body}");
    assert_eq!(body["jobId"], job.as_str());
    let st = body["status"].as_str().unwrap();
    assert!(["cancelled", "queued", "running"].contains(&st), "{body}");

    let end = wait_terminal(&mut c, &tok, &job).await;
    assert_eq!(end["job"]["status"], "cancelled");
    assert_eq!(end["status"], "cancelled");
    assert_eq!(end["job"]["cancelRequested"], true);
    assert_eq!(end["resultHandle"], Value::Null);

    // A queued job answers "cancelled" at once: fill both slots, cancel the third.
    let _a = run(&mut c, &tok, "seed").await;
    let _b = run(&mut c, &tok, "seed").await;
    let third = run(&mut c, &tok, "seed").await;
    let (s, b) = post(&mut c, "cancel_job", Some(&tok), json!({"jobId": third})).await;
    assert_eq!(s, 200);
    assert_eq!(b, json!({"jobId": third, "status": "cancelled"}));

    // The page's error table: no such job → 404 NOT_FOUND.
    let (s, b) = post(&mut c, "cancel_job", Some(&tok), json!({"jobId": "8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f"})).await;
    assert_eq!(s, 404);
    assert_eq!(b["error"]["code"], "NOT_FOUND");
    server.shutdown().await.unwrap();
}

/// Every tool that `GET /tools` lists is reachable at `POST /<tool>` and answers its
/// `successStatus` for a valid request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_route_answers_its_success_status() {
    let server = start(|cfg| cfg.speed = 200.0).await;
    let mut c = client(&server);
    let tok = operator();
    let tools = c.get("/tools", &[]).await.unwrap().json()["tools"].as_array().unwrap().clone();
    assert!(tools.len() >= 12, "{tools:?}");
    let status_of = |name: &str| -> u16 {
        tools.iter().find(|t| t["name"] == name).unwrap()["successStatus"].as_u64().unwrap() as u16
    };
    let mut covered = Vec::new();
    let mut check = |name: &str, status: u16, body: &Value| {
        assert_eq!(status, status_of(name), "{name}: {body}");
        covered.push(name.to_string());
    };

    let (s, b) =
        post(&mut c, "load_simulation", Some(&tok), json!({"simulationId": "all", "model": "one_compartment_oral"}))
            .await;
    check("load_simulation", s, &b);
    let (s, b) = post(&mut c, "list_parameters", Some(&tok), json!({"simulationId": "all"})).await;
    assert!(b["parameters"].as_array().unwrap().iter().any(|p| p == "CL"));
    check("list_parameters", s, &b);
    let (s, b) =
        post(&mut c, "get_parameter_value", Some(&tok), json!({"simulationId": "all", "parameterPath": "CL"})).await;
    check("get_parameter_value", s, &b);
    let (s, b) = post(
        &mut c,
        "set_parameter_value",
        Some(&tok),
        json!({"simulationId": "all", "parameterPath": "CL", "value": 6.5}),
    )
    .await;
    check("set_parameter_value", s, &b);
    let (s, b) = post(&mut c, "run_simulation", Some(&tok), json!({"simulationId": "all"})).await;
    check("run_simulation", s, &b);
    let job = b["jobId"].as_str().unwrap().to_string();
    let (s, b) = post(
        &mut c,
        "run_population_simulation",
        Some(&tok),
        json!({"simulationId": "all", "cohort": {"size": 5, "seed": 7}}),
    )
    .await;
    check("run_population_simulation", s, &b);
    let pop_job = b["jobId"].as_str().unwrap().to_string();
    let (s, b) = post(&mut c, "get_job_status", Some(&tok), json!({"jobId": job})).await;
    check("get_job_status", s, &b);
    let (_, victim) = post(&mut c, "run_simulation", Some(&tok), json!({"simulationId": "all"})).await;
    let (s, b) = post(&mut c, "cancel_job", Some(&tok), json!({"jobId": victim["jobId"]})).await;
    check("cancel_job", s, &b);

    let done = wait_terminal(&mut c, &tok, &job).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let results_id = done["resultHandle"]["resultsId"].as_str().unwrap().to_string();
    let (s, b) = post(&mut c, "get_simulation_results", Some(&tok), json!({"resultsId": results_id})).await;
    assert!(!b["series"].as_array().unwrap().is_empty(), "{b}");
    check("get_simulation_results", s, &b);
    let (s, b) = post(&mut c, "calculate_pk_parameters", Some(&tok), json!({"resultsId": results_id})).await;
    check("calculate_pk_parameters", s, &b);
    let pop = wait_terminal(&mut c, &tok, &pop_job).await;
    assert_eq!(pop["status"], "succeeded", "{pop}");
    let pop_results = pop["resultHandle"]["resultsId"].as_str().unwrap().to_string();
    let (s, b) = post(&mut c, "get_population_results", Some(&tok), json!({"resultsId": pop_results})).await;
    check("get_population_results", s, &b);
    let (s, b) = post(&mut c, "list_tools", Some(&tok), json!({})).await;
    check("list_tools", s, &b);

    let mut listed: Vec<String> = tools.iter().map(|t| t["name"].as_str().unwrap().to_string()).collect();
    listed.sort();
    covered.sort();
    assert_eq!(covered, listed, "every listed tool is exercised");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_errors_are_401() {
    let server = start(|_| {}).await;
    let mut c = client(&server);
    let body = json!({"jobId": "x"});
    // no token
    let (s, b) = post(&mut c, "get_job_status", None, body.clone()).await;
    assert_eq!((s, b["error"]["code"].as_str()), (401, Some("UNAUTHORIZED")), "{b}");
    // not a bearer scheme
    let r = c
        .request(
            "POST",
            "/get_job_status",
            &[("Authorization", &format!("Basic {}", operator()))],
            body.to_string().as_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 401);
    // garbage, tampered, wrong secret, expired
    let (s, _) = post(&mut c, "get_job_status", Some("a.b.c"), body.clone()).await;
    assert_eq!(s, 401);
    let good = operator();
    let tampered = format!("{}x", &good[..good.len() - 1]);
    let (s, _) = post(&mut c, "get_job_status", Some(&tampered), body.clone()).await;
    assert_eq!(s, 401);
    let other = granola::bridge::auth::mint_token("another-secret", "t", &["operator"], 3600, now_ms());
    let (s, _) = post(&mut c, "get_job_status", Some(&other), body.clone()).await;
    assert_eq!(s, 401);
    let expired = granola::bridge::auth::mint_token(
        granola::server::ServerConfig::test_secret(),
        "t",
        &["operator"],
        60,
        now_ms() - 3_600_000.0,
    );
    let (s, b) = post(&mut c, "get_job_status", Some(&expired), body.clone()).await;
    assert_eq!(s, 401);
    assert!(b["error"]["message"].as_str().unwrap().contains("xpired"), "{b}");
    // a server with its own secret accepts its tokens and rejects the other server's
    let own = start(|cfg| cfg.secret = Some("workshop-secret-of-at-least-32-bytes".into())).await;
    let mut oc = client(&own);
    let (s, _) = post(&mut oc, "get_job_status", Some(&operator()), body.clone()).await;
    assert_eq!(s, 401);
    let mine =
        granola::bridge::auth::mint_token("workshop-secret-of-at-least-32-bytes", "t", &["operator"], 3600, now_ms());
    let (s, _) = post(&mut oc, "get_job_status", Some(&mine), body.clone()).await;
    assert_eq!(s, 404);
    own.shutdown().await.unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_rules_are_403() {
    let server = start(|_| {}).await;
    let mut c = client(&server);
    let op = operator();
    let view = viewer();
    load(&mut c, &op, "roles").await;
    let job = run(&mut c, &op, "roles").await;
    // a viewer may read …
    let (s, _) = post(&mut c, "get_job_status", Some(&view), json!({"jobId": job})).await;
    assert_eq!(s, 200);
    let (s, _) = post(&mut c, "list_parameters", Some(&view), json!({"simulationId": "roles"})).await;
    assert_eq!(s, 200);
    // … but not cancel, run, load or change
    for (tool, body) in [
        ("cancel_job", json!({"jobId": job})),
        ("run_simulation", json!({"simulationId": "roles"})),
        ("run_population_simulation", json!({"simulationId": "roles", "cohort": {"size": 2}})),
        ("load_simulation", json!({"simulationId": "v", "model": "one_compartment_iv"})),
        ("set_parameter_value", json!({"simulationId": "roles", "parameterPath": "CL", "value": 1.0})),
    ] {
        let (s, b) = post(&mut c, tool, Some(&view), body).await;
        assert_eq!(s, 403, "{tool}: {b}");
        assert_eq!(b["error"]["code"], "FORBIDDEN");
    }
    // a token with no known role can do nothing
    let nobody = token(&["guest"]);
    let (s, _) = post(&mut c, "get_job_status", Some(&nobody), json!({"jobId": job})).await;
    assert_eq!(s, 403);
    // admin may cancel
    let admin = token(&["admin"]);
    let (s, _) = post(&mut c, "cancel_job", Some(&admin), json!({"jobId": job})).await;
    assert_eq!(s, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_and_bad_input() {
    let server = start(|cfg| cfg.max_body_bytes = 4096).await;
    let mut c = client(&server);
    let tok = operator();
    // 404s: unknown job, unknown tool, unknown simulation, unknown results
    let (s, b) = post(&mut c, "get_job_status", Some(&tok), json!({"jobId": "no-such-job"})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("NOT_FOUND")));
    assert_eq!(b["error"]["details"][0]["field"], "jobId");
    let (s, b) = post(&mut c, "no_such_tool", Some(&tok), json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("NOT_FOUND")));
    let (s, _) = post(&mut c, "run_simulation", Some(&tok), json!({"simulationId": "ghost"})).await;
    assert_eq!(s, 404);
    let (s, _) = post(&mut c, "get_simulation_results", Some(&tok), json!({"resultsId": "ghost"})).await;
    assert_eq!(s, 404);
    // 400s: malformed JSON, not an object, missing and wrong-typed fields
    for raw in ["{\"jobId\":", "[1,2]", "\"x\"", "{\"jobId\": 42}", "{\"jobId\": null}", "{}", "{\"jobId\": \"\"}"] {
        let r = c.post_json("/get_job_status", Some(&tok), raw).await.unwrap();
        assert_eq!(r.status, 400, "{raw}: {}", r.text());
        let b = r.json();
        assert_eq!(b["error"]["code"], "INVALID_INPUT", "{raw}");
        assert!(b["error"]["message"].is_string());
        assert!(b["error"]["details"].is_array());
    }
    let (s, b) =
        post(&mut c, "run_population_simulation", Some(&tok), json!({"simulationId": "x", "cohort": {"size": "ten"}}))
            .await;
    assert_eq!(s, 400, "{b}");
    // 409: loading the same id twice
    load(&mut c, &tok, "twice").await;
    let (s, b) =
        post(&mut c, "load_simulation", Some(&tok), json!({"simulationId": "twice", "model": "one_compartment_iv"}))
            .await;
    assert_eq!((s, b["error"]["code"].as_str()), (409, Some("CONFLICT")));
    // 413: over the server's body limit, before auth or parsing
    let big = format!("{{\"jobId\":\"{}\"}}", "x".repeat(5000));
    let r = c.post_json("/get_job_status", None, &big).await.unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["error"]["code"], "INVALID_INPUT");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_429_comes_before_auth() {
    let server = start(|cfg| cfg.rate_limit = 2).await;
    let mut c = client(&server);
    for _ in 0..2 {
        let (s, _) = post(&mut c, "get_job_status", None, json!({"jobId": "x"})).await;
        assert_eq!(s, 401);
    }
    let (s, b) = post(&mut c, "get_job_status", Some(&operator()), json!({"jobId": "x"})).await;
    assert_eq!(s, 429);
    assert_eq!(b["error"]["code"], "RATE_LIMITED");
    assert_eq!(b["error"]["retryable"], true);
    assert_eq!(
        b,
        granola::bridge::rate_limited(
            b["error"]["details"][0]["issue"]
                .as_str()
                .unwrap()
                .trim_start_matches("retry after ")
                .trim_end_matches(" s")
                .parse()
                .unwrap()
        )
        .body
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_run_on_real_time_in_the_background() {
    // No request in between: the ticker alone moves the job from queued to succeeded.
    let server = start(|cfg| cfg.speed = 100.0).await;
    let mut c = client(&server);
    let tok = operator();
    load(&mut c, &tok, "bg").await;
    let job = run(&mut c, &tok, "bg").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Recorded as succeeded in the store, and off the engine (which holds running jobs only).
    let (stored, on_engine) =
        server.with_core(|core| (core.bridge.store().job(&job).map(|r| r.status), core.bridge.engine_job(&job)));
    assert_eq!(stored.as_deref(), Some("succeeded"));
    assert_eq!(on_engine, None);
    let (_, b) = post(&mut c, "get_job_status", Some(&tok), json!({"jobId": job})).await;
    assert_eq!(b["status"], "succeeded");
    // at speed 1 the same run is still going after the same wall time
    let slow = start(|_| {}).await;
    let mut sc = client(&slow);
    load(&mut sc, &tok, "bg").await;
    let job = run(&mut sc, &tok, "bg").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, b) = post(&mut sc, "get_job_status", Some(&tok), json!({"jobId": job})).await;
    assert_eq!(b["status"], "running", "{b}");
    slow.shutdown().await.unwrap();
    server.shutdown().await.unwrap();
}

/// Issue 18: two server starts hand out different job and results ids (they used to repeat
/// the same sequence on every start).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_starts_give_different_ids() {
    let mut firsts = Vec::new();
    for _ in 0..2 {
        let server = start(|cfg| cfg.speed = 200.0).await;
        let mut c = client(&server);
        let tok = operator();
        load(&mut c, &tok, "ids").await;
        let job = run(&mut c, &tok, "ids").await;
        let end = wait_terminal(&mut c, &tok, &job).await;
        let results = end["resultHandle"]["resultsId"].as_str().unwrap().to_string();
        assert!(granola::jobs::ids::is_uuid_v4(&job), "{job}");
        firsts.push((job, results));
        server.shutdown().await.unwrap();
    }
    assert_ne!(firsts[0].0, firsts[1].0, "first job ids");
    assert_ne!(firsts[0].1, firsts[1].1, "first results ids");
}
