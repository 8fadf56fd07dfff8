//! Browser test: a VLA job's partial history comes from the job itself, so a jobs panel
//! mounted only after the job streamed to done still lists every partial with its job time.
#![cfg(target_arch = "wasm32")]

mod web_support;

use granola::jobs::State;
use granola::lang::Datum;
use granola::vla::VlaWork;
use granola::web::session::Session;
use granola::web::site::jobs::JobsPanel;
use granola::web::site::util::fmt_ms;
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::{document, vla_request, wait_for};

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Properties, PartialEq)]
struct PanelProps {
    session: Session,
}

/// Only a jobs panel under the given session (no job driver: the test moves job time).
#[function_component(PanelOnly)]
fn panel_only(p: &PanelProps) -> Html {
    html! {
        <ContextProvider<Session> context={p.session.clone()}>
            <JobsPanel />
        </ContextProvider<Session>>
    }
}

#[wasm_bindgen_test]
async fn a_panel_mounted_after_a_job_streamed_lists_all_its_partials() {
    // The job streams to done while no panel exists.
    let session = Session::new(1.0);
    let id = {
        let mut e = session.engine.borrow_mut();
        let id = match granola::vla::call(&mut e, "vla.submit", &[vla_request()]) {
            Ok(Datum::Int(id)) => id as u64,
            other => panic!("vla.submit: {other:?}"),
        };
        for t in 0..=6 {
            e.advance(f64::from(t) * 1.0);
        }
        assert_eq!(e.job(id).map(|j| j.state), Some(State::Done));
        id
    };
    let records = {
        let e = session.engine.borrow();
        e.job(id).and_then(|j| j.work::<VlaWork>()).map(|w| w.partials().to_vec()).unwrap_or_default()
    };
    assert_eq!(records.len(), 3, "the job kept its three partials");
    let times: Vec<String> = records.iter().map(|r| fmt_ms(r.at_ms)).collect();
    assert_eq!(times, vec!["0 ms", "1 ms", "2 ms"]);

    // Now a panel is mounted; open the job's details.
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let handle =
        yew::Renderer::<PanelOnly>::with_root_and_props(root.clone(), PanelProps { session: session.clone() }).render();
    let row = format!(".job-row[data-job=\"{id}\"]");
    assert!(wait_for(3000.0, || root.query_selector(&row).ok().flatten().is_some()).await, "row shown");
    let el: web_sys::HtmlElement = wasm_bindgen::JsCast::dyn_into(root.query_selector(&row).unwrap().unwrap()).unwrap();
    el.click();
    let items = || root.query_selector_all(".job-details ol.partials li").map(|l| l.length()).unwrap_or(0);
    assert!(wait_for(3000.0, || items() == 3).await, "details list {} partials", items());
    let list = root
        .query_selector(".job-details ol.partials")
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    for (r, t) in records.iter().zip(&times) {
        let line = format!("#{} at {}: {}", r.partial.sequence, t, r.partial.text_chunk);
        assert!(list.contains(&line), "missing {line:?} in {list:?}");
    }
    assert!(
        list.contains("encode observation")
            && list.contains("decode action prior")
            && list.contains("finalize structured action"),
        "{list}"
    );
    assert!(list.contains("confidence 0.20") && list.contains("confidence 0.75"), "{list}");
    assert!(list.contains("u = ("), "action candidates shown: {list}");
    // The poll map's partial is still the latest one.
    let record = root
        .query_selector(".job-details .job-record")
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    assert!(record.contains("finalize structured action") || record.contains("sequence 3"), "{record}");
    handle.destroy();
    root.remove();
}
