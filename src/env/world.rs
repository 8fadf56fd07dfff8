//! `sim2d`: the built-in simulated world. A round robot with a pose and heading drives a
//! unicycle (`u = (v w)`: forward speed, turn rate) in a walled rectangular arena with
//! circular obstacles, towards a goal disc, seeing the world through a fan of range rays.
//!
//! Everything is deterministic: a reset with the same seed gives the same layout, and the
//! same actions then give the same trajectory, to the last bit. Time is simulation time
//! (`dt` per step, from `tick_hz` or `dt_ms`), never the wall clock.
//!
//! [`World::view`] is what a canvas draws: arena, robot, goal, obstacles, rays and their
//! hits, the trail, collisions and the debug-draw payloads.

use super::Supports;
use crate::lang::datum::sym_map;
use crate::lang::fields::{lookup, number};
use crate::lang::Datum;
use crate::planner::rng::Rng;
use std::collections::VecDeque;
use std::f64::consts::PI;

/// A circular obstacle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Obstacle {
    pub x: f64,
    pub y: f64,
    pub r: f64,
}

/// One range ray of the last observation: where it starts and ends, and whether it hit
/// something before its maximum range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ray {
    /// Angle relative to the robot's heading (radians).
    pub angle: f64,
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub range: f64,
    pub hit: bool,
}

/// A drawable snapshot of the world.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldView {
    pub width: f64,
    pub height: f64,
    pub robot: (f64, f64),
    pub heading: f64,
    pub robot_radius: f64,
    pub goal: (f64, f64),
    pub goal_tolerance: f64,
    pub obstacles: Vec<Obstacle>,
    pub rays: Vec<Ray>,
    /// Robot positions since the last reset, oldest first (at most [`TRAIL_MAX`]).
    pub trail: Vec<(f64, f64)>,
    /// Positions where the robot collided, since the last reset.
    pub collision_points: Vec<(f64, f64)>,
    pub collisions: u64,
    pub steps: u64,
    pub t_ms: i64,
    pub reached: bool,
    /// `env.debug-draw` payloads since the last reset (at most [`DEBUG_MAX`]).
    pub debug: Vec<Datum>,
}

/// How far ahead `obstacle_front` looks, metres.
pub const FRONT_HORIZON: f64 = 2.0;

/// Longest trail kept.
pub const TRAIL_MAX: usize = 10_000;
/// Most debug-draw payloads kept.
pub const DEBUG_MAX: usize = 64;

/// Tunable parameters (`env.configure` / `env.run-loop` config keys of the same names).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub width: f64,
    pub height: f64,
    pub robot_radius: f64,
    pub goal_tolerance: f64,
    pub max_speed: f64,
    pub max_turn: f64,
    pub rays: usize,
    pub ray_fov: f64,
    pub ray_range: f64,
    pub sensor_noise: f64,
    pub dt_ms: f64,
    pub obstacle_count: usize,
    pub stop_on_collision: bool,
    /// Fixed layout parts (override the seeded layout when set).
    pub start: Option<(f64, f64, f64)>,
    pub goal: Option<(f64, f64)>,
    pub obstacles: Option<Vec<Obstacle>>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            width: 10.0,
            height: 6.0,
            robot_radius: 0.2,
            goal_tolerance: 0.3,
            max_speed: 1.0,
            max_turn: 2.0,
            rays: 13,
            ray_fov: PI,
            ray_range: 4.0,
            sensor_noise: 0.0,
            dt_ms: 50.0,
            obstacle_count: 4,
            stop_on_collision: false,
            start: None,
            goal: None,
            obstacles: None,
        }
    }
}

/// The default scene (a reset without a seed): start on the left facing right, goal on the
/// right, one obstacle straight in the way and two flanking it.
pub fn default_layout() -> ((f64, f64, f64), (f64, f64), Vec<Obstacle>) {
    (
        (1.0, 3.0, 0.0),
        (9.0, 3.0),
        vec![
            Obstacle { x: 4.0, y: 3.0, r: 0.6 },
            Obstacle { x: 6.5, y: 1.6, r: 0.5 },
            Obstacle { x: 6.5, y: 4.4, r: 0.5 },
        ],
    )
}

/// The world.
#[derive(Clone, Debug)]
pub struct World {
    pub params: Params,
    x: f64,
    y: f64,
    heading: f64,
    v: f64,
    w: f64,
    goal: (f64, f64),
    obstacles: Vec<Obstacle>,
    rng: Rng,
    seed: Option<i64>,
    steps: u64,
    collisions: u64,
    collided: bool,
    reached: bool,
    trail: VecDeque<(f64, f64)>,
    collision_points: VecDeque<(f64, f64)>,
    debug: VecDeque<Datum>,
    pending: Option<(f64, f64)>,
}

impl Default for World {
    fn default() -> Self {
        World::new(Params::default())
    }
}

fn wrap(mut a: f64) -> f64 {
    while a > PI {
        a -= 2.0 * PI;
    }
    while a < -PI {
        a += 2.0 * PI;
    }
    a
}

fn floats(v: &[f64]) -> Datum {
    Datum::list(v.iter().map(|x| Datum::Float(*x)).collect())
}

impl World {
    /// A world with `params`, in its default layout.
    pub fn new(params: Params) -> World {
        let mut w = World {
            params,
            x: 0.0,
            y: 0.0,
            heading: 0.0,
            v: 0.0,
            w: 0.0,
            goal: (0.0, 0.0),
            obstacles: Vec::new(),
            rng: Rng::new(0),
            seed: None,
            steps: 0,
            collisions: 0,
            collided: false,
            reached: false,
            trail: VecDeque::new(),
            collision_points: VecDeque::new(),
            debug: VecDeque::new(),
            pending: None,
        };
        w.reset(None);
        w
    }

    /// Whether the robot has reached the goal since the last reset.
    pub fn reached(&self) -> bool {
        self.reached
    }

    /// Position and heading.
    pub fn pose(&self) -> (f64, f64, f64) {
        (self.x, self.y, self.heading)
    }

    /// Steps and collisions since the last reset.
    pub fn counts(&self) -> (u64, u64) {
        (self.steps, self.collisions)
    }

    /// The seed of the last reset (`None`: the default layout).
    pub fn seed(&self) -> Option<i64> {
        self.seed
    }

    /// Start a new episode: the default layout without a seed, a seeded random layout with
    /// one (configured `start`, `goal`, `obstacles` always win).
    pub fn reset(&mut self, seed: Option<i64>) {
        let p = self.params.clone();
        self.seed = seed;
        self.rng = Rng::new(seed.map_or(0, |s| s as u64));
        let (mut start, mut goal, mut obstacles) = default_layout();
        if seed.is_some() {
            let r = &mut self.rng;
            let margin = p.robot_radius + 0.3;
            start = (
                r.uniform(margin, (p.width * 0.15).max(margin)),
                r.uniform(margin, p.height - margin),
                r.uniform(-PI / 4.0, PI / 4.0),
            );
            goal = (
                r.uniform((p.width * 0.85).min(p.width - margin), p.width - margin),
                r.uniform(margin, p.height - margin),
            );
            obstacles = Vec::new();
            let mut tries = 0;
            while obstacles.len() < p.obstacle_count && tries < 200 * p.obstacle_count.max(1) {
                tries += 1;
                let o = Obstacle {
                    x: r.uniform(p.width * 0.25, p.width * 0.75),
                    y: r.uniform(0.5, p.height - 0.5),
                    r: r.uniform(0.3, 0.7),
                };
                let clear = |x: f64, y: f64, need: f64| ((o.x - x).powi(2) + (o.y - y).powi(2)).sqrt() > o.r + need;
                if clear(start.0, start.1, p.robot_radius + 0.5)
                    && clear(goal.0, goal.1, p.goal_tolerance + 0.5)
                    && obstacles.iter().all(|q: &Obstacle| clear(q.x, q.y, q.r + 0.1))
                {
                    obstacles.push(o);
                }
            }
        }
        if let Some(s) = p.start {
            start = s;
        }
        if let Some(g) = p.goal {
            goal = g;
        }
        if let Some(o) = &p.obstacles {
            obstacles = o.clone();
        }
        self.x = start.0;
        self.y = start.1;
        self.heading = wrap(start.2);
        self.goal = goal;
        self.obstacles = obstacles;
        self.v = 0.0;
        self.w = 0.0;
        self.steps = 0;
        self.collisions = 0;
        self.collided = false;
        self.reached = self.goal_dist() <= p.goal_tolerance;
        self.trail.clear();
        self.trail.push_back((self.x, self.y));
        self.collision_points.clear();
        self.debug.clear();
        self.pending = None;
    }

    fn goal_dist(&self) -> f64 {
        ((self.goal.0 - self.x).powi(2) + (self.goal.1 - self.y).powi(2)).sqrt()
    }

    /// Whether a robot disc at (x, y) overlaps an obstacle or leaves the arena.
    fn blocked(&self, x: f64, y: f64) -> bool {
        let r = self.params.robot_radius;
        if x - r < 0.0 || y - r < 0.0 || x + r > self.params.width || y + r > self.params.height {
            return true;
        }
        self.obstacles.iter().any(|o| ((o.x - x).powi(2) + (o.y - y).powi(2)).sqrt() < o.r + r)
    }

    /// The outward unit normal of what blocks a robot disc at (x, y), if anything does.
    fn contact_normal(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let r = self.params.robot_radius;
        if x - r < 0.0 {
            return Some((1.0, 0.0));
        }
        if x + r > self.params.width {
            return Some((-1.0, 0.0));
        }
        if y - r < 0.0 {
            return Some((0.0, 1.0));
        }
        if y + r > self.params.height {
            return Some((0.0, -1.0));
        }
        self.obstacles.iter().find_map(|o| {
            let (dx, dy) = (x - o.x, y - o.y);
            let d = (dx * dx + dy * dy).sqrt();
            (d < o.r + r).then(|| if d > 1e-12 { (dx / d, dy / d) } else { (1.0, 0.0) })
        })
    }

    /// Set the command for the next step: `v` and `w`, clamped to the robot's limits.
    pub fn command(&mut self, v: f64, w: f64) {
        let v = if v.is_finite() { v.clamp(-self.params.max_speed, self.params.max_speed) } else { 0.0 };
        let w = if w.is_finite() { w.clamp(-self.params.max_turn, self.params.max_turn) } else { 0.0 };
        self.pending = Some((v, w));
    }

    /// Advance one step of `dt`: turn, then drive in sub-steps of at most 2 cm. A sub-step
    /// that would overlap an obstacle or a wall slides along it instead (the part of the
    /// motion into the contact is dropped) or, if even that is blocked, stops the step; either
    /// way the step counts as one collision. Returns `false` only when `stop_on_collision` is
    /// set and the robot collided.
    pub fn step(&mut self) -> bool {
        let (v, w) = self.pending.unwrap_or((self.v, self.w));
        self.v = v;
        self.w = w;
        let dt = self.params.dt_ms / 1000.0;
        self.heading = wrap(self.heading + w * dt);
        let dist = v * dt;
        let n = ((dist.abs() / 0.02).ceil() as usize).clamp(1, 10_000);
        let (dx, dy) = (self.heading.cos() * dist / n as f64, self.heading.sin() * dist / n as f64);
        self.collided = false;
        for _ in 0..n {
            let (mut mx, mut my) = (dx, dy);
            if self.blocked(self.x + mx, self.y + my) {
                self.collided = true;
                let Some((nx, ny)) = self.contact_normal(self.x + mx, self.y + my) else { break };
                let into = mx * nx + my * ny;
                if into < 0.0 {
                    mx -= into * nx;
                    my -= into * ny;
                }
                if self.blocked(self.x + mx, self.y + my) {
                    break;
                }
            }
            self.x += mx;
            self.y += my;
        }
        if self.collided {
            self.collisions += 1;
            self.collision_points.push_back((self.x, self.y));
            if self.collision_points.len() > TRAIL_MAX {
                self.collision_points.pop_front();
            }
        }
        self.steps += 1;
        self.trail.push_back((self.x, self.y));
        if self.trail.len() > TRAIL_MAX {
            self.trail.pop_front();
        }
        if self.goal_dist() <= self.params.goal_tolerance {
            self.reached = true;
        }
        !(self.params.stop_on_collision && self.collided)
    }

    /// Simulation time since the reset, whole milliseconds.
    pub fn t_ms(&self) -> i64 {
        (self.steps as f64 * self.params.dt_ms).round() as i64
    }

    /// Distance along a ray from (x, y) at `angle` (world frame) to the first wall or
    /// obstacle, capped at the ray range.
    fn cast(&self, x: f64, y: f64, angle: f64) -> (f64, bool) {
        let (cx, cy) = (angle.cos(), angle.sin());
        let max = self.params.ray_range;
        let mut best = max;
        // Walls.
        if cx > 1e-12 {
            best = best.min((self.params.width - x) / cx);
        } else if cx < -1e-12 {
            best = best.min(-x / cx);
        }
        if cy > 1e-12 {
            best = best.min((self.params.height - y) / cy);
        } else if cy < -1e-12 {
            best = best.min(-y / cy);
        }
        // Circles: |p + t d - c| = r, smallest t >= 0.
        for o in &self.obstacles {
            let (fx, fy) = (x - o.x, y - o.y);
            let b = fx * cx + fy * cy;
            let c = fx * fx + fy * fy - o.r * o.r;
            let disc = b * b - c;
            if disc < 0.0 {
                continue;
            }
            let s = disc.sqrt();
            let t = if -b - s >= 0.0 { -b - s } else { -b + s };
            if t >= 0.0 && t < best {
                best = t;
            }
        }
        let best = best.max(0.0);
        (best, best < max)
    }

    /// The range rays of the current pose (noise-free).
    pub fn rays(&self) -> Vec<Ray> {
        let n = self.params.rays;
        (0..n)
            .map(|i| {
                let rel = if n == 1 {
                    0.0
                } else {
                    -self.params.ray_fov / 2.0 + self.params.ray_fov * i as f64 / (n - 1) as f64
                };
                let a = self.heading + rel;
                let (range, hit) = self.cast(self.x, self.y, a);
                Ray {
                    angle: rel,
                    from: (self.x, self.y),
                    to: (self.x + a.cos() * range, self.y + a.sin() * range),
                    range,
                    hit,
                }
            })
            .collect()
    }

    /// The observation map (`obs_schema` `sim2d.obs.v1`). Sensor noise, when configured,
    /// draws from the world's seeded generator.
    pub fn observe(&mut self) -> Datum {
        let p = &self.params;
        let rays = self.rays();
        let mut ranges: Vec<f64> = rays.iter().map(|r| r.range).collect();
        if p.sensor_noise > 0.0 {
            let max = p.ray_range;
            for r in ranges.iter_mut() {
                *r = (*r + self.rng.normal(0.0, p.sensor_noise)).clamp(0.0, max);
            }
        }
        let goal_dist = self.goal_dist();
        let goal_bearing = wrap((self.goal.1 - self.y).atan2(self.goal.0 - self.x) - self.heading);
        // Nearest hit among the rays within ±30° of the heading: 0 when nothing is within
        // FRONT_HORIZON metres, 1 when touching.
        let front = rays
            .iter()
            .zip(&ranges)
            .filter(|(r, _)| r.angle.abs() <= PI / 6.0 + 1e-9)
            .map(|(_, d)| *d)
            .fold(FRONT_HORIZON, f64::min);
        let obstacle_front = (1.0 - front / FRONT_HORIZON).clamp(0.0, 1.0);
        sym_map(vec![
            ("obs_schema", Datum::str("sim2d.obs.v1")),
            ("t_ms", Datum::Int(self.t_ms())),
            ("x", Datum::Float(self.x)),
            ("y", Datum::Float(self.y)),
            ("heading", Datum::Float(self.heading)),
            ("v", Datum::Float(self.v)),
            ("w", Datum::Float(self.w)),
            ("goal", floats(&[self.goal.0, self.goal.1])),
            ("goal_dist", Datum::Float(goal_dist)),
            ("goal_bearing", Datum::Float(goal_bearing)),
            ("ranges", floats(&ranges)),
            ("ray_angles", floats(&rays.iter().map(|r| r.angle).collect::<Vec<_>>())),
            ("obstacle_front", Datum::Float(obstacle_front)),
            ("collision", Datum::Bool(self.collided)),
            ("collisions", Datum::Int(self.collisions as i64)),
            ("success", Datum::Bool(self.reached)),
            ("done", Datum::Bool(self.reached)),
            ("planner_state", floats(&[self.x, self.y, self.heading, self.goal.0, self.goal.1])),
            ("flagship_state", floats(&[goal_dist, goal_bearing, obstacle_front, self.v])),
        ])
    }

    /// Take an action map `{action_schema .. u (v w)}` (the schema is not checked).
    pub fn act(&mut self, action: &Datum) -> Result<(), String> {
        if !matches!(action, Datum::Map(_)) {
            return Err("sim2d: expected action map with u (v w)".into());
        }
        let u = lookup(action, "u").ok_or("sim2d: action map needs u (v w)")?;
        let vals: Vec<f64> = match u {
            Datum::List(items) => items.iter().map(|x| number(x, "sim2d: u")).collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        if vals.len() != 2 {
            return Err("sim2d: u must be two numbers (v w)".into());
        }
        self.command(vals[0], vals[1]);
        Ok(())
    }

    /// Keep a debug-draw payload for the canvas.
    pub fn debug_draw(&mut self, payload: &Datum) {
        self.debug.push_back(payload.clone());
        if self.debug.len() > DEBUG_MAX {
            self.debug.pop_front();
        }
    }

    /// Read the world's keys from a configuration map (other keys are ignored). The layout
    /// changes at the next reset.
    pub fn configure(&mut self, cfg: &Datum) -> Result<(), String> {
        let mut p = self.params.clone();
        let num = |key: &str| -> Result<Option<f64>, String> {
            match lookup(cfg, key) {
                None => Ok(None),
                Some(v) => number(v, &format!("sim2d {key}")).map(Some),
            }
        };
        let positive = |key: &str, v: Option<f64>| -> Result<Option<f64>, String> {
            match v {
                Some(x) if !(x > 0.0 && x.is_finite()) => Err(format!("sim2d {key}: expected > 0")),
                other => Ok(other),
            }
        };
        let count = |key: &str, max: usize| -> Result<Option<usize>, String> {
            match lookup(cfg, key) {
                None => Ok(None),
                Some(Datum::Int(n)) if *n >= 0 && (*n as usize) <= max => Ok(Some(*n as usize)),
                Some(_) => Err(format!("sim2d {key}: expected integer 0..{max}")),
            }
        };
        if let Some(v) = positive("width", num("width")?)? {
            p.width = v;
        }
        if let Some(v) = positive("height", num("height")?)? {
            p.height = v;
        }
        if let Some(v) = positive("robot_radius", num("robot_radius")?)? {
            p.robot_radius = v;
        }
        if let Some(v) = positive("goal_tolerance", num("goal_tolerance")?)? {
            p.goal_tolerance = v;
        }
        if let Some(v) = positive("max_speed", num("max_speed")?)? {
            p.max_speed = v;
        }
        if let Some(v) = positive("max_turn", num("max_turn")?)? {
            p.max_turn = v;
        }
        if let Some(v) = positive("ray_fov", num("ray_fov")?)? {
            p.ray_fov = v.min(2.0 * PI);
        }
        if let Some(v) = positive("ray_range", num("ray_range")?)? {
            p.ray_range = v;
        }
        if let Some(v) = num("sensor_noise")? {
            if !(v >= 0.0 && v.is_finite()) {
                return Err("sim2d sensor_noise: expected >= 0".into());
            }
            p.sensor_noise = v;
        }
        if let Some(n) = count("rays", 64)? {
            p.rays = n;
        }
        if let Some(n) = count("obstacle_count", 32)? {
            p.obstacle_count = n;
        }
        if let Some(v) = positive("dt_ms", num("dt_ms")?)? {
            p.dt_ms = v;
        } else if let Some(Datum::Int(hz)) = lookup(cfg, "tick_hz") {
            if *hz > 0 {
                p.dt_ms = 1000.0 / *hz as f64;
            }
        }
        if let Some(v) = lookup(cfg, "stop_on_collision") {
            match v {
                Datum::Bool(b) => p.stop_on_collision = *b,
                _ => return Err("sim2d stop_on_collision: expected boolean".into()),
            }
        }
        let point = |key: &str, n: usize, v: &Datum| -> Result<Vec<f64>, String> {
            let err = || format!("sim2d {key}: expected a list of {n} numbers");
            match v {
                Datum::List(items) if items.len() == n => {
                    items.iter().map(|x| number(x, &format!("sim2d {key}"))).collect::<Result<Vec<_>, _>>()
                }
                _ => Err(err()),
            }
        };
        if let Some(v) = lookup(cfg, "start") {
            let s = match v {
                Datum::List(items) if items.len() == 2 => {
                    let xy = point("start", 2, v)?;
                    vec![xy[0], xy[1], 0.0]
                }
                _ => point("start", 3, v)?,
            };
            p.start = Some((s[0], s[1], s[2]));
        }
        if let Some(v) = lookup(cfg, "goal") {
            let g = point("goal", 2, v)?;
            p.goal = Some((g[0], g[1]));
        }
        if let Some(v) = lookup(cfg, "obstacles") {
            let rows: &[Datum] = match v {
                Datum::Nil => &[],
                Datum::List(rows) => rows,
                _ => return Err("sim2d obstacles: expected a list of (x y r)".into()),
            };
            let mut obs = Vec::new();
            for row in rows {
                let o = point("obstacles", 3, row)?;
                if o[2].is_nan() || o[2] <= 0.0 {
                    return Err("sim2d obstacles: radius must be > 0".into());
                }
                obs.push(Obstacle { x: o[0], y: o[1], r: o[2] });
            }
            p.obstacles = Some(obs);
        }
        self.params = p;
        Ok(())
    }

    /// The backend's `env.info` additions.
    pub fn info(&self) -> Datum {
        let p = &self.params;
        sym_map(vec![
            ("arena", floats(&[p.width, p.height])),
            ("robot_radius", Datum::Float(p.robot_radius)),
            ("goal_tolerance", Datum::Float(p.goal_tolerance)),
            ("max_speed", Datum::Float(p.max_speed)),
            ("max_turn", Datum::Float(p.max_turn)),
            ("rays", Datum::Int(p.rays as i64)),
            ("ray_fov", Datum::Float(p.ray_fov)),
            ("ray_range", Datum::Float(p.ray_range)),
            ("dt_ms", Datum::Float(p.dt_ms)),
            ("action_schema", Datum::str("sim2d.cmd.v1")),
        ])
    }

    /// What to draw.
    pub fn view(&self) -> WorldView {
        WorldView {
            width: self.params.width,
            height: self.params.height,
            robot: (self.x, self.y),
            heading: self.heading,
            robot_radius: self.params.robot_radius,
            goal: self.goal,
            goal_tolerance: self.params.goal_tolerance,
            obstacles: self.obstacles.clone(),
            rays: self.rays(),
            trail: self.trail.iter().copied().collect(),
            collision_points: self.collision_points.iter().copied().collect(),
            collisions: self.collisions,
            steps: self.steps,
            t_ms: self.t_ms(),
            reached: self.reached,
            debug: self.debug.iter().cloned().collect(),
        }
    }

    /// The flags `env.info` reports.
    pub fn supports() -> Supports {
        Supports { reset: true, debug_draw: true, headless: true, realtime_pacing: true, deterministic_seed: true }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn action(v: f64, w: f64) -> Datum {
        sym_map(vec![("action_schema", Datum::str("sim2d.cmd.v1")), ("u", floats(&[v, w]))])
    }

    fn drive(world: &mut World, n: usize, policy: impl Fn(&Datum) -> (f64, f64)) -> Vec<(f64, f64, f64)> {
        let mut out = Vec::new();
        for _ in 0..n {
            let obs = world.observe();
            let (v, w) = policy(&obs);
            world.act(&action(v, w)).unwrap();
            world.step();
            let view = world.view();
            out.push((view.robot.0, view.robot.1, view.heading));
        }
        out
    }

    fn f(obs: &Datum, key: &str) -> f64 {
        match lookup(obs, key) {
            Some(Datum::Float(x)) => *x,
            other => panic!("{key}: {other:?}"),
        }
    }

    /// Steer for the goal, pushed away from close obstacles: each ray closer than 1 m turns
    /// the robot away from its side, harder the closer it is; slow down when something is
    /// close ahead.
    pub(crate) fn policy(obs: &Datum) -> (f64, f64) {
        let bearing = f(obs, "goal_bearing");
        let list = |key: &str| -> Vec<f64> {
            let Some(Datum::List(r)) = lookup(obs, key) else { panic!("{key}") };
            r.iter().map(|x| if let Datum::Float(v) = x { *v } else { 0.0 }).collect()
        };
        let (ranges, angles) = (list("ranges"), list("ray_angles"));
        let mut turn = 2.0 * bearing;
        for (r, a) in ranges.iter().zip(&angles) {
            if *r < 1.0 {
                let push = 1.0 - r;
                turn -= if *a >= 0.0 { 2.0 * push } else { -2.0 * push };
            }
        }
        let front = f(obs, "obstacle_front");
        (0.8 * (1.0 - front).max(0.2), turn.clamp(-2.0, 2.0))
    }

    #[test]
    fn the_reactive_policy_solves_forty_worlds() {
        for seed in 0..40 {
            let mut w = World::default();
            w.reset(if seed == 0 { None } else { Some(seed) });
            let mut steps = 0;
            while !w.reached() && steps < 2000 {
                drive(&mut w, 1, policy);
                steps += 1;
            }
            assert!(w.view().reached, "seed {seed}: stuck at {:?}", w.view().robot);
        }
    }

    #[test]
    fn seeded_resets_reproduce_the_trajectory() {
        let mut a = World::default();
        let mut b = World::default();
        a.params.sensor_noise = 0.05;
        b.params.sensor_noise = 0.05;
        a.reset(Some(42));
        b.reset(Some(42));
        assert_eq!(a.view(), b.view());
        let ta = drive(&mut a, 200, policy);
        let tb = drive(&mut b, 200, policy);
        assert_eq!(ta, tb);
        // Same world again after a second reset with the same seed.
        a.reset(Some(42));
        assert_eq!(drive(&mut a, 200, policy), ta);
        // Another seed, another layout.
        b.reset(Some(43));
        assert_ne!(a.view().obstacles, b.view().obstacles);
    }

    #[test]
    fn driving_into_an_obstacle_collides() {
        let mut w = World::default();
        // Straight ahead from (1, 3): the obstacle at (4, 3) r 0.6 stops the robot at x ~ 3.2.
        drive(&mut w, 200, |_| (1.0, 0.0));
        let v = w.view();
        assert!(v.collisions > 0);
        assert!((v.robot.0 - 3.2).abs() < 0.03, "{:?}", v.robot);
        let obs = w.observe();
        assert_eq!(lookup(&obs, "collision"), Some(&Datum::Bool(true)));
        assert_eq!(lookup(&obs, "done"), Some(&Datum::Bool(false)));
    }

    #[test]
    fn walls_stop_the_robot() {
        let mut w = World::default();
        drive(&mut w, 100, |_| (-1.0, 0.0));
        assert!((w.view().robot.0 - 0.2).abs() < 0.03);
        assert!(w.view().collisions > 0);
    }

    #[test]
    fn stop_on_collision_ends_the_step() {
        let mut w = World::default();
        w.params.stop_on_collision = true;
        w.act(&action(-1.0, 0.0)).unwrap();
        let mut ok = true;
        for _ in 0..100 {
            ok = w.step();
            if !ok {
                break;
            }
        }
        assert!(!ok);
    }

    #[test]
    fn a_simple_policy_reaches_the_goal() {
        let mut w = World::default();
        let mut steps = 0;
        while !w.reached() && steps < 1000 {
            drive(&mut w, 1, policy);
            steps += 1;
        }
        assert!(w.view().reached, "stuck at {:?} after {steps} steps", w.view().robot);
        let obs = w.observe();
        assert_eq!(lookup(&obs, "success"), Some(&Datum::Bool(true)));
        assert_eq!(lookup(&obs, "done"), Some(&Datum::Bool(true)));
    }

    #[test]
    fn rays_see_walls_and_obstacles() {
        let w = World::default();
        let rays = w.rays();
        assert_eq!(rays.len(), 13);
        let ahead = rays[6];
        assert!((ahead.range - (4.0 - 0.6 - 1.0)).abs() < 1e-9, "{ahead:?}");
        assert!(ahead.hit);
        // The ray straight left (+90°) hits the top wall 3 m away.
        assert!((rays[12].range - 3.0).abs() < 1e-9);
    }

    #[test]
    fn configure_checks_its_keys() {
        let mut w = World::default();
        let cfg = sym_map(vec![
            ("goal", floats(&[5.0, 5.0])),
            ("start", floats(&[1.0, 1.0, 0.5])),
            ("obstacles", Datum::Nil),
            ("tick_hz", Datum::Int(10)),
            ("unrelated", Datum::str("ignored")),
        ]);
        w.configure(&cfg).unwrap();
        w.reset(None);
        let v = w.view();
        assert_eq!((v.goal, v.robot, v.heading), ((5.0, 5.0), (1.0, 1.0), 0.5));
        assert!(v.obstacles.is_empty());
        assert_eq!(w.params.dt_ms, 100.0);
        let bad = sym_map(vec![("rays", Datum::Float(2.0))]);
        assert_eq!(w.configure(&bad).unwrap_err(), "sim2d rays: expected integer 0..64");
        let bad = sym_map(vec![("goal", Datum::Int(1))]);
        assert_eq!(w.configure(&bad).unwrap_err(), "sim2d goal: expected a list of 2 numbers");
        assert_eq!(w.act(&Datum::Int(1)).unwrap_err(), "sim2d: expected action map with u (v w)");
        let bad_u = sym_map(vec![("u", floats(&[1.0]))]);
        assert_eq!(w.act(&bad_u).unwrap_err(), "sim2d: u must be two numbers (v w)");
    }
}
