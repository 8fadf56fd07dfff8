//! `JobsPanel`: every job of the session (VLA and bridge), newest first, with kind, id,
//! status badge, elapsed job time, progress, latest partial text and confidence, and a
//! Cancel button exactly while the job is active. Clicking a job opens its details: a
//! timeline of its transitions from the engine's event log, its partials (a VLA job's from the
//! job itself, so the list is complete even if no panel watched it stream; a bridge job's as
//! seen by this panel, since bridge work keeps only its latest progress), its
//! poll map (VLA) or status record (bridge), and for a finished simulation a plot.
//!
//! Only the rows in view are rendered (fixed row height, windowed by the scroll position),
//! so a session with 10 000 jobs scrolls smoothly.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::jobs::{Engine, JobId, JobRecord, State};
use crate::lang::Datum;
use crate::web::session::Session;

use super::plot::Plot;
use super::util::fmt_ms;

/// Height of one row in px (CSS `.job-row` uses the same).
pub const ROW_PX: f64 = 64.0;

#[derive(Properties, PartialEq)]
pub struct JobsPanelProps {
    /// Smaller layout for use beside runnable code.
    #[prop_or(false)]
    pub compact: bool,
    /// Height of the scrolling list in px.
    #[prop_or(480)]
    pub height: u32,
    /// Title shown above the list.
    #[prop_or(AttrValue::Static("Jobs"))]
    pub title: AttrValue,
}

/// A plain copy of what one row shows.
#[derive(Clone, Debug, PartialEq)]
pub struct RowSnap {
    pub id: JobId,
    pub kind: &'static str,
    pub state: State,
    pub label: String,
    pub elapsed: f64,
    pub text: String,
    pub confidence: Option<f64>,
    pub progress: Option<(u64, u64)>,
    pub partial_seq: u32,
    pub cancel_requested: bool,
}

pub fn snapshot(j: &JobRecord, now: f64) -> RowSnap {
    let s = j.summary();
    RowSnap {
        id: j.id,
        kind: j.kind,
        state: j.state,
        label: s.label,
        elapsed: j.elapsed(now),
        text: s.text,
        confidence: s.confidence,
        progress: s.progress,
        partial_seq: s.partial_seq,
        cancel_requested: j.cancel_requested,
    }
}

/// The CSS class of a state's badge: `badge badge-streaming`, ...
pub fn badge_class(state: State) -> String {
    format!("badge badge-{}", state.name())
}

/// Transitions of one job from the event log: (state, job time, partial number).
pub fn timeline(engine: &Engine, id: JobId) -> Vec<(State, f64, u32)> {
    engine.events_since(0).iter().filter(|e| e.job == id).map(|e| (e.to, e.at, e.partial_seq)).collect()
}

/// Datum as readable text (maps as `{key value, ...}`), bounded in depth and size.
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
                for (i, (k, v)) in entries.iter().enumerate() {
                    out.push('\n');
                    out.push_str(&"  ".repeat(indent + 1));
                    if depth > 12 {
                        out.push_str("...");
                        break;
                    }
                    go(k, depth + 1, indent + 1, out);
                    out.push(' ');
                    go(v, depth + 1, indent + 1, out);
                    let _ = i;
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

/// The full record of a job: the VLA poll map, or the bridge status record (and results).
fn record_of(session: &Session, id: JobId, kind: &str) -> (String, Option<super::plot::PlotData>) {
    if kind == "vla" {
        let mut engine = session.engine.borrow_mut();
        return match crate::vla::call(&mut engine, "vla.poll", &[Datum::Int(id as i64)]) {
            Ok(d) => (datum_text(&d), None),
            Err(e) => (e, None),
        };
    }
    match super::bridge_console::status_record(session, id) {
        Some((status, results)) => (serde_json::to_string_pretty(&status).unwrap_or_default(), results),
        None => (String::from("(no record)"), None),
    }
}

/// Transitions per job, read incrementally from the engine's event log.
#[derive(Default)]
pub struct TimelineCache {
    cursor: u64,
    by_job: HashMap<JobId, Vec<(State, f64, u32)>>,
}

impl TimelineCache {
    /// Reads the events logged since the last call.
    pub fn update(&mut self, engine: &Engine) {
        for e in engine.events_since(self.cursor) {
            self.by_job.entry(e.job).or_default().push((e.to, e.at, e.partial_seq));
        }
        self.cursor = engine.event_cursor();
    }
    pub fn of(&self, id: JobId) -> &[(State, f64, u32)] {
        self.by_job.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Timeline segments (state, start, end) with streaming partials merged.
fn segments(tl: &[(State, f64, u32)], end: f64) -> Vec<(State, f64, f64)> {
    let mut out: Vec<(State, f64, f64)> = Vec::new();
    for (i, (st, at, _)) in tl.iter().enumerate() {
        if out.last().map(|l| l.0) == Some(*st) {
            continue;
        }
        let next = tl[i + 1..].iter().find(|t| t.0 != *st).map(|t| t.1).unwrap_or(end);
        out.push((*st, *at, next));
    }
    out
}

fn timeline_bar(tl: &[(State, f64, u32)], end: f64, class: &'static str) -> Html {
    let start = tl.first().map(|t| t.1).unwrap_or(end);
    let span = (end - start).max(1e-9);
    let segs = segments(tl, end);
    html! {
        <div class={class} aria-label="timeline">
            { for segs.iter().map(|(st, a, b)| {
                let w = ((b - a) / span * 100.0).max(if st.is_terminal() { 0.0 } else { 1.0 });
                html! { <span class={classes!("tl-seg", format!("tl-{}", st.name()))} style={format!("width:{w:.2}%")}
                    title={format!("{} at {}", st.name(), fmt_ms(*a))}></span> }
            }) }
        </div>
    }
}

/// One line of the details' partial list.
#[derive(Clone, Debug, PartialEq)]
pub struct PartialRow {
    pub seq: u32,
    /// Job time the partial was emitted (VLA) or first seen by the panel (bridge).
    pub at: f64,
    pub text: String,
    pub confidence: Option<f64>,
    /// The action candidate's `u`, as text.
    pub action: Option<String>,
}

/// Every partial of a VLA job, from the job itself (so the list is complete even when no
/// panel was watching while it streamed).
pub fn vla_partials(engine: &Engine, id: JobId) -> Vec<PartialRow> {
    let Some(w) = engine.job(id).and_then(|j| j.work::<crate::vla::VlaWork>()) else {
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

type PartialLog = Rc<RefCell<HashMap<JobId, Vec<(u32, f64, String, Option<f64>)>>>>;

/// The jobs panel (see the module docs).
#[function_component(JobsPanel)]
pub fn jobs_panel(props: &JobsPanelProps) -> Html {
    super::ensure_styles();
    let session = use_context::<Session>();
    let scroll_top = use_state(|| 0.0f64);
    let selected = use_state(|| None::<JobId>);
    let force = use_force_update();
    let partials: PartialLog = use_mut_ref(HashMap::new);
    let timelines: Rc<RefCell<TimelineCache>> = use_mut_ref(TimelineCache::default);
    let list_ref = use_node_ref();
    {
        let list_ref = list_ref.clone();
        let scroll_top = scroll_top.clone();
        use_effect_with((), move |_| {
            let el = list_ref.cast::<web_sys::Element>();
            let listener = el.map(|el| {
                let target = el.clone();
                scroll_listener(&el, move || scroll_top.set(target.scroll_top() as f64))
            });
            move || drop(listener)
        });
    }
    let Some(session) = session else {
        return html! { <section class="jobs-panel"><p>{"No session."}</p></section> };
    };

    let height = props.height as f64;
    let (now, total, rows, active) = {
        let engine = session.engine.borrow();
        let now = engine.now();
        let total = engine.jobs().count();
        let first = ((*scroll_top / ROW_PX).floor().max(0.0)) as usize;
        let n = (height / ROW_PX).ceil() as usize + 2;
        let rows: Vec<RowSnap> = engine.jobs().rev().skip(first).take(n).map(|j| snapshot(j, now)).collect();
        let active = engine.active_count();
        timelines.borrow_mut().update(&engine);
        (now, total, rows, active)
    };
    let first = ((*scroll_top / ROW_PX).floor().max(0.0)) as usize;

    // Record partials of visible bridge jobs as they arrive (bridge work keeps only its
    // latest progress message). VLA jobs keep their own history (`VlaWork::partials`).
    {
        let mut log = partials.borrow_mut();
        for r in rows.iter().filter(|r| r.kind != "vla") {
            // A finished job's summary text is its final explanation, not a partial.
            if r.partial_seq > 0 && !r.state.is_terminal() {
                let e = log.entry(r.id).or_default();
                if e.last().map(|p| p.0) != Some(r.partial_seq) {
                    e.push((r.partial_seq, now, r.text.clone(), r.confidence));
                }
            }
        }
    }

    let row_html = |i: usize, r: &RowSnap| {
        let id = r.id;
        let top = (first + i) as f64 * ROW_PX;
        let cancel = if r.state.is_active() {
            let session = session.clone();
            let force = force.clone();
            let onclick = Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                if let Ok(mut eng) = session.engine.try_borrow_mut() {
                    eng.cancel(id);
                }
                session.advance();
                force.force_update();
            });
            let label = if r.cancel_requested { "Cancelling…" } else { "Cancel" };
            html! { <button class="job-cancel" data-job={id.to_string()} disabled={r.cancel_requested} {onclick}>{label}</button> }
        } else {
            html! {}
        };
        let progress = match r.progress {
            Some((done, total)) if total > 0 => {
                let pct = (done as f64 / total as f64 * 100.0).clamp(0.0, 100.0);
                html! { <span class="job-progress" title={format!("progress {done}/{total}")} aria-label={format!("progress {done} of {total}")}><span class="job-progress-bar" style={format!("width:{pct:.1}%")}></span></span> }
            }
            _ if r.state.is_active() => {
                html! { <span class="job-progress job-progress-indeterminate"><span class="job-progress-bar"></span></span> }
            }
            _ => html! {},
        };
        // Labelled, and written as a number rather than a percentage, so it cannot be read as
        // the job's progress (which the bar beside the badge shows).
        let conf = r.confidence.map(|c| html! { <span class="job-conf" title="model confidence (0 to 1), not progress">{format!("conf {c:.2}")}</span> });
        let onclick = {
            let selected = selected.clone();
            Callback::from(move |_| selected.set(Some(id)))
        };
        let is_sel = *selected == Some(id);
        html! {
            <div key={id.to_string()} class={classes!("job-row", is_sel.then_some("selected"))} role="listitem"
                 data-job={id.to_string()} data-state={r.state.name()}
                 style={format!("position:absolute;left:0;right:0;top:{top}px;height:{ROW_PX}px")} {onclick}>
                <div class="job-line1">
                    <span class="job-kind">{r.kind}</span>
                    <span class="job-id">{format!("#{id}")}</span>
                    <span class={badge_class(r.state)}>{r.state.name()}</span>
                    <span class="job-elapsed">{fmt_ms(r.elapsed)}</span>
                    {progress}
                    {cancel}
                </div>
                <div class="job-line2">
                    <span class="job-label">{r.label.clone()}</span>
                    <span class="job-text">{r.text.clone()}</span>
                    {conf}
                </div>
                { timeline_bar(timelines.borrow().of(id), if r.state.is_terminal() { timelines.borrow().of(id).last().map(|t| t.1).unwrap_or(now) } else { now }, "job-mini-timeline") }
            </div>
        }
    };

    let details = (*selected).and_then(|id| {
        let (snap, tl) = {
            let engine = session.engine.borrow();
            let j = engine.job(id)?;
            (snapshot(j, now), timelines.borrow().of(id).to_vec())
        };
        let (record, results) = record_of(&session, id, snap.kind);
        let plot = results.filter(|p| !p.is_empty());
        let end = if snap.state.is_terminal() { tl.last().map(|t| t.1).unwrap_or(now) } else { now };
        let list = tl.iter().map(|(st, at, seq)| {
            let what =
                if *st == State::Streaming && *seq > 0 { format!("partial {seq}") } else { st.name().to_string() };
            html! { <li><span class={badge_class(*st)}>{what}</span>{" at "}{fmt_ms(*at)}</li> }
        });
        let parts = if snap.kind == "vla" {
            vla_partials(&session.engine.borrow(), id)
        } else {
            partials
                .borrow()
                .get(&id)
                .map(|v| {
                    v.iter()
                        .map(|(seq, at, text, conf)| PartialRow {
                            seq: *seq,
                            at: *at,
                            text: text.clone(),
                            confidence: *conf,
                            action: None,
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let close = {
            let selected = selected.clone();
            Callback::from(move |_| selected.set(None))
        };
        Some(html! {
            <div class="job-details" data-job={id.to_string()}>
                <header>
                    <strong>{format!("{} #{}", snap.kind, id)}</strong>{" "}
                    <span class={badge_class(snap.state)}>{snap.state.name()}</span>{" "}
                    <span class="job-elapsed">{fmt_ms(snap.elapsed)}</span>
                    <button class="close" onclick={close} aria-label="Close details">{"×"}</button>
                </header>
                { timeline_bar(&tl, end, "timeline") }
                <ol class="timeline-list">{ for list }</ol>
                if !parts.is_empty() {
                    <h4>{"Partials"}</h4>
                    <ol class="partials">
                        { for parts.iter().map(|p| html!{
                            <li data-seq={p.seq.to_string()}>
                                {format!("#{} at {}: {}", p.seq, fmt_ms(p.at), p.text)}
                                { p.confidence.map(|c| format!(" (confidence {:.2})", c)).unwrap_or_default() }
                                if let Some(a) = &p.action { <code class="partial-action">{format!(" u = {a}")}</code> }
                            </li>
                        }) }
                    </ol>
                }
                if let Some(p) = plot { <Plot data={p} title="Concentration–time" /> }
                <h4>{ if snap.kind == "vla" { "Poll map" } else { "Status record" } }</h4>
                <pre class="job-record">{record}</pre>
            </div>
        })
    });

    let inner_h = total as f64 * ROW_PX;
    html! {
        <section class={classes!("jobs-panel", props.compact.then_some("compact"))}>
            <header class="jobs-head">
                <h2>{props.title.clone()}</h2>
                <span class="jobs-count">{format!("{total} jobs, {active} active · job time {}", fmt_ms(now))}</span>
            </header>
            if total == 0 {
                <p class="jobs-empty">{"No jobs yet. Run a program that calls "}<code>{"vla.submit"}</code>{" (in the playground, or an example with “live jobs” on) or send a bridge request."}</p>
            }
            <div ref={list_ref} class="jobs-list" role="list" aria-label="jobs, newest first" style={format!("overflow-y:auto;position:relative;height:{}px", if total == 0 { 0.0 } else { height.min(inner_h.max(ROW_PX)) })}>
                <div class="jobs-inner" style={format!("height:{inner_h}px")}>
                    { for rows.iter().enumerate().map(|(i, r)| row_html(i, r)) }
                </div>
            </div>
            { details.unwrap_or_default() }
        </section>
    }
}

/// A `scroll` listener on `el` (scroll events do not bubble, so they are listened to on the
/// element itself); removed when the returned guard is dropped.
fn scroll_listener(el: &web_sys::Element, f: impl FnMut() + 'static) -> ScrollGuard {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let cb = Closure::<dyn FnMut()>::new(f);
    let _ = el.add_event_listener_with_callback("scroll", cb.as_ref().unchecked_ref());
    ScrollGuard { el: el.clone(), cb }
}

struct ScrollGuard {
    el: web_sys::Element,
    cb: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Drop for ScrollGuard {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = self.el.remove_event_listener_with_callback("scroll", self.cb.as_ref().unchecked_ref());
    }
}
