//! `#/playground`: a full-page editor on a `Runner`, a REPL with history, the examples
//! gallery, a share link that encodes the program in the URL, Format, "values inline" (each
//! top-level form's value after the form, remembered), the bridge console and the jobs panel
//! beside it.

use yew::prelude::*;

use crate::lang::pretty::top_level_forms;
use crate::web::bridge;
use crate::web::components::editor::InlineValue;
use crate::web::components::program_buffer::{remembered_switch, use_program, Program};
use crate::web::components::{BridgeConsole, Editor, ErrorMark, HelpLinks, JobsPanel, Repl, Runner};
use crate::web::gallery::{self, Entry, GALLERY};
use crate::web::session::{SessionAction, SessionHandle};
use crate::web::util::{copy_to_clipboard, decode_b64, encode_b64, hash_query, load, save, scroll_to_id};

const SAVE_KEY: &str = "granola.playground";
/// localStorage key of the "values inline" choice.
pub const INLINE_KEY: &str = "granola.playground.inline";

/// Values of a run placed after the last line of the form that produced each (values are
/// reported at the form's first character; `source` is the program that ran).
pub fn inline_values(source: &str, values: &[(u32, u32, String)], error: Option<&ErrorMark>) -> Vec<InlineValue> {
    let spans = top_level_forms(source);
    let end_of = |line: u32, col: u32| {
        spans.iter().find(|s| s.start.line == line && s.start.col == col).map(|s| s.end.line).unwrap_or(line)
    };
    let mut out: Vec<InlineValue> =
        values.iter().map(|(l, c, v)| InlineValue { line: end_of(*l, *c), text: v.clone(), error: false }).collect();
    if let Some(e) = error {
        // the error after the form it is in
        let line = spans
            .iter()
            .find(|s| (s.start.line, s.start.col) <= (e.line, e.col) && (e.line, e.col) <= (s.end.line, s.end.col))
            .map(|s| s.end.line)
            .unwrap_or(e.line);
        out.push(InlineValue { line, text: e.message.clone(), error: true });
    }
    out
}

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
    let program = {
        let i = (*initial).clone();
        use_program(
            move || i,
            |t: &str| {
                if t.len() <= 500_000 {
                    save(SAVE_KEY, t);
                }
            },
        )
    };
    let run_token = use_state(|| 0u64);
    let inline = use_state(|| load(INLINE_KEY).as_deref() == Some("1"));
    // (program that ran, its values so far)
    let ran = use_state(|| (String::new(), Vec::<(u32, u32, String)>::new()));
    let share = use_state(|| None::<String>);
    // The console starts on a request that succeeds as is: load a simulation, as operator.
    let console = use_state(|| ("load_simulation", "operator", "{}", 0u32));
    // Set when a bridge example was chosen: the console is highlighted until the next pick.
    let console_pick = use_state(|| None::<&'static str>);

    let (on_change, on_format, on_error_at) = (program.on_change(), program.on_format(), program.on_error_at());
    let Program { text, error, .. } = program.clone();
    let on_values = {
        let ran = ran.clone();
        let text = text.clone();
        let error = error.clone();
        Callback::from(move |values: Vec<(u32, u32, String)>| {
            if values.is_empty() {
                error.set(None);
            }
            ran.set(((*text).clone(), values));
        })
    };
    let on_inline = remembered_switch(INLINE_KEY, inline.clone());
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
        let program = program.clone();
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
                    program.replace(src.to_string());
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
                    program.show_unsaved(bridge_example_note(title, tool));
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
    let inline_rows = if *inline { inline_values(&ran.0, &ran.1, error.as_ref()) } else { Vec::new() };
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
                    <button class="pg-format" onclick={on_format} title="Format the program (indentation and line breaks; comments are kept)">{"Format"}</button>
                    <button class="pg-share" onclick={on_share} title="Copy a link that contains this program">{"Share link"}</button>
                    <label class="pg-inline" title="Show each top-level form's value after the form, in the editor">
                        <input type="checkbox" checked={*inline} onchange={on_inline} />{" values inline"}
                    </label>
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
                    run_token={*run_token} on_error_at={Some(on_error_at)} on_values={Some(on_values)}>
                    <Editor text={AttrValue::from((*program.shown).clone())} generation={*program.generation} {on_change} {on_run}
                        run_key={false} error={(*error).clone()} min_lines={16} label="Playground program" class="pg-editor"
                        inline_values={inline_rows} />
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
