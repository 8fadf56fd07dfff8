#![cfg(not(target_arch = "wasm32"))]
//! Job lifecycle through the bridge: §6 checklist items adapted to the bridge's decisions.

mod bridge_util;

use bridge_util::*;
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
