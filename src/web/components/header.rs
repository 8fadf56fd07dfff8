//! `Header`: the brand, the main navigation (folded behind a menu button on phones, the current
//! section marked), the search box, the job clock and the theme toggle.

use yew::prelude::*;

use crate::web::route::Route;

use super::search_box::SearchBox;
use super::speed_control::SpeedControl;
use super::theme_toggle::ThemeToggle;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// The current route (its section is marked in the navigation).
    pub route: Route,
}

/// The header (see the module docs).
#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let menu_open = use_state(|| false);
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
                <ThemeToggle />
            </div>
        </header>
    }
}
