//! [`use_program`]: the state behind an editable program (an [`Example`](super::Example), the
//! playground): what was typed, what the [`Editor`](super::Editor) was last handed, the error
//! marked in it, and the callbacks that keep them in step and save the text.

use std::rc::Rc;

use yew::prelude::*;

use crate::web::util::save;

use crate::web::lazy::EXTRA;

use super::editor::ErrorMark;

/// An editable program's state (see the module docs).
#[derive(Clone)]
pub struct Program {
    /// What the reader typed (what Run runs).
    pub text: UseStateHandle<String>,
    /// What the editor was last given (at mount, Reset, Format, a gallery pick); the editor
    /// keeps its own text while the reader types.
    pub shown: UseStateHandle<String>,
    /// Bumped whenever `shown` must replace what the editor holds.
    pub generation: UseStateHandle<u64>,
    /// The character a failed run or Format marks.
    pub error: UseStateHandle<Option<ErrorMark>>,
    /// Saves (or forgets) the text after every change.
    persist: Rc<dyn Fn(&str)>,
}

impl Program {
    /// Puts `text` in the editor (Reset, Format, a gallery pick), saved, and clears the error
    /// mark.
    pub fn replace(&self, text: String) {
        (self.persist)(&text);
        self.show_unsaved(text);
    }

    /// Puts `text` in the editor without saving it (a note that is not a program).
    pub fn show_unsaved(&self, text: String) {
        self.text.set(text.clone());
        self.shown.set(text);
        self.generation.set(*self.generation + 1);
        self.error.set(None);
    }

    /// The editor's `on_change`: the typed text, saved; the error mark goes.
    pub fn on_change(&self) -> Callback<String> {
        let p = self.clone();
        Callback::from(move |t: String| {
            (p.persist)(&t);
            p.text.set(t);
            p.error.set(None);
        })
    }

    /// The Format button: the program pretty-printed, or the character where it fails to read.
    /// The pretty-printer comes with the module loaded on demand (`web::lazy::EXTRA`), so the
    /// first press may wait for it.
    pub fn on_format(&self) -> Callback<MouseEvent> {
        let p = self.clone();
        Callback::from(move |_: MouseEvent| {
            let p = p.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let formatted = match EXTRA.load().await {
                    Ok(api) => (api.pages.format)(&p.text),
                    Err(why) => Err(ErrorMark { line: 1, col: 1, message: format!("Format: {why}") }),
                };
                match formatted {
                    Ok(t) if t != *p.text => p.replace(t),
                    Ok(_) => {}
                    Err(mark) => p.error.set(Some(mark)),
                }
            });
        })
    }

    /// A run's `on_error_at`: mark the character at fault.
    pub fn on_error_at(&self) -> Callback<ErrorMark> {
        let error = self.error.clone();
        Callback::from(move |mark: ErrorMark| error.set(Some(mark)))
    }
}

/// The program state, starting from `initial()` (called once), saved by `persist` after each
/// change.
#[hook]
pub fn use_program<I, P>(initial: I, persist: P) -> Program
where
    I: FnOnce() -> String,
    P: Fn(&str) + 'static,
{
    let text = use_state(initial);
    let shown = {
        let t = (*text).clone();
        use_state(move || t)
    };
    Program {
        text,
        shown,
        generation: use_state(|| 0u64),
        error: use_state(|| None::<ErrorMark>),
        persist: Rc::new(persist),
    }
}

/// A checkbox's `onchange` that sets `state` and remembers the choice under `key`.
pub fn remembered_switch(key: &'static str, state: UseStateHandle<bool>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            save(key, if i.checked() { "1" } else { "0" });
            state.set(i.checked());
        }
    })
}
