//! The OpenAPI 3 document of `ictguard serve`, generated from the routes' handlers'
//! `#[utoipa::path]` attributes (each handler listed once, in `router`) and the answer types' `ToSchema` derives (the same types the server serialises), and
//! served at `/openapi.json`. `crates/ictguard/tests/serve.rs` checks real answers against it.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::Extension;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API-key scheme: `Authorization: Bearer KEY`.
struct BearerKeys;

impl Modify for BearerKeys {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A key from `ictguard keys create --role screen|admin`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document's title, description and security scheme; its paths and schemas come from
/// the routes (`router::api`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ictguard",
        description = "Screening, APK vetting, rule packs, the audit trail and review cases. Every decision is written to a hash-chained audit trail before it is answered."
    ),
    modifiers(&BearerKeys)
)]
pub(crate) struct ApiDoc;

/// The document's text, handed to [`openapi_json`] as a request extension by `router::app`,
/// which builds it from the same route list it serves.
#[derive(Clone)]
pub(crate) struct Document(pub(crate) Arc<str>);

impl Document {
    /// The text of `doc`.
    pub(crate) fn new(doc: &utoipa::openapi::OpenApi) -> Document {
        Document(
            doc.to_pretty_json()
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
                .into(),
        )
    }
}

#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "this document (OpenAPI 3.1)", body = Object)))]
pub(crate) async fn openapi_json(Extension(doc): Extension<Document>) -> Response {
    ([("content-type", "application/json")], doc.0.to_string()).into_response()
}
