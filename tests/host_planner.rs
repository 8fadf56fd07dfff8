#![cfg(not(target_arch = "wasm32"))]
//! `planner.*` from Lisp: the reference's verified transcripts (bt-host.md 2.1, 2.2, 2.4),
//! digit for digit, and every error of the request table.

use granola::runtime::run_script;

fn run(src: &str) -> String {
    run_script(src).transcript()
}

const REQUEST: &str = "(define m (map.make))
(map.set! m 'schema_version \"planner.request.v1\")
(map.set! m 'planner ':mcts)
(map.set! m 'model_service \"toy-1d\")
(map.set! m 'state (list 0.0))
(map.set! m 'budget_ms 1000)
(map.set! m 'work_max 200)
";

#[test]
fn the_reference_transcript() {
    let src = format!("{REQUEST}(map.set! m 'seed 7)\n(map.set! m 'top_k 2)\n(define r (planner.plan m))\n(map.keys r)\n(json.encode r)\n");
    let want = "<map:0>\n\"planner.request.v1\"\n:mcts\n\"toy-1d\"\n(0.0)\n1000\n200\n7\n2\n<map:7>\n(trace stats action confidence status planner schema_version)\n\"{\\\"action\\\":{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[0.99893127915514968]},\\\"confidence\\\":0.25,\\\"planner\\\":\\\"mcts\\\",\\\"schema_version\\\":\\\"planner.result.v1\\\",\\\"stats\\\":{\\\"budget_ms\\\":1000,\\\"seed\\\":7,\\\"time_used_ms\\\":0,\\\"work_done\\\":200},\\\"status\\\":\\\":ok\\\",\\\"trace\\\":{\\\"root_children\\\":29,\\\"root_visits\\\":200,\\\"top_k\\\":[{\\\"action\\\":{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[0.99893127915514968]},\\\"q\\\":-1.9240063288077531,\\\"visits\\\":50},{\\\"action\\\":{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[0.74602920267586592]},\\\"q\\\":-2.1267563711371209,\\\"visits\\\":24}],\\\"widen_added\\\":200}}\"\n";
    assert_eq!(run(&src), want);
}

/// `(json.encode (map.get (planner.plan m) 'action nil))` after the extra settings.
fn action_of(extra: &str) -> String {
    let src = format!("{REQUEST}{extra}\n(define r (planner.plan m))\n(list (map.get r 'status nil) (json.encode (map.get r 'action nil)) (map.get r 'error nil))\n");
    run(&src).lines().last().unwrap_or_default().to_string()
}

#[test]
fn also_observed() {
    let ptz =
        "(map.set! m 'seed 7)(map.set! m 'model_service \"ptz-track\")(map.set! m 'state (list 0.0 0.0 0.5 -0.3))";
    assert_eq!(
        action_of(ptz),
        "(:ok \"{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[0.21886325556085362,-0.2359481362934473]}\" nil)"
    );
    assert_eq!(
        action_of(""),
        "(:ok \"{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[0.85998065332409968]}\" nil)"
    );
    let mppi = "(map.set! m 'seed 7)(map.set! m 'planner \"MPPI\")(define c (map.make))(map.set! c 'n_samples 64)(map.set! m 'mppi c)";
    assert_eq!(
        action_of(mppi),
        "(:ok \"{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[-0.0048080922921639674]}\" nil)"
    );
    assert_eq!(
        action_of("(map.set! m 'seed 7)(map.set! m 'planner ':ilqr)"),
        "(:ok \"{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[1]}\" nil)"
    );
    assert_eq!(
        action_of("(map.set! m 'model_service \"nope\")"),
        "(:error \"{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":null}\" \"planner model not found: nope\")"
    );
    assert_eq!(
        action_of("(map.set! m 'model_service \"ptz-track\")"),
        "(:error \"{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[0,0]}\" \"planner state validation failed\")"
    );
    assert_eq!(
        action_of("(map.set! m 'model_service \"ptz-track\")(map.set! m 'planner 'ilqr)(map.set! m 'state (list 0 0 0.5 -0.3))"),
        "(:error \"{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[0,0]}\" \"ilqr: analytic derivatives unavailable (linearise_dynamics)\")"
    );
    let safe = "(define s (map.make))(map.set! s 'action_schema \"action.u.v1\")(map.set! s 'u (list 5.0))(map.set! m 'safe_action s)(map.set! m 'budget_ms 0)";
    assert_eq!(action_of(safe), "(:noaction \"{\\\"action_schema\\\":\\\"action.u.v1\\\",\\\"u\\\":[1]}\" nil)");
}

#[test]
fn ilqr_trace_and_zero_budgets() {
    let src = format!(
        "{REQUEST}(map.set! m 'seed 7)(map.set! m 'planner ':ilqr)
(define t (map.get (planner.plan m) 'trace nil))
(list (map.get t 'iters 0) (json.encode (map.get t 'cost_init 0)) (json.encode (map.get t 'cost_final 0)))
(map.set! m 'budget_ms 0)
(list (map.get (planner.plan m) 'status nil))"
    );
    let out = run(&src);
    assert!(out.contains("(4 \"20\" \"0.87500003269450677\")\n"), "{out}");
    assert!(out.ends_with("(:timeout)\n"), "{out}");
    for p in [":mcts", ":mppi"] {
        let src = format!(
            "{REQUEST}(map.set! m 'budget_ms 0)(map.set! m 'planner '{p})\n(map.get (planner.plan m) 'status nil)\n"
        );
        assert!(run(&src).ends_with(":noaction\n"), "{p}");
    }
}

#[test]
fn base_seed() {
    assert_eq!(
        run("(planner.get-base-seed)\n(planner.set-base-seed 42)\n(planner.get-base-seed)\n(planner.set-base-seed -1)\n"),
        "5579801004866093652\nnil\n42\nfatal: line 4, column 1: planner.set-base-seed: seed must be non-negative\n"
    );
    assert_eq!(
        run("(planner.set-base-seed 1.5)\n"),
        "fatal: line 1, column 1: planner.set-base-seed: expected integer\n"
    );
    assert_eq!(
        run("(planner.get-base-seed 1)\n"),
        "fatal: line 1, column 1: planner.get-base-seed: expected 0 arguments, got 1\n"
    );
}

#[test]
fn request_errors() {
    let cases = [
        ("(planner.plan 1)", "planner.plan: expected map"),
        ("(planner.plan (map.make))", "planner.plan: missing required schema_version"),
        (
            "(map.set! m 'schema_version \"v9\")(planner.plan m)",
            "planner.plan: schema_version must be \"planner.request.v1\"",
        ),
        ("(map.set! m 'planner 'astar)(planner.plan m)", "planner.plan planner: expected :mcts, :mppi, or :ilqr"),
        ("(map.set! m 'model_service 5)(planner.plan m)", "planner.plan model_service: expected string or symbol"),
        ("(map.set! m 'state (list 'x))(planner.plan m)", "planner.plan state: expected numeric value"),
        ("(map.set! m 'budget_ms 1.5)(planner.plan m)", "planner.plan budget_ms: expected integer"),
        ("(map.set! m 'seed -3)(planner.plan m)", "planner.plan: seed must be non-negative"),
        ("(map.set! m 'seed (list 1))(planner.plan m)", "planner.plan: unsupported seed type"),
        ("(map.set! m 'safe_action (map.make))(planner.plan m)", "planner.plan safe_action: missing action_schema"),
        ("(map.set! m 'work_max \"x\")(planner.plan m)", "planner.plan work_max: expected integer"),
        (
            "(map.set! m 'bounds (list (list 1 0)))(planner.plan m)",
            "planner.plan bounds: bounds values must be finite and ordered",
        ),
        ("(map.set! m 'mcts 3)(planner.plan m)", "planner.plan mcts: expected map"),
        ("(map.set! m 'tick_index -1)(planner.plan m)", "planner.plan tick_index: expected non-negative integer"),
    ];
    for (code, msg) in cases {
        let out = run(&format!("{REQUEST}{code}\n"));
        assert!(out.trim_end().ends_with(msg), "{code}: {out}");
    }
    let out =
        run(&format!("{REQUEST}(map.set! m \"schema-version\" 'x)\n(map.del! m 'schema_version)\n(planner.plan m)\n"));
    assert!(out.trim_end().ends_with("planner.plan: schema_version must be \"planner.request.v1\""), "{out}");
}
