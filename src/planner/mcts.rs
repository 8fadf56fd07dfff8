//! Monte-Carlo tree search with progressive widening, the reference's algorithm operation for
//! operation: same draws, same floating-point order, same (unstable) sort of the root's
//! children. The tree is an arena and both the descent and the rollouts are loops, so a huge
//! `max_depth` or iteration count cannot exhaust the stack.

use super::math;
use super::rng::Rng;
use super::sort::std_sort;
use super::{normalized_token, Action, Backend, MctsChoice, Outcome, Status, Trace};

struct Child {
    action: Vec<f64>,
    visits: i64,
    sum: f64,
    next: Option<usize>,
}

#[derive(Default)]
struct Node {
    visits: i64,
    sum: f64,
    children: Vec<Child>,
}

struct Search<'s, 'a> {
    b: &'s mut Backend<'a>,
    rng: Rng,
    nodes: Vec<Node>,
    widen_added: i64,
    gamma: f64,
    c_ucb: f64,
    pw_k: f64,
    pw_alpha: f64,
    max_depth: i64,
    random_rollouts: bool,
    safe_sampler: bool,
}

impl Search<'_, '_> {
    /// The discounted return of a rollout from `state` at `depth` (loop form of the
    /// reference's recursion: `done ? r : r + gamma * rollout(next, depth + 1)`, 0 at the
    /// depth limit).
    fn rollout(&mut self, state: Vec<f64>, depth: i64) -> Result<f64, String> {
        let mut rewards = Vec::new();
        let mut ended_done = false;
        let mut s = state;
        let mut d = depth;
        while d < self.max_depth {
            let raw = if self.random_rollouts {
                self.b.model.sample_action(&s, &mut self.rng)
            } else {
                self.b.model.rollout_action(&s, &mut self.rng)
            };
            let a = self.b.clamp(&raw);
            let step = self.b.step(&s, &a, &mut self.rng)?;
            rewards.push(step.reward);
            if step.done {
                ended_done = true;
                break;
            }
            s = step.next;
            d += 1;
        }
        let mut acc = 0.0;
        let mut rest = rewards.len();
        if ended_done {
            rest -= 1;
            acc = rewards[rest];
        }
        for r in rewards[..rest].iter().rev() {
            acc = r + self.gamma * acc;
        }
        Ok(acc)
    }

    /// One simulation from the root (loop form of the reference's recursive `simulate`).
    fn simulate(&mut self, root_state: &[f64]) -> Result<(), String> {
        // (node, child index, reward) for every selected edge, root first.
        let mut path: Vec<(usize, usize, f64)> = Vec::new();
        let mut node = 0usize;
        let mut state = root_state.to_vec();
        let mut depth = 0i64;
        let value = loop {
            if depth >= self.max_depth {
                break 0.0;
            }
            let n = &self.nodes[node];
            let cap = self.pw_k * math::powf(n.visits.max(1) as f64, self.pw_alpha);
            if (n.children.len() as f64) < cap {
                let dims = self.b.model.action_dims();
                let sampled = if self.safe_sampler && self.b.safe.u.len() == dims {
                    self.b.safe.u.clone()
                } else {
                    self.b.model.sample_action(&state, &mut self.rng)
                };
                let action = self.b.clamp(&sampled);
                let step = self.b.step(&state, &action, &mut self.rng)?;
                let mut v = step.reward;
                if !step.done {
                    v += self.gamma * self.rollout(step.next, depth + 1)?;
                }
                let n = &mut self.nodes[node];
                n.children.push(Child { action, visits: 1, sum: v, next: None });
                self.widen_added += 1;
                n.visits += 1;
                n.sum += v;
                break v;
            }
            // First argmax of q + c * sqrt(ln(max(1, N)) / n).
            let parent_n = math::ln(n.visits.max(1) as f64);
            let mut best = None;
            let mut best_score = -1.0e300;
            for (i, c) in n.children.iter().enumerate() {
                let score = if c.visits <= 0 {
                    1.0e30
                } else {
                    c.sum / c.visits as f64 + self.c_ucb * (parent_n / c.visits as f64).sqrt()
                };
                if score > best_score {
                    best_score = score;
                    best = Some(i);
                }
            }
            let Some(ci) = best else {
                self.nodes[node].visits += 1;
                break 0.0;
            };
            let action = self.nodes[node].children[ci].action.clone();
            let step = self.b.step(&state, &action, &mut self.rng)?;
            if step.done {
                let c = &mut self.nodes[node].children[ci];
                c.visits += 1;
                c.sum += step.reward;
                let n = &mut self.nodes[node];
                n.visits += 1;
                n.sum += step.reward;
                break step.reward;
            }
            let next = match self.nodes[node].children[ci].next {
                Some(k) => k,
                None => {
                    self.nodes.push(Node::default());
                    let k = self.nodes.len() - 1;
                    self.nodes[node].children[ci].next = Some(k);
                    k
                }
            };
            path.push((node, ci, step.reward));
            node = next;
            state = step.next;
            depth += 1;
        };
        let mut value = value;
        for &(n, ci, r) in path.iter().rev() {
            let v = r + self.gamma * value;
            let c = &mut self.nodes[n].children[ci];
            c.visits += 1;
            c.sum += v;
            let parent = &mut self.nodes[n];
            parent.visits += 1;
            parent.sum += v;
            value = v;
        }
        Ok(())
    }
}

/// Default iteration count when `work_max` is 0.
pub const DEFAULT_ITERS: i64 = 2000;
/// The deadline is checked before every 8th iteration.
pub const TIME_CHECK_INTERVAL: i64 = 8;

pub(super) fn run(b: &mut Backend<'_>) -> Result<Outcome, String> {
    let req = b.req;
    let cfg = &req.mcts;
    let iter_cap = if req.work_max > 0 { req.work_max } else { DEFAULT_ITERS }.max(1);
    let mut s = Search {
        rng: Rng::new(req.seed),
        nodes: vec![Node::default()],
        widen_added: 0,
        gamma: super::models::clamp(cfg.gamma, 0.0, 1.0),
        c_ucb: cfg.c_ucb.max(0.0),
        pw_k: cfg.pw_k.max(0.0),
        pw_alpha: cfg.pw_alpha.max(0.0),
        max_depth: cfg.max_depth.max(1),
        random_rollouts: normalized_token(&cfg.rollout_policy) == "random",
        safe_sampler: normalized_token(&cfg.action_sampler) == "safe_action",
        b,
    };
    let mut timed_out = false;
    let mut done = 0i64;
    for i in 0..iter_cap {
        if i % TIME_CHECK_INTERVAL == 0 && s.b.deadline_passed() {
            timed_out = true;
            break;
        }
        s.simulate(&req.state)?;
        done += 1;
    }
    let root = &s.nodes[0];
    let mut order: Vec<usize> = (0..root.children.len()).collect();
    std_sort(&mut order, &mut |l, r| root.children[*l].visits > root.children[*r].visits);
    let schema = &s.b.schema;
    let top_k = req.top_k.max(0) as usize;
    let top: Vec<MctsChoice> = order
        .iter()
        .take(top_k)
        .map(|&i| {
            let c = &root.children[i];
            MctsChoice {
                action: Action { schema: schema.clone(), u: s.b.clamp(&c.action) },
                visits: c.visits,
                q: if c.visits > 0 { c.sum / c.visits as f64 } else { 0.0 },
            }
        })
        .collect();
    let trace = Trace::Mcts {
        root_visits: root.visits,
        root_children: root.children.len() as i64,
        widen_added: s.widen_added,
        top_k: top,
    };
    let (status, action, confidence) = match order.first() {
        Some(&best) => {
            let c = &root.children[best];
            let conf = if root.visits > 0 { c.visits as f64 / root.visits.max(1) as f64 } else { 0.0 };
            let status = if timed_out { Status::Timeout } else { Status::Ok };
            (status, Action { schema: schema.clone(), u: s.b.clamp(&c.action) }, conf)
        }
        None => (Status::NoAction, s.b.safe.clone(), 0.0),
    };
    Ok(Outcome { status, action, confidence, work_done: done, trace, error: String::new() })
}
