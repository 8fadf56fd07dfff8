//! The studio's own Tick / Reset / Halt: `(bt.tick <instance>)` (or `bt.reset`, `bt.halt`)
//! evaluated in the run's interpreter, so Lisp conditions and actions work as in the program.
//! The call runs in slices like any program: if a callback takes long or sleeps, the rest runs
//! on later frames (on the job clock) and the page stays responsive.

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;

use crate::bt::lisp::BT_INSTANCE;
use crate::lang::{Driven, Host, Pacer, RunLoop, Wait};
use crate::web::util::wall_now;

use super::Live;

/// The global the studio names its instance by.
pub const INSTANCE_NAME: &str = "%tree-view-instance";
/// Steps one studio command may take.
pub const BUDGET: u64 = 20_000_000;
const SLICE: u64 = 20_000;
const FRAME_MS: f64 = 10.0;

/// What a button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    Tick,
    Reset,
    Halt,
}

impl Cmd {
    fn builtin(self) -> &'static str {
        match self {
            Cmd::Tick => "bt.tick",
            Cmd::Reset => "bt.reset",
            Cmd::Halt => "bt.halt",
        }
    }
}

struct Out<'a>(&'a Live);

impl Host for Out<'_> {
    fn print(&mut self, text: &str) {
        self.0.note(text);
    }
}

struct StudioPacer {
    live: Rc<Live>,
    start: f64,
}

impl Pacer for StudioPacer {
    fn wait(&mut self, until_ms: f64) -> Wait {
        if self.live.isolated {
            // A private engine's time jumps over sleeps, as in the run itself.
            if let Ok(mut e) = self.live.engine.try_borrow_mut() {
                e.advance(until_ms);
            }
            return Wait::Ready;
        }
        Wait::Later
    }
    fn should_yield(&mut self) -> bool {
        wall_now() - self.start >= FRAME_MS
    }
}

/// Why a command cannot start now.
pub fn blocked(live: &Live) -> Option<&'static str> {
    if live.program_running.get() {
        Some("the program is still running")
    } else if live.ticking.get() {
        Some("busy with the last command")
    } else {
        None
    }
}

/// Start `cmd` on instance `inst`. Runs synchronously as far as it can (usually the whole
/// tick); the rest, if any, continues on later frames. `Err` when it cannot start.
pub fn start(live: &Rc<Live>, inst: u32, cmd: Cmd) -> Result<(), String> {
    if let Some(why) = blocked(live) {
        return Err(why.to_string());
    }
    live.advance();
    {
        let mut interp = live.interp.try_borrow_mut().map_err(|_| "the interpreter is busy".to_string())?;
        if !interp.is_idle() {
            return Err("the interpreter is busy".into());
        }
        interp.define_handle(INSTANCE_NAME, &BT_INSTANCE, inst)?;
        interp.load(&format!("({} {INSTANCE_NAME})", cmd.builtin())).map_err(|e| e.message)?;
    }
    live.ticking.set(true);
    let mut run = RunLoop::new(SLICE, Some(BUDGET));
    let mut pacer = StudioPacer { live: live.clone(), start: wall_now() };
    match drive(live, &mut run, &mut pacer) {
        Step::Done(err) => finish(live, err),
        first => {
            let live = live.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut step = first;
                loop {
                    let ms = match step {
                        Step::Wait(until) => {
                            let wall = live.session.clock.borrow().wall_until(until, wall_now());
                            if wall.is_finite() {
                                wall.clamp(4.0, 100.0) as u32
                            } else {
                                100
                            }
                        }
                        _ => 0,
                    };
                    TimeoutFuture::new(ms).await;
                    live.advance();
                    pacer.start = wall_now();
                    step = drive(&live, &mut run, &mut pacer);
                    if let Step::Done(err) = step {
                        finish(&live, err);
                        return;
                    }
                }
            });
        }
    }
    Ok(())
}

enum Step {
    /// Finished (with the error, if it failed).
    Done(Option<String>),
    /// Hand the page back, then go on.
    Yield,
    /// A callback sleeps until this job time.
    Wait(f64),
}

/// Run slices until the command ends or must wait.
fn drive(live: &Rc<Live>, run: &mut RunLoop, pacer: &mut StudioPacer) -> Step {
    let Ok(mut interp) = live.interp.try_borrow_mut() else { return Step::Yield };
    let mut out = Out(live);
    match run.next(&mut interp, &mut out, pacer) {
        Driven::Value { .. } | Driven::Idle => Step::Done(None),
        Driven::Error(e) => Step::Done(Some(e.message)),
        Driven::Yield => Step::Yield,
        Driven::Waiting { until_ms } => Step::Wait(until_ms),
        Driven::Interrupted => {
            interp.stop();
            Step::Done(Some("stopped".into()))
        }
        Driven::BudgetSpent { .. } => {
            interp.stop();
            Step::Done(Some(format!("stopped after {BUDGET} steps (an endless loop in a callback?)")))
        }
    }
}

fn finish(live: &Live, err: Option<String>) {
    live.ticking.set(false);
    if let Some(e) = err {
        live.note(&format!("error: {e}\n"));
    }
}
