#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the host cores: the world never lets the robot into an obstacle or a
//! wall and repeats itself exactly; the planner always answers with a finite action of the
//! model's size inside its bounds, the same one twice; the run loop ends with a result map
//! whatever its callbacks answer.

use granola::env::run_loop::{Callable, Next, RunLoop};
use granola::env::world::World;
use granola::env::EnvHost;
use granola::lang::Datum;
use granola::planner::{self, models, Algorithm, Derivatives, PlanRequest, Status};
use proptest::prelude::*;

fn action(v: f64, w: f64) -> Datum {
    Datum::Map(vec![
        (Datum::sym("action_schema"), Datum::str("sim2d.cmd.v1")),
        (Datum::sym("u"), Datum::List(vec![Datum::Float(v), Datum::Float(w)])),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_robot_never_overlaps_anything(
        seed in proptest::option::of(0i64..10_000),
        cmds in proptest::collection::vec((-3.0f64..3.0, -5.0f64..5.0, 1usize..30), 1..25),
    ) {
        let mut w = World::default();
        w.reset(seed);
        let mut again = World::default();
        again.reset(seed);
        for (v, turn, n) in cmds {
            for _ in 0..n {
                w.act(&action(v, turn)).unwrap();
                w.step();
                again.act(&action(v, turn)).unwrap();
                again.step();
                let view = w.view();
                let (x, y) = view.robot;
                let r = view.robot_radius;
                prop_assert!(x - r >= -1e-9 && y - r >= -1e-9 && x + r <= view.width + 1e-9 && y + r <= view.height + 1e-9,
                    "outside the arena at {:?}", view.robot);
                for o in &view.obstacles {
                    let d = ((o.x - x).powi(2) + (o.y - y).powi(2)).sqrt();
                    prop_assert!(d >= o.r + r - 1e-9, "inside obstacle {:?} at {:?}", o, view.robot);
                }
                prop_assert_eq!(w.pose(), again.pose());
            }
        }
        prop_assert_eq!(w.view(), again.view());
    }

    #[test]
    fn plans_are_finite_bounded_and_repeatable(
        model in 0usize..4,
        alg in 0usize..3,
        seed in any::<u64>(),
        work in 1i64..60,
        budget in -5i64..50,
        raw in proptest::collection::vec(-3.0f64..3.0, 6),
        fd in any::<bool>(),
    ) {
        let m = models::all()[model];
        let algorithm = [Algorithm::Mcts, Algorithm::Mppi, Algorithm::Ilqr][alg];
        let mut req = PlanRequest::new(algorithm, m.name(), raw, budget, seed);
        req.work_max = work;
        if fd {
            req.ilqr.derivatives = Derivatives::FiniteDiff;
        }
        let r = planner::plan(&req);
        prop_assert_eq!(r.action.u.len(), m.action_dims());
        prop_assert!(r.action.u.iter().all(|x| x.is_finite()));
        for (u, b) in r.action.u.iter().zip(m.action_bounds()) {
            prop_assert!(*u >= b.lo && *u <= b.hi, "{} outside [{}, {}]", u, b.lo, b.hi);
        }
        prop_assert!((0.0..=1.0).contains(&r.confidence));
        prop_assert!(r.stats.work_done <= work);
        if r.status == Status::Error {
            prop_assert!(!r.error.is_empty());
        }
        prop_assert_eq!(&r, &planner::plan(&req));
    }

    #[test]
    fn the_run_loop_always_ends_with_a_result(
        answers in proptest::collection::vec(0u8..6, 1..40),
        max_ticks in 1i64..30,
        safe in any::<bool>(),
        predicate in any::<bool>(),
        observer in any::<bool>(),
        realtime in any::<bool>(),
    ) {
        let mut env = EnvHost::default();
        env.attach(&Datum::str("sim2d"), 0.0).unwrap();
        let mut cfg = vec![
            (Datum::sym("tick_hz"), Datum::Int(20)),
            (Datum::sym("max_ticks"), Datum::Int(max_ticks)),
            (Datum::sym("realtime"), Datum::Bool(realtime)),
        ];
        if safe {
            cfg.push((Datum::sym("safe_action"), action(0.0, 0.0)));
        }
        let cfg = Datum::Map(cfg);
        let kind = |b: bool| if b { Callable::Procedure } else { Callable::Absent };
        let (mut lp, mut next) = RunLoop::start(&mut env, &cfg, kind(predicate), kind(observer), 0.0).unwrap();
        let mut now = 0.0;
        let mut i = 0usize;
        let mut calls = 0;
        let result = loop {
            calls += 1;
            prop_assert!(calls < 10_000, "the loop does not end");
            let input = match next {
                Next::Finish(d) => break d,
                Next::Fail(e) => { prop_assert!(!e.is_empty()); break Datum::Nil; }
                Next::CallOnTick(_) => {
                    let a = answers[i % answers.len()];
                    i += 1;
                    now += f64::from(a) * 13.0;
                    match a {
                        0 => Ok(action(0.5, 0.3)),
                        1 => Ok(Datum::Nil),
                        2 => Ok(Datum::Map(vec![(Datum::sym("action"), action(1.0, -1.0))])),
                        3 => Err("boom".to_string()),
                        4 => Ok(Datum::sym("success")),
                        _ => Ok(Datum::str("garbage")),
                    }
                }
                Next::CallObserver(_) => Ok(Datum::Nil),
                Next::CallPredicate(_) => Ok(Datum::Bool(i.is_multiple_of(7))),
                Next::AppendLog { .. } => Ok(Datum::Nil),
                Next::SleepUntil(t) => { prop_assert!(t >= now); now = t; Ok(Datum::Nil) }
            };
            next = lp.resume(&mut env, input, now);
        };
        if let Datum::Map(entries) = &result {
            let get = |k: &str| entries.iter().find(|(key, _)| *key == Datum::sym(k)).map(|(_, v)| v.clone());
            let Some(Datum::Int(ticks)) = get("ticks") else { panic!("no ticks in {result:?}") };
            prop_assert!(ticks >= 1 && ticks <= max_ticks, "ticks {}", ticks);
            prop_assert!(matches!(get("status"), Some(Datum::Sym(_))));
        } else {
            prop_assert!(false, "no result map: {:?}", result);
        }
    }
}
