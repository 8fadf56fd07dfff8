//! A load generator for the server, shared by `tests/server_load.rs` and
//! `examples/bench_server.rs`: concurrent keep-alive clients on loopback, each doing a fixed
//! mix of requests, checking every answer's status, and collecting every submitted job id.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use granola::server::client::Client;
use serde_json::{json, Value};

pub struct LoadPlan {
    /// Concurrent clients (one connection each).
    pub clients: usize,
    /// Rounds per client; a round is [`REQUESTS_PER_ROUND`] requests.
    pub rounds: usize,
    /// An operator token.
    pub token: String,
    /// Simulation to run (loaded by [`prepare`]).
    pub simulation: String,
}

/// run_simulation, get_job_status, GET /healthz, list_parameters, an unknown job (404),
/// MCP tools/call get_job_status, and every 5th round a cancel_job.
pub const REQUESTS_PER_ROUND: usize = 6;

#[derive(Default)]
pub struct LoadReport {
    pub requests: usize,
    /// Unexpected statuses or transport errors (up to 20 described).
    pub failures: usize,
    pub failure_samples: Vec<String>,
    pub latencies_us: Vec<u64>,
    pub elapsed: Duration,
    /// Every job id a run_simulation answered with.
    pub jobs: Vec<String>,
    /// Jobs whose cancel_job answered 200.
    pub cancelled: BTreeSet<String>,
}

impl LoadReport {
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Latency percentile in milliseconds (`p` in 0..=100).
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let mut v = self.latencies_us.clone();
        v.sort_unstable();
        let idx = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
        v[idx.min(v.len() - 1)] as f64 / 1000.0
    }

    fn merge(&mut self, other: LoadReport) {
        self.requests += other.requests;
        self.failures += other.failures;
        for s in other.failure_samples {
            if self.failure_samples.len() < 20 {
                self.failure_samples.push(s);
            }
        }
        self.latencies_us.extend(other.latencies_us);
        self.jobs.extend(other.jobs);
        self.cancelled.extend(other.cancelled);
    }
}

/// Load the simulation the clients will run.
pub async fn prepare(addr: SocketAddr, token: &str, simulation: &str) -> Result<(), String> {
    let mut c = Client::new(addr);
    let body = json!({"simulationId": simulation, "model": "one_compartment_iv"}).to_string();
    let r = c.post_json("/load_simulation", Some(token), &body).await.map_err(|e| e.to_string())?;
    if r.status != 201 {
        return Err(format!("load_simulation answered {}: {}", r.status, r.text()));
    }
    Ok(())
}

struct Timed<'a> {
    c: Client,
    report: &'a mut LoadReport,
    tag: usize,
}

impl Timed<'_> {
    async fn send(&mut self, what: &str, expect: &[u16], fut_req: Req<'_>) -> Option<Value> {
        let started = Instant::now();
        let result = match fut_req {
            Req::Post { path, token, body } => self.c.post_json(path, token, &body).await,
            Req::Get { path } => self.c.get(path, &[]).await,
        };
        self.report.latencies_us.push(started.elapsed().as_micros() as u64);
        self.report.requests += 1;
        match result {
            Ok(r) if expect.contains(&r.status) => Some(r.json()),
            Ok(r) => {
                self.fail(format!("client {}: {what}: status {} body {}", self.tag, r.status, r.text()));
                None
            }
            Err(e) => {
                self.fail(format!("client {}: {what}: {e}", self.tag));
                None
            }
        }
    }

    fn fail(&mut self, msg: String) {
        self.report.failures += 1;
        if self.report.failure_samples.len() < 20 {
            self.report.failure_samples.push(msg);
        }
    }
}

enum Req<'a> {
    Post { path: &'a str, token: Option<&'a str>, body: String },
    Get { path: &'a str },
}

async fn one_client(addr: SocketAddr, tag: usize, rounds: usize, token: String, simulation: String) -> LoadReport {
    let mut report = LoadReport::default();
    let mut t = Timed { c: Client::new(addr), report: &mut report, tag };
    let tok = Some(token.as_str());
    for round in 0..rounds {
        // Long timeouts: under load the queue is deep and job time runs fast.
        let run = json!({"simulationId": simulation, "timeoutSeconds": 604800, "runId": format!("c{tag}-r{round}")});
        let job = t
            .send("run_simulation", &[202], Req::Post { path: "/run_simulation", token: tok, body: run.to_string() })
            .await
            .and_then(|b| b["jobId"].as_str().map(str::to_string));
        if let Some(job) = &job {
            t.report.jobs.push(job.clone());
            let body = json!({"jobId": job}).to_string();
            t.send("get_job_status", &[200], Req::Post { path: "/get_job_status", token: tok, body }).await;
        } else {
            t.fail(format!("client {tag}: run_simulation gave no jobId"));
        }
        t.send("healthz", &[200], Req::Get { path: "/healthz" }).await;
        let body = json!({"simulationId": simulation}).to_string();
        t.send("list_parameters", &[200], Req::Post { path: "/list_parameters", token: tok, body }).await;
        let body = json!({"jobId": format!("missing-{tag}-{round}")}).to_string();
        t.send("get_job_status(unknown)", &[404], Req::Post { path: "/get_job_status", token: tok, body }).await;
        let target = job.clone().unwrap_or_else(|| "missing".into());
        if round % 5 == 4 {
            let body = json!({"jobId": target}).to_string();
            // 404 when the job already finished (the bridge's documented choice).
            if let Some(b) =
                t.send("cancel_job", &[200, 404], Req::Post { path: "/cancel_job", token: tok, body }).await
            {
                if b.get("error").is_none() {
                    t.report.cancelled.insert(target.clone());
                }
            }
        } else {
            let body = json!({"jsonrpc": "2.0", "id": round, "method": "tools/call",
                "params": {"name": "get_job_status", "arguments": {"jobId": target}}})
            .to_string();
            if let Some(b) = t.send("mcp tools/call", &[200], Req::Post { path: "/mcp", token: tok, body }).await {
                if b["result"]["isError"] != false {
                    t.fail(format!("client {tag}: mcp tools/call: {b}"));
                }
            }
        }
    }
    report
}

/// Run the plan: `clients` concurrent clients, `rounds` rounds each.
pub async fn run(addr: SocketAddr, plan: &LoadPlan) -> LoadReport {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for tag in 0..plan.clients {
        tasks.push(tokio::spawn(one_client(addr, tag, plan.rounds, plan.token.clone(), plan.simulation.clone())));
    }
    let mut report = LoadReport::default();
    for task in tasks {
        match task.await {
            Ok(r) => report.merge(r),
            Err(e) => {
                report.failures += 1;
                report.failure_samples.push(format!("client task failed: {e}"));
            }
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// Poll every job over HTTP until all are terminal (or `limit` passes). Returns the final
/// status of each job; a job the server no longer knows is an error ("lost").
pub async fn final_statuses(
    addr: SocketAddr,
    token: &str,
    jobs: &[String],
    limit: Duration,
) -> Result<Vec<(String, String)>, String> {
    let deadline = Instant::now() + limit;
    let mut c = Client::new(addr);
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        loop {
            let body = json!({"jobId": job}).to_string();
            let r = c.post_json("/get_job_status", Some(token), &body).await.map_err(|e| e.to_string())?;
            if r.status != 200 {
                return Err(format!("job {job} lost: get_job_status answered {}: {}", r.status, r.text()));
            }
            let status = r.json()["status"].as_str().unwrap_or("").to_string();
            if ["succeeded", "failed", "cancelled", "timeout"].contains(&status.as_str()) {
                out.push((job.clone(), status));
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("job {job} still {status} after {limit:?}"));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    Ok(out)
}
