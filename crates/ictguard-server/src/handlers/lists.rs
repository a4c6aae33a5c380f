//! The restricted-party lists the server screens against: `GET /v1/lists`.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;

use crate::answers::ListsLoaded;
use crate::auth::ScreenKey;
use crate::error::ApiResult;
use crate::state::AppState;

#[utoipa::path(get, path = "/v1/lists", tag = "rules", security(("api_key" = [])),
    responses((status = 200, description = "the list files in use, as every decision names them, and the stored snapshots with each source's last update attempt", body = crate::answers::ListsLoaded),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn lists(State(s): State<AppState>, _: ScreenKey) -> ApiResult {
    let screener = s.screener.load_full();
    let (snapshots, attempts) = s.with_reader(|store| {
        Ok((
            store.latest_list_snapshots(false)?,
            store.latest_list_attempts()?,
        ))
    })?;
    Ok(Json(ListsLoaded {
        entries: screener.list_entries(),
        files: screener.list_files().to_vec(),
        snapshots,
        attempts,
    })
    .into_response())
}
