//! `/ui/cases` (admin keys): the review queue. Each open case has a form to resolve it with a
//! decision and a reason; the resolution is written to the audit trail by the store's
//! `resolve_case`, as `POST /v1/cases/{id}/resolve` writes it.

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use ictguard_store::{Case, CaseDecision, CaseStatus, Resolved, Role, StoreError};
use maud::{html, Markup};

use super::auth::{require, require_post, Viewer};
use super::blocking;
use super::layout::{badge, error, page, respond, when, Nav};
use crate::state::AppState;

/// Open cases shown, oldest first.
const OPEN_SHOWN: i64 = 200;
/// Resolved cases read (the store lists oldest first), of which the latest are shown.
const RESOLVED_READ: i64 = 1000;
const RESOLVED_SHOWN: usize = 50;

#[derive(serde::Deserialize)]
pub(crate) struct CasesParams {
    resolved: Option<i64>,
    seq: Option<i64>,
}

/// A message at the top of the page.
enum Flash {
    Done { case: i64, seq: i64 },
    Problem(String),
}

/// `GET /ui/cases`.
pub(crate) async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<CasesParams>,
) -> Response {
    let viewer = match require(&s, &headers, Role::Admin) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let flash = p
        .resolved
        .zip(p.seq)
        .map(|(case, seq)| Flash::Done { case, seq });
    render(&s, viewer, flash, StatusCode::OK).await
}

async fn render(
    s: &AppState,
    viewer: Viewer,
    flash: Option<Flash>,
    status: StatusCode,
) -> Response {
    let lists = blocking(s, |st: &AppState| {
        let open = st.with_reader(|db| db.list_cases(Some(CaseStatus::Open), OPEN_SHOWN))?;
        let resolved =
            st.with_reader(|db| db.list_cases(Some(CaseStatus::Resolved), RESOLVED_READ))?;
        Ok::<_, crate::error::ApiError>((open, resolved))
    })
    .await;
    let (open, resolved) = match lists {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => return error(e.0, Some(&viewer), "Cases unavailable", &e.2),
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(&viewer),
                "Cases unavailable",
                &e.to_string(),
            )
        }
    };
    let body = html! {
        h1 { "Case queue" }
        @match &flash {
            Some(Flash::Done { case, seq }) => p.flash role="status" id="flash" {
                "Case " (case) " resolved; the resolution is audit record "
                a href={ "/ui/audit?kind=case&after=" (seq - 1) } { "#" (seq) } "."
            },
            Some(Flash::Problem(m)) => p.flash.error role="alert" id="flash" { (m) },
            None => {},
        }
        h2 id="open" { "Open (" (open.len()) ")" }
        @if open.is_empty() { p.muted { "No open cases." } }
        @for c in &open { (open_case(c)) }
        h2 id="resolved" { "Recently resolved" }
        @if resolved.is_empty() { p.muted { "None yet." } } @else {
            table {
                thead { tr {
                    th scope="col" class="num" { "Case" } th scope="col" { "Subject" } th scope="col" { "Resolution" }
                    th scope="col" { "Reason" } th scope="col" { "By" } th scope="col" { "When" } th scope="col" class="num" { "Record" }
                } }
                tbody {
                    @for c in resolved.iter().rev().take(RESOLVED_SHOWN) {
                        tr id={ "case-" (c.id) } {
                            td.num { (c.id) }
                            td { (c.subject) br; span.muted { (c.kind) } }
                            td { (badge(c.resolution.map_or("", CaseDecision::as_str))) }
                            td { (c.resolution_reason.as_deref().unwrap_or("")) }
                            td { code { (c.resolved_by.as_deref().unwrap_or("")) } }
                            td { (when(c.resolved_at.as_deref().unwrap_or(""))) }
                            td.num { @if let Some(seq) = c.resolution_seq { a href={ "/ui/audit?after=" (seq - 1) "&limit=1" } { "#" (seq) } } }
                        }
                    }
                }
            }
        }
    };
    respond(status, page("Cases", Some(&viewer), Nav::Cases, body))
}

/// The decisions a reviewer can reach for a case of this kind.
fn choices(kind: &str) -> &'static [(CaseDecision, &'static str)] {
    match kind {
        "vet" => &[
            (CaseDecision::Prohibit, "prohibit: do not allow the app"),
            (CaseDecision::Restrict, "restrict: allow under conditions"),
            (CaseDecision::Allow, "allow: the risk is acceptable"),
        ],
        _ => &[
            (CaseDecision::Block, "block: a true match"),
            (CaseDecision::Allow, "allow: a false positive"),
        ],
    }
}

fn open_case(c: &Case) -> Markup {
    let d = format!("decision-{}", c.id);
    let r = format!("reason-{}", c.id);
    html! {
        section.card id={ "case-" (c.id) } aria-labelledby={ "h-case-" (c.id) } {
            h3 id={ "h-case-" (c.id) } { "Case " (c.id) ": " (c.subject) }
            p { span.muted { (c.kind) " · opened " (when(&c.opened)) " · " }
                a href={ "/ui/audit?after=" (c.audit_seq - 1) "&limit=1" } { "audit record #" (c.audit_seq) } }
            p { (c.reason) }
            form.stack method="post" action={ "/ui/cases/" (c.id) "/resolve" } {
                div {
                    label for=(d) { "Decision" }
                    select id=(d) name="decision" required {
                        @for (value, words) in choices(&c.kind) { option value=(value) { (words) } }
                    }
                }
                div.wide {
                    label for=(r) { "Reason " span.hint { "(kept in the audit trail)" } }
                    textarea id=(r) name="reason" required {}
                }
                div { button type="submit" { "Resolve case " (c.id) } }
            }
        }
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct ResolveForm {
    decision: String,
    reason: String,
}

/// `POST /ui/cases/{id}/resolve`: resolve, then back to the queue with a confirmation.
pub(crate) async fn resolve(
    State(s): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<ResolveForm>, FormRejection>,
) -> Response {
    let viewer = match require_post(&s, &headers, Role::Admin) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let Ok(Path(id)) = id else {
        return error(
            StatusCode::NOT_FOUND,
            Some(&viewer),
            "No such case",
            "The case number is not a number.",
        );
    };
    let Ok(Form(f)) = form else {
        let flash = Flash::Problem("Give a decision and a reason.".into());
        return render(&s, viewer, Some(flash), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let by = viewer.key_id.clone();
    let done = blocking(&s, move |st| {
        st.with_store(|db| db.resolve_case(id, f.decision.trim().parse()?, f.reason.trim(), &by))
    })
    .await;
    let (status, problem) = match done {
        Ok(Ok(Ok(Resolved::Done(seq)))) => {
            let to = format!("/ui/cases?resolved={id}&seq={seq}");
            return (StatusCode::SEE_OTHER, [("location", to)]).into_response();
        }
        Ok(Ok(Ok(Resolved::NoCase))) => (StatusCode::NOT_FOUND, format!("There is no case {id}.")),
        Ok(Ok(Ok(Resolved::AlreadyResolved))) => (
            StatusCode::CONFLICT,
            format!("Case {id} is already resolved."),
        ),
        Ok(Ok(Err(StoreError::Invalid(why)))) => (StatusCode::UNPROCESSABLE_ENTITY, why),
        Ok(Ok(Err(e))) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Ok(Err(e)) => (e.0, e.2),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    render(&s, viewer, Some(Flash::Problem(problem)), status).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_forms_offer_exactly_what_the_store_accepts() {
        for kind in ["screen", "vet"] {
            let offered: Vec<_> = super::choices(kind).iter().map(|(d, _)| *d).collect();
            assert_eq!(offered, ictguard_store::resolution_choices(kind), "{kind}");
        }
    }
}
