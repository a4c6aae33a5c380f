//! The audit trail on every backend (a real SQLite file; a real PostgreSQL server when
//! `ICTGUARD_TEST_POSTGRES` names one): appends chain, tampering and deletion are found at the first
//! broken record, concurrent writers lose nothing, keys are checked by hash and revocable, cases
//! resolve into the trail.

mod common;

use common::TestDb;
use ictguard_store::{AuditQuery, AuditWriter, ChainCheck, NewRecord, Resolved, Role};

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
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let w = writer.clone();
            std::thread::spawn(move || {
                (0..250)
                    .map(|i| w.append(vec![rec(t * 1000 + i)]).unwrap()[0])
                    .collect::<Vec<i64>>()
            })
        })
        .collect();
    let mut all: Vec<i64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort();
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
    let open_cases = store.list_cases(Some("open"), 100).unwrap();
    assert_eq!(open_cases.len(), 1);
    assert_eq!(open_cases[0].audit_seq, seqs[1]);
    let id = open_cases[0].id;
    // a resolution needs a reason; then it is in the trail
    assert!(store.resolve_case(id, "allow", " ", "reviewer-1").is_err());
    let Resolved::Done(seq) = store
        .resolve_case(
            id,
            "allow",
            "different company, checked registry",
            "reviewer-1",
        )
        .unwrap()
    else {
        panic!("not resolved");
    };
    assert_eq!(
        store
            .resolve_case(id, "block", "again", "reviewer-2")
            .unwrap(),
        Resolved::AlreadyResolved
    );
    assert_eq!(
        store.resolve_case(999, "block", "x", "r").unwrap(),
        Resolved::NoCase
    );
    let case = &store.list_cases(None, 100).unwrap()[0];
    assert_eq!(
        (case.status.as_str(), case.resolution_seq),
        ("resolved", Some(seq))
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

/// One `#[test]` per backend and case, so a failure names both.
macro_rules! on_every_backend {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $case() { super::$case(super::common::TestDb::sqlite()); } )*
        }
        mod postgres {
            $( #[test] fn $case() {
                if let Some(db) = super::common::TestDb::postgres() { super::$case(db); }
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
);
