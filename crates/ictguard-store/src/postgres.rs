//! The shared store: a PostgreSQL database, migrated on open (versions in `ictguard_schema`).
//!
//! Several processes (server replicas, `ictguard keys`, `ictguard audit`) may use one database at
//! once: migrations run under an advisory lock, and every write to the trail first takes another
//! (readers are not blocked), so the chain stays one line.
//!
//! TLS is not supported yet: the connection is plain (`NoTls`), so reach the server over a local
//! socket, loopback or a network you trust. A URL that asks for TLS (`sslmode=require`, …) is
//! refused at open rather than silently connected without it.
//
// The client is the synchronous `postgres` crate, which drives its connection on a runtime of its
// own: callers on an async runtime's worker must leave it first (`block_in_place`), as the server
// does. `tokio-postgres` with a pool was the alternative; the `Store` trait is synchronous, and the
// audit writer already has a thread of its own.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, NoTls, Statement, Transaction};

use crate::chain::{chain_hash, ChainVerifier, StoredRow, GENESIS};
use crate::keys::{self, KeyInfo, Role};
use crate::snapshots::{snapshot_digest, AttemptOutcome, ListAttempt, ListSnapshot, SnapshotFile};
use crate::watch::{NewWatched, Watched};
use crate::{
    now, resolution_record, storable, storable_query, storable_record, AuditQuery, Case,
    CaseDecision, CaseStatus, ChainCheck, NewListSnapshot, NewRecord, Record, Resolved, Store,
    StoreError,
};

/// The schema, one migration per entry, applied in order; the same tables and columns as the
/// SQLite backend's, and the same version numbers. Times are the same RFC 3339 text as there, in
/// the byte-ordered collation so that range filters compare them as SQLite does; bodies are the
/// text that was hashed (not `jsonb`, which would not keep it byte for byte).
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE audit (
        seq BIGINT PRIMARY KEY,
        at TEXT COLLATE \"C\" NOT NULL,
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
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        opened TEXT NOT NULL,
        audit_seq BIGINT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL,
        resolution TEXT,
        resolution_reason TEXT,
        resolved_by TEXT,
        resolved_at TEXT,
        resolution_seq BIGINT
    );
    CREATE INDEX cases_status ON cases(status);",
    "CREATE TABLE list_snapshots (
        id BIGSERIAL PRIMARY KEY,
        source TEXT NOT NULL,
        fetched_at TEXT COLLATE \"C\" NOT NULL,
        published TEXT,
        entries BIGINT NOT NULL,
        sha256 TEXT NOT NULL
    );
    CREATE INDEX list_snapshots_source ON list_snapshots(source, id);
    CREATE TABLE list_snapshot_files (
        snapshot_id BIGINT NOT NULL REFERENCES list_snapshots(id),
        n BIGINT NOT NULL,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        sha256 TEXT NOT NULL,
        bytes BIGINT NOT NULL,
        body BYTEA NOT NULL,
        PRIMARY KEY (snapshot_id, n)
    );
    CREATE TABLE list_attempts (
        id BIGSERIAL PRIMARY KEY,
        source TEXT NOT NULL,
        at TEXT COLLATE \"C\" NOT NULL,
        outcome TEXT NOT NULL,
        message TEXT NOT NULL,
        snapshot_id BIGINT
    );
    CREATE INDEX list_attempts_source ON list_attempts(source, id);",
    "CREATE TABLE watch (
        id BIGSERIAL PRIMARY KEY,
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
        snapshot_id BIGINT NOT NULL,
        first_day TEXT NOT NULL,
        PRIMARY KEY (source, entry)
    );",
];

/// The advisory lock that serialises migrations between processes ("ictguard" in ASCII).
const MIGRATION_LOCK: i64 = 0x6963_7467_7561_7264;

/// The advisory lock that serialises writers of the trail ("ictaudit"); taken first in every
/// transaction that appends, so the last hash read is still the last when the transaction commits
/// (and were it ever skipped, the primary key on `seq` would refuse the second of two equal
/// sequence numbers rather than let the chain fork).
//
// Rejected: `LOCK TABLE audit IN EXCLUSIVE MODE`, which also conflicts with (auto)vacuum and
// analyze on the table: an append-only table is vacuumed for its inserts, and every writer would
// then wait up to `deadlock_timeout` for the autovacuum to be cancelled.
const TRAIL_LOCK: i64 = 0x6963_7461_7564_6974;

/// A PostgreSQL database.
pub struct PgStore {
    config: Config,
    /// `None` only after a failed reconnection, or while being dropped.
    conn: Option<Connection>,
    /// The last call failed: check the connection before the next.
    suspect: bool,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // closing the client blocks on its own runtime, which panics on a thread that is driving
        // an async runtime (a server's pooled stores dropped at shutdown): close it on a thread of
        // its own there
        if let Some(conn) = self.conn.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::Builder::new()
                    .name("pg-close".into())
                    .spawn(move || drop(conn));
            }
        }
    }
}

/// A connection and the statements prepared on it.
struct Connection {
    client: Client,
    stmts: Statements,
}

/// The statements every write or key check uses, prepared once per connection.
struct Statements {
    lock: Statement,
    last: Statement,
    insert: Statement,
    open_cases: Statement,
    key: Statement,
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        // the error's own text is only its kind ("db error"); the server's message is its source
        match std::error::Error::source(&e) {
            Some(cause) => StoreError::Db(format!("{e}: {cause}")),
            None => StoreError::Db(e.to_string()),
        }
    }
}

impl PgStore {
    /// Connect to (and migrate) the database a `postgres://` or `postgresql://` URL names.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        refuse_tls(url)?;
        let mut config: Config = url.parse().map_err(|e| {
            StoreError::Invalid(format!("the database URL: {}", StoreError::from(e)))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("ictguard");
        }
        let mut client = config.connect(NoTls)?;
        migrate(&mut client)?;
        let conn = Connection::prepare(client)?;
        Ok(PgStore {
            config,
            conn: Some(conn),
            suspect: false,
        })
    }

    /// Run `f` on the connection, reconnecting first when the last one was lost (a restarted
    /// server, a dropped network): the call that met the loss failed, the next one goes through.
    /// Nothing is retried behind the caller's back (a commit cut off may or may not have happened).
    fn with_conn<T>(
        &mut self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // after a failure, one round trip tells a lost connection from a refused statement (the
        // client may not have noticed the loss yet)
        let lost = match &mut self.conn {
            None => true,
            Some(c) => {
                c.client.is_closed()
                    || (self.suspect && c.client.is_valid(Duration::from_secs(5)).is_err())
            }
        };
        if lost {
            self.conn = None;
            self.conn = Some(Connection::prepare(self.config.connect(NoTls)?)?);
        }
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| StoreError::Db("not connected".into()))?;
        let out = f(conn);
        self.suspect = out.is_err();
        out
    }
}

/// Refuse a URL that asks for TLS, which this build cannot give.
fn refuse_tls(url: &str) -> Result<(), StoreError> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    for pair in query.split('&') {
        if let Some(mode) = pair.strip_prefix("sslmode=") {
            if !matches!(mode, "disable" | "prefer" | "allow") {
                return Err(StoreError::Invalid(format!(
                    "sslmode={mode}: TLS connections to PostgreSQL are not supported yet; \
                     use sslmode=disable over a local socket or a trusted network"
                )));
            }
        }
    }
    Ok(())
}

/// Apply the migrations not yet applied, in one transaction, under a lock that makes processes
/// opening the database together take turns (the second finds the work done).
fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS ictguard_schema (
            version BIGINT PRIMARY KEY,
            applied TEXT NOT NULL
        )",
    )?;
    let version: i64 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM ictguard_schema", &[])?
        .get(0);
    if version > MIGRATIONS.len() as i64 {
        return Err(StoreError::Invalid(format!(
            "the database is at schema version {version}, newer than this ictguard knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(m)?;
        tx.execute(
            "INSERT INTO ictguard_schema (version, applied) VALUES ($1, $2)",
            &[&(i as i64 + 1), &now()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

impl Connection {
    fn prepare(mut client: Client) -> Result<Connection, StoreError> {
        let stmts = Statements {
            lock: client.prepare("SELECT pg_advisory_xact_lock($1)")?,
            last: client.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?,
            // one round trip for a whole group, whatever its size
            insert: client.prepare(
                "INSERT INTO audit (seq, at, kind, subject, decision, actor, body, prev_hash, hash)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],
                                      $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])",
            )?,
            open_cases: client.prepare(
                "INSERT INTO cases (opened, audit_seq, kind, subject, reason, status)
                 SELECT opened, audit_seq, kind, subject, reason, 'open'
                 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])
                      WITH ORDINALITY AS c(opened, audit_seq, kind, subject, reason, n)
                 ORDER BY n",
            )?,
            key: client.prepare("SELECT secret_hash, role, revoked FROM api_keys WHERE id = $1")?,
        };
        Ok(Connection { client, stmts })
    }
}

/// The rows of a group, column by column (for `unnest`).
#[derive(Default)]
struct Columns {
    seq: Vec<i64>,
    at: Vec<String>,
    kind: Vec<String>,
    subject: Vec<String>,
    decision: Vec<String>,
    actor: Vec<String>,
    body: Vec<String>,
    prev_hash: Vec<String>,
    hash: Vec<String>,
}

/// The cases a group opens, column by column.
#[derive(Default)]
struct CaseColumns {
    opened: Vec<String>,
    audit_seq: Vec<i64>,
    kind: Vec<String>,
    subject: Vec<String>,
    reason: Vec<String>,
}

/// Append inside a transaction that holds [`TRAIL_LOCK`], opening the cases the records ask for.
fn append_in(
    tx: &mut Transaction,
    stmts: &Statements,
    records: &[NewRecord],
) -> Result<Vec<i64>, StoreError> {
    let (mut seq, mut prev) = match tx.query_opt(&stmts.last, &[])? {
        Some(row) => (row.get::<_, i64>(0), row.get::<_, String>(1)),
        None => (0, GENESIS.to_string()),
    };
    let mut rows = Columns::default();
    let mut cases = CaseColumns::default();
    for r in records {
        let r = &*storable_record(r);
        seq += 1;
        let at = now();
        let body = r.body.to_string();
        let hash = chain_hash(&prev, seq, &at, r, &body);
        if let Some(reason) = &r.open_case {
            cases.opened.push(at.clone());
            cases.audit_seq.push(seq);
            cases.kind.push(r.kind.clone());
            cases.subject.push(r.subject.clone());
            cases.reason.push(reason.clone());
        }
        rows.seq.push(seq);
        rows.at.push(at);
        rows.kind.push(r.kind.clone());
        rows.subject.push(r.subject.clone());
        rows.decision.push(r.decision.clone());
        rows.actor.push(r.actor.clone());
        rows.body.push(body);
        rows.prev_hash
            .push(std::mem::replace(&mut prev, hash.clone()));
        rows.hash.push(hash);
    }
    if !records.is_empty() {
        tx.execute(
            &stmts.insert,
            &[
                &rows.seq,
                &rows.at,
                &rows.kind,
                &rows.subject,
                &rows.decision,
                &rows.actor,
                &rows.body,
                &rows.prev_hash,
                &rows.hash,
            ],
        )?;
    }
    if !cases.opened.is_empty() {
        tx.execute(
            &stmts.open_cases,
            &[
                &cases.opened,
                &cases.audit_seq,
                &cases.kind,
                &cases.subject,
                &cases.reason,
            ],
        )?;
    }
    Ok(rows.seq)
}

fn case_from(r: &postgres::Row) -> Result<Case, StoreError> {
    let resolution: Option<String> = r.get(7);
    Ok(Case {
        id: r.get(0),
        opened: r.get(1),
        audit_seq: r.get(2),
        kind: r.get(3),
        subject: r.get(4),
        reason: r.get(5),
        status: r.get::<_, String>(6).parse()?,
        resolution: resolution.map(|w| w.parse()).transpose()?,
        resolution_reason: r.get(8),
        resolved_by: r.get(9),
        resolved_at: r.get(10),
        resolution_seq: r.get(11),
    })
}

impl Store for PgStore {
    fn append(&mut self, records: &[NewRecord]) -> Result<Vec<i64>, StoreError> {
        self.with_conn(|conn| {
            // READ COMMITTED whatever the server's default: the last hash must be read after the
            // lock is held (a snapshot taken before the wait would be stale)
            let mut tx = conn
                .client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::ReadCommitted)
                .start()?;
            tx.execute(&conn.stmts.lock, &[&TRAIL_LOCK])?;
            let out = append_in(&mut tx, &conn.stmts, records)?;
            tx.commit()?;
            Ok(out)
        })
    }

    fn verify(&mut self) -> Result<ChainCheck, StoreError> {
        self.with_conn(|conn| {
            // streamed, not collected: the trail may be far larger than memory
            let mut rows = conn.client.query_raw(
                "SELECT seq, at, kind, subject, decision, actor, body, prev_hash, hash
                 FROM audit ORDER BY seq",
                std::iter::empty::<i64>(),
            )?;
            let mut verifier = ChainVerifier::default();
            while let Some(row) = rows.next()? {
                let stored = StoredRow {
                    seq: row.get(0),
                    at: row.get(1),
                    fields: NewRecord {
                        kind: row.get(2),
                        subject: row.get(3),
                        decision: row.get(4),
                        actor: row.get(5),
                        body: serde_json::Value::Null,
                        open_case: None,
                    },
                    body: row.get(6),
                    prev_hash: row.get(7),
                    hash: row.get(8),
                };
                if let Some(broken) = verifier.check(&stored) {
                    return Ok(broken);
                }
            }
            Ok(verifier.intact())
        })
    }

    fn query(&mut self, q: &AuditQuery) -> Result<Vec<Record>, StoreError> {
        let q = &storable_query(q);
        self.with_conn(|conn| {
            let rows = conn.client.query(
                "SELECT seq, at, kind, subject, decision, actor, body, prev_hash, hash FROM audit
                 WHERE seq > $1
                   AND ($2::text IS NULL OR decision = $2)
                   AND ($3::text IS NULL OR strpos(subject, $3) > 0)
                   AND ($4::text IS NULL OR at >= $4)
                   AND ($5::text IS NULL OR at < $5)
                   AND ($6::text IS NULL OR kind = $6)
                 ORDER BY seq LIMIT $7",
                &[
                    &q.after.unwrap_or(0),
                    &q.decision,
                    &q.subject,
                    &q.since,
                    &q.until,
                    &q.kind,
                    &q.page_size(),
                ],
            )?;
            Ok(rows
                .into_iter()
                .map(|row| Record {
                    seq: row.get(0),
                    at: row.get(1),
                    kind: row.get(2),
                    subject: row.get(3),
                    decision: row.get(4),
                    actor: row.get(5),
                    body: Record::body_from_text(row.get(6)),
                    prev_hash: row.get(7),
                    hash: row.get(8),
                })
                .collect())
        })
    }

    fn create_key(&mut self, role: Role, label: &str) -> Result<(String, String), StoreError> {
        let key = keys::new_key()?;
        let label = storable(label);
        self.with_conn(|conn| {
            conn.client.execute(
                "INSERT INTO api_keys (id, secret_hash, role, label, created)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&key.id, &key.secret_hash, &role.as_str(), &label, &now()],
            )?;
            Ok(())
        })?;
        Ok((key.id, key.presented))
    }

    fn list_keys(&mut self) -> Result<Vec<KeyInfo>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.client.query(
                "SELECT id, role, label, created, revoked FROM api_keys ORDER BY created, id",
                &[],
            )?;
            rows.iter()
                .map(|r| {
                    let (id, role): (String, String) = (r.get(0), r.get(1));
                    Ok(KeyInfo {
                        role: Role::parse(&role).ok_or_else(|| {
                            StoreError::Db(format!("key {id}: unknown role {role:?}"))
                        })?,
                        id,
                        label: r.get(2),
                        created: r.get(3),
                        revoked: r.get(4),
                    })
                })
                .collect()
        })
    }

    fn revoke_key(&mut self, id: &str) -> Result<bool, StoreError> {
        if id.contains('\0') {
            return Ok(false); // no key id holds one
        }
        self.with_conn(|conn| {
            let n = conn.client.execute(
                "UPDATE api_keys SET revoked = $2 WHERE id = $1 AND revoked IS NULL",
                &[&id, &now()],
            )?;
            Ok(n == 1)
        })
    }

    fn check_key(&mut self, key: &str) -> Result<Option<(String, Role)>, StoreError> {
        let Some((id, secret)) = keys::split(key) else {
            return Ok(None);
        };
        if id.contains('\0') {
            return Ok(None);
        }
        let found = self.with_conn(|conn| Ok(conn.client.query_opt(&conn.stmts.key, &[&id])?))?;
        Ok(found.and_then(|r| {
            let (hash, role, revoked): (String, String, Option<String>) =
                (r.get(0), r.get(1), r.get(2));
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
        self.with_conn(|conn| {
            let rows = conn.client.query(
                "SELECT id, opened, audit_seq, kind, subject, reason, status, resolution,
                        resolution_reason, resolved_by, resolved_at, resolution_seq
                 FROM cases WHERE ($1::text IS NULL OR status = $1) ORDER BY id LIMIT $2",
                &[&status, &limit.clamp(1, 1000)],
            )?;
            rows.iter().map(case_from).collect()
        })
    }

    fn resolve_case(
        &mut self,
        id: i64,
        decision: CaseDecision,
        reason: &str,
        by: &str,
    ) -> Result<Resolved, StoreError> {
        let (reason, by) = (&*storable(reason), &*storable(by));
        self.with_conn(|conn| {
            // READ COMMITTED whatever the server's default: the last hash must be read after the
            // lock is held (a snapshot taken before the wait would be stale)
            let mut tx = conn
                .client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::ReadCommitted)
                .start()?;
            // the trail's lock first: it also makes resolutions of one case take turns, so the
            // second sees the first's commit
            tx.execute(&conn.stmts.lock, &[&TRAIL_LOCK])?;
            let found = tx.query_opt(
                "SELECT status, subject, kind FROM cases WHERE id = $1",
                &[&id],
            )?;
            let Some(row) = found else {
                return Ok(Resolved::NoCase);
            };
            let (status, subject, kind): (String, String, String) =
                (row.get(0), row.get(1), row.get(2));
            if status != CaseStatus::Open.as_str() {
                return Ok(Resolved::AlreadyResolved);
            }
            let record = resolution_record(id, &subject, &kind, decision, reason, by)?;
            let seq = append_in(&mut tx, &conn.stmts, &[record])?[0];
            tx.execute(
                "UPDATE cases SET status = 'resolved', resolution = $2, resolution_reason = $3,
                        resolved_by = $4, resolved_at = $5, resolution_seq = $6 WHERE id = $1",
                &[&id, &decision.as_str(), &reason, &by, &now(), &seq],
            )?;
            tx.commit()?;
            Ok(Resolved::Done(seq))
        })
    }

    fn save_list_snapshot(&mut self, snapshot: &NewListSnapshot) -> Result<i64, StoreError> {
        let digest = snapshot_digest(&snapshot.files);
        let message = format!("{} entries", snapshot.entries);
        let source = storable(&snapshot.source);
        self.with_conn(|conn| {
            let mut tx = conn.client.transaction()?;
            let id: i64 = tx
                .query_one(
                    "INSERT INTO list_snapshots (source, fetched_at, published, entries, sha256)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[
                        &&*source,
                        &snapshot.fetched_at,
                        &snapshot.published,
                        &snapshot.entries,
                        &digest,
                    ],
                )?
                .get(0);
            let insert = tx.prepare(
                "INSERT INTO list_snapshot_files
                 (snapshot_id, n, name, url, etag, last_modified, sha256, bytes, body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )?;
            for (n, f) in snapshot.files.iter().enumerate() {
                let (name, url) = (storable(&f.name), storable(&f.url));
                let etag = f.etag.as_deref().map(storable);
                let modified = f.last_modified.as_deref().map(storable);
                tx.execute(
                    &insert,
                    &[
                        &id,
                        &(n as i64),
                        &&*name,
                        &&*url,
                        &etag.as_deref(),
                        &modified.as_deref(),
                        &f.sha256,
                        &f.bytes,
                        &f.body,
                    ],
                )?;
            }
            let day = snapshot
                .published
                .clone()
                .unwrap_or_else(|| snapshot.fetched_at.chars().take(10).collect());
            let entries: Vec<String> = snapshot
                .undated_entries
                .iter()
                .map(|e| storable(e).into_owned())
                .collect();
            tx.execute(
                "INSERT INTO list_entries_seen (source, entry, snapshot_id, first_day)
                 SELECT $1, e, $3, $4 FROM unnest($2::text[]) AS e
                 ON CONFLICT DO NOTHING",
                &[&&*source, &entries, &id, &day],
            )?;
            tx.execute(
                "INSERT INTO list_attempts (source, at, outcome, message, snapshot_id)
                 VALUES ($1, $2, 'new', $3, $4)",
                &[&&*source, &snapshot.fetched_at, &message, &id],
            )?;
            tx.commit()?;
            Ok(id)
        })
    }

    fn record_list_attempt(
        &mut self,
        source: &str,
        outcome: AttemptOutcome,
        message: &str,
    ) -> Result<(), StoreError> {
        let (source, message) = (storable(source), storable(message));
        self.with_conn(|conn| {
            conn.client.execute(
                "INSERT INTO list_attempts (source, at, outcome, message) VALUES ($1, $2, $3, $4)",
                &[&&*source, &now(), &outcome.as_str(), &&*message],
            )?;
            Ok(())
        })
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
            .list_snapshots_where("id = $1", Some(id), bodies)?
            .pop())
    }

    fn latest_list_attempts(&mut self) -> Result<Vec<ListAttempt>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.client.query(
                "SELECT source, at, outcome, message, snapshot_id FROM list_attempts
                 WHERE id IN (SELECT MAX(id) FROM list_attempts GROUP BY source)
                 ORDER BY source",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| ListAttempt {
                    source: r.get(0),
                    at: r.get(1),
                    outcome: AttemptOutcome::parse(r.get(2)).unwrap_or(AttemptOutcome::Failed),
                    message: r.get(3),
                    snapshot: r.get(4),
                })
                .collect())
        })
    }

    fn list_entries_first_seen(
        &mut self,
        source: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let source = storable(source);
        self.with_conn(|conn| {
            let rows = conn.client.query(
                "SELECT entry, first_day FROM list_entries_seen WHERE source = $1",
                &[&&*source],
            )?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }

    fn add_watched(&mut self, subjects: &[NewWatched]) -> Result<Vec<i64>, StoreError> {
        let at = now();
        self.with_conn(|conn| {
            let mut tx = conn.client.transaction()?;
            let insert = tx.prepare(
                "INSERT INTO watch (added_at, added_by, subject, query) VALUES ($1, $2, $3, $4)
                 RETURNING id",
            )?;
            let mut ids = Vec::with_capacity(subjects.len());
            for w in subjects {
                let (by, subject, query) =
                    (storable(&w.by), storable(&w.subject), storable(&w.query));
                let row = tx.query_one(&insert, &[&at, &&*by, &&*subject, &&*query])?;
                ids.push(row.get(0));
            }
            tx.commit()?;
            Ok(ids)
        })
    }

    fn list_watched(&mut self, after: i64, limit: i64) -> Result<Vec<Watched>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn.client.query(
                "SELECT id, added_at, added_by, subject, query, decision, checked_at FROM watch
                 WHERE id > $1 ORDER BY id LIMIT $2",
                &[&after, &limit.clamp(1, 1000)],
            )?;
            Ok(rows
                .iter()
                .map(|r| Watched {
                    id: r.get(0),
                    added_at: r.get(1),
                    added_by: r.get(2),
                    subject: r.get(3),
                    query: r.get(4),
                    decision: r.get(5),
                    checked_at: r.get(6),
                })
                .collect())
        })
    }

    fn set_watched_decisions(
        &mut self,
        decisions: &[(i64, String)],
        at: &str,
    ) -> Result<(), StoreError> {
        let ids: Vec<i64> = decisions.iter().map(|(id, _)| *id).collect();
        let words: Vec<&str> = decisions.iter().map(|(_, d)| d.as_str()).collect();
        self.with_conn(|conn| {
            conn.client.execute(
                "UPDATE watch SET decision = u.decision, checked_at = $3
                 FROM unnest($1::bigint[], $2::text[]) AS u(id, decision) WHERE watch.id = u.id",
                &[&ids, &words, &at],
            )?;
            Ok(())
        })
    }
}

impl PgStore {
    /// Snapshots matching `condition` (on `list_snapshots`, with `$1` bound to `id` when given),
    /// by source, with their files.
    fn list_snapshots_where(
        &mut self,
        condition: &str,
        id: Option<i64>,
        bodies: bool,
    ) -> Result<Vec<ListSnapshot>, StoreError> {
        self.with_conn(|conn| {
            let mut tx = conn.client.transaction()?;
            let sql = format!(
                "SELECT id, source, fetched_at, published, entries FROM list_snapshots
                 WHERE {condition} ORDER BY source"
            );
            let rows = match &id {
                Some(id) => tx.query(&sql, &[id])?,
                None => tx.query(&sql, &[])?,
            };
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let id: i64 = r.get(0);
                let files = tx
                    .query(
                        "SELECT name, url, etag, last_modified, sha256, bytes,
                                CASE WHEN $2 THEN body ELSE ''::bytea END
                         FROM list_snapshot_files WHERE snapshot_id = $1 ORDER BY n",
                        &[&id, &bodies],
                    )?
                    .iter()
                    .map(|f| SnapshotFile {
                        name: f.get(0),
                        url: f.get(1),
                        etag: f.get(2),
                        last_modified: f.get(3),
                        sha256: f.get(4),
                        bytes: f.get(5),
                        body: f.get(6),
                    })
                    .collect();
                out.push(ListSnapshot {
                    id,
                    source: r.get(1),
                    fetched_at: r.get(2),
                    published: r.get(3),
                    entries: r.get(4),
                    files,
                });
            }
            tx.commit()?;
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_asking_for_tls_are_refused_before_connecting() {
        for url in [
            "postgres://u@127.0.0.1:1/db?sslmode=require",
            "postgresql://u@127.0.0.1:1/db?application_name=x&sslmode=verify-full",
        ] {
            let Err(e) = crate::open(url) else {
                panic!("{url} opened");
            };
            assert!(e.to_string().contains("TLS"), "{url}: {e}");
        }
        assert!(super::refuse_tls("postgres://u@h/db?sslmode=disable").is_ok());
        assert!(super::refuse_tls("postgres://u@h/db?sslmode=prefer").is_ok());
        assert!(super::refuse_tls("postgres://u@h/db").is_ok());
    }
}
