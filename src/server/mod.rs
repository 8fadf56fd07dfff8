//! The native HTTP server (`granola serve`) and dev tokens (`granola token`).
//!
//! One process serves three things on one port:
//! - the bridge tools: `POST /<tool>` with a JSON body and `Authorization: Bearer <jwt>`,
//!   answered with the bridge's own status and JSON body; `GET /tools` lists them;
//! - an MCP endpoint, `POST /mcp`, speaking JSON-RPC 2.0 (`initialize`, `tools/list`,
//!   `tools/call`, `ping`) over the same bridge;
//! - the built web site from `--dist` at `/` (plus `GET /healthz`).
//!
//! All requests share one [`Core`]: the job engine and the bridge behind a mutex. A background
//! ticker advances the engine on real time (a [`crate::jobs::Clock`] at `--speed`), and every
//! request advances it once more right before it is handled.
//!
//! Robustness: bodies are bounded (413), clients are rate limited per IP in fixed windows (429),
//! every request has a time limit (504 `TIMEOUT`) and headers must arrive within 10 s, open
//! connections are capped, Ctrl+C / SIGTERM stop accepting and let in-flight requests finish
//! (within a grace period), the default address is loopback, and each request logs one line
//! on stderr (`time method path status ms client`).
//!
//! Tests and the bench start servers in-process with [`Server::start`] and talk to them with
//! the small HTTP/1.1 [`client::Client`].

pub mod cli;
pub mod client;
mod http;
mod limit;
mod mcp;
mod site;
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
    /// HS256 secret for bearer tokens.
    pub secret: String,
    /// Job-ms per wall-ms for the engine's clock.
    pub speed: f64,
    /// Engine worker slots (jobs running at once).
    pub slots: usize,
    /// Largest accepted request body in bytes (bigger → 413).
    pub max_body_bytes: usize,
    /// Requests per client IP per window on the API routes (0 = no limit).
    pub rate_limit: u32,
    /// Length of one rate-limit window.
    pub rate_window: Duration,
    /// Time limit for handling one request (→ 504 `TIMEOUT`).
    pub request_timeout: Duration,
    /// How often the background ticker advances the engine.
    pub tick: Duration,
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Open connections at most; more wait to be accepted.
    pub max_connections: usize,
    /// One line per request on stderr.
    pub log_requests: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            dist: PathBuf::from("dist"),
            secret: crate::bridge::DEV_SECRET.to_string(),
            speed: 1.0,
            slots: crate::jobs::DEFAULT_SLOTS,
            max_body_bytes: 1024 * 1024,
            rate_limit: 600,
            rate_window: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            tick: Duration::from_millis(5),
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            log_requests: true,
        }
    }
}

impl ServerConfig {
    /// A config for tests: a free loopback port, no request log, everything else default.
    pub fn for_tests() -> ServerConfig {
        ServerConfig { addr: SocketAddr::from(([127, 0, 0, 1], 0)), log_requests: false, ..ServerConfig::default() }
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
        let shared = state::Shared::new(cfg);
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
    }
}

/// Serve on `listener` until `stop` resolves; then stop accepting, let in-flight requests
/// finish, and return. Connections still open a grace period after the stop (twice the
/// request time limit, at least 1 s) are dropped, so a stuck client cannot hold the shutdown.
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

    let ticker = tokio::spawn(state::ticker(shared.clone()));
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
    let grace = (shared.cfg.request_timeout * 2).max(Duration::from_secs(1));
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(grace) => {
            if shared.cfg.log_requests {
                eprintln!("granola serve: connections still open {:.1} s after the stop; dropping them", grace.as_secs_f64());
            }
        }
    }
    ticker.abort();
    Ok(())
}

/// Wall-clock Unix time in milliseconds.
pub(crate) fn unix_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}
