//! The OpenAPI 3 document of `ictguard serve`, generated from the handlers' `#[utoipa::path]`
//! attributes and the answer types' `ToSchema` derives (the same types the server serialises), and
//! served at `/openapi.json`. `tests/serve.rs` checks real answers against it.

use ictguard_rules::OrderStatus;
use ictguard_store::{Case, Record};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Every error answer: `{"error": {"code", "message"}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorAnswer {
    /// The error.
    pub error: ErrorDetail,
}

/// An error's stable code and its message.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `unauthorized`, `forbidden`, `bad_request`, `invalid_query`,
    /// `not_found`, `not_an_apk`, `invalid_date`, `invalid_format`, `already_resolved`, `timeout`,
    /// `internal`…
    pub code: String,
    /// For people.
    pub message: String,
}

/// `GET /healthz`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
}

/// One item of the rule pack.
#[derive(Serialize, ToSchema)]
pub struct RuleItem {
    /// The id (`EO-13971`, `alipay`, …).
    pub id: String,
    /// `order`, `data_rule`, `app` or `entity`.
    pub kind: String,
    /// Title or name.
    pub title: String,
    /// Federal Register or other citation (orders and data rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
}

/// `GET /v1/rules`.
#[derive(Serialize, ToSchema)]
pub struct RulesList {
    /// Orders, data rules, covered apps and entities.
    pub items: Vec<RuleItem>,
}

/// `GET /v1/rules/status`.
#[derive(Serialize, ToSchema)]
pub struct RulesStatus {
    /// The date.
    pub as_of: chrono::NaiveDate,
    /// Every order's status on it.
    pub orders: Vec<OrderStatus>,
}

/// `GET /v1/audit`: a page of the trail.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    /// Records in sequence order.
    pub records: Vec<Record>,
    /// Pass as `after` for the next page; null when the page is empty.
    pub next_after: Option<i64>,
}

/// `GET /v1/cases`.
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    /// Cases, oldest first.
    pub cases: Vec<Case>,
}

/// A reviewer's resolution of a case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// `block` or `allow` for a screening case; `prohibit`, `restrict` or `allow` for a vetting.
    pub decision: String,
    /// Why, in words (required).
    pub reason: String,
}

/// `POST /v1/cases/{id}/resolve`.
#[derive(Serialize, ToSchema)]
pub struct ResolvedAnswer {
    /// The case number.
    pub case: i64,
    /// `resolved`.
    pub status: String,
    /// The audit record of the resolution.
    pub audit_seq: i64,
}

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
        crate::serve::healthz,
        crate::serve::metrics,
        crate::serve::screen,
        crate::serve::screen_batch,
        crate::serve::vet,
        crate::serve::rules_list,
        crate::serve::rules_show,
        crate::serve::rules_status,
        crate::serve::audit,
        crate::serve::cases,
        crate::serve::resolve,
        crate::serve::openapi_json,
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
