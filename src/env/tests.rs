use super::run_loop::{Callable, Next, RunLoop};
use super::*;
use crate::capability::json::encode;

fn m(entries: Vec<(&str, Datum)>) -> Datum {
    sym_map(entries)
}

#[test]
fn nothing_attached() {
    let mut env = EnvHost::default();
    assert_eq!(
        encode(&env.info()).unwrap(),
        "{\"api_version\":\"env.api.v1\",\"attached\":false,\"backend\":null,\"backend_version\":null,\"supports\":{\"debug_draw\":false,\"deterministic_seed\":false,\"headless\":false,\"realtime_pacing\":false,\"reset\":false}}"
    );
    assert_eq!(env.attach(&Datum::str("pybullet"), 0.0).unwrap_err(), "env.attach: unknown backend: pybullet");
    assert_eq!(env.attach(&Datum::sym("foo"), 0.0).unwrap_err(), "env.attach: unknown backend: foo");
    assert_eq!(env.attach(&Datum::str(""), 0.0).unwrap_err(), "env.attach: backend name must not be empty");
    assert_eq!(env.attach(&Datum::Int(1), 0.0).unwrap_err(), "env.attach: expected string or symbol");
    assert_eq!(env.configure(&Datum::Int(1)).unwrap_err(), "env.configure: expected map");
    assert_eq!(env.configure(&m(vec![])).unwrap_err(), NOT_ATTACHED);
    assert_eq!(env.reset(&Datum::Nil, 0.0).unwrap_err(), NOT_ATTACHED);
    assert_eq!(env.reset(&Datum::Int(3), 0.0).unwrap_err(), NOT_ATTACHED);
    assert_eq!(env.observe(0.0).unwrap_err(), NOT_ATTACHED);
    assert_eq!(env.act(&m(vec![])).unwrap_err(), NOT_ATTACHED);
    assert_eq!(env.step(0.0).unwrap_err(), NOT_ATTACHED);
    assert_eq!(env.debug_draw(&Datum::Nil).unwrap_err(), NOT_ATTACHED);
    let cfg = m(vec![("tick_hz", Datum::Int(10)), ("max_ticks", Datum::Int(3))]);
    let err = RunLoop::start(&mut env, &cfg, Callable::Absent, Callable::Absent, 0.0).err().unwrap();
    assert_eq!(err, NOT_ATTACHED);
}

#[test]
fn attach_sim2d() {
    let mut env = EnvHost::default();
    env.attach(&Datum::str(SIM2D), 5.0).unwrap();
    assert_eq!(env.attach(&Datum::str(SIM2D), 5.0).unwrap_err(), "env.attach: backend already attached: sim2d");
    let info = env.info();
    assert_eq!(lookup(&info, "attached"), Some(&Datum::Bool(true)));
    assert_eq!(lookup(&info, "backend"), Some(&Datum::str("sim2d")));
    assert_eq!(lookup(&info, "backend_version"), Some(&Datum::str("1")));
    assert!(lookup(&info, "notes").is_some());
    assert_eq!(lookup(&info, "action_schema"), Some(&Datum::str("sim2d.cmd.v1")));
    let flags = encode(lookup(&info, "supports").unwrap()).unwrap();
    assert_eq!(
        flags,
        "{\"debug_draw\":true,\"deterministic_seed\":true,\"headless\":true,\"realtime_pacing\":true,\"reset\":true}"
    );
    assert!(env.world().is_some());
}

#[test]
fn configure_reset_observe_act_step() {
    let mut env = EnvHost::default();
    env.attach(&Datum::str(SIM2D), 0.0).unwrap();
    assert_eq!(
        env.configure(&m(vec![("tick_hz", Datum::Int(0))])).unwrap_err(),
        "env.configure :tick_hz: expected > 0"
    );
    assert_eq!(
        env.configure(&m(vec![("tick_hz", Datum::Float(2.0))])).unwrap_err(),
        "env.configure :tick_hz: expected integer"
    );
    assert_eq!(
        env.configure(&m(vec![("realtime", Datum::Int(1))])).unwrap_err(),
        "env.configure :realtime: expected boolean"
    );
    assert_eq!(
        env.configure(&m(vec![("rays", Datum::str("x"))])).unwrap_err(),
        "env.configure: sim2d rays: expected integer 0..64"
    );
    env.configure(&m(vec![("tick_hz", Datum::Int(10))])).unwrap();
    assert_eq!(env.reset(&Datum::str("x"), 0.0).unwrap_err(), "env.reset: expected integer");
    let obs = env.reset(&Datum::Int(7), 100.0).unwrap();
    assert_eq!(lookup(&obs, "episode"), Some(&Datum::Int(1)));
    assert_eq!(lookup(&obs, "step"), Some(&Datum::Int(0)));
    assert_eq!(lookup(&obs, "obs_schema"), Some(&Datum::str("sim2d.obs.v1")));
    assert_eq!(lookup(&obs, "t_ms"), Some(&Datum::Int(0)));
    env.act(&m(vec![
        ("action_schema", Datum::str("sim2d.cmd.v1")),
        ("u", Datum::List(vec![Datum::Float(1.0), Datum::Int(0)])),
    ]))
    .unwrap();
    assert_eq!(env.step(100.0).unwrap(), (true, None));
    let obs = env.observe(100.0).unwrap();
    assert_eq!(lookup(&obs, "step"), Some(&Datum::Int(1)));
    assert_eq!(lookup(&obs, "t_ms"), Some(&Datum::Int(100)), "simulation time, 10 Hz");
    assert_eq!(env.act(&Datum::Int(1)).unwrap_err(), "env.act: sim2d: expected action map with u (v w)");
    env.debug_draw(&m(vec![("text", Datum::str("hello"))])).unwrap();
    assert_eq!(env.world().unwrap().view().debug.len(), 1);
}

#[test]
fn realtime_pacing_sleeps_on_the_job_clock() {
    let mut env = EnvHost::default();
    env.attach(&Datum::str(SIM2D), 0.0).unwrap();
    env.configure(&m(vec![("tick_hz", Datum::Int(20)), ("realtime", Datum::Bool(true))])).unwrap();
    assert_eq!(env.step(0.0).unwrap(), (true, Some(50.0)));
    assert_eq!(env.step(50.0).unwrap(), (true, Some(100.0)));
    // Late: no sleep; the next deadline is one period after the missed one.
    assert_eq!(env.step(180.0).unwrap(), (true, None));
    assert_eq!(env.step(180.0).unwrap(), (true, Some(200.0)));
}

/// Drive a run loop to the end with Rust callbacks; job time advances by `tick_cost_ms`
/// during each `on_tick` call and jumps on sleeps.
type Callback<'a> = Box<dyn FnMut(&Datum) -> Result<Datum, String> + 'a>;

struct Driver<'a> {
    on_tick: Callback<'a>,
    observer: Option<Callback<'a>>,
    predicate: Option<Callback<'a>>,
    tick_cost_ms: f64,
    logs: Vec<(String, String)>,
    now: f64,
}

impl<'a> Driver<'a> {
    fn new(on_tick: impl FnMut(&Datum) -> Result<Datum, String> + 'a) -> Self {
        Driver {
            on_tick: Box::new(on_tick),
            observer: None,
            predicate: None,
            tick_cost_ms: 0.0,
            logs: Vec::new(),
            now: 0.0,
        }
    }

    fn run(&mut self, env: &mut EnvHost, cfg: &Datum) -> Result<Datum, String> {
        let pred = if self.predicate.is_some() { Callable::Procedure } else { Callable::Absent };
        let obs = if self.observer.is_some() { Callable::Procedure } else { Callable::Absent };
        let (mut lp, mut next) = RunLoop::start(env, cfg, pred, obs, self.now)?;
        for _ in 0..1_000_000 {
            let input = match next {
                Next::Finish(d) => return Ok(d),
                Next::Fail(e) => return Err(e),
                Next::CallOnTick(obs) => {
                    self.now += self.tick_cost_ms;
                    (self.on_tick)(&obs)
                }
                Next::CallObserver(r) => (self.observer.as_mut().unwrap())(&r),
                Next::CallPredicate(o) => (self.predicate.as_mut().unwrap())(&o),
                Next::AppendLog { path, line } => {
                    self.logs.push((path, line));
                    Ok(Datum::Nil)
                }
                Next::SleepUntil(t) => {
                    self.now = self.now.max(t);
                    Ok(Datum::Nil)
                }
            };
            next = lp.resume(env, input, self.now);
        }
        panic!("run loop did not finish");
    }
}

fn action(v: f64, w: f64) -> Datum {
    m(vec![("action_schema", Datum::str("sim2d.cmd.v1")), ("u", Datum::List(vec![Datum::Float(v), Datum::Float(w)]))])
}

fn f(d: &Datum, key: &str) -> f64 {
    match lookup(d, key) {
        Some(Datum::Float(x)) => *x,
        Some(Datum::Int(i)) => *i as f64,
        other => panic!("{key}: {other:?}"),
    }
}

/// The reactive goal-seeking policy of the world's tests (the guide's Lisp policy).
fn policy(obs: &Datum) -> Result<Datum, String> {
    let (v, w) = super::world::tests::policy(obs);
    Ok(action(v, w))
}

fn cfg(extra: Vec<(&str, Datum)>) -> Datum {
    let mut e = vec![("tick_hz", Datum::Int(20)), ("max_ticks", Datum::Int(2000))];
    for (k, v) in extra {
        match e.iter_mut().find(|(ek, _)| *ek == k) {
            Some(slot) => slot.1 = v,
            None => e.push((k, v)),
        }
    }
    m(e)
}

fn attached() -> EnvHost {
    let mut env = EnvHost::default();
    env.attach(&Datum::str(SIM2D), 0.0).unwrap();
    env
}

#[test]
fn the_robot_reaches_its_goal() {
    let mut env = attached();
    let r = Driver::new(policy).run(&mut env, &cfg(vec![])).unwrap();
    assert_eq!(lookup(&r, "status"), Some(&Datum::sym(":ok")), "{r:?}");
    assert_eq!(lookup(&r, "message"), Some(&Datum::str("success predicate satisfied")));
    assert_eq!(lookup(&r, "ok"), Some(&Datum::Bool(true)));
    assert_eq!(lookup(&r, "error"), Some(&Datum::Nil));
    assert_eq!(lookup(&r, "episodes_completed"), Some(&Datum::Int(1)));
    let ticks = f(&r, "ticks");
    assert!(ticks > 100.0 && ticks < 2000.0, "{ticks}");
    assert_eq!(f(&r, "steps_total"), ticks);
    let fin = lookup(&r, "final_obs").unwrap();
    // Success is read from the tick's observation (taken before its step), as in the
    // reference: the loop ends on the first tick that observes the goal reached.
    assert!(f(fin, "goal_dist") <= 0.3);
    assert_eq!(lookup(fin, "done"), Some(&Datum::Bool(true)));
    assert!(env.world().unwrap().view().reached);
    assert_eq!(env.world().unwrap().view().collisions, 0);
}

#[test]
fn seeded_runs_repeat_exactly() {
    let run = |seed: i64| {
        let mut env = attached();
        let r = Driver::new(policy).run(&mut env, &cfg(vec![("seed", Datum::Int(seed))])).unwrap();
        (r, env.world().unwrap().view().trail)
    };
    let (r1, t1) = run(11);
    let (r2, t2) = run(11);
    assert_eq!(r1, r2);
    assert_eq!(t1, t2);
    let (_, t3) = run(12);
    assert_ne!(t1, t3);
}

#[test]
fn observer_records_and_log_lines() {
    let mut env = attached();
    let mut records = Vec::new();
    let r = {
        let mut d = Driver::new(|_| Ok(action(0.5, 0.0)));
        d.observer = Some(Box::new(|rec: &Datum| {
            records.push(rec.clone());
            Ok(Datum::Nil)
        }));
        let r =
            d.run(&mut env, &cfg(vec![("max_ticks", Datum::Int(3)), ("log_path", Datum::str("run.jsonl"))])).unwrap();
        assert_eq!(d.logs.len(), 3);
        assert!(d.logs[0].1.starts_with("{\"action\":{\"action_schema\":\"sim2d.cmd.v1\""), "{}", d.logs[0].1);
        assert_eq!(d.logs[0].0, "run.jsonl");
        r
    };
    assert_eq!(lookup(&r, "status"), Some(&Datum::sym(":stopped")));
    assert_eq!(lookup(&r, "message"), Some(&Datum::str("episode_max reached")));
    assert_eq!(records.len(), 3);
    let rec = &records[1];
    assert_eq!(lookup(rec, "tick"), Some(&Datum::Int(2)));
    assert_eq!(lookup(rec, "t_ms"), Some(&Datum::Int(50)));
    assert_eq!(lookup(rec, "used_fallback"), Some(&Datum::Bool(false)));
    assert_eq!(lookup(rec, "overrun"), Some(&Datum::Bool(false)));
    let budget = lookup(rec, "budget").unwrap();
    assert_eq!(f(budget, "tick_budget_ms"), 50.0);
    assert!(lookup(rec, "error").is_none());
}

#[test]
fn fallbacks_overruns_and_safe_action() {
    // No action at all and no safe action: an error tick.
    let mut env = attached();
    let r = Driver::new(|_| Ok(Datum::Nil)).run(&mut env, &cfg(vec![])).unwrap();
    assert_eq!(lookup(&r, "status"), Some(&Datum::sym(":error")));
    assert_eq!(
        lookup(&r, "error"),
        Some(&Datum::str("env.run-loop: no action returned and safe_action is not configured"))
    );
    assert_eq!(lookup(&r, "ok"), Some(&Datum::Bool(false)));
    assert_eq!(lookup(&r, "ticks"), Some(&Datum::Int(1)));

    // Safe action used every tick.
    let mut env = attached();
    let r = Driver::new(|_| Ok(Datum::Nil))
        .run(&mut env, &cfg(vec![("max_ticks", Datum::Int(5)), ("safe_action", action(0.0, 0.0))]))
        .unwrap();
    assert_eq!(lookup(&r, "fallback_count"), Some(&Datum::Int(5)));

    // on_tick takes 80 ms of job time at 20 Hz: every tick overruns and uses the last good
    // action (after the first, which has none and uses the safe action).
    let mut env = attached();
    let mut d = Driver::new(|_| Ok(action(0.5, 0.0)));
    d.tick_cost_ms = 80.0;
    let r = d.run(&mut env, &cfg(vec![("max_ticks", Datum::Int(4)), ("safe_action", action(0.0, 0.0))])).unwrap();
    assert_eq!(lookup(&r, "overrun_count"), Some(&Datum::Int(4)));
    assert_eq!(lookup(&r, "fallback_count"), Some(&Datum::Int(4)));
    assert_eq!(env.world().unwrap().view().robot, (1.0, 3.0), "only the safe action (0 0) was ever applied");
}

#[test]
fn errors_in_callbacks_end_the_run() {
    let mut env = attached();
    let mut n = 0;
    let r = Driver::new(|obs| {
        n += 1;
        if n == 3 {
            Err("boom".into())
        } else {
            policy(obs)
        }
    })
    .run(&mut env, &cfg(vec![]))
    .unwrap();
    assert_eq!(lookup(&r, "status"), Some(&Datum::sym(":error")));
    assert_eq!(lookup(&r, "message"), Some(&Datum::str("boom")));
    assert_eq!(lookup(&r, "ticks"), Some(&Datum::Int(3)));
    assert_eq!(lookup(&r, "fallback_count"), Some(&Datum::Int(1)), "one safety step with the last good action");
    assert_eq!(lookup(&r, "steps_total"), Some(&Datum::Int(3)));

    // A failing predicate, and a failing observer on the error record: raised.
    let mut env = attached();
    let mut d = Driver::new(policy);
    d.predicate = Some(Box::new(|_| Err("bad predicate".into())));
    d.observer =
        Some(Box::new(
            |rec| if lookup(rec, "error").is_some() { Err("observer broke".into()) } else { Ok(Datum::Nil) },
        ));
    assert_eq!(d.run(&mut env, &cfg(vec![])).unwrap_err(), "observer broke");
}

#[test]
fn success_predicate_and_stop_on_success() {
    let mut env = attached();
    let mut d = Driver::new(policy);
    d.predicate = Some(Box::new(|obs| Ok(Datum::Bool(f(obs, "x") > 2.0))));
    let r = d.run(&mut env, &cfg(vec![])).unwrap();
    assert_eq!(lookup(&r, "status"), Some(&Datum::sym(":ok")));
    assert!(f(&r, "ticks") < 50.0);

    let mut env = attached();
    let r = Driver::new(|_| Ok(Datum::sym("success")))
        .run(
            &mut env,
            &cfg(vec![
                ("safe_action", action(0.0, 0.0)),
                ("stop_on_success", Datum::Bool(false)),
                ("max_ticks", Datum::Int(6)),
                ("step_max", Datum::Int(3)),
                ("episode_max", Datum::Int(2)),
            ]),
        )
        .unwrap();
    assert_eq!(lookup(&r, "status"), Some(&Datum::sym(":stopped")));
    assert_eq!(lookup(&r, "message"), Some(&Datum::str("episode_max reached")));
    assert_eq!(lookup(&r, "episodes_completed"), Some(&Datum::Int(2)));
    assert_eq!(lookup(&r, "last_episode_steps"), Some(&Datum::Int(3)));
    assert_eq!(env.episode, 2);
}

#[test]
fn stop_on_collision_stops_the_loop() {
    let mut env = attached();
    let r = Driver::new(|_| Ok(action(1.0, 0.0)))
        .run(&mut env, &cfg(vec![("stop_on_collision", Datum::Bool(true))]))
        .unwrap();
    assert_eq!(lookup(&r, "status"), Some(&Datum::sym(":stopped")));
    assert_eq!(lookup(&r, "message"), Some(&Datum::str("backend step returned false")));
}

#[test]
fn run_loop_configuration_errors() {
    let cases: Vec<(Datum, &str)> = vec![
        (m(vec![("tick_hz", Datum::Int(10))]), "env.run-loop: required keys are tick_hz and max_ticks"),
        (m(vec![("tick_hz", Datum::Int(0)), ("max_ticks", Datum::Int(1))]), "env.run-loop :tick_hz: expected > 0"),
        (m(vec![("tick_hz", Datum::Int(10)), ("max_ticks", Datum::Int(0))]), "env.run-loop :max_ticks: expected > 0"),
        (cfg(vec![("episode_max", Datum::Int(0))]), "env.run-loop :episode_max: expected > 0"),
        (cfg(vec![("stop_on_success", Datum::Int(0))]), "env.run-loop :stop_on_success: expected boolean"),
        (cfg(vec![("log_path", Datum::Int(0))]), "env.run-loop :log_path: expected string"),
        (cfg(vec![("schema_version", Datum::Int(0))]), "env.run-loop :schema_version: expected string"),
    ];
    for (c, msg) in cases {
        let mut env = attached();
        assert_eq!(RunLoop::start(&mut env, &c, Callable::Absent, Callable::Absent, 0.0).err().unwrap(), msg);
    }
    let mut env = attached();
    assert_eq!(
        RunLoop::start(&mut env, &cfg(vec![]), Callable::NotProcedure, Callable::Absent, 0.0).err().unwrap(),
        "env.run-loop :success_predicate: expected callable"
    );
    assert_eq!(
        RunLoop::start(&mut env, &cfg(vec![]), Callable::Absent, Callable::NotProcedure, 0.0).err().unwrap(),
        "env.run-loop :observer: expected callable"
    );
}

/// A backend that cannot reset.
struct Plain;
impl Backend for Plain {
    fn supports(&self) -> Supports {
        Supports::default()
    }
    fn configure(&mut self, _: &Datum) -> Result<(), String> {
        Ok(())
    }
    fn reset(&mut self, _: Option<i64>) -> Result<Datum, String> {
        Err("no".into())
    }
    fn observe(&mut self) -> Result<Datum, String> {
        Ok(Datum::Map(Vec::new()))
    }
    fn act(&mut self, _: &Datum) -> Result<(), String> {
        Ok(())
    }
    fn step(&mut self) -> Result<bool, String> {
        Ok(true)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[test]
fn multi_episode_needs_reset() {
    let mut env = EnvHost { backend: Some(Box::new(Plain)), name: "plain".into(), ..EnvHost::default() };
    let r = Driver::new(policy).run(&mut env, &cfg(vec![("episode_max", Datum::Int(2))])).unwrap();
    assert_eq!(lookup(&r, "status"), Some(&Datum::sym(":unsupported")));
    assert_eq!(lookup(&r, "message"), Some(&Datum::str("episode_max>1 requires env.reset capability")));
    assert_eq!(lookup(&r, "ticks"), Some(&Datum::Int(0)));
    assert_eq!(env.reset(&Datum::Nil, 0.0).unwrap_err(), "env.reset: backend does not support reset");
    // Observations are enriched: schema, job-time t_ms, episode, step.
    let obs = env.observe(12.0).unwrap();
    assert_eq!(encode(&obs).unwrap(), "{\"episode\":0,\"obs_schema\":\"env.obs.v1\",\"step\":0,\"t_ms\":12}");
}
