//! Bearer tokens: HS256-signed JWTs with `sub`, `exp` and `roles`, checked against the
//! caller's wall clock (`Call::unix_ms`), plus the role model.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::errors::{ApiError, Code};

/// Longest token accepted (bytes); longer ones are rejected before decoding.
pub const MAX_TOKEN_LEN: usize = 8192;

/// The three roles, least to most privileged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "operator" => Some(Role::Operator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The roles that may call a tool needing `self` (admin is listed explicitly, not implied).
    pub fn allowed(self) -> &'static [&'static str] {
        match self {
            Role::Viewer => &["viewer", "operator", "admin"],
            Role::Operator => &["operator", "admin"],
            Role::Admin => &["admin"],
        }
    }
}

/// A verified caller.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    pub sub: String,
    /// Recognised roles, lower-case (unknown role names are dropped).
    pub roles: Vec<Role>,
    pub exp: i64,
    /// Token id, if the token carries one (a token with a `jti` is accepted once).
    pub jti: Option<String>,
}

impl Principal {
    /// Whether the caller holds any role that may call a tool needing `needed`.
    pub fn may(&self, needed: Role) -> bool {
        self.roles.iter().any(|r| needed.allowed().contains(&r.as_str()))
    }
}

fn sign(secret: &str, input: &str) -> Option<Vec<u8>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(input.as_bytes());
    Some(mac.finalize().into_bytes().to_vec())
}

/// Mint a token for `sub` with `roles`, valid for `ttl_s` seconds from `unix_ms`.
pub fn mint_token(secret: &str, sub: &str, roles: &[&str], ttl_s: u64, unix_ms: f64) -> String {
    let now_s = if unix_ms.is_finite() { (unix_ms / 1000.0).floor() as i64 } else { 0 };
    let ttl = i64::try_from(ttl_s).unwrap_or(i64::MAX);
    let header = serde_json::json!({"alg": "HS256", "typ": "JWT"});
    let claims = serde_json::json!({
        "sub": sub,
        "roles": roles,
        "iat": now_s,
        "exp": now_s.saturating_add(ttl),
    });
    mint_claims(secret, &claims.to_string(), &header.to_string())
}

/// Sign arbitrary claims and header JSON (tests use it to build odd tokens).
pub fn mint_claims(secret: &str, claims_json: &str, header_json: &str) -> String {
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header_json), URL_SAFE_NO_PAD.encode(claims_json));
    let signature = sign(secret, &signing_input).map(|s| URL_SAFE_NO_PAD.encode(s)).unwrap_or_default();
    format!("{signing_input}.{signature}")
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(Code::Unauthorized, message).field("Authorization", message)
}

/// Verify `token` (without the `Bearer ` prefix; a leading `Bearer ` is tolerated) with
/// `secret` at wall time `unix_ms`.
pub fn verify(secret: &str, token: Option<&str>, unix_ms: f64) -> Result<Principal, ApiError> {
    let token = match token.map(str::trim) {
        None | Some("") => return Err(unauthorized("Missing bearer token")),
        Some(t) => t,
    };
    let token = token.strip_prefix("Bearer ").map(str::trim).unwrap_or(token);
    if token.len() > MAX_TOKEN_LEN {
        return Err(unauthorized("Token too long"));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(unauthorized("Malformed token"));
    };
    let header: Value = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| unauthorized("Malformed token header"))?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(unauthorized("Unsupported token algorithm (HS256 expected)"));
    }
    let given = URL_SAFE_NO_PAD.decode(s).map_err(|_| unauthorized("Malformed token signature"))?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| ApiError::internal("Token secret unusable"))?;
    mac.update(format!("{h}.{c}").as_bytes());
    if mac.verify_slice(&given).is_err() {
        return Err(unauthorized("Invalid token signature"));
    }
    let claims: Value = URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| unauthorized("Malformed token claims"))?;
    let now_s = if unix_ms.is_finite() { (unix_ms / 1000.0).floor() as i64 } else { 0 };
    let exp = match claims.get("exp") {
        Some(v) => match v.as_i64().or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f.floor() as i64)) {
            Some(e) => e,
            None => return Err(unauthorized("Token expiry is not a number")),
        },
        None => return Err(unauthorized("Token missing expiry")),
    };
    if now_s >= exp {
        return Err(unauthorized("Token expired"));
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_f64) {
        if nbf > now_s as f64 {
            return Err(unauthorized("Token not valid yet"));
        }
    }
    let sub = match claims.get("sub").and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() => s.to_string(),
        _ => return Err(unauthorized("Token missing subject")),
    };
    let mut roles: Vec<Role> = match claims.get("roles") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).filter_map(Role::parse).collect(),
        Some(Value::String(s)) => s.split_whitespace().filter_map(Role::parse).collect(),
        _ => Vec::new(),
    };
    roles.sort();
    roles.dedup();
    let jti = claims.get("jti").and_then(Value::as_str).map(|s| s.chars().take(256).collect());
    Ok(Principal { sub, roles, exp, jti })
}

/// Seconds a used `jti` is remembered past its token's expiry.
pub const REPLAY_WINDOW_S: i64 = 300;

/// Remembers the `jti` of tokens already used, so each can be used only once.
#[derive(Clone, Debug, Default)]
pub struct ReplayGuard {
    seen: std::collections::BTreeMap<String, i64>,
}

impl ReplayGuard {
    /// Accept `p` (a token without `jti` always passes) at wall time `unix_ms`.
    pub fn check(&mut self, p: &Principal, unix_ms: f64) -> Result<(), ApiError> {
        let Some(jti) = &p.jti else { return Ok(()) };
        let now_s = if unix_ms.is_finite() { (unix_ms / 1000.0).floor() as i64 } else { 0 };
        self.seen.retain(|_, exp| exp.saturating_add(REPLAY_WINDOW_S) > now_s);
        if self.seen.contains_key(jti) {
            return Err(unauthorized("Token replay detected"));
        }
        self.seen.insert(jti.clone(), p.exp);
        Ok(())
    }
}

/// The 403 for a caller lacking the role a tool needs.
pub fn forbidden(tool: &str, needed: Role) -> ApiError {
    ApiError::new(Code::Forbidden, "Insufficient permissions")
        .field("roles", format!("{tool} requires one of: {}", needed.allowed().join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = mint_token("s", "ana", &["viewer", "Operator", "root"], 10, 5_000.0);
        let p = verify("s", Some(&t), 5_000.0).unwrap();
        assert_eq!(p.sub, "ana");
        assert_eq!(p.roles, vec![Role::Viewer, Role::Operator]);
        assert_eq!(p.exp, 15);
        assert!(p.may(Role::Operator));
        assert!(!p.may(Role::Admin));
        assert!(verify("s", Some(&t), 15_000.0).is_err());
        assert!(verify("t", Some(&t), 5_000.0).is_err());
    }
}
