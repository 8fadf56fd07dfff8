//! Sessions and runs. A [`Session`] is one evaluator and one job engine: a shared session
//! serves every snippet under one `data-granola-session="shared"` element (definitions carry
//! over, as in a notebook), an isolated one serves a single snippet and starts afresh on every
//! run (like `granola FILE`: job ids from 1, the reference pages' exact output).
//!
//! [`run`] drives the language's one run loop ([`RunLoop`]) in fuel slices on the main thread,
//! yielding to the browser every [`FRAME_MS`] so the host page never freezes; Stop is checked
//! before every slice; a step budget ends a runaway program. Job time moves only while the
//! program sleeps (`time.sleep-ms`), at the page's pace ([`model::sleep_rate`]), and is
//! exactly the wake-up time when it resumes, so the output is what `granola FILE` prints while
//! the job list shows the jobs streaming. After a run, jobs still active go on at the page's
//! speed ([`drive`]) and can be cancelled from the list.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::future::TimeoutFuture;

use crate::bt::lisp::BtExt;
use crate::jobs::{Engine, JobId};
use crate::lang::{Driven, Host, Interp, Limits, RunLoop};
use crate::runtime::browser::FramePacer;

use super::evaluator::{self, Evaluator};
use super::model::{self, Mode, RunLog};
use super::snippet::Snippet;
use super::tree;

/// Steps per slice.
pub const SLICE_FUEL: u64 = 20_000;
pub use crate::runtime::browser::{wall_now, FRAME_MS};
/// Jobs, trees and the status line are repainted at most this often while a snippet runs.
pub const PAINT_MS: f64 = 60.0;

thread_local! {
    static EVALUATOR: Cell<Evaluator> = const { Cell::new(Evaluator::SMALL) };
}

/// Set by the build's entry point before the first scan (the small build's by default).
pub fn set_evaluator(e: Evaluator) {
    EVALUATOR.with(|c| c.set(e));
}

/// The evaluator this build runs snippets on.
pub fn evaluator() -> Evaluator {
    EVALUATOR.with(Cell::get)
}

/// One evaluator and one job engine (see the module docs).
pub struct Session {
    pub mode: Mode,
    /// Job-ms per wall-ms.
    pub speed: f64,
    pub budget: u64,
    engine: RefCell<Rc<RefCell<Engine>>>,
    interp: RefCell<Option<Interp>>,
    /// A run holds the session (its interpreter is taken out meanwhile).
    busy: Cell<bool>,
    driving: Cell<bool>,
    members: RefCell<Vec<Weak<Snippet>>>,
}

impl Session {
    pub fn new(mode: Mode, speed: f64, budget: u64) -> Rc<Session> {
        Rc::new(Session {
            mode,
            speed,
            budget,
            engine: RefCell::new(Rc::new(RefCell::new(Engine::default()))),
            interp: RefCell::new(None),
            busy: Cell::new(false),
            driving: Cell::new(false),
            members: RefCell::new(Vec::new()),
        })
    }

    pub fn join(&self, s: &Rc<Snippet>) {
        self.members.borrow_mut().push(Rc::downgrade(s));
    }

    pub fn engine(&self) -> Rc<RefCell<Engine>> {
        self.engine.borrow().clone()
    }

    pub fn is_busy(&self) -> bool {
        self.busy.get()
    }

    /// Cancel a job (queued jobs end at once, running ones at their next step) and let the
    /// job time go on so the running ones get there.
    pub fn cancel(self: &Rc<Self>, id: JobId) {
        if let Ok(mut e) = self.engine().try_borrow_mut() {
            e.cancel(id);
        }
        self.repaint_jobs();
        drive(self.clone());
    }

    fn repaint_jobs(&self) {
        let engine = self.engine();
        let Ok(e) = engine.try_borrow() else { return };
        for m in self.members.borrow().iter().filter_map(Weak::upgrade) {
            m.paint_jobs(&e);
        }
    }
}

struct Buf(String);

impl Host for Buf {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// What a snippet's view is told during a run.
pub enum Piece<'a> {
    Out(&'a str),
    Value(&'a str),
    Error { text: &'a str, line: Option<u32>, col: Option<u32> },
    Note(&'a str),
}

/// Run the snippet's current source on its session (see the module docs).
pub async fn run(sn: Rc<Snippet>) {
    if sn.running.get() {
        return;
    }
    sn.running.set(true);
    sn.stop.set(false);
    let s = sn.session.clone();
    sn.begin_run();
    // A shared session runs one snippet at a time.
    while s.busy.get() {
        if sn.stop.get() {
            sn.end_run(None);
            return;
        }
        TimeoutFuture::new(25).await;
    }
    s.busy.set(true);
    sn.set_status("running", "running…");
    if s.mode == Mode::Isolated {
        *s.engine.borrow_mut() = Rc::new(RefCell::new(Engine::default()));
        *s.interp.borrow_mut() = None;
    }
    let engine = s.engine();
    let mut interp =
        s.interp.borrow_mut().take().unwrap_or_else(|| (evaluator().new_interp)(&engine, Limits::browser()));
    let jobs_from = engine.try_borrow().map(|e| model::next_job_id(&e)).unwrap_or(1);
    sn.jobs_range.set((jobs_from, None));
    let trees_before = interp.ext::<BtExt>().map(|b| tree::instance_ticks(&b.rt)).unwrap_or_default();
    let mut log = RunLog::default();
    let source = sn.source();

    if let Err(e) = interp.load(&source) {
        let text = e.located();
        sn.piece(Piece::Error { text: &text, line: e.pos.map(|p| p.line), col: e.pos.map(|p| p.col) });
        log.error = Some(text);
    } else {
        // Sleeps hand back: the snippet paces job time (sleep_paced).
        let mut pacer = FramePacer::new(sn.stop.clone(), None);
        let mut rl = RunLoop::new(SLICE_FUEL, Some(s.budget));
        let mut host = Buf(String::new());
        let mut painted = wall_now();
        loop {
            let driven = rl.next(&mut interp, &mut host, &mut pacer);
            if !host.0.is_empty() {
                let text = std::mem::take(&mut host.0);
                log.output(&text);
                sn.piece(Piece::Out(&text));
            }
            match driven {
                Driven::Value { printed, .. } => {
                    log.value(&printed);
                    sn.piece(Piece::Value(&printed));
                    if pacer.frame_over() {
                        paint(&sn, &mut interp, &engine, &trees_before);
                        pacer.yield_frame().await;
                    }
                }
                Driven::Idle => break,
                Driven::Error(e) => {
                    let text = e.located();
                    sn.piece(Piece::Error { text: &text, line: e.pos.map(|p| p.line), col: e.pos.map(|p| p.col) });
                    if let Some(h) = evaluator::hint(&e.message).filter(|_| !evaluator().full) {
                        sn.piece(Piece::Note(&h));
                    }
                    log.error = Some(text);
                    break;
                }
                Driven::Interrupted => {
                    interp.stop();
                    log.stopped = true;
                    sn.piece(Piece::Note("Stopped."));
                    break;
                }
                Driven::BudgetSpent { steps } => {
                    interp.stop();
                    log.stopped = true;
                    let msg = format!(
                        "Stopped after {steps} steps: the step budget of one run is used up (an endless loop?)."
                    );
                    sn.piece(Piece::Note(&msg));
                    break;
                }
                Driven::Waiting { until_ms } => {
                    paint(&sn, &mut interp, &engine, &trees_before);
                    sleep_paced(&sn, &engine, until_ms, s.speed, &mut interp, &trees_before).await;
                    pacer.restart();
                    painted = wall_now();
                }
                Driven::Yield => {
                    if wall_now() - painted >= PAINT_MS {
                        paint(&sn, &mut interp, &engine, &trees_before);
                        painted = wall_now();
                    }
                    pacer.yield_frame().await;
                }
            }
        }
    }
    let jobs_to = engine.try_borrow().map(|e| model::next_job_id(&e)).ok();
    sn.jobs_range.set((jobs_from, jobs_to));
    paint(&sn, &mut interp, &engine, &trees_before);
    *s.interp.borrow_mut() = Some(interp);
    s.busy.set(false);
    sn.end_run(Some(&log));
    drive(s);
}

/// Let job time reach `until_ms` at the page's pace, repainting as jobs move; returns early on
/// Stop (the run loop then reports the interruption).
async fn sleep_paced(
    sn: &Rc<Snippet>,
    engine: &Rc<RefCell<Engine>>,
    until_ms: f64,
    speed: f64,
    interp: &mut Interp,
    trees_before: &[(u32, u64)],
) {
    let start = engine.try_borrow().map(|e| e.now()).unwrap_or(until_ms);
    let rate = model::sleep_rate(until_ms - start, speed);
    let mut last = wall_now();
    sn.set_status("sleeping", &format!("sleeping until job time {}", model::fmt_ms(until_ms)));
    loop {
        if sn.stop.get() {
            return;
        }
        let wall = wall_now();
        let reached = match engine.try_borrow_mut() {
            Ok(mut e) => {
                let target = (e.now() + (wall - last).max(0.0) * rate).min(until_ms);
                e.advance(target);
                e.now() >= until_ms
            }
            Err(_) => false,
        };
        last = wall;
        paint(sn, interp, engine, trees_before);
        if reached {
            sn.set_status("running", "running…");
            return;
        }
        TimeoutFuture::new(30).await;
    }
}

/// Repaint what moves during a run: the snippet's jobs and the trees it ticked.
fn paint(sn: &Rc<Snippet>, interp: &mut Interp, engine: &Rc<RefCell<Engine>>, trees_before: &[(u32, u64)]) {
    if let Ok(e) = engine.try_borrow() {
        sn.paint_jobs(&e);
    }
    if let Some(bt) = interp.ext::<BtExt>() {
        let now = tree::instance_ticks(&bt.rt);
        let ticked = tree::ticked_since(trees_before, &now);
        let scenes: Vec<tree::TreeScene> = ticked.iter().take(3).filter_map(|i| tree::scene(&bt.rt, *i)).collect();
        sn.paint_trees(&scenes);
    }
}

/// After a run: move job time on at the session's speed while jobs are active and no run
/// holds the session, repainting the job lists.
pub fn drive(s: Rc<Session>) {
    if s.driving.get() {
        return;
    }
    let active = s.engine().try_borrow().map(|e| e.active_count() > 0).unwrap_or(false);
    if !active {
        return;
    }
    s.driving.set(true);
    wasm_bindgen_futures::spawn_local(async move {
        let mut last = wall_now();
        loop {
            TimeoutFuture::new(50).await;
            if s.busy.get() {
                break;
            }
            let wall = wall_now();
            let engine = s.engine();
            let active = match engine.try_borrow_mut() {
                Ok(mut e) => {
                    let t = e.now() + (wall - last).max(0.0) * s.speed;
                    e.advance(t);
                    e.active_count() > 0
                }
                Err(_) => true,
            };
            last = wall;
            s.repaint_jobs();
            if !active {
                break;
            }
        }
        s.driving.set(false);
    });
}
