//! `env.*`: a simulator/robot backend interface ([`Backend`]), the reference's behaviour
//! around it ([`EnvHost`]: attach, configure, reset, observe, act, step, debug-draw, info,
//! with the reference's messages, also when nothing is attached), the control loop of
//! `env.run-loop` as a resumable state machine ([`run_loop::RunLoop`]), and one built-in
//! backend, `sim2d` ([`world::World`]).
//!
//! All time here is job time: observation timestamps, tick overruns and realtime pacing are
//! measured on the job clock the caller passes in (`now_ms`), never on the wall clock.

pub mod lisp;
pub mod run_loop;
pub mod world;

use crate::lang::datum::sym_map;
use crate::lang::fields::{lookup, normalize_key};
use crate::lang::Datum;
use std::any::Any;

/// The reference's env API version.
pub const API_VERSION: &str = "env.api.v1";
/// The built-in backend's name (`(env.attach "sim2d")`).
pub const SIM2D: &str = "sim2d";

/// What a backend can do (`env.info`'s `supports`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Supports {
    pub reset: bool,
    pub debug_draw: bool,
    pub headless: bool,
    pub realtime_pacing: bool,
    pub deterministic_seed: bool,
}

/// A simulator or robot behind `env.*`. Errors are plain messages; the caller adds the
/// builtin's prefix.
pub trait Backend: Any {
    fn version(&self) -> String {
        String::new()
    }
    fn notes(&self) -> String {
        String::new()
    }
    fn supports(&self) -> Supports;
    /// Extra `env.info` entries (a map), if any.
    fn info(&self) -> Option<Datum> {
        None
    }
    /// Read the keys it knows from a configuration map; ignore the rest (run-loop keys
    /// included).
    fn configure(&mut self, cfg: &Datum) -> Result<(), String>;
    /// Start an episode; the initial observation (a map).
    fn reset(&mut self, seed: Option<i64>) -> Result<Datum, String>;
    fn observe(&mut self) -> Result<Datum, String>;
    /// Take an action map (`action_schema`, `u`).
    fn act(&mut self, action: &Datum) -> Result<(), String>;
    /// Advance; `false` means the backend cannot go on.
    fn step(&mut self) -> Result<bool, String>;
    fn debug_draw(&mut self, _payload: &Datum) -> Result<(), String> {
        Ok(())
    }
    fn as_any(&self) -> &dyn Any;
}

/// `sim2d` as a [`Backend`].
#[derive(Default)]
pub struct Sim2d(pub world::World);

impl Backend for Sim2d {
    fn version(&self) -> String {
        "1".into()
    }
    fn notes(&self) -> String {
        "built-in 2-D world: unicycle robot, circular obstacles, range rays, goal disc".into()
    }
    fn supports(&self) -> Supports {
        world::World::supports()
    }
    fn info(&self) -> Option<Datum> {
        Some(self.0.info())
    }
    fn configure(&mut self, cfg: &Datum) -> Result<(), String> {
        self.0.configure(cfg)
    }
    fn reset(&mut self, seed: Option<i64>) -> Result<Datum, String> {
        self.0.reset(seed);
        Ok(self.0.observe())
    }
    fn observe(&mut self) -> Result<Datum, String> {
        Ok(self.0.observe())
    }
    fn act(&mut self, action: &Datum) -> Result<(), String> {
        self.0.act(action)
    }
    fn step(&mut self) -> Result<bool, String> {
        Ok(self.0.step())
    }
    fn debug_draw(&mut self, payload: &Datum) -> Result<(), String> {
        self.0.debug_draw(payload);
        Ok(())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The backends `env.attach` knows by name.
pub fn backend_named(name: &str) -> Option<Box<dyn Backend>> {
    match name {
        SIM2D => Some(Box::new(Sim2d::default())),
        _ => None,
    }
}

/// Per-interpreter env state: the attached backend and the loop settings of the reference's
/// runtime (tick rate, realtime pacing, seed, episode and step counters, time origin).
pub struct EnvHost {
    backend: Option<Box<dyn Backend>>,
    name: String,
    pub tick_hz: i64,
    pub steps_per_tick: i64,
    pub realtime: bool,
    pub headless: bool,
    pub seed: Option<i64>,
    pub log_path: String,
    pub episode: i64,
    pub step: i64,
    time_origin_ms: f64,
    next_deadline_ms: Option<f64>,
}

impl Default for EnvHost {
    fn default() -> Self {
        EnvHost {
            backend: None,
            name: String::new(),
            tick_hz: 20,
            steps_per_tick: 1,
            realtime: false,
            headless: false,
            seed: None,
            log_path: String::new(),
            episode: 0,
            step: 0,
            time_origin_ms: 0.0,
            next_deadline_ms: None,
        }
    }
}

/// The error of every call that needs a backend when none is attached.
pub const NOT_ATTACHED: &str = "env backend not attached";

fn set_entry(map: &mut Datum, key: &str, value: Datum) {
    if let Datum::Map(entries) = map {
        match entries.iter_mut().find(|(k, _)| matches!(k, Datum::Sym(s) if s == key)) {
            Some(e) => e.1 = value,
            None => entries.push((Datum::sym(key), value)),
        }
    }
}

fn int_opt(cfg: &Datum, key: &str, where_: &str) -> Result<Option<i64>, String> {
    match lookup(cfg, key) {
        None => Ok(None),
        Some(Datum::Int(i)) => Ok(Some(*i)),
        Some(_) => Err(format!("{where_} :{key}: expected integer")),
    }
}

fn bool_opt(cfg: &Datum, key: &str, where_: &str) -> Result<Option<bool>, String> {
    match lookup(cfg, key) {
        None => Ok(None),
        Some(Datum::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(format!("{where_} :{key}: expected boolean")),
    }
}

fn string_opt(cfg: &Datum, key: &str, where_: &str) -> Result<Option<String>, String> {
    match lookup(cfg, key) {
        None => Ok(None),
        Some(Datum::Str(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{where_} :{key}: expected string")),
    }
}

impl EnvHost {
    /// Whether a backend is attached.
    pub fn attached(&self) -> bool {
        self.backend.is_some()
    }

    /// The attached backend's name (empty when none).
    pub fn backend_name(&self) -> &str {
        &self.name
    }

    /// The attached backend, if any.
    pub fn backend(&self) -> Option<&dyn Backend> {
        self.backend.as_deref()
    }

    /// The built-in world, when `sim2d` is attached (what a canvas draws).
    pub fn world(&self) -> Option<&world::World> {
        self.backend.as_ref()?.as_any().downcast_ref::<Sim2d>().map(|s| &s.0)
    }

    fn backend_mut(&mut self) -> Result<&mut Box<dyn Backend>, String> {
        self.backend.as_mut().ok_or_else(|| NOT_ATTACHED.to_string())
    }

    /// `(env.info)`.
    pub fn info(&self) -> Datum {
        let flags = self.backend.as_ref().map(|b| b.supports()).unwrap_or_default();
        let supports = sym_map(vec![
            ("reset", Datum::Bool(flags.reset)),
            ("debug_draw", Datum::Bool(flags.debug_draw)),
            ("headless", Datum::Bool(flags.headless)),
            ("realtime_pacing", Datum::Bool(flags.realtime_pacing)),
            ("deterministic_seed", Datum::Bool(flags.deterministic_seed)),
        ]);
        let Some(b) = &self.backend else {
            return sym_map(vec![
                ("api_version", Datum::str(API_VERSION)),
                ("attached", Datum::Bool(false)),
                ("backend", Datum::Nil),
                ("backend_version", Datum::Nil),
                ("supports", supports),
            ]);
        };
        let version = b.version();
        let mut out = vec![
            ("api_version", Datum::str(API_VERSION)),
            ("attached", Datum::Bool(true)),
            ("backend", Datum::Str(self.name.clone())),
            ("backend_version", if version.is_empty() { Datum::Nil } else { Datum::Str(version) }),
            ("supports", supports),
        ];
        let notes = b.notes();
        if !notes.is_empty() {
            out.push(("notes", Datum::Str(notes)));
        }
        let mut info = sym_map(out);
        if let Some(Datum::Map(extra)) = b.info() {
            for (k, v) in extra {
                let (Datum::Sym(name) | Datum::Str(name)) = &k else { continue };
                if lookup(&info, &normalize_key(name)).is_none() {
                    if let Datum::Map(entries) = &mut info {
                        entries.push((k.clone(), v.clone()));
                    }
                }
            }
        }
        info
    }

    /// `(env.attach name)`.
    pub fn attach(&mut self, name: &Datum, now_ms: f64) -> Result<(), String> {
        let name = match name {
            Datum::Str(s) | Datum::Sym(s) => s.clone(),
            _ => return Err("env.attach: expected string or symbol".into()),
        };
        if name.is_empty() {
            return Err("env.attach: backend name must not be empty".into());
        }
        if self.backend.is_some() {
            return Err(format!("env.attach: backend already attached: {}", self.name));
        }
        let backend = backend_named(&name).ok_or_else(|| format!("env.attach: unknown backend: {name}"))?;
        self.backend = Some(backend);
        self.name = name;
        self.episode = 0;
        self.step = 0;
        self.time_origin_ms = now_ms;
        self.next_deadline_ms = None;
        Ok(())
    }

    /// The options every backend shares (`tick_hz`, `steps_per_tick`, `seed`, `headless`,
    /// `realtime`, `log_path`, `event_log_*`), checked and stored; `where_` prefixes errors.
    pub fn apply_common(&mut self, cfg: &Datum, where_: &str) -> Result<(), String> {
        if !matches!(cfg, Datum::Map(_)) {
            return Err(format!("{where_}: expected map"));
        }
        if let Some(hz) = int_opt(cfg, "tick_hz", where_)? {
            if hz <= 0 {
                return Err(format!("{where_} :tick_hz: expected > 0"));
            }
            self.tick_hz = hz;
        }
        if let Some(n) = int_opt(cfg, "steps_per_tick", where_)? {
            if n <= 0 {
                return Err(format!("{where_} :steps_per_tick: expected > 0"));
            }
            self.steps_per_tick = n;
        }
        if let Some(s) = int_opt(cfg, "seed", where_)? {
            self.seed = Some(s);
        }
        if let Some(b) = bool_opt(cfg, "headless", where_)? {
            self.headless = b;
        }
        if let Some(b) = bool_opt(cfg, "realtime", where_)? {
            self.realtime = b;
        }
        if let Some(p) = string_opt(cfg, "log_path", where_)? {
            self.log_path = p;
        }
        string_opt(cfg, "event_log_path", where_)?;
        if let Some(n) = int_opt(cfg, "event_log_ring_size", where_)? {
            if n < 0 {
                return Err(format!("{where_} :event_log_ring_size: expected >= 0"));
            }
        }
        bool_opt(cfg, "event_log_flush_each_message", where_)?;
        Ok(())
    }

    /// `(env.configure map)`.
    pub fn configure(&mut self, cfg: &Datum) -> Result<(), String> {
        if !matches!(cfg, Datum::Map(_)) {
            return Err("env.configure: expected map".into());
        }
        self.backend_mut()?;
        self.apply_common(cfg, "env.configure")?;
        self.backend_mut()?.configure(cfg).map_err(|e| format!("env.configure: {e}"))
    }

    /// Fill in `obs_schema`, `t_ms` (job time since attach/reset), `episode` and `step`.
    fn enrich(&self, mut obs: Datum, now_ms: f64) -> Result<Datum, String> {
        if !matches!(obs, Datum::Map(_)) {
            return Err("env.observe: backend returned non-map observation".into());
        }
        match lookup(&obs, "obs_schema") {
            Some(Datum::Str(_)) => {}
            Some(_) => return Err("env.observe: obs_schema must be string".into()),
            None => set_entry(&mut obs, "obs_schema", Datum::str("env.obs.v1")),
        }
        match lookup(&obs, "t_ms") {
            Some(Datum::Int(_)) => {}
            Some(_) => return Err("env.observe: t_ms must be integer".into()),
            None => set_entry(&mut obs, "t_ms", Datum::Int((now_ms - self.time_origin_ms).max(0.0) as i64)),
        }
        set_entry(&mut obs, "episode", Datum::Int(self.episode));
        set_entry(&mut obs, "step", Datum::Int(self.step));
        Ok(obs)
    }

    /// `(env.reset seed-or-nil)`.
    pub fn reset(&mut self, seed: &Datum, now_ms: f64) -> Result<Datum, String> {
        let b = self.backend_mut()?;
        if !b.supports().reset {
            return Err("env.reset: backend does not support reset".into());
        }
        let seed = match seed {
            Datum::Nil => None,
            Datum::Int(i) => Some(*i),
            _ => return Err("env.reset: expected integer".into()),
        };
        self.reset_with(seed, now_ms).map_err(|e| format!("env.reset: {e}"))
    }

    /// Reset the backend (no checks), count the episode, restart the clock origin.
    fn reset_with(&mut self, seed: Option<i64>, now_ms: f64) -> Result<Datum, String> {
        let obs = self.backend_mut()?.reset(seed)?;
        self.episode += 1;
        self.step = 0;
        self.time_origin_ms = now_ms;
        self.next_deadline_ms = None;
        if seed.is_some() {
            self.seed = seed;
        }
        self.enrich(obs, now_ms)
    }

    /// `(env.observe)`.
    pub fn observe(&mut self, now_ms: f64) -> Result<Datum, String> {
        let obs = self.backend_mut()?.observe().map_err(|e| format!("env.observe: {e}"))?;
        self.enrich(obs, now_ms)
    }

    /// `(env.act action)`.
    pub fn act(&mut self, action: &Datum) -> Result<(), String> {
        self.backend_mut()?.act(action).map_err(|e| format!("env.act: {e}"))
    }

    /// `(env.step)`: the backend's answer, and the job time to sleep until first when
    /// `realtime` pacing is on (one tick period after the previous step).
    pub fn step(&mut self, now_ms: f64) -> Result<(bool, Option<f64>), String> {
        let ok = self.backend_mut()?.step().map_err(|e| format!("env.step: {e}"))?;
        Ok((ok, self.after_step(ok, self.tick_hz, self.realtime, now_ms)))
    }

    /// Count a step and work out realtime pacing on the job clock.
    fn after_step(&mut self, ok: bool, tick_hz: i64, realtime: bool, now_ms: f64) -> Option<f64> {
        if ok {
            self.step += 1;
        }
        if !realtime {
            self.next_deadline_ms = None;
            return None;
        }
        let period = 1000.0 / tick_hz.max(1) as f64;
        let deadline = *self.next_deadline_ms.get_or_insert(now_ms + period);
        let wake = (now_ms < deadline).then_some(deadline);
        let after = now_ms.max(deadline);
        let mut next = deadline + period;
        if next < after {
            next = after;
        }
        self.next_deadline_ms = Some(next);
        wake
    }

    /// `(env.debug-draw payload)`: a no-op for backends without debug drawing.
    pub fn debug_draw(&mut self, payload: &Datum) -> Result<(), String> {
        let b = self.backend_mut()?;
        if !b.supports().debug_draw {
            return Ok(());
        }
        b.debug_draw(payload).map_err(|e| format!("env.debug-draw: {e}"))
    }
}

#[cfg(test)]
mod tests;
