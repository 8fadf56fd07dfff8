//! Load figures for `granola serve` (issue 14), printed by `make bench`; nothing is asserted.
//!
//! 1. `/healthz` latency (p50/p95/p99/max) while heavy population runs keep every simulation
//!    worker busy: runs of 10 subjects needing about 4.8 million integrator steps each are
//!    resubmitted as they end, for `--seconds`.
//! 2. Resident memory during a sustained flood of submissions (16 clients submitting runs as
//!    fast as the server answers, 16 job slots at speed 1000, jobs in SQLite, retention
//!    capped at 2,000 finished jobs):
//!    one RSS sample per second; flat means the caps and the engine's bookkeeping hold it.
//!
//! ```text
//! cargo run --release --example bench_load [-- --seconds 10 --flood-seconds 20]
//! ```

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::time::{Duration, Instant};

    use granola::server::client::Client;
    use serde_json::json;

    let mut seconds = 10u64;
    let mut flood_seconds = 20u64;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).and_then(|v| v.parse().ok());
        match (args[i].as_str(), value) {
            ("--seconds", Some(v)) => seconds = v,
            ("--flood-seconds", Some(v)) => flood_seconds = v,
            _ => {
                eprintln!("usage: bench_load [--seconds 10] [--flood-seconds 20]");
                std::process::exit(2);
            }
        }
        i += 2;
    }

    fn status_field(name: &str) -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with(name)).map(str::to_string))
            .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
            .unwrap_or(0)
    }
    let rss_kib = || status_field("VmRSS:");

    fn pct(sorted: &[f64], p: f64) -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        sorted[((p / 100.0) * (sorted.len() - 1) as f64).round() as usize]
    }

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let now = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0;
        let token = granola::bridge::auth::mint_token(granola::server::ServerConfig::test_secret(), "bench", &["operator"], 3600, now());

        // ---- 1. /healthz under heavy population runs ----
        let mut cfg = granola::server::ServerConfig::for_tests();
        cfg.rate_limit = 0;
        let server = granola::server::Server::start(cfg).await.expect("server starts");
        let addr = server.addr();
        let mut c = Client::new(addr);
        let load = json!({"simulationId": "heavy", "model": "one_compartment_iv"});
        c.post_json("/load_simulation", Some(&token), &load.to_string()).await.expect("load");
        for (k, v) in [("CL", 1000.0), ("V", 1.0), ("EndTime", 96.0), ("OutputInterval", 4.0)] {
            let set = json!({"simulationId": "heavy", "parameterPath": k, "value": v});
            c.post_json("/set_parameter_value", Some(&token), &set.to_string()).await.expect("set");
        }
        let heavy = json!({"simulationId": "heavy", "cohort": {"size": 10, "covariates": [{"parameter": "CL", "cv": 0}]}});
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let feeder = {
            let (stop, token, heavy) = (stop.clone(), token.clone(), heavy.clone());
            tokio::spawn(async move {
                let mut c = Client::new(addr);
                let mut runs = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let h = c.get("/healthz", &[]).await.expect("healthz").json();
                    if h["jobs"]["active"].as_u64().unwrap_or(0) < 4 {
                        let r = c.post_json("/run_population_simulation", Some(&token), &heavy.to_string()).await.expect("submit");
                        if r.status == 202 {
                            runs += 1;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                runs
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut lat = Vec::new();
        let mut busy_samples = 0u64;
        let mut probe = Client::new(addr);
        let end = Instant::now() + Duration::from_secs(seconds);
        while Instant::now() < end {
            let t = Instant::now();
            let h = probe.get("/healthz", &[]).await.expect("healthz");
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            if h.json()["workers"]["busy"].as_u64().unwrap_or(0) > 0 {
                busy_samples += 1;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let runs = feeder.await.unwrap_or(0);
        lat.sort_by(f64::total_cmp);
        println!(
            "bench_load: /healthz while heavy population runs execute ({} worker threads, {runs} runs of 10 x 4.8e6 integrator steps, {seconds} s)",
            server.workers()
        );
        println!(
            "  {} probes: p50 {:.2} ms   p95 {:.2} ms   p99 {:.2} ms   max {:.2} ms   (target p99 < 50 ms); workers busy in {:.0}% of probes",
            lat.len(),
            pct(&lat, 50.0),
            pct(&lat, 95.0),
            pct(&lat, 99.0),
            pct(&lat, 100.0),
            100.0 * busy_samples as f64 / lat.len().max(1) as f64
        );
        server.shutdown().await.expect("shutdown");

        // ---- 2. memory under a submission flood ----
        let data = std::env::temp_dir().join(format!("granola-bench-load-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let mut cfg = granola::server::ServerConfig::for_tests();
        cfg.rate_limit = 0;
        cfg.speed = 1000.0;
        cfg.slots = 16;
        cfg.data_dir = Some(data.clone());
        cfg.max_finished_jobs = 2_000;
        let server = granola::server::Server::start(cfg).await.expect("server starts");
        let addr = server.addr();
        let mut c = Client::new(addr);
        c.post_json("/load_simulation", Some(&token), r#"{"simulationId":"s","model":"one_compartment_iv"}"#).await.expect("load");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut clients = Vec::new();
        for _ in 0..16 {
            let (stop, token) = (stop.clone(), token.clone());
            clients.push(tokio::spawn(async move {
                let mut c = Client::new(addr);
                let (mut accepted, mut full) = (0u64, 0u64);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match c.post_json("/run_simulation", Some(&token), r#"{"simulationId":"s"}"#).await {
                        Ok(r) if r.status == 202 => accepted += 1,
                        Ok(r) if r.status == 429 => {
                            full += 1;
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                        _ => {}
                    }
                }
                (accepted, full)
            }));
        }
        println!("bench_load: resident memory during a {flood_seconds} s submission flood (16 clients, speed 1000, 16 slots, SQLite, at most 2000 finished jobs kept)");
        let mut samples = Vec::new();
        let start = Instant::now();
        for s in 1..=flood_seconds {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let h = Client::new(addr).get("/healthz", &[]).await.expect("healthz").json();
            samples.push(rss_kib());
            println!(
                "  t={s:>3} s  RSS {:>7} KiB  threads {:>3}  jobs stored {:>5}  finished {:>5}  evicted {:>7}  active {:>4}",
                rss_kib(),
                status_field("Threads:"),
                h["retention"]["jobs"],
                h["retention"]["finishedJobs"],
                h["retention"]["evicted"],
                h["jobs"]["active"]
            );
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (mut accepted, mut full) = (0, 0);
        for t in clients {
            let (a, f) = t.await.unwrap_or((0, 0));
            accepted += a;
            full += f;
        }
        let third = samples.len() / 3;
        let early = samples.get(third.max(1) - 1).copied().unwrap_or(0);
        let last = samples.last().copied().unwrap_or(0);
        println!(
            "  {accepted} submissions accepted ({:.0}/s), {full} answered 429 (queue full); RSS at t={} s {early} KiB, at the end {last} KiB ({:+.1}%)",
            accepted as f64 / start.elapsed().as_secs_f64(),
            third.max(1),
            if early > 0 { 100.0 * (last as f64 - early as f64) / early as f64 } else { 0.0 }
        );
        server.shutdown().await.expect("shutdown");
        let _ = std::fs::remove_dir_all(&data);
    });
}

#[cfg(target_arch = "wasm32")]
fn main() {}
