#![cfg(not(target_arch = "wasm32"))]
//! Tokens and roles: every tool × role, and every way a token can be bad.

mod bridge_support;

use bridge_support::*;
use granola::bridge::auth::{mint_claims, mint_token};
use granola::bridge::{Bridge, BridgeConfig, Call, TEST_SECRET};
use serde_json::{json, Value};

const VIEWER_TOOLS: [&str; 7] = [
    "list_parameters",
    "get_parameter_value",
    "get_job_status",
    "get_simulation_results",
    "get_population_results",
    "calculate_pk_parameters",
    "list_tools",
];
const OPERATOR_TOOLS: [&str; 5] =
    ["load_simulation", "set_parameter_value", "run_simulation", "run_population_simulation", "cancel_job"];

/// A valid request body per tool (against a bridge with `s` loaded and job/results `r` done).
fn body_for(tool: &str, job: &str) -> Value {
    match tool {
        "load_simulation" => json!({"simulationId": "new", "model": "one_compartment_iv"}),
        "list_parameters" => json!({"simulationId": "s"}),
        "get_parameter_value" => json!({"simulationId": "s", "parameterPath": "CL"}),
        "set_parameter_value" => json!({"simulationId": "s", "parameterPath": "CL", "value": 4}),
        "run_simulation" => json!({"simulationId": "s"}),
        "run_population_simulation" => json!({"simulationId": "s", "cohort": {"size": 3}}),
        "get_job_status" | "cancel_job" => json!({"jobId": job}),
        "get_simulation_results" | "calculate_pk_parameters" => json!({"resultsId": "r"}),
        "get_population_results" => json!({"resultsId": "p"}),
        _ => json!({}),
    }
}

fn prepared() -> (Env, String) {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    env.run(json!({"simulationId": "s", "runId": "r"}));
    env.ok("run_population_simulation", json!({"simulationId": "s", "runId": "p", "cohort": {"size": 3}}), 202);
    env.advance(10_000.0);
    // A long job for cancel_job to act on.
    env.set("s", "EndTime", 1000.0);
    let job = env.run(json!({"simulationId": "s"}));
    env.set("s", "EndTime", 24.0);
    env.advance(0.0);
    (env, job)
}

#[test]
fn every_tool_times_every_role() {
    for tool in VIEWER_TOOLS.iter().chain(OPERATOR_TOOLS.iter()) {
        for role in ["viewer", "operator", "admin", "guest"] {
            let (mut env, job) = prepared();
            let r = env.call(role, tool, body_for(tool, &job));
            let allowed = match role {
                "guest" => false,
                "viewer" => VIEWER_TOOLS.contains(tool),
                _ => true,
            };
            if allowed {
                let spec = granola::bridge::tools::spec(tool).unwrap();
                assert_eq!(r.status, spec.success_status, "{tool} as {role}: {}", r.body);
            } else {
                assert_eq!(r.status, 403, "{tool} as {role}");
                assert_eq!(code(&r), "FORBIDDEN");
                assert_eq!(field(&r), "roles");
            }
        }
    }
}

#[test]
fn forbidden_calls_change_nothing() {
    let (mut env, job) = prepared();
    let r = env.call("viewer", "cancel_job", json!({"jobId": job}));
    assert_eq!(r.status, 403);
    assert_eq!(env.status(&job)["cancelRequested"], false);
    let issued = env.engine.issued();
    assert_eq!(env.call("viewer", "run_simulation", json!({"simulationId": "s"})).status, 403);
    assert_eq!(env.engine.issued(), issued);
}

#[test]
fn viewer_reaches_the_tool_past_auth() {
    let mut env = Env::new();
    // 404 on an unknown simulation shows the viewer got past auth.
    let r = env.call("viewer", "list_parameters", json!({"simulationId": "missing"}));
    assert_eq!(r.status, 404);
}

fn call_with(bridge: &mut Bridge, token: Option<&str>, unix_ms: f64) -> granola::bridge::Reply {
    let mut engine = granola::jobs::Engine::default();
    bridge.call(&mut engine, &Call { tool: "list_tools", token, body: "{}", unix_ms })
}

#[test]
fn bad_tokens_are_401() {
    let mut b = Bridge::new(BridgeConfig { secret: TEST_SECRET.into(), epoch_unix_ms: 0.0 });
    let good = mint_token(TEST_SECRET, "ana", &["viewer"], 60, WALL);
    assert_eq!(call_with(&mut b, Some(&good), WALL).status, 200);
    assert_eq!(call_with(&mut b, Some(&format!("Bearer {good}")), WALL).status, 200);
    let other = mint_token("another-secret", "ana", &["viewer"], 60, WALL);
    let mut tampered = good.clone();
    tampered.pop();
    tampered.push(if good.ends_with('A') { 'B' } else { 'A' });
    let swapped_claims = {
        let evil = mint_token(TEST_SECRET, "ana", &["admin"], 60, WALL);
        let g: Vec<&str> = good.split('.').collect();
        let e: Vec<&str> = evil.split('.').collect();
        format!("{}.{}.{}", g[0], e[1], g[2])
    };
    let header = r#"{"alg":"HS256","typ":"JWT"}"#;
    let now_s = (WALL / 1000.0) as i64;
    let no_exp = mint_claims(TEST_SECRET, r#"{"sub":"ana","roles":["viewer"]}"#, header);
    let no_sub = mint_claims(TEST_SECRET, &format!(r#"{{"roles":["viewer"],"exp":{}}}"#, now_s + 60), header);
    let alg_none = mint_claims(
        TEST_SECRET,
        &format!(r#"{{"sub":"a","roles":["viewer"],"exp":{}}}"#, now_s + 60),
        r#"{"alg":"none"}"#,
    );
    let future_nbf = mint_claims(
        TEST_SECRET,
        &format!(r#"{{"sub":"a","roles":["viewer"],"exp":{},"nbf":{}}}"#, now_s + 60, now_s + 30),
        header,
    );
    let long = "a".repeat(10_000);
    let cases: Vec<(Option<&str>, &str)> = vec![
        (None, "Missing bearer token"),
        (Some(""), "Missing bearer token"),
        (Some("a.b.c"), "Malformed token header"),
        (Some("not-a-jwt"), "Malformed token"),
        (Some(&other), "Invalid token signature"),
        (Some(&tampered), "Invalid token signature"),
        (Some(&swapped_claims), "Invalid token signature"),
        (Some(&no_exp), "Token missing expiry"),
        (Some(&no_sub), "Token missing subject"),
        (Some(&alg_none), "Unsupported token algorithm (HS256 expected)"),
        (Some(&future_nbf), "Token not valid yet"),
        (Some(&long), "Token too long"),
    ];
    for (tok, msg) in cases {
        let r = call_with(&mut b, tok, WALL);
        assert_eq!(r.status, 401, "{msg}");
        assert_eq!(code(&r), "UNAUTHORIZED");
        assert_eq!(r.body["error"]["message"], msg);
        assert_eq!(field(&r), "Authorization");
    }
    // Expiry is checked against the call's wall clock.
    assert_eq!(call_with(&mut b, Some(&good), WALL + 59_999.0).status, 200);
    let r = call_with(&mut b, Some(&good), WALL + 60_000.0);
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["message"], "Token expired");
    // A different configured secret rejects dev tokens.
    let mut strict = Bridge::new(BridgeConfig { secret: "prod".into(), epoch_unix_ms: 0.0 });
    assert_eq!(call_with(&mut strict, Some(&good), WALL).status, 401);
}

#[test]
fn auth_comes_before_tool_lookup_and_body() {
    let mut env = Env::new();
    let mut engine = granola::jobs::Engine::default();
    let r = env.bridge.call(&mut engine, &Call { tool: "no_such_tool", token: None, body: "{", unix_ms: WALL });
    assert_eq!(r.status, 401);
    let r = env.raw("viewer", "no_such_tool", "{");
    assert_eq!(r.status, 404);
    assert_eq!(field(&r), "tool");
    let r = env.raw("viewer", "run_simulation", "{");
    assert_eq!(r.status, 403, "role before body");
}

#[test]
fn role_claim_forms() {
    let mut b = Bridge::new(BridgeConfig { secret: TEST_SECRET.into(), epoch_unix_ms: 0.0 });
    let header = r#"{"alg":"HS256","typ":"JWT"}"#;
    let exp = (WALL / 1000.0) as i64 + 60;
    let spaced = mint_claims(TEST_SECRET, &format!(r#"{{"sub":"a","roles":"viewer operator","exp":{exp}}}"#), header);
    let upper = mint_claims(TEST_SECRET, &format!(r#"{{"sub":"a","roles":["ADMIN"],"exp":{exp}}}"#), header);
    let none = mint_claims(TEST_SECRET, &format!(r#"{{"sub":"a","exp":{exp}}}"#), header);
    let mut engine = granola::jobs::Engine::default();
    let mut run = |tok: &str| {
        b.call(
            &mut engine,
            &Call { tool: "run_simulation", token: Some(tok), body: r#"{"simulationId":"x"}"#, unix_ms: WALL },
        )
        .status
    };
    assert_eq!(run(&spaced), 404);
    assert_eq!(run(&upper), 404);
    assert_eq!(run(&none), 403);
}

#[test]
fn list_tools_shows_what_the_caller_may_use() {
    let mut env = Env::new();
    let names = |v: &Value| -> Vec<String> {
        v["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
    };
    let viewer = env.ok_as("viewer", "list_tools");
    let vn = names(&viewer);
    assert_eq!(vn.len(), VIEWER_TOOLS.len());
    for t in OPERATOR_TOOLS {
        assert!(!vn.contains(&t.to_string()), "viewer sees {t}");
    }
    let op = env.ok_as("operator", "list_tools");
    assert_eq!(names(&op).len(), 12);
    let all = env.bridge.tools();
    assert_eq!(all.as_array().unwrap().len(), 12);
    assert_eq!(op["tools"], all);
    for t in all.as_array().unwrap() {
        assert!(t["summary"].as_str().unwrap().len() > 10);
        assert!(["viewer", "operator"].contains(&t["role"].as_str().unwrap()));
        assert_eq!(t["inputSchema"]["type"], "object");
    }
    let cancel = all.as_array().unwrap().iter().find(|t| t["name"] == "cancel_job").unwrap();
    assert_eq!(cancel["roles"], json!(["operator", "admin"]));
    assert_eq!(cancel["inputSchema"]["required"], json!(["jobId"]));
}

trait OkAs {
    fn ok_as(&mut self, role: &str, tool: &str) -> Value;
}

impl OkAs for Env {
    fn ok_as(&mut self, role: &str, tool: &str) -> Value {
        let r = self.call(role, tool, json!({}));
        assert_eq!(r.status, 200);
        r.body
    }
}

#[test]
fn a_token_with_jti_is_accepted_once() {
    let mut b = Bridge::new(BridgeConfig { secret: TEST_SECRET.into(), epoch_unix_ms: 0.0 });
    let exp = (WALL / 1000.0) as i64 + 60;
    let header = r#"{"alg":"HS256","typ":"JWT"}"#;
    let once =
        mint_claims(TEST_SECRET, &format!(r#"{{"sub":"a","roles":["viewer"],"exp":{exp},"jti":"t-1"}}"#), header);
    let other =
        mint_claims(TEST_SECRET, &format!(r#"{{"sub":"a","roles":["viewer"],"exp":{exp},"jti":"t-2"}}"#), header);
    assert_eq!(call_with(&mut b, Some(&once), WALL).status, 200);
    let r = call_with(&mut b, Some(&once), WALL + 1.0);
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["message"], "Token replay detected");
    assert_eq!(call_with(&mut b, Some(&other), WALL).status, 200);
    // Tokens without jti (what mint_token makes) can be reused.
    let plain = mint_token(TEST_SECRET, "a", &["viewer"], 60, WALL);
    assert_eq!(call_with(&mut b, Some(&plain), WALL).status, 200);
    assert_eq!(call_with(&mut b, Some(&plain), WALL).status, 200);
}
