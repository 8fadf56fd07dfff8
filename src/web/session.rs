//! The session context shared by every component: one job engine, one bridge, the scaled
//! job clock, and a version number that the job driver bumps whenever jobs changed.
//!
//! Mount [`SessionProvider`] once at the app root (the shell does); components read the
//! session with `use_context::<Session>()` and re-render when `version` changes.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::bridge::{Bridge, BridgeConfig};
use crate::jobs::{Clock, Engine};

use super::driver;

#[derive(Clone)]
pub struct Session {
    pub engine: Rc<RefCell<Engine>>,
    pub bridge: Rc<RefCell<Bridge>>,
    /// wall ms -> job ms, speed set on the page
    pub clock: Rc<RefCell<Clock>>,
    /// bumped by the job driver whenever jobs changed
    pub version: u64,
}

impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.engine, &other.engine)
    }
}

impl Session {
    /// A fresh session: an engine with the default two worker slots at job time 0, a bridge
    /// with the dev secret whose job time 0 is "now" in Unix time, and a clock at `speed`.
    pub fn new(speed: f64) -> Session {
        let unix_now = js_sys::Date::now();
        let config = BridgeConfig { epoch_unix_ms: unix_now, ..BridgeConfig::default() };
        Session {
            engine: Rc::new(RefCell::new(Engine::default())),
            bridge: Rc::new(RefCell::new(Bridge::new(config))),
            clock: Rc::new(RefCell::new(Clock::new(speed, super::wall_now()))),
            version: 0,
        }
    }

    /// Job time now, on this session's clock.
    pub fn job_now(&self) -> f64 {
        self.clock.borrow().job_time(super::wall_now())
    }

    /// Advance the engine to the clock's current job time. Safe to call from anywhere at
    /// any time (job time never goes back). Returns the engine's job time afterwards.
    pub fn advance(&self) -> f64 {
        let now = self.job_now();
        match self.engine.try_borrow_mut() {
            Ok(mut e) => {
                e.advance(now);
                e.now()
            }
            Err(_) => now,
        }
    }
}

thread_local! {
    static GLOBAL: RefCell<Option<Session>> = const { RefCell::new(None) };
}

/// The app's session (registered by the root [`SessionProvider`] with `global = true`),
/// used by the JS API so jobs submitted from JS show on the page.
pub fn global() -> Option<Session> {
    GLOBAL.with(|g| g.borrow().clone())
}

/// The app's session, or a new one (real-time clock, no driver) registered as global.
pub fn global_or_new() -> Session {
    if let Some(s) = global() {
        return s;
    }
    let s = Session::new(1.0);
    GLOBAL.with(|g| *g.borrow_mut() = Some(s.clone()));
    s
}

#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    #[prop_or_default]
    pub children: Html,
    /// Initial clock speed (job-ms per wall-ms). `None`: the remembered speed, else
    /// [`driver::DEFAULT_SPEED`].
    #[prop_or_default]
    pub speed: Option<f64>,
    /// Driver tick period in wall ms.
    #[prop_or(driver::DEFAULT_TICK_MS)]
    pub tick_ms: u32,
    /// Register this session for the JS API (the app root does; tests usually don't).
    #[prop_or(false)]
    pub global: bool,
}

/// Creates the session once, runs the job driver while mounted, and provides the context.
#[function_component(SessionProvider)]
pub fn session_provider(props: &SessionProviderProps) -> Html {
    let speed = props.speed;
    let global = props.global;
    let base = use_memo((), move |_| {
        let s = Session::new(speed.unwrap_or_else(driver::remembered_speed));
        if global {
            GLOBAL.with(|g| *g.borrow_mut() = Some(s.clone()));
        }
        s
    });
    let version = use_reducer(|| Version(0));
    {
        let base = (*base).clone();
        let bump = version.dispatcher();
        let tick_ms = props.tick_ms;
        use_effect_with((), move |_| {
            let drv = driver::start(base, tick_ms, Callback::from(move |_| bump.dispatch(())));
            move || drop(drv)
        });
    }
    let session = Session { version: version.0, ..(*base).clone() };
    let fixed = SessionRefs((*base).clone());
    html! {
        <ContextProvider<SessionRefs> context={fixed}>
            <ContextProvider<Session> context={session}>
                { props.children.clone() }
            </ContextProvider<Session>>
        </ContextProvider<SessionRefs>>
    }
}

/// The same session without the version: a context that never changes, for components
/// that need the engine but must not re-render on every driver tick (the Runner reads
/// this one, so a page with many examples stays cheap while jobs run).
/// `use_context::<SessionRefs>()` → `.0` is the session (its `version` is always 0).
#[derive(Clone)]
pub struct SessionRefs(pub Session);

impl PartialEq for SessionRefs {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0.engine, &other.0.engine)
    }
}

/// The version counter behind [`SessionProvider`].
#[derive(PartialEq)]
struct Version(u64);

impl Reducible for Version {
    type Action = ();
    fn reduce(self: Rc<Self>, _: ()) -> Rc<Self> {
        Rc::new(Version(self.0.wrapping_add(1)))
    }
}
