//! The job engine as an interpreter sees it: the source of job time for `time.*` and an
//! [`Extension`] through which front-end builtins (`vla.*`, BT leaves) reach the engine.

use super::Engine;
use crate::lang::{Ctx, Extension, JobTime};
use std::cell::{RefCell, RefMut};
use std::rc::Rc;

/// The engine shared by a host and its interpreters (`crate::runtime::new_interp` installs
/// it as both job time and an extension).
#[derive(Clone, Default)]
pub struct SharedEngine(pub Rc<RefCell<Engine>>);

impl SharedEngine {
    /// The engine of the interpreter running this builtin (`who` names the builtin in the
    /// error when there is none or it is busy).
    pub fn of<'c>(ctx: &'c Ctx, who: &str) -> Result<&'c SharedEngine, String> {
        ctx.exts.get_ref::<SharedEngine>().ok_or_else(|| format!("{who}: there is no job engine here"))
    }

    /// Borrow the engine for a change (`who` names the builtin in the error).
    pub fn engine(&self, who: &str) -> Result<RefMut<'_, Engine>, String> {
        self.0.try_borrow_mut().map_err(|_| format!("{who}: the job engine is busy"))
    }
}

impl Extension for SharedEngine {}

impl JobTime for SharedEngine {
    fn now_ms(&self) -> f64 {
        self.0.try_borrow().map(|e| e.now()).unwrap_or(f64::NEG_INFINITY)
    }
}
