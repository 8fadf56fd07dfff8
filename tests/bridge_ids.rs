#![cfg(not(target_arch = "wasm32"))]
//! Job and results ids are unique by construction; nothing is silently overwritten.

mod bridge_util;

use std::collections::BTreeSet;

use bridge_util::*;
use serde_json::json;

#[test]
fn generated_ids_are_distinct_and_counter_based() {
    let mut env = Env::with_slots(4);
    env.load("s", "one_compartment_iv");
    let mut jobs = BTreeSet::new();
    let mut results = BTreeSet::new();
    for i in 1..=200u64 {
        let population = i % 2 == 0;
        let job = if population {
            env.ok("run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 1}}), 202)["jobId"]
                .as_str()
                .unwrap()
                .to_string()
        } else {
            env.run(json!({"simulationId": "s"}))
        };
        env.advance(2_000.0);
        let s = env.status(&job);
        assert_eq!(s["status"], "succeeded");
        let rid = s["resultHandle"]["resultsId"].as_str().unwrap().to_string();
        let prefix = format!("{}-{i}-", if population { "pop" } else { "res" });
        assert!(rid.starts_with(&prefix), "{rid}");
        assert!(granola::bridge::is_generated_results_id(&rid));
        assert!(jobs.insert(job));
        assert!(results.insert(rid));
    }
}

#[test]
fn run_ids_shaped_like_generated_ids_are_refused() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    for run_id in ["res-3-0123abcd", "pop-12-deadbeef"] {
        let r = env.call("operator", "run_simulation", json!({"simulationId": "s", "runId": run_id}));
        assert_eq!(r.status, 400, "{run_id}");
        assert_eq!(code(&r), "INVALID_INPUT");
        assert_eq!(field(&r), "runId");
    }
    assert_eq!(env.engine.issued(), 0);
    // Other shapes are fine, including the old generated shape.
    env.run(json!({"simulationId": "s", "runId": "res-1a2b3c4d"}));
    env.run(json!({"simulationId": "s", "runId": "res-3-final"}));
    // A user runId in use is still a 409.
    let r = env.call("operator", "run_simulation", json!({"simulationId": "s", "runId": "res-3-final"}));
    assert_eq!(r.status, 409);
}
