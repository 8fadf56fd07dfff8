//! The one shared state: engine + bridge + clock behind a mutex, the worker pool, the
//! real-time ticker thread, the `/healthz` figures and the stop signal.
//!
//! What holds the mutex is short: a tool call, or one tick (advance the engine, record what
//! changed in the store). The arithmetic of simulations runs on the [`Pool`], never under
//! the mutex; `/healthz` reads figures the ticker copies out, never the mutex.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::bridge::auth::Principal;
use crate::bridge::{ApiError, Bridge, BridgeConfig, Call, MemoryStore, Reply, Store};
use crate::jobs::{Clock, Engine};

use super::limit::RateLimiter;
use super::pool::Pool;
use super::secret::{self, SecretSource};
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

    /// Advance the engine to the clock's job time for now, record what changed in the store,
    /// and forget engine events the bridge has read (nothing else reads them here).
    pub fn tick(&mut self) {
        let now = self.clock.job_time(self.wall_ms());
        self.engine.advance(now);
        self.bridge.sync(&mut self.engine);
        let cursor = self.bridge.event_cursor();
        self.engine.forget_events_before(cursor);
    }
}

/// Bridge calls that may wait for the core's mutex at once.
const CALL_TURNS: usize = 4;

/// Figures for `/healthz`, copied out of the core by the ticker.
#[derive(Clone, Debug, Default)]
pub(crate) struct Health {
    pub job_ms: f64,
    pub engine_jobs: usize,
    pub active: usize,
    pub queued: usize,
    pub retention: Value,
}

pub(crate) struct Shared {
    core: Mutex<Core>,
    pub cfg: ServerConfig,
    pub limiter: RateLimiter,
    pub pool: Arc<Pool>,
    pub health: Mutex<Health>,
    /// Bridge calls waiting for the core at once (each on a blocking-pool thread).
    pub call_turns: tokio::sync::Semaphore,
    /// Where the signing secret came from (for the start-up line).
    pub secret_source: SecretSource,
    started: Instant,
    stopping: tokio::sync::watch::Sender<bool>,
    ticker_stop: AtomicBool,
}

impl Shared {
    /// Resolve the secret, open the store (SQLite in `cfg.data_dir`, else memory), start the
    /// worker pool, and build the core.
    pub fn new(cfg: ServerConfig) -> Result<Arc<Shared>, String> {
        let (secret, secret_source) =
            secret::resolve(cfg.secret.as_deref(), cfg.secret_env.clone(), cfg.data_dir.as_deref())?;
        let store: Box<dyn Store> = match &cfg.data_dir {
            Some(dir) => Box::new(super::sqlite::SqliteStore::open_in(dir)?),
            None => Box::new(MemoryStore::new()),
        };
        let pool = Arc::new(Pool::new(cfg.workers).map_err(|e| format!("cannot start the worker pool: {e}"))?);
        let started = Instant::now();
        let start_unix_ms = super::unix_ms();
        let mut bridge = Bridge::with_store(BridgeConfig { secret, epoch_unix_ms: start_unix_ms }, store);
        bridge.set_runner(pool.clone());
        bridge.keep_finished_in_engine = false;
        bridge.retention_ms = cfg.retention.as_secs_f64() * 1000.0;
        bridge.max_finished_jobs = cfg.max_finished_jobs;
        bridge.max_result_bytes = cfg.max_result_bytes;
        bridge.max_active_jobs = cfg.max_active_jobs;
        let mut core = Core { engine: Engine::new(cfg.slots), bridge, clock: Clock::new(cfg.speed, 0.0), started };
        // Evict what the caps or the window no longer allow (a restart with smaller caps).
        core.tick();
        let shared = Arc::new(Shared {
            core: Mutex::new(core),
            limiter: RateLimiter::new(cfg.rate_limit, cfg.rate_window),
            pool,
            health: Mutex::new(Health::default()),
            call_turns: tokio::sync::Semaphore::new(CALL_TURNS),
            secret_source,
            cfg,
            started,
            stopping: tokio::sync::watch::channel(false).0,
            ticker_stop: AtomicBool::new(false),
        });
        shared.refresh_health(&mut shared.lock());
        Ok(shared)
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
            Err(_) => ApiError::internal(format!("{tool} failed unexpectedly")).into_reply(),
        }
    }

    /// Check a token once (for a stream that then asks again and again).
    pub fn authenticate(&self, token: Option<&str>) -> Result<Principal, Reply> {
        let mut core = self.lock();
        core.bridge.authenticate(token, super::unix_ms()).map_err(ApiError::into_reply)
    }

    /// A tool call for a caller already authenticated.
    pub fn call_as(&self, principal: &Principal, tool: &str, body: &str) -> Reply {
        let mut guard = self.lock();
        let core = &mut *guard;
        core.tick();
        let result =
            std::panic::catch_unwind(AssertUnwindSafe(|| core.bridge.call_as(&mut core.engine, principal, tool, body)));
        match result {
            Ok(reply) => reply,
            Err(_) => ApiError::internal(format!("{tool} failed unexpectedly")).into_reply(),
        }
    }

    /// The bridge's tool list.
    pub fn tools(&self) -> Value {
        let guard = self.lock();
        match std::panic::catch_unwind(AssertUnwindSafe(|| guard.bridge.tools())) {
            Ok(tools) => tools,
            Err(_) => json!([]),
        }
    }

    pub fn uptime_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Tell every request, stream and the ticker that the server is stopping.
    pub fn begin_stop(&self) {
        self.stopping.send_replace(true);
    }

    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Resolves once [`Shared::begin_stop`] was called.
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.stopping.subscribe();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    }

    fn refresh_health(&self, core: &mut Core) {
        let h = Health {
            job_ms: core.engine.now(),
            engine_jobs: core.engine.retained_count(),
            active: core.engine.active_count(),
            queued: core.engine.queued_count(),
            retention: core.bridge.retention_json(),
        };
        *self.health.lock().unwrap_or_else(|p| p.into_inner()) = h;
    }

    /// Start the ticker thread: advance the engine on real time every `cfg.tick` (and copy
    /// the health figures out) until [`Shared::stop_ticker`].
    pub fn start_ticker(self: &Arc<Shared>) -> std::io::Result<std::thread::JoinHandle<()>> {
        let shared = self.clone();
        std::thread::Builder::new().name("granola-ticker".into()).spawn(move || {
            let period = shared.cfg.tick.max(Duration::from_millis(1));
            let mut last_health = Instant::now();
            while !shared.ticker_stop.load(Ordering::Relaxed) {
                std::thread::sleep(period);
                let mut core = shared.lock();
                let _ = std::panic::catch_unwind(AssertUnwindSafe(|| core.tick()));
                if last_health.elapsed() >= Duration::from_millis(20) {
                    shared.refresh_health(&mut core);
                    last_health = Instant::now();
                }
            }
        })
    }

    pub fn stop_ticker(&self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }

    /// A last tick, so everything the engine finished is in the store before the process ends.
    pub fn final_sync(&self) {
        let mut core = self.lock();
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| core.tick()));
    }
}
