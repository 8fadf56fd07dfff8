//! The tree studio's core (all targets; the browser view is `web::studio`): what the live
//! behaviour-tree view shows, independent of any page.
//!
//! - [`shape`]: a definition as the view draws it (kind families, names, arguments, VLA job
//!   keys) and its DOT text.
//! - [`record`]: the [`record::Recorder`], the runtime's event tap, which keeps a bounded
//!   history of every tree's ticks (statuses, paths, blackboard, records) for time travel.
//! - [`layout`]: node positions, top-down or left-to-right, collapsed subtrees folded.
//! - [`svg`]: the drawing as SVG text (the live view and "Export SVG").
//! - [`log`]: an `mbt.evt.v1` log read back into a recorder, for replay without re-running.

pub mod layout;
pub mod log;
pub mod record;
pub mod shape;
pub mod svg;

#[cfg(test)]
mod tests;

/// Whether a program may create trees or drive the built-in world: the page attaches a tree
/// view to the runs of such programs (every reference example, the playground, the tour).
/// `tests/studio_examples.rs` checks it holds for every docs example that makes an instance.
pub fn wants_studio(source: &str) -> bool {
    source.contains("(bt ")
        || source.contains("(bt\n")
        || source.contains("defbt")
        || source.contains("bt.compile")
        || source.contains("bt.load")
        || source.contains("env.attach")
}
