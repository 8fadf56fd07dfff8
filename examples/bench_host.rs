//! Planner and world benchmarks (`cargo run --release --example bench_host`; `make bench`).
//!
//! 1. The planner with fixed iteration caps (so every run does the same work): MCTS on
//!    `toy-1d` (2000 iterations, the `plan-action` default) and `ptz-track` (1000), MPPI with
//!    128 samples, iLQR with 30 iterations. Each is timed over repeated plans; the figure is
//!    wall time per plan, and model steps per second. The modelled planner time each plan
//!    reports (`elapsed_ms`, the number budgets are charged) is printed next to it.
//! 2. The `sim2d` world: steps per second with the default 13 range rays (observe + act +
//!    step, the work of one `env.run-loop` tick without Lisp), and a seeded episode driven to
//!    its goal by the reactive policy of the "Drive the robot" guide.

use std::hint::black_box;
use std::time::Instant;

use granola::env::world::World;
use granola::lang::Datum;
use granola::planner::{self, Algorithm, PlanRequest, STEP_COST_NS};

fn time<T>(reps: u32, mut f: impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    for _ in 0..reps {
        black_box(f());
    }
    start.elapsed().as_secs_f64() / f64::from(reps)
}

fn plan_bench(label: &str, req: PlanRequest, reps: u32) {
    let r = planner::plan(&req);
    let steps = (r.stats.elapsed_ms * 1.0e6 / STEP_COST_NS as f64).round();
    let secs = time(reps, || planner::plan(&req));
    println!(
        "{label:<34} {:>9.3} ms/plan {:>7.1} M steps/s   work {:>5}  modelled {:>6.2} ms  u = {:?}",
        secs * 1e3,
        steps / secs / 1e6,
        r.stats.work_done,
        r.stats.elapsed_ms,
        r.action.u
    );
}

fn f(obs: &Datum, key: &str) -> f64 {
    let Datum::Map(e) = obs else { return 0.0 };
    e.iter()
        .find_map(|(k, v)| match (k, v) {
            (Datum::Sym(s), Datum::Float(x)) if s == key => Some(*x),
            _ => None,
        })
        .unwrap_or(0.0)
}

fn list(obs: &Datum, key: &str) -> Vec<f64> {
    let Datum::Map(e) = obs else { return Vec::new() };
    e.iter()
        .find_map(|(k, v)| match (k, v) {
            (Datum::Sym(s), Datum::List(items)) if s == key => {
                Some(items.iter().map(|x| if let Datum::Float(v) = x { *v } else { 0.0 }).collect())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// The guide's reactive policy.
fn policy(obs: &Datum) -> (f64, f64) {
    let mut turn = 2.0 * f(obs, "goal_bearing");
    for (r, a) in list(obs, "ranges").iter().zip(list(obs, "ray_angles")) {
        if *r < 1.0 {
            let push = 1.0 - r;
            turn -= if a >= 0.0 { 2.0 * push } else { -2.0 * push };
        }
    }
    (0.8 * (1.0 - f(obs, "obstacle_front")).max(0.2), turn.clamp(-2.0, 2.0))
}

fn main() {
    println!("== planner (fixed iteration caps; modelled time {STEP_COST_NS} ns per model step)");
    let mut r = PlanRequest::new(Algorithm::Mcts, "toy-1d", vec![0.0], 1000, 7);
    r.work_max = 2000;
    plan_bench("mcts toy-1d 2000 iterations", r, 50);
    let mut r = PlanRequest::new(Algorithm::Mcts, "ptz-track", vec![0.0, 0.0, 0.5, -0.3], 1000, 7);
    r.work_max = 1000;
    plan_bench("mcts ptz-track 1000 iterations", r, 20);
    let mut r = PlanRequest::new(Algorithm::Mcts, "toy-unicycle", vec![0.0, 0.0, 0.0, 3.0, 1.0], 1000, 7);
    r.work_max = 1000;
    plan_bench("mcts toy-unicycle 1000 iterations", r, 20);
    let mut r = PlanRequest::new(Algorithm::Mppi, "toy-1d", vec![0.0], 1000, 7);
    r.mppi.n_samples = 128;
    plan_bench("mppi toy-1d 128 samples", r, 100);
    let mut r = PlanRequest::new(Algorithm::Ilqr, "toy-1d", vec![0.0], 1000, 7);
    r.ilqr.tol_cost = 0.0;
    r.ilqr.tol_grad = 0.0;
    plan_bench("ilqr toy-1d, cap 30 iterations", r, 200);

    println!("== sim2d world");
    let mut w = World::default();
    let action = |v: f64, t: f64| {
        Datum::Map(vec![
            (Datum::sym("action_schema"), Datum::str("sim2d.cmd.v1")),
            (Datum::sym("u"), Datum::List(vec![Datum::Float(v), Datum::Float(t)])),
        ])
    };
    let n = 200_000u32;
    let secs = time(n, || {
        w.act(&action(0.6, 0.7)).unwrap();
        w.step()
    });
    println!("step only (act + step)             {:>9.0} steps/s   {:.2} µs/step", 1.0 / secs, secs * 1e6);
    let mut w = World::default();
    let secs = time(n / 4, || {
        let obs = w.observe();
        let (v, t) = policy(&obs);
        w.act(&action(v, t)).unwrap();
        w.step()
    });
    println!("observe + policy + act + step      {:>9.0} ticks/s   {:.2} µs/tick", 1.0 / secs, secs * 1e6);
    let start = Instant::now();
    let mut total = 0;
    for seed in 1..=100 {
        let mut w = World::default();
        w.reset(Some(seed));
        let mut steps = 0;
        while !w.reached() && steps < 2000 {
            let obs = w.observe();
            let (v, t) = policy(&obs);
            w.act(&action(v, t)).unwrap();
            w.step();
            steps += 1;
        }
        total += steps;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "100 seeded episodes to the goal     {:>9.1} ms total   {} ticks, {:.0} ticks/s",
        secs * 1e3,
        total,
        total as f64 / secs
    );
}
