//! Shared helpers for the bridge integration tests: a fresh bridge + engine on a manual clock.
#![allow(dead_code)]

use granola::bridge::{auth::mint_token, Bridge, BridgeConfig, Call, Reply, TEST_SECRET};
use granola::jobs::Engine;
use serde_json::{json, Value};

/// Wall clock used for tokens in tests (2026-01-01T00:00:00Z).
pub const WALL: f64 = 1_767_225_600_000.0;

pub struct Env {
    pub bridge: Bridge,
    pub engine: Engine,
}

pub fn token(role: &str) -> String {
    mint_token(TEST_SECRET, "tester", &[role], 3600, WALL)
}

impl Env {
    pub fn new() -> Env {
        Env::with_slots(2)
    }

    pub fn with_slots(slots: usize) -> Env {
        Env {
            bridge: Bridge::new(BridgeConfig { secret: TEST_SECRET.to_string(), epoch_unix_ms: WALL }),
            engine: Engine::new(slots),
        }
    }

    /// Call `tool` as `role` with a raw body.
    pub fn raw(&mut self, role: &str, tool: &str, body: &str) -> Reply {
        let tok = token(role);
        self.bridge.call(&mut self.engine, &Call { tool, token: Some(&tok), body, unix_ms: WALL })
    }

    pub fn call(&mut self, role: &str, tool: &str, body: Value) -> Reply {
        self.raw(role, tool, &body.to_string())
    }

    /// Call as operator, expecting `status`; returns the body.
    pub fn ok(&mut self, tool: &str, body: Value, status: u16) -> Value {
        let r = self.call("operator", tool, body);
        assert_eq!(r.status, status, "{tool}: {}", r.body);
        r.body
    }

    pub fn load(&mut self, id: &str, model: &str) {
        self.ok("load_simulation", json!({"simulationId": id, "model": model}), 201);
    }

    pub fn run(&mut self, body: Value) -> String {
        let b = self.ok("run_simulation", body, 202);
        b["jobId"].as_str().expect("jobId").to_string()
    }

    pub fn status(&mut self, job: &str) -> Value {
        self.ok("get_job_status", json!({"jobId": job}), 200)
    }

    /// Advance job time by `ms`.
    pub fn advance(&mut self, ms: f64) {
        let now = self.engine.now();
        self.engine.advance(now + ms);
    }

    pub fn set(&mut self, sim: &str, path: &str, value: f64) {
        self.ok("set_parameter_value", json!({"simulationId": sim, "parameterPath": path, "value": value}), 200);
    }
}

pub fn code(r: &Reply) -> &str {
    r.body["error"]["code"].as_str().unwrap_or("")
}

pub fn field(r: &Reply) -> &str {
    r.body["error"]["details"][0]["field"].as_str().unwrap_or("")
}
