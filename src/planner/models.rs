//! The built-in planning models (`model_service` names): `toy-1d`, `ptz-track`,
//! `toy-unicycle` and `flagship-goal-shared-v1`.
//!
//! `toy-1d`, `ptz-track` and `toy-unicycle` follow the reference's dynamics operation for
//! operation (the order of the random draws and of the floating-point operations decides the
//! digits of a plan). `flagship-goal-shared-v1` has the reference's shape (state
//! `[dist bearing obstacle speed]`, two actions clamped to ±1, four normal draws per step,
//! a deterministic rollout policy, horizon 20); its dynamics are Granola's own.

use super::math;
use super::rng::Rng;

/// One model step: the next state, its reward, and whether the episode ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub next: Vec<f64>,
    pub reward: f64,
    pub done: bool,
}

/// A closed interval for one action dimension.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bound {
    pub lo: f64,
    pub hi: f64,
}

/// Dynamics Jacobians at (x, u): `a` is n×n, `b` is n×m, both row-major.
#[derive(Clone, Debug, Default)]
pub struct Linearisation {
    pub state_dim: usize,
    pub action_dim: usize,
    pub a: Vec<f64>,
    pub b: Vec<f64>,
}

/// Second-order expansion of a stage cost (row-major matrices; `l_xu` is n×m).
#[derive(Clone, Debug, Default)]
pub struct QuadCost {
    pub l0: f64,
    pub l_x: Vec<f64>,
    pub l_u: Vec<f64>,
    pub l_xx: Vec<f64>,
    pub l_uu: Vec<f64>,
    pub l_xu: Vec<f64>,
}

/// Second-order expansion of the terminal cost.
#[derive(Clone, Debug, Default)]
pub struct TerminalCost {
    pub l0: f64,
    pub l_x: Vec<f64>,
    pub l_xx: Vec<f64>,
}

/// A planning model: dynamics, reward, action sampling and (optionally) derivatives.
pub trait Model: Sync {
    /// The `model_service` name.
    fn name(&self) -> &'static str;
    /// One stochastic step. `Err` is a model failure (the reference throws), reported as a
    /// planner error.
    fn step(&self, state: &[f64], action: &[f64], rng: &mut Rng) -> Result<Step, String>;
    /// A random action for tree widening (and for `random` rollouts).
    fn sample_action(&self, state: &[f64], rng: &mut Rng) -> Vec<f64>;
    /// The default rollout policy.
    fn rollout_action(&self, state: &[f64], rng: &mut Rng) -> Vec<f64> {
        self.sample_action(state, rng)
    }
    /// The model's own action clamp (always returns `action_dims` values).
    fn clamp_action(&self, action: &[f64]) -> Vec<f64>;
    fn zero_action(&self) -> Vec<f64> {
        vec![0.0; self.action_dims()]
    }
    fn validate_state(&self, state: &[f64]) -> bool {
        !state.is_empty() && state.iter().all(|v| v.is_finite())
    }
    fn action_dims(&self) -> usize;
    fn action_bounds(&self) -> Vec<Bound> {
        Vec::new()
    }
    fn default_horizon(&self) -> i64 {
        20
    }
    /// A step that does not depend on the planner's RNG (for iLQR), if the model has one.
    fn deterministic_step(&self, _state: &[f64], _action: &[f64]) -> Option<Result<Step, String>> {
        None
    }
    fn linearise(&self, _state: &[f64], _action: &[f64]) -> Option<Linearisation> {
        None
    }
    fn quadraticise_cost(&self, _state: &[f64], _action: &[f64]) -> Option<QuadCost> {
        None
    }
    fn quadraticise_terminal(&self, _state: &[f64]) -> Option<TerminalCost> {
        None
    }
}

/// `value` clamped to `[lo, hi]` (NaN passes through, as in the reference).
pub fn clamp(value: f64, lo: f64, hi: f64) -> f64 {
    if value < lo {
        lo
    } else if value > hi {
        hi
    } else {
        value
    }
}

fn wrap_angle(mut angle: f64) -> f64 {
    use std::f64::consts::PI;
    while angle > PI {
        angle -= 2.0 * PI;
    }
    while angle < -PI {
        angle += 2.0 * PI;
    }
    angle
}

fn all_finite(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite())
}

/// Every built-in model, in the order `planner` pages list them.
pub fn all() -> [&'static dyn Model; 4] {
    [&Toy1d, &PtzTrack, &ToyUnicycle, &FlagshipGoal]
}

/// The built-in model called `name`.
pub fn by_name(name: &str) -> Option<&'static dyn Model> {
    all().into_iter().find(|m| m.name() == name)
}

// ---------------------------------------------------------------------------------------

/// `toy-1d`: a point on a line driven towards x = 1.
pub struct Toy1d;

impl Model for Toy1d {
    fn name(&self) -> &'static str {
        "toy-1d"
    }
    fn step(&self, state: &[f64], action: &[f64], _rng: &mut Rng) -> Result<Step, String> {
        let (Some(&x), Some(&a)) = (state.first(), action.first()) else {
            return Err(if state.is_empty() {
                "toy-1d.step: expected non-empty state".into()
            } else {
                "toy-1d.step: expected non-empty action".into()
            });
        };
        let a = clamp(a, -1.0, 1.0);
        let x2 = x + 0.25 * a;
        let err = 1.0 - x2;
        Ok(Step { next: vec![x2], reward: -(err * err), done: err.abs() < 0.05 })
    }
    fn sample_action(&self, _state: &[f64], rng: &mut Rng) -> Vec<f64> {
        vec![rng.uniform(-1.0, 1.0)]
    }
    fn rollout_action(&self, state: &[f64], rng: &mut Rng) -> Vec<f64> {
        let x = state.first().copied().unwrap_or(0.0);
        let dir = if x < 1.0 { 1.0 } else { -1.0 };
        let noise = rng.normal(0.0, 0.2);
        vec![clamp(0.8 * dir + noise, -1.0, 1.0)]
    }
    fn clamp_action(&self, action: &[f64]) -> Vec<f64> {
        vec![action.first().map_or(0.0, |a| clamp(*a, -1.0, 1.0))]
    }
    fn validate_state(&self, state: &[f64]) -> bool {
        state.first().is_some_and(|x| x.is_finite())
    }
    fn action_dims(&self) -> usize {
        1
    }
    fn action_bounds(&self) -> Vec<Bound> {
        vec![Bound { lo: -1.0, hi: 1.0 }]
    }
    fn deterministic_step(&self, state: &[f64], action: &[f64]) -> Option<Result<Step, String>> {
        Some(self.step(state, action, &mut Rng::new(0x1234_abcd)))
    }
    fn linearise(&self, state: &[f64], action: &[f64]) -> Option<Linearisation> {
        if state.is_empty() || action.is_empty() {
            return None;
        }
        let raw = action[0];
        let d = if raw > -1.0 && raw < 1.0 { 0.25 } else { 0.0 };
        Some(Linearisation { state_dim: 1, action_dim: 1, a: vec![1.0], b: vec![d] })
    }
    fn quadraticise_cost(&self, state: &[f64], action: &[f64]) -> Option<QuadCost> {
        if state.is_empty() || action.is_empty() {
            return None;
        }
        let u = clamp(action[0], -1.0, 1.0);
        let z = state[0] + 0.25 * u;
        let err = 1.0 - z;
        Some(QuadCost {
            l0: err * err,
            l_x: vec![-2.0 * err],
            l_u: vec![-0.5 * err],
            l_xx: vec![2.0],
            l_uu: vec![0.125],
            l_xu: vec![0.5],
        })
    }
    fn quadraticise_terminal(&self, state: &[f64]) -> Option<TerminalCost> {
        let err = 1.0 - state.first()?;
        Some(TerminalCost { l0: err * err, l_x: vec![-2.0 * err], l_xx: vec![2.0] })
    }
}

/// `ptz-track`: a pan-tilt camera keeping a drifting ball centred.
pub struct PtzTrack;

impl Model for PtzTrack {
    fn name(&self) -> &'static str {
        "ptz-track"
    }
    fn step(&self, state: &[f64], action: &[f64], rng: &mut Rng) -> Result<Step, String> {
        if state.len() < 4 {
            return Err("ptz-track.step: expected state [pan tilt ball_x ball_y ...]".into());
        }
        if action.len() < 2 {
            return Err("ptz-track.step: expected action [dpan dtilt]".into());
        }
        let (pan, tilt, bx, by) = (state[0], state[1], state[2], state[3]);
        let vx = state.get(4).copied().unwrap_or(0.0);
        let vy = state.get(5).copied().unwrap_or(0.0);
        let dpan = clamp(action[0], -0.25, 0.25);
        let dtilt = clamp(action[1], -0.25, 0.25);
        let pan2 = clamp(pan + dpan, -1.5, 1.5);
        let tilt2 = clamp(tilt + dtilt, -1.0, 1.0);
        let nx = rng.normal(0.0, 0.01);
        let ny = rng.normal(0.0, 0.01);
        let bx2 = clamp(bx + vx - dpan * 1.15 + nx, -2.0, 2.0);
        let by2 = clamp(by + vy - dtilt * 1.15 + ny, -2.0, 2.0);
        let dist = (bx2 * bx2 + by2 * by2).sqrt();
        let effort = dpan.abs() + dtilt.abs();
        Ok(Step { next: vec![pan2, tilt2, bx2, by2, vx, vy], reward: -dist - 0.05 * effort, done: dist < 0.03 })
    }
    fn sample_action(&self, _state: &[f64], rng: &mut Rng) -> Vec<f64> {
        let a = rng.uniform(-0.25, 0.25);
        let b = rng.uniform(-0.25, 0.25);
        vec![a, b]
    }
    fn rollout_action(&self, state: &[f64], rng: &mut Rng) -> Vec<f64> {
        if state.len() < 4 {
            return vec![0.0, 0.0];
        }
        let dpan = clamp(0.65 * state[2] + rng.normal(0.0, 0.03), -0.25, 0.25);
        let dtilt = clamp(0.65 * state[3] + rng.normal(0.0, 0.03), -0.25, 0.25);
        vec![dpan, dtilt]
    }
    fn clamp_action(&self, action: &[f64]) -> Vec<f64> {
        let a0 = action.first().copied().unwrap_or(0.0);
        let a1 = action.get(1).copied().unwrap_or(0.0);
        vec![clamp(a0, -0.25, 0.25), clamp(a1, -0.25, 0.25)]
    }
    fn validate_state(&self, state: &[f64]) -> bool {
        state.len() >= 4 && all_finite(state)
    }
    fn action_dims(&self) -> usize {
        2
    }
    fn action_bounds(&self) -> Vec<Bound> {
        vec![Bound { lo: -0.25, hi: 0.25 }, Bound { lo: -0.25, hi: 0.25 }]
    }
    fn default_horizon(&self) -> i64 {
        15
    }
}

/// `toy-unicycle`: a unicycle `[x y yaw gx gy]` driving to its goal, actions `[v omega]`.
pub struct ToyUnicycle;

impl Model for ToyUnicycle {
    fn name(&self) -> &'static str {
        "toy-unicycle"
    }
    fn step(&self, state: &[f64], action: &[f64], _rng: &mut Rng) -> Result<Step, String> {
        if state.len() < 5 {
            return Err("toy-unicycle.step: expected [x y yaw gx gy]".into());
        }
        if action.len() < 2 {
            return Err("toy-unicycle.step: expected [v omega]".into());
        }
        let (x, y, yaw, gx, gy) = (state[0], state[1], state[2], state[3], state[4]);
        let v = clamp(action[0], -1.0, 1.0);
        let w = clamp(action[1], -1.5, 1.5);
        const DT: f64 = 0.15;
        let yaw2 = wrap_angle(yaw + w * DT);
        let x2 = x + v * math::cos(yaw2) * DT;
        let y2 = y + v * math::sin(yaw2) * DT;
        let dx = gx - x2;
        let dy = gy - y2;
        let dist = (dx * dx + dy * dy).sqrt();
        Ok(Step { next: vec![x2, y2, yaw2, gx, gy], reward: -(dist + 0.05 * (v * v + w * w)), done: dist < 0.10 })
    }
    fn sample_action(&self, _state: &[f64], rng: &mut Rng) -> Vec<f64> {
        let v = rng.uniform(-1.0, 1.0);
        let w = rng.uniform(-1.5, 1.5);
        vec![v, w]
    }
    fn rollout_action(&self, state: &[f64], rng: &mut Rng) -> Vec<f64> {
        if state.len() < 5 {
            return vec![0.0, 0.0];
        }
        let heading = math::atan2(state[4] - state[1], state[3] - state[0]);
        let err = wrap_angle(heading - state[2]);
        let v = clamp(0.8 + rng.normal(0.0, 0.15), -1.0, 1.0);
        let w = clamp(2.0 * err + rng.normal(0.0, 0.2), -1.5, 1.5);
        vec![v, w]
    }
    fn clamp_action(&self, action: &[f64]) -> Vec<f64> {
        let v = action.first().copied().unwrap_or(0.0);
        let w = action.get(1).copied().unwrap_or(0.0);
        vec![clamp(v, -1.0, 1.0), clamp(w, -1.5, 1.5)]
    }
    fn validate_state(&self, state: &[f64]) -> bool {
        state.len() >= 5 && all_finite(state)
    }
    fn action_dims(&self) -> usize {
        2
    }
    fn action_bounds(&self) -> Vec<Bound> {
        vec![Bound { lo: -1.0, hi: 1.0 }, Bound { lo: -1.5, hi: 1.5 }]
    }
    fn deterministic_step(&self, state: &[f64], action: &[f64]) -> Option<Result<Step, String>> {
        Some(self.step(state, action, &mut Rng::new(0xabcd)))
    }
}

/// `flagship-goal-shared-v1`: a wheeled robot seen from its own frame, state
/// `[goal_dist goal_bearing obstacle_front speed]`, actions `[linear angular]` in ±1.
pub struct FlagshipGoal;

impl FlagshipGoal {
    /// Seconds per step.
    const DT: f64 = 0.25;
    /// Goal tolerance, metres.
    const GOAL_TOLERANCE: f64 = 0.25;
}

impl Model for FlagshipGoal {
    fn name(&self) -> &'static str {
        "flagship-goal-shared-v1"
    }
    fn step(&self, state: &[f64], action: &[f64], rng: &mut Rng) -> Result<Step, String> {
        if state.len() < 4 {
            return Err("flagship-goal-shared-v1.step: expected [goal_dist goal_bearing obstacle_front speed]".into());
        }
        if action.len() < 2 {
            return Err("flagship-goal-shared-v1.step: expected action [linear angular]".into());
        }
        let (dist, bearing, obstacle, speed) = (state[0], state[1], state[2], state[3]);
        let lin = clamp(action[0], -1.0, 1.0);
        let ang = clamp(action[1], -1.0, 1.0);
        let n_speed = rng.normal(0.0, 0.03);
        let n_turn = rng.normal(0.0, 0.02);
        let n_dist = rng.normal(0.0, 0.01);
        let n_obstacle = rng.normal(0.0, 0.02);
        // First-order speed response, then turn and drive in the robot's frame.
        let speed2 = clamp(speed + 0.6 * (lin - speed) + n_speed, -1.0, 1.0);
        let turn = ang * 1.2 * Self::DT + n_turn;
        let rel = bearing - turn;
        let travel = speed2 * Self::DT;
        let gx = dist * math::cos(rel) - travel;
        let gy = dist * math::sin(rel);
        let dist2 = ((gx * gx + gy * gy).sqrt() + n_dist).max(0.0);
        let bearing2 = wrap_angle(math::atan2(gy, gx));
        // Obstacles ahead come closer when driving forward and fade when turning away.
        let closing = if travel > 0.0 { 0.4 * travel } else { 0.0 };
        let obstacle2 = clamp(obstacle * (1.0 - 0.3 * ang.abs()) + closing * obstacle + n_obstacle, 0.0, 1.0);
        let reward = -dist2 - 2.0 * obstacle2 * speed2.max(0.0) - 0.05 * (ang * ang);
        Ok(Step { next: vec![dist2, bearing2, obstacle2, speed2], reward, done: dist2 < Self::GOAL_TOLERANCE })
    }
    fn sample_action(&self, _state: &[f64], rng: &mut Rng) -> Vec<f64> {
        let lin = rng.uniform(0.05, 0.95);
        let ang = rng.uniform(-0.95, 0.95);
        vec![lin, ang]
    }
    fn rollout_action(&self, state: &[f64], _rng: &mut Rng) -> Vec<f64> {
        if state.len() < 4 {
            return vec![0.0, 0.0];
        }
        let lin = clamp(0.8 - 0.7 * state[2], 0.05, 0.95);
        let ang = clamp(1.5 * state[1], -0.95, 0.95);
        vec![lin, ang]
    }
    fn clamp_action(&self, action: &[f64]) -> Vec<f64> {
        let a0 = action.first().copied().unwrap_or(0.0);
        let a1 = action.get(1).copied().unwrap_or(0.0);
        vec![clamp(a0, -1.0, 1.0), clamp(a1, -1.0, 1.0)]
    }
    fn validate_state(&self, state: &[f64]) -> bool {
        state.len() >= 4 && all_finite(state)
    }
    fn action_dims(&self) -> usize {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toy_1d_steps_towards_one() {
        let s = Toy1d.step(&[0.0], &[2.0], &mut Rng::new(1)).unwrap();
        assert_eq!(s.next, vec![0.25]);
        assert_eq!(s.reward, -(0.75 * 0.75));
        assert!(!s.done);
        assert!(Toy1d.step(&[0.96], &[0.0], &mut Rng::new(1)).unwrap().done);
    }

    #[test]
    fn ptz_rejects_short_state() {
        assert!(!PtzTrack.validate_state(&[0.0]));
        assert!(PtzTrack.step(&[0.0], &[0.0, 0.0], &mut Rng::new(1)).is_err());
        let s = PtzTrack.step(&[0.0, 0.0, 0.5, -0.3], &[0.25, -0.25], &mut Rng::new(3)).unwrap();
        assert_eq!(s.next.len(), 6);
    }

    #[test]
    fn unicycle_reaches_a_near_goal() {
        let s = ToyUnicycle.step(&[0.0, 0.0, 0.0, 0.1, 0.0], &[1.0, 0.0], &mut Rng::new(1)).unwrap();
        assert!(s.done);
    }

    #[test]
    fn flagship_rollout_is_deterministic() {
        let mut a = Rng::new(5);
        let before = a.clone().next_u64();
        let u = FlagshipGoal.rollout_action(&[2.0, 0.3, 0.1, 0.0], &mut a);
        assert_eq!(a.next_u64(), before, "no draw");
        assert_eq!(u.len(), 2);
        let s = FlagshipGoal.step(&[0.2, 0.0, 0.0, 0.5], &[0.5, 0.0], &mut Rng::new(1)).unwrap();
        assert!(s.done);
    }

    #[test]
    fn names_resolve() {
        for m in all() {
            assert_eq!(by_name(m.name()).unwrap().name(), m.name());
        }
        assert!(by_name("nope").is_none());
    }
}
