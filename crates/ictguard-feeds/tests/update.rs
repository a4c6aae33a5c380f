//! `update` and `load_latest` against a real HTTP publisher on loopback and a real store (SQLite
//! always, PostgreSQL when the test server is configured): new snapshots, conditional requests,
//! and every way a download can fail keeping the snapshot in use.

use ictguard_feeds::testing::Publisher;
use ictguard_feeds::{
    load_latest, load_snapshots, update, Budgets, Fetcher, LoadError, Source, UpdateOptions,
    SOURCES,
};
use ictguard_screen::lists::ListSet;
use ictguard_store::testing::TestDb;
use ictguard_store::AttemptOutcome;

fn shared(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/lists")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn source(id: &str) -> &'static Source {
    SOURCES.iter().find(|s| s.id == id).unwrap()
}

/// A publisher serving the OFAC SDN files of 2021 and the Denied Persons List.
fn publisher() -> Publisher {
    let p = Publisher::start();
    p.put("ofac-sdn/SDN.CSV", shared("ofac2021_sdn.csv"));
    p.put("ofac-sdn/ALT.CSV", shared("ofac2021_alt.csv"));
    p.put("ofac-sdn/ADD.CSV", shared("ofac2021_add.csv"));
    p.put("bis-dpl/dpl.txt", shared("ofac2021_dpl.txt"));
    p
}

fn options() -> UpdateOptions {
    UpdateOptions {
        sources: vec![source("ofac-sdn"), source("bis-dpl")],
        accept_shrink: false,
    }
}

fn outcomes(reports: &[ictguard_feeds::UpdateReport]) -> Vec<(&str, AttemptOutcome)> {
    reports
        .iter()
        .map(|r| (r.source.as_str(), r.outcome))
        .collect()
}

fn a_day_of_updates(db: TestDb) {
    let publisher = publisher();
    let fetcher = Fetcher::new(Some(publisher.base.clone()), Budgets::default());
    let mut store = db.open();

    // first run: both stored, with where and when
    let first = update(store.as_mut(), &fetcher, &options()).unwrap();
    assert_eq!(
        outcomes(&first),
        [
            ("ofac-sdn", AttemptOutcome::New),
            ("bis-dpl", AttemptOutcome::New)
        ],
        "{first:?}"
    );
    let snapshots = store.latest_list_snapshots(false).unwrap();
    let sdn = snapshots.iter().find(|s| s.source == "ofac-sdn").unwrap();
    assert!(sdn.entries > 8000, "{}", sdn.entries);
    assert_eq!(sdn.published.as_deref(), Some("2026-12-03"));
    assert_eq!(sdn.files.len(), 3);
    assert_eq!(
        sdn.files[0].url,
        format!("{}/ofac-sdn/SDN.CSV", publisher.base)
    );
    let in_use = sdn.id;

    // second run: every file answered 304, nothing new stored
    let before = publisher.log().len();
    let second = update(store.as_mut(), &fetcher, &options()).unwrap();
    assert_eq!(
        outcomes(&second),
        [
            ("ofac-sdn", AttemptOutcome::Unchanged),
            ("bis-dpl", AttemptOutcome::Unchanged)
        ]
    );
    let answers: Vec<u16> = publisher.log()[before..].iter().map(|(_, s)| *s).collect();
    assert_eq!(answers, [304, 304, 304, 304]);

    // a broken publication (not a list), a truncated one, a server error: each refused and
    // recorded, the snapshot in use kept
    for (what, body) in [
        ("not a list", b"<html>maintenance</html>\n".to_vec()),
        ("truncated", shared("ofac2021_sdn.csv")[..20_000].to_vec()),
    ] {
        publisher.put("ofac-sdn/SDN.CSV", body);
        let r = update(store.as_mut(), &fetcher, &options()).unwrap();
        assert_eq!(r[0].outcome, AttemptOutcome::Failed, "{what}: {r:?}");
        assert_eq!(r[0].snapshot, Some(in_use), "{what}");
        assert!(
            r[0].message
                .contains(&format!("snapshot {in_use} stays in use")),
            "{what}: {}",
            r[0].message
        );
    }
    publisher.fail("bis-dpl/dpl.txt", 503);
    let r = update(store.as_mut(), &fetcher, &options()).unwrap();
    assert!(
        r[1].outcome == AttemptOutcome::Failed && r[1].message.contains("HTTP 503"),
        "{r:?}"
    );
    let attempts = store.latest_list_attempts().unwrap();
    assert!(
        attempts.iter().all(|a| a.outcome == AttemptOutcome::Failed),
        "{attempts:?}"
    );
    let latest = store.latest_list_snapshots(false).unwrap();
    assert_eq!(
        latest.iter().find(|s| s.source == "ofac-sdn").unwrap().id,
        in_use
    );

    // what screening reads is the snapshot in use, each file saying where it came from
    let mut set = ListSet::new();
    let loaded = load_latest(store.as_mut(), &mut set).unwrap();
    assert_eq!(loaded.len(), 2);
    let lists = set.finish();
    let sdn_file = lists.files.iter().find(|f| f.file == "SDN.CSV").unwrap();
    let fetched = sdn_file.fetched.as_ref().unwrap();
    assert_eq!(
        (fetched.source.as_str(), fetched.snapshot),
        ("ofac-sdn", in_use)
    );
    assert_eq!(
        sdn_file.published.map(|d| d.to_string()).as_deref(),
        Some("2026-12-03")
    );
    assert!(lists
        .entries
        .iter()
        .any(|e| e.name == "BANCO NACIONAL DE CUBA"));

    // a new, good publication replaces it
    publisher.put("ofac-sdn/SDN.CSV", shared("sdn_2024-05-03.csv"));
    let r = update(store.as_mut(), &fetcher, &options()).unwrap();
    assert_eq!(r[0].outcome, AttemptOutcome::New, "{r:?}");
    assert!(r[0].snapshot.unwrap() > in_use);
}

/// The UN list (XML) is fetched and read like the others, with its own listing dates and the
/// date the UN generated it as the publication date.
#[test]
fn the_un_list_is_fetched_with_its_listing_dates() {
    let publisher = Publisher::start();
    publisher.put(
        "un-sc/consolidated.xml",
        shared("un_consolidated_watchman-testdata.xml"),
    );
    let fetcher = Fetcher::new(Some(publisher.base.clone()), Budgets::default());
    let db = TestDb::sqlite();
    let mut store = db.open();
    let options = UpdateOptions {
        sources: vec![source("un-sc")],
        accept_shrink: false,
    };
    let r = update(store.as_mut(), &fetcher, &options).unwrap();
    assert_eq!(r[0].outcome, AttemptOutcome::New, "{r:?}");
    let mut set = ListSet::new();
    load_latest(store.as_mut(), &mut set).unwrap();
    let lists = set.finish();
    assert!(lists.entries.len() > 990, "{}", lists.entries.len());
    assert!(lists.problems.is_empty(), "{:?}", lists.problems.first());
    let eric = lists
        .entries
        .iter()
        .find(|e| e.id == "UN-SC:CDi.001")
        .unwrap();
    assert_eq!(
        eric.listed.map(|d| d.to_string()).as_deref(),
        Some("2012-12-31")
    );
}

/// Snapshot history: an entry the list gives no date for is dated by the first snapshot that
/// held it, not by the publication now in use.
#[test]
fn undated_entries_are_dated_by_the_first_snapshot_holding_them() {
    use ictguard_rules::RulePack;
    use ictguard_screen::engine::{Query, ScreenConfig, Screener};
    let publisher = publisher();
    publisher.put_modified(
        "ofac-sdn/SDN.CSV",
        shared("ofac2021_sdn.csv"),
        "Tue, 01 Jun 2021 12:00:00 GMT",
    );
    let fetcher = Fetcher::new(Some(publisher.base.clone()), Budgets::default());
    let db = TestDb::sqlite();
    let mut store = db.open();
    update(store.as_mut(), &fetcher, &options()).unwrap();
    publisher.put_modified(
        "ofac-sdn/SDN.CSV",
        shared("sdn_2024-05-03.csv"),
        "Fri, 03 May 2024 12:00:00 GMT",
    );
    let r = update(store.as_mut(), &fetcher, &options()).unwrap();
    assert_eq!(r[0].outcome, AttemptOutcome::New);
    let mut set = ListSet::new();
    load_latest(store.as_mut(), &mut set).unwrap();
    let screener = Screener::with_lists(RulePack::bundled(), set.finish(), ScreenConfig::default());
    let screen = |name: &str, day: &str| {
        let q = Query {
            name: Some(name.into()),
            ..Query::default()
        };
        let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        screener.screen(&q, day).unwrap()
    };
    // on the list in June 2021: blocked in 2022 although the file in use was published in 2024
    let bnc = screen("Banco Nacional de Cuba", "2022-01-01");
    assert_eq!(bnc.decision.as_str(), "block", "{:?}", bnc.reasons);
    let order = &bnc.matches[0].orders[0];
    assert_eq!(order.decided_by.event, "first_seen_in_snapshot");
    assert_eq!(order.decided_by.date.to_string(), "2021-06-01");
    // before the first snapshot that held it: a question, not a match taken as listed
    let early = screen("Banco Nacional de Cuba", "2021-05-01");
    assert_eq!(early.decision.as_str(), "review", "{:?}", early.reasons);
    assert!(early.reasons[0].contains("first seen in the list's snapshot published 2021-06-01"));
}

/// A download larger than its budget is refused without reading it all.
#[test]
fn a_body_over_budget_is_refused() {
    let publisher = publisher();
    let budgets = Budgets {
        max_file_bytes: 100_000,
        ..Budgets::default()
    };
    let fetcher = Fetcher::new(Some(publisher.base.clone()), budgets);
    let db = TestDb::sqlite();
    let mut store = db.open();
    let r = update(store.as_mut(), &fetcher, &options()).unwrap();
    assert_eq!(r[0].outcome, AttemptOutcome::Failed);
    assert!(
        r[0].message.contains("larger than 100000 bytes"),
        "{}",
        r[0].message
    );
    assert!(r[0]
        .message
        .contains("no snapshot of this source is stored"));
    assert!(store
        .latest_list_snapshots(false)
        .unwrap()
        .iter()
        .all(|s| s.source != "ofac-sdn"));
}

/// A server that answers nothing is given up on at the time budget, and the rest go on.
#[test]
fn a_stalled_download_times_out() {
    let publisher = publisher();
    publisher.stall("ofac-sdn/SDN.CSV", std::time::Duration::from_secs(30));
    let budgets = Budgets {
        timeout: std::time::Duration::from_secs(1),
        ..Budgets::default()
    };
    let fetcher = Fetcher::new(Some(publisher.base.clone()), budgets);
    let db = TestDb::sqlite();
    let mut store = db.open();
    let started = std::time::Instant::now();
    let r = update(store.as_mut(), &fetcher, &options()).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(r[0].outcome, AttemptOutcome::Failed);
    assert!(
        r[0].message.to_lowercase().contains("timeout"),
        "{}",
        r[0].message
    );
    assert_eq!(r[1].outcome, AttemptOutcome::New, "{r:?}");
}

/// A much smaller publication than the one in use is stored only when asked to.
#[test]
fn a_shrunken_list_waits_for_accept_shrink() {
    let publisher = publisher();
    let fetcher = Fetcher::new(Some(publisher.base.clone()), Budgets::default());
    let db = TestDb::sqlite();
    let mut store = db.open();
    update(store.as_mut(), &fetcher, &options()).unwrap();
    // the 2019 consolidated primary file read as an SDN file: a real list, 441 entries
    publisher.put("ofac-sdn/SDN.CSV", shared("ofac2019_cons_prim.csv"));
    let mut small = source("ofac-sdn").to_owned();
    small.min_entries = 100;
    let small: &'static Source = Box::leak(Box::new(small));
    let mut opts = UpdateOptions {
        sources: vec![small],
        accept_shrink: false,
    };
    let r = update(store.as_mut(), &fetcher, &opts).unwrap();
    assert!(
        r[0].outcome == AttemptOutcome::Failed && r[0].message.contains("less than half"),
        "{r:?}"
    );
    opts.accept_shrink = true;
    let r = update(store.as_mut(), &fetcher, &opts).unwrap();
    assert_eq!(r[0].outcome, AttemptOutcome::New, "{r:?}");
}

/// A pinned snapshot is screened instead of its source's newest: Putin (designated in 2022) is
/// on the 2024 SDN file and not on the 2021 one; pinning the 2021 snapshot screens as then, and
/// the decision names that snapshot.
fn a_pinned_snapshot_is_screened_instead_of_the_newest(db: TestDb) {
    use ictguard_rules::RulePack;
    use ictguard_screen::engine::{Decision, Query, ScreenConfig, Screener};
    let publisher = publisher();
    let fetcher = Fetcher::new(Some(publisher.base.clone()), Budgets::default());
    let mut store = db.open();
    let first = update(store.as_mut(), &fetcher, &options()).unwrap();
    let old_sdn = first[0].snapshot.unwrap();
    publisher.put("ofac-sdn/SDN.CSV", shared("sdn_2024-05-03.csv"));
    let second = update(store.as_mut(), &fetcher, &options()).unwrap();
    let new_sdn = second[0].snapshot.unwrap();
    assert!(new_sdn > old_sdn);
    let screen = |store: &mut dyn ictguard_store::Store, pinned: &[i64]| {
        let mut set = ListSet::new();
        load_snapshots(store, &mut set, pinned).unwrap();
        let screener =
            Screener::with_lists(RulePack::bundled(), set.finish(), ScreenConfig::default());
        let q = Query {
            name: Some("Vladimir Vladimirovich PUTIN".into()),
            ..Query::default()
        };
        let day = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        screener.screen(&q, day).unwrap()
    };
    let putin = |r: &ictguard_screen::engine::ScreenResult| {
        r.matches.iter().any(|m| m.name.contains("PUTIN"))
    };
    let newest = screen(store.as_mut(), &[]);
    assert!(putin(&newest), "{newest:?}");
    assert_ne!(newest.decision, Decision::Allow, "{newest:?}");
    let pinned = screen(store.as_mut(), &[old_sdn]);
    assert!(!putin(&pinned), "{pinned:?}");
    let named = serde_json::to_string(&pinned.lists).unwrap();
    assert!(
        named.contains(&format!("\"snapshot\":{old_sdn}")),
        "{named}"
    );
    assert!(
        !named.contains(&format!("\"snapshot\":{new_sdn}")),
        "{named}"
    );
    // a snapshot that is not stored, or two of one source, is refused
    let mut set = ListSet::new();
    assert!(matches!(
        load_snapshots(store.as_mut(), &mut set, &[new_sdn + 1000]),
        Err(LoadError::NoSnapshot(_))
    ));
    assert!(matches!(
        load_snapshots(store.as_mut(), &mut set, &[old_sdn, new_sdn]),
        Err(LoadError::TwoPins(..))
    ));
}

mod sqlite {
    #[test]
    fn a_day_of_updates() {
        super::a_day_of_updates(ictguard_store::testing::TestDb::sqlite());
    }

    #[test]
    fn a_pinned_snapshot_is_screened_instead_of_the_newest() {
        super::a_pinned_snapshot_is_screened_instead_of_the_newest(
            ictguard_store::testing::TestDb::sqlite(),
        );
    }
}

mod postgres {
    #[test]
    fn a_day_of_updates() {
        if let Some(db) = ictguard_store::testing::TestDb::postgres() {
            super::a_day_of_updates(db);
        }
    }

    #[test]
    fn a_pinned_snapshot_is_screened_instead_of_the_newest() {
        if let Some(db) = ictguard_store::testing::TestDb::postgres() {
            super::a_pinned_snapshot_is_screened_instead_of_the_newest(db);
        }
    }
}
