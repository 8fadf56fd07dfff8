//! The bridge's [`Store`] in an embedded SQLite database (`granola.db` in the data directory).
//!
//! WAL journal with `synchronous = NORMAL`: every write is one transaction that is in the
//! write-ahead log when the call returns, so a crash of the process (even SIGKILL in the
//! middle of a write) loses no committed row and never leaves half a row; only a power
//! failure could lose the last moments. A job's terminal row and its result are one
//! transaction. Rows are kept as JSON next to the few columns the lookups need.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};

use crate::bridge::store::{interrupt, JobRow, Store, StoreError, StoreStats, StoredResult, TERMINAL};
use crate::bridge::Output;

/// File name of the database in the data directory.
pub const DB_FILE: &str = "granola.db";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    job_id      TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    idem_key    TEXT,
    results_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    finished_ms REAL,
    finish_seq  INTEGER,
    row         TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_by_key ON jobs(owner, idem_key) WHERE idem_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_by_results ON jobs(results_id);
CREATE INDEX IF NOT EXISTS jobs_by_finish ON jobs(finished_ms, finish_seq) WHERE finished_ms IS NOT NULL;
CREATE TABLE IF NOT EXISTS results (
    results_id TEXT PRIMARY KEY,
    job_id     TEXT NOT NULL,
    owner      TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_by_job ON results(job_id);
";

/// Job rows and results in SQLite.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Kept up to date with every write, so reading the counts costs nothing.
    stats: StoreStats,
    finish_seq: i64,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    format!("database error: {e}")
}

impl SqliteStore {
    /// Open (or create) `dir/granola.db`.
    pub fn open_in(dir: &Path) -> Result<SqliteStore, StoreError> {
        super::secret::ensure_dir(dir)?;
        SqliteStore::open(&dir.join(DB_FILE))
    }

    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        // Owner-only from the first byte (SQLite gives its -wal and -shm files the same mode).
        #[cfg(unix)]
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            let _ = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path);
        }
        let conn = Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(err)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(format!("{} cannot use WAL journaling (got {mode})", path.display()));
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;").map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let mut store = SqliteStore { conn, path: path.to_path_buf(), stats: StoreStats::default(), finish_seq: 0 };
        store.recount()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn recount(&mut self) -> Result<(), StoreError> {
        let (jobs, finished, seq): (i64, i64, i64) = self
            .conn
            .query_row("SELECT COUNT(*), COUNT(finished_ms), COALESCE(MAX(finish_seq), 0) FROM jobs", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(err)?;
        let (results, bytes): (i64, i64) = self
            .conn
            .query_row("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM results", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(err)?;
        self.stats = StoreStats {
            jobs: jobs as u64,
            finished_jobs: finished as u64,
            results: results as u64,
            result_bytes: bytes as u64,
        };
        self.finish_seq = seq;
        Ok(())
    }

    /// Upsert `row` inside the open transaction `tx`; returns the count changes.
    fn upsert(tx: &Connection, row: &JobRow, next_seq: i64) -> Result<(i64, i64), StoreError> {
        let before: Option<Option<f64>> = tx
            .query_row("SELECT finished_ms FROM jobs WHERE job_id = ?1", [&row.job_id], |r| r.get(0))
            .optional()
            .map_err(err)?;
        let finished = row.is_finished();
        let finished_ms = finished.then(|| row.finished_ms.unwrap_or(0.0));
        let text = serde_json::to_string(row).map_err(err)?;
        tx.execute(
            "INSERT INTO jobs (job_id, owner, idem_key, results_id, status, finished_ms, finish_seq, row)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(job_id) DO UPDATE SET
                owner = excluded.owner, idem_key = excluded.idem_key, results_id = excluded.results_id,
                status = excluded.status, finished_ms = excluded.finished_ms,
                finish_seq = CASE WHEN excluded.finished_ms IS NULL THEN NULL
                                  ELSE COALESCE(jobs.finish_seq, excluded.finish_seq) END,
                row = excluded.row",
            params![
                row.job_id,
                row.owner,
                row.idempotency_key,
                row.results_id,
                row.status,
                finished_ms,
                finished.then_some(next_seq),
                text
            ],
        )
        .map_err(err)?;
        let was_finished = matches!(before, Some(Some(_)));
        let jobs = i64::from(before.is_none());
        let fin = i64::from(finished) - i64::from(was_finished);
        Ok((jobs, fin))
    }

    fn apply(&mut self, jobs: i64, finished: i64, results: i64, bytes: i64) {
        let add = |v: u64, d: i64| (v as i64 + d).max(0) as u64;
        self.stats.jobs = add(self.stats.jobs, jobs);
        self.stats.finished_jobs = add(self.stats.finished_jobs, finished);
        self.stats.results = add(self.stats.results, results);
        self.stats.result_bytes = add(self.stats.result_bytes, bytes);
    }

    fn row_from(text: &str) -> Option<JobRow> {
        serde_json::from_str(text).ok()
    }
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        format!("sqlite {}", self.path.display())
    }

    fn put_job(&mut self, row: &JobRow) -> Result<(), StoreError> {
        self.finish_job(row, None)
    }

    fn finish_job(&mut self, row: &JobRow, result: Option<&StoredResult>) -> Result<(), StoreError> {
        let seq = self.finish_seq + 1;
        let data = match result {
            Some(r) => Some(serde_json::to_string(&*r.output).map_err(err)?),
            None => None,
        };
        let tx = self.conn.unchecked_transaction().map_err(err)?;
        let (jobs, finished) = SqliteStore::upsert(&tx, row, seq)?;
        let (mut results, mut bytes) = (0i64, 0i64);
        if let (Some(r), Some(data)) = (result, data) {
            let old: Option<i64> = tx
                .query_row("SELECT bytes FROM results WHERE results_id = ?1", [&r.results_id], |x| x.get(0))
                .optional()
                .map_err(err)?;
            // What counts against the byte cap here is the stored JSON.
            let size = data.len() as i64;
            tx.execute(
                "INSERT OR REPLACE INTO results (results_id, job_id, owner, bytes, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![r.results_id, r.job_id, r.owner, size, data],
            )
            .map_err(err)?;
            results = i64::from(old.is_none());
            bytes = size - old.unwrap_or(0);
        }
        tx.commit().map_err(err)?;
        if row.is_finished() {
            self.finish_seq = seq;
        }
        self.apply(jobs, finished, results, bytes);
        Ok(())
    }

    fn job(&self, job_id: &str) -> Option<JobRow> {
        let text: String =
            self.conn.query_row("SELECT row FROM jobs WHERE job_id = ?1", [job_id], |r| r.get(0)).optional().ok()??;
        SqliteStore::row_from(&text)
    }

    fn job_by_key(&self, owner: &str, key: &str) -> Option<JobRow> {
        let text: String = self
            .conn
            .query_row("SELECT row FROM jobs WHERE owner = ?1 AND idem_key = ?2", [owner, key], |r| r.get(0))
            .optional()
            .ok()??;
        SqliteStore::row_from(&text)
    }

    fn job_for_results(&self, results_id: &str) -> Option<String> {
        self.conn
            .query_row("SELECT job_id FROM jobs WHERE results_id = ?1 LIMIT 1", [results_id], |r| r.get(0))
            .optional()
            .ok()?
    }

    fn result(&self, results_id: &str) -> Option<StoredResult> {
        let (job_id, owner, bytes, data): (String, String, i64, String) = self
            .conn
            .query_row("SELECT job_id, owner, bytes, data FROM results WHERE results_id = ?1", [results_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
            .ok()??;
        let output: Output = serde_json::from_str(&data).ok()?;
        Some(StoredResult {
            results_id: results_id.to_string(),
            job_id,
            owner,
            output: Arc::new(output),
            bytes: bytes as u64,
        })
    }

    fn oldest_finished(&self) -> Option<(f64, String)> {
        self.conn
            .query_row(
                "SELECT finished_ms, job_id FROM jobs WHERE finished_ms IS NOT NULL
                 ORDER BY finished_ms, finish_seq LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .ok()?
    }

    fn remove_job(&mut self, job_id: &str) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(err)?;
        let found: Option<(String, Option<f64>)> = tx
            .query_row("SELECT results_id, finished_ms FROM jobs WHERE job_id = ?1", [job_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(err)?;
        let Some((results_id, finished)) = found else {
            return Ok(());
        };
        let bytes: Option<i64> = tx
            .query_row("SELECT bytes FROM results WHERE results_id = ?1 AND job_id = ?2", [&results_id, job_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        tx.execute("DELETE FROM results WHERE results_id = ?1 AND job_id = ?2", [&results_id, job_id]).map_err(err)?;
        tx.execute("DELETE FROM jobs WHERE job_id = ?1", [job_id]).map_err(err)?;
        tx.commit().map_err(err)?;
        self.apply(-1, -i64::from(finished.is_some()), -i64::from(bytes.is_some()), -bytes.unwrap_or(0));
        Ok(())
    }

    fn stats(&self) -> StoreStats {
        self.stats
    }

    fn interrupt_unfinished(&mut self, error: &str, at_ms: f64) -> Result<Vec<String>, StoreError> {
        let placeholders = TERMINAL.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
        let rows: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT row FROM jobs WHERE status NOT IN ({placeholders})"))
                .map_err(err)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)?
        };
        let mut ids = Vec::new();
        for text in rows {
            let Some(mut row) = SqliteStore::row_from(&text) else { continue };
            interrupt(&mut row, error, at_ms);
            self.finish_job(&row, None)?;
            ids.push(row.job_id);
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::store::tests::row;

    fn temp_db(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("granola-sqlite-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(DB_FILE)
    }

    #[test]
    fn rows_results_and_counts_survive_a_reopen() {
        let path = temp_db("reopen");
        {
            let mut s = SqliteStore::open(&path).unwrap();
            s.put_job(&row("a", "queued", None)).unwrap();
            s.put_job(&row("b", "running", None)).unwrap();
            s.put_job(&row("c", "queued", None)).unwrap();
            let done = row("c", "failed", Some(5.0));
            s.finish_job(&done, None).unwrap();
            assert_eq!(s.stats(), StoreStats { jobs: 3, finished_jobs: 1, results: 0, result_bytes: 0 });
            assert_eq!(s.job_by_key("ann", "k-a").unwrap().job_id, "a");
            assert!(s.job_by_key("bob", "k-a").is_none());
            assert_eq!(s.job_for_results("r-b").as_deref(), Some("b"));
            assert_eq!(s.oldest_finished(), Some((5.0, "c".to_string())));
        }
        let mut s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.stats(), StoreStats { jobs: 3, finished_jobs: 1, results: 0, result_bytes: 0 });
        let mut ids = s.interrupt_unfinished("interrupted by restart", 9.0).unwrap();
        ids.sort();
        assert_eq!(ids, vec!["a".to_string(), "b".to_string()]);
        let a = s.job("a").unwrap();
        assert_eq!((a.status.as_str(), a.error_retryable, a.finished_ms), ("failed", true, Some(9.0)));
        assert_eq!(s.stats().finished_jobs, 3);
        // Oldest first; equal times in the order they finished.
        assert_eq!(s.oldest_finished(), Some((5.0, "c".to_string())));
        s.remove_job("c").unwrap();
        let first = s.oldest_finished().unwrap();
        assert_eq!(first.0, 9.0);
        s.remove_job("a").unwrap();
        s.remove_job("b").unwrap();
        assert_eq!(s.stats(), StoreStats::default());
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
