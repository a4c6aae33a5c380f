//! Reading what a client sends in a form: optional text fields, and an APK upload as the
//! `apk` part of a `multipart/form-data` body (the web UI's form, and `POST /v1/vet`).

use axum::extract::multipart::Multipart;
use axum::http::StatusCode;

use crate::config::MAX_APK;

/// Largest upload accepted: the API's APK limit, plus room for the form around the file.
pub(crate) const MAX_UPLOAD: usize = MAX_APK + (1 << 20);
/// Longest file name kept (for the report and the audit record).
const MAX_FILE_NAME: usize = 200;

/// An optional form or query field: `None` when missing or blank, else trimmed.
pub(crate) fn field(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The uploaded file and the form's date.
pub(crate) struct Upload {
    /// The file's name as uploaded (shortened).
    pub(crate) file: String,
    /// Its bytes (empty when no `apk` part came).
    pub(crate) bytes: axum::body::Bytes,
    /// The `as_of` part, if any.
    pub(crate) as_of: Option<String>,
}

/// Read a multipart form's `apk` file part and its `as_of` part (the web form, and `POST /v1/vet`
/// with `multipart/form-data`).
pub(crate) async fn read_upload(mut form: Multipart) -> Result<Upload, (StatusCode, String)> {
    let bad = |e: axum::extract::multipart::MultipartError| (e.status(), e.body_text());
    let mut upload = Upload {
        file: String::new(),
        bytes: axum::body::Bytes::new(),
        as_of: None,
    };
    while let Some(part) = form.next_field().await.map_err(bad)? {
        match part.name() {
            Some("apk") => {
                upload.file = part
                    .file_name()
                    .unwrap_or("upload.apk")
                    .chars()
                    .take(MAX_FILE_NAME)
                    .collect();
                upload.bytes = part.bytes().await.map_err(bad)?;
            }
            Some("as_of") => upload.as_of = Some(part.text().await.map_err(bad)?),
            _ => {}
        }
    }
    Ok(upload)
}
