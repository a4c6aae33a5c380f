//! Manifest references resolved through `resources.arsc`, against Debian's `aapt dump badging`
//! (recorded in `tests/golden/aapt_labels.jsonl` by `tests/golden/aapt_labels.py`: every corpus APK
//! whose application label or versionName is a resource reference).

use ictguard_apk::Apk;
use serde_json::Value;
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/apk")
}

#[test]
fn references_resolve_as_aapt_does() {
    let golden = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/aapt_labels.jsonl"),
    )
    .unwrap();
    let mut compared = 0;
    let mut differences = Vec::new();
    for line in golden.lines() {
        let want: Value = serde_json::from_str(line).unwrap();
        let file = want["file"].as_str().unwrap();
        let bytes = std::fs::read(corpus().join(file)).unwrap();
        let summary = Apk::parse(&bytes).unwrap().summary_with(false);
        if let Some(label) = want.get("label") {
            let got = summary.application.label.clone();
            if got.as_deref() != label.as_str() {
                differences.push(format!("{file}: label {got:?}, aapt {label}"));
            }
            compared += 1;
        }
        if let Some(version) = want.get("version_name") {
            let got = summary.version_name.clone();
            if got.as_deref() != version.as_str() {
                differences.push(format!("{file}: versionName {got:?}, aapt {version}"));
            }
            compared += 1;
        }
    }
    assert!(compared >= 300, "only {compared} values compared");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
