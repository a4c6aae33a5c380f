//! [`app`]: every route of the API and the web UI, and every layer, in one visible place.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::config::{MAX_APK, MAX_BATCH, MAX_BODY, REQUEST_DEADLINE};
use crate::error::ApiError;
use crate::handlers::{records, rules, screening, service, vetting};
use crate::metrics::count_requests;
use crate::openapi::openapi_json;
use crate::state::AppState;

/// The whole application for `state`: the API, `/openapi.json`, `/metrics`, the web UI under
/// `/ui/`, a JSON 404 for anything else; body limits, the request deadline and the request
/// counters. Binds nothing: a test calls it with `tower::ServiceExt::oneshot`, a server hands it
/// to its accept loop.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(service::healthz))
        .route("/openapi.json", get(openapi_json))
        .route("/metrics", get(service::metrics))
        .route(
            "/v1/screen",
            post(screening::screen).layer(from_fn_with_state(MAX_BODY, declared_size)),
        )
        .route(
            "/v1/screen/batch",
            post(screening::screen_batch).layer(from_fn_with_state(MAX_BATCH, declared_size)),
        )
        .route(
            "/v1/vet",
            post(vetting::vet)
                .layer(DefaultBodyLimit::max(MAX_APK))
                .layer(from_fn_with_state(MAX_APK, declared_size)),
        )
        .route("/v1/rules", get(rules::rules_list))
        .route("/v1/rules/status", get(rules::rules_status))
        .route("/v1/rules/{id}", get(rules::rules_show))
        .route("/v1/audit", get(records::audit))
        .route("/v1/cases", get(records::cases))
        .route("/v1/cases/{id}/resolve", post(records::resolve))
        .merge(crate::web::routes())
        .fallback(|| async {
            ApiError(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint".into(),
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(from_fn(deadline))
        .layer(from_fn_with_state(state.metrics.clone(), count_requests))
        .with_state(state)
}

/// Refuse a body whose declared length is over the limit before reading any of it (the body-limit
/// layer would read up to the limit first).
async fn declared_size(
    State(max): State<usize>,
    req: axum::extract::Request,
    next: Next,
) -> Response {
    let declared = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            "bad_request",
            format!(
                "the body is {} bytes; the limit is {max}",
                declared.unwrap_or(0)
            ),
        )
        .into_response();
    }
    next.run(req).await
}

/// Answer with a timeout error when a request takes longer than [`REQUEST_DEADLINE`] (work already
/// handed to a blocking thread finishes in the background; its audit record is still written).
async fn deadline(req: axum::extract::Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_DEADLINE, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            format!(
                "the request took longer than {} s",
                REQUEST_DEADLINE.as_secs()
            ),
        )
        .into_response(),
    }
}
