//! `#/`: what Granola is, an example that runs on load, and a job example with the job list.
//! Both examples are the same editable, runnable [`Example`]s as on the reference pages
//! (Copy, Format, "open in playground", Reset; edits are kept).
//!
//! The home page is the first load, so its job list ([`LazyJobsPanel`]) is drawn by the module
//! loaded on demand (`web::lazy::EXTRA`), fetched when the session has its first job; until then
//! it is the empty list.

use yew::prelude::*;

use crate::web::components::jobs_panel::JobsPanelProps;
use crate::web::components::Example;
use crate::web::gallery::{HOME_EXAMPLE, JOB_EXAMPLE};
use crate::web::lazy::EXTRA;
use crate::web::session::SessionHandle;

/// The home page.
pub fn page() -> Html {
    html! {
        <>
            <section class="hero">
                <h1>{ "muslisp, live in your browser" }</h1>
                <p class="lede">
                    { "Granola is a playground and runnable reference for " }<strong>{ "muslisp" }</strong>
                    { ", a small Lisp whose programs submit asynchronous jobs — VLA model calls and simulation runs — poll them while they stream, and cancel them. Everything runs here, in WebAssembly." }
                </p>
                <p class="cta">
                    <a class="button primary" href="#/playground">{ "Open the playground" }</a>
                    <a class="button" href="#/tour">{ "Take the tour" }</a>
                    <a class="button" href="#/reference">{ "Read the reference" }</a>
                </p>
            </section>
            <section class="card">
                <h2>{ "This ran when the page loaded" }</h2>
                <Example id="home-runner" code={HOME_EXAMPLE} autorun={true} heading="runs on load" live={Some(false)} />
            </section>
            <section class="card">
                <h2>{ "Submit a job and watch it" }</h2>
                <p class="muted">{ "The job clock in the header sets how fast job time runs; by default one job-millisecond takes 200 ms, so you can watch the job go queued → streaming → done in the list below." }</p>
                <Example id="job-runner" code={JOB_EXAMPLE} heading="submit a job" live={Some(true)} />
                <LazyJobsPanel compact={true} height={260} title="Jobs of this session" />
            </section>
        </>
    }
}

/// The job list, loaded with the module loaded on demand once the session has a job (at once
/// when that module is already in, and in builds without the split).
#[function_component(LazyJobsPanel)]
pub fn lazy_jobs_panel(props: &JobsPanelProps) -> Html {
    let state = use_context::<SessionHandle>();
    let loaded = use_state(|| EXTRA.get().is_some());
    let jobs = state.as_ref().and_then(|s| s.session.engine.try_borrow().ok().map(|e| e.jobs().count())).unwrap_or(0);
    {
        let loaded = loaded.clone();
        use_effect_with(jobs > 0, move |&has_jobs| {
            if has_jobs && !*loaded {
                wasm_bindgen_futures::spawn_local(async move {
                    if EXTRA.load().await.is_ok() {
                        loaded.set(true);
                    }
                });
            }
        });
    }
    if let (true, Some(api)) = (*loaded, EXTRA.get()) {
        return (api.pages.jobs_panel)(props);
    }
    html! {
        <section class={classes!("jobs-panel", props.compact.then_some("compact"))}>
            <header class="jobs-head">
                <h2>{props.title.clone()}</h2>
                <span class="jobs-count">{ if jobs == 0 { "0 jobs".to_string() } else { format!("{jobs} jobs · loading the job list…") } }</span>
            </header>
            if jobs == 0 {
                <p class="jobs-empty">{"No jobs yet. Run a program that calls "}<code>{"vla.submit"}</code>{" (in the playground, or an example with “live jobs” on) or send a bridge request."}</p>
            }
        </section>
    }
}
