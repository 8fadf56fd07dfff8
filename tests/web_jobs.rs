//! Browser tests of the job driver and the job list (`JobsPanel`): a job is seen queued,
//! running, streaming, done in that order as the browser timers fire, with its timeline; Cancel
//! ends an active job (a queued one at once); a VLA job submitted from Lisp moves through its
//! states; the details show the timeline, partials (a VLA job's from the job itself, even when
//! no list watched it stream) and the poll map; a finished VLA job shows its final and a
//! labelled confidence; 10 000 jobs render only the visible rows. At workshop scale (issue 15
//! item 7): active jobs first, filters by state and kind, "cancel all active", Cancel buttons
//! that name their job, no confidence on cancelled jobs, streamed text not cut short in a
//! sidebar-width panel, and a note when VLA jobs time out waiting past their deadline.
#![cfg(target_arch = "wasm32")]

mod web_support;

use std::any::Any;

use gloo_timers::future::TimeoutFuture;
use granola::jobs::{State, Step, StepCtx, SubmitOptions, Summary, Work};
use granola::vla::VlaWork;
use granola::web::components::job_row::ROW_PX;
use granola::web::components::{JobsPanel, Runner};
use granola::web::session::{Session, SessionProvider};
use granola::web::util::fmt_ms;
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A tiny test work: `quiet` steps without output, then `partials` partial steps, each
/// `every` job-ms apart, then Done. Honours cancellation at every step.
struct Tiny {
    quiet: u32,
    partials: u32,
    every: f64,
    done: u32,
}

impl Work for Tiny {
    fn kind(&self) -> &'static str {
        "tiny"
    }
    fn step(&mut self, ctx: &StepCtx) -> Step {
        if ctx.cancel_requested {
            return Step::Finish(State::Cancelled);
        }
        if self.done == self.quiet + self.partials {
            return Step::Finish(State::Done);
        }
        self.done += 1;
        Step::Continue { after_ms: self.every, partial: self.done > self.quiet }
    }
    fn summary(&self) -> Summary {
        Summary {
            label: "tiny".into(),
            text: format!("step {}", self.done),
            partial_seq: self.done.saturating_sub(self.quiet),
            ..Summary::default()
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn tiny(quiet: u32, partials: u32, every: f64) -> Box<dyn Work> {
    Box::new(Tiny { quiet, partials, every, done: 0 })
}

fn row(id: u64) -> String {
    format!(".job-row[data-job=\"{id}\"]")
}

fn state_of(m: &Mounted, id: u64) -> String {
    m.q(&row(id)).and_then(|e| e.get_attribute("data-state")).unwrap_or_default()
}

/// The states of a row's mini timeline, in order (`tl-queued tl-running ...`).
fn mini_timeline(m: &Mounted, id: u64) -> Vec<String> {
    let list = m.root.query_selector_all(&format!("{} .job-mini-timeline .tl-seg", row(id))).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        .filter_map(|e| {
            e.class_name().split_whitespace().find(|c| c.starts_with("tl-") && *c != "tl-seg").map(str::to_string)
        })
        .collect()
}

/// Samples a row's state every 3 ms until it is `done` (or `ms` pass): the distinct states seen.
async fn states_seen(m: &Mounted, id: u64, ms: f64) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let t0 = now();
    while now() - t0 < ms {
        let st = state_of(m, id);
        if !st.is_empty() && seen.last() != Some(&st) {
            seen.push(st.clone());
        }
        if st == "done" {
            break;
        }
        TimeoutFuture::new(3).await;
    }
    seen
}

const IN_ORDER: [&str; 4] = ["tl-queued", "tl-running", "tl-streaming", "tl-done"];

#[wasm_bindgen_test]
async fn a_job_is_seen_queued_running_streaming_done_in_order() {
    // 1 job-ms per 20 wall-ms.
    let m = mount(0.05, html! { <JobsPanel /> }).await;
    // Two blockers fill both worker slots, so our job visibly waits in the queue.
    let (id, start) = {
        let mut e = m.session.engine.borrow_mut();
        e.submit(tiny(0, 2, 4.0), SubmitOptions::default());
        e.submit(tiny(0, 2, 4.0), SubmitOptions::default());
        (e.submit(tiny(1, 2, 8.0), SubmitOptions::default()), e.now())
    };
    granola::web::driver::poke();
    let seen = states_seen(&m, id, 8000.0).await;
    assert_eq!(seen, vec!["queued", "running", "streaming", "done"], "states seen by the list");
    // It took job time, driven by the browser timers (not all at once).
    let finished = m.session.engine.borrow().job(id).unwrap().finished_at.unwrap();
    assert!(finished - start >= 24.0, "finished at {finished}");
    // The row's timeline (from the engine's event log) shows every state in order.
    assert!(wait_for(2000.0, || mini_timeline(&m, id) == IN_ORDER).await, "{:?}", mini_timeline(&m, id));
    m.unmount();
}

#[wasm_bindgen_test]
async fn cancel_click_ends_an_active_job_cancelled() {
    let m = mount(0.1, html! { <JobsPanel /> }).await;
    let id = m.session.engine.borrow_mut().submit(tiny(0, 1000, 5.0), SubmitOptions::default());
    granola::web::driver::poke();
    assert!(wait_for(3000.0, || state_of(&m, id) == "streaming").await, "state: {}", state_of(&m, id));
    m.click(&format!("{} button.job-cancel", row(id)));
    assert!(wait_for(3000.0, || state_of(&m, id) == "cancelled").await, "state: {}", state_of(&m, id));
    assert_eq!(m.session.engine.borrow().job(id).unwrap().state, State::Cancelled);
    assert!(m.q(&format!("{} button.job-cancel", row(id))).is_none(), "no Cancel button once terminal");
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_queued_job_cancels_at_once() {
    let m = mount(0.01, html! { <JobsPanel /> }).await;
    let ids: Vec<u64> = {
        let mut e = m.session.engine.borrow_mut();
        (0..3).map(|_| e.submit(tiny(0, 100, 50.0), SubmitOptions::default())).collect()
    };
    granola::web::driver::poke();
    let third = ids[2];
    assert!(wait_for(2000.0, || state_of(&m, third) == "queued").await);
    m.click(&format!("{} button.job-cancel", row(third)));
    assert!(wait_for(1000.0, || state_of(&m, third) == "cancelled").await);
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_vla_job_submitted_from_lisp_moves_through_its_states_as_timers_fire() {
    // Two jobs fill the worker slots; the third waits queued, then runs, streams, finishes.
    let source = "(define (req text)\n  (let ((r (map.make)) (s (map.make)))\n    (map.set! s 'dims 2)\n    (map.set! r 'action_space s)\n    (map.set! r 'instruction text)\n    r))\n(vla.submit (req \"a\"))\n(vla.submit (req \"b\"))\n(define third (vla.submit (req \"c\")))\n(map.get (vla.poll third) 'status ':none)\n(time.sleep-ms 10)\n(map.get (vla.poll third) 'status ':none)\n";
    let m = mount(0.01, html! { <><Runner id="lisp-jobs" source={source} autorun={true} /><JobsPanel /></> }).await;
    let id = 3;
    let seen = states_seen(&m, id, 15000.0).await;
    assert_eq!(seen.first().map(String::as_str), Some("queued"), "first seen: {seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("done"), "last seen: {seen:?}");
    let order = ["queued", "running", "streaming", "done"];
    let idx: Vec<usize> = seen.iter().map(|s| order.iter().position(|o| o == s).expect("known state")).collect();
    assert!(idx.windows(2).all(|w| w[0] < w[1]), "states out of order: {seen:?}");
    assert!(seen.contains(&"streaming".to_string()), "streaming seen: {seen:?}");
    assert!(wait_for(2000.0, || mini_timeline(&m, id) == IN_ORDER).await, "{:?}", mini_timeline(&m, id));
    // The program saw the job queued at once and done after the sleep.
    assert!(wait_for(10000.0, || m.q("#lisp-jobs[data-status=\"done\"]").is_some()).await);
    let out = m.text("#lisp-jobs .runner-output");
    assert!(out.contains(":queued") && out.contains(":done"), "program output: {out}");
    assert_eq!(m.session.engine.borrow().job(id).unwrap().state, State::Done);
    m.unmount();
}

#[wasm_bindgen_test]
async fn cancel_from_the_list_then_the_details_show_the_timeline_and_poll_map() {
    // Slow clock: 1 job-ms per 200 wall-ms, so the job is still active when clicked.
    let m = mount(0.005, html! { <JobsPanel /> }).await;
    let id = submit_vla(&m.session);
    assert!(wait_for(3000.0, || m.q(&format!("{} .job-cancel", row(id))).is_some()).await, "Cancel shown while active");
    m.click(&format!("{} .job-cancel", row(id)));
    assert!(wait_for(8000.0, || state_of(&m, id) == "cancelled").await, "state: {}", state_of(&m, id));
    assert!(m.q(&format!("{} .job-cancel", row(id))).is_none(), "no Cancel once terminal");
    m.click(&row(id));
    assert!(wait_for(2000.0, || m.q(".job-details .timeline-list").is_some()).await);
    let tl = m.text(".job-details .timeline-list");
    assert!(tl.contains("queued") && tl.contains("cancelled"), "timeline: {tl}");
    // A job cancelled after its pick-up has a partial, so "Partials" may come first.
    assert!(m.text(".job-details").contains("Poll map"), "a VLA job's record is its poll map");
    assert!(m.text(".job-details .job-record").contains("status"), "poll map shown");
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_finished_vla_job_shows_its_final_and_a_labelled_confidence() {
    let m = mount(1.0, html! { <JobsPanel /> }).await;
    let id = submit_vla(&m.session);
    assert!(wait_for(8000.0, || state_of(&m, id) == "done").await, "state: {}", state_of(&m, id));
    TimeoutFuture::new(100).await;
    let text = m.text(&format!("{} .job-text", row(id)));
    assert_eq!(text, "rt2-style stub output", "the final's explanation, not the last partial");
    let conf = m.text(&format!("{} .job-conf", row(id)));
    assert_eq!(conf, "conf 0.75", "confidence labelled, not a bare percentage");
    assert!(!m.text(&row(id)).contains('%'), "no percentage that reads as progress: {}", m.text(&row(id)));
    let bar = m.q(&format!("{} .job-progress", row(id))).expect("progress bar");
    assert_eq!(bar.get_attribute("title").as_deref(), Some("progress 3/3"));
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_list_mounted_after_a_job_streamed_lists_all_its_partials() {
    // The job streams to done while no list exists (and no driver runs: the test moves job time).
    let session = Session::new(1.0);
    let id = {
        let mut e = session.engine.borrow_mut();
        let id = granola::vla::submit(&mut e, &vla_request()).expect("vla.submit");
        for t in 0..=6 {
            e.advance(f64::from(t));
        }
        assert_eq!(e.job(id).map(|j| j.state), Some(State::Done));
        id
    };
    let records = {
        let e = session.engine.borrow();
        e.job(id).and_then(|j| j.work::<VlaWork>()).map(|w| w.partials().to_vec()).unwrap_or_default()
    };
    assert_eq!(records.len(), 3, "the job kept its three partials");
    let times: Vec<String> = records.iter().map(|r| fmt_ms(r.at_ms)).collect();
    assert_eq!(times, vec!["0 ms", "1 ms", "2 ms"]);

    // Now a list is mounted; open the job's details.
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<ListOnly>::with_root_and_props(root.clone(), ListOnlyProps { session }).render();
    let q = |sel: &str| root.query_selector(sel).ok().flatten();
    let text = |sel: &str| q(sel).and_then(|e| e.text_content()).unwrap_or_default();
    assert!(wait_for(3000.0, || q(&row(id)).is_some()).await, "row shown");
    let el: web_sys::HtmlElement = wasm_bindgen::JsCast::dyn_into(q(&row(id)).unwrap()).unwrap();
    el.click();
    let items = || root.query_selector_all(".job-details ol.partials li").map(|l| l.length()).unwrap_or(0);
    assert!(wait_for(3000.0, || items() == 3).await, "details list {} partials", items());
    let list = text(".job-details ol.partials");
    for (r, t) in records.iter().zip(&times) {
        let line = format!("#{} at {}: {}", r.partial.sequence, t, r.partial.text_chunk);
        assert!(list.contains(&line), "missing {line:?} in {list:?}");
    }
    assert!(
        list.contains("encode observation")
            && list.contains("decode action prior")
            && list.contains("finalize structured action"),
        "{list}"
    );
    assert!(list.contains("confidence 0.20") && list.contains("confidence 0.75"), "{list}");
    assert!(list.contains("u = ("), "action candidates shown: {list}");
    // The poll map's partial is still the latest one.
    let record = text(".job-details .job-record");
    assert!(record.contains("finalize structured action") || record.contains("sequence 3"), "{record}");
    handle.destroy();
    root.remove();
}

#[derive(Properties, PartialEq)]
struct ListOnlyProps {
    session: Session,
}

/// Only a job list, on the given session, with no job driver.
#[function_component(ListOnly)]
fn list_only(p: &ListOnlyProps) -> Html {
    html! {
        <SessionProvider session={Some(p.session.clone())} tick_ms={0}>
            <JobsPanel />
        </SessionProvider>
    }
}

#[wasm_bindgen_test]
async fn ten_thousand_jobs_render_only_the_visible_rows() {
    let m = mount(1.0, html! { <JobsPanel height={400} /> }).await;
    {
        let mut e = m.session.engine.borrow_mut();
        for _ in 0..10_000 {
            granola::vla::submit(&mut e, &vla_request()).expect("vla.submit");
        }
    }
    assert!(wait_for(5000.0, || m.q(&row(10_000)).is_some()).await, "newest first");
    let rows = m.count(".job-row");
    assert!(rows <= 20, "only visible rows are in the DOM: {rows}");
    let list = m.q(".jobs-list").unwrap();
    list.set_scroll_top(5000 * ROW_PX as i32);
    list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
    let ok = wait_for(3000.0, || m.q(&row(5000)).is_some()).await;
    assert!(
        ok,
        "scrolling windows the rows: scrollTop {} clientHeight {} first row {:?}",
        list.scroll_top(),
        list.client_height(),
        m.q(".job-row").and_then(|e| e.get_attribute("data-job"))
    );
    for i in 0..20 {
        list.set_scroll_top(i * 300 * ROW_PX as i32);
        list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
        TimeoutFuture::new(0).await;
    }
    assert!(m.count(".job-row") <= 20);
    m.unmount();
}

fn select(m: &Mounted, sel: &str, index: u32) {
    let el = m.q(sel).unwrap_or_else(|| panic!("no {sel}"));
    js(
        "el, i",
        "el.selectedIndex = i; el.dispatchEvent(new Event('change', {bubbles: true}));",
        &el,
        &wasm_bindgen::JsValue::from(index),
    );
}

fn row_ids(m: &Mounted) -> Vec<u64> {
    let list = m.root.query_selector_all(".job-row").unwrap();
    let mut rows: Vec<(f64, u64)> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        .map(|e| {
            (e.get_bounding_client_rect().top(), e.get_attribute("data-job").unwrap_or_default().parse().unwrap_or(0))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|r| r.1).collect()
}

#[wasm_bindgen_test]
async fn active_jobs_come_first_and_filters_and_cancel_all_work() {
    // No driver ticks move these jobs except the engine's own clock; the slow clock keeps the
    // long jobs active.
    let m = mount(0.005, html! { <JobsPanel height={600} /> }).await;
    let (done_id, active_ids) = {
        let mut e = m.session.engine.borrow_mut();
        let done = e.submit(tiny(0, 0, 0.001), SubmitOptions::default());
        let now = e.now();
        e.advance(now + 0.01);
        let a = e.submit(tiny(0, 100, 2.0), SubmitOptions::default());
        let b = e.submit(tiny(0, 100, 2.0), SubmitOptions::default());
        (done, vec![a, b])
    };
    let vla = submit_vla(&m.session);
    granola::web::driver::poke();
    assert!(wait_for(3000.0, || m.count(".job-row") == 4).await, "{} rows", m.count(".job-row"));
    assert!(wait_for(3000.0, || state_of(&m, done_id) == "done").await, "{}", state_of(&m, done_id));
    let order = row_ids(&m);
    assert_eq!(order.last(), Some(&done_id), "the finished job comes after the active ones: {order:?}");
    // Every Cancel button names its job.
    let b = m.q(&format!("{} .job-cancel", row(active_ids[0]))).unwrap();
    assert_eq!(b.text_content().unwrap(), format!("Cancel #{}", active_ids[0]));
    assert!(b.get_attribute("aria-label").unwrap().contains(&format!("tiny job #{}", active_ids[0])));
    // Filter: done only.
    select(&m, ".jobs-filter-state", 2);
    assert!(wait_for(2000.0, || row_ids(&m) == vec![done_id]).await, "{:?}", row_ids(&m));
    // Filter: every state, VLA only.
    select(&m, ".jobs-filter-state", 0);
    select(&m, ".jobs-filter-kind", 1);
    assert!(wait_for(2000.0, || row_ids(&m) == vec![vla]).await, "{:?}", row_ids(&m));
    select(&m, ".jobs-filter-kind", 0);
    // Cancel all active.
    assert!(wait_for(2000.0, || m.text(".jobs-cancel-all").contains("(3)")).await, "{}", m.text(".jobs-cancel-all"));
    m.click(".jobs-cancel-all");
    assert!(
        wait_for(8000.0, || active_ids.iter().chain([&vla]).all(|id| state_of(&m, *id) == "cancelled")).await,
        "{:?}",
        active_ids.iter().chain([&vla]).map(|id| state_of(&m, *id)).collect::<Vec<_>>()
    );
    assert!(m.q(".jobs-cancel-all[disabled]").is_some(), "nothing left to cancel");
    // A cancelled VLA job shows no confidence.
    assert!(m.q(&format!("{} .job-conf", row(vla))).is_none(), "no conf on a cancelled job: {}", m.text(&row(vla)));
    m.unmount();
}

#[wasm_bindgen_test]
async fn streamed_text_is_whole_in_a_sidebar_width_panel() {
    let m = mount(1.0, html! { <div style="width:22rem"><JobsPanel compact={true} /></div> }).await;
    let id = {
        let mut e = m.session.engine.borrow_mut();
        let mut req = vla_request();
        if let granola::lang::Datum::Map(entries) = &mut req {
            for (k, v) in entries.iter_mut() {
                if *k == granola::lang::Datum::sym("instruction") {
                    *v = granola::lang::Datum::str("pick up the red cup from the left side of the table");
                }
            }
        }
        granola::vla::submit(&mut e, &req).expect("vla.submit")
    };
    assert!(wait_for(8000.0, || state_of(&m, id) == "done").await);
    TimeoutFuture::new(100).await;
    let text = m.q(&format!("{} .job-text", row(id))).unwrap();
    assert_eq!(text.text_content().unwrap(), "rt2-style stub output");
    assert!(
        text.scroll_width() <= text.client_width() + 1 && text.scroll_height() <= text.client_height() + 1,
        "not cut: scroll {}x{} client {}x{}",
        text.scroll_width(),
        text.scroll_height(),
        text.client_width(),
        text.client_height()
    );
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_note_explains_vla_jobs_that_timed_out_in_the_queue() {
    let m = mount(5.0, html! { <JobsPanel compact={true} /> }).await;
    {
        let mut e = m.session.engine.borrow_mut();
        // Two worker slots, 3 job-ms per job: 200 jobs cannot all finish in 200 job-ms.
        for _ in 0..200 {
            granola::vla::submit(&mut e, &vla_request()).expect("vla.submit");
        }
    }
    assert!(wait_for(15000.0, || m.q(".jobs-note").is_some()).await, "a note appears");
    let note = m.text(".jobs-note");
    assert!(note.contains("timed out") && note.contains("200 job-ms") && note.contains("deadline_ms"), "{note}");
    m.unmount();
}
