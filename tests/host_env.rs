#![cfg(not(target_arch = "wasm32"))]
//! `env.*` from Lisp: the reference's answers with nothing attached, the built-in `sim2d`
//! world driven by `env.run-loop` and a Lisp policy (success, seeded repeatability,
//! collisions, fallbacks, overruns on the job clock, errors inside callbacks, limits).

use granola::runtime::{run_script, run_script_with_step_limit};

fn run(src: &str) -> String {
    run_script(src).transcript()
}

fn last(src: &str) -> String {
    run(src).lines().last().unwrap_or_default().to_string()
}

#[test]
fn nothing_attached() {
    assert_eq!(
        run("(json.encode (env.info))\n(env.info)\n"),
        "\"{\\\"api_version\\\":\\\"env.api.v1\\\",\\\"attached\\\":false,\\\"backend\\\":null,\\\"backend_version\\\":null,\\\"supports\\\":{\\\"debug_draw\\\":false,\\\"deterministic_seed\\\":false,\\\"headless\\\":false,\\\"realtime_pacing\\\":false,\\\"reset\\\":false}}\"\n<map:5>\n"
    );
    let cases = [
        ("(env.attach \"pybullet\")", "env.attach: unknown backend: pybullet"),
        ("(env.attach 'foo)", "env.attach: unknown backend: foo"),
        ("(env.attach \"\")", "env.attach: backend name must not be empty"),
        ("(env.attach 1)", "env.attach: expected string or symbol"),
        ("(env.configure 1)", "env.configure: expected map"),
        ("(env.configure (map.make))", "env backend not attached"),
        ("(env.reset nil)", "env backend not attached"),
        ("(env.reset 4)", "env backend not attached"),
        ("(env.observe)", "env backend not attached"),
        ("(env.act (map.make))", "env backend not attached"),
        ("(env.step)", "env backend not attached"),
        ("(env.debug-draw 1)", "env backend not attached"),
        ("(env.run-loop (map.make) (lambda (o) o))", "env backend not attached"),
        ("(env.run-loop 1 (lambda (o) o))", "env.run-loop: expected config map"),
        ("(env.run-loop (map.make) 1)", "env.run-loop: expected callable on_tick"),
        ("(env.run-loop (map.make))", "env.run-loop: expected 2 arguments, got 1"),
    ];
    for (code, msg) in cases {
        assert_eq!(run(&format!("{code}\n")), format!("fatal: line 1, column 1: {msg}\n"), "{code}");
    }
}

/// The guide's policy: steer for the goal, pushed away from obstacles closer than 1 m.
const POLICY: &str = "(env.attach \"sim2d\")
(define (cmd v w)
  (let ((a (map.make)))
    (map.set! a 'action_schema \"sim2d.cmd.v1\")
    (map.set! a 'u (list v w))
    a))
(define (push ranges angles)
  (if (null? ranges)
      0.0
      (+ (let ((r (car ranges)) (a (car angles)))
           (if (< r 1.0) (* (if (< a 0.0) 2.0 -2.0) (- 1.0 r)) 0.0))
         (push (cdr ranges) (cdr angles)))))
(define (policy obs)
  (let ((turn (+ (* 2.0 (map.get obs 'goal_bearing 0.0))
                 (push (map.get obs 'ranges nil) (map.get obs 'ray_angles nil))))
        (speed (* 0.8 (clamp (- 1.0 (map.get obs 'obstacle_front 0.0)) 0.2 1.0))))
    (cmd speed (clamp turn -2.0 2.0))))
(define cfg (map.make))
(map.set! cfg 'tick_hz 20)
(map.set! cfg 'max_ticks 2000)
";

#[test]
fn the_robot_reaches_its_goal() {
    let src = format!(
        "{POLICY}(define r (env.run-loop cfg policy))
(list (map.get r 'status nil) (map.get r 'ok nil) (map.get r 'ticks 0) (map.get r 'steps_total 0) (map.get r 'message nil))
(list (map.get r 'episodes_completed 0) (map.get r 'fallback_count -1) (map.get r 'overrun_count -1) (map.get r 'error 'none))
(define fin (map.get r 'final_obs nil))
(list (map.get fin 'done nil) (< (map.get fin 'goal_dist 9.0) 0.3) (map.get fin 'collisions -1) (map.get fin 'episode 0))
(time.now-ms)
"
    );
    let out = run(&src);
    assert!(out.contains("\n(:ok #t 280 280 \"success predicate satisfied\")\n(1 0 0 nil)\n"), "{out}");
    // No job time passes without realtime pacing.
    assert!(out.ends_with("\n(#t #t 0 1)\n0\n"), "{out}");
}

#[test]
fn realtime_pacing_sleeps_job_time() {
    let src = format!(
        "{POLICY}(map.set! cfg 'realtime #t)
(define r (env.run-loop cfg policy))
(list (map.get r 'ticks 0) (time.now-ms))
"
    );
    // 280 ticks at 20 Hz: every step waits for the end of its 50 ms slot.
    assert_eq!(last(&src), "(280 14000)");
}

#[test]
fn seeded_runs_repeat() {
    let trace = |seed: i64| {
        format!(
            "{POLICY}(map.set! cfg 'seed {seed})
(map.set! cfg 'max_ticks 300)
(define poses (vec.make))
(define (observe rec) (vec.push! poses (list (map.get (map.get rec 'obs nil) 'x 0) (map.get (map.get rec 'obs nil) 'y 0))))
(map.set! cfg 'observer observe)
(define r (env.run-loop cfg policy))
(list (map.get r 'ticks 0) (vec.len poses) (vec.get poses 0) (vec.get poses 150) (map.get r 'status nil))
"
        )
    };
    let a = last(&trace(5));
    assert_eq!(a, last(&trace(5)));
    assert_ne!(a, last(&trace(6)));
    assert!(a.starts_with('('), "{a}");
}

#[test]
fn collisions_and_stop_on_collision() {
    let src = format!(
        "{POLICY}(map.set! cfg 'max_ticks 120)
(define r (env.run-loop cfg (lambda (obs) (cmd 1.0 0.0))))
(list (map.get r 'status nil) (map.get r 'message nil) (> (map.get (map.get r 'final_obs nil) 'collisions 0) 0))
(define c2 (map.make))
(map.set! c2 'tick_hz 20)
(map.set! c2 'max_ticks 120)
(map.set! c2 'stop_on_collision #t)
(env.reset nil)
(define r (env.run-loop c2 (lambda (obs) (cmd 1.0 0.0))))
(list (map.get r 'status nil) (map.get r 'message nil) (map.get r 'ticks 0))
"
    );
    let out = run(&src);
    assert!(out.contains("\n(:stopped \"episode_max reached\" #t)\n"), "{out}");
    assert!(out.ends_with("\n(:stopped \"backend step returned false\" 45)\n"), "{out}");
}

#[test]
fn overruns_are_measured_on_the_job_clock() {
    let src = format!(
        "{POLICY}(map.set! cfg 'max_ticks 6)
(define safe (cmd 0.0 0.0))
(map.set! cfg 'safe_action safe)
(define n 0)
(define (slow obs) (begin (time.sleep-ms 80) (policy obs)))
(define r (env.run-loop cfg slow))
(list (map.get r 'overrun_count 0) (map.get r 'fallback_count 0) (time.now-ms))
"
    );
    assert_eq!(last(&src), "(6 6 480)");
}

#[test]
fn fallbacks_and_errors() {
    let src = format!(
        "{POLICY}(map.set! cfg 'max_ticks 5)
(define r (env.run-loop cfg (lambda (obs) nil)))
(list (map.get r 'status nil) (map.get r 'error nil) (map.get r 'ticks 0))
(map.set! cfg 'safe_action (cmd 0.0 0.0))
(define r (env.run-loop cfg (lambda (obs) nil)))
(list (map.get r 'status nil) (map.get r 'fallback_count 0))
(define k 0)
(define (flaky obs) (if (= (map.get obs 'step 0) 2) (car 5) (policy obs)))
(define r (env.run-loop cfg flaky))
(list (map.get r 'status nil) (map.get r 'message nil) (map.get r 'ticks 0) (map.get r 'ok nil))
"
    );
    let out = run(&src);
    assert!(
        out.contains("\n(:error \"env.run-loop: no action returned and safe_action is not configured\" 1)\n"),
        "{out}"
    );
    assert!(out.contains("\n(:stopped 5)\n"), "{out}");
    assert!(out.ends_with("\n(:error \"car: expected cons\" 3 #f)\n"), "{out}");
}

#[test]
fn predicate_observer_and_records() {
    let src = format!(
        "{POLICY}(define (far obs) (> (map.get obs 'x 0.0) 2.0))
(map.set! cfg 'success_predicate far)
(define seen (vec.make))
(map.set! cfg 'observer (lambda (rec) (vec.push! seen rec)))
(map.set! cfg 'schema_version \"demo.v1\")
(define r (env.run-loop cfg policy))
(define rec (vec.get seen 0))
(list (map.get r 'status nil) (= (vec.len seen) (map.get r 'ticks 0)))
(list (map.get rec 'tick 0) (map.get rec 't_ms -1) (map.get rec 'schema_version nil) (map.get rec 'used_fallback nil) (map.get rec 'overrun nil))
(map.get (map.get rec 'budget nil) 'tick_budget_ms 0)
(map.set! cfg 'observer 5)
(env.run-loop cfg policy)
"
    );
    let out = run(&src);
    let lines: Vec<&str> = out.lines().collect();
    let n = lines.len();
    assert_eq!(lines[n - 5], "(:ok #t)", "{out}");
    assert_eq!(lines[n - 4], "(1 0 \"demo.v1\" #f #f)", "{out}");
    assert_eq!(lines[n - 3], "50.0", "{out}");
    assert!(lines[n - 1].ends_with("env.run-loop :observer: expected callable"), "{out}");
}

#[test]
fn configure_reset_observe_step() {
    let src = "(env.attach 'sim2d)
(env.attach \"sim2d\")
";
    assert_eq!(run(src), "nil\nfatal: line 2, column 1: env.attach: backend already attached: sim2d\n");
    let src = "(env.attach \"sim2d\")
(define c (map.make))
(map.set! c 'tick_hz 10)
(map.set! c 'goal (list 3.0 3.0))
(map.set! c 'obstacles nil)
(env.configure c)
(define o (env.reset nil))
(list (map.get o 'episode 0) (map.get o 'step -1) (map.get o 't_ms -1) (map.get o 'goal nil) (map.get o 'obs_schema nil))
(define a (map.make))
(map.set! a 'action_schema \"sim2d.cmd.v1\")
(map.set! a 'u (list 1.0 0.0))
(env.act a)
(env.step)
(env.step)
(define o (env.observe))
(list (map.get o 'step 0) (map.get o 't_ms 0) (map.get o 'x 0) (map.get o 'y 0))
(env.act 5)
";
    let out = run(src);
    assert!(out.contains("(1 0 0 (3.0 3.0) \"sim2d.obs.v1\")\n"), "{out}");
    assert!(out.contains("(2 200 1.2 3.0)\n"), "{out}");
    assert!(out.ends_with("env.act: sim2d: expected action map with u (v w)\n"), "{out}");
    let src = "(env.attach \"sim2d\")
(define c (map.make))
(map.set! c 'tick_hz 0)
(env.configure c)
";
    assert!(run(src).ends_with("env.configure :tick_hz: expected > 0\n"));
    assert!(run("(env.attach \"sim2d\")\n(env.reset \"x\")\n").ends_with("env.reset: expected integer\n"));
}

#[test]
fn the_step_budget_still_applies_inside_on_tick() {
    let src = format!("{POLICY}(define (spin n) (if (= n 0) 0 (spin (- n 1))))\n(env.run-loop cfg (lambda (obs) (begin (spin 1000000000) (policy obs))))\n");
    let r = run_script_with_step_limit(&src, 2_000_000);
    let err = r.error.expect("the budget stops the loop");
    assert!(err.message.contains("step limit exceeded"), "{}", err.message);
}

#[test]
fn depth_limit_inside_on_tick_ends_the_form() {
    let src = format!("{POLICY}(define (deep n) (+ 1 (deep n)))\n(env.run-loop cfg (lambda (obs) (deep 0)))\n");
    let out = run(&src);
    assert!(out.contains("maximum recursion depth exceeded"), "{out}");
}

mod log_file {
    use granola::jobs::Engine;
    use granola::lang::{Driven, Files, Host, Limits, MemFiles, RunLoop};
    use granola::runtime::{new_interp, JumpClock};
    use std::cell::RefCell;
    use std::rc::Rc;

    /// In-memory files the test can still read after the interpreter wrote them.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<MemFiles>>);

    impl Files for Shared {
        fn read(&mut self, path: &str, max: usize) -> Result<(String, String), String> {
            self.0.borrow_mut().read(path, max)
        }
        fn write(&mut self, path: &str, text: &str) -> Result<(), String> {
            self.0.borrow_mut().write(path, text)
        }
        fn append(&mut self, path: &str, text: &str) -> Result<(), String> {
            self.0.borrow_mut().append(path, text)
        }
    }

    struct Quiet;
    impl Host for Quiet {
        fn print(&mut self, _: &str) {}
    }

    #[test]
    fn log_path_gets_one_json_line_per_tick() {
        let engine = Rc::new(RefCell::new(Engine::default()));
        let mut interp = new_interp(&engine, Limits::default());
        let files = Shared::default();
        files.0.borrow_mut().insert("run.jsonl", "{\"earlier\":true}\n");
        interp.set_files(Box::new(files.clone()));
        let src = "(env.attach \"sim2d\")
(define a (map.make))
(map.set! a 'action_schema \"sim2d.cmd.v1\")
(map.set! a 'u (list 0.5 0.25))
(define cfg (map.make))
(map.set! cfg 'tick_hz 20)
(map.set! cfg 'max_ticks 3)
(map.set! cfg 'log_path \"run.jsonl\")
(map.set! cfg 'schema_version \"demo.v1\")
(env.run-loop cfg (lambda (obs) a))
";
        interp.load(src).unwrap();
        let mut run = RunLoop::new(1_000_000, Some(Limits::SCRIPT_STEPS));
        loop {
            match run.next(&mut interp, &mut Quiet, &mut JumpClock(engine.clone())) {
                Driven::Idle => break,
                Driven::Error(e) => panic!("{}", e.message),
                _ => {}
            }
        }
        let text = files.0.borrow().get("run.jsonl").unwrap_or_default().to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(lines[0], "{\"earlier\":true}", "appended, not overwritten");
        for (i, line) in lines[1..].iter().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["tick"], i as i64 + 1);
            assert_eq!(v["schema_version"], "demo.v1");
            assert_eq!(v["action"]["u"], serde_json::json!([0.5, 0.25]));
            assert_eq!(v["used_fallback"], false);
            assert_eq!(v["obs"]["obs_schema"], "sim2d.obs.v1");
        }
    }
}

#[test]
fn callbacks_survive_garbage_collection_inside_the_loop() {
    // The config map and the lambdas exist only inside the call; a full collection on every
    // tick must keep the callbacks alive.
    let src = "(env.attach \"sim2d\")
(define seen (vec.make))
(define r
  (env.run-loop
    (let ((c (map.make)) (a (map.make)))
      (begin
        (map.set! a 'action_schema \"sim2d.cmd.v1\")
        (map.set! a 'u (list 0.5 0.0))
        (map.set! c 'tick_hz 20)
        (map.set! c 'max_ticks 6)
        (map.set! c 'observer (lambda (rec) (vec.push! seen (map.get rec 'tick 0))))
        (map.set! c 'success_predicate (lambda (obs) (> (map.get obs 'step 0) 3)))
        c))
    (let ((a (map.make)))
      (begin
        (map.set! a 'action_schema \"sim2d.cmd.v1\")
        (map.set! a 'u (list 0.5 0.0))
        (lambda (obs) (begin (gc-stats) a))))))
(list (map.get r 'status nil) (map.get r 'ticks 0) (vec.len seen) (vec.get seen 4))
";
    let out = run(src);
    assert!(out.ends_with("\n(:ok 5 5 5)\n"), "{out}");
    assert_eq!(out.matches("forced collection count:").count(), 5, "{out}");
}
