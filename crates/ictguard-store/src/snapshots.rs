//! Restricted-party list snapshots: each download of an official publication that parsed is kept
//! whole, with where it came from and when, so a decision can name the publication it used and a
//! bad download never replaces a good one. Every attempt, failed or not, is recorded beside them.

use serde::Serialize;

/// One file of a snapshot, as downloaded.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotFile {
    /// The file's name within the source (`SDN.CSV`), which also tells the list reader its kind.
    pub name: String,
    /// Where it was fetched from.
    pub url: String,
    /// The server's entity tag, for the next conditional request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The server's `Last-Modified`, for the next conditional request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: i64,
    /// The bytes themselves (left out of listings).
    #[serde(skip)]
    pub body: Vec<u8>,
}

/// A snapshot to store: every file of one source, downloaded and parsed together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListSnapshot {
    /// The source's id (`ofac-sdn`).
    pub source: String,
    /// When the download finished (RFC 3339, UTC).
    pub fetched_at: String,
    /// The publication date the publisher gives, when it gives one (YYYY-MM-DD).
    pub published: Option<String>,
    /// Entries read from it.
    pub entries: i64,
    /// Its files, in the order they are read.
    pub files: Vec<SnapshotFile>,
    /// The ids of its entries that give no listing date of their own: the first snapshot holding
    /// each dates it (snapshot history).
    pub undated_entries: Vec<String>,
}

/// A stored snapshot.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListSnapshot {
    /// Its version: numbers grow with every snapshot of any source.
    pub id: i64,
    /// The source's id.
    pub source: String,
    /// When it was downloaded.
    pub fetched_at: String,
    /// The publisher's date, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Entries read from it.
    pub entries: i64,
    /// Its files.
    pub files: Vec<SnapshotFile>,
}

/// What an update attempt of one source came to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// A new snapshot was stored.
    New,
    /// The publisher had nothing newer (or the same bytes again).
    Unchanged,
    /// The download or its contents failed; the previous snapshot stays in use.
    Failed,
}

impl AttemptOutcome {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::New => "new",
            AttemptOutcome::Unchanged => "unchanged",
            AttemptOutcome::Failed => "failed",
        }
    }

    pub(crate) fn parse(word: &str) -> Option<Self> {
        [Self::New, Self::Unchanged, Self::Failed]
            .into_iter()
            .find(|o| o.as_str() == word)
    }
}

/// One update attempt of one source.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListAttempt {
    /// The source's id.
    pub source: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// What it came to.
    pub outcome: AttemptOutcome,
    /// What happened, in words (the error of a failure).
    pub message: String,
    /// The snapshot it stored, when it stored one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<i64>,
}

/// The SHA-256 of a snapshot as a whole: over its files' names and hashes, in order.
pub fn snapshot_digest(files: &[SnapshotFile]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for f in files {
        h.update(f.name.as_bytes());
        h.update([0]);
        h.update(f.sha256.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
