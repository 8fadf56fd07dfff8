//! `JobsPanel`: the one job list. Every job of the session (VLA and bridge), newest first, one
//! [`job_row`] each, with Cancel exactly while a job is active; clicking a job opens its
//! [`job_details`]. Only the rows in view are rendered (fixed row height, windowed by the scroll
//! position), so a session with 10 000 jobs scrolls smoothly.
//!
//! A VLA job keeps every partial itself; bridge work keeps only its latest progress message, so
//! the panel records a bridge job's partials as it sees them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::jobs::JobId;
use crate::web::jobs::{window, JobKind, PartialRow, TimelineCache};
use crate::web::session::{SessionAction, SessionHandle};
use crate::web::util::{ensure_styles, fmt_ms, Listener};

use super::job_details::{job_details, DetailsView};
use super::job_row::{job_row, RowView, ROW_PX};

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

type PartialLog = Rc<RefCell<HashMap<JobId, Vec<PartialRow>>>>;

/// The jobs panel (see the module docs).
#[function_component(JobsPanel)]
pub fn jobs_panel(props: &JobsPanelProps) -> Html {
    ensure_styles();
    let state = use_context::<SessionHandle>();
    let scroll_top = use_state(|| 0.0f64);
    let selected = use_state(|| None::<JobId>);
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
        use_effect_with(focus, move |f| {
            if let (Some((id, _)), Some(engine)) = (*f, engine) {
                selected.set(Some(id));
                // Newest first: scroll the list to the job's row.
                let pos = engine.try_borrow().ok().map(|e| crate::web::jobs::position_newest_first(&e, id));
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
    let view = match session.engine.try_borrow() {
        Ok(engine) => {
            timelines.borrow_mut().update(&engine);
            window(&engine, first, n)
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

    let inner_h = total as f64 * ROW_PX;
    let list_h = if total == 0 { 0.0 } else { height.min(inner_h.max(ROW_PX)) };
    html! {
        <section class={classes!("jobs-panel", props.compact.then_some("compact"))}>
            <header class="jobs-head">
                <h2>{props.title.clone()}</h2>
                <span class="jobs-count">{format!("{total} jobs, {} active · job time {}", view.active, fmt_ms(now))}</span>
            </header>
            if total == 0 {
                <p class="jobs-empty">{"No jobs yet. Run a program that calls "}<code>{"vla.submit"}</code>{" (in the playground, or an example with “live jobs” on) or send a bridge request."}</p>
            }
            <div ref={list_ref} class="jobs-list" role="list" aria-label="jobs, newest first" style={format!("overflow-y:auto;position:relative;height:{list_h}px")}>
                <div class="jobs-inner" style={format!("height:{inner_h}px")}>
                    { for rows }
                </div>
            </div>
            { details.unwrap_or_default() }
        </section>
    }
}
