//! The tree studio in the page: the live behaviour-tree view of every tree a program creates,
//! with its controls, blackboard inspector, time travel, exports, and the built-in 2-D world on
//! a canvas. What it shows comes from the yew-free core (`crate::studio`: the recording,
//! layout and SVG); this module is the page side.
//!
//! - [`Live`]: one run's interpreter, engine and recorder, shared by the runner (which runs
//!   the program) and the studio (which draws it, and ticks the trees itself afterwards).
//!   [`attach`] installs the recorder as the runtime's event tap before the program loads.
//! - [`panel::TreeStudio`] `{source}`: the whole studio for a [`Source`] (a live run or a
//!   loaded log).
//! - [`ticker`]: Tick / Reset / Halt from the studio's buttons, run through the evaluator
//!   (`(bt.tick <instance>)`), so trees with Lisp conditions and actions tick there too.
//! - [`world::WorldCanvas`] `{live}`: the `sim2d` world drawn on a canvas as it moves.
//! - [`frames`]: a `requestAnimationFrame` loop.
//!
//! All drawing is driven by the browser's animation frames; the program and the studio's ticks
//! run in slices that hand the page back every frame, so the page never blocks.

pub mod frames;
pub mod panel;
pub mod ticker;
pub mod world;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::bt::events::TapRef;
use crate::bt::lisp::BtExt;
use crate::jobs::Engine;
use crate::lang::Interp;
use crate::studio::record::Recorder;
use crate::web::session::Session;

pub use crate::studio::wants_studio;
pub use panel::TreeStudio;

/// One run as the studio sees it (see the module docs).
pub struct Live {
    pub interp: Rc<RefCell<Interp>>,
    pub engine: Rc<RefCell<Engine>>,
    pub session: Session,
    /// The run has a private engine (an exact docs example): its jobs are not the page's.
    pub isolated: bool,
    pub recorder: Rc<RefCell<Recorder>>,
    /// The program is still running; the studio's own controls wait for it.
    pub program_running: Cell<bool>,
    /// A studio Tick / Reset / Halt is in progress.
    pub ticking: Cell<bool>,
    /// Private engines: (wall ms, job ms) when the studio's clock started.
    clock: Cell<Option<(f64, f64)>>,
    /// What Lisp callbacks printed during the studio's ticks, and its errors (newest last).
    pub output: RefCell<String>,
}

impl Live {
    /// Bring job time up to date before a studio tick: the page's clock for the shared engine;
    /// for a private one, a clock of the studio's own at the page's speed, from the engine's
    /// time when the studio first ticked.
    pub fn advance(&self) {
        if !self.isolated {
            self.session.advance();
            return;
        }
        let wall = crate::web::util::wall_now();
        let Ok(mut e) = self.engine.try_borrow_mut() else { return };
        let (w0, j0) = match self.clock.get() {
            Some(c) => c,
            None => {
                let c = (wall, e.now());
                self.clock.set(Some(c));
                c
            }
        };
        let target = j0 + (wall - w0) * self.session.speed();
        e.advance(target);
    }

    /// Job time now (of this run's engine).
    pub fn job_now(&self) -> f64 {
        self.engine.try_borrow().map(|e| e.now()).unwrap_or(0.0)
    }

    /// Keep the last few KB of what the studio's ticks printed.
    pub fn note(&self, text: &str) {
        let mut o = self.output.borrow_mut();
        o.push_str(text);
        if o.len() > 4000 {
            let mut cut = o.len() - 3000;
            while !o.is_char_boundary(cut) {
                cut += 1;
            }
            o.replace_range(..cut, "…");
        }
    }
}

/// Record `interp`'s trees from now on (before its program loads) and return the run's [`Live`].
pub fn attach(
    interp: &Rc<RefCell<Interp>>,
    engine: &Rc<RefCell<Engine>>,
    session: &Session,
    isolated: bool,
) -> Rc<Live> {
    let run_id = {
        let mut i = interp.borrow_mut();
        i.ext::<BtExt>().map(|b| b.rt.events.run_id().to_string()).unwrap_or_default()
    };
    let recorder = Rc::new(RefCell::new(Recorder::new(&run_id)));
    if let Some(bt) = interp.borrow_mut().ext::<BtExt>() {
        bt.rt.events.set_tap(Some(TapRef(recorder.clone())));
    }
    Rc::new(Live {
        interp: interp.clone(),
        engine: engine.clone(),
        session: session.clone(),
        isolated,
        recorder,
        program_running: Cell::new(true),
        ticking: Cell::new(false),
        clock: Cell::new(None),
        output: RefCell::new(String::new()),
    })
}

/// What a studio shows.
#[derive(Clone)]
pub enum Source {
    /// A run in this page (its trees tick live; the studio can tick them too).
    Live(Rc<Live>),
    /// A log read back from a file (replay only).
    Replay(Rc<RefCell<Recorder>>, String),
}

impl PartialEq for Source {
    fn eq(&self, o: &Self) -> bool {
        match (self, o) {
            (Source::Live(a), Source::Live(b)) => Rc::ptr_eq(a, b),
            (Source::Replay(a, _), Source::Replay(b, _)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Source {
    pub fn recorder(&self) -> &Rc<RefCell<Recorder>> {
        match self {
            Source::Live(l) => &l.recorder,
            Source::Replay(r, _) => r,
        }
    }

    pub fn live(&self) -> Option<&Rc<Live>> {
        match self {
            Source::Live(l) => Some(l),
            Source::Replay(..) => None,
        }
    }
}

/// Offer `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let doc = web_sys::window().and_then(|w| w.document());
    if let Some(a) =
        doc.and_then(|d| d.create_element("a").ok()).and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        a.click();
    }
    // Revoked a little later: revoking at once can cancel the download.
    gloo_timers::callback::Timeout::new(2000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}

/// Styles of the studio (added to the page once, when a studio first shows).
pub const STUDIO_CSS: &str = include_str!("studio.css");

/// Add [`STUDIO_CSS`] to the page (once).
pub fn ensure_css() {
    crate::web::util::add_style_once("granola-studio-css", STUDIO_CSS);
}
