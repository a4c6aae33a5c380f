//! Vetting the crafted APKs of `crates/ictguard-apk/tests/built/derived` (made by `derive.py` from
//! the built ones; `derived.jsonl` holds what apksigner and aapt said of each): a second v2 block
//! from a Chinese signer appended to a clean app, a tampered and an unsigned JAR-signed app, the
//! Janus shape, a degenerate DSA key that "signs" anything, and an app built for a preview
//! platform's codename. The library's verdicts for the same files are pinned in
//! `crates/ictguard-apk/tests/verdicts.rs`.

use chrono::NaiveDate;
use ictguard_rules::RulePack;
use ictguard_vet::{Finding, Knowledge, Recommendation, Report, Risk, Severity, Vetter};
use serde_json::Value;
use std::path::PathBuf;

fn built_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ictguard-apk/tests/built")
}

fn vetter() -> Vetter {
    Vetter::new(RulePack::bundled(), Knowledge::bundled())
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

/// Vet a file of `tests/built/` (`derived/x.apk` or `apk/x.apk`) as of 2026-11-25.
fn vet(v: &Vetter, path: &str) -> Report {
    let bytes = std::fs::read(built_dir().join(path)).unwrap();
    v.vet(path, &bytes, as_of()).unwrap()
}

/// What the peers said of a file (`derived.jsonl` or `expected.jsonl`).
fn recorded(jsonl: &str, file: &str) -> Value {
    std::fs::read_to_string(built_dir().join(jsonl))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["file"] == file)
        .unwrap_or_else(|| panic!("{file} is not in {jsonl}"))
}

fn by_rule<'a>(r: &'a Report, rule: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

fn rules(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule.as_str()).collect()
}

/// The one finding of a rule, which must be there.
fn only<'a>(r: &'a Report, rule: &str) -> &'a Finding {
    match by_rule(r, rule)[..] {
        [f] => f,
        _ => panic!("{}: one {rule} finding expected: {:?}", r.file, rules(r)),
    }
}

/// The appended block carries tencent.apk's certificate (C=CN, a covered company's name), but
/// Android never reads a second v2 block: the app's signer is clean's (C=US), so nothing about the
/// foreign signer counts, and the app stays where clean.apk is. The extra certificate is reported
/// (IG-SIGNATURE-EXTRA, low), as the mark of a crafted or re-processed file.
#[test]
fn an_appended_foreign_block_does_not_make_the_signer_foreign() {
    let v = vetter();
    let r = vet(&v, "derived/appended-block.apk");
    let clean = vet(&v, "apk/clean.apk");
    let tencent_sha = recorded("expected.jsonl", "tencent.apk")["signer_sha256"][0]
        .as_str()
        .unwrap()
        .to_string();
    let peer = recorded("derived.jsonl", "appended-block.apk");
    assert!(
        by_rule(&r, "IG-SIGNER-ADVERSARY").is_empty(),
        "{:?}",
        rules(&r)
    );
    assert!(
        by_rule(&r, "IG-COVERED-SIGNER").is_empty(),
        "{:?}",
        rules(&r)
    );
    assert!(r.covered.is_empty(), "{:?}", r.covered);
    let signers: Vec<&str> = r.signers.iter().map(|s| s.sha256.as_str()).collect();
    assert_eq!(signers, [peer["signer_sha256"][0].as_str().unwrap()]);
    assert_eq!(r.signers[0].country.as_deref(), Some("US"));
    let extra = only(&r, "IG-SIGNATURE-EXTRA");
    assert!(
        extra.evidence.iter().any(|e| e.item == tencent_sha
            && e.detail
                .as_deref()
                .unwrap_or("")
                .contains("ignored by Android")),
        "{:?}",
        extra.evidence
    );
    assert!(r
        .other_certificates
        .iter()
        .any(|o| o.sha256 == tencent_sha && o.status == "ignored by Android"));
    // the same risk and recommendation as clean.apk itself
    assert_eq!(
        (clean.risk, clean.recommendation),
        (Risk::Low, Recommendation::Allow)
    );
    assert_eq!(
        (r.risk, r.recommendation),
        (clean.risk, clean.recommendation)
    );
    // nothing else than the extra certificate sets it apart from clean.apk
    assert_eq!(rules(&r), ["IG-SIGNATURE-EXTRA"]);
}

/// A JAR-signed app changed after signing, and the same app without signature files: Android
/// refuses both (as apksigner does), so the app cannot be tied to any developer.
#[test]
fn tampered_and_unsigned_apps_are_prohibited() {
    let v = vetter();
    for (file, title) in [
        ("tampered-v1.apk", "the signature does not verify"),
        ("unsigned.apk", "unsigned"),
    ] {
        assert_eq!(recorded("derived.jsonl", file)["verifies"], false, "{file}");
        let r = vet(&v, &format!("derived/{file}"));
        let f = only(&r, "IG-SIGNATURE-INVALID");
        assert_eq!(f.severity, Severity::Critical, "{file}");
        assert!(f.title.starts_with(title), "{file}: {}", f.title);
        assert!(f.message.contains("Android"), "{file}: {}", f.message);
        assert_ne!(r.recommendation, Recommendation::Allow, "{file}");
        assert_eq!(
            (r.risk, r.recommendation),
            (Risk::Critical, Recommendation::Prohibit),
            "{file}"
        );
        assert!(r.signers.is_empty(), "{file}: {:?}", r.signers);
    }
    // the tampered file names what was changed
    let r = vet(&v, "derived/tampered-v1.apk");
    let f = only(&r, "IG-SIGNATURE-INVALID");
    assert!(
        f.evidence.iter().any(|e| e.file == "META-INF"
            && e.detail.as_deref().unwrap_or("").contains("resources.arsc")),
        "{:?}",
        f.evidence
    );
}

/// The Janus shape: a DEX file in front of a JAR-signed-only app installable below API 24. apksigner
/// says the signature verifies (it does: the entries are untouched), and unpatched Android runs the
/// DEX while checking that signature; patched Android refuses the file. Either way, prohibit.
#[test]
fn a_dex_in_front_of_a_v1_only_app_is_critical() {
    let peer = recorded("derived.jsonl", "janus.apk");
    assert_eq!(peer["verifies"], true);
    let r = vet(&vetter(), "derived/janus.apk");
    let f = only(&r, "IG-ARCHIVE-PREFIX");
    assert_eq!(f.severity, Severity::Critical);
    let prefix = peer["made"]["leading_bytes"].as_u64().unwrap();
    assert_eq!(f.evidence[0].item, format!("bytes 0..{prefix}"));
    assert_eq!(f.evidence[0].detail.as_deref(), Some("DEX header"));
    assert!(f.message.contains("CVE-2017-13156"), "{}", f.message);
    assert_eq!(
        (r.risk, r.recommendation),
        (Risk::Critical, Recommendation::Prohibit)
    );
    // the signature itself is fine, and is not reported as invalid
    assert!(by_rule(&r, "IG-SIGNATURE-INVALID").is_empty());
    assert_eq!(r.signers.len(), 1);
}

/// JAR-signed by a degenerate DSA key (g = y = p − 1, r = s = 1): apksigner accepts it (the JDK's
/// DSA does not check the key; the recorded answer says so), but the "signature" holds for half of
/// all messages and no private key exists, so it ties the app to no one. ictguard refuses the key
/// (y is not in the subgroup of order q), and the app is treated as one whose signature does not
/// verify.
#[test]
fn a_forgeable_dsa_signature_is_invalid() {
    let peer = recorded("derived.jsonl", "degenerate-dsa.apk");
    assert_eq!(peer["verifies"], true);
    let forged = peer["signer_sha256"][0].as_str().unwrap();
    let r = vet(&vetter(), "derived/degenerate-dsa.apk");
    let f = only(&r, "IG-SIGNATURE-INVALID");
    assert_eq!(f.severity, Severity::Critical);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.detail.as_deref().unwrap_or("").contains("DSA key")),
        "{:?}",
        f.evidence
    );
    assert_eq!(
        (r.risk, r.recommendation),
        (Risk::Critical, Recommendation::Prohibit)
    );
    assert!(r.signers.is_empty(), "{:?}", r.signers);
    assert!(r
        .other_certificates
        .iter()
        .any(|o| o.sha256 == forged && o.status == "does not verify"));
}

/// An app built for a preview platform's codename: Android applies it as API level 10000, so no
/// old-target permissions are implied (aapt's badging prints them, wrongly: see the apk crate's
/// tests/verdicts.rs) and cleartext traffic is off by default (targetSdkVersion ≥ 28). The manifest
/// leaves usesCleartextTraffic unset and requests no permission, so any data finding, or a
/// cleartext finding, would come from reading the codename as a low target.
#[test]
fn a_preview_codename_is_reported_without_old_target_defaults() {
    let v = vetter();
    let peer = recorded("derived.jsonl", "preview-sdk.apk");
    // what a codename read as "no target" would imply, and aapt does
    assert!(!peer["aapt_implied_permissions"]
        .as_array()
        .unwrap()
        .is_empty());
    let r = vet(&v, "derived/preview-sdk.apk");
    assert!(r.permissions.is_empty(), "{:?}", r.permissions);
    assert!(by_rule(&r, "IG-DATA-ACCESS").is_empty(), "{:?}", rules(&r));
    assert!(
        by_rule(&r, "IG-POSTURE-CLEARTEXT").is_empty(),
        "{:?}",
        rules(&r)
    );
    let f = only(&r, "IG-POSTURE-PREVIEW-SDK");
    assert_eq!(f.severity, Severity::Info);
    assert!(f.title.contains("VanillaIceCream"), "{}", f.title);
    assert_eq!(
        (r.risk, r.recommendation),
        (Risk::Low, Recommendation::Allow)
    );
    // the contrast: an app whose target really is old (v1only.apk, minSdk 3 and no target) is
    // given the implied permissions, and the data findings they open
    let old = vet(&v, "apk/v1only.apk");
    assert!(old.permissions.iter().any(|p| p.implied));
    assert!(!by_rule(&old, "IG-DATA-ACCESS").is_empty());
}
