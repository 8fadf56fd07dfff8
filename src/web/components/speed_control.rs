//! `SpeedControl`: the job clock's speed (job-ms per wall-ms), remembered for the next visit.

use yew::prelude::*;

use crate::web::session::{SessionAction, SessionHandle, SPEEDS};

/// A select that sets the session clock's speed.
#[function_component(SpeedControl)]
pub fn speed_control() -> Html {
    let Some(state) = use_context::<SessionHandle>() else {
        return Html::default();
    };
    let current = state.session.speed();
    let onchange = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            if let Ok(v) = sel.value().parse::<f64>() {
                state.dispatch(SessionAction::SetSpeed(v));
            }
        })
    };
    html! {
        <label class="speed" title="How fast job time runs on this page">
            <span class="speed-label">{ "Job clock" }</span>
            <select class="speed-select" {onchange} aria-label="Job clock speed">
                { for SPEEDS.iter().map(|(v, label)| html! {
                    <option value={v.to_string()} selected={(v - current).abs() < 1e-12}>{ *label }</option>
                }) }
            </select>
        </label>
    }
}
