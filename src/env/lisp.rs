//! The `env` group of the builtin table over a per-interpreter [`EnvState`]. `env.run-loop`
//! is a flow builtin: it drives [`RunLoop`] and lets the evaluator call `on_tick`, the
//! observer and the success predicate on its own stack (fuel, Stop, sleeping and the depth
//! limit keep working inside them); realtime pacing sleeps on the job clock through
//! `time.sleep-ms`.

use super::run_loop::{Callable, Next, RunLoop};
use super::EnvHost;
use crate::capability::lisp::map_value;
use crate::lang::heap::Obj;
use crate::lang::{Builtin, Ctx, Datum, Extension, Flow, FrontEnd, Interp, LispError, Resume, Value};

/// The env front end (group `env`).
pub static FRONT_END: FrontEnd = FrontEnd { name: "env", groups: &[ROWS], handles: &[], install: Some(install) };

/// Per-interpreter env state: the attached backend and loop settings. A host that draws the
/// built-in world reads it with `interp.ext::<EnvState>()` and [`EnvHost::world`].
#[derive(Default)]
pub struct EnvState(pub EnvHost);

impl Extension for EnvState {}

fn install(interp: &mut Interp) {
    interp.install(EnvState::default());
}

static ROWS: &[Builtin] = &[
    Builtin::plain(
        "env.info",
        "env",
        0,
        Some(0),
        "(env.info) -> map",
        "API version, the attached backend and what it supports.",
        lisp_info,
    ),
    Builtin::plain(
        "env.attach",
        "env",
        1,
        Some(1),
        "(env.attach name) -> nil",
        "Attach a simulator backend by name (built in: \"sim2d\", a 2-D world).",
        lisp_attach,
    ),
    Builtin::plain(
        "env.configure",
        "env",
        1,
        Some(1),
        "(env.configure options) -> nil",
        "Set loop options (tick_hz, seed, realtime, ...) and the backend's own keys.",
        lisp_configure,
    ),
    Builtin::plain(
        "env.reset",
        "env",
        1,
        Some(1),
        "(env.reset seed-or-nil) -> map",
        "Start a new episode (seeded: the same world every time); the first observation.",
        lisp_reset,
    ),
    Builtin::plain(
        "env.observe",
        "env",
        0,
        Some(0),
        "(env.observe) -> map",
        "The current observation, with obs_schema, t_ms, episode and step.",
        lisp_observe,
    ),
    Builtin::plain(
        "env.act",
        "env",
        1,
        Some(1),
        "(env.act action) -> nil",
        "Set the action ({action_schema, u}) the next step applies.",
        lisp_act,
    ),
    Builtin::flow(
        "env.step",
        "env",
        0,
        Some(0),
        "(env.step) -> boolean",
        "Advance the backend one step; #f when it cannot go on.",
        lisp_step,
    ),
    Builtin::flow(
        "env.run-loop",
        "env",
        2,
        Some(2),
        "(env.run-loop config on-tick) -> map",
        "Run observe -> on_tick -> act -> step at a tick rate, with fallbacks, records and episodes.",
        lisp_run_loop,
    ),
    Builtin::plain(
        "env.debug-draw",
        "env",
        1,
        Some(1),
        "(env.debug-draw payload) -> nil",
        "Hand a drawing payload to the backend (kept for the world's canvas).",
        lisp_debug_draw,
    ),
];

fn host<'c>(c: &'c mut Ctx, who: &str) -> Result<&'c mut EnvHost, String> {
    c.ext::<EnvState>().map(|s| &mut s.0).ok_or_else(|| format!("{who}: there is no env here"))
}

fn datum(c: &Ctx, who: &str, v: Value) -> Result<Datum, String> {
    c.to_datum(v).map_err(|e| format!("{who}: {e}"))
}

fn value(c: &mut Ctx, who: &str, d: &Datum) -> Result<Value, String> {
    c.from_datum(d).map_err(|e| format!("{who}: {e}"))
}

fn lisp_info(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    let d = host(c, "env.info")?.info();
    value(c, "env.info", &d)
}

fn lisp_attach(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let name = datum(c, "env.attach", a[0])?;
    let now = c.now_ms();
    host(c, "env.attach")?.attach(&name, now)?;
    Ok(Value::Nil)
}

fn lisp_configure(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let cfg = datum(c, "env.configure", a[0])?;
    host(c, "env.configure")?.configure(&cfg)?;
    Ok(Value::Nil)
}

fn lisp_reset(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let seed = datum(c, "env.reset", a[0])?;
    let now = c.now_ms();
    let obs = host(c, "env.reset")?.reset(&seed, now)?;
    value(c, "env.reset", &obs)
}

fn lisp_observe(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    let now = c.now_ms();
    let obs = host(c, "env.observe")?.observe(now)?;
    value(c, "env.observe", &obs)
}

fn lisp_act(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let action = datum(c, "env.act", a[0])?;
    host(c, "env.act")?.act(&action)?;
    Ok(Value::Nil)
}

fn lisp_debug_draw(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let payload = datum(c, "env.debug-draw", a[0])?;
    host(c, "env.debug-draw")?.debug_draw(&payload)?;
    Ok(Value::Nil)
}

/// `time.sleep-ms` as a procedure value, to sleep on job time in the middle of a builtin.
fn sleep_procedure(c: &Ctx) -> Result<Value, String> {
    let i = c.table().rows().iter().position(|b| b.name == "time.sleep-ms").ok_or("env: time.sleep-ms is missing")?;
    Ok(Value::Prim(i as u16))
}

/// Sleep until job time `until`, then continue with `then`.
fn sleep_until(c: &Ctx, until: f64, then: Box<dyn Resume>) -> Result<Flow, String> {
    let ms = (until - c.now_ms()).ceil().max(0.0);
    Ok(Flow::Call { callee: sleep_procedure(c)?, args: vec![Value::Int(ms as i64)], then })
}

/// After a sleep, finish with a value.
struct ReturnAfter(Value);

impl Resume for ReturnAfter {
    fn resume(self: Box<Self>, _: &mut Ctx, result: Result<Value, LispError>) -> Result<Flow, String> {
        result.map(|_| Flow::Return(self.0)).map_err(|e| e.message)
    }
    fn trace(&self, roots: &mut Vec<Value>) {
        roots.push(self.0);
    }
}

fn lisp_step(c: &mut Ctx, _: &[Value]) -> Result<Flow, String> {
    let now = c.now_ms();
    let (ok, wake) = host(c, "env.step")?.step(now)?;
    match wake {
        Some(t) => sleep_until(c, t, Box::new(ReturnAfter(Value::Bool(ok)))),
        None => Ok(Flow::Return(Value::Bool(ok))),
    }
}

/// Append one JSONL record to the run-loop's log file.
fn append_log(c: &mut Ctx, path: &str, line: &str) -> Result<(), String> {
    let fail = || format!("env.run-loop: failed to open log_path: {path}");
    let files = c.files().ok_or_else(fail)?;
    files.append(path, &format!("{line}\n")).map_err(|_| fail())
}

/// The rest of an `env.run-loop` call while a callback runs or job time passes.
struct LoopResume {
    lp: RunLoop,
    on_tick: Value,
    predicate: Option<Value>,
    observer: Option<Value>,
}

impl LoopResume {
    fn call(self: Box<Self>, c: &mut Ctx, callee: Value, arg: &Datum) -> Result<Flow, String> {
        let v = value(c, "env.run-loop", arg)?;
        Ok(Flow::Call { callee, args: vec![v], then: self })
    }

    /// Carry out the machine's requests until one needs the evaluator.
    fn drive(mut self: Box<Self>, c: &mut Ctx, mut next: Next) -> Result<Flow, String> {
        loop {
            match next {
                Next::CallOnTick(obs) => {
                    let f = self.on_tick;
                    return self.call(c, f, &obs);
                }
                Next::CallObserver(record) => match self.observer {
                    Some(f) => return self.call(c, f, &record),
                    None => next = self.step(c, Ok(Datum::Nil))?,
                },
                Next::CallPredicate(obs) => match self.predicate {
                    Some(f) => return self.call(c, f, &obs),
                    None => next = self.step(c, Ok(Datum::Bool(false)))?,
                },
                Next::AppendLog { path, line } => {
                    let r = append_log(c, &path, &line).map(|_| Datum::Nil);
                    next = self.step(c, r)?;
                }
                Next::SleepUntil(t) => return sleep_until(c, t, self),
                Next::Finish(result) => return Ok(Flow::Return(value(c, "env.run-loop", &result)?)),
                Next::Fail(e) => return Err(e),
            }
        }
    }

    fn step(&mut self, c: &mut Ctx, input: Result<Datum, String>) -> Result<Next, String> {
        let now = c.now_ms();
        Ok(self.lp.resume(host(c, "env.run-loop")?, input, now))
    }
}

impl Resume for LoopResume {
    fn resume(mut self: Box<Self>, c: &mut Ctx, result: Result<Value, LispError>) -> Result<Flow, String> {
        let input = match result {
            Ok(v) => c.to_datum(v).map_err(|e| format!("env.run-loop: {e}")),
            Err(e) => Err(e.message),
        };
        let next = self.step(c, input)?;
        self.drive(c, next)
    }
    fn trace(&self, roots: &mut Vec<Value>) {
        roots.push(self.on_tick);
        roots.extend(self.predicate);
        roots.extend(self.observer);
    }
}

fn lisp_run_loop(c: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    if !matches!(c.heap.obj(a[0]), Some(Obj::Map(_))) {
        return Err("env.run-loop: expected config map".into());
    }
    if !c.is_procedure(a[1]) {
        return Err("env.run-loop: expected callable on_tick".into());
    }
    let cfg = datum(c, "env.run-loop", a[0])?;
    let kind = |c: &Ctx, v: Option<Value>| match v {
        None => Callable::Absent,
        Some(v) if c.is_procedure(v) => Callable::Procedure,
        Some(_) => Callable::NotProcedure,
    };
    let predicate = map_value(c, a[0], "success_predicate");
    let observer = map_value(c, a[0], "observer");
    let (pk, ok) = (kind(c, predicate), kind(c, observer));
    let now = c.now_ms();
    let (lp, next) = RunLoop::start(host(c, "env.run-loop")?, &cfg, pk, ok, now)?;
    let state = Box::new(LoopResume {
        lp,
        on_tick: a[1],
        predicate: predicate.filter(|_| pk == Callable::Procedure),
        observer: observer.filter(|_| ok == Callable::Procedure),
    });
    state.drive(c, next)
}
