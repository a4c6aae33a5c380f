//! Watched subjects: parties, apps and transactions screened again whenever the lists change
//! (delta screening), each with the decision it last got, so a change is noticed once.

use serde::Serialize;

/// A subject to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWatched {
    /// What it is, for lists and cases (a name or a package id).
    pub subject: String,
    /// The screening query, as JSON.
    pub query: String,
    /// Who added it (an API key id, or `cli`).
    pub by: String,
}

/// A watched subject.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Watched {
    /// Its id.
    pub id: i64,
    /// When it was added (RFC 3339, UTC).
    pub added_at: String,
    /// Who added it.
    pub added_by: String,
    /// What it is.
    pub subject: String,
    /// The screening query, as JSON.
    pub query: String,
    /// The decision it got when last screened (none yet: never screened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// When it was last screened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
}
