#![cfg(not(target_arch = "wasm32"))]
//! The error taxonomy: every code, the one body shape, and 400s that name the field.

mod bridge_support;

use bridge_support::*;
use granola::bridge::errors::{error_body, rate_limited, Code};
use granola::bridge::{Call, Reply};
use serde_json::{json, Value};

fn assert_shape(r: &Reply) {
    let e = &r.body["error"];
    assert!(e["code"].is_string(), "{}", r.body);
    assert!(e["message"].is_string());
    assert!(e["retryable"].is_boolean());
    for d in e["details"].as_array().expect("details array") {
        assert!(d["field"].is_string());
        assert!(d["issue"].is_string());
    }
    assert_eq!(r.body.as_object().unwrap().len(), 1);
}

#[test]
fn codes_map_to_statuses() {
    let table = [
        (Code::InvalidInput, "INVALID_INPUT", 400),
        (Code::Unauthorized, "UNAUTHORIZED", 401),
        (Code::Forbidden, "FORBIDDEN", 403),
        (Code::NotFound, "NOT_FOUND", 404),
        (Code::Conflict, "CONFLICT", 409),
        (Code::RateLimited, "RATE_LIMITED", 429),
        (Code::Timeout, "TIMEOUT", 504),
        (Code::Internal, "INTERNAL", 500),
    ];
    for (c, name, status) in table {
        assert_eq!(c.as_str(), name);
        assert_eq!(c.status(), status);
    }
    assert_eq!(Code::ALL.len(), 8);
}

#[test]
fn rate_limited_helper_for_the_server() {
    let r = rate_limited(30);
    assert_eq!(r.status, 429);
    assert_shape(&r);
    assert_eq!(r.body["error"]["code"], "RATE_LIMITED");
    assert_eq!(r.body["error"]["retryable"], true);
    let b = error_body(Code::InvalidInput, "bad", false, &[("x", "y")]);
    assert_eq!(
        b,
        json!({"error": {"code": "INVALID_INPUT", "message": "bad", "retryable": false, "details": [{"field": "x", "issue": "y"}]}})
    );
}

#[test]
fn every_code_reachable_through_call() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    // 400
    let r = env.raw("operator", "load_simulation", "{not json");
    assert_eq!(r.status, 400);
    assert_shape(&r);
    assert_eq!(field(&r), "body");
    // 401
    let mut engine = granola::jobs::Engine::default();
    let r = env.bridge.call(&mut engine, &Call { tool: "list_tools", token: None, body: "", unix_ms: WALL });
    assert_eq!(r.status, 401);
    assert_shape(&r);
    // 403
    let r = env.call("viewer", "load_simulation", json!({"simulationId": "x", "model": "one_compartment_iv"}));
    assert_eq!(r.status, 403);
    assert_shape(&r);
    // 404
    let r = env.call("viewer", "get_job_status", json!({"jobId": "x"}));
    assert_eq!(r.status, 404);
    assert_shape(&r);
    // 409
    let r = env.call("operator", "load_simulation", json!({"simulationId": "s", "model": "one_compartment_iv"}));
    assert_eq!(r.status, 409);
    assert_eq!(code(&r), "CONFLICT");
    assert_eq!(field(&r), "simulationId");
    assert_shape(&r);
    // 504
    let job = env.run(json!({"simulationId": "s", "timeoutSeconds": 1, "runId": "t"}));
    env.advance(5_000.0);
    assert_eq!(env.status(&job)["status"], "timeout");
    let r = env.call("viewer", "calculate_pk_parameters", json!({"resultsId": "t"}));
    assert_eq!(r.status, 504);
    assert_eq!(code(&r), "TIMEOUT");
    assert_shape(&r);
    // 500: the host passed an engine whose job behind this id is not a bridge job.
    let mut other = granola::jobs::Engine::default();
    struct Foreign;
    impl granola::jobs::Work for Foreign {
        fn kind(&self) -> &'static str {
            "foreign"
        }
        fn step(&mut self, _: &granola::jobs::StepCtx) -> granola::jobs::Step {
            granola::jobs::Step::Finish(granola::jobs::State::Done)
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
            self
        }
    }
    other.submit(Box::new(Foreign), Default::default());
    let tok = token("viewer");
    let body = json!({"jobId": job}).to_string();
    let r =
        env.bridge.call(&mut other, &Call { tool: "get_job_status", token: Some(&tok), body: &body, unix_ms: WALL });
    assert_eq!(r.status, 500);
    assert_eq!(code(&r), "INTERNAL");
    assert_shape(&r);
    // 429 is the server's (rate_limited above).
}

/// (tool, body, field named in details[0]) for malformed, mistyped, missing and out-of-range input.
fn bad_inputs() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        ("load_simulation", json!({}), "simulationId"),
        ("load_simulation", json!({"simulationId": 5, "model": "one_compartment_iv"}), "simulationId"),
        ("load_simulation", json!({"simulationId": "", "model": "one_compartment_iv"}), "simulationId"),
        ("load_simulation", json!({"simulationId": "x".repeat(65), "model": "one_compartment_iv"}), "simulationId"),
        ("load_simulation", json!({"simulationId": "a\nb", "model": "one_compartment_iv"}), "simulationId"),
        ("load_simulation", json!({"simulationId": "x"}), "model"),
        ("load_simulation", json!({"simulationId": "x", "model": 3}), "model"),
        (
            "load_simulation",
            json!({"simulationId": "x", "model": "one_compartment_iv", "modelDefinition": {}}),
            "modelDefinition",
        ),
        ("load_simulation", json!({"simulationId": "x", "modelDefinition": []}), "modelDefinition"),
        ("load_simulation", json!({"simulationId": "x", "modelDefinition": {}}), "modelDefinition.structure"),
        (
            "load_simulation",
            json!({"simulationId": "x", "modelDefinition": {"structure": "three_compartment"}}),
            "modelDefinition.structure",
        ),
        (
            "load_simulation",
            json!({"simulationId": "x", "modelDefinition": {"structure": "one_compartment_iv", "parameters": {"ka": 1}}}),
            "modelDefinition.parameters.ka",
        ),
        (
            "load_simulation",
            json!({"simulationId": "x", "modelDefinition": {"structure": "one_compartment_iv", "parameters": {"CL": -1}}}),
            "modelDefinition.parameters.CL",
        ),
        (
            "load_simulation",
            json!({"simulationId": "x", "modelDefinition": {"structure": "one_compartment_iv", "parameters": {"CL": "fast"}}}),
            "modelDefinition.parameters.CL",
        ),
        (
            "load_simulation",
            json!({"simulationId": "x", "modelDefinition": {"structure": "one_compartment_iv", "parameters": {"V": {"value": 3, "unit": "mL"}}}}),
            "modelDefinition.parameters.V.unit",
        ),
        ("load_simulation", json!({"simulationId": "x", "model": "one_compartment_iv", "replace": "yes"}), "replace"),
        ("list_parameters", json!({}), "simulationId"),
        ("list_parameters", json!({"simulationId": "s", "searchPattern": 1}), "searchPattern"),
        ("get_parameter_value", json!({"simulationId": "s"}), "parameterPath"),
        ("get_parameter_value", json!({"simulationId": "s", "parameterPath": "C\u{0}L"}), "parameterPath"),
        ("set_parameter_value", json!({"simulationId": "s", "parameterPath": "CL"}), "value"),
        ("set_parameter_value", json!({"simulationId": "s", "parameterPath": "CL", "value": "4"}), "value"),
        ("set_parameter_value", json!({"simulationId": "s", "parameterPath": "CL", "value": 0}), "value"),
        ("set_parameter_value", json!({"simulationId": "s", "parameterPath": "CL", "value": 1e9}), "value"),
        (
            "set_parameter_value",
            json!({"simulationId": "s", "parameterPath": "CL", "value": 4, "unit": "mL/min"}),
            "unit",
        ),
        (
            "set_parameter_value",
            json!({"simulationId": "s", "parameterPath": "OutputInterval", "value": 0.001}),
            "value",
        ),
        ("run_simulation", json!({}), "simulationId"),
        ("run_simulation", json!({"simulationId": "s", "timeoutSeconds": 0}), "timeoutSeconds"),
        ("run_simulation", json!({"simulationId": "s", "timeoutSeconds": "10"}), "timeoutSeconds"),
        ("run_simulation", json!({"simulationId": "s", "maxRetries": -1}), "maxRetries"),
        ("run_simulation", json!({"simulationId": "s", "maxRetries": 1.5}), "maxRetries"),
        ("run_simulation", json!({"simulationId": "s", "maxRetries": 11}), "maxRetries"),
        ("run_simulation", json!({"simulationId": "s", "runId": "../etc"}), "runId"),
        ("run_simulation", json!({"simulationId": "s", "idempotencyKey": 7}), "idempotencyKey"),
        ("run_simulation", json!({"simulationId": "s", "failFirstAttempts": true}), "failFirstAttempts"),
        ("run_population_simulation", json!({"simulationId": "s"}), "cohort"),
        ("run_population_simulation", json!({"simulationId": "s", "cohort": 40}), "cohort"),
        ("run_population_simulation", json!({"simulationId": "s", "cohort": {}}), "cohort.size"),
        ("run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 0}}), "cohort.size"),
        ("run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 5001}}), "cohort.size"),
        ("run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 5, "seed": -1}}), "cohort.seed"),
        (
            "run_population_simulation",
            json!({"simulationId": "s", "cohort": {"size": 5, "covariates": {}}}),
            "cohort.covariates",
        ),
        (
            "run_population_simulation",
            json!({"simulationId": "s", "cohort": {"size": 5, "covariates": [1]}}),
            "cohort.covariates[0]",
        ),
        (
            "run_population_simulation",
            json!({"simulationId": "s", "cohort": {"size": 5, "covariates": [{"parameter": "ka", "cv": 0.2}]}}),
            "cohort.covariates[0].parameter",
        ),
        (
            "run_population_simulation",
            json!({"simulationId": "s", "cohort": {"size": 5, "covariates": [{"parameter": "CL"}]}}),
            "cohort.covariates[0].cv",
        ),
        (
            "run_population_simulation",
            json!({"simulationId": "s", "cohort": {"size": 5, "covariates": [{"parameter": "CL", "cv": -0.1}]}}),
            "cohort.covariates[0].cv",
        ),
        (
            "run_population_simulation",
            json!({"simulationId": "s", "cohort": {"size": 5, "covariates": [{"parameter": "CL", "cv": 0.1, "distribution": "normal"}]}}),
            "cohort.covariates[0].distribution",
        ),
        ("run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 5}, "metadata": "x"}), "metadata"),
        ("get_job_status", json!({}), "jobId"),
        ("get_job_status", json!({"jobId": 12}), "jobId"),
        ("get_job_status", json!({"jobId": "x".repeat(65)}), "jobId"),
        ("cancel_job", json!({"jobId": null}), "jobId"),
        ("get_simulation_results", json!({}), "resultsId"),
        ("get_population_results", json!({"resultsId": "p", "chunkSize": 0}), "chunkSize"),
        ("calculate_pk_parameters", json!({}), "resultsId"),
        ("calculate_pk_parameters", json!({"resultsId": "r", "time": [0, 1]}), "resultsId"),
        ("calculate_pk_parameters", json!({"time": [0, 1]}), "concentration"),
        ("calculate_pk_parameters", json!({"time": [0, 1], "concentration": [1]}), "concentration"),
        ("calculate_pk_parameters", json!({"time": [0], "concentration": [1]}), "time"),
        ("calculate_pk_parameters", json!({"time": [0, 2, 1], "concentration": [1, 2, 3]}), "time[2]"),
        ("calculate_pk_parameters", json!({"time": [0, "1"], "concentration": [1, 2]}), "time[1]"),
        ("calculate_pk_parameters", json!({"time": [0, 1], "concentration": [1, -2]}), "concentration[1]"),
        (
            "calculate_pk_parameters",
            json!({"time": [0, 1, 2], "concentration": [3, 2, 1], "terminalPoints": 1}),
            "terminalPoints",
        ),
    ]
}

#[test]
fn invalid_input_names_the_field() {
    for (tool, body, expected) in bad_inputs() {
        let mut env = Env::new();
        env.load("s", "one_compartment_iv");
        let r = env.call("admin", tool, body.clone());
        assert_eq!(r.status, 400, "{tool} {body}: {}", r.body);
        assert_eq!(code(&r), "INVALID_INPUT");
        assert_eq!(field(&r), expected, "{tool} {body}");
        assert_shape(&r);
        assert!(r.body["error"]["message"].as_str().unwrap().contains(expected));
    }
}

#[test]
fn malformed_bodies() {
    let mut env = Env::new();
    for body in ["{", "[1,2]", "\"x\"", "nul", "{\"simulationId\": }"] {
        let r = env.raw("viewer", "get_job_status", body);
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(field(&r), "body");
    }
    // Deep nesting is rejected by the parser, not by a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(env.raw("viewer", "get_job_status", &deep).status, 400);
    let big = format!("{{\"jobId\": \"{}\"}}", "x".repeat(2 << 20));
    assert_eq!(env.raw("viewer", "get_job_status", &big).status, 400);
    // An empty body is an empty object.
    let r = env.raw("viewer", "list_tools", "");
    assert_eq!(r.status, 200);
    let r = env.raw("viewer", "get_job_status", "");
    assert_eq!(field(&r), "jobId");
}

#[test]
fn not_found_variants_name_the_field() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    let cases = [
        ("load_simulation", json!({"simulationId": "x", "model": "nope"}), "model"),
        ("list_parameters", json!({"simulationId": "x"}), "simulationId"),
        ("get_parameter_value", json!({"simulationId": "s", "parameterPath": "Nope"}), "parameterPath"),
        ("set_parameter_value", json!({"simulationId": "s", "parameterPath": "Nope", "value": 1}), "parameterPath"),
        ("set_parameter_value", json!({"simulationId": "x", "parameterPath": "CL", "value": 1}), "simulationId"),
        ("run_simulation", json!({"simulationId": "x"}), "simulationId"),
        ("run_population_simulation", json!({"simulationId": "x", "cohort": {"size": 2}}), "simulationId"),
        ("get_job_status", json!({"jobId": "x"}), "jobId"),
        ("cancel_job", json!({"jobId": "x"}), "jobId"),
        ("get_simulation_results", json!({"resultsId": "x"}), "resultsId"),
        ("get_population_results", json!({"resultsId": "x"}), "resultsId"),
        ("calculate_pk_parameters", json!({"resultsId": "x"}), "resultsId"),
    ];
    for (tool, body, f) in cases {
        let r = env.call("admin", tool, body.clone());
        assert_eq!(r.status, 404, "{tool} {body}");
        assert_eq!(code(&r), "NOT_FOUND");
        assert_eq!(field(&r), f, "{tool}");
        assert_shape(&r);
    }
}

#[test]
fn huge_populations_are_refused_up_front() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    env.set("s", "EndTime", 2000.0);
    env.set("s", "OutputInterval", 0.1);
    let r = env.call("operator", "run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 5000}}));
    assert_eq!(r.status, 400);
    assert_eq!(field(&r), "cohort.size");
    // The same grid for one subject is fine.
    let r = env.call("operator", "run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 50}}));
    assert_eq!(r.status, 202, "{}", r.body);
}

#[test]
fn stiff_runs_are_refused_up_front() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    env.set("s", "V", 0.01);
    env.set("s", "CL", 1000.0);
    env.set("s", "EndTime", 2000.0);
    env.set("s", "OutputInterval", 100.0);
    let r = env.call("operator", "run_simulation", json!({"simulationId": "s"}));
    assert_eq!(r.status, 400);
    assert_eq!(field(&r), "simulationId");
}
