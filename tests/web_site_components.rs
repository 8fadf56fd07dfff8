//! Browser tests of the documentation site components (src/web/site): docs parsing and
//! search, a runnable example (run, persistence across a remount, Reset, error marks), the
//! CodeMirror binding, the jobs panel (Cancel, 10 000 jobs), the bridge console with each
//! identity, the tour's checked steps and the playground's share link. Each test mounts into
//! a fresh element.
#![cfg(target_arch = "wasm32")]

mod web_support;

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use granola::jobs::SubmitOptions;
use granola::web::session::Session;
use granola::web::site;
use granola::web::site::bridge_console::BridgeConsole;
use granola::web::site::docs::{self, Block, Group};
use granola::web::site::editor::Editor;
use granola::web::site::example::{storage_key, Example};
use granola::web::site::jobs::JobsPanel;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Types `text` into the first editor under `root` (CodeMirror or the textarea fallback).
fn set_editor_text(root: &web_sys::Element, text: &str) {
    js(
        "root, text",
        "const host = root.querySelector('.editor-host');
         if (host && host.__granolaEditor) { host.__granolaEditor.setText(text); return; }
         const ta = root.querySelector('textarea.editor-fallback');
         ta.value = text; ta.dispatchEvent(new Event('input', {bubbles: true}));",
        root,
        &JsValue::from_str(text),
    );
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

// ------------------------------------------------------------------ docs, index, search

const PAGE: &str = "# `demo.fn`\n\n**Signature:** `(demo.fn x) -> int`\n\n## What It Does\n\nText with a [link](other-page.md) and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Examples\n\n### Minimal\n\n```lisp\n(+ 1 2)\n```\n\n```output\n3\n```\n\n### Bridge\n\n```request run_simulation role=operator\n{\"simulationId\": \"s\"}\n```\n\n```response 202\n{\"status\": \"queued\"}\n```\n\n```json\n{\"plain\": true}\n```\n";

#[wasm_bindgen_test]
fn parse_finds_examples_sections_and_rewrites_links() {
    let p = docs::parse("reference/builtins/demo/demo-fn.md", PAGE);
    let lisp: Vec<_> = p.lisp_examples().collect();
    assert_eq!(lisp.len(), 1);
    assert_eq!(lisp[0].code, "(+ 1 2)");
    assert_eq!(lisp[0].expected.as_deref(), Some("3\n"));
    assert_eq!(lisp[0].heading, "Minimal");
    let bridge: Vec<_> = p.bridge_examples().collect();
    assert_eq!(bridge.len(), 1);
    assert_eq!(
        (bridge[0].tool.as_str(), bridge[0].role.as_str(), bridge[0].expected_status),
        ("run_simulation", "operator", Some(202))
    );
    let html: String =
        p.blocks.iter().filter_map(|b| if let Block::Html(h) = b { Some(h.as_str()) } else { None }).collect();
    assert!(html.contains("<table>"), "tables render: {html}");
    assert!(html.contains("href=\"#/"), "relative .md links become hash routes: {html}");
    assert!(html.contains("id=\"what-it-does\""), "headings get ids");
    assert!(html.contains("plain"), "other code blocks stay in the page");
    let titles: Vec<_> = p.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["What It Does", "Examples", "Minimal", "Bridge"]);

    let m = docs::meta("reference/builtins/demo/demo-fn.md", PAGE);
    assert_eq!(
        (m.title.as_str(), m.route.as_str(), m.group.clone()),
        ("demo.fn", "reference/demo.fn", Group::Builtins("demo".into()))
    );
    assert_eq!(m.summary, "(demo.fn x) -> int");
}

#[wasm_bindgen_test]
fn every_compiled_page_parses_and_its_links_resolve() {
    let pages = docs::pages();
    assert!(!pages.is_empty(), "build.rs compiled the docs/ pages in");
    let mut broken = Vec::new();
    for p in pages {
        let parsed = docs::parse(p.path, p.source);
        assert!(!parsed.blocks.is_empty(), "{} renders", p.path);
        // build.rs renders the same page the same way (the app shows that rendering).
        assert_eq!(docs::rendered(p.path), Some(&parsed), "{}: build-time rendering = docs::parse", p.path);
        assert_eq!(docs::find(&p.route).map(|f| f.path), Some(p.path), "route {} finds its page", p.route);
        let href = p.href();
        let routed = granola::web::app::Route::parse(&href);
        let via_router = match &routed {
            granola::web::app::Route::Reference(n) => docs::find(&format!("reference/{n}")),
            granola::web::app::Route::BridgeTool(n) => docs::find(&format!("bridge/{n}")),
            granola::web::app::Route::NotFound(n) => docs::find(n),
            _ => None,
        };
        assert_eq!(
            via_router.map(|f| f.path),
            Some(p.path),
            "href {href} goes through the router ({routed:?}) to its page"
        );
        for b in &parsed.blocks {
            if let Block::Html(h) = b {
                for part in h.split("href=\"#/").skip(1) {
                    let target = part.split('"').next().unwrap_or("");
                    let target = docs::percent_decode(target.split('#').next().unwrap_or(""));
                    let target = target.as_str();
                    let ok = target == "reference"
                        || target == "bridge"
                        || docs::find(target).is_some()
                        || granola::runtime::table().lookup(target.trim_start_matches("reference/")).is_some();
                    if !ok {
                        broken.push(format!("{} -> {}", p.path, target));
                    }
                }
            }
        }
    }
    // Links to pages not written yet are allowed to exist but should be few.
    assert!(broken.len() <= pages.len() / 4, "broken links: {broken:?}");
    let groups: Vec<Group> = docs::index().into_iter().map(|(g, _)| g).collect();
    assert!(groups.iter().any(|g| matches!(g, Group::Builtins(_))));
}

#[wasm_bindgen_test]
fn search_ranks_names_first_and_finds_text() {
    let hits = site::search("map.get", 8);
    assert!(!hits.is_empty());
    assert_eq!(hits[0].title, "map.get");
    assert_eq!(hits[0].href, "#/reference/map.get");
    let hits = site::search("insertion order", 8);
    assert!(!hits.is_empty(), "full-text search finds words in page text");
    assert!(site::search("zzqqxx-nothing", 8).is_empty());
}

// ------------------------------------------------------------------ runnable example

#[wasm_bindgen_test]
async fn an_example_runs_and_matches_its_expected_output() {
    let code = "(define x 40)\n(+ x 2)";
    storage().remove_item(&storage_key(code)).unwrap();
    let m =
        mount(1.0, html! { <Example id="ex-run" code={code} expected={Some(AttrValue::from("40\n42\n"))} /> }).await;
    m.click("#ex-run button.run");
    assert!(
        wait_for(5000.0, || m.text("#ex-run .runner-output").contains("42")).await,
        "output: {}",
        m.text("#ex-run .runner-output")
    );
    assert!(wait_for(2000.0, || m.q("#ex-run .match-ok").is_some()).await, "matches the expected output");
    assert!(m.text("#ex-run .runner-expected").contains("42"), "the expected output is shown next to it");
    m.unmount();
}

#[wasm_bindgen_test]
async fn edits_persist_across_a_remount_and_reset_restores_the_original() {
    let code = "(+ 1 1)";
    let key = storage_key(code);
    storage().remove_item(&key).unwrap();
    let m = mount(1.0, html! { <Example id="ex-persist" code={code} /> }).await;
    assert!(wait_for(2000.0, || editor_text(&m.root) == code).await);
    set_editor_text(&m.root, "(+ 40 2)");
    assert!(
        wait_for(2000.0, || storage().get_item(&key).unwrap().as_deref() == Some("(+ 40 2)")).await,
        "saved under the hash of the original"
    );
    assert!(wait_for(2000.0, || m.q(".example.edited").is_some()).await);
    m.unmount();

    let m = mount(1.0, html! { <Example id="ex-persist" code={code} /> }).await;
    assert!(
        wait_for(2000.0, || editor_text(&m.root) == "(+ 40 2)").await,
        "the edit is back: {}",
        editor_text(&m.root)
    );
    m.click("#ex-persist button.run");
    assert!(wait_for(5000.0, || m.text("#ex-persist .runner-output").contains("42")).await, "the edited program runs");
    m.click(".example button.reset");
    assert!(
        wait_for(2000.0, || editor_text(&m.root) == code).await,
        "Reset restores the original: {}",
        editor_text(&m.root)
    );
    assert!(storage().get_item(&key).unwrap().is_none(), "Reset forgets the saved edit");
    assert!(wait_for(2000.0, || m.q(".example.edited").is_none()).await);
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_failing_example_marks_line_and_column() {
    let code = "(+ 1 2)\n(car 5)";
    storage().remove_item(&storage_key(code)).unwrap();
    let m = mount(1.0, html! { <Example id="ex-err" code={code} /> }).await;
    m.click("#ex-err button.run");
    assert!(
        wait_for(5000.0, || m.text("#ex-err .runner-output").contains("line 2")).await,
        "output: {}",
        m.text("#ex-err .runner-output")
    );
    // The editor marks the position: CodeMirror underlines it, the fallback names it.
    assert!(
        wait_for(2000.0, || m.q(".cm-granola-error-line").is_some()
            || m.text(".editor-fallback-error").contains("line 2"))
        .await,
        "error mark shown"
    );
    m.unmount();
}

// ------------------------------------------------------------------ CodeMirror binding

#[wasm_bindgen_test]
async fn the_codemirror_bundle_loads_and_reports_edits() {
    // The test server does not serve www/; load the built bundle as an inline module.
    if js_sys::Reflect::get(&web_sys::window().unwrap(), &"granolaEditor".into())
        .map(|v| v.is_undefined())
        .unwrap_or(true)
    {
        let s = document().create_element("script").unwrap();
        s.set_attribute("type", "module").unwrap();
        s.set_text_content(Some(include_str!("../www/editor/granola-editor.js")));
        document().head().unwrap().append_child(&s).unwrap();
    }
    let seen: Rc<RefCell<String>> = Rc::new(RefCell::new(String::new()));
    let seen2 = seen.clone();
    let on_change = Callback::from(move |t: String| *seen2.borrow_mut() = t);
    // A string and a comment: the tokenizer must handle every token kind.
    let m = mount(1.0, html! { <Editor text={"(list 1 2 \"two words\" 'sym :kw) ; note"} {on_change} /> }).await;
    assert!(wait_for(8000.0, || m.q(".editor-cm .cm-editor").is_some()).await, "CodeMirror replaced the textarea");
    assert!(m.q("textarea.editor-fallback").is_none());
    assert!(m.text(".cm-content").contains("(list 1 2"));
    assert!(m.q(".cm-content .tok-function, .cm-content span[class]").is_some(), "syntax highlighting spans");
    set_editor_text(&m.root, "(map.make)");
    assert!(wait_for(2000.0, || *seen.borrow() == "(map.make)").await, "on_change got the edit");
    m.unmount();
}

/// The evaluator reports columns in UTF-8 bytes (like the reference); the editor must mark the
/// character that starts at that byte, not the one at that character index.
#[wasm_bindgen_test]
async fn error_marks_land_on_the_right_character_after_non_ascii_text() {
    if js_sys::Reflect::get(&web_sys::window().unwrap(), &"granolaEditor".into())
        .map(|v| v.is_undefined())
        .unwrap_or(true)
    {
        let s = document().create_element("script").unwrap();
        s.set_attribute("type", "module").unwrap();
        s.set_text_content(Some(include_str!("../www/editor/granola-editor.js")));
        document().head().unwrap().append_child(&s).unwrap();
    }
    let src = "(list \"\u{e9}\u{1F600}\" foo)";
    let run = granola::runtime::run_script(src);
    let err = run.error.expect("foo is unbound");
    let pos = err.pos.expect("a position");
    assert_eq!((pos.line, pos.col), (1, 16), "byte column of foo");
    let error = Some(site::editor::ErrorMark { line: pos.line, col: pos.col, message: err.message.clone() });
    let m = mount(1.0, html! { <Editor text={src} {error} /> }).await;
    assert!(wait_for(8000.0, || m.q(".editor-cm .cm-editor").is_some()).await, "CodeMirror replaced the textarea");
    assert!(
        wait_for(2000.0, || m.text(".cm-granola-error-mark") == "f").await,
        "marked: {:?}",
        m.text(".cm-granola-error-mark")
    );
    m.unmount();
}

// ------------------------------------------------------------------ jobs panel

fn row_state(m: &Mounted, id: u64) -> String {
    m.q(&format!(".job-row[data-job=\"{id}\"]")).and_then(|e| e.get_attribute("data-state")).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn cancel_from_the_panel_ends_an_active_job_cancelled() {
    // Slow clock: 1 job-ms per 200 wall-ms, so the job is still active when clicked.
    let m = mount(0.005, html! { <JobsPanel /> }).await;
    let id = submit_vla(&m.session);
    assert!(
        wait_for(3000.0, || m.q(&format!(".job-row[data-job=\"{id}\"] .job-cancel")).is_some()).await,
        "Cancel shown while active"
    );
    m.click(&format!(".job-row[data-job=\"{id}\"] .job-cancel"));
    assert!(wait_for(8000.0, || row_state(&m, id) == "cancelled").await, "state: {}", row_state(&m, id));
    assert!(m.q(&format!(".job-row[data-job=\"{id}\"] .job-cancel")).is_none(), "no Cancel once terminal");
    // Details: the timeline and the poll map.
    m.click(&format!(".job-row[data-job=\"{id}\"]"));
    assert!(wait_for(2000.0, || m.q(".job-details .timeline-list").is_some()).await);
    let tl = m.text(".job-details .timeline-list");
    assert!(tl.contains("queued") && tl.contains("cancelled"), "timeline: {tl}");
    assert!(m.text(".job-details .job-record").contains("status"), "poll map shown");
    m.unmount();
}

#[wasm_bindgen_test]
async fn ten_thousand_jobs_render_only_the_visible_rows() {
    let m = mount(1.0, html! { <JobsPanel height={400} /> }).await;
    {
        let mut e = m.session.engine.borrow_mut();
        for _ in 0..10_000 {
            let _ = granola::vla::call(&mut e, "vla.submit", &[vla_request()]);
        }
    }
    let _ = SubmitOptions::default();
    assert!(wait_for(5000.0, || m.q(".job-row[data-job=\"10000\"]").is_some()).await, "newest first");
    let rows = m.count(".job-row");
    assert!(rows <= 20, "only visible rows are in the DOM: {rows}");
    let list = m.q(".jobs-list").unwrap();
    list.set_scroll_top(5000 * 64);
    list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
    let ok = wait_for(3000.0, || m.q(".job-row[data-job=\"5000\"]").is_some()).await;
    assert!(
        ok,
        "scrolling windows the rows: scrollTop {} clientHeight {} first row {:?}",
        list.scroll_top(),
        list.client_height(),
        m.q(".job-row").and_then(|e| e.get_attribute("data-job"))
    );
    let t0 = now();
    for i in 0..20 {
        list.set_scroll_top(i * 300 * 64);
        list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
        TimeoutFuture::new(0).await;
    }
    assert!(m.count(".job-row") <= 20);
    assert!(now() - t0 < 5000.0, "scrolling stays fast");
    m.unmount();
}

// ------------------------------------------------------------------ bridge console

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
    let _ = granola::web::site::bridge_console::send(
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

// ------------------------------------------------------------------ tour, playground

#[wasm_bindgen_test]
async fn a_tour_step_checks_the_result_and_unlocks_the_next() {
    storage().set_item("granola.tour.done", "0").unwrap();
    let m = mount(1.0, html! { <granola::web::site::tour::Tour /> }).await;
    assert!(m.q(".tour-step[data-step=\"1\"] button[disabled]").is_some(), "step 2 locked");
    set_editor_text(&m.root, "(+ 1 2)");
    m.click("#tour-runner button.run");
    assert!(wait_for(5000.0, || m.q(".tour-verdict.hint").is_some()).await, "a wrong answer gets a hint");
    set_editor_text(&m.root, "(* 6 7)");
    TimeoutFuture::new(30).await;
    m.click("#tour-runner button.run");
    assert!(wait_for(5000.0, || m.q(".tour-verdict.ok").is_some()).await, "42 passes");
    assert_eq!(storage().get_item("granola.tour.done").unwrap().as_deref(), Some("1"), "progress saved");
    assert!(m.q(".tour-step[data-step=\"1\"] button:not([disabled])").is_some(), "step 2 unlocked");
    m.unmount();
}

#[wasm_bindgen_test]
fn the_share_link_round_trips_the_program() {
    let prog = "(define (f x) (* x 2))\n(f 21) ; ünïcode";
    let url = granola::web::site::playground::share_url(prog);
    let code = url.split("code=").nth(1).unwrap();
    assert_eq!(granola::web::site::util::decode_b64(code).as_deref(), Some(prog));
    assert!(!code.contains('+') && !code.contains('/'), "URL-safe");
}

#[wasm_bindgen_test]
fn help_and_apropos_in_a_program_link_to_pages() {
    use granola::web::site::pages::help_targets;
    let t = help_targets("(help 'map.get)\n(help vla.poll)\n(apropos \"map.s\")");
    assert_eq!(&t[..2], ["map.get", "vla.poll"]);
    assert!(t.iter().any(|n| n == "map.set!"), "apropos matches: {t:?}");
}

#[wasm_bindgen_test]
fn documented_match_follows_the_bridge_pages_rules() {
    use granola::web::site::bridge_console::documented_match;
    let a = serde_json::json!({"jobId": "x", "status": "queued", "list": [1, 2, 3], "n": 0.30000000000000004});
    assert!(documented_match(&serde_json::json!({"status": "queued"}), &a).is_ok());
    assert!(documented_match(&serde_json::json!({"jobId": "…", "list": [1, "…"], "n": 0.3}), &a).is_ok());
    assert!(documented_match(&serde_json::json!({"status": "running"}), &a).is_err());
    assert!(documented_match(&serde_json::json!({"list": [1, 2]}), &a).is_err());
    assert!(documented_match(&serde_json::json!({"missing": 1}), &a).is_err());
}

/// Every bridge page's requests, sent in order through the site's console logic (tokens per
/// identity, `$JOB_ID`/`$RESULTS_ID` placeholders scoped to the page), give the documented
/// statuses and bodies, on a fresh session whose job time moves as the page says.
#[wasm_bindgen_test]
fn every_bridge_page_example_gets_its_documented_response() {
    use granola::bridge::{Bridge, BridgeConfig};
    use granola::web::site::bridge_console::{documented_match, forget, send_in};
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
            s.engine.borrow_mut().advance(now + ex.after_ms.unwrap_or(10_000.0));
        }
    }
    assert!(checked >= 10, "bridge pages have documented responses ({checked})");
    assert!(failures.is_empty(), "{} of {checked} differ:\n{}", failures.len(), failures.join("\n"));
}

fn last_line(s: &str) -> &str {
    s.trim_end().lines().last().unwrap_or("")
}

/// The playground's gallery programs run without errors on the real evaluator and end where
/// their titles say.
#[wasm_bindgen_test]
fn gallery_programs_run_to_their_point() {
    use granola::web::site::gallery::{Entry, GALLERY};
    for (title, entry) in GALLERY {
        if let Entry::Lisp(src) = entry {
            let run = granola::runtime::run_script(src);
            assert!(run.error.is_none(), "{title}: {:?}\n{}", run.error, run.stdout);
        }
    }
    let end = |src: &str| last_line(&granola::runtime::run_script(src).stdout).to_string();
    assert_eq!(end(granola::web::site::gallery::CANCEL_MID), ":cancelled");
    assert_eq!(end(granola::web::site::gallery::VLA_CANCEL), ":cancelled");
    assert!(end(granola::web::site::gallery::POLL_LOOP).starts_with("(polls "));
}

/// The tour's starters: the job steps run as given, and the last step passes once the
/// learner adds the cancel.
#[wasm_bindgen_test]
fn tour_starters_lead_to_their_checks() {
    use granola::web::site::tour::STEPS;
    assert!(STEPS.len() >= 5);
    for s in STEPS {
        let run = granola::runtime::run_script(s.starter);
        assert!(run.error.is_none(), "{}: {:?}", s.title, run.error);
    }
    let watch = STEPS.iter().find(|s| s.title.contains("stream")).unwrap();
    assert_eq!(last_line(&granola::runtime::run_script(watch.starter).stdout), ":done");
    let cancel = STEPS.iter().find(|s| s.title.contains("Cancel")).unwrap();
    assert_eq!(
        last_line(&granola::runtime::run_script(cancel.starter).stdout),
        ":done",
        "not passed before the learner acts"
    );
    let solved = cancel.starter.replace("; add (vla.cancel job) here", "(vla.cancel job)");
    assert_eq!(last_line(&granola::runtime::run_script(&solved).stdout), ":cancelled");
}

/// Every `lisp` example of every page, run by the shell's runner in the browser the way an
/// `Example` runs it by default (isolated: a private engine whose job time jumps at sleeps),
/// prints exactly its page's `output` block. Left out: examples that write or read files
/// (`save`/`load`, `bt.save*`/`bt.load*`, `bt.export-dot`, `events.set-path`: the browser host has
/// no file system).
#[wasm_bindgen_test]
async fn every_page_example_matches_its_output_in_the_browser() {
    use granola::web::runner::{run_source, RunOptions, StopFlag};
    let mut checked = 0;
    let mut failures = Vec::new();
    for page in docs::pages() {
        let parsed = docs::parse(page.path, page.source);
        for (i, ex) in parsed.lisp_examples().enumerate() {
            let Some(expected) = &ex.expected else { continue };
            if ["(save ", "(load ", "(bt.save", "(bt.load", "(bt.export-dot ", "(events.set-path "]
                .iter()
                .any(|w| ex.code.contains(w))
            {
                continue;
            }
            let session = Session::new(1.0);
            let opts = RunOptions { isolated: true, ..RunOptions::default() };
            let report = run_source(&session, &ex.code, opts, &StopFlag::new(), |_| {}).await;
            checked += 1;
            if !report.matches(expected) {
                failures.push(format!(
                    "{} example {}:\n--- expected\n{}--- got\n{}",
                    page.path,
                    i + 1,
                    expected,
                    report.script_output()
                ));
            }
        }
    }
    assert!(checked >= 50, "examples checked: {checked}");
    assert!(failures.is_empty(), "{} of {checked} examples differ:\n{}", failures.len(), failures.join("\n"));
}

/// The site answers every route the shell forwards (and leaves the home page to the shell).
#[wasm_bindgen_test]
fn the_site_renders_every_route() {
    use granola::web::app::Route;
    for r in [
        "#/reference",
        "#/reference/map.get",
        "#/reference/special-forms/let",
        "#/bridge",
        "#/bridge/run_simulation",
        "#/bridge/no_such_tool",
        "#/playground",
        "#/jobs",
        "#/tour",
        "#/docs/reference/guides/getting-started",
    ] {
        assert!(site::page(&Route::parse(r)).is_some(), "{r}");
    }
    assert!(site::page(&Route::Home).is_none());
    // An unknown name gets the not-found page (with suggestions), not the shell placeholder.
    assert!(site::page(&Route::parse("#/reference/not-a-thing-at-all")).is_some());
}

/// A docs page renders its sections, one runnable example per `lisp` block, one console per
/// bridge request, and the jobs panel beside them.
#[wasm_bindgen_test]
async fn doc_pages_render_examples_consoles_and_the_jobs_panel() {
    use granola::web::site::pages::DocPage;
    for (path, sel, min) in
        [("reference/builtins/map/map-get.md", ".example", 2u32), ("bridge/run_simulation.md", ".bridge-console", 2u32)]
    {
        let meta = docs::pages().iter().find(|p| p.path == path).expect(path);
        let parsed = docs::parse(meta.path, meta.source);
        let want =
            if sel == ".example" { parsed.lisp_examples().count() } else { parsed.bridge_examples().count() } as u32;
        assert!(want >= min);
        let m = mount(0.005, html! { <DocPage path={path} /> }).await;
        assert!(wait_for(3000.0, || m.count(sel) == want).await, "{path}: {} of {want} {sel}", m.count(sel));
        assert!(m.q("aside .jobs-panel").is_some(), "{path}: jobs panel beside runnable code");
        assert!(m.count(".toc li") >= 3, "{path}: table of contents");
        assert!(m.q("article.doc table, article.doc ul").is_some());
        m.unmount();
    }
}

/// By default an example runs exactly as `granola FILE` does (private engine: job ids from 1,
/// sleeps jump), so it matches its page every time; with "live jobs" on it runs on the page's
/// engine and its job shows in the jobs panel.
#[wasm_bindgen_test]
async fn examples_run_exact_by_default_and_live_on_request() {
    use granola::web::site::example::LIVE_KEY;
    let code = "(define (mk) (let ((r (map.make)) (o (map.make)) (s (map.make)) (c (map.make)) (m (map.make)))\n  (map.set! o 'state (list 0.0)) (map.set! o 'timestamp_ms 100) (map.set! o 'frame_id \"base\")\n  (map.set! s 'type ':continuous) (map.set! s 'dims 1) (map.set! s 'bounds (list (list -1.0 1.0)))\n  (map.set! c 'max_abs_value 1.0) (map.set! c 'max_delta 1.0)\n  (map.set! m 'name \"rt2-stub\") (map.set! m 'version \"stub-1\")\n  (map.set! r 'task_id \"t\") (map.set! r 'instruction \"move\") (map.set! r 'observation o)\n  (map.set! r 'action_space s) (map.set! r 'constraints c) (map.set! r 'model m) r))\n(vla.submit (mk))";
    storage().remove_item(&storage_key(code)).unwrap();
    storage().set_item(LIVE_KEY, "0").unwrap();
    let m = mount(
        0.005,
        html! { <>
            <Example id="ex-live" code={code} expected={Some(AttrValue::from("<closure>\n1\n"))} />
            <JobsPanel />
        </> },
    )
    .await;
    for _ in 0..2 {
        m.click("#ex-live button.run");
        assert!(
            wait_for(5000.0, || m.q("#ex-live .match-ok").is_some()).await,
            "exact run matches: {}",
            m.text("#ex-live .runner-output")
        );
        TimeoutFuture::new(50).await;
    }
    assert_eq!(m.count(".job-row"), 0, "exact runs keep their jobs private");
    js("root, _", "const i = root.querySelector('.live-toggle input'); i.click();", &m.root, &JsValue::UNDEFINED);
    assert!(wait_for(2000.0, || storage().get_item(LIVE_KEY).unwrap().as_deref() == Some("1")).await);
    TimeoutFuture::new(100).await;
    m.click("#ex-live button.run");
    assert!(
        wait_for(5000.0, || m.count(".job-row") == 1).await,
        "a live run's job shows in the panel: rows {}, output {}, engine jobs {}",
        m.count(".job-row"),
        m.text("#ex-live .runner-output"),
        m.session.engine.borrow().issued()
    );
    storage().set_item(LIVE_KEY, "0").unwrap();
    m.unmount();
}
