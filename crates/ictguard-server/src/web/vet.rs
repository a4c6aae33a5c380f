//! `/ui/vet`: upload an APK and read its vetting report. The report is written to the audit trail
//! as `POST /v1/vet` writes it (a high or critical risk opens a case), then shown: a summary, and
//! the full HTML report `ictguard vet --format html` writes, in a sandboxed frame.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ictguard_store::Role;
use ictguard_vet::{Report, Risk};
use maud::{html, Markup};

use super::auth::{require, require_post, Viewer};
use super::layout::{badge, error, page, respond, Nav};
use crate::config::MAX_APK;
use crate::form::{field, read_upload, MAX_UPLOAD};
use crate::state::AppState;

fn upload_page(status: StatusCode, viewer: &Viewer, message: Option<&str>) -> Response {
    let body = html! {
        h1 { "Vet an Android app" }
        @if let Some(m) = message { p.flash.error role="alert" { (m) } }
        div.card {
            form.stack method="post" action="/ui/vet" enctype="multipart/form-data" {
                div.wide {
                    label for="apk" { "APK file " span.hint { "(up to " (MAX_APK >> 20) " MiB)" } }
                    input id="apk" name="apk" type="file" accept=".apk,application/vnd.android.package-archive" required;
                }
                div {
                    label for="as_of" { "As of " span.hint { "(default today)" } }
                    input id="as_of" name="as_of" type="date";
                }
                div { button type="submit" { "Upload and vet" } }
            }
        }
        p.muted { "The app is read, never run: its manifest, code, signatures and resources are checked against the rule pack and the bundled SDK and tracker knowledge." }
    };
    respond(status, page("Vet an APK", Some(viewer), Nav::Vet, body))
}

/// `GET /ui/vet`.
pub(crate) async fn form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    match require(&s, &headers, Role::Screen) {
        Ok(v) => upload_page(StatusCode::OK, &v, None),
        Err(r) => r.into_response(),
    }
}

/// `POST /ui/vet`: a multipart upload (`apk`, `as_of`); vet, record, show.
pub(crate) async fn upload(
    State(s): State<AppState>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let viewer = match require_post(&s, &headers, Role::Screen) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    // refuse an oversized upload from its declared length, before reading any of it
    let declared = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_UPLOAD as u64) {
        let message = format!(
            "The upload is larger than the limit of {} MiB.",
            MAX_APK >> 20
        );
        return upload_page(StatusCode::PAYLOAD_TOO_LARGE, &viewer, Some(&message));
    }
    // a place in the vetting queue before the upload is read
    let admission = match s.admit_vetting() {
        Ok(a) => a,
        Err(busy) => return upload_page(busy.0, &viewer, Some(&busy.2)),
    };
    let form = match form {
        Ok(f) => f,
        Err(e) => return upload_page(e.status(), &viewer, Some(&e.body_text())),
    };
    let up = match read_upload(form).await {
        Ok(u) => u,
        Err((status, message)) => return upload_page(status, &viewer, Some(&message)),
    };
    if up.bytes.is_empty() {
        return upload_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &viewer,
            Some("Choose an APK file to upload."),
        );
    }
    let as_of = match field(&up.as_of) {
        None => crate::as_of::today(),
        Some(d) => match ictguard_rules::parse_date(&d) {
            Ok(d) => d,
            Err(e) => {
                return upload_page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &viewer,
                    Some(&e.to_string()),
                )
            }
        },
    };
    let actor = viewer.key_id.clone();
    let vetted = s
        .vet_and_record(admission, &up.file, up.bytes.clone(), as_of, actor)
        .await;
    match vetted {
        Ok((report, _, seq)) => {
            let summary = summary(&report, seq);
            let full = ictguard_report::vetting::html::render(&[(up.file, Ok(report))], as_of);
            let body = html! {
                h1 { "Vetting report" }
                (summary)
                h2 { "Full report" }
                iframe.report title="Full vetting report" sandbox="" srcdoc=(full) {}
                p { a href="/ui/vet" { "Vet another APK" } }
            };
            respond(
                StatusCode::OK,
                page("Vetting report", Some(&viewer), Nav::Vet, body),
            )
        }
        Err(e) if e.1 == "not_an_apk" => upload_page(
            e.0,
            &viewer,
            Some(&format!("{} could not be read as an APK: {}", up.file, e.2)),
        ),
        Err(e) if e.1 == "vetting_stopped" => upload_page(
            e.0,
            &viewer,
            Some(&format!("{} could not be vetted: {}", up.file, e.2)),
        ),
        Err(e) => error(e.0, Some(&viewer), "Vetting failed", &e.2),
    }
}

fn summary(r: &Report, seq: i64) -> Markup {
    html! {
        section.card aria-labelledby="summary-heading" {
            h2 id="summary-heading" { "Summary" }
            div.decision {
                span { "Risk " span id="risk" { (badge(r.risk.as_str())) } }
                span { "score " strong { (r.score) } }
                span { "recommendation " span id="recommendation" { (badge(r.recommendation.as_str())) } }
                span.muted id="audit-seq" { "audit record #" (seq) }
            }
            @if r.risk >= Risk::High {
                p.flash { "A review case was opened with this record: a reviewer resolves it on the Cases page." }
            }
            table {
                tbody {
                    tr { th scope="row" { "Package" } td id="package" { code { (r.package.as_deref().unwrap_or("unknown")) } } }
                    tr { th scope="row" { "Label" } td { (r.label.as_deref().unwrap_or("")) } }
                    tr { th scope="row" { "Version" } td { (r.version_name.as_deref().unwrap_or("")) @if let Some(c) = r.version_code { " (" (c) ")" } } }
                    tr { th scope="row" { "File" } td { (r.file) } }
                    tr { th scope="row" { "SHA-256" } td { code { (r.sha256) } } }
                    tr { th scope="row" { "As of" } td { (r.as_of) } }
                }
            }
            h3 { "Why" }
            ul { @for reason in &r.reasons { li { (reason) } } }
            @if !r.conditions.is_empty() {
                h3 { "Conditions" }
                ul { @for c in &r.conditions { li { (c) } } }
            }
        }
    }
}
