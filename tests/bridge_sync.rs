#![cfg(not(target_arch = "wasm32"))]
//! `Bridge::sync` is incremental: what one call looks at depends on what happened since the
//! previous call, not on how many finished jobs are retained.

mod bridge_support;

use bridge_support::*;
use serde_json::json;

/// A bridge with `n` finished (succeeded) jobs retained, plus one probe job id.
fn env_with_finished(n: usize) -> (Env, String) {
    let mut env = Env::with_slots(4);
    env.load("s", "one_compartment_iv");
    let mut last = String::new();
    for _ in 0..n {
        last = env.run(json!({"simulationId": "s"}));
        env.advance(2_000.0); // a run takes 1.9 s of job time
    }
    assert_eq!(env.status(&last)["status"], "succeeded");
    assert_eq!(env.bridge.retained_jobs(), n);
    (env, last)
}

/// Records `sync` visits during one `get_job_status` call, after `between` ran.
fn visits_for_one_call(env: &mut Env, job: &str, between: impl FnOnce(&mut Env)) -> u64 {
    between(env);
    let before = env.bridge.sync_stats().visited();
    env.status(job);
    env.bridge.sync_stats().visited() - before
}

#[test]
fn per_call_work_does_not_grow_with_retained_jobs() {
    let mut figures = Vec::new();
    for n in [5usize, 1_500] {
        let (mut env, probe) = env_with_finished(n);
        // Nothing happened since the last call: no events to read, one expiry check (the
        // oldest job, still inside the window).
        let idle = visits_for_one_call(&mut env, &probe, |_| {});
        // One more job ran to completion in between: its own events only.
        let mut fresh = String::new();
        let busy = visits_for_one_call(&mut env, &probe, |env| {
            fresh = env.run(json!({"simulationId": "s"}));
            env.advance(10_000.0);
        });
        assert_eq!(env.status(&fresh)["status"], "succeeded");
        figures.push((n, idle, busy));
    }
    let (_, idle_small, busy_small) = figures[0];
    let (_, idle_large, busy_large) = figures[1];
    assert_eq!(idle_small, 1, "{figures:?}");
    assert_eq!(idle_large, idle_small, "{figures:?}");
    assert_eq!(busy_large, busy_small, "{figures:?}");
    // queued, running, 19 × streaming (the 20th slice finishes the job), succeeded, plus the
    // one expiry check.
    assert_eq!(busy_small, 22 + 1, "{figures:?}");
}

#[test]
fn purging_visits_only_the_expired_jobs() {
    let (mut env, _) = env_with_finished(300);
    env.advance(10_000.0);
    env.bridge.retention_ms = 1_000.0;
    // Every retained job has expired: the next call purges all 300, checking each once.
    let before = env.bridge.sync_stats();
    let young = env.run(json!({"simulationId": "s"}));
    let after = env.bridge.sync_stats();
    assert_eq!(after.purged - before.purged, 300);
    assert_eq!(after.expiry_checks - before.expiry_checks, 300);
    assert_eq!(env.bridge.retained_jobs(), 1);
    // The young job finishes; it is checked once per call until its window has passed.
    env.advance(2_000.0);
    let before = env.bridge.sync_stats();
    assert_eq!(env.status(&young)["status"], "succeeded");
    let after = env.bridge.sync_stats();
    assert_eq!((after.purged - before.purged, after.expiry_checks - before.expiry_checks), (0, 1));
    env.advance(1_000.0);
    assert_eq!(env.call("viewer", "get_job_status", json!({"jobId": young})).status, 404);
    assert_eq!(env.bridge.retained_jobs(), 0);
}

#[test]
fn jobs_that_ended_in_any_state_are_queued_for_retention() {
    let mut env = Env::with_slots(1);
    env.bridge.retention_ms = 50_000.0;
    env.load("s", "one_compartment_iv");
    let ok = env.run(json!({"simulationId": "s", "runId": "ok"}));
    let failed = env.run(json!({"simulationId": "s", "failFirstAttempts": 1}));
    let queued_cancel = env.run(json!({"simulationId": "s"}));
    env.ok("cancel_job", json!({"jobId": queued_cancel}), 200);
    let timed_out = env.run(json!({"simulationId": "s", "timeoutSeconds": 1}));
    env.advance(20_000.0);
    for (job, status) in
        [(&ok, "succeeded"), (&failed, "failed"), (&queued_cancel, "cancelled"), (&timed_out, "timeout")]
    {
        assert_eq!(env.status(job)["status"], status);
    }
    assert_eq!(env.ok("get_simulation_results", json!({"resultsId": "ok"}), 200)["resultsId"], "ok");
    env.advance(50_000.0);
    for job in [&ok, &failed, &queued_cancel, &timed_out] {
        assert_eq!(env.call("viewer", "get_job_status", json!({"jobId": job})).status, 404);
    }
    assert!(env.bridge.results("ok").is_none());
    assert_eq!(env.bridge.retained_jobs(), 0);
}

#[test]
fn jobs_of_other_front_ends_on_the_same_engine_are_ignored() {
    use granola::jobs::{State, Step, StepCtx, SubmitOptions, Work};
    struct Other;
    impl Work for Other {
        fn kind(&self) -> &'static str {
            "other"
        }
        fn step(&mut self, _ctx: &StepCtx) -> Step {
            Step::Finish(State::Done)
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
            self
        }
    }
    let mut env = Env::new();
    env.bridge.retention_ms = 1_000.0;
    env.load("s", "one_compartment_iv");
    let other = env.engine.submit(Box::new(Other), SubmitOptions::default());
    let job = env.run(json!({"simulationId": "s"}));
    env.advance(100_000.0);
    assert_eq!(env.call("viewer", "get_job_status", json!({"jobId": job})).status, 404);
    // The bridge never purges a job it did not submit.
    assert_eq!(env.engine.job(other).map(|j| j.state), Some(State::Done));
}
