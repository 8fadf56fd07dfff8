#![cfg(not(target_arch = "wasm32"))]
//! Job and results ids are random version-4 UUIDs, different on every start; nothing is
//! silently overwritten.

mod bridge_support;

use std::collections::BTreeSet;

use bridge_support::*;
use granola::jobs::ids::{is_uuid_v4, IdSource};
use serde_json::json;

#[test]
fn generated_ids_are_random_version_4_uuids() {
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
        assert!(is_uuid_v4(&job), "{job}");
        let rid = s["resultHandle"]["resultsId"].as_str().unwrap().to_string();
        let prefix = if population { "pop-" } else { "res-" };
        assert!(rid.starts_with(prefix) && is_uuid_v4(&rid[4..]), "{rid}");
        assert!(granola::bridge::is_generated_results_id(&rid));
        assert!(jobs.insert(job));
        assert!(results.insert(rid));
    }
}

/// Issue 18: every bridge (and so every server start, every browser tab) used to hand out the
/// same sequence, starting with aea65f34-8184-4bac-8829-1feb97504a08.
#[test]
fn two_bridges_in_one_process_give_different_ids() {
    let first = |_: u32| {
        let mut env = Env::new();
        env.load("s", "one_compartment_iv");
        let job = env.run(json!({"simulationId": "s"}));
        env.advance(10_000.0);
        let rid = env.status(&job)["resultHandle"]["resultsId"].as_str().unwrap().to_string();
        (job, rid)
    };
    let (a, b) = (first(1), first(2));
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
    assert_ne!(a.0, "aea65f34-8184-4bac-8829-1feb97504a08");
}

#[test]
fn a_long_run_never_repeats_an_id() {
    let mut env = Env::with_slots(1);
    env.bridge.max_active_jobs = usize::MAX;
    env.load("s", "one_compartment_iv");
    let mut seen = std::collections::HashSet::new();
    for _ in 0..20_000 {
        // Queued runs are enough: ids are drawn at submission.
        let job = env.run(json!({"simulationId": "s"}));
        assert!(seen.insert(job.clone()), "job id {job} repeated");
    }
    assert_eq!(seen.len(), 20_000);
}

/// Repeatable ids exist only where a test asks for them.
#[test]
fn a_seeded_source_repeats_its_ids_on_purpose() {
    let ids = |seed: u64| {
        let mut env = Env::new();
        env.bridge.set_id_source(IdSource::seeded(seed));
        env.load("s", "one_compartment_iv");
        (env.run(json!({"simulationId": "s"})), env.run(json!({"simulationId": "s"})))
    };
    assert_eq!(ids(3), ids(3));
    assert_ne!(ids(3), ids(4));
}

#[test]
fn run_ids_shaped_like_generated_ids_are_refused() {
    let mut env = Env::new();
    env.load("s", "one_compartment_iv");
    for run_id in ["res-8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f", "pop-8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f"] {
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
