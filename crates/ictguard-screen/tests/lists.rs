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
    assert!(bnc.aliases.contains(&"BNC".to_string()));
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
