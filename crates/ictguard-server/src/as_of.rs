//! The date a request is answered as of: its `as_of` parameter, or today (UTC).

use axum::http::StatusCode;

use crate::error::ApiError;

/// Today's date in UTC, the default "as of".
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// An `as_of` query parameter, or today.
pub(crate) fn as_of_param(value: Option<&str>) -> Result<chrono::NaiveDate, ApiError> {
    match value {
        Some(d) => ictguard_rules::parse_date(d).map_err(|e| {
            ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_date",
                e.to_string(),
            )
        }),
        None => Ok(today()),
    }
}
