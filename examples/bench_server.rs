//! Load benchmark for `granola serve`: concurrent keep-alive clients on loopback against an
//! in-process server (rate limit off, request log off), then a check that every submitted job
//! is still known and ends terminal. Prints throughput and p50/p95/p99 latency.
//!
//! ```text
//! cargo run --release --example bench_server [-- --clients 64 --rounds 100 --speed 1000 --slots 4]
//! ```

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/server_support/load.rs"]
mod load;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::time::Duration;

    let mut clients = 64usize;
    let mut rounds = 100usize;
    let mut speed = 1000.0f64;
    let mut slots = 4usize;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--clients" => clients = value.parse().expect("--clients N"),
            "--rounds" => rounds = value.parse().expect("--rounds N"),
            "--speed" => speed = value.parse().expect("--speed X"),
            "--slots" => slots = value.parse().expect("--slots N"),
            other => {
                eprintln!("unknown argument {other}\nusage: bench_server [--clients 64] [--rounds 100] [--speed 1000] [--slots 4]");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    let clients = clients.clamp(1, 1024);
    let rounds = rounds.clamp(1, 10_000);

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let code = rt.block_on(async move {
        let mut cfg = granola::server::ServerConfig::for_tests();
        cfg.rate_limit = 0;
        cfg.speed = speed;
        cfg.slots = slots;
        let server = granola::server::Server::start(cfg).await.expect("server starts");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0;
        let token = granola::bridge::auth::mint_token(granola::server::ServerConfig::test_secret(), "bench", &["operator"], 3600, now);
        load::prepare(server.addr(), &token, "bench").await.expect("load_simulation");
        let plan = load::LoadPlan { clients, rounds, token: token.clone(), simulation: "bench".into() };
        println!(
            "bench_server: {} clients x {} rounds x {} requests = {} requests against {} (speed {speed}, {slots} slots)",
            clients,
            rounds,
            load::REQUESTS_PER_ROUND,
            clients * rounds * load::REQUESTS_PER_ROUND,
            server.url()
        );
        let report = load::run(server.addr(), &plan).await;
        println!("requests:    {}", report.requests);
        println!("failures:    {}", report.failures);
        println!("elapsed:     {:.3} s", report.elapsed.as_secs_f64());
        println!("throughput:  {:.0} req/s", report.throughput());
        println!(
            "latency:     p50 {:.3} ms   p95 {:.3} ms   p99 {:.3} ms   max {:.3} ms",
            report.percentile_ms(50.0),
            report.percentile_ms(95.0),
            report.percentile_ms(99.0),
            report.percentile_ms(100.0)
        );
        for s in &report.failure_samples {
            println!("  failure: {s}");
        }
        let drain = std::time::Instant::now();
        let finals = load::final_statuses(server.addr(), &token, &report.jobs, Duration::from_secs(600)).await;
        let mut code = if report.failures == 0 { 0 } else { 1 };
        match finals {
            Ok(finals) => {
                let succeeded = finals.iter().filter(|(_, s)| s == "succeeded").count();
                let cancelled = finals.iter().filter(|(_, s)| s == "cancelled").count();
                let other = finals.len() - succeeded - cancelled;
                println!(
                    "jobs:        {} submitted, {} succeeded, {} cancelled, {} other, 0 lost (drained in {:.3} s)",
                    report.jobs.len(),
                    succeeded,
                    cancelled,
                    other,
                    drain.elapsed().as_secs_f64()
                );
                if other > 0 {
                    code = 1;
                }
            }
            Err(e) => {
                println!("jobs:        {e}");
                code = 1;
            }
        }
        let _ = server.shutdown().await;
        code
    });
    std::process::exit(code);
}

#[cfg(target_arch = "wasm32")]
fn main() {}
