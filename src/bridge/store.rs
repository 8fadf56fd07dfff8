//! Where the bridge keeps job records, results and idempotency keys: one small interface,
//! [`Store`], so the tools never know what is behind it.
//!
//! [`MemoryStore`] keeps everything in memory (the browser, tests, an in-process server
//! without a data directory); the native server's SQLite store (`server::sqlite`) keeps it on
//! disk so it survives a restart. A server database could replace either without touching
//! the tools: the bridge only inserts and updates job rows, finishes a job (its row and its
//! result in one atomic write), looks rows up by id or by `(owner, idempotency key)`, and
//! evicts the oldest finished job.
//!
//! Times in rows are Unix milliseconds (job time plus the bridge's epoch), so rows written
//! before a restart keep their meaning after it.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::work::Output;

/// The statuses a job can end in.
pub const TERMINAL: [&str; 4] = ["succeeded", "failed", "cancelled", "timeout"];

/// One job as the store keeps it: what `get_job_status` shows once the job is no longer
/// running in this process, and what the bridge needs to find it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRow {
    pub job_id: String,
    /// The token subject that submitted the job (its owner).
    pub owner: String,
    /// `simulation` or `population`.
    pub job_type: String,
    pub simulation_id: String,
    /// The results id reserved for the job at submission.
    pub results_id: String,
    /// `queued`, `running`, `succeeded`, `failed`, `cancelled` or `timeout`.
    pub status: String,
    pub submitted_ms: f64,
    pub started_ms: Option<f64>,
    pub finished_ms: Option<f64>,
    pub attempts: u32,
    pub max_retries: u32,
    pub timeout_s: f64,
    pub cancel_requested: bool,
    pub done: u64,
    pub total: u64,
    pub message: String,
    pub error: Option<String>,
    /// Whether submitting the same request again may succeed (a job cut off by a restart).
    pub error_retryable: bool,
    pub idempotency_key: Option<String>,
    /// Canonical JSON of the tool and its validated arguments, for idempotent replays.
    pub fingerprint: Option<String>,
}

impl JobRow {
    pub fn is_finished(&self) -> bool {
        TERMINAL.contains(&self.status.as_str())
    }
}

/// A finished job's result as stored.
#[derive(Clone, Debug)]
pub struct StoredResult {
    pub results_id: String,
    pub job_id: String,
    pub owner: String,
    pub output: Arc<Output>,
    /// Size of the result as the store counts it (the SQLite store: its stored JSON).
    pub bytes: u64,
}

impl StoredResult {
    /// A result for `row`'s job, sized by [`Output::approx_bytes`] until a store measures it.
    pub fn new(row: &JobRow, output: Output) -> StoredResult {
        let bytes = output.approx_bytes();
        StoredResult {
            results_id: row.results_id.clone(),
            job_id: row.job_id.clone(),
            owner: row.owner.clone(),
            output: Arc::new(output),
            bytes,
        }
    }
}

/// Counts the retention limits are checked against (cheap to read: every sync reads them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Job rows, finished or not.
    pub jobs: u64,
    /// Job rows in a terminal status.
    pub finished_jobs: u64,
    pub results: u64,
    /// Total size of the stored results.
    pub result_bytes: u64,
}

/// A failed store operation (the database said no: disk full, file removed, ...).
pub type StoreError = String;

/// Job rows, results and idempotency keys. Every write is durable once it returns `Ok` (for
/// stores that persist at all).
pub trait Store: Send {
    /// What this store is, for `/healthz` and logs (`memory`, `sqlite /path/granola.db`).
    fn describe(&self) -> String;
    /// Insert a new job row, or replace the row with the same job id.
    fn put_job(&mut self, row: &JobRow) -> Result<(), StoreError>;
    /// Record a job's terminal row and, for a success, its result, in one atomic write.
    fn finish_job(&mut self, row: &JobRow, result: Option<&StoredResult>) -> Result<(), StoreError>;
    fn job(&self, job_id: &str) -> Option<JobRow>;
    /// The job `owner` submitted with idempotency key `key`.
    fn job_by_key(&self, owner: &str, key: &str) -> Option<JobRow>;
    /// The job whose row reserved `results_id`.
    fn job_for_results(&self, results_id: &str) -> Option<String>;
    /// Whether a job row has reserved `results_id`.
    fn results_id_in_use(&self, results_id: &str) -> bool {
        self.job_for_results(results_id).is_some()
    }
    fn result(&self, results_id: &str) -> Option<StoredResult>;
    /// The finished job that finished first: `(finished_ms, job_id)`.
    fn oldest_finished(&self) -> Option<(f64, String)>;
    /// Delete a job row and its result.
    fn remove_job(&mut self, job_id: &str) -> Result<(), StoreError>;
    fn stats(&self) -> StoreStats;
    /// Mark every queued or running job `failed` with `error` (retryable), finished at
    /// `at_ms`: what a store opened after a restart does with work the previous process did
    /// not finish. Returns their ids.
    fn interrupt_unfinished(&mut self, error: &str, at_ms: f64) -> Result<Vec<String>, StoreError>;
}

/// Order key of a finished job: finish time, then the order finishes were recorded.
type FinishKey = (u64, u64, String);

fn time_key(ms: f64) -> u64 {
    // Unix times are non-negative, and for those the bit pattern sorts like the number.
    if ms.is_finite() && ms > 0.0 {
        ms.to_bits()
    } else {
        0
    }
}

/// Everything in memory: the browser, tests, and servers started without a data directory.
#[derive(Default)]
pub struct MemoryStore {
    jobs: HashMap<String, (JobRow, Option<FinishKey>)>,
    keys: HashMap<(String, String), String>,
    results_ids: HashMap<String, String>,
    results: HashMap<String, StoredResult>,
    finished: BTreeSet<FinishKey>,
    finish_seq: u64,
    result_bytes: u64,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn unindex(&mut self, job_id: &str) -> Option<JobRow> {
        let (row, key) = self.jobs.remove(job_id)?;
        if let Some(k) = key {
            self.finished.remove(&k);
        }
        if let Some(k) = &row.idempotency_key {
            let pair = (row.owner.clone(), k.clone());
            if self.keys.get(&pair).map(String::as_str) == Some(job_id) {
                self.keys.remove(&pair);
            }
        }
        if self.results_ids.get(&row.results_id).map(String::as_str) == Some(job_id) {
            self.results_ids.remove(&row.results_id);
        }
        Some(row)
    }

    /// Index `row`; a finished row takes `kept` as its place in the eviction order (the place
    /// it already had) or the next one.
    fn index(&mut self, row: &JobRow, kept: Option<FinishKey>) {
        let key = row.is_finished().then(|| {
            kept.unwrap_or_else(|| {
                self.finish_seq += 1;
                (time_key(row.finished_ms.unwrap_or(0.0)), self.finish_seq, row.job_id.clone())
            })
        });
        if let Some(k) = &key {
            self.finished.insert(k.clone());
        }
        if let Some(k) = &row.idempotency_key {
            self.keys.insert((row.owner.clone(), k.clone()), row.job_id.clone());
        }
        self.results_ids.insert(row.results_id.clone(), row.job_id.clone());
        self.jobs.insert(row.job_id.clone(), (row.clone(), key));
    }

    /// Replace `row`'s entry.
    fn replace(&mut self, row: &JobRow) {
        let kept = self.jobs.get(&row.job_id).and_then(|(_, k)| k.clone()).filter(|_| row.is_finished());
        self.unindex(&row.job_id);
        self.index(row, kept);
    }
}

impl Store for MemoryStore {
    fn describe(&self) -> String {
        "memory".to_string()
    }

    fn put_job(&mut self, row: &JobRow) -> Result<(), StoreError> {
        self.replace(row);
        Ok(())
    }

    fn finish_job(&mut self, row: &JobRow, result: Option<&StoredResult>) -> Result<(), StoreError> {
        self.replace(row);
        if let Some(r) = result {
            if let Some(old) = self.results.insert(r.results_id.clone(), r.clone()) {
                self.result_bytes = self.result_bytes.saturating_sub(old.bytes);
            }
            self.result_bytes += r.bytes;
        }
        Ok(())
    }

    fn job(&self, job_id: &str) -> Option<JobRow> {
        self.jobs.get(job_id).map(|(r, _)| r.clone())
    }

    fn job_by_key(&self, owner: &str, key: &str) -> Option<JobRow> {
        let id = self.keys.get(&(owner.to_string(), key.to_string()))?;
        self.job(id)
    }

    fn job_for_results(&self, results_id: &str) -> Option<String> {
        self.results_ids.get(results_id).cloned()
    }

    fn result(&self, results_id: &str) -> Option<StoredResult> {
        self.results.get(results_id).cloned()
    }

    fn oldest_finished(&self) -> Option<(f64, String)> {
        let (_, _, id) = self.finished.first()?;
        let (row, _) = self.jobs.get(id)?;
        Some((row.finished_ms.unwrap_or(0.0), id.clone()))
    }

    fn remove_job(&mut self, job_id: &str) -> Result<(), StoreError> {
        if let Some(row) = self.unindex(job_id) {
            let ours = self.results.get(&row.results_id).is_some_and(|r| r.job_id == job_id);
            if ours {
                if let Some(old) = self.results.remove(&row.results_id) {
                    self.result_bytes = self.result_bytes.saturating_sub(old.bytes);
                }
            }
        }
        Ok(())
    }

    fn stats(&self) -> StoreStats {
        StoreStats {
            jobs: self.jobs.len() as u64,
            finished_jobs: self.finished.len() as u64,
            results: self.results.len() as u64,
            result_bytes: self.result_bytes,
        }
    }

    fn interrupt_unfinished(&mut self, error: &str, at_ms: f64) -> Result<Vec<String>, StoreError> {
        let ids: Vec<String> =
            self.jobs.values().filter(|(r, _)| !r.is_finished()).map(|(r, _)| r.job_id.clone()).collect();
        for id in &ids {
            if let Some(mut row) = self.job(id) {
                interrupt(&mut row, error, at_ms);
                self.finish_job(&row, None)?;
            }
        }
        Ok(ids)
    }
}

/// What a restart does to a row that was queued or running.
pub fn interrupt(row: &mut JobRow, error: &str, at_ms: f64) {
    row.status = "failed".to_string();
    row.finished_ms = Some(at_ms);
    row.error = Some(error.to_string());
    row.error_retryable = true;
    row.message = "interrupted by restart".to_string();
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A job row for store tests (also the SQLite store's).
    pub(crate) fn row(id: &str, status: &str, finished: Option<f64>) -> JobRow {
        JobRow {
            job_id: id.to_string(),
            owner: "ann".to_string(),
            job_type: "simulation".to_string(),
            simulation_id: "s".to_string(),
            results_id: format!("r-{id}"),
            status: status.to_string(),
            submitted_ms: 1.0,
            started_ms: None,
            finished_ms: finished,
            attempts: 0,
            max_retries: 0,
            timeout_s: 300.0,
            cancel_requested: false,
            done: 0,
            total: 1,
            message: String::new(),
            error: None,
            error_retryable: false,
            idempotency_key: Some(format!("k-{id}")),
            fingerprint: None,
        }
    }

    #[test]
    fn memory_store_orders_evictions_and_scopes_keys() {
        let mut s = MemoryStore::new();
        s.put_job(&row("a", "queued", None)).unwrap();
        s.put_job(&row("b", "queued", None)).unwrap();
        assert_eq!(s.oldest_finished(), None);
        s.finish_job(&row("b", "failed", Some(10.0)), None).unwrap();
        s.finish_job(&row("a", "succeeded", Some(10.0)), None).unwrap();
        // Same finish time: the one recorded first goes first.
        assert_eq!(s.oldest_finished(), Some((10.0, "b".to_string())));
        // Updating a finished row (cancel_requested) keeps its place.
        let mut b = row("b", "failed", Some(10.0));
        b.cancel_requested = true;
        s.put_job(&b).unwrap();
        assert_eq!(s.oldest_finished(), Some((10.0, "b".to_string())));
        assert_eq!(s.job_by_key("ann", "k-a").unwrap().job_id, "a");
        assert!(s.job_by_key("bob", "k-a").is_none());
        assert!(s.results_id_in_use("r-a"));
        s.remove_job("b").unwrap();
        assert_eq!(s.oldest_finished(), Some((10.0, "a".to_string())));
        assert_eq!(s.stats(), StoreStats { jobs: 1, finished_jobs: 1, results: 0, result_bytes: 0 });
        s.put_job(&row("c", "running", None)).unwrap();
        assert_eq!(s.interrupt_unfinished("interrupted by restart", 20.0).unwrap(), vec!["c".to_string()]);
        let c = s.job("c").unwrap();
        assert_eq!((c.status.as_str(), c.error_retryable), ("failed", true));
        assert_eq!(s.stats().finished_jobs, 2);
    }
}
