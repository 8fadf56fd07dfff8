//! The one shared state: engine + bridge + clock behind a mutex, and the real-time ticker.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::bridge::{Bridge, BridgeConfig, Call, Reply};
use crate::jobs::{Clock, Engine};

use super::limit::RateLimiter;
use super::ServerConfig;

/// The engine and the bridge that every request shares.
pub struct Core {
    pub engine: Engine,
    pub bridge: Bridge,
    /// Wall ms since server start → job ms.
    pub clock: Clock,
    started: Instant,
}

impl Core {
    /// Wall milliseconds since the server started (monotonic).
    pub fn wall_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    /// Advance the engine to the clock's job time for now.
    pub fn tick(&mut self) {
        let now = self.clock.job_time(self.wall_ms());
        self.engine.advance(now);
    }
}

pub(crate) struct Shared {
    core: Mutex<Core>,
    pub cfg: ServerConfig,
    pub limiter: RateLimiter,
    started: Instant,
}

impl Shared {
    pub fn new(cfg: ServerConfig) -> Arc<Shared> {
        let started = Instant::now();
        let start_unix_ms = super::unix_ms();
        let bridge = Bridge::new(BridgeConfig { secret: cfg.secret.clone(), epoch_unix_ms: start_unix_ms });
        let core = Core { engine: Engine::new(cfg.slots), bridge, clock: Clock::new(cfg.speed, 0.0), started };
        Arc::new(Shared {
            core: Mutex::new(core),
            limiter: RateLimiter::new(cfg.rate_limit, cfg.rate_window),
            cfg,
            started,
        })
    }

    /// Lock the core. A panic inside the bridge must not take the whole server down, so a
    /// poisoned lock is simply taken over.
    fn lock(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Advance to now, then run `f` on the core.
    pub fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        let mut core = self.lock();
        core.tick();
        f(&mut core)
    }

    /// One bridge call, right after advancing the engine to now.
    pub fn call(&self, tool: &str, token: Option<&str>, body: &str) -> Reply {
        let call = Call { tool, token, body, unix_ms: super::unix_ms() };
        let mut guard = self.lock();
        let core = &mut *guard;
        core.tick();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| core.bridge.call(&mut core.engine, &call)));
        match result {
            Ok(reply) => reply,
            Err(_) => crate::bridge::ApiError::internal(format!("{tool} failed unexpectedly")).into_reply(),
        }
    }

    /// The bridge's tool list.
    pub fn tools(&self) -> serde_json::Value {
        let guard = self.lock();
        match std::panic::catch_unwind(AssertUnwindSafe(|| guard.bridge.tools())) {
            Ok(tools) => tools,
            Err(_) => serde_json::json!([]),
        }
    }

    pub fn uptime_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}

/// Advance the engine on real time every `cfg.tick` until aborted.
pub(crate) async fn ticker(shared: Arc<Shared>) {
    let period = shared.cfg.tick.max(std::time::Duration::from_millis(1));
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        let mut core = shared.lock();
        core.tick();
    }
}
