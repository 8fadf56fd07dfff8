#![cfg(not(target_arch = "wasm32"))]
//! Durable jobs (issue 14): `granola serve --data DIR` is stopped with SIGTERM and killed with
//! SIGKILL while it holds jobs in every state; a new process on the same directory still has
//! every finished job and its results, marks the jobs that were queued or running failed
//! ("interrupted by restart", retryable), keeps idempotency keys, and has every job a client
//! was told was accepted, even when the kill came in the middle of a flood of submissions.
//! A stop does not wait for a long computation.

mod server_support;

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use granola::server::client::Client;
use serde_json::{json, Value};
use server_support::{now_ms, temp_dir};

struct Proc {
    child: Child,
    addr: SocketAddr,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

/// Start the real binary on `data` and wait for its "listening on" line.
fn serve(data: &Path, extra: &[&str]) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_granola"))
        .args(["serve", "--addr", "127.0.0.1:0", "--dist"])
        .arg(data.join("no-dist"))
        .arg("--data")
        .arg(data)
        .args(extra)
        .env_remove("GRANOLA_SECRET")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start granola serve");
    let stderr = child.stderr.take().unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                let _ = tx.send(addr);
            }
            sink.lock().unwrap().push_str(&line);
            sink.lock().unwrap().push('\n');
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("no listening line: {}", log.lock().unwrap()));
    Proc { child, addr: addr.parse().unwrap(), log }
}

impl Proc {
    fn signal(&mut self, sig: i32) -> std::process::ExitStatus {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            assert!(Instant::now() < deadline, "the server did not exit: {}", self.log.lock().unwrap());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn token(data: &Path, sub: &str, role: &str) -> String {
    let secret = std::fs::read_to_string(data.join("secret")).expect("the generated secret");
    granola::bridge::auth::mint_token(secret.trim(), sub, &[role], 3600, now_ms())
}

async fn post(c: &mut Client, tok: &str, tool: &str, body: Value) -> (u16, Value) {
    let r = c.post_json(&format!("/{tool}"), Some(tok), &body.to_string()).await.unwrap();
    (r.status, r.json())
}

async fn submit(c: &mut Client, tok: &str, tool: &str, body: Value) -> String {
    let (s, b) = post(c, tok, tool, body).await;
    assert_eq!(s, 202, "{b}");
    b["jobId"].as_str().unwrap().to_string()
}

async fn status(c: &mut Client, tok: &str, job: &str) -> Value {
    let (s, b) = post(c, tok, "get_job_status", json!({"jobId": job})).await;
    assert_eq!(s, 200, "{job}: {b}");
    b
}

async fn wait_for(c: &mut Client, tok: &str, job: &str, want: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let b = status(c, tok, job).await;
        if b["status"] == want {
            return b;
        }
        assert!(Instant::now() < deadline, "{job} never became {want}: {b}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What a run left behind, keyed by the state it was in when the server went down.
struct Jobs {
    succeeded: String,
    succeeded_results: Value,
    population: String,
    failed: String,
    cancelled: String,
    timed_out: String,
    running: String,
    queued: String,
}

/// One job in every state (one slot, so the long run holds it and two more wait).
async fn jobs_in_every_state(c: &mut Client, tok: &str) -> Jobs {
    let (s, b) = post(c, tok, "load_simulation", json!({"simulationId": "s", "model": "one_compartment_oral"})).await;
    assert_eq!(s, 201, "{b}");
    let succeeded =
        submit(c, tok, "run_simulation", json!({"simulationId": "s", "runId": "kept", "idempotencyKey": "key-ok"}))
            .await;
    wait_for(c, tok, &succeeded, "succeeded").await;
    let (s, succeeded_results) = post(c, tok, "get_simulation_results", json!({"resultsId": "kept"})).await;
    assert_eq!(s, 200);
    let population = submit(
        c,
        tok,
        "run_population_simulation",
        json!({"simulationId": "s", "runId": "pop-kept", "cohort": {"size": 20}}),
    )
    .await;
    wait_for(c, tok, &population, "succeeded").await;
    let failed = submit(c, tok, "run_simulation", json!({"simulationId": "s", "failFirstAttempts": 1})).await;
    wait_for(c, tok, &failed, "failed").await;
    let timed_out = submit(
        c,
        tok,
        "run_population_simulation",
        json!({"simulationId": "s", "timeoutSeconds": 1, "cohort": {"size": 300}}),
    )
    .await;
    wait_for(c, tok, &timed_out, "timeout").await;
    let cancelled =
        submit(c, tok, "run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 5000}})).await;
    wait_for(c, tok, &cancelled, "running").await;
    let (s, _) = post(c, tok, "cancel_job", json!({"jobId": cancelled})).await;
    assert_eq!(s, 200);
    wait_for(c, tok, &cancelled, "cancelled").await;
    let running =
        submit(c, tok, "run_population_simulation", json!({"simulationId": "s", "cohort": {"size": 5000}})).await;
    wait_for(c, tok, &running, "running").await;
    let queued = submit(c, tok, "run_simulation", json!({"simulationId": "s", "idempotencyKey": "key-q"})).await;
    assert_eq!(status(c, tok, &queued).await["status"], "queued");
    Jobs { succeeded, succeeded_results, population, failed, cancelled, timed_out, running, queued }
}

async fn check_after_restart(c: &mut Client, tok: &str, j: &Jobs) {
    let b = status(c, tok, &j.succeeded).await;
    assert_eq!(b["status"], "succeeded");
    assert_eq!(b["resultHandle"]["resultsId"], "kept");
    let (s, r) = post(c, tok, "get_simulation_results", json!({"resultsId": "kept"})).await;
    assert_eq!(s, 200);
    assert_eq!(r, j.succeeded_results, "the results read the same after the restart");
    let (s, r) = post(c, tok, "get_population_results", json!({"resultsId": "pop-kept"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["cohort"]["size"], 20);
    assert_eq!(status(c, tok, &j.population).await["status"], "succeeded");
    let b = status(c, tok, &j.failed).await;
    assert_eq!(b["status"], "failed");
    assert!(b["error"]["message"].as_str().unwrap().contains("InteropError"), "{b}");
    assert_eq!(status(c, tok, &j.cancelled).await["status"], "cancelled");
    assert_eq!(status(c, tok, &j.timed_out).await["status"], "timeout");
    for job in [&j.running, &j.queued] {
        let b = status(c, tok, job).await;
        assert_eq!(b["status"], "failed", "{b}");
        assert!(b["error"]["message"].as_str().unwrap().contains("interrupted by restart"), "{b}");
        assert_eq!(b["error"]["retryable"], true);
        assert!(b["finishedAt"].is_string());
    }
    // Idempotency keys survive: the finished job's key still answers with that job, and a
    // different payload under it is still a conflict.
    let (s, b) =
        post(c, tok, "run_simulation", json!({"simulationId": "s", "runId": "kept", "idempotencyKey": "key-ok"})).await;
    assert_eq!((s, b["jobId"].as_str()), (202, Some(j.succeeded.as_str())));
    let (s, _) = post(c, tok, "run_simulation", json!({"simulationId": "s", "idempotencyKey": "key-ok"})).await;
    assert_eq!(s, 409);
    // Loaded simulations are not kept across a restart: the same request needs it loaded
    // again, and then the interrupted job's key runs it again.
    let (s, b) = post(c, tok, "run_simulation", json!({"simulationId": "s", "idempotencyKey": "key-q"})).await;
    assert_eq!(s, 404, "{b}");
    let (s, _) = post(c, tok, "load_simulation", json!({"simulationId": "s", "model": "one_compartment_oral"})).await;
    assert_eq!(s, 201);
    let (s, b) = post(c, tok, "run_simulation", json!({"simulationId": "s", "idempotencyKey": "key-q"})).await;
    assert_eq!(s, 202, "{b}");
    let again = b["jobId"].as_str().unwrap().to_string();
    assert_ne!(again, j.queued);
    wait_for(c, tok, &again, "succeeded").await;
}

fn data_dir(name: &str) -> PathBuf {
    temp_dir(name)
}

async fn restart_keeps_what_it_promised(sig: i32) {
    let data = data_dir(&format!("restart-{sig}"));
    let mut first = serve(&data, &["--speed", "5", "--slots", "1", "--quiet"]);
    let tok = token(&data, "ann", "operator");
    let mut c = Client::new(first.addr);
    let jobs = jobs_in_every_state(&mut c, &tok).await;
    let st = first.signal(sig);
    if sig == libc::SIGTERM {
        assert_eq!(st.code(), Some(0), "SIGTERM is a clean exit: {}", first.log());
    }
    drop(first);
    let second = serve(&data, &["--speed", "5", "--slots", "1", "--quiet"]);
    assert!(second.log().contains("2 job(s) left unfinished"), "{}", second.log());
    let mut c = Client::new(second.addr);
    check_after_restart(&mut c, &tok, &jobs).await;
    let stranger = token(&data, "bob", "admin");
    let (s, _) = post(&mut c, &stranger, "get_job_status", json!({"jobId": jobs.succeeded})).await;
    assert_eq!(s, 200, "an admin sees every job");
    let bob = token(&data, "bob", "operator");
    let (s, _) = post(&mut c, &bob, "get_job_status", json!({"jobId": jobs.succeeded})).await;
    assert_eq!(s, 404, "another subject does not");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_jobs_in_every_state() {
    restart_keeps_what_it_promised(libc::SIGTERM).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_with_jobs_in_every_state() {
    restart_keeps_what_it_promised(libc::SIGKILL).await;
}

/// SIGKILL in the middle of a flood of submissions: every job whose 202 reached a client is
/// there after the restart (the row is committed before the answer is sent).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_a_flood_loses_no_accepted_job() {
    let data = data_dir("flood");
    let mut first = serve(&data, &["--speed", "50", "--rate-limit", "0", "--max-active", "100000", "--quiet"]);
    let tok = token(&data, "ann", "operator");
    let mut c = Client::new(first.addr);
    let (s, _) =
        post(&mut c, &tok, "load_simulation", json!({"simulationId": "s", "model": "one_compartment_iv"})).await;
    assert_eq!(s, 201);
    let addr = first.addr;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (tok, stop) = (tok.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Client::new(addr);
            let mut accepted = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match c.post_json("/run_simulation", Some(&tok), r#"{"simulationId":"s"}"#).await {
                    Ok(r) if r.status == 202 => accepted.push(r.json()["jobId"].as_str().unwrap().to_string()),
                    Ok(r) => panic!("unexpected {}: {}", r.status, r.text()),
                    Err(_) => break, // the server is gone
                }
            }
            accepted
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    first.signal(libc::SIGKILL);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut accepted = Vec::new();
    for t in tasks {
        accepted.extend(t.await.unwrap());
    }
    assert!(accepted.len() >= 50, "the flood got going ({} accepted)", accepted.len());
    drop(first);
    let second = serve(&data, &["--rate-limit", "0", "--quiet"]);
    let mut c = Client::new(second.addr);
    let mut kinds = std::collections::BTreeMap::new();
    for job in &accepted {
        let b = status(&mut c, &tok, job).await;
        *kinds.entry(b["status"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    eprintln!("{} accepted before the kill: {kinds:?}", accepted.len());
}

/// A stop does not wait for a computation in progress: SIGTERM while a worker is deep in a
/// heavy population run ends the process cleanly with the run unfinished (it is failed
/// "interrupted by restart" on the next start), instead of holding the exit for the numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_does_not_wait_for_a_long_computation() {
    let data = data_dir("long-step");
    let mut p = serve(&data, &["--workers", "1", "--quiet"]);
    let tok = token(&data, "ann", "operator");
    let mut c = Client::new(p.addr);
    let (s, _) =
        post(&mut c, &tok, "load_simulation", json!({"simulationId": "h", "model": "one_compartment_iv"})).await;
    assert_eq!(s, 201);
    for (k, v) in [("CL", 1000.0), ("V", 1.0), ("EndTime", 96.0), ("OutputInterval", 4.0)] {
        let (s, _) =
            post(&mut c, &tok, "set_parameter_value", json!({"simulationId": "h", "parameterPath": k, "value": v}))
                .await;
        assert_eq!(s, 200);
    }
    let job = submit(
        &mut c,
        &tok,
        "run_population_simulation",
        json!({"simulationId": "h", "cohort": {"size": 10, "covariates": [{"parameter": "CL", "cv": 0}]}}),
    )
    .await;
    // Wait until a worker is computing.
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.get("/healthz", &[]).await.unwrap().json()["workers"]["busy"] == 0 {
        assert!(Instant::now() < deadline, "the run never started computing");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let st = p.signal(libc::SIGTERM);
    assert_eq!(st.code(), Some(0), "{}", p.log());
    drop(p);
    let second = serve(&data, &["--quiet"]);
    let mut c = Client::new(second.addr);
    let b = status(&mut c, &tok, &job).await;
    assert_eq!(b["status"], "failed");
    assert!(b["error"]["message"].as_str().unwrap().contains("interrupted by restart"), "{b}");
}

/// Defect 2: no built-in signing secret. Without one the server generates a random secret in
/// its data directory (owner-only), `granola token --data DIR --sub NAME` signs with it, the
/// published old default signs nothing, and a given secret shorter than 32 bytes is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_is_generated_per_data_directory_and_shared_with_granola_token() {
    let bin = env!("CARGO_BIN_EXE_granola");
    let data = data_dir("secret");
    let p = serve(&data, &["--quiet"]);
    assert!(p.log().contains("(generated now)"), "{}", p.log());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("secret")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let mode = std::fs::metadata(data.join("granola.db")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let out = Command::new(bin)
        .args(["token", "--role", "operator", "--sub", "ann", "--data"])
        .arg(&data)
        .env_remove("GRANOLA_SECRET")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ann = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let mut c = Client::new(p.addr);
    let (s, _) =
        post(&mut c, &ann, "load_simulation", json!({"simulationId": "s", "model": "one_compartment_iv"})).await;
    assert_eq!(s, 201, "granola token --data signs for granola serve --data");
    let job = submit(&mut c, &ann, "run_simulation", json!({"simulationId": "s"})).await;
    let bob = token(&data, "bob", "operator");
    let (s, _) = post(&mut c, &bob, "get_job_status", json!({"jobId": job})).await;
    assert_eq!(s, 404, "--sub gives each participant their own jobs");
    // The old built-in development secret signs nothing any more.
    let old = granola::bridge::auth::mint_token("granola-dev-secret", "ann", &["admin"], 600, now_ms());
    let (s, _) = post(&mut c, &old, "get_job_status", json!({"jobId": job})).await;
    assert_eq!(s, 401);
    drop(p);
    // Another data directory, another secret: ann's token means nothing there.
    let other = data_dir("secret-other");
    let q = serve(&other, &["--quiet"]);
    let (s, _) = post(&mut Client::new(q.addr), &ann, "list_tools", json!({})).await;
    assert_eq!(s, 401);
    drop(q);
    // Short secrets are refused, from the environment or the flag.
    for (env, flag) in [(Some("too-short"), None), (None, Some("also-too-short"))] {
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--quiet", "--data"]).arg(data_dir("secret-short"));
        if let Some(f) = flag {
            cmd.args(["--secret", f]);
        }
        match env {
            Some(e) => cmd.env("GRANOLA_SECRET", e),
            None => cmd.env_remove("GRANOLA_SECRET"),
        };
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("at least 32 bytes"), "{out:?}");
    }
    // A long enough one is used as it is, by both commands.
    let secret = "a-workshop-secret-of-more-than-32-bytes";
    let env_dir = data_dir("secret-env");
    let r = serve_env(&env_dir, secret);
    let out = Command::new(bin).args(["token", "--role", "viewer"]).env("GRANOLA_SECRET", secret).output().unwrap();
    let tok = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let (s, _) = post(&mut Client::new(r.addr), &tok, "list_tools", json!({})).await;
    assert_eq!(s, 200);
    assert!(!env_dir.join("secret").exists(), "nothing generated when a secret is given");
}

fn serve_env(data: &Path, secret: &str) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_granola"))
        .args(["serve", "--addr", "127.0.0.1:0", "--quiet", "--data"])
        .arg(data)
        .env("GRANOLA_SECRET", secret)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("a listening line").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Proc { child, addr, log: Default::default() }
}
