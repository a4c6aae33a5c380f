//! The server's errors: [`ApiError`], the one shape of every error answer, and [`ServeError`],
//! why a server could not start.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answer: its status, its stable code (`unauthorized`, `invalid_query`, …) and its
/// message, answered as `{"error": {"code", "message"}}`.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub &'static str, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.0,
            Json(json!({ "error": { "code": self.1, "message": self.2 } })),
        )
            .into_response()
    }
}

/// What a handler answers.
pub(crate) type ApiResult = Result<Response, ApiError>;

/// An internal error, with its message.
pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The rule pack did not load (each error names file, line and field).
    #[error("{0}")]
    Pack(ictguard_rules::PackErrors),
    /// A list file could not be read (a row that does not fit its format is skipped, not this).
    #[error("loading list: {0}")]
    List(#[source] ictguard_screen::lists::ListError),
    /// The list snapshots stored in the database could not be loaded.
    #[error("loading the stored list snapshots: {0}")]
    StoredLists(#[source] ictguard_feeds::LoadError),
    /// The database could not be opened.
    #[error("opening the database {database}")]
    Database {
        /// The database as it may be shown (a URL's password hidden).
        database: String,
        /// Why.
        #[source]
        source: ictguard_store::StoreError,
    },
    /// A setting is out of range.
    #[error("{0}")]
    Config(String),
    /// The address could not be bound.
    #[error("cannot listen on {address}")]
    Listen {
        /// The address.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("starting the runtime")]
    Runtime(#[source] std::io::Error),
    /// Reading the worker program's path, a directory's absolute path or the bound address.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
