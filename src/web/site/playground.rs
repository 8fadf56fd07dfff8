//! `#/playground`: a full-page editor on the shell's `Runner`, a REPL with history, the
//! examples gallery, a share link that encodes the program in the URL, the bridge console and
//! the jobs panel beside it.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::lang::{Host, Interp, Outcome};
use crate::web::runner::Runner;
use crate::web::session::Session;

use super::bridge_console::BridgeConsole;
use super::editor::{Editor, ErrorMark};
use super::gallery::{Entry, GALLERY};
use super::jobs::JobsPanel;
use super::util::{decode_b64, encode_b64, load, save};

const SAVE_KEY: &str = "granola.playground";

/// The program given in the URL (`#/playground?code=<base64url>`), if any.
pub fn program_from_url() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let (_, query) = hash.split_once('?')?;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("code=").and_then(decode_b64))
        .map(|p| without_trailing_blank_lines(&p).to_string())
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

fn copy_to_clipboard(text: &str) {
    let Some(w) = web_sys::window() else { return };
    let Ok(nav) = js_sys::Reflect::get(&w, &"navigator".into()) else { return };
    let Ok(clip) = js_sys::Reflect::get(&nav, &"clipboard".into()) else { return };
    if clip.is_undefined() {
        return;
    }
    if let Ok(f) = js_sys::Reflect::get(&clip, &"writeText".into()) {
        if let Ok(f) = f.dyn_into::<js_sys::Function>() {
            let _ = f.call1(&clip, &JsValue::from_str(text));
        }
    }
}

use wasm_bindgen::JsCast;

/// The playground page.
#[function_component(Playground)]
pub fn playground() -> Html {
    let initial = use_memo((), |_| {
        program_from_url().or_else(|| load(SAVE_KEY)).unwrap_or_else(|| super::gallery::FIRST.to_string())
    });
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
    let session_ctx = use_context::<Session>();
    let pick = {
        let session = session_ctx.clone();
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
                    if let Some(session) = &session {
                        for (t, r, b) in setup {
                            super::bridge_console::send(session, t, r, b);
                        }
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
                    if let Some(el) =
                        web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("pg-console"))
                    {
                        el.scroll_into_view();
                    }
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
                    <super::pages::HelpLinks source={AttrValue::from((*text).clone())} />
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

struct Buf(String);
impl Host for Buf {
    fn print(&mut self, text: &str) {
        if self.0.len() < 200_000 {
            self.0.push_str(text);
        }
    }
}

#[derive(Clone, PartialEq)]
enum ReplLine {
    Input(String),
    Out(String),
    Value(String),
    Error(String),
}

/// Whether `src` is an unfinished form: more input could complete it (the parser's
/// `incomplete` flag, as the CLI REPL uses for its continuation prompt).
pub fn is_incomplete(_session: &Session, src: &str) -> bool {
    crate::lang::is_incomplete(src)
}

/// Steps of one REPL entry before it is stopped as runaway.
const REPL_BUDGET: u64 = 50_000_000;

/// A REPL on one interpreter that keeps its definitions between entries. Enter evaluates a
/// complete entry and continues an unfinished one on a new line (like the CLI's `......>`)
/// (Shift+Enter for a new line), Up/Down walk the history.
#[function_component(Repl)]
pub fn repl() -> Html {
    let session = use_context::<Session>();
    let interp: Rc<RefCell<Option<Interp>>> = use_mut_ref(|| None);
    let lines = use_state(Vec::<ReplLine>::new);
    let lines_acc: Rc<RefCell<Vec<ReplLine>>> = use_mut_ref(Vec::new);
    let history: Rc<RefCell<Vec<String>>> = use_mut_ref(|| {
        load("granola.repl.history")
            .map(|h| h.split('\u{1e}').map(str::to_string).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    });
    let hist_pos = use_mut_ref(|| None::<usize>);
    let input = use_state(String::new);
    let busy = use_state(|| false);
    let stop_flag = use_mut_ref(|| false);
    let Some(session) = session else { return html! { <p>{"No session."}</p> } };

    let submit = {
        let session = session.clone();
        let interp = interp.clone();
        let lines = lines.clone();
        let lines_acc = lines_acc.clone();
        let history = history.clone();
        let input = input.clone();
        let busy = busy.clone();
        let stop_flag = stop_flag.clone();
        let hist_pos = hist_pos.clone();
        Callback::from(move |(src, enter): (String, bool)| {
            if src.trim().is_empty() || *busy {
                return;
            }
            // An unfinished form (an open list or string) continues on a new line, like the
            // CLI REPL's continuation prompt, instead of being evaluated as an error.
            if enter && is_incomplete(&session, &src) {
                input.set(format!("{src}\n"));
                return;
            }
            {
                let mut h = history.borrow_mut();
                if h.last() != Some(&src) {
                    h.push(src.clone());
                }
                let len = h.len();
                if len > 100 {
                    h.drain(..len - 100);
                }
                save("granola.repl.history", &h.join("\u{1e}"));
            }
            *hist_pos.borrow_mut() = None;
            input.set(String::new());
            lines_acc.borrow_mut().push(ReplLine::Input(src.clone()));
            lines.set(lines_acc.borrow().clone());
            let mut it = interp
                .borrow_mut()
                .take()
                .unwrap_or_else(|| crate::runtime::new_interp(&session.engine, crate::lang::Limits::browser()));
            if let Err(e) = it.load(&src) {
                let msg = match &e.pos {
                    Some(p) => format!("line {}, column {}: {}", p.line, p.col, e.message),
                    None => e.message.clone(),
                };
                lines_acc.borrow_mut().push(ReplLine::Error(msg));
                lines.set(lines_acc.borrow().clone());
                *interp.borrow_mut() = Some(it);
                return;
            }
            busy.set(true);
            *stop_flag.borrow_mut() = false;
            let session = session.clone();
            let interp = interp.clone();
            let lines = lines.clone();
            let lines_acc = lines_acc.clone();
            let busy = busy.clone();
            let stop_flag = stop_flag.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut used = 0u64;
                loop {
                    if *stop_flag.borrow() || used >= REPL_BUDGET {
                        it.stop();
                        lines_acc.borrow_mut().push(ReplLine::Error(if used >= REPL_BUDGET {
                            "Stopped: step budget used up.".into()
                        } else {
                            "Stopped.".into()
                        }));
                        break;
                    }
                    let mut host = Buf(String::new());
                    let out = it.run(&mut host, 20_000);
                    if !host.0.is_empty() {
                        lines_acc.borrow_mut().push(ReplLine::Out(host.0));
                    }
                    match out {
                        Outcome::Value { printed, .. } => lines_acc.borrow_mut().push(ReplLine::Value(printed)),
                        Outcome::OutOfFuel => {
                            used += 20_000;
                            lines.set(lines_acc.borrow().clone());
                            TimeoutFuture::new(0).await;
                        }
                        Outcome::Sleeping { until_ms } => {
                            lines.set(lines_acc.borrow().clone());
                            loop {
                                let now = session.advance();
                                if now >= until_ms || *stop_flag.borrow() {
                                    break;
                                }
                                TimeoutFuture::new(16).await;
                            }
                        }
                        Outcome::Idle => break,
                        Outcome::Error(e) => {
                            let msg = match &e.pos {
                                Some(p) => format!("line {}, column {}: {}", p.line, p.col, e.message),
                                None => e.message.clone(),
                            };
                            lines_acc.borrow_mut().push(ReplLine::Error(msg));
                            break;
                        }
                    }
                }
                *interp.borrow_mut() = Some(it);
                lines.set(lines_acc.borrow().clone());
                busy.set(false);
            });
        })
    };

    let oninput = {
        let input = input.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                input.set(t.value());
            }
        })
    };
    let onkeydown = {
        let submit = submit.clone();
        let input = input.clone();
        let history = history.clone();
        let hist_pos = hist_pos.clone();
        Callback::from(move |e: KeyboardEvent| {
            let single_line = !input.contains('\n');
            match e.key().as_str() {
                "Enter" if !e.shift_key() => {
                    e.prevent_default();
                    submit.emit(((*input).clone(), true));
                }
                "ArrowUp" if single_line => {
                    let h = history.borrow();
                    if h.is_empty() {
                        return;
                    }
                    e.prevent_default();
                    let pos = match *hist_pos.borrow() {
                        None => h.len() - 1,
                        Some(p) => p.saturating_sub(1),
                    };
                    *hist_pos.borrow_mut() = Some(pos);
                    input.set(h[pos].clone());
                }
                "ArrowDown" if single_line => {
                    let h = history.borrow();
                    let cur = *hist_pos.borrow();
                    if let Some(p) = cur {
                        e.prevent_default();
                        if p + 1 < h.len() {
                            *hist_pos.borrow_mut() = Some(p + 1);
                            input.set(h[p + 1].clone());
                        } else {
                            *hist_pos.borrow_mut() = None;
                            input.set(String::new());
                        }
                    }
                }
                _ => {}
            }
        })
    };
    let on_stop = {
        let stop_flag = stop_flag.clone();
        Callback::from(move |_: MouseEvent| *stop_flag.borrow_mut() = true)
    };
    let on_clear = {
        let lines = lines.clone();
        let lines_acc = lines_acc.clone();
        Callback::from(move |_: MouseEvent| {
            lines_acc.borrow_mut().clear();
            lines.set(Vec::new());
        })
    };
    let on_eval = {
        let submit = submit.clone();
        let input = input.clone();
        // The Eval button evaluates as typed (an unfinished form reports its parse error).
        Callback::from(move |_: MouseEvent| submit.emit(((*input).clone(), false)))
    };
    // `>` on the first line, `…` on continuation lines.
    let n_lines = input.split('\n').count().max(1);
    let prompt = std::iter::once(">").chain(std::iter::repeat_n("…", n_lines - 1)).collect::<Vec<_>>().join("\n");
    html! {
        <div class="repl" data-busy={busy.to_string()}>
            <pre class="repl-log" aria-live="polite">
                { for lines.iter().map(|l| match l {
                    ReplLine::Input(s) => html!{ <span class="repl-in">{format!("> {}\n", s.replace('\n', "\n… "))}<super::pages::HelpLinks source={AttrValue::from(s.clone())} /></span> },
                    ReplLine::Out(s) => html!{ <span class="out">{s.clone()}{ if s.ends_with('\n') { "" } else { "\n" } }</span> },
                    ReplLine::Value(s) => html!{ <span class="value">{format!("⇒ {s}\n")}</span> },
                    ReplLine::Error(s) => html!{ <span class="error">{format!("{s}\n")}</span> },
                }) }
            </pre>
            <div class="repl-input-row">
                <span class="repl-prompt" aria-hidden="true">{prompt}</span>
                <textarea class="repl-input" rows={n_lines.to_string()} value={(*input).clone()}
                    {oninput} {onkeydown} spellcheck="false" autocapitalize="off"
                    aria-label="REPL input: Enter evaluates, Shift+Enter for a new line, Up/Down for history"
                    placeholder="(+ 1 2)   Enter evaluates · Shift+Enter new line · ↑/↓ history" />
                <button class="run" onclick={on_eval} disabled={*busy}>{"Eval"}</button>
                <button class="stop" onclick={on_stop} disabled={!*busy}>{"Stop"}</button>
                <button onclick={on_clear}>{"Clear"}</button>
            </div>
        </div>
    }
}
