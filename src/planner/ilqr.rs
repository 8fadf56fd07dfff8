//! Iterative LQR: linearise the dynamics and expand the cost along the current trajectory
//! (analytically, or by central finite differences), run the Riccati backward pass with
//! Levenberg regularisation, then a backtracking forward pass. No random draws. Operation
//! order follows the reference.

use super::models::{Linearisation, QuadCost, Step, TerminalCost};
use super::mppi::{apply_rate_limits, horizon_for, unpack_sequence};
use super::rng::{Rng, GOLDEN};
use super::{Backend, Derivatives, Outcome, Status, Trace};

/// The model's deterministic step, or its stochastic step on a fixed-seed generator.
fn det_step(b: &mut Backend<'_>, x: &[f64], u: &[f64]) -> Option<Step> {
    b.count_step();
    let out = match b.model.deterministic_step(x, u) {
        Some(r) => r,
        None => b.model.step(x, u, &mut Rng::new(GOLDEN)),
    };
    out.ok()
}

fn stage_cost(b: &mut Backend<'_>, x: &[f64], u: &[f64]) -> Option<(f64, Vec<f64>)> {
    let s = det_step(b, x, u)?;
    if !s.reward.is_finite() || !s.next.iter().all(|v| v.is_finite()) {
        return None;
    }
    let cost = -s.reward;
    cost.is_finite().then_some((cost, s.next))
}

fn fd_linearise(b: &mut Backend<'_>, x: &[f64], u: &[f64], eps: f64) -> Option<Linearisation> {
    if x.is_empty() || u.is_empty() {
        return None;
    }
    let (n, m) = (x.len(), u.len());
    let mut out = Linearisation { state_dim: n, action_dim: m, a: vec![0.0; n * n], b: vec![0.0; n * m] };
    for i in 0..n {
        let mut xp = x.to_vec();
        let mut xm = x.to_vec();
        xp[i] += eps;
        xm[i] -= eps;
        let sp = det_step(b, &xp, u)?;
        let sm = det_step(b, &xm, u)?;
        if sp.next.len() != n || sm.next.len() != n {
            return None;
        }
        for r in 0..n {
            out.a[r * n + i] = (sp.next[r] - sm.next[r]) / (2.0 * eps);
        }
    }
    for j in 0..m {
        let mut up = u.to_vec();
        let mut um = u.to_vec();
        up[j] += eps;
        um[j] -= eps;
        let up = b.clamp(&up);
        let um = b.clamp(&um);
        let sp = det_step(b, x, &up)?;
        let sm = det_step(b, x, &um)?;
        if sp.next.len() != n || sm.next.len() != n {
            return None;
        }
        for r in 0..n {
            out.b[r * m + j] = (sp.next[r] - sm.next[r]) / (2.0 * eps);
        }
    }
    Some(out)
}

fn fd_quadraticise(b: &mut Backend<'_>, x: &[f64], u: &[f64], eps: f64) -> Option<QuadCost> {
    if x.is_empty() || u.is_empty() {
        return None;
    }
    let (n, m) = (x.len(), u.len());
    let mut out = QuadCost {
        l0: 0.0,
        l_x: vec![0.0; n],
        l_u: vec![0.0; m],
        l_xx: vec![0.0; n * n],
        l_uu: vec![0.0; m * m],
        l_xu: vec![0.0; n * m],
    };
    let c0 = stage_cost(b, x, u)?.0;
    out.l0 = c0;
    for i in 0..n {
        let mut xp = x.to_vec();
        let mut xm = x.to_vec();
        xp[i] += eps;
        xm[i] -= eps;
        let cp = stage_cost(b, &xp, u)?.0;
        let cm = stage_cost(b, &xm, u)?.0;
        out.l_x[i] = (cp - cm) / (2.0 * eps);
        out.l_xx[i * n + i] = (cp - 2.0 * c0 + cm) / (eps * eps);
    }
    for j in 0..m {
        let mut up = u.to_vec();
        let mut um = u.to_vec();
        up[j] += eps;
        um[j] -= eps;
        let up = b.clamp(&up);
        let um = b.clamp(&um);
        let cp = stage_cost(b, x, &up)?.0;
        let cm = stage_cost(b, x, &um)?.0;
        out.l_u[j] = (cp - cm) / (2.0 * eps);
        out.l_uu[j * m + j] = (cp - 2.0 * c0 + cm) / (eps * eps);
    }
    for i in 0..n {
        for j in 0..m {
            let mut x_p = x.to_vec();
            let mut x_m = x.to_vec();
            x_p[i] += eps;
            x_m[i] -= eps;
            let mut u_p = u.to_vec();
            let mut u_m = u.to_vec();
            u_p[j] += eps;
            u_m[j] -= eps;
            let u_p = b.clamp(&u_p);
            let u_m = b.clamp(&u_m);
            let cpp = stage_cost(b, &x_p, &u_p)?.0;
            let cpm = stage_cost(b, &x_p, &u_m)?.0;
            let cmp = stage_cost(b, &x_m, &u_p)?.0;
            let cmm = stage_cost(b, &x_m, &u_m)?.0;
            out.l_xu[i * m + j] = (cpp - cpm - cmp + cmm) / (4.0 * eps * eps);
        }
    }
    Some(out)
}

/// Gauss–Jordan elimination with partial pivoting, in place: `a` (n×n) times X = `b`
/// (n×cols). `false` when singular or non-finite.
fn solve(a: &mut [f64], b: &mut [f64], n: usize, cols: usize) -> bool {
    if a.len() != n * n || b.len() != n * cols {
        return false;
    }
    for col in 0..n {
        let mut pivot = col;
        let mut pivot_abs = a[col * n + col].abs();
        for r in col + 1..n {
            let v = a[r * n + col].abs();
            if v > pivot_abs {
                pivot = r;
                pivot_abs = v;
            }
        }
        if pivot_abs < 1.0e-12 || !pivot_abs.is_finite() {
            return false;
        }
        if pivot != col {
            for c in 0..n {
                a.swap(pivot * n + c, col * n + c);
            }
            for c in 0..cols {
                b.swap(pivot * cols + c, col * cols + c);
            }
        }
        let diag = a[col * n + col];
        for c in 0..n {
            a[col * n + c] /= diag;
        }
        for c in 0..cols {
            b[col * cols + c] /= diag;
        }
        for r in 0..n {
            if r == col {
                continue;
            }
            let factor = a[r * n + col];
            if factor == 0.0 {
                continue;
            }
            for c in 0..n {
                a[r * n + c] -= factor * a[col * n + c];
            }
            for c in 0..cols {
                b[r * cols + c] -= factor * b[col * cols + c];
            }
        }
    }
    b.iter().all(|v| v.is_finite())
}

fn error_outcome(b: &Backend<'_>, msg: &str, iters: i64, cost_init: f64, cost: f64, reg: f64) -> Outcome {
    let mut o = Outcome::error(b.safe.clone(), msg);
    o.trace = Trace::Ilqr { iters, cost_init, cost_final: cost, reg_final: reg };
    o.work_done = iters;
    o
}

/// A line-search candidate: controls, states, cost.
type Candidate = (Vec<Vec<f64>>, Vec<Vec<f64>>, f64);

pub(super) fn run(b: &mut Backend<'_>) -> Result<Outcome, String> {
    let req = b.req;
    let m = b.model.action_dims();
    let n = req.state.len();
    if m == 0 || n == 0 {
        return Ok(Outcome::error(b.safe.clone(), "ilqr: invalid model dimensions"));
    }
    let horizon = horizon_for(b);
    let cfg = &req.ilqr;
    let max_iters_cfg = cfg.max_iters.max(1);
    let reg_init = cfg.reg_init.max(1.0e-8);
    let reg_factor = cfg.reg_factor.max(1.2);
    let tol_cost = cfg.tol_cost.max(0.0);
    let tol_grad = cfg.tol_grad.max(0.0);
    let fd_eps = cfg.fd_eps.max(1.0e-8);
    let mut max_iters = max_iters_cfg;
    if req.work_max > 0 {
        max_iters = max_iters.min(req.work_max);
    }
    let max_iters = max_iters.max(1);

    let mut u_seq =
        if !cfg.u_init.is_empty() { unpack_sequence(&cfg.u_init, m, horizon) } else { vec![vec![0.0; m]; horizon] };
    for u in u_seq.iter_mut() {
        *u = b.clamp(u);
    }
    apply_rate_limits(&mut u_seq, &req.constraints.max_du);

    let rollout = |b: &mut Backend<'_>, controls: &[Vec<f64>]| -> Option<(Vec<Vec<f64>>, f64)> {
        let mut xs = vec![Vec::new(); horizon + 1];
        xs[0] = b.req.state.clone();
        let mut total = 0.0;
        for t in 0..horizon {
            let u = b.clamp(&controls[t]);
            let (c, next) = stage_cost(b, &xs[t], &u)?;
            total += c;
            xs[t + 1] = next;
        }
        total.is_finite().then_some((xs, total))
    };

    if cfg.derivatives == Derivatives::FiniteDiff {
        let probe = b.clamp(&u_seq[0]);
        let s1 = det_step(b, &req.state, &probe);
        let s2 = det_step(b, &req.state, &probe);
        let same = match (&s1, &s2) {
            (Some(a), Some(c)) => {
                a.next.len() == c.next.len()
                    && a.next.iter().zip(&c.next).all(|(p, q)| (p - q).abs() <= 1.0e-9)
                    && (a.reward - c.reward).abs() <= 1.0e-9
                    && a.done == c.done
            }
            _ => false,
        };
        if !same {
            return Ok(Outcome::error(b.safe.clone(), "ilqr: finite_diff requires deterministic step(state, action)"));
        }
    }

    let Some((mut x_seq, mut cost)) = rollout(b, &u_seq) else {
        return Ok(Outcome::error(b.safe.clone(), "ilqr: initial rollout failed"));
    };
    let cost_init = cost;
    let mut reg = reg_init;
    let mut timed_out = false;
    let mut converged = false;
    let mut completed = 0i64;
    let mut k_seq = vec![vec![0.0; m]; horizon];
    let mut k_gain = vec![vec![0.0; m * n]; horizon];

    for _ in 0..max_iters {
        if b.deadline_passed() {
            timed_out = true;
            break;
        }
        let mut dyn_: Vec<Linearisation> = Vec::with_capacity(horizon);
        let mut stage: Vec<QuadCost> = Vec::with_capacity(horizon);
        for t in 0..horizon {
            let u = b.clamp(&u_seq[t]);
            let (lin, quad) = if cfg.derivatives == Derivatives::Analytic {
                b.count_step();
                let Some(lin) = b.model.linearise(&x_seq[t], &u) else {
                    let msg = "ilqr: analytic derivatives unavailable (linearise_dynamics)";
                    return Ok(error_outcome(b, msg, completed, cost_init, cost, reg));
                };
                let Some(quad) = b.model.quadraticise_cost(&x_seq[t], &u) else {
                    let msg = "ilqr: analytic derivatives unavailable (quadraticise_cost)";
                    return Ok(error_outcome(b, msg, completed, cost_init, cost, reg));
                };
                (lin, quad)
            } else {
                let xt = x_seq[t].clone();
                let Some(lin) = fd_linearise(b, &xt, &u, fd_eps) else {
                    let msg = "ilqr: finite-diff dynamics linearisation failed";
                    return Ok(error_outcome(b, msg, completed, cost_init, cost, reg));
                };
                let Some(quad) = fd_quadraticise(b, &xt, &u, fd_eps) else {
                    let msg = "ilqr: finite-diff cost quadraticisation failed";
                    return Ok(error_outcome(b, msg, completed, cost_init, cost, reg));
                };
                (lin, quad)
            };
            if lin.state_dim != n
                || lin.action_dim != m
                || lin.a.len() != n * n
                || lin.b.len() != n * m
                || quad.l_x.len() != n
                || quad.l_u.len() != m
                || quad.l_xx.len() != n * n
                || quad.l_uu.len() != m * m
                || quad.l_xu.len() != n * m
            {
                return Ok(error_outcome(b, "ilqr: derivative dimensions mismatch", completed, cost_init, cost, reg));
            }
            dyn_.push(lin);
            stage.push(quad);
        }
        let mut terminal = b.model.quadraticise_terminal(&x_seq[horizon]).unwrap_or(TerminalCost {
            l0: 0.0,
            l_x: vec![0.0; n],
            l_xx: vec![0.0; n * n],
        });
        if terminal.l_x.len() != n || terminal.l_xx.len() != n * n {
            terminal.l_x = vec![0.0; n];
            terminal.l_xx = vec![0.0; n * n];
        }
        let mut v_x = terminal.l_x;
        let mut v_xx = terminal.l_xx;
        let mut grad_inf = 0.0f64;
        let mut backward_ok = true;

        for t in (0..horizon).rev() {
            let a = &dyn_[t].a;
            let bm = &dyn_[t].b;
            let l = &stage[t];
            let mut q_x = vec![0.0; n];
            let mut q_u = vec![0.0; m];
            let mut q_xx = vec![0.0; n * n];
            let mut q_uu = vec![0.0; m * m];
            let mut q_ux = vec![0.0; m * n];
            for i in 0..n {
                let mut acc = l.l_x[i];
                for r in 0..n {
                    acc += a[r * n + i] * v_x[r];
                }
                q_x[i] = acc;
            }
            for j in 0..m {
                let mut acc = l.l_u[j];
                for r in 0..n {
                    acc += bm[r * m + j] * v_x[r];
                }
                q_u[j] = acc;
                grad_inf = grad_inf.max(acc.abs());
            }
            for i in 0..n {
                for j in 0..n {
                    let mut acc = l.l_xx[i * n + j];
                    for r in 0..n {
                        for c in 0..n {
                            acc += a[r * n + i] * v_xx[r * n + c] * a[c * n + j];
                        }
                    }
                    q_xx[i * n + j] = acc;
                }
            }
            for i in 0..m {
                for j in 0..m {
                    let mut acc = l.l_uu[i * m + j];
                    for r in 0..n {
                        for c in 0..n {
                            acc += bm[r * m + i] * v_xx[r * n + c] * bm[c * m + j];
                        }
                    }
                    if i == j {
                        acc += reg;
                    }
                    q_uu[i * m + j] = acc;
                }
            }
            for i in 0..m {
                for j in 0..n {
                    let mut acc = l.l_xu[j * m + i];
                    for r in 0..n {
                        for c in 0..n {
                            acc += bm[r * m + i] * v_xx[r * n + c] * a[c * n + j];
                        }
                    }
                    q_ux[i * n + j] = acc;
                }
            }
            let mut a_sys = q_uu.clone();
            let cols = 1 + n;
            let mut rhs = vec![0.0; m * cols];
            for i in 0..m {
                rhs[i * cols] = -q_u[i];
                for j in 0..n {
                    rhs[i * cols + 1 + j] = -q_ux[i * n + j];
                }
            }
            if !solve(&mut a_sys, &mut rhs, m, cols) {
                backward_ok = false;
                break;
            }
            let mut k = vec![0.0; m];
            let mut kk = vec![0.0; m * n];
            for i in 0..m {
                k[i] = rhs[i * cols];
                for j in 0..n {
                    kk[i * n + j] = rhs[i * cols + 1 + j];
                }
            }
            let mut next_v_x = vec![0.0; n];
            for i in 0..n {
                let (mut t1, mut t2, mut t3) = (0.0, 0.0, 0.0);
                for ai in 0..m {
                    t1 += kk[ai * n + i] * q_u[ai];
                    t2 += q_ux[ai * n + i] * k[ai];
                    for bi in 0..m {
                        t3 += kk[ai * n + i] * q_uu[ai * m + bi] * k[bi];
                    }
                }
                next_v_x[i] = q_x[i] + t1 + t2 + t3;
            }
            let mut next_v_xx = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    let mut acc = q_xx[i * n + j];
                    for ai in 0..m {
                        for bi in 0..m {
                            acc += kk[ai * n + i] * q_uu[ai * m + bi] * kk[bi * n + j];
                        }
                        acc += kk[ai * n + i] * q_ux[ai * n + j];
                        acc += q_ux[ai * n + i] * kk[ai * n + j];
                    }
                    next_v_xx[i * n + j] = acc;
                }
            }
            for i in 0..n {
                for j in i + 1..n {
                    let sym = 0.5 * (next_v_xx[i * n + j] + next_v_xx[j * n + i]);
                    next_v_xx[i * n + j] = sym;
                    next_v_xx[j * n + i] = sym;
                }
            }
            k_seq[t] = k;
            k_gain[t] = kk;
            v_x = next_v_x;
            v_xx = next_v_xx;
        }

        if !backward_ok {
            reg = (reg * reg_factor).min(1.0e8);
            if reg >= 1.0e8 {
                let msg = "ilqr: backward pass failed (ill-conditioned Q_uu)";
                return Ok(error_outcome(b, msg, completed, cost_init, cost, reg));
            }
            continue;
        }

        let mut accepted: Option<Candidate> = None;
        for alpha in [1.0, 0.5, 0.25, 0.1, 0.05, 0.01] {
            let mut cand_u = u_seq.clone();
            let mut cand_x = vec![Vec::new(); horizon + 1];
            cand_x[0] = req.state.clone();
            let mut bad = false;
            let mut cand_cost = 0.0;
            for t in 0..horizon {
                let mut du = vec![0.0; m];
                for i in 0..m {
                    let mut val = alpha * k_seq[t][i];
                    for j in 0..n {
                        let dx = cand_x[t][j] - x_seq[t][j];
                        val += k_gain[t][i * n + j] * dx;
                    }
                    du[i] = val;
                }
                for i in 0..m {
                    cand_u[t][i] += du[i];
                }
                cand_u[t] = b.clamp(&cand_u[t]);
                let max_du = &req.constraints.max_du;
                if t > 0 && !max_du.is_empty() {
                    let dims = m.min(max_du.len()).min(cand_u[t - 1].len());
                    for d in 0..dims {
                        let lim = max_du[d].abs();
                        if !lim.is_finite() || lim <= 0.0 {
                            continue;
                        }
                        let delta = cand_u[t][d] - cand_u[t - 1][d];
                        if delta > lim {
                            cand_u[t][d] = cand_u[t - 1][d] + lim;
                        } else if delta < -lim {
                            cand_u[t][d] = cand_u[t - 1][d] - lim;
                        }
                    }
                }
                let xt = cand_x[t].clone();
                match stage_cost(b, &xt, &cand_u[t]) {
                    Some((c, next)) => {
                        cand_cost += c;
                        cand_x[t + 1] = next;
                    }
                    None => {
                        bad = true;
                        break;
                    }
                }
            }
            if !bad && cand_cost.is_finite() && cand_cost < cost {
                accepted = Some((cand_u, cand_x, cand_cost));
                break;
            }
        }
        match accepted {
            Some((u, x, c)) => {
                let improvement = cost - c;
                u_seq = u;
                x_seq = x;
                cost = c;
                reg = (reg / reg_factor).max(1.0e-8);
                completed += 1;
                if improvement <= tol_cost || grad_inf <= tol_grad {
                    converged = true;
                    break;
                }
            }
            None => {
                reg = (reg * reg_factor).min(1.0e8);
                completed += 1;
                if reg >= 1.0e8 {
                    break;
                }
            }
        }
    }

    let action = super::Action { schema: b.schema.clone(), u: b.clamp(&u_seq[0]) };
    let gain = (cost_init - cost) / cost_init.abs().max(1.0) + if converged { 0.2 } else { 0.0 };
    Ok(Outcome {
        status: if timed_out { Status::Timeout } else { Status::Ok },
        action,
        confidence: super::clamp_confidence(gain),
        work_done: completed,
        trace: Trace::Ilqr { iters: completed, cost_init, cost_final: cost, reg_final: reg },
        error: String::new(),
    })
}
