//! The reference's verified planner transcripts (bt-host.md 2.2, 2.4, 2.5, 2.7), digit for
//! digit.

use super::*;

/// Values as the reference's `json.encode` printed them (17 significant digits).
fn digits(u: &[f64]) -> String {
    let items: Vec<String> = u.iter().map(|x| format_g(*x, 17)).collect();
    format!("[{}]", items.join(","))
}

fn toy(planner: Algorithm, work_max: i64, seed: u64) -> PlanRequest {
    let mut r = PlanRequest::new(planner, "toy-1d", vec![0.0], 1000, seed);
    r.work_max = work_max;
    r
}

#[test]
fn mcts_toy_1d_seed_7_200_iterations() {
    let mut req = toy(Algorithm::Mcts, 200, 7);
    req.top_k = 2;
    let r = plan(&req);
    assert_eq!(r.status, Status::Ok);
    assert_eq!(digits(&r.action.u), "[0.99893127915514968]");
    assert_eq!(r.action.schema, "action.u.v1");
    assert_eq!(r.confidence, 0.25);
    assert_eq!(r.stats.work_done, 200);
    assert_eq!(r.stats.seed, 7);
    let Trace::Mcts { root_visits, root_children, widen_added, top_k } = &r.trace else { panic!("{:?}", r.trace) };
    assert_eq!((*root_visits, *root_children, *widen_added), (200, 29, 200));
    assert_eq!(top_k.len(), 2);
    assert_eq!(top_k[0].visits, 50);
    assert_eq!(format_g(top_k[0].q, 17), "-1.9240063288077531");
    assert_eq!(digits(&top_k[0].action.u), "[0.99893127915514968]");
    assert_eq!(top_k[1].visits, 24);
    assert_eq!(format_g(top_k[1].q, 17), "-2.1267563711371209");
    assert_eq!(digits(&top_k[1].action.u), "[0.74602920267586592]");
}

#[test]
fn default_seed_of_toy_1d() {
    let seed = default_seed("toy-1d", Algorithm::Mcts, 1000, &[0.0]);
    assert_eq!(seed & 0x7fff_ffff_ffff_ffff, 7047170373247538759);
    let r = plan(&toy(Algorithm::Mcts, 200, seed));
    assert_eq!(digits(&r.action.u), "[0.85998065332409968]");
}

#[test]
fn mcts_ptz_track_seed_7() {
    let mut req = PlanRequest::new(Algorithm::Mcts, "ptz-track", vec![0.0, 0.0, 0.5, -0.3], 1000, 7);
    req.work_max = 200;
    assert_eq!(digits(&plan(&req).action.u), "[0.21886325556085362,-0.2359481362934473]");
    req.work_max = 100;
    assert_eq!(digits(&plan(&req).action.u), "[0.21886325556085362,-0.2359481362934473]");
}

#[test]
fn mppi_toy_1d_64_samples() {
    let mut req = toy(Algorithm::Mppi, 200, 7);
    req.mppi.n_samples = 64;
    let r = plan(&req);
    assert_eq!(r.status, Status::Ok);
    assert_eq!(digits(&r.action.u), "[-0.0048080922921639674]");
    assert!(matches!(r.trace, Trace::Mppi { n_samples: 64, horizon: 20, .. }));
}

#[test]
fn ilqr_toy_1d() {
    let r = plan(&toy(Algorithm::Ilqr, 200, 7));
    assert_eq!(r.status, Status::Ok);
    assert_eq!(digits(&r.action.u), "[1]");
    let Trace::Ilqr { iters, cost_init, cost_final, .. } = r.trace else { panic!() };
    assert_eq!(iters, 4);
    assert_eq!(cost_init, 20.0);
    assert_eq!(format_g(cost_final, 17), "0.87500003269450677");
}

#[test]
fn unknown_model_and_bad_state_are_error_results() {
    let mut req = toy(Algorithm::Mcts, 200, 7);
    req.model_service = "nope".into();
    let r = plan(&req);
    assert_eq!(r.status, Status::Error);
    assert!(r.action.u.is_empty());
    assert_eq!(r.error, "planner model not found: nope");

    let mut req = PlanRequest::new(Algorithm::Mcts, "ptz-track", vec![0.0], 1000, 7);
    req.work_max = 200;
    let r = plan(&req);
    assert_eq!(r.status, Status::Error);
    assert_eq!(r.error, "planner state validation failed");
    assert_eq!(digits(&r.action.u), "[0,0]");

    let mut req = PlanRequest::new(Algorithm::Ilqr, "ptz-track", vec![0.0, 0.0, 0.5, -0.3], 1000, 7);
    req.work_max = 200;
    let r = plan(&req);
    assert_eq!(r.status, Status::Error);
    assert_eq!(r.error, "ilqr: analytic derivatives unavailable (linearise_dynamics)");
}

#[test]
fn zero_budget() {
    for (alg, status) in
        [(Algorithm::Mcts, Status::NoAction), (Algorithm::Mppi, Status::NoAction), (Algorithm::Ilqr, Status::Timeout)]
    {
        let mut req = toy(alg, 200, 7);
        req.budget_ms = 0;
        let r = plan(&req);
        assert_eq!(r.status, status, "{alg:?}");
        assert_eq!(r.stats.budget_ms, 0);
    }
}

#[test]
fn safe_action_is_clamped() {
    let mut req = toy(Algorithm::Mcts, 200, 7);
    req.budget_ms = 0;
    req.safe_action = Some(Action { schema: "action.u.v1".into(), u: vec![5.0] });
    let r = plan(&req);
    assert_eq!(r.status, Status::NoAction);
    assert_eq!(digits(&r.action.u), "[1]");
}

#[test]
fn base_seed_and_derived_seeds() {
    let p = Planner::default();
    assert_eq!(p.base_seed() & 0x7fff_ffff_ffff_ffff, 5579801004866093652);
    assert_eq!(p.derive_seed("pl", 1), 178485435294584680);
    assert_eq!(p.derive_seed("pl", 2), 178485435294584683);
}

#[test]
fn plan_action_ticks_1_and_2() {
    // `(plan-action :name "pl" :state_key s :work_max 100 :budget_ms 1000)`, state 0.0.
    let p = Planner::default();
    let mut req = toy(Algorithm::Mcts, 100, p.derive_seed("pl", 1));
    let r = plan(&req);
    // The reference printed the floats with 15 significant digits.
    assert_eq!(format_g(r.action.u[0], 15), "0.917696957308584");
    assert_eq!(r.confidence, 0.19);
    let Trace::Mcts { root_visits, root_children, widen_added, top_k } = &r.trace else { panic!() };
    assert_eq!((*root_visits, *root_children, *widen_added), (100, 20, 100));
    assert_eq!(top_k[0].visits, 19);
    assert_eq!(format_g(top_k[0].q, 6), "-1.44956");
    req.seed = p.derive_seed("pl", 2);
    assert_eq!(format_g(plan(&req).action.u[0], 15), "0.724737862050405");
}

#[test]
fn ptz_track_seed_key_7_via_plan_action() {
    let mut req = PlanRequest::new(Algorithm::Mcts, "ptz-track", vec![0.0, 0.0, 0.5, -0.3], 1000, 7);
    req.work_max = 100;
    let u = plan(&req).action.u;
    assert_eq!(format!("{:.15} {:.15}", u[0], u[1]), "0.218863255560854 -0.235948136293447");
}

#[test]
fn forty_way_tie_picks_the_31st_child() {
    let mut req = PlanRequest::new(Algorithm::Mcts, "toy-1d", vec![0.0], 1000, 5);
    req.work_max = 40;
    req.mcts.pw_k = 100.0;
    let r = plan(&req);
    let Trace::Mcts { root_children, .. } = r.trace else { panic!() };
    assert_eq!(root_children, 40);
    // The 31st expansion's action: replay the draws of 40 expansions by hand.
    let mut rng = Rng::new(5);
    let mut chosen = None;
    let mut x_actions = Vec::new();
    for i in 0..40 {
        let a = rng.uniform(-1.0, 1.0);
        x_actions.push(a);
        // the expansion's rollout draws, replayed with the same model
        let step = models::Toy1d.step(&[0.0], &[a], &mut rng).unwrap();
        if !step.done {
            let mut s = step.next;
            for _ in 1..25 {
                let u = models::Toy1d.rollout_action(&s, &mut rng);
                let st = models::Toy1d.step(&s, &u, &mut rng).unwrap();
                if st.done {
                    break;
                }
                s = st.next;
            }
        }
        if i == 30 {
            chosen = Some(a);
        }
    }
    assert_eq!(r.action.u, vec![chosen.unwrap()]);
}

#[test]
fn planner_time_is_modelled() {
    // The default search (2000 iterations) takes about the reference's 7 ms.
    let r = plan(&toy(Algorithm::Mcts, 0, 11));
    assert_eq!(r.stats.work_done, 2000);
    assert!((3.0..12.0).contains(&r.stats.elapsed_ms), "{}", r.stats.elapsed_ms);
    // A huge cap under a 3 ms budget stops at the budget, deterministically.
    let mut req = toy(Algorithm::Mcts, 100_000_000, 11);
    req.budget_ms = 3;
    let a = plan(&req);
    let b = plan(&req);
    assert_eq!(a.status, Status::Timeout);
    assert_eq!(a, b);
    assert!(a.stats.work_done > 0 && a.stats.work_done < 2000);
    assert_eq!(a.stats.time_used_ms, 3);
    assert!(!a.stats.overrun);
}

#[test]
fn deep_trees_do_not_recurse() {
    // One child per node: every iteration descends the whole chain.
    let mut req = toy(Algorithm::Mcts, 20_000, 3);
    req.budget_ms = 1_000_000;
    req.mcts.pw_k = 1.0;
    req.mcts.pw_alpha = 0.0;
    req.mcts.max_depth = 1_000_000;
    req.mcts.gamma = 1.0;
    let r = plan(&req);
    assert!(matches!(r.status, Status::Ok | Status::Timeout));
}

#[test]
fn every_model_plans_with_every_algorithm() {
    let states: [(&str, Vec<f64>); 4] = [
        ("toy-1d", vec![0.2]),
        ("ptz-track", vec![0.0, 0.0, 0.4, 0.1, 0.01, 0.0]),
        ("toy-unicycle", vec![0.0, 0.0, 0.0, 1.0, 1.0]),
        ("flagship-goal-shared-v1", vec![2.0, 0.5, 0.2, 0.0]),
    ];
    for (model, state) in states {
        for alg in [Algorithm::Mcts, Algorithm::Mppi, Algorithm::Ilqr] {
            let mut req = PlanRequest::new(alg, model, state.clone(), 50, 9);
            req.work_max = 50;
            if alg == Algorithm::Ilqr && model != "toy-1d" {
                req.ilqr.derivatives = Derivatives::FiniteDiff;
            }
            let r = plan(&req);
            assert!(matches!(r.status, Status::Ok | Status::Timeout), "{model} {alg:?}: {:?} {}", r.status, r.error);
            assert_eq!(r.action.u.len(), models::by_name(model).unwrap().action_dims());
            assert_eq!(r, plan(&req), "{model} {alg:?} is deterministic");
        }
    }
}

#[test]
fn one_plan_stops_at_the_step_limit_and_says_so() {
    let mut req = toy(Algorithm::Mcts, i64::MAX, 1);
    req.budget_ms = i64::MAX / 1_000_000;
    let r = plan(&req);
    assert_eq!(r.status, Status::Timeout);
    assert_eq!(r.stats.note, "stopped at the limit of 1000000 model steps per plan");
    assert!(r.stats.time_used_ms >= 400, "{}", r.stats.time_used_ms);
    // A plan inside the limit has no note.
    assert_eq!(plan(&toy(Algorithm::Mcts, 200, 7)).stats.note, "");
}

#[test]
fn an_absurd_horizon_is_an_error_result_not_an_allocation() {
    for planner in [Algorithm::Mppi, Algorithm::Ilqr] {
        let mut req = toy(planner, 10, 1);
        req.horizon = 1 << 40;
        let r = plan(&req);
        assert_eq!(r.status, Status::Error);
        assert_eq!(r.error, format!("planner horizon too long: {} (at most 10000)", 1i64 << 40));
    }
    let mut req = toy(Algorithm::Mppi, 10, 1);
    req.horizon = MAX_HORIZON;
    assert_ne!(plan(&req).status, Status::Error);
}
