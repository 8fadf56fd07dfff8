//! Browser tests of the job driver and the job list: a job moves through queued, running,
//! streaming, done in that order as the browser timers fire, and a Cancel click ends an
//! active job cancelled. Each test mounts into a fresh element.
#![cfg(target_arch = "wasm32")]

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use granola::jobs::{State, Step, StepCtx, SubmitOptions, Summary, Work};
use granola::web::driver::JobList;
use granola::web::session::{Session, SessionProvider};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

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

type Slot = Rc<RefCell<Option<Session>>>;

#[derive(Properties)]
struct Props {
    speed: f64,
    slot: Slot,
}

impl PartialEq for Props {
    fn eq(&self, o: &Self) -> bool {
        self.speed == o.speed && Rc::ptr_eq(&self.slot, &o.slot)
    }
}

/// Hands the session out to the test.
#[function_component(Grab)]
fn grab(p: &Props) -> Html {
    let s = use_context::<Session>();
    *p.slot.borrow_mut() = s;
    Html::default()
}

#[function_component(Mount)]
fn mount(p: &Props) -> Html {
    html! {
        <SessionProvider speed={p.speed} tick_ms={20}>
            <Grab speed={p.speed} slot={p.slot.clone()} />
            <div class="under-test"><JobList limit={20} /></div>
        </SessionProvider>
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn mount_jobs(speed: f64) -> (yew::AppHandle<Mount>, Session, web_sys::Element) {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let slot: Slot = Rc::new(RefCell::new(None));
    let h = yew::Renderer::<Mount>::with_root_and_props(root.clone(), Props { speed, slot: slot.clone() }).render();
    let start = now();
    while slot.borrow().is_none() && now() - start < 5000.0 {
        TimeoutFuture::new(10).await;
    }
    let s = slot.borrow().clone().expect("session provided");
    (h, s, root)
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn job_state(root: &web_sys::Element, id: u64) -> Option<String> {
    root.query_selector(&format!("li.job[data-job-id=\"{id}\"]"))
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("data-state"))
}

async fn wait_for(ms: f64, mut cond: impl FnMut() -> bool) -> bool {
    let start = now();
    while now() - start < ms {
        if cond() {
            return true;
        }
        TimeoutFuture::new(5).await;
    }
    cond()
}

#[wasm_bindgen_test]
async fn a_job_is_seen_queued_running_streaming_done_in_order() {
    // 1 job-ms per 20 wall-ms.
    let (_h, s, root) = mount_jobs(0.05).await;
    // Two blockers fill both worker slots, so our job visibly waits in the queue.
    let (id, start) = {
        let mut e = s.engine.borrow_mut();
        e.submit(tiny(0, 2, 4.0), SubmitOptions::default());
        e.submit(tiny(0, 2, 4.0), SubmitOptions::default());
        (e.submit(tiny(1, 2, 8.0), SubmitOptions::default()), e.now())
    };
    granola::web::driver::poke();
    let mut seen: Vec<String> = Vec::new();
    let t0 = now();
    while now() - t0 < 8000.0 {
        if let Some(st) = job_state(&root, id) {
            if seen.last() != Some(&st) {
                seen.push(st.clone());
            }
            if st == "done" {
                break;
            }
        }
        TimeoutFuture::new(3).await;
    }
    assert_eq!(seen, vec!["queued", "running", "streaming", "done"], "states seen by the component");
    // It took job time, driven by the browser timers (not all at once).
    let e = s.engine.borrow();
    let j = e.job(id).unwrap();
    assert!(j.finished_at.unwrap() - start >= 24.0, "finished at {:?}", j.finished_at);
    // The component's timeline lists the transitions in order.
    let tl = root
        .query_selector(&format!("li.job[data-job-id=\"{id}\"] .job-timeline"))
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    let pos = |w: &str| tl.find(w).unwrap_or_else(|| panic!("{w} missing in {tl}"));
    assert!(
        pos("queued") < pos("running") && pos("running") < pos("streaming") && pos("streaming") < pos("done"),
        "{tl}"
    );
}

#[wasm_bindgen_test]
async fn cancel_click_ends_an_active_job_cancelled() {
    let (_h, s, root) = mount_jobs(0.1).await;
    let id = s.engine.borrow_mut().submit(tiny(0, 1000, 5.0), SubmitOptions::default());
    granola::web::driver::poke();
    assert!(
        wait_for(3000.0, || job_state(&root, id).as_deref() == Some("streaming")).await,
        "state: {:?}",
        job_state(&root, id)
    );
    let button = root
        .query_selector(&format!("li.job[data-job-id=\"{id}\"] button.job-cancel"))
        .unwrap()
        .expect("Cancel button while active")
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap();
    button.click();
    assert!(
        wait_for(3000.0, || job_state(&root, id).as_deref() == Some("cancelled")).await,
        "state: {:?}",
        job_state(&root, id)
    );
    assert_eq!(s.engine.borrow().job(id).unwrap().state, State::Cancelled);
    assert!(
        root.query_selector(&format!("li.job[data-job-id=\"{id}\"] button.job-cancel")).unwrap().is_none(),
        "no Cancel button once terminal"
    );
}

#[wasm_bindgen_test]
async fn a_queued_job_cancels_at_once() {
    let (_h, s, root) = mount_jobs(0.01).await;
    let ids: Vec<u64> = {
        let mut e = s.engine.borrow_mut();
        (0..3).map(|_| e.submit(tiny(0, 100, 50.0), SubmitOptions::default())).collect()
    };
    granola::web::driver::poke();
    let third = ids[2];
    assert!(wait_for(2000.0, || job_state(&root, third).as_deref() == Some("queued")).await);
    root.query_selector(&format!("li.job[data-job-id=\"{third}\"] button.job-cancel"))
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    assert!(wait_for(1000.0, || job_state(&root, third).as_deref() == Some("cancelled")).await);
}

#[derive(Properties)]
struct LispProps {
    slot: Slot,
    source: AttrValue,
}

impl PartialEq for LispProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.slot, &o.slot) && self.source == o.source
    }
}

#[function_component(LispMount)]
fn lisp_mount(p: &LispProps) -> Html {
    html! {
        <SessionProvider speed={0.01} tick_ms={20}>
            <Grab speed={0.01} slot={p.slot.clone()} />
            <granola::web::runner::Runner id="lisp-jobs" source={p.source.clone()} autorun={true} />
            <div class="under-test"><JobList limit={20} /></div>
        </SessionProvider>
    }
}

#[wasm_bindgen_test]
async fn a_vla_job_submitted_from_lisp_moves_through_its_states_as_timers_fire() {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let slot: Slot = Rc::new(RefCell::new(None));
    // Two jobs fill the worker slots; the third waits queued, then runs, streams, finishes.
    let source = "(define (req text)\n  (let ((r (map.make)) (s (map.make)))\n    (map.set! s 'dims 2)\n    (map.set! r 'action_space s)\n    (map.set! r 'instruction text)\n    r))\n(vla.submit (req \"a\"))\n(vla.submit (req \"b\"))\n(define third (vla.submit (req \"c\")))\n(map.get (vla.poll third) 'status ':none)\n(time.sleep-ms 10)\n(map.get (vla.poll third) 'status ':none)\n";
    let _h = yew::Renderer::<LispMount>::with_root_and_props(
        root.clone(),
        LispProps { slot: slot.clone(), source: source.into() },
    )
    .render();
    let id = 3;
    let mut seen: Vec<String> = Vec::new();
    let mut samples: Vec<(f64, Option<String>)> = Vec::new();
    let t0 = now();
    while now() - t0 < 15000.0 {
        samples.push((now() - t0, job_state(&root, id)));
        if let Some(st) = job_state(&root, id) {
            if seen.last() != Some(&st) {
                seen.push(st.clone());
            }
            if st == "done" {
                break;
            }
        }
        TimeoutFuture::new(3).await;
    }
    assert_eq!(
        seen.first().map(String::as_str),
        Some("queued"),
        "first seen: {seen:?}; samples {:?}",
        &samples[..samples.len().min(40)]
    );
    assert_eq!(seen.last().map(String::as_str), Some("done"), "last seen: {seen:?}");
    let order = ["queued", "running", "streaming", "done"];
    let idx: Vec<usize> = seen.iter().map(|s| order.iter().position(|o| o == s).expect("known state")).collect();
    assert!(idx.windows(2).all(|w| w[0] < w[1]), "states out of order: {seen:?}");
    assert!(seen.contains(&"streaming".to_string()), "streaming seen: {seen:?}");
    // The component's timeline (from the engine's event log) shows every transition in order.
    let tl = root
        .query_selector(&format!("li.job[data-job-id=\"{id}\"] .job-timeline"))
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    let pos = |w: &str| tl.find(w).unwrap_or_else(|| panic!("{w} missing in {tl}"));
    assert!(
        pos("queued") < pos("running") && pos("running") < pos("streaming") && pos("streaming") < pos("done"),
        "{tl}"
    );
    // The program saw the job queued at once and done after the sleep.
    let runner = document().get_element_by_id("lisp-jobs").unwrap();
    let start = now();
    while runner.get_attribute("data-status").as_deref() != Some("done") && now() - start < 10000.0 {
        TimeoutFuture::new(10).await;
    }
    let out = runner.query_selector(".runner-output").unwrap().unwrap().text_content().unwrap();
    assert!(out.contains(":queued") && out.contains(":done"), "program output: {out}");
    let s = slot.borrow().clone().unwrap();
    assert_eq!(s.engine.borrow().job(id).unwrap().state, State::Done);
}
