//! A `requestAnimationFrame` loop: calls a function once per frame (with the frame's time
//! stamp) until the returned [`Frames`] is dropped.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type FrameFn = Closure<dyn FnMut(f64)>;

/// A running frame loop; dropping it stops the loop.
pub struct Frames {
    alive: Rc<Cell<bool>>,
    request: Rc<Cell<i32>>,
    closure: Rc<RefCell<Option<FrameFn>>>,
}

fn request(closure: &FrameFn) -> i32 {
    web_sys::window().and_then(|w| w.request_animation_frame(closure.as_ref().unchecked_ref()).ok()).unwrap_or(0)
}

/// Call `f` every animation frame.
pub fn frames(mut f: impl FnMut(f64) + 'static) -> Frames {
    let alive = Rc::new(Cell::new(true));
    let req = Rc::new(Cell::new(0));
    let closure: Rc<RefCell<Option<FrameFn>>> = Rc::new(RefCell::new(None));
    let (a, r, c) = (alive.clone(), req.clone(), closure.clone());
    *closure.borrow_mut() = Some(Closure::new(move |t: f64| {
        if !a.get() {
            return;
        }
        f(t);
        if a.get() {
            if let Some(cl) = c.borrow().as_ref() {
                r.set(request(cl));
            }
        }
    }));
    if let Some(cl) = closure.borrow().as_ref() {
        req.set(request(cl));
    }
    Frames { alive, request: req, closure }
}

impl Drop for Frames {
    fn drop(&mut self) {
        self.alive.set(false);
        if let Some(w) = web_sys::window() {
            let _ = w.cancel_animation_frame(self.request.get());
        }
        // The loop may be dropped from inside its own frame (a view unmounted by what the
        // frame did): free the closure after this frame, not while it runs.
        if let Some(cl) = self.closure.borrow_mut().take() {
            gloo_timers::callback::Timeout::new(0, move || drop(cl)).forget();
        }
    }
}
