//! `granola serve` and `granola token`.
//!
//! Exit codes: 0 done, 2 bad arguments, 3 cannot listen on the address (e.g. port taken),
//! 1 anything else.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::ServerConfig;

pub use super::secret::SECRET_ENV;
use super::secret::{self, DEFAULT_DATA_DIR};

const SERVE_USAGE: &str =
    "usage: granola serve [--addr 127.0.0.1:8080] [--dist dist] [--data granola-data] [--secret S]
                     [--speed 1.0] [--slots 2] [--workers 0] [--rate-limit 600] [--rate-window 60s]
                     [--max-body 1048576] [--timeout 30s] [--max-connections 1024] [--tick-ms 5]
                     [--retention 7d] [--max-jobs 10000] [--max-result-bytes 256M] [--max-active 1000]
                     [--shutdown-grace 5s] [--quiet]

  --addr ADDR           where to listen (default 127.0.0.1:8080: this machine only)
  --dist DIR            the built site to serve at / (default dist)
  --data DIR            jobs, results and the generated token secret (default granola-data);
                        finished jobs and results survive a restart, unfinished ones are marked
                        failed \"interrupted by restart\"
  --secret S            HS256 secret for bearer tokens, at least 32 bytes (default $GRANOLA_SECRET,
                        else DIR/secret, generated on first start with owner-only permissions)
  --speed X             job-ms per wall-ms for the job clock (default 1.0)
  --slots N             jobs that run at once; the rest queue (default 2)
  --workers N           threads computing simulations; 0 = one per CPU (default 0)
  --rate-limit N        API requests per client IP per window; 0 = unlimited (default 600)
  --rate-window D       rate-limit window (default 60s)
  --max-body BYTES      largest request body (default 1048576)
  --timeout D           time limit per request (default 30s); headers must arrive within 10s
  --max-connections N   open connections at most; more wait to be accepted (default 1024)
  --tick-ms MS          engine ticker period (default 5)
  --retention D         how long finished jobs and results are kept; 0 = no time limit (default 7d)
  --max-jobs N          most finished jobs kept, oldest-finished evicted first (default 10000)
  --max-result-bytes B  most bytes of results kept, oldest-finished evicted first (default 256M)
  --max-active N        most jobs queued or running; more submissions get 429 (default 1000)
  --shutdown-grace D    after SIGTERM, time in-flight requests get to finish (default 5s)
  --quiet               no per-request log lines on stderr

Durations: 500ms, 30s, 10m, 1h, 1d (a bare number is seconds). Sizes: 1048576, 512K, 256M, 2G.";

const TOKEN_USAGE: &str =
    "usage: granola token --role ROLE [--role ROLE...] [--ttl 1h] [--sub NAME] [--data DIR] [--secret S]

  --role ROLE   viewer, operator or admin (repeat or comma-separate for several)
  --ttl D       lifetime (default 1h; 500ms, 30s, 10m, 1h, 1d)
  --sub NAME    the token's subject, i.e. who owns the jobs it submits (default granola-dev);
                give each workshop participant their own
  --data DIR    the server's data directory, whose secret signs the token (default granola-data;
                the secret is generated there if the server has not started yet)
  --secret S    HS256 secret (default $GRANOLA_SECRET, else DIR/secret: the same as `granola serve`)";

/// Split `--flag value` / `--flag=value` arguments. Flags in `bare` take no value.
fn parse_flags(args: &[String], bare: &[&str]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let Some(flag) = arg.strip_prefix("--") else {
            return Err(format!("unexpected argument `{arg}`"));
        };
        if let Some((name, value)) = flag.split_once('=') {
            out.push((name.to_string(), value.to_string()));
        } else if bare.contains(&flag) {
            out.push((flag.to_string(), String::new()));
        } else {
            let value = args.get(i + 1).ok_or_else(|| format!("--{flag} needs a value"))?;
            out.push((flag.to_string(), value.clone()));
            i += 1;
        }
        i += 1;
    }
    Ok(out)
}

/// `500ms`, `30s`, `10m`, `1h`, `1d`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, scale_ms) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60_000.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3_600_000.0)
    } else if let Some(n) = t.strip_suffix('d') {
        (n, 86_400_000.0)
    } else {
        (t, 1000.0)
    };
    let value: f64 = num.trim().parse().map_err(|_| format!("bad duration `{text}` (try 30s, 10m, 1h)"))?;
    let ms = value * scale_ms;
    if !(0.0..=1e13).contains(&ms) {
        return Err(format!("bad duration `{text}`"));
    }
    Ok(Duration::from_millis(ms.round() as u64))
}

/// `1048576`, `512K`, `256M`, `2G` (powers of 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, scale) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let n: u64 = num.trim().parse().map_err(|_| format!("bad size `{text}` (try 1048576, 512K, 256M, 2G)"))?;
    n.checked_mul(scale).ok_or_else(|| format!("size `{text}` is too large"))
}

fn count(flag: &str, value: &str, min: usize) -> Result<usize, String> {
    value.parse::<usize>().ok().filter(|n| *n >= min).ok_or_else(|| format!("bad --{flag} `{value}` (at least {min})"))
}

/// Parse `granola serve` arguments into a config.
pub fn parse_serve_args(args: &[String]) -> Result<ServerConfig, String> {
    let mut cfg = ServerConfig {
        secret_env: secret::env_secret(),
        data_dir: Some(PathBuf::from(DEFAULT_DATA_DIR)),
        ..ServerConfig::default()
    };
    for (flag, value) in parse_flags(args, &["quiet", "help"])? {
        match flag.as_str() {
            "addr" => {
                cfg.addr = value
                    .parse::<SocketAddr>()
                    .map_err(|_| format!("bad --addr `{value}` (expected IP:PORT, e.g. 127.0.0.1:8080)"))?
            }
            "dist" => cfg.dist = PathBuf::from(value),
            "secret" => cfg.secret = Some(value),
            "data" => {
                if value.is_empty() {
                    return Err("--data must not be empty".into());
                }
                cfg.data_dir = Some(PathBuf::from(value))
            }
            "workers" => cfg.workers = count("workers", &value, 0)?.min(1024),
            "retention" => cfg.retention = parse_duration(&value)?,
            "max-jobs" => cfg.max_finished_jobs = count("max-jobs", &value, 1)?,
            "max-result-bytes" => cfg.max_result_bytes = parse_size(&value)?,
            "max-active" => cfg.max_active_jobs = count("max-active", &value, 1)?,
            "shutdown-grace" => cfg.shutdown_grace = parse_duration(&value)?,
            "speed" => {
                cfg.speed = value
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| format!("bad --speed `{value}` (a positive number)"))?
            }
            "slots" => {
                cfg.slots = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=1024).contains(n))
                    .ok_or_else(|| format!("bad --slots `{value}` (1 to 1024)"))?
            }
            "rate-limit" => cfg.rate_limit = value.parse().map_err(|_| format!("bad --rate-limit `{value}`"))?,
            "rate-window" => cfg.rate_window = parse_duration(&value)?.max(Duration::from_millis(1)),
            "max-body" => cfg.max_body_bytes = value.parse().map_err(|_| format!("bad --max-body `{value}`"))?,
            "timeout" => cfg.request_timeout = parse_duration(&value)?.max(Duration::from_millis(1)),
            "max-connections" => {
                cfg.max_connections = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| format!("bad --max-connections `{value}`"))?
            }
            "tick-ms" => {
                let ms: u64 = value.parse().map_err(|_| format!("bad --tick-ms `{value}`"))?;
                cfg.tick = Duration::from_millis(ms.max(1));
            }
            "quiet" => cfg.log_requests = false,
            "help" => return Err(String::new()),
            other => return Err(format!("unknown option --{other}")),
        }
    }
    Ok(cfg)
}

/// `granola serve [...]`; returns the process exit code.
pub fn cli_serve(args: &[String]) -> i32 {
    let cfg = match parse_serve_args(args) {
        Ok(cfg) => cfg,
        Err(msg) if msg.is_empty() => {
            out_line(SERVE_USAGE);
            return 0;
        }
        Err(msg) => {
            eprintln!("granola serve: {msg}\n{SERVE_USAGE}");
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("granola serve: cannot start the runtime: {e}");
            return 1;
        }
    };
    runtime.block_on(serve_forever(cfg))
}

async fn serve_forever(cfg: ServerConfig) -> i32 {
    let listener = match tokio::net::TcpListener::bind(cfg.addr).await {
        Ok(l) => l,
        Err(e) => {
            let hint = match e.kind() {
                std::io::ErrorKind::AddrInUse => format!(
                    "the address is already in use (another `granola serve`?); stop it or pick another port, e.g. --addr {}:{}",
                    cfg.addr.ip(),
                    cfg.addr.port().wrapping_add(1).max(1024)
                ),
                std::io::ErrorKind::PermissionDenied => "permission denied (ports below 1024 need privileges)".into(),
                std::io::ErrorKind::AddrNotAvailable => "this machine has no such address".into(),
                _ => e.to_string(),
            };
            eprintln!("granola serve: cannot listen on {}: {hint}", cfg.addr);
            return 3;
        }
    };
    let addr = listener.local_addr().unwrap_or(cfg.addr);
    if !addr.ip().is_loopback() {
        eprintln!("granola serve: warning: listening on {addr}, reachable from other machines");
    }
    let site = if cfg.dist.join("index.html").is_file() {
        format!("site from {}", cfg.dist.display())
    } else {
        format!("no site yet ({} has no index.html)", cfg.dist.display())
    };
    let shared = match super::state::Shared::new(cfg) {
        Ok(shared) => shared,
        Err(e) => {
            eprintln!("granola serve: {e}");
            return 2;
        }
    };
    let tools = shared.tools().as_array().map(Vec::len).unwrap_or(0);
    let (store, interrupted) = shared.with_core(|c| (c.bridge.store().describe(), c.bridge.interrupted_at_start()));
    eprintln!("granola serve: jobs in {store}; tokens signed with the secret from {}", shared.secret_source);
    if interrupted > 0 {
        eprintln!("granola serve: {interrupted} job(s) left unfinished by the previous run are marked failed (interrupted by restart)");
    }
    eprintln!(
        "granola serve: listening on http://{addr} ({tools} tools, {site}, speed {}, {} worker threads); Ctrl+C stops",
        shared.cfg.speed,
        shared.pool.threads()
    );
    match super::run(listener, shared, shutdown_signal()).await {
        Ok(()) => {
            eprintln!("granola serve: stopped");
            0
        }
        Err(e) => {
            eprintln!("granola serve: {e}");
            1
        }
    }
}

/// Ctrl+C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("granola serve: shutting down, finishing in-flight requests");
}

/// Parsed `granola token` arguments.
#[derive(Debug, PartialEq)]
pub struct TokenArgs {
    pub roles: Vec<String>,
    pub ttl: Duration,
    pub sub: String,
    /// `--secret`, if given.
    pub secret: Option<String>,
    /// `--data` (default `granola-data`).
    pub data_dir: PathBuf,
}

pub fn parse_token_args(args: &[String]) -> Result<TokenArgs, String> {
    let mut out = TokenArgs {
        roles: Vec::new(),
        ttl: Duration::from_secs(3600),
        sub: "granola-dev".into(),
        secret: None,
        data_dir: PathBuf::from(DEFAULT_DATA_DIR),
    };
    for (flag, value) in parse_flags(args, &["help"])? {
        match flag.as_str() {
            "role" | "roles" => {
                for role in value.split([',', ' ']).map(str::trim).filter(|r| !r.is_empty()) {
                    if !role.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                        return Err(format!("bad role `{role}`"));
                    }
                    out.roles.push(role.to_ascii_lowercase());
                }
            }
            "ttl" => {
                out.ttl = parse_duration(&value)?;
                if out.ttl.as_secs() == 0 {
                    return Err("--ttl must be at least 1s".into());
                }
            }
            "sub" => {
                if value.is_empty() {
                    return Err("--sub must not be empty".into());
                }
                out.sub = value
            }
            "secret" => out.secret = Some(value),
            "data" => {
                if value.is_empty() {
                    return Err("--data must not be empty".into());
                }
                out.data_dir = PathBuf::from(value)
            }
            "help" => return Err(String::new()),
            other => return Err(format!("unknown option --{other}")),
        }
    }
    if out.roles.is_empty() {
        return Err("--role is required (viewer, operator or admin)".into());
    }
    Ok(out)
}

/// `granola token [...]`; returns the process exit code.
pub fn cli_token(args: &[String]) -> i32 {
    let parsed = match parse_token_args(args) {
        Ok(p) => p,
        Err(msg) if msg.is_empty() => {
            out_line(TOKEN_USAGE);
            return 0;
        }
        Err(msg) => {
            eprintln!("granola token: {msg}\n{TOKEN_USAGE}");
            return 2;
        }
    };
    for role in &parsed.roles {
        if !matches!(role.as_str(), "viewer" | "operator" | "admin") {
            eprintln!("granola token: warning: `{role}` is not one of viewer, operator, admin");
        }
    }
    let secret = match secret::resolve(parsed.secret.as_deref(), secret::env_secret(), Some(&parsed.data_dir)) {
        Ok((s, _)) => s,
        Err(e) => {
            eprintln!("granola token: {e}");
            return 2;
        }
    };
    let roles: Vec<&str> = parsed.roles.iter().map(String::as_str).collect();
    let token = crate::bridge::auth::mint_token(&secret, &parsed.sub, &roles, parsed.ttl.as_secs(), super::unix_ms());
    out_line(&token);
    0
}

/// One line on stdout; a closed pipe (`granola serve --help | head -3`) is not a panic.
fn out_line(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("45s").unwrap(), Duration::from_secs(45));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn serve_args() {
        let cfg = parse_serve_args(&args(&["--addr", "127.0.0.1:0", "--dist=www", "--speed", "2", "--quiet"])).unwrap();
        assert_eq!(cfg.addr.port(), 0);
        assert_eq!(cfg.dist, PathBuf::from("www"));
        assert_eq!(cfg.speed, 2.0);
        assert!(!cfg.log_requests);
        assert!(parse_serve_args(&args(&["--addr", "nowhere"])).is_err());
        assert!(parse_serve_args(&args(&["--speed", "0"])).is_err());
        assert!(parse_serve_args(&args(&["--bogus", "1"])).is_err());
        assert!(parse_serve_args(&args(&["--addr"])).is_err());
        let d = parse_serve_args(&[]).unwrap();
        assert!(d.addr.ip().is_loopback());
        assert_eq!(d.addr.port(), 8080);
    }

    #[test]
    fn token_args() {
        let t =
            parse_token_args(&args(&["--role", "operator", "--role", "viewer,admin", "--ttl", "10m", "--sub", "ann"]))
                .unwrap();
        assert_eq!(t.roles, vec!["operator", "viewer", "admin"]);
        assert_eq!(t.ttl, Duration::from_secs(600));
        assert_eq!(t.sub, "ann");
        assert!(parse_token_args(&args(&[])).is_err());
        assert!(parse_token_args(&args(&["--role", "op;rm"])).is_err());
    }
}
