//! Jobs as the views show them: plain snapshots of the engine's jobs, which front end a job
//! belongs to, transitions read from the engine's event log, a VLA job's partials, and a job's
//! full record (a VLA job's poll map, a bridge job's status record). The JS API's `jobs()` is
//! [`snapshots`] too.

use std::collections::HashMap;

use serde::{Serialize, Serializer};

use crate::bridge::BridgeWork;
use crate::jobs::{Engine, JobId, JobRecord, State};
use crate::lang::Datum;
use crate::vla::VlaWork;

use super::components::plot::PlotData;
use super::session::Session;

/// Which front end a job belongs to, from the type of its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// `vla.submit` (the rt2 stub model).
    Vla,
    /// A bridge simulation or population run.
    Bridge,
    /// Anything else (test work, future front ends).
    Other,
}

impl JobKind {
    pub fn of(job: &JobRecord) -> JobKind {
        if job.work::<VlaWork>().is_some() {
            JobKind::Vla
        } else if job.work::<BridgeWork>().is_some() {
            JobKind::Bridge
        } else {
            JobKind::Other
        }
    }
}

fn state_name<S: Serializer>(state: &State, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(state.name())
}

/// A plain snapshot of one job: what a job row shows and what the JS API's `jobs()` returns
/// (camelCase JSON, the state by name).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSnapshot {
    pub id: JobId,
    /// The job's own name for its kind (`vla`, `simulation`, `population`, ...), for display.
    #[serde(rename = "kind")]
    pub kind_name: &'static str,
    /// Which front end the job belongs to.
    #[serde(skip)]
    pub kind: JobKind,
    /// `queued`, `running`, `streaming`, `done`, `failed`, `timeout`, `cancelled`
    #[serde(serialize_with = "state_name")]
    pub state: State,
    pub active: bool,
    pub cancel_requested: bool,
    pub submitted_at: f64,
    pub started_at: Option<f64>,
    pub finished_at: Option<f64>,
    /// Job ms from submission to now (or to the finish).
    pub elapsed_ms: f64,
    pub label: String,
    pub text: String,
    pub confidence: Option<f64>,
    /// `[done, total]` where known.
    pub progress: Option<(u64, u64)>,
    /// Number of partial results produced so far.
    pub partials: u32,
}

impl JobSnapshot {
    pub fn of(job: &JobRecord, now: f64) -> JobSnapshot {
        let s = job.summary();
        JobSnapshot {
            id: job.id,
            kind_name: job.kind,
            kind: JobKind::of(job),
            state: job.state,
            active: job.state.is_active(),
            cancel_requested: job.cancel_requested,
            submitted_at: job.submitted_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
            elapsed_ms: job.elapsed(now),
            label: s.label,
            text: s.text,
            confidence: s.confidence,
            progress: s.progress,
            partials: s.partial_seq,
        }
    }
}

/// Snapshots of the newest `limit` jobs, newest first.
pub fn snapshots(engine: &Engine, limit: usize) -> Vec<JobSnapshot> {
    window(engine, 0, limit).rows
}

/// A window of the job list (newest first), with the totals a list header shows.
#[derive(Clone, Debug, PartialEq)]
pub struct JobsWindow {
    /// Engine job time.
    pub now: f64,
    pub total: usize,
    pub active: usize,
    /// The jobs `skip..skip + take` of the list, newest first.
    pub rows: Vec<JobSnapshot>,
}

/// The jobs `skip..skip + take` of the list, newest first.
pub fn window(engine: &Engine, skip: usize, take: usize) -> JobsWindow {
    let now = engine.now();
    JobsWindow {
        now,
        total: engine.jobs().count(),
        active: engine.active_count(),
        rows: engine.jobs().rev().skip(skip).take(take).map(|j| JobSnapshot::of(j, now)).collect(),
    }
}

/// Which states a job list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StateFilter {
    #[default]
    All,
    /// queued, running or streaming
    Active,
    Done,
    Failed,
    TimedOut,
    Cancelled,
}

impl StateFilter {
    /// Every choice, in the order a picker lists them, with its label.
    pub const CHOICES: &'static [(StateFilter, &'static str)] = &[
        (StateFilter::All, "all states"),
        (StateFilter::Active, "active"),
        (StateFilter::Done, "done"),
        (StateFilter::Failed, "failed"),
        (StateFilter::TimedOut, "timed out"),
        (StateFilter::Cancelled, "cancelled"),
    ];

    pub fn matches(self, state: State) -> bool {
        match self {
            StateFilter::All => true,
            StateFilter::Active => state.is_active(),
            StateFilter::Done => state == State::Done,
            StateFilter::Failed => state == State::Failed,
            StateFilter::TimedOut => state == State::TimedOut,
            StateFilter::Cancelled => state == State::Cancelled,
        }
    }
}

/// Which jobs a list shows: by state and by front end (`None`: every kind).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobFilter {
    pub state: StateFilter,
    pub kind: Option<JobKind>,
}

impl JobFilter {
    pub fn matches(&self, job: &JobRecord) -> bool {
        self.state.matches(job.state) && self.kind.is_none_or(|k| JobKind::of(job) == k)
    }
}

/// The jobs `skip..skip + take` of the filtered list, active jobs first (newest first within
/// each part); `total` and `active` count the whole session, `shown` the filtered list.
pub fn window_filtered(engine: &Engine, filter: JobFilter, skip: usize, take: usize) -> (JobsWindow, usize) {
    let now = engine.now();
    let active = || engine.jobs().rev().filter(|j| j.state.is_active() && filter.matches(j));
    let rest = || engine.jobs().rev().filter(|j| !j.state.is_active() && filter.matches(j));
    let shown = active().count() + rest().count();
    let rows = active().chain(rest()).skip(skip).take(take).map(|j| JobSnapshot::of(j, now)).collect();
    (JobsWindow { now, total: engine.jobs().count(), active: engine.active_count(), rows }, shown)
}

/// The active jobs a filter shows (for "cancel all active").
pub fn active_ids(engine: &Engine, filter: JobFilter) -> Vec<JobId> {
    engine.jobs().filter(|j| j.state.is_active() && filter.matches(j)).map(|j| j.id).collect()
}

/// VLA jobs that ended `:timeout`, and the deadline (job-ms) the newest of them had: a session
/// that submits more than its worker slots can finish inside the deadline sees these.
pub fn vla_timeouts(engine: &Engine) -> (usize, Option<i64>) {
    let mut n = 0;
    let mut deadline = None;
    for j in engine.jobs().rev().filter(|j| j.state == State::TimedOut) {
        if let Some(w) = j.work::<VlaWork>() {
            n += 1;
            deadline.get_or_insert(w.request.deadline_ms);
        }
    }
    (n, deadline)
}

/// Where job `id` is in the list `filter` shows (active first, newest first within each part),
/// for scrolling to it; `None` when the filter hides it.
pub fn position_filtered(engine: &Engine, filter: JobFilter, id: JobId) -> Option<usize> {
    let active = engine.jobs().rev().filter(|j| j.state.is_active() && filter.matches(j));
    let rest = engine.jobs().rev().filter(|j| !j.state.is_active() && filter.matches(j));
    active.chain(rest).position(|j| j.id == id)
}

/// One entry of a job's timeline: a state change, or a partial result (`partial_seq > 0`
/// while streaming).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transition {
    pub state: State,
    pub at: f64,
    pub partial_seq: u32,
}

/// Every job's transitions, read incrementally from the engine's event log.
#[derive(Default)]
pub struct TimelineCache {
    cursor: u64,
    by_job: HashMap<JobId, Vec<Transition>>,
}

impl TimelineCache {
    /// Reads the events logged since the last call.
    pub fn update(&mut self, engine: &Engine) {
        for e in engine.events_since(self.cursor) {
            self.by_job.entry(e.job).or_default().push(Transition {
                state: e.to,
                at: e.at,
                partial_seq: e.partial_seq,
            });
        }
        self.cursor = engine.event_cursor();
    }

    pub fn of(&self, id: JobId) -> &[Transition] {
        self.by_job.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// A timeline as segments (state, start, end), partials merged into their state; the last
/// segment ends at `end`.
pub fn segments(tl: &[Transition], end: f64) -> Vec<(State, f64, f64)> {
    let mut out: Vec<(State, f64, f64)> = Vec::new();
    for (i, t) in tl.iter().enumerate() {
        if out.last().map(|l| l.0) == Some(t.state) {
            continue;
        }
        let next = tl[i + 1..].iter().find(|n| n.state != t.state).map(|n| n.at).unwrap_or(end);
        out.push((t.state, t.at, next));
    }
    out
}

/// One partial result, for the details' list.
#[derive(Clone, Debug, PartialEq)]
pub struct PartialRow {
    pub seq: u32,
    /// Job time the partial was emitted (VLA) or first seen by the page (bridge).
    pub at: f64,
    pub text: String,
    pub confidence: Option<f64>,
    /// The action candidate's `u`, as text.
    pub action: Option<String>,
}

/// Every partial of a VLA job, from the job itself (so the list is complete even when no
/// view was watching while it streamed).
pub fn vla_partials(engine: &Engine, id: JobId) -> Vec<PartialRow> {
    let Some(w) = engine.job(id).and_then(|j| j.work::<VlaWork>()) else {
        return Vec::new();
    };
    w.partials()
        .iter()
        .map(|r| PartialRow {
            seq: r.partial.sequence,
            at: r.at_ms,
            text: r.partial.text_chunk.clone(),
            confidence: Some(r.partial.confidence),
            action: r
                .partial
                .action_candidate
                .as_ref()
                .map(|a| datum_text(&Datum::List(a.u.iter().map(|x| Datum::Float(*x)).collect()))),
        })
        .collect()
}

/// A job's full record, as the details view shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// `Poll map` or `Status record`.
    pub title: &'static str,
    pub text: String,
    /// A finished simulation's curves.
    pub plot: Option<PlotData>,
}

/// The full record of a job: a VLA job's `vla.poll` map, a bridge job's status record (and
/// results), or a note that there is none.
pub fn record(session: &Session, id: JobId, kind: JobKind) -> Record {
    match kind {
        JobKind::Vla => {
            let text = match session.engine.try_borrow() {
                Ok(engine) => datum_text(&crate::vla::poll(&engine, id)),
                Err(_) => "(busy)".to_string(),
            };
            Record { title: "Poll map", text, plot: None }
        }
        // The bridge's code is loaded on demand with the pages (only they send requests), so a
        // bridge job exists only once that module is loaded; until then there is no record.
        JobKind::Bridge | JobKind::Other => {
            match super::lazy::EXTRA.get().and_then(|m| (m.pages.status_record)(session, id)) {
                Some((status, plot)) => Record {
                    title: "Status record",
                    text: serde_json::to_string_pretty(&status).unwrap_or_default(),
                    plot: plot.filter(|p| !p.is_empty()),
                },
                None => Record { title: "Status record", text: "(no record)".to_string(), plot: None },
            }
        }
    }
}

/// Datum as readable text (maps as `{key value, ...}` on indented lines), bounded in depth and size.
pub fn datum_text(d: &Datum) -> String {
    fn go(d: &Datum, depth: usize, indent: usize, out: &mut String) {
        if out.len() > 20_000 {
            return;
        }
        match d {
            Datum::Nil => out.push_str("nil"),
            Datum::Bool(b) => out.push_str(if *b { "#t" } else { "#f" }),
            Datum::Int(i) => out.push_str(&i.to_string()),
            Datum::Float(f) => out.push_str(&format!("{f}")),
            Datum::Sym(s) => out.push_str(s),
            Datum::Str(s) => out.push_str(&format!("{s:?}")),
            Datum::Opaque(p) => out.push_str(p),
            Datum::Handle { kind, id } => out.push_str(&format!("<{kind}:{id}>")),
            Datum::List(items) => {
                out.push('(');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    if depth > 12 {
                        out.push_str("...");
                        break;
                    }
                    go(it, depth + 1, indent, out);
                }
                out.push(')');
            }
            Datum::Map(entries) => {
                out.push('{');
                for (k, v) in entries {
                    out.push('\n');
                    out.push_str(&"  ".repeat(indent + 1));
                    if depth > 12 {
                        out.push_str("...");
                        break;
                    }
                    go(k, depth + 1, indent + 1, out);
                    out.push(' ');
                    go(v, depth + 1, indent + 1, out);
                }
                out.push('\n');
                out.push_str(&"  ".repeat(indent));
                out.push('}');
            }
        }
    }
    let mut s = String::new();
    go(d, 0, 0, &mut s);
    s
}

/// The id of the newest job the session has issued (0 before the first).
pub fn issued(session: &Session) -> JobId {
    session.engine.try_borrow().map(|e| e.issued()).unwrap_or(0)
}

/// Is there a VLA job newer than `since` whose state satisfies `pred`?
pub fn vla_job_since(session: &Session, since: JobId, pred: impl Fn(State) -> bool) -> bool {
    let Ok(e) = session.engine.try_borrow() else { return false };
    let found = e.jobs().rev().take_while(|j| j.id > since).any(|j| JobKind::of(j) == JobKind::Vla && pred(j.state));
    found
}
