#![cfg(not(target_arch = "wasm32"))]
//! `vla.*` / `cap.*` from Lisp source through `granola::runtime::run_script` (manual clock).

fn run(src: &str) -> String {
    granola::runtime::run_script(src).transcript()
}

const MAKE_REQ: &str = r#"
(define (make-req instruction state)
  (let ((req (map.make)) (obs (map.make)) (space (map.make)))
    (map.set! obs 'state state)
    (map.set! space 'dims 1)
    (map.set! req 'instruction instruction)
    (map.set! req 'observation obs)
    (map.set! req 'action_space space)
    req))
"#;

#[test]
fn wait_loop_with_sleep_reaches_done() {
    let src = format!(
        "{MAKE_REQ}
(define job (vla.submit (make-req \"move\" (list 0.5))))
(define (wait id n)
  (let ((p (vla.poll id)))
    (if (or (= n 0) (eq? (map.get p 'status ':none) ':done))
        (list n (map.get (map.get (map.get p 'final nil) 'action nil) 'u nil))
        (begin (time.sleep-ms 1) (wait id (- n 1))))))
(wait job 32)
"
    );
    // Polls at t = 0 (queued), 1, 2, 3 (done): three sleeps.
    assert_eq!(run(&src), "<closure>\n1\n<closure>\n(29 (0.45))\n");
}

#[test]
fn keyword_and_string_keys_from_lisp() {
    let src = r#"
(define req (map.make))
(map.set! req ':instruction 'move)
(map.set! req "deadline-ms" 2)
(define space (map.make))
(map.set! space ':dims 2)
(map.set! space "frame-id" "tool0")
(map.set! req 'action-space space)
(define job (vla.submit req))
(time.sleep-ms 10)
(define p (vla.poll job))
(map.get p 'status ':none)
(map.get (map.get p 'partial nil) 'action_candidate nil)
(map.get (map.get (map.get p 'partial nil) 'action_candidate nil) 'frame_id "")
"#;
    assert_eq!(
        run(src),
        "<map:0>\nmove\n2\n<map:0>\n2\n\"tool0\"\n<map:2>\n1\nnil\n<map:4>\n:timeout\n<map:3>\n\"tool0\"\n"
    );
}

#[test]
fn bad_ids_raise_with_the_form_position() {
    assert_eq!(run("(vla.poll 1.5)"), "fatal: line 1, column 1: vla.poll: expected integer\n");
    assert_eq!(run("(vla.cancel -2)"), "fatal: line 1, column 1: vla.cancel: expected non-negative integer\n");
    assert_eq!(run("(vla.poll 0)"), "fatal: line 1, column 1: vla.poll: job id must be > 0\n");
    assert_eq!(run("(map.get (vla.poll 7) 'status 0)\n(vla.cancel 7)"), ":error\n#f\n");
    assert_eq!(run("(vla.submit 5)"), "fatal: line 1, column 1: vla.submit: expected request map\n");
    assert_eq!(run("(cap.describe \"x\")"), "fatal: line 1, column 1: cap.describe: unknown capability\n");
    assert_eq!(run("(cap.list 1)"), "fatal: line 1, column 1: cap.list: expected 0 arguments, got 1\n");
}

#[test]
fn field_errors_from_lisp() {
    let src = format!(
        "{MAKE_REQ}
(define req (make-req \"move\" (list 0.1 'x)))
(vla.submit req)
"
    );
    assert_eq!(
        run(&src),
        "<closure>\n<map:3>\nfatal: line 12, column 1: vla.submit observation.state: expected numeric value\n"
    );
}

#[test]
fn many_jobs_in_one_program() {
    // 50 jobs, two slots: job k (1-based) finishes at 3 * ceil(k / 2) job-ms.
    let src = format!(
        "{MAKE_REQ}
(define ids (vec.make))
(define (submit-n n) (if (= n 0) nil (begin (vec.push! ids (vla.submit (make-req \"go\" (list 0.1)))) (submit-n (- n 1)))))
(submit-n 50)
(time.sleep-ms 74)
(define (count-done i acc)
  (if (= i (vec.len ids)) acc
      (count-done (+ i 1) (if (eq? (map.get (vla.poll (vec.get ids i)) 'status ':none) ':done) (+ acc 1) acc))))
(count-done 0 0)
(time.sleep-ms 1)
(count-done 0 0)
"
    );
    assert_eq!(run(&src), "<closure>\n<vec:0>\n<closure>\nnil\nnil\n<closure>\n48\nnil\n50\n");
}

#[test]
fn vec_and_improper_list_states_are_rejected_like_the_reference() {
    // A vec is not a list, and an improper list's tail is not an element: neither may pass
    // for the numeric list (0.1 0.2).
    let vec_state = format!(
        "{MAKE_REQ}
(define v (vec.make))
(vec.push! v 0.1)
(vec.push! v 0.2)
(vla.submit (make-req \"move\" v))
"
    );
    assert!(
        run(&vec_state).ends_with(": vla.submit observation.state: expected numeric list or number\n"),
        "{}",
        run(&vec_state)
    );
    let pair_state = format!("{MAKE_REQ}\n(vla.submit (make-req \"move\" (cons 0.1 0.2)))\n");
    assert!(
        run(&pair_state).ends_with(": vla.submit observation.state: expected numeric list or number\n"),
        "{}",
        run(&pair_state)
    );
    let nested = format!("{MAKE_REQ}\n(vla.submit (make-req \"move\" (list 0.1 (cons 0.2 0.3))))\n");
    assert!(run(&nested).ends_with(": vla.submit observation.state: expected numeric value\n"), "{}", run(&nested));
    // The proper list still works.
    let ok = format!("{MAKE_REQ}\n(vla.submit (make-req \"move\" (list 0.1 0.2)))\n");
    assert_eq!(run(&ok), "<closure>\n1\n");
}
