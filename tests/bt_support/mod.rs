//! Tree generators shared by the behaviour-tree property tests.
#![allow(dead_code)]

use proptest::prelude::*;

/// Every composite node kind of the DSL.
pub const COMPOSITES: &[&str] = &["seq", "sel", "mem-seq", "mem-sel", "async-seq", "reactive-seq", "reactive-sel"];

/// One composite kind.
pub fn composite() -> impl Strategy<Value = &'static str> {
    prop::sample::select(COMPOSITES)
}

/// A composite over one to three subtrees drawn from `inner`, as DSL text.
pub fn composite_text(inner: BoxedStrategy<String>) -> impl Strategy<Value = String> {
    (composite(), prop::collection::vec(inner, 1..4)).prop_map(|(k, c)| format!("({k} {})", c.join(" ")))
}
