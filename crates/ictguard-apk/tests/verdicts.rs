//! Crafted APKs derived from the built ones (`tests/built/derive.py`): a second v2 block appended
//! to the signing block, a JAR-signed APK changed after signing, the same stripped of its
//! signature, a DEX file in front of it (Janus), a JAR signature by a degenerate DSA key that
//! "signs" anything, and an app built for a preview platform's codename. `tests/built/derived.jsonl`
//! holds what `apksigner verify -v --print-certs` and `aapt dump badging` said of each; ictguard's
//! verdicts are pinned against them here, and where the peer is known to differ from Android, the
//! test asserts both answers and says why ictguard follows Android.

use ictguard_apk::{Apk, Summary};
use serde_json::Value;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/built")
}

/// The line of a JSON Lines file whose `file` is `file`.
fn line_of(jsonl: &str, file: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(jsonl)).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["file"] == file)
        .unwrap_or_else(|| panic!("{file} is not in {jsonl}"))
}

/// What the peers said of a derived file.
fn recorded(file: &str) -> Value {
    line_of("derived.jsonl", file)
}

/// What the peers said of a built file (tests/built/expected.jsonl).
fn built(file: &str) -> Value {
    line_of("expected.jsonl", file)
}

fn bytes(file: &str) -> Vec<u8> {
    std::fs::read(dir().join("derived").join(file)).unwrap()
}

fn summary(file: &str) -> Summary {
    Apk::parse(&bytes(file)).unwrap().summary()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

fn signers(s: &Summary) -> Vec<&str> {
    s.signers
        .iter()
        .map(|x| x.certificate.sha256.as_str())
        .collect()
}

fn installs(s: &Summary) -> bool {
    s.install
        .as_ref()
        .expect("signatures were verified")
        .installs
}

fn v1_verdict(s: &Summary) -> &ictguard_apk::signing::Verdict {
    s.signature_verification
        .iter()
        .find(|v| v.scheme == "v1")
        .expect("a v1 verdict")
}

#[test]
fn every_derived_file_is_recorded_and_small() {
    let text = std::fs::read_to_string(dir().join("derived.jsonl")).unwrap();
    let files: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        files,
        [
            "appended-block.apk",
            "tampered-v1.apk",
            "unsigned.apk",
            "janus.apk",
            "degenerate-dsa.apk",
            "preview-sdk.apk"
        ]
    );
    for file in &files {
        let len = bytes(file).len();
        assert!(len < 16 << 10, "{file}: {len} bytes");
    }
}

/// clean.apk with tencent.apk's v2 pair appended after its own blocks: Android and apksig read the
/// first pair of each scheme id (`findApkSignatureSchemeBlock`), so clean's signer is the only
/// one, and tencent's certificate is carried but never read.
#[test]
fn an_appended_v2_block_is_ignored_as_android_ignores_it() {
    let want = recorded("appended-block.apk");
    let clean = built("clean.apk");
    let tencent = built("tencent.apk");
    // the peer: verifies, with clean's signer alone
    assert_eq!(want["verifies"], true);
    assert_eq!(want["signer_sha256"], clean["signer_sha256"]);
    assert_eq!(strings(&want["signer_sha256"]).len(), 1);

    let s = summary("appended-block.apk");
    assert!(installs(&s), "{:?}", s.install);
    assert_eq!(signers(&s), strings(&want["signer_sha256"]));
    assert_eq!(
        s.signers[0].certificate.subject.as_deref(),
        Some(strings(&want["signer_dn"])[0])
    );
    let schemes = s.schemes.unwrap();
    assert_eq!(
        (schemes.v2, schemes.v3),
        (want["schemes"]["v2"] == true, want["schemes"]["v3"] == true)
    );
    let tencent_sha = strings(&tencent["signer_sha256"])[0];
    let other = s
        .other_certificates
        .iter()
        .find(|o| o.certificate.sha256 == tencent_sha)
        .unwrap_or_else(|| panic!("tencent's certificate listed: {:?}", s.other_certificates));
    assert_eq!((other.scheme, other.status), ("v2", "ignored by Android"));
    assert_eq!(other.certificate.country.as_deref(), Some("CN"));
}

/// v1only.apk with a string of its stored resources.arsc changed after signing: its manifest digest
/// no longer matches, and nothing else signs the APK.
#[test]
fn a_changed_entry_breaks_the_jar_signature() {
    let want = recorded("tampered-v1.apk");
    assert_eq!(want["verifies"], false);
    let error = want["error"].as_str().unwrap();
    assert!(error.contains("resources.arsc"), "{error}");

    let s = summary("tampered-v1.apk");
    assert!(!installs(&s), "{:?}", s.install);
    assert!(signers(&s).is_empty(), "{:?}", s.signers);
    let v1 = v1_verdict(&s);
    assert!(!v1.verified);
    assert!(
        v1.reason.as_deref().unwrap().contains("resources.arsc"),
        "{v1:?}"
    );
    // the certificate is still there, and named as one whose signature does not verify
    let v1only = built("v1only.apk");
    let rsa = strings(&v1only["signer_sha256"])[0];
    assert!(s
        .other_certificates
        .iter()
        .any(|o| o.certificate.sha256 == rsa && o.status == "does not verify"));
}

#[test]
fn without_signature_files_the_apk_is_unsigned() {
    let want = recorded("unsigned.apk");
    assert_eq!(want["verifies"], false);
    assert!(want["error"].as_str().unwrap().contains("MANIFEST.MF"));

    let s = summary("unsigned.apk");
    assert!(!installs(&s));
    assert!(
        s.install
            .as_ref()
            .unwrap()
            .reason
            .as_deref()
            .unwrap()
            .contains("not signed"),
        "{:?}",
        s.install
    );
    assert!(s.signers.is_empty() && s.other_certificates.is_empty());
    assert!(s.signature_verification.is_empty());
    assert!(s.inventory.signature_files.is_empty());
}

/// v1only.apk with its own classes.dex in front and the directory's offsets moved to match.
///
/// apksig reads the archive through its central directory, as the JAR signature was designed to be
/// read, and says it verifies: the recorded answer. Android since the Janus fix (CVE-2017-13156,
/// bug 64211847, December 2017) opens APKs with libziparchive, whose `ParseZipArchive` refuses a
/// file that does not start with a local file header ("Entry at offset zero has invalid LFH
/// signature"); aapt, built on the same libziparchive, refused janus.apk with that message when it
/// was recorded. Unpatched Android before that fix opened the file as a ZIP to check the signature
/// and as a DEX to run it — the attack.
///
/// ictguard reads it like apksig (the entries and the signature are all there and verify: its
/// `signature_verdict` is apksigner's), reports the prefix in the inventory, and its `install`
/// verdict is Android's: patched Android installs the file only when the signatures verify *and*
/// nothing precedes the first entry, which here is false. ictguard-vet raises the prefix as a
/// critical IG-ARCHIVE-PREFIX finding.
#[test]
fn a_dex_in_front_is_measured_and_android_would_not_open_it() {
    let want = recorded("janus.apk");
    let prefix = want["made"]["leading_bytes"].as_u64().unwrap();
    assert_eq!(prefix, 308);
    // the peers: apksig reads through the directory; libziparchive (aapt) refuses the file
    assert_eq!(want["verifies"], true);
    assert_eq!(want["schemes"]["v1"], true);
    assert_eq!(want["aapt_exit"], 1);
    let aapt = want["aapt_error"].as_str().unwrap();
    assert!(aapt.contains("invalid LFH signature"), "{aapt}");

    let data = bytes("janus.apk");
    assert!(data.starts_with(b"dex\n"));
    let s = summary("janus.apk");
    assert_eq!(s.inventory.leading_bytes, prefix);
    assert!(s.inventory.starts_with_dex);
    // the signatures verify (as apksig says), with v1only's signer, and the app's entries are read
    let signatures = s.signature_verdict.as_ref().expect("verified");
    assert!(signatures.installs, "{signatures:?}");
    assert_eq!(signers(&s), strings(&want["signer_sha256"]));
    assert_eq!(s.package.as_deref(), Some("com.example.v1only"));
    // Android's rule: the file must start with an entry, and the signatures must verify
    assert!(!installs(&s), "{:?}", s.install);
    let why = s
        .install
        .as_ref()
        .unwrap()
        .reason
        .clone()
        .unwrap_or_default();
    assert!(why.contains("does not start with a ZIP entry"), "{why}");
    // and the shape is the one unpatched Android runs: JAR signing only, below API 24
    let schemes = s.schemes.unwrap();
    assert!(schemes.v1 && !schemes.v2 && !schemes.v3);
    assert!(s.min_sdk.unwrap() < 24);
}

/// v1only.apk JAR-signed by a DSA "key" with g = y = p − 1 and the signature r = s = 1, over a
/// .SF whose SHA-1 digest z has z mod q odd (derive.py's `degenerate_dsa` gives the arithmetic).
///
/// apksigner says it verifies (the recorded answer): it checks the signature with the JDK's DSA,
/// which computes v = (g^u1 · y^u2 mod p) mod q without checking the key, and v = 1 = r here. But
/// that "signature" proves nothing: y = p − 1 is not in the subgroup of order q (y^q mod p = p − 1,
/// not 1), no private key exists for it, and r = s = 1 verifies for half of all messages, so anyone
/// can make this certificate "sign" any APK by varying one line. ictguard reads keys through the
/// `dsa` crate, which refuses such a y, so the JAR signature does not verify and nothing signs the
/// APK. Current BouncyCastle, which provides DSA to Android's platform (Conscrypt, on BoringSSL,
/// has no DSA signatures), refuses the key the same way in `DSAPublicKeyParameters` ("y value does
/// not appear to be in correct group"), so a current device should agree with ictguard rather
/// than with apksigner; that was read from the sources, not tried on a device.
#[test]
fn a_degenerate_dsa_key_signs_nothing() {
    let want = recorded("degenerate-dsa.apk");
    // the peer accepts the forgery: if a later apksigner refuses it, this notices
    assert_eq!(want["verifies"], true);
    assert_eq!(want["schemes"]["v1"], true);
    assert_eq!(
        strings(&want["signer_dn"]),
        ["CN=Degenerate DSA, O=ictguard tests, C=US"]
    );
    let forged = strings(&want["signer_sha256"])[0];

    let s = summary("degenerate-dsa.apk");
    assert!(!installs(&s), "{:?}", s.install);
    assert!(signers(&s).is_empty(), "{:?}", s.signers);
    let v1 = v1_verdict(&s);
    assert!(!v1.verified);
    let reason = v1.reason.as_deref().unwrap();
    assert!(
        reason.contains("CERT.DSA") && reason.contains("DSA key"),
        "{reason}"
    );
    let install_reason = s.install.as_ref().unwrap().reason.as_deref().unwrap();
    assert!(install_reason.contains("DSA key"), "{install_reason}");
    // the certificate is carried, read, and named as one whose signature does not verify
    let other = s
        .other_certificates
        .iter()
        .find(|o| o.certificate.sha256 == forged)
        .unwrap_or_else(|| panic!("{:?}", s.other_certificates));
    assert_eq!((other.scheme, other.status), ("v1", "does not verify"));
    assert_eq!(other.certificate.key_algorithm.as_deref(), Some("DSA"));
    assert_eq!(other.certificate.key_bits, Some(1024));
}

/// An app whose uses-sdk names the codename of a preview platform. Android reads a codename as
/// API level 10000 (`Build.VERSION_CODES.CUR_DEVELOPMENT`) for both minSdkVersion and
/// targetSdkVersion, and only a preview build of that platform installs it.
///
/// aapt prints the codenames, but `aapt dump badging` then keeps its running targetSdk at 0 (it
/// special-cases only "Donut") and so prints the permissions implied for targets below 4
/// (WRITE_EXTERNAL_STORAGE, READ_PHONE_STATE, and READ_EXTERNAL_STORAGE after them): the recorded
/// answer, asserted below so that a change is noticed. Android implies nothing for a target of
/// 10000, and neither does ictguard.
#[test]
fn a_preview_codename_is_level_10000_and_implies_nothing() {
    let want = recorded("preview-sdk.apk");
    assert_eq!(want["min_sdk"], "VanillaIceCream");
    assert_eq!(want["target_sdk"], "VanillaIceCream");
    assert!(
        strings(&want["aapt_implied_permissions"]).contains(&"android.permission.READ_PHONE_STATE")
    );
    // apksigner needed no --min-sdk-version: it maps the codename to a level itself
    assert_eq!(want["apksigner_options"], serde_json::json!([]));
    assert_eq!(want["verifies"], true);

    let data = bytes("preview-sdk.apk");
    let apk = Apk::parse(&data).unwrap();
    let s = apk.summary();
    assert_eq!(s.min_sdk, None);
    assert_eq!(s.min_sdk_codename.as_deref(), Some("VanillaIceCream"));
    assert_eq!(s.target_sdk, None);
    assert_eq!(s.target_sdk_codename.as_deref(), Some("VanillaIceCream"));
    assert_eq!(apk.manifest.effective_min_sdk(), 10_000);
    assert_eq!(apk.manifest.effective_target_sdk(), 10_000);
    assert!(
        s.implied_permissions.is_empty(),
        "{:?}",
        s.implied_permissions
    );
    assert!(s.permissions.is_empty(), "{:?}", s.permissions);
    // the signature: v3 verifies, with the recorded signer
    assert!(installs(&s), "{:?}", s.install);
    assert_eq!(signers(&s), strings(&want["signer_sha256"]));
    assert!(s.schemes.unwrap().v3);
}
