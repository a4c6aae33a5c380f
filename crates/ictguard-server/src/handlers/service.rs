//! The service's own endpoints: `GET /healthz` and `GET /metrics`.

use axum::extract::State;
use axum::Json;

use crate::answers::Health;
use crate::state::AppState;

#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "the server is up", body = crate::answers::Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub(crate) async fn metrics(State(s): State<AppState>) -> String {
    s.metrics.render()
}
