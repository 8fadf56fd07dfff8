//! The tree as SVG text: the live view draws it once per layout (then only changes classes),
//! and "Export SVG" writes the same drawing with the selected tick's statuses and the styles
//! inlined, so the file looks the same anywhere.
//!
//! Statuses are told apart without colour: success has a solid heavy border and a check mark,
//! failure a hatched fill and a cross, running a dashed border and a circular arrow; nodes not
//! ticked are faded. Shapes tell kinds apart: composites rounded boxes, decorators hexagons,
//! conditions stadiums, actions square boxes, VLA leaves double boxes, planner leaves
//! cut-corner boxes.

use crate::bt::model::Status;

use super::layout::{clip, kind_line, Layout, Placed};
use super::shape::{Family, TreeShape};

/// The class of a status (`st-success`, ..., `st-idle` for not ticked).
pub fn status_class(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Success) => "st-success",
        Some(Status::Failure) => "st-failure",
        Some(Status::Running) => "st-running",
        None => "st-idle",
    }
}

/// Words for a status (tooltips, screen readers).
pub fn status_words(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Success) => "success",
        Some(Status::Failure) => "failure",
        Some(Status::Running) => "running",
        None => "not ticked",
    }
}

/// Escape text for SVG/XML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

/// The class attribute of node `id`.
pub fn node_class(shape: &TreeShape, id: u32, status: Option<Status>, extra: &str) -> String {
    let fam = shape.node(id).map_or("action", |n| n.family.css());
    let mut c = format!("bt-node f-{fam} {}", status_class(status));
    if !extra.is_empty() {
        c.push(' ');
        c.push_str(extra);
    }
    c
}

/// The tooltip of node `id` (kind, name, arguments).
pub fn node_title(shape: &TreeShape, id: u32) -> String {
    let Some(n) = shape.node(id) else { return String::new() };
    let mut t = format!("{} ({}, node {})", n.caption(), n.family.describe(), id);
    if !n.args.is_empty() {
        t.push_str(": ");
        t.push_str(&n.args);
    }
    t
}

/// The status marks (check, cross, circular arrow), 12 x 12 path data; every node carries the
/// three as plain paths and the status class shows one. (Plain paths, not `<use>` of a symbol:
/// a `<use>` is a shadow tree of its own that the browser re-styles whenever the node's class
/// changes, which made a large tree ticking fast cost far more to draw.)
const ICONS: [(&str, &str, f64); 3] = [
    ("i-s", "M2 6.5l2.6 2.6L10 3.4", 2.0),
    ("i-f", "M3 3l6 6M9 3l-6 6", 2.0),
    ("i-r", "M9.6 4.2A4 4 0 1 0 10 7M10.6 1.6v3.4H7.2", 1.7),
];

/// The failure hatch (`{p}-hatch`), defined once per drawing.
fn defs(p: &str) -> String {
    format!(
        "<defs>\
<pattern id=\"{p}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"2.2\" height=\"6\" class=\"bt-hatch\"/></pattern>\
</defs>"
    )
}

fn shape_el(fam: Family, w: f64, h: f64) -> String {
    match fam {
        Family::Composite => format!("<rect class=\"bt-shape\" width=\"{w}\" height=\"{h}\" rx=\"9\"/>"),
        Family::Decorator => {
            let k = 10.0;
            format!(
                "<polygon class=\"bt-shape\" points=\"{k},0 {a},0 {w},{m} {a},{h} {k},{h} 0,{m}\"/>",
                a = w - k,
                m = h / 2.0
            )
        }
        Family::Condition => format!("<rect class=\"bt-shape\" width=\"{w}\" height=\"{h}\" rx=\"{r}\"/>", r = h / 2.0),
        Family::Action | Family::Utility => format!("<rect class=\"bt-shape\" width=\"{w}\" height=\"{h}\" rx=\"2\"/>"),
        Family::Vla => format!(
            "<rect class=\"bt-shape\" width=\"{w}\" height=\"{h}\" rx=\"2\"/><rect class=\"bt-inner\" x=\"3\" y=\"3\" width=\"{}\" height=\"{}\" rx=\"1\"/>",
            w - 6.0,
            h - 6.0
        ),
        Family::Planner => {
            let k = 7.0;
            format!(
                "<polygon class=\"bt-shape\" points=\"{k},0 {a},0 {w},{k} {w},{b} {a},{h} {k},{h} 0,{b} 0,{k}\"/>",
                a = w - k,
                b = h - k
            )
        }
    }
}

/// Options of one drawing.
pub struct SvgOptions<'a> {
    /// Prefix of every element id (unique per view on a page).
    pub prefix: &'a str,
    /// Each node's status (by id); `None`: every node not ticked.
    pub statuses: Option<&'a [Option<Status>]>,
    /// (parent, child) edges the tick went down.
    pub path: &'a [(u32, u32)],
    /// A file of its own: `xmlns` and the styles inline.
    pub standalone: bool,
    /// Accessible name of the drawing.
    pub label: &'a str,
}

/// The class attribute of an edge.
pub fn edge_class(shared: bool, on: bool, running: bool) -> &'static str {
    match (shared, on, running) {
        (_, true, true) => "bt-edge on run",
        (_, true, false) => "bt-edge on",
        (true, false, _) => "bt-edge shared",
        (false, false, _) => "bt-edge",
    }
}

fn node_el(out: &mut String, shape: &TreeShape, p: &Placed, status: Option<Status>, prefix: &str) {
    let id = p.id;
    let Some(n) = shape.node(id) else { return };
    let (w, h) = (p.w, p.h);
    out.push_str(&format!(
        "<g class=\"{}\" id=\"{prefix}-n{id}\" data-id=\"{id}\" transform=\"translate({} {})\"><title>{}</title>",
        node_class(shape, id, status, if p.hidden > 0 { "collapsed" } else { "" }),
        p.x,
        p.y,
        esc(&node_title(shape, id))
    ));
    out.push_str(&shape_el(n.family, w, h));
    out.push_str(&format!(
        "<rect class=\"bt-fail\" width=\"{w}\" height=\"{h}\" rx=\"2\" fill=\"url(#{prefix}-hatch)\"/>"
    ));
    out.push_str(&format!("<text class=\"bt-kind\" x=\"10\" y=\"14\">{}</text>", esc(&clip(&kind_line(shape, id)))));
    let mut y = 29.0;
    if !n.name.is_empty() {
        out.push_str(&format!("<text class=\"bt-name\" x=\"10\" y=\"{y}\">{}</text>", esc(&clip(&n.name))));
        y += 12.0;
    }
    let args = if matches!(n.family, Family::Vla | Family::Planner) { String::new() } else { n.args.clone() };
    if !args.is_empty() {
        out.push_str(&format!("<text class=\"bt-args\" x=\"10\" y=\"{y}\">{}</text>", esc(&clip(&args))));
    }
    if matches!(n.family, Family::Vla | Family::Planner) {
        out.push_str(&format!("<text class=\"bt-job\" id=\"{prefix}-j{id}\" x=\"10\" y=\"{}\"></text>", h - 8.0));
    }
    out.push_str(&format!("<g class=\"bt-icons\" transform=\"translate({} 4) scale(1.08)\">", w - 17.0));
    for (class, d, width) in ICONS {
        out.push_str(&format!("<path class=\"{class} bt-ico\" d=\"{d}\" fill=\"none\" stroke-width=\"{width}\"/>"));
    }
    out.push_str("</g>");
    if p.hidden > 0 {
        out.push_str(&format!("<text class=\"bt-more\" x=\"{}\" y=\"{}\">+{}</text>", w - 8.0, h - 6.0, p.hidden));
    }
    out.push_str("</g>");
}

/// The drawing (see the module docs).
pub fn svg(shape: &TreeShape, layout: &Layout, opts: &SvgOptions) -> String {
    let p = opts.prefix;
    let mut out = String::with_capacity(256 + layout.nodes.len() * 700);
    let ns = if opts.standalone {
        " xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\""
    } else {
        ""
    };
    out.push_str(&format!(
        "<svg{ns} class=\"bt-svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"group\" aria-label=\"{}\">",
        esc(opts.label),
        w = layout.width,
        h = layout.height
    ));
    if opts.standalone {
        out.push_str("<style>");
        out.push_str(STANDALONE_CSS);
        out.push_str("</style>");
        out.push_str(&format!("<rect width=\"{}\" height=\"{}\" fill=\"#fff\"/>", layout.width, layout.height));
    }
    out.push_str(&defs(p));
    let status = |id: u32| opts.statuses.and_then(|s| s.get(id as usize).copied().flatten());
    out.push_str("<g class=\"bt-edges\">");
    for e in &layout.edges {
        let on = opts.path.contains(&(e.parent, e.child));
        let running = on && status(e.child) == Some(Status::Running);
        out.push_str(&format!(
            "<path class=\"{}\" id=\"{p}-e{}-{}\" d=\"{}\"/>",
            edge_class(e.shared, on, running),
            e.parent,
            e.child,
            e.d
        ));
    }
    out.push_str("</g><g class=\"bt-nodes\">");
    for n in &layout.nodes {
        node_el(&mut out, shape, n, status(n.id), p);
    }
    out.push_str("</g></svg>");
    out
}

/// The styles an exported SVG carries (light colours; the page's own CSS styles the live view).
pub const STANDALONE_CSS: &str = "\
.bt-svg{font-family:system-ui,sans-serif}\
.bt-shape,.bt-inner{fill:#fbfaf7;stroke:#8c8577;stroke-width:1.2}\
.bt-inner{fill:none}\
.bt-kind{font-size:10px;fill:#6b655c}\
.bt-name{font-size:12px;font-weight:600;fill:#1f1d1a}\
.bt-args,.bt-job{font-size:10px;fill:#6b655c;font-family:monospace}\
.bt-more{font-size:10px;text-anchor:end;fill:#6b655c}\
.bt-edge{fill:none;stroke:#c9c1b1;stroke-width:1.2}\
.bt-edge.shared{stroke-dasharray:3 3}\
.bt-edge.on{stroke:#1f1d1a;stroke-width:2.4}\
.bt-edge.run{stroke-dasharray:6 3}\
.bt-fail,.bt-icons path{display:none}\
.bt-hatch{fill:#b3261e;opacity:.35}\
.bt-ico{stroke:#1f1d1a}\
.st-idle{opacity:.55}\
.st-success .bt-shape{fill:#e3f4e7;stroke:#1f7a3a;stroke-width:2.6}\
.st-success .i-s,.st-failure .i-f,.st-running .i-r,.st-failure .bt-fail{display:inline}\
.st-failure .bt-shape{fill:#fbe4e2;stroke:#b3261e;stroke-width:2}\
.st-running .bt-shape{fill:#fff3d6;stroke:#8a6100;stroke-width:2.2;stroke-dasharray:5 3}\
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::studio::layout::{layout, Orient};
    use crate::studio::shape::TreeShape;

    fn shape(src: &str) -> TreeShape {
        let rt = crate::studio::tests::def_of(src);
        TreeShape::from_def(rt)
    }

    #[test]
    fn drawing_has_every_node_and_edge() {
        let s = shape("(sel (cond bb-truthy hi) (seq (act bb-put-int n 1) (running)))");
        let l = layout(&s, &[], Some(Orient::TopDown));
        let st = vec![Some(Status::Failure), Some(Status::Success), Some(Status::Running), None, None];
        let text = svg(
            &s,
            &l,
            &SvgOptions { prefix: "t", statuses: Some(&st), path: &[(4, 0)], standalone: true, label: "x" },
        );
        for id in 0..5 {
            assert!(text.contains(&format!("id=\"t-n{id}\"")), "node {id}");
        }
        assert!(text.contains("class=\"bt-edge on\" id=\"t-e4-0\""));
        assert!(text.contains("class=\"bt-node f-condition st-failure\""));
        assert!(text.contains("class=\"bt-node f-composite st-idle\""));
        assert!(text.starts_with("<svg xmlns="));
        assert!(text.contains("bb-truthy"));
    }
}
