#![cfg(not(target_arch = "wasm32"))]
//! No panic on any input, and lifecycle invariants under random operation sequences.

mod bridge_support;

use bridge_support::*;
use granola::bridge::tools::TOOLS;
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        prop_oneof![
            Just("s".to_string()),
            Just("CL".to_string()),
            Just("one_compartment_iv".to_string()),
            Just("*".to_string()),
            "\\PC{0,12}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("simulationId".to_string()),
                        Just("model".to_string()),
                        Just("modelDefinition".to_string()),
                        Just("structure".to_string()),
                        Just("parameters".to_string()),
                        Just("parameterPath".to_string()),
                        Just("value".to_string()),
                        Just("cohort".to_string()),
                        Just("size".to_string()),
                        Just("covariates".to_string()),
                        Just("jobId".to_string()),
                        Just("resultsId".to_string()),
                        Just("time".to_string()),
                        Just("concentration".to_string()),
                        Just("timeoutSeconds".to_string()),
                        Just("maxRetries".to_string()),
                        "[a-zA-Z]{1,8}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_body_any_tool_gives_a_well_formed_reply(tool in 0usize..13, body in arb_json(), raw in "\\PC{0,40}", use_raw in any::<bool>()) {
        let mut env = Env::new();
        env.load("s", "one_compartment_iv");
        let name = TOOLS.get(tool).map(|t| t.name).unwrap_or("bogus");
        let text = if use_raw { raw } else { body.to_string() };
        let r = env.raw("admin", name, &text);
        prop_assert!(matches!(r.status, 200 | 201 | 202 | 400 | 404 | 409 | 504), "{} {}", r.status, r.body);
        if r.status >= 400 {
            prop_assert!(r.body["error"]["code"].is_string());
            prop_assert!(r.body["error"]["details"].is_array());
        }
        env.advance(100_000.0);
        let _ = env.raw("viewer", "list_tools", "{}");
    }

    #[test]
    fn any_token_is_rejected_cleanly(tok in "\\PC{0,200}") {
        let mut env = Env::new();
        let mut engine = granola::jobs::Engine::default();
        let r = env.bridge.call(&mut engine, &granola::bridge::Call { tool: "list_tools", token: Some(&tok), body: "{}", unix_ms: WALL });
        prop_assert_eq!(r.status, 401);
    }

    #[test]
    fn random_operation_sequences_keep_the_lifecycle_consistent(ops in prop::collection::vec((0u8..5, 0u32..400), 1..30)) {
        let mut env = Env::with_slots(2);
        env.load("s", "one_compartment_oral");
        let mut jobs: Vec<String> = Vec::new();
        let mut terminal: std::collections::BTreeMap<String, String> = Default::default();
        for (op, arg) in ops {
            match op {
                0 => jobs.push(env.run(json!({"simulationId": "s", "maxRetries": arg % 3, "failFirstAttempts": arg % 4, "timeoutSeconds": 1 + arg % 5}))),
                1 => {
                    let r = env.ok("run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 1 + arg % 30, "seed": arg}}), 202);
                    jobs.push(r["jobId"].as_str().unwrap().to_string());
                }
                2 if !jobs.is_empty() => {
                    let j = jobs[arg as usize % jobs.len()].clone();
                    let r = env.call("operator", "cancel_job", json!({"jobId": j}));
                    if terminal.contains_key(&j) {
                        prop_assert_eq!(r.status, 404);
                    } else {
                        prop_assert_eq!(r.status, 200);
                        prop_assert!(["cancelled", "running"].contains(&r.body["status"].as_str().unwrap()));
                    }
                }
                _ => env.advance(arg as f64),
            }
            for j in &jobs {
                let s = env.status(j);
                let st = s["status"].as_str().unwrap().to_string();
                prop_assert!(["queued", "running", "succeeded", "failed", "timeout", "cancelled"].contains(&st.as_str()));
                prop_assert_eq!(&s["job"]["status"], &s["status"]);
                prop_assert_eq!(s["resultHandle"].is_object(), st == "succeeded");
                prop_assert_eq!(s["finishedAt"].is_string(), !(st == "queued" || st == "running"));
                if let Some(prev) = terminal.get(j) {
                    prop_assert_eq!(prev, &st, "terminal status changed");
                } else if s["finishedAt"].is_string() {
                    terminal.insert(j.clone(), st);
                }
            }
        }
    }
}
