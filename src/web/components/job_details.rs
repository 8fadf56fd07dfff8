//! One job in full ([`job_details`]): its timeline (bar and list of transitions), its partials,
//! a plot of a finished simulation, and its record (a VLA job's poll map, a bridge job's status
//! record). A plain view function, drawn by the jobs list.

use yew::prelude::*;

use crate::jobs::{JobId, State};
use crate::web::jobs::{record, vla_partials, JobKind, JobSnapshot, PartialRow, Transition};
use crate::web::session::Session;
use crate::web::util::fmt_ms;

use super::job_row::{badge_class, timeline_bar, timeline_end};
use super::plot::Plot;

/// What the details show.
pub struct DetailsView<'a> {
    pub session: &'a Session,
    pub job: &'a JobSnapshot,
    pub transitions: &'a [Transition],
    pub now: f64,
    /// Partials the page saw for a job that does not keep them itself (bridge jobs).
    pub seen_partials: &'a [PartialRow],
    pub on_close: &'a Callback<()>,
}

/// A job's details (see the module docs).
pub fn job_details(props: DetailsView) -> Html {
    let job = props.job;
    let id: JobId = job.id;
    let rec = record(props.session, id, job.kind);
    let end = timeline_end(job.state, props.transitions, props.now);
    let list = props.transitions.iter().map(|t| {
        let what = if t.state == State::Streaming && t.partial_seq > 0 {
            format!("partial {}", t.partial_seq)
        } else {
            t.state.name().to_string()
        };
        html! { <li><span class={badge_class(t.state)}>{what}</span>{" at "}{fmt_ms(t.at)}</li> }
    });
    let parts = match job.kind {
        JobKind::Vla => props.session.engine.try_borrow().map(|e| vla_partials(&e, id)).unwrap_or_default(),
        _ => props.seen_partials.to_vec(),
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let waiters = crate::web::tree_links::waiters(id);
    html! {
        <div class="job-details" data-job={id.to_string()} role="region" aria-label={format!("Job inspector: {} #{}", job.kind_name, id)}>
            <header>
                <strong>{format!("{} #{}", job.kind_name, id)}</strong>{" "}
                <span class={badge_class(job.state)}>{job.state.name()}</span>{" "}
                <span class="job-elapsed">{fmt_ms(job.elapsed_ms)}</span>
                <button class="close" onclick={close} aria-label="Close details">{"×"}</button>
            </header>
            { timeline_bar(props.transitions, end, "timeline") }
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
            if !waiters.is_empty() {
                <p class="job-waiters">{"Waited on by "}
                    { for waiters.into_iter().map(|(label, show)| html! {
                        <button class="job-waiter link" onclick={show.reform(|_: MouseEvent| ())} title="Show this node in the tree view">{label}</button>
                    }) }
                </p>
            }
            if let Some(p) = rec.plot { <Plot data={p} title="Concentration–time" /> }
            <h4>{ rec.title }</h4>
            <pre class="job-record">{rec.text}</pre>
        </div>
    }
}
