//! Behaviour trees (muesli-bt): compiled definitions, instances, ticking, the blackboard,
//! persistence (DSL text, MBT1 binary, DOT), the demo callbacks and the event log.

pub mod blackboard;
pub mod compile;
pub mod demo;
pub mod events;
pub mod fmt;
pub mod form;
pub mod host;
pub mod inspect;
pub mod leaf;
pub mod lisp;
pub mod mbt1;
pub mod model;
pub mod runtime;

#[cfg(test)]
pub(crate) mod tests;
