//! Delta screening's watch list (admins): `POST /v1/watch` adds subjects, screened at once
//! against the lists in use (a hit opens a review case) and again whenever a list snapshot
//! changes; `GET /v1/watch` pages through them with the decision each last got.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query as UrlQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use ictguard_store::NewWatched;

use crate::answers::{WatchAdded, WatchHit, WatchPage, WatchRequest};
use crate::auth::AdminKey;
use crate::error::{internal, ApiError, ApiResult};
use crate::state::AppState;

/// Most subjects one request may add.
const MAX_SUBJECTS: usize = 1000;

#[utoipa::path(post, path = "/v1/watch", tag = "cases", security(("api_key" = [])),
    request_body = crate::answers::WatchRequest,
    responses((status = 200, description = "added and screened; hits have review cases", body = crate::answers::WatchAdded),
        (status = 400, description = "malformed body", body = crate::answers::ErrorAnswer),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 403, description = "the key's role does not allow this", body = crate::answers::ErrorAnswer),
        (status = 422, description = "the body or a parameter is invalid", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn watch_add(
    State(state): State<AppState>,
    AdminKey(by): AdminKey,
    body: Result<Json<WatchRequest>, JsonRejection>,
) -> ApiResult {
    let Json(request) = body.map_err(|e| ApiError(e.status(), "bad_request", e.body_text()))?;
    let invalid = |msg: String| ApiError(StatusCode::UNPROCESSABLE_ENTITY, "invalid_watch", msg);
    if request.subjects.is_empty() || request.subjects.len() > MAX_SUBJECTS {
        return Err(invalid(format!(
            "{} subjects: give 1 to {MAX_SUBJECTS}",
            request.subjects.len()
        )));
    }
    let screener = state.screener.load_full();
    let today = crate::as_of::today();
    // every subject must screen, or none is added: a subject that could never be screened
    // would only ever be "unreadable"
    for (i, q) in request.subjects.iter().enumerate() {
        screener
            .screen(q, today)
            .map_err(|e| invalid(format!("subject {i}: {e}")))?;
    }
    let subjects = request
        .subjects
        .iter()
        .map(|q| {
            Ok(NewWatched {
                subject: q.subject().to_string(),
                query: serde_json::to_string(q).map_err(internal)?,
                by: by.clone(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    tokio::task::spawn_blocking(move || {
        let (ids, report) = state.with_reader(|db| {
            let ids = db.add_watched(&subjects)?;
            let first = ids.iter().copied().min().unwrap_or(1);
            let report = ictguard_feeds::rescreen_after(db, &screener, today, &by, first - 1)?;
            Ok((ids, report))
        })?;
        let new_hits = report
            .new_hits
            .into_iter()
            .map(|h| WatchHit {
                watch_id: h.watch_id,
                subject: h.subject,
                before: h.before,
                after: h.after,
                reason: h.reason,
            })
            .collect();
        Ok(Json(WatchAdded {
            ids,
            checked: report.checked,
            new_hits,
        })
        .into_response())
    })
    .await
    .map_err(internal)?
}

#[derive(serde::Deserialize)]
pub(crate) struct WatchParams {
    after: Option<i64>,
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/v1/watch", tag = "cases", security(("api_key" = [])),
    params(
        ("after" = Option<i64>, Query, description = "subjects with ids above this (paging)"),
        ("limit" = Option<i64>, Query, description = "at most this many, 1..1000 (100)")),
    responses((status = 200, description = "a page of watched subjects with the decision each last got (admins)", body = crate::answers::WatchPage),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 403, description = "the key's role does not allow this", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn watch_list(
    State(state): State<AppState>,
    UrlQuery(p): UrlQuery<WatchParams>,
    _: AdminKey,
) -> ApiResult {
    let limit = p.limit.unwrap_or(100).clamp(1, 1000);
    tokio::task::spawn_blocking(move || {
        let subjects = state.with_reader(|db| db.list_watched(p.after.unwrap_or(0), limit))?;
        let next_after = (subjects.len() as i64 == limit)
            .then(|| subjects.last().map(|w| w.id))
            .flatten();
        Ok(Json(WatchPage {
            subjects,
            next_after,
        })
        .into_response())
    })
    .await
    .map_err(internal)?
}
