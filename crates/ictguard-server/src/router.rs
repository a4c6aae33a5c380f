//! [`app`]: every route of the API and the web UI, and every layer, in one visible place.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use utoipa::OpenApi as _;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt as _};
use utoipa_axum::routes;

use crate::config::{MAX_APK, MAX_BATCH, MAX_BODY, REQUEST_DEADLINE};
use crate::error::ApiError;
use crate::handlers::{lists, records, rules, screening, service, vetting, watch};
use crate::metrics::count_requests;
use crate::openapi::{self, ApiDoc, Document};
use crate::state::AppState;

/// The whole application for `state`: the API, `/openapi.json`, `/metrics`, the web UI under
/// `/ui/`, a JSON 404 for anything else; body limits, the request deadline and the request
/// counters. Binds nothing: a test calls it with `tower::ServiceExt::oneshot`, a server hands it
/// to its accept loop.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api().split_for_parts();
    api.merge(crate::web::routes())
        .fallback(|| async {
            ApiError(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint".into(),
            )
        })
        .layer(Extension(Document::new(&doc)))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(from_fn(deadline))
        .layer(from_fn_with_state(state.metrics.clone(), count_requests))
        .with_state(state)
}

/// The OpenAPI document of the API that [`app`] serves (what `GET /openapi.json` answers).
pub fn openapi_document() -> String {
    Document::new(&api().into_openapi()).0.to_string()
}

/// The API's routes, each declared once with its handler, which also describes it in the
/// OpenAPI document (`#[utoipa::path]`).
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(service::healthz))
        .routes(routes!(openapi::openapi_json))
        .routes(routes!(service::metrics))
        .routes(routes!(screening::screen).layer(from_fn_with_state(MAX_BODY, declared_size)))
        .routes(
            routes!(screening::screen_batch).layer(from_fn_with_state(MAX_BATCH, declared_size)),
        )
        .routes(
            routes!(vetting::vet)
                .layer(DefaultBodyLimit::max(MAX_APK))
                .layer(from_fn_with_state(MAX_APK, declared_size)),
        )
        .routes(routes!(rules::rules_list))
        .routes(routes!(lists::lists))
        .routes(routes!(rules::rules_status))
        .routes(routes!(rules::rules_show))
        .routes(routes!(records::audit))
        .routes(routes!(records::cases))
        .routes(routes!(records::resolve))
        .routes(routes!(watch::watch_add, watch::watch_list))
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
