//! `BridgeConsole`: a JSON request editor for the simulation bridge with an identity picker
//! (viewer, operator, admin, anonymous, and the docs' test tokens; operator by default, which
//! may call every tool). Choosing a tool fills a working request built from the tool's schema
//! ([`request_template`]). It shows the dev token minted for the chosen identity; Send calls the
//! bridge on the session's engine and shows the HTTP status and body (checked against a docs
//! page's documented response when it has one), a refusal as one plain sentence above the JSON;
//! a returned job's status is shown live, and its result plot once it has one.

use yew::prelude::*;

use crate::bridge::Reply;
use crate::docs::documented_match;
use crate::web::bridge::{
    job_plot, job_status, refusal_sentence, request_template, send_in, token_for, EXTRA_IDENTITIES, IDENTITIES,
};
use crate::web::session::{SessionAction, SessionHandle};
use crate::web::util::ensure_styles;

use super::plot::Plot;

#[derive(Properties, PartialEq)]
pub struct BridgeConsoleProps {
    /// Initial tool name (`run_simulation`, ...).
    #[prop_or_default]
    pub tool: AttrValue,
    /// Initial JSON request body; `{}` (the default) means a template built from the tool's
    /// schema.
    #[prop_or(AttrValue::Static("{}"))]
    pub body: AttrValue,
    /// Initial identity (`viewer`, `operator`, `admin`, `anonymous`).
    #[prop_or(AttrValue::Static("operator"))]
    pub role: AttrValue,
    /// Expected status and body from the page, shown next to the real ones.
    #[prop_or_default]
    pub expected_status: Option<u16>,
    #[prop_or_default]
    pub expected_body: Option<AttrValue>,
    /// Let the user pick the tool (the playground console does; a docs example doesn't).
    #[prop_or(false)]
    pub pick_tool: bool,
    /// Scope of `$JOB_ID` / `$RESULTS_ID` (a docs page passes its path, so a page's
    /// placeholders mean the ids returned on that page).
    #[prop_or_default]
    pub scope: AttrValue,
    /// Job time to let pass after each Send (a docs page's `after=`, see `docs::BridgeExample`),
    /// so the page's next request sees what the documented sequence expects at any clock speed.
    #[prop_or_default]
    pub after_ms: Option<f64>,
}

/// The bridge console (see the module docs).
#[function_component(BridgeConsole)]
pub fn bridge_console(props: &BridgeConsoleProps) -> Html {
    ensure_styles();
    let state = use_context::<SessionHandle>();
    let tool = use_state(|| props.tool.to_string());
    let role = use_state(|| props.role.to_string());
    // `{}` for a tool whose requests need fields: start from the tool's template instead.
    let initial_body = {
        let given = props.body.to_string();
        let tool = props.tool.to_string();
        let session = state.as_ref().map(|s| s.session.clone());
        move || match &session {
            Some(s) if given.trim() == "{}" && !tool.is_empty() => request_template(s, &tool),
            _ => given.clone(),
        }
    };
    let body = use_state(initial_body.clone());
    let reply = use_state(|| None::<Reply>);
    let tracked = use_state(|| None::<String>);
    let Some(state) = state else {
        return html! { <div class="bridge-console"><p>{"No session."}</p></div> };
    };
    let session = state.session.clone();
    let token = token_for(&session, &role);

    let tools: Vec<String> = {
        let t = crate::web::bridge::bridge(&session).map(|b| b.tools()).unwrap_or_default();
        t.as_array()
            .map(|a| a.iter().filter_map(|x| x.get("name").and_then(|n| n.as_str()).map(str::to_string)).collect())
            .unwrap_or_default()
    };

    let on_send = {
        let state = state.clone();
        let tool = tool.clone();
        let role = role.clone();
        let body = body.clone();
        let reply = reply.clone();
        let tracked = tracked.clone();
        let scope = props.scope.to_string();
        let after_ms = props.after_ms;
        Callback::from(move |_| {
            let r = send_in(&state.session, &scope, &tool, &role, &body);
            if let Some(ms) = after_ms {
                state.session.let_pass(ms);
            }
            tracked.set(r.body.get("jobId").and_then(|j| j.as_str()).map(str::to_string));
            reply.set(Some(r));
            state.dispatch(SessionAction::Changed);
        })
    };
    let on_role = {
        let role = role.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                role.set(s.value());
            }
        })
    };
    let on_tool = {
        let tool = tool.clone();
        let body = body.clone();
        let reply = reply.clone();
        let session = session.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let t = s.value();
                body.set(request_template(&session, &t));
                reply.set(None);
                tool.set(t);
            }
        })
    };
    let on_body = {
        let body = body.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                body.set(t.value());
            }
        })
    };
    let on_key = {
        let on_send = on_send.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                on_send.emit(());
            }
        })
    };
    let on_reset = {
        let body = body.clone();
        let reply = reply.clone();
        let tool = tool.clone();
        let picked = props.pick_tool && *tool != props.tool.as_str();
        let session = session.clone();
        Callback::from(move |_| {
            body.set(if picked { request_template(&session, &tool) } else { initial_body() });
            reply.set(None);
        })
    };

    // Live status of a returned job (re-read whenever the session version changes), and its
    // result plot once it has results.
    let live = tracked.as_ref().and_then(|job| {
        let status = job_status(&session, job)?;
        let plot = if status == "succeeded" { job_plot(&session, job) } else { None };
        Some(html! {
            <div class="bridge-live" data-status={status.clone()}>
                <p>
                    {"Job "}<code>{job.clone()}</code>{": "}
                    <span class={format!("badge badge-{}", status)}>{status}</span>
                    <span class="muted">{" (live). Its row in the jobs panel opens the job inspector: timeline, progress, status record."}</span>
                </p>
                if let Some(p) = plot {
                    <Plot data={p} title="Result: concentration over time" />
                }
            </div>
        })
    });
    let refusal = reply.as_ref().and_then(|r| refusal_sentence(&tool, &role, r));
    let status_class = |s: u16| {
        if s < 300 {
            "status-ok"
        } else if s < 500 {
            "status-client"
        } else {
            "status-server"
        }
    };
    let rows = body.lines().count().clamp(3, 20);
    html! {
        <div class="bridge-console">
            <div class="bridge-bar">
                if props.pick_tool && !tools.is_empty() {
                    <label class="bridge-tool-label">{"Tool "}
                        <select class="bridge-tool" onchange={on_tool}>
                            { for tools.iter().map(|t| html!{ <option value={t.clone()} selected={*t == *tool}>{t.clone()}</option> }) }
                        </select>
                    </label>
                } else {
                    <span class="bridge-tool-name">{"POST /"}<code>{(*tool).clone()}</code></span>
                }
                <label class="bridge-role-label">{"Identity "}
                    <select class="bridge-role" onchange={on_role}>
                        { for IDENTITIES.iter().map(|r| html!{ <option value={*r} selected={*r == role.as_str()}>{*r}</option> }) }
                        <optgroup label="test tokens">
                            { for EXTRA_IDENTITIES.iter().map(|r| html!{ <option value={*r} selected={*r == role.as_str()}>{*r}</option> }) }
                        </optgroup>
                    </select>
                </label>
                <button class="run bridge-send" onclick={on_send.reform(|_: MouseEvent| ())}>{"Send"}</button>
                <button class="bridge-reset" onclick={on_reset}>{"Reset"}</button>
            </div>
            <div class="bridge-token">
                { match &token {
                    Some(t) => html!{ <>{"Authorization: Bearer "}<code class="token" title={t.clone()}>{t.clone()}</code></> },
                    None => html!{ <span class="muted">{"No Authorization header (anonymous)"}</span> },
                } }
            </div>
            <textarea class="bridge-body" spellcheck="false" rows={rows.to_string()} value={(*body).clone()}
                oninput={on_body} onkeydown={on_key} aria-label="JSON request body" />
            if let Some(r) = &*reply {
                <div class="bridge-reply">
                    if let Some(sentence) = &refusal {
                        <p class="bridge-refusal" role="alert">{sentence.clone()}</p>
                    }
                    <div class={classes!("bridge-status", status_class(r.status))} data-status={r.status.to_string()}>
                        {format!("HTTP {}", r.status)}
                        if let Some(exp) = props.expected_status {
                            {{
                                let body_check = props.expected_body.as_ref()
                                    .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
                                    .map(|e| documented_match(&e, &r.body))
                                    .unwrap_or(Ok(()));
                                let (ok, text) = match (exp == r.status, &body_check) {
                                    (true, Ok(())) => (true, " ✓ as documented".to_string()),
                                    (true, Err(why)) => (false, format!(" (status as documented; {why})")),
                                    (false, _) => (false, format!(" (the page expects {exp})")),
                                };
                                html! { <span class={classes!("expected", if ok { "match" } else { "mismatch" })}>{text}</span> }
                            }}
                        }
                    </div>
                    <pre class="bridge-response">{serde_json::to_string_pretty(&r.body).unwrap_or_default()}</pre>
                </div>
            }
            { live.unwrap_or_default() }
            if let Some(exp) = &props.expected_body {
                <details class="expected-body"><summary>{format!("Documented response{}", props.expected_status.map(|s| format!(" ({s})")).unwrap_or_default())}</summary><pre>{exp.to_string()}</pre></details>
            }
        </div>
    }
}
