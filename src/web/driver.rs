//! The job driver: a gloo-timers interval that advances the shared engine on the scaled job
//! clock and bumps the session version so components re-render; the speed control; job
//! snapshots (the plain data the JS API and the job lists show); a minimal job list with
//! Cancel buttons.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Interval;
use serde::Serialize;
use yew::prelude::*;

use crate::jobs::{Engine, JobId, JobRecord, State};

use super::session::Session;

/// Default clock speed: 1 job-ms per 200 wall-ms, slow enough to watch a job stream.
pub const DEFAULT_SPEED: f64 = 0.005;
/// Default driver period (wall ms).
pub const DEFAULT_TICK_MS: u32 = 50;
/// While jobs are active but nothing changed, components are refreshed at most this often
/// (so elapsed times move without re-rendering on every tick).
pub const IDLE_REFRESH_MS: f64 = 200.0;
/// The choices of the speed control: (job-ms per wall-ms, label).
pub const SPEEDS: &[(f64, &str)] =
    &[(0.005, "1 job-ms / 200 ms"), (0.05, "1 job-ms / 20 ms"), (0.25, "1 job-ms / 4 ms"), (1.0, "real time")];
const SPEED_KEY: &str = "granola.speed";

/// The speed remembered from the last visit, else [`DEFAULT_SPEED`].
pub fn remembered_speed() -> f64 {
    super::load_setting(SPEED_KEY)
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(DEFAULT_SPEED)
}

struct DriverState {
    session: Session,
    bump: Callback<()>,
    last_cursor: u64,
    last_bump_wall: f64,
}

impl DriverState {
    fn tick(&mut self, force: bool) {
        self.session.advance();
        let (cursor, active) = match self.session.engine.try_borrow() {
            Ok(e) => (e.event_cursor(), e.active_count() > 0),
            Err(_) => return,
        };
        let wall = super::wall_now();
        let changed = cursor != self.last_cursor;
        if force || changed || (active && wall - self.last_bump_wall >= IDLE_REFRESH_MS) {
            self.last_cursor = cursor;
            self.last_bump_wall = wall;
            self.bump.emit(());
        }
    }
}

thread_local! {
    static DRIVERS: RefCell<Vec<Weak<RefCell<DriverState>>>> = const { RefCell::new(Vec::new()) };
}

/// A running driver; dropping it stops the timer.
pub struct Driver {
    _interval: Interval,
    _state: Rc<RefCell<DriverState>>,
}

/// Start driving `session`: every `tick_ms` wall ms advance its engine to the clock's job
/// time, and call `bump` when jobs changed (or, while jobs are active, every
/// [`IDLE_REFRESH_MS`]).
pub fn start(session: Session, tick_ms: u32, bump: Callback<()>) -> Driver {
    let state = Rc::new(RefCell::new(DriverState { session, bump, last_cursor: 0, last_bump_wall: 0.0 }));
    DRIVERS.with(|d| {
        let mut d = d.borrow_mut();
        d.retain(|w| w.strong_count() > 0);
        d.push(Rc::downgrade(&state));
    });
    let s = state.clone();
    let interval = Interval::new(tick_ms.max(1), move || {
        if let Ok(mut st) = s.try_borrow_mut() {
            st.tick(false);
        }
    });
    Driver { _interval: interval, _state: state }
}

/// Run every live driver's tick now and re-render its components (call after changing the
/// engine outside a timer, e.g. after a Cancel click or a submit, so the page updates at once).
pub fn poke() {
    let live: Vec<_> = DRIVERS.with(|d| d.borrow().iter().filter_map(Weak::upgrade).collect());
    for st in live {
        if let Ok(mut st) = st.try_borrow_mut() {
            st.tick(true);
        }
    }
}

/// A plain snapshot of one job, for lists and the JS API.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSnapshot {
    pub id: JobId,
    pub kind: String,
    /// `queued`, `running`, `streaming`, `done`, `failed`, `timeout`, `cancelled`
    pub state: String,
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
    pub partials: u32,
}

impl JobSnapshot {
    pub fn of(job: &JobRecord, now: f64) -> JobSnapshot {
        let s = job.summary();
        JobSnapshot {
            id: job.id,
            kind: job.kind.to_string(),
            state: job.state.name().to_string(),
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
    let now = engine.now();
    engine.jobs().rev().take(limit).map(|j| JobSnapshot::of(j, now)).collect()
}

/// A job's timeline: each transition as `(state, job time)`; partial results are left out.
pub fn timeline(engine: &Engine, id: JobId) -> Vec<(State, f64)> {
    timelines(engine, &[id]).pop().unwrap_or_default()
}

/// The timelines of several jobs (in the order of `ids`), in one pass over the event log.
pub fn timelines(engine: &Engine, ids: &[JobId]) -> Vec<Vec<(State, f64)>> {
    let mut out = vec![Vec::new(); ids.len()];
    let Some(&min) = ids.iter().min() else { return out };
    let index: std::collections::HashMap<JobId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    for e in engine.events_since(0) {
        if e.job < min || e.from == Some(e.to) {
            continue;
        }
        if let Some(&i) = index.get(&e.job) {
            out[i].push((e.to, e.at));
        }
    }
    out
}

/// Format job ms for display: `12.3 ms`, `4.56 s`.
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        "—".to_string()
    } else if ms.abs() < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// Cancel a job from the page and refresh at once.
pub fn cancel_job(session: &Session, id: JobId) {
    if let Ok(mut e) = session.engine.try_borrow_mut() {
        e.cancel(id);
    }
    poke();
}

/// The speed control: a select that changes the session clock's speed (remembered).
#[function_component(SpeedControl)]
pub fn speed_control() -> Html {
    let Some(session) = use_context::<Session>() else {
        return Html::default();
    };
    let current = session.clock.borrow().speed();
    let onchange = {
        let session = session.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            if let Ok(v) = sel.value().parse::<f64>() {
                session.clock.borrow_mut().set_speed(v, super::wall_now());
                super::save_setting(SPEED_KEY, &v.to_string());
                poke();
            }
        })
    };
    html! {
        <label class="speed" title="How fast job time runs on this page">
            <span class="speed-label">{ "Job clock" }</span>
            <select class="speed-select" {onchange} aria-label="Job clock speed">
                { for SPEEDS.iter().map(|(v, label)| html! {
                    <option value={v.to_string()} selected={(v - current).abs() < 1e-12}>{ *label }</option>
                }) }
            </select>
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct JobListProps {
    /// At most this many jobs are shown (newest first).
    #[prop_or(50)]
    pub limit: usize,
}

/// A minimal job list: kind, id, state badge, elapsed job time, latest partial text, the
/// timeline of transitions, and a Cancel button exactly while the job is active.
/// (web2's jobs panel is the full version.)
#[function_component(JobList)]
pub fn job_list(props: &JobListProps) -> Html {
    let Some(session) = use_context::<Session>() else {
        return html! { <p class="muted">{ "No session." }</p> };
    };
    let rows: Vec<(JobSnapshot, Vec<(State, f64)>)> = match session.engine.try_borrow() {
        Ok(e) => {
            let snaps = snapshots(&e, props.limit);
            let ids: Vec<JobId> = snaps.iter().map(|s| s.id).collect();
            snaps.into_iter().zip(timelines(&e, &ids)).collect()
        }
        Err(_) => Vec::new(),
    };
    if rows.is_empty() {
        return html! { <p class="jobs-empty muted">{ "No jobs yet. Submit one from Lisp with " }<code>{ "vla.submit" }</code>{ "." }</p> };
    }
    html! {
        <ul class="jobs">
            { for rows.into_iter().map(|(j, t)| {
                let id = j.id;
                let onclick = {
                    let session = session.clone();
                    Callback::from(move |_: MouseEvent| cancel_job(&session, id))
                };
                let timeline_text = t.iter()
                    .map(|(s, at)| format!("{} @{}", s.name(), fmt_ms(*at)))
                    .collect::<Vec<_>>()
                    .join(" → ");
                html! {
                    <li class="job" data-job-id={id.to_string()} data-state={j.state.clone()}>
                        <div class="job-head">
                            <span class="job-kind">{ &j.kind }</span>
                            <span class="job-id">{ format!("#{id}") }</span>
                            <span class={classes!("badge", format!("badge-{}", j.state))}>{ &j.state }</span>
                            <span class="job-elapsed">{ fmt_ms(j.elapsed_ms) }</span>
                            if j.active {
                                <button class="job-cancel" {onclick} disabled={j.cancel_requested}>
                                    { if j.cancel_requested { "Cancelling…" } else { "Cancel" } }
                                </button>
                            }
                        </div>
                        if !j.label.is_empty() || !j.text.is_empty() {
                            <div class="job-text">{ &j.label }{ if j.label.is_empty() || j.text.is_empty() { "" } else { " — " } }{ &j.text }</div>
                        }
                        <div class="job-timeline">{ timeline_text }</div>
                    </li>
                }
            }) }
        </ul>
    }
}
