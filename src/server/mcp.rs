//! `POST /mcp`: the bridge tools for agents, as JSON-RPC 2.0 (MCP streamable HTTP without
//! server-sent streams: every request gets one JSON response).
//!
//! - `initialize` (no auth), `ping`, `tools/list`, `tools/call` (`{name, arguments}`; the
//!   bearer token comes from the HTTP `Authorization` header; `critical: true` or the
//!   `X-MCP-Confirm` header confirm a critical tool).
//! - A notification (no `id`) gets `202 Accepted` with an empty body.
//! - Batches are rejected (-32600); unknown methods get -32601; bad JSON -32700; a
//!   `tools/call` without a tool name, with non-object arguments, or naming a tool that does
//!   not exist gets -32602 (invalid params).
//! - A tool that ran and failed (bad arguments, job not found, conflict, timeout, a full
//!   queue, ...) is a *result*, as the MCP specification asks: `{content:[{type:"text",
//!   text: the error message}], structuredContent: the bridge's error body (plus
//!   `httpStatus`), isError:true}`, so an agent sees the error and can correct itself.
//! - A call refused before any tool ran stays a JSON-RPC error, with the bridge's error body
//!   as `data`: no or a bad token → -32000, a role that may not call the tool → -32001.
//! - A success is `{content:[{type:"text", text}], structuredContent, isError:false}`.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::http::{bearer, call_blocking, json_response, read_body, App};

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
        "tools/list" | "mcp/tool/list" => list_tools(&app, &headers, reply_id).await,
        "tools/call" | "mcp/tool/call" => call_tool(&app, &headers, reply_id, &params).await,
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
async fn list_tools(app: &App, headers: &HeaderMap, id: Value) -> Response {
    let tools = match bearer(headers) {
        None => app.tools(),
        Some(token) => {
            let reply = call_blocking(app, "list_tools".into(), Some(token), "{}".into()).await;
            if !(200..300).contains(&reply.status) {
                return refused(id, "list_tools", reply);
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

async fn call_tool(app: &App, headers: &HeaderMap, id: Value, params: &Value) -> Response {
    let Some(params) = params.as_object() else {
        return rpc_error(id, -32602, "tools/call needs params {name, arguments}", None);
    };
    let Some(name) = params.get("name").or_else(|| params.get("tool")).and_then(Value::as_str) else {
        return rpc_error(id, -32602, "tools/call needs params.name (a string)", None);
    };
    if crate::bridge::tools::spec(name).is_none() {
        let shown: String = name.chars().take(64).collect();
        return rpc_error(id, -32602, &format!("Unknown tool: {shown} (tools/list lists the tools)"), None);
    }
    let arguments = params.get("arguments").or_else(|| params.get("parameters")).cloned().unwrap_or_else(|| json!({}));
    if !arguments.is_object() {
        return rpc_error(id, -32602, "params.arguments must be an object", None);
    }
    let token = bearer(headers);
    let reply = call_blocking(app, name.to_string(), token, arguments.to_string()).await;
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
    if matches!(reply.status, 401 | 403) {
        return refused(id, name, reply);
    }
    // The tool ran and failed: a result the agent can read, not a protocol error.
    let message = error_message(name, &reply);
    let mut body = reply.body;
    if let Value::Object(map) = &mut body {
        map.insert("httpStatus".into(), json!(reply.status));
    }
    rpc_result(
        id,
        json!({
            "content": [{"type": "text", "text": message}],
            "structuredContent": body,
            "isError": true,
        }),
    )
}

fn error_message(name: &str, reply: &crate::bridge::Reply) -> String {
    reply
        .body
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("{name} failed with HTTP status {}", reply.status))
}

/// A call refused before the tool ran (401: token; 403: role) as a JSON-RPC error whose
/// `data` is the bridge's error body.
fn refused(id: Value, name: &str, reply: crate::bridge::Reply) -> Response {
    let code = if reply.status == 403 { -32001 } else { -32000 };
    let message = error_message(name, &reply);
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
