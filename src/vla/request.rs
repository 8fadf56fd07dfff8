//! `vla.submit` requests: reading a request map (normalised keys, defaults, the raise-time
//! checks and their messages), the service-level shape validation that turns a request into an
//! immediately failed job, and the request hash reported by `vla.poll`.

use crate::lang::fields::{int, lookup_entries, number, text};
use crate::lang::fnv::fnv1a64_standard;
use crate::lang::textfmt::format_g;
use crate::lang::Datum;

/// Largest `action_space.dims` accepted (a guard against allocating absurd vectors; the
/// reference has no limit).
pub const MAX_DIMS: i64 = 65_536;

/// A parsed VLA request, with the reference's defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct VlaRequest {
    pub capability: String,
    pub task_id: String,
    pub instruction: String,
    pub deadline_ms: i64,
    pub run_id: String,
    pub node_name: String,
    pub tick_index: i64,
    pub seed: Option<u64>,
    pub model: ModelRef,
    pub observation: Observation,
    pub action_space: ActionSpace,
    pub constraints: Constraints,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ModelRef {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub state: Vec<f64>,
    pub timestamp_ms: i64,
    pub frame_id: String,
    pub image: Option<i64>,
    pub blob: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionSpace {
    /// Stored verbatim (`':continuous` is the text `:continuous`); not used by the stub.
    pub kind: String,
    pub frame_id: String,
    pub dims: i64,
    pub bounds: Vec<(f64, f64)>,
    pub units: Vec<String>,
    pub semantic: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Constraints {
    pub max_abs_value: f64,
    pub max_delta: f64,
    pub forbidden_ranges: Vec<(f64, f64)>,
}

impl Default for VlaRequest {
    fn default() -> Self {
        VlaRequest {
            capability: "vla.rt2".into(),
            task_id: "task".into(),
            instruction: String::new(),
            deadline_ms: 200,
            run_id: "lisp".into(),
            node_name: "vla.submit".into(),
            tick_index: 0,
            seed: None,
            model: ModelRef { name: "rt2-stub".into(), version: "stub-1".into() },
            observation: Observation {
                state: Vec::new(),
                timestamp_ms: 0,
                frame_id: "base".into(),
                image: None,
                blob: None,
            },
            action_space: ActionSpace {
                kind: "continuous".into(),
                frame_id: String::new(),
                dims: 0,
                bounds: Vec::new(),
                units: Vec::new(),
                semantic: Vec::new(),
            },
            constraints: Constraints { max_abs_value: 1.0, max_delta: 1.0, forbidden_ranges: Vec::new() },
        }
    }
}

fn map_entries<'a>(v: &'a Datum, wher: &str) -> Result<&'a [(Datum, Datum)], String> {
    match v {
        Datum::Map(entries) => Ok(entries),
        _ => Err(format!("{wher}: expected map")),
    }
}

/// `observation.state`: a number, or a proper list of numbers (`()` is empty).
fn numeric_list(v: &Datum, wher: &str) -> Result<Vec<f64>, String> {
    match v {
        Datum::Int(_) | Datum::Float(_) => Ok(vec![number(v, wher)?]),
        Datum::Nil => Ok(Vec::new()),
        Datum::List(items) => items.iter().map(|x| number(x, wher)).collect(),
        _ => Err(format!("{wher}: expected numeric list or number")),
    }
}

/// A list of `(lo hi)` rows (bounds, forbidden ranges).
fn ranges(v: &Datum, wher: &str) -> Result<Vec<(f64, f64)>, String> {
    let rows = match v {
        Datum::Nil => return Ok(Vec::new()),
        Datum::List(rows) => rows,
        _ => return Err(format!("{wher}: expected list of [lo hi] pairs")),
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let items: &[Datum] = match row {
            Datum::List(items) => items,
            Datum::Nil => &[],
            _ => return Err(format!("{wher}: bounds row must be a 2-item list")),
        };
        if items.len() != 2 {
            return Err(format!("{wher}: each bounds row must have exactly 2 items"));
        }
        let lo = number(&items[0], wher)?;
        let hi = number(&items[1], wher)?;
        if !lo.is_finite() || !hi.is_finite() || lo > hi {
            return Err(format!("{wher}: bounds values must be finite and ordered"));
        }
        out.push((lo, hi));
    }
    Ok(out)
}

fn text_list(v: &Datum, wher: &str) -> Result<Vec<String>, String> {
    match v {
        Datum::Nil => Ok(Vec::new()),
        Datum::List(items) => items.iter().map(|x| text(x, wher)).collect(),
        _ => Err(format!("{wher}: expected list")),
    }
}

/// An image or blob handle: a handle of that kind (`image.make`, `blob.make`), or an opaque
/// value printed `<image_handle:ID>`.
fn handle(v: &Datum, kind: &str, wher: &str) -> Result<i64, String> {
    if let Datum::Handle { kind: k, id } = v {
        if *k == kind {
            return Ok(i64::from(*id));
        }
    }
    if let Datum::Opaque(printed) = v {
        let prefix = format!("<{kind}:");
        if let Some(rest) = printed.strip_prefix(&prefix).and_then(|r| r.strip_suffix('>')) {
            if let Ok(id) = rest.parse::<i64>() {
                return Ok(id);
            }
        }
    }
    Err(format!("{wher}: expected {kind}"))
}

fn seed(v: &Datum) -> Result<u64, String> {
    match v {
        Datum::Int(n) if *n < 0 => Err("vla.submit seed: seed must be non-negative".into()),
        Datum::Int(n) => Ok(*n as u64),
        Datum::Float(x) if !x.is_finite() || *x < 0.0 => {
            Err("vla.submit seed: seed must be non-negative finite".into())
        }
        Datum::Float(x) => Ok(*x as u64),
        Datum::Str(s) | Datum::Sym(s) => Ok(fnv1a64_standard(s.as_bytes())),
        _ => Err("vla.submit: unsupported seed type".into()),
    }
}

/// Reads a `vla.submit` argument. `Err` is the complete Lisp error message; no job is created.
pub fn parse(arg: &Datum) -> Result<VlaRequest, String> {
    let Datum::Map(req) = arg else {
        return Err("vla.submit: expected request map".into());
    };
    let mut r = VlaRequest::default();
    if let Some(v) = lookup_entries(req, "capability") {
        r.capability = text(v, "vla.submit capability")?;
    }
    if let Some(v) = lookup_entries(req, "task_id") {
        r.task_id = text(v, "vla.submit task_id")?;
    }
    if let Some(v) = lookup_entries(req, "instruction") {
        r.instruction = text(v, "vla.submit instruction")?;
    }
    if let Some(v) = lookup_entries(req, "deadline_ms") {
        r.deadline_ms = int(v, "vla.submit deadline_ms")?;
        if r.deadline_ms <= 0 {
            return Err("vla.submit: deadline_ms must be > 0".into());
        }
    }
    if let Some(v) = lookup_entries(req, "run_id") {
        r.run_id = text(v, "vla.submit run_id")?;
    }
    if let Some(v) = lookup_entries(req, "node_name") {
        r.node_name = text(v, "vla.submit node_name")?;
    }
    if let Some(v) = lookup_entries(req, "tick_index") {
        r.tick_index = int(v, "vla.submit tick_index")?;
    }
    if let Some(v) = lookup_entries(req, "seed") {
        r.seed = Some(seed(v)?);
    }
    if let Some(v) = lookup_entries(req, "model") {
        let m = map_entries(v, "vla.submit model")?;
        if let Some(v) = lookup_entries(m, "name") {
            r.model.name = text(v, "vla.submit model.name")?;
        }
        if let Some(v) = lookup_entries(m, "version") {
            r.model.version = text(v, "vla.submit model.version")?;
        }
    }
    if let Some(v) = lookup_entries(req, "observation") {
        let o = map_entries(v, "vla.submit observation")?;
        if let Some(v) = lookup_entries(o, "image") {
            r.observation.image = Some(handle(v, "image_handle", "vla.submit observation.image")?);
        }
        if let Some(v) = lookup_entries(o, "blob") {
            r.observation.blob = Some(handle(v, "blob_handle", "vla.submit observation.blob")?);
        }
        if let Some(v) = lookup_entries(o, "state") {
            r.observation.state = numeric_list(v, "vla.submit observation.state")?;
        }
        if let Some(v) = lookup_entries(o, "timestamp_ms") {
            r.observation.timestamp_ms = int(v, "vla.submit observation.timestamp_ms")?;
        }
        if let Some(v) = lookup_entries(o, "frame_id") {
            r.observation.frame_id = text(v, "vla.submit observation.frame_id")?;
        }
    }
    let Some(space) = lookup_entries(req, "action_space") else {
        return Err("vla.submit: missing action_space".into());
    };
    let a = map_entries(space, "vla.submit action_space")?;
    if let Some(v) = lookup_entries(a, "type") {
        r.action_space.kind = text(v, "vla.submit action_space.type")?;
    }
    if let Some(v) = lookup_entries(a, "frame_id") {
        r.action_space.frame_id = text(v, "vla.submit action_space.frame_id")?;
    }
    if let Some(v) = lookup_entries(a, "dims") {
        r.action_space.dims = int(v, "vla.submit action_space.dims")?;
    }
    if r.action_space.dims <= 0 {
        return Err("vla.submit: action_space.dims must be > 0".into());
    }
    if r.action_space.dims > MAX_DIMS {
        return Err(format!("vla.submit: action_space.dims must be <= {MAX_DIMS}"));
    }
    let dims = r.action_space.dims as usize;
    if let Some(v) = lookup_entries(a, "bounds") {
        r.action_space.bounds = ranges(v, "vla.submit action_space.bounds")?;
    }
    if r.action_space.bounds.is_empty() {
        r.action_space.bounds = vec![(-1.0, 1.0); dims];
    } else if r.action_space.bounds.len() != dims {
        return Err("vla.submit: action_space.bounds length must match dims".into());
    }
    if let Some(v) = lookup_entries(a, "units") {
        r.action_space.units = text_list(v, "vla.submit action_space.units")?;
    }
    if let Some(v) = lookup_entries(a, "semantic") {
        r.action_space.semantic = text_list(v, "vla.submit action_space.semantic")?;
    }
    if let Some(v) = lookup_entries(req, "constraints") {
        let c = map_entries(v, "vla.submit constraints")?;
        if let Some(v) = lookup_entries(c, "max_abs_value") {
            r.constraints.max_abs_value = number(v, "vla.submit constraints.max_abs_value")?;
        }
        if let Some(v) = lookup_entries(c, "max_delta") {
            r.constraints.max_delta = number(v, "vla.submit constraints.max_delta")?;
        }
        if let Some(v) = lookup_entries(c, "forbidden_ranges") {
            r.constraints.forbidden_ranges = ranges(v, "vla.submit constraints.forbidden_ranges")?;
        }
    }
    Ok(r)
}

impl VlaRequest {
    /// Service-level shape validation: the first failure, which makes the job end `:error`
    /// at submission with this text as its explanation. Most of these are already caught by
    /// [`parse`]; the ones reachable from Lisp are the empty `task_id`, `instruction`,
    /// `action_space.type`, `model.name` and `model.version`.
    pub fn shape_error(&self) -> Option<&'static str> {
        if self.task_id.is_empty() {
            return Some("request.task_id is required");
        }
        if self.instruction.is_empty() {
            return Some("request.instruction is required");
        }
        if self.deadline_ms <= 0 {
            return Some("request.deadline_ms must be > 0");
        }
        if self.action_space.kind.is_empty() {
            return Some("request.action_space.type is required");
        }
        if self.action_space.dims <= 0 {
            return Some("request.action_space.dims must be > 0");
        }
        if self.action_space.bounds.len() as i64 != self.action_space.dims {
            return Some("request.action_space.bounds length must match dims");
        }
        if self.action_space.bounds.iter().any(|&(lo, hi)| !lo.is_finite() || !hi.is_finite() || lo > hi) {
            return Some("request.action_space.bounds entries must be finite and ordered");
        }
        if self.model.name.is_empty() || self.model.version.is_empty() {
            return Some("request.model.name and request.model.version are required");
        }
        None
    }

    /// The request hash: FNV-1a 64 over a canonical text of the hashed fields (capability,
    /// task, instruction, observation timestamp/frame/handles/state, dims, bounds, model,
    /// deadline, max_abs_value, max_delta), numbers written with 6 significant digits like the
    /// reference, so `stats.request_hash` matches the reference for the same request.
    pub fn hash(&self) -> u64 {
        use std::fmt::Write;
        let mut t = String::new();
        let _ = write!(
            t,
            "{}\n{}\n{}\n{}\n{}\n",
            self.capability, self.task_id, self.instruction, self.observation.timestamp_ms, self.observation.frame_id
        );
        if let Some(id) = self.observation.image {
            let _ = writeln!(t, "img:{id}");
        }
        if let Some(id) = self.observation.blob {
            let _ = writeln!(t, "blob:{id}");
        }
        t.push_str("state:");
        for v in &self.observation.state {
            t.push_str(&format_g(*v, 6));
            t.push(',');
        }
        let _ = writeln!(t, "\ndims:{}", self.action_space.dims);
        for (lo, hi) in &self.action_space.bounds {
            let _ = write!(t, "{}:{};", format_g(*lo, 6), format_g(*hi, 6));
        }
        let _ = writeln!(t, "\nmodel:{}:{}", self.model.name, self.model.version);
        let _ = writeln!(t, "deadline:{}", self.deadline_ms);
        let _ = writeln!(
            t,
            "max_abs:{} max_delta:{}",
            format_g(self.constraints.max_abs_value, 6),
            format_g(self.constraints.max_delta, 6)
        );
        fnv1a64_standard(t.as_bytes())
    }
}
