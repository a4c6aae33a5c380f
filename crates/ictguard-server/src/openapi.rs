//! The OpenAPI 3 document of `ictguard serve`, generated from the handlers' `#[utoipa::path]`
//! attributes and the answer types' `ToSchema` derives (the same types the server serialises), and
//! served at `/openapi.json`. `crates/ictguard/tests/serve.rs` checks real answers against it.

use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::handlers::{records, rules, screening, service, vetting};

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

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ictguard",
        description = "Screening, APK vetting, rule packs, the audit trail and review cases. Every decision is written to a hash-chained audit trail before it is answered."
    ),
    paths(
        service::healthz,
        service::metrics,
        screening::screen,
        screening::screen_batch,
        vetting::vet,
        rules::rules_list,
        rules::rules_show,
        rules::rules_status,
        records::audit,
        records::cases,
        records::resolve,
        openapi_json,
    ),
    modifiers(&BearerKeys)
)]
pub struct ApiDoc;

/// The document as JSON text.
pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "this document (OpenAPI 3.1)", body = Object)))]
pub(crate) async fn openapi_json() -> Response {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [("content-type", "application/json")],
        DOC.get_or_init(document).clone(),
    )
        .into_response()
}
