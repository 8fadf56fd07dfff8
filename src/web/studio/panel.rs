//! `<TreeStudio source>`: the live tree view with its controls, time travel, blackboard
//! inspector, event list, node details, exports and (for a live run that attached the
//! built-in world) the world canvas.
//!
//! The tree is drawn as SVG text from the core (`crate::studio::svg`) whenever its layout
//! changes (another tree, a subtree folded, another direction); after that, every animation
//! frame only changes the `class` of the nodes and edges whose status changed, so a large
//! tree ticking fast stays cheap. The panels beside it are Yew views, re-rendered at most ten
//! times a second while the tree runs.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::bt::model::Status;
use crate::jobs::{JobId, State};
use crate::studio::layout::{layout, Layout, Orient};
use crate::studio::record::{Bb, Recorder, Recording};
use crate::studio::shape::Family;
use crate::studio::svg::{edge_class, node_class, status_words, svg, SvgOptions};
use crate::web::session::{SessionAction, SessionHandle};

use super::frames::{frames, Frames};
use super::ticker::{self, Cmd};
use super::world::WorldCanvas;
use super::{download, ensure_css, Source};

/// Rates the Run control offers (ticks per second of wall time).
pub const RATES: &[u32] = &[1, 2, 5, 10, 20, 30, 60];
/// Height of one row of the event list (px; `studio.css` gives the rows this height). The list
/// holds every record of the selected tick but builds only the rows in sight (plus
/// [`EVENT_OVERSCAN`] on each side), so a tick with thousands of records costs no more to show
/// than one with thirty.
pub const EVENT_ROW_PX: f64 = 18.0;
/// Rows built beyond the visible ones on each side.
pub const EVENT_OVERSCAN: usize = 8;
/// Rows in sight when the list's height is not known yet (its CSS max-height / row height).
const EVENT_ROWS_SEEN: usize = 13;
/// While running, the panels beside the tree re-render at most this often (ms).
const PANEL_MS: f64 = 100.0;
/// Most ticks Run makes in one animation frame (catching up after a late frame).
const MAX_TICKS_PER_FRAME: u32 = 4;
/// After this long (ms) without a new record, parts of the drawing out of view are brought up
/// to date as well.
const SETTLE_MS: f64 = 150.0;

#[derive(Properties, PartialEq)]
pub struct TreeStudioProps {
    pub source: Source,
    /// Prefix of the studio's element ids (unique on the page).
    #[prop_or_default]
    pub id: AttrValue,
    /// Ticks per second the Run control starts at.
    #[prop_or(5)]
    pub rate: u32,
}

pub enum Msg {
    Frame(f64),
    PickTree(usize),
    Command(Cmd),
    Run,
    Pause,
    SetRate(u32),
    Scrub(usize),
    StepBy(i64),
    Latest,
    FirstFailure,
    SelectNode(Option<u32>),
    ToggleCollapse(u32),
    FoldAll(bool),
    SetOrient(Option<Orient>),
    HighlightKey(String, Option<u32>),
    TreeKey(KeyboardEvent),
    TreeClick(MouseEvent, bool),
    /// The event list scrolled (its scrollTop and height, px).
    EventsScroll(f64, f64),
    Export(&'static str),
    LoadFile(web_sys::File),
    Loaded(Result<Rc<RefCell<Recorder>>, String>, String),
    FocusJob(JobId),
    CancelJob(JobId),
}

/// What a node shows beyond its status (bits of [`Drawn::nodes`]' applied state).
const X_COLLAPSED: u8 = 1;
const X_SEL: u8 = 2;
const X_HL: u8 = 4;
const X_FOCUS: u8 = 8;

/// Part of the drawing that lies in the window, plus this margin (px), counts as in view.
const VIEW_MARGIN: f64 = 120.0;

/// An axis-aligned box (x0, y0, x1, y1) in the drawing's coordinates (= CSS px of the SVG).
type Rect = [f64; 4];

fn meets(a: &Rect, b: &Rect) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// A drawn node: its element, box, and the (status, extra bits) its class shows now.
struct NodeEl {
    el: Element,
    rect: Rect,
    applied: (Option<Status>, u8),
}

/// A drawn edge: its element, the box of its two ends, and the class it shows now.
struct EdgeEl {
    el: Element,
    rect: Rect,
    applied: &'static str,
}

/// What the drawing currently shows (to change only what differs).
#[derive(Default)]
struct Drawn {
    key: Option<(usize, usize, u64, Option<Orient>, usize)>,
    layout: Option<Layout>,
    /// By node id.
    nodes: Vec<Option<NodeEl>>,
    /// In the order of `layout.edges` (None: not found in the drawing).
    edges: Vec<Option<EdgeEl>>,
    /// Edge index by (parent, child).
    edge_at: HashMap<(u32, u32), usize>,
    jobs: HashMap<u32, (Element, String)>,
    /// Nodes and edges whose class lags behind the selected tick (out of view while the
    /// tree ran; brought up to date when they come into view or the ticks stop).
    stale: usize,
    /// The part of the drawing in view at the last update.
    view: Option<Rect>,
}

/// How much of the drawing one update brings up to date.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sync {
    /// Everything (after a control was used, and whenever the ticks pause).
    All,
    /// What is in view (while ticks arrive every frame).
    InView,
}

pub struct TreeStudio {
    source: Source,
    prefix: String,
    tree: Option<usize>,
    /// Follow the newest tick (else `sel` is pinned).
    follow: bool,
    sel: usize,
    collapsed: Vec<bool>,
    fold_gen: u64,
    orient: Option<Orient>,
    drawn: Drawn,
    host: NodeRef,
    running: bool,
    rate: u32,
    next_due: f64,
    /// Frame time of the last recorded change.
    last_change: f64,
    seen: u64,
    last_panel: f64,
    panel_due: bool,
    was_running_program: bool,
    sel_node: Option<u32>,
    focus: Option<u32>,
    hl_key: Option<String>,
    hl_node: Option<u32>,
    message: Option<String>,
    last_jobs_refresh: f64,
    links: Vec<(JobId, u32)>,
    /// The event list's scroll position and height (px).
    events_top: f64,
    events_height: f64,
    _frames: Option<Frames>,
}

fn recording(rec: &Recorder, tree: Option<usize>) -> Option<&Recording> {
    rec.trees().get(tree?)
}

fn status_mark(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Success) => "✓",
        Some(Status::Failure) => "✗",
        Some(Status::Running) => "↻",
        None => "○",
    }
}

/// Whether a blackboard writer is a node (not a tick input or an outside write).
fn writer_is_node(name: &str) -> bool {
    !matches!(name, "bt.tick" | "bt.blackboard.put")
}

thread_local! {
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

impl TreeStudio {
    fn pick_default(&mut self) {
        let rec = self.source.recorder().borrow();
        let trees = rec.trees();
        if self.tree.is_none_or(|t| t >= trees.len()) {
            self.tree = trees.iter().rposition(|t| !t.is_empty()).or_else(|| trees.len().checked_sub(1));
        }
    }

    fn period(&self) -> f64 {
        1000.0 / f64::from(self.rate.max(1))
    }

    /// The selected tick index of the current tree (None: no ticks).
    fn index(&self, r: &Recording) -> Option<usize> {
        if r.is_empty() {
            None
        } else if self.follow {
            Some(r.len() - 1)
        } else {
            Some(self.sel.min(r.len() - 1))
        }
    }

    fn inst(&self) -> Option<u32> {
        let rec = self.source.recorder().borrow();
        recording(&rec, self.tree).map(|r| r.inst)
    }

    /// The part of the drawing the reader can see: the tree box's scrolled window, clipped to
    /// the browser window, with a margin. `None`: unknown (everything counts as in view).
    fn in_view(&self) -> Option<Rect> {
        let host = self.host.cast::<Element>()?;
        let win = web_sys::window()?;
        let (vw, vh) = (win.inner_width().ok()?.as_f64()?, win.inner_height().ok()?.as_f64()?);
        let r = host.get_bounding_client_rect();
        let (left, top) = (r.left().max(0.0), r.top().max(0.0));
        let (right, bottom) = (r.right().min(vw), r.bottom().min(vh));
        if right <= left || bottom <= top {
            return Some([0.0, 0.0, -1.0, -1.0]);
        }
        // client px -> drawing px: the SVG sits at the box's padding edge, scrolled.
        let dx = f64::from(host.scroll_left()) - r.left() - f64::from(host.client_left());
        let dy = f64::from(host.scroll_top()) - r.top() - f64::from(host.client_top());
        Some([left + dx - VIEW_MARGIN, top + dy - VIEW_MARGIN, right + dx + VIEW_MARGIN, bottom + dy + VIEW_MARGIN])
    }

    /// Redraw the SVG when its layout changed, then bring classes and job lines up to date:
    /// every node and edge (`Sync::All`), or those in view (`Sync::InView`; the rest are
    /// counted in `drawn.stale` and follow when they come into view or the ticks stop).
    /// Only elements whose status or marks changed are touched.
    fn sync_svg(&mut self, force_jobs: bool, how: Sync) {
        let Some(host) = self.host.cast::<Element>() else { return };
        let rec_rc = self.source.recorder().clone();
        let rec = rec_rc.borrow();
        let Some(r) = recording(&rec, self.tree) else {
            if self.drawn.key.is_some() {
                host.set_inner_html("");
                self.drawn = Drawn::default();
            }
            return;
        };
        let shape = r.shape.clone();
        if self.collapsed.len() != shape.len() {
            self.collapsed = vec![false; shape.len()];
        }
        let key = (self.tree.unwrap_or(0), Rc::as_ptr(&shape) as usize, self.fold_gen, self.orient, shape.len());
        if self.drawn.key != Some(key) {
            let l = layout(&shape, &self.collapsed, self.orient);
            let label = format!("Behaviour tree with {} nodes", shape.len());
            let text = svg(
                &shape,
                &l,
                &SvgOptions { prefix: &self.prefix, statuses: None, path: &[], standalone: false, label: &label },
            );
            host.set_inner_html(&text);
            let doc = web_sys::window().and_then(|w| w.document());
            let find = |id: String| doc.as_ref().and_then(|d| d.get_element_by_id(&id));
            let mut nodes: Vec<Option<NodeEl>> = (0..shape.len()).map(|_| None).collect();
            for p in &l.nodes {
                if let Some(el) = find(format!("{}-n{}", self.prefix, p.id)) {
                    let _ = el.set_attribute("role", "treeitem");
                    let _ = el.set_attribute("aria-level", &(p.depth + 1).to_string());
                    if shape.node(p.id).is_some_and(|n| !n.children.is_empty()) {
                        let _ = el.set_attribute("aria-expanded", if p.hidden > 0 { "false" } else { "true" });
                    }
                    let folded = if p.hidden > 0 { X_COLLAPSED } else { 0 };
                    nodes[p.id as usize] =
                        Some(NodeEl { el, rect: [p.x, p.y, p.x + p.w, p.y + p.h], applied: (None, folded) });
                }
            }
            let rect_of = |id: u32| l.placed(id).map(|p| [p.x, p.y, p.x + p.w, p.y + p.h]);
            let mut edge_at = HashMap::new();
            let mut edges = Vec::with_capacity(l.edges.len());
            for (i, e) in l.edges.iter().enumerate() {
                edge_at.insert((e.parent, e.child), i);
                let el = find(format!("{}-e{}-{}", self.prefix, e.parent, e.child));
                edges.push(el.zip(rect_of(e.parent).zip(rect_of(e.child))).map(|(el, (a, b))| EdgeEl {
                    el,
                    rect: [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])],
                    applied: edge_class(e.shared, false, false),
                }));
            }
            let mut jobs = HashMap::new();
            for n in shape.nodes.iter().filter(|n| matches!(n.family, Family::Vla | Family::Planner)) {
                if let Some(el) = find(format!("{}-j{}", self.prefix, n.id)) {
                    jobs.insert(n.id, (el, String::new()));
                }
            }
            self.drawn = Drawn { key: Some(key), layout: Some(l), nodes, edges, edge_at, jobs, stale: 0, view: None };
        }
        let now_in_view = self.in_view();
        self.drawn.view = now_in_view;
        let view = match how {
            Sync::All => None,
            Sync::InView => now_in_view,
        };
        let shown = |rect: &Rect| view.as_ref().is_none_or(|v| meets(v, rect));
        let mut stale = 0usize;
        let idx = self.index(r);
        let statuses = idx.map(|i| r.statuses(i)).unwrap_or_else(|| vec![None; shape.len()]);
        for (id, slot) in self.drawn.nodes.iter_mut().enumerate() {
            let Some(n) = slot else { continue };
            let id = id as u32;
            let mut extra = n.applied.1 & X_COLLAPSED;
            if self.sel_node == Some(id) {
                extra |= X_SEL;
            }
            if self.hl_node == Some(id) {
                extra |= X_HL;
            }
            if self.focus == Some(id) {
                extra |= X_FOCUS;
            }
            let want = (statuses.get(id as usize).copied().flatten(), extra);
            if n.applied == want {
                continue;
            }
            if !shown(&n.rect) {
                stale += 1;
                continue;
            }
            let mut words = String::new();
            for (bit, word) in [(X_COLLAPSED, "collapsed"), (X_SEL, "sel"), (X_HL, "hl"), (X_FOCUS, "focus")] {
                if extra & bit != 0 {
                    if !words.is_empty() {
                        words.push(' ');
                    }
                    words.push_str(word);
                }
            }
            let _ = n.el.set_attribute("class", &node_class(&shape, id, want.0, &words));
            n.applied = want;
        }
        if let Some(l) = &self.drawn.layout {
            let mut on = vec![false; self.drawn.edges.len()];
            if let Some(i) = idx {
                for pc in r.path(i) {
                    if let Some(&k) = self.drawn.edge_at.get(&pc) {
                        on[k] = true;
                    }
                }
            }
            for ((edge, e), on) in self.drawn.edges.iter_mut().zip(l.edges.iter()).zip(on) {
                let Some(edge) = edge else { continue };
                let run = on && statuses.get(e.child as usize).copied().flatten() == Some(Status::Running);
                let cls = edge_class(e.shared, on, run);
                if edge.applied == cls {
                    continue;
                }
                if !shown(&edge.rect) {
                    stale += 1;
                    continue;
                }
                let _ = edge.el.set_attribute("class", cls);
                edge.applied = cls;
            }
        }
        self.drawn.stale = stale;
        if force_jobs || !self.drawn.jobs.is_empty() {
            let live = self.source.live().cloned();
            let mut links = Vec::new();
            for (&node, (el, applied)) in self.drawn.jobs.iter_mut() {
                let text = match shape.node(node).map(|n| n.family) {
                    Some(Family::Vla) => match idx.and_then(|i| r.job_at(node, i)) {
                        Some(job) => {
                            links.push((job as JobId, node));
                            let state = live.as_ref().and_then(|l| {
                                l.engine.try_borrow().ok().and_then(|e| e.job(job as JobId).map(|j| j.state))
                            });
                            match state {
                                Some(s) => format!("job #{job} · {}", s.name()),
                                None => format!("job #{job}"),
                            }
                        }
                        None => "no job yet".to_string(),
                    },
                    _ => idx.and_then(|i| r.plan_at(node, i)).map(crate::studio::layout::clip).unwrap_or_default(),
                };
                if *applied != text {
                    el.set_text_content(Some(&text));
                    *applied = text;
                }
            }
            links.sort();
            if links != self.links {
                self.links = links;
            }
        }
    }

    fn neighbour(&self, key: &str) -> Option<u32> {
        let rec = self.source.recorder().borrow();
        let r = recording(&rec, self.tree)?;
        let shape = &r.shape;
        let l = self.drawn.layout.as_ref()?;
        let cur = self.focus.unwrap_or(shape.root);
        let parents = shape.parents();
        let visible_kids = |id: u32| -> Vec<u32> {
            shape
                .node(id)
                .map(|n| n.children.iter().copied().filter(|c| l.placed(*c).is_some()).collect())
                .unwrap_or_default()
        };
        let (to_parent, to_child, prev, next) = match l.orient {
            Orient::TopDown => ("ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"),
            Orient::LeftRight => ("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"),
        };
        if key == "Home" {
            return Some(shape.root);
        }
        if key == to_parent {
            return parents.get(cur as usize).copied().flatten();
        }
        if key == to_child {
            return visible_kids(cur).first().copied();
        }
        if key == prev || key == next {
            let p = parents.get(cur as usize).copied().flatten()?;
            let sibs = visible_kids(p);
            let i = sibs.iter().position(|&s| s == cur)?;
            let j = if key == prev { i.checked_sub(1)? } else { i + 1 };
            return sibs.get(j).copied();
        }
        None
    }

    fn scroll_to_node(&self, id: u32) {
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(el) = doc.and_then(|d| d.get_element_by_id(&format!("{}-n{id}", self.prefix))) {
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
            opts.set_inline(web_sys::ScrollLogicalPosition::Center);
            el.scroll_into_view_with_scroll_into_view_options(&opts);
        }
    }

    fn publish_links(&self, ctx: &Context<Self>) {
        let live = self.source.live();
        let shared = live.is_some_and(|l| !l.isolated);
        let rec = self.source.recorder().borrow();
        let tree_no = self.tree.map_or(0, |t| t + 1);
        let entries = if shared {
            let Some(r) = recording(&rec, self.tree) else { return };
            self.links
                .iter()
                .map(|&(job, node)| {
                    let caption = r.shape.node(node).map(|n| n.caption()).unwrap_or_default();
                    let cb = ctx.link().callback(move |_: ()| Msg::SelectNode(Some(node)));
                    (job, format!("{caption} (node {node}, tree {tree_no})"), cb)
                })
                .collect()
        } else {
            Vec::new()
        };
        crate::web::tree_links::set(&self.prefix, entries);
    }

    fn export(&self, what: &str) {
        let rec = self.source.recorder().borrow();
        let Some(r) = recording(&rec, self.tree) else { return };
        let base = format!("tree-{}", r.inst);
        match what {
            "dot" => download(&format!("{base}.dot"), "text/vnd.graphviz", &r.shape.dot()),
            "svg" => {
                let l = layout(&r.shape, &self.collapsed, self.orient);
                let idx = self.index(r);
                let st = idx.map(|i| r.statuses(i));
                let path = idx.map(|i| r.path(i)).unwrap_or_default();
                let label = match idx.and_then(|i| r.tick(i)) {
                    Some(t) => format!("Behaviour tree at tick {}", t.tick),
                    None => "Behaviour tree".to_string(),
                };
                let text = svg(
                    &r.shape,
                    &l,
                    &SvgOptions { prefix: "bt", statuses: st.as_deref(), path: &path, standalone: true, label: &label },
                );
                download(&format!("{base}.svg"), "image/svg+xml", &text);
            }
            _ => download(
                &format!("{base}.mbt.evt.jsonl"),
                "application/x-ndjson",
                &r.log_text(&rec.run_id, rec.run_start()),
            ),
        }
    }
}

impl Component for TreeStudio {
    type Message = Msg;
    type Properties = TreeStudioProps;

    fn create(ctx: &Context<Self>) -> Self {
        ensure_css();
        let n = NEXT_ID.with(|c| {
            let n = c.get();
            c.set(n + 1);
            n
        });
        let prefix = if ctx.props().id.is_empty() { format!("bts{n}") } else { ctx.props().id.to_string() };
        let link = ctx.link().clone();
        let fr = frames(move |t| link.send_message(Msg::Frame(t)));
        let mut s = TreeStudio {
            source: ctx.props().source.clone(),
            prefix,
            tree: None,
            follow: true,
            sel: 0,
            collapsed: Vec::new(),
            fold_gen: 0,
            orient: None,
            drawn: Drawn::default(),
            host: NodeRef::default(),
            running: false,
            rate: ctx.props().rate.max(1),
            next_due: 0.0,
            last_change: 0.0,
            seen: u64::MAX,
            last_panel: 0.0,
            panel_due: true,
            was_running_program: true,
            sel_node: None,
            focus: None,
            hl_key: None,
            hl_node: None,
            message: None,
            last_jobs_refresh: 0.0,
            links: Vec::new(),
            events_top: 0.0,
            events_height: EVENT_ROWS_SEEN as f64 * EVENT_ROW_PX,
            _frames: Some(fr),
        };
        s.pick_default();
        s
    }

    fn changed(&mut self, ctx: &Context<Self>, _old: &Self::Properties) -> bool {
        if ctx.props().source != self.source {
            self.source = ctx.props().source.clone();
            self.tree = None;
            self.follow = true;
            self.running = false;
            self.drawn = Drawn::default();
            self.seen = u64::MAX;
            self.pick_default();
        }
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        // The first drawing, or job lines after a re-render; a tree that changed while it ran
        // is settled by the frames (what is out of view follows when the ticks stop).
        self.sync_svg(true, Sync::InView);
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        crate::web::tree_links::set(&self.prefix, Vec::new());
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(t) => {
                let mut render = false;
                let live = self.source.live().cloned();
                if let Some(live) = &live {
                    let prog = live.program_running.get();
                    if prog != self.was_running_program {
                        self.was_running_program = prog;
                        render = true;
                    }
                }
                // Run: the studio ticks the tree (live) or plays the recording back (replay).
                // Live ticks keep to the chosen rate on the frame clock: when a frame comes
                // late, the ticks it is owed run in it (up to MAX_TICKS_PER_FRAME), and the
                // drawing below shows the newest of them once.
                if self.running && t >= self.next_due {
                    match &live {
                        Some(live) => {
                            if t - self.next_due > self.period() * MAX_TICKS_PER_FRAME as f64 {
                                self.next_due = t;
                            }
                            let mut n = 0;
                            while self.running && t >= self.next_due && n < MAX_TICKS_PER_FRAME {
                                if ticker::blocked(live).is_some() {
                                    break;
                                }
                                let Some(inst) = self.inst() else { break };
                                if let Err(e) = ticker::start(live, inst, Cmd::Tick) {
                                    self.message = Some(e);
                                    self.running = false;
                                    render = true;
                                }
                                self.next_due += self.period();
                                n += 1;
                            }
                        }
                        None => {
                            let len = recording(&self.source.recorder().borrow(), self.tree).map_or(0, |r| r.len());
                            if self.sel + 1 < len {
                                self.sel += 1;
                                self.follow = false;
                                self.panel_due = true;
                                self.sync_svg(false, Sync::InView);
                                self.last_change = t;
                            } else {
                                self.running = false;
                                render = true;
                            }
                            self.next_due = t + self.period();
                        }
                    }
                }
                let v = self.source.recorder().borrow().version();
                let changed = v != self.seen;
                if changed {
                    self.seen = v;
                    self.last_change = t;
                    if self.tree.is_none() {
                        self.pick_default();
                    }
                    self.sync_svg(false, Sync::InView);
                    self.panel_due = true;
                } else if self.drawn.stale > 0 && t - self.last_change >= SETTLE_MS {
                    // The ticks stopped: bring the parts out of view up to date too.
                    self.sync_svg(true, Sync::All);
                } else if self.drawn.stale > 0 && self.in_view() != self.drawn.view {
                    // Scrolled while ticking: draw what came into view.
                    self.sync_svg(false, Sync::InView);
                } else if t - self.last_jobs_refresh > 250.0 && !self.drawn.jobs.is_empty() {
                    self.last_jobs_refresh = t;
                    self.sync_svg(true, Sync::All);
                }
                if self.panel_due && (!self.running || t - self.last_panel >= PANEL_MS) {
                    self.panel_due = false;
                    self.last_panel = t;
                    self.publish_links(ctx);
                    render = true;
                }
                render
            }
            Msg::PickTree(i) => {
                self.tree = Some(i);
                self.follow = true;
                self.sel_node = None;
                self.focus = None;
                self.hl_node = None;
                self.drawn.key = None;
                self.panel_due = true;
                true
            }
            Msg::Command(cmd) => {
                self.message = None;
                match (self.source.live(), self.inst()) {
                    (Some(live), Some(inst)) => {
                        if cmd != Cmd::Tick {
                            self.running = false;
                        }
                        self.follow = true;
                        if let Err(e) = ticker::start(live, inst, cmd) {
                            self.message = Some(e);
                        }
                    }
                    _ => self.message = Some("no tree to tick".into()),
                }
                true
            }
            Msg::Run => {
                self.running = true;
                self.message = None;
                self.next_due = 0.0;
                if self.source.live().is_some() {
                    self.follow = true;
                } else {
                    let len = recording(&self.source.recorder().borrow(), self.tree).map_or(0, |r| r.len());
                    if self.follow || self.sel + 1 >= len {
                        self.sel = 0;
                    }
                    self.follow = false;
                }
                true
            }
            Msg::Pause => {
                self.running = false;
                true
            }
            Msg::SetRate(r) => {
                self.rate = r.max(1);
                true
            }
            Msg::Scrub(i) => {
                let len = recording(&self.source.recorder().borrow(), self.tree).map_or(0, |r| r.len());
                self.sel = i.min(len.saturating_sub(1));
                self.follow = false;
                self.sync_svg(true, Sync::All);
                true
            }
            Msg::StepBy(d) => {
                let (len, cur) = {
                    let rec = self.source.recorder().borrow();
                    match recording(&rec, self.tree) {
                        Some(r) => (r.len(), self.index(r).unwrap_or(0)),
                        None => (0, 0),
                    }
                };
                if len == 0 {
                    return false;
                }
                self.sel = (cur as i64 + d).clamp(0, len as i64 - 1) as usize;
                self.follow = false;
                self.sync_svg(true, Sync::All);
                true
            }
            Msg::Latest => {
                self.follow = true;
                self.sync_svg(true, Sync::All);
                true
            }
            Msg::FirstFailure => {
                let f = recording(&self.source.recorder().borrow(), self.tree).and_then(|r| r.first_failure());
                match f {
                    Some(i) => {
                        self.sel = i;
                        self.follow = false;
                        self.running = false;
                        self.message = None;
                    }
                    None => self.message = Some("no failure recorded".into()),
                }
                self.sync_svg(true, Sync::All);
                true
            }
            Msg::SelectNode(n) => {
                self.sel_node = n;
                if let Some(id) = n {
                    self.focus = Some(id);
                    self.scroll_to_node(id);
                }
                self.sync_svg(false, Sync::All);
                true
            }
            Msg::ToggleCollapse(id) => {
                if let Some(c) = self.collapsed.get_mut(id as usize) {
                    *c = !*c;
                    self.fold_gen += 1;
                }
                self.focus = Some(id);
                self.sync_svg(true, Sync::All);
                true
            }
            Msg::FoldAll(fold) => {
                let rec = self.source.recorder().borrow();
                if let Some(r) = recording(&rec, self.tree) {
                    self.collapsed =
                        r.shape.nodes.iter().map(|n| fold && n.id != r.shape.root && !n.children.is_empty()).collect();
                    self.fold_gen += 1;
                }
                drop(rec);
                self.sync_svg(true, Sync::All);
                true
            }
            Msg::SetOrient(o) => {
                self.orient = o;
                self.sync_svg(true, Sync::All);
                true
            }
            Msg::HighlightKey(k, node) => {
                self.hl_key = Some(k);
                self.hl_node = node;
                if let Some(id) = node {
                    self.scroll_to_node(id);
                }
                self.sync_svg(false, Sync::All);
                true
            }
            Msg::TreeKey(e) => {
                let key = e.key();
                match key.as_str() {
                    "Enter" => {
                        let n = self.focus;
                        if n.is_some() {
                            e.prevent_default();
                            self.sel_node = n;
                            self.sync_svg(false, Sync::All);
                            return true;
                        }
                        false
                    }
                    " " => {
                        if let Some(n) = self.focus {
                            e.prevent_default();
                            ctx.link().send_message(Msg::ToggleCollapse(n));
                        }
                        false
                    }
                    "Escape" => {
                        self.sel_node = None;
                        self.hl_node = None;
                        self.sync_svg(false, Sync::All);
                        true
                    }
                    _ => match self.neighbour(&key) {
                        Some(n) => {
                            e.prevent_default();
                            self.focus = Some(n);
                            self.scroll_to_node(n);
                            if let Some(host) = self.host.cast::<Element>() {
                                let _ = host.set_attribute("aria-activedescendant", &format!("{}-n{n}", self.prefix));
                            }
                            self.sync_svg(false, Sync::All);
                            true
                        }
                        None => false,
                    },
                }
            }
            Msg::TreeClick(e, double) => {
                let Some(t) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return false };
                let Ok(Some(g)) = t.closest(".bt-node") else { return false };
                let Some(id) = g.get_attribute("data-id").and_then(|s| s.parse::<u32>().ok()) else { return false };
                if double {
                    ctx.link().send_message(Msg::ToggleCollapse(id));
                    return false;
                }
                self.sel_node = Some(id);
                self.focus = Some(id);
                self.sync_svg(false, Sync::All);
                true
            }
            Msg::EventsScroll(top, height) => {
                let window = |top: f64, h: f64| ((top / EVENT_ROW_PX) as usize, (h / EVENT_ROW_PX) as usize);
                let before = window(self.events_top, self.events_height);
                self.events_top = top;
                self.events_height = height;
                // Re-render only when the rows in sight change.
                window(top, height) != before
            }
            Msg::Export(what) => {
                self.export(what);
                false
            }
            Msg::LoadFile(file) => {
                let link = ctx.link().clone();
                let name = file.name();
                wasm_bindgen_futures::spawn_local(async move {
                    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
                    let res = match text.ok().and_then(|t| t.as_string()) {
                        Some(t) => crate::studio::log::read_log(&t).map(|r| Rc::new(RefCell::new(r))),
                        None => Err("could not read the file".into()),
                    };
                    link.send_message(Msg::Loaded(res, name));
                });
                false
            }
            Msg::Loaded(res, name) => {
                match res {
                    Ok(rec) => {
                        self.source = Source::Replay(rec, name);
                        self.tree = None;
                        self.follow = false;
                        self.sel = 0;
                        self.running = false;
                        self.drawn = Drawn::default();
                        self.seen = u64::MAX;
                        self.message = None;
                        self.pick_default();
                    }
                    Err(e) => self.message = Some(format!("{name}: {e}")),
                }
                true
            }
            Msg::FocusJob(job) => {
                if let Some(state) = ctx.link().context::<SessionHandle>(Callback::noop()).map(|(s, _)| s) {
                    state.dispatch(SessionAction::Focus(job));
                }
                false
            }
            Msg::CancelJob(job) => {
                if let Some(live) = self.source.live() {
                    if !live.isolated {
                        if let Some((state, _)) = ctx.link().context::<SessionHandle>(Callback::noop()) {
                            state.dispatch(SessionAction::Cancel(job));
                            return true;
                        }
                    }
                    if let Ok(mut e) = live.engine.try_borrow_mut() {
                        e.cancel(job);
                    }
                }
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let rec_rc = self.source.recorder().clone();
        let rec = rec_rc.borrow();
        let trees = rec.trees();
        let live = self.source.live();
        let replay = live.is_none();
        let r = recording(&rec, self.tree);
        let idx = r.and_then(|r| self.index(r));
        let len = r.map_or(0, |r| r.len());
        let cur_tick = r.zip(idx).and_then(|(r, i)| r.tick(i));
        let blocked = live.and_then(|l| ticker::blocked(l));
        let no_tree = r.is_none();
        let p = &self.prefix;

        // ---- header: which tree, where we are
        let picker = if trees.len() > 1 {
            let onchange = link.batch_callback(|e: Event| {
                let s: HtmlSelectElement = e.target_dyn_into()?;
                s.value().parse::<usize>().ok().map(Msg::PickTree)
            });
            html! {
                <label class="studio-pick">{"Tree "}
                    <select {onchange} aria-label="Which tree">
                        { for trees.iter().enumerate().map(|(i, t)| {
                            let root = t.shape.node(t.shape.root).map(|n| n.kind.dsl_name()).unwrap_or("");
                            html! { <option value={i.to_string()} selected={self.tree == Some(i)}>
                                {format!("{} · {root}, {} nodes, {} ticks", i + 1, t.shape.len(), t.len() as u64 + t.dropped)}
                            </option> }
                        }) }
                    </select>
                </label>
            }
        } else {
            Html::default()
        };
        let where_text = match (cur_tick, r) {
            (Some(t), Some(_)) => {
                let root = t.root;
                format!(
                    "tick {} · root {} {}{}",
                    t.tick,
                    status_mark(root),
                    status_words(root),
                    if self.follow { "" } else { " (recorded)" }
                )
            }
            (None, Some(_)) => "not ticked yet".to_string(),
            _ => "no tree yet".to_string(),
        };
        let title = match &self.source {
            Source::Replay(_, name) => format!("Replay of {name}"),
            Source::Live(_) => "Tree view".to_string(),
        };

        // ---- controls
        let rates = {
            let onchange = link.batch_callback(|e: Event| {
                let s: HtmlSelectElement = e.target_dyn_into()?;
                s.value().parse::<u32>().ok().map(Msg::SetRate)
            });
            html! {
                <label class="studio-rate">{"at "}
                    <select {onchange} aria-label="Run rate, ticks per second">
                        { for RATES.iter().map(|&r| html!{ <option value={r.to_string()} selected={r == self.rate}>{format!("{r}/s")}</option> }) }
                    </select>
                </label>
            }
        };
        let cant = no_tree || blocked.is_some();
        let controls = html! {
            <div class="studio-bar" role="toolbar" aria-label="Tree controls">
                if !replay {
                    <button class="st-tick" disabled={cant || self.running} onclick={link.callback(|_| Msg::Command(Cmd::Tick))}
                        title="Tick the tree once">{"Tick once"}</button>
                }
                if self.running {
                    <button class="st-pause" onclick={link.callback(|_| Msg::Pause)} title="Stop ticking">{"Pause"}</button>
                } else {
                    <button class="st-run" disabled={no_tree || (!replay && blocked.is_some()) || (replay && len == 0)}
                        onclick={link.callback(|_| Msg::Run)}
                        title={ if replay { "Play the recorded ticks back" } else { "Tick the tree again and again" } }>
                        { if replay { "Play" } else { "Run" } }</button>
                }
                { rates }
                if !replay {
                    <button class="st-halt" disabled={cant} onclick={link.callback(|_| Msg::Command(Cmd::Halt))}
                        title="Halt the running nodes (their jobs are released), keep the blackboard (bt.halt)">{"Halt"}</button>
                    <button class="st-reset" disabled={cant} onclick={link.callback(|_| Msg::Command(Cmd::Reset))}
                        title="Halt the tree and clear its memory and blackboard (bt.reset)">{"Reset"}</button>
                }
                <span class="studio-where" role="status" aria-live="off">{ where_text.clone() }</span>
                if let Some(why) = blocked.filter(|_| !no_tree) {
                    <span class="studio-note muted">{format!("Controls wait: {why}.")}</span>
                }
                if let Some(m) = &self.message { <span class="studio-note studio-msg" role="alert">{m.clone()}</span> }
            </div>
        };

        // ---- time travel
        let first_tick = r.and_then(|r| r.tick(0)).map_or(0, |t| t.tick);
        let last_tick = r.and_then(|r| len.checked_sub(1).and_then(|i| r.tick(i))).map_or(0, |t| t.tick);
        let timeline = html! {
            <div class="studio-time">
                <button class="st-prev" disabled={len == 0} onclick={link.callback(|_| Msg::StepBy(-1))} aria-label="Previous tick" title="Previous tick">{"◀"}</button>
                <input class="st-scrub" type="range" min="0" max={len.saturating_sub(1).to_string()}
                    value={idx.unwrap_or(0).to_string()} disabled={len == 0}
                    aria-label="Recorded tick (arrow keys step)"
                    aria-valuetext={cur_tick.map(|t| format!("tick {}", t.tick)).unwrap_or_default()}
                    oninput={link.batch_callback(|e: InputEvent| {
                        let i: HtmlInputElement = e.target_dyn_into()?;
                        i.value().parse::<usize>().ok().map(Msg::Scrub)
                    })} />
                <button class="st-next" disabled={len == 0} onclick={link.callback(|_| Msg::StepBy(1))} aria-label="Next tick" title="Next tick">{"▶"}</button>
                <button class="st-latest" disabled={len == 0 || self.follow} onclick={link.callback(|_| Msg::Latest)} title="Follow the newest tick">{"Latest"}</button>
                <button class="st-failure" disabled={len == 0} onclick={link.callback(|_| Msg::FirstFailure)}
                    title="Jump to the first tick whose root failed (else the first in which any node failed)">{"First failure"}</button>
                <span class="studio-range muted">{ if len == 0 { "no ticks recorded".to_string() } else {
                    format!("{len} ticks kept ({first_tick}–{last_tick}){}", r.filter(|r| r.dropped > 0).map(|r| format!(", {} older dropped", r.dropped)).unwrap_or_default())
                } }</span>
            </div>
        };

        // ---- side panes
        let bb: Bb = match (r, idx) {
            (Some(r), Some(i)) => r.bb_at(i),
            (Some(r), None) => r.bb_now().clone(),
            _ => Bb::new(),
        };
        let changed = match (r, idx) {
            (Some(r), Some(i)) => r.changed_keys(i),
            _ => Vec::new(),
        };
        let shape = r.map(|r| r.shape.clone());
        let bb_rows = bb.iter().map(|(k, e)| {
            let is_changed = changed.contains(k);
            let writer_node = writer_is_node(&e.writer_name).then_some(e.writer_node);
            let writer = match (writer_node, &shape) {
                (Some(n), Some(s)) => s.node(n).map(|x| x.caption()).unwrap_or_else(|| e.writer_name.clone()),
                _ => e.writer_name.clone(),
            };
            let key = k.clone();
            let onclick = link.callback(move |_| Msg::HighlightKey(key.clone(), writer_node));
            let mut value = e.value.repr();
            if value.chars().count() > 60 {
                value = value.chars().take(59).collect::<String>() + "…";
            }
            html! {
                <tr class={classes!(is_changed.then_some("changed"), (self.hl_key.as_deref() == Some(k.as_str())).then_some("hl"))} data-key={k.clone()}>
                    <td><button class="bb-key" {onclick} title="Highlight the node that wrote it">{k.clone()}</button>
                        if is_changed { <span class="bb-changed" title="changed in this tick">{" ●"}<span class="sr">{" changed in this tick"}</span></span> }</td>
                    <td class="bb-value"><code>{value}</code></td>
                    <td class="bb-type">{e.value.type_name()}</td>
                    <td class="bb-writer">{writer}</td>
                    <td class="bb-tick">{e.tick}</td>
                </tr>
            }
        });
        let bb_view = html! {
            <div class="studio-bb">
                <h4>{"Blackboard"}{ cur_tick.map(|t| format!(" at tick {}", t.tick)).unwrap_or_default() }</h4>
                if bb.is_empty() { <p class="muted">{"Empty."}</p> } else {
                    <table class="bb-table">
                        <thead><tr><th scope="col">{"key"}</th><th scope="col">{"value"}</th><th scope="col">{"type"}</th><th scope="col">{"writer"}</th><th scope="col">{"tick"}</th></tr></thead>
                        <tbody>{ for bb_rows }</tbody>
                    </table>
                }
            </div>
        };
        let total = match (r, idx) {
            (Some(r), Some(i)) => r.event_count(i),
            _ => 0,
        };
        let seen = ((self.events_height / EVENT_ROW_PX).ceil() as usize).max(1);
        let first = ((self.events_top / EVENT_ROW_PX) as usize).saturating_sub(EVENT_OVERSCAN).min(total);
        let events = match (r, idx) {
            (Some(r), Some(i)) => r.events_from(i, first, seen + 2 * EVENT_OVERSCAN).0,
            _ => Vec::new(),
        };
        let on_scroll = link.batch_callback(|e: Event| {
            let el: Element = e.target_dyn_into()?;
            Some(Msg::EventsScroll(f64::from(el.scroll_top()), f64::from(el.client_height())))
        });
        let events_view = html! {
            <details class="studio-events" open=true>
                <summary>{format!("Events of this tick ({total})")}</summary>
                <div class="ev-scroll" onscroll={on_scroll} tabindex="0" role="region" aria-label="Events of the selected tick">
                    <div class="ev-space" style={format!("height:{}px", total as f64 * EVENT_ROW_PX)}>
                        <ol start={(first + 1).to_string()} style={format!("top:{}px", first as f64 * EVENT_ROW_PX)}>
                            { for events.iter().map(|e| {
                                let who = e.node.and_then(|n| shape.as_ref().and_then(|s| s.node(n))).map(|n| format!(" {}", n.caption())).unwrap_or_default();
                                let title = format!("{}{who} {}", e.kind, e.data);
                                html! { <li class={format!("ev-{}", e.kind)} {title}><code class="ev-kind">{e.kind.clone()}</code><span class="ev-who">{who}</span>{" "}<code class="ev-data">{e.data.clone()}</code></li> }
                            }) }
                        </ol>
                    </div>
                </div>
            </details>
        };
        let details = match (self.sel_node, r) {
            (Some(id), Some(r)) => {
                let n = r.shape.node(id).cloned();
                let st = idx.and_then(|i| r.statuses(i).get(id as usize).copied().flatten());
                n.map(|n| {
                    let job = idx.and_then(|i| r.job_at(id, i)).filter(|_| n.family == Family::Vla);
                    let job_state: Option<State> =
                        job.and_then(|j| live.and_then(|l| l.engine.try_borrow().ok()?.job(j as JobId).map(|x| x.state)));
                    let plan = idx.and_then(|i| r.plan_at(id, i)).filter(|_| n.family == Family::Planner).map(str::to_string);
                    let folded = self.collapsed.get(id as usize).copied().unwrap_or(false);
                    html! {
                        <div class="studio-node" aria-live="polite">
                            <h4>{n.caption()}</h4>
                            <p>{format!("{} · node {} · ", n.family.describe(), id)}<strong>{format!("{} {}", status_mark(st), status_words(st))}</strong></p>
                            if !n.args.is_empty() { <p><code class="node-args">{n.args.clone()}</code></p> }
                            if let Some(j) = job {
                                <p class="node-job">{format!("Job #{j}")}{ job_state.map(|s| format!(" · {}", s.name())).unwrap_or_default() }
                                    if live.is_some_and(|l| !l.isolated) {
                                        {" "}<button class="st-show-job" onclick={link.callback(move |_| Msg::FocusJob(j as JobId))}>{"Show in jobs panel"}</button>
                                    }
                                    if job_state.is_some_and(|s| !s.is_terminal()) {
                                        {" "}<button class="st-cancel-job" onclick={link.callback(move |_| Msg::CancelJob(j as JobId))}>{"Cancel job"}</button>
                                    }
                                </p>
                            }
                            if let Some(pl) = plan { <p class="node-plan">{"Last plan: "}<code>{pl}</code></p> }
                            if !n.children.is_empty() {
                                <button class="st-fold" onclick={link.callback(move |_| Msg::ToggleCollapse(id))} aria-expanded={(!folded).to_string()}>
                                    { if folded { "Expand subtree" } else { "Collapse subtree" } }</button>
                            }
                        </div>
                    }
                })
                .unwrap_or_default()
            }
            _ => {
                html! { <p class="studio-hint muted">{"Click a node (or focus the tree and use the arrow keys, Enter) to see its details; double-click or Space folds a subtree."}</p> }
            }
        };

        // ---- tools
        let on_file = link.batch_callback(|e: Event| {
            let i: HtmlInputElement = e.target_dyn_into()?;
            let f = i.files()?.get(0)?;
            i.set_value("");
            Some(Msg::LoadFile(f))
        });
        let orient_select = link.batch_callback(|e: Event| {
            let s: HtmlSelectElement = e.target_dyn_into()?;
            Some(Msg::SetOrient(match s.value().as_str() {
                "tb" => Some(Orient::TopDown),
                "lr" => Some(Orient::LeftRight),
                _ => None,
            }))
        });
        let orient_value = match self.orient {
            None => "auto",
            Some(Orient::TopDown) => "tb",
            Some(Orient::LeftRight) => "lr",
        };
        let tools = html! {
            <div class="studio-tools">
                <label>{"Layout "}
                    <select onchange={orient_select} aria-label="Layout direction">
                        <option value="auto" selected={orient_value == "auto"}>{"auto"}</option>
                        <option value="tb" selected={orient_value == "tb"}>{"top-down"}</option>
                        <option value="lr" selected={orient_value == "lr"}>{"left-right"}</option>
                    </select>
                </label>
                <button class="st-fold-all" disabled={no_tree} onclick={link.callback(|_| Msg::FoldAll(true))}>{"Collapse all"}</button>
                <button class="st-unfold-all" disabled={no_tree} onclick={link.callback(|_| Msg::FoldAll(false))}>{"Expand all"}</button>
                <span class="studio-exports">{"Export "}
                    <button class="st-dot" disabled={no_tree} onclick={link.callback(|_| Msg::Export("dot"))} title="The tree as Graphviz DOT">{"DOT"}</button>
                    <button class="st-svg" disabled={no_tree} onclick={link.callback(|_| Msg::Export("svg"))} title="The drawing with the selected tick's statuses">{"SVG"}</button>
                    <button class="st-log" disabled={len == 0} onclick={link.callback(|_| Msg::Export("log"))} title="The recorded ticks as an mbt.evt.v1 log (load it back to replay)">{"Run log"}</button>
                </span>
                <label class="studio-load">{"Replay a log "}
                    <input type="file" accept=".jsonl,.json,.log,.txt,application/x-ndjson" onchange={on_file} aria-label="Load an mbt.evt.v1 log to replay" />
                </label>
            </div>
        };
        let out = live.map(|l| l.output.borrow().clone()).unwrap_or_default();
        let tree_label = format!("{title}: {where_text}");
        html! {
            <section class="studio" id={p.clone()} aria-label={title.clone()} data-tick={cur_tick.map(|t| t.tick.to_string())}
                data-root={cur_tick.map(|t| status_words(t.root))} data-len={len.to_string()}>
                <header class="studio-head">
                    <h3>{title.clone()}</h3>
                    { picker }
                </header>
                { controls }
                { timeline }
                <div class="studio-main">
                    <div class="studio-tree" ref={self.host.clone()} tabindex="0" role="tree" aria-label={tree_label}
                        onclick={link.callback(|e| Msg::TreeClick(e, false))}
                        ondblclick={link.callback(|e| Msg::TreeClick(e, true))}
                        onkeydown={link.callback(Msg::TreeKey)}></div>
                    <aside class="studio-side">
                        { details }
                        { bb_view }
                        { events_view }
                    </aside>
                </div>
                if !out.is_empty() { <pre class="studio-out" aria-label="Output of the studio's ticks">{out}</pre> }
                if let Some(l) = live { <WorldCanvas live={l.clone()} /> }
                { tools }
                <details class="studio-legend">
                    <summary>{"How to read the tree"}</summary>
                    <p>{"Shapes: rounded box = composite (→ seq, ? sel, …), hexagon = decorator, pill = condition, square box = action, double box = VLA leaf, cut corners = planner leaf."}</p>
                    <p>{"Statuses in the selected tick: ✓ success (solid heavy border), ✗ failure (hatched), ↻ running (dashed border), faded = not ticked. Dark edges are the path the tick took; dashed dark edges lead to running nodes."}</p>
                    <p>{"The recording keeps the last 20,000 ticks of each tree and about 32 MB per run; older ticks are dropped first."}</p>
                </details>
            </section>
        }
    }
}
