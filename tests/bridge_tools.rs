#![cfg(not(target_arch = "wasm32"))]
//! Tool behaviour: loading, parameters, the seed page's cancel_job examples.

mod bridge_support;

use bridge_support::*;
use serde_json::json;

#[test]
fn load_from_the_catalogue() {
    let mut env = Env::new();
    for name in ["one_compartment_oral", "one_compartment_iv", "two_compartment_iv"] {
        let b = env.ok("load_simulation", json!({"simulationId": name, "model": name}), 201);
        assert_eq!(b["simulationId"], name);
        assert_eq!(b["metadata"]["structure"], name);
        assert_eq!(b["metadata"]["source"], "catalogue");
        assert_eq!(b["warnings"], json!([]));
    }
    let p = env.ok("list_parameters", json!({"simulationId": "two_compartment_iv"}), 200);
    assert_eq!(p["parameters"], json!(["CL", "Dose", "EndTime", "OutputInterval", "Q", "V", "V2"]));
    let p = env.ok("list_parameters", json!({"simulationId": "one_compartment_oral", "searchPattern": "*"}), 200);
    assert_eq!(p["parameters"], json!(["CL", "Dose", "EndTime", "F", "OutputInterval", "V", "ka"]));
    // Load again under the same id: 409, unless replace.
    let r = env.call(
        "operator",
        "load_simulation",
        json!({"simulationId": "one_compartment_iv", "model": "two_compartment_iv"}),
    );
    assert_eq!(r.status, 409);
    let b = env.ok(
        "load_simulation",
        json!({"simulationId": "one_compartment_iv", "model": "two_compartment_iv", "replace": true}),
        201,
    );
    assert_eq!(b["metadata"]["structure"], "two_compartment_iv");
}

#[test]
fn load_an_inline_definition() {
    let mut env = Env::new();
    let b = env.ok(
        "load_simulation",
        json!({"simulationId": "mine", "modelDefinition": {
            "structure": "one_compartment_oral", "name": "slow absorber", "version": "2.1",
            "parameters": {"ka": 0.3, "CL": {"value": 2, "unit": "L/h"}, "EndTime": 48}
        }}),
        201,
    );
    assert_eq!(b["metadata"]["name"], "slow absorber");
    assert_eq!(b["metadata"]["modelVersion"], "2.1");
    assert_eq!(b["metadata"]["source"], "inline");
    let v = env.ok("get_parameter_value", json!({"simulationId": "mine", "parameterPath": "ka"}), 200);
    assert_eq!(v["parameter"]["value"], 0.3);
    assert_eq!(v["parameter"]["unit"], "1/h");
    assert_eq!(v["parameter"]["lastUpdatedAt"], serde_json::Value::Null);
    let job = env.run(json!({"simulationId": "mine", "runId": "m"}));
    env.advance(10_000.0);
    assert_eq!(env.status(&job)["status"], "succeeded");
    let r = env.ok("get_simulation_results", json!({"resultsId": "m"}), 200);
    assert_eq!(r["series"][0]["values"].as_array().unwrap().len(), 97);
    assert_eq!(r["simulationMetadata"]["name"], "slow absorber");
}

#[test]
fn glob_patterns() {
    let mut env = Env::new();
    env.load("s", "two_compartment_iv");
    let list = |env: &mut Env, pat: &str| {
        env.ok("list_parameters", json!({"simulationId": "s", "searchPattern": pat}), 200)["parameters"].clone()
    };
    assert_eq!(list(&mut env, "V*"), json!(["V", "V2"]));
    assert_eq!(list(&mut env, "V?"), json!(["V2"]));
    assert_eq!(list(&mut env, "*Time"), json!(["EndTime"]));
    assert_eq!(list(&mut env, "*o*"), json!(["Dose"]), "case-sensitive");
    assert_eq!(list(&mut env, "nothing"), json!([]));
    assert_eq!(list(&mut env, "CL"), json!(["CL"]));
}

#[test]
fn get_and_set_parameters() {
    let mut env = Env::new();
    env.advance(2_000.0);
    env.load("s", "one_compartment_iv");
    let v = env.ok("get_parameter_value", json!({"simulationId": "s", "parameterPath": "CL"}), 200);
    assert_eq!(
        v["parameter"],
        json!({"path": "CL", "value": 5, "unit": "L/h", "displayName": "Clearance", "min": 0.001, "max": 1000, "lastUpdatedAt": null})
    );
    env.advance(1_000.0);
    let s = env.ok(
        "set_parameter_value",
        json!({"simulationId": "s", "parameterPath": "CL", "value": 7.5, "unit": "L/h"}),
        200,
    );
    assert_eq!(s["parameter"]["value"], 7.5);
    assert_eq!(s["parameter"]["lastUpdatedAt"], "2026-01-01T00:00:03.000Z");
    let v = env.ok("get_parameter_value", json!({"simulationId": "s", "parameterPath": "CL"}), 200);
    assert_eq!(v["parameter"]["value"], 7.5);
    // Viewers may read but not write.
    assert_eq!(
        env.call("viewer", "get_parameter_value", json!({"simulationId": "s", "parameterPath": "CL"})).status,
        200
    );
    assert_eq!(
        env.call("viewer", "set_parameter_value", json!({"simulationId": "s", "parameterPath": "CL", "value": 1}))
            .status,
        403
    );
}

#[test]
fn time_grid_follows_the_parameters() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    env.set("s", "EndTime", 10.0);
    env.set("s", "OutputInterval", 3.0);
    let job = env.run(json!({"simulationId": "s", "runId": "g"}));
    let s = env.status(&job);
    assert_eq!(s["progress"]["total"], 4, "one slice per interval when there are fewer than 20");
    env.advance(10_000.0);
    let r = env.ok("get_simulation_results", json!({"resultsId": "g"}), 200);
    let times: Vec<f64> =
        r["series"][0]["values"].as_array().unwrap().iter().map(|p| p["time"].as_f64().unwrap()).collect();
    assert_eq!(times, vec![0.0, 3.0, 6.0, 9.0, 10.0]);
}

/// The seed page: `{"jobId": ...}` → `{"jobId", "status": "cancelled"}` for a queued job,
/// `running` for a running one, 404 NOT_FOUND for unknown or completed jobs, and polling
/// `get_job_status` reads `.job.status`.
#[test]
fn seed_page_examples() {
    let mut env = Env::with_slots(1);
    env.load("sim-1", "one_compartment_oral");
    let running = env.run(json!({"simulationId": "sim-1"}));
    let queued = env.run(json!({"simulationId": "sim-1"}));
    env.advance(100.0);
    let r = env.call("operator", "cancel_job", json!({"jobId": queued}));
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"jobId": queued, "status": "cancelled"}));
    let r = env.call("admin", "cancel_job", json!({"jobId": running}));
    assert_eq!(r.body, json!({"jobId": running, "status": "running"}));
    // Poll until terminal, as the page says.
    let mut last = String::new();
    for _ in 0..50 {
        let s = env.call("viewer", "get_job_status", json!({"jobId": running}));
        last = s.body["job"]["status"].as_str().unwrap().to_string();
        if last != "running" {
            break;
        }
        env.advance(50.0);
    }
    assert_eq!(last, "cancelled");
    let s = env.status(&running);
    assert_eq!(s["job"]["resultHandle"], serde_json::Value::Null);
    assert_eq!(s["job"]["submittedAt"], "2026-01-01T00:00:00.000Z", "metadata kept");
    // Already completed and unknown: 404 NOT_FOUND.
    for id in [running.as_str(), queued.as_str(), "8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f"] {
        let r = env.call("operator", "cancel_job", json!({"jobId": id}));
        assert_eq!(r.status, 404);
        assert_eq!(r.body["error"]["code"], "NOT_FOUND");
    }
    // Viewers may not cancel.
    assert_eq!(env.call("viewer", "cancel_job", json!({"jobId": running})).status, 403);
}
