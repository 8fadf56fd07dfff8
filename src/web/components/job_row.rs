//! One job in a list ([`job_row`]: kind, id, state badge, elapsed job time, progress, a Cancel
//! button that names the job while it is active; label and confidence (not for jobs that ended
//! cancelled, failed or timed out, whose confidence means nothing); the latest streamed text on
//! up to two lines; a mini timeline), and [`timeline_bar`], a job's states as proportional
//! coloured segments. Plain view functions: they hold no state, so
//! they need no component of their own.

use yew::prelude::*;

use crate::jobs::{JobId, State};
use crate::web::jobs::{segments, JobSnapshot, Transition};
use crate::web::util::fmt_ms;

/// Height of one row in px (the jobs list windows by it).
pub const ROW_PX: f64 = 86.0;

/// The CSS class of a state's badge: `badge badge-streaming`, ...
pub fn badge_class(state: State) -> String {
    format!("badge badge-{}", state.name())
}

/// A job's timeline as proportional segments, one per state; the last one ends at `end` (job
/// time now, or the finish).
pub fn timeline_bar(tl: &[Transition], end: f64, class: &'static str) -> Html {
    let start = tl.first().map(|t| t.at).unwrap_or(end);
    let span = (end - start).max(1e-9);
    html! {
        <div class={class} aria-label="timeline">
            { for segments(tl, end).iter().map(|(st, a, b)| {
                let w = ((b - a) / span * 100.0).max(if st.is_terminal() { 0.0 } else { 1.0 });
                html! { <span class={classes!("tl-seg", format!("tl-{}", st.name()))} style={format!("width:{w:.2}%")}
                    title={format!("{} at {}", st.name(), fmt_ms(*a))}></span> }
            }) }
        </div>
    }
}

/// Where a timeline ends: a finished job's last transition, else `now`.
pub fn timeline_end(state: State, tl: &[Transition], now: f64) -> f64 {
    if state.is_terminal() {
        tl.last().map(|t| t.at).unwrap_or(now)
    } else {
        now
    }
}

/// How to draw one row.
pub struct RowView<'a> {
    pub job: &'a JobSnapshot,
    pub transitions: &'a [Transition],
    /// Engine job time now.
    pub now: f64,
    /// Offset from the top of the list, px.
    pub top: f64,
    pub selected: bool,
    pub on_select: &'a Callback<JobId>,
    pub on_cancel: &'a Callback<JobId>,
}

/// One job of the list (see the module docs).
pub fn job_row(props: RowView) -> Html {
    let r = props.job;
    let id = r.id;
    let cancel = if r.active {
        let on_cancel = props.on_cancel.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on_cancel.emit(id);
        });
        let text = if r.cancel_requested { format!("Cancelling #{id}…") } else { format!("Cancel #{id}") };
        let name = format!("Cancel {} job #{id} ({})", r.kind_name, r.label);
        html! { <button class="job-cancel" data-job={id.to_string()} disabled={r.cancel_requested} {onclick} aria-label={name.clone()} title={name}>{text}</button> }
    } else {
        html! {}
    };
    let progress = match r.progress {
        Some((done, total)) if total > 0 => {
            let pct = (done as f64 / total as f64 * 100.0).clamp(0.0, 100.0);
            html! { <span class="job-progress" title={format!("progress {done}/{total}")} aria-label={format!("progress {done} of {total}")}><span class="job-progress-bar" style={format!("width:{pct:.1}%")}></span></span> }
        }
        _ if r.active => {
            html! { <span class="job-progress job-progress-indeterminate"><span class="job-progress-bar"></span></span> }
        }
        _ => html! {},
    };
    // Labelled, and written as a number rather than a percentage, so it cannot be read as the
    // job's progress (which the bar beside the badge shows).
    // A job that ended cancelled, failed or timed out has no meaningful confidence.
    let ended_badly = matches!(r.state, State::Cancelled | State::Failed | State::TimedOut);
    let conf = r.confidence.filter(|_| !ended_badly).map(|c| html! { <span class="job-conf" title="model confidence (0 to 1), not progress">{format!("conf {c:.2}")}</span> });
    let onclick = {
        let on_select = props.on_select.clone();
        Callback::from(move |_| on_select.emit(id))
    };
    let onkeydown = {
        let on_select = props.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                on_select.emit(id);
            }
        })
    };
    let end = timeline_end(r.state, props.transitions, props.now);
    html! {
        <div key={id.to_string()} class={classes!("job-row", props.selected.then_some("selected"))} role="listitem"
             data-job={id.to_string()} data-state={r.state.name()} tabindex="0"
             title="Open this job's inspector (Enter)"
             style={format!("position:absolute;left:0;right:0;top:{}px;height:{ROW_PX}px", props.top)} {onclick} {onkeydown}>
            <div class="job-line1">
                <span class="job-kind">{r.kind_name}</span>
                <span class="job-id">{format!("#{id}")}</span>
                <span class={badge_class(r.state)}>{r.state.name()}</span>
                <span class="job-elapsed">{fmt_ms(r.elapsed_ms)}</span>
                {progress}
                {cancel}
            </div>
            <div class="job-line2">
                <span class="job-label" title={r.label.clone()}>{r.label.clone()}</span>
                {conf}
            </div>
            <div class="job-text" title={r.text.clone()}>{r.text.clone()}</div>
            { timeline_bar(props.transitions, end, "job-mini-timeline") }
        </div>
    }
}
