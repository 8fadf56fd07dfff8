//! Browser tests of the bridge console: a request with each identity gets its status (and the
//! minted token is shown), a returned job's status is tracked live, and every bridge page's
//! requests, sent in order through the console's logic (tokens per identity, `$JOB_ID` /
//! `$RESULTS_ID` scoped to the page), get their documented statuses and bodies, both through
//! that logic on a paused clock and by clicking every Send of every bridge page in order with
//! the default settings (the default job clock). Issue 15 item 4:
//! choosing a tool fills a request built from its schema, and every tool's template works when
//! the tools are used in order; the identity defaults to operator; a refusal is one plain
//! sentence above the JSON; a finished run's plot is drawn in the console, and the console
//! says that job rows open the inspector.
#![cfg(target_arch = "wasm32")]

mod web_support;

use gloo_timers::future::TimeoutFuture;
use granola::docs::documented_match;
use granola::web::bridge::{forget, request_template, send, send_in};
use granola::web::components::{BridgeConsole, DocPage};
use granola::web::docs;
use granola::web::session::Session;
use granola::web::session::DEFAULT_SPEED;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn send_as(m: &Mounted, role: &str) -> u16 {
    js(
        "root, role",
        "const s = root.querySelector('select.bridge-role'); s.value = role; s.dispatchEvent(new Event('change', {bubbles: true}));",
        &m.root,
        &JsValue::from_str(role),
    );
    TimeoutFuture::new(30).await;
    let before = m.text(".bridge-status");
    m.click("button.bridge-send");
    let _ = wait_for(2000.0, || {
        m.q(".bridge-status").is_some() && (m.text(".bridge-status") != before || before.is_empty())
    })
    .await;
    TimeoutFuture::new(30).await;
    m.q(".bridge-status").and_then(|e| e.get_attribute("data-status")).and_then(|s| s.parse().ok()).unwrap_or(0)
}
#[wasm_bindgen_test]
async fn a_bridge_request_with_each_identity_gets_its_status() {
    let m = mount(1.0, html! { <BridgeConsole tool="load_simulation" body={r#"{"simulationId": "$SIM", "model": "one_compartment_oral"}"#} role="viewer" /> }).await;
    // A fresh simulation id per send, so an allowed load is never a conflict.
    let mut results = Vec::new();
    for (i, role) in ["anonymous", "viewer", "operator", "admin"].iter().enumerate() {
        js(
            "root, body",
            "const t = root.querySelector('textarea.bridge-body'); t.value = body; t.dispatchEvent(new Event('input', {bubbles: true}));",
            &m.root,
            &JsValue::from_str(&format!(r#"{{"simulationId": "id-sim-{i}", "model": "one_compartment_oral"}}"#)),
        );
        TimeoutFuture::new(30).await;
        let status = send_as(&m, role).await;
        let token_shown = m.q(".bridge-token code.token").is_some();
        results.push((*role, status, token_shown));
    }
    assert_eq!(
        results,
        vec![("anonymous", 401, false), ("viewer", 403, true), ("operator", 201, true), ("admin", 201, true)],
        "statuses per identity"
    );
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_returned_job_is_tracked_live() {
    let m = mount(
        1.0,
        html! { <BridgeConsole tool="run_simulation" body={r#"{"simulationId": "live-sim"}"#} role="operator" /> },
    )
    .await;
    let _ = granola::web::bridge::send(
        &m.session,
        "load_simulation",
        "operator",
        r#"{"simulationId": "live-sim", "model": "one_compartment_oral"}"#,
    );
    let status = send_as(&m, "operator").await;
    assert_eq!(status, 202);
    assert!(wait_for(3000.0, || m.q(".bridge-live").is_some()).await, "live status shown");
    assert!(
        wait_for(30000.0, || m.q(".bridge-live[data-status=\"succeeded\"]").is_some()).await,
        "live: {}",
        m.text(".bridge-live")
    );
    m.unmount();
}

/// Every bridge page's requests, sent in order through the site's console logic (tokens per
/// identity, `$JOB_ID`/`$RESULTS_ID` placeholders scoped to the page), give the documented
/// statuses and bodies, on a fresh session whose job time moves as the page says.
#[wasm_bindgen_test]
fn every_bridge_page_example_gets_its_documented_response() {
    use granola::bridge::{Bridge, BridgeConfig};
    let mut checked = 0;
    let mut failures = Vec::new();
    for page in docs::pages().iter().filter(|p| p.path.starts_with("bridge/")) {
        let s = Session::new(1.0);
        s.clock.borrow_mut().pause(0.0);
        *s.bridge.borrow_mut() =
            Some(Bridge::new(BridgeConfig { epoch_unix_ms: 1_767_225_600_000.0, ..BridgeConfig::default() }));
        forget(page.path);
        let parsed = docs::parse(page.path, page.source);
        for ex in parsed.bridge_examples() {
            let reply = send_in(&s, page.path, &ex.tool, &ex.role, &ex.body);
            if let Some(st) = ex.expected_status {
                checked += 1;
                if st != reply.status {
                    failures.push(format!(
                        "{}: {} as {} gave {} not {}: {}",
                        page.path, ex.tool, ex.role, reply.status, st, reply.body
                    ));
                } else if let Some(Ok(e)) = ex.expected_body.as_deref().map(serde_json::from_str::<serde_json::Value>) {
                    if let Err(why) = documented_match(&e, &reply.body) {
                        failures.push(format!("{}: {} as {}: {why}", page.path, ex.tool, ex.role));
                    }
                }
            }
            let now = s.engine.borrow().now();
            s.engine.borrow_mut().advance(now + ex.after());
        }
    }
    assert!(checked >= 10, "bridge pages have documented responses ({checked})");
    assert!(failures.is_empty(), "{} of {checked} differ:\n{}", failures.len(), failures.join("\n"));
}

/// Every bridge page, drawn as the site draws it at the default clock speed: clicking its Send
/// buttons in order (nothing else: default identities, bodies and settings) gets the documented
/// status and body for every request (the console marks each reply "as documented").
#[wasm_bindgen_test]
async fn every_bridge_page_passes_when_clicked_in_order_at_the_default_clock() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let pages: Vec<_> = docs::pages().iter().filter(|p| p.path.starts_with("bridge/")).collect();
    assert!(pages.len() >= 10, "bridge pages: {}", pages.len());
    for page in pages {
        forget(page.path);
        let want = docs::parse(page.path, page.source).bridge_examples().count() as u32;
        let m = mount(DEFAULT_SPEED, html! { <DocPage path={page.path} /> }).await;
        assert!(wait_for(3000.0, || m.count(".bridge-console") == want).await, "{}: consoles", page.path);
        let consoles = m.root.query_selector_all(".bridge-console").unwrap();
        for i in 0..consoles.length() {
            let console: web_sys::Element = consoles.item(i).unwrap().dyn_into().unwrap();
            let send: web_sys::HtmlElement =
                console.query_selector("button.bridge-send").unwrap().unwrap().dyn_into().unwrap();
            send.click();
            let replied = wait_for(3000.0, || console.query_selector(".bridge-status").ok().flatten().is_some()).await;
            let expected = console.query_selector(".bridge-status .expected").ok().flatten();
            match expected {
                _ if !replied => failures.push(format!("{} #{}: no reply", page.path, i + 1)),
                Some(e) => {
                    checked += 1;
                    if !e.class_list().contains("match") {
                        let status = console
                            .query_selector(".bridge-status")
                            .unwrap()
                            .unwrap()
                            .text_content()
                            .unwrap_or_default();
                        let body = console
                            .query_selector(".bridge-response")
                            .ok()
                            .flatten()
                            .and_then(|b| b.text_content())
                            .unwrap_or_default();
                        failures.push(format!("{} #{}: {status}\n{body}", page.path, i + 1));
                    }
                }
                None => {}
            }
        }
        m.unmount();
    }
    assert!(checked >= 10, "bridge requests with a documented response clicked: {checked}");
    assert!(failures.is_empty(), "{} of {checked} differ:\n{}", failures.len(), failures.join("\n"));
}

/// Every tool's template, sent as operator in a sensible order on one session, succeeds.
#[wasm_bindgen_test]
fn every_tool_template_works_in_order() {
    forget("");
    let s = Session::new(1.0);
    let mut statuses = Vec::new();
    let mut go = |tool: &str| {
        let body = request_template(&s, tool);
        let r = send(&s, tool, "operator", &body);
        statuses.push((tool.to_string(), r.status, body.clone(), r.body.to_string()));
        r
    };
    go("list_tools");
    go("load_simulation");
    go("list_parameters");
    go("get_parameter_value");
    go("set_parameter_value");
    go("run_simulation");
    go("get_job_status");
    {
        let mut e = s.engine.borrow_mut();
        let now = e.now();
        e.advance(now + 600_000.0);
    }
    go("get_simulation_results");
    go("calculate_pk_parameters");
    go("run_population_simulation");
    {
        let mut e = s.engine.borrow_mut();
        let now = e.now();
        e.advance(now + 600_000.0);
    }
    go("get_population_results");
    go("run_simulation");
    go("cancel_job");
    let bad: Vec<_> = statuses.iter().filter(|(_, st, _, _)| !(200..300).contains(st)).collect();
    assert!(bad.is_empty(), "templates that failed: {bad:#?}");
    // Every tool of the table was tried.
    let tools = granola::web::bridge::bridge(&s).unwrap().tools();
    for t in tools.as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        assert!(statuses.iter().any(|(n, ..)| n == name), "{name} has no template check");
    }
    forget("");
}

fn choose_tool(m: &Mounted, tool: &str) {
    js(
        "root, tool",
        "const s = root.querySelector('select.bridge-tool'); s.value = tool; s.dispatchEvent(new Event('change', {bubbles: true}));",
        &m.root,
        &JsValue::from_str(tool),
    );
}

#[wasm_bindgen_test]
async fn choosing_a_tool_fills_a_template_and_the_identity_can_run_it() {
    forget("");
    let m = mount(1.0, html! { <BridgeConsole pick_tool={true} tool="load_simulation" /> }).await;
    let role = js("root, _", "return root.querySelector('select.bridge-role').value;", &m.root, &JsValue::UNDEFINED);
    assert_eq!(role.as_string().as_deref(), Some("operator"), "the default identity may run every tool");
    let body = js("root, _", "return root.querySelector('textarea.bridge-body').value;", &m.root, &JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default();
    assert!(body.contains("\"simulationId\"") && body.contains("\"model\""), "a load template: {body}");
    assert_eq!(send_as(&m, "operator").await, 201, "the template loads a simulation");
    choose_tool(&m, "run_simulation");
    TimeoutFuture::new(50).await;
    let body = js("root, _", "return root.querySelector('textarea.bridge-body').value;", &m.root, &JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default();
    assert!(body.contains("\"simulationId\": \"demo\""), "the loaded simulation: {body}");
    assert_eq!(send_as(&m, "operator").await, 202);
    // The finished run's plot is drawn in the console; the console points to the inspector.
    assert!(m.text(".bridge-live").contains("inspector"), "{}", m.text(".bridge-live"));
    assert!(
        wait_for(30000.0, || m.q(".bridge-live[data-status=\"succeeded\"] svg").is_some()).await,
        "plot in the console: {}",
        m.text(".bridge-live")
    );
    forget("");
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_refusal_is_one_plain_sentence_above_the_json() {
    let m = mount(1.0, html! { <BridgeConsole tool="load_simulation" body={r#"{"simulationId": "r1", "model": "one_compartment_oral"}"#} /> }).await;
    assert_eq!(send_as(&m, "viewer").await, 403);
    let sentence = m.text(".bridge-refusal");
    assert!(
        sentence.contains("the viewer identity may not call load_simulation; it needs operator or admin"),
        "{sentence}"
    );
    let refusal = m.q(".bridge-refusal").unwrap().get_bounding_client_rect();
    let json = m.q(".bridge-response").unwrap().get_bounding_client_rect();
    assert!(refusal.bottom() <= json.top() + 1.0, "above the JSON");
    assert_eq!(send_as(&m, "anonymous").await, 401);
    assert!(m.text(".bridge-refusal").starts_with("Refused (401)"), "{}", m.text(".bridge-refusal"));
    assert_eq!(send_as(&m, "operator").await, 201);
    assert!(m.q(".bridge-refusal").is_none(), "no refusal on success");
    m.unmount();
}
