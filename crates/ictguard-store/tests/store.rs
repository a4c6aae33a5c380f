//! The audit trail on every backend (a real SQLite file; a real PostgreSQL server when
//! `ICTGUARD_TEST_POSTGRES` names one): appends chain, tampering and deletion are found at the first
//! broken record, concurrent writers lose nothing, keys are checked by hash and revocable, cases
//! resolve into the trail.

use ictguard_store::testing::TestDb;
use ictguard_store::{
    AuditQuery, AuditWriter, CaseDecision, CaseStatus, ChainCheck, NewRecord, Resolved, Role,
};
use sha2::Digest;

fn rec(i: usize) -> NewRecord {
    NewRecord {
        kind: "screen".into(),
        subject: format!("party {i}"),
        decision: if i.is_multiple_of(3) {
            "block"
        } else {
            "allow"
        }
        .into(),
        actor: "test".into(),
        body: serde_json::json!({ "i": i }),
        open_case: None,
    }
}

/// `threads` threads, each appending `per_thread` jobs (`job(thread, i)`) through the writers in
/// turn; every sequence number acknowledged, sorted.
fn append_from_threads(
    writers: &[AuditWriter],
    threads: usize,
    per_thread: usize,
    job: fn(usize, usize) -> Vec<NewRecord>,
) -> Vec<i64> {
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let w = writers[t % writers.len()].clone();
            std::thread::spawn(move || {
                (0..per_thread)
                    .flat_map(|i| w.append(job(t, i)).unwrap())
                    .collect::<Vec<i64>>()
            })
        })
        .collect();
    let mut all: Vec<i64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort();
    all
}

fn the_chain_holds_and_breaks_where_it_was_changed(db: TestDb) {
    let mut store = db.open();
    let seqs = store
        .append(&(1..=10).map(rec).collect::<Vec<_>>())
        .unwrap();
    assert_eq!(seqs, (1..=10).collect::<Vec<i64>>());
    assert_eq!(store.verify().unwrap(), ChainCheck::Intact { records: 10 });
    // a changed decision
    db.execute("UPDATE audit SET decision = 'allow' WHERE seq = 6");
    assert!(matches!(
        store.verify().unwrap(),
        ChainCheck::Broken { seq: 6, .. }
    ));
    db.execute("UPDATE audit SET decision = 'block' WHERE seq = 6");
    assert_eq!(store.verify().unwrap(), ChainCheck::Intact { records: 10 });
    // a deleted record
    db.execute("DELETE FROM audit WHERE seq = 4");
    assert!(matches!(
        store.verify().unwrap(),
        ChainCheck::Broken { seq: 5, .. }
    ));
}

fn concurrent_writers_lose_nothing(db: TestDb) {
    let writer = AuditWriter::start(&db.url).unwrap();
    let all = append_from_threads(&[writer], 8, 250, |t, i| vec![rec(t * 1000 + i)]);
    assert_eq!(all, (1..=2000).collect::<Vec<i64>>());
    let mut store = db.open();
    assert_eq!(
        store.verify().unwrap(),
        ChainCheck::Intact { records: 2000 }
    );
    // reading with filters, paged
    let blocks = store
        .query(&AuditQuery {
            decision: Some("block".into()),
            limit: Some(1000),
            ..AuditQuery::default()
        })
        .unwrap();
    assert!(blocks.iter().all(|r| r.decision == "block") && !blocks.is_empty());
    let page = store
        .query(&AuditQuery {
            after: Some(1990),
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(page.len(), 10);
    let subject = store
        .query(&AuditQuery {
            subject: Some("party 7249".into()),
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(subject.len(), 1);
    let hostile = store
        .query(&AuditQuery {
            subject: Some("'; DROP TABLE audit; --".into()),
            ..AuditQuery::default()
        })
        .unwrap();
    assert!(hostile.is_empty());
    assert_eq!(
        store.verify().unwrap(),
        ChainCheck::Intact { records: 2000 }
    );
}

fn keys_are_hashed_checked_and_revoked(db: TestDb) {
    let mut store = db.open();
    let (id, key) = store.create_key(Role::Screen, "payments").unwrap();
    assert_eq!(
        store.check_key(&key).unwrap(),
        Some((id.clone(), Role::Screen))
    );
    let stored = db.query_text("SELECT secret_hash FROM api_keys");
    assert!(!key.contains(&stored), "only a hash is kept");
    let mut wrong = key.clone();
    wrong.pop();
    wrong.push('x');
    assert_eq!(store.check_key(&wrong).unwrap(), None);
    assert_eq!(store.check_key("Bearer nonsense").unwrap(), None);
    assert!(store.revoke_key(&id).unwrap());
    assert_eq!(store.check_key(&key).unwrap(), None);
    assert!(!store.revoke_key(&id).unwrap());
}

fn cases_open_with_their_record_and_resolve_into_the_trail(db: TestDb) {
    let mut store = db.open();
    let mut r = rec(1);
    r.decision = "review".into();
    r.open_case = Some("screening review: a possible match".into());
    let seqs = store.append(&[rec(0), r]).unwrap();
    let open_cases = store.list_cases(Some(CaseStatus::Open), 100).unwrap();
    assert_eq!(open_cases.len(), 1);
    assert_eq!(open_cases[0].audit_seq, seqs[1]);
    let id = open_cases[0].id;
    // a resolution needs a reason; then it is in the trail
    assert!(store
        .resolve_case(id, CaseDecision::Allow, " ", "reviewer-1")
        .is_err());
    // a screening case is resolved with block or allow, nothing else
    assert!(store
        .resolve_case(id, CaseDecision::Prohibit, "a vetting word", "reviewer-1")
        .is_err());
    let Resolved::Done(seq) = store
        .resolve_case(
            id,
            CaseDecision::Allow,
            "different company, checked registry",
            "reviewer-1",
        )
        .unwrap()
    else {
        panic!("not resolved");
    };
    assert_eq!(
        store
            .resolve_case(id, CaseDecision::Block, "again", "reviewer-2")
            .unwrap(),
        Resolved::AlreadyResolved
    );
    assert_eq!(
        store
            .resolve_case(999, CaseDecision::Block, "x", "r")
            .unwrap(),
        Resolved::NoCase
    );
    let case = &store.list_cases(None, 100).unwrap()[0];
    assert_eq!(
        (case.status, case.resolution_seq),
        (CaseStatus::Resolved, Some(seq))
    );
    let trail = store
        .query(&AuditQuery {
            kind: Some("case".into()),
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].actor, "reviewer-1");
    assert_eq!(store.verify().unwrap(), ChainCheck::Intact { records: 3 });
}

fn reopening_migrates_nothing_twice_and_keeps_the_trail(db: TestDb) {
    db.open().append(&[rec(1), rec(2)]).unwrap();
    let mut again = db.open();
    assert_eq!(again.verify().unwrap(), ChainCheck::Intact { records: 2 });
    assert_eq!(again.append(&[rec(3)]).unwrap(), vec![3]);
}

fn a_nul_is_kept_as_a_replacement_and_fails_nothing_else(db: TestDb) {
    // PostgreSQL's text cannot hold NUL; every backend keeps U+FFFD instead, before hashing
    let mut odd = rec(2);
    odd.subject = "Odd\0Name".into();
    odd.body = serde_json::json!({ "name": "Odd\0Name" });
    odd.open_case = Some("review of Odd\0Name".into());
    let mut store = db.open();
    assert_eq!(store.append(&[rec(1), odd, rec(3)]).unwrap(), vec![1, 2, 3]);
    assert_eq!(store.verify().unwrap(), ChainCheck::Intact { records: 3 });
    let found = store
        .query(&AuditQuery {
            subject: Some("Odd\0Name".into()),
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject, "Odd\u{fffd}Name");
    // the body keeps the exact input
    assert_eq!(found[0].body["name"], "Odd\0Name");
    let case = &store.list_cases(Some(CaseStatus::Open), 10).unwrap()[0];
    assert_eq!(case.reason, "review of Odd\u{fffd}Name");
    let Resolved::Done(_) = store
        .resolve_case(case.id, CaseDecision::Allow, "checked\0", "reviewer\0")
        .unwrap()
    else {
        panic!("not resolved");
    };
    assert_eq!(
        store.list_cases(None, 10).unwrap()[0]
            .resolved_by
            .as_deref(),
        Some("reviewer\u{fffd}")
    );
    assert_eq!(store.verify().unwrap(), ChainCheck::Intact { records: 4 });
}

/// Two writers (as two processes would have: each its own connection) on one database: one chain.
fn two_writers_on_one_database_keep_one_chain(db: TestDb) {
    let writers = [
        AuditWriter::start(&db.url).unwrap(),
        AuditWriter::start(&db.url).unwrap(),
    ];
    let all = append_from_threads(&writers, 6, 100, |t, i| vec![rec(t * 1000 + i), rec(1)]);
    assert_eq!(all, (1..=1200).collect::<Vec<i64>>());
    assert_eq!(
        db.open().verify().unwrap(),
        ChainCheck::Intact { records: 1200 }
    );
    // two reviewers resolving one case at once, through two connections: one wins
    let mut r = rec(0);
    r.open_case = Some("review".into());
    db.open().append(&[r]).unwrap();
    let id = db.open().list_cases(Some(CaseStatus::Open), 1).unwrap()[0].id;
    let outcomes: Vec<Resolved> = (0..2)
        .map(|i| {
            let url = db.url.clone();
            std::thread::spawn(move || {
                ictguard_store::open(&url)
                    .unwrap()
                    .resolve_case(id, CaseDecision::Allow, "checked", &format!("reviewer-{i}"))
                    .unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Resolved::Done(_)))
            .count(),
        1,
        "{outcomes:?}"
    );
    assert!(outcomes.contains(&Resolved::AlreadyResolved));
    assert_eq!(
        db.open().verify().unwrap(),
        ChainCheck::Intact { records: 1202 }
    );
}

/// Processes opening a new database at the same moment: each migrates or finds it migrated.
fn opening_together_migrates_once(db: TestDb) {
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            std::thread::spawn(move || ictguard_store::open(&url).map(|_| ()))
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    assert_eq!(db.open().append(&[rec(1)]).unwrap(), vec![1]);
}

/// List snapshots: the newest of each source is the one in use, its bytes come back as stored,
/// and an attempt that failed is recorded without touching it.
fn list_snapshots_keep_the_newest_good_one(db: TestDb) {
    use ictguard_store::{AttemptOutcome, NewListSnapshot, SnapshotFile};
    let file = |name: &str, body: Vec<u8>| SnapshotFile {
        name: name.into(),
        url: format!("https://example.test/{name}"),
        etag: Some("\"v1\"".into()),
        last_modified: None,
        sha256: sha2::Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        bytes: body.len() as i64,
        body,
    };
    let snapshot = |source: &str, entries: i64, files: Vec<SnapshotFile>| NewListSnapshot {
        source: source.into(),
        fetched_at: "2026-12-06T10:00:00Z".into(),
        published: Some("2026-12-05".into()),
        entries,
        files,
        undated_entries: vec!["OFAC-SDN:36".into()],
    };
    let mut store = db.open();
    assert!(store.latest_list_snapshots(true).unwrap().is_empty());
    let every_byte: Vec<u8> = (0..=255u8).collect();
    let first = store
        .save_list_snapshot(&snapshot(
            "ofac-sdn",
            10,
            vec![file("SDN.CSV", b"old".to_vec())],
        ))
        .unwrap();
    let second = store
        .save_list_snapshot(&snapshot(
            "ofac-sdn",
            12,
            vec![file("SDN.CSV", every_byte.clone()), file("ALT.CSV", vec![])],
        ))
        .unwrap();
    let dpl = store
        .save_list_snapshot(&snapshot(
            "bis-dpl",
            3,
            vec![file("dpl.txt", b"x".to_vec())],
        ))
        .unwrap();
    assert!(first < second && second < dpl);
    store
        .record_list_attempt(
            "ofac-sdn",
            AttemptOutcome::Failed,
            "HTTP 500\0 from the server",
        )
        .unwrap();
    let latest = store.latest_list_snapshots(true).unwrap();
    let ids: Vec<(&str, i64)> = latest.iter().map(|s| (s.source.as_str(), s.id)).collect();
    assert_eq!(ids, [("bis-dpl", dpl), ("ofac-sdn", second)]);
    let sdn = &latest[1];
    assert_eq!(sdn.entries, 12);
    assert_eq!(sdn.files.len(), 2);
    assert_eq!(sdn.files[0].body, every_byte);
    assert_eq!(sdn.files[0].etag.as_deref(), Some("\"v1\""));
    assert_eq!(sdn.files[1].name, "ALT.CSV");
    // without bodies, everything else is there
    let light = store.latest_list_snapshots(false).unwrap();
    assert!(light[1].files[0].body.is_empty());
    assert_eq!(light[1].files[0].bytes, 256);
    let attempts = store.latest_list_attempts().unwrap();
    let sdn = attempts.iter().find(|a| a.source == "ofac-sdn").unwrap();
    assert_eq!(sdn.outcome, AttemptOutcome::Failed);
    assert_eq!(sdn.message, "HTTP 500\u{fffd} from the server");
    assert_eq!(sdn.snapshot, None);
    let dpl_attempt = attempts.iter().find(|a| a.source == "bis-dpl").unwrap();
    assert_eq!(
        (dpl_attempt.outcome, dpl_attempt.snapshot),
        (AttemptOutcome::New, Some(dpl))
    );
}

/// One `#[test]` per backend and case, so a failure names both.
macro_rules! on_every_backend {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $case() { super::$case(ictguard_store::testing::TestDb::sqlite()); } )*
        }
        mod postgres {
            $( #[test] fn $case() {
                if let Some(db) = ictguard_store::testing::TestDb::postgres() { super::$case(db); }
            } )*
        }
    };
}

on_every_backend!(
    the_chain_holds_and_breaks_where_it_was_changed,
    concurrent_writers_lose_nothing,
    keys_are_hashed_checked_and_revoked,
    cases_open_with_their_record_and_resolve_into_the_trail,
    reopening_migrates_nothing_twice_and_keeps_the_trail,
    a_nul_is_kept_as_a_replacement_and_fails_nothing_else,
    two_writers_on_one_database_keep_one_chain,
    opening_together_migrates_once,
    list_snapshots_keep_the_newest_good_one,
);

/// What only a server has: connections that can be lost, and TLS that is not there yet.
mod postgres_only {
    use super::*;

    #[test]
    fn a_lost_connection_is_reopened_on_the_next_call() {
        let Some(db) = TestDb::postgres() else {
            return;
        };
        let mut store = db.open();
        store.append(&[rec(1)]).unwrap();
        // the server ends every other session on this database (a restart, a failover)
        db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
        // the call that meets the loss may fail; the next goes through on a new connection
        let _ = store.append(&[rec(2)]);
        store.append(&[rec(3)]).unwrap();
        assert!(matches!(
            store.verify().unwrap(),
            ChainCheck::Intact { records: 2 | 3 }
        ));
    }

    #[test]
    fn a_url_asking_for_tls_is_refused_with_a_reason() {
        let Some(db) = TestDb::postgres() else {
            return;
        };
        let Err(e) = ictguard_store::open(&format!("{}?sslmode=require", db.url)) else {
            panic!("opened without the TLS it asked for");
        };
        assert!(e.to_string().contains("TLS"), "{e}");
        // prefer (the default) connects without TLS
        ictguard_store::open(&format!("{}?sslmode=prefer", db.url)).unwrap();
    }
}

#[test]
fn an_sqlite_file_from_a_newer_ictguard_is_refused() {
    let db = TestDb::sqlite();
    db.open().append(&[rec(1)]).unwrap();
    db.execute("PRAGMA user_version = 99");
    let err = ictguard_store::open(&db.url).err().expect("refused");
    assert!(err.to_string().contains("newer"), "{err}");
}
