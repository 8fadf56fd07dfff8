//! `Example`: one runnable `lisp` block of a page = the code [`Editor`] inside a [`Runner`]
//! (Run, Stop, Ctrl/Cmd+Enter, output as it arrives next to the expected output).
//! Edits are kept in localStorage under a hash of the example's original text (so a changed
//! page never resurrects stale edits); Reset restores the original; a failed run marks the
//! line and column in the editor. By default a run is exact (the Runner's `isolated` mode:
//! a private engine whose job time jumps at each sleep, like `granola FILE`), so it always
//! matches the page; with "live jobs" on (one switch for all examples, remembered) it runs
//! on the page's engine and clock and its jobs stream in the jobs panel. Copy, Format (the core's
//! pretty-printer), "open in the playground" and Reset sit under the editor.

use yew::prelude::*;

use crate::web::util::{encode_b64, hash_hex, load, remove, save};

use super::copy_button::CopyButton;
use super::editor::Editor;
use super::help_links::HelpLinks;
use super::program_buffer::{remembered_switch, use_program, Program};
use super::runner::Runner;

/// localStorage key of the "live jobs" choice (shared by every example).
pub const LIVE_KEY: &str = "granola.examples.live";

/// The localStorage key of an example's edits.
pub fn storage_key(original: &str) -> String {
    format!("granola.example.{}", hash_hex(original))
}

#[derive(Properties, PartialEq)]
pub struct ExampleProps {
    /// The example's original text (from the page).
    pub code: AttrValue,
    /// The page's `output` block, if any.
    #[prop_or_default]
    pub expected: Option<AttrValue>,
    /// DOM id of the runner (tests find examples by it).
    #[prop_or_default]
    pub id: AttrValue,
    /// The heading above the example (`Minimal`, `Realistic`, ...), for labels.
    #[prop_or_default]
    pub heading: AttrValue,
    /// Run once when mounted (the home page's first example).
    #[prop_or(false)]
    pub autorun: bool,
    /// `Some(true)`: always run on the page's engine and clock (jobs show in the jobs panel),
    /// `Some(false)`: always exact; no switch is shown. `None`: the reader's "live jobs" choice.
    #[prop_or_default]
    pub live: Option<bool>,
}

/// A runnable, editable example (see the module docs).
#[function_component(Example)]
pub fn example(props: &ExampleProps) -> Html {
    let key = storage_key(&props.code);
    let program = {
        let (load_key, key) = (key.clone(), key.clone());
        let code = props.code.to_string();
        let original = code.clone();
        use_program(
            move || load(&load_key).unwrap_or(code),
            move |t: &str| {
                if t == original {
                    remove(&key);
                } else if t.len() <= 200_000 {
                    save(&key, t);
                }
            },
        )
    };
    // Exact runs (like `granola FILE`, on a private engine whose job time jumps at sleeps) by
    // default, so the output matches the page; "live" runs on the page's engine and clock so
    // the jobs stream in the jobs panel.
    let live = {
        let forced = props.live;
        use_state(move || forced.unwrap_or_else(|| load(LIVE_KEY).as_deref() == Some("1")))
    };
    let on_reset = {
        let program = program.clone();
        let code = props.code.to_string();
        Callback::from(move |_: MouseEvent| program.replace(code.clone()))
    };
    let (on_change, on_format, on_error_at) = (program.on_change(), program.on_format(), program.on_error_at());
    let Program { text, shown, generation, error, .. } = program;
    let edited = *text != *props.code;
    let sleeps = text.contains("time.sleep-ms");
    let uses_jobs = props.live.is_none() && (text.contains("vla.") || text.contains("time.sleep-ms"));
    let on_live = remembered_switch(LIVE_KEY, live.clone());
    let lines = props.code.lines().count().clamp(1, 30) as u32;
    let label = if props.heading.is_empty() { "Example".to_string() } else { format!("Example: {}", props.heading) };
    html! {
        <div class={classes!("example", edited.then_some("edited"))} data-key={key.clone()}>
            <Runner source={AttrValue::from((*text).clone())} id={props.id.clone()}
                expected={props.expected.as_ref().map(|e| e.to_string())}
                show_source={false} on_error_at={Some(on_error_at)} isolated={!*live} autorun={props.autorun}>
                <Editor text={AttrValue::from((*shown).clone())} generation={*generation} {on_change}
                    run_key={false} error={(*error).clone()} min_lines={lines} label={label} />
                <HelpLinks source={AttrValue::from((*text).clone())} />
                if uses_jobs {
                    <label class="live-toggle" title="Off: run exactly as `granola FILE` does (job time jumps at each sleep), so the output matches the page. On: run on the page's job clock; the jobs stream in the jobs panel.">
                        <input type="checkbox" checked={*live} onchange={on_live} />
                        {" live jobs (show them in the jobs panel, on the page's clock)"}
                    </label>
                }
                if *live && sleeps && props.expected.is_some() {
                    <p class="timing-note muted">{"Job time moves with the page's clock while this runs; the documented output assumes it moves only during "}<code>{"time.sleep-ms"}</code>{", so polls can land on a later state."}</p>
                }
                <div class="example-tools">
                    if edited { <span class="edited-note" title="Your edits are saved in this browser">{"edited"}</span> }
                    <CopyButton text={AttrValue::from((*text).clone())} what="example" />
                    <button type="button" class="format" onclick={on_format} title="Format the program (indentation and line breaks; comments are kept)">{"Format"}</button>
                    <a class="open-playground" href={format!("#/playground?code={}", encode_b64(&text))}
                        title="Open this program in the playground">{"Open in playground ↗"}</a>
                    <button class="reset" onclick={on_reset} disabled={!edited} title="Restore the original example">{"Reset"}</button>
                </div>
            </Runner>
        </div>
    }
}
