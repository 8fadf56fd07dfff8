//! Browser tests of the app shell and router: hash routes parse and print, the home page runs
//! its example on load, navigation by hash (the nav marks the section), the theme toggle
//! (remembered), `/` focusing the search box, and the router giving every route its page.
#![cfg(target_arch = "wasm32")]

mod web_support;

use gloo_timers::future::TimeoutFuture;
use granola::web::app::{switch, App};
use granola::web::route::Route;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

#[wasm_bindgen_test]
fn routes_parse_and_print() {
    assert_eq!(Route::parse(""), Route::Home);
    assert_eq!(Route::parse("#/"), Route::Home);
    assert_eq!(Route::parse("#/reference"), Route::ReferenceIndex);
    assert_eq!(Route::parse("#/reference/map.get"), Route::Reference("map.get".into()));
    assert_eq!(Route::parse("#/reference/special-forms/let"), Route::Reference("special-forms/let".into()));
    assert_eq!(Route::parse("#/reference/null%3F"), Route::Reference("null?".into()));
    assert_eq!(Route::parse("#/bridge/run_simulation"), Route::BridgeTool("run_simulation".into()));
    assert_eq!(Route::parse("#/playground?code=abc"), Route::Playground);
    assert_eq!(Route::parse("#/jobs"), Route::Jobs);
    assert_eq!(Route::parse("#/tour/"), Route::Tour);
    assert_eq!(Route::parse("#/nope"), Route::NotFound("nope".into()));
    for r in [
        Route::Home,
        Route::Reference("map.get".into()),
        Route::Reference("special-forms/let".into()),
        Route::BridgeTool("x".into()),
    ] {
        assert_eq!(Route::parse(&r.href()), r);
    }
}

#[wasm_bindgen_test]
async fn the_shell_runs_the_home_example_navigates_and_toggles_the_theme() {
    let _ = window().location().set_hash("#/");
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let _h = yew::Renderer::<App>::with_root(root.clone()).render();

    // the example on the home page runs on load
    let home_done = || root.query_selector("#home-runner[data-status=\"done\"]").ok().flatten().is_some();
    assert!(wait_for(5000.0, home_done).await, "home example did not finish");
    let out = root.query_selector("#home-runner .runner-output").unwrap().unwrap().text_content().unwrap();
    assert!(out.contains("144"), "home output: {out}");
    assert!(root.query_selector("header nav a[href=\"#/playground\"]").unwrap().is_some());
    assert!(root.query_selector("header input.search-input").unwrap().is_some());

    // hash navigation
    window().location().set_hash("#/jobs").unwrap();
    assert!(wait_for(3000.0, || root.query_selector("main.page-jobs").ok().flatten().is_some()).await, "jobs page");
    let nav_active = || root.query_selector("nav a.active").ok().flatten().and_then(|a| a.get_attribute("href"));
    assert!(
        wait_for(3000.0, || nav_active().as_deref() == Some("#/jobs")).await,
        "nav marks the jobs link active: {:?}",
        nav_active()
    );
    window().location().set_hash("#/").unwrap();
    assert!(wait_for(3000.0, || root.query_selector("main.page-home").ok().flatten().is_some()).await, "home page");

    // theme toggle: forces the theme opposite to the OS one, remembered; again → follow the OS
    let html = document().document_element().unwrap();
    let toggle =
        root.query_selector("button.theme-toggle").unwrap().unwrap().dyn_into::<web_sys::HtmlElement>().unwrap();
    toggle.click();
    assert!(wait_for(1000.0, || html.get_attribute("data-theme").is_some()).await, "theme forced");
    assert_eq!(storage().get_item("granola.theme").unwrap(), html.get_attribute("data-theme"));
    toggle.click();
    assert!(wait_for(1000.0, || html.get_attribute("data-theme").is_none()).await, "theme follows the OS again");
    assert_eq!(storage().get_item("granola.theme").unwrap(), None);

    // `/` focuses the search box
    key_down(&document().body().unwrap(), "/", false);
    let focused = document().active_element().map(|e| e.class_name()).unwrap_or_default();
    assert!(focused.contains("search-input"), "focused: {focused}");
}

/// Every route gets its page from the router (a docs route its docs page, an unknown reference
/// name the not-found page with suggestions, an unknown path a not-found note).
#[wasm_bindgen_test]
async fn the_router_gives_every_route_its_page() {
    for (hash, sel) in [
        ("#/", "#home-runner"),
        ("#/reference", ".reference-index"),
        ("#/reference/map.get", "article.doc[data-path=\"reference/builtins/map/map-get.md\"]"),
        ("#/reference/special-forms/let", "article.doc[data-path]"),
        ("#/bridge", ".reference-index .bridge-console"),
        ("#/bridge/run_simulation", "article.doc[data-path=\"bridge/run_simulation.md\"]"),
        ("#/bridge/no_such_tool", "article.doc .bridge-console"),
        ("#/playground", ".playground"),
        ("#/jobs", ".jobs-page .jobs-panel"),
        ("#/tour", ".tour"),
        ("#/docs/reference/guides/getting-started", "article.doc[data-path=\"reference/guides/getting-started.md\"]"),
        ("#/reference/not-a-thing-at-all", ".not-found"),
        ("#/no/such/page", "section.prose h1"),
    ] {
        let m = mount(1.0, switch(&Route::parse(hash))).await;
        assert!(
            wait_for(3000.0, || m.q(sel).is_some()).await,
            "{hash}: no {sel} in {}",
            m.root.text_content().unwrap_or_default()
        );
        assert!(!m.root.text_content().unwrap_or_default().contains("being built"), "{hash}: no placeholder");
        m.unmount();
        TimeoutFuture::new(0).await;
    }
}
