//! The capability registry behind `cap.list` and `cap.describe`: the stock set of a build with
//! no host backends (the VLA service's `vla.rt2` plus the built-in fixtures).

use crate::lang::datum::sym_map;
use crate::lang::Datum;

struct Field {
    name: &'static str,
    ty: &'static str,
    required: bool,
}

const fn f(name: &'static str, ty: &'static str, required: bool) -> Field {
    Field { name, ty, required }
}

struct Adapter {
    id: &'static str,
    operations: &'static [&'static str],
    frames: &'static [&'static str],
    groups: &'static [&'static str],
}

struct Descriptor {
    name: &'static str,
    safety_class: &'static str,
    cost_category: &'static str,
    request: &'static [Field],
    response: &'static [Field],
    adapter: Option<Adapter>,
    default_timeout_ms: i64,
    supports_cancellation: bool,
    supports_replay: bool,
}

const VLA_REQUEST: &[Field] = &[
    f("task_id", "string", true),
    f("instruction", "string", true),
    f("observation", "map", true),
    f("action_space", "map", true),
    f("constraints", "map", true),
    f("deadline_ms", "int", true),
    f("model", "map", true),
];
const VLA_RESPONSE: &[Field] = &[
    f("status", "keyword", true),
    f("action", "map", true),
    f("confidence", "float", true),
    f("model", "map", true),
    f("stats", "map", true),
];
const ECHO_REQUEST: &[Field] = &[
    f("schema_version", "string", true),
    f("capability", "string", true),
    f("operation", "string", true),
    f("request_id", "string", false),
    f("payload", "any", false),
];
const ECHO_RESPONSE: &[Field] = &[
    f("schema_version", "string", true),
    f("capability", "string", true),
    f("operation", "string", true),
    f("request_id", "string", false),
    f("status", "keyword", true),
    f("echo", "any", false),
];
const NAV_REQUEST: &[Field] = &[
    f("schema_version", "string", true),
    f("capability", "string", true),
    f("operation", "string", true),
    f("request_id", "string", false),
    f("target", "map", false),
    f("poses", "list", false),
    f("job_id", "string", false),
    f("timeout_ms", "int", false),
];
const MOTION_REQUEST: &[Field] = &[
    f("schema_version", "string", true),
    f("capability", "string", true),
    f("operation", "string", true),
    f("request_id", "string", false),
    f("group", "string", false),
    f("target", "map", false),
    f("job_id", "string", false),
    f("timeout_ms", "int", false),
];
const TAMP_REQUEST: &[Field] = &[
    f("schema_version", "string", true),
    f("capability", "string", true),
    f("operation", "string", true),
    f("request_id", "string", false),
    f("planner", "string", false),
    f("problem", "map", false),
    f("context", "map", false),
    f("plan", "list", false),
    f("job_id", "string", false),
    f("timeout_ms", "int", false),
];
const ADAPTER_RESPONSE: &[Field] = &[
    f("schema_version", "string", true),
    f("capability", "string", true),
    f("operation", "string", true),
    f("request_id", "string", true),
    f("status", "keyword", true),
    f("adapter", "string", true),
    f("host_reached", "bool", true),
    f("request_hash", "string", true),
    f("response_hash", "string", true),
    f("validation_status", "keyword", true),
    f("job_id", "string", false),
    f("progress", "map", false),
    f("error", "string", false),
];
const MODEL_REQUEST: &[Field] = &[
    f("capability", "string", true),
    f("operation", "string", false),
    f("request_id", "string", false),
    f("input", "any", false),
    f("deadline_ms", "int", false),
    f("replay_mode", "string", false),
];
const MODEL_RESPONSE: &[Field] = &[
    f("schema_version", "string", true),
    f("capability", "string", true),
    f("request_id", "string", true),
    f("status", "keyword", true),
    f("host_reached", "bool", true),
    f("output", "any", false),
    f("error_code", "string", false),
    f("error", "string", false),
];

fn descriptors() -> [Descriptor; 7] {
    let model = |name| Descriptor {
        name,
        safety_class: "model_proposal",
        cost_category: "model",
        request: MODEL_REQUEST,
        response: MODEL_RESPONSE,
        adapter: None,
        default_timeout_ms: 0,
        supports_cancellation: false,
        supports_replay: true,
    };
    let mock = |name, request, adapter| Descriptor {
        name,
        safety_class: "mock_adapter",
        cost_category: "low",
        request,
        response: ADAPTER_RESPONSE,
        adapter: Some(adapter),
        default_timeout_ms: 1000,
        supports_cancellation: true,
        supports_replay: true,
    };
    // Sorted by name: this is also the `cap.list` order.
    [
        Descriptor {
            name: "cap.echo.v1",
            safety_class: "safe",
            cost_category: "low",
            request: ECHO_REQUEST,
            response: ECHO_RESPONSE,
            adapter: None,
            default_timeout_ms: 0,
            supports_cancellation: false,
            supports_replay: false,
        },
        model("cap.model.world.rollout.v1"),
        model("cap.model.world.score_trajectory.v1"),
        mock(
            "cap.motion.v1",
            MOTION_REQUEST,
            Adapter {
                id: "mock-moveit",
                operations: &["move-to-pose", "move-to-joints", "validate-target", "cancel", "status"],
                frames: &["world", "base_link", "tool0"],
                groups: &["arm", "manipulator"],
            },
        ),
        mock(
            "cap.navigation.v1",
            NAV_REQUEST,
            Adapter {
                id: "mock-nav2",
                operations: &["navigate-to-pose", "navigate-through-poses", "get-path", "cancel", "status"],
                frames: &["map", "odom"],
                groups: &[],
            },
        ),
        mock(
            "cap.tamp.v1",
            TAMP_REQUEST,
            Adapter {
                id: "mock-pddlstream-pybullet",
                operations: &["solve", "validate-plan", "cancel", "status"],
                frames: &[],
                groups: &[],
            },
        ),
        Descriptor {
            name: "vla.rt2",
            safety_class: "restricted",
            cost_category: "high",
            request: VLA_REQUEST,
            response: VLA_RESPONSE,
            adapter: None,
            default_timeout_ms: 0,
            supports_cancellation: false,
            supports_replay: false,
        },
    ]
}

/// `(cap.list)`: the capability names, sorted.
pub fn list() -> Datum {
    Datum::list(descriptors().iter().map(|d| Datum::str(d.name)).collect())
}

fn strs(items: &[&str]) -> Datum {
    Datum::list(items.iter().map(|s| Datum::str(s)).collect())
}

fn schema(fields: &[Field]) -> Datum {
    Datum::list(
        fields
            .iter()
            .map(|fl| {
                sym_map(vec![
                    ("name", Datum::str(fl.name)),
                    ("type", Datum::str(fl.ty)),
                    ("required", Datum::Bool(fl.required)),
                ])
            })
            .collect(),
    )
}

/// `(cap.describe name)`.
pub fn describe(arg: &Datum) -> Result<Datum, String> {
    let name = match arg {
        Datum::Str(s) | Datum::Sym(s) => s.as_str(),
        _ => return Err("cap.describe: expected string or symbol".into()),
    };
    let all = descriptors();
    let Some(d) = all.iter().find(|d| d.name == name) else {
        return Err("cap.describe: unknown capability".into());
    };
    let mut m = vec![
        ("name", Datum::str(d.name)),
        ("safety_class", Datum::str(d.safety_class)),
        ("cost_category", Datum::str(d.cost_category)),
        ("request_schema", schema(d.request)),
        ("response_schema", schema(d.response)),
    ];
    if let Some(a) = &d.adapter {
        m.push(("adapter_id", Datum::str(a.id)));
        if !a.operations.is_empty() {
            m.push(("operations", strs(a.operations)));
        }
        if !a.frames.is_empty() {
            m.push(("frames", strs(a.frames)));
        }
        if !a.groups.is_empty() {
            m.push(("groups", strs(a.groups)));
        }
    }
    if d.default_timeout_ms > 0 {
        m.push(("default_timeout_ms", Datum::Int(d.default_timeout_ms)));
    }
    m.push(("supports_cancellation", Datum::Bool(d.supports_cancellation)));
    m.push(("supports_replay", Datum::Bool(d.supports_replay)));
    Ok(sym_map(m))
}
