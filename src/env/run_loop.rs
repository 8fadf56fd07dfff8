//! `env.run-loop` as a resumable state machine: observe → `on_tick(obs)` → choose an action
//! (the callback's, else the episode's last good one, else `safe_action`) → act → step →
//! per-tick record (to `observer` and the JSONL `log_path`) → success check, over episodes.
//!
//! The machine never calls Lisp itself: it answers with a [`Next`] (call `on_tick`, the
//! observer or the success predicate with this value; append this log line; sleep until this
//! job time; finish with this result map) and the caller resumes it with the outcome. So the
//! evaluator keeps running the callbacks on its own stack, with fuel, Stop, `time.sleep-ms`
//! and the depth limit intact. Time is job time: a tick overruns when `on_tick` took longer
//! than `1000 / tick_hz` job milliseconds, and realtime pacing sleeps on the job clock.

use super::{EnvHost, NOT_ATTACHED};
use crate::lang::datum::sym_map;
use crate::lang::fields::lookup;
use crate::lang::Datum;

/// What the caller must do next.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Call `on_tick` with this observation, then [`RunLoop::resume`] with its value.
    CallOnTick(Datum),
    /// Call `observer` with this per-tick record, then resume.
    CallObserver(Datum),
    /// Call `success_predicate` with this observation, then resume with its value.
    CallPredicate(Datum),
    /// Append `line` and a newline to the file `path`, then resume with `Ok(Nil)` (or the
    /// failure message).
    AppendLog { path: String, line: String },
    /// Sleep until this job time, then resume with `Ok(Nil)`.
    SleepUntil(f64),
    /// Done: `env.run-loop`'s value.
    Finish(Datum),
    /// `env.run-loop` raises this error (only when reporting a failed tick fails too).
    Fail(String),
}

/// Whether a configuration key holds a procedure (the caller can tell; plain data cannot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callable {
    Absent,
    Procedure,
    NotProcedure,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// Waiting for `on_tick`'s value.
    OnTick,
    /// Waiting for the realtime pacing sleep after the step.
    Pacing,
    /// Waiting for the observer (then maybe the log) of a normal tick.
    Observer,
    /// Waiting for the log append of a normal tick.
    Log,
    /// Waiting for the success predicate.
    Predicate,
    /// Reporting a failed tick: observer, then log, then finish `:error`.
    ErrorObserver,
    ErrorLog,
    Finished,
}

/// The `env.run-loop` state machine (see the module docs).
pub struct RunLoop {
    tick_hz: i64,
    max_ticks: i64,
    step_max: i64,
    episode_max: i64,
    stop_on_success: bool,
    safe_action: Option<Datum>,
    has_predicate: bool,
    has_observer: bool,
    log_path: String,
    realtime: bool,
    schema_version: Option<String>,
    seed: Option<i64>,
    resets: bool,

    phase: Phase,
    ticks: i64,
    steps_total: i64,
    episode_steps: i64,
    episodes_completed: i64,
    fallback_count: i64,
    overrun_count: i64,
    last_good: Option<Datum>,
    final_obs: Datum,

    tick_start_ms: f64,
    obs: Datum,
    on_tick: Datum,
    tick_schema: Option<String>,
    action: Datum,
    used_fallback: bool,
    overrun: bool,
    can_continue: bool,
    record: Datum,
    error: String,
}

fn is_action_map(d: &Datum) -> bool {
    matches!(d, Datum::Map(_)) && lookup(d, "action_schema").is_some() && lookup(d, "u").is_some()
}

/// The action in `on_tick`'s value: the value itself when it is an action map, else its
/// `action` entry when that is one.
fn extract_action(result: &Datum) -> Option<Datum> {
    if is_action_map(result) {
        return Some(result.clone());
    }
    let a = lookup(result, "action")?;
    is_action_map(a).then(|| a.clone())
}

fn truthy(d: &Datum) -> bool {
    !matches!(d, Datum::Nil | Datum::Bool(false))
}

fn done_flag(d: &Datum) -> bool {
    matches!(lookup(d, "done"), Some(Datum::Bool(true)))
}

/// `on_tick` reported success: `#t`, `success`, `:success`, or a map with `done` #t.
fn indicates_success(result: &Datum) -> bool {
    match result {
        Datum::Bool(b) => *b,
        Datum::Sym(s) => s == "success" || s == ":success",
        Datum::Map(_) => done_flag(result),
        _ => false,
    }
}

impl RunLoop {
    /// Check the configuration, configure and reset the backend, and return the machine with
    /// its first request. `Err` is the error `env.run-loop` raises (bad configuration,
    /// nothing attached). The caller has already checked that the configuration is a map and
    /// `on_tick` a procedure, and tells whether `success_predicate` and `observer` are ones.
    pub fn start(
        env: &mut EnvHost,
        config: &Datum,
        predicate: Callable,
        observer: Callable,
        now_ms: f64,
    ) -> Result<(RunLoop, Next), String> {
        const W: &str = "env.run-loop";
        if !env.attached() {
            return Err(NOT_ATTACHED.into());
        }
        env.apply_common(config, W)?;
        let (Some(hz), Some(max)) = (lookup(config, "tick_hz"), lookup(config, "max_ticks")) else {
            return Err("env.run-loop: required keys are tick_hz and max_ticks".into());
        };
        let int = |v: &Datum, key: &str| match v {
            Datum::Int(i) => Ok(*i),
            _ => Err(format!("env.run-loop :{key}: expected integer")),
        };
        let tick_hz = int(hz, "tick_hz")?;
        let max_ticks = int(max, "max_ticks")?;
        if tick_hz <= 0 {
            return Err("env.run-loop :tick_hz: expected > 0".into());
        }
        if max_ticks <= 0 {
            return Err("env.run-loop :max_ticks: expected > 0".into());
        }
        let positive = |key: &str, default: i64| -> Result<i64, String> {
            match lookup(config, key) {
                None => Ok(default),
                Some(v) => {
                    let n = int(v, key)?;
                    if n <= 0 {
                        return Err(format!("env.run-loop :{key}: expected > 0"));
                    }
                    Ok(n)
                }
            }
        };
        let episode_max = positive("episode_max", 1)?;
        let step_max = positive("step_max", max_ticks)?;
        let stop_on_success = match lookup(config, "stop_on_success") {
            None => true,
            Some(Datum::Bool(b)) => *b,
            Some(_) => return Err("env.run-loop :stop_on_success: expected boolean".into()),
        };
        let safe_action = lookup(config, "safe_action").filter(|d| !matches!(d, Datum::Nil)).cloned();
        if predicate == Callable::NotProcedure {
            return Err("env.run-loop :success_predicate: expected callable".into());
        }
        if observer == Callable::NotProcedure {
            return Err("env.run-loop :observer: expected callable".into());
        }
        let log_path = match lookup(config, "log_path") {
            None => env.log_path.clone(),
            Some(Datum::Str(s)) => s.clone(),
            Some(_) => return Err("env.run-loop :log_path: expected string".into()),
        };
        let realtime = match lookup(config, "realtime") {
            None => env.realtime,
            Some(Datum::Bool(b)) => *b,
            Some(_) => return Err("env.run-loop :realtime: expected boolean".into()),
        };
        let schema_version = match lookup(config, "schema_version") {
            None => None,
            Some(Datum::Str(s)) => Some(s.clone()),
            Some(_) => return Err("env.run-loop :schema_version: expected string".into()),
        };
        let seed = match lookup(config, "seed") {
            Some(Datum::Int(s)) => Some(*s),
            _ => env.seed,
        };
        env.backend_mut()?.configure(config).map_err(|e| format!("env.run-loop: {e}"))?;
        let resets = env.backend_mut()?.supports().reset;
        let mut lp = RunLoop {
            tick_hz,
            max_ticks,
            step_max,
            episode_max,
            stop_on_success,
            safe_action,
            has_predicate: predicate == Callable::Procedure,
            has_observer: observer == Callable::Procedure,
            log_path,
            realtime,
            schema_version,
            seed,
            resets,
            phase: Phase::OnTick,
            ticks: 0,
            steps_total: 0,
            episode_steps: 0,
            episodes_completed: 0,
            fallback_count: 0,
            overrun_count: 0,
            last_good: None,
            final_obs: Datum::Map(Vec::new()),
            tick_start_ms: now_ms,
            obs: Datum::Nil,
            on_tick: Datum::Nil,
            tick_schema: None,
            action: Datum::Nil,
            used_fallback: false,
            overrun: false,
            can_continue: true,
            record: Datum::Nil,
            error: String::new(),
        };
        if episode_max > 1 && !resets {
            let msg = "episode_max>1 requires env.reset capability";
            let r = lp.result(":unsupported", msg, Some(msg));
            lp.phase = Phase::Finished;
            return Ok((lp, Next::Finish(r)));
        }
        if resets {
            let obs = env.reset_with(seed, now_ms).map_err(|e| format!("env.run-loop: reset failed: {e}"))?;
            lp.final_obs = obs;
        }
        let next = lp.begin_tick(env, now_ms);
        Ok((lp, next))
    }

    /// Continue after the request last returned: `Ok` with the callback's value (or `Nil`
    /// after a sleep or a log append), `Err` with its error message.
    pub fn resume(&mut self, env: &mut EnvHost, input: Result<Datum, String>, now_ms: f64) -> Next {
        match self.phase {
            Phase::OnTick => match input {
                Ok(v) => self.after_on_tick(env, v, now_ms),
                Err(e) => self.fail_tick(env, e, now_ms),
            },
            Phase::Pacing => self.finish_tick(env, now_ms),
            Phase::Observer => match input {
                Ok(_) => self.log_or_check(env, now_ms),
                Err(e) => self.fail_tick(env, e, now_ms),
            },
            Phase::Log => match input {
                Ok(_) => self.check_success(env, now_ms),
                Err(e) => self.fail_tick(env, e, now_ms),
            },
            Phase::Predicate => match input {
                Ok(v) => self.after_success(env, truthy(&v), now_ms),
                Err(e) => self.fail_tick(env, e, now_ms),
            },
            Phase::ErrorObserver => match input {
                Ok(_) => self.error_log(),
                Err(e) => self.fail(e),
            },
            Phase::ErrorLog => match input {
                Ok(_) => self.finish_error(),
                Err(e) => self.fail(e),
            },
            Phase::Finished => Next::Fail("env.run-loop: resumed after it finished".into()),
        }
    }

    fn fail(&mut self, e: String) -> Next {
        self.phase = Phase::Finished;
        Next::Fail(e)
    }

    fn period_ms(&self) -> f64 {
        1000.0 / self.tick_hz as f64
    }

    fn begin_tick(&mut self, env: &mut EnvHost, now_ms: f64) -> Next {
        self.tick_start_ms = now_ms;
        self.used_fallback = false;
        self.overrun = false;
        self.on_tick = Datum::Nil;
        self.tick_schema = self.schema_version.clone();
        self.action = Datum::Nil;
        match env.observe(now_ms) {
            Ok(obs) => {
                self.final_obs = obs.clone();
                self.obs = obs.clone();
                self.phase = Phase::OnTick;
                Next::CallOnTick(obs)
            }
            Err(e) => self.fail_tick(env, e, now_ms),
        }
    }

    fn after_on_tick(&mut self, env: &mut EnvHost, result: Datum, now_ms: f64) -> Next {
        self.on_tick = result.clone();
        if let Some(s) = lookup(&result, "schema_version") {
            match s {
                Datum::Str(s) => self.tick_schema = Some(s.clone()),
                _ => return self.fail_tick(env, "env.run-loop on_tick: schema_version must be string".into(), now_ms),
            }
        }
        let candidate = extract_action(&result);
        if now_ms - self.tick_start_ms > self.period_ms() {
            self.overrun = true;
            self.overrun_count += 1;
        }
        let action = match (candidate, self.overrun) {
            (Some(a), false) => {
                self.last_good = Some(a.clone());
                a
            }
            _ => match self.last_good.clone().or_else(|| self.safe_action.clone()) {
                Some(a) => {
                    self.used_fallback = true;
                    self.fallback_count += 1;
                    a
                }
                None => {
                    let msg = "env.run-loop: no action returned and safe_action is not configured";
                    return self.fail_tick(env, msg.into(), now_ms);
                }
            },
        };
        self.action = action;
        let stepped =
            env.backend_mut().and_then(|b| b.act(&self.action)).and_then(|_| env.backend_mut().and_then(|b| b.step()));
        let ok = match stepped {
            Ok(ok) => ok,
            Err(e) => return self.fail_tick(env, e, now_ms),
        };
        self.can_continue = ok;
        if ok {
            self.steps_total += 1;
        }
        match env.after_step(ok, self.tick_hz, self.realtime, now_ms) {
            Some(wake) => {
                self.phase = Phase::Pacing;
                Next::SleepUntil(wake)
            }
            None => self.finish_tick(env, now_ms),
        }
    }

    fn make_record(&self, obs: &Datum, action: &Datum, tick_time_ms: f64, error: Option<&str>) -> Datum {
        let mut r = vec![("tick", Datum::Int(self.ticks))];
        if let Some(t @ Datum::Int(_)) = lookup(obs, "t_ms") {
            r.push(("t_ms", t.clone()));
        }
        if let Some(s) = &self.tick_schema {
            r.push(("schema_version", Datum::Str(s.clone())));
        }
        r.push(("obs", obs.clone()));
        r.push(("action", action.clone()));
        r.push(("on_tick", self.on_tick.clone()));
        r.push((
            "budget",
            sym_map(vec![
                ("tick_budget_ms", Datum::Float(self.period_ms())),
                ("tick_time_ms", Datum::Float(tick_time_ms)),
            ]),
        ));
        for key in ["bt", "planner"] {
            if let Some(m @ Datum::Map(_)) = lookup(&self.on_tick, key) {
                r.push((key, m.clone()));
            }
        }
        r.push(("used_fallback", Datum::Bool(self.used_fallback || error.is_some())));
        r.push(("overrun", Datum::Bool(self.overrun)));
        if let Some(e) = error {
            r.push(("error", Datum::str(e)));
        }
        sym_map(r)
    }

    fn finish_tick(&mut self, env: &mut EnvHost, now_ms: f64) -> Next {
        self.ticks += 1;
        self.episode_steps += 1;
        let tick_time = now_ms - self.tick_start_ms;
        self.record = self.make_record(&self.obs, &self.action, tick_time, None);
        if self.has_observer {
            self.phase = Phase::Observer;
            return Next::CallObserver(self.record.clone());
        }
        self.log_or_check(env, now_ms)
    }

    fn log_or_check(&mut self, env: &mut EnvHost, now_ms: f64) -> Next {
        if !self.log_path.is_empty() {
            self.phase = Phase::Log;
            return Next::AppendLog {
                path: self.log_path.clone(),
                line: crate::capability::json::encode_lenient(&self.record),
            };
        }
        self.check_success(env, now_ms)
    }

    fn check_success(&mut self, env: &mut EnvHost, now_ms: f64) -> Next {
        if !self.can_continue {
            return self.finish(":stopped", "backend step returned false", None);
        }
        if self.has_predicate {
            self.phase = Phase::Predicate;
            return Next::CallPredicate(self.obs.clone());
        }
        let success = done_flag(&self.obs) || indicates_success(&self.on_tick);
        self.after_success(env, success, now_ms)
    }

    fn after_success(&mut self, env: &mut EnvHost, success: bool, now_ms: f64) -> Next {
        if self.stop_on_success && success {
            self.episodes_completed += 1;
            return self.finish(":ok", "success predicate satisfied", None);
        }
        if self.episode_steps >= self.step_max {
            self.episodes_completed += 1;
            if self.episodes_completed >= self.episode_max {
                return self.finish(":stopped", "episode_max reached", None);
            }
            self.episode_steps = 0;
            self.last_good = None;
            if self.resets {
                let seed = self.seed.map(|s| s.wrapping_add(self.episodes_completed));
                match env.reset_with(seed, now_ms) {
                    Ok(obs) => self.final_obs = obs,
                    Err(e) => return self.fail_tick(env, format!("env.run-loop: reset failed: {e}"), now_ms),
                }
            }
        }
        if self.ticks >= self.max_ticks {
            if self.episode_steps > 0 {
                self.episodes_completed += 1;
            }
            return self.finish(":stopped", "max ticks reached", None);
        }
        self.begin_tick(env, now_ms)
    }

    /// A tick failed: one safety action and step (best effort), observe, report the tick,
    /// then finish `:error`.
    fn fail_tick(&mut self, env: &mut EnvHost, error: String, now_ms: f64) -> Next {
        self.error = error;
        let safety = self.last_good.clone().or_else(|| self.safe_action.clone());
        if let Some(a) = &safety {
            self.fallback_count += 1;
            if let Ok(b) = env.backend_mut() {
                if b.act(a).is_ok() {
                    if let Ok(ok) = b.step() {
                        if ok {
                            self.steps_total += 1;
                        }
                        env.after_step(ok, self.tick_hz, false, now_ms);
                    }
                }
            }
        }
        self.final_obs = match env.observe(now_ms) {
            Ok(o) => o,
            Err(_) => env.enrich(Datum::Map(Vec::new()), now_ms).unwrap_or(Datum::Map(Vec::new())),
        };
        self.ticks += 1;
        self.episode_steps += 1;
        let tick_time = now_ms - self.tick_start_ms;
        let action = safety.unwrap_or(Datum::Nil);
        self.record = self.make_record(&self.final_obs, &action, tick_time, Some(&self.error.clone()));
        if self.has_observer {
            self.phase = Phase::ErrorObserver;
            return Next::CallObserver(self.record.clone());
        }
        self.error_log()
    }

    fn error_log(&mut self) -> Next {
        if !self.log_path.is_empty() {
            self.phase = Phase::ErrorLog;
            return Next::AppendLog {
                path: self.log_path.clone(),
                line: crate::capability::json::encode_lenient(&self.record),
            };
        }
        self.finish_error()
    }

    fn finish_error(&mut self) -> Next {
        self.episodes_completed += 1;
        let e = self.error.clone();
        self.finish(":error", &e, Some(&e))
    }

    fn finish(&mut self, status: &str, message: &str, error: Option<&str>) -> Next {
        self.phase = Phase::Finished;
        Next::Finish(self.result(status, message, error))
    }

    fn result(&self, status: &str, message: &str, error: Option<&str>) -> Datum {
        let ok = matches!(status, ":ok" | ":stopped");
        sym_map(vec![
            ("status", Datum::sym(status)),
            ("last_status", Datum::sym(status)),
            ("ok", Datum::Bool(ok)),
            ("error", error.map_or(Datum::Nil, Datum::str)),
            ("episodes", Datum::Int(self.episodes_completed)),
            ("episodes_completed", Datum::Int(self.episodes_completed)),
            ("ticks", Datum::Int(self.ticks)),
            ("steps_total", Datum::Int(self.steps_total)),
            ("last_episode_steps", Datum::Int(self.episode_steps)),
            ("reason", Datum::str(message)),
            ("message", Datum::str(message)),
            ("final_obs", self.final_obs.clone()),
            ("fallback_count", Datum::Int(self.fallback_count)),
            ("overrun_count", Datum::Int(self.overrun_count)),
        ])
    }
}
