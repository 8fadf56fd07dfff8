//! The simulation job bridge: JSON tools (load, parameters, run, population, status, cancel,
//! results, PK parameters) with roles and one error taxonomy, on the shared job engine.
//!
//! Transport-free: the native server and the browser console both call [`Bridge::call`]
//! with a tool name, a bearer token, a JSON body and the caller's wall clock, and get back an
//! HTTP status and a JSON body. Runs are real: the catalogue's pharmacokinetic models
//! ([`models`]) are integrated with RK4 ([`ode`]) as engine jobs ([`work`]) whose steps are
//! slices of the time grid (or subjects of a population), each a cancellation point.
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
pub mod time;
pub mod tools;
pub mod work;

use std::collections::{BTreeMap, VecDeque};

use crate::jobs::ids::{is_uuid_v4, IdSource};
use crate::jobs::{Engine, JobId, Ms, State};

pub use errors::{error_body, rate_limited, ApiError, Code};
pub use work::{BridgeWork, Output, PopResult, RunSpec, SimResult, SubjectResult};

/// Bridge settings.
#[derive(Clone, Debug)]
pub struct BridgeConfig {
    /// HS256 secret for bearer tokens.
    pub secret: String,
    /// Unix time (ms) of job time 0, so job times can be shown as ISO-8601 timestamps.
    pub epoch_unix_ms: f64,
}

/// The dev secret used when none is configured.
pub const DEV_SECRET: &str = "granola-dev-secret";

/// Default per-job timeout (s).
pub const DEFAULT_TIMEOUT_S: f64 = 300.0;
/// Default retention of finished jobs and their results: 7 days of job time (ms).
pub const DEFAULT_RETENTION_MS: f64 = 7.0 * 24.0 * 3600.0 * 1000.0;

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig { secret: DEV_SECRET.to_string(), epoch_unix_ms: 0.0 }
    }
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

/// What the bridge remembers about one of its jobs (the engine keeps the rest).
#[derive(Clone, Debug)]
pub(crate) struct JobEntry {
    pub engine_id: JobId,
    pub results_id: String,
    pub idempotency_key: Option<String>,
    /// Set if the job's results could not be stored without overwriting another entry
    /// (cannot happen while results ids are reserved at submission); `get_job_status` then
    /// answers 500 `INTERNAL` instead of pointing at someone else's results.
    pub internal_error: Option<String>,
}

/// The bridge state: loaded simulations, job ids, results, idempotency keys, auth settings.
pub struct Bridge {
    pub config: BridgeConfig,
    /// How long finished jobs and their results are kept (job ms); `<= 0` keeps them forever.
    pub retention_ms: Ms,
    /// Timeout for runs that do not give `timeoutSeconds`.
    pub default_timeout_s: f64,
    pub(crate) sims: BTreeMap<String, models::Simulation>,
    pub(crate) jobs: BTreeMap<String, JobEntry>,
    pub(crate) by_engine: BTreeMap<JobId, String>,
    pub(crate) results: BTreeMap<String, SimResult>,
    pub(crate) pop_results: BTreeMap<String, PopResult>,
    /// results id → job id, for results not (yet) available.
    pub(crate) result_owner: BTreeMap<String, String>,
    /// key → (fingerprint, job id).
    pub(crate) idempotency: BTreeMap<String, (String, String)>,
    /// Where job and results ids come from (random unless a test injects a seeded source).
    pub(crate) ids: IdSource,
    pub(crate) replay: auth::ReplayGuard,
    /// Engine event cursor: [`Bridge::sync`] reads only the events logged since the last call.
    pub(crate) cursor: u64,
    /// Finished bridge jobs as `(finished_at, job id)`, oldest first: the retention purge pops
    /// from the front while the oldest has expired.
    pub(crate) finished: VecDeque<(Ms, String)>,
    pub(crate) stats: SyncStats,
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
    /// Entries of the finished-jobs queue looked at for expiry (purged ones plus the
    /// not-yet-expired head that stopped each purge).
    pub expiry_checks: u64,
    /// Jobs purged after the retention window.
    pub purged: u64,
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
    pub fn new(config: BridgeConfig) -> Bridge {
        Bridge {
            config,
            retention_ms: DEFAULT_RETENTION_MS,
            default_timeout_s: DEFAULT_TIMEOUT_S,
            sims: BTreeMap::new(),
            jobs: BTreeMap::new(),
            by_engine: BTreeMap::new(),
            results: BTreeMap::new(),
            pop_results: BTreeMap::new(),
            result_owner: BTreeMap::new(),
            idempotency: BTreeMap::new(),
            ids: IdSource::random(),
            replay: auth::ReplayGuard::default(),
            cursor: 0,
            finished: VecDeque::new(),
            stats: SyncStats::default(),
        }
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
        match self.call_inner(engine, call) {
            Ok(reply) => reply,
            Err(e) => e.into_reply(),
        }
    }

    fn call_inner(&mut self, engine: &mut Engine, call: &Call) -> Result<Reply, ApiError> {
        let principal = auth::verify(&self.config.secret, call.token, call.unix_ms)?;
        self.replay.check(&principal, call.unix_ms)?;
        let Some(spec) = tools::spec(call.tool) else {
            return Err(ApiError::not_found("tool", format!("Unknown tool '{}'", truncate(call.tool, 64))));
        };
        if !principal.may(spec.role) {
            return Err(auth::forbidden(spec.name, spec.role));
        }
        let body = input::parse_body(call.body)?;
        tools::dispatch(self, engine, spec, &principal, &body)
    }

    /// Move newly finished jobs' results into the result store and purge jobs (and their
    /// results and idempotency keys) that finished more than `retention_ms` ago. `call` does
    /// this first; hosts that read [`Bridge::results`] without calling a tool call it after
    /// advancing the engine.
    ///
    /// Incremental: it reads only the engine events logged since the previous call (the
    /// bridge keeps the cursor) and purges from a queue of finished jobs ordered by finish
    /// time, stopping at the first one still inside the window. Its cost therefore does not
    /// grow with the number of retained jobs (see [`Bridge::sync_stats`]).
    pub fn sync(&mut self, engine: &mut Engine) {
        self.stats.calls += 1;
        let events = engine.events_since(self.cursor);
        self.stats.events_read += events.len() as u64;
        // Terminal transitions of bridge jobs, in the order they happened.
        let ended: Vec<(JobId, State, Ms)> = events
            .iter()
            .filter(|ev| ev.to.is_terminal() && ev.from != Some(ev.to) && self.by_engine.contains_key(&ev.job))
            .map(|ev| (ev.job, ev.to, ev.at))
            .collect();
        self.cursor = engine.event_cursor();
        for (engine_id, state, at) in ended {
            let Some(job_id) = self.by_engine.get(&engine_id).cloned() else { continue };
            if state == State::Done {
                self.harvest(engine, engine_id);
            }
            // Events are logged in job-time order, so the queue stays sorted by finish time.
            self.finished.push_back((at, job_id));
        }
        self.purge_expired(engine);
    }

    /// Move a succeeded job's output into the result stores. The results id was reserved for
    /// this job at submission, so the slot is free; if it somehow is not, nothing is
    /// overwritten and the job is marked with an internal error.
    fn harvest(&mut self, engine: &mut Engine, engine_id: JobId) {
        let Some(rec) = engine.job_mut(engine_id) else { return };
        if rec.state != State::Done {
            return;
        }
        let Some(w) = rec.work_mut::<BridgeWork>() else { return };
        if w.harvested {
            return;
        }
        let Some(out) = w.output.take() else { return };
        w.harvested = true;
        let (results_id, job_id) = match &out {
            Output::Simulation(r) => (r.results_id.clone(), r.job_id.clone()),
            Output::Population(r) => (r.results_id.clone(), r.job_id.clone()),
        };
        let owned = self.result_owner.get(&results_id) == Some(&job_id);
        let free = !self.results.contains_key(&results_id) && !self.pop_results.contains_key(&results_id);
        if owned && free {
            match out {
                Output::Simulation(r) => {
                    self.results.insert(results_id, r);
                }
                Output::Population(r) => {
                    self.pop_results.insert(results_id, r);
                }
            }
        } else if let Some(entry) = self.jobs.get_mut(&job_id) {
            entry.internal_error = Some(format!(
                "results id '{results_id}' of job {job_id} is held by another entry; the result was not stored"
            ));
        }
    }

    /// Pop finished jobs whose retention window has passed, oldest first.
    fn purge_expired(&mut self, engine: &mut Engine) {
        if self.retention_ms <= 0.0 {
            return;
        }
        let now = engine.now();
        while let Some((finished_at, _)) = self.finished.front() {
            self.stats.expiry_checks += 1;
            if now - *finished_at < self.retention_ms {
                break;
            }
            let Some((_, job_id)) = self.finished.pop_front() else { break };
            if let Some(entry) = self.jobs.remove(&job_id) {
                self.stats.purged += 1;
                engine.remove(entry.engine_id);
                self.by_engine.remove(&entry.engine_id);
                self.results.remove(&entry.results_id);
                self.pop_results.remove(&entry.results_id);
                self.result_owner.remove(&entry.results_id);
                if let Some(k) = entry.idempotency_key {
                    self.idempotency.remove(&k);
                }
            }
        }
    }

    /// What [`Bridge::sync`] has looked at so far (cumulative).
    pub fn sync_stats(&self) -> SyncStats {
        self.stats
    }

    /// Number of jobs the bridge currently retains (finished or not).
    pub fn retained_jobs(&self) -> usize {
        self.jobs.len()
    }

    /// A finished simulation run's series (for plotting), by results id.
    pub fn results(&self, results_id: &str) -> Option<&SimResult> {
        self.results.get(results_id)
    }

    /// A finished population run, by results id.
    pub fn population_results(&self, results_id: &str) -> Option<&PopResult> {
        self.pop_results.get(results_id)
    }

    /// All retained simulation results, oldest results id first by name.
    pub fn all_results(&self) -> impl Iterator<Item = &SimResult> {
        self.results.values()
    }

    /// The job record `get_job_status` returns (flat, without the nested `job`), e.g. for a
    /// server's event stream; `None` for unknown, purged or foreign jobs.
    pub fn job_record(&self, engine: &Engine, job_id: &str) -> Option<serde_json::Value> {
        tools::job_record(self, engine, job_id).ok()
    }

    /// The engine job behind a bridge job id (`None` if unknown or purged).
    pub fn engine_job(&self, job_id: &str) -> Option<JobId> {
        self.jobs.get(job_id).map(|e| e.engine_id)
    }

    /// The bridge job id (UUID-shaped) of an engine job, if the bridge submitted it.
    pub fn job_id_of(&self, engine_id: JobId) -> Option<&str> {
        self.by_engine.get(&engine_id).map(String::as_str)
    }

    /// Ids of the loaded simulations.
    pub fn simulation_ids(&self) -> impl Iterator<Item = &str> {
        self.sims.keys().map(String::as_str)
    }

    /// ISO-8601 UTC for a job time.
    pub fn iso(&self, job_ms: Ms) -> String {
        time::iso(self.config.epoch_unix_ms + job_ms)
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
            let taken = self.jobs.contains_key(&job_id)
                || self.results.contains_key(&results_id)
                || self.pop_results.contains_key(&results_id)
                || self.result_owner.contains_key(&results_id);
            if !taken {
                return Some((job_id, results_id));
            }
        }
        None
    }
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
