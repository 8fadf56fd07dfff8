//! `#/`: what Granola is, an example that runs on load, and a job example with the job list.
//! Both examples are the same editable, runnable [`Example`]s as on the reference pages
//! (Copy, Format, "open in playground", Reset; edits are kept).

use yew::prelude::*;

use crate::web::components::{Example, JobsPanel};
use crate::web::gallery::{HOME_EXAMPLE, JOB_EXAMPLE};

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
                <JobsPanel compact={true} height={260} title="Jobs of this session" />
            </section>
        </>
    }
}
