#![cfg(not(target_arch = "wasm32"))]
//! `POST /mcp`: JSON-RPC 2.0 framing, initialize, tools/list, tools/call and error mapping.

mod server_support;

use granola::server::client::Client;
use serde_json::{json, Value};
use server_support::*;

async fn rpc(c: &mut Client, token: Option<&str>, body: Value) -> (u16, Value) {
    let r = c.post_json("/mcp", token, &body.to_string()).await.unwrap();
    (r.status, r.json())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framing_initialize_and_notifications() {
    let server = start(|_| {}).await;
    let mut c = client(&server);

    let (status, r) = rpc(
        &mut c,
        None,
        json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
            "protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(r["jsonrpc"], "2.0");
    assert_eq!(r["id"], 1);
    assert_eq!(r["result"]["protocolVersion"], "2025-03-26");
    assert!(r["result"]["capabilities"]["tools"].is_object());
    assert_eq!(r["result"]["serverInfo"]["name"], "granola");
    // an unknown version gets the newest one we speak
    let (_, r) = rpc(
        &mut c,
        None,
        json!({"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"1999-01-01"}}),
    )
    .await;
    assert_eq!(r["id"], "a");
    assert!(r["result"]["protocolVersion"].as_str().unwrap().starts_with("20"));

    // notifications: no id → 202, empty body
    let resp = c.post_json("/mcp", None, r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await.unwrap();
    assert_eq!(resp.status, 202);
    assert!(resp.body.is_empty());

    let (_, r) = rpc(&mut c, None, json!({"jsonrpc":"2.0","id":2,"method":"ping"})).await;
    assert_eq!(r["result"], json!({}));

    // unknown method
    let (status, r) = rpc(&mut c, None, json!({"jsonrpc":"2.0","id":3,"method":"resources/list"})).await;
    assert_eq!(status, 200);
    assert_eq!(r["error"]["code"], -32601);
    assert_eq!(r["id"], 3);

    // batches are rejected
    let (_, r) = rpc(&mut c, None, json!([{"jsonrpc":"2.0","id":4,"method":"ping"}])).await;
    assert_eq!(r["error"]["code"], -32600);
    assert_eq!(r["id"], Value::Null);

    // parse error
    let resp = c.post_json("/mcp", None, "{not json").await.unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["error"]["code"], -32700);

    // invalid requests
    let (_, r) = rpc(&mut c, None, json!({"id":5,"method":"ping"})).await;
    assert_eq!(r["error"]["code"], -32600);
    let (_, r) = rpc(&mut c, None, json!({"jsonrpc":"2.0","id":6,"method":7})).await;
    assert_eq!(r["error"]["code"], -32600);
    let (_, r) = rpc(&mut c, None, json!("ping")).await;
    assert_eq!(r["error"]["code"], -32600);

    // tools/call parameter checks
    let (_, r) = rpc(&mut c, None, json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{}})).await;
    assert_eq!(r["error"]["code"], -32602);
    let (_, r) = rpc(
        &mut c,
        None,
        json!({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"get_job_status","arguments":[1]}}),
    )
    .await;
    assert_eq!(r["error"]["code"], -32602);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_list_mirrors_the_bridge() {
    let server = start(|_| {}).await;
    let bridge_tools = server.with_core(|core| core.bridge.tools());
    let names: Vec<String> = bridge_tools
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["name"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let mut c = client(&server);
    let (_, r) = rpc(&mut c, Some(&operator()), json!({"jsonrpc":"2.0","id":1,"method":"tools/list"})).await;
    let tools = r["result"]["tools"].as_array().expect("tools array").clone();
    let got: Vec<String> = tools.iter().map(|t| t["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, names);
    for t in &tools {
        assert!(t["description"].is_string());
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
    }
    server.shutdown().await.unwrap();
}

/// Whatever the bridge answers over REST, tools/call wraps or maps the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_call_maps_bridge_replies() {
    let server = start(|_| {}).await;
    let mut c = client(&server);
    let tok = operator();
    let args = json!({"jobId": "does-not-exist"});
    let rest = c.post_json("/get_job_status", Some(&tok), &args.to_string()).await.unwrap();
    let (status, r) = rpc(
        &mut c,
        Some(&tok),
        json!({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"get_job_status","arguments":args}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(r["id"], 9);
    if (200..300).contains(&rest.status) {
        assert_eq!(r["result"]["isError"], false);
        assert_eq!(r["result"]["content"][0]["type"], "text");
    } else if matches!(rest.status, 401 | 403) {
        assert_eq!(r["error"]["code"], if rest.status == 401 { -32000 } else { -32001 }, "{r}");
        assert_eq!(r["error"]["data"]["error"]["code"], rest.json()["error"]["code"]);
    } else {
        // The tool ran and failed: a result with isError and the bridge's error body.
        assert!(r.get("error").is_none(), "{r}");
        assert_eq!(r["result"]["isError"], true, "{r}");
        assert_eq!(r["result"]["structuredContent"]["error"], rest.json()["error"]);
        assert_eq!(r["result"]["structuredContent"]["httpStatus"], rest.status);
        assert_eq!(r["result"]["content"][0]["text"], rest.json()["error"]["message"]);
    }
    server.shutdown().await.unwrap();
}

fn call(id: i64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":name,"arguments":arguments}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_list_is_filtered_by_the_callers_roles() {
    let server = start(|_| {}).await;
    let mut c = client(&server);
    let names = |r: &Value| -> Vec<String> {
        r["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
    };
    let (_, all) = rpc(&mut c, None, json!({"jsonrpc":"2.0","id":1,"method":"tools/list"})).await;
    let all = names(&all);
    assert!(all.contains(&"cancel_job".to_string()) && all.contains(&"get_job_status".to_string()));
    let (_, op) = rpc(&mut c, Some(&operator()), json!({"jsonrpc":"2.0","id":2,"method":"tools/list"})).await;
    assert_eq!(names(&op), all);
    let (_, view) = rpc(&mut c, Some(&viewer()), json!({"jsonrpc":"2.0","id":3,"method":"tools/list"})).await;
    let view = names(&view);
    assert!(view.contains(&"get_job_status".to_string()));
    for hidden in
        ["cancel_job", "run_simulation", "load_simulation", "set_parameter_value", "run_population_simulation"]
    {
        assert!(!view.contains(&hidden.to_string()), "{hidden} hidden from viewers");
    }
    let (_, bad) = rpc(&mut c, Some("a.b.c"), json!({"jsonrpc":"2.0","id":4,"method":"tools/list"})).await;
    assert_eq!(bad["error"]["code"], -32000);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_call_runs_real_tools_and_maps_every_error() {
    let server = start(|_| {}).await;
    let mut c = client(&server);
    let op = operator();

    // success: content text + structuredContent, the same body as REST
    let (_, r) =
        rpc(&mut c, Some(&op), call(1, "load_simulation", json!({"simulationId":"m","model":"one_compartment_iv"})))
            .await;
    assert_eq!(r["result"]["isError"], false, "{r}");
    assert_eq!(r["result"]["structuredContent"]["simulationId"], "m");
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    assert_eq!(serde_json::from_str::<Value>(text).unwrap(), r["result"]["structuredContent"]);
    let (_, r) = rpc(&mut c, Some(&op), call(2, "run_simulation", json!({"simulationId":"m"}))).await;
    let job = r["result"]["structuredContent"]["jobId"].as_str().unwrap().to_string();
    let (_, r) = rpc(&mut c, Some(&op), call(3, "cancel_job", json!({"jobId": job}))).await;
    assert_eq!(r["result"]["structuredContent"]["jobId"], job.as_str());
    let (_, r) = rpc(&mut c, Some(&viewer()), call(4, "get_job_status", json!({"jobId": job}))).await;
    assert_eq!(r["result"]["structuredContent"]["job"]["jobId"], job.as_str());

    // Refused before any tool ran (token, role): JSON-RPC errors with the bridge's body in data.
    let refused = [
        (None, "get_job_status", json!({"jobId": job}), -32000, 401, "UNAUTHORIZED"),
        (Some(viewer()), "cancel_job", json!({"jobId": job}), -32001, 403, "FORBIDDEN"),
    ];
    for (i, (tok, tool, args, code, status, wire)) in refused.into_iter().enumerate() {
        let (http, r) = rpc(&mut c, tok.as_deref(), call(10 + i as i64, tool, args)).await;
        assert_eq!(http, 200);
        assert_eq!(r["id"], 10 + i as i64);
        assert!(r.get("result").is_none(), "{r}");
        assert_eq!(r["error"]["code"], code, "{tool}: {r}");
        assert_eq!(r["error"]["data"]["httpStatus"], status, "{tool}");
        assert_eq!(r["error"]["data"]["error"]["code"], wire, "{tool}");
        assert_eq!(r["error"]["message"], r["error"]["data"]["error"]["message"]);
    }
    // Issue 14: a tool that ran and failed is a result with isError: true and the bridge's
    // error in structuredContent (these used to be JSON-RPC errors, "not found" as -32601).
    let failed = [
        ("get_job_status", json!({"jobId": "nope"}), 404, "NOT_FOUND"),
        ("get_job_status", json!({"jobId": 5}), 400, "INVALID_INPUT"),
        ("get_job_status", json!({}), 400, "INVALID_INPUT"),
        ("load_simulation", json!({"simulationId":"m","model":"one_compartment_iv"}), 409, "CONFLICT"),
    ];
    for (i, (tool, args, status, wire)) in failed.into_iter().enumerate() {
        let (http, r) = rpc(&mut c, Some(&op), call(20 + i as i64, tool, args)).await;
        assert_eq!(http, 200);
        assert_eq!(r["id"], 20 + i as i64);
        assert!(r.get("error").is_none(), "{tool}: {r}");
        let res = &r["result"];
        assert_eq!(res["isError"], true, "{tool}: {r}");
        assert_eq!(res["structuredContent"]["error"]["code"], wire, "{tool}");
        assert_eq!(res["structuredContent"]["httpStatus"], status, "{tool}");
        assert_eq!(res["content"][0]["type"], "text");
        assert_eq!(res["content"][0]["text"], res["structuredContent"]["error"]["message"]);
    }
    // Protocol errors stay JSON-RPC errors with their own codes: an unknown tool is invalid
    // params (-32602), not "method not found" (-32601, kept for unknown JSON-RPC methods).
    let (_, r) = rpc(&mut c, Some(&op), call(30, "no_such_tool", json!({}))).await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("no_such_tool"), "{r}");
    let (_, r) = rpc(&mut c, Some(&op), json!({"jsonrpc":"2.0","id":31,"method":"tools/frobnicate"})).await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let (_, r) = rpc(
        &mut c,
        Some(&op),
        json!({"jsonrpc":"2.0","id":32,"method":"tools/call","params":{"name":"get_job_status","arguments":[1]}}),
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    server.shutdown().await.unwrap();
}
