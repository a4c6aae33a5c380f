//! The list loaders against the real published files in `shared/lists`.

use std::path::PathBuf;

use ictguard_screen::lists::{ListFormat, ListSet};

fn list(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/lists")
        .join(name)
}

#[test]
fn sdn_2024_loads_every_primary_record() {
    let mut set = ListSet::new();
    let s = set.add_file(&list("sdn_2024-05-03.csv")).unwrap();
    assert_eq!(s.format, ListFormat::OfacPrimary);
    assert!(
        s.skipped.is_empty(),
        "{:?}",
        &s.skipped[..s.skipped.len().min(3)]
    );
    let loaded = set.finish();
    assert_eq!(loaded.entries.len(), 14_965);
    let bnc = loaded
        .entries
        .iter()
        .find(|e| e.name == "BANCO NACIONAL DE CUBA")
        .unwrap();
    assert_eq!(bnc.id, "OFAC-SDN:306");
    // quoted in the remarks: a weak alias, kept apart from the strong ones
    assert!(bnc.weak_aliases.contains(&"BNC".to_string()));
    assert!(!bnc.aliases.contains(&"BNC".to_string()));
    assert_eq!(bnc.programs, vec!["CUBA"]);
}

#[test]
fn sdn_2021_with_alternates_and_addresses_in_any_order() {
    let mut set = ListSet::new();
    assert_eq!(
        set.add_file(&list("ofac2021_add.csv")).unwrap().format,
        ListFormat::OfacAddress
    );
    assert_eq!(
        set.add_file(&list("ofac2021_alt.csv")).unwrap().format,
        ListFormat::OfacAlt
    );
    set.add_file(&list("ofac2021_sdn.csv")).unwrap();
    let loaded = set.finish();
    let bnc = loaded
        .entries
        .iter()
        .find(|e| e.id == "OFAC-SDN:306")
        .unwrap();
    assert!(
        bnc.aliases.contains(&"NATIONAL BANK OF CUBA".to_string()),
        "{:?}",
        bnc.aliases
    );
    assert!(
        bnc.countries.contains(&"CH".to_string()),
        "{:?}",
        bnc.countries
    );
    let aero = loaded
        .entries
        .iter()
        .find(|e| e.id == "OFAC-SDN:36")
        .unwrap();
    assert_eq!(aero.countries, vec!["CU"]);
    let with_alias = loaded
        .entries
        .iter()
        .filter(|e| !e.aliases.is_empty())
        .count();
    assert!(with_alias > 3_000, "{with_alias}");
}

#[test]
fn non_sdn_consolidated_list_is_its_own_family() {
    let mut set = ListSet::new();
    for f in [
        "ofac2019_cons_prim.csv",
        "ofac2019_cons_alt.csv",
        "ofac2019_cons_add.csv",
    ] {
        set.add_file(&list(f)).unwrap();
    }
    let loaded = set.finish();
    assert_eq!(loaded.entries.len(), 442);
    assert!(loaded.entries.iter().all(|e| e.list == "OFAC-CONS"));
    let haniya = loaded
        .entries
        .iter()
        .find(|e| e.id == "OFAC-CONS:9639")
        .unwrap();
    assert!(haniya.aliases.iter().any(|a| a == "HANIYA, Ismail"));
}

#[test]
fn consolidated_screening_list_both_vintages() {
    let mut set = ListSet::new();
    let a = set.add_file(&list("csl_2019.csv")).unwrap();
    let b = set.add_file(&list("csl_sample_2023.csv")).unwrap();
    assert_eq!((a.format, b.format), (ListFormat::Csl, ListFormat::Csl));
    assert!(
        a.skipped.is_empty() && b.skipped.is_empty(),
        "{:?} {:?}",
        a.skipped,
        b.skipped
    );
    let loaded = set.finish();
    assert_eq!(loaded.entries.len(), a.records + b.records);
    assert!(
        loaded.entries.iter().any(|e| e.id.starts_with("CSL:EL:")),
        "Entity List rows carry their source code"
    );
    let dpl_row = loaded
        .entries
        .iter()
        .find(|e| e.source.starts_with("Denied Persons"))
        .unwrap();
    assert!(dpl_row.listed.is_some());
}

#[test]
fn denied_persons_list_with_dates() {
    let mut set = ListSet::new();
    let s = set.add_file(&list("ofac2021_dpl.txt")).unwrap();
    assert_eq!(s.format, ListFormat::Dpl);
    let loaded = set.finish();
    assert_eq!(loaded.entries.len() + s.skipped.len(), 581);
    let ash = loaded.entries.iter().find(|e| e.name == "I. ASH").unwrap();
    assert_eq!(ash.listed, chrono::NaiveDate::from_ymd_opt(2003, 6, 19));
    assert_eq!(ash.expires, chrono::NaiveDate::from_ymd_opt(2056, 6, 29));
    assert_eq!(ash.countries, vec!["US"]);
}

#[test]
fn a_weak_alias_from_the_sdn_remarks_is_not_a_block() {
    use ictguard_rules::RulePack;
    use ictguard_screen::engine::{Decision, Query, ScreenConfig, Screener};
    let mut set = ListSet::new();
    set.add_file(&list("sdn_2024-05-03.csv")).unwrap();
    let s = Screener::with_lists(RulePack::bundled(), set.finish(), ScreenConfig::default());
    let day = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let q = |name: &str| Query {
        name: Some(name.into()),
        ..Query::default()
    };
    // "Mohammed Ali" is quoted in an entry's remarks: a weak alias, which OFAC lists to confirm a hit
    let r = s.screen(&q("Mohammed Ali"), day).unwrap();
    assert_ne!(r.decision, Decision::Block, "{:?}", r.matches);
    // a primary name still blocks
    let r = s.screen(&q("Banco Nacional de Cuba"), day).unwrap();
    assert_eq!(r.decision, Decision::Block);
}

#[test]
fn listing_dates_are_never_invented() {
    use ictguard_rules::RulePack;
    use ictguard_screen::engine::{Decision, Query, ScreenConfig, Screener};
    let mut set = ListSet::new();
    let summary = set.add_file(&list("sdn_2024-05-03.csv")).unwrap();
    // the publication date comes from the file's name; the SDN CSV has no listing dates
    assert_eq!(
        summary.provenance.published,
        chrono::NaiveDate::from_ymd_opt(2024, 5, 3)
    );
    let s = Screener::with_lists(RulePack::bundled(), set.finish(), ScreenConfig::default());
    let screen = |as_of: &str| {
        let q = Query {
            name: Some("Vladimir Putin".into()),
            as_of: Some(as_of.into()),
            ..Query::default()
        };
        s.screen(&q, chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
            .unwrap()
    };
    // before the publication, a later list cannot say he was listed: a question, not a block
    let before = screen("2015-01-01");
    assert_eq!(before.decision, Decision::Review, "{:?}", before.reasons);
    let finding = &before.matches[0].orders[0];
    assert_eq!(finding.decided_by.event, "on_list_published");
    assert_eq!(finding.decided_by.date.to_string(), "2024-05-03");
    assert!(finding.open_questions[0].contains("no listing date"));
    // after it, the listing stands, dated by the publication (not by the date screened)
    let after = screen("2024-06-01");
    assert_eq!(after.decision, Decision::Block);
    assert_eq!(
        after.matches[0].orders[0].decided_by.date.to_string(),
        "2024-05-03"
    );
}

#[test]
fn a_listing_date_in_the_list_decides_before_and_after() {
    use ictguard_rules::RulePack;
    use ictguard_screen::engine::{Decision, Query, ScreenConfig, Screener};
    let mut set = ListSet::new();
    set.add_file(&list("csl_sample_2023.csv")).unwrap();
    let loaded = set.finish();
    let dated = loaded
        .entries
        .iter()
        .find(|e| e.listed.is_some() && e.expires.is_none())
        .expect("an entry with a start date")
        .clone();
    let listed = dated.listed.unwrap();
    let s = Screener::with_lists(RulePack::bundled(), loaded, ScreenConfig::default());
    let screen = |day: chrono::NaiveDate| {
        let q = Query {
            name: Some(dated.name.clone()),
            ..Query::default()
        };
        s.screen(&q, day).unwrap()
    };
    let r = screen(listed);
    assert!(r
        .matches
        .iter()
        .any(|m| m.id == dated.id && m.decision == Decision::Block));
    let r = screen(listed.pred_opt().unwrap());
    let m = r.matches.iter().find(|m| m.id == dated.id).unwrap();
    assert_eq!(m.decision, Decision::Allow, "{}", m.reason);
    assert_eq!(m.orders[0].decided_by.date, listed);
}

/// The UN list as published (730 individuals, 273 entities): every listing read, its own dates deciding, and a
/// match carrying what a reviewer needs (type, regime, countries, aliases, the source record).
#[test]
fn the_un_list_loads_and_its_matches_say_what_the_list_says() {
    use ictguard_rules::RulePack;
    use ictguard_screen::engine::{Query, ScreenConfig, Screener};
    let mut set = ListSet::new();
    let s = set
        .add_file(&list("un_consolidated_watchman-testdata.xml"))
        .unwrap();
    assert_eq!(s.format, ListFormat::UnXml);
    assert!(s.skipped.is_empty(), "{:?}", s.skipped.first());
    assert_eq!(s.records, 730 + 273, "every individual and entity");
    assert_eq!(
        s.provenance.published.map(|d| d.to_string()).as_deref(),
        Some("2026-02-27")
    );
    let screener = Screener::with_lists(RulePack::bundled(), set.finish(), ScreenConfig::default());
    let q = Query {
        name: Some("Eric Badege".into()),
        ..Query::default()
    };
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let r = screener.screen(&q, day).unwrap();
    assert_eq!(r.decision.as_str(), "block");
    let listing = r.matches[0]
        .listing
        .as_ref()
        .expect("a list match says what the list says");
    assert_eq!(listing.list, "UN-SC");
    assert_eq!(listing.entity_type.as_deref(), Some("individual"));
    assert_eq!(listing.programs, ["DRC"]);
    assert!(
        listing.countries.contains(&"CD".to_string()),
        "{:?}",
        listing.countries
    );
    assert_eq!(
        listing.listed.map(|d| d.to_string()).as_deref(),
        Some("2012-12-31")
    );
    assert_eq!(listing.record, "un_consolidated_watchman-testdata.xml:4");
    // before the UN listed him, no match is taken as listed
    let before = screener
        .screen(&q, chrono::NaiveDate::from_ymd_opt(2012, 12, 30).unwrap())
        .unwrap();
    assert_eq!(before.decision.as_str(), "allow");
}
