//! The job driver: a gloo-timers interval that advances the session's engine on the scaled job
//! clock and tells the views (through the session's reducer) whenever jobs changed.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Interval;
use yew::prelude::*;

use super::session::Session;
use super::util::wall_now;

/// Default driver period (wall ms).
pub const DEFAULT_TICK_MS: u32 = 50;
/// While jobs are active but nothing changed, views are refreshed at most this often
/// (so elapsed times move without re-rendering on every tick).
pub const IDLE_REFRESH_MS: f64 = 200.0;

struct DriverState {
    session: Session,
    bump: Callback<()>,
    last_cursor: u64,
    last_bump_wall: f64,
}

impl DriverState {
    fn tick(&mut self, force: bool) {
        self.session.advance();
        let (cursor, active) = match self.session.engine.try_borrow() {
            Ok(e) => (e.event_cursor(), e.active_count() > 0),
            Err(_) => return,
        };
        let wall = wall_now();
        let changed = cursor != self.last_cursor;
        if force || changed || (active && wall - self.last_bump_wall >= IDLE_REFRESH_MS) {
            self.last_cursor = cursor;
            self.last_bump_wall = wall;
            self.bump.emit(());
        }
    }
}

thread_local! {
    static DRIVERS: RefCell<Vec<Weak<RefCell<DriverState>>>> = const { RefCell::new(Vec::new()) };
}

/// A running driver; dropping it stops the timer.
pub struct Driver {
    _interval: Interval,
    _state: Rc<RefCell<DriverState>>,
}

/// Start driving `session`: every `tick_ms` wall ms advance its engine to the clock's job
/// time, and call `bump` when jobs changed (or, while jobs are active, every
/// [`IDLE_REFRESH_MS`]).
pub fn start(session: Session, tick_ms: u32, bump: Callback<()>) -> Driver {
    let state = Rc::new(RefCell::new(DriverState { session, bump, last_cursor: 0, last_bump_wall: 0.0 }));
    DRIVERS.with(|d| {
        let mut d = d.borrow_mut();
        d.retain(|w| w.strong_count() > 0);
        d.push(Rc::downgrade(&state));
    });
    let s = state.clone();
    let interval = Interval::new(tick_ms.max(1), move || {
        if let Ok(mut st) = s.try_borrow_mut() {
            st.tick(false);
        }
    });
    Driver { _interval: interval, _state: state }
}

/// Run every live driver's tick now and re-render its views (call after changing the engine
/// outside a view, e.g. at the end of a run or from the JS API, so the page updates at once).
pub fn poke() {
    let live: Vec<_> = DRIVERS.with(|d| d.borrow().iter().filter_map(Weak::upgrade).collect());
    for st in live {
        if let Ok(mut st) = st.try_borrow_mut() {
            st.tick(true);
        }
    }
}
