//! Model-predictive path integral control: perturb a nominal action sequence with Gaussian
//! noise, roll each sample out through the model, and average the noise weighted by
//! `exp(-(cost - min) / lambda)`. Operation order follows the reference.

use super::math;
use super::rng::Rng;
use super::sort::std_sort;
use super::{Action, Backend, MppiChoice, Outcome, Status, Trace};

/// `flat` as `horizon` rows of `dims` actions: a full sequence as given, otherwise its first
/// row repeated, otherwise zeros.
pub(super) fn unpack_sequence(flat: &[f64], dims: usize, horizon: usize) -> Vec<Vec<f64>> {
    let mut seq = vec![vec![0.0; dims]; horizon];
    if horizon == 0 || dims == 0 || flat.is_empty() {
        return seq;
    }
    if flat.len() == dims * horizon {
        for (t, row) in seq.iter_mut().enumerate() {
            row.copy_from_slice(&flat[t * dims..(t + 1) * dims]);
        }
    } else if flat.len() >= dims {
        for row in seq.iter_mut() {
            row.copy_from_slice(&flat[..dims]);
        }
    }
    seq
}

/// Limit each step's change per dimension to `|max_du[d]|` (non-finite or zero limits skip).
pub(super) fn apply_rate_limits(actions: &mut [Vec<f64>], max_du: &[f64]) {
    if actions.is_empty() || max_du.is_empty() {
        return;
    }
    for t in 1..actions.len() {
        let (head, tail) = actions.split_at_mut(t);
        let prev = &head[t - 1];
        let cur = &mut tail[0];
        let dims = cur.len().min(prev.len()).min(max_du.len());
        for d in 0..dims {
            let lim = max_du[d].abs();
            if !lim.is_finite() || lim <= 0.0 {
                continue;
            }
            let delta = cur[d] - prev[d];
            if delta > lim {
                cur[d] = prev[d] + lim;
            } else if delta < -lim {
                cur[d] = prev[d] - lim;
            }
        }
    }
}

pub(super) fn smoothness_penalty(actions: &[Vec<f64>], weight: f64) -> f64 {
    if weight <= 0.0 || actions.len() <= 1 {
        return 0.0;
    }
    let mut p = 0.0;
    for t in 1..actions.len() {
        let (prev, cur) = (&actions[t - 1], &actions[t]);
        for d in 0..prev.len().min(cur.len()) {
            let delta = cur[d] - prev[d];
            p += delta * delta;
        }
    }
    weight * p
}

pub(super) fn horizon_for(b: &Backend<'_>) -> usize {
    let h = if b.req.horizon > 0 { b.req.horizon } else { b.model.default_horizon() };
    if h <= 0 {
        20
    } else {
        h as usize
    }
}

struct Sample {
    noise: Vec<Vec<f64>>,
    first_action: Vec<f64>,
    cost: f64,
}

fn rollout_cost(b: &mut Backend<'_>, actions: &[Vec<f64>], rng: &mut Rng) -> Result<Option<f64>, String> {
    if actions.is_empty() {
        return Ok(Some(0.0));
    }
    let mut cost = 0.0;
    let mut cur = b.req.state.clone();
    for u in actions {
        let step = b.step(&cur, u, rng)?;
        if !step.next.iter().all(|v| v.is_finite()) || !step.reward.is_finite() {
            return Ok(None);
        }
        cost += -step.reward;
        cur = step.next;
        if step.done {
            break;
        }
    }
    cost += smoothness_penalty(actions, b.req.constraints.smoothness_weight);
    Ok(if cost.is_finite() { Some(cost) } else { None })
}

pub(super) fn run(b: &mut Backend<'_>) -> Result<Outcome, String> {
    let req = b.req;
    let dims = b.model.action_dims();
    if dims == 0 {
        return Ok(Outcome::error(b.safe.clone(), "mppi: model action dimension is zero"));
    }
    let horizon = horizon_for(b);
    let cfg = &req.mppi;
    let lambda = if cfg.lambda <= 1.0e-9 || !cfg.lambda.is_finite() { 1.0 } else { cfg.lambda };
    let n_samples = if cfg.n_samples <= 0 { 64 } else { cfg.n_samples };
    let mut sample_cap = n_samples;
    if req.work_max > 0 {
        sample_cap = sample_cap.min(req.work_max);
    }
    let sample_cap = sample_cap.max(1);
    let mut sigma = cfg.sigma.clone();
    if sigma.is_empty() {
        sigma = vec![0.25; dims];
    } else if sigma.len() == 1 && dims > 1 {
        sigma = vec![sigma[0]; dims];
    } else if sigma.len() != dims {
        sigma = vec![0.25; dims];
    }
    for s in sigma.iter_mut() {
        if !s.is_finite() || *s < 0.0 {
            *s = 0.0;
        }
    }
    let mut u_seq = if !cfg.u_nominal.is_empty() {
        unpack_sequence(&cfg.u_nominal, dims, horizon)
    } else if !cfg.u_init.is_empty() {
        unpack_sequence(&cfg.u_init, dims, horizon)
    } else {
        vec![vec![0.0; dims]; horizon]
    };
    for u in u_seq.iter_mut() {
        *u = b.clamp(u);
    }
    apply_rate_limits(&mut u_seq, &req.constraints.max_du);

    let mut rng = Rng::new(req.seed);
    let mut samples: Vec<Sample> = Vec::new();
    let mut timed_out = false;
    for i in 0..sample_cap {
        if i % 8 == 0 && b.deadline_passed() {
            timed_out = true;
            break;
        }
        let mut noise = vec![vec![0.0; dims]; horizon];
        let mut actions = u_seq.clone();
        for t in 0..horizon {
            for d in 0..dims {
                let e = rng.normal(0.0, sigma[d]);
                noise[t][d] = e;
                actions[t][d] += e;
            }
            actions[t] = b.clamp(&actions[t]);
        }
        apply_rate_limits(&mut actions, &req.constraints.max_du);
        let Some(cost) = rollout_cost(b, &actions, &mut rng)? else {
            continue;
        };
        let first_action = actions.first().cloned().unwrap_or_default();
        samples.push(Sample { noise, first_action, cost });
    }
    if samples.is_empty() {
        return Ok(Outcome {
            status: Status::NoAction,
            action: b.safe.clone(),
            confidence: 0.0,
            work_done: 0,
            trace: Trace::None,
            error: String::new(),
        });
    }
    let mut order: Vec<usize> = (0..samples.len()).collect();
    std_sort(&mut order, &mut |l, r| samples[*l].cost < samples[*r].cost);
    let cost_min = samples[order[0]].cost;
    let mut weights = vec![0.0; samples.len()];
    let selected = if cfg.n_elite > 0 { samples.len().min(cfg.n_elite as usize) } else { samples.len() };
    let mut weight_sum = 0.0;
    for &idx in order.iter().take(selected) {
        let exponent = -(samples[idx].cost - cost_min) / lambda;
        // std::max(-80, std::min(80, e)), NaN handling included.
        let capped = if exponent < 80.0 { exponent } else { 80.0 };
        let w = math::exp(if -80.0 < capped { capped } else { -80.0 });
        weights[idx] = if w.is_finite() { w } else { 0.0 };
        weight_sum += weights[idx];
    }
    if weight_sum <= 0.0 || !weight_sum.is_finite() {
        weights = vec![0.0; samples.len()];
        weights[order[0]] = 1.0;
        weight_sum = 1.0;
    }
    for (i, s) in samples.iter().enumerate() {
        let w = weights[i] / weight_sum;
        if w == 0.0 {
            continue;
        }
        for (row, noise) in u_seq.iter_mut().zip(&s.noise) {
            for (u, e) in row.iter_mut().zip(noise) {
                *u += w * e;
            }
        }
    }
    for u in u_seq.iter_mut() {
        *u = b.clamp(u);
    }
    apply_rate_limits(&mut u_seq, &req.constraints.max_du);
    let action = Action { schema: b.schema.clone(), u: u_seq.first().cloned().unwrap_or_default() };

    let (mut sum_w, mut sum_w2) = (0.0, 0.0);
    for &w in &weights {
        if w <= 0.0 {
            continue;
        }
        sum_w += w;
        sum_w2 += w * w;
    }
    let ess_ratio = if sum_w > 0.0 && sum_w2 > 0.0 { (sum_w * sum_w) / sum_w2 / samples.len() as f64 } else { 0.0 };
    let top_k = req.top_k.max(0) as usize;
    let top: Vec<MppiChoice> = order
        .iter()
        .take(top_k)
        .map(|&idx| MppiChoice {
            action: Action { schema: b.schema.clone(), u: samples[idx].first_action.clone() },
            weight: weights[idx] / weight_sum,
            cost: samples[idx].cost,
        })
        .collect();
    Ok(Outcome {
        status: if timed_out { Status::Timeout } else { Status::Ok },
        action,
        confidence: ess_ratio,
        work_done: samples.len() as i64,
        trace: Trace::Mppi { n_samples: samples.len() as i64, horizon: horizon as i64, top_k: top },
        error: String::new(),
    })
}
