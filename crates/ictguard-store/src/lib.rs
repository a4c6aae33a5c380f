//! Persistence for ictguard: an append-only audit trail in which every record carries the hash of
//! the one before it (so that `verify` proves the chain intact or names the first broken record),
//! and API keys stored as hashes. SQLite (one file, WAL) is the embedded store; the schema is
//! created and migrated on open.
//!
//! Writes go through one writer thread that commits in groups ([`AuditWriter`]): each caller gets
//! its record's sequence number only once the transaction holding it has committed, so an
//! acknowledged decision survives the process being killed.

use std::path::Path;
use std::sync::mpsc;

pub use rusqlite::Connection;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
];

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
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

/// The chain hash of a record: SHA-256 over the previous hash and every field, each length-prefixed.
pub fn chain_hash(prev: &str, seq: i64, at: &str, r: &NewRecord, body: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        at,
        &r.kind,
        &r.subject,
        &r.decision,
        &r.actor,
        body,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Open (and migrate) a database file.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL: a committed transaction survives the process being killed (the WAL is in the OS);
    // FULL would also survive power loss, at a cost in throughput
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        conn.execute_batch(&format!(
            "BEGIN; {m}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
    }
    Ok(conn)
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Append records in one transaction; returns their sequence numbers.
pub fn append(conn: &mut Connection, records: &[NewRecord]) -> Result<Vec<i64>, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let out = append_in(&tx, records)?;
    tx.commit()?;
    Ok(out)
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
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO audit (seq, at, kind, subject, decision, actor, body, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for r in records {
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
    }
    Ok(out)
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

/// Recompute the chain from the first record.
pub fn verify(conn: &Connection) -> Result<ChainCheck, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, kind, subject, decision, actor, body, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1i64;
    let mut n = 0i64;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let at: String = row.get(1)?;
        let r = NewRecord {
            kind: row.get(2)?,
            subject: row.get(3)?,
            decision: row.get(4)?,
            actor: row.get(5)?,
            body: serde_json::Value::Null,
            open_case: None,
        };
        let body: String = row.get(6)?;
        let prev_hash: String = row.get(7)?;
        let hash: String = row.get(8)?;
        if seq != expected_seq {
            return Ok(ChainCheck::Broken {
                seq,
                why: format!("record {expected_seq} is missing"),
            });
        }
        if prev_hash != prev {
            return Ok(ChainCheck::Broken {
                seq,
                why: "its previous-hash does not match the record before".into(),
            });
        }
        if chain_hash(&prev, seq, &at, &r, &body) != hash {
            return Ok(ChainCheck::Broken {
                seq,
                why: "its contents do not match its hash (changed after writing)".into(),
            });
        }
        prev = hash;
        expected_seq += 1;
        n += 1;
    }
    Ok(ChainCheck::Intact { records: n })
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

/// Read records in sequence order (parameterised: no text is ever pasted into the SQL).
pub fn query(conn: &Connection, q: &AuditQuery) -> Result<Vec<Record>, StoreError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let mut stmt = conn.prepare_cached(
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
            limit
        ],
        |row| {
            let body: String = row.get(6)?;
            Ok(Record {
                seq: row.get(0)?,
                at: row.get(1)?,
                kind: row.get(2)?,
                subject: row.get(3)?,
                decision: row.get(4)?,
                actor: row.get(5)?,
                body: serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
                prev_hash: row.get(7)?,
                hash: row.get(8)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// A role an API key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May screen and vet.
    Screen,
    /// May also read the audit trail and manage cases.
    Admin,
}

impl Role {
    /// Parse `screen` or `admin`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "screen" => Some(Role::Screen),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Screen => "screen",
            Role::Admin => "admin",
        }
    }
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf))
        .map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Create a key; returns (id, the key to give the client once). Only a hash of the secret is kept.
pub fn create_key(
    conn: &Connection,
    role: Role,
    label: &str,
) -> Result<(String, String), StoreError> {
    let id = random_hex(6)?;
    let secret = random_hex(24)?;
    conn.execute(
        "INSERT INTO api_keys (id, secret_hash, role, label, created) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, sha256_hex(&secret), role.as_str(), label, now()],
    )?;
    Ok((id.clone(), format!("igk_{id}_{secret}")))
}

/// Revoke a key by id; false when there is no such active key.
pub fn revoke_key(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE api_keys SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
        params![id, now()],
    )?;
    Ok(n == 1)
}

/// The key id and role of a presented key, when it is valid and not revoked.
pub fn check_key(conn: &Connection, key: &str) -> Result<Option<(String, Role)>, StoreError> {
    let Some(rest) = key.strip_prefix("igk_") else {
        return Ok(None);
    };
    let Some((id, secret)) = rest.split_once('_') else {
        return Ok(None);
    };
    let found: Option<(String, String, Option<String>)> = conn
        .prepare_cached("SELECT secret_hash, role, revoked FROM api_keys WHERE id = ?1")?
        .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((hash, role, revoked)) = found else {
        return Ok(None);
    };
    // compare every byte (no early exit on the first difference)
    let given = sha256_hex(secret);
    let same = given.len() == hash.len()
        && given
            .bytes()
            .zip(hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same || revoked.is_some() {
        return Ok(None);
    }
    Ok(Role::parse(&role).map(|r| (id.to_string(), r)))
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

/// Records committed per transaction, at most.
const MAX_GROUP: usize = 512;

impl AuditWriter {
    /// Start the writer on a database file.
    pub fn start(path: &Path) -> Result<AuditWriter, StoreError> {
        let mut conn = open(path)?;
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_GROUP {
                        match rx.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    let all: Vec<NewRecord> =
                        batch.iter().flat_map(|(r, _)| r.iter().cloned()).collect();
                    match append(&mut conn, &all) {
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

/// A review case.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Case {
    /// Case number.
    pub id: i64,
    /// When it was opened.
    pub opened: String,
    /// The audit record that opened it.
    pub audit_seq: i64,
    /// `screen` or `vet`.
    pub kind: String,
    /// What it is about.
    pub subject: String,
    /// Why it was opened.
    pub reason: String,
    /// `open` or `resolved`.
    pub status: String,
    /// The reviewer's decision.
    pub resolution: Option<String>,
    /// The reviewer's reason.
    pub resolution_reason: Option<String>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<String>,
    /// The audit record of the resolution.
    pub resolution_seq: Option<i64>,
}

/// Cases, oldest first, optionally only those with a status.
pub fn list_cases(
    conn: &Connection,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<Case>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, opened, audit_seq, kind, subject, reason, status, resolution, resolution_reason,
                resolved_by, resolved_at, resolution_seq
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
            status: r.get(6)?,
            resolution: r.get(7)?,
            resolution_reason: r.get(8)?,
            resolved_by: r.get(9)?,
            resolved_at: r.get(10)?,
            resolution_seq: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// How resolving a case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Resolved; the audit record of the resolution.
    Done(i64),
    /// No such case.
    NoCase,
    /// Already resolved.
    AlreadyResolved,
}

/// Resolve an open case with a decision and a reason; the resolution is written to the audit
/// trail in the same transaction.
pub fn resolve_case(
    conn: &mut Connection,
    id: i64,
    decision: &str,
    reason: &str,
    by: &str,
) -> Result<Resolved, StoreError> {
    if decision.trim().is_empty() || reason.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a resolution needs a decision and a reason".into(),
        ));
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found: Option<(String, String)> = tx
        .query_row(
            "SELECT status, subject FROM cases WHERE id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((status, subject)) = found else {
        return Ok(Resolved::NoCase);
    };
    if status != "open" {
        return Ok(Resolved::AlreadyResolved);
    }
    let seq = append_in(
        &tx,
        &[NewRecord {
            kind: "case".into(),
            subject: format!("case {id}: {subject}"),
            decision: decision.to_string(),
            actor: by.to_string(),
            body: serde_json::json!({ "case": id, "decision": decision, "reason": reason }),
            open_case: None,
        }],
    )?[0];
    tx.execute(
        "UPDATE cases SET status = 'resolved', resolution = ?2, resolution_reason = ?3,
                resolved_by = ?4, resolved_at = ?5, resolution_seq = ?6 WHERE id = ?1",
        params![id, decision, reason, by, now(), seq],
    )?;
    tx.commit()?;
    Ok(Resolved::Done(seq))
}
