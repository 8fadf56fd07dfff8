//! `#/playground`: a full-page editor on a `Runner`, a REPL with history, the examples
//! gallery, a share link that encodes the program in the URL, the bridge console and the jobs
//! panel beside it.

use yew::prelude::*;

use crate::web::bridge;
use crate::web::components::{BridgeConsole, Editor, ErrorMark, HelpLinks, JobsPanel, Repl, Runner};
use crate::web::gallery::{self, Entry, GALLERY};
use crate::web::session::{SessionAction, SessionHandle};
use crate::web::util::{copy_to_clipboard, decode_b64, encode_b64, hash_query, load, save, scroll_to_id};

const SAVE_KEY: &str = "granola.playground";

/// The program given in the URL (`#/playground?code=<base64url>`), if any.
pub fn program_from_url() -> Option<String> {
    hash_query("code").and_then(|c| decode_b64(&c)).map(|p| without_trailing_blank_lines(&p).to_string())
}

/// The program without trailing blank lines (and without the final line break). The editor
/// shows a final line break as one more, empty line, so a link that carried it (every program
/// ends with one) opened with a blank line the author never saw as part of the program.
pub fn without_trailing_blank_lines(program: &str) -> &str {
    program.trim_end_matches(['\n', '\r', ' ', '\t'])
}

/// The share link of a program (the current page's URL with `#/playground?code=`).
pub fn share_url(program: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default();
    format!("{base}#/playground?code={}", encode_b64(without_trailing_blank_lines(program)))
}

/// The playground page.
#[function_component(PlaygroundPage)]
pub fn playground_page() -> Html {
    let initial =
        use_memo((), |_| program_from_url().or_else(|| load(SAVE_KEY)).unwrap_or_else(|| gallery::FIRST.to_string()));
    let text = {
        let i = (*initial).clone();
        use_state(move || i)
    };
    let shown = {
        let i = (*initial).clone();
        use_state(move || i)
    };
    let generation = use_state(|| 0u64);
    let run_token = use_state(|| 0u64);
    let error = use_state(|| None::<ErrorMark>);
    let share = use_state(|| None::<String>);
    let console = use_state(|| ("list_tools", "viewer", "{}", 0u32));
    // Set when a bridge example was chosen: the console is highlighted until the next pick.
    let console_pick = use_state(|| None::<&'static str>);

    let on_change = {
        let text = text.clone();
        let error = error.clone();
        Callback::from(move |t: String| {
            if t.len() <= 500_000 {
                save(SAVE_KEY, &t);
            }
            text.set(t);
            error.set(None);
        })
    };
    let on_error_at = {
        let error = error.clone();
        Callback::from(move |(line, col): (u32, u32)| error.set(Some(ErrorMark { line, col, message: String::new() })))
    };
    let on_share = {
        let text = text.clone();
        let share = share.clone();
        Callback::from(move |_: MouseEvent| {
            let url = share_url(&text);
            copy_to_clipboard(&url);
            share.set(Some(url));
        })
    };
    let state = use_context::<SessionHandle>();
    let pick = {
        let state = state.clone();
        let text = text.clone();
        let shown = shown.clone();
        let generation = generation.clone();
        let console = console.clone();
        let console_pick = console_pick.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            let Ok(i) = sel.value().parse::<usize>() else { return };
            sel.set_value("");
            let title = GALLERY.get(i).map(|g| g.0).unwrap_or("");
            match GALLERY.get(i).map(|g| g.1) {
                Some(Entry::Lisp(src)) => {
                    console_pick.set(None);
                    save(SAVE_KEY, src);
                    text.set(src.to_string());
                    shown.set(src.to_string());
                    generation.set(*generation + 1);
                }
                Some(Entry::Bridge(tool, role, body, setup)) => {
                    if let Some(state) = &state {
                        for (t, r, b) in setup {
                            bridge::send(&state.session, t, r, b);
                        }
                        state.dispatch(SessionAction::Changed);
                    }
                    console.set((tool, role, body, console.3 + 1));
                    // The example is a bridge request, not a program: the editor says so (and
                    // Run has nothing to run) instead of keeping the previous program, which
                    // Run would otherwise silently run again.
                    let note = bridge_example_note(title, tool);
                    text.set(note.clone());
                    shown.set(note);
                    generation.set(*generation + 1);
                    console_pick.set(Some(title));
                    scroll_to_id("pg-console");
                }
                None => {}
            }
        })
    };
    let on_run = {
        let run_token = run_token.clone();
        Callback::from(move |_| run_token.set(*run_token + 1))
    };
    html! {
        <div class="playground">
            <div class="pg-main">
                <div class="pg-toolbar">
                    <h1>{"Playground"}</h1>
                    <label class="pg-gallery">{"Examples "}
                        <select onchange={pick} aria-label="Examples gallery">
                            <option value="" selected=true>{"Choose an example…"}</option>
                            { for GALLERY.iter().enumerate().map(|(i, (title, _))| html!{ <option value={i.to_string()}>{*title}</option> }) }
                        </select>
                    </label>
                    <button class="pg-share" onclick={on_share} title="Copy a link that contains this program">{"Share link"}</button>
                </div>
                if let Some(url) = &*share {
                    <div class="pg-share-url">
                        <input readonly=true value={url.clone()} aria-label="Share link" onfocus={Callback::from(|e: FocusEvent| {
                            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() { i.select(); }
                        })} />
                        <span class="muted">{ if url.len() > 8000 { " Long program: the link may be too long for some browsers." } else { " Copied." } }</span>
                    </div>
                }
                <Runner source={AttrValue::from((*text).clone())} id="playground-runner" show_source={false}
                    run_token={*run_token} on_error_at={Some(on_error_at)}>
                    <Editor text={AttrValue::from((*shown).clone())} generation={*generation} {on_change} {on_run}
                        run_key={false} error={(*error).clone()} min_lines={16} label="Playground program" class="pg-editor" />
                    <HelpLinks source={AttrValue::from((*text).clone())} />
                </Runner>
                <h2>{"REPL"}</h2>
                <Repl />
                <h2 id="pg-console">{"Bridge console"}</h2>
                <div class={classes!("pg-console", console_pick.is_some().then_some("pg-console-picked"))}>
                    if let Some(title) = *console_pick {
                        <p class="pg-console-note" role="status">{format!("Example “{title}” is loaded in the Bridge console: press Send below.")}</p>
                    }
                    <BridgeConsole key={format!("console-{}", console.3)} pick_tool={true} tool={console.0} role={console.1} body={console.2} />
                </div>
            </div>
            <aside class="pg-side">
                <JobsPanel compact={true} height={520} />
            </aside>
        </div>
    }
}

/// What the Lisp editor holds after a bridge example is chosen.
pub fn bridge_example_note(title: &str, tool: &str) -> String {
    format!(
        "; “{title}” is a bridge request (POST /{tool}), not a Lisp program.\n\
         ; It is loaded in the Bridge console below this page's REPL: press Send there.\n\
         ; Choose a Lisp example, or write a program here, to use Run.\n"
    )
}
