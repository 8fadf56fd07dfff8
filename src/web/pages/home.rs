//! `#/`: what Granola is, an example that runs on load, and a job example with the job list.

use yew::prelude::*;

use crate::web::components::{JobsPanel, Runner};
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
                <Runner id="home-runner" source={HOME_EXAMPLE} autorun={true} />
            </section>
            <section class="card">
                <h2>{ "Submit a job and watch it" }</h2>
                <p class="muted">{ "The job clock in the header sets how fast job time runs; by default one job-millisecond takes 200 ms, so you can watch the job go queued → running → streaming → done." }</p>
                <Runner id="job-runner" source={JOB_EXAMPLE} />
                <JobsPanel compact={true} height={260} title="Jobs of this session" />
            </section>
        </>
    }
}
