//! The app shell: header (navigation, search box, job clock, theme toggle), the hash router,
//! light/dark themes, the home page, and placeholders for pages the `site` module does not
//! render (yet).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::driver::{JobList, SpeedControl};
use super::runner::Runner;
use super::session::SessionProvider;

/// A page address. Routes live in the URL hash (`#/reference/map.get`), so the site works
/// from any static host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `#/`
    Home,
    /// `#/reference`
    ReferenceIndex,
    /// `#/reference/<name>`, e.g. `map.get` or `special-forms/let` (the rest of the path, decoded)
    Reference(String),
    /// `#/bridge`
    Bridge,
    /// `#/bridge/<tool>`
    BridgeTool(String),
    /// `#/playground`
    Playground,
    /// `#/jobs`
    Jobs,
    /// `#/tour`
    Tour,
    /// anything else (the hash path as given)
    NotFound(String),
}

impl Route {
    /// Parse a location hash (`#/reference/map.get?x=1`; the leading `#` and any `?query`
    /// are optional / ignored).
    pub fn parse(hash: &str) -> Route {
        let h = hash.strip_prefix('#').unwrap_or(hash);
        let path = h.split('?').next().unwrap_or("");
        let path = path.trim_start_matches('/').trim_end_matches('/');
        let decoded = decode(path);
        let (head, rest) = match decoded.split_once('/') {
            Some((a, b)) => (a.to_string(), Some(b.to_string())),
            None => (decoded.clone(), None),
        };
        match (head.as_str(), rest) {
            ("", None) => Route::Home,
            ("reference", None) => Route::ReferenceIndex,
            ("reference", Some(name)) => Route::Reference(name),
            ("bridge", None) => Route::Bridge,
            ("bridge", Some(tool)) => Route::BridgeTool(tool),
            ("playground", None) => Route::Playground,
            ("jobs", None) => Route::Jobs,
            ("tour", None) => Route::Tour,
            _ => Route::NotFound(decoded),
        }
    }

    /// The hash for this route (`#/reference/map.get`).
    pub fn href(&self) -> String {
        match self {
            Route::Home => "#/".to_string(),
            Route::ReferenceIndex => "#/reference".to_string(),
            Route::Reference(name) => format!("#/reference/{}", encode(name)),
            Route::Bridge => "#/bridge".to_string(),
            Route::BridgeTool(tool) => format!("#/bridge/{}", encode(tool)),
            Route::Playground => "#/playground".to_string(),
            Route::Jobs => "#/jobs".to_string(),
            Route::Tour => "#/tour".to_string(),
            Route::NotFound(p) => format!("#/{}", encode(p)),
        }
    }

    /// The top-level section (for highlighting the navigation).
    fn section(&self) -> &'static str {
        match self {
            Route::Home => "home",
            Route::ReferenceIndex | Route::Reference(_) => "reference",
            Route::Bridge | Route::BridgeTool(_) => "bridge",
            Route::Playground => "playground",
            Route::Jobs => "jobs",
            Route::Tour => "tour",
            Route::NotFound(_) => "",
        }
    }
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(s).map(String::from).unwrap_or_else(|_| s.to_string())
}

fn encode(s: &str) -> String {
    // keep `/` readable in nested names such as special-forms/let
    s.split('/').map(|p| String::from(js_sys::encode_uri_component(p))).collect::<Vec<_>>().join("/")
}

/// The current location hash (with `#`), or empty.
pub fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The current route.
pub fn current_route() -> Route {
    Route::parse(&current_hash())
}

/// A query parameter of the hash (`#/playground?code=...` → `hash_query("code")`), decoded.
pub fn hash_query(key: &str) -> Option<String> {
    let hash = current_hash();
    let (_, query) = hash.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == key).then(|| decode(&v.replace('+', " ")))
    })
}

/// Go to a route (sets the hash; the router re-renders on `hashchange`).
pub fn navigate(route: &Route) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&route.href());
    }
}

/// One search result (the `site` module produces these; the header shows them).
#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    pub title: String,
    /// Where it links (a hash, e.g. `#/reference/map.get`).
    pub href: String,
    /// A short line of context.
    pub snippet: String,
}

// ---------------------------------------------------------------- themes

const THEME_KEY: &str = "granola.theme";

/// The theme setting: follow the OS, or forced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn load() -> Theme {
        match super::load_setting(THEME_KEY).as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    fn next(self) -> Theme {
        // Toggle to the opposite of what is shown now, then back to following the OS.
        match self {
            Theme::System => {
                if os_prefers_dark() {
                    Theme::Light
                } else {
                    Theme::Dark
                }
            }
            Theme::Light | Theme::Dark => Theme::System,
        }
    }

    fn apply(self) {
        let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else {
            return;
        };
        match self {
            Theme::System => {
                let _ = root.remove_attribute("data-theme");
                if let Some(s) = super::local_storage() {
                    let _ = s.remove_item(THEME_KEY);
                }
            }
            Theme::Light => {
                let _ = root.set_attribute("data-theme", "light");
                super::save_setting(THEME_KEY, "light");
            }
            Theme::Dark => {
                let _ = root.set_attribute("data-theme", "dark");
                super::save_setting(THEME_KEY, "dark");
            }
        }
    }

    fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: follows your system (click for the other one)",
            Theme::Light => "Theme: light (click to follow your system again)",
            Theme::Dark => "Theme: dark (click to follow your system again)",
        }
    }

    fn icon(self) -> &'static str {
        match self {
            Theme::System => "◐",
            Theme::Light => "☀",
            Theme::Dark => "☾",
        }
    }
}

fn os_prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false)
}

// ---------------------------------------------------------------- the app

/// The whole app: session (with the job driver) + shell + router.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <SessionProvider global={true}>
            <Shell />
        </SessionProvider>
    }
}

/// The shell without the session provider (mount inside a [`SessionProvider`]).
#[function_component(Shell)]
pub fn shell() -> Html {
    let route = use_state(current_route);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let cb = Closure::<dyn Fn()>::new(move || {
                route.set(current_route());
                if let Some(w) = web_sys::window() {
                    w.scroll_to_with_x_and_y(0.0, 0.0);
                }
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref());
                }
                drop(cb);
            }
        });
    }
    let page = super::site::page(&route).unwrap_or_else(|| builtin_page(&route));
    html! {
        <>
            <a class="skip" href="#main">{ "Skip to content" }</a>
            <Header route={(*route).clone()} />
            <main id="main" class={classes!("page", format!("page-{}", route.section()))}>
                { page }
            </main>
            <footer class="footer">
                <span>{ "Granola — muslisp runs in your browser (Rust → WebAssembly). Nothing is sent anywhere." }</span>
                <a href="#/reference">{ "Reference" }</a>
            </footer>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub route: Route,
}

#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let theme = use_state(Theme::load);
    let menu_open = use_state(|| false);
    let toggle_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = theme.next();
            next.apply();
            theme.set(next);
        })
    };
    let toggle_menu = {
        let menu_open = menu_open.clone();
        Callback::from(move |_: MouseEvent| menu_open.set(!*menu_open))
    };
    {
        // close the menu after navigating
        let menu_open = menu_open.clone();
        use_effect_with(props.route.clone(), move |_| menu_open.set(false));
    }
    let section = props.route.section();
    let link = |href: &'static str, key: &'static str, text: &'static str| {
        let current = (section == key).then_some("page");
        html! { <a href={href} class={classes!("nav-link", (section == key).then_some("active"))} aria-current={current}>{ text }</a> }
    };
    html! {
        <header class="header">
            <a class="brand" href="#/" aria-label="Granola home">
                <span class="logo" aria-hidden="true">{ "◉" }</span>
                <span class="brand-name">{ "Granola" }</span>
            </a>
            <button class="menu-toggle" onclick={toggle_menu} aria-expanded={(*menu_open).to_string()} aria-controls="nav">{ "☰" }<span class="sr">{ " Menu" }</span></button>
            <nav id="nav" class={classes!("nav", (*menu_open).then_some("open"))} aria-label="Main">
                { link("#/reference", "reference", "Reference") }
                { link("#/playground", "playground", "Playground") }
                { link("#/jobs", "jobs", "Jobs") }
                { link("#/bridge", "bridge", "Bridge") }
                { link("#/tour", "tour", "Tour") }
            </nav>
            <SearchBox />
            <div class="header-tools">
                <SpeedControl />
                <button class="theme-toggle" onclick={toggle_theme} title={theme.label()} aria-label={theme.label()}>{ theme.icon() }</button>
            </div>
        </header>
    }
}

/// The header search box: `/` focuses it; results come from `site::search`; Enter opens
/// the first hit, arrow keys move, Escape clears.
#[function_component(SearchBox)]
pub fn search_box() -> Html {
    let query = use_state(String::new);
    let selected = use_state(|| 0usize);
    let input_ref = use_node_ref();
    // The release site fetches the docs pages after start-up: re-render once they are in, so
    // a query typed before that also lists the pages.
    let docs_in = use_state(super::site::docs::loaded);
    {
        let docs_in = docs_in.clone();
        use_effect_with((), move |_| {
            super::site::docs::ensure_loaded(Some(Box::new(move || docs_in.set(true))));
        });
    }
    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            let cb = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                if e.key() != "/" || e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                // don't steal `/` from text fields and editors
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|el| {
                        let tag = el.tag_name().to_ascii_lowercase();
                        tag == "input"
                            || tag == "textarea"
                            || tag == "select"
                            || el.closest("[contenteditable]").ok().flatten().is_some()
                    })
                    .unwrap_or(false);
                if typing {
                    return;
                }
                if let Some(input) = input_ref.cast::<web_sys::HtmlInputElement>() {
                    e.prevent_default();
                    let _ = input.focus();
                    input.select();
                }
            });
            let doc = web_sys::window().and_then(|w| w.document());
            if let Some(d) = &doc {
                let _ = d.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
            }
            move || {
                if let Some(d) = &doc {
                    let _ = d.remove_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
                }
                drop(cb);
            }
        });
    }
    let hits = if query.trim().is_empty() { Vec::new() } else { super::site::search(query.trim(), 8) };
    let oninput = {
        let query = query.clone();
        let selected = selected.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                query.set(input.value());
                selected.set(0);
            }
        })
    };
    let onkeydown = {
        let query = query.clone();
        let selected = selected.clone();
        let hits = hits.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                if let Some(hit) = hits.get(*selected).or_else(|| hits.first()) {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_hash(&hit.href);
                    }
                    query.set(String::new());
                }
            }
            "ArrowDown" => {
                e.prevent_default();
                if !hits.is_empty() {
                    selected.set((*selected + 1) % hits.len());
                }
            }
            "ArrowUp" => {
                e.prevent_default();
                if !hits.is_empty() {
                    selected.set((*selected + hits.len() - 1) % hits.len());
                }
            }
            "Escape" => query.set(String::new()),
            _ => {}
        })
    };
    let clear = {
        let query = query.clone();
        Callback::from(move |_: MouseEvent| query.set(String::new()))
    };
    html! {
        <div class="search" role="search">
            <input ref={input_ref} class="search-input" type="search" placeholder="Search  /" aria-label="Search the reference (press / to focus)"
                   value={(*query).clone()} {oninput} {onkeydown} autocomplete="off" spellcheck="false" />
            if !query.trim().is_empty() {
                <ul class="search-results" role="listbox">
                    if hits.is_empty() {
                        <li class="search-empty muted">{ "No matches." }</li>
                    }
                    { for hits.iter().enumerate().map(|(i, h)| html! {
                        <li role="option" aria-selected={(i == *selected).to_string()} class={classes!((i == *selected).then_some("selected"))}>
                            <a href={h.href.clone()} onclick={clear.clone()}>
                                <span class="hit-title">{ &h.title }</span>
                                <span class="hit-snippet">{ &h.snippet }</span>
                            </a>
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}

// ---------------------------------------------------------------- pages of the shell

const HOME_EXAMPLE: &str = r#"; Each top-level form's value shows as soon as it finishes.
(define (square x) (* x x))
(square 12)
(print "hello from muslisp")
(list (square 1) (square 2) (square 3) (square 4) (square 5))
(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))
(fact 20)
"#;

const JOB_EXAMPLE: &str = r#"; Submit a VLA job, look at it at once, wait 5 job-ms, look again.
(define (request text dims)
  (let ((req (map.make)) (space (map.make)))
    (map.set! space 'dims dims)
    (map.set! req 'action_space space)
    (map.set! req 'instruction text)
    req))
(define job (vla.submit (request "pick up the cup" 2)))
(map.get (vla.poll job) 'status ':none)
(time.sleep-ms 5)
(map.get (vla.poll job) 'status ':none)
(json.encode (map.get (map.get (vla.poll job) 'final nil) 'action nil))
"#;

pub(crate) fn builtin_page(route: &Route) -> Html {
    match route {
        Route::Home => html! { <HomePage /> },
        Route::Jobs => html! {
            <section class="prose">
                <h1>{ "Jobs" }</h1>
                <p>{ "Every job of this session, newest first. Jobs move on the job clock (header); Cancel is there while a job is active." }</p>
                <JobList limit={200} />
            </section>
        },
        Route::NotFound(path) => html! {
            <section class="prose">
                <h1>{ "Not found" }</h1>
                <p>{ format!("There is no page at “{path}”. ") }<a href="#/">{ "Go home" }</a>{ " or search above." }</p>
            </section>
        },
        other => {
            let title = match other {
                Route::ReferenceIndex => "Reference".to_string(),
                Route::Reference(n) => format!("Reference: {n}"),
                Route::Bridge => "Bridge".to_string(),
                Route::BridgeTool(t) => format!("Bridge: {t}"),
                Route::Playground => "Playground".to_string(),
                Route::Tour => "Tour".to_string(),
                _ => String::new(),
            };
            let playground = matches!(other, Route::Playground);
            html! {
                <section class="prose">
                    <h1>{ title }</h1>
                    <p class="muted">{ "This page is being built. Meanwhile, try muslisp here:" }</p>
                    <Runner id="placeholder-runner" source={if playground { JOB_EXAMPLE } else { HOME_EXAMPLE }} />
                </section>
            }
        }
    }
}

#[function_component(HomePage)]
fn home_page() -> Html {
    html! {
        <>
            <section class="hero">
                <h1>{ "muslisp, live in your browser" }</h1>
                <p class="lede">
                    { "Granola is a playground and runnable reference for " }<strong>{ "muslisp" }</strong>
                    { ", a small Lisp whose programs submit asynchronous jobs — VLA model calls and simulation runs — poll them while they stream, and cancel them. Everything runs here, in WebAssembly." }
                </p>
                <p class="cta">
                    <a class="button primary" href="#/playground">{ "Open the playground" }</a>
                    <a class="button" href="#/tour">{ "Take the tour" }</a>
                    <a class="button" href="#/reference">{ "Read the reference" }</a>
                </p>
            </section>
            <section class="card">
                <h2>{ "This ran when the page loaded" }</h2>
                <Runner id="home-runner" source={HOME_EXAMPLE} autorun={true} />
            </section>
            <section class="card">
                <h2>{ "Submit a job and watch it" }</h2>
                <p class="muted">{ "The job clock in the header sets how fast job time runs; by default one job-millisecond takes 200 ms, so you can watch the job go queued → running → streaming → done." }</p>
                <Runner id="job-runner" source={JOB_EXAMPLE} />
                <JobList limit={10} />
            </section>
        </>
    }
}
