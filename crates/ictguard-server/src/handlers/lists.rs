//! The restricted-party lists the server screens against: `GET /v1/lists`.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;

use crate::answers::ListsLoaded;
use crate::auth::ScreenKey;
use crate::error::ApiResult;
use crate::state::AppState;

#[utoipa::path(get, path = "/v1/lists", tag = "rules", security(("api_key" = [])),
    responses((status = 200, description = "the list files loaded, as every decision names them", body = crate::answers::ListsLoaded),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn lists(State(s): State<AppState>, _: ScreenKey) -> ApiResult {
    Ok(Json(ListsLoaded {
        entries: s.screener.list_entries(),
        files: s.screener.list_files().to_vec(),
    })
    .into_response())
}
