//! The programs the pages show: the home page's two examples, and the playground's gallery of
//! Lisp programs and bridge requests (with the `make-request` helper the tour shares).

/// The home page's first example (it runs when the page loads).
pub const HOME_EXAMPLE: &str = r#"; Each top-level form's value shows as soon as it finishes.
(define (square x) (* x x))
(square 12)
(print "hello from muslisp")
(list (square 1) (square 2) (square 3) (square 4) (square 5))
(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))
(fact 20)
"#;

/// The home page's job example.
pub const JOB_EXAMPLE: &str = r#"; Submit a VLA job, look at it at once, wait 5 job-ms, look again.
(define (request text dims)
  (let ((req (map.make)) (space (map.make)))
    (map.set! space 'dims dims)
    (map.set! req 'action_space space)
    (map.set! req 'instruction text)
    req))
(define job (vla.submit (request "pick up the cup" 2)))
(map.get (vla.poll job) 'status ':none)
(time.sleep-ms 5)
(map.get (vla.poll job) 'status ':none)
(json.encode (map.get (map.get (vla.poll job) 'final nil) 'action nil))
"#;

/// What a gallery entry loads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Entry {
    Lisp(&'static str),
    /// A bridge request: (tool, role, JSON body), and requests sent first when it is chosen
    /// (e.g. loading the simulation), as (tool, role, body).
    Bridge(&'static str, &'static str, &'static str, &'static [(&'static str, &'static str, &'static str)]),
}

/// (title, entry).
pub const GALLERY: &[(&str, Entry)] = &[
    ("First steps", Entry::Lisp(FIRST)),
    ("Recursion", Entry::Lisp(RECURSION)),
    ("Maps", Entry::Lisp(MAPS)),
    ("Submit and poll a VLA job", Entry::Lisp(VLA_POLL)),
    ("Polling loop with time.sleep-ms", Entry::Lisp(POLL_LOOP)),
    ("Cancel a job mid-stream", Entry::Lisp(CANCEL_MID)),
    ("Cancel right after submitting", Entry::Lisp(VLA_CANCEL)),
    ("Behaviour tree: a patrol", Entry::Lisp(BT_PATROL)),
    ("Behaviour tree: a guarded VLA policy", Entry::Lisp(BT_GUARDED_VLA)),
    ("Behaviour tree: a planner loop", Entry::Lisp(BT_PLANNER_LOOP)),
    ("Behaviour tree: the robot to its goal (2-D world)", Entry::Lisp(BT_ROBOT_TO_GOAL)),
    (
        "Population simulation (bridge, JSON)",
        Entry::Bridge("run_population_simulation", "operator", POPULATION, LOAD_POP),
    ),
    ("Single simulation (bridge, JSON)", Entry::Bridge("run_simulation", "operator", SIMULATION, LOAD_SIM)),
    ("Cancel a simulation job (bridge, JSON)", Entry::Bridge("cancel_job", "operator", CANCEL_JOB, RUN_TO_CANCEL)),
];

/// Behaviour-tree programs (also in `examples/`, runnable headless with the CLI); the
/// playground shows each with its live tree view, and the last with the world canvas.
pub const BT_PATROL: &str = include_str!("../../examples/bt_patrol.lisp");
pub const BT_GUARDED_VLA: &str = include_str!("../../examples/bt_guarded_vla.lisp");
pub const BT_PLANNER_LOOP: &str = include_str!("../../examples/bt_planner_loop.lisp");
pub const BT_ROBOT_TO_GOAL: &str = include_str!("../../examples/drive_robot_tree.lisp");

pub const FIRST: &str = r#"; Each top-level form prints its value.
(+ 1 2 3)
(define greeting "hello")
(print greeting)
(list 1 2.5 'sym "text" #t nil)
"#;

pub const RECURSION: &str = r#"; Recursion: factorial and Fibonacci.
(define (fact n)
  (if (= n 0) 1 (* n (fact (- n 1)))))
(fact 10)

(define (fib n)
  (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(fib 15)
"#;

pub const MAPS: &str = r#"; Maps are mutable and keep insertion order.
(define stock (map.make))
(map.set! stock 'apples 3)
(map.set! stock 'pears 5)
(map.get stock 'apples 0)
(map.get stock 'plums 0)
(map.keys stock)
"#;

/// The request-building helper the job programs share (`make-request`), with the request's
/// task id: one text for the gallery and the tour, usable inside `concat!`.
macro_rules! make_request {
    ($task:literal) => {
        concat!(
            r#"(define (make-request instruction)
  (let ((req (map.make))
        (obs (map.make))
        (space (map.make))
        (limits (map.make))
        (model (map.make)))
    (map.set! obs 'state (list 0.0))
    (map.set! obs 'timestamp_ms 100)
    (map.set! obs 'frame_id "base")
    (map.set! space 'type ':continuous)
    (map.set! space 'dims 1)
    (map.set! space 'bounds (list (list -1.0 1.0)))
    (map.set! limits 'max_abs_value 1.0)
    (map.set! limits 'max_delta 1.0)
    (map.set! model 'name "rt2-stub")
    (map.set! model 'version "stub-1")
    (map.set! req 'task_id ""#,
            $task,
            r#"")
    (map.set! req 'instruction instruction)
    (map.set! req 'observation obs)
    (map.set! req 'action_space space)
    (map.set! req 'constraints limits)
    (map.set! req 'model model)
    req))
"#
        )
    };
}
pub(crate) use make_request;

/// The request-building helper the job programs share.
const MAKE_REQ: &str = make_request!("gallery");

pub const VLA_POLL: &str = concat!(
    "; Submit a job to the rt2-stub model and poll it once.\n",
    make_request!("gallery"),
    r#"(define job (vla.submit (make-request "move")))
(map.get (vla.poll job) 'status ':none)
"#
);

pub const POLL_LOOP: &str = concat!(
    "; Poll until the job is done, sleeping 1 job-ms between polls (watch the jobs panel).\n",
    make_request!("gallery"),
    r#"(define job (vla.submit (make-request "pick up the cup")))
(define (wait id polls)
  (let ((p (vla.poll id)))
    (print (map.get p 'status ':none))
    (if (eq? (map.get p 'status ':none) ':done)
        (list 'polls polls 'final (map.get p 'final nil))
        (begin (time.sleep-ms 1) (wait id (+ polls 1))))))
(wait job 1)
"#
);

pub const CANCEL_MID: &str = concat!(
    "; Let the job stream, then cancel it mid-stream and watch it end :cancelled.\n",
    make_request!("gallery"),
    r#"(define job (vla.submit (make-request "wave")))
(define (until-streaming id)
  (if (eq? (map.get (vla.poll id) 'status ':none) ':streaming)
      ':streaming
      (begin (time.sleep-ms 1) (until-streaming id))))
(until-streaming job)
(vla.cancel job)
(define (until-ended id)
  (let ((s (map.get (vla.poll id) 'status ':none)))
    (if (or (eq? s ':queued) (eq? s ':running) (eq? s ':streaming))
        (begin (time.sleep-ms 1) (until-ended id))
        s)))
(until-ended job)
"#
);

pub const VLA_CANCEL: &str = concat!(
    "; Cancel a job straight after submitting it.\n",
    make_request!("gallery"),
    r#"(define job (vla.submit (make-request "move")))
(vla.cancel job)
; Cancellation is cooperative: the job stops at its next step.
(map.get (vla.poll job) 'status ':none)
(time.sleep-ms 1)
(map.get (vla.poll job) 'status ':none)
"#
);

/// The request helper on its own (the tour shows it).
pub fn make_request_helper() -> &'static str {
    MAKE_REQ
}

const LOAD_POP: &[(&str, &str, &str)] =
    &[("load_simulation", "operator", r#"{"simulationId": "gallery-pop", "model": "one_compartment_oral"}"#)];
const LOAD_SIM: &[(&str, &str, &str)] =
    &[("load_simulation", "operator", r#"{"simulationId": "gallery-sim", "model": "one_compartment_oral"}"#)];

const RUN_TO_CANCEL: &[(&str, &str, &str)] = &[
    ("load_simulation", "operator", r#"{"simulationId": "gallery-cancel", "model": "two_compartment_iv"}"#),
    (
        "run_population_simulation",
        "operator",
        r#"{"simulationId": "gallery-cancel", "cohort": {"size": 200, "seed": 3}}"#,
    ),
];

/// `$JOB_ID` is the job the request before it returned (the population run started above).
pub const CANCEL_JOB: &str = r#"{"jobId": "$JOB_ID"}"#;

pub const POPULATION: &str = r#"{
  "simulationId": "gallery-pop",
  "cohort": {
    "size": 60,
    "seed": 11,
    "covariates": [{"parameter": "CL", "cv": 0.3}, {"parameter": "V", "cv": 0.2}]
  },
  "metadata": {"from": "playground gallery"}
}"#;

pub const SIMULATION: &str = r#"{
  "simulationId": "gallery-sim"
}"#;
