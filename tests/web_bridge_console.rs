//! Browser tests of the bridge console: a request with each identity gets its status (and the
//! minted token is shown), a returned job's status is tracked live, and every bridge page's
//! requests, sent in order through the console's logic (tokens per identity, `$JOB_ID` /
//! `$RESULTS_ID` scoped to the page), get their documented statuses and bodies.
#![cfg(target_arch = "wasm32")]

mod web_support;

use gloo_timers::future::TimeoutFuture;
use granola::docs::documented_match;
use granola::web::bridge::{forget, send_in};
use granola::web::components::BridgeConsole;
use granola::web::docs;
use granola::web::session::Session;
use wasm_bindgen::JsValue;
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
            Bridge::new(BridgeConfig { epoch_unix_ms: 1_767_225_600_000.0, ..BridgeConfig::default() });
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
