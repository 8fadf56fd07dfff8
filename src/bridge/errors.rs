//! The one error shape every tool failure uses:
//! `{"error": {"code", "message", "retryable", "details": [{"field", "issue"}]}}`.

use serde_json::{json, Value};

use super::Reply;

/// Error codes and the HTTP status each maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    InvalidInput,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    Timeout,
    Internal,
}

impl Code {
    /// The wire spelling, e.g. `INVALID_INPUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidInput => "INVALID_INPUT",
            Code::Unauthorized => "UNAUTHORIZED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::Conflict => "CONFLICT",
            Code::RateLimited => "RATE_LIMITED",
            Code::Timeout => "TIMEOUT",
            Code::Internal => "INTERNAL",
        }
    }

    /// The HTTP status.
    pub fn status(self) -> u16 {
        match self {
            Code::InvalidInput => 400,
            Code::Unauthorized => 401,
            Code::Forbidden => 403,
            Code::NotFound => 404,
            Code::Conflict => 409,
            Code::RateLimited => 429,
            Code::Timeout => 504,
            Code::Internal => 500,
        }
    }

    /// Whether a client may sensibly retry the same request later.
    pub fn default_retryable(self) -> bool {
        matches!(self, Code::RateLimited | Code::Timeout)
    }

    /// Every code, in table order (for docs and tests).
    pub const ALL: [Code; 8] = [
        Code::InvalidInput,
        Code::Unauthorized,
        Code::Forbidden,
        Code::NotFound,
        Code::Conflict,
        Code::RateLimited,
        Code::Timeout,
        Code::Internal,
    ];
}

/// One entry of `details`: which request field, and what is wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Detail {
    pub field: String,
    pub issue: String,
}

/// A tool failure, turned into a [`Reply`] by [`ApiError::into_reply`].
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    pub retryable: bool,
    pub details: Vec<Detail>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into(), retryable: code.default_retryable(), details: Vec::new() }
    }

    /// A 400 naming the offending field.
    pub fn invalid(field: &str, issue: impl Into<String>) -> ApiError {
        let issue = issue.into();
        ApiError::new(Code::InvalidInput, format!("Invalid input: {field}: {issue}")).field(field, issue)
    }

    pub fn not_found(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::new(Code::NotFound, message.clone()).field(field, message)
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::new(Code::Conflict, message.clone()).field(field, message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(Code::Internal, message)
    }

    /// Add a `{field, issue}` detail.
    pub fn field(mut self, field: &str, issue: impl Into<String>) -> ApiError {
        self.details.push(Detail { field: field.to_string(), issue: issue.into() });
        self
    }

    pub fn retryable(mut self, retryable: bool) -> ApiError {
        self.retryable = retryable;
        self
    }

    pub fn body(&self) -> Value {
        let details: Vec<(&str, &str)> = self.details.iter().map(|d| (d.field.as_str(), d.issue.as_str())).collect();
        error_body(self.code, &self.message, self.retryable, &details)
    }

    pub fn into_reply(self) -> Reply {
        Reply { status: self.code.status(), body: self.body() }
    }
}

/// Build an error body in the shared shape (for hosts that produce errors themselves,
/// e.g. the server's 429 or a transport-level 400).
pub fn error_body(code: Code, message: &str, retryable: bool, details: &[(&str, &str)]) -> Value {
    let details: Vec<Value> = details.iter().map(|(field, issue)| json!({"field": field, "issue": issue})).collect();
    json!({"error": {"code": code.as_str(), "message": message, "retryable": retryable, "details": details}})
}

/// The 429 reply the server sends when a client exceeds its rate limit.
pub fn rate_limited(retry_after_s: u64) -> Reply {
    let issue = format!("retry after {retry_after_s} s");
    Reply {
        status: 429,
        body: error_body(Code::RateLimited, "Rate limit exceeded", true, &[("request", issue.as_str())]),
    }
}
