//! What both browser hosts (the site, `web`, and the embed, `embed`) need around the one run
//! loop: the page's monotonic clock, a yield to the event loop that setTimeout's clamp does not
//! slow down, and the pacer that ends an evaluation slice every [`FRAME_MS`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};

use crate::jobs::Engine;
use crate::lang::{Pacer, Wait};

/// Milliseconds of evaluation between two hand-backs to the browser (so input, Stop and
/// painting are never more than about a frame late).
pub const FRAME_MS: f64 = 12.0;

/// Milliseconds from the browser's monotonic clock (`performance.now()`); 0 if unavailable.
pub fn wall_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Lets the browser run what is pending (input, painting, timers) and resumes right after.
///
/// A run that awaited `setTimeout(0)` after every slice lost at least 4 ms per slice once the
/// timers nested (the HTML clamp), a quarter of a 12 ms slice; a message posted on a fresh
/// `MessageChannel` is a new task with no such clamp. Falls back to `setTimeout(0)`.
pub async fn yield_now() {
    let Ok(channel) = web_sys::MessageChannel::new() else {
        gloo_timers::future::TimeoutFuture::new(0).await;
        return;
    };
    let port = channel.port1();
    let arrived = js_sys::Promise::new(&mut |resolve, _| port.set_onmessage(Some(resolve.unchecked_ref())));
    if channel.port2().post_message(&JsValue::UNDEFINED).is_err() {
        gloo_timers::future::TimeoutFuture::new(0).await;
    } else {
        let _ = wasm_bindgen_futures::JsFuture::from(arrived).await;
    }
    port.set_onmessage(None);
    port.close();
    channel.port2().close();
}

/// The run loop's pacer in a page: it asks for a hand-back every [`FRAME_MS`] of evaluation,
/// reports Stop, and at a sleep either jumps job time (an isolated run, deterministic like
/// `granola FILE`) or hands back so the caller can wait for the page's job clock.
pub struct FramePacer {
    jump: Option<Rc<RefCell<Engine>>>,
    stop: Rc<Cell<bool>>,
    frame_start: f64,
}

impl FramePacer {
    /// `jump`: the engine whose job time a sleep moves straight to its end, or `None` when the
    /// caller waits for job time itself. `stop` is set by the page's Stop.
    pub fn new(stop: Rc<Cell<bool>>, jump: Option<Rc<RefCell<Engine>>>) -> FramePacer {
        FramePacer { jump, stop, frame_start: wall_now() }
    }

    /// Hands control to the browser ([`yield_now`]), then starts a new slice.
    pub async fn yield_frame(&mut self) {
        yield_now().await;
        self.restart();
    }

    /// A new slice starts now (after the caller waited for job time).
    pub fn restart(&mut self) {
        self.frame_start = wall_now();
    }

    /// This slice has had its [`FRAME_MS`].
    pub fn frame_over(&self) -> bool {
        wall_now() - self.frame_start >= FRAME_MS
    }
}

impl Pacer for FramePacer {
    fn wait(&mut self, until_ms: f64) -> Wait {
        let Some(engine) = &self.jump else { return Wait::Later };
        if let Ok(mut e) = engine.try_borrow_mut() {
            e.advance(until_ms);
        }
        Wait::Ready
    }
    fn should_yield(&mut self) -> bool {
        self.frame_over()
    }
    fn interrupted(&mut self) -> bool {
        self.stop.get()
    }
}
