//! The session shared by every component: one job engine, one bridge (made on first use, see
//! `web::bridge`), the scaled job clock.
//!
//! [`SessionProvider`] (mounted once by the app) creates it, runs the job driver
//! ([`super::driver`]) and provides two contexts:
//! - [`Session`]: the session's objects. It never changes, so components that only run code on
//!   the engine (the runner, the REPL) do not re-render while jobs move.
//! - [`SessionHandle`] (`UseReducerHandle<SessionState>`): what job views read. Its `version`
//!   changes whenever jobs changed (the driver dispatches [`SessionAction::Changed`]), and views
//!   change the session by dispatching a [`SessionAction`] (cancel a job, set the clock speed)
//!   instead of borrowing the engine themselves.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::bridge::{Bridge, BridgeConfig};
use crate::jobs::{Clock, Engine, JobId};

use super::driver;
use super::util::{load, save, wall_now};

/// Default clock speed: 1 job-ms per 200 wall-ms, slow enough to watch a job stream.
pub const DEFAULT_SPEED: f64 = 0.005;
/// The choices of the speed control: (job-ms per wall-ms, label).
pub const SPEEDS: &[(f64, &str)] =
    &[(0.005, "1 job-ms / 200 ms"), (0.05, "1 job-ms / 20 ms"), (0.25, "1 job-ms / 4 ms"), (1.0, "real time")];
const SPEED_KEY: &str = "granola.speed";

/// The speed remembered from the last visit, else [`DEFAULT_SPEED`].
pub fn remembered_speed() -> f64 {
    load(SPEED_KEY).and_then(|s| s.parse::<f64>().ok()).filter(|s| s.is_finite() && *s > 0.0).unwrap_or(DEFAULT_SPEED)
}

/// The session's objects (cheap to clone: shared references).
#[derive(Clone)]
pub struct Session {
    pub engine: Rc<RefCell<Engine>>,
    /// The simulation bridge, made when a page first uses it (`web::bridge::bridge`): its code
    /// is loaded with the pages that send requests, not with the first load.
    pub bridge: Rc<RefCell<Option<Bridge>>>,
    /// The bridge's settings, drawn with the session: a random secret, and job time 0 as "now"
    /// in Unix time (so its timestamps read as wall time).
    pub bridge_config: BridgeConfig,
    /// wall ms -> job ms, speed set on the page
    pub clock: Rc<RefCell<Clock>>,
}

impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.engine, &other.engine)
    }
}

impl Session {
    /// A fresh session: an engine with the default two worker slots at job time 0 (which is
    /// "now" in Unix time for the bridge, made on first use), and a clock at `speed`.
    pub fn new(speed: f64) -> Session {
        Session {
            engine: Rc::new(RefCell::new(Engine::default())),
            bridge: Rc::new(RefCell::new(None)),
            bridge_config: BridgeConfig { epoch_unix_ms: js_sys::Date::now(), ..BridgeConfig::default() },
            clock: Rc::new(RefCell::new(Clock::new(speed, wall_now()))),
        }
    }

    /// Job time now, on this session's clock.
    pub fn job_now(&self) -> f64 {
        self.clock.borrow().job_time(wall_now())
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

    /// Let `job_ms` of job time pass at once (a bridge docs page does after each request, as its
    /// `after=` says), and advance the engine to it. Returns the engine's job time afterwards.
    pub fn let_pass(&self, job_ms: f64) -> f64 {
        self.clock.borrow_mut().skip(job_ms);
        self.advance()
    }

    /// The clock's speed (job-ms per wall-ms).
    pub fn speed(&self) -> f64 {
        self.clock.borrow().speed()
    }

    fn cancel(&self, id: JobId) {
        if let Ok(mut e) = self.engine.try_borrow_mut() {
            e.cancel(id);
        }
        self.advance();
    }

    fn set_speed(&self, speed: f64) {
        if speed.is_finite() && speed > 0.0 {
            self.clock.borrow_mut().set_speed(speed, wall_now());
            save(SPEED_KEY, &speed.to_string());
        }
    }
}

/// A change to the session, dispatched by views (and by the driver).
#[derive(Clone, Debug, PartialEq)]
pub enum SessionAction {
    /// Jobs changed (the driver, or a view that submitted work): views re-read.
    Changed,
    /// Cancel a job (queued jobs end at once, running ones at their next step).
    Cancel(JobId),
    /// Cancel several jobs at once ("cancel all active").
    CancelMany(Vec<JobId>),
    /// Set the clock's speed (job-ms per wall-ms), remembered for the next visit.
    SetSpeed(f64),
    /// Show this job in the jobs panels (select it and scroll to it).
    Focus(JobId),
}

/// What job views read: the session and a version that changes with every action.
#[derive(Clone)]
pub struct SessionState {
    pub session: Session,
    pub version: u64,
    /// The job to show (set by [`SessionAction::Focus`]), with a counter so asking twice
    /// for the same job still scrolls to it.
    pub focus: Option<(JobId, u64)>,
}

impl PartialEq for SessionState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.session == other.session
    }
}

impl Reducible for SessionState {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut focus = self.focus;
        match action {
            SessionAction::Changed => {}
            SessionAction::Cancel(id) => self.session.cancel(id),
            SessionAction::CancelMany(ids) => {
                for id in ids {
                    self.session.cancel(id);
                }
            }
            SessionAction::SetSpeed(speed) => self.session.set_speed(speed),
            SessionAction::Focus(id) => focus = Some((id, self.version)),
        }
        Rc::new(SessionState { session: self.session.clone(), version: self.version.wrapping_add(1), focus })
    }
}

/// The context job views read (see the module docs).
pub type SessionHandle = UseReducerHandle<SessionState>;

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
    /// [`DEFAULT_SPEED`].
    #[prop_or_default]
    pub speed: Option<f64>,
    /// Driver tick period in wall ms; 0 runs no driver (job time then moves only when the
    /// page's code advances the engine, e.g. in tests).
    #[prop_or(driver::DEFAULT_TICK_MS)]
    pub tick_ms: u32,
    /// Register this session for the JS API (the app root does; tests usually don't).
    #[prop_or(false)]
    pub global: bool,
    /// Provide this session instead of a new one (`speed` is then ignored).
    #[prop_or_default]
    pub session: Option<Session>,
}

/// Creates the session once, runs the job driver while mounted, and provides both contexts.
#[function_component(SessionProvider)]
pub fn session_provider(props: &SessionProviderProps) -> Html {
    let speed = props.speed;
    let global = props.global;
    let given = props.session.clone();
    let session = use_memo((), move |_| {
        let s = given.unwrap_or_else(|| Session::new(speed.unwrap_or_else(remembered_speed)));
        if global {
            GLOBAL.with(|g| *g.borrow_mut() = Some(s.clone()));
        }
        s
    });
    let state = {
        let session = (*session).clone();
        use_reducer(move || SessionState { session, version: 0, focus: None })
    };
    {
        let session = (*session).clone();
        let dispatcher = state.dispatcher();
        let tick_ms = props.tick_ms;
        use_effect_with((), move |_| {
            let drv = (tick_ms > 0).then(|| {
                driver::start(session, tick_ms, Callback::from(move |_| dispatcher.dispatch(SessionAction::Changed)))
            });
            move || drop(drv)
        });
    }
    html! {
        <ContextProvider<Session> context={(*session).clone()}>
            <ContextProvider<SessionHandle> context={state}>
                { props.children.clone() }
            </ContextProvider<SessionHandle>>
        </ContextProvider<Session>>
    }
}
