//! The native HTTP server (`granola serve`) and tokens (`granola token`).
//!
//! One process serves three things on one port:
//! - the bridge tools: `POST /<tool>` with a JSON body and `Authorization: Bearer <jwt>`,
//!   answered with the bridge's own status and JSON body; `GET /tools` lists them;
//!   `GET /jobs/{jobId}/events` streams a job's changes as server-sent events;
//! - an MCP endpoint, `POST /mcp`, speaking JSON-RPC 2.0 (`initialize`, `tools/list`,
//!   `tools/call`, `ping`) over the same bridge;
//! - the built web site from `--dist` at `/` (plus `GET /healthz`).
//!
//! All requests share one [`Core`]: the job engine and the bridge behind a mutex, held only
//! briefly. A ticker thread advances the engine on real time (a [`crate::jobs::Clock`] at
//! `--speed`) and records what changed in the store; the simulations' arithmetic runs on a
//! worker pool ([`pool`]), never under the mutex. With `--data DIR` (the CLI's default is
//! `granola-data/`) jobs, results and idempotency keys live in SQLite ([`sqlite`]) and survive
//! a restart; the token secret comes from `$GRANOLA_SECRET` or a file generated there
//! ([`secret`]).
//!
//! Robustness: bodies are bounded (413), clients are rate limited per IP in fixed windows (429
//! with `Retry-After`, the body read first so the client always gets the answer), every
//! request has a time limit (504 `TIMEOUT`) and headers must arrive within 10 s, open
//! connections are capped, Ctrl+C / SIGTERM stop accepting, cut requests still sending their
//! body (503) and let in-flight requests finish within a grace period, the default address is
//! loopback, and each request logs one line on stderr (`time method path status ms client`).
//!
//! Tests and the bench start servers in-process with [`Server::start`] and talk to them with
//! the small HTTP/1.1 [`client::Client`].

pub mod cli;
pub mod client;
mod events;
mod http;
mod limit;
mod mcp;
pub mod pool;
pub mod secret;
mod site;
pub mod sqlite;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use cli::{cli_serve, cli_token};
pub use state::Core;

/// Everything `granola serve` can be told.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The built site (Trunk's `dist/`).
    pub dist: PathBuf,
    /// HS256 secret for bearer tokens (`--secret`); at least 32 bytes.
    pub secret: Option<String>,
    /// The value of `$GRANOLA_SECRET` (read by the CLI; used when `secret` is `None`).
    pub secret_env: Option<String>,
    /// Where the job database and the generated secret live; `None` keeps jobs in memory and
    /// signs with a random secret for this process (in-process test servers).
    pub data_dir: Option<PathBuf>,
    /// Job-ms per wall-ms for the engine's clock.
    pub speed: f64,
    /// Engine worker slots (jobs running at once).
    pub slots: usize,
    /// Threads computing simulations (0 = one per CPU).
    pub workers: usize,
    /// Largest accepted request body in bytes (bigger → 413).
    pub max_body_bytes: usize,
    /// Requests per client IP per window on the API routes (0 = no limit).
    pub rate_limit: u32,
    /// Length of one rate-limit window.
    pub rate_window: Duration,
    /// Time limit for handling one request (→ 504 `TIMEOUT`).
    pub request_timeout: Duration,
    /// How often the ticker advances the engine.
    pub tick: Duration,
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Open connections at most; more wait to be accepted.
    pub max_connections: usize,
    /// One line per request on stderr.
    pub log_requests: bool,
    /// How long finished jobs and their results are kept (0 = no time limit).
    pub retention: Duration,
    /// Most finished jobs kept (oldest-finished evicted first).
    pub max_finished_jobs: usize,
    /// Most bytes of stored results kept (oldest-finished evicted first).
    pub max_result_bytes: u64,
    /// Most jobs queued or running at once (more submissions answer 429).
    pub max_active_jobs: usize,
    /// After a stop signal: how long in-flight requests may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            dist: PathBuf::from("dist"),
            secret: None,
            secret_env: None,
            data_dir: None,
            speed: 1.0,
            slots: crate::jobs::DEFAULT_SLOTS,
            workers: 0,
            max_body_bytes: 1024 * 1024,
            rate_limit: 600,
            rate_window: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            tick: Duration::from_millis(5),
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            log_requests: true,
            retention: Duration::from_millis(crate::bridge::DEFAULT_RETENTION_MS as u64),
            max_finished_jobs: crate::bridge::DEFAULT_MAX_FINISHED_JOBS,
            max_result_bytes: crate::bridge::DEFAULT_MAX_RESULT_BYTES,
            max_active_jobs: crate::bridge::DEFAULT_MAX_ACTIVE_JOBS,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

impl ServerConfig {
    /// A config for tests: a free loopback port, no request log, jobs in memory, signed with
    /// [`ServerConfig::test_secret`], everything else default.
    pub fn for_tests() -> ServerConfig {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log_requests: false,
            secret: Some(ServerConfig::test_secret().to_string()),
            ..ServerConfig::default()
        }
    }

    /// The secret [`ServerConfig::for_tests`] signs with: random, drawn once per process.
    pub fn test_secret() -> &'static str {
        static SECRET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        SECRET.get_or_init(crate::bridge::random_secret)
    }
}

/// A running server (in-process). Dropping it without [`Server::shutdown`] aborts it.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<state::Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// Bind `cfg.addr` and serve on the current tokio runtime until [`Server::shutdown`].
    pub async fn start(cfg: ServerConfig) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(cfg.addr).await?;
        let addr = listener.local_addr()?;
        let shared = state::Shared::new(cfg).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(run(listener, shared.clone(), async move {
            let _ = rx.await;
        }));
        Ok(Server { addr, shared, stop: Some(tx), task: Some(task) })
    }

    /// The bound address (with the real port when the config said 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Run `f` on the shared engine and bridge (after advancing the engine to now).
    pub fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        self.shared.with_core(f)
    }

    /// Worker threads computing simulations.
    pub fn workers(&self) -> usize {
        self.shared.pool.threads()
    }

    /// Stop accepting, let in-flight requests finish, and wait for the server to end.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        self.shared.begin_stop();
        self.shared.stop_ticker();
    }
}

/// Serve on `listener` until `stop` resolves; then stop accepting, answer requests still
/// sending their body with 503, end event streams, let in-flight requests finish within
/// `cfg.shutdown_grace`, record the last engine changes, and return. Accepted jobs are in the
/// store already; the next start marks the unfinished ones failed ("interrupted by restart").
///
/// Our own accept loop (hyper, HTTP/1.1) rather than `axum::serve`, for what that lacks: a
/// header read timeout (slow-header clients), a cap on open connections, and the grace cap.
async fn run(
    listener: tokio::net::TcpListener,
    shared: Arc<state::Shared>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::Service;

    let ticker = shared.start_ticker()?;
    let router = http::router(shared.clone());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(shared.cfg.header_timeout).keep_alive(true);
    let permits = Arc::new(tokio::sync::Semaphore::new(shared.cfg.max_connections.max(1)));
    tokio::pin!(stop);
    loop {
        // Wait for a free connection slot first: over the cap, new clients wait in the
        // kernel's accept queue instead of being refused.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    if shared.cfg.log_requests {
                        eprintln!("granola serve: accept failed: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut router = router.clone();
            async move { router.call(req).await }
        });
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), svc));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    shared.begin_stop();
    let grace = shared.cfg.shutdown_grace;
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(grace) => {
            if shared.cfg.log_requests {
                eprintln!("granola serve: connections still open {:.1} s after the stop; dropping them", grace.as_secs_f64());
            }
        }
    }
    shared.stop_ticker();
    let _ = tokio::task::spawn_blocking(move || {
        let _ = ticker.join();
        shared.final_sync();
    })
    .await;
    Ok(())
}

/// Wall-clock Unix time in milliseconds.
pub(crate) fn unix_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}
