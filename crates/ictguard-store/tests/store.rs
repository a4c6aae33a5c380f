//! The audit trail on a real SQLite file: appends chain, tampering and deletion are found at the
//! first broken record, concurrent writers lose nothing, keys are checked by hash and revocable.

use ictguard_store::{
    append, check_key, create_key, open, query, revoke_key, verify, AuditQuery, AuditWriter,
    ChainCheck, NewRecord, Role,
};

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

#[test]
fn the_chain_holds_and_breaks_where_it_was_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let mut conn = open(&db).unwrap();
    let seqs = append(&mut conn, &(1..=10).map(rec).collect::<Vec<_>>()).unwrap();
    assert_eq!(seqs, (1..=10).collect::<Vec<i64>>());
    assert_eq!(verify(&conn).unwrap(), ChainCheck::Intact { records: 10 });
    // a changed decision
    conn.execute("UPDATE audit SET decision = 'allow' WHERE seq = 6", [])
        .unwrap();
    assert!(matches!(
        verify(&conn).unwrap(),
        ChainCheck::Broken { seq: 6, .. }
    ));
    conn.execute("UPDATE audit SET decision = 'block' WHERE seq = 6", [])
        .unwrap();
    assert_eq!(verify(&conn).unwrap(), ChainCheck::Intact { records: 10 });
    // a deleted record
    conn.execute("DELETE FROM audit WHERE seq = 4", []).unwrap();
    assert!(matches!(
        verify(&conn).unwrap(),
        ChainCheck::Broken { seq: 5, .. }
    ));
}

#[test]
fn concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let writer = AuditWriter::start(&db).unwrap();
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
    let conn = open(&db).unwrap();
    assert_eq!(verify(&conn).unwrap(), ChainCheck::Intact { records: 2000 });
    // reading with filters, paged
    let blocks = query(
        &conn,
        &AuditQuery {
            decision: Some("block".into()),
            limit: Some(1000),
            ..AuditQuery::default()
        },
    )
    .unwrap();
    assert!(blocks.iter().all(|r| r.decision == "block") && !blocks.is_empty());
    let page = query(
        &conn,
        &AuditQuery {
            after: Some(1990),
            ..AuditQuery::default()
        },
    )
    .unwrap();
    assert_eq!(page.len(), 10);
    let hostile = query(
        &conn,
        &AuditQuery {
            subject: Some("'; DROP TABLE audit; --".into()),
            ..AuditQuery::default()
        },
    )
    .unwrap();
    assert!(hostile.is_empty());
    assert_eq!(verify(&conn).unwrap(), ChainCheck::Intact { records: 2000 });
}

#[test]
fn keys_are_hashed_checked_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("k.db")).unwrap();
    let (id, key) = create_key(&conn, Role::Screen, "payments").unwrap();
    assert_eq!(
        check_key(&conn, &key).unwrap(),
        Some((id.clone(), Role::Screen))
    );
    let stored: String = conn
        .query_row("SELECT secret_hash FROM api_keys", [], |r| r.get(0))
        .unwrap();
    assert!(!key.contains(&stored), "only a hash is kept");
    let mut wrong = key.clone();
    wrong.pop();
    wrong.push('x');
    assert_eq!(check_key(&conn, &wrong).unwrap(), None);
    assert_eq!(check_key(&conn, "Bearer nonsense").unwrap(), None);
    assert!(revoke_key(&conn, &id).unwrap());
    assert_eq!(check_key(&conn, &key).unwrap(), None);
    assert!(!revoke_key(&conn, &id).unwrap());
}

#[test]
fn cases_open_with_their_record_and_resolve_into_the_trail() {
    use ictguard_store::{list_cases, resolve_case, Resolved};
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("c.db")).unwrap();
    let mut r = rec(1);
    r.decision = "review".into();
    r.open_case = Some("screening review: a possible match".into());
    let seqs = append(&mut conn, &[rec(0), r]).unwrap();
    let open_cases = list_cases(&conn, Some("open"), 100).unwrap();
    assert_eq!(open_cases.len(), 1);
    assert_eq!(open_cases[0].audit_seq, seqs[1]);
    let id = open_cases[0].id;
    // a resolution needs a reason; then it is in the trail
    assert!(resolve_case(&mut conn, id, "allow", " ", "reviewer-1").is_err());
    let Resolved::Done(seq) = resolve_case(
        &mut conn,
        id,
        "allow",
        "different company, checked registry",
        "reviewer-1",
    )
    .unwrap() else {
        panic!("not resolved");
    };
    assert_eq!(
        resolve_case(&mut conn, id, "block", "again", "reviewer-2").unwrap(),
        Resolved::AlreadyResolved
    );
    assert_eq!(
        resolve_case(&mut conn, 999, "block", "x", "r").unwrap(),
        Resolved::NoCase
    );
    let case = &list_cases(&conn, None, 100).unwrap()[0];
    assert_eq!(
        (case.status.as_str(), case.resolution_seq),
        ("resolved", Some(seq))
    );
    let trail = query(
        &conn,
        &AuditQuery {
            kind: Some("case".into()),
            ..AuditQuery::default()
        },
    )
    .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].actor, "reviewer-1");
    assert_eq!(verify(&conn).unwrap(), ChainCheck::Intact { records: 3 });
}
