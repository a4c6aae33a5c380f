//! Agreement with `aapt dump badging` and `apksigner verify --print-certs` on the whole corpus
//! (`shared/corpus/apk/ORACLE.jsonl`).
//!
//! Each remaining difference is listed in `KNOWN` with the reason; the test fails on any other
//! difference, and on a listed one that no longer happens (so the list stays true).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/apk")
}

/// (file, field) → why ictguard differs from aapt there.
const KNOWN: &[(&str, &str, &str)] = &[
    // apksigner is wrong here: it asks the JDK for "SHA256withRSA/PSS" / "SHA512withRSA/PSS", names
    // that OpenJDK's providers do not know, so every RSASSA-PSS signature fails on Debian's build.
    // These files come from apksig's own test suite, which expects them to verify, and they verify
    // under RFC 8017 RSASSA-PSS (the `rsa` crate), as they do on Android (Conscrypt).
    (
        "signing/apksig/v2-only-with-rsa-pss-sha256-1024.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha256-2048.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha256-3072.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha256-4096.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha256-8192.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha512-2048.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha512-3072.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha512-4096.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha512-8192.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha256-16384.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    (
        "signing/apksig/v2-only-with-rsa-pss-sha512-16384.apk",
        "v2",
        "apksigner/OpenJDK lacks RSASSA-PSS",
    ),
    // apksigner gives one verdict for a whole run: when another scheme (or a platform rule such as
    // targetSandboxVersion 2 needing v2) fails, it reports no scheme at all. ictguard reports each
    // scheme's own verdict, and these signatures hold.
    (
        "signing/apksig/v1v2v3-with-rsa-2048-lineage-3-signers-invalid-lineage-attr.apk",
        "v1",
        "per-scheme verdict",
    ),
    (
        "signing/apksig/v1v2v3-with-rsa-2048-lineage-3-signers-invalid-lineage-attr.apk",
        "v2",
        "per-scheme verdict",
    ),
    (
        "signing/apksig/two-signers-second-signer-v2-broken.apk",
        "v1",
        "per-scheme verdict",
    ),
    (
        "signing/apksig/v1-only-targetSandboxVersion-2.apk",
        "v1",
        "per-scheme verdict; the platform needs v2 for this app",
    ),
    // apksigner does not check v1 for minSdkVersion 24 and up (all three of the oracle's runs are
    // at 24 or more for this APK), so it never reports it; the v1 signature verifies
    (
        "tests/lineageos_nexus5_framework-res.apk",
        "v1",
        "apksigner skips v1 at minSdk >= 24",
    ),
];

fn ours(path: &PathBuf) -> Result<BTreeMap<&'static str, Value>, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let apk = ictguard_apk::Apk::parse(&bytes).map_err(|e| e.to_string())?;
    let m = &apk.manifest;
    let mut out = BTreeMap::new();
    out.insert(
        "package",
        m.package.clone().map(Value::from).unwrap_or(Value::Null),
    );
    out.insert(
        "version_code",
        m.version_code
            .map(|v| Value::from(v.to_string()))
            .unwrap_or(Value::from("")),
    );
    out.insert(
        "version_name",
        m.version_name
            .clone()
            .map(Value::from)
            .unwrap_or(Value::from("")),
    );
    out.insert("min_sdk", m.min_sdk.map(Value::from).unwrap_or(Value::Null));
    out.insert(
        "target_sdk",
        m.target_sdk.map(Value::from).unwrap_or(Value::Null),
    );
    out.insert("permissions", Value::from(m.requested_permissions()));
    let summary = apk.summary();
    let schemes = summary.schemes.expect("summary() verifies");
    out.insert("v1", Value::from(schemes.v1));
    out.insert("v2", Value::from(schemes.v2));
    out.insert("v3", Value::from(schemes.v3));
    let install = summary.signature_verdict.expect("summary() verifies");
    out.insert("verifies", Value::from(install.installs));
    let mut signers: Vec<String> = summary
        .signers
        .into_iter()
        .map(|s| s.certificate.sha256)
        .collect();
    signers.sort();
    out.insert("signer_sha256", Value::from(signers));
    Ok(out)
}

#[test]
fn manifest_agrees_with_aapt_on_the_corpus() {
    let oracle = std::fs::read_to_string(corpus().join("ORACLE.jsonl")).expect("corpus oracle");
    let mut differences = Vec::new();
    let (mut compared, mut fields) = (0, 0);
    for line in oracle.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        if row["aapt_ok"] != true {
            continue; // aapt gave up; compared separately below
        }
        let file = row["file"].as_str().unwrap();
        let got = match ours(&corpus().join(file)) {
            Ok(g) => g,
            Err(e) => {
                differences.push((
                    file.to_string(),
                    "parse".to_string(),
                    format!("ictguard failed: {e}"),
                ));
                continue;
            }
        };
        compared += 1;
        // apksigner names signers only when it verifies a scheme; ictguard does not verify yet
        let signed = row["verifies"] == true
            || row["schemes"]
                .as_object()
                .is_some_and(|o| o.values().any(|v| v == true));
        for (field, value) in &got {
            if *field == "signer_sha256" && !signed {
                continue;
            }
            let want = match *field {
                "v1" | "v2" | "v3" => row["schemes"][*field].clone(),
                f => row.get(f).cloned().unwrap_or(Value::Null),
            };
            fields += 1;
            if *value != want {
                differences.push((
                    file.to_string(),
                    field.to_string(),
                    format!("aapt {want}, ictguard {value}"),
                ));
            }
        }
    }
    let known: Vec<(String, String)> = KNOWN
        .iter()
        .map(|(f, k, _)| (f.to_string(), k.to_string()))
        .collect();
    let unexpected: Vec<_> = differences
        .iter()
        .filter(|(f, k, _)| !known.contains(&(f.clone(), k.clone())))
        .collect();
    let stale: Vec<_> = known
        .iter()
        .filter(|(f, k)| !differences.iter().any(|(df, dk, _)| df == f && dk == k))
        .collect();
    eprintln!(
        "compared {compared} APKs, {fields} fields; {} differences ({} known)",
        differences.len(),
        KNOWN.len()
    );
    for (f, k, d) in &unexpected {
        eprintln!("  {f}: {k}: {d}");
    }
    assert!(compared >= 300, "only {compared} APKs compared");
    assert!(
        unexpected.is_empty(),
        "{} unexpected differences",
        unexpected.len()
    );
    assert!(
        stale.is_empty(),
        "known differences that no longer happen: {stale:?}"
    );
}

/// Files aapt gives up on: what ictguard makes of them, and why that is right.
#[test]
fn files_aapt_rejects() {
    let cases: &[(&str, Result<&str, &str>)] = &[
        // a manifest whose names are one character short of what aapt expects; Android installs it
        // and apksigner reads the same package name
        (
            "axml/AndroidManifest_ShortName.apk",
            Ok("com.android.galaxy4"),
        ),
        (
            "signing/apksig/empty-unsigned.apk",
            Err("no AndroidManifest.xml"),
        ),
        // a NUL in an entry name trips aapt; the manifest itself is intact
        (
            "signing/apksig/v1-only-with-nul-in-entry-name.apk",
            Ok("android.appsecurity.cts.tinyapp"),
        ),
        (
            "signing/apksig/v1v2v3-with-rsa-2048-lineage-3-signers-invalid-zip.apk",
            Err("central directory"),
        ),
        (
            "signing/apksig/v2-only-truncated-cd.apk",
            Err("central directory"),
        ),
        // not an app: a multidex test archive without a manifest
        ("tests/multidex/multidex.apk", Err("no AndroidManifest.xml")),
    ];
    for (file, want) in cases {
        let bytes = std::fs::read(corpus().join(file)).unwrap();
        match (ictguard_apk::Apk::parse(&bytes), want) {
            (Ok(apk), Ok(pkg)) => assert_eq!(apk.manifest.package.as_deref(), Some(*pkg), "{file}"),
            (Err(e), Err(msg)) => assert!(e.to_string().contains(msg), "{file}: {e}"),
            (got, _) => panic!("{file}: unexpected {:?}", got.map(|a| a.manifest.package)),
        }
    }
}

/// Bit flips and truncations across every corpus file: errors are fine, panics are not.
#[test]
fn bit_flipped_and_truncated_corpus_files_never_panic() {
    let mut files = Vec::new();
    let mut stack = vec![corpus()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|e| e == "apk" || e == "xml" || e == "dex")
            {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 300);
    let mut rng: u64 = 0x5eed_1234_abcd_ef01;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut runs = 0;
    for path in &files {
        let original = std::fs::read(path).unwrap();
        if original.is_empty() {
            continue;
        }
        let tries = if original.len() > 4 << 20 { 2 } else { 12 };
        for _ in 0..tries {
            let mut data = original.clone();
            for _ in 0..1 + next() % 8 {
                let i = (next() as usize) % data.len();
                data[i] ^= 1 << (next() % 8);
            }
            exercise(&data);
            let cut = (next() as usize) % data.len();
            exercise(&data[..cut]);
            runs += 2;
        }
    }
    eprintln!("{runs} mutated inputs from {} files", files.len());
}

fn exercise(data: &[u8]) {
    if let Ok(apk) = ictguard_apk::Apk::parse(data) {
        let _ = apk.summary();
        let _ = apk.manifest_xml.to_xml();
        for e in apk.zip.entries().iter().take(50) {
            let _ = apk.zip.read(e);
        }
        apk.visit_dex_files(&mut |_, data| {
            if let Ok(d) = data {
                exercise(d);
            }
        });
    }
    if let Ok(dex) = ictguard_apk::dex::Dex::parse(data) {
        let _ = dex.strings().count()
            + dex.class_descriptors().count()
            + dex.method_refs().count()
            + dex.field_refs().count();
    }
    if let Ok(doc) = ictguard_apk::axml::parse(data) {
        let _ = doc.to_xml();
        let _ = ictguard_apk::Manifest::from_document(&doc);
    }
}
