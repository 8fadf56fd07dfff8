//! The muslisp language: reader, values and heap, printer, evaluator, builtins.
//! (Being built on the `lang` branch; this file is the skeleton's placeholder.)

pub mod datum;
pub use datum::Datum;
