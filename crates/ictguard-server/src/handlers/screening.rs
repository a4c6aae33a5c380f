//! Screening: `POST /v1/screen` (one query) and `POST /v1/screen/batch` (JSON Lines, streamed).

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use ictguard_screen::engine::Query;
use serde_json::Value;

use crate::auth::ScreenKey;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// `POST /v1/screen`: one party, app or transaction (the CLI's fields); the answer is what
/// `ictguard screen --json` prints, written to the audit trail first.
#[utoipa::path(post, path = "/v1/screen", tag = "screening",
    request_body = ictguard_screen::engine::Query,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "the decision with its evidence (what `ictguard screen --json` prints), committed to the audit trail",
         body = ictguard_screen::engine::ScreenResult,
         headers(("x-audit-seq" = i64, description = "the audit record's sequence number"))),
        (status = 400, description = "malformed body", body = crate::answers::ErrorAnswer),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 413, description = "the body is over its limit", body = crate::answers::ErrorAnswer),
        (status = 422, description = "the body or a parameter is invalid", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn screen(
    State(s): State<AppState>,
    // the key first: the body is read only for a client whose key is accepted
    ScreenKey(actor): ScreenKey,
    request: axum::extract::Request,
) -> ApiResult {
    // screening takes microseconds and a key check one indexed read: both run here, on the async
    // worker; only the commit is waited for, without holding a thread
    let bad = |status: StatusCode, code: &'static str, msg: String| {
        s.metrics.error();
        ApiError(status, code, msg)
    };
    use axum::extract::FromRequest as _;
    let body: Result<Json<Value>, JsonRejection> = Json::from_request(request, &()).await;
    let Json(value) = body.map_err(|e| bad(e.status(), "bad_request", e.body_text()))?;
    let query: Query = serde_json::from_value(value).map_err(|e| {
        bad(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_query",
            e.to_string(),
        )
    })?;
    let (_, body, seq) = s
        .screen_and_record(&query, actor)
        .await
        .map_err(|e| bad(e.0, e.1, e.2))?;
    Ok(([("x-audit-seq", seq.to_string())], Json(body)).into_response())
}

/// `POST /v1/screen/batch`: JSON Lines in (one query per line), JSON Lines out in the same order,
/// streamed: the body is read as it arrives and answered chunk by chunk. Each answer line is the
/// `screen --json` object or `{"line", "error"}`; a chunk's lines are sent only once their audit
/// records have committed. A failure after the answer has begun (the batch grows past its limits,
/// the trail cannot be written) ends the stream with one `{"error": {...}}` line.
#[utoipa::path(post, path = "/v1/screen/batch", tag = "screening", security(("api_key" = [])),
    request_body(content = String, content_type = "application/x-ndjson", description = "one screening query (as for /v1/screen) per line"),
    responses(
        (status = 200, description = "one line per query, in order: the screening answer or {\"line\", \"error\"}; streamed, each chunk sent once committed; a stream that fails ends with an {\"error\"} line",
         body = String, content_type = "application/x-ndjson"),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 413, description = "the body is over its limit", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn screen_batch(
    State(s): State<AppState>,
    ScreenKey(actor): ScreenKey,
    body: axum::body::Body,
) -> ApiResult {
    let (tx, rx) = tokio::sync::mpsc::channel::<axum::body::Bytes>(4);
    tokio::spawn(super::batch::run(s, actor, body, tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), rx))
    });
    Ok((
        [("content-type", "application/x-ndjson")],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}
