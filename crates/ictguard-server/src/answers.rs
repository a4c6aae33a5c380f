//! The bodies of the API's answers (and of the one request body it defines), as the types the
//! server serialises; their `ToSchema` derives describe them in the OpenAPI document.

use ictguard_rules::OrderStatus;
use ictguard_store::{Case, Record};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// `GET /v1/lists`.
#[derive(Serialize, ToSchema)]
pub struct ListsLoaded {
    /// List entries screened against, from all files.
    pub entries: usize,
    /// Each file in use: name, format, records, size, SHA-256 and, for a fetched snapshot, where
    /// and when it came from (what every decision names). Empty when no list is loaded.
    pub files: Vec<ictguard_screen::lists::ListFile>,
    /// The newest snapshot of each source stored in the database (`lists update` or the
    /// server's own refresh), whether or not this server screens against it.
    pub snapshots: Vec<ictguard_store::ListSnapshot>,
    /// The last update attempt of each source: a failure says why and that the previous
    /// snapshot stays in use.
    pub attempts: Vec<ictguard_store::ListAttempt>,
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
    /// Read as text so that a word outside these gets the store's message (422), not serde's.
    #[schema(value_type = ictguard_store::CaseDecision)]
    pub decision: String,
    /// Why, in words (required).
    pub reason: String,
}

/// `POST /v1/cases/{id}/resolve`.
#[derive(Serialize, ToSchema)]
pub struct ResolvedAnswer {
    /// The case number.
    pub case: i64,
    /// Always resolved.
    pub status: ictguard_store::CaseStatus,
    /// The audit record of the resolution.
    pub audit_seq: i64,
}

/// `POST /v1/watch`: subjects to screen again whenever the lists change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchRequest {
    /// Screening queries (as for `/v1/screen`), 1 to 1000; each must screen.
    pub subjects: Vec<ictguard_screen::engine::Query>,
}

/// A watched subject whose decision became more severe when screened: a review case is open.
#[derive(Serialize, ToSchema)]
pub struct WatchHit {
    /// The watched subject's id.
    pub watch_id: i64,
    /// What it is.
    pub subject: String,
    /// Its decision before (`allow` for a subject just added).
    pub before: ictguard_screen::engine::Decision,
    /// Its decision now.
    pub after: ictguard_screen::engine::Decision,
    /// Why.
    pub reason: String,
}

/// The answer to `POST /v1/watch`.
#[derive(Serialize, ToSchema)]
pub struct WatchAdded {
    /// The new subjects' ids, in the order given.
    pub ids: Vec<i64>,
    /// Subjects screened against the lists in use.
    pub checked: usize,
    /// Those that matched (review or block): each has an audit record and an open case.
    pub new_hits: Vec<WatchHit>,
}

/// `GET /v1/watch`: a page of watched subjects.
#[derive(Serialize, ToSchema)]
pub struct WatchPage {
    /// Subjects in id order.
    pub subjects: Vec<ictguard_store::Watched>,
    /// The id to pass as `after` for the next page (none: this is the last).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
}
