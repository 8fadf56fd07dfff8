//! `vla-request`, `vla-wait`, `vla-cancel`, and what halting, a tick overrun and `bt.reset` do
//! to the jobs they track. Facts: `bt-host.md` section 1 (options, per-tick steps, meta JSON,
//! invocations and the commit gate, cleanup), with the deliberate differences listed in the
//! module documentation of [`super`].

use super::{
    action_value, clear_if_present, job_node_accepted, job_node_text, numeric_state, opt_bool, opt_int, opt_number,
    opt_text, option_failure, option_pairs, outcome, push_num, seed_from_entry, written_by, InstState,
};
use crate::bt::blackboard::BbValue;
use crate::bt::events::Severity;
use crate::bt::fmt;
use crate::bt::leaf::LeafCx;
use crate::bt::model::Status;
use crate::jobs::{JobId, State};
use crate::vla::{self as service, Action, Final, Partial, ResponseStatus, VlaRequest, VlaWork};

/// How a result is accepted (`:acceptance_policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    DeadlineOnly,
    InvocationScoped,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::DeadlineOnly => "deadline_only",
            Policy::InvocationScoped => "invocation_scoped",
        }
    }
}

/// The state of an invocation's authority over its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authority {
    Active,
    Revoked,
    Accepted,
    Rejected,
}

impl Authority {
    pub fn name(self) -> &'static str {
        match self {
            Authority::Active => "active",
            Authority::Revoked => "revoked",
            Authority::Accepted => "accepted",
            Authority::Rejected => "rejected",
        }
    }
}

/// One submitted request as the instance remembers it.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    pub job_id: JobId,
    pub generation: u64,
    pub requesting_node: u32,
    /// The node whose halt revokes the job: the request, then the wait that adopted it.
    pub authority_node: u32,
    pub job_key: String,
    pub action_key: String,
    pub meta_key: String,
    pub context_key: String,
    pub captured_context_id: String,
    pub action_frame: String,
    pub dims: i64,
    /// Job time of the submit and of the acceptance deadline (ms).
    pub submitted_at_ms: f64,
    pub deadline_at_ms: f64,
    pub policy: Policy,
    pub authority: Authority,
    pub reason: String,
    pub cancel_requested: bool,
    pub dispatch_active: bool,
    /// Who wrote the action and the meta text of this invocation (node, writer name), so that
    /// clearing them never erases a value another node wrote.
    pub action_writer: Option<(u32, String)>,
    pub meta_writer: Option<(u32, String)>,
}

// ---- options ----

struct RequestOpts {
    name: String,
    job_key: String,
    instruction: String,
    instruction_key: String,
    task_id: String,
    task_key: String,
    state_key: String,
    image_key: String,
    blob_key: String,
    capability: String,
    model_name: String,
    model_version: String,
    frame_id: String,
    action_frame: String,
    deadline_ms: i64,
    policy: Policy,
    context_key: String,
    dims: i64,
    bound_lo: f64,
    bound_hi: f64,
    max_abs: f64,
    max_delta: f64,
    forbidden: Option<(f64, f64)>,
    seed_key: String,
    seed: Option<u64>,
}

/// The name and job key of a VLA leaf: `:name` sets both (`<name>.job_id`), and an explicit
/// `:job_key` wins whatever the order (the reference lets a later `:name` discard it).
struct Naming {
    name: String,
    job_key: Option<String>,
}

impl Naming {
    fn new(default_name: String) -> Naming {
        Naming { name: default_name, job_key: None }
    }
    fn job_key(&self) -> String {
        self.job_key.clone().unwrap_or_else(|| format!("{}.job_id", self.name))
    }
}

fn parse_request(node: u32, args: &[crate::bt::model::Lit]) -> Result<RequestOpts, String> {
    let mut naming = Naming::new(format!("vla-request-{node}"));
    let mut o = RequestOpts {
        name: String::new(),
        job_key: String::new(),
        instruction: String::new(),
        instruction_key: "instruction".into(),
        task_id: "task".into(),
        task_key: String::new(),
        state_key: "state".into(),
        image_key: String::new(),
        blob_key: String::new(),
        capability: "vla.rt2".into(),
        model_name: "rt2-stub".into(),
        model_version: "stub-1".into(),
        frame_id: "base".into(),
        action_frame: String::new(),
        deadline_ms: 20,
        policy: Policy::DeadlineOnly,
        context_key: String::new(),
        dims: 0,
        bound_lo: -1.0,
        bound_hi: 1.0,
        max_abs: 1.0,
        max_delta: 1.0,
        forbidden: None,
        seed_key: String::new(),
        seed: None,
    };
    for (raw, key, v) in option_pairs("vla-request", args)? {
        let w = |k: &str| format!("vla-request :{k}");
        match key.as_str() {
            "name" => naming.name = opt_text(v, &w("name"))?,
            "job_key" => naming.job_key = Some(opt_text(v, &w("job_key"))?),
            "instruction" => o.instruction = opt_text(v, &w("instruction"))?,
            "instruction_key" => o.instruction_key = opt_text(v, &w("instruction_key"))?,
            "task_id" => o.task_id = opt_text(v, &w("task_id"))?,
            "task_key" => o.task_key = opt_text(v, &w("task_key"))?,
            "state_key" => o.state_key = opt_text(v, &w("state_key"))?,
            "image_key" => o.image_key = opt_text(v, &w("image_key"))?,
            "blob_key" => o.blob_key = opt_text(v, &w("blob_key"))?,
            "capability" => o.capability = opt_text(v, &w("capability"))?,
            "model_name" => o.model_name = opt_text(v, &w("model_name"))?,
            "model_version" => o.model_version = opt_text(v, &w("model_version"))?,
            "frame_id" => o.frame_id = opt_text(v, &w("frame_id"))?,
            "action_frame" => o.action_frame = opt_text(v, &w("action_frame"))?,
            "deadline_ms" | "budget_ms" => o.deadline_ms = opt_int(v, &w("deadline_ms"))?,
            "acceptance_policy" => {
                let p = super::normalise_key(&opt_text(v, &w("acceptance_policy"))?);
                o.policy = match p.as_str() {
                    "deadline_only" => Policy::DeadlineOnly,
                    "invocation_scoped" => Policy::InvocationScoped,
                    _ => {
                        return Err("vla-request :acceptance_policy: expected deadline_only or invocation_scoped".into())
                    }
                };
            }
            "context_key" => o.context_key = opt_text(v, &w("context_key"))?,
            "dims" => o.dims = opt_int(v, &w("dims"))?,
            "bound_lo" => o.bound_lo = opt_number(v, &w("bound_lo"))?,
            "bound_hi" => o.bound_hi = opt_number(v, &w("bound_hi"))?,
            "max_abs" => o.max_abs = opt_number(v, &w("max_abs"))?,
            "max_delta" => o.max_delta = opt_number(v, &w("max_delta"))?,
            "forbidden_lo" => {
                let lo = opt_number(v, &w("forbidden_lo"))?;
                o.forbidden = Some(o.forbidden.map_or((lo, lo), |(_, hi)| (lo, hi)));
            }
            "forbidden_hi" => {
                let hi = opt_number(v, &w("forbidden_hi"))?;
                o.forbidden = Some(o.forbidden.map_or((hi, hi), |(lo, _)| (lo, hi)));
            }
            "seed_key" => o.seed_key = opt_text(v, &w("seed_key"))?,
            "seed" => {
                o.seed = Some(seed_from_lit(v).ok_or("vla-request :seed: expected non-negative numeric/string/symbol")?)
            }
            _ => return Err(format!("vla-request: unknown option: {raw}")),
        }
    }
    o.job_key = naming.job_key();
    o.name = naming.name;
    Ok(o)
}

fn seed_from_lit(v: &crate::bt::model::Lit) -> Option<u64> {
    use crate::bt::model::Lit;
    match v {
        Lit::Int(i) if *i >= 0 => Some(*i as u64),
        Lit::Float(f) if f.is_finite() && *f >= 0.0 => Some(*f as u64),
        Lit::Sym(s) | Lit::Str(s) => Some(crate::lang::fnv::fnv1a64(s.as_bytes())),
        _ => None,
    }
}

struct WaitOpts {
    name: String,
    job_key: String,
    action_key: String,
    meta_key: String,
    early_confidence: f64,
    early_commit: bool,
    cancel_on_early_commit: bool,
    clear_job: bool,
}

/// The default name of an unnamed wait or cancel leaf: the tree's only unnamed
/// `vla-request`'s, else its own `vla-request-<id>` (the reference always uses its own id,
/// so an unnamed wait could never find the request's job).
fn default_name(node: u32, lone_request: Option<u32>) -> String {
    format!("vla-request-{}", lone_request.unwrap_or(node))
}

fn parse_wait(node: u32, lone: Option<u32>, args: &[crate::bt::model::Lit]) -> Result<WaitOpts, String> {
    let mut naming = Naming::new(default_name(node, lone));
    let mut o = WaitOpts {
        name: String::new(),
        job_key: String::new(),
        action_key: "action".into(),
        meta_key: String::new(),
        early_confidence: 1.1,
        early_commit: false,
        cancel_on_early_commit: true,
        clear_job: true,
    };
    for (raw, key, v) in option_pairs("vla-wait", args)? {
        let w = |k: &str| format!("vla-wait :{k}");
        match key.as_str() {
            "name" => naming.name = opt_text(v, &w("name"))?,
            "job_key" => naming.job_key = Some(opt_text(v, &w("job_key"))?),
            "action_key" => o.action_key = opt_text(v, &w("action_key"))?,
            "meta_key" => o.meta_key = opt_text(v, &w("meta_key"))?,
            "early_confidence" => o.early_confidence = opt_number(v, &w("early_confidence"))?,
            "early_commit" => o.early_commit = opt_bool(v, &w("early_commit"))?,
            "cancel_on_early_commit" => o.cancel_on_early_commit = opt_bool(v, &w("cancel_on_early_commit"))?,
            "clear_job" => o.clear_job = opt_bool(v, &w("clear_job"))?,
            _ => return Err(format!("vla-wait: unknown option: {raw}")),
        }
    }
    o.job_key = naming.job_key();
    o.name = naming.name;
    Ok(o)
}

fn parse_cancel(node: u32, lone: Option<u32>, args: &[crate::bt::model::Lit]) -> Result<(String, String), String> {
    let mut naming = Naming::new(default_name(node, lone));
    for (raw, key, v) in option_pairs("vla-cancel", args)? {
        match key.as_str() {
            "name" => naming.name = opt_text(v, "vla-cancel :name")?,
            "job_key" => naming.job_key = Some(opt_text(v, "vla-cancel :job_key")?),
            _ => return Err(format!("vla-cancel: unknown option: {raw}")),
        }
    }
    Ok((naming.name.clone(), naming.job_key()))
}

// ---- a job as the leaves see it ----

/// What a poll of a job shows the leaves.
struct Polled {
    state: Option<State>,
    partial: Option<Partial>,
    fin: Option<Final>,
    /// The request of the job (clamping an early-committed partial uses its constraints).
    request: Option<VlaRequest>,
}

impl Polled {
    fn of(engine: &crate::jobs::Engine, id: JobId) -> Polled {
        match engine.job(id).and_then(|j| j.work::<VlaWork>().map(|w| (j.state, w))) {
            Some((state, w)) => Polled {
                state: Some(state),
                partial: w.partial.clone(),
                fin: w.fin.clone(),
                request: Some(w.request.clone()),
            },
            None => Polled { state: None, partial: None, fin: None, request: None },
        }
    }

    /// The job status name without colon (`error` for an unknown id).
    fn status(&self) -> &'static str {
        self.state.map_or("error", |s| service::status_keyword(s).trim_start_matches(':'))
    }

    fn in_flight(&self) -> bool {
        matches!(self.state, Some(State::Queued | State::Running | State::Streaming))
    }
}

fn response_name(s: ResponseStatus) -> &'static str {
    s.keyword().trim_start_matches(':')
}

fn push_action_json(out: &mut String, a: &Action) {
    out.push_str("{\"type\":\"continuous\"");
    if !a.frame_id.is_empty() {
        out.push_str(",\"frame_id\":");
        fmt::push_json_string(out, &a.frame_id);
    }
    out.push_str(",\"u\":[");
    for (i, x) in a.u.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_num(out, *x);
    }
    out.push_str("]}");
}

fn action_json(a: &Action) -> String {
    let mut s = String::new();
    push_action_json(&mut s, a);
    s
}

/// The meta text `vla-wait` writes to `:meta_key` (fixed key order, six significant digits).
fn meta_json(p: &Polled) -> String {
    let mut s = String::from("{\"status\":");
    fmt::push_json_string(&mut s, p.status());
    if let Some(part) = &p.partial {
        s.push_str(&format!(",\"partial\":{{\"sequence\":{},\"confidence\":", part.sequence));
        push_num(&mut s, part.confidence);
        if !part.text_chunk.is_empty() {
            s.push_str(",\"text_chunk\":");
            fmt::push_json_string(&mut s, &part.text_chunk);
        }
        if let Some(a) = &part.action_candidate {
            s.push_str(",\"action_candidate\":");
            push_action_json(&mut s, a);
        }
        s.push('}');
    }
    if let Some(f) = &p.fin {
        s.push_str(",\"final\":{\"status\":");
        fmt::push_json_string(&mut s, response_name(f.status));
        s.push_str(",\"confidence\":");
        push_num(&mut s, f.confidence);
        s.push_str(",\"model\":{\"name\":");
        fmt::push_json_string(&mut s, &f.model_name);
        s.push_str(",\"version\":");
        fmt::push_json_string(&mut s, &f.model_version);
        s.push('}');
        if !f.explanation.is_empty() {
            s.push_str(",\"explanation\":");
            fmt::push_json_string(&mut s, &f.explanation);
        }
        s.push_str(",\"action\":");
        push_action_json(&mut s, &f.action);
        s.push('}');
    }
    s.push('}');
    s
}

/// The invocation fields every VLA record starts with.
fn invocation_fields(inv: &Invocation) -> String {
    let mut s = format!("\"job_id\":\"{}\",\"generation\":{},", inv.job_id, inv.generation);
    s.push_str(&format!(
        "\"requesting_node_id\":{},\"authority_node_id\":{},",
        inv.requesting_node, inv.authority_node
    ));
    for (k, v) in [
        ("job_key", &inv.job_key),
        ("action_key", &inv.action_key),
        ("meta_key", &inv.meta_key),
        ("captured_context_id", &inv.captured_context_id),
        ("context_key", &inv.context_key),
    ] {
        s.push_str(&format!("\"{k}\":"));
        fmt::push_json_string(&mut s, v);
        s.push(',');
    }
    if !inv.action_frame.is_empty() {
        s.push_str("\"action_frame\":");
        fmt::push_json_string(&mut s, &inv.action_frame);
        s.push(',');
    }
    s.push_str(&format!(
        "\"submitted_at_ns\":{},\"deadline_at_ns\":{},\"acceptance_policy\":\"{}\",\"authority_state\":\"{}\"",
        (inv.submitted_at_ms * 1e6) as i64,
        (inv.deadline_at_ms * 1e6) as i64,
        inv.policy.name(),
        inv.authority.name()
    ));
    s
}

/// Give the engine a turn at the current job time: a job submitted earlier that was waiting
/// for a free worker slot is picked up now (its first partial comes with the pick-up).
fn engine_turn<V>(cx: &mut LeafCx<V>) {
    let now = cx.engine.now();
    cx.engine.advance(now);
}

/// Cancel a job the leaves no longer need, unless it has ended or was cancelled already.
fn cancel_if_running<V>(cx: &mut LeafCx<V>, id: JobId) {
    let running = cx.engine.job(id).is_some_and(|j| j.state.is_active() && !j.cancel_requested);
    if running {
        service::cancel(cx.engine, id);
    }
}

/// Take authority away from an active invocation (an `async_authority_revoked` record) and,
/// with `cancel`, cancel its job once.
fn revoke<V>(cx: &mut LeafCx<V>, inv: &mut Invocation, reason: &str, detail: &str, cancel: bool) {
    if inv.authority != Authority::Active {
        return;
    }
    inv.authority = Authority::Revoked;
    inv.reason = reason.to_string();
    inv.dispatch_active = false;
    let mut s = format!("{{{},\"reason\":", invocation_fields(inv));
    fmt::push_json_string(&mut s, reason);
    s.push_str(",\"detail\":");
    fmt::push_json_string(&mut s, detail);
    s.push('}');
    cx.emit_raw("async_authority_revoked", s);
    if !cancel || inv.cancel_requested {
        return;
    }
    inv.cancel_requested = true;
    cx.emit_raw("async_cancel_requested", job_node_text(inv.job_id, inv.requesting_node, "reason", reason));
    engine_turn(cx);
    let accepted = service::cancel(cx.engine, inv.job_id);
    cx.emit_raw("async_cancel_acknowledged", job_node_accepted(inv.job_id, inv.requesting_node, accepted));
    let kind = if accepted { "cancel_acknowledged" } else { "cancel_late" };
    outcome(cx, kind, "vla_authority", inv.requesting_node, Some(inv.job_id), reason);
}

/// Clear the keys of an invocation: the job key if it still holds this job, the action and
/// meta keys if this invocation's leaf wrote what they hold.
fn clear_invocation_keys<V>(cx: &mut LeafCx<V>, inv: &Invocation, writer: &str) {
    let holds_job = cx
        .bb_get(&inv.job_key)
        .is_some_and(|e| matches!(e.value, BbValue::Int(id) if id > 0 && id as u64 == inv.job_id));
    if holds_job {
        cx.bb_put(&inv.job_key, BbValue::Nil, writer);
    }
    for (key, by) in [(&inv.action_key, &inv.action_writer), (&inv.meta_key, &inv.meta_writer)] {
        if key.is_empty() {
            continue;
        }
        let ours = match (cx.bb_get(key), by) {
            (Some(e), Some(by)) => e.value != BbValue::Nil && written_by(e, by),
            _ => false,
        };
        if ours {
            cx.bb_put(key, BbValue::Nil, writer);
        }
    }
}

fn erase_active(st: &mut InstState, inv: &Invocation) {
    if st.active.get(&inv.requesting_node) == Some(&inv.job_id) {
        st.active.remove(&inv.requesting_node);
    }
}

/// A context id from a blackboard entry: a non-empty string, or an integer in decimal.
fn context_id<V>(cx: &LeafCx<V>, key: &str) -> Option<String> {
    match &cx.bb_get(key)?.value {
        BbValue::Str(s) if !s.is_empty() => Some(s.clone()),
        BbValue::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

// ---- vla-request ----

pub(super) fn request<V>(st: &mut InstState, cx: &mut LeafCx<V>) -> Status {
    let node = cx.node;
    let o = match parse_request(node, &std::rc::Rc::clone(cx.def).node(node).args) {
        Ok(o) => o,
        Err(m) => return option_failure(cx, "vla-request", &m),
    };
    if cx.bb_get(&o.job_key).is_some_and(|e| matches!(e.value, BbValue::Int(id) if id > 0)) {
        return Status::Running;
    }
    let fail = |cx: &mut LeafCx<V>, msg: &str| {
        cx.log(Severity::Error, msg);
        Status::Failure
    };
    let Some(state_entry) = cx.bb_get(&o.state_key) else {
        return fail(cx, &format!("vla-request: missing state key: {}", o.state_key));
    };
    let state_ts_ms = state_entry.ts_ns / 1_000_000;
    let state = match numeric_state(&state_entry.value, "vla-request state") {
        Ok(s) => s,
        Err(e) => return fail(cx, &format!("vla-request: invalid state: {e}")),
    };
    if state.is_empty() {
        return fail(cx, "vla-request: state must not be empty");
    }
    let instruction = if o.instruction.is_empty() {
        match cx.bb_get(&o.instruction_key).map(|e| &e.value) {
            None => return fail(cx, &format!("vla-request: missing instruction key: {}", o.instruction_key)),
            Some(BbValue::Str(s)) => s.clone(),
            Some(_) => return fail(cx, "vla-request: instruction must be string"),
        }
    } else {
        o.instruction.clone()
    };
    let mut task_id = o.task_id.clone();
    if !o.task_key.is_empty() {
        match cx.bb_get(&o.task_key).map(|e| &e.value) {
            None => {}
            Some(BbValue::Str(s)) => task_id = s.clone(),
            Some(BbValue::Int(i)) => task_id = i.to_string(),
            Some(_) => return fail(cx, "vla-request: task_key must map to string or int"),
        }
    }
    let dims = if o.dims > 0 { o.dims } else { state.len() as i64 };
    if !o.bound_lo.is_finite() || !o.bound_hi.is_finite() || o.bound_lo > o.bound_hi {
        return fail(cx, "vla-request: invalid bounds");
    }
    if o.deadline_ms <= 0 {
        return fail(cx, "vla-request: deadline_ms must be > 0");
    }
    let mut captured = String::new();
    if !o.context_key.is_empty() {
        match context_id(cx, &o.context_key) {
            Some(c) => captured = c,
            None => {
                return fail(
                    cx,
                    &format!("vla-request: context_key must hold a non-empty string or integer: {}", o.context_key),
                )
            }
        }
    } else if o.policy == Policy::InvocationScoped {
        return fail(cx, "vla-request: invocation_scoped acceptance requires :context_key");
    }
    let mut req = VlaRequest {
        capability: o.capability.clone(),
        task_id,
        instruction,
        deadline_ms: o.deadline_ms,
        run_id: format!("inst-{}", cx.inst),
        node_name: o.name.clone(),
        tick_index: cx.tick as i64,
        ..VlaRequest::default()
    };
    req.model.name = o.model_name.clone();
    req.model.version = o.model_version.clone();
    req.action_space.kind = "continuous".into();
    req.action_space.frame_id = o.action_frame.clone();
    req.action_space.dims = dims;
    req.action_space.bounds = vec![(o.bound_lo, o.bound_hi); dims.clamp(0, service::request::MAX_DIMS) as usize];
    req.constraints.max_abs_value = o.max_abs.max(0.0);
    req.constraints.max_delta = o.max_delta.max(0.0);
    if let Some((lo, hi)) = o.forbidden {
        if lo > hi {
            return fail(cx, "vla-request: forbidden range must be ordered");
        }
        req.constraints.forbidden_ranges.push((lo, hi));
    }
    req.observation.state = state;
    req.observation.frame_id = o.frame_id.clone();
    req.observation.timestamp_ms = state_ts_ms;
    for (key, image) in [(&o.image_key, true), (&o.blob_key, false)] {
        if key.is_empty() {
            continue;
        }
        let what = if image { "image" } else { "blob" };
        match cx.bb_get(key).map(|e| &e.value) {
            None => return fail(cx, &format!("vla-request: missing {what} key: {key}")),
            Some(BbValue::Image(id)) if image => req.observation.image = Some(*id),
            Some(BbValue::Blob(id)) if !image => req.observation.blob = Some(*id),
            Some(_) => return fail(cx, &format!("vla-request: {what} key does not hold {what}_handle")),
        }
    }
    req.seed = o.seed;
    if !o.seed_key.is_empty() {
        if let Some(s) = cx.bb_get(&o.seed_key).and_then(|e| seed_from_entry(&e.value)) {
            req.seed = Some(s);
        }
    }
    if req.seed.is_none() {
        let text = format!("{}::{}::{}", req.run_id, req.node_name, cx.tick);
        req.seed = Some(crate::lang::fnv::fnv1a64(text.as_bytes()));
    }
    if !cx.budget_allows("vla_submit") {
        return Status::Failure;
    }

    // Earlier invocations on this job key are superseded.
    let mut prior_action = String::new();
    let mut prior_meta = String::new();
    let same_key: Vec<JobId> = st.invocations.iter().filter(|(_, i)| i.job_key == o.job_key).map(|(k, _)| *k).collect();
    for id in same_key {
        let Some(mut inv) = st.invocations.remove(&id) else { continue };
        if prior_action.is_empty() {
            prior_action = inv.action_key.clone();
        }
        if prior_meta.is_empty() {
            prior_meta = inv.meta_key.clone();
        }
        revoke(cx, &mut inv, "superseded", "new generation submitted for the same job key", true);
        erase_active(st, &inv);
        cancel_if_running(cx, inv.job_id);
    }
    let generation = {
        let g = st.generations.entry(o.job_key.clone()).or_insert(0);
        *g += 1;
        *g
    };

    cx.counters.vla_submits += 1;
    let submitted_at = cx.now_ms();
    let id = service::submit_request(cx.engine, req);
    st.active.insert(node, id);
    cx.bb_put(&o.job_key, BbValue::Int(id as i64), &o.name);
    let inv = Invocation {
        job_id: id,
        generation,
        requesting_node: node,
        authority_node: node,
        job_key: o.job_key.clone(),
        action_key: prior_action,
        meta_key: prior_meta,
        context_key: o.context_key.clone(),
        captured_context_id: captured,
        action_frame: o.action_frame.clone(),
        dims,
        submitted_at_ms: submitted_at,
        deadline_at_ms: submitted_at + o.deadline_ms as f64,
        policy: o.policy,
        authority: Authority::Active,
        reason: String::new(),
        cancel_requested: false,
        dispatch_active: true,
        action_writer: None,
        meta_writer: None,
    };
    cx.emit_raw("vla_submit", format!("{{{},\"node_id\":{node},\"status\":\"submitted\"}}", invocation_fields(&inv)));
    st.invocations.insert(id, inv);
    let msg = format!(
        "submitted job={id} capability={} model={} deadline_ms={} generation={generation} acceptance_policy={}",
        o.capability,
        o.model_name,
        o.deadline_ms,
        o.policy.name()
    );
    cx.log(Severity::Info, &msg);
    Status::Running
}

// ---- the commit gate ----

struct Commit {
    accepted: bool,
    reason: String,
    current_context_id: String,
    host_validation: &'static str,
    host_validation_reason: String,
    host_validation_source: &'static str,
}

impl Commit {
    fn reject(mut self, reason: &str) -> Commit {
        self.accepted = false;
        self.reason = reason.to_string();
        self
    }
}

fn host_action_invalid<V>(cx: &mut LeafCx<V>, node: u32, job: JobId, reason: &str) {
    outcome(cx, "host_action_invalid", "vla_commit_gate", node, Some(job), reason);
}

/// The commit gate for `action` (an early partial when `early`; it is clamped in place then,
/// with the job's own bounds and constraints, like a final answer).
fn gate<V>(
    cx: &mut LeafCx<V>,
    st: &InstState,
    inv: Option<&Invocation>,
    node: u32,
    job: JobId,
    action: &mut Action,
    early: Option<&VlaRequest>,
) -> Commit {
    let mut c = Commit {
        accepted: true,
        reason: String::new(),
        current_context_id: String::new(),
        host_validation: "not_run",
        host_validation_reason: String::new(),
        host_validation_source: "none",
    };
    if let Some(inv) = inv.filter(|i| !i.context_key.is_empty()) {
        c.current_context_id = context_id(cx, &inv.context_key).unwrap_or_default();
    }
    let now = cx.now_ms();
    if let Some(inv) = inv {
        if inv.policy == Policy::InvocationScoped {
            if st.generations.get(&inv.job_key) != Some(&inv.generation) {
                return c.reject("superseded");
            }
            if inv.authority == Authority::Revoked {
                let r = if inv.reason.is_empty() { "branch_revoked" } else { inv.reason.as_str() };
                return c.reject(r);
            }
            if c.current_context_id.is_empty() || c.current_context_id != inv.captured_context_id {
                return c.reject("context_changed");
            }
            if now > inv.deadline_at_ms {
                return c.reject("deadline_expired");
            }
            if matches!(inv.authority, Authority::Accepted | Authority::Rejected) {
                return c.reject("duplicate_terminal_result");
            }
        } else if now > inv.deadline_at_ms {
            return c.reject("deadline_expired");
        }
    }
    let dims = inv.map_or(0, |i| i.dims);
    let structural = if action.u.is_empty() || (dims > 0 && action.u.len() as i64 != dims) {
        Some("invalid_schema")
    } else if action.u.iter().any(|x| !x.is_finite()) {
        Some("invalid_pose")
    } else if let Some(req) = early {
        match crate::vla::stub::validate_and_clamp(req, &mut action.u) {
            Ok(()) => None,
            Err(e) if e.contains("dimensions") => Some("invalid_schema"),
            Err(_) => Some("invalid_pose"),
        }
    } else {
        None
    };
    if let Some(r) = structural {
        c.host_validation = "rejected";
        c.host_validation_reason = r.to_string();
        c.host_validation_source = "runtime_structural";
        host_action_invalid(cx, node, job, r);
        return c.reject(r);
    }
    if inv.is_some_and(|i| i.policy == Policy::InvocationScoped) {
        // No host validator can be registered from Lisp: invocation-scoped results fail closed.
        c.host_validation = "rejected";
        c.host_validation_reason = "host_policy_rejected".into();
        c.host_validation_source = "unavailable";
        host_action_invalid(cx, node, job, "host_policy_rejected");
        return c.reject("host_policy_rejected");
    }
    c.host_validation_source = "runtime_structural";
    c.host_validation = "accepted";
    c
}

/// A `vla-wait` whose partial (`status` "streaming") or final ("ok") action the commit gate
/// refused: the invocation is rejected, the result recorded, the job key cleared if asked, and
/// the leaf fails.
#[allow(clippy::too_many_arguments)]
fn reject_action<V>(
    cx: &mut LeafCx<V>,
    st: &mut InstState,
    o: &WaitOpts,
    node: u32,
    id: JobId,
    status: &str,
    digest: &str,
    c: &Commit,
    what: &str,
) -> Status {
    if let Some(inv) = st.invocations.get_mut(&id) {
        if inv.authority == Authority::Active {
            inv.authority = Authority::Rejected;
            inv.reason = c.reason.clone();
        }
    }
    let inv = st.invocations.get(&id).cloned();
    result_record(cx, inv.as_ref(), node, id, status, digest, "rejected", c);
    if o.clear_job {
        clear_if_present(cx, &o.job_key, &o.name);
    }
    if let Some(inv) = &inv {
        erase_active(st, inv);
    }
    cx.log(Severity::Warn, &format!("vla-wait: rejected {what} action: {}", c.reason));
    Status::Failure
}

/// A `vla-wait` whose action the commit gate accepted: the action is written, the invocation
/// is accepted with this node as the action's writer, and it stops being the active one.
fn accept_action<V>(cx: &mut LeafCx<V>, st: &mut InstState, o: &WaitOpts, node: u32, id: JobId, action: &Action) {
    cx.bb_put(&o.action_key, action_value(&action.u), &o.name);
    if let Some(inv) = st.invocations.get_mut(&id) {
        inv.authority = Authority::Accepted;
        inv.reason.clear();
        inv.action_writer = Some((node, o.name.clone()));
    }
    if let Some(inv) = st.invocations.get(&id).cloned() {
        erase_active(st, &inv);
    }
}

#[allow(clippy::too_many_arguments)]
fn result_record<V>(
    cx: &mut LeafCx<V>,
    inv: Option<&Invocation>,
    node: u32,
    job: JobId,
    status: &str,
    digest: &str,
    decision: &str,
    c: &Commit,
) {
    let mut s = String::from("{");
    match inv {
        Some(inv) => s.push_str(&invocation_fields(inv)),
        None => s.push_str(&format!("\"job_id\":\"{job}\",\"requesting_node_id\":0")),
    }
    s.push_str(&format!(",\"node_id\":{node}"));
    for (k, v) in [
        ("status", status),
        ("decision", decision),
        ("reason", c.reason.as_str()),
        ("current_context_id", c.current_context_id.as_str()),
        ("host_validation", c.host_validation),
        ("host_validation_reason", c.host_validation_reason.as_str()),
        ("host_validation_source", c.host_validation_source),
        ("digest", digest),
    ] {
        s.push_str(&format!(",\"{k}\":"));
        fmt::push_json_string(&mut s, v);
    }
    s.push('}');
    cx.emit_raw("vla_result", s);
}

// ---- vla-wait ----

pub(super) fn wait<V>(st: &mut InstState, cx: &mut LeafCx<V>, lone: Option<u32>) -> Status {
    let node = cx.node;
    let o = match parse_wait(node, lone, &std::rc::Rc::clone(cx.def).node(node).args) {
        Ok(o) => o,
        Err(m) => return option_failure(cx, "vla-wait", &m),
    };
    let raw = match cx.bb_get(&o.job_key).map(|e| e.value.clone()) {
        None => {
            st.active.remove(&node);
            cx.log(Severity::Error, &format!("vla-wait: missing job key: {}", o.job_key));
            return Status::Failure;
        }
        Some(v) => v,
    };
    let id = match raw {
        BbValue::Int(i) if i > 0 => i as JobId,
        _ => {
            st.active.remove(&node);
            cx.log(Severity::Error, "vla-wait: job key does not hold a valid job id");
            return Status::Failure;
        }
    };
    if let Some(inv) = st.invocations.get_mut(&id) {
        inv.action_key = o.action_key.clone();
        inv.meta_key = o.meta_key.clone();
        if inv.authority == Authority::Active {
            inv.authority_node = node;
        }
        match inv.authority {
            Authority::Accepted => return Status::Success,
            Authority::Rejected | Authority::Revoked => return Status::Failure,
            Authority::Active => {}
        }
    }
    if !cx.budget_allows("vla_poll") {
        return Status::Running;
    }
    engine_turn(cx);
    cx.counters.vla_polls += 1;
    let polled = Polled::of(cx.engine, id);
    let poll_record = match st.invocations.get(&id) {
        Some(inv) => {
            format!("{{{},\"node_id\":{node},\"status\":\"{}\"}}", invocation_fields(inv), polled.status())
        }
        None => job_node_text(id, node, "status", polled.status()),
    };
    cx.emit_raw("vla_poll", poll_record);
    if !o.meta_key.is_empty() {
        cx.bb_put(&o.meta_key, BbValue::Str(meta_json(&polled)), &o.name);
        if let Some(inv) = st.invocations.get_mut(&id) {
            inv.meta_writer = Some((node, o.name.clone()));
        }
    }

    // Early commit of a confident partial.
    let early = match &polled.partial {
        Some(p) if polled.in_flight() && o.early_commit && clamp_confidence(p.confidence) >= o.early_confidence => {
            p.action_candidate.clone().map(|a| (a, p.confidence))
        }
        _ => None,
    };
    if let Some((mut action, confidence)) = early {
        let digest = crate::lang::fnv::tagged_text(&action_json(&action));
        let inv = st.invocations.get(&id).cloned();
        let c = gate(cx, st, inv.as_ref(), node, id, &mut action, polled.request.as_ref());
        if !c.accepted {
            return reject_action(cx, st, &o, node, id, "streaming", &digest, &c, "partial");
        }
        accept_action(cx, st, &o, node, id, &action);
        if o.cancel_on_early_commit {
            cx.emit_raw("async_cancel_requested", job_node_text(id, node, "reason", "early_commit"));
            let accepted = service::cancel(cx.engine, id);
            cx.emit_raw("async_cancel_acknowledged", job_node_accepted(id, node, accepted));
            let kind = if accepted { "cancel_acknowledged" } else { "cancel_late" };
            outcome(cx, kind, "vla_wait_early_commit", node, Some(id), "early_commit");
        }
        if o.clear_job {
            clear_if_present(cx, &o.job_key, &o.name);
        }
        let inv = st.invocations.get(&id).cloned();
        result_record(cx, inv.as_ref(), node, id, "streaming", &digest, "accepted", &c);
        cx.log(Severity::Info, &format!("vla-wait: early-committed partial action with confidence={confidence:.6}"));
        return Status::Success;
    }

    if polled.in_flight() {
        return Status::Running;
    }

    let ok_final = polled.fin.as_ref().filter(|f| f.status == ResponseStatus::Ok && polled.state == Some(State::Done));
    if let Some(f) = ok_final {
        let mut action = f.action.clone();
        let digest = crate::lang::fnv::tagged_text(&action_json(&action));
        let inv = st.invocations.get(&id).cloned();
        let c = gate(cx, st, inv.as_ref(), node, id, &mut action, None);
        if !c.accepted {
            return reject_action(cx, st, &o, node, id, "ok", &digest, &c, "final");
        }
        accept_action(cx, st, &o, node, id, &action);
        if o.clear_job {
            clear_if_present(cx, &o.job_key, &o.name);
        }
        cx.log(Severity::Info, "vla-wait: committed final action");
        let inv = st.invocations.get(&id).cloned();
        result_record(cx, inv.as_ref(), node, id, "ok", &digest, "accepted", &c);
        return Status::Success;
    }

    // Anything else ends the wait: timeout, error, invalid, cancelled, unknown id.
    let fin_status = polled.fin.as_ref().map(|f| f.status);
    if matches!(polled.state, Some(State::Cancelled | State::TimedOut)) && fin_status == Some(ResponseStatus::Cancelled)
    {
        cx.emit_raw("async_completion_dropped", job_node_text(id, node, "reason", "completion_after_cancel"));
        outcome(cx, "late_result_dropped", "vla_wait", node, Some(id), "completion_after_cancel");
    }
    let timed_out = polled.state == Some(State::TimedOut) || fin_status == Some(ResponseStatus::Timeout);
    if timed_out {
        outcome(cx, "vla_timeout", "vla_wait", node, Some(id), "timeout");
    }
    if o.clear_job {
        clear_if_present(cx, &o.job_key, &o.name);
    }
    let service_rejected = fin_status == Some(ResponseStatus::Invalid);
    let service_reason = match &polled.fin {
        Some(f) if service_rejected && f.explanation.contains("dimensions") => "invalid_schema",
        _ => "invalid_pose",
    };
    if let Some(inv) = st.invocations.get_mut(&id) {
        let terminal = if timed_out {
            "deadline_expired"
        } else if service_rejected {
            service_reason
        } else {
            "backend_terminal_failure"
        };
        let mut flag_invalid = false;
        if inv.authority == Authority::Active {
            inv.authority = Authority::Rejected;
            inv.reason = terminal.to_string();
            flag_invalid = service_rejected;
        }
        let inv = inv.clone();
        if flag_invalid {
            host_action_invalid(cx, node, id, terminal);
        }
        erase_active(st, &inv);
    }
    let message = match &polled.fin {
        Some(f) if f.explanation.is_empty() => format!("vla-wait: status={}", response_name(f.status)),
        Some(f) => format!("vla-wait: status={} {}", response_name(f.status), f.explanation),
        None => format!("vla-wait: job status={}", polled.status()),
    };
    if let Some(inv) = st.invocations.get(&id).cloned() {
        let mut reason = inv.reason.clone();
        if reason.is_empty() {
            reason =
                if polled.state == Some(State::TimedOut) { "deadline_expired" } else { "backend_terminal_failure" }
                    .to_string();
        }
        let current = if inv.context_key.is_empty() { None } else { context_id(cx, &inv.context_key) };
        let c = Commit {
            accepted: false,
            reason,
            current_context_id: current.unwrap_or_default(),
            host_validation: if service_rejected { "rejected" } else { "not_run" },
            host_validation_reason: String::new(),
            host_validation_source: if service_rejected { "vla_service" } else { "none" },
        };
        let c = Commit { host_validation_reason: if service_rejected { c.reason.clone() } else { String::new() }, ..c };
        result_record(cx, Some(&inv), node, id, polled.status(), "", "rejected", &c);
    }
    cx.log(Severity::Warn, &message);
    Status::Failure
}

fn clamp_confidence(c: f64) -> f64 {
    if c.is_finite() {
        c.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

// ---- vla-cancel ----

pub(super) fn cancel<V>(st: &mut InstState, cx: &mut LeafCx<V>, lone: Option<u32>) -> Status {
    let node = cx.node;
    let (name, job_key) = match parse_cancel(node, lone, &std::rc::Rc::clone(cx.def).node(node).args) {
        Ok(o) => o,
        Err(m) => return option_failure(cx, "vla-cancel", &m),
    };
    let raw = match cx.bb_get(&job_key).map(|e| e.value.clone()) {
        None => {
            st.active.remove(&node);
            return Status::Success;
        }
        Some(v) => v,
    };
    let id = match raw {
        BbValue::Int(i) if i > 0 => i as JobId,
        _ => {
            clear_if_present(cx, &job_key, &name);
            st.active.remove(&node);
            return Status::Success;
        }
    };
    let mut inv = st.invocations.get(&id).cloned();
    if let Some(inv) = inv.as_mut() {
        revoke(cx, inv, "cancelled", "explicit vla-cancel", false);
    }
    let requesting = inv.as_ref().map_or(node, |i| i.requesting_node);
    cx.emit_raw("async_cancel_requested", job_node_text(id, requesting, "reason", "explicit_cancel"));
    engine_turn(cx);
    let accepted = service::cancel(cx.engine, id);
    match inv.as_mut() {
        Some(inv) => {
            inv.cancel_requested = true;
            clear_invocation_keys(cx, inv, &name);
            erase_active(st, inv);
            st.invocations.insert(id, inv.clone());
        }
        None => {
            clear_if_present(cx, &job_key, &name);
            st.active.remove(&node);
        }
    }
    cx.log(Severity::Info, &format!("vla-cancel: cancelled job={id}"));
    cx.emit_raw("async_cancel_acknowledged", job_node_accepted(id, requesting, accepted));
    let kind = if accepted { "cancel_acknowledged" } else { "cancel_late" };
    outcome(cx, kind, "vla_cancel", requesting, Some(id), "explicit_cancel");
    let mut s = String::from("{");
    match &inv {
        Some(inv) => {
            s.push_str(&invocation_fields(inv));
            s.push(',');
        }
        None => s.push_str(&format!("\"job_id\":\"{id}\",")),
    }
    s.push_str(&format!("\"node_id\":{node},\"status\":\"cancelled\",\"accepted\":{accepted}}}"));
    cx.emit_raw("vla_cancel", s);
    Status::Success
}

// ---- halt, overrun ----

/// One node of a halted subtree: revoke and cancel the jobs it has authority over and clear
/// their keys; cancel a job it requested that nothing else tracks.
pub(super) fn halt<V>(st: &mut InstState, cx: &mut LeafCx<V>, reason: &str) {
    let node = cx.node;
    let ids: Vec<JobId> = st.invocations.iter().filter(|(_, i)| i.authority_node == node).map(|(k, _)| *k).collect();
    for id in ids {
        let Some(mut inv) = st.invocations.get(&id).cloned() else { continue };
        if inv.authority == Authority::Active {
            revoke(cx, &mut inv, "branch_revoked", reason, true);
        } else if inv.authority == Authority::Accepted && inv.dispatch_active {
            inv.dispatch_active = false;
        }
        clear_invocation_keys(cx, &inv, "vla-halt");
        erase_active(st, &inv);
        // A job whose result is no longer wanted (an early commit that let it run on, a
        // rejected partial) is stopped too.
        cancel_if_running(cx, id);
        st.invocations.insert(id, inv);
    }
    if let Some(&job) = st.active.get(&node) {
        if !st.invocations.contains_key(&job) {
            cx.emit_raw("async_cancel_requested", job_node_text(job, node, "reason", "branch_revoked"));
            engine_turn(cx);
            let accepted = service::cancel(cx.engine, job);
            cx.emit_raw("async_cancel_acknowledged", job_node_accepted(job, node, accepted));
            st.active.remove(&node);
        }
    }
}

/// After a tick that missed its budget: revoke and cancel every job in flight and clear its
/// job key (the reference keeps the key, which wedges the request/wait pair until
/// `bt.reset`).
pub(super) fn overrun<V>(st: &mut InstState, cx: &mut LeafCx<V>) {
    let active: Vec<(u32, JobId)> = st.active.iter().map(|(n, j)| (*n, *j)).collect();
    for (node, job) in active {
        match st.invocations.get(&job).cloned() {
            Some(mut inv) => {
                revoke(cx, &mut inv, "tick_deadline_exceeded", "BT tick deadline exceeded", true);
                let holds = cx
                    .bb_get(&inv.job_key)
                    .is_some_and(|e| matches!(e.value, BbValue::Int(id) if id > 0 && id as u64 == job));
                if holds {
                    cx.bb_put(&inv.job_key, BbValue::Nil, "vla-overrun");
                }
                st.invocations.insert(job, inv);
            }
            None => {
                let reason = "tick_deadline_exceeded";
                cx.emit_raw("async_cancel_requested", job_node_text(job, node, "reason", reason));
                engine_turn(cx);
                let accepted = service::cancel(cx.engine, job);
                cx.emit_raw(
                    "async_cancel_acknowledged",
                    format!(
                        "{{\"job_id\":\"{job}\",\"node_id\":{node},\"accepted\":{accepted},\"reason\":\"{reason}\"}}"
                    ),
                );
                let kind = if accepted { "cancel_acknowledged" } else { "cancel_late" };
                outcome(cx, kind, reason, node, Some(job), reason);
            }
        }
        st.active.remove(&node);
    }
}
