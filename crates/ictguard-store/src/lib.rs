//! Persistence for ictguard: an append-only audit trail in which every record carries the hash of
//! the one before it (so that `verify` proves the chain intact or names the first broken record),
//! review cases, and API keys stored as hashes.
//!
//! Every backend implements [`Store`]; [`open`] picks one from the database argument: a file path
//! (SQLite, one file, WAL: the embedded default) or a `postgres://` URL ([`PgStore`], behind the
//! `postgres` feature, on by default; several processes may share one database). Each creates and
//! migrates its schema on open. Text is kept as given, except NUL, which becomes U+FFFD on every
//! backend (PostgreSQL's `text` cannot hold it).
//!
//! Writes of decisions go through one writer thread that commits in groups ([`AuditWriter`]): each
//! caller gets its record's sequence number only once the transaction holding it has committed, so
//! an acknowledged decision survives the process being killed.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::borrow::Cow;
use std::sync::mpsc;

use serde::{Deserialize, Serialize};

mod cases;
mod chain;
mod keys;
#[cfg(feature = "postgres")]
mod postgres;
mod snapshots;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
mod watch;

pub(crate) use cases::resolution_record;
pub use cases::{resolution_choices, Case, CaseDecision, CaseStatus, Resolved, UnknownWord};
pub use chain::{chain_hash, ChainVerifier, StoredRow, GENESIS};
pub use keys::{KeyInfo, Role};
#[cfg(feature = "postgres")]
pub use postgres::PgStore;
pub use snapshots::{
    snapshot_digest, AttemptOutcome, ListAttempt, ListSnapshot, NewListSnapshot, SnapshotFile,
};
pub use sqlite::SqliteStore;
pub use watch::{NewWatched, Watched};

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database.
    #[error("database: {0}")]
    Db(String),
    /// The writer thread is gone.
    #[error("the audit writer stopped")]
    WriterGone,
    /// A bad argument.
    #[error("{0}")]
    Invalid(String),
}

/// A record to append.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NewRecord {
    /// `screen`, `vet`, `case`, `key`, …
    pub kind: String,
    /// What it is about (a name, a package id).
    pub subject: String,
    /// The decision (block/review/allow, prohibit/restrict/allow, …).
    pub decision: String,
    /// Who asked (the API key id, or `cli`).
    pub actor: String,
    /// The full result, as JSON.
    pub body: serde_json::Value,
    /// Open a review case for this record, with this reason (in the same transaction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_case: Option<String>,
}

/// A stored record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// Sequence number, from 1.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Kind.
    pub kind: String,
    /// Subject.
    pub subject: String,
    /// Decision.
    pub decision: String,
    /// Actor.
    pub actor: String,
    /// Body.
    pub body: serde_json::Value,
    /// The previous record's hash.
    pub prev_hash: String,
    /// This record's hash.
    pub hash: String,
}

impl Record {
    /// The body from its stored text (kept as a string if it is not JSON).
    pub fn body_from_text(text: String) -> serde_json::Value {
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainCheck {
    /// Every record's hash is right and links to the one before.
    Intact {
        /// Records checked.
        records: i64,
    },
    /// The first record whose hash or link is wrong.
    Broken {
        /// Its sequence number.
        seq: i64,
        /// What is wrong.
        why: String,
    },
}

/// A filter for reading the trail.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    /// Records after this sequence number (paging).
    pub after: Option<i64>,
    /// At most this many (capped at 1,000).
    pub limit: Option<i64>,
    /// Only this decision.
    pub decision: Option<String>,
    /// Only subjects containing this text.
    pub subject: Option<String>,
    /// Only records at or after this time (RFC 3339 or a date).
    pub since: Option<String>,
    /// Only records before this time.
    pub until: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
}

impl AuditQuery {
    /// The page size asked for, within 1..=1000 (100 by default).
    pub fn page_size(&self) -> i64 {
        self.limit.unwrap_or(100).clamp(1, 1000)
    }
}

/// What every backend does. SQL in every backend is parameterised: no caller text is ever pasted
/// into a statement.
pub trait Store: Send {
    /// Append records in one transaction (opening the cases they ask for); their sequence numbers.
    fn append(&mut self, records: &[NewRecord]) -> Result<Vec<i64>, StoreError>;
    /// Recompute the chain from the first record.
    fn verify(&mut self) -> Result<ChainCheck, StoreError>;
    /// Read records in sequence order.
    fn query(&mut self, q: &AuditQuery) -> Result<Vec<Record>, StoreError>;
    /// Create a key; returns (id, the key to give the client once). Only a hash is kept.
    fn create_key(&mut self, role: Role, label: &str) -> Result<(String, String), StoreError>;
    /// Revoke a key by id; false when there is no such active key.
    fn revoke_key(&mut self, id: &str) -> Result<bool, StoreError>;
    /// Every key made, oldest first, revoked ones included (never their secrets).
    fn list_keys(&mut self) -> Result<Vec<KeyInfo>, StoreError>;
    /// The key id and role of a presented key, when it is valid and not revoked.
    fn check_key(&mut self, key: &str) -> Result<Option<(String, Role)>, StoreError>;
    /// Cases, oldest first, optionally only those with a status.
    fn list_cases(
        &mut self,
        status: Option<CaseStatus>,
        limit: i64,
    ) -> Result<Vec<Case>, StoreError>;
    /// Resolve an open case with a decision and a reason; the resolution is written to the audit
    /// trail in the same transaction.
    fn resolve_case(
        &mut self,
        id: i64,
        decision: CaseDecision,
        reason: &str,
        by: &str,
    ) -> Result<Resolved, StoreError>;
    /// Store a snapshot of a list source with its files, and the attempt that made it, in one
    /// transaction; its id (the version).
    fn save_list_snapshot(&mut self, snapshot: &NewListSnapshot) -> Result<i64, StoreError>;
    /// Record an update attempt that stored nothing (unchanged, or failed with its reason).
    fn record_list_attempt(
        &mut self,
        source: &str,
        outcome: AttemptOutcome,
        message: &str,
    ) -> Result<(), StoreError>;
    /// The newest snapshot of every source, with the files' bytes when `bodies` is true.
    fn latest_list_snapshots(&mut self, bodies: bool) -> Result<Vec<ListSnapshot>, StoreError>;
    /// One snapshot by its id (a pinned version), with the files' bytes when `bodies` is true;
    /// None when there is no such snapshot.
    fn list_snapshot(&mut self, id: i64, bodies: bool) -> Result<Option<ListSnapshot>, StoreError>;
    /// The latest update attempt of every source.
    fn latest_list_attempts(&mut self) -> Result<Vec<ListAttempt>, StoreError>;
    /// For a source's undated entries: each entry id and the day of the first snapshot that held
    /// it (its publication date, else the day it was fetched).
    fn list_entries_first_seen(
        &mut self,
        source: &str,
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// Add subjects to watch; their ids.
    fn add_watched(&mut self, subjects: &[NewWatched]) -> Result<Vec<i64>, StoreError>;
    /// Watched subjects with ids above `after`, in id order, at most `limit` (1 to 1000).
    fn list_watched(&mut self, after: i64, limit: i64) -> Result<Vec<Watched>, StoreError>;
    /// Record the decisions watched subjects got when screened at `at`.
    fn set_watched_decisions(
        &mut self,
        decisions: &[(i64, String)],
        at: &str,
    ) -> Result<(), StoreError>;
}

/// Whether a database argument names a PostgreSQL server rather than an SQLite file.
pub fn is_postgres_url(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// A database argument fit for logs and messages: a URL's password is masked.
pub fn display_database(database: &str) -> String {
    let Some((scheme, rest)) = database.split_once("://") else {
        return database.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return database.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => database.to_string(),
    }
}

/// Open (and migrate) the store a database argument names: `postgres://…` or a file path
/// (optionally written `sqlite://PATH`).
pub fn open(database: &str) -> Result<Box<dyn Store>, StoreError> {
    if is_postgres_url(database) {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(PgStore::open(database)?));
        #[cfg(not(feature = "postgres"))]
        return Err(StoreError::Invalid(
            "PostgreSQL support is not built into this binary (feature `postgres`)".into(),
        ));
    }
    let path = database.strip_prefix("sqlite://").unwrap_or(database);
    Ok(Box::new(SqliteStore::open(std::path::Path::new(path))?))
}

/// Text as every backend keeps it: NUL, which PostgreSQL's `text` cannot hold, becomes U+FFFD
/// (before hashing, and in filters alike), so a record reads the same on every backend and one odd
/// character in a subject never fails the group commit it shares with others. A record's body keeps
/// the exact input (JSON escapes NUL).
pub(crate) fn storable(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{fffd}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A record with [`storable`] text.
pub(crate) fn storable_record(r: &NewRecord) -> Cow<'_, NewRecord> {
    let has_nul = [&r.kind, &r.subject, &r.decision, &r.actor]
        .into_iter()
        .chain(r.open_case.as_ref())
        .any(|t| t.contains('\0'));
    if !has_nul {
        return Cow::Borrowed(r);
    }
    Cow::Owned(NewRecord {
        kind: storable(&r.kind).into_owned(),
        subject: storable(&r.subject).into_owned(),
        decision: storable(&r.decision).into_owned(),
        actor: storable(&r.actor).into_owned(),
        body: r.body.clone(),
        open_case: r.open_case.as_deref().map(|c| storable(c).into_owned()),
    })
}

/// A query with [`storable`] filters (so a filter finds what a record with the same text became).
pub(crate) fn storable_query(q: &AuditQuery) -> AuditQuery {
    let text = |f: &Option<String>| f.as_deref().map(|t| storable(t).into_owned());
    AuditQuery {
        after: q.after,
        limit: q.limit,
        decision: text(&q.decision),
        subject: text(&q.subject),
        since: text(&q.since),
        until: text(&q.until),
        kind: text(&q.kind),
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// What the writer calls with the outcome of a job's commit.
pub type Reply = Box<dyn FnOnce(Result<Vec<i64>, String>) + Send>;

type Job = (Vec<NewRecord>, Reply);

/// The single writer of the audit trail: callers send records and learn of the commit; the writer
/// commits everything waiting in one transaction (group commit).
#[derive(Clone)]
pub struct AuditWriter {
    jobs: mpsc::Sender<Job>,
}

/// Records gathered into one transaction: whole jobs until this many (a larger job is committed alone).
const MAX_GROUP: usize = 4096;

impl AuditWriter {
    /// Start the writer on the store a database argument names. The store is opened on the
    /// writer's own thread (so this may be called from an async runtime even when the backend's
    /// client runs a runtime of its own, as PostgreSQL's does); an error opening it is returned here.
    pub fn start(database: &str) -> Result<AuditWriter, StoreError> {
        let database = database.to_string();
        Self::spawn(move || open(&database))
    }

    /// Start the writer on an open store.
    pub fn start_on(store: Box<dyn Store>) -> Result<AuditWriter, StoreError> {
        Self::spawn(move || Ok(store))
    }

    fn spawn(
        opener: impl FnOnce() -> Result<Box<dyn Store>, StoreError> + Send + 'static,
    ) -> Result<AuditWriter, StoreError> {
        let (tx, rx) = mpsc::channel::<Job>();
        let (opened, is_open) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                let mut store = match opener() {
                    Ok(store) => {
                        let _ = opened.send(Ok(()));
                        store
                    }
                    Err(e) => {
                        let _ = opened.send(Err(e));
                        return;
                    }
                };
                while let Ok(first) = rx.recv() {
                    // whole jobs, until the group holds MAX_GROUP records (a job larger than
                    // that is committed alone)
                    let mut records = first.0.len();
                    let mut batch = vec![first];
                    while records < MAX_GROUP {
                        match rx.try_recv() {
                            Ok(job) => {
                                records += job.0.len();
                                batch.push(job);
                            }
                            Err(_) => break,
                        }
                    }
                    let all: Vec<NewRecord> =
                        batch.iter().flat_map(|(r, _)| r.iter().cloned()).collect();
                    match store.append(&all) {
                        Ok(seqs) => {
                            let mut i = 0;
                            for (records, reply) in batch {
                                let n = records.len();
                                reply(Ok(seqs[i..i + n].to_vec()));
                                i += n;
                            }
                        }
                        Err(e) => {
                            for (_, reply) in batch {
                                reply(Err(e.to_string()));
                            }
                        }
                    }
                }
            })
            .map_err(|e| StoreError::Invalid(format!("cannot start the audit writer: {e}")))?;
        is_open.recv().map_err(|_| StoreError::WriterGone)??;
        Ok(AuditWriter { jobs: tx })
    }

    /// Queue records; `reply` is called once they are committed (or failed), on the writer thread.
    /// It must not block: hand the result to a channel.
    pub fn append_with(&self, records: Vec<NewRecord>, reply: Reply) -> Result<(), StoreError> {
        self.jobs
            .send((records, reply))
            .map_err(|_| StoreError::WriterGone)
    }

    /// Append records; returns once they are committed, with their sequence numbers.
    pub fn append(&self, records: Vec<NewRecord>) -> Result<Vec<i64>, StoreError> {
        let (tx, wait) = mpsc::sync_channel(1);
        self.append_with(
            records,
            Box::new(move |r| {
                let _ = tx.send(r);
            }),
        )?;
        wait.recv()
            .map_err(|_| StoreError::WriterGone)?
            .map_err(StoreError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::display_database;

    #[test]
    fn passwords_are_masked_in_messages() {
        assert_eq!(
            display_database("postgres://ictguard:s3cr:et@db.example:5432/audit"),
            "postgres://ictguard:***@db.example:5432/audit"
        );
        assert_eq!(
            display_database("postgres://ictguard@db/audit"),
            "postgres://ictguard@db/audit"
        );
        assert_eq!(
            display_database("/var/lib/ictguard.db"),
            "/var/lib/ictguard.db"
        );
    }
}
