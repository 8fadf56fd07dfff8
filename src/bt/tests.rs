//! Unit tests of the tick machine against the reference's probe table and transcripts
//! (bt.md), with a scripted stand-in for Lisp callbacks.

use super::blackboard::BbValue;
use super::compile::{self, tests::read};
use super::events::Data;
use super::model::{Def, Origin, Status};
use super::runtime::{Answer, BtRuntime, CallRequest, GcSnap, Progress, Purpose};
use crate::jobs::Engine;
use std::collections::HashMap;

type Script = Box<dyn FnMut(&CallRequest<String>, &mut Engine) -> Answer>;

pub(crate) struct H {
    pub rt: BtRuntime<String>,
    pub eng: Engine,
    pub scripts: HashMap<String, Script>,
    pub calls: Vec<(u32, Purpose)>,
}

impl H {
    pub fn new() -> H {
        H { rt: BtRuntime::new(0.0), eng: Engine::default(), scripts: HashMap::new(), calls: Vec::new() }
    }

    pub fn def(&mut self, src: &str) -> u32 {
        let (f, r) = read(src);
        let (nodes, root) = compile::compile(&f, r).expect("compiles");
        self.rt.add_def(Def { nodes, root, origin: Origin::Form, canonical: None })
    }

    pub fn inst(&mut self, src: &str) -> u32 {
        let d = self.def(src);
        self.rt.new_instance(d, self.eng.now()).unwrap()
    }

    fn drive(&mut self, inst: u32, mut p: Progress<String>) -> Option<Status> {
        loop {
            match p {
                Progress::Done(s) => return s,
                Progress::Call(req) => {
                    self.calls.push((req.node, req.purpose));
                    let answer = match self.scripts.get_mut(&req.callee) {
                        Some(f) => f(&req, &mut self.eng),
                        None => Answer::Threw(format!("unbound symbol: {}", req.callee)),
                    };
                    let token = req.token.clone();
                    drop(req);
                    p = self.rt.resume(inst, answer, &mut self.eng, GcSnap::default(), token);
                }
            }
        }
    }

    pub fn tick(&mut self, inst: u32, inputs: &[(&str, BbValue)]) -> Status {
        let ns = (self.eng.now() * 1e6) as i64;
        for (k, v) in inputs {
            self.rt.put_input(inst, k, v.clone(), ns);
        }
        let p = self.rt.tick_start(inst, &mut self.eng, GcSnap::default()).expect("not busy");
        self.drive(inst, p).expect("a tick returns a status")
    }

    pub fn reset(&mut self, inst: u32) {
        let p = self.rt.reset_start(inst, &mut self.eng).expect("not busy");
        assert_eq!(self.drive(inst, p), None);
    }

    /// `node:S` of every node_exit of `tick` of `inst`.
    pub fn trace(&self, inst: u32, tick: u64) -> String {
        let mut out = Vec::new();
        for e in self.rt.events.records() {
            if e.inst == inst && e.tick == Some(tick) {
                if let Data::NodeExit { node, status, .. } = &e.data {
                    out.push(format!("{node}:{}", letter(*status)));
                }
            }
        }
        out.join(" ")
    }

    pub fn types(&self, inst: u32, tick: u64) -> Vec<String> {
        self.rt
            .events
            .records()
            .filter(|e| e.inst == inst && e.tick == Some(tick))
            .map(|e| e.data.type_name().to_string())
            .collect()
    }

    pub fn statuses(&mut self, src: &str, inputs: &[&[(&str, BbValue)]]) -> (u32, String) {
        let i = self.inst(src);
        let s: Vec<&str> = inputs.iter().map(|inp| letter(self.tick(i, inp))).collect();
        (i, s.join(" "))
    }
}

pub(crate) fn letter(s: Status) -> &'static str {
    match s {
        Status::Success => "S",
        Status::Failure => "F",
        Status::Running => "R",
    }
}

fn b(v: bool) -> BbValue {
    BbValue::Bool(v)
}

const NO: &[(&str, BbValue)] = &[];

#[test]
fn probe_row_1_seq() {
    let mut h = H::new();
    let (i, s) = h.statuses("(seq (succeed) (act running-then-success 2) (fail))", &[NO, NO, NO, NO]);
    assert_eq!(s, "R R F R");
    assert_eq!(h.trace(i, 1), "0:S 1:R 3:R");
    assert_eq!(h.trace(i, 3), "0:S 1:S 2:F 3:F");
}

#[test]
fn probe_row_2_sel() {
    let mut h = H::new();
    let (i, s) = h.statuses("(sel (fail) (act running-then-success 1) (succeed))", &[NO, NO, NO]);
    assert_eq!(s, "R S R");
    assert_eq!(h.trace(i, 2), "0:F 1:S 3:S");
}

#[test]
fn probe_row_3_mem_seq() {
    let mut h = H::new();
    let go: &[(&str, BbValue)] = &[("go", b(true))];
    let (i, s) = h.statuses(
        "(mem-seq (succeed) (act running-then-success 1) (cond bb-truthy go) (succeed))",
        &[NO, NO, NO, go, NO],
    );
    assert_eq!(s, "R F F S R");
    assert_eq!(h.trace(i, 2), "1:S 2:F 4:F");
    assert_eq!(h.trace(i, 3), "2:F 4:F");
    assert_eq!(h.trace(i, 4), "2:S 3:S 4:S");
    assert_eq!(h.trace(i, 5), "0:S 1:R 4:R");
}

#[test]
fn probe_row_4_mem_sel() {
    let mut h = H::new();
    let (i, s) = h.statuses("(mem-sel (fail) (act running-then-success 2) (succeed))", &[NO, NO, NO, NO]);
    assert_eq!(s, "R R S R");
    assert_eq!(h.trace(i, 2), "1:R 3:R");
    assert_eq!(h.trace(i, 3), "1:S 3:S");
    assert_eq!(h.trace(i, 4), "0:F 1:R 3:R");
}

#[test]
fn probe_row_5_async_seq() {
    let mut h = H::new();
    let (i, s) =
        h.statuses("(async-seq (succeed) (act running-then-success 1) (fail) (succeed))", &[NO, NO, NO, NO, NO]);
    assert_eq!(s, "R R R F R");
    assert_eq!(h.trace(i, 1), "0:S 4:R");
    assert_eq!(h.trace(i, 2), "1:R 4:R");
    assert_eq!(h.trace(i, 3), "1:S 4:R");
    assert_eq!(h.trace(i, 4), "2:F 4:F");
    assert_eq!(h.trace(i, 5), "0:S 4:R");
}

#[test]
fn probe_rows_6_and_7_reactive_seq_halts() {
    let mut h = H::new();
    let g = |v| vec![("guard", b(v))];
    let (t, f) = (g(true), g(false));
    let ins: [&[(&str, BbValue)]; 7] = [&t, NO, &f, &t, NO, NO, NO];
    let (i, s) = h.statuses("(reactive-seq (cond bb-truthy guard) (act running-then-success 3))", &ins);
    assert_eq!(s, "R R F R R R S");
    assert_eq!(h.trace(i, 3), "0:F 2:F");
    let (_, s) = h.statuses("(seq (cond bb-truthy guard) (act running-then-success 3))", &ins[..6]);
    assert_eq!(s, "R R F R S R");
}

#[test]
fn probe_row_8_reactive_sel() {
    let mut h = H::new();
    let hi = [("hi", b(true))];
    let lo = [("hi", b(false))];
    let (i, s) =
        h.statuses("(reactive-sel (cond bb-truthy hi) (act running-then-success 3))", &[NO, NO, &hi, &lo, NO, NO, NO]);
    assert_eq!(s, "R R S R R R S");
    assert_eq!(h.trace(i, 3), "0:S 2:S");
}

#[test]
fn probe_rows_9_to_14() {
    let mut h = H::new();
    let (i, s) = h.statuses("(repeat 2 (act running-then-success 1))", &[NO, NO, NO, NO, NO]);
    assert_eq!(s, "R R R S S");
    assert_eq!(h.trace(i, 4), "0:S 1:S");
    assert_eq!(h.trace(i, 5), "1:S");
    let ok = [("ok", b(true))];
    let nok = [("ok", b(false))];
    let (_, s) = h.statuses("(retry 2 (cond bb-truthy ok))", &[NO, NO, NO, NO, &ok, &nok]);
    assert_eq!(s, "R R F F S R");
    let (i, s) =
        h.statuses("(reactive-seq (act running-then-success 1) (act running-then-success 2))", &[NO, NO, NO, NO, NO]);
    assert_eq!(s, "R R R R R");
    assert_eq!(h.trace(i, 2), "0:S 1:R 2:R");
    assert_eq!(h.trace(i, 3), "0:R 2:R");
    let (_, s) = h.statuses("(mem-seq (repeat 2 (succeed)) (invert (fail)))", &[NO, NO, NO, NO]);
    assert_eq!(s, "R S R S");
    let (_, s) = h.statuses("(seq (repeat 2 (succeed)))", &[NO, NO, NO, NO]);
    assert_eq!(s, "R S S S");
    let (_, s) = h.statuses("(mem-seq (act running-then-success 2) (fail))", &[NO, NO, NO, NO, NO]);
    assert_eq!(s, "R R F F F");
}

#[test]
fn probe_rows_15_and_16() {
    let mut h = H::new();
    let hi = [("hi", b(true))];
    let lo = [("hi", b(false))];
    let (_, s) = h.statuses(
        "(reactive-sel (seq (cond bb-truthy hi) (act running-then-success 2)) (act running-then-success 3))",
        &[NO, &hi, NO, &lo, &hi],
    );
    assert_eq!(s, "R R R R S");
    let (i, s) = h.statuses("(act running-then-success 1.5)", &[NO, NO]);
    assert_eq!(s, "F F");
    let msgs: Vec<String> =
        h.rt.events
            .records()
            .filter(|e| e.inst == i)
            .filter_map(|e| match &e.data {
                Data::Log { message, .. } => Some(message.to_string()),
                _ => None,
            })
            .collect();
    assert_eq!(msgs[0], "action threw: running-then-success: expected integer argument at index 0");
}

#[test]
fn halting_cancels_a_scheduler_job() {
    // bt.md 8.3: (reactive-sel (cond bb-truthy stop) (act async-sleep-ms 50)) ticked with no
    // input, no input, {stop:#t}.
    let mut h = H::new();
    let i = h.inst("(reactive-sel (cond bb-truthy stop) (act async-sleep-ms 50))");
    assert_eq!(h.tick(i, NO), Status::Running);
    assert_eq!(h.tick(i, NO), Status::Running);
    assert_eq!(h.tick(i, &[("stop", b(true))]), Status::Success);
    let lines: Vec<String> =
        h.rt.events
            .records()
            .filter(|e| e.tick == Some(3))
            .map(|e| format!("{} {}", e.data.type_name(), e.data.json()))
            .collect();
    assert_eq!(
        lines,
        [
            "tick_begin {\"tick_budget_ms\":20}",
            "node_enter {\"node_id\":2}",
            "node_enter {\"node_id\":0}",
            "node_exit {\"node_id\":0,\"status\":\"success\",\"dur_ms\":0}",
            "node_status {\"node_id\":0,\"status\":\"success\",\"dur_ms\":0}",
            "error {\"severity\":\"debug\",\"component\":\"\",\"node_id\":1,\"message\":\"scheduler cancelled by halt_subtree (reactive-sel switched to higher priority)\"}",
            "sched_cancel {\"job_id\":\"1\",\"outcome\":\"cancelled\"}",
            "node_exit {\"node_id\":2,\"status\":\"success\",\"dur_ms\":0}",
            "node_status {\"node_id\":2,\"status\":\"success\",\"dur_ms\":0}",
            "tick_end {\"root_status\":\"success\",\"tick_ms\":0,\"tick_budget_ms\":20}",
            "tick_ok {\"schema_version\":\"runtime_outcome.v1\",\"outcome\":\"tick_ok\",\"source\":\"bt.tick\",\"node_id\":2}",
        ]
    );
}

#[test]
fn reset_keeps_counters_and_clears_the_blackboard() {
    let mut h = H::new();
    let i = h.inst("(seq (act bb-put-int k 1))");
    h.tick(i, NO);
    h.tick(i, NO);
    h.reset(i);
    h.tick(i, NO);
    let dump = h.rt.instance(i).unwrap().bb.dump();
    assert_eq!(dump, "k=1 type=int64 tick=3 ts_ns=0 writer_node=0 writer_name=bb-put-int\n");
    assert!(h.rt.stats_text(i).unwrap().starts_with("tick_count=3\n"));
}

#[test]
fn stats_report() {
    let mut h = H::new();
    let i = h.inst("(sel (fail) (act running-then-success 1) (act never-reached))");
    assert_eq!(
        h.rt.stats_text(i).unwrap(),
        "tick_count=0\ntick_overrun_count=0\ntick_last_ns=0\ntick_max_ns=0\ntick_total_ns=0\n"
    );
    h.tick(i, NO);
    h.tick(i, NO);
    assert_eq!(
        h.rt.stats_text(i).unwrap(),
        "tick_count=2\ntick_overrun_count=0\ntick_last_ns=0\ntick_max_ns=0\ntick_total_ns=0\nnode 0 (node-0) success=0 failure=2 running=0 last_ns=0 max_ns=0\nnode 1 (running-then-success) success=1 failure=0 running=1 last_ns=0 max_ns=0\nnode 3 (node-3) success=1 failure=0 running=1 last_ns=0 max_ns=0\n"
    );
}

#[test]
fn blackboard_dump_order_and_inputs() {
    let mut h = H::new();
    let i = h
        .inst("(seq (act bb-put-int n 5) (act bb-put-float x 2) (act bb-put-float y 0.1) (act bb-put-int \"s p\" -3))");
    h.tick(i, NO);
    let dump = h.rt.instance(i).unwrap().bb.dump();
    assert_eq!(
        dump,
        "y=0.1 type=float64 tick=1 ts_ns=0 writer_node=2 writer_name=bb-put-float\nx=2 type=float64 tick=1 ts_ns=0 writer_node=1 writer_name=bb-put-float\ns p=-3 type=int64 tick=1 ts_ns=0 writer_node=3 writer_name=bb-put-int\nn=5 type=int64 tick=1 ts_ns=0 writer_node=0 writer_name=bb-put-int\n"
    );
}

#[test]
fn scheduler_sleep_on_job_time() {
    // bt.md 5.2: a 30 ms sleep ticked every 5 ms of job time.
    let mut h = H::new();
    let i = h.inst("(act async-sleep-ms 30)");
    let mut out = Vec::new();
    for _ in 0..10 {
        let t = h.eng.now() + 5.0;
        h.eng.advance(t);
        out.push(letter(h.tick(i, NO)));
    }
    assert_eq!(out.join(" "), "R R R R R R S R R R");
    assert_eq!(
        super::runtime::scheduler_stats(&h.eng),
        "submitted=2\nstarted=2\ncompleted=1\nfailed=0\ncancelled=0\nqueue_delay_last_ns=0\nrun_time_last_ns=30000000\n"
    );
}

#[test]
fn event_lines_of_the_reference_example() {
    let mut h = H::new();
    let i = h.inst("(invert (act bb-put-int hits 1))");
    assert_eq!(h.tick(i, NO), Status::Failure);
    let lines = h.rt.events.dump(0);
    assert_eq!(lines.len(), 12);
    let bits: Vec<String> = lines
        .iter()
        .map(|l| {
            let ty = l.split("\"type\":\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            let data = l.split(",\"data\":").nth(1).unwrap();
            format!("{ty} {}", &data[..data.len() - 1])
        })
        .collect();
    assert_eq!(bits[2], "tick_begin {\"tick_budget_ms\":20}");
    assert_eq!(bits[5], "bb_write {\"key\":\"hits\",\"value_digest\":\"fnv1a64:44bd5ad473cd4776\",\"preview\":1}");
    assert_eq!(bits[10], "tick_end {\"root_status\":\"failure\",\"tick_ms\":0,\"tick_budget_ms\":20}");
    assert!(bits[1].starts_with("bt_def {\"tree_name\":\"bt\",\"dsl\":\"<runtime-definition>\""));
    assert!(bits[1].ends_with("\"nodes\":[{\"id\":0,\"kind\":\"act\",\"name\":\"bb-put-int\"},{\"id\":1,\"kind\":\"invert\",\"name\":\"node-1\"}],\"edges\":[{\"parent\":1,\"child\":0,\"index\":0}]}"));
    assert!(lines[3].contains("\"seq\":4,\"tick\":1,\"data\":{\"node_id\":1}"));
}

#[test]
fn navigation_demo() {
    let mut h = H::new();
    let i = h.inst("(act cap-navigation-tick)");
    let s1 = h.tick(i, &[("nav_goal_x", BbValue::Float(1.5)), ("nav_goal_y", BbValue::Int(2))]);
    let s2 = h.tick(i, NO);
    let s3 = h.tick(i, &[("nav_mock_status", BbValue::Str("ok".into()))]);
    let s4 = h.tick(i, &[("nav_mock_status", BbValue::Str("error".into()))]);
    assert_eq!([s1, s2, s3, s4], [Status::Running, Status::Running, Status::Success, Status::Failure]);
    let j = h.inst("(act cap-navigation-tick)");
    assert_eq!(h.tick(j, NO), Status::Failure);
    let bb = &h.rt.instance(j).unwrap().bb;
    assert_eq!(
        bb.get("nav_error").unwrap().value,
        BbValue::Str("cap-navigation-tick: nav_goal_x and nav_goal_y are required".into())
    );
}

#[test]
fn lisp_callbacks_suspend_and_resume() {
    let mut h = H::new();
    h.rt.define_condition("battery-ok", "battery-ok-fn".into());
    h.rt.define_action("charge", "charge-fn".into(), Some("charge-halt".into()));
    h.scripts.insert("battery-ok-fn".into(), Box::new(|_, _| Answer::Cond(false)));
    let mut n = 0;
    h.scripts.insert(
        "charge-fn".into(),
        Box::new(move |_, _| {
            n += 1;
            Answer::Act(if n < 3 { Status::Running } else { Status::Success })
        }),
    );
    h.scripts.insert("charge-halt".into(), Box::new(|_, _| Answer::Halted));
    let i = h.inst("(reactive-sel (cond battery-ok) (act charge))");
    assert_eq!(h.tick(i, NO), Status::Running);
    assert_eq!(h.calls, [(0, Purpose::Condition), (1, Purpose::Action)]);
    h.scripts.insert("battery-ok-fn".into(), Box::new(|_, _| Answer::Cond(true)));
    assert_eq!(h.tick(i, NO), Status::Success);
    // The condition succeeded, so the running action was halted through its hook.
    assert_eq!(h.calls[2..], [(0, Purpose::Condition), (1, Purpose::Halt)]);
    // A throwing callback fails the leaf with an error event.
    h.scripts.insert("battery-ok-fn".into(), Box::new(|_, _| Answer::Threw("boom".into())));
    h.scripts.insert("charge-fn".into(), Box::new(|_, _| Answer::Threw("bad".into())));
    assert_eq!(h.tick(i, NO), Status::Failure);
    let msgs: Vec<String> =
        h.rt.events
            .records()
            .filter_map(|e| match &e.data {
                Data::Log { message, .. } if e.tick == Some(3) => Some(message.to_string()),
                _ => None,
            })
            .collect();
    assert_eq!(msgs, ["condition threw: boom", "action threw: bad"]);
    assert_eq!(h.rt.notices.len(), 2);
}

#[test]
fn reentrant_ticks_are_refused_and_abandoned_ticks_recover() {
    let mut h = H::new();
    h.rt.define_condition("c", "c".into());
    let i = h.inst("(seq (cond c) (succeed))");
    let p = h.rt.tick_start(i, &mut h.eng, GcSnap::default()).unwrap();
    let Progress::Call(req) = p else { panic!("expected a call") };
    let err = h.rt.tick_start(i, &mut h.eng, GcSnap::default()).err().unwrap();
    assert!(err.contains("already running a tick"), "{err}");
    assert!(h.rt.reset_start(i, &mut h.eng).is_err());
    // Abandon: drop the request (and its token) without resuming.
    drop(req);
    h.scripts.insert("c".into(), Box::new(|_, _| Answer::Cond(true)));
    assert_eq!(h.tick(i, NO), Status::Success);
}

#[test]
fn budget_overrun_on_job_time() {
    let mut h = H::new();
    h.rt.define_action("slow", "slow".into(), None);
    h.scripts.insert(
        "slow".into(),
        Box::new(|_, eng: &mut Engine| {
            let t = eng.now() + 25.0;
            eng.advance(t);
            Answer::Act(Status::Success)
        }),
    );
    let i = h.inst("(act slow)");
    assert_eq!(h.tick(i, NO), Status::Success);
    assert!(h.rt.stats_text(i).unwrap().starts_with("tick_count=1\ntick_overrun_count=1\ntick_last_ns=25000000\n"));
    let types = h.types(i, 1);
    assert_eq!(
        types[types.len() - 5..],
        ["error", "budget_warning", "deadline_exceeded", "tick_end", "tick_deadline_missed"]
    );
}

#[test]
fn deep_trees_tick_without_recursion() {
    let depth = 50_000;
    let mut src = String::new();
    for _ in 0..depth {
        src.push_str("(invert ");
    }
    src.push_str("(succeed)");
    for _ in 0..depth {
        src.push(')');
    }
    let mut h = H::new();
    let i = h.inst(&src);
    assert_eq!(h.tick(i, NO), Status::Success);
    h.reset(i);
}

#[test]
fn compile_identity_metadata() {
    use super::compile::build_def;
    let (f, r) = read("(invert (act bb-put-int hits 1))");
    let d = build_def(&f, r, Origin::Compile, "bt.compile: ", None).unwrap();
    let c = d.canonical.as_ref().unwrap();
    assert_eq!(c.dsl, "(invert (act bb-put-int hits 1))");
    assert_eq!(crate::lang::fnv::tagged(c.dsl_hash), "fnv1a64:0caf1ec6ff0240e8");
    assert_eq!(c.source_hash, c.dsl_hash);
    let (f, r) = read("(act \"grasp\" 1.50)");
    let d = build_def(&f, r, Origin::Compile, "bt.compile: ", None).unwrap();
    let c = d.canonical.as_ref().unwrap();
    assert_eq!(c.dsl, "(act grasp 1.5)");
    assert_ne!(c.source_hash, c.dsl_hash);
    let (f, r) = read("(act f inf)");
    // `inf` reads as a symbol in this test reader; build the float by hand.
    let mut f2 = f.clone();
    f2.items[2] = super::form::Item::Atom(super::model::Lit::Float(f64::INFINITY));
    assert_eq!(
        build_def(&f2, r, Origin::Compile, "bt.compile: ", None).unwrap_err(),
        "write: non-finite floats are not readable"
    );
    assert!(build_def(&f2, r, Origin::Form, "bt: ", None).is_ok());
    // run_start and bt_def use the canonical hash.
    let mut h = H::new();
    let (f, r) = read("(invert (act bb-put-int hits 1))");
    let d = h.rt.add_def(build_def(&f, r, Origin::Compile, "bt.compile: ", None).unwrap());
    h.rt.new_instance(d, 0.0);
    let lines = h.rt.events.dump(0);
    assert!(lines[0].contains("\"tree_hash\":\"fnv1a64:0caf1ec6ff0240e8\""));
    assert!(lines[1].contains("\"dsl\":\"(invert (act bb-put-int hits 1))\",\"tree_hash\":\"fnv1a64:0caf1ec6ff0240e8\",\"source_hash\":\"fnv1a64:0caf1ec6ff0240e8\",\"canonical_dsl_hash\":\"fnv1a64:0caf1ec6ff0240e8\""));
}

#[test]
fn host_leaves_fail_with_a_logged_error_until_installed() {
    let mut h = H::new();
    let i = h.inst("(sel (plan-action :state_key s) (vla-wait :name p) (succeed))");
    assert_eq!(h.tick(i, NO), Status::Success);
    let msgs: Vec<String> =
        h.rt.events
            .records()
            .filter_map(|e| match &e.data {
                Data::Log { message, node, .. } => Some(format!("{node}: {message}")),
                _ => None,
            })
            .collect();
    assert_eq!(
        msgs,
        [
            "0: plan-action failed: plan-action: this leaf is not available in this build",
            "1: vla-wait failed: vla-wait: this leaf is not available in this build"
        ]
    );
}
