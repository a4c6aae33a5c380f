//! Vetting: `POST /v1/vet`, an APK in, its vetting report out (JSON, HTML or SARIF), vetted in a
//! worker process and written to the audit trail.

use axum::extract::{Query as UrlQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

use crate::as_of::as_of_param;
use crate::auth::ScreenKey;
use crate::error::{internal, ApiError, ApiResult};
use crate::form::{field, read_upload};
use crate::state::AppState;

#[derive(serde::Deserialize)]
pub(crate) struct VetParams {
    as_of: Option<String>,
    format: Option<String>,
}

/// The multipart form of `POST /v1/vet`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the form for the OpenAPI document; read by form::read_upload
pub(crate) struct VetForm {
    /// The APK file.
    #[schema(format = Binary, content_media_type = "application/vnd.android.package-archive")]
    apk: Vec<u8>,
    /// The date the rules are applied as of (the query parameter wins).
    as_of: Option<String>,
}

/// `POST /v1/vet`: an APK as the raw body, or as the `apk` part of a `multipart/form-data` form;
/// the vetting report as JSON (or `?format=html|sarif`), written to the audit trail.
#[utoipa::path(post, path = "/v1/vet", tag = "vetting", security(("api_key" = [])),
    request_body(description = "the APK's bytes as the body (up to 512 MiB), or a form with the APK as its `apk` part", content(
        (Vec<u8> = "application/vnd.android.package-archive"),
        (VetForm = "multipart/form-data"))),
    params(
        ("as_of" = Option<String>, Query, description = "the date the rules are applied as of (today)"),
        ("format" = Option<String>, Query, description = "json (default), html or sarif")),
    responses(
        (status = 200, description = "the vetting report, committed to the audit trail", content(
            (ictguard_vet::Report = "application/json"),
            (String = "text/html"),
            (Object = "application/sarif+json"))),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 413, description = "the body is over its limit", body = crate::answers::ErrorAnswer),
        (status = 422, description = "the body or a parameter is invalid, or the APK could not be vetted within the server's limits (nothing is recorded)", body = crate::answers::ErrorAnswer),
        (status = 503, description = "every vetting worker is busy and the queue is full (see Retry-After)", body = crate::answers::ErrorAnswer),
        (status = 504, description = "the vetting took longer than its deadline and was stopped (nothing is recorded)", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn vet(
    State(s): State<AppState>,
    UrlQuery(p): UrlQuery<VetParams>,
    // refuse before reading the upload: no key, an unknown format, a full queue
    ScreenKey(actor): ScreenKey,
    request: axum::extract::Request,
) -> ApiResult {
    let format = p.format.clone().unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "json" | "html" | "sarif") {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_format",
            format!("format {format:?}: expected json, html or sarif"),
        ));
    }
    let admission = match s.admit_vetting() {
        Ok(a) => a,
        Err(busy) => {
            let retry = s.vet_pool.retry_after().to_string();
            let mut response = busy.into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&retry) {
                response.headers_mut().insert("retry-after", v);
            }
            return Ok(response);
        }
    };
    let multipart = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    use axum::extract::FromRequest as _;
    let (body, form_as_of) = if multipart {
        let form = axum::extract::Multipart::from_request(request, &())
            .await
            .map_err(|e| ApiError(e.status(), "bad_request", e.body_text()))?;
        let upload = read_upload(form)
            .await
            .map_err(|(status, why)| ApiError(status, "bad_request", why))?;
        if upload.bytes.is_empty() {
            return Err(ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_an_apk",
                "the form has no `apk` file part".into(),
            ));
        }
        (upload.bytes, field(&upload.as_of))
    } else {
        let bytes = axum::body::Bytes::from_request(request, &())
            .await
            .map_err(|e| ApiError(e.status(), "bad_request", e.body_text()))?;
        (bytes, None)
    };
    let as_of = as_of_param(p.as_of.as_deref().or(form_as_of.as_deref()))?;
    let (report, value, seq) = s
        .vet_and_record(admission, "upload.apk", body, as_of, actor)
        .await?;
    let vetted = vec![("upload.apk".to_string(), Ok(report))];
    let mut response = match format.as_str() {
        "html" => (
            // the report carries text from the APK: no scripts, no requests, no framing
            [
                ("content-type", "text/html; charset=utf-8"),
                ("x-content-type-options", "nosniff"),
                (
                    "content-security-policy",
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'",
                ),
            ],
            ictguard_report::vetting::html::render(&vetted, as_of),
        )
            .into_response(),
        "sarif" => (
            [("content-type", "application/sarif+json")],
            ictguard_report::vetting::sarif::render(&vetted, &s.vetter).map_err(internal)?,
        )
            .into_response(),
        _ => Json(value).into_response(),
    };
    if let Ok(v) = axum::http::HeaderValue::from_str(&seq.to_string()) {
        response.headers_mut().insert("x-audit-seq", v);
    }
    Ok(response)
}
