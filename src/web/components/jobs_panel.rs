//! `JobsPanel`: the one job list. Every job of the session (VLA and bridge), active jobs first
//! and newest first within each part, one [`job_row`] each, with a Cancel button that names its
//! job exactly while it is active; clicking a job (or Enter on it) opens its [`job_details`],
//! the job inspector. Filters by state and by kind, and "cancel all active" (the jobs the
//! filters show), make it usable with a room full of jobs; a note explains VLA jobs that timed
//! out because they waited past their deadline. Only the rows in view are rendered (fixed row
//! height, windowed by the scroll position), so a session with 10 000 jobs scrolls smoothly.
//!
//! A VLA job keeps every partial itself; bridge work keeps only its latest progress message, so
//! the panel records a bridge job's partials as it sees them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::jobs::JobId;
use crate::web::jobs::{
    active_ids, vla_timeouts, window_filtered, JobFilter, JobKind, PartialRow, StateFilter, TimelineCache,
};
use crate::web::session::{SessionAction, SessionHandle};
use crate::web::util::{ensure_styles, fmt_ms, Listener};

use super::job_details::{job_details, DetailsView};
use super::job_row::{job_row, RowView, ROW_PX};

#[derive(Properties, PartialEq, Clone)]
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

type PartialLog = Rc<RefCell<HashMap<JobId, Vec<PartialRow>>>>;

/// The jobs panel (see the module docs).
#[function_component(JobsPanel)]
pub fn jobs_panel(props: &JobsPanelProps) -> Html {
    ensure_styles();
    let state = use_context::<SessionHandle>();
    let scroll_top = use_state(|| 0.0f64);
    let selected = use_state(|| None::<JobId>);
    let filter = use_state(JobFilter::default);
    let partials: PartialLog = use_mut_ref(HashMap::new);
    let timelines: Rc<RefCell<TimelineCache>> = use_mut_ref(TimelineCache::default);
    let list_ref = use_node_ref();
    {
        let list_ref = list_ref.clone();
        let scroll_top = scroll_top.clone();
        use_effect_with((), move |_| {
            let listener = list_ref.cast::<web_sys::Element>().map(|el| {
                let target = el.clone();
                Listener::new(&el, "scroll", move |_| scroll_top.set(target.scroll_top() as f64))
            });
            move || drop(listener)
        });
    }
    // Another view asked to show a job (the tree view's "Show in jobs panel").
    {
        let selected = selected.clone();
        let list_ref = list_ref.clone();
        let focus = state.as_ref().and_then(|s| s.focus);
        let engine = state.as_ref().map(|s| s.session.engine.clone());
        let filter = filter.clone();
        use_effect_with(focus, move |f| {
            if let (Some((id, _)), Some(engine)) = (*f, engine) {
                selected.set(Some(id));
                // Scroll the list to the job's row; show every job if the filter hides it.
                let mut pos = engine.try_borrow().ok().map(|e| crate::web::jobs::position_filtered(&e, *filter, id));
                if pos == Some(None) {
                    filter.set(JobFilter::default());
                    pos = engine
                        .try_borrow()
                        .ok()
                        .map(|e| crate::web::jobs::position_filtered(&e, JobFilter::default(), id));
                }
                if let (Some(Some(pos)), Some(el)) = (pos, list_ref.cast::<web_sys::Element>()) {
                    el.set_scroll_top((pos as f64 * ROW_PX) as i32);
                }
                if let Some(el) = list_ref.cast::<web_sys::Element>() {
                    el.scroll_into_view();
                }
            }
        });
    }
    let Some(state) = state else {
        return html! { <section class="jobs-panel"><p>{"No session."}</p></section> };
    };
    let session = state.session.clone();

    let height = props.height as f64;
    let first = ((*scroll_top / ROW_PX).floor().max(0.0)) as usize;
    let n = (height / ROW_PX).ceil() as usize + 2;
    let (view, shown, timeouts) = match session.engine.try_borrow() {
        Ok(engine) => {
            timelines.borrow_mut().update(&engine);
            let (view, shown) = window_filtered(&engine, *filter, first, n);
            (view, shown, vla_timeouts(&engine))
        }
        Err(_) => return html! { <section class="jobs-panel"><p>{"Busy."}</p></section> },
    };
    let (now, total) = (view.now, view.total);

    // Record partials of visible bridge jobs as they arrive.
    {
        let mut log = partials.borrow_mut();
        for r in view.rows.iter().filter(|r| r.kind != JobKind::Vla) {
            // A finished job's summary text is its final explanation, not a partial.
            if r.partials > 0 && !r.state.is_terminal() {
                let e = log.entry(r.id).or_default();
                if e.last().map(|p| p.seq) != Some(r.partials) {
                    e.push(PartialRow {
                        seq: r.partials,
                        at: now,
                        text: r.text.clone(),
                        confidence: r.confidence,
                        action: None,
                    });
                }
            }
        }
    }

    let on_cancel = {
        let state = state.clone();
        Callback::from(move |id: JobId| state.dispatch(SessionAction::Cancel(id)))
    };
    let cancellable = session.engine.try_borrow().map(|e| active_ids(&e, *filter)).unwrap_or_default();
    let on_cancel_all = {
        let state = state.clone();
        let ids = cancellable.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(SessionAction::CancelMany(ids.clone())))
    };
    let on_state_filter = {
        let filter = filter.clone();
        let list_ref = list_ref.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            let i = sel.selected_index().max(0) as usize;
            if let Some((st, _)) = StateFilter::CHOICES.get(i) {
                filter.set(JobFilter { state: *st, ..*filter });
                if let Some(el) = list_ref.cast::<web_sys::Element>() {
                    el.set_scroll_top(0);
                }
            }
        })
    };
    let on_kind_filter = {
        let filter = filter.clone();
        let list_ref = list_ref.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            let kind = match sel.value().as_str() {
                "vla" => Some(JobKind::Vla),
                "bridge" => Some(JobKind::Bridge),
                _ => None,
            };
            filter.set(JobFilter { kind, ..*filter });
            if let Some(el) = list_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(0);
            }
        })
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |id: JobId| selected.set(Some(id)))
    };
    let rows = view.rows.iter().enumerate().map(|(i, r)| {
        job_row(RowView {
            job: r,
            transitions: timelines.borrow().of(r.id),
            now,
            top: (first + i) as f64 * ROW_PX,
            selected: *selected == Some(r.id),
            on_select: &on_select,
            on_cancel: &on_cancel,
        })
    });

    let details = (*selected).and_then(|id| {
        let job = session.engine.try_borrow().ok()?.job(id).map(|j| crate::web::jobs::JobSnapshot::of(j, now))?;
        let on_close = {
            let selected = selected.clone();
            Callback::from(move |_| selected.set(None))
        };
        let seen = partials.borrow().get(&id).cloned().unwrap_or_default();
        Some(job_details(DetailsView {
            session: &session,
            job: &job,
            transitions: timelines.borrow().of(id),
            now,
            seen_partials: &seen,
            on_close: &on_close,
        }))
    });

    let inner_h = shown as f64 * ROW_PX;
    let list_h = if shown == 0 { 0.0 } else { height.min(inner_h.max(ROW_PX)) };
    let filtered = *filter != JobFilter::default();
    let kind_value = match filter.kind {
        Some(JobKind::Vla) => "vla",
        Some(JobKind::Bridge) => "bridge",
        _ => "",
    };
    html! {
        <section class={classes!("jobs-panel", props.compact.then_some("compact"))}>
            <header class="jobs-head">
                <h2>{props.title.clone()}</h2>
                <span class="jobs-count">{format!("{total} jobs, {} active · job time {}", view.active, fmt_ms(now))}</span>
            </header>
            if total > 0 {
                <div class="jobs-tools">
                    <label class="jobs-filter">{"Show "}
                        <select class="jobs-filter-state" onchange={on_state_filter} aria-label="Show jobs in state">
                            { for StateFilter::CHOICES.iter().map(|(st, label)| html! {
                                <option selected={*st == filter.state}>{*label}</option>
                            }) }
                        </select>
                    </label>
                    <label class="jobs-filter">{"of "}
                        <select class="jobs-filter-kind" onchange={on_kind_filter} aria-label="Show jobs of kind">
                            <option value="" selected={kind_value.is_empty()}>{"every kind"}</option>
                            <option value="vla" selected={kind_value == "vla"}>{"VLA"}</option>
                            <option value="bridge" selected={kind_value == "bridge"}>{"bridge"}</option>
                        </select>
                    </label>
                    <button class="jobs-cancel-all" onclick={on_cancel_all} disabled={cancellable.is_empty()}
                        title={if filtered { "Cancel every active job the filters show" } else { "Cancel every active job" }}>
                        {format!("Cancel all active ({})", cancellable.len())}
                    </button>
                </div>
            }
            if timeouts.0 > 0 {
                <p class="jobs-note" role="note">
                    {format!("{} VLA job{} timed out. ", timeouts.0, if timeouts.0 == 1 { "" } else { "s" })}
                    {format!("A VLA job must finish within its deadline, {} job-ms after it is submitted unless the request sets ", timeouts.1.unwrap_or(200))}
                    <code>{"deadline_ms"}</code>
                    {"; the time it waits in the queue counts. The engine runs two jobs at a time, so a large batch waits past the deadline: submit fewer at once, or set a larger deadline_ms."}
                </p>
            }
            if total == 0 {
                <p class="jobs-empty">{"No jobs yet. Run a program that calls "}<code>{"vla.submit"}</code>{" (in the playground, or an example with “live jobs” on) or send a bridge request."}</p>
            } else if shown == 0 {
                <p class="jobs-empty">{"No job matches the filters."}</p>
            } else {
                <p class="jobs-hint muted">{"Click a job (or press Enter on it) to open its inspector: timeline, partial results, record."}</p>
            }
            <div ref={list_ref} class="jobs-list" role="list" aria-label="jobs, active first, then newest first" style={format!("overflow-y:auto;position:relative;height:{list_h}px")}>
                <div class="jobs-inner" style={format!("height:{inner_h}px")}>
                    { for rows }
                </div>
            </div>
            { details.unwrap_or_default() }
        </section>
    }
}
