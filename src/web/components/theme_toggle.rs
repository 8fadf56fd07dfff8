//! `ThemeToggle`: light/dark themes. By default the page follows the OS; the button forces the
//! theme opposite to the one shown, and a second click follows the OS again (remembered).

use yew::prelude::*;

use crate::web::util::{load, remove, save};

const THEME_KEY: &str = "granola.theme";

/// The theme setting: follow the OS, or forced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    /// The remembered setting.
    pub fn load() -> Theme {
        match load(THEME_KEY).as_deref() {
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

    /// Applies the setting to the document and remembers it.
    fn apply(self) {
        let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else {
            return;
        };
        match self {
            Theme::System => {
                let _ = root.remove_attribute("data-theme");
                remove(THEME_KEY);
            }
            Theme::Light => {
                let _ = root.set_attribute("data-theme", "light");
                save(THEME_KEY, "light");
            }
            Theme::Dark => {
                let _ = root.set_attribute("data-theme", "dark");
                save(THEME_KEY, "dark");
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

/// The theme button (see the module docs).
#[function_component(ThemeToggle)]
pub fn theme_toggle() -> Html {
    let theme = use_state(Theme::load);
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = theme.next();
            next.apply();
            theme.set(next);
        })
    };
    html! {
        <button class="theme-toggle" {onclick} title={theme.label()} aria-label={theme.label()}>{ theme.icon() }</button>
    }
}
