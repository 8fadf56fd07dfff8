#![cfg(not(target_arch = "wasm32"))]
//! `cap.call` and `model-service.*` from Lisp (bt-host.md 6, language.md 4.13, 4.15).

use granola::runtime::run_script;

fn run(src: &str) -> String {
    run_script(src).transcript()
}

#[test]
fn model_world_rollout_without_a_bridge() {
    let src = "(define r (map.make))
(map.set! r 'capability \"cap.model.world.rollout.v1\")
(json.encode (cap.call r))
";
    assert_eq!(
        run(src),
        "<map:0>\n\"cap.model.world.rollout.v1\"\n\"{\\\"capability\\\":\\\"cap.model.world.rollout.v1\\\",\\\"error\\\":\\\"muesli-model-service bridge is not configured\\\",\\\"error_code\\\":\\\"model_service_unconfigured\\\",\\\"error_retryable\\\":true,\\\"host_reached\\\":false,\\\"metadata\\\":{},\\\"output\\\":{},\\\"replay_cache_hit\\\":false,\\\"request_hash\\\":\\\"fnv1a64:69c5e11351b191f9\\\",\\\"request_id\\\":\\\"cap-call-13061159493090197990\\\",\\\"response_hash\\\":\\\"fnv1a64:7155942d979057d5\\\",\\\"schema_version\\\":\\\"cap.model_service.result.v1\\\",\\\"status\\\":\\\":unavailable\\\",\\\"validation_status\\\":\\\":not_checked\\\"}\"\n"
    );
}

#[test]
fn echo() {
    let src = "(define r (map.make))
(map.set! r 'schema_version \"cap.echo.request.v1\")
(map.set! r 'capability \"cap.echo.v1\")
(map.set! r 'operation \"echo\")
(map.set! r 'request_id \"r1\")
(define p (list 1 2 3))
(map.set! r 'payload p)
(define out (cap.call r))
out
(json.encode out)
(eq? (map.get out 'echo nil) p)
(map.del! r 'payload)
(eq? (map.get (cap.call r) 'echo nil) r)
(map.set! r 'operation \"shout\")
(json.encode (cap.call r))
";
    assert_eq!(
        run(src),
        "<map:0>\n\"cap.echo.request.v1\"\n\"cap.echo.v1\"\n\"echo\"\n\"r1\"\n(1 2 3)\n(1 2 3)\n<map:6>\n<map:6>\n\"{\\\"capability\\\":\\\"cap.echo.v1\\\",\\\"echo\\\":[1,2,3],\\\"operation\\\":\\\"echo\\\",\\\"request_id\\\":\\\"r1\\\",\\\"schema_version\\\":\\\"cap.echo.result.v1\\\",\\\"status\\\":\\\":ok\\\"}\"\n#t\n#t\n#t\n\"shout\"\n\"{\\\"capability\\\":\\\"cap.echo.v1\\\",\\\"error\\\":\\\"unsupported operation\\\",\\\"operation\\\":\\\"shout\\\",\\\"request_id\\\":\\\"r1\\\",\\\"schema_version\\\":\\\"cap.echo.result.v1\\\",\\\"status\\\":\\\":rejected\\\"}\"\n"
    );
}

#[test]
fn mock_navigation() {
    let src = "(define r (map.make))
(map.set! r 'capability \"cap.navigation.v1\")
(map.set! r 'operation \"navigate-to-pose\")
(define out (cap.call r))
out
(list (map.get out 'status nil) (map.get out 'error_code nil) (map.get out 'host_reached nil))
(define t (map.make))
(map.set! t 'frame \"map\")
(map.set! t 'x 2.0)
(map.set! t 'y -1)
(map.set! r 'target t)
(map.set! r 'request_id \"go-1\")
(define out (cap.call r))
(list (map.get out 'status nil) (map.get out 'job_id nil) (map.get (map.get out 'progress nil) 'status nil))
";
    let out = run(src);
    assert!(out.contains("\n<map:15>\n(:rejected \"missing_target\" #f)\n"), "{out}");
    assert!(out.ends_with("(:accepted \"go-1-job\" :accepted)\n"), "{out}");
}

#[test]
fn model_service_builtins() {
    let src = "(json.encode (model-service.info))
(model-service.info)
(define c (model-service.check))
c
(list (map.get c 'compatible nil) (map.get c 'request_id nil) (map.get c 'error_code nil) (map.get c 'missing_capabilities 'x))
(map.get c 'required_capabilities nil)
(model-service.clear)
(model-service.configure 1)
";
    assert_eq!(
        run(src),
        "\"{\\\"configured\\\":false,\\\"connect_timeout_ms\\\":200,\\\"endpoint\\\":\\\"ws://127.0.0.1:8765/v1/ws\\\",\\\"fault_schedule\\\":\\\"\\\",\\\"replay_cache_path\\\":\\\"\\\",\\\"replay_mode\\\":\\\"live\\\",\\\"request_timeout_ms\\\":500,\\\"required\\\":false}\"\n<map:8>\n<map:8>\n<map:8>\n(#f \"model-service-describe-compatibility\" \"model_service_unconfigured\" nil)\n(\"cap.model.world.rollout.v1\" \"cap.model.world.score_trajectory.v1\" \"cap.vla.action_chunk.v1\" \"cap.vla.propose_nav_goal.v1\")\nnil\nfatal: line 8, column 1: model-service.configure: optional model-service bridge is not built\n"
    );
}

#[test]
fn errors() {
    let cases = [
        ("(cap.call 1)", "cap.call: expected map"),
        ("(cap.call (map.make))", "cap.call: missing required capability"),
        ("(define r (map.make))(map.set! r 'capability \"vla.rt2\")(cap.call r)", "cap.call: unknown capability"),
        (
            "(define r (map.make))(map.set! r 'capability \"cap.echo.v1\")(cap.call r)",
            "cap.call: missing required schema_version",
        ),
        (
            "(define r (map.make))(map.set! r 'capability \"cap.model.world.rollout.v1\")(map.set! r 'operation \"fly\")(cap.call r)",
            "cap.call: unsupported model-service operation",
        ),
        (
            "(define r (map.make))(map.set! r 'capability \"cap.model.world.rollout.v1\")(map.set! r 'input (lambda () 1))(cap.call r)",
            "json.encode: unsupported value type: closure",
        ),
        (
            "(define r (map.make))(map.set! r 'capability \"cap.motion.v1\")(map.set! r 'schema_version \"x\")(cap.call r)",
            "cap.call: schema_version must be \"cap.motion.request.v1\"",
        ),
        ("(model-service.check 1)", "model-service.check: expected 0 arguments, got 1"),
    ];
    for (code, msg) in cases {
        let out = run(&format!("{code}\n"));
        assert!(out.ends_with(&format!("{msg}\n")), "{code}: {out}");
    }
}
