//! The Lisp-facing VLA job front end (`vla.submit`, `vla.poll`, `vla.cancel`) and the
//! capability registry (`cap.list`, `cap.describe`), on the shared job engine.
//!
//! Each `vla.submit` puts one [`VlaWork`] (the `rt2-stub` model) on the engine. Nothing here
//! moves job time: a poll reports what the engine has computed up to its last `advance`, so a
//! poll straight after a submit says `:queued`, and a program that waits with
//! `(time.sleep-ms n)` sees the job stream and finish at the job times the stub prescribes.
//!
//! Differences from the reference service, on purpose: a new submit never cancels an earlier
//! job; there is no 750 ms result cache; `vla.cancel` answers `#f` for a job that has already
//! ended; an engine deadline always ends a job `:timeout` with a final response.

pub mod cap;
pub mod request;
pub mod stub;

pub use request::VlaRequest;
pub use stub::{Action, Final, FinalStats, Partial, PartialRecord, ResponseStatus, VlaWork};

use crate::jobs::{CancelOutcome, Engine, JobId, SharedEngine, State, SubmitOptions};
use crate::lang::datum::sym_map;
use crate::lang::{Builtin, Ctx, Datum, FrontEnd, Value};

/// The `vla` and `cap` groups of the builtin table. Nothing to install: the rows reach the
/// job engine through the interpreter's [`SharedEngine`] extension.
pub static FRONT_END: FrontEnd = FrontEnd { name: "vla", groups: &[VLA_ROWS, CAP_ROWS], handles: &[], install: None };

static VLA_ROWS: &[Builtin] = &[
    Builtin::plain(
        "vla.submit",
        "vla",
        1,
        Some(1),
        "(vla.submit request) -> integer",
        "Submit a VLA job from a request map; returns its job id.",
        lisp_submit,
    ),
    Builtin::plain(
        "vla.poll",
        "vla",
        1,
        Some(1),
        "(vla.poll id) -> map",
        "Status, partial and final result of a job.",
        lisp_poll,
    ),
    Builtin::plain(
        "vla.cancel",
        "vla",
        1,
        Some(1),
        "(vla.cancel id) -> boolean",
        "Request cancellation of a job.",
        lisp_cancel,
    ),
];

static CAP_ROWS: &[Builtin] = &[
    Builtin::plain(
        "cap.list",
        "cap",
        0,
        Some(0),
        "(cap.list) -> list",
        "Names of the available capabilities.",
        lisp_cap_list,
    ),
    Builtin::plain(
        "cap.describe",
        "cap",
        1,
        Some(1),
        "(cap.describe name) -> map",
        "Schema and metadata of one capability.",
        lisp_cap_describe,
    ),
];

/// Argument `i` as plain data (`name: <why>` when it cannot be).
fn datum_arg(c: &Ctx, name: &str, args: &[Value], i: usize) -> Result<Datum, String> {
    c.to_datum(args.get(i).copied().unwrap_or(Value::Nil)).map_err(|e| format!("{name}: {e}"))
}

/// A Lisp value for a result.
fn result(c: &mut Ctx, name: &str, d: &Datum) -> Result<Value, String> {
    c.from_datum(d).map_err(|e| format!("{name}: {e}"))
}

fn lisp_submit(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let req = datum_arg(c, "vla.submit", a, 0)?;
    let id = submit(&mut *SharedEngine::of(c, "vla.submit")?.engine("vla.submit")?, &req)?;
    Ok(Value::Int(id as i64))
}

fn lisp_poll(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let id = job_id_arg("vla.poll", &datum_arg(c, "vla.poll", a, 0)?)?;
    let status = poll(&*SharedEngine::of(c, "vla.poll")?.engine("vla.poll")?, id);
    result(c, "vla.poll", &status)
}

fn lisp_cancel(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let id = job_id_arg("vla.cancel", &datum_arg(c, "vla.cancel", a, 0)?)?;
    Ok(Value::Bool(cancel(&mut *SharedEngine::of(c, "vla.cancel")?.engine("vla.cancel")?, id)))
}

fn lisp_cap_list(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    result(c, "cap.list", &cap::list())
}

fn lisp_cap_describe(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let d = cap::describe(&datum_arg(c, "cap.describe", a, 0)?)?;
    result(c, "cap.describe", &d)
}

/// A job id argument of builtin `name`: a positive integer (`Err`: the Lisp error message).
pub fn job_id_arg(name: &str, v: &Datum) -> Result<JobId, String> {
    match v {
        Datum::Int(n) if *n < 0 => Err(format!("{name}: expected non-negative integer")),
        Datum::Int(0) => Err(format!("{name}: job id must be > 0")),
        Datum::Int(n) => Ok(*n as JobId),
        _ => Err(format!("{name}: expected integer")),
    }
}

/// `(vla.submit req)`: parse (raising on bad input), then either queue a stub job with the
/// request's deadline or, when the request fails shape validation, record a job that is
/// already `:error` with a final saying why.
pub fn submit(engine: &mut Engine, req: &Datum) -> Result<JobId, String> {
    let request = request::parse(req)?;
    Ok(submit_request(engine, request))
}

/// Submit an already parsed request (see [`submit`]).
pub fn submit_request(engine: &mut Engine, request: VlaRequest) -> JobId {
    if let Some(reason) = request.shape_error() {
        return engine.submit_ended(Box::new(VlaWork::rejected(request, reason)), State::Failed);
    }
    let deadline = request.deadline_ms as f64;
    engine.submit(Box::new(VlaWork::new(request)), SubmitOptions { deadline_ms: Some(deadline) })
}

/// `(vla.cancel id)`: `true` when the cancellation was accepted (queued → cancelled now;
/// running/streaming → cancelled at the job's next step); `false` for a job that already
/// ended and for an id that is not a VLA job.
pub fn cancel(engine: &mut Engine, id: JobId) -> bool {
    if engine.job(id).and_then(|j| j.work::<VlaWork>()).is_none() {
        return false;
    }
    matches!(engine.cancel(id), CancelOutcome::CancelledWhileQueued | CancelOutcome::Requested(_))
}

/// The colon keyword for an engine state.
pub fn status_keyword(state: State) -> &'static str {
    match state {
        State::Queued => ":queued",
        State::Running => ":running",
        State::Streaming => ":streaming",
        State::Done => ":done",
        State::Failed => ":error",
        State::TimedOut => ":timeout",
        State::Cancelled => ":cancelled",
    }
}

/// `(vla.poll id)`: the job's status map; `{status :error, stats {}}` for an unknown id.
pub fn poll(engine: &Engine, id: JobId) -> Datum {
    let Some((job, work)) = engine.job(id).and_then(|j| j.work::<VlaWork>().map(|w| (j, w))) else {
        return sym_map(vec![("status", Datum::sym(":error")), ("stats", Datum::Map(Vec::new()))]);
    };
    let mut m = vec![("status", Datum::sym(status_keyword(job.state)))];
    if let Some(p) = &work.partial {
        m.push(("partial", partial_datum(p)));
    }
    if let Some(f) = &work.fin {
        m.push(("final", final_datum(f)));
    }
    m.push((
        "stats",
        sym_map(vec![
            ("latency_ms", Datum::Float(job.elapsed(engine.now()))),
            ("partial_count", Datum::Float(f64::from(work.partial_count))),
            ("request_hash", Datum::Float((work.request_hash & 0xffff_ffff) as f64)),
        ]),
    ));
    sym_map(m)
}

/// An action map: `type`, `frame_id` (when set), `u` (`nil` when empty).
pub fn action_datum(a: &Action) -> Datum {
    let mut m = vec![("type", Datum::sym(":continuous"))];
    if !a.frame_id.is_empty() {
        m.push(("frame_id", Datum::Str(a.frame_id.clone())));
    }
    m.push(("u", Datum::list(a.u.iter().map(|x| Datum::Float(*x)).collect())));
    sym_map(m)
}

fn partial_datum(p: &Partial) -> Datum {
    let mut m = vec![("sequence", Datum::Int(i64::from(p.sequence))), ("confidence", Datum::Float(p.confidence))];
    if !p.text_chunk.is_empty() {
        m.push(("text_chunk", Datum::Str(p.text_chunk.clone())));
    }
    if let Some(a) = &p.action_candidate {
        m.push(("action_candidate", action_datum(a)));
    }
    sym_map(m)
}

fn final_datum(f: &Final) -> Datum {
    let mut m = vec![
        ("status", Datum::sym(f.status.keyword())),
        ("action", action_datum(&f.action)),
        ("confidence", Datum::Float(f.confidence)),
        (
            "model",
            sym_map(vec![("name", Datum::Str(f.model_name.clone())), ("version", Datum::Str(f.model_version.clone()))]),
        ),
    ];
    if !f.explanation.is_empty() {
        m.push(("explanation", Datum::Str(f.explanation.clone())));
    }
    let stats = match f.stats {
        FinalStats::Empty => Vec::new(),
        FinalStats::Latency(l) => vec![("latency_ms", Datum::Float(l))],
        FinalStats::Full { latency_ms, partials } => {
            vec![("latency_ms", Datum::Float(latency_ms)), ("partials", Datum::Float(f64::from(partials)))]
        }
    };
    m.push(("stats", sym_map(stats)));
    sym_map(m)
}
