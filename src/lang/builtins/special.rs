//! The core special forms (group `special`): evaluated by the evaluator itself; listed here
//! once, for the evaluator, `help`, the docs and completion.

use super::*;

pub(super) static ROWS: &[Builtin] = &[
    form!(
        "quote",
        "special",
        1,
        m(1),
        "(quote datum) -> datum",
        "Return the datum unevaluated; 'x is short for (quote x).",
        Special::Quote
    ),
    form!(
        "if",
        "special",
        2,
        m(3),
        "(if test then [else]) -> value",
        "Evaluate then when test is truthy, else the else branch (or nil).",
        Special::If
    ),
    form!(
        "define",
        "special",
        2,
        N,
        "(define name expr) | (define (name param...) body...) -> value",
        "Bind a name in the current environment; returns the bound value.",
        Special::Define
    ),
    form!(
        "lambda",
        "special",
        2,
        N,
        "(lambda (param...) body...) -> closure",
        "Make a closure with fixed parameters over the current environment.",
        Special::Lambda
    ),
    form!(
        "begin",
        "special",
        0,
        N,
        "(begin form...) -> value",
        "Evaluate forms in order; the last value (nil when empty).",
        Special::Begin
    ),
    form!(
        "let",
        "special",
        2,
        N,
        "(let ((name expr)...) body...) -> value",
        "Bind names in parallel in a new scope, then evaluate the body.",
        Special::Let
    ),
    form!(
        "cond",
        "special",
        0,
        N,
        "(cond (test body...)... [(else body...)]) -> value",
        "Evaluate the body of the first clause whose test is truthy.",
        Special::Cond
    ),
    form!(
        "and",
        "special",
        0,
        N,
        "(and x...) -> value",
        "The first falsy value, or the last value (#t when empty).",
        Special::And
    ),
    form!("or", "special", 0, N, "(or x...) -> value", "The first truthy value, or nil.", Special::Or),
    form!(
        "quasiquote",
        "special",
        1,
        m(1),
        "(quasiquote template) -> value",
        "Build data from a template; `x is short for (quasiquote x).",
        Special::Quasiquote
    ),
    form!(
        "unquote",
        "special",
        1,
        m(1),
        "(unquote expr) -> value",
        "Inside quasiquote, insert expr's value; ,x is short for (unquote x).",
        Special::Unquote
    ),
    form!(
        "unquote-splicing",
        "special",
        1,
        m(1),
        "(unquote-splicing expr) -> values",
        "Inside a quasiquoted list, splice in a list's elements; ,@x is short.",
        Special::UnquoteSplicing
    ),
    form!(
        "load",
        "special",
        1,
        m(1),
        "(load path) -> value",
        "Read and evaluate a file in the current environment (native only).",
        Special::Load
    ),
];
