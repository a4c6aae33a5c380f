//! Vetting the APKs built for these tests (`crates/ictguard-apk/tests/built`: known SDK classes, a
//! covered app's package id, a covered company's certificate, Chinese and Russian endpoints, a
//! clean app) and a sample of the shared corpus.

use chrono::NaiveDate;
use ictguard_rules::RulePack;
use ictguard_vet::{Knowledge, Recommendation, Report, Risk, Suppressions, Vetter};
use std::path::PathBuf;

fn built(name: &str) -> (String, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../ictguard-apk/tests/built/apk")
        .join(name);
    (name.to_string(), std::fs::read(path).unwrap())
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn vetter() -> Vetter {
    Vetter::new(RulePack::bundled(), Knowledge::bundled())
}

fn vet(v: &Vetter, name: &str, date: &str) -> Report {
    let (file, bytes) = built(name);
    v.vet(&file, &bytes, day(date)).unwrap()
}

fn finding<'a>(r: &'a Report, key: &str) -> Option<&'a ictguard_vet::Finding> {
    r.findings.iter().find(|f| f.key == key)
}

#[test]
fn chinese_sdk_endpoint_and_posture_with_evidence() {
    let r = vet(&vetter(), "refs.apk", "2026-11-25");
    let sdk = r
        .sdks
        .iter()
        .find(|s| s.name.contains("Umeng"))
        .expect("Umeng found");
    assert_eq!(sdk.country.as_deref(), Some("CN"));
    assert!(sdk.foreign_adversary);
    assert!(sdk.data_reached.contains(&"precise_location".to_string()));
    let f = finding(&r, &format!("IG-SDK-ADVERSARY:{}", sdk.name)).unwrap();
    assert!(f
        .evidence
        .iter()
        .any(|e| e.file == "classes.dex" && e.item == "com.umeng.analytics.MobclickAgent"));
    let e = r
        .endpoints
        .iter()
        .find(|e| e.host == "collect.example.cn")
        .unwrap();
    assert_eq!(e.country.as_deref(), Some("CN"));
    assert_eq!(
        e.url.as_deref(),
        Some("https://collect.example.cn/v1/upload")
    );
    assert!(finding(&r, "IG-ENDPOINT-ADVERSARY:collect.example.cn").is_some());
    assert!(finding(&r, "IG-POSTURE-DEBUGGABLE").is_some());
    assert!(finding(&r, "IG-DATA-ACCESS:precise_location").is_some());
    assert!(finding(&r, "IG-ADVERSARY-DATA-REACH").is_some());
    assert!(r.risk >= Risk::Moderate);
    assert_eq!(r.recommendation, Recommendation::Restrict);
    assert!(r.conditions.iter().any(|c| c.contains("Umeng")));
    assert!(r
        .conditions
        .iter()
        .any(|c| c.contains("collect.example.cn")));
    assert!(r.attribution.iter().any(|a| a.contains("Exodus Privacy")));
    // the score is the sum of the findings' points
    assert_eq!(
        r.score,
        r.findings.iter().map(|f| f.points).sum::<u32>().min(100)
    );
}

#[test]
fn covered_package_id_follows_the_orders_dates() {
    let v = vetter();
    // EO 13971 in force, not implemented (Commerce identified nothing): review-level match
    let r = vet(&v, "covered.apk", "2021-03-01");
    let c = &r.covered[0];
    assert_eq!(
        (c.id.as_str(), c.matched_by.as_str()),
        ("camscanner", "package")
    );
    let order = c.orders.iter().find(|o| o.id == "EO-13971").unwrap();
    assert!(!order.implemented);
    assert!(finding(&r, "IG-COVERED-APP:camscanner").is_some());
    assert!(r.risk >= Risk::High, "{:?} {}", r.risk, r.score);
    // after EO 14034 revoked it: still reported, weighs less
    let later = vet(&v, "covered.apk", "2026-11-25");
    let order = later.covered[0]
        .orders
        .iter()
        .find(|o| o.id == "EO-13971")
        .unwrap();
    assert_eq!(serde_json::to_value(order.status).unwrap(), "revoked");
    assert!(later.score < r.score);
}

#[test]
fn covered_company_certificate_and_adversary_signer() {
    let v = vetter();
    let r = vet(&v, "tencent.apk", "2026-11-25");
    let c = r.covered.iter().find(|c| c.matched_by == "signer").unwrap();
    assert_eq!(c.id, "tencent");
    assert!(r.findings.iter().any(|f| f.rule == "IG-SIGNER-ADVERSARY"));
    // before 15 CFR 7.4 (2021-03-22) the 2020-21 app orders named the PRC (from EO 13942 of
    // 2020-08-06); before them no instrument named a country
    let adversary = |day| {
        vet(&v, "tencent.apk", day)
            .findings
            .iter()
            .any(|f| f.rule == "IG-SIGNER-ADVERSARY")
    };
    assert!(adversary("2021-03-01"));
    assert!(!adversary("2020-08-05"));
}

#[test]
fn a_repackaged_covered_app_is_found_by_its_key() {
    let (file, bytes) = built("v1only.apk");
    let plain = vetter().vet(&file, &bytes, day("2021-03-01")).unwrap();
    assert!(plain.covered.is_empty());
    // a pack that records the key of WPS Office (here: the test key that signs v1only.apk)
    let mut pack = RulePack::bundled();
    let sha = plain.signers[0].sha256.clone();
    pack.apps
        .iter_mut()
        .find(|a| a.item.id == "wps-office")
        .unwrap()
        .item
        .certificates
        .push(sha.clone());
    let r = Vetter::new(pack, Knowledge::bundled())
        .vet(&file, &bytes, day("2021-03-01"))
        .unwrap();
    let f = finding(&r, "IG-COVERED-CERT:wps-office").unwrap();
    assert!(f.message.contains("repackaged"), "{}", f.message);
    assert_eq!(f.evidence[0].item, sha);
    assert_eq!(r.covered[0].matched_by, "certificate");
}

#[test]
fn a_clean_app_stays_low() {
    let r = vet(&vetter(), "clean.apk", "2026-11-25");
    assert_eq!(
        (r.risk, r.score, r.recommendation),
        (Risk::Low, 0, Recommendation::Allow)
    );
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(r.sdks.is_empty());
    let e = r
        .endpoints
        .iter()
        .find(|e| e.host == "api.example.com")
        .unwrap();
    assert!(!e.foreign_adversary && e.country.is_none());
}

#[test]
fn nested_code_is_vetted_too() {
    let r = vet(&vetter(), "nested.apk", "2026-11-25");
    let e = r
        .endpoints
        .iter()
        .find(|e| e.host == "plugin.example.ru")
        .unwrap();
    assert_eq!(e.country.as_deref(), Some("RU"));
    assert_eq!(e.evidence[0].file, "assets/plugin.jar!classes.dex");
    assert!(r
        .endpoints
        .iter()
        .any(|e| e.host == "203.0.113.7" && e.cleartext));
}

#[test]
fn suppressions_are_applied_visibly() {
    let text = r#"
[[suppression]]
finding = "IG-POSTURE-DEBUGGABLE"
package = "com.example.refs"
who = "A. Reviewer"
when = 2026-11-20
why = "internal test build, never distributed"
"#;
    let plain = vet(&vetter(), "refs.apk", "2026-11-25");
    let v = vetter().with_suppressions(Suppressions::parse(text).unwrap());
    let r = vet(&v, "refs.apk", "2026-11-25");
    assert!(finding(&r, "IG-POSTURE-DEBUGGABLE").is_none());
    let s = r
        .suppressed
        .iter()
        .find(|f| f.key == "IG-POSTURE-DEBUGGABLE")
        .unwrap();
    assert_eq!(s.suppressed.as_ref().unwrap().who, "A. Reviewer");
    assert_eq!(r.score, plain.score - 8);
}

#[test]
fn corpus_sample_vets_without_failure() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/apk");
    let oracle = std::fs::read_to_string(corpus.join("ORACLE.jsonl")).unwrap();
    let v = vetter();
    let mut vetted = 0;
    for line in oracle.lines().step_by(7) {
        let rec: serde_json::Value = serde_json::from_str(line).unwrap();
        if rec["aapt_ok"] != true {
            continue;
        }
        let file = rec["file"].as_str().unwrap();
        let bytes = std::fs::read(corpus.join(file)).unwrap();
        let r = v.vet(file, &bytes, day("2026-11-25")).unwrap();
        assert!(r.score <= 100);
        assert_eq!(
            r.score,
            r.findings.iter().map(|f| f.points).sum::<u32>().min(100)
        );
        for f in &r.findings {
            assert!(!f.evidence.is_empty(), "{file}: {} without evidence", f.key);
        }
        vetted += 1;
    }
    assert!(vetted >= 40, "{vetted}");
}

/// `docs/vetting-rules.md` shows the scoring table: a row per rule, in the table's order, each
/// the rule's id, text, points by severity, criteria and cap.
#[test]
fn the_scoring_table_doc_is_the_code() {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/vetting-rules.md"),
    )
    .unwrap();
    let expected: Vec<String> = ictguard_vet::rules::all()
        .iter()
        .map(|rule| {
            let points: Vec<String> = rule
                .points()
                .iter()
                .map(|(severity, points)| format!("{} {points}", severity.as_str()))
                .collect();
            let criteria: Vec<&str> = rule.criteria().iter().map(|c| c.id()).collect();
            format!(
                "| `{}` | {} | {} | {} | {} |",
                rule.id(),
                rule.text(),
                points.join(", "),
                criteria.join(", "),
                rule.cap()
            )
        })
        .collect();
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with("| `IG-")).collect();
    for row in &expected {
        assert!(
            rows.contains(&row.as_str()),
            "docs/vetting-rules.md lacks the row\n{row}"
        );
    }
    assert_eq!(
        rows, expected,
        "docs/vetting-rules.md: rows not in the table, or out of order"
    );
}

#[test]
fn an_override_replaces_the_recommendation_visibly() {
    let text = r#"
[[override]]
package = "com.example.refs"
recommendation = "allow"
who = "CISO"
when = 2026-11-21
why = "pilot, memo 2026-114"
until = 2027-02-21
"#;
    let v = vetter().with_suppressions(Suppressions::parse(text).unwrap());
    let r = vet(&v, "refs.apk", "2026-11-25");
    assert_eq!(r.recommendation, Recommendation::Allow);
    let o = r.override_.as_ref().unwrap();
    assert_eq!(
        (o.computed, o.who.as_str()),
        (Recommendation::Restrict, "CISO")
    );
    assert!(r
        .reasons
        .iter()
        .any(|x| x.contains("overridden to allow by CISO")));
    assert!(r.score > 0, "the score is the assessment's, untouched");
    // after it ends, the computed recommendation stands, with a warning
    let later = vet(&v, "refs.apk", "2027-03-01");
    assert_eq!(later.recommendation, Recommendation::Restrict);
    assert!(later.override_.is_none());
    assert!(later.warnings.iter().any(|w| w.contains("expired")));
    // other packages are untouched
    assert!(vet(&v, "tencent.apk", "2026-11-25").override_.is_none());
}

#[test]
fn strings_that_cannot_be_read_make_the_analysis_incomplete_not_silent() {
    // a DEX file whose string ids all point into one run with no NUL anywhere: no string can be
    // read, and the report must say so rather than show an app with no strings
    let bytes = ictguard_apk::hostile::dex_strings(256 << 10, false);
    let r = vetter()
        .vet("unterminated.apk", &bytes, day("2026-11-25"))
        .unwrap();
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("analysis incomplete") && w.contains("malformed")),
        "{:?}",
        r.warnings
    );
    assert!(r
        .findings
        .iter()
        .any(|f| f.rule == "IG-ANALYSIS-INCOMPLETE"));
    assert_ne!(r.recommendation, Recommendation::Allow);
}
