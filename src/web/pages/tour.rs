//! `#/tour`: a short guided tour. Each step has a task, starter code and a check on the
//! learner's run (its values and output, and the session's jobs). Every step can be opened at
//! any time; the steps passed are marked and remembered in localStorage. The lesson text sits
//! beside the editor, and the verdict (with the finish message after the last step) right
//! under the lesson, scrolled into view.

use yew::prelude::*;

use crate::jobs::State;
use crate::web::components::{Editor, JobsPanel, Runner};
use crate::web::gallery::make_request;
use crate::web::jobs::{issued, vla_job_since};
use crate::web::runner::RunReport;
use crate::web::session::Session;
use crate::web::util::{load, remove, save};

/// localStorage: the indices of the steps passed, comma-separated (`0,1,3`).
pub const PASSED_KEY: &str = "granola.tour.passed";
/// The older record: how many steps (from the first) were passed.
const OLD_PROGRESS_KEY: &str = "granola.tour.done";

/// One step of the tour.
pub struct Step {
    pub title: &'static str,
    /// What to do (plain text, shown as paragraphs split on blank lines).
    pub text: &'static str,
    pub starter: &'static str,
    /// Checks a run: Ok, or a hint.
    pub check: fn(&RunReport, &Session, u64) -> Result<(), &'static str>,
    /// Run on a job clock of its own whose time jumps over waits (the page's clock speed does
    /// not apply; its jobs are not the page's): for a long simulated run such as the robot's.
    pub own_clock: bool,
}

fn last_value(r: &RunReport) -> Option<&str> {
    r.values.last().map(String::as_str)
}

fn ok_if(cond: bool, hint: &'static str) -> Result<(), &'static str> {
    if cond {
        Ok(())
    } else {
        Err(hint)
    }
}

/// The steps, in order.
pub const STEPS: &[Step] = &[
    Step {
        title: "First expressions",
        text: "muslisp writes every call as a list: the function first, then its arguments. (+ 1 2) is 3.\n\nChange the program so that its last value is 42, then press Run (or Ctrl/Cmd+Enter).",
        starter: "(+ 1 2)\n(* 6 6)\n",
        check: |r, _, _| ok_if(r.error.is_none() && last_value(r) == Some("42"), "The last value must be 42, e.g. (* 6 7)."),
        own_clock: false,
    },
    Step {
        title: "Functions",
        text: "define names a value; (define (f x) body) defines a function.\n\nDefine square and make the last value (square 7), which is 49.",
        starter: "(define (square x) x)\n(square 7)\n",
        check: |r, _, _| ok_if(r.error.is_none() && last_value(r) == Some("49"), "square should multiply x by itself: (* x x)."),
        own_clock: false,
    },
    Step {
        title: "Maps",
        text: "Maps hold key/value pairs: map.make creates one, map.set! stores, map.get reads with a default.\n\nStore 3 under 'count and make the last value (map.get m 'count 0).",
        starter: "(define m (map.make))\n(map.set! m 'count 1)\n(map.get m 'count 0)\n",
        check: |r, _, _| ok_if(r.error.is_none() && last_value(r) == Some("3"), "Set 'count to 3 before reading it."),
        own_clock: false,
    },
    Step {
        title: "Submitting a job",
        text: "vla.submit sends a request to a model and returns a job id at once; the job runs in the background.\n\nRun this program: it builds a request and submits it. Watch the job appear in the jobs panel.",
        starter: concat!(
            make_request!("tour"),
            "(define job (vla.submit (make-request \"move\")))\njob\n"
        ),
        check: |r, s, since| ok_if(r.error.is_none() && vla_job_since(s, since, |_| true), "Run the program so that it calls vla.submit."),
        own_clock: false,
    },
    Step {
        title: "Watching it stream",
        text: "vla.poll returns a map whose status says where the job is: :queued until a worker slot picks it up, :streaming while partial results arrive, then :done. (:running is the instant between the pick-up and the first partial; this model sends its first partial at the pick-up, so a poll never catches it.) time.sleep-ms waits for job time.\n\nThe loop below polls once and gives up. Replace 'not-done-yet with (wait id) so it keeps polling until the status is :done: it prints :queued, then :streaming, then :done.",
        starter: concat!(
            make_request!("tour"),
            "(define job (vla.submit (make-request \"move\")))\n(define (wait id)\n  (let ((s (map.get (vla.poll id) 'status ':none)))\n    (print s)\n    (if (eq? s ':done)\n        s\n        (begin (time.sleep-ms 1) 'not-done-yet))))\n(wait job)\n"
        ),
        check: |r, _, _| {
            if r.error.is_none() && last_value(r) == Some(":done") {
                ok_if(
                    r.stdout.contains(":streaming"),
                    "It ends :done, but the job's :streaming state was not printed: print the status on every poll.",
                )
            } else {
                Err("The last value should be :done: replace 'not-done-yet with (wait id) to poll again.")
            }
        },
        own_clock: false,
    },
    Step {
        title: "Cancelling",
        text: "vla.cancel asks a job to stop; a running job ends :cancelled at its next step.\n\nSubmit a job, cancel it, and poll until it has ended: the last value should be :cancelled. (You can also press Cancel in the jobs panel.)",
        starter: concat!(
            make_request!("tour"),
            "(define job (vla.submit (make-request \"wave\")))\n; add (vla.cancel job) here\n(define (ended id)\n  (let ((s (map.get (vla.poll id) 'status ':none)))\n    (if (or (eq? s ':queued) (eq? s ':running) (eq? s ':streaming))\n        (begin (time.sleep-ms 1) (ended id))\n        s)))\n(ended job)\n"
        ),
        check: |r, s, since| {
            ok_if(
                r.error.is_none() && (last_value(r) == Some(":cancelled") || vla_job_since(s, since, |st| st == State::Cancelled)),
                "Call (vla.cancel job) before waiting; the last value should be :cancelled.",
            )
        },
        own_clock: false,
    },
    Step {
        title: "A behaviour tree",
        text: "A behaviour tree decides what a robot does, one tick at a time. (bt ...) builds a tree, bt.new-instance makes a runnable copy with its own blackboard, and bt.tick runs one tick: it returns success, failure or running.\n\nThis seq checks the battery, then runs an action that needs three ticks. Tick it until the last value is success. The tree view under the output shows every tick: scrub back to the first one, or press Tick in the view.",
        starter: "(define robot (bt.new-instance (bt (seq (cond battery-ok) (act running-then-success 2)))))\n(bt.tick robot)\n",
        check: |r, _, _| ok_if(r.error.is_none() && last_value(r) == Some("success"), "Add (bt.tick robot) lines until the last one returns success."),
        own_clock: false,
    },
    Step {
        title: "Make the fallback take over",
        text: "sel (a fallback) tries its children in turn and stops at the first that does not fail. Here the first branch enters when the door is open; the second knocks.\n\nClose the door (give door-open the value #f) so the first branch fails and the fallback knocks: the last value should be (nil 1). In the tree view the failed branch is hatched and marked ✗.",
        starter: "(define robot (bt.new-instance (bt (sel (seq (cond bb-truthy door-open) (act bb-put-int entered 1))\n                                        (act bb-put-int knocked 1)))))\n(bt.tick robot '((door-open #t)))\n(list (bt.blackboard.get robot 'entered nil) (bt.blackboard.get robot 'knocked nil))\n",
        check: |r, _, _| ok_if(r.error.is_none() && last_value(r) == Some("(nil 1)"), "Tick with '((door-open #f)) so the seq fails and the knock runs."),
        own_clock: false,
    },
    Step {
        title: "A condition in Lisp",
        text: "bt.define-condition names a Lisp function that a (cond ...) leaf calls with the tree's instance; it reads the blackboard with bt.blackboard.get and returns true or false.\n\nWrite battery-ok so that it holds only when the blackboard's battery is above 20. The robot works on a full battery and goes to charge on a low one: the last value should be (\"work\" \"charge\").",
        starter: "(bt.define-condition 'battery-ok\n  (lambda (robot) #t)) ; compare (bt.blackboard.get robot 'battery 0) with 20\n(bt.define-action 'work (lambda (robot) (bt.blackboard.put robot 'doing 'work) 'success))\n(bt.define-action 'charge (lambda (robot) (bt.blackboard.put robot 'doing 'charge) 'success))\n(define robot (bt.new-instance (bt (sel (seq (cond battery-ok) (act work)) (act charge)))))\n(define (doing battery)\n  (bt.tick robot (list (list 'battery battery)))\n  (bt.blackboard.get robot 'doing))\n(list (doing 80) (doing 15))\n",
        check: |r, _, _| {
            ok_if(
                r.error.is_none() && last_value(r) == Some("(\"work\" \"charge\")"),
                "battery-ok should return (> (bt.blackboard.get robot 'battery 0) 20).",
            )
        },
        own_clock: false,
    },
    Step {
        title: "The robot drives itself",
        text: "env.attach \"sim2d\" gives the page a 2-D world: a robot, obstacles and a goal, drawn on a canvas under the output. env.run-loop calls on-tick 20 times a second of job time with what the robot senses; here on-tick ticks a behaviour tree and returns the action the tree left on the blackboard.\n\nSo far the tree only dodges what is close ahead and otherwise stops, so the robot stands still until the loop gives up (:stopped). Put the planner leaf in: remove the ; before (plan-action ...) so the fallback asks the planner for the next command, and Run. The robot should reach its goal: the last value should start with :ok. The canvas draws the robot's path; the tree view keeps every tick of the drive: scrub back to see the plan-action node steer, and the dodge branch take over whenever an obstacle is close.\n\n(This step runs on a job clock of its own that skips ahead over waits, so the drive takes a moment whatever the page's clock speed. In the playground's gallery, \"the robot to its goal\" drives in real time.)",
        starter: "(env.attach \"sim2d\")\n(define (cmd u)\n  (let ((a (map.make)))\n    (map.set! a 'action_schema \"sim2d.cmd.v1\")\n    (map.set! a 'u u)\n    a))\n; each ray that sees something closer than 1 m turns the robot away from its side\n(define (push ranges angles)\n  (if (null? ranges)\n      0.0\n      (+ (if (< (car ranges) 1.0) (* (if (< (car angles) 0.0) 2.0 -2.0) (- 1.0 (car ranges))) 0.0)\n         (push (cdr ranges) (cdr angles)))))\n(bt.define-condition 'blocked (lambda (robot) (> (bt.blackboard.get robot 'front 0.0) 0.4)))\n(bt.define-action 'dodge\n  (lambda (robot)\n    (begin\n      (bt.blackboard.put robot 'action\n        (list 0.3 (clamp (push (bt.blackboard.get robot 'ranges nil) (bt.blackboard.get robot 'angles nil)) -2.0 2.0)))\n      'success)))\n(bt.define-action 'stop (lambda (robot) (begin (bt.blackboard.put robot 'action (list 0.0 0.0)) 'success)))\n(define robot\n  (bt.new-instance\n    (bt (sel (seq (cond blocked) (act dodge))\n             ; (plan-action :model_service \"toy-unicycle\" :state_key state :action_key action :work_max 150 :budget_ms 20)\n             (act stop)))))\n(define (on-tick obs)\n  (begin\n    (bt.tick robot (list (list 'state (map.get obs 'planner_state nil))\n                         (list 'front (map.get obs 'obstacle_front 0.0))\n                         (list 'ranges (map.get obs 'ranges nil))\n                         (list 'angles (map.get obs 'ray_angles nil))))\n    (cmd (bt.blackboard.get robot 'action nil))))\n(define cfg (map.make))\n(map.set! cfg 'tick_hz 20)\n(map.set! cfg 'max_ticks 400)\n(map.set! cfg 'realtime #f)\n(define result (env.run-loop cfg on-tick))\n(define final (map.get result 'final_obs nil))\n(list (map.get result 'status nil) (map.get result 'ticks 0) 'collisions (map.get final 'collisions 0))\n",
        check: |r, _, _| {
            ok_if(
                r.error.is_none() && last_value(r).is_some_and(|v| v.starts_with("(:ok")),
                "Remove the ; before (plan-action ...): the robot then drives to the goal and the loop ends with :ok.",
            )
        },
        own_clock: true,
    },
];

/// Which steps were passed (from localStorage; the older "first N passed" record is read too).
pub fn passed() -> Vec<bool> {
    let mut out = vec![false; STEPS.len()];
    match load(PASSED_KEY) {
        Some(list) => {
            for i in list.split(',').filter_map(|x| x.trim().parse::<usize>().ok()) {
                if i < out.len() {
                    out[i] = true;
                }
            }
        }
        None => {
            let n = load(OLD_PROGRESS_KEY).and_then(|s| s.parse::<usize>().ok()).unwrap_or(0).min(STEPS.len());
            out.iter_mut().take(n).for_each(|p| *p = true);
        }
    }
    out
}

fn save_passed(p: &[bool]) {
    let list: Vec<String> = p.iter().enumerate().filter(|(_, d)| **d).map(|(i, _)| i.to_string()).collect();
    save(PASSED_KEY, &list.join(","));
    remove(OLD_PROGRESS_KEY);
}

/// The tour page.
#[function_component(TourPage)]
pub fn tour_page() -> Html {
    let session = use_context::<Session>();
    let done = use_state(passed);
    let current = use_state(|| passed().iter().position(|d| !d).unwrap_or(0));
    let verdict = use_state(|| None::<Result<(), &'static str>>);
    let text = use_state(|| STEPS[passed().iter().position(|d| !d).unwrap_or(0)].starter.to_string());
    let generation = use_state(|| 0u64);
    let since = use_state(|| 0u64);
    let verdict_ref = use_node_ref();
    {
        // Bring the verdict (and the finish message) into view when it changes.
        let verdict_ref = verdict_ref.clone();
        use_effect_with(*verdict, move |v| {
            if v.is_some() {
                if let Some(el) = verdict_ref.cast::<web_sys::Element>() {
                    let opts = web_sys::ScrollIntoViewOptions::new();
                    opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                    el.scroll_into_view_with_scroll_into_view_options(&opts);
                }
            }
        });
    }
    let Some(session) = session else { return html! { <p>{"No session."}</p> } };

    let go = {
        let current = current.clone();
        let verdict = verdict.clone();
        let text = text.clone();
        let generation = generation.clone();
        let since = since.clone();
        let session = session.clone();
        Callback::from(move |i: usize| {
            if i >= STEPS.len() {
                return;
            }
            current.set(i);
            verdict.set(None);
            text.set(STEPS[i].starter.to_string());
            generation.set(*generation + 1);
            since.set(issued(&session));
        })
    };
    let on_done = {
        let session = session.clone();
        let current = *current;
        let verdict = verdict.clone();
        let done = done.clone();
        let since = since.clone();
        Callback::from(move |r: RunReport| {
            let v = (STEPS[current].check)(&r, &session, *since);
            if v.is_ok() && !done[current] {
                let mut d = (*done).clone();
                d[current] = true;
                save_passed(&d);
                done.set(d);
            }
            verdict.set(Some(v));
        })
    };
    let on_change = {
        let text = text.clone();
        Callback::from(move |t: String| text.set(t))
    };
    let on_restart = {
        let done = done.clone();
        let go = go.clone();
        Callback::from(move |_: MouseEvent| {
            let none = vec![false; STEPS.len()];
            save_passed(&none);
            done.set(none);
            go.emit(0);
        })
    };
    let step = &STEPS[*current];
    let n_done = done.iter().filter(|d| **d).count();
    let finished = n_done == STEPS.len();
    let next_open = (*current + 1..STEPS.len()).chain(0..*current).find(|i| !done[*i]);
    html! {
        <div class="tour">
            <nav class="tour-steps" aria-label="Tour steps">
                <h2>{"Tour"}</h2>
                <ol>
                    { for STEPS.iter().enumerate().map(|(i, s)| {
                        let state = if done[i] { "done" } else { "open" };
                        let go = go.clone();
                        let cur = i == *current;
                        html! {
                            <li class={classes!("tour-step", state, cur.then_some("current"))} data-step={i.to_string()}>
                                <button onclick={Callback::from(move |_| go.emit(i))} aria-current={cur.then_some("step")}>
                                    <span class="tour-mark" aria-hidden="true">{ if done[i] { "✓".to_string() } else { format!("{}.", i + 1) } }</span>
                                    {" "}{s.title}
                                    if done[i] { <span class="sr">{" (passed)"}</span> }
                                </button>
                            </li>
                        }
                    }) }
                </ol>
                <p class="muted tour-progress">{format!("{n_done} of {} steps passed", STEPS.len())}</p>
                <button class="tour-restart" onclick={on_restart}>{"Start over"}</button>
            </nav>
            <section class="tour-lesson" aria-labelledby="tour-title">
                <h1 id="tour-title">{format!("{}. {}", *current + 1, step.title)}</h1>
                { for step.text.split("\n\n").map(|p| html!{ <p>{p}</p> }) }
                <div ref={verdict_ref} class="tour-verdict-slot">
                { match *verdict {
                    Some(Ok(())) => html!{ <div class="tour-verdict ok" role="status">
                        if finished {
                            <p class="tour-finish"><strong>{"✓ You finished the tour."}</strong>{" Every step is passed. Next: write your own programs in the "}<a href="#/playground">{"playground"}</a>{", or look things up in the "}<a href="#/reference">{"reference"}</a>{"."}</p>
                        } else {
                            {"✓ Well done."}
                            if let Some(n) = next_open {
                                <button class="tour-next" onclick={{ let go = go.clone(); Callback::from(move |_| go.emit(n)) }}>{format!("Next: {} →", STEPS[n].title)}</button>
                            }
                        }
                    </div> },
                    Some(Err(hint)) => html!{ <div class="tour-verdict hint" role="status">{"Not yet: "}{hint}</div> },
                    None => html!{},
                } }
                </div>
                if finished && verdict.is_none() { <p class="muted">{"Tour complete: revisit any step."}</p> }
            </section>
            <section class="tour-work" aria-label="Try it">
                <div class="tour-run">
                <Runner key={format!("tour-{}", *current)} source={AttrValue::from((*text).clone())} id="tour-runner" show_source={false} isolated={step.own_clock} on_done={Some(on_done)}>
                    <Editor text={AttrValue::from(step.starter)} generation={*generation} {on_change} run_key={false} min_lines={6} label="Tour step program" />
                </Runner>
                </div>
                <JobsPanel compact={true} height={300} />
            </section>
        </div>
    }
}
