//! The service's own endpoints: `GET /healthz` and `GET /metrics`.

use axum::extract::State;
use axum::Json;

use crate::answers::Health;
use crate::auth::ScreenKey;
use crate::state::AppState;

#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "the server is up", body = crate::answers::Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// The counters, for a key of any role: they count decisions, which are not for anyone on the
/// network to read (Prometheus sends the key with `authorization` / `bearer_token`).
#[utoipa::path(get, path = "/metrics", tag = "service", security(("api_key" = [])),
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn metrics(State(s): State<AppState>, _: ScreenKey) -> String {
    s.metrics.render()
}
