#![cfg(not(target_arch = "wasm32"))]
//! Numerical checks: RK4 runs against closed-form solutions, PK parameters against hand
//! computations, population sampling.

mod bridge_support;

use bridge_support::*;
use granola::bridge::models::{lookup, Simulation};
use granola::bridge::ode::{Integration, Meter, RUN_BUDGET_STEPS};
use granola::bridge::pk;
use granola::bridge::population::{self, Rng, Variability};
use serde_json::{json, Value};

/// Largest relative error of the numerical solution against the closed form (points where
/// the exact concentration is above 1e-12 of its peak).
fn max_rel_error(model: &str, params: &[(&str, f64)]) -> f64 {
    let entry = lookup(model).unwrap();
    let mut sim = Simulation::from_entry("x", entry, 0.0);
    for (k, v) in params {
        sim.params.get_mut(*k).unwrap().value = *v;
    }
    let m = sim.model();
    let (t, c) = Integration::run(m, &Meter::new(RUN_BUDGET_STEPS)).unwrap().unwrap();
    let peak = t.iter().map(|&x| m.exact(x).unwrap()).fold(0.0, f64::max);
    let mut worst: f64 = 0.0;
    for (ti, ci) in t.iter().zip(&c) {
        let e = m.exact(*ti).unwrap();
        if e > 1e-12 * peak {
            worst = worst.max(((ci - e) / e).abs());
        } else {
            assert!((ci - e).abs() <= 1e-12 * peak.max(1.0), "t={ti}: {ci} vs {e}");
        }
    }
    worst
}

#[test]
fn one_compartment_iv_matches_closed_form() {
    for params in [
        vec![],
        vec![("CL", 20.0), ("V", 10.0), ("EndTime", 48.0)],
        vec![("CL", 0.5), ("V", 100.0), ("EndTime", 500.0), ("OutputInterval", 5.0)],
        vec![("Dose", 1.0), ("CL", 100.0), ("V", 5.0), ("EndTime", 2.0), ("OutputInterval", 0.01)],
    ] {
        let err = max_rel_error("one_compartment_iv", &params);
        assert!(err <= 1e-6, "{params:?}: {err:e}");
    }
}

#[test]
fn one_compartment_oral_matches_closed_form() {
    for params in [
        vec![],
        vec![("ka", 3.0), ("CL", 10.0), ("V", 30.0), ("F", 0.6)],
        vec![("ka", 0.2), ("CL", 2.0), ("V", 80.0), ("EndTime", 168.0), ("OutputInterval", 1.0)],
        vec![("ka", 50.0), ("CL", 5.0), ("V", 50.0), ("EndTime", 12.0), ("OutputInterval", 0.1)],
    ] {
        let err = max_rel_error("one_compartment_oral", &params);
        assert!(err <= 1e-6, "{params:?}: {err:e}");
    }
}

#[test]
fn two_compartment_iv_matches_biexponential() {
    for params in [vec![], vec![("CL", 2.0), ("V", 10.0), ("Q", 30.0), ("V2", 100.0), ("EndTime", 72.0)]] {
        let err = max_rel_error("two_compartment_iv", &params);
        assert!(err <= 1e-6, "{params:?}: {err:e}");
    }
}

#[test]
fn bridge_run_series_matches_closed_form() {
    let mut env = Env::new();
    env.load("iv", "one_compartment_iv");
    let job = env.run(json!({"simulationId": "iv"}));
    env.advance(10_000.0);
    let rid = env.status(&job)["resultHandle"]["resultsId"].as_str().unwrap().to_string();
    let r = env.ok("get_simulation_results", json!({"resultsId": rid}), 200);
    assert_eq!(r["series"][0]["unit"], "mg/L");
    for p in r["series"][0]["values"].as_array().unwrap() {
        let t = p["time"].as_f64().unwrap();
        let c = p["value"].as_f64().unwrap();
        let exact = 100.0 / 50.0 * (-0.1 * t).exp();
        assert!(((c - exact) / exact).abs() <= 1e-6, "t={t}");
    }
    // The same numbers through the Rust API the web app plots from.
    let sr = env.bridge.results(&rid).unwrap();
    assert_eq!(sr.times.len(), 49);
    assert_eq!(sr.times[48], 24.0);
}

fn pk_inline(env: &mut Env, body: Value) -> Value {
    env.ok("calculate_pk_parameters", body, 200)
}

#[test]
fn pk_parameters_by_hand() {
    let mut env = Env::new();
    // Hand computation: Cmax 8 at t=2; AUC = 2 + 6 + 12 + 6 + 3 = 29; the last three points
    // halve every 2 h, so lambda_z = ln 2 / 2 and t½ = 2; AUCinf = 29 + 1 / lambda_z.
    let r = pk_inline(&mut env, json!({"time": [0, 1, 2, 4, 6, 8], "concentration": [0, 4, 8, 4, 2, 1]}));
    let m = &r["metrics"];
    assert_eq!(m["cmax"]["value"], 8);
    assert_eq!(m["cmax"]["unit"], "mg/L");
    assert_eq!(m["tmax"]["value"], 2);
    assert_eq!(m["auc"]["value"], 29);
    assert_eq!(m["auc"]["unit"], "mg·h/L");
    assert!((m["halfLife"]["value"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    assert!((m["lambdaZ"]["value"].as_f64().unwrap() - std::f64::consts::LN_2 / 2.0).abs() < 1e-12);
    let auc_inf = 29.0 + 2.0 / std::f64::consts::LN_2;
    assert!((m["aucInf"]["value"].as_f64().unwrap() - auc_inf).abs() < 1e-9);
    assert_eq!(r["terminalPoints"], 3);

    // Too few points after Cmax: no half-life, a warning, still Cmax/AUC.
    let r = pk_inline(
        &mut env,
        json!({"time": [0, 1, 2], "concentration": [0, 5, 3], "timeUnit": "min", "concentrationUnit": "ng/mL"}),
    );
    assert_eq!(r["metrics"]["halfLife"]["value"], Value::Null);
    assert_eq!(r["metrics"]["auc"]["value"], 6.5);
    assert_eq!(r["metrics"]["auc"]["unit"], "ng·min/mL");
    assert_eq!(r["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn pk_parameters_of_simulated_runs() {
    let mut env = Env::new();
    env.load("iv", "one_compartment_iv");
    env.load("po", "one_compartment_oral");
    let a = env.run(json!({"simulationId": "iv", "runId": "iv-run"}));
    let b = env.run(json!({"simulationId": "po", "runId": "po-run"}));
    env.advance(10_000.0);
    assert_eq!(env.status(&a)["status"], "succeeded");
    assert_eq!(env.status(&b)["status"], "succeeded");
    // IV bolus: Cmax = Dose/V = 2 at t = 0; t½ = ln2 · V / CL = 6.9315 h exactly from a
    // mono-exponential tail; AUC(0–24) within trapezoid error of D/CL·(1 − e^(−2.4)).
    let r = env.ok("calculate_pk_parameters", json!({"resultsId": "iv-run"}), 200)["metrics"].clone();
    assert!((r["cmax"]["value"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    assert_eq!(r["tmax"]["value"], 0);
    let t_half = std::f64::consts::LN_2 * 50.0 / 5.0;
    assert!((r["halfLife"]["value"].as_f64().unwrap() - t_half).abs() / t_half < 1e-6);
    let auc = 100.0 / 5.0 * (1.0 - (-2.4f64).exp());
    assert!((r["auc"]["value"].as_f64().unwrap() - auc).abs() / auc < 2e-3);
    // Oral: analytic Tmax = ln(ka/k)/(ka − k) = 2.558 h → nearest grid point 2.5 h.
    let r = env.ok("calculate_pk_parameters", json!({"resultsId": "po-run"}), 200)["metrics"].clone();
    assert_eq!(r["tmax"]["value"], 2.5);
    let cmax_exact = 100.0 / 50.0 / 0.9 * ((-0.25f64).exp() - (-2.5f64).exp());
    assert!((r["cmax"]["value"].as_f64().unwrap() - cmax_exact).abs() / cmax_exact < 1e-6);
    let t_half_oral = r["halfLife"]["value"].as_f64().unwrap();
    assert!((t_half_oral - t_half).abs() / t_half < 1e-3, "{t_half_oral}");
}

#[test]
fn pk_compute_directly() {
    let p = pk::compute(&[0.0, 1.0, 2.0, 3.0], &[10.0, 5.0, 2.5, 1.25], 3);
    assert_eq!(p.cmax, 10.0);
    assert_eq!(p.tmax, 0.0);
    assert!((p.half_life.unwrap() - 1.0).abs() < 1e-12);
    assert_eq!(p.auc, 7.5 + 3.75 + 1.875);
    let flat = pk::compute(&[0.0, 1.0, 2.0, 3.0, 4.0], &[0.0, 1.0, 1.0, 1.0, 1.0], 3);
    assert!(flat.half_life.is_none());
    assert!(!flat.warnings.is_empty());
}

#[test]
fn prng_and_sampling_are_deterministic() {
    let a: Vec<u64> = {
        let mut r = Rng::new(42);
        (0..5).map(|_| r.next_u64()).collect()
    };
    let b: Vec<u64> = {
        let mut r = Rng::new(42);
        (0..5).map(|_| r.next_u64()).collect()
    };
    let c: Vec<u64> = {
        let mut r = Rng::new(43);
        (0..5).map(|_| r.next_u64()).collect()
    };
    assert_eq!(a, b);
    assert_ne!(a, c);
    let vars = vec![Variability::from_cv("CL", 0.3), Variability::from_cv("V", 0.2)];
    let s1 = population::sample(100, 7, 5.0, 50.0, &vars);
    let s2 = population::sample(100, 7, 5.0, 50.0, &vars);
    assert_eq!(s1, s2);
    // A cohort's first subjects do not depend on its size.
    assert_eq!(population::sample(10, 7, 5.0, 50.0, &vars)[..], s1[..10]);
    // Log-normal: ln(CL_i / CL) has mean ≈ 0 and sd ≈ omega.
    let big = population::sample(4000, 11, 5.0, 50.0, &vars);
    let l: Vec<f64> = big.iter().map(|s| (s.cl / 5.0).ln()).collect();
    let omega = (1.0f64 + 0.09).ln().sqrt();
    assert!(population::mean(&l).abs() < 0.02, "{}", population::mean(&l));
    assert!((population::sd(&l) - omega).abs() / omega < 0.05, "{}", population::sd(&l));
    let lv: Vec<f64> = big.iter().map(|s| (s.v / 50.0).ln()).collect();
    let omega_v = (1.0f64 + 0.04).ln().sqrt();
    assert!((population::sd(&lv) - omega_v).abs() / omega_v < 0.05);
}

#[test]
fn statistics_helpers() {
    let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
    assert_eq!(population::mean(&xs), 3.0);
    assert!((population::sd(&xs) - 2.5f64.sqrt()).abs() < 1e-12);
    assert_eq!(population::percentile(&xs, 50.0), 3.0);
    assert_eq!(population::percentile(&xs, 95.0), 4.8);
    assert_eq!(population::percentile(&xs, 0.0), 1.0);
    assert_eq!(population::percentile(&[], 50.0), 0.0);
    assert_eq!(population::sd(&[1.0]), 0.0);
}

fn pop_run(env: &mut Env, sim: &str, cohort: Value) -> (String, Value) {
    let b = env.ok("run_population_simulation", json!({"simulationId": sim, "cohort": cohort}), 202);
    let job = b["jobId"].as_str().unwrap().to_string();
    env.advance(100_000.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "succeeded", "{s}");
    let rid = s["resultHandle"]["resultsId"].as_str().unwrap().to_string();
    let r = env.ok("get_population_results", json!({"resultsId": rid}), 200);
    (job, r)
}

#[test]
fn population_is_deterministic_per_seed() {
    let mut env = Env::new();
    env.load("po", "one_compartment_oral");
    let (_, a) = pop_run(&mut env, "po", json!({"size": 40, "seed": 5}));
    let (_, b) = pop_run(&mut env, "po", json!({"size": 40, "seed": 5}));
    let (_, c) = pop_run(&mut env, "po", json!({"size": 40, "seed": 6}));
    assert_eq!(a["aggregates"], b["aggregates"]);
    assert_eq!(a["chunks"][0]["subjects"], b["chunks"][0]["subjects"]);
    assert_ne!(a["aggregates"], c["aggregates"]);
    // A fresh bridge gives the same numbers for the same seed.
    let mut env2 = Env::new();
    env2.load("po", "one_compartment_oral");
    let (_, d) = pop_run(&mut env2, "po", json!({"size": 40, "seed": 5}));
    assert_eq!(a["aggregates"], d["aggregates"]);
}

#[test]
fn population_aggregates_and_chunks() {
    let mut env = Env::new();
    env.load("iv", "one_compartment_iv");
    let (_, r) = pop_run(&mut env, "iv", json!({"size": 120, "seed": 3}));
    let agg = &r["aggregates"];
    for k in ["meanCmax", "sdCmax", "p5Cmax", "p50Cmax", "p95Cmax", "meanAUC", "sdAUC", "p5AUC", "p50AUC", "p95AUC"] {
        assert!(agg[k].as_f64().is_some(), "{k}");
    }
    assert!(agg["p5Cmax"].as_f64() < agg["p50Cmax"].as_f64());
    assert!(agg["p50Cmax"].as_f64() < agg["p95Cmax"].as_f64());
    let chunks = r["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 3);
    assert_eq!(chunks[0]["subjectRange"], json!([1, 50]));
    assert_eq!(chunks[2]["subjectRange"], json!([101, 120]));
    let mut cmax = Vec::new();
    for ch in chunks {
        let subjects = ch["subjects"].as_array().unwrap();
        assert_eq!(ch["sizeBytes"].as_u64().unwrap() as usize, ch["subjects"].to_string().len());
        for s in subjects {
            // IV bolus: each subject's Cmax is Dose / V_i.
            let v = s["V"].as_f64().unwrap();
            let c = s["cmax"].as_f64().unwrap();
            assert!((c - 100.0 / v).abs() < 1e-9);
            cmax.push(c);
        }
    }
    assert_eq!(cmax.len(), 120);
    let mean = cmax.iter().sum::<f64>() / 120.0;
    assert!((agg["meanCmax"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert_eq!(r["cohort"]["size"], 120);
    assert_eq!(r["timeCourse"]["p50"].as_array().unwrap().len(), 49);
}

#[test]
fn population_without_variability_is_uniform() {
    let mut env = Env::new();
    env.load("iv", "one_compartment_iv");
    let (_, r) = pop_run(&mut env, "iv", json!({"size": 5, "covariates": []}));
    assert_eq!(r["aggregates"]["sdCmax"], 0.0);
    assert!((r["aggregates"]["meanCmax"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    // Only V varies: CL stays at its typical value.
    let (_, r) = pop_run(&mut env, "iv", json!({"size": 5, "covariates": [{"parameter": "V", "cv": 0.25}]}));
    for s in r["chunks"][0]["subjects"].as_array().unwrap() {
        assert_eq!(s["CL"], 5.0);
    }
    assert!(r["aggregates"]["sdCmax"].as_f64().unwrap() > 0.0);
}

#[test]
fn population_progress_counts_subjects() {
    let mut env = Env::with_slots(1);
    env.load("iv", "one_compartment_iv");
    let b = env.ok("run_population_simulation", json!({"simulationId": "iv", "cohort": {"size": 10}}), 202);
    let job = b["jobId"].as_str().unwrap().to_string();
    env.advance(0.0);
    let p = env.status(&job)["progress"].clone();
    assert_eq!(p["done"], 1);
    assert_eq!(p["total"], 10);
    env.advance(40.0);
    let p = env.status(&job)["progress"].clone();
    assert_eq!(p["done"], 5);
    assert_eq!(p["percentage"], 50);
    assert_eq!(p["message"], "5/10 subjects simulated");
    env.advance(1_000.0);
    let s = env.status(&job);
    assert_eq!(s["status"], "succeeded");
    assert_eq!(s["progress"]["percentage"], 100);
    // Engine summary for the jobs panel.
    let id = env.bridge.engine_job(&job).unwrap();
    let sum = env.engine.job(id).unwrap().summary();
    assert_eq!(sum.label, "population iv");
    assert_eq!(sum.progress, Some((10, 10)));
}

#[test]
fn accuracy_summary() {
    // Run with --nocapture to see the worst relative errors at the catalogue defaults.
    for m in ["one_compartment_iv", "one_compartment_oral", "two_compartment_iv"] {
        let e = max_rel_error(m, &[]);
        println!("{m}: max relative error {e:.2e}");
        assert!(e <= 1e-6);
    }
    let e = max_rel_error("one_compartment_oral", &[("ka", 50.0), ("EndTime", 12.0), ("OutputInterval", 0.1)]);
    println!("one_compartment_oral ka=50: max relative error {e:.2e}");
}
