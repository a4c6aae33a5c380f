//! Every order's status on the days around each of its status events, against the bundled pack.

use chrono::NaiveDate;
use ictguard_rules::{RulePack, Status, TransactionKind};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn status(
    pack: &RulePack,
    id: &str,
    day: &str,
    kind: Option<TransactionKind>,
) -> ictguard_rules::OrderStatus {
    pack.status_of(id, d(day), kind)
        .unwrap_or_else(|| panic!("no order {id}"))
}

fn check(pack: &RulePack, id: &str, cases: &[(&str, Status)]) {
    for (day, want) in cases {
        let st = status(pack, id, day, None);
        assert_eq!(st.status, *want, "{id} on {day}: {:?}", st.decided_by);
    }
}

#[test]
fn eo13971_effective_not_implemented_then_revoked() {
    let pack = RulePack::bundled();
    check(
        &pack,
        "EO-13971",
        &[
            ("2021-01-04", Status::NotYetEffective),
            ("2021-01-05", Status::NotYetEffective),
            ("2021-02-18", Status::NotYetEffective),
            ("2021-02-19", Status::InForce),
            ("2021-02-20", Status::InForce),
            ("2021-06-08", Status::InForce),
            ("2021-06-09", Status::Revoked),
            ("2024-01-01", Status::Revoked),
        ],
    );
    let st = status(&pack, "EO-13971", "2021-02-20", None);
    assert!(
        !st.implemented,
        "no transactions were identified under section 1(e)"
    );
    assert_eq!(st.decided_by.event, "identification_pending");
    assert!(status(&pack, "EO-13971", "2021-02-18", None).implemented);
    let rev = status(&pack, "EO-13971", "2021-06-09", None);
    assert_eq!(rev.decided_by.by.as_deref(), Some("EO-14034"));
    assert!(rev.decided_by.citation.unwrap().contains("86 FR 31423"));
}

#[test]
fn wechat_enjoined_the_day_before_it_began() {
    let pack = RulePack::bundled();
    check(
        &pack,
        "EO-13943",
        &[
            ("2020-08-05", Status::NotYetEffective),
            ("2020-09-18", Status::NotYetEffective),
            ("2020-09-19", Status::NotYetEffective),
            ("2020-09-20", Status::Enjoined),
            ("2021-06-08", Status::Enjoined),
            ("2021-06-09", Status::Revoked),
        ],
    );
    let st = status(
        &pack,
        "EO-13943",
        "2020-09-20",
        Some(TransactionKind::Payments),
    );
    assert_eq!(
        st.decided_by.by.as_deref(),
        Some("wechat-users-alliance-v-trump")
    );
    assert!(st.decided_by.citation.unwrap().contains("3:20-cv-05910"));
    // the identification itself: enjoined on the day the injunction came, before its start date
    check(
        &pack,
        "COMMERCE-ID-WECHAT-2020",
        &[
            ("2020-09-17", Status::NotYetEffective),
            ("2020-09-19", Status::NotYetEffective),
            ("2020-09-20", Status::Enjoined),
            ("2021-06-09", Status::Revoked),
        ],
    );
}

#[test]
fn tiktok_items_start_and_are_enjoined_separately() {
    let pack = RulePack::bundled();
    let app_store = Some(TransactionKind::AppStoreDistribution);
    let hosting = Some(TransactionKind::InternetHosting);
    let at = |day, kind| status(&pack, "EO-13942", day, kind).status;
    assert_eq!(at("2020-09-19", app_store), Status::NotYetEffective);
    // EO effective 20 Sept, but the identified app-store item was delayed to 27 Sept
    assert_eq!(at("2020-09-20", app_store), Status::NotYetEffective);
    assert_eq!(at("2020-09-26", app_store), Status::NotYetEffective);
    assert_eq!(at("2020-09-27", app_store), Status::Enjoined);
    // hosting: due 12 Nov, enjoined 30 Oct by Marland
    assert_eq!(at("2020-10-29", hosting), Status::NotYetEffective);
    assert_eq!(at("2020-11-11", hosting), Status::NotYetEffective);
    assert_eq!(at("2020-11-12", hosting), Status::Enjoined);
    let marland = status(&pack, "EO-13942", "2020-11-12", hosting);
    assert_eq!(marland.decided_by.by.as_deref(), Some("marland-v-trump"));
    let later = status(&pack, "EO-13942", "2020-12-08", hosting);
    assert_eq!(
        later.decided_by.by.as_deref(),
        Some("tiktok-v-trump"),
        "the later injunction decides"
    );
    assert_eq!(at("2021-06-09", hosting), Status::Revoked);
    // a kind the identification does not prohibit
    let pay = status(
        &pack,
        "EO-13942",
        "2020-09-28",
        Some(TransactionKind::Payments),
    );
    assert!(!pay.applies_to_kind);
}

#[test]
fn pafaca_in_force_with_enforcement_suspended() {
    let pack = RulePack::bundled();
    check(
        &pack,
        "PAFACA-2024",
        &[
            ("2024-04-23", Status::NotYetEffective),
            ("2024-04-24", Status::NotYetEffective),
            ("2025-01-18", Status::NotYetEffective),
            ("2025-01-19", Status::InForce),
            ("2025-01-20", Status::InForce),
            ("2026-11-24", Status::InForce),
        ],
    );
    assert!(status(&pack, "PAFACA-2024", "2025-01-19", None)
        .enforcement_suspended
        .is_none());
    for (day, by) in [
        ("2025-01-20", "EO-14166"),
        ("2025-04-03", "EO-14166"),
        ("2025-04-04", "EO-14258"),
        ("2025-06-19", "EO-14310"),
        ("2025-09-16", "EO-14350"),
        ("2025-09-25", "EO-14352"),
        ("2026-01-23", "EO-14352"),
    ] {
        let s = status(&pack, "PAFACA-2024", day, None).enforcement_suspended;
        assert_eq!(s.and_then(|s| s.by).as_deref(), Some(by), "on {day}");
    }
    assert!(status(&pack, "PAFACA-2024", "2026-01-24", None)
        .enforcement_suspended
        .is_none());
    assert!(pack.horizon_warning(d("2026-12-07")).is_some());
    assert!(pack.horizon_warning(d("2026-01-24")).is_none());
}

/// A delay of enforcement is law only for its period: after its last day it has lapsed.
#[test]
fn enforcement_delay_orders_lapse_after_their_period() {
    let pack = RulePack::bundled();
    for (id, last, next) in [
        ("EO-14166", "2025-04-05", "2025-04-06"),
        ("EO-14258", "2025-06-19", "2025-06-20"),
        ("EO-14310", "2025-09-17", "2025-09-18"),
        ("EO-14350", "2025-12-16", "2025-12-17"),
    ] {
        assert_eq!(
            status(&pack, id, last, None).status,
            Status::InForce,
            "{id} on {last}"
        );
        let after = status(&pack, id, next, None);
        assert_eq!(after.status, Status::Lapsed, "{id} on {next}");
        assert_eq!(after.decided_by.event, "lapsed");
    }
}

#[test]
fn eo14034_in_force_from_signing() {
    let pack = RulePack::bundled();
    check(
        &pack,
        "EO-14034",
        &[
            ("2021-06-08", Status::NotYetEffective),
            ("2021-06-09", Status::InForce),
        ],
    );
}

#[test]
fn foreign_adversary_list_by_date() {
    let pack = RulePack::bundled();
    let lists = |c: &str, day: &str| -> Vec<String> {
        let mut ids: Vec<String> = pack
            .country_designations(c, d(day))
            .into_iter()
            .map(|(id, _, _)| id.to_string())
            .collect();
        ids.sort();
        ids
    };
    // EO 13873 (2019) named no country; the app orders named the PRC from EO 13942
    assert!(lists("CN", "2020-08-05").is_empty());
    assert_eq!(lists("CN", "2020-08-06"), ["EO-2020-PRC"]);
    assert_eq!(lists("CN", "2021-03-01"), ["EO-2020-PRC"]);
    assert_eq!(lists("cn", "2021-03-22"), ["15-CFR-791.4", "EO-2020-PRC"]);
    // the orders were revoked on 2021-06-09; 791.4 carried on
    assert_eq!(lists("CN", "2021-06-09"), ["15-CFR-791.4"]);
    assert!(lists("RU", "2021-03-21").is_empty());
    assert_eq!(pack.country_designations("CN", d("2024-05-01")).len(), 2);
    assert!(pack.country_designations("FR", d("2024-05-01")).is_empty());
}

#[test]
fn ownership_chains_aggregate() {
    let pack = RulePack::bundled();
    let own = pack.ownership("tiktok-inc", "bytedance").expect("chain");
    assert_eq!(own.percent, 100.0);
    assert_eq!(
        own.chains[0].chain,
        vec!["tiktok-inc", "tiktok-ltd", "bytedance"]
    );
    let alipay = pack.ownership("alipay-com", "alibaba").expect("chain");
    assert!((alipay.percent - 33.0).abs() < 1e-9);
}

#[test]
fn a_stay_blocks_enforcement_until_lifted() {
    let text = r#"
[[case]]
id = "doe-v-us"
caption = "Doe v. United States"
court = "D.D.C."
docket = "1:25-cv-00001"
verification = "verified"

[[order]]
id = "EO-1"
kind = "executive_order"
title = "t"
citation = "1 FR 1"
signed = 2025-01-01
effective = { rule = "on signing", days_after_signing = 0, date = 2025-01-01 }
summary = "s"
covers = { entities = ["acme"] }
verification = "verified"

[[order.prohibition]]
n = 1
kind = "any"
summary = "all"

[[order.event]]
date = 2025-02-01
kind = "stayed"
by = "doe-v-us"
note = "stay pending review"

[[order.event]]
date = 2025-03-01
kind = "injunction_lifted"
by = "doe-v-us"
note = "stay vacated"

[[entity]]
id = "acme"
name = "Acme"
country = "CN"
verification = "verified"
"#;
    let pack = RulePack::from_layers(&[ictguard_rules::Layer::from_files(vec![(
        "p.toml".into(),
        text.into(),
    )])])
    .unwrap();
    check(
        &pack,
        "EO-1",
        &[
            ("2025-01-31", Status::InForce),
            ("2025-02-01", Status::Enjoined),
            ("2025-02-28", Status::Enjoined),
            ("2025-03-01", Status::InForce),
        ],
    );
    assert_eq!(
        status(&pack, "EO-1", "2025-02-01", None).decided_by.event,
        "stayed"
    );
    assert_eq!(
        status(&pack, "EO-1", "2025-03-02", None).decided_by.event,
        "injunction_lifted"
    );
}

/// What a designation means: Venezuela's regime is a foreign adversary under 791.4 and the state a
/// country of concern under 28 CFR 202.601; China was an adversary under the 2020-21 orders long
/// before it was a country of concern.
#[test]
fn country_standing_splits_adversaries_from_countries_of_concern() {
    let pack = RulePack::bundled();
    let lists = |ds: &[ictguard_rules::Designation<'_>]| -> Vec<String> {
        ds.iter().map(|d| d.list.to_string()).collect()
    };
    let ve = pack.country_standing("VE", d("2025-06-01"));
    assert_eq!(lists(&ve.adversary), ["15-CFR-791.4"]);
    assert_eq!(lists(&ve.concern), ["28-CFR-202.601"]);
    let cn = pack.country_standing("CN", d("2021-03-01"));
    assert_eq!(lists(&cn.adversary), ["EO-2020-PRC"]);
    assert!(cn.concern.is_empty());
    assert!(pack
        .country_standing("FR", d("2025-06-01"))
        .adversary
        .is_empty());
}
