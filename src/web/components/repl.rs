//! `Repl`: a read-eval-print loop on one interpreter that keeps its definitions between
//! entries, sharing the session's job engine. Enter evaluates a complete entry and continues an
//! unfinished one on a new line (like the CLI's `......>`), Shift+Enter adds a line, Up/Down
//! walk the history (remembered), Stop ends a runaway entry.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::lang::Interp;
use crate::web::runner::{drive, RunEvent, RunOptions, StopFlag};
use crate::web::session::Session;
use crate::web::util::{load, save};

use super::help_links::HelpLinks;

const HISTORY_KEY: &str = "granola.repl.history";

#[derive(Clone, PartialEq)]
enum ReplLine {
    Input(String),
    Out(String),
    Value(String),
    Error(String),
}

/// Steps of one REPL entry before it is stopped as runaway.
const REPL_BUDGET: u64 = 50_000_000;

/// The REPL (see the module docs).
#[function_component(Repl)]
pub fn repl() -> Html {
    let session = use_context::<Session>();
    let interp: Rc<RefCell<Option<Interp>>> = use_mut_ref(|| None);
    let lines = use_state(Vec::<ReplLine>::new);
    let lines_acc: Rc<RefCell<Vec<ReplLine>>> = use_mut_ref(Vec::new);
    let history: Rc<RefCell<Vec<String>>> = use_mut_ref(|| {
        load(HISTORY_KEY)
            .map(|h| h.split('\u{1e}').map(str::to_string).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    });
    let hist_pos = use_mut_ref(|| None::<usize>);
    let input = use_state(String::new);
    let busy = use_state(|| false);
    let stop_flag = use_mut_ref(StopFlag::new);
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
            if enter && crate::lang::is_incomplete(&src) {
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
                save(HISTORY_KEY, &h.join("\u{1e}"));
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
                lines_acc.borrow_mut().push(ReplLine::Error(e.located()));
                lines.set(lines_acc.borrow().clone());
                *interp.borrow_mut() = Some(it);
                return;
            }
            busy.set(true);
            let stop = StopFlag::new();
            *stop_flag.borrow_mut() = stop.clone();
            let session = session.clone();
            let interp = interp.clone();
            let lines = lines.clone();
            let lines_acc = lines_acc.clone();
            let busy = busy.clone();
            let on_demand = crate::runtime::names_on_demand(&src);
            wasm_bindgen_futures::spawn_local(async move {
                // The robotics builtins are loaded on demand (web::lazy): before input that names them.
                if on_demand {
                    if let Err(e) =
                        crate::web::lazy::ensure_on_demand().await.and_then(|_| crate::runtime::extend_interp(&mut it))
                    {
                        it.stop();
                        lines_acc.borrow_mut().push(ReplLine::Error(e));
                        lines.set(lines_acc.borrow().clone());
                        *interp.borrow_mut() = Some(it);
                        busy.set(false);
                        return;
                    }
                }
                // The one run loop, with the browser pacer the runner uses (job-time sleeps
                // wait on the page's clock, Stop and the step budget end the entry).
                let opts = RunOptions { budget: REPL_BUDGET, ..RunOptions::default() };
                let engine = session.engine.clone();
                let cell = std::cell::RefCell::new(it);
                drive(&session, &engine, &cell, opts, &stop, |events| {
                    let mut acc = lines_acc.borrow_mut();
                    for ev in events {
                        acc.push(match ev {
                            RunEvent::Output(text) => ReplLine::Out(text),
                            RunEvent::Value { printed, .. } => ReplLine::Value(printed),
                            RunEvent::Error { message, line: Some(l), col: Some(c), .. } => {
                                ReplLine::Error(format!("line {l}, column {c}: {message}"))
                            }
                            RunEvent::Error { message, .. } => ReplLine::Error(message),
                            RunEvent::Stopped { reason } => ReplLine::Error(reason),
                            RunEvent::Sleeping { .. } => continue,
                        });
                    }
                    lines.set(acc.clone());
                })
                .await;
                *interp.borrow_mut() = Some(cell.into_inner());
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
        Callback::from(move |_: MouseEvent| stop_flag.borrow().stop())
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
                    ReplLine::Input(s) => html!{ <span class="repl-in">{format!("> {}\n", s.replace('\n', "\n… "))}<HelpLinks source={AttrValue::from(s.clone())} /></span> },
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
