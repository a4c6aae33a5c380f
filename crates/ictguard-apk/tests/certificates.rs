//! Signer certificate fields against OpenJDK's `keytool -printcert -jarfile`, recorded in
//! `tests/golden/keytool.jsonl` by `tests/golden/keytool.py` (every distinct v1 signer certificate
//! in the corpus: RSA, EC and DSA keys).

use ictguard_apk::Apk;
use serde_json::Value;
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/apk")
}

#[test]
fn certificates_agree_with_keytool() {
    let golden = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/keytool.jsonl"),
    )
    .unwrap();
    let mut compared = 0;
    for line in golden.lines() {
        let want: Value = serde_json::from_str(line).unwrap();
        let file = want["file"].as_str().unwrap();
        let bytes = std::fs::read(corpus().join(file)).unwrap();
        let apk = Apk::parse(&bytes).unwrap();
        let sigs = apk.signatures();
        let sha256 = want["sha256"].as_str().unwrap();
        let got = sigs
            .certificates
            .iter()
            .find(|c| c.sha256 == sha256)
            .unwrap_or_else(|| panic!("{file}: certificate {sha256} not found"));
        assert_eq!(got.sha1, want["sha1"].as_str().unwrap(), "{file}: sha1");
        assert_eq!(
            got.subject.as_deref(),
            want["owner"].as_str(),
            "{file}: subject"
        );
        assert_eq!(
            got.issuer.as_deref(),
            want["issuer"].as_str(),
            "{file}: issuer"
        );
        let serial = got.serial.as_deref().unwrap_or("").trim_start_matches('0');
        assert_eq!(serial, want["serial"].as_str().unwrap(), "{file}: serial");
        assert_eq!(
            got.key_algorithm.as_deref(),
            want["key"].as_str(),
            "{file}: key"
        );
        assert_eq!(
            got.key_bits.map(|b| b as u64),
            want["key_bits"].as_u64(),
            "{file}: key size"
        );
        compared += 1;
    }
    assert!(compared >= 25, "only {compared} certificates compared");
}

#[test]
fn summary_signers_carry_subject_and_country() {
    let bytes = std::fs::read(corpus().join("tests/com.politedroid_4.apk")).unwrap();
    let summary = Apk::parse(&bytes).unwrap().summary();
    let signer = &summary.signers[0].certificate;
    assert_eq!(signer.organization.as_deref(), Some("Guardian Project"));
    assert_eq!(signer.country.as_deref(), Some("US"));
    assert_eq!(
        signer.common_name.as_deref(),
        Some("Hans-Christoph Steiner")
    );
    assert!(signer.self_signed);
    assert_eq!(signer.not_after.as_deref(), Some("2041-11-08T16:32:12Z"));
}
