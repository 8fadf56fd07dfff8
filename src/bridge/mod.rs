//! The simulation job bridge: JSON tools (load, run, status, cancel, results, PK parameters)
//! with roles and an error taxonomy, on the shared job engine. Transport-free: the native
//! server and the browser console both call [`Bridge::call`].
//! (Being built on the `bridge` branch; this file is the skeleton's placeholder.)

use crate::jobs::Engine;

/// Bridge settings.
#[derive(Clone, Debug)]
pub struct BridgeConfig {
    /// HS256 secret for bearer tokens.
    pub secret: String,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig { secret: "granola-dev-secret".to_string() }
    }
}

/// One tool call as a transport hands it over.
#[derive(Clone, Debug)]
pub struct Call<'a> {
    pub tool: &'a str,
    /// The bearer token (without the `Bearer ` prefix), if any.
    pub token: Option<&'a str>,
    /// The raw JSON request body.
    pub body: &'a str,
    /// The caller's wall clock (Unix ms) for token expiry and timestamps.
    pub unix_ms: f64,
}

/// A tool's answer: an HTTP status and a JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: serde_json::Value,
}

/// The bridge state: loaded simulations, results, idempotency keys, auth settings.
pub struct Bridge {
    pub config: BridgeConfig,
}

impl Bridge {
    pub fn new(config: BridgeConfig) -> Bridge {
        Bridge { config }
    }

    /// Handle one tool call.
    pub fn call(&mut self, engine: &mut Engine, call: &Call) -> Reply {
        let _ = engine;
        Reply {
            status: 500,
            body: serde_json::json!({"error": {"code": "INTERNAL", "message": format!("{} is not available yet", call.tool), "retryable": false, "details": []}}),
        }
    }
}
