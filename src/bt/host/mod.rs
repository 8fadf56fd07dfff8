//! The host leaves of a behaviour tree: `vla-request`, `vla-wait` and `vla-cancel` on the one
//! job engine (the jobs `vla.submit` makes, with the reference's invocation records and
//! commit gate) and `plan-action` on the planner. [`HostLeafRuntime`] implements the
//! runtime's [`HostLeaves`] extension point; `bt::lisp` installs one per interpreter.
//!
//! Leaves never raise: a bad option or a missing key makes the leaf return `failure` with an
//! `error`-type event saying why, as in the reference. Everything runs on job time: a VLA leaf
//! gives the engine a turn at the current job time before it looks at a job (so a job
//! submitted by an earlier tick has been picked up by a free worker slot), and a planning
//! leaf moves job time forward by the planner time it used, so tick budgets, deadlines and
//! jobs all see it.
//!
//! Where this deliberately differs from the reference (each is on the differences page and
//! has a test): an explicit `:job_key` wins over `:name` whatever their order; an unnamed
//! `vla-wait`/`vla-cancel` pairs with the tree's only unnamed `vla-request`; an early-committed
//! partial is clamped like a final answer; halting or cancelling clears the action and meta
//! keys only when the VLA leaf wrote what they hold; a tick overrun also clears the job keys
//! of the jobs it revokes; and jobs a leaf no longer needs are cancelled instead of left to
//! run unwatched.

mod plan;
mod vla;

pub use vla::{Authority, Invocation, Policy};

use super::blackboard::{BbEntry, BbValue};
use super::events::Severity;
use super::fmt;
use super::leaf::{HostEnv, HostLeaves, LeafCx};
use super::model::{Def, Kind, Lit, Status};
use crate::jobs::JobId;
use std::collections::{BTreeMap, HashMap};

/// Per-instance bookkeeping of the VLA leaves.
#[derive(Default, Debug)]
struct InstState {
    /// Invocations by job id.
    invocations: BTreeMap<JobId, Invocation>,
    /// Generation counters by job key.
    generations: HashMap<String, u64>,
    /// The job each requesting node has in flight.
    active: BTreeMap<u32, JobId>,
}

/// The host leaves of one interpreter (see the module documentation).
#[derive(Default)]
pub struct HostLeafRuntime {
    env: Option<HostEnv>,
    insts: HashMap<u32, InstState>,
    /// Per definition (by address): the id of its only `vla-request` without `:name`.
    lone_request: HashMap<usize, Option<u32>>,
}

impl HostLeafRuntime {
    pub fn new() -> HostLeafRuntime {
        HostLeafRuntime::default()
    }

    fn base_seed(&self) -> u64 {
        self.env.map_or(crate::planner::DEFAULT_BASE_SEED, |e| e.planner_base_seed)
    }

    /// The invocations an instance's VLA leaves keep (oldest job first).
    pub fn invocations(&self, inst: u32) -> Vec<&Invocation> {
        self.insts.get(&inst).map(|s| s.invocations.values().collect()).unwrap_or_default()
    }

    /// The id of the tree's only `vla-request` that has no `:name` option, if there is
    /// exactly one (an unnamed `vla-wait`/`vla-cancel` pairs with it).
    fn lone_unnamed_request(&mut self, def: &std::rc::Rc<Def>) -> Option<u32> {
        let key = std::rc::Rc::as_ptr(def) as usize;
        *self.lone_request.entry(key).or_insert_with(|| {
            let mut found = None;
            for (id, n) in def.nodes.iter().enumerate() {
                if n.kind != Kind::VlaRequest || has_option(&n.args, "name") {
                    continue;
                }
                if found.is_some() {
                    return None;
                }
                found = Some(id as u32);
            }
            found
        })
    }
}

impl<V> HostLeaves<V> for HostLeafRuntime {
    fn tick(&mut self, cx: &mut LeafCx<V>) -> Status {
        match cx.node().kind {
            Kind::PlanAction => plan::tick(self.base_seed(), cx),
            Kind::VlaRequest => {
                let st = self.insts.entry(cx.inst).or_default();
                st.forget_missing_jobs(cx);
                vla::request(st, cx)
            }
            Kind::VlaWait | Kind::VlaCancel => {
                let lone = self.lone_unnamed_request(cx.def);
                let st = self.insts.entry(cx.inst).or_default();
                st.forget_missing_jobs(cx);
                if cx.node().kind == Kind::VlaWait {
                    vla::wait(st, cx, lone)
                } else {
                    vla::cancel(st, cx, lone)
                }
            }
            _ => Status::Failure,
        }
    }

    fn halt(&mut self, cx: &mut LeafCx<V>, reason: &str) {
        if let Some(st) = self.insts.get_mut(&cx.inst) {
            vla::halt(st, cx, reason);
        }
    }

    fn overrun(&mut self, cx: &mut LeafCx<V>) {
        if let Some(st) = self.insts.get_mut(&cx.inst) {
            vla::overrun(st, cx);
        }
    }

    fn reset(&mut self, inst: u32) {
        self.insts.remove(&inst);
    }

    fn active_jobs(&self, inst: u32) -> usize {
        self.insts.get(&inst).map_or(0, |s| s.active.len())
    }

    fn tracked_jobs(&self, inst: u32) -> Vec<JobId> {
        let Some(s) = self.insts.get(&inst) else { return Vec::new() };
        let mut ids: Vec<JobId> = s.invocations.keys().copied().chain(s.active.values().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn sync(&mut self, env: &HostEnv) {
        self.env = Some(*env);
    }
}

impl InstState {
    /// Drop the records of jobs the engine no longer knows (a host may purge ended jobs), so
    /// no leaf keeps tracking a job that does not exist.
    fn forget_missing_jobs<V>(&mut self, cx: &LeafCx<V>) {
        let engine = &*cx.engine;
        self.invocations.retain(|id, _| engine.job(*id).is_some());
        self.active.retain(|_, id| engine.job(*id).is_some());
    }
}

// ---- options ----

/// An option key as the reference compares it: one leading `:` dropped, `-` becomes `_`.
pub use crate::lang::fields::normalize_key as normalise_key;

/// Whether a leaf's option pairs set `key` (normalised).
fn has_option(args: &[Lit], key: &str) -> bool {
    args.chunks(2).any(|p| p.len() == 2 && p[0].text().is_some_and(|k| normalise_key(k) == key))
}

/// The option pairs of a leaf as (raw key, normalised key, value); `Err` for a key that is
/// neither a symbol nor a string (`<leaf>: expected symbol or string`).
fn option_pairs<'a>(leaf: &str, args: &'a [Lit]) -> Result<Vec<(&'a str, String, &'a Lit)>, String> {
    let mut out = Vec::with_capacity(args.len() / 2);
    for p in args.chunks(2) {
        let raw = p[0].text().ok_or_else(|| format!("{leaf}: expected symbol or string"))?;
        let value = p.get(1).unwrap_or(&Lit::Nil);
        out.push((raw, normalise_key(raw), value));
    }
    Ok(out)
}

fn opt_text(v: &Lit, wher: &str) -> Result<String, String> {
    v.text().map(str::to_string).ok_or_else(|| format!("{wher}: expected symbol or string"))
}

fn opt_int(v: &Lit, wher: &str) -> Result<i64, String> {
    match v {
        Lit::Int(i) => Ok(*i),
        _ => Err(format!("{wher}: expected integer value")),
    }
}

fn opt_number(v: &Lit, wher: &str) -> Result<f64, String> {
    match v {
        Lit::Int(i) => Ok(*i as f64),
        Lit::Float(f) => Ok(*f),
        _ => Err(format!("{wher}: expected numeric value")),
    }
}

fn opt_bool(v: &Lit, wher: &str) -> Result<bool, String> {
    match v {
        Lit::Bool(b) => Ok(*b),
        _ => Err(format!("{wher}: expected boolean")),
    }
}

// ---- blackboard helpers ----

/// A state-like entry: an int or float is one value, a float vector is itself.
fn numeric_state(v: &BbValue, wher: &str) -> Result<Vec<f64>, String> {
    match v {
        BbValue::Int(i) => Ok(vec![*i as f64]),
        BbValue::Float(f) => Ok(vec![*f]),
        BbValue::FloatVec(xs) => Ok(xs.clone()),
        _ => Err(format!("{wher}: state must be int, float, or float vector")),
    }
}

/// A seed from a blackboard entry: int >= 0, finite float >= 0 (truncated), or text (hashed).
fn seed_from_entry(v: &BbValue) -> Option<u64> {
    match v {
        BbValue::Int(i) if *i >= 0 => Some(*i as u64),
        BbValue::Float(f) if f.is_finite() && *f >= 0.0 => Some(*f as u64),
        BbValue::Str(s) => Some(crate::lang::fnv::fnv1a64(s.as_bytes())),
        _ => None,
    }
}

/// An action as a blackboard value: one value is a float, more are a float vector.
fn action_value(u: &[f64]) -> BbValue {
    if u.len() == 1 {
        BbValue::Float(u[0])
    } else {
        BbValue::FloatVec(u.to_vec())
    }
}

/// Write `nil` to `key` when it holds something other than `nil`.
fn clear_if_present<V>(cx: &mut LeafCx<V>, key: &str, writer: &str) {
    if cx.bb_get(key).is_some_and(|e| e.value != BbValue::Nil) {
        cx.bb_put(key, BbValue::Nil, writer);
    }
}

/// Whether the entry was last written by `writer` (node and name).
fn written_by(e: &BbEntry, writer: &(u32, String)) -> bool {
    e.writer_node == writer.0 && e.writer_name == writer.1
}

// ---- event payloads ----

fn push_num(out: &mut String, x: f64) {
    fmt::push_g(out, x, 6);
}

/// `{"job_id":"J","node_id":N,"<key>":...}` with a string value.
fn job_node_text(job: JobId, node: u32, key: &str, value: &str) -> String {
    let mut s = format!("{{\"job_id\":\"{job}\",\"node_id\":{node},\"{key}\":");
    fmt::push_json_string(&mut s, value);
    s.push('}');
    s
}

/// `{"job_id":"J","node_id":N,"accepted":B}`.
fn job_node_accepted(job: JobId, node: u32, accepted: bool) -> String {
    format!("{{\"job_id\":\"{job}\",\"node_id\":{node},\"accepted\":{accepted}}}")
}

/// A `runtime_outcome.v1` record (`cancel_acknowledged`, `vla_timeout`, ...).
fn outcome<V>(cx: &mut LeafCx<V>, kind: &'static str, source: &str, node: u32, job: Option<JobId>, reason: &str) {
    let mut s = format!("{{\"schema_version\":\"runtime_outcome.v1\",\"outcome\":\"{kind}\",\"source\":");
    fmt::push_json_string(&mut s, source);
    s.push_str(&format!(",\"node_id\":{node}"));
    if let Some(j) = job {
        s.push_str(&format!(",\"job_id\":\"{j}\""));
    }
    if !reason.is_empty() {
        s.push_str(",\"reason\":");
        fmt::push_json_string(&mut s, reason);
    }
    s.push('}');
    cx.emit_raw(kind, s);
}

/// Log the option error of a leaf (`<leaf> failed: <message>`) and fail.
fn option_failure<V>(cx: &mut LeafCx<V>, leaf: &str, msg: &str) -> Status {
    cx.log(Severity::Error, &format!("{leaf} failed: {msg}"));
    Status::Failure
}
