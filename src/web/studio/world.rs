//! `<WorldCanvas live>`: the built-in 2-D world (`sim2d`) of a run, drawn on a canvas every
//! animation frame in which it moved: the arena, obstacles, the goal, the range rays and what
//! they hit, the trail, collisions, and the robot with its heading. Shown only while the run
//! has `sim2d` attached. A line of text under it (also the canvas's accessible name) says
//! where the robot is.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::env::lisp::EnvState;
use crate::env::world::WorldView;

use super::frames::{frames, Frames};
use super::Live;

#[derive(Properties)]
pub struct WorldProps {
    pub live: Rc<Live>,
}

impl PartialEq for WorldProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.live, &o.live)
    }
}

pub enum Msg {
    Frame,
}

pub struct WorldCanvas {
    canvas: NodeRef,
    /// (steps, t_ms, collisions, attached) last drawn, and the width drawn at.
    drawn: Option<(u64, i64, u64, f64)>,
    summary: Option<String>,
    _frames: Frames,
}

/// The world as the canvas shows it, if `sim2d` is attached.
fn view_of(live: &Live) -> Option<WorldView> {
    let mut interp = live.interp.try_borrow_mut().ok()?;
    let env = interp.ext::<EnvState>()?;
    env.0.world().map(|w| w.view())
}

fn key_of(live: &Live) -> Option<Option<(u64, i64)>> {
    let mut interp = live.interp.try_borrow_mut().ok()?;
    let env = interp.ext::<EnvState>()?;
    Some(env.0.world().map(|w| (w.counts().0, w.t_ms())))
}

/// One sentence about where the robot is.
pub fn summary(v: &WorldView) -> String {
    let (x, y) = v.robot;
    let d = ((v.goal.0 - x).powi(2) + (v.goal.1 - y).powi(2)).sqrt();
    let mut deg = v.heading.to_degrees() % 360.0;
    if deg < 0.0 {
        deg += 360.0;
    }
    format!(
        "Robot at ({x:.2}, {y:.2}) m heading {deg:.0}°, {d:.2} m from the goal{}; step {}, t = {:.2} s, {} collision{}.",
        if v.reached { " (reached)" } else { "" },
        v.steps,
        v.t_ms as f64 / 1000.0,
        v.collisions,
        if v.collisions == 1 { "" } else { "s" }
    )
}

fn css_var(el: &web_sys::Element, name: &str, fallback: &str) -> String {
    web_sys::window()
        .and_then(|w| w.get_computed_style(el).ok().flatten())
        .and_then(|s| s.get_property_value(name).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

fn draw(canvas: &HtmlCanvasElement, v: &WorldView) -> Option<f64> {
    let css_w = f64::from(canvas.client_width()).max(200.0);
    let dpr = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).clamp(1.0, 3.0);
    let aspect = if v.width > 0.0 { v.height / v.width } else { 0.6 };
    let (w, h) = ((css_w * dpr).round(), (css_w * aspect * dpr).round());
    if f64::from(canvas.width()) != w || f64::from(canvas.height()) != h {
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
    }
    let g: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let el: &web_sys::Element = canvas.as_ref();
    let (bg, fg, muted, border, accent, ok, err, value) = (
        css_var(el, "--bg-soft", "#f2efe8"),
        css_var(el, "--fg", "#1f1d1a"),
        css_var(el, "--muted", "#6b655c"),
        css_var(el, "--border", "#ddd6c8"),
        css_var(el, "--accent", "#a4650c"),
        css_var(el, "--ok", "#1f7a3a"),
        css_var(el, "--err", "#b3261e"),
        css_var(el, "--value", "#2b5fb3"),
    );
    let s = w / v.width.max(1e-9);
    // world (x right, y up) -> canvas pixels
    let px = |x: f64| x * s;
    let py = |y: f64| h - y * s;
    g.set_fill_style_str(&bg);
    g.fill_rect(0.0, 0.0, w, h);
    // metre grid
    g.set_stroke_style_str(&border);
    g.set_line_width(1.0);
    g.begin_path();
    let mut gx = 1.0;
    while gx < v.width {
        g.move_to(px(gx), 0.0);
        g.line_to(px(gx), h);
        gx += 1.0;
    }
    let mut gy = 1.0;
    while gy < v.height {
        g.move_to(0.0, py(gy));
        g.line_to(w, py(gy));
        gy += 1.0;
    }
    g.stroke();
    g.set_line_width(2.0 * dpr);
    g.stroke_rect(0.0, 0.0, w, h);
    // obstacles: filled and hatched
    for o in &v.obstacles {
        g.begin_path();
        let _ = g.arc(px(o.x), py(o.y), o.r * s, 0.0, std::f64::consts::TAU);
        g.set_fill_style_str(&muted);
        g.set_global_alpha(0.35);
        g.fill();
        g.set_global_alpha(1.0);
        g.set_stroke_style_str(&muted);
        g.set_line_width(1.5 * dpr);
        g.stroke();
    }
    // goal: tolerance disc, dashed ring, a flag-like cross
    let (gx, gy) = (px(v.goal.0), py(v.goal.1));
    g.begin_path();
    let _ = g.arc(gx, gy, v.goal_tolerance.max(0.05) * s, 0.0, std::f64::consts::TAU);
    g.set_fill_style_str(&ok);
    g.set_global_alpha(0.18);
    g.fill();
    g.set_global_alpha(1.0);
    g.set_stroke_style_str(&ok);
    g.set_line_width(2.0 * dpr);
    let dash = js_sys::Array::of2(&(5.0 * dpr).into(), &(4.0 * dpr).into());
    let _ = g.set_line_dash(&dash);
    g.stroke();
    let _ = g.set_line_dash(&js_sys::Array::new());
    g.begin_path();
    g.move_to(gx - 6.0 * dpr, gy);
    g.line_to(gx + 6.0 * dpr, gy);
    g.move_to(gx, gy - 6.0 * dpr);
    g.line_to(gx, gy + 6.0 * dpr);
    g.stroke();
    // trail
    if v.trail.len() > 1 {
        g.begin_path();
        g.move_to(px(v.trail[0].0), py(v.trail[0].1));
        for &(x, y) in &v.trail[1..] {
            g.line_to(px(x), py(y));
        }
        g.set_stroke_style_str(&accent);
        g.set_global_alpha(0.6);
        g.set_line_width(2.0 * dpr);
        g.stroke();
        g.set_global_alpha(1.0);
    }
    // rays: what the robot saw; hits end in a dot
    g.set_line_width(1.0 * dpr);
    for r in &v.rays {
        g.begin_path();
        g.move_to(px(r.from.0), py(r.from.1));
        g.line_to(px(r.to.0), py(r.to.1));
        g.set_stroke_style_str(if r.hit { &err } else { &value });
        g.set_global_alpha(if r.hit { 0.7 } else { 0.3 });
        g.stroke();
        if r.hit {
            g.begin_path();
            let _ = g.arc(px(r.to.0), py(r.to.1), 2.5 * dpr, 0.0, std::f64::consts::TAU);
            g.set_fill_style_str(&err);
            g.fill();
        }
        g.set_global_alpha(1.0);
    }
    // collisions: crosses
    g.set_stroke_style_str(&err);
    g.set_line_width(2.0 * dpr);
    for &(x, y) in &v.collision_points {
        let (cx, cy, k) = (px(x), py(y), 5.0 * dpr);
        g.begin_path();
        g.move_to(cx - k, cy - k);
        g.line_to(cx + k, cy + k);
        g.move_to(cx + k, cy - k);
        g.line_to(cx - k, cy + k);
        g.stroke();
    }
    // the robot and its heading
    let (rx, ry) = (px(v.robot.0), py(v.robot.1));
    let rr = (v.robot_radius * s).max(4.0 * dpr);
    g.begin_path();
    let _ = g.arc(rx, ry, rr, 0.0, std::f64::consts::TAU);
    g.set_fill_style_str(&accent);
    g.fill();
    g.set_stroke_style_str(&fg);
    g.set_line_width(1.5 * dpr);
    g.stroke();
    g.begin_path();
    g.move_to(rx, ry);
    g.line_to(rx + rr * 1.9 * v.heading.cos(), ry - rr * 1.9 * v.heading.sin());
    g.set_line_width(3.0 * dpr);
    g.stroke();
    Some(css_w)
}

impl Component for WorldCanvas {
    type Message = Msg;
    type Properties = WorldProps;

    fn create(ctx: &Context<Self>) -> Self {
        let link = ctx.link().clone();
        WorldCanvas {
            canvas: NodeRef::default(),
            drawn: None,
            summary: None,
            _frames: frames(move |_| link.send_message(Msg::Frame)),
        }
    }

    fn update(&mut self, ctx: &Context<Self>, _msg: Msg) -> bool {
        let live = &ctx.props().live;
        let Some(key) = key_of(live) else { return false };
        let Some((steps, t)) = key else {
            // not attached (any more)
            let had = self.summary.take().is_some();
            self.drawn = None;
            return had;
        };
        let Some(canvas) = self.canvas.cast::<HtmlCanvasElement>() else {
            // first time: render the canvas, draw next frame
            let first = self.summary.is_none();
            if first {
                self.summary = Some(String::new());
            }
            return first;
        };
        let width = f64::from(canvas.client_width());
        let now = (steps, t, 0, width);
        if self.drawn == Some(now) {
            return false;
        }
        let Some(v) = view_of(live) else { return false };
        draw(&canvas, &v);
        self.drawn = Some(now);
        let s = summary(&v);
        let changed = self.summary.as_deref() != Some(s.as_str());
        self.summary = Some(s);
        changed
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let Some(s) = &self.summary else { return Html::default() };
        html! {
            <figure class="studio-world">
                <canvas ref={self.canvas.clone()} class="world-canvas" role="img" aria-label={s.clone()}></canvas>
                <figcaption class="world-caption">{ s.clone() }</figcaption>
            </figure>
        }
    }
}
