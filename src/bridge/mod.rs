//! The simulation job bridge: JSON tools (load, parameters, run, population, status, cancel,
//! results, PK parameters) with roles and one error taxonomy, on the shared job engine.
//!
//! Transport-free: the native server and the browser console both call [`Bridge::call`]
//! with a tool name, a bearer token, a JSON body and the caller's wall clock, and get back an
//! HTTP status and a JSON body. Runs are real: the catalogue's pharmacokinetic models
//! ([`models`]) are integrated with RK4 ([`ode`]) as engine jobs ([`work`]) whose steps are
//! slices of the time grid (or subjects of a population), each a cancellation point; the
//! arithmetic runs on a [`Runner`] (inline, or a host's worker pool) under a compute budget.
//!
//! Job records, results and idempotency keys live in a [`Store`] (in memory by default; the
//! server keeps them in SQLite). Jobs and results belong to the token subject that submitted
//! them: other subjects get 404 as if they did not exist, admins see everything.
//!
//! The bridge owns no clock: job time comes from the engine (the host advances it), wall
//! time for token expiry from [`Call::unix_ms`]. Timestamps in responses are
//! `config.epoch_unix_ms + job time`, as ISO-8601 UTC.

pub mod auth;
pub mod errors;
pub mod input;
pub mod models;
pub mod ode;
pub mod pk;
pub mod population;
pub mod store;
pub mod time;
pub mod tools;
pub mod work;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::jobs::ids::{is_uuid_v4, IdSource};
use crate::jobs::{Engine, JobId, Ms, State};

pub use errors::{error_body, rate_limited, ApiError, Code};
pub use store::{JobRow, MemoryStore, Store, StoreStats, StoredResult};
pub use work::{BridgeWork, Inline, Output, PopResult, RunSpec, Runner, SimResult, SubjectResult};

use auth::{Principal, Role};

/// Bridge settings.
#[derive(Clone, Debug)]
pub struct BridgeConfig {
    /// HS256 secret for bearer tokens.
    pub secret: String,
    /// Unix time (ms) of job time 0, so job times can be shown as ISO-8601 timestamps.
    pub epoch_unix_ms: f64,
}

/// A fixed secret for tests and the docs harness only: no host signs with it unless told to.
pub const TEST_SECRET: &str = "granola-test-secret-not-for-servers";

/// Default per-job timeout (s).
pub const DEFAULT_TIMEOUT_S: f64 = 300.0;
/// Default retention of finished jobs and their results: 7 days of job time (ms).
pub const DEFAULT_RETENTION_MS: f64 = 7.0 * 24.0 * 3600.0 * 1000.0;
/// Default cap on finished jobs kept (oldest-finished evicted first).
pub const DEFAULT_MAX_FINISHED_JOBS: usize = 10_000;
/// Default cap on the total size of stored results (bytes; oldest-finished evicted first).
pub const DEFAULT_MAX_RESULT_BYTES: u64 = 256 * 1024 * 1024;
/// Default cap on jobs queued or running at once (more submissions answer 429).
pub const DEFAULT_MAX_ACTIVE_JOBS: usize = 1_000;
/// The error a job gets when the process that ran it stopped before it finished.
pub const INTERRUPTED: &str =
    "Job interrupted by restart: the server stopped before the job finished; submit it again (retryable)";

impl Default for BridgeConfig {
    /// A random secret (nothing can sign for a bridge that nobody told a secret) and epoch 0.
    fn default() -> Self {
        BridgeConfig { secret: random_secret(), epoch_unix_ms: 0.0 }
    }
}

/// 32 random bytes as 64 hex digits, from the platform's generator.
pub fn random_secret() -> String {
    let mut ids = IdSource::random();
    let (a, b) = (ids.bytes(), ids.bytes());
    a.iter().chain(b.iter()).map(|x| format!("{x:02x}")).collect()
}

/// One tool call as a transport hands it over.
#[derive(Clone, Debug)]
pub struct Call<'a> {
    pub tool: &'a str,
    /// The bearer token (without the `Bearer ` prefix), if any.
    pub token: Option<&'a str>,
    /// The raw JSON request body.
    pub body: &'a str,
    /// The caller's wall clock (Unix ms) for token expiry.
    pub unix_ms: f64,
}

/// A tool's answer: an HTTP status and a JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: serde_json::Value,
}

/// The bridge state: loaded simulations, the job store, auth settings, the jobs it is running
/// on the engine.
pub struct Bridge {
    pub config: BridgeConfig,
    /// How long finished jobs and their results are kept (job ms); `<= 0` keeps them forever.
    pub retention_ms: Ms,
    /// Most finished jobs kept; beyond it the oldest-finished are evicted.
    pub max_finished_jobs: usize,
    /// Most result bytes kept; beyond it the oldest-finished jobs are evicted.
    pub max_result_bytes: u64,
    /// Most jobs queued or running at once; a submission beyond it answers 429.
    pub max_active_jobs: usize,
    /// Timeout for runs that do not give `timeoutSeconds`.
    pub default_timeout_s: f64,
    /// Integrator steps one run may take in total (checked at submission, enforced while it runs).
    pub run_budget_steps: f64,
    /// Keep finished jobs on the engine until they are evicted (the browser's jobs panel shows
    /// them); a server that only reads the store sets it to false, so the engine holds only
    /// the jobs still running.
    pub keep_finished_in_engine: bool,
    pub(crate) sims: BTreeMap<String, models::Simulation>,
    pub(crate) store: Box<dyn Store>,
    /// Bridge jobs on the engine: job id → engine id, and back.
    pub(crate) live: BTreeMap<String, JobId>,
    pub(crate) by_engine: BTreeMap<JobId, String>,
    /// Jobs whose final record could not be stored: `get_job_status` answers 500 with this.
    pub(crate) internal_errors: BTreeMap<String, String>,
    /// Where job and results ids come from (random unless a test injects a seeded source).
    pub(crate) ids: IdSource,
    pub(crate) runner: Arc<dyn Runner>,
    pub(crate) replay: auth::ReplayGuard,
    /// Engine event cursor: [`Bridge::sync`] reads only the events logged since the last call.
    pub(crate) cursor: u64,
    pub(crate) stats: SyncStats,
    /// Jobs a restart found unfinished in the store (and marked failed).
    interrupted: usize,
}

/// Cumulative counts of what [`Bridge::sync`] looked at (for tests and diagnostics): the
/// per-call work is proportional to the new events plus the jobs purged, never to the
/// number of jobs retained.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    /// Number of `sync` calls.
    pub calls: u64,
    /// Engine events read.
    pub events_read: u64,
    /// Looks at the oldest finished job for eviction (evicted ones plus the head that stopped
    /// each purge).
    pub expiry_checks: u64,
    /// Jobs evicted (retention window, job cap or result-bytes cap).
    pub purged: u64,
    /// Store writes that failed.
    pub store_errors: u64,
}

impl SyncStats {
    /// Records visited in total: events read plus queue entries checked.
    pub fn visited(&self) -> u64 {
        self.events_read + self.expiry_checks
    }
}

/// Map an engine state to the bridge's status vocabulary.
pub fn status_name(state: State) -> &'static str {
    match state {
        State::Queued => "queued",
        State::Running | State::Streaming => "running",
        State::Done => "succeeded",
        State::Failed => "failed",
        State::TimedOut => "timeout",
        State::Cancelled => "cancelled",
    }
}

impl Bridge {
    /// A bridge keeping everything in memory, running its numbers inline.
    pub fn new(config: BridgeConfig) -> Bridge {
        Bridge::with_store(config, Box::new(MemoryStore::new()))
    }

    /// A bridge on `store`. Jobs the store holds as queued or running (the previous process
    /// stopped before they finished) are marked failed with [`INTERRUPTED`], retryable.
    pub fn with_store(config: BridgeConfig, mut store: Box<dyn Store>) -> Bridge {
        let mut stats = SyncStats::default();
        let interrupted = match store.interrupt_unfinished(INTERRUPTED, config.epoch_unix_ms) {
            Ok(ids) => ids.len(),
            Err(_) => {
                stats.store_errors += 1;
                0
            }
        };
        Bridge {
            config,
            retention_ms: DEFAULT_RETENTION_MS,
            max_finished_jobs: DEFAULT_MAX_FINISHED_JOBS,
            max_result_bytes: DEFAULT_MAX_RESULT_BYTES,
            max_active_jobs: DEFAULT_MAX_ACTIVE_JOBS,
            default_timeout_s: DEFAULT_TIMEOUT_S,
            run_budget_steps: ode::RUN_BUDGET_STEPS,
            keep_finished_in_engine: true,
            sims: BTreeMap::new(),
            store,
            live: BTreeMap::new(),
            by_engine: BTreeMap::new(),
            internal_errors: BTreeMap::new(),
            ids: IdSource::random(),
            runner: Arc::new(Inline),
            replay: auth::ReplayGuard::default(),
            cursor: 0,
            stats,
            interrupted,
        }
    }

    /// Run the numbers of jobs submitted from now on with `runner` (a worker pool on a server).
    pub fn set_runner(&mut self, runner: Arc<dyn Runner>) {
        self.runner = runner;
    }

    /// The store (for hosts and tests).
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    pub fn store_mut(&mut self) -> &mut dyn Store {
        &mut *self.store
    }

    /// How many jobs the store held as unfinished when this bridge started (now failed).
    pub fn interrupted_at_start(&self) -> usize {
        self.interrupted
    }

    /// Every tool: `[{name, summary, role, roles, successStatus, critical, inputSchema}]`
    /// (for `GET /tools`, MCP `tools/list`, and `list_tools`).
    pub fn tools(&self) -> serde_json::Value {
        tools::catalogue_json(None)
    }

    /// Handle one tool call: check the token (401) and role (403), parse the body (400), run
    /// the tool. Finished jobs are harvested and expired ones purged first (see [`Bridge::sync`]).
    pub fn call(&mut self, engine: &mut Engine, call: &Call) -> Reply {
        self.sync(engine);
        match self.authenticate(call.token, call.unix_ms) {
            Ok(principal) => self.call_as(engine, &principal, call.tool, call.body),
            Err(e) => e.into_reply(),
        }
    }

    /// Verify a bearer token at wall time `unix_ms` (401 on failure). A token with a `jti` is
    /// accepted once.
    pub fn authenticate(&mut self, token: Option<&str>, unix_ms: f64) -> Result<Principal, ApiError> {
        let principal = auth::verify(&self.config.secret, token, unix_ms)?;
        self.replay.check(&principal, unix_ms)?;
        Ok(principal)
    }

    /// Run `tool` for a caller already authenticated (a host that streams a job's events
    /// checks the token once, then asks again and again): unknown tool 404, role 403, body 400.
    pub fn call_as(&mut self, engine: &mut Engine, principal: &Principal, tool: &str, body: &str) -> Reply {
        let spec = match tools::spec(tool) {
            Some(spec) => spec,
            None => return ApiError::not_found("tool", format!("Unknown tool '{}'", truncate(tool, 64))).into_reply(),
        };
        if !principal.may(spec.role) {
            return auth::forbidden(spec.name, spec.role).into_reply();
        }
        let result = input::parse_body(body).and_then(|body| tools::dispatch(self, engine, spec, principal, &body));
        match result {
            Ok(reply) => reply,
            Err(e) => e.into_reply(),
        }
    }

    /// Record what the engine did since the last call in the store (attempt starts, retries,
    /// terminal states with their results), then evict finished jobs past the retention
    /// window or the caps. `call` does this first; hosts call it after advancing the engine,
    /// so finished work is stored even while nobody asks.
    ///
    /// Incremental: it reads only the engine events logged since the previous call and looks
    /// at the oldest finished job to decide on eviction, so its cost does not grow with the
    /// number of retained jobs (see [`Bridge::sync_stats`]).
    pub fn sync(&mut self, engine: &mut Engine) {
        self.stats.calls += 1;
        let events = engine.events_since(self.cursor);
        self.stats.events_read += events.len() as u64;
        let changes: Vec<(JobId, State)> = events
            .iter()
            .filter(|ev| ev.from != Some(ev.to) && self.by_engine.contains_key(&ev.job))
            .filter(|ev| {
                ev.to.is_terminal() || ev.to == State::Running || (ev.to == State::Queued && ev.from.is_some())
            })
            .map(|ev| (ev.job, ev.to))
            .collect();
        self.cursor = engine.event_cursor();
        let mut touched = BTreeSet::new();
        for (engine_id, state) in changes {
            if state.is_terminal() {
                // In event order, so finishes are recorded oldest first.
                self.finalize(engine, engine_id);
            } else {
                touched.insert(engine_id);
            }
        }
        for engine_id in touched {
            let Some(job_id) = self.by_engine.get(&engine_id).cloned() else { continue };
            if engine.job(engine_id).is_some_and(|j| j.state.is_active()) {
                self.write_live(engine, &job_id);
            }
        }
        self.purge(engine);
    }

    /// The engine cursor [`Bridge::sync`] has read up to (a host whose only reader of the
    /// event log is the bridge may forget the events before it).
    pub fn event_cursor(&self) -> u64 {
        self.cursor
    }

    /// Write the current state of a job on the engine to the store.
    pub(crate) fn write_live(&mut self, engine: &Engine, job_id: &str) {
        let Some(row) = self.store.job(job_id) else { return };
        let Ok(row) = tools::current_row(self, engine, row) else { return };
        if self.store.put_job(&row).is_err() {
            self.stats.store_errors += 1;
        }
    }

    /// Store a job's terminal state (and, if it succeeded, its result).
    fn finalize(&mut self, engine: &mut Engine, engine_id: JobId) {
        let Some(job_id) = self.by_engine.get(&engine_id).cloned() else { return };
        let Some(row) = self.store.job(&job_id) else { return };
        let Ok(row) = tools::current_row(self, engine, row) else { return };
        if !row.is_finished() {
            return;
        }
        let mut output = None;
        if let Some(w) = engine.job_mut(engine_id).and_then(|rec| rec.work_mut::<BridgeWork>()) {
            if !w.harvested {
                output = w.output.take();
                w.harvested = true;
            }
        }
        let result = output.map(|mut out| {
            // Results keep Unix time, so they read the same after a restart.
            let epoch = self.config.epoch_unix_ms;
            match &mut out {
                Output::Simulation(r) => r.generated_at += epoch,
                Output::Population(r) => r.generated_at += epoch,
            }
            StoredResult::new(&row, out)
        });
        if let Some(r) = &result {
            let squatter = self.store.result(&r.results_id).filter(|old| old.job_id != row.job_id);
            if let Some(old) = squatter {
                self.internal_errors.insert(
                    job_id.clone(),
                    format!(
                        "results id '{}' of job {} is held by job {}; the result was not stored",
                        r.results_id, row.job_id, old.job_id
                    ),
                );
                return;
            }
        }
        if let Err(e) = self.store.finish_job(&row, result.as_ref()) {
            self.stats.store_errors += 1;
            self.internal_errors.insert(job_id, format!("the job's final record could not be stored: {e}"));
            return;
        }
        if !self.keep_finished_in_engine {
            engine.remove(engine_id);
            self.live.remove(&job_id);
            self.by_engine.remove(&engine_id);
        }
    }

    /// Evict finished jobs (and their results and idempotency keys), oldest-finished first,
    /// while one is past the retention window or the store is over a cap.
    fn purge(&mut self, engine: &mut Engine) {
        let now = self.unix(engine.now());
        loop {
            let st = self.store.stats();
            let over = st.finished_jobs > self.max_finished_jobs as u64 || st.result_bytes > self.max_result_bytes;
            if !over && self.retention_ms <= 0.0 {
                break;
            }
            let Some((finished, job_id)) = self.store.oldest_finished() else { break };
            self.stats.expiry_checks += 1;
            let expired = self.retention_ms > 0.0 && now - finished >= self.retention_ms;
            if !(over || expired) {
                break;
            }
            if self.store.remove_job(&job_id).is_err() {
                self.stats.store_errors += 1;
                break;
            }
            self.stats.purged += 1;
            self.internal_errors.remove(&job_id);
            if let Some(engine_id) = self.live.remove(&job_id) {
                engine.remove(engine_id);
                self.by_engine.remove(&engine_id);
            }
        }
    }

    /// What [`Bridge::sync`] has looked at so far (cumulative).
    pub fn sync_stats(&self) -> SyncStats {
        self.stats
    }

    /// Number of jobs the bridge currently retains (finished or not).
    pub fn retained_jobs(&self) -> usize {
        self.store.stats().jobs as usize
    }

    /// Retention figures: `{jobs, finishedJobs, results, resultBytes, maxFinishedJobs,
    /// maxResultBytes, retentionSeconds, evicted, storeErrors, store}` (for `/healthz`).
    pub fn retention_json(&self) -> serde_json::Value {
        let st = self.store.stats();
        serde_json::json!({
            "store": self.store.describe(),
            "jobs": st.jobs,
            "finishedJobs": st.finished_jobs,
            "results": st.results,
            "resultBytes": st.result_bytes,
            "maxFinishedJobs": self.max_finished_jobs,
            "maxResultBytes": self.max_result_bytes,
            "retentionSeconds": if self.retention_ms > 0.0 { serde_json::json!(self.retention_ms / 1000.0) } else { serde_json::Value::Null },
            "evicted": self.stats.purged,
            "storeErrors": self.stats.store_errors,
            "interruptedAtStart": self.interrupted,
        })
    }

    /// A finished simulation run's series (for plotting), by results id.
    pub fn results(&self, results_id: &str) -> Option<SimResult> {
        match &*self.store.result(results_id)?.output {
            Output::Simulation(r) => Some(r.clone()),
            Output::Population(_) => None,
        }
    }

    /// A finished population run, by results id.
    pub fn population_results(&self, results_id: &str) -> Option<PopResult> {
        match &*self.store.result(results_id)?.output {
            Output::Population(r) => Some(r.clone()),
            Output::Simulation(_) => None,
        }
    }

    /// The job record `get_job_status` returns (flat, without the nested `job`), whoever
    /// owns the job (for hosts); `None` for unknown or purged jobs.
    pub fn job_record(&self, engine: &Engine, job_id: &str) -> Option<serde_json::Value> {
        tools::job_record(self, engine, job_id, None).ok()
    }

    /// The engine job behind a bridge job id (`None` if not on the engine).
    pub fn engine_job(&self, job_id: &str) -> Option<JobId> {
        self.live.get(job_id).copied()
    }

    /// The bridge job id (UUID-shaped) of an engine job, if the bridge submitted it.
    pub fn job_id_of(&self, engine_id: JobId) -> Option<&str> {
        self.by_engine.get(&engine_id).map(String::as_str)
    }

    /// Ids of the loaded simulations.
    pub fn simulation_ids(&self) -> impl Iterator<Item = &str> {
        self.sims.keys().map(String::as_str)
    }

    /// Unix ms of a job time.
    pub fn unix(&self, job_ms: Ms) -> f64 {
        self.config.epoch_unix_ms + job_ms
    }

    /// ISO-8601 UTC for a job time.
    pub fn iso(&self, job_ms: Ms) -> String {
        time::iso(self.unix(job_ms))
    }

    /// Use `ids` for job and results ids from now on (tests inject [`IdSource::seeded`] to get
    /// repeatable ids; every bridge starts with [`IdSource::random`]).
    pub fn set_id_source(&mut self, ids: IdSource) {
        self.ids = ids;
    }

    /// A fresh job id (a random version-4 UUID) and results id (`res-`/`pop-` + another),
    /// neither held by a retained job or result. Drawing a taken id from a real random source
    /// does not happen in practice; a repeating (seeded) source just draws again.
    pub(crate) fn fresh_ids(&mut self, population: bool) -> Option<(String, String)> {
        for _ in 0..16 {
            let job_id = self.ids.uuid_v4();
            let results_id = generated_results_id(population, &mut self.ids);
            let taken = self.store.job(&job_id).is_some() || self.store.results_id_in_use(&results_id);
            if !taken {
                return Some((job_id, results_id));
            }
        }
        None
    }
}

/// Whether `principal` may see a job or result owned by `owner`: its owner, or an admin.
pub fn may_see(principal: &Principal, owner: &str) -> bool {
    principal.sub == owner || principal.roles.contains(&Role::Admin)
}

/// The results id a run gets when it gives no `runId`: `res-<uuid>` (`pop-<uuid>` for
/// population runs) with a random version-4 UUID. User `runId`s of this shape are refused
/// (see [`is_generated_results_id`]), so generated and chosen ids never meet.
pub fn generated_results_id(population: bool, ids: &mut IdSource) -> String {
    format!("{}-{}", if population { "pop" } else { "res" }, ids.uuid_v4())
}

/// Whether `id` has the shape of a generated results id (`res-` or `pop-` and a lowercase
/// version-4 UUID).
pub fn is_generated_results_id(id: &str) -> bool {
    id.strip_prefix("res-").or_else(|| id.strip_prefix("pop-")).is_some_and(is_uuid_v4)
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_random_uuids_and_recognised() {
        let mut b = Bridge::new(BridgeConfig::default());
        let (job, res) = b.fresh_ids(false).unwrap();
        assert!(is_uuid_v4(&job), "{job}");
        assert!(res.starts_with("res-") && is_generated_results_id(&res), "{res}");
        let (_, pop) = b.fresh_ids(true).unwrap();
        assert!(pop.starts_with("pop-") && is_generated_results_id(&pop), "{pop}");
        for not in [
            "res-1a2b3c4d",
            "res-12-0123abcd",
            "res-8e7d5b9a-5c7f-3c3f-9a2f-1a2b3c4d5e6f",
            "run-8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f",
            "res-8E7D5B9A-5C7F-4C3F-9A2F-1A2B3C4D5E6F",
            "iv-run",
        ] {
            assert!(!is_generated_results_id(not), "{not}");
        }
        assert!(is_generated_results_id("pop-8e7d5b9a-5c7f-4c3f-9a2f-1a2b3c4d5e6f"));
    }

    #[test]
    fn the_bridge_can_live_behind_a_mutex() {
        fn send<T: Send>() {}
        send::<Bridge>();
    }

    #[test]
    fn statuses() {
        assert_eq!(status_name(State::Streaming), "running");
        assert_eq!(status_name(State::Done), "succeeded");
        assert_eq!(status_name(State::TimedOut), "timeout");
    }
}
