//! Shared helpers for the server integration tests (`tests/server_*.rs`).
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use granola::server::client::Client;
use granola::server::{Server, ServerConfig};

/// Start a server on a free loopback port with `tweak` applied to the test config.
///
/// The site directory defaults to a path that does not exist (not `./dist`), so the tests see
/// the "site not built" page whether or not a `trunk build` left a real site in the checkout;
/// tests about the site set `dist` themselves.
pub async fn start(tweak: impl FnOnce(&mut ServerConfig)) -> Server {
    let mut cfg = ServerConfig::for_tests();
    cfg.dist = no_dist();
    tweak(&mut cfg);
    Server::start(cfg).await.expect("server starts")
}

/// A site directory that is never created: the server answers with its "not built" page.
pub fn no_dist() -> PathBuf {
    std::env::temp_dir().join(format!("granola-test-no-dist-{}", std::process::id()))
}

pub fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0
}

/// A token the test servers accept (signed with `ServerConfig::test_secret()`).
pub fn token(roles: &[&str]) -> String {
    granola::bridge::auth::mint_token(granola::server::ServerConfig::test_secret(), "tester", roles, 3600, now_ms())
}

pub fn operator() -> String {
    token(&["operator"])
}

pub fn viewer() -> String {
    token(&["viewer"])
}

pub fn client(server: &Server) -> Client {
    Client::new(server.addr())
}

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "granola-{name}-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        now_ms() as u64
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub mod load;
