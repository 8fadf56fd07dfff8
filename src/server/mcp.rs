//! `POST /mcp`: the bridge tools for agents, as JSON-RPC 2.0 (MCP streamable HTTP without
//! server-sent streams: every request gets one JSON response).
//!
//! - `initialize` (no auth), `ping`, `tools/list`, `tools/call` (`{name, arguments}`; the
//!   bearer token comes from the HTTP `Authorization` header; `critical: true` or the
//!   `X-MCP-Confirm` header confirm a critical tool).
//! - A notification (no `id`) gets `202 Accepted` with an empty body.
//! - Batches are rejected (-32600); unknown methods get -32601; bad JSON -32700.
//! - A tool's HTTP-level error becomes a JSON-RPC error (HTTP 200): 401 → -32000,
//!   403 → -32001, 404 → -32601, 400 → -32602, anything else → -32002; `data` is the
//!   bridge's whole error body. A success is `{content:[{type:"text", text}],
//!   structuredContent, isError:false}`.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::http::{bearer, json_response, read_body, App};

/// Protocol versions this server speaks, newest first.
const PROTOCOL_VERSIONS: &[&str] = &["2025-06-18", "2025-03-26", "2024-11-05"];

pub(crate) async fn handle(State(app): State<App>, headers: HeaderMap, body: Body) -> Response {
    let text = match read_body(&app, &headers, body).await {
        Ok(text) => text,
        Err(resp) => return resp,
    };
    let request: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return rpc_error(Value::Null, -32700, &format!("parse error: {e}"), None),
    };
    let obj = match request {
        Value::Array(_) => return rpc_error(Value::Null, -32600, "batch requests are not supported", None),
        Value::Object(obj) => obj,
        _ => return rpc_error(Value::Null, -32600, "a JSON-RPC request must be an object", None),
    };
    let id = obj.get("id").cloned();
    if let Some(bad) = id.as_ref().filter(|id| !(id.is_string() || id.is_number() || id.is_null())) {
        let _ = bad;
        return rpc_error(Value::Null, -32600, "id must be a string or a number", None);
    }
    let reply_id = id.clone().unwrap_or(Value::Null);
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return rpc_error(reply_id, -32600, "jsonrpc must be \"2.0\"", None);
    }
    let Some(method) = obj.get("method").and_then(Value::as_str) else {
        // A response sent by a client (result/error, no method) is accepted and ignored.
        if id.is_some() && (obj.contains_key("result") || obj.contains_key("error")) {
            return StatusCode::ACCEPTED.into_response();
        }
        return rpc_error(reply_id, -32600, "method must be a string", None);
    };
    let params = obj.get("params").cloned().unwrap_or(Value::Null);
    if id.is_none() {
        // Notifications (notifications/initialized, notifications/cancelled, ...) need no answer.
        return StatusCode::ACCEPTED.into_response();
    }
    match method {
        "initialize" => rpc_result(reply_id, initialize(&params)),
        "ping" => rpc_result(reply_id, json!({})),
        "tools/list" | "mcp/tool/list" => list_tools(&app, &headers, reply_id),
        "tools/call" | "mcp/tool/call" => call_tool(&app, &headers, reply_id, &params),
        _ => rpc_error(reply_id, -32601, &format!("method not found: {method}"), None),
    }
}

fn initialize(params: &Value) -> Value {
    let asked = params.get("protocolVersion").and_then(Value::as_str).unwrap_or("");
    let version = PROTOCOL_VERSIONS.iter().find(|v| **v == asked).copied().unwrap_or(PROTOCOL_VERSIONS[0]);
    json!({
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": false}},
        "serverInfo": {"name": "granola", "title": "Granola simulation bridge", "version": env!("CARGO_PKG_VERSION")},
        "instructions": "Simulation job tools. Send the bearer token in the HTTP Authorization header. \
    Submit with run_simulation, poll get_job_status until a terminal status, cancel with cancel_job."
    })
}

/// `tools/list`: every tool without a token; with a token, what the bridge's `list_tools`
/// allows that caller.
fn list_tools(app: &App, headers: &HeaderMap, id: Value) -> Response {
    let tools = match bearer(headers) {
        None => app.tools(),
        Some(token) => {
            let reply = app.call("list_tools", Some(&token), "{}");
            if !(200..300).contains(&reply.status) {
                return tool_error(id, "list_tools", reply);
            }
            reply.body
        }
    };
    rpc_result(id, json!({"tools": mcp_tools(tools)}))
}

/// A bridge tool list (`[...]` or `{"tools": [...]}`) in MCP form.
fn mcp_tools(tools: Value) -> Vec<Value> {
    let list = match tools {
        Value::Array(list) => list,
        Value::Object(mut obj) => match obj.remove("tools") {
            Some(Value::Array(list)) => list,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    list.into_iter().filter_map(mcp_tool).collect()
}

fn mcp_tool(tool: Value) -> Option<Value> {
    let name = tool.get("name")?.as_str()?.to_string();
    let description =
        ["description", "summary"].iter().find_map(|k| tool.get(*k).and_then(Value::as_str)).unwrap_or("").to_string();
    let input_schema =
        tool.get("inputSchema").filter(|s| s.is_object()).cloned().unwrap_or_else(|| json!({"type": "object"}));
    let mut out = Map::new();
    out.insert("name".into(), Value::String(name));
    out.insert("description".into(), Value::String(description));
    out.insert("inputSchema".into(), input_schema);
    if let Some(schema) = tool.get("outputSchema").filter(|s| s.is_object()) {
        out.insert("outputSchema".into(), schema.clone());
    }
    let mut meta = Map::new();
    for key in ["role", "roles", "critical"] {
        if let Some(v) = tool.get(key) {
            meta.insert(format!("granola/{key}"), v.clone());
        }
    }
    if !meta.is_empty() {
        out.insert("_meta".into(), Value::Object(meta));
    }
    Some(Value::Object(out))
}

fn call_tool(app: &App, headers: &HeaderMap, id: Value, params: &Value) -> Response {
    let Some(params) = params.as_object() else {
        return rpc_error(id, -32602, "tools/call needs params {name, arguments}", None);
    };
    let Some(name) = params.get("name").or_else(|| params.get("tool")).and_then(Value::as_str) else {
        return rpc_error(id, -32602, "tools/call needs params.name (a string)", None);
    };
    let arguments = params.get("arguments").or_else(|| params.get("parameters")).cloned().unwrap_or_else(|| json!({}));
    if !arguments.is_object() {
        return rpc_error(id, -32602, "params.arguments must be an object", None);
    }
    let body = arguments.to_string();
    let token = bearer(headers);
    let reply = app.call(name, token.as_deref(), &body);
    if (200..300).contains(&reply.status) {
        let text = serde_json::to_string_pretty(&reply.body).unwrap_or_default();
        return rpc_result(
            id,
            json!({
                "content": [{"type": "text", "text": text}],
                "structuredContent": reply.body,
                "isError": false,
            }),
        );
    }
    tool_error(id, name, reply)
}

/// A failed bridge reply as a JSON-RPC error: the status picks the code, `data` is the body.
fn tool_error(id: Value, name: &str, reply: crate::bridge::Reply) -> Response {
    let code = match reply.status {
        401 => -32000,
        403 => -32001,
        404 => -32601,
        400 | 422 => -32602,
        _ => -32002,
    };
    let message = reply
        .body
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("{name} failed with HTTP status {}", reply.status));
    let mut data = reply.body;
    if let Value::Object(map) = &mut data {
        map.insert("httpStatus".into(), json!(reply.status));
    }
    rpc_error(id, code, &message, Some(data))
}

fn rpc_result(id: Value, result: Value) -> Response {
    json_response(200, &json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

fn rpc_error(id: Value, code: i64, message: &str, data: Option<Value>) -> Response {
    let mut error = json!({"code": code, "message": message});
    if let (Some(data), Value::Object(map)) = (data, &mut error) {
        map.insert("data".into(), data);
    }
    json_response(200, &json!({"jsonrpc": "2.0", "id": id, "error": error}))
}
