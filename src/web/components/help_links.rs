//! `HelpLinks`: links to the reference pages of the names a program asks `help` / `apropos`
//! about, shown under editors.

use yew::prelude::*;

use crate::web::docs;

/// Names asked about with `(help 'name)` / `(help name)` in a program, and matches of
/// `(apropos "text")`, in order, without repeats.
pub fn help_targets(source: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |n: String| {
        if !n.is_empty() && !out.contains(&n) && out.len() < 12 {
            out.push(n);
        }
    };
    for (i, _) in source.match_indices("(help") {
        let rest = source[i + 5..].trim_start();
        let rest = rest.strip_prefix('\'').unwrap_or(rest);
        let name: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != ')' && *c != '(').collect();
        push(name.trim_matches('"').to_string());
    }
    for (i, _) in source.match_indices("(apropos") {
        let rest = source[i + 8..].trim_start();
        if let Some(r) = rest.strip_prefix('"') {
            let needle: String = r.chars().take_while(|c| *c != '"').collect();
            if !needle.is_empty() {
                for b in crate::runtime::table().builtins().filter(|b| b.name.contains(&needle)).take(8) {
                    push(b.name.to_string());
                }
            }
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct HelpLinksProps {
    pub source: AttrValue,
}

/// Links to the reference pages of the names a program asks `help` / `apropos` about.
#[function_component(HelpLinks)]
pub fn help_links(props: &HelpLinksProps) -> Html {
    let names = help_targets(&props.source);
    let links: Vec<Html> = names
        .iter()
        .filter_map(|n| {
            let href = match docs::find(&format!("reference/{n}")) {
                Some(p) => p.href(),
                None if crate::runtime::table().lookup(n).is_some() => {
                    format!("#/reference/{}", docs::encode_segment(n))
                }
                None => return None,
            };
            Some(html! { <a class="chip" href={href}>{n.clone()}</a> })
        })
        .collect();
    if links.is_empty() {
        return html! {};
    }
    html! { <div class="help-links">{"Reference: "}{ for links }</div> }
}
