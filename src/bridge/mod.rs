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
    /// Unix time (ms) of job time 0, so job times can be shown as ISO-8601 timestamps.
    pub epoch_unix_ms: f64,
}

/// The dev secret used when none is configured.
pub const DEV_SECRET: &str = "granola-dev-secret";

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig { secret: DEV_SECRET.to_string(), epoch_unix_ms: 0.0 }
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

    /// Every tool: `[{name, summary, role, critical, inputSchema}]` (for `GET /tools`, MCP `tools/list`, `list_tools`).
    pub fn tools(&self) -> serde_json::Value {
        serde_json::json!([])
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

/// Bearer tokens: HS256-signed JWTs.
pub mod auth {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    /// Mint a token for `sub` with `roles`, valid for `ttl_s` seconds from `unix_ms`.
    pub fn mint_token(secret: &str, sub: &str, roles: &[&str], ttl_s: u64, unix_ms: f64) -> String {
        let now_s = (unix_ms / 1000.0).floor() as i64;
        let header = serde_json::json!({"alg": "HS256", "typ": "JWT"});
        let claims = serde_json::json!({
            "sub": sub,
            "roles": roles,
            "iat": now_s,
            "exp": now_s.saturating_add(ttl_s as i64),
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
            Ok(mut mac) => {
                mac.update(signing_input.as_bytes());
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        };
        format!("{signing_input}.{signature}")
    }
}
