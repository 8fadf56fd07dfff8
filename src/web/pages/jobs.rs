//! `#/jobs`: every job of the session, full height.

use yew::prelude::*;

use crate::web::components::JobsPanel;

/// The jobs page.
pub fn page() -> Html {
    html! {
        <div class="jobs-page">
            <JobsPanel height={560} title="Jobs" />
        </div>
    }
}
