//! `/ui/audit` (admin keys): the audit trail, filtered and paged as `GET /v1/audit` pages it, and
//! `/ui/audit/verify`, which recomputes the hash chain.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Days;
use ictguard_store::{AuditQuery, ChainCheck, Record, Role};
use maud::{html, Markup};

use super::auth::require;
use super::blocking;
use super::layout::{badge, error, page, respond, when, Nav};
use crate::form::field;
use crate::state::AppState;

/// The filter form's fields, as text (an empty field is no filter).
#[derive(Default, serde::Deserialize)]
pub(crate) struct AuditParams {
    after: Option<String>,
    limit: Option<String>,
    kind: Option<String>,
    decision: Option<String>,
    subject: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

/// Page sizes offered.
const SIZES: [i64; 4] = [25, 50, 100, 500];
/// Record kinds offered in the filter: screenings, vettings, case resolutions and delta
/// screening's re-screenings.
const KINDS: [&str; 4] = ["screen", "vet", "case", "rescreen"];
/// Decisions offered in the filter: a screening's, a vetting's recommendation, a resolution's.
const DECISIONS: [&str; 5] = ["block", "review", "allow", "prohibit", "restrict"];

impl AuditParams {
    /// The store's query; an error names the field that could not be read.
    fn query(&self) -> Result<AuditQuery, String> {
        let number = |name: &str, v: &Option<String>| {
            field(v)
                .map(|v| {
                    v.parse::<i64>()
                        .map_err(|_| format!("{name} must be a whole number"))
                })
                .transpose()
        };
        let date = |name: &str, v: &Option<String>| {
            field(v)
                .map(|v| ictguard_rules::parse_date(&v).map_err(|e| format!("{name}: {e}")))
                .transpose()
        };
        Ok(AuditQuery {
            after: number("after", &self.after)?,
            limit: Some(number("limit", &self.limit)?.unwrap_or(50)),
            decision: field(&self.decision),
            subject: field(&self.subject),
            since: date("since", &self.since)?.map(|d| d.to_string()),
            // the form's "until" is the last day shown; the store's is the first day left out
            until: date("until", &self.until)?
                .and_then(|d| d.checked_add_days(Days::new(1)))
                .map(|d| d.to_string()),
            kind: field(&self.kind),
        })
    }

    /// The query string of these filters (without `after`), for paging links.
    fn filters(&self) -> String {
        let pairs = [
            ("limit", &self.limit),
            ("kind", &self.kind),
            ("decision", &self.decision),
            ("subject", &self.subject),
            ("since", &self.since),
            ("until", &self.until),
        ];
        pairs
            .iter()
            .filter_map(|(k, v)| field(v).map(|v| format!("&{k}={}", encode(&v))))
            .collect()
    }
}

/// Percent-encode a query value (everything but unreserved characters).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn filter_form(p: &AuditParams, size: i64) -> Markup {
    let kind = field(&p.kind).unwrap_or_default();
    let decision = field(&p.decision).unwrap_or_default();
    let text = |id: &str, label: &str, kind: &str, value: &Option<String>| {
        html! {
            div {
                label for=(id) { (label) }
                input id=(id) name=(id) type=(kind) value=[field(value)];
            }
        }
    };
    html! {
        form.card.stack method="get" action="/ui/audit" {
            div {
                label for="kind" { "Kind" }
                select id="kind" name="kind" {
                    option value="" selected[kind.is_empty()] { "any" }
                    @for k in KINDS { option value=(k) selected[kind == k] { (k) } }
                }
            }
            div {
                label for="decision" { "Decision" }
                select id="decision" name="decision" {
                    option value="" selected[decision.is_empty()] { "any" }
                    @for d in DECISIONS { option value=(d) selected[decision == d] { (d) } }
                }
            }
            (text("subject", "Subject contains", "text", &p.subject))
            (text("since", "Since (day)", "date", &p.since))
            (text("until", "Until (day, inclusive)", "date", &p.until))
            div {
                label for="limit" { "Per page" }
                select id="limit" name="limit" {
                    @for n in SIZES { option value=(n) selected[n == size] { (n) } }
                }
            }
            (text("after", "After record #", "number", &p.after))
            div { button type="submit" { "Filter" } }
        }
    }
}

fn records_table(records: &[Record]) -> Markup {
    html! {
        table id="records" {
            thead { tr {
                th scope="col" class="num" { "#" } th scope="col" { "When" } th scope="col" { "Kind" }
                th scope="col" { "Subject" } th scope="col" { "Decision" } th scope="col" { "Actor" } th scope="col" { "Hash" }
            } }
            tbody {
                @for r in records {
                    tr id={ "rec-" (r.seq) } {
                        td.num { (r.seq) }
                        td { (when(&r.at)) }
                        td { (r.kind) }
                        td {
                            details {
                                summary { (r.subject) }
                                pre { (serde_json::to_string_pretty(&r.body).unwrap_or_default()) }
                                p.mono.muted { "previous " (r.prev_hash) }
                            }
                        }
                        td { (badge(&r.decision)) }
                        td { code { (r.actor) } }
                        td { code title=(r.hash) { (r.hash.get(..12).unwrap_or(&r.hash)) "…" } }
                    }
                }
            }
        }
    }
}

/// `GET /ui/audit`.
pub(crate) async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<AuditParams>,
) -> Response {
    let viewer = match require(&s, &headers, Role::Admin) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let query = match p.query() {
        Ok(q) => q,
        Err(why) => {
            let body = html! {
                h1 { "Audit trail" }
                p.flash.error role="alert" { (why) }
                (filter_form(&p, 50))
            };
            return respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                page("Audit trail", Some(&viewer), Nav::Audit, body),
            );
        }
    };
    let size = query.page_size();
    let q = query.clone();
    let records = match blocking(&s, move |st| st.with_reader(|db| db.query(&q))).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return error(e.0, Some(&viewer), "Audit trail unavailable", &e.2),
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(&viewer),
                "Audit trail unavailable",
                &e.to_string(),
            )
        }
    };
    let filters = p.filters();
    let body = html! {
        h1 { "Audit trail" }
        p.muted { "Every decision, in order; each record carries the hash of the one before it." }
        form method="get" action="/ui/audit/verify" { button.secondary type="submit" { "Verify the chain" } }
        (filter_form(&p, size))
        @if records.is_empty() {
            p { "No records match." }
        } @else {
            p.muted { "Records " (records[0].seq) " to " (records[records.len() - 1].seq) "." }
            (records_table(&records))
        }
        nav.pager aria-label="Pages" {
            @if query.after.is_some_and(|a| a > 0) { a href={ "/ui/audit?" (filters.trim_start_matches('&')) } { "← First page" } }
            @if records.len() as i64 == size {
                @if let Some(last) = records.last() {
                    a href={ "/ui/audit?after=" (last.seq) (filters) } { "Next page →" }
                }
            }
        }
    };
    respond(
        StatusCode::OK,
        page("Audit trail", Some(&viewer), Nav::Audit, body),
    )
}

/// `GET /ui/audit/verify`: recompute the chain from the first record.
pub(crate) async fn verify(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let viewer = match require(&s, &headers, Role::Admin) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let check = match blocking(&s, |st| st.with_reader(|db| db.verify())).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return error(e.0, Some(&viewer), "Verification failed", &e.2),
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(&viewer),
                "Verification failed",
                &e.to_string(),
            )
        }
    };
    let body = html! {
        h1 { "Audit chain" }
        @match &check {
            ChainCheck::Intact { records } => div.card id="chain" {
                p.decision { (badge("intact")) span { "All " (records) " records hash correctly and link to the one before." } }
            },
            ChainCheck::Broken { seq, why } => div.card id="chain" {
                p.decision { (badge("broken")) span { "The chain breaks at record " (seq) ": " (why) } }
                p { a href={ "/ui/audit?after=" (seq - 1) "&limit=1" } { "Show record " (seq) } }
            },
        }
        p { a href="/ui/audit" { "Back to the trail" } }
    };
    let status = match check {
        ChainCheck::Intact { .. } => StatusCode::OK,
        ChainCheck::Broken { .. } => StatusCode::CONFLICT,
    };
    respond(status, page("Audit chain", Some(&viewer), Nav::Audit, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filters offer every decision and kind the trail holds, so none needs typing.
    #[test]
    fn the_filters_offer_every_decision_and_kind_recorded() {
        use ictguard_screen::engine::Decision;
        use ictguard_store::CaseDecision;
        use ictguard_vet::report::Recommendation;
        let recorded = [Decision::Block, Decision::Review, Decision::Allow]
            .map(|d| d.as_str())
            .into_iter()
            .chain(CaseDecision::ALL.map(|d| d.as_str()))
            .chain(
                [
                    Recommendation::Prohibit,
                    Recommendation::Restrict,
                    Recommendation::Allow,
                ]
                .map(|r| r.as_str()),
            );
        for d in recorded {
            assert!(DECISIONS.contains(&d), "{d}");
        }
        assert!(KINDS.contains(&"rescreen"));
    }

    #[test]
    fn blank_fields_are_no_filter_and_until_is_inclusive() {
        let p = AuditParams {
            after: Some("".into()),
            kind: Some("case".into()),
            until: Some("2026-11-25".into()),
            subject: Some("a b&c".into()),
            ..Default::default()
        };
        let q = p.query().unwrap();
        assert_eq!(q.after, None);
        assert_eq!(q.kind.as_deref(), Some("case"));
        assert_eq!(q.until.as_deref(), Some("2026-11-26"));
        assert_eq!(p.filters(), "&kind=case&subject=a%20b%26c&until=2026-11-25");
        let bad = AuditParams {
            after: Some("x".into()),
            ..Default::default()
        };
        assert!(bad.query().is_err());
    }
}
