//! Browser tests of the live tree view (tree studio): it appears under a run that makes a
//! tree, its statuses change as the tree ticks (the program's ticks and the view's own Tick
//! button), scrubbing back shows an earlier tick's colours and blackboard, Run/Pause tick on
//! the browser's timers, a cancelled VLA job makes the fallback run, and the world canvas
//! follows the robot.
#![cfg(target_arch = "wasm32")]

mod web_support;

use gloo_timers::future::TimeoutFuture;
use granola::web::components::Runner;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `class` of node `id` of the (first) tree view under `m`.
fn node_class(m: &Mounted, id: u32) -> String {
    m.q(&format!(".studio .bt-node[data-id=\"{id}\"]")).and_then(|e| e.get_attribute("class")).unwrap_or_default()
}

/// Waits (up to 3 s) until node `id`'s class contains `part`: the drawing follows the
/// recording on the next animation frame, which a loaded machine may delay.
async fn has_class(m: &Mounted, id: u32, part: &str) -> bool {
    wait_for(3000.0, || node_class(m, id).contains(part)).await
}

/// Clicks Tick once as soon as it is enabled (the controls wait for the program to finish).
async fn tick_once(m: &Mounted) {
    assert!(
        wait_for(5000.0, || m.q(".studio .st-tick:not([disabled])").is_some()).await,
        "Tick once stays disabled: {}",
        m.text(".studio .studio-bar")
    );
    m.click(".studio .st-tick");
}

fn studio_attr(m: &Mounted, attr: &str) -> String {
    m.q(".studio").and_then(|e| e.get_attribute(attr)).unwrap_or_default()
}

async fn run(m: &Mounted) {
    m.click(".runner button.run");
    assert!(
        wait_for(10_000.0, || m.q(".runner[data-status=\"done\"]").is_some()).await,
        "the program ran: {}",
        m.text(".runner-output")
    );
}

fn scrub_to(m: &Mounted, i: usize) {
    let input = m.q(".studio .st-scrub").unwrap().dyn_into::<web_sys::HtmlInputElement>().unwrap();
    input.set_value(&i.to_string());
    let ev = web_sys::InputEvent::new("input").unwrap();
    input.dispatch_event(&ev).unwrap();
}

const WORK: &str =
    "(define i (bt.new-instance (bt (seq (act running-then-success 2) (act bb-put-int done 1)))))\n(bt.tick i)\n";

#[wasm_bindgen_test]
async fn the_view_follows_ticks_and_scrubs_back() {
    let m = mount(1.0, html! { <Runner source={WORK} id="studio-runner" /> }).await;
    run(&m).await;
    assert!(wait_for(5000.0, || studio_attr(&m, "data-tick") == "1").await, "the program's tick shows");
    assert!(wait_for(3000.0, || node_class(&m, 0).contains("st-running")).await, "{}", node_class(&m, 0));
    assert!(has_class(&m, 1, "st-idle").await, "bb-put-int not ticked yet: {}", node_class(&m, 1));
    assert!(has_class(&m, 2, "st-running").await);
    assert!(has_class(&m, 2, "f-composite").await && node_class(&m, 0).contains("f-action"));
    assert_eq!(studio_attr(&m, "data-root"), "running");
    assert!(m.q(".studio .bb-table").is_none(), "nothing on the blackboard yet");

    // the view's own Tick button, twice
    tick_once(&m).await;
    assert!(wait_for(5000.0, || studio_attr(&m, "data-tick") == "2").await);
    tick_once(&m).await;
    assert!(
        wait_for(5000.0, || studio_attr(&m, "data-tick") == "3").await,
        "third tick: {}",
        studio_attr(&m, "data-tick")
    );
    assert!(has_class(&m, 1, "st-success").await, "{}", node_class(&m, 1));
    assert!(has_class(&m, 2, "st-success").await);
    assert_eq!(studio_attr(&m, "data-root"), "success");
    assert!(m.q(".studio .bb-table tr[data-key=\"done\"].changed").is_some(), "done was written in tick 3");
    assert!(m.q(".studio .bt-edge.on").is_some(), "the path of the tick is drawn");

    // back to tick 1: colours and blackboard as they were
    scrub_to(&m, 0);
    assert!(wait_for(3000.0, || studio_attr(&m, "data-tick") == "1").await);
    assert!(has_class(&m, 1, "st-idle").await, "{}", node_class(&m, 1));
    assert!(has_class(&m, 2, "st-running").await);
    assert!(m.q(".studio .bb-table tr[data-key=\"done\"]").is_none(), "no 'done' at tick 1");
    // the arrow button steps forward
    m.click(".studio .st-next");
    assert!(wait_for(3000.0, || studio_attr(&m, "data-tick") == "2").await);
    // Latest follows the newest again
    m.click(".studio .st-latest");
    assert!(wait_for(3000.0, || studio_attr(&m, "data-tick") == "3").await);
    // events of the tick are listed
    assert!(m.count(".studio .studio-events li") > 4);
    m.unmount();
}

#[wasm_bindgen_test]
async fn run_and_pause_tick_on_timers_and_reset_clears() {
    let src = "(define i (bt.new-instance (bt (seq (act bb-put-int k 1) (act running-then-success 1000)))))\n";
    let m = mount(1.0, html! { <Runner source={src} /> }).await;
    run(&m).await;
    assert!(wait_for(5000.0, || m.q(".studio .st-run").is_some()).await, "the view shows an unticked tree");
    assert_eq!(studio_attr(&m, "data-len"), "0");
    m.click(".studio .st-run");
    assert!(
        wait_for(10_000.0, || studio_attr(&m, "data-len").parse::<u32>().unwrap_or(0) >= 3).await,
        "Run ticks by itself"
    );
    m.click(".studio .st-pause");
    TimeoutFuture::new(100).await;
    let n = studio_attr(&m, "data-len");
    TimeoutFuture::new(700).await;
    assert_eq!(studio_attr(&m, "data-len"), n, "Pause stops the ticks");
    assert!(m.q(".studio .bb-table tr[data-key=\"k\"]").is_some());
    m.click(".studio .st-reset");
    tick_once(&m).await;
    assert!(
        wait_for(5000.0, || m.q(".studio .bb-table tr[data-key=\"k\"].changed").is_some()).await,
        "after a reset k is written anew"
    );
    // the first failure: none here
    m.click(".studio .st-failure");
    assert!(wait_for(2000.0, || m.text(".studio .studio-msg").contains("no failure")).await);
    m.unmount();
}

#[wasm_bindgen_test]
async fn the_view_jumps_to_the_first_failure_and_downloads_work() {
    let src = "(define i (bt.new-instance (bt (sel (cond bb-truthy ok) (fail)))))\n(bt.tick i '((ok #t)))\n(bt.tick i '((ok #t)))\n(bt.tick i '((ok #f)))\n(bt.tick i '((ok #t)))\n";
    let m = mount(1.0, html! { <Runner source={src} /> }).await;
    run(&m).await;
    assert!(wait_for(5000.0, || studio_attr(&m, "data-tick") == "4").await);
    m.click(".studio .st-failure");
    assert!(wait_for(3000.0, || studio_attr(&m, "data-tick") == "3").await, "tick 3 failed");
    assert_eq!(studio_attr(&m, "data-root"), "failure");
    assert!(has_class(&m, 1, "st-failure").await && node_class(&m, 0).contains("st-failure"));
    // keyboard: focus the tree, Home, ArrowDown selects the first child
    let tree = m.q(".studio .studio-tree").unwrap().dyn_into::<web_sys::HtmlElement>().unwrap();
    tree.focus().unwrap();
    for key in ["Home", "ArrowDown", "Enter"] {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        tree.dispatch_event(&ev).unwrap();
        TimeoutFuture::new(30).await;
    }
    assert!(
        wait_for(2000.0, || m.text(".studio .studio-node h4").contains("cond bb-truthy")).await,
        "{}",
        m.text(".studio .studio-node")
    );
    assert!(has_class(&m, 0, "sel").await);
    m.unmount();
}

#[wasm_bindgen_test]
async fn the_world_canvas_follows_the_robot() {
    let src = r#"(env.attach "sim2d")
(env.reset nil)
(define (cmd v w)
  (let ((a (map.make)))
    (map.set! a 'action_schema "sim2d.cmd.v1")
    (map.set! a 'u (list v w))
    a))
(bt.define-action 'drive (lambda (inst) (env.act (cmd 1.0 0.0)) (env.step) 'running))
(define i (bt.new-instance (bt (seq (act drive)))))
"#;
    let m = mount(1.0, html! { <Runner source={src} /> }).await;
    run(&m).await;
    assert!(wait_for(5000.0, || m.q(".studio .world-canvas").is_some()).await, "the world shows");
    assert!(wait_for(3000.0, || m.text(".studio .world-caption").contains("Robot at")).await);
    let before = m.text(".studio .world-caption");
    tick_once(&m).await;
    assert!(wait_for(5000.0, || m.text(".studio .world-caption") != before).await, "the robot moved: {before}");
    assert!(m.text(".studio .world-caption").contains("step 1"), "{}", m.text(".studio .world-caption"));
    let canvas = m.q(".studio .world-canvas").unwrap().dyn_into::<web_sys::HtmlCanvasElement>().unwrap();
    assert!(canvas.width() > 100, "drawn at its size");
    m.unmount();
}

/// The id of the node of the (first) tree view whose tooltip contains `needle`.
fn node_with(m: &Mounted, needle: &str) -> Option<u32> {
    let list = m.root.query_selector_all(".studio .bt-node").ok()?;
    (0..list.length()).find_map(|k| {
        let el = list.item(k)?.dyn_into::<web_sys::Element>().ok()?;
        let title = el.query_selector("title").ok()??.text_content().unwrap_or_default();
        title.contains(needle).then(|| el.get_attribute("data-id")?.parse().ok()).flatten()
    })
}

#[wasm_bindgen_test]
async fn cancelling_the_vla_job_in_the_jobs_panel_makes_the_fallback_run() {
    // The wait comes first; the request branch runs once (guarded by `tried`); the fallback
    // writes `fallback`. Job time crawls (1 job-ms per 10 s), so the job stays active.
    let src = "(define i (bt.new-instance (bt (sel (vla-wait :name p :action_key act)\n  (seq (invert (cond bb-has tried)) (act bb-put-int tried 1) (vla-request :name p :instruction \"go right\" :deadline_ms 100000))\n  (act bb-put-int fallback 1)))))\n(bt.tick i '((state (0.1 0.2))))\n";
    let m = mount(0.0001, html! { <><Runner source={src} /><granola::web::components::JobsPanel /></> }).await;
    // Two jobs fill both worker slots, so the tree's job (#3) waits in the queue, where a
    // cancel takes effect at once.
    assert_eq!((submit_vla(&m.session), submit_vla(&m.session)), (1, 2));
    run(&m).await;
    assert!(wait_for(5000.0, || studio_attr(&m, "data-tick") == "1").await);
    assert!(wait_for(3000.0, || node_with(&m, "vla-wait").is_some()).await, "the tree is drawn");
    let wait = node_with(&m, "vla-wait").unwrap_or_else(|| panic!("the wait node: {}", m.text(".studio")));
    let fallback = node_with(&m, "fallback 1").expect("the fallback node");
    assert!(has_class(&m, wait, "st-failure").await, "no job yet: {}", node_class(&m, wait));
    assert!(has_class(&m, fallback, "st-idle").await, "{}", node_class(&m, fallback));
    assert_eq!(studio_attr(&m, "data-root"), "running");
    // tick 2: the wait polls the job (still active) and runs; its node shows the job
    tick_once(&m).await;
    assert!(wait_for(5000.0, || studio_attr(&m, "data-tick") == "2").await);
    assert!(has_class(&m, wait, "st-running").await, "{}", node_class(&m, wait));
    assert!(
        wait_for(3000.0, || m.text(&format!(".studio .bt-node[data-id=\"{wait}\"] .bt-job")).contains("#3")).await,
        "the wait node shows its job: {:?}",
        m.text(&format!(".studio .bt-node[data-id=\"{wait}\"] .bt-job"))
    );
    // cancel it in the jobs panel
    let row = ".job-row[data-job=\"3\"]";
    assert!(wait_for(3000.0, || m.q(&format!("{row} .job-cancel")).is_some()).await, "the job is listed, active");
    m.click(&format!("{row} .job-cancel"));
    assert!(
        wait_for(3000.0, || m.q(row).and_then(|e| e.get_attribute("data-state")).as_deref() == Some("cancelled")).await
    );
    // the next tick: the wait fails and the fallback runs
    tick_once(&m).await;
    assert!(wait_for(5000.0, || studio_attr(&m, "data-tick") == "3").await);
    assert!(has_class(&m, wait, "st-failure").await, "{}", node_class(&m, wait));
    assert!(has_class(&m, fallback, "st-success").await, "{}", node_class(&m, fallback));
    assert_eq!(studio_attr(&m, "data-root"), "success");
    assert!(m.q(".studio .bb-table tr[data-key=\"fallback\"].changed").is_some());
    m.unmount();
}

#[wasm_bindgen_test]
async fn a_node_kind_page_shows_the_live_view_under_its_example() {
    let m = mount(1.0, html! { <granola::web::components::DocPage path="reference/bt/nodes/sel.md" /> }).await;
    assert!(wait_for(5000.0, || m.q(".example button.run").is_some()).await, "the page shows its examples");
    m.click(".example button.run");
    assert!(wait_for(10_000.0, || m.q(".example .studio").is_some()).await, "the live view shows under the example");
    assert!(wait_for(3000.0, || studio_attr(&m, "data-tick") == "3").await, "{}", studio_attr(&m, "data-tick"));
    assert_eq!(studio_attr(&m, "data-root"), "running");
    // step back through the example's three ticks: running, success, running
    scrub_to(&m, 1);
    assert!(wait_for(3000.0, || studio_attr(&m, "data-root") == "success").await);
    // and tick it further from the view
    tick_once(&m).await;
    assert!(wait_for(5000.0, || studio_attr(&m, "data-tick") == "4").await);
    m.unmount();
}

/// 40 copies of a fallback whose condition reads `odd`: 201 nodes, most of them out of view.
const WIDE: &str = "(define g '(sel (seq (cond bb-truthy odd) (succeed)) (succeed)))
(define (gs n) (if (= n 0) '() (cons g (gs (- n 1)))))
(define t (bt.new-instance (bt.compile (cons 'seq (gs 40)))))
(bt.tick t '((odd #t)))
(bt.tick t '((odd #f)))
";

#[wasm_bindgen_test]
async fn a_large_tree_settles_out_of_view_and_lists_every_event_of_a_tick() {
    let m = mount(1.0, html! { <Runner source={WIDE} /> }).await;
    run(&m).await;
    assert!(wait_for(5000.0, || studio_attr(&m, "data-tick") == "2").await);
    assert_eq!(m.count(".studio .bt-node"), 201);
    // While ticks arrive the view redraws what is in sight; once they stop, the rest follows.
    assert!(
        wait_for(3000.0, || m.count(".studio .bt-node.f-condition.st-failure") == 40).await,
        "every condition failed in tick 2: {} drawn so",
        m.count(".studio .bt-node.f-condition.st-failure")
    );
    scrub_to(&m, 0);
    assert!(
        wait_for(3000.0, || m.count(".studio .bt-node.f-condition.st-success") == 40).await,
        "scrubbing back redraws every node: {}",
        m.count(".studio .bt-node.f-condition.st-success")
    );
    // The event list holds every record of the tick but builds only the rows in sight.
    let summary = m.text(".studio .studio-events summary");
    let total: u32 = summary.trim_start_matches("Events of this tick (").trim_end_matches(')').parse().unwrap_or(0);
    assert!(total > 300, "{summary}");
    let rows = m.count(".studio .studio-events li");
    assert!((10..100).contains(&rows), "{rows} rows built of {total}");
    let list = m.q(".studio .studio-events .ev-scroll").unwrap();
    list.set_scroll_top(list.scroll_height());
    let last_kind = || {
        let items = m.root.query_selector_all(".studio .studio-events li").unwrap();
        items
            .item(items.length().saturating_sub(1))
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.get_attribute("class"))
    };
    assert!(
        wait_for(3000.0, || last_kind().as_deref() == Some("ev-tick_ok")).await,
        "scrolled to the end, the last record of the tick shows: {:?}",
        last_kind()
    );
    assert_eq!(
        m.q(".studio .studio-events ol")
            .and_then(|o| o.get_attribute("start"))
            .map(|s| s.parse::<u32>().unwrap_or(0) + rows_now(&m) - 1),
        Some(total),
        "rows are numbered as in the whole list"
    );
    m.unmount();
}

fn rows_now(m: &Mounted) -> u32 {
    m.count(".studio .studio-events li")
}
