//! Delta screening on a real store: a watched party that a new list names becomes a case once;
//! screening again changes nothing; a list without it eases the decision without a case.

use chrono::NaiveDate;
use ictguard_feeds::rescreen;
use ictguard_rules::RulePack;
use ictguard_screen::engine::{Decision, ScreenConfig, Screener};
use ictguard_screen::lists::ListSet;
use ictguard_store::testing::TestDb;
use ictguard_store::{AuditQuery, CaseStatus, NewWatched};

fn screener(with_sdn: bool) -> Screener {
    let mut set = ListSet::new();
    if with_sdn {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/lists/sdn_2024-05-03.csv");
        set.add_file(&path).unwrap();
    }
    Screener::with_lists(RulePack::bundled(), set.finish(), ScreenConfig::default())
}

fn watched(db: TestDb) {
    let mut store = db.open();
    let subject = |s: &str, q: &str| NewWatched {
        subject: s.into(),
        query: q.into(),
        by: "test".into(),
    };
    store
        .add_watched(&[
            subject(
                "Banco Nacional de Cuba",
                r#"{"name": "Banco Nacional de Cuba"}"#,
            ),
            subject(
                "Northwind Traders",
                r#"{"name": "Northwind Traders", "as_of": "2001-01-01"}"#,
            ),
            subject("broken", r#"{"name": "x", "kind": "no_such_kind"}"#),
        ])
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();

    // the lists without the bank: nothing to report
    let r = rescreen(store.as_mut(), &screener(false), day, "test").unwrap();
    assert_eq!(
        (r.checked, r.new_hits.len(), r.eased, r.unreadable),
        (2, 0, 0, 1)
    );

    // a list naming it: one new hit, written to the trail with an open case
    let r = rescreen(store.as_mut(), &screener(true), day, "test").unwrap();
    assert_eq!(r.new_hits.len(), 1, "{r:?}");
    let hit = &r.new_hits[0];
    assert_eq!(
        (hit.subject.as_str(), hit.before, hit.after),
        ("Banco Nacional de Cuba", Decision::Allow, Decision::Block)
    );
    let cases = store.list_cases(Some(CaseStatus::Open), 100).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].kind, "rescreen");
    assert!(
        cases[0].reason.contains("was allow and is now block"),
        "{}",
        cases[0].reason
    );
    let trail = store.query(&AuditQuery::default()).unwrap();
    assert_eq!(trail.len(), 1);
    let body = &trail[0].body;
    assert_eq!(body["result"]["lists"][0]["file"], "sdn_2024-05-03.csv");

    // again with the same lists: no new case
    let r = rescreen(store.as_mut(), &screener(true), day, "test").unwrap();
    assert!(r.new_hits.is_empty() && r.eased == 0, "{r:?}");
    assert_eq!(
        store.list_cases(Some(CaseStatus::Open), 100).unwrap().len(),
        1
    );

    // the bank off the list: eased, recorded, no case
    let r = rescreen(store.as_mut(), &screener(false), day, "test").unwrap();
    assert_eq!((r.new_hits.len(), r.eased), (0, 1));
    assert_eq!(store.query(&AuditQuery::default()).unwrap().len(), 2);
    assert_eq!(
        store.list_cases(Some(CaseStatus::Open), 100).unwrap().len(),
        1
    );
    let list = store.list_watched(0, 10).unwrap();
    assert_eq!(list[0].decision.as_deref(), Some("allow"));
    assert!(list[0].checked_at.is_some());
    assert_eq!(
        list[2].decision, None,
        "the unreadable one was never screened"
    );
}

#[test]
fn watched_subjects_on_sqlite() {
    watched(TestDb::sqlite());
}

#[test]
fn watched_subjects_on_postgres() {
    if let Some(db) = TestDb::postgres() {
        watched(db);
    }
}
