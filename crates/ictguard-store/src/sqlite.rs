//! The embedded store: one SQLite file in WAL mode, migrated on open (`PRAGMA user_version`).

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::chain::{chain_hash, ChainVerifier, StoredRow, GENESIS};
use crate::keys::{self, KeyInfo, Role};
use crate::snapshots::{snapshot_digest, AttemptOutcome, ListAttempt, ListSnapshot, SnapshotFile};
use crate::watch::{NewWatched, Watched};
use crate::{
    now, resolution_record, storable, storable_query, storable_record, AuditQuery, Case,
    CaseDecision, CaseStatus, ChainCheck, NewListSnapshot, NewRecord, Record, Resolved, Store,
    StoreError,
};

/// The schema, one migration per entry, applied in order.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        decision TEXT NOT NULL,
        actor TEXT NOT NULL,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_at ON audit(at);
    CREATE INDEX audit_decision ON audit(decision);
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        label TEXT NOT NULL,
        created TEXT NOT NULL,
        revoked TEXT
    );",
    "CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        opened TEXT NOT NULL,
        audit_seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL,
        resolution TEXT,
        resolution_reason TEXT,
        resolved_by TEXT,
        resolved_at TEXT,
        resolution_seq INTEGER
    );
    CREATE INDEX cases_status ON cases(status);",
    "CREATE TABLE list_snapshots (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        published TEXT,
        entries INTEGER NOT NULL,
        sha256 TEXT NOT NULL
    );
    CREATE INDEX list_snapshots_source ON list_snapshots(source, id);
    CREATE TABLE list_snapshot_files (
        snapshot_id INTEGER NOT NULL REFERENCES list_snapshots(id),
        n INTEGER NOT NULL,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        body BLOB NOT NULL,
        PRIMARY KEY (snapshot_id, n)
    );
    CREATE TABLE list_attempts (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        message TEXT NOT NULL,
        snapshot_id INTEGER
    );
    CREATE INDEX list_attempts_source ON list_attempts(source, id);",
    "CREATE TABLE watch (
        id INTEGER PRIMARY KEY,
        added_at TEXT NOT NULL,
        added_by TEXT NOT NULL,
        subject TEXT NOT NULL,
        query TEXT NOT NULL,
        decision TEXT,
        checked_at TEXT
    );",
    "CREATE TABLE list_entries_seen (
        source TEXT NOT NULL,
        entry TEXT NOT NULL,
        snapshot_id INTEGER NOT NULL,
        first_day TEXT NOT NULL,
        PRIMARY KEY (source, entry)
    );",
];

/// How long a statement waits for another connection's lock (and an open retries).
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Why one try at opening failed: a lock held by another opener (try again) or anything else.
enum Opening {
    Busy(rusqlite::Error),
    Failed(StoreError),
}

impl From<rusqlite::Error> for Opening {
    fn from(e: rusqlite::Error) -> Self {
        let busy = matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        match busy {
            true => Opening::Busy(e),
            false => Opening::Failed(e.into()),
        }
    }
}

/// An SQLite database file.
pub struct SqliteStore {
    conn: Connection,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}

/// Create the database file readable and writable by its owner only (0600), when it does not
/// exist yet: it holds the audit trail, the cases and the keys' hashes. SQLite gives its WAL and
/// shared-memory files the database file's permissions. An existing file is left as it is.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Db(format!("{}: {e}", path.display()))),
    }
}

impl SqliteStore {
    /// Open (and migrate) a database file, created private to its owner when new. Processes opening a new file at the same moment can
    /// meet SQLite's locks where its busy handler does not wait (switching the file to WAL): such
    /// an open is tried again, for up to the busy timeout.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        create_private(path)?;
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mut pause = std::time::Duration::from_millis(5);
        loop {
            match Self::open_once(path) {
                Err(Opening::Busy(_)) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(200));
                }
                Err(Opening::Busy(e)) => return Err(e.into()),
                Err(Opening::Failed(e)) => return Err(e),
                Ok(store) => return Ok(store),
            }
        }
    }

    fn open_once(path: &Path) -> Result<SqliteStore, Opening> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL: a committed transaction survives the process being killed (the WAL is in the
        // OS); FULL would also survive power loss, at a cost in throughput
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version = |c: &Connection| -> rusqlite::Result<i64> {
            c.pragma_query_value(None, "user_version", |r| r.get(0))
        };
        let found = version(&conn)?;
        if found > MIGRATIONS.len() as i64 {
            return Err(Opening::Failed(StoreError::Invalid(format!(
                "{}: schema version {found} is newer than this ictguard knows ({}); use a newer ictguard",
                path.display(),
                MIGRATIONS.len()
            ))));
        }
        if found < MIGRATIONS.len() as i64 {
            // under the write lock, read again: processes opening a new file together take
            // turns, and the second finds the work done
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for (i, m) in MIGRATIONS.iter().enumerate().skip(version(&tx)? as usize) {
                tx.execute_batch(m)?;
                tx.pragma_update(None, "user_version", i as i64 + 1)?;
            }
            tx.commit()?;
        }
        Ok(SqliteStore { conn })
    }

    /// The connection underneath (tests use it to tamper with the trail).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Append inside a write transaction (which serialises every writer, so the chain stays linear),
/// opening the cases the records ask for.
fn append_in(tx: &rusqlite::Transaction, records: &[NewRecord]) -> Result<Vec<i64>, StoreError> {
    let (mut seq, mut prev): (i64, String) = tx
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, GENESIS.to_string()));
    let mut out = Vec::with_capacity(records.len());
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit (seq, at, kind, subject, decision, actor, body, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for r in records {
        let r = &*storable_record(r);
        seq += 1;
        let at = now();
        let body = r.body.to_string();
        let hash = chain_hash(&prev, seq, &at, r, &body);
        insert.execute(params![
            seq, at, r.kind, r.subject, r.decision, r.actor, body, prev, hash
        ])?;
        if let Some(reason) = &r.open_case {
            tx.prepare_cached(
                "INSERT INTO cases (opened, audit_seq, kind, subject, reason, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'open')",
            )?
            .execute(params![at, seq, r.kind, r.subject, reason])?;
        }
        prev = hash;
        out.push(seq);
    }
    Ok(out)
}

impl Store for SqliteStore {
    fn append(&mut self, records: &[NewRecord]) -> Result<Vec<i64>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = append_in(&tx, records)?;
        tx.commit()?;
        Ok(out)
    }

    fn verify(&mut self) -> Result<ChainCheck, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, kind, subject, decision, actor, body, prev_hash, hash
             FROM audit ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut verifier = ChainVerifier::default();
        while let Some(row) = rows.next()? {
            let stored = StoredRow {
                seq: row.get(0)?,
                at: row.get(1)?,
                fields: NewRecord {
                    kind: row.get(2)?,
                    subject: row.get(3)?,
                    decision: row.get(4)?,
                    actor: row.get(5)?,
                    body: serde_json::Value::Null,
                    open_case: None,
                },
                body: row.get(6)?,
                prev_hash: row.get(7)?,
                hash: row.get(8)?,
            };
            if let Some(broken) = verifier.check(&stored) {
                return Ok(broken);
            }
        }
        Ok(verifier.intact())
    }

    fn query(&mut self, q: &AuditQuery) -> Result<Vec<Record>, StoreError> {
        let q = &storable_query(q);
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, kind, subject, decision, actor, body, prev_hash, hash FROM audit
             WHERE seq > ?1
               AND (?2 IS NULL OR decision = ?2)
               AND (?3 IS NULL OR instr(subject, ?3) > 0)
               AND (?4 IS NULL OR at >= ?4)
               AND (?5 IS NULL OR at < ?5)
               AND (?6 IS NULL OR kind = ?6)
             ORDER BY seq LIMIT ?7",
        )?;
        let rows = stmt.query_map(
            params![
                q.after.unwrap_or(0),
                q.decision,
                q.subject,
                q.since,
                q.until,
                q.kind,
                q.page_size()
            ],
            |row| {
                Ok(Record {
                    seq: row.get(0)?,
                    at: row.get(1)?,
                    kind: row.get(2)?,
                    subject: row.get(3)?,
                    decision: row.get(4)?,
                    actor: row.get(5)?,
                    body: Record::body_from_text(row.get(6)?),
                    prev_hash: row.get(7)?,
                    hash: row.get(8)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn create_key(&mut self, role: Role, label: &str) -> Result<(String, String), StoreError> {
        let key = keys::new_key()?;
        self.conn.execute(
            "INSERT INTO api_keys (id, secret_hash, role, label, created)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                key.id,
                key.secret_hash,
                role.as_str(),
                storable(label),
                now()
            ],
        )?;
        Ok((key.id, key.presented))
    }

    fn revoke_key(&mut self, id: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE api_keys SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
            params![id, now()],
        )?;
        Ok(n == 1)
    }

    fn list_keys(&mut self) -> Result<Vec<KeyInfo>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, role, label, created, revoked FROM api_keys ORDER BY created, id",
        )?;
        let rows = stmt.query_map([], |r| {
            let role: String = r.get(1)?;
            Ok((r.get(0)?, role, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.map(|row| {
            let (id, role, label, created, revoked): (String, String, String, String, _) = row?;
            Ok(KeyInfo {
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Db(format!("key {id}: unknown role {role:?}")))?,
                id,
                label,
                created,
                revoked,
            })
        })
        .collect()
    }

    fn check_key(&mut self, key: &str) -> Result<Option<(String, Role)>, StoreError> {
        let Some((id, secret)) = keys::split(key) else {
            return Ok(None);
        };
        let found: Option<(String, String, Option<String>)> = self
            .conn
            .prepare_cached("SELECT secret_hash, role, revoked FROM api_keys WHERE id = ?1")?
            .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        Ok(found.and_then(|(hash, role, revoked)| {
            (keys::secret_matches(secret, &hash) && revoked.is_none())
                .then(|| Role::parse(&role).map(|r| (id.to_string(), r)))
                .flatten()
        }))
    }

    fn list_cases(
        &mut self,
        status: Option<CaseStatus>,
        limit: i64,
    ) -> Result<Vec<Case>, StoreError> {
        let status = status.map(CaseStatus::as_str);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, opened, audit_seq, kind, subject, reason, status, resolution,
                    resolution_reason, resolved_by, resolved_at, resolution_seq
             FROM cases WHERE (?1 IS NULL OR status = ?1) ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![status, limit.clamp(1, 1000)], |r| {
            Ok(Case {
                id: r.get(0)?,
                opened: r.get(1)?,
                audit_seq: r.get(2)?,
                kind: r.get(3)?,
                subject: r.get(4)?,
                reason: r.get(5)?,
                status: word(r, 6)?,
                resolution: r
                    .get::<_, Option<String>>(7)?
                    .map(|w| w.parse().map_err(|e| bad_word(7, e)))
                    .transpose()?,
                resolution_reason: r.get(8)?,
                resolved_by: r.get(9)?,
                resolved_at: r.get(10)?,
                resolution_seq: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn resolve_case(
        &mut self,
        id: i64,
        decision: CaseDecision,
        reason: &str,
        by: &str,
    ) -> Result<Resolved, StoreError> {
        let (reason, by) = (&*storable(reason), &*storable(by));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: Option<(String, String, String)> = tx
            .query_row(
                "SELECT status, subject, kind FROM cases WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((status, subject, kind)) = found else {
            return Ok(Resolved::NoCase);
        };
        if status != CaseStatus::Open.as_str() {
            return Ok(Resolved::AlreadyResolved);
        }
        let record = resolution_record(id, &subject, &kind, decision, reason, by)?;
        let seq = append_in(&tx, &[record])?[0];
        tx.execute(
            "UPDATE cases SET status = 'resolved', resolution = ?2, resolution_reason = ?3,
                    resolved_by = ?4, resolved_at = ?5, resolution_seq = ?6 WHERE id = ?1",
            params![id, decision.as_str(), reason, by, now(), seq],
        )?;
        tx.commit()?;
        Ok(Resolved::Done(seq))
    }

    fn save_list_snapshot(&mut self, snapshot: &NewListSnapshot) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO list_snapshots (source, fetched_at, published, entries, sha256)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                snapshot.source,
                snapshot.fetched_at,
                snapshot.published,
                snapshot.entries,
                snapshot_digest(&snapshot.files)
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO list_snapshot_files
                 (snapshot_id, n, name, url, etag, last_modified, sha256, bytes, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for (n, f) in snapshot.files.iter().enumerate() {
                insert.execute(params![
                    id,
                    n as i64,
                    f.name,
                    f.url,
                    f.etag,
                    f.last_modified,
                    f.sha256,
                    f.bytes,
                    f.body
                ])?;
            }
        }
        {
            let day = snapshot
                .published
                .clone()
                .unwrap_or_else(|| snapshot.fetched_at.chars().take(10).collect());
            let mut seen = tx.prepare_cached(
                "INSERT INTO list_entries_seen (source, entry, snapshot_id, first_day)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )?;
            for entry in &snapshot.undated_entries {
                seen.execute(params![snapshot.source, storable(entry), id, day])?;
            }
        }
        let message = format!("{} entries", snapshot.entries);
        tx.execute(
            "INSERT INTO list_attempts (source, at, outcome, message, snapshot_id)
             VALUES (?1, ?2, 'new', ?3, ?4)",
            params![snapshot.source, snapshot.fetched_at, message, id],
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn record_list_attempt(
        &mut self,
        source: &str,
        outcome: AttemptOutcome,
        message: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO list_attempts (source, at, outcome, message) VALUES (?1, ?2, ?3, ?4)",
            params![source, now(), outcome.as_str(), storable(message)],
        )?;
        Ok(())
    }

    fn latest_list_snapshots(&mut self, bodies: bool) -> Result<Vec<ListSnapshot>, StoreError> {
        self.list_snapshots_where(
            "id IN (SELECT MAX(id) FROM list_snapshots GROUP BY source)",
            None,
            bodies,
        )
    }

    fn list_snapshot(&mut self, id: i64, bodies: bool) -> Result<Option<ListSnapshot>, StoreError> {
        Ok(self
            .list_snapshots_where("id = ?1", Some(id), bodies)?
            .pop())
    }

    fn latest_list_attempts(&mut self) -> Result<Vec<ListAttempt>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT source, at, outcome, message, snapshot_id FROM list_attempts
             WHERE id IN (SELECT MAX(id) FROM list_attempts GROUP BY source)
             ORDER BY source",
        )?;
        let rows = stmt.query_map([], |r| {
            let word: String = r.get(2)?;
            Ok(ListAttempt {
                source: r.get(0)?,
                at: r.get(1)?,
                outcome: AttemptOutcome::parse(&word).unwrap_or(AttemptOutcome::Failed),
                message: r.get(3)?,
                snapshot: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn list_entries_first_seen(
        &mut self,
        source: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entry, first_day FROM list_entries_seen WHERE source = ?1")?;
        let rows = stmt.query_map(params![source], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn add_watched(&mut self, subjects: &[NewWatched]) -> Result<Vec<i64>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now();
        let mut ids = Vec::with_capacity(subjects.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO watch (added_at, added_by, subject, query) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for w in subjects {
                insert.execute(params![
                    at,
                    storable(&w.by),
                    storable(&w.subject),
                    storable(&w.query)
                ])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    fn list_watched(&mut self, after: i64, limit: i64) -> Result<Vec<Watched>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, added_at, added_by, subject, query, decision, checked_at FROM watch
             WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit.clamp(1, 1000)], |r| {
            Ok(Watched {
                id: r.get(0)?,
                added_at: r.get(1)?,
                added_by: r.get(2)?,
                subject: r.get(3)?,
                query: r.get(4)?,
                decision: r.get(5)?,
                checked_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_watched_decisions(
        &mut self,
        decisions: &[(i64, String)],
        at: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut update =
                tx.prepare_cached("UPDATE watch SET decision = ?2, checked_at = ?3 WHERE id = ?1")?;
            for (id, decision) in decisions {
                update.execute(params![id, decision, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// A case's status or decision column, read as its typed word (a word the store never writes is
/// a corrupt row, reported as such).
fn word<T: std::str::FromStr<Err = crate::UnknownWord>>(
    r: &rusqlite::Row<'_>,
    column: usize,
) -> rusqlite::Result<T> {
    r.get::<_, String>(column)?
        .parse()
        .map_err(|e| bad_word(column, e))
}

fn bad_word(column: usize, e: crate::UnknownWord) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}

impl SqliteStore {
    /// Snapshots matching `condition` (on `list_snapshots`, with `?1` bound to `id` when given),
    /// by source, with their files.
    fn list_snapshots_where(
        &mut self,
        condition: &str,
        id: Option<i64>,
        bodies: bool,
    ) -> Result<Vec<ListSnapshot>, StoreError> {
        let tx = self.conn.transaction()?;
        let sql = format!(
            "SELECT id, source, fetched_at, published, entries FROM list_snapshots
             WHERE {condition} ORDER BY source"
        );
        let params: Vec<i64> = id.into_iter().collect();
        let mut snapshots: Vec<ListSnapshot> = tx
            .prepare(&sql)?
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok(ListSnapshot {
                    id: r.get(0)?,
                    source: r.get(1)?,
                    fetched_at: r.get(2)?,
                    published: r.get(3)?,
                    entries: r.get(4)?,
                    files: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut files = tx.prepare(
            "SELECT name, url, etag, last_modified, sha256, bytes,
                    CASE WHEN ?2 THEN body ELSE x'' END
             FROM list_snapshot_files WHERE snapshot_id = ?1 ORDER BY n",
        )?;
        for s in &mut snapshots {
            s.files = files
                .query_map(params![s.id, bodies], |r| {
                    Ok(SnapshotFile {
                        name: r.get(0)?,
                        url: r.get(1)?,
                        etag: r.get(2)?,
                        last_modified: r.get(3)?,
                        sha256: r.get(4)?,
                        bytes: r.get(5)?,
                        body: r.get(6)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
        }
        drop(files);
        tx.commit()?;
        Ok(snapshots)
    }
}
