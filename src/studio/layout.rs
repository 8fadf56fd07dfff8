//! Placing a tree's nodes for the SVG view: top-down, or left-to-right for wide trees, with
//! collapsed subtrees left out. Each subtree gets a band as wide as its node or its children
//! side by side (whichever is wider), and a node sits centred over its children's band, so
//! no two nodes overlap. Iterative throughout: deep trees cannot overflow the stack.
//!
//! A node shared by several parents (MBT1 files may share children) is placed under its first
//! parent; the other parents get a `shared` edge to it.

use super::shape::{Family, TreeShape};

/// Drawing direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orient {
    TopDown,
    LeftRight,
}

/// Text longer than this many characters is cut with `…` in a node (the full text is in its
/// tooltip).
pub const MAX_CHARS: usize = 26;
/// Approximate advance of one character of the node text, px.
pub const CHAR_PX: f64 = 6.8;
pub const NODE_H: f64 = 46.0;
/// VLA and planner nodes have a line more (their job or plan).
pub const HOST_NODE_H: f64 = 58.0;
const GAP_ALONG: f64 = 14.0;
const GAP_DEPTH: f64 = 34.0;
const MARGIN: f64 = 10.0;

/// A placed node.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub id: u32,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub depth: u32,
    /// Collapsed: how many nodes are hidden below it (0 when expanded or a leaf).
    pub hidden: usize,
}

/// An edge between two placed nodes, with its SVG path.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub parent: u32,
    pub child: u32,
    /// A second (or later) parent of a shared child.
    pub shared: bool,
    pub d: String,
}

/// A laid-out tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub orient: Orient,
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<Placed>,
    pub edges: Vec<Edge>,
    /// Node id -> index in `nodes` (None: not shown).
    pub index: Vec<Option<usize>>,
}

impl Layout {
    pub fn placed(&self, id: u32) -> Option<&Placed> {
        self.nodes.get((*self.index.get(id as usize)?)?)
    }
}

/// `text` cut to [`MAX_CHARS`] characters.
pub fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(MAX_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// The kind line of a node (`→ seq #4`, `cond`, `vla-wait`).
pub fn kind_line(shape: &TreeShape, id: u32) -> String {
    let Some(n) = shape.node(id) else { return String::new() };
    let g = super::shape::glyph(n.kind);
    match n.family {
        Family::Composite | Family::Decorator => {
            if g.is_empty() {
                format!("{} #{}", n.kind.dsl_name(), id)
            } else {
                format!("{g} {} #{}", n.kind.dsl_name(), id)
            }
        }
        _ => format!("{} #{}", n.kind.dsl_name(), id),
    }
}

fn node_size(shape: &TreeShape, id: u32) -> (f64, f64) {
    let Some(n) = shape.node(id) else { return (60.0, NODE_H) };
    let chars = [kind_line(shape, id).chars().count() + 2, n.name.chars().count(), n.args.chars().count()]
        .into_iter()
        .map(|c| c.min(MAX_CHARS))
        .max()
        .unwrap_or(4);
    let w = (chars as f64 * CHAR_PX + 30.0).clamp(64.0, 220.0);
    let h = if matches!(n.family, Family::Vla | Family::Planner) { HOST_NODE_H } else { NODE_H };
    (w.round(), h)
}

/// The spanning tree the layout follows: each visible node's children that are placed under it.
fn spanning(shape: &TreeShape, collapsed: &[bool]) -> (Vec<u32>, Vec<Vec<u32>>, Vec<u32>, Vec<usize>) {
    let n = shape.len();
    let parents = shape.parents();
    let mut kids: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut depth = vec![0u32; n];
    let mut order = Vec::new();
    let mut hidden = vec![0usize; n];
    if (shape.root as usize) >= n {
        return (order, kids, depth, hidden);
    }
    // Pre-order over first-parent edges.
    let mut stack = vec![shape.root];
    while let Some(id) = stack.pop() {
        order.push(id);
        let node = &shape.nodes[id as usize];
        let own: Vec<u32> =
            node.children.iter().copied().filter(|&c| (c as usize) < n && parents[c as usize] == Some(id)).collect();
        if collapsed.get(id as usize).copied().unwrap_or(false) && !own.is_empty() {
            // Count what is hidden below.
            let mut count = 0;
            let mut st = own.clone();
            while let Some(c) = st.pop() {
                count += 1;
                st.extend(shape.nodes[c as usize].children.iter().copied().filter(|&g| parents[g as usize] == Some(c)));
            }
            hidden[id as usize] = count;
            continue;
        }
        for &c in own.iter().rev() {
            depth[c as usize] = depth[id as usize] + 1;
            stack.push(c);
        }
        kids[id as usize] = own;
    }
    (order, kids, depth, hidden)
}

/// Lay out `shape` with the nodes marked in `collapsed` (by id) folded. `orient` `None`
/// chooses: left-to-right when the top-down drawing would be much wider than tall.
pub fn layout(shape: &TreeShape, collapsed: &[bool], orient: Option<Orient>) -> Layout {
    let n = shape.len();
    let (order, kids, depth, hidden) = spanning(shape, collapsed);
    let sizes: Vec<(f64, f64)> = (0..n as u32).map(|i| node_size(shape, i)).collect();
    let max_depth = order.iter().map(|&i| depth[i as usize]).max().unwrap_or(0) as usize;
    let tb_span = bands(&order, &kids, |i| sizes[i as usize].0);
    let tb_w = tb_span.get(shape.root as usize).copied().unwrap_or(0.0);
    let tb_h = (max_depth + 1) as f64 * (HOST_NODE_H + GAP_DEPTH);
    let orient = orient.unwrap_or(if tb_w > 960.0 && tb_w > 2.2 * tb_h { Orient::LeftRight } else { Orient::TopDown });
    let along = |i: u32| match orient {
        Orient::TopDown => sizes[i as usize].0,
        Orient::LeftRight => sizes[i as usize].1,
    };
    let span = if orient == Orient::TopDown { tb_span } else { bands(&order, &kids, along) };
    // Depth offsets: rows of the tallest node (top-down) or columns of the widest (left-right).
    let mut level = vec![0.0f64; max_depth + 1];
    for &i in &order {
        let d = depth[i as usize] as usize;
        let s = match orient {
            Orient::TopDown => sizes[i as usize].1,
            Orient::LeftRight => sizes[i as usize].0,
        };
        level[d] = level[d].max(s);
    }
    let mut level_at = vec![MARGIN; max_depth + 1];
    for d in 1..=max_depth {
        level_at[d] = level_at[d - 1] + level[d - 1] + GAP_DEPTH;
    }
    // Pre-order: each node's band start, centred over it.
    let mut start = vec![0.0f64; n];
    let mut index = vec![None; n];
    let mut nodes = Vec::with_capacity(order.len());
    if let Some(&root) = order.first() {
        start[root as usize] = MARGIN;
    }
    for &i in &order {
        let iu = i as usize;
        let band = span[iu];
        let (w, h) = sizes[iu];
        let a = along(i);
        let centre = start[iu] + band / 2.0;
        let d = depth[iu] as usize;
        let (x, y) = match orient {
            Orient::TopDown => (centre - a / 2.0, level_at[d]),
            Orient::LeftRight => (level_at[d], centre - a / 2.0),
        };
        index[iu] = Some(nodes.len());
        nodes.push(Placed { id: i, x: x.round(), y: y.round(), w, h, depth: d as u32, hidden: hidden[iu] });
        let ks = &kids[iu];
        if !ks.is_empty() {
            let block: f64 = ks.iter().map(|&c| span[c as usize]).sum::<f64>() + GAP_ALONG * (ks.len() - 1) as f64;
            let mut s = start[iu] + (band - block) / 2.0;
            for &c in ks {
                start[c as usize] = s;
                s += span[c as usize] + GAP_ALONG;
            }
        }
    }
    let (mut width, mut height) = (0.0f64, 0.0f64);
    for p in &nodes {
        width = width.max(p.x + p.w);
        height = height.max(p.y + p.h);
    }
    let mut edges = Vec::new();
    for &i in &order {
        let Some(pi) = index[i as usize] else { continue };
        let p = &nodes[pi];
        let expanded = !collapsed.get(i as usize).copied().unwrap_or(false);
        if !expanded {
            continue;
        }
        for &c in &shape.nodes[i as usize].children {
            let Some(ci) = index.get(c as usize).copied().flatten() else { continue };
            let ch = &nodes[ci];
            let shared = !kids[i as usize].contains(&c);
            edges.push(Edge { parent: i, child: c, shared, d: edge_path(orient, p, ch) });
        }
    }
    Layout { orient, width: (width + MARGIN).ceil(), height: (height + MARGIN).ceil(), nodes, edges, index }
}

/// Post-order band widths along the spread axis.
fn bands(order: &[u32], kids: &[Vec<u32>], along: impl Fn(u32) -> f64) -> Vec<f64> {
    let mut span = vec![0.0f64; kids.len()];
    for &i in order.iter().rev() {
        let ks = &kids[i as usize];
        let children: f64 = if ks.is_empty() {
            0.0
        } else {
            ks.iter().map(|&c| span[c as usize]).sum::<f64>() + GAP_ALONG * (ks.len() - 1) as f64
        };
        span[i as usize] = along(i).max(children);
    }
    span
}

fn edge_path(orient: Orient, p: &Placed, c: &Placed) -> String {
    match orient {
        Orient::TopDown => {
            let (x1, y1) = (p.x + p.w / 2.0, p.y + p.h);
            let (x2, y2) = (c.x + c.w / 2.0, c.y);
            let ym = (y1 + y2) / 2.0;
            format!("M{x1} {y1}C{x1} {ym} {x2} {ym} {x2} {y2}")
        }
        Orient::LeftRight => {
            let (x1, y1) = (p.x + p.w, p.y + p.h / 2.0);
            let (x2, y2) = (c.x, c.y + c.h / 2.0);
            let xm = (x1 + x2) / 2.0;
            format!("M{x1} {y1}C{xm} {y1} {xm} {y2} {x2} {y2}")
        }
    }
}
