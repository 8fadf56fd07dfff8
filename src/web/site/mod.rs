//! The documentation site (owned by web2): docs rendering, editor binding, search, jobs
//! panel, plot, playground, tour, bridge console.
//!
//! This file is web's placeholder so the shell compiles; web2 replaces it. The shell calls
//! exactly these two functions.

use yew::Html;

use super::app::{Route, SearchHit};

/// The page for `route`, or `None` to let the shell show its own page / placeholder.
pub fn page(route: &Route) -> Option<Html> {
    let _ = route;
    None
}

/// Search hits for the header box (at most `limit`).
pub fn search(query: &str, limit: usize) -> Vec<SearchHit> {
    let q = query.to_ascii_lowercase();
    crate::lang::builtins::table()
        .iter()
        .filter(|b| b.name.to_ascii_lowercase().contains(&q) || b.summary.to_ascii_lowercase().contains(&q))
        .take(limit)
        .map(|b| SearchHit {
            title: b.name.to_string(),
            href: format!("#/reference/{}", b.name),
            snippet: b.signature.to_string(),
        })
        .collect()
}
