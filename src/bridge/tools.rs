//! The one tool table (name, summary, role, success status, request schema and handler per
//! row) and the tool handlers.

use serde_json::{json, Map, Value};

use crate::jobs::{CancelOutcome, Engine, JobOptions};

use super::auth::{Principal, Role};
use super::errors::{ApiError, Code};
use super::input::{canonical, check_id, glob, Obj};
use super::models::{self, Model, Simulation, Structure, CATALOGUE, MAX_OUTPUT_POINTS};
use super::ode;
use super::pk;
use super::population::{self, default_variability, Variability};
use super::store::{JobRow, StoredResult};
use super::time;
use super::work::{BridgeWork, Cohort, Output, Plan, PopResult, RunSpec, SimResult};
use super::{is_generated_results_id, may_see, status_name, Bridge, Reply};

/// Most concentrations a population run may keep (subjects × output points).
pub const MAX_POPULATION_POINTS: f64 = 2.0e6;

/// What a tool handler gets: the bridge, the engine, the verified caller and the request
/// body (already parsed into an object).
pub type Handler = fn(&mut Bridge, &mut Engine, &Principal, &Obj) -> Result<Value, ApiError>;

/// One row of the tool table: everything the bridge, `list_tools`, MCP `tools/list`, the
/// docs and the server's routes need to know about a tool, and the function that runs it.
#[derive(Clone, Copy)]
pub struct ToolSpec {
    pub name: &'static str,
    /// One line for tool lists.
    pub summary: &'static str,
    /// The least role that may call the tool; [`Role::allowed`] lists every role that may.
    pub role: Role,
    /// HTTP status of a success (201 for a load, 202 for a queued run, else 200).
    pub success_status: u16,
    /// The JSON Schema of the request body.
    pub schema: fn() -> Value,
    pub handler: Handler,
}

impl std::fmt::Debug for ToolSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolSpec")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("success_status", &self.success_status)
            .finish_non_exhaustive()
    }
}

/// Every tool, in documentation order: the one table.
pub const TOOLS: &[ToolSpec] = &[
    ToolSpec {
        name: "load_simulation",
        summary: "Load a catalogue model (or an inline model definition) under a simulation id.",
        role: Role::Operator,
        success_status: 201,
        schema: load_simulation_schema,
        handler: load_simulation,
    },
    ToolSpec {
        name: "list_parameters",
        summary: "List a loaded simulation's parameter paths, optionally filtered by a glob.",
        role: Role::Viewer,
        success_status: 200,
        schema: list_parameters_schema,
        handler: list_parameters,
    },
    ToolSpec {
        name: "get_parameter_value",
        summary: "Read one parameter's value, unit and range.",
        role: Role::Viewer,
        success_status: 200,
        schema: get_parameter_value_schema,
        handler: get_parameter_value,
    },
    ToolSpec {
        name: "set_parameter_value",
        summary: "Change one parameter's value (range- and unit-checked).",
        role: Role::Operator,
        success_status: 200,
        schema: set_parameter_value_schema,
        handler: set_parameter_value,
    },
    ToolSpec {
        name: "run_simulation",
        summary: "Queue a simulation run as a job; poll get_job_status for its progress.",
        role: Role::Operator,
        success_status: 202,
        schema: run_simulation_schema,
        handler: run_simulation,
    },
    ToolSpec {
        name: "run_population_simulation",
        summary: "Queue a population run (log-normal CL and V variability) as one job.",
        role: Role::Operator,
        success_status: 202,
        schema: run_population_simulation_schema,
        handler: run_population_simulation,
    },
    ToolSpec {
        name: "get_job_status",
        summary: "Read a job's status, timestamps, attempts, progress, result handle and error.",
        role: Role::Viewer,
        success_status: 200,
        schema: job_id_schema,
        handler: get_job_status,
    },
    ToolSpec {
        name: "cancel_job",
        summary: "Request cancellation of a queued or running job.",
        role: Role::Operator,
        success_status: 200,
        schema: job_id_schema,
        handler: cancel_job,
    },
    ToolSpec {
        name: "get_simulation_results",
        summary: "Read a finished run's concentration-time series.",
        role: Role::Viewer,
        success_status: 200,
        schema: get_simulation_results_schema,
        handler: get_simulation_results,
    },
    ToolSpec {
        name: "get_population_results",
        summary: "Read a finished population run's aggregates and per-subject chunks.",
        role: Role::Viewer,
        success_status: 200,
        schema: get_population_results_schema,
        handler: get_population_results,
    },
    ToolSpec {
        name: "calculate_pk_parameters",
        summary: "Compute Cmax, Tmax, AUC and terminal half-life of a series.",
        role: Role::Viewer,
        success_status: 200,
        schema: calculate_pk_parameters_schema,
        handler: calculate_pk_parameters,
    },
    ToolSpec {
        name: "list_tools",
        summary: "List the tools the caller may use, with roles and request schemas.",
        role: Role::Viewer,
        success_status: 200,
        schema: empty_schema,
        handler: list_tools,
    },
];

/// The tool names of [`TOOLS`], in the same order, without the handlers: code that only needs
/// the names (the browser's first load, telling docs pages apart) names this list, so the tool
/// handlers stay out of it (a test checks that both lists agree).
pub const TOOL_NAMES: &[&str] = &[
    "load_simulation",
    "list_parameters",
    "get_parameter_value",
    "set_parameter_value",
    "run_simulation",
    "run_population_simulation",
    "get_job_status",
    "cancel_job",
    "get_simulation_results",
    "get_population_results",
    "calculate_pk_parameters",
    "list_tools",
];

/// The row of the tool called `name`.
pub fn spec(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|s| s.name == name)
}

/// Run one tool: its handler on the parsed body, answered with the row's success status.
pub fn dispatch(
    b: &mut Bridge,
    engine: &mut Engine,
    spec: &ToolSpec,
    principal: &Principal,
    body: &Map<String, Value>,
) -> Result<Reply, ApiError> {
    let out = (spec.handler)(b, engine, principal, &Obj::root(body))?;
    Ok(Reply { status: spec.success_status, body: out })
}

fn s(desc: &str) -> Value {
    json!({"type": "string", "description": desc})
}

fn schema_obj(required: &[&str], props: Value) -> Value {
    json!({"type": "object", "required": required, "properties": props})
}

/// The JSON Schema of a tool's request body (an empty object schema for unknown names).
pub fn request_schema(name: &str) -> Value {
    spec(name).map(|t| (t.schema)()).unwrap_or_else(empty_schema)
}

fn empty_schema() -> Value {
    schema_obj(&[], json!({}))
}

/// The fields run_simulation and run_population_simulation share.
fn run_common(mut p: Map<String, Value>) -> Value {
    p.insert("simulationId".into(), s("A loaded simulation (1-64 characters)."));
    p.insert("runId".into(), s("Optional results id for the run (^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$)."));
    p.insert("timeoutSeconds".into(), json!({"type": "number", "minimum": 1, "maximum": 604800, "default": 300}));
    p.insert("maxRetries".into(), json!({"type": "integer", "minimum": 0, "maximum": 10, "default": 0}));
    p.insert("idempotencyKey".into(), s("Same key + same payload returns the same job; another payload is a 409."));
    p.insert(
        "failFirstAttempts".into(),
        json!({"type": "integer", "minimum": 0, "maximum": 100, "default": 0, "description": "Testing aid: the first N attempts fail with a retryable error."}),
    );
    Value::Object(p)
}

fn load_simulation_schema() -> Value {
    schema_obj(
        &["simulationId"],
        json!({
            "simulationId": s("Id to load the model under (1-64 characters)."),
            "model": {"type": "string", "enum": CATALOGUE.iter().map(|e| e.name).collect::<Vec<_>>()},
            "modelDefinition": {"type": "object", "required": ["structure"], "properties": {
                "structure": {"type": "string", "enum": CATALOGUE.iter().map(|e| e.name).collect::<Vec<_>>()},
                "name": {"type": "string"}, "description": {"type": "string"}, "version": {"type": "string"},
                "parameters": {"type": "object", "additionalProperties": {"oneOf": [{"type": "number"}, {"type": "object", "properties": {"value": {"type": "number"}, "unit": {"type": "string"}}}]}}
            }},
            "replace": {"type": "boolean", "default": false}
        }),
    )
}

fn list_parameters_schema() -> Value {
    schema_obj(
        &["simulationId"],
        json!({"simulationId": s("A loaded simulation."), "searchPattern": {"type": "string", "default": "*", "description": "Glob: * and ?"}}),
    )
}

fn get_parameter_value_schema() -> Value {
    schema_obj(
        &["simulationId", "parameterPath"],
        json!({"simulationId": s("A loaded simulation."), "parameterPath": s("e.g. CL")}),
    )
}

fn set_parameter_value_schema() -> Value {
    schema_obj(
        &["simulationId", "parameterPath", "value"],
        json!({"simulationId": s("A loaded simulation."), "parameterPath": s("e.g. CL"), "value": {"type": "number"}, "unit": s("Optional; must equal the parameter's unit.")}),
    )
}

fn run_simulation_schema() -> Value {
    let mut o = schema_obj(&["simulationId"], run_common(Map::new()));
    o["description"] = json!("Integrates the loaded model over its time grid.");
    o
}

fn run_population_simulation_schema() -> Value {
    let mut p = Map::new();
    p.insert(
        "cohort".into(),
        json!({"type": "object", "required": ["size"], "properties": {
            "size": {"type": "integer", "minimum": 1, "maximum": 5000},
            "seed": {"type": "integer", "minimum": 0, "default": 1},
            "sampling": {"type": "string", "default": "random"},
            "covariates": {"type": "array", "items": {"type": "object", "required": ["parameter"], "properties": {
                "parameter": {"type": "string", "enum": ["CL", "V"]},
                "distribution": {"type": "string", "enum": ["lognormal"]},
                "cv": {"type": "number", "minimum": 0, "maximum": 10},
                "sd": {"type": "number", "minimum": 0, "maximum": 5}
            }}}
        }}),
    );
    p.insert("outputs".into(), json!({"type": "object"}));
    p.insert("metadata".into(), json!({"type": "object"}));
    schema_obj(&["simulationId", "cohort"], run_common(p))
}

fn job_id_schema() -> Value {
    schema_obj(&["jobId"], json!({"jobId": s("A job id from run_simulation or run_population_simulation.")}))
}

fn get_simulation_results_schema() -> Value {
    schema_obj(&["resultsId"], json!({"resultsId": s("resultHandle.resultsId of a succeeded run.")}))
}

fn get_population_results_schema() -> Value {
    schema_obj(
        &["resultsId"],
        json!({"resultsId": s("resultHandle.resultsId of a succeeded population run."), "includeSubjects": {"type": "boolean", "default": true}, "chunkSize": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}}),
    )
}

fn calculate_pk_parameters_schema() -> Value {
    schema_obj(
        &[],
        json!({
            "resultsId": s("A simulation results id (or give time + concentration)."),
            "time": {"type": "array", "items": {"type": "number"}},
            "concentration": {"type": "array", "items": {"type": "number"}},
            "timeUnit": {"type": "string", "default": "h"},
            "concentrationUnit": {"type": "string", "default": "mg/L"},
            "terminalPoints": {"type": "integer", "minimum": 2, "maximum": 1000, "default": 3}
        }),
    )
}

/// The tool list; with a principal, only the tools it may call.
pub fn catalogue_json(principal: Option<&Principal>) -> Value {
    Value::Array(
        TOOLS
            .iter()
            .filter(|t| principal.is_none_or(|p| p.may(t.role)))
            .map(|t| {
                json!({
                    "name": t.name,
                    "summary": t.summary,
                    "role": t.role.as_str(),
                    "roles": t.role.allowed(),
                    "critical": t.role != Role::Viewer,
                    "successStatus": t.success_status,
                    "inputSchema": (t.schema)(),
                })
            })
            .collect(),
    )
}

fn list_tools(_: &mut Bridge, _: &mut Engine, principal: &Principal, _: &Obj) -> Result<Value, ApiError> {
    Ok(json!({"tools": catalogue_json(Some(principal))}))
}

/// A number as JSON, integral values without a fractional part.
pub fn num(x: f64) -> Value {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

// ---------------------------------------------------------------- simulations & parameters

fn sim<'a>(b: &'a Bridge, id: &str) -> Result<&'a Simulation, ApiError> {
    b.sims.get(id).ok_or_else(|| ApiError::not_found("simulationId", format!("Simulation '{id}' not found")))
}

fn param_json(b: &Bridge, p: &models::Param) -> Value {
    json!({
        "path": p.path,
        "value": num(p.value),
        "unit": p.unit,
        "displayName": p.display,
        "min": num(p.min),
        "max": num(p.max),
        "lastUpdatedAt": p.updated_at.map(|t| b.iso(t)),
    })
}

/// Set `path` to `value` on `sim`, checking unit, range and the time grid; `field` names the
/// request field in errors.
fn assign(
    sim: &mut Simulation,
    path: &str,
    value: f64,
    unit: Option<&str>,
    field: &str,
    unit_field: &str,
    now: f64,
) -> Result<(), ApiError> {
    let Some(p) = sim.params.get(path) else {
        let known: Vec<&str> = sim.params.keys().map(String::as_str).collect();
        return Err(ApiError::not_found(
            field,
            format!("Parameter '{path}' not found in simulation '{}' (known: {})", sim.id, known.join(", ")),
        ));
    };
    if let Some(u) = unit {
        if u.trim() != p.unit {
            return Err(ApiError::invalid(
                unit_field,
                format!("unit '{u}' does not match the parameter's unit '{}'", p.unit),
            ));
        }
    }
    if !(value.is_finite() && value >= p.min && value <= p.max) {
        return Err(ApiError::invalid(field, format!("{path} must be between {} and {} {}", p.min, p.max, p.unit)));
    }
    let (end, dt) = match path {
        "EndTime" => (value, sim.value("OutputInterval")),
        "OutputInterval" => (sim.value("EndTime"), value),
        _ => (1.0, 1.0),
    };
    if end / dt > (MAX_OUTPUT_POINTS - 1) as f64 {
        return Err(ApiError::invalid(
            field,
            format!("EndTime / OutputInterval must not exceed {}", MAX_OUTPUT_POINTS - 1),
        ));
    }
    if let Some(p) = sim.params.get_mut(path) {
        p.value = value;
        p.updated_at = Some(now);
    }
    Ok(())
}

fn load_simulation(b: &mut Bridge, engine: &mut Engine, _: &Principal, o: &Obj) -> Result<Value, ApiError> {
    let id = o.req_str("simulationId", 64)?;
    let replace = o.opt_bool("replace")?.unwrap_or(false);
    let model = o.opt_str("model", 64)?;
    let def = o.opt_obj("modelDefinition")?;
    let now = engine.now();
    let (mut sim, source) = match (model, def) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid("modelDefinition", "give either model or modelDefinition, not both"))
        }
        (None, None) => {
            return Err(ApiError::invalid("model", "is required (a catalogue name), or give modelDefinition"))
        }
        (Some(name), None) => {
            let entry = models::lookup(&name).ok_or_else(|| {
                let names: Vec<&str> = CATALOGUE.iter().map(|e| e.name).collect();
                ApiError::not_found("model", format!("Unknown model '{name}' (catalogue: {})", names.join(", ")))
            })?;
            (Simulation::from_entry(&id, entry, now), "catalogue")
        }
        (None, Some(d)) => {
            let structure = d.req_str("structure", 64)?;
            let entry = Structure::parse(&structure).and_then(|s| models::lookup(s.name())).ok_or_else(|| {
                let names: Vec<&str> = CATALOGUE.iter().map(|e| e.name).collect();
                ApiError::invalid("modelDefinition.structure", format!("must be one of: {}", names.join(", ")))
            })?;
            let mut sim = Simulation::from_entry(&id, entry, now);
            sim.name = d.opt_str("name", 64)?.unwrap_or_else(|| format!("custom {}", entry.name));
            if let Some(desc) = d.opt_str("description", 512)? {
                sim.description = desc;
            }
            if let Some(v) = d.opt_str("version", 32)? {
                sim.version = v;
            }
            if let Some(params) = d.opt_obj("parameters")? {
                for (path, v) in params.map {
                    let field = format!("modelDefinition.parameters.{path}");
                    let (value, unit) = match v {
                        Value::Number(n) => (n.as_f64().unwrap_or(f64::NAN), None),
                        Value::Object(m) => {
                            let po = Obj { map: m, prefix: format!("{field}.") };
                            (po.req_num("value", f64::MIN, f64::MAX)?, po.opt_str("unit", 32)?)
                        }
                        _ => return Err(ApiError::invalid(&field, "must be a number or {value, unit}")),
                    };
                    if !sim.params.contains_key(path) {
                        let known: Vec<&str> = sim.params.keys().map(String::as_str).collect();
                        return Err(ApiError::invalid(
                            &field,
                            format!("unknown parameter (known: {})", known.join(", ")),
                        ));
                    }
                    assign(&mut sim, path, value, unit.as_deref(), &field, &format!("{field}.unit"), now)?;
                    if let Some(p) = sim.params.get_mut(path.as_str()) {
                        p.updated_at = None;
                    }
                }
            }
            (sim, "inline")
        }
    };
    if b.sims.contains_key(&id) && !replace {
        return Err(ApiError::conflict(
            "simulationId",
            format!("Simulation '{id}' is already loaded (pass replace: true to reload)"),
        ));
    }
    sim.loaded_at = now;
    let body = json!({
        "simulationId": id,
        "metadata": {
            "name": sim.name,
            "structure": sim.structure.name(),
            "modelVersion": sim.version,
            "description": sim.description,
            "source": source,
            "loadedAt": b.iso(now),
        },
        "parameters": sim.params.keys().collect::<Vec<_>>(),
        "warnings": [],
    });
    b.sims.insert(id, sim);
    Ok(body)
}

fn list_parameters(b: &mut Bridge, _: &mut Engine, _: &Principal, o: &Obj) -> Result<Value, ApiError> {
    let id = o.req_str("simulationId", 64)?;
    let pattern = o.opt_str("searchPattern", 256)?.unwrap_or_else(|| "*".to_string());
    let sim = sim(b, &id)?;
    let names: Vec<&String> = sim.params.keys().filter(|k| glob(&pattern, k)).take(500).collect();
    Ok(json!({"simulationId": id, "parameters": names}))
}

fn get_parameter_value(b: &mut Bridge, _: &mut Engine, _: &Principal, o: &Obj) -> Result<Value, ApiError> {
    let id = o.req_str("simulationId", 64)?;
    let path = o.req_str("parameterPath", 256)?;
    let sim = sim(b, &id)?;
    let p = sim.params.get(&path).ok_or_else(|| {
        ApiError::not_found("parameterPath", format!("Parameter '{path}' not found in simulation '{id}'"))
    })?;
    Ok(json!({"simulationId": id, "parameter": param_json(b, p)}))
}

fn set_parameter_value(b: &mut Bridge, engine: &mut Engine, _: &Principal, o: &Obj) -> Result<Value, ApiError> {
    let id = o.req_str("simulationId", 64)?;
    let path = o.req_str("parameterPath", 256)?;
    let value = o.req_num("value", f64::MIN, f64::MAX)?;
    let unit = o.opt_str("unit", 32)?;
    let now = engine.now();
    let sim = b
        .sims
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("simulationId", format!("Simulation '{id}' not found")))?;
    if !sim.params.contains_key(&path) {
        return Err(ApiError::not_found("parameterPath", format!("Parameter '{path}' not found in simulation '{id}'")));
    }
    assign(sim, &path, value, unit.as_deref(), "value", "unit", now)?;
    let p = sim.params.get(&path).cloned();
    match p {
        Some(p) => Ok(json!({"simulationId": id, "parameter": param_json(b, &p)})),
        None => Err(ApiError::internal("parameter vanished")),
    }
}

// ---------------------------------------------------------------- runs

fn parse_cohort(o: &Obj) -> Result<Cohort, ApiError> {
    let Some(c) = o.opt_obj("cohort")? else {
        return Err(ApiError::invalid("cohort", "is required"));
    };
    let size = c.req_int("size", 1, 5000)? as u32;
    let seed = c.opt_int("seed", 0, u64::MAX)?.unwrap_or(1);
    let sampling = c.opt_str("sampling", 64)?.unwrap_or_else(|| "random".to_string());
    let variability = match c.opt_array("covariates", 16)? {
        None => default_variability(),
        Some(items) => {
            let mut vars = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let field = format!("cohort.covariates[{i}]");
                let Value::Object(m) = item else {
                    return Err(ApiError::invalid(
                        &field,
                        "must be an object like {\"parameter\": \"CL\", \"cv\": 0.3}",
                    ));
                };
                let co = Obj { map: m, prefix: format!("{field}.") };
                let name = match co.opt_str("parameter", 16)? {
                    Some(n) => n,
                    None => co
                        .opt_str("name", 16)?
                        .ok_or_else(|| ApiError::invalid(&co.name("parameter"), "is required"))?,
                };
                if name != "CL" && name != "V" {
                    return Err(ApiError::invalid(&co.name("parameter"), "must be CL or V"));
                }
                if let Some(d) = co.opt_str("distribution", 32)? {
                    if !d.eq_ignore_ascii_case("lognormal") {
                        return Err(ApiError::invalid(&co.name("distribution"), "only lognormal is supported"));
                    }
                }
                let v = match (co.opt_num("cv", 0.0, 10.0)?, co.opt_num("sd", 0.0, 5.0)?) {
                    (Some(_), Some(_)) => return Err(ApiError::invalid(&co.name("sd"), "give cv or sd, not both")),
                    (Some(cv), None) => Variability::from_cv(&name, cv),
                    (None, Some(sd)) => Variability::from_omega(&name, sd),
                    (None, None) => {
                        return Err(ApiError::invalid(
                            &co.name("cv"),
                            "is required (or sd, the log-scale standard deviation)",
                        ))
                    }
                };
                vars.push(v);
            }
            vars
        }
    };
    Ok(Cohort { size, seed, sampling, variability })
}

fn run_reply(b: &Bridge, engine: &Engine, row: JobRow) -> Result<Value, ApiError> {
    let rec = row_json(&current_row(b, engine, row)?);
    Ok(json!({
        "jobId": rec["jobId"],
        "jobType": rec["jobType"],
        "simulationId": rec["simulationId"],
        "status": rec["status"],
        "queuedAt": rec["submittedAt"],
        "attempts": rec["attempts"],
        "maxRetries": rec["maxRetries"],
        "timeoutSeconds": rec["timeoutSeconds"],
    }))
}

fn run_simulation(b: &mut Bridge, engine: &mut Engine, p: &Principal, o: &Obj) -> Result<Value, ApiError> {
    run(b, engine, p, o, false)
}

fn run_population_simulation(b: &mut Bridge, engine: &mut Engine, p: &Principal, o: &Obj) -> Result<Value, ApiError> {
    run(b, engine, p, o, true)
}

/// Largest `metadata` / `outputs` object a run may carry (bytes of JSON); they are kept with
/// the job and echoed into its results.
pub const MAX_ECHO_BYTES: usize = 16 * 1024;

fn echo_obj(o: &Obj, field: &str) -> Result<Value, ApiError> {
    let v = match o.opt_obj(field)? {
        Some(x) => Value::Object(x.map.clone()),
        None => json!({}),
    };
    if v.to_string().len() > MAX_ECHO_BYTES {
        return Err(ApiError::invalid(field, format!("must be at most {MAX_ECHO_BYTES} bytes of JSON")));
    }
    Ok(v)
}

/// Admission: the integrator steps a run needs, per subject and in total, against the
/// per-subject limit and the run's compute budget (population subjects are sampled here,
/// exactly as the run will sample them, so the check sees the covariate spread).
fn admit(model: &Model, cohort: Option<&Cohort>, budget: f64) -> Result<(), ApiError> {
    let substeps = ode::substeps_for(model);
    let Some(c) = cohort else {
        if substeps > ode::MAX_SUBSTEPS || substeps > budget {
            return Err(ApiError::invalid(
                "simulationId",
                format!(
                    "the run needs about {substeps:.0} integrator steps (limit {:.0}); reduce EndTime or the rate constants",
                    ode::MAX_SUBSTEPS.min(budget)
                ),
            ));
        }
        return Ok(());
    };
    let subjects = population::sample(c.size, c.seed, model.cl, model.v, &c.variability);
    let mut total = 0.0;
    for s in &subjects {
        let need = ode::substeps_for(&Model { cl: s.cl, v: s.v, ..*model });
        if need.is_nan() || need > ode::MAX_SUBSTEPS {
            return Err(ApiError::invalid("cohort.covariates", super::work::too_stiff(s, need)));
        }
        total += need;
    }
    if total > budget {
        return Err(ApiError::invalid(
            "cohort.size",
            format!(
                "the run needs about {total:.3e} integrator steps in total (compute budget {budget:.0e}); \
                 use fewer subjects, a smaller covariate spread or a shorter EndTime"
            ),
        ));
    }
    Ok(())
}

fn run(
    b: &mut Bridge,
    engine: &mut Engine,
    principal: &Principal,
    o: &Obj,
    population: bool,
) -> Result<Value, ApiError> {
    let tool = if population { "run_population_simulation" } else { "run_simulation" };
    let sim_id = o.req_str("simulationId", 64)?;
    let run_id = o.opt_str("runId", 128)?;
    if let Some(r) = &run_id {
        check_id("runId", r)?;
        if is_generated_results_id(r) {
            return Err(ApiError::invalid(
                "runId",
                "ids shaped like res-<uuid> or pop-<uuid> are reserved for generated results ids",
            ));
        }
    }
    let timeout_s = o.opt_num("timeoutSeconds", 1.0, 604_800.0)?.unwrap_or(b.default_timeout_s);
    let max_retries = o.opt_int("maxRetries", 0, 10)?.unwrap_or(0) as u32;
    let fail_first = o.opt_int("failFirstAttempts", 0, 100)?.unwrap_or(0) as u32;
    let key = o.opt_str("idempotencyKey", 128)?;
    let cohort = if population { Some(parse_cohort(o)?) } else { None };
    let outputs = echo_obj(o, "outputs")?;
    let metadata = echo_obj(o, "metadata")?;
    // Idempotency: the fingerprint covers the tool and the validated arguments (defaults applied).
    let mut args = o.map.clone();
    args.remove("idempotencyKey");
    args.insert("timeoutSeconds".into(), num(timeout_s));
    args.insert("maxRetries".into(), json!(max_retries));
    args.insert("failFirstAttempts".into(), json!(fail_first));
    let fingerprint = canonical(&json!({"tool": tool, "arguments": args}));
    let mut takes_over = None;
    if let Some(k) = &key {
        // Keys are per subject: another caller's key is another key.
        if let Some(row) = b.store.job_by_key(&principal.sub, k) {
            if row.fingerprint.as_deref() != Some(fingerprint.as_str()) {
                return Err(ApiError::conflict(
                    "idempotencyKey",
                    format!("Idempotency key reused with different payload for {tool}"),
                ));
            }
            if !(row.status == "failed" && row.error_retryable) {
                return run_reply(b, engine, row);
            }
            // The job was cut off by a restart: the same request runs it again under the key.
            takes_over = Some(row);
        }
    }
    // After the key: a replay is answered even when the simulation is no longer loaded (a
    // restart forgets loaded simulations, not jobs).
    let sim = sim(b, &sim_id)?;
    let model = sim.model();
    let model_name = sim.name.clone();
    admit(&model, cohort.as_ref(), b.run_budget_steps)?;
    let points = model.grid().len() as f64;
    let size = cohort.as_ref().map(|c| c.size as f64).unwrap_or(1.0);
    if population && points * size > MAX_POPULATION_POINTS {
        return Err(ApiError::invalid(
            "cohort.size",
            format!("cohort.size × output points ({points:.0}) must not exceed {MAX_POPULATION_POINTS:.0}; use fewer subjects or a coarser OutputInterval"),
        ));
    }
    if engine.active_count() >= b.max_active_jobs {
        return Err(ApiError::new(
            Code::RateLimited,
            format!("Too many jobs queued or running ({}); retry when some have finished", b.max_active_jobs),
        )
        .field("request", "the server's job queue is full"));
    }
    let Some((job_id, generated_id)) = b.fresh_ids(population) else {
        return Err(ApiError::internal("could not draw an unused job id"));
    };
    let results_id = match run_id {
        Some(id) => {
            if b.store.results_id_in_use(&id) {
                return Err(ApiError::conflict("runId", format!("Results id '{id}' is already in use")));
            }
            id
        }
        None => generated_id,
    };
    let plan = match cohort {
        Some(cohort) => Plan::Population { cohort, metadata, outputs },
        None => Plan::Single,
    };
    let work = BridgeWork::with_runner(
        RunSpec {
            job_id: job_id.clone(),
            simulation_id: sim_id.clone(),
            model_name,
            results_id: results_id.clone(),
            model,
            plan,
            max_retries,
            timeout_s,
            budget_steps: b.run_budget_steps,
            fail_first_attempts: fail_first,
        },
        b.runner.clone(),
    );
    let row = JobRow {
        job_id: job_id.clone(),
        owner: principal.sub.clone(),
        job_type: work.job_type().to_string(),
        simulation_id: sim_id,
        results_id,
        status: "queued".to_string(),
        submitted_ms: b.unix(engine.now()),
        started_ms: None,
        finished_ms: None,
        attempts: 0,
        max_retries,
        timeout_s,
        cancel_requested: false,
        done: 0,
        total: work.total,
        message: work.message.clone(),
        error: None,
        error_retryable: false,
        idempotency_key: key,
        fingerprint: Some(fingerprint),
    };
    if let Some(mut old) = takes_over {
        old.idempotency_key = None;
        b.store.put_job(&old).map_err(|e| ApiError::internal(format!("could not record the job: {e}")))?;
    }
    // The row is stored before the job exists and before the client hears of it: an accepted
    // job is never lost, whatever happens to this process afterwards.
    b.store.put_job(&row).map_err(|e| ApiError::internal(format!("could not record the job: {e}")))?;
    // timeoutSeconds limits each attempt from its start; time spent queued (first run or
    // retry) does not count (fact sheet §2.3). A timeout ends the job: never retried.
    let engine_id = engine
        .submit_with(Box::new(work), JobOptions { deadline_ms: None, attempt_timeout_ms: Some(timeout_s * 1000.0) });
    b.live.insert(job_id.clone(), engine_id);
    b.by_engine.insert(engine_id, job_id);
    run_reply(b, engine, row)
}

// ---------------------------------------------------------------- jobs

fn not_found_job() -> ApiError {
    ApiError::not_found("jobId", "Job not found (unknown id, or purged after the retention window)")
}

/// `row` brought up to date with the engine, if the job is on it.
pub fn current_row(b: &Bridge, engine: &Engine, mut row: JobRow) -> Result<JobRow, ApiError> {
    let Some(&engine_id) = b.live.get(&row.job_id) else {
        return Ok(row);
    };
    let rec = engine.job(engine_id).ok_or_else(|| {
        ApiError::internal(format!("engine job {engine_id} is missing (was another engine passed in?)"))
    })?;
    let w = rec.work::<BridgeWork>().ok_or_else(|| {
        ApiError::internal(format!("engine job {engine_id} is not a bridge job (was another engine passed in?)"))
    })?;
    row.status = status_name(rec.state).to_string();
    row.started_ms = rec.started_at.map(|t| b.unix(t));
    row.finished_ms = rec.finished_at.map(|t| b.unix(t));
    row.attempts = rec.attempts;
    row.cancel_requested = rec.cancel_requested;
    row.done = w.done;
    row.total = w.total;
    row.message = w.message.clone();
    row.error = w.error.clone();
    row.error_retryable = false;
    Ok(row)
}

/// The flat job record of a row.
pub fn row_json(row: &JobRow) -> Value {
    let pct = if row.total > 0 { (row.done as f64 * 10_000.0 / row.total as f64).round() / 100.0 } else { 0.0 };
    let handle = if row.status == "succeeded" { json!({"resultsId": row.results_id}) } else { Value::Null };
    json!({
        "jobId": row.job_id,
        "jobType": row.job_type,
        "simulationId": row.simulation_id,
        "status": row.status,
        "submittedAt": time::iso(row.submitted_ms),
        "startedAt": row.started_ms.map(time::iso),
        "finishedAt": row.finished_ms.map(time::iso),
        "attempts": row.attempts,
        "maxRetries": row.max_retries,
        "timeoutSeconds": num(row.timeout_s),
        "cancelRequested": row.cancel_requested,
        "progress": {"done": row.done, "total": row.total, "percentage": num(pct), "message": row.message},
        "resultHandle": handle,
        "error": row.error.as_ref().map(|m| json!({"message": m, "retryable": row.error_retryable})),
    })
}

/// The job row of `job_id` as `principal` may see it (404 for unknown, purged and other
/// subjects' jobs alike); `None` skips the ownership check (hosts).
fn visible_row(b: &Bridge, job_id: &str, principal: Option<&Principal>) -> Result<JobRow, ApiError> {
    let row = b.store.job(job_id).ok_or_else(not_found_job)?;
    if principal.is_some_and(|p| !may_see(p, &row.owner)) {
        return Err(not_found_job());
    }
    Ok(row)
}

/// The flat job record of `job_id`, as `principal` may see it.
pub fn job_record(b: &Bridge, engine: &Engine, job_id: &str, principal: Option<&Principal>) -> Result<Value, ApiError> {
    let row = visible_row(b, job_id, principal)?;
    if let Some(e) = b.internal_errors.get(job_id) {
        return Err(ApiError::internal(e.clone()));
    }
    Ok(row_json(&current_row(b, engine, row)?))
}

fn get_job_status(b: &mut Bridge, engine: &mut Engine, p: &Principal, o: &Obj) -> Result<Value, ApiError> {
    let job_id = o.req_str("jobId", 64)?;
    let rec = job_record(b, engine, &job_id, Some(p))?;
    let mut out = rec.clone();
    if let Value::Object(m) = &mut out {
        m.insert("job".into(), rec);
    }
    Ok(out)
}

fn cancel_job(b: &mut Bridge, engine: &mut Engine, p: &Principal, o: &Obj) -> Result<Value, ApiError> {
    let job_id = o.req_str("jobId", 64)?;
    // Make sure it is there, the caller's, and ours (this engine's) before touching it.
    let rec = job_record(b, engine, &job_id, Some(p))?;
    let outcome = match b.live.get(&job_id) {
        Some(&engine_id) => engine.cancel(engine_id),
        // Not on the engine: it finished (possibly before a restart).
        None => {
            let status = rec["status"].as_str().unwrap_or("").to_string();
            return Err(ApiError::not_found(
                "jobId",
                format!("Job already completed (status {status}); nothing to cancel"),
            ));
        }
    };
    let reply = match outcome {
        CancelOutcome::Unknown => return Err(not_found_job()),
        CancelOutcome::AlreadyTerminal(s) => {
            return Err(ApiError::not_found(
                "jobId",
                format!("Job already completed (status {}); nothing to cancel", status_name(s)),
            ))
        }
        CancelOutcome::CancelledWhileQueued => json!({"jobId": job_id, "status": "cancelled"}),
        CancelOutcome::Requested(s) => json!({"jobId": job_id, "status": status_name(s)}),
    };
    // Record the flag (or the cancelled job) in the store before answering.
    b.sync(engine);
    if engine.job(b.live.get(&job_id).copied().unwrap_or(0)).is_some_and(|j| j.state.is_active()) {
        b.write_live(engine, &job_id);
    }
    Ok(reply)
}

// ---------------------------------------------------------------- results

/// The stored result `results_id`, if `principal` may see it.
fn visible_result(b: &Bridge, results_id: &str, principal: &Principal) -> Option<StoredResult> {
    b.store.result(results_id).filter(|r| may_see(principal, &r.owner))
}

/// Why results are not available: the owning job's state decides the error (only for the
/// caller's own jobs; anything else is plainly not found).
fn missing_results(b: &Bridge, engine: &Engine, results_id: &str, what: &str, p: &Principal) -> ApiError {
    let not_found = || ApiError::not_found("resultsId", format!("{what} not found"));
    let Some(job_id) = b.store.job_for_results(results_id) else {
        return not_found();
    };
    let Ok(rec) = job_record(b, engine, &job_id, Some(p)) else {
        return not_found();
    };
    match rec["status"].as_str().unwrap_or("") {
        "queued" | "running" => ApiError::not_found(
            "resultsId",
            format!("{what} not ready: job {job_id} is still {}", rec["status"].as_str().unwrap_or("")),
        )
        .retryable(true),
        "timeout" => ApiError::new(Code::Timeout, format!("Job {job_id} timed out before producing {what}"))
            .field("resultsId", "the job that produces these results timed out"),
        s => ApiError::not_found("resultsId", format!("Job {job_id} ended {s} without producing {what}")),
    }
}

fn sim_result_json(r: &SimResult) -> Value {
    let m = &r.model;
    let mut params = json!({"Dose": num(m.dose), "CL": num(m.cl), "V": num(m.v), "EndTime": num(m.end_time), "OutputInterval": num(m.interval)});
    match m.structure {
        Structure::OneCompartmentOral => {
            params["ka"] = num(m.ka);
            params["F"] = num(m.f);
        }
        Structure::TwoCompartmentIv => {
            params["Q"] = num(m.q);
            params["V2"] = num(m.v2);
        }
        Structure::OneCompartmentIv => {}
    }
    let values: Vec<Value> =
        r.times.iter().zip(&r.concentrations).map(|(t, c)| json!({"time": t, "value": c})).collect();
    json!({
        "resultsId": r.results_id,
        "jobId": r.job_id,
        "simulationId": r.simulation_id,
        "generatedAt": time::iso(r.generated_at),
        "simulationMetadata": {"name": r.model_name, "structure": m.structure.name()},
        "parameters": params,
        "series": [{"parameter": "Concentration", "unit": r.unit, "timeUnit": r.time_unit, "values": values}],
    })
}

fn get_simulation_results(b: &mut Bridge, engine: &mut Engine, p: &Principal, o: &Obj) -> Result<Value, ApiError> {
    let id = o.req_str("resultsId", 128)?;
    match visible_result(b, &id, p).as_ref().map(|r| &*r.output) {
        Some(Output::Simulation(r)) => Ok(sim_result_json(r)),
        Some(Output::Population(_)) => Err(ApiError::not_found(
            "resultsId",
            "Results not found (this id is a population run: use get_population_results)",
        )),
        None => Err(missing_results(b, engine, &id, "Results", p)),
    }
}

fn pop_result_json(r: &PopResult, include_subjects: bool, chunk_size: usize) -> Value {
    let covariates: Vec<Value> = r
        .cohort
        .variability
        .iter()
        .map(|v| json!({"parameter": v.parameter, "distribution": "lognormal", "cv": v.cv, "sd": v.omega}))
        .collect();
    let mut aggregates = Map::new();
    for (k, v) in &r.aggregates {
        aggregates.insert(k.clone(), json!(v));
    }
    let t0 = r.times.first().copied().unwrap_or(0.0);
    let t1 = r.times.last().copied().unwrap_or(0.0);
    let chunks: Vec<Value> = r
        .subjects
        .chunks(chunk_size.max(1))
        .enumerate()
        .map(|(i, chunk)| {
            let subjects: Vec<Value> = chunk
                .iter()
                .map(|s| json!({"subjectId": s.id, "CL": s.cl, "V": s.v, "cmax": s.cmax, "tmax": s.tmax, "auc": s.auc, "halfLife": s.half_life}))
                .collect();
            let data = Value::Array(subjects);
            let size_bytes = data.to_string().len();
            let first = chunk.first().map(|s| s.id).unwrap_or(0);
            let last = chunk.last().map(|s| s.id).unwrap_or(0);
            let mut c = json!({
                "chunkId": format!("{}-chunk-{}", r.results_id, i + 1),
                "contentType": "application/json",
                "sizeBytes": size_bytes,
                "subjectRange": [first, last],
                "timeRange": [t0, t1],
            });
            if include_subjects {
                c["subjects"] = data;
            }
            c
        })
        .collect();
    let mut metadata = match &r.metadata {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    metadata.insert("outputs".into(), r.outputs.clone());
    metadata.insert("model".into(), json!(r.model_name));
    json!({
        "resultsId": r.results_id,
        "jobId": r.job_id,
        "simulationId": r.simulation_id,
        "generatedAt": time::iso(r.generated_at),
        "cohort": {"size": r.cohort.size, "sampling": r.cohort.sampling, "seed": r.cohort.seed, "covariates": covariates},
        "aggregates": aggregates,
        "units": {"Cmax": "mg/L", "AUC": "mg·h/L", "time": "h"},
        "timeCourse": {"time": r.times, "p5": r.p5, "p50": r.p50, "p95": r.p95, "unit": "mg/L"},
        "chunks": chunks,
        "metadata": metadata,
    })
}

fn get_population_results(b: &mut Bridge, engine: &mut Engine, p: &Principal, o: &Obj) -> Result<Value, ApiError> {
    let id = o.req_str("resultsId", 128)?;
    let include = o.opt_bool("includeSubjects")?.unwrap_or(true);
    let chunk_size = o.opt_int("chunkSize", 1, 1000)?.unwrap_or(50) as usize;
    match visible_result(b, &id, p).as_ref().map(|r| &*r.output) {
        Some(Output::Population(r)) => Ok(pop_result_json(r, include, chunk_size)),
        Some(Output::Simulation(_)) => Err(ApiError::not_found(
            "resultsId",
            "Population results not found (this id is a single run: use get_simulation_results)",
        )),
        None => Err(missing_results(b, engine, &id, "Population results", p)),
    }
}

fn metric(value: Option<f64>, unit: &str) -> Value {
    json!({"value": value.map(num).unwrap_or(Value::Null), "unit": unit})
}

fn calculate_pk_parameters(b: &mut Bridge, engine: &mut Engine, p: &Principal, o: &Obj) -> Result<Value, ApiError> {
    let terminal = o.opt_int("terminalPoints", 2, 1000)?.unwrap_or(pk::DEFAULT_TERMINAL_POINTS as u64) as usize;
    let results_id = o.opt_str("resultsId", 128)?;
    let (times, conc, tu, cu, source) = match results_id.as_ref() {
        Some(_) if o.has("time") || o.has("concentration") => {
            return Err(ApiError::invalid("resultsId", "give either resultsId or time + concentration, not both"))
        }
        Some(id) => {
            let stored = visible_result(b, id, p);
            let r =
                match stored.as_ref().map(|r| &*r.output) {
                    Some(Output::Simulation(r)) => r,
                    Some(Output::Population(_)) => return Err(ApiError::not_found(
                        "resultsId",
                        "Results not found (population runs carry per-subject PK parameters in get_population_results)",
                    )),
                    None => return Err(missing_results(b, engine, id, "Results", p)),
                };
            (r.times.clone(), r.concentrations.clone(), r.time_unit.clone(), r.unit.clone(), "results")
        }
        None => {
            if !o.has("time") && !o.has("concentration") {
                return Err(ApiError::invalid("resultsId", "is required (or give time and concentration arrays)"));
            }
            let times = o.num_array("time", 100_000)?;
            let conc = o.num_array("concentration", 100_000)?;
            if times.len() < 2 {
                return Err(ApiError::invalid("time", "needs at least 2 points"));
            }
            if conc.len() != times.len() {
                return Err(ApiError::invalid(
                    "concentration",
                    format!("must have as many values as time ({})", times.len()),
                ));
            }
            for i in 1..times.len() {
                if times[i] <= times[i - 1] {
                    return Err(ApiError::invalid(&format!("time[{i}]"), "times must be strictly increasing"));
                }
            }
            if let Some(i) = conc.iter().position(|c| *c < 0.0) {
                return Err(ApiError::invalid(&format!("concentration[{i}]"), "must be ≥ 0"));
            }
            let tu = o.opt_str("timeUnit", 16)?.unwrap_or_else(|| "h".to_string());
            let cu = o.opt_str("concentrationUnit", 32)?.unwrap_or_else(|| "mg/L".to_string());
            (times, conc, tu, cu, "inline")
        }
    };
    let p = pk::compute(&times, &conc, terminal);
    let auc_unit = match cu.split_once('/') {
        Some((amount, vol)) => format!("{amount}·{tu}/{vol}"),
        None => format!("{cu}·{tu}"),
    };
    Ok(json!({
        "resultsId": results_id,
        "source": source,
        "points": times.len(),
        "terminalPoints": p.terminal_points,
        "metrics": {
            "cmax": metric(Some(p.cmax), &cu),
            "tmax": metric(Some(p.tmax), &tu),
            "auc": metric(Some(p.auc), &auc_unit),
            "aucInf": metric(p.auc_inf, &auc_unit),
            "lambdaZ": metric(p.lambda_z, &format!("1/{tu}")),
            "halfLife": metric(p.half_life, &tu),
        },
        "warnings": p.warnings,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::{auth::mint_token, BridgeConfig, Call, TEST_SECRET};
    use super::*;
    use crate::jobs::ids::IdSource;

    const WALL: f64 = 1_767_225_600_000.0;

    fn call(b: &mut Bridge, e: &mut Engine, tool: &str, body: Value) -> Reply {
        let tok = mint_token(TEST_SECRET, "t", &["operator"], 3600, WALL);
        b.call(e, &Call { tool, token: Some(&tok), body: &body.to_string(), unix_ms: WALL })
    }

    fn setup() -> (Bridge, Engine) {
        let mut b = Bridge::new(BridgeConfig { secret: TEST_SECRET.into(), epoch_unix_ms: WALL });
        let mut e = Engine::new(2);
        let r = call(&mut b, &mut e, "load_simulation", json!({"simulationId": "s", "model": "one_compartment_iv"}));
        assert_eq!(r.status, 201);
        (b, e)
    }

    #[test]
    fn a_repeating_id_source_never_hands_out_an_id_in_use() {
        let (mut b, mut e) = setup();
        b.set_id_source(IdSource::seeded(5));
        let first = call(&mut b, &mut e, "run_simulation", json!({"simulationId": "s"}));
        let first_job = first.body["jobId"].as_str().unwrap().to_string();
        let first_results = b.store.job(&first_job).unwrap().results_id;
        // The same seed again: the next draw repeats the ids just handed out.
        b.set_id_source(IdSource::seeded(5));
        let second = call(&mut b, &mut e, "run_simulation", json!({"simulationId": "s"}));
        assert_eq!(second.status, 202, "{}", second.body);
        let second_job = second.body["jobId"].as_str().unwrap().to_string();
        assert_ne!(second_job, first_job);
        assert_ne!(b.store.job(&second_job).unwrap().results_id, first_results);
        assert_eq!(b.store.job_for_results(&first_results), Some(first_job.clone()), "the owner was not replaced");
        e.advance(10_000.0);
        let r = call(&mut b, &mut e, "get_job_status", json!({"jobId": first_job}));
        assert_eq!(r.body["resultHandle"]["resultsId"], first_results.as_str());
    }

    #[test]
    fn a_result_never_overwrites_another() {
        let (mut b, mut e) = setup();
        let a = call(&mut b, &mut e, "run_simulation", json!({"simulationId": "s", "runId": "a"}));
        let a_job = a.body["jobId"].as_str().unwrap().to_string();
        e.advance(10_000.0);
        let b_run = call(&mut b, &mut e, "run_simulation", json!({"simulationId": "s", "runId": "b"}));
        let b_job = b_run.body["jobId"].as_str().unwrap().to_string();
        // Corrupt the store on purpose: something already sits under b's results id.
        let squatter = b.store.result("a").unwrap();
        let a_row = b.store.job(&a_job).unwrap();
        let fake = StoredResult { results_id: "b".into(), ..squatter };
        b.store.finish_job(&a_row, Some(&fake)).unwrap();
        e.advance(30_000.0);
        let r = call(&mut b, &mut e, "get_job_status", json!({"jobId": b_job}));
        assert_eq!(r.status, 500, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "INTERNAL");
        assert!(r.body["error"]["message"].as_str().unwrap().contains("not stored"));
        assert_eq!(b.store.result("b").unwrap().job_id, a_job, "the entry already there was kept");
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn one_row_per_tool_with_its_schema() {
        let mut names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TOOLS.len(), "tool names are unique");
        assert_eq!(TOOL_NAMES, TOOLS.iter().map(|t| t.name).collect::<Vec<_>>(), "TOOL_NAMES lists TOOLS in order");
        for t in TOOLS {
            let schema = (t.schema)();
            assert_eq!(schema["type"], "object", "{}", t.name);
            assert!(schema["properties"].is_object(), "{}", t.name);
            assert_eq!(request_schema(t.name), schema);
            assert!(spec(t.name).is_some_and(|s| s.name == t.name));
        }
        assert!(spec("no_such_tool").is_none());
        assert_eq!(request_schema("no_such_tool"), json!({"type": "object", "required": [], "properties": {}}));
    }
}
