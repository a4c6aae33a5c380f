//! Name matching through the whole screener, against small lists written here: legal forms in
//! several languages, extra words in the query, Han compared by characters.

use chrono::NaiveDate;
use ictguard_rules::RulePack;
use ictguard_screen::engine::{Decision, Query, ScreenConfig, ScreenResult, Screener};
use ictguard_screen::lists::ListEntry;

fn entry(n: u32, name: &str, aliases: &[&str]) -> ListEntry {
    ListEntry {
        id: format!("TEST:{n}"),
        list: "TEST".into(),
        source: "test list".into(),
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        weak_aliases: Vec::new(),
        kind: Some("entity".into()),
        programs: vec!["TEST".into()],
        countries: Vec::new(),
        dates_of_birth: Vec::new(),
        addresses: Vec::new(),
        listed: None,
        expires: None,
        citation: None,
        file: "test.csv".into(),
        line: u64::from(n),
    }
}

fn screener(entries: Vec<ListEntry>) -> Screener {
    Screener::new(RulePack::bundled(), entries, ScreenConfig::default())
}

fn screen(s: &Screener, name: &str) -> ScreenResult {
    let q = Query {
        name: Some(name.into()),
        ..Query::default()
    };
    s.screen(&q, NaiveDate::from_ymd_opt(2024, 6, 1).unwrap())
        .unwrap()
}

/// The best score of a list entry for `name`, or None when it is not matched.
fn score_of(s: &Screener, name: &str, id: &str) -> Option<f64> {
    screen(s, name)
        .matches
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.score)
}

#[test]
fn legal_forms_in_any_language_do_not_tell_names_apart() {
    let s = screener(vec![
        entry(1, "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA", &[]),
        entry(2, "SIEMENS AKTIENGESELLSCHAFT", &[]),
        entry(
            3,
            "OBSHCHESTVO S OGRANICHENNOY OTVETSTVENNOSTYU ROMASHKA",
            &[],
        ),
        entry(4, "PJSC SBERBANK", &[]),
    ]);
    for (query, id) in [
        ("Sberbank of Russia", "TEST:1"),
        ("PJSC Sberbank of Russia", "TEST:1"),
        ("ПАО «Сбербанк»", "TEST:4"),
        ("Public Joint Stock Company Sberbank", "TEST:4"),
        ("Siemens AG", "TEST:2"),
        ("ООО Ромашка", "TEST:3"),
        ("Romashka LLC", "TEST:3"),
    ] {
        let r = screen(&s, query);
        assert_eq!(r.decision, Decision::Block, "{query}: {:?}", r.matches);
        assert_eq!(r.matches[0].id, id, "{query}");
    }
}

#[test]
fn extra_words_in_the_query_cost_a_little_never_the_match() {
    let s = screener(vec![entry(1, "BYTEDANCE LTD.", &[])]);
    for query in [
        "ByteDance Ltd (Cayman)",
        "ByteDance script alert Ltd",
        "Bytedance Cayman Islands",
    ] {
        let r = screen(&s, query);
        assert_eq!(r.decision, Decision::Review, "{query}: {:?}", r.matches);
    }
    assert_eq!(screen(&s, "ByteDance Ltd.").decision, Decision::Block);
    // the other way round stays far: the query is a part of a longer listed name
    let s = screener(vec![entry(1, "TENCENT MUSIC ENTERTAINMENT GROUP", &[])]);
    assert_eq!(score_of(&s, "Tencent", "TEST:1"), None);
}

#[test]
fn han_names_are_compared_by_characters() {
    let s = screener(vec![
        entry(1, "黎华", &[]),
        entry(2, "騰訊控股有限公司", &[]),
    ]);
    // homophones: the same pinyin, not the same name
    assert_eq!(score_of(&s, "李华", "TEST:1"), None);
    assert_eq!(score_of(&s, "黎华", "TEST:1"), Some(1.0));
    // across scripts, through pinyin
    assert_eq!(score_of(&s, "Li Hua", "TEST:1"), Some(1.0));
    // traditional and simplified characters are the same characters
    assert_eq!(score_of(&s, "腾讯控股", "TEST:2"), Some(1.0));
    assert_eq!(score_of(&s, "腾讯", "TEST:2"), Some(1.0));
}

#[test]
fn a_weak_alias_alone_goes_to_review_never_block() {
    let mut e = entry(1, "KONY, Joseph", &["KONY, Joseph Rao"]);
    e.kind = Some("individual".into());
    e.weak_aliases = vec!["MOHAMMED, Ali".into()];
    let s = screener(vec![e]);
    let r = screen(&s, "Mohammed Ali");
    assert_eq!(r.decision, Decision::Review, "{:?}", r.matches);
    assert!(r.matches[0].weak_alias);
    assert!(
        r.matches[0].reason.contains("weak alias"),
        "{}",
        r.matches[0].reason
    );
    // the primary name and a strong alias still block
    for strong in ["Joseph Kony", "Joseph Rao Kony"] {
        let r = screen(&s, strong);
        assert_eq!(r.decision, Decision::Block, "{strong}");
        assert!(!r.matches[0].weak_alias);
    }
}
