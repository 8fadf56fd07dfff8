//! The Lisp-facing VLA job front end (`vla.submit`, `vla.poll`, `vla.cancel`) and the
//! capability registry (`cap.list`, `cap.describe`), on the shared job engine.
//! (Being built on the `jobs` branch; this file is the skeleton's placeholder.)

use crate::jobs::Engine;
use crate::lang::Datum;

/// Names of the builtins this module implements (the evaluator dispatches them to [`call`]).
pub const BUILTINS: &[&str] = &["vla.submit", "vla.poll", "vla.cancel", "cap.list", "cap.describe"];

/// Run builtin `name` with already-evaluated, arity-checked arguments.
/// `Err` carries the complete Lisp error message (e.g. `vla.poll: expected integer`).
pub fn call(engine: &mut Engine, name: &str, args: &[Datum]) -> Result<Datum, String> {
    let _ = (engine, args);
    Err(format!("{name}: not available yet"))
}
