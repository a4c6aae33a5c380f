//! The web UI that `ictguard serve` serves beside the API, under `/ui/`: sign in with an API key,
//! screen a name or transaction, upload an APK, browse the rule pack and each order's status
//! timeline, work the case queue and read the audit trail (the last two for admin keys).
//!
//! Pages are rendered on the server and need no JavaScript, no external fonts or scripts: they work
//! on a machine without network. Decisions made here go through the same functions as the API's
//! ([`AppState::screen_and_record`], [`AppState::vet_and_record`]), so they are written to the
//! audit trail exactly as `POST /v1/screen` and `POST /v1/vet` write them.
//!
//! HTML is written with `maud`: its templates are Rust checked at compile time and every value
//! spliced into them is escaped unless wrapped in `PreEscaped`, which this module uses only for
//! its own constant CSS and for the vetting report's own (escaped) HTML in an `iframe`'s `srcdoc`
//! attribute (escaped again there as an attribute value).
// Rejected: askama (0.16 brings a second `syn` and a template parser to build, and templates in
// separate files); hand-escaping (one forgotten `esc` is a hole).

use axum::extract::DefaultBodyLimit;
use axum::response::Redirect;
use axum::routing::{any, get, post};
use axum::Router;

use crate::state::AppState;

mod audit;
mod auth;
mod cases;
mod layout;
mod rules;
mod screen;
mod timeline;
mod vet;

/// The UI's routes, merged into the API's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/ui/") }))
        .route("/ui", get(|| async { Redirect::to("/ui/") }))
        .route("/ui/", get(layout::home))
        .route("/ui/signin", get(auth::signin_form).post(auth::signin))
        .route("/ui/signout", post(auth::signout))
        .route("/ui/screen", get(screen::form).post(screen::submit))
        .route(
            "/ui/vet",
            get(vet::form)
                .post(vet::upload)
                .layer(DefaultBodyLimit::max(crate::form::MAX_UPLOAD)),
        )
        .route("/ui/rules", get(rules::show))
        .route("/ui/cases", get(cases::show))
        .route("/ui/cases/{id}/resolve", post(cases::resolve))
        .route("/ui/audit", get(audit::show))
        .route("/ui/audit/verify", get(audit::verify))
        // an unknown page under /ui/ is an HTML page too, whatever the method
        .route("/ui/{*rest}", any(layout::not_found))
}

/// Run blocking store work off the async workers.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&AppState) -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(&state)).await
}
