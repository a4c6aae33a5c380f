//! The audit trail and review cases (admins): `GET /v1/audit`, `GET /v1/cases`,
//! `POST /v1/cases/{id}/resolve`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query as UrlQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use ictguard_store::{AuditQuery, StoreError};

use crate::answers::{AuditPage, CaseList, ResolvedAnswer};
use crate::auth::AdminKey;
use crate::error::{internal, ApiError, ApiResult};
use crate::state::AppState;

#[utoipa::path(get, path = "/v1/audit", tag = "audit", security(("api_key" = [])),
    params(
        ("after" = Option<i64>, Query, description = "records after this sequence number (paging)"),
        ("limit" = Option<i64>, Query, description = "at most this many, 1..1000 (100)"),
        ("decision" = Option<String>, Query, description = "only this decision"),
        ("subject" = Option<String>, Query, description = "only subjects containing this text"),
        ("kind" = Option<String>, Query, description = "only this kind: screen, vet, case"),
        ("since" = Option<String>, Query, description = "only records at or after this time (RFC 3339 or a date)"),
        ("until" = Option<String>, Query, description = "only records before this time")),
    responses((status = 200, description = "a page of the trail (admins)", body = crate::answers::AuditPage),
        (status = 400, description = "malformed body", body = crate::answers::ErrorAnswer),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 403, description = "the key's role does not allow this", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    UrlQuery(q): UrlQuery<AuditQuery>,
    _: AdminKey,
) -> ApiResult {
    tokio::task::spawn_blocking(move || {
        let records = state.with_reader(|db| db.query(&q))?;
        let next_after = records.last().map(|r| r.seq);
        Ok(Json(AuditPage {
            records,
            next_after,
        })
        .into_response())
    })
    .await
    .map_err(internal)?
}

#[derive(serde::Deserialize)]
pub(crate) struct CaseParams {
    status: Option<ictguard_store::CaseStatus>,
    limit: Option<i64>,
}

/// `GET /v1/cases?status=open|resolved`: the review queue (admins).
#[utoipa::path(get, path = "/v1/cases", tag = "cases", security(("api_key" = [])),
    params(
        ("status" = Option<ictguard_store::CaseStatus>, Query, description = "open or resolved"),
        ("limit" = Option<i64>, Query, description = "at most this many (100)")),
    responses((status = 200, description = "the review queue (admins)", body = crate::answers::CaseList),
        (status = 400, description = "malformed body", body = crate::answers::ErrorAnswer),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 403, description = "the key's role does not allow this", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn cases(
    State(state): State<AppState>,
    UrlQuery(p): UrlQuery<CaseParams>,
    _: AdminKey,
) -> ApiResult {
    tokio::task::spawn_blocking(move || {
        let cases = state.with_reader(|db| db.list_cases(p.status, p.limit.unwrap_or(100)))?;
        Ok(Json(CaseList { cases }).into_response())
    })
    .await
    .map_err(internal)?
}

/// `POST /v1/cases/{id}/resolve` with `{"decision", "reason"}`: a reviewer closes a case; the
/// resolution goes into the audit trail.
#[utoipa::path(post, path = "/v1/cases/{id}/resolve", tag = "cases", security(("api_key" = [])),
    params(("id" = i64, Path, description = "the case number")),
    request_body = crate::answers::Resolution,
    responses((status = 200, description = "resolved; the resolution is in the audit trail", body = crate::answers::ResolvedAnswer),
        (status = 400, description = "malformed body", body = crate::answers::ErrorAnswer),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 403, description = "the key's role does not allow this", body = crate::answers::ErrorAnswer),
        (status = 404, description = "no such item", body = crate::answers::ErrorAnswer),
        (status = 409, description = "already resolved", body = crate::answers::ErrorAnswer),
        (status = 422, description = "the body or a parameter is invalid", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminKey(by): AdminKey,
    body: Result<Json<crate::answers::Resolution>, JsonRejection>,
) -> ApiResult {
    tokio::task::spawn_blocking(move || {
        let Json(r) = body.map_err(|e| ApiError(e.status(), "bad_request", e.body_text()))?;
        match state.with_store(|db| db.resolve_case(id, r.decision.parse()?, &r.reason, &by))? {
            Ok(ictguard_store::Resolved::Done(seq)) => Ok(Json(ResolvedAnswer {
                case: id,
                status: ictguard_store::CaseStatus::Resolved,
                audit_seq: seq,
            })
            .into_response()),
            Ok(ictguard_store::Resolved::NoCase) => Err(ApiError(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no case {id}"),
            )),
            Ok(ictguard_store::Resolved::AlreadyResolved) => Err(ApiError(
                StatusCode::CONFLICT,
                "already_resolved",
                format!("case {id} is already resolved"),
            )),
            Err(StoreError::Invalid(why)) => Err(ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_resolution",
                why,
            )),
            Err(e) => Err(internal(e)),
        }
    })
    .await
    .map_err(internal)?
}
