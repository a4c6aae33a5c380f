//! The classification rules of 28 CFR 202 as the audit applies them: each threshold at its boundary,
//! the combination rule, the 12-month window's edges, government-related data, ownership reaching a
//! covered person, exemptions, dates.

use chrono::NaiveDate;
use ictguard_flows::record::{category_bits, Transfer};
use ictguard_flows::{Auditor, Classification};
use ictguard_rules::RulePack;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct T<'a> {
    date: &'a str,
    who: &'a str,
    country: &'a str,
    parent: Option<&'a str>,
    kind: &'a str,
    cats: &'a [&'a str],
    n: u64,
    gov: bool,
    exemption: Option<&'a str>,
}

impl<'a> T<'a> {
    fn new(date: &'a str, kind: &'a str, cats: &'a [&'a str], n: u64) -> T<'a> {
        T {
            date,
            who: "Shenzhen Data Co.",
            country: "CN",
            parent: None,
            kind,
            cats,
            n,
            gov: false,
            exemption: None,
        }
    }
    fn transfer(&self, line: u64) -> Transfer {
        Transfer {
            line,
            date: day(self.date),
            counterparty: self.who.into(),
            country: self.country.into(),
            parent: self.parent.map(str::to_string),
            kind: self.kind.into(),
            categories: category_bits(self.cats).unwrap(),
            us_persons: self.n,
            government_related: self.gov,
            exemption: self.exemption.map(str::to_string),
        }
    }
}

fn auditor() -> Auditor {
    Auditor::new(RulePack::bundled(), "28-CFR-202", None).unwrap()
}

/// Classify transfers in order; the last one's result.
fn last(ts: &[T]) -> ictguard_flows::TransferResult {
    let mut a = auditor();
    let mut out = None;
    for (i, t) in ts.iter().enumerate() {
        out = Some(a.classify(&t.transfer(i as u64 + 2)).unwrap());
    }
    out.unwrap()
}

#[test]
fn every_threshold_at_its_boundary() {
    let pack = RulePack::bundled();
    let rule = pack.data_rule("28-CFR-202").unwrap();
    assert_eq!(rule.threshold.len(), 7);
    for th in &rule.threshold {
        let cats = [th.category.as_str()];
        for (n, bulk) in [
            (th.more_than - 1, false),
            (th.more_than, false),
            (th.more_than + 1, true),
        ] {
            let r = last(&[T::new("2025-06-02", "vendor", &cats, n)]);
            let omic = th.category == "genomic" || th.category == "other_omic";
            let want = match (bulk, omic) {
                (false, _) => Classification::BelowThreshold,
                (true, true) => Classification::Prohibited, // 202.303, whatever the agreement
                (true, false) => Classification::Restricted,
            };
            assert_eq!(
                r.classification, want,
                "{} {n}: {:?}",
                th.category, r.reasons
            );
            assert_eq!(r.figures[0].window_total, n);
            assert_eq!(r.figures[0].threshold, th.more_than);
        }
    }
}

#[test]
fn combined_categories_take_the_lowest_threshold() {
    // 900 health records, then 200 health+biometric: neither category crosses its own threshold
    // (health 1,100 of 10,000; biometric 200 of 1,000) but the combination (1,100) crosses 1,000
    let r = last(&[
        T::new("2025-06-02", "data_brokerage", &["health"], 900),
        T::new(
            "2025-06-03",
            "data_brokerage",
            &["health", "biometric"],
            200,
        ),
    ]);
    assert_eq!(
        r.classification,
        Classification::Prohibited,
        "{:?}",
        r.reasons
    );
    let combined = r
        .figures
        .iter()
        .find(|f| f.category.starts_with("combined"))
        .unwrap();
    assert_eq!(
        (combined.window_total, combined.threshold, combined.bulk),
        (1100, 1000, true)
    );
    assert!(r
        .figures
        .iter()
        .filter(|f| !f.category.starts_with("combined"))
        .all(|f| !f.bulk));
    // one category alone: no combination
    let r = last(&[T::new("2025-06-02", "data_brokerage", &["health"], 1100)]);
    assert_eq!(r.classification, Classification::BelowThreshold);
}

#[test]
fn the_twelve_month_window_edges() {
    // the same day twelve months earlier falls outside the window; the day after it inside
    let outside = last(&[
        T::new("2025-05-01", "vendor", &["biometric"], 600),
        T::new("2026-05-01", "vendor", &["biometric"], 500),
    ]);
    assert_eq!(outside.figures[0].window_total, 500);
    assert_eq!(outside.classification, Classification::BelowThreshold);
    let inside = last(&[
        T::new("2025-05-02", "vendor", &["biometric"], 600),
        T::new("2026-05-01", "vendor", &["biometric"], 500),
    ]);
    assert_eq!(inside.figures[0].window_total, 1100);
    assert_eq!(inside.classification, Classification::Restricted);
}

#[test]
fn government_related_data_counts_at_any_volume() {
    let mut t = T::new("2025-06-02", "vendor", &["precise_geolocation"], 1);
    t.gov = true;
    assert_eq!(last(&[t]).classification, Classification::Restricted);
    let mut t = T::new("2025-06-02", "data_brokerage", &["personal_identifiers"], 3);
    t.gov = true;
    let r = last(&[t]);
    assert_eq!(r.classification, Classification::Prohibited);
    assert!(r.reasons.iter().any(|x| x.contains("202.222")));
}

#[test]
fn ownership_reaches_a_covered_person() {
    // a Singapore company owned by Tencent: a covered person through its parent
    let mut t = T::new("2025-06-02", "data_brokerage", &["financial"], 20_000);
    t.who = "Lion City Analytics Pte. Ltd.";
    t.country = "SG";
    t.parent = Some("Tencent Holdings Ltd.");
    let r = last(&[t]);
    assert_eq!(
        r.classification,
        Classification::Prohibited,
        "{:?}",
        r.reasons
    );
    let concern = r.concern.unwrap();
    assert_eq!(concern.basis, "covered_person");
    assert!(concern.detail.contains("Tencent"), "{}", concern.detail);
    // without the parent: a foreign person outside the countries of concern (202.302 terms)
    let mut t = T::new("2025-06-02", "data_brokerage", &["financial"], 20_000);
    t.who = "Lion City Analytics Pte. Ltd.";
    t.country = "SG";
    let r = last(&[t]);
    assert_eq!(r.classification, Classification::Restricted);
    assert_eq!(r.section.as_deref(), Some("202.302"));
    // a vendor in Germany: not covered
    let mut t = T::new("2025-06-02", "vendor", &["financial"], 20_000);
    t.who = "Berlin Hosting GmbH";
    t.country = "DE";
    assert_eq!(last(&[t]).classification, Classification::NotCovered);
}

#[test]
fn exemptions_other_kinds_and_dates() {
    let mut t = T::new("2025-06-02", "vendor", &["financial"], 50_000);
    t.exemption = Some("financial_services");
    let r = last(&[t]);
    assert_eq!(
        (r.classification, r.section.as_deref()),
        (Classification::Exempt, Some("202.505"))
    );
    let r = last(&[T::new("2025-06-02", "other", &["financial"], 50_000)]);
    assert_eq!(r.classification, Classification::NotCovered);
    // before the rule took effect, and the same transfer judged as of a later date
    let early = T::new("2025-04-07", "data_brokerage", &["financial"], 50_000);
    assert_eq!(last(&[early]).classification, Classification::NotCovered);
    let mut a = Auditor::new(RulePack::bundled(), "28-CFR-202", Some(day("2025-04-08"))).unwrap();
    let r = a
        .classify(&T::new("2025-04-07", "data_brokerage", &["financial"], 50_000).transfer(2))
        .unwrap();
    assert_eq!(r.classification, Classification::Prohibited);
}

#[test]
fn out_of_order_input_is_refused_and_summaries_add_up() {
    let mut a = auditor();
    a.classify(&T::new("2025-06-02", "vendor", &["health"], 20_000).transfer(2))
        .unwrap();
    a.classify(&T::new("2025-06-03", "vendor", &["health"], 5).transfer(3))
        .unwrap();
    assert!(a
        .classify(&T::new("2025-06-01", "vendor", &["health"], 5).transfer(4))
        .is_err());
    let s = &a.summaries()[0];
    assert_eq!(
        (s.transfers, s.us_persons, s.worst),
        (2, 20_005, Classification::Restricted)
    );
}
