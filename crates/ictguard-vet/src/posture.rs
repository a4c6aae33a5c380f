//! Security posture that widens exposure: debuggable builds, cleartext traffic, backups, exported
//! components without a permission, debug or weak signing keys and digests, v1-only signing on
//! targets the Janus flaw reaches, signatures that do not verify (Android's own verdict), data
//! in front of the archive (the Janus shape), entries that overlap, analyses a budget stopped,
//! and packers.

use crate::report::{Evidence, Finding, Severity};
use crate::rules::Rule;
use crate::Context;

/// Class-name prefixes and native libraries of commercial packers (which hide the real code from
/// review). Public knowledge from packer-detection tools; a cheap check, not an unpacker.
const PACKERS: &[(&str, &[&str], &[&str])] = &[
    (
        "Bangcle (SecNeo)",
        &["com.secneo.apkwrapper", "com.bangcle"],
        &["libsecexe.so", "libsecmain.so", "libSecShell.so"],
    ),
    (
        "Tencent Legu",
        &["com.tencent.StubShell"],
        &["libshella", "libshellx", "liblegudb.so"],
    ),
    (
        "Qihoo 360 Jiagu",
        &["com.stub.StubApp", "com.qihoo.util"],
        &["libjiagu.so", "libjiagu_x86.so", "libjiagu_a64.so"],
    ),
    (
        "Baidu protect",
        &["com.baidu.protect"],
        &["libbaiduprotect.so"],
    ),
    (
        "Alibaba (Ali mobisec)",
        &["com.ali.mobisecenhance"],
        &["libmobisec.so", "libsgmain.so"],
    ),
    (
        "Ijiami",
        &["com.shell.SuperApplication", "s.h.e.l.l"],
        &["libexec.so", "libexecmain.so"],
    ),
    (
        "DexProtector",
        &["com.dexprotector"],
        &["libdexprotector.so"],
    ),
    ("APKProtect", &["com.apkprotect"], &["libAPKProtect.so"]),
    (
        "Naga (娜迦)",
        &["com.nagapt"],
        &["libddog.so", "libchaosvmp.so"],
    ),
];

/// A posture finding: one per rule and app, so its key is the rule's id.
fn finding(
    rule: Rule,
    severity: Severity,
    title: String,
    message: String,
    evidence: Vec<Evidence>,
) -> Finding {
    Finding::new(rule, rule.id().into(), severity, title, message, evidence)
}

/// Whether the signatures hold as Android checks them, and what else the signing structures show:
/// a verdict that fails is critical ("Android will not install it"); a scheme that fails where
/// Android does not read it, certificates that do not sign the app, weak digests and a v1-only
/// signature on platforms the Janus flaw reaches are posture.
fn signing(cx: &Context, min_sdk: i64, findings: &mut Vec<Finding>) {
    let s = cx.summary;
    let schemes = s.schemes.unwrap_or(ictguard_apk::Schemes {
        v1: false,
        v2: false,
        v3: false,
    });
    let failing: Vec<&ictguard_apk::signing::Verdict> = s
        .signature_verification
        .iter()
        .filter(|v| !v.verified)
        .collect();
    let place = |scheme: &str| {
        if scheme == "v1" {
            "META-INF"
        } else {
            "APK Signing Block"
        }
    };
    // the signatures alone: a file Android refuses for its shape (data in front) is `archive`'s
    match &s.signature_verdict {
        Some(verdict) if !verdict.installs => {
            let why = verdict.reason.clone().unwrap_or_default();
            let unsigned = s.signature_verification.is_empty();
            let mut evidence: Vec<Evidence> = failing
                .iter()
                .map(|v| {
                    Evidence::with(
                        place(v.scheme),
                        v.scheme,
                        v.reason.clone().unwrap_or_default(),
                    )
                })
                .collect();
            if evidence.is_empty() {
                evidence.push(Evidence::with("META-INF", "signatures", why.clone()));
            }
            findings.push(finding(
                Rule::SignatureInvalid,
                Severity::Critical,
                if unsigned {
                    "unsigned: Android will not install it".into()
                } else {
                    "the signature does not verify: Android will not install it".into()
                },
                format!(
                    "{}. Android refuses to install such an APK: it is unsigned, tampered with or corrupt, and nothing ties this file to a developer.",
                    capitalise(&why)
                ),
                evidence,
            ));
        }
        _ => {
            // a scheme that fails where Android, on the platforms the app installs on, does not
            // read it (v1 beside v2 from minSdkVersion 24): Android installs the APK, but someone
            // altered or botched a signature
            for v in &failing {
                findings.push(finding(
                    Rule::SignatureScheme,
                    Severity::Low,
                    format!("{} signature does not verify", v.scheme),
                    format!(
                        "The {} signature fails ({}), though the scheme Android checks on the app's platforms verifies: it was altered, or made badly.",
                        v.scheme,
                        v.reason.clone().unwrap_or_default()
                    ),
                    vec![Evidence::with(place(v.scheme), v.scheme, v.reason.clone().unwrap_or_default())],
                ));
            }
        }
    }
    // certificates present that do not sign the app: never taken as its signer
    let others: Vec<Evidence> = s
        .other_certificates
        .iter()
        .filter(|o| o.status != "verifies")
        .map(|o| {
            Evidence::with(
                o.source.clone(),
                o.certificate.sha256.clone(),
                format!(
                    "{} {}: {}{}",
                    o.scheme,
                    o.status,
                    o.certificate.subject.clone().unwrap_or_default(),
                    o.note
                        .as_ref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    if !others.is_empty() {
        findings.push(finding(
            Rule::SignatureExtra,
            Severity::Low,
            format!("{} certificate(s) that do not sign the app", others.len()),
            "The APK carries certificates in signatures that do not verify or that Android never reads. They are not the app's signer and are not scored as one; a signing block with such extra entries is a mark of a crafted or re-processed file.".into(),
            others,
        ));
    }
    // weak digests, where the JAR signature is what Android checks on some supported platform
    let v1_matters = min_sdk < 24 || !(schemes.v2 || schemes.v3);
    let weak: Vec<&str> = s
        .v1_digests
        .iter()
        .copied()
        .filter(|d| matches!(*d, "MD5" | "SHA-1"))
        .collect();
    if schemes.v1 && v1_matters && !weak.is_empty() {
        findings.push(finding(
            Rule::PostureWeakDigest,
            Severity::Low,
            format!("JAR signature rests on {}", weak.join(" and ")),
            format!(
                "The JAR (v1) signature, which Android checks here (minSdkVersion {min_sdk}), uses {} digests: collisions can be made for them, so a second file with the same signature is conceivable.",
                weak.join(" and ")
            ),
            vec![Evidence::with("META-INF", "v1 digests", s.v1_digests.join(", "))],
        ));
    }
    if schemes.v1 && !schemes.v2 && !schemes.v3 && min_sdk < 24 {
        findings.push(finding(Rule::PostureJanus, Severity::Medium, "v1-only signing (Janus)".into(),
            format!("Signed with JAR signing only and installable on Android before 7.0 (minSdkVersion {min_sdk}): CVE-2017-13156 (Janus) lets a DEX file be prepended without breaking the signature."),
            vec![Evidence::with("META-INF", "v1 only", format!("minSdkVersion {min_sdk}"))]));
    }
    if let Some(code) = &s.min_sdk_codename {
        findings.push(finding(Rule::PosturePreviewSdk, Severity::Info, format!("built for a preview platform ({code})"),
            format!("minSdkVersion is the codename {code}: only a preview build of that platform installs the app (Android reads the level as 10000); release devices refuse it."),
            vec![Evidence::with("AndroidManifest.xml", "uses-sdk android:minSdkVersion", code.clone())]));
    }
}

/// What the archive itself shows: data in front of its entries, entries whose data overlap,
/// and analyses stopped by a budget.
fn archive(cx: &Context, min_sdk: i64, findings: &mut Vec<Finding>) {
    let s = cx.summary;
    let inv = &s.inventory;
    let schemes = s.schemes.unwrap_or(ictguard_apk::Schemes {
        v1: false,
        v2: false,
        v3: false,
    });
    if inv.leading_bytes > 0 {
        let v1_only = schemes.v1 && !schemes.v2 && !schemes.v3;
        let (severity, title, message) = if inv.starts_with_dex && v1_only && min_sdk < 24 {
            (Severity::Critical, "a DEX file in front of the archive (Janus)".to_string(),
             format!("The file starts with {} bytes of DEX code before its first entry, is signed with JAR signing only and installs on Android before 7.0 (minSdkVersion {min_sdk}): an unpatched device runs that code instead of the app's while the signature still verifies (CVE-2017-13156). Patched Android refuses to open the file.", inv.leading_bytes))
        } else {
            (Severity::High, "data in front of the archive".to_string(),
             format!("The file has {} bytes{} before its first entry. Android since the Janus fix (CVE-2017-13156) refuses a file that does not start with an entry: this one was made to be read differently by different tools.", inv.leading_bytes, if inv.starts_with_dex { " of DEX code" } else { "" }))
        };
        findings.push(finding(
            Rule::ArchivePrefix,
            severity,
            title,
            message,
            vec![Evidence::with(
                "(file)",
                "bytes 0..".to_string() + &inv.leading_bytes.to_string(),
                if inv.starts_with_dex {
                    "DEX header"
                } else {
                    "not a ZIP entry"
                },
            )],
        ));
    }
    if inv.overlapping_entries > 0 {
        findings.push(finding(
            Rule::ArchiveOverlap,
            Severity::High,
            format!("{} entries overlap others' data", inv.overlapping_entries),
            "Entries of the archive share or overlap their compressed data: the same bytes appear under several names. Build tools never write this; it is made to make analysers inflate one stream many times, or to show different tools different files. Each stream was read at most once (or not at all, when its size was refused).".into(),
            inv.overlaps
                .iter()
                .take(5)
                .map(|o| Evidence::with(o.entry.clone(), o.with.clone(), if o.alias { "the same data" } else { "overlapping data" }))
                .collect(),
        ));
    }
    let verdicts = s
        .signature_verification
        .iter()
        .filter_map(|v| v.reason.as_ref());
    let mut stopped: Vec<Evidence> = s
        .problems
        .iter()
        .chain(&cx.scan.problems)
        .chain(verdicts)
        .filter(|p| p.contains("analysis stopped") || p.contains("analysis incomplete"))
        .take(5)
        .map(|p| Evidence::with("(analysis)", "budget", p.clone()))
        .collect();
    // the archive's read budget may run out after the summary was made (in the code scan)
    if cx.apk.zip.budget_exhausted()
        && !stopped.iter().any(|e| {
            e.detail
                .as_deref()
                .is_some_and(|d| d.contains("archive's budget"))
        })
    {
        stopped.push(Evidence::with(
            "(analysis)",
            "budget",
            "analysis stopped: reading the entries spent the archive's budget; some were not read whole",
        ));
    }
    if !stopped.is_empty() {
        findings.push(finding(
            Rule::AnalysisIncomplete,
            Severity::High,
            "analysis stopped before the end".into(),
            "Parts of the APK were not read: they would cost more than the budgets that protect the analyser (real apps stay far inside them), or they are malformed. What the app does there is unknown to this report.".into(),
            stopped,
        ));
    }
}

/// The first letter in upper case.
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Raise the posture findings.
pub(crate) fn check(cx: &Context, findings: &mut Vec<Finding>) {
    let s = cx.summary;
    let app = &s.application;
    let target = cx.apk.manifest.effective_target_sdk();
    let min_sdk = cx.apk.manifest.effective_min_sdk();
    let manifest = |item: &str, detail: &str| Evidence::with("AndroidManifest.xml", item, detail);

    if app.debuggable == Some(true) {
        findings.push(finding(Rule::PostureDebuggable, Severity::High, "debuggable build".into(),
            "android:debuggable is true: anyone with USB access can attach a debugger and read the app's memory and data.".into(),
            vec![manifest("application android:debuggable", "true")]));
    }
    // cleartext is allowed when said so, or by default below API 28 without a network security config
    let cleartext = match app.uses_cleartext_traffic {
        Some(v) => v,
        None => target < 28 && app.network_security_config.is_none(),
    };
    if cleartext {
        let detail = match app.uses_cleartext_traffic {
            Some(_) => "true".to_string(),
            None => {
                format!("not set; the default below targetSdkVersion 28 (here {target}) allows it")
            }
        };
        findings.push(finding(
            Rule::PostureCleartext,
            Severity::Low,
            "cleartext traffic allowed".into(),
            "The app may send data over unencrypted HTTP.".into(),
            vec![manifest(
                "application android:usesCleartextTraffic",
                &detail,
            )],
        ));
    }
    if app.allow_backup != Some(false) {
        let detail = if app.allow_backup == Some(true) {
            "true"
        } else {
            "not set (Android's default is true)"
        };
        findings.push(finding(
            Rule::PostureBackup,
            Severity::Low,
            "app data can be backed up".into(),
            "android:allowBackup lets the app's private data be copied off the device by backup."
                .into(),
            vec![manifest("application android:allowBackup", detail)],
        ));
    }
    let unprotected: Vec<Evidence> = cx
        .apk
        .manifest
        .components
        .iter()
        .filter(|c| c.exported && c.permission.is_none())
        // the launcher activity must be exported
        .filter(|c| {
            !c.intent_filters.iter().any(|f| {
                f.categories
                    .iter()
                    .any(|x| x == "android.intent.category.LAUNCHER")
            })
        })
        .map(|c| {
            manifest(
                &format!("{} {}", c.kind, c.name),
                if c.exported_attr == Some(true) {
                    "exported=\"true\", no permission"
                } else {
                    "exported by default, no permission"
                },
            )
        })
        .collect();
    if !unprotected.is_empty() {
        findings.push(finding(
            Rule::PostureExported,
            Severity::Low,
            format!(
                "{} exported component(s) without a permission",
                unprotected.len()
            ),
            "Any app on the device can start or query these components.".into(),
            unprotected,
        ));
    }
    signing(cx, min_sdk, findings);
    archive(cx, min_sdk, findings);
    for signer in &s.signers {
        let c = &signer.certificate;
        let ev = || {
            Evidence::with(
                "signing certificate",
                c.sha256.clone(),
                c.subject.clone().unwrap_or_default(),
            )
        };
        if c.common_name.as_deref() == Some("Android Debug") {
            findings.push(finding(Rule::PostureDebugCert, Severity::Medium, "signed with a debug certificate".into(),
                "CN=Android Debug is the SDK's debug key, shared by every developer machine: a debug build, not a release.".into(),
                vec![ev()]));
        }
        let weak = match (c.key_algorithm.as_deref(), c.key_bits) {
            (Some("RSA"), Some(b)) if b < 2048 => Some((
                format!("RSA {b} bits"),
                "below current guidance (NIST SP 800-57: 2048-bit RSA, 224-bit EC)",
            )),
            (Some("DSA"), b) => Some((
                format!("DSA {} bits", b.unwrap_or(0)),
                "DSA is no longer approved for making signatures (FIPS 186-5)",
            )),
            (Some("EC"), Some(b)) if b < 224 => Some((
                format!("EC {b} bits"),
                "below current guidance (NIST SP 800-57: 2048-bit RSA, 224-bit EC)",
            )),
            _ => None,
        };
        if let Some((weak, why)) = weak {
            findings.push(finding(
                Rule::PostureWeakKey,
                Severity::Medium,
                format!("weak signing key ({weak})"),
                format!("A {weak} key: {why}; a forged update becomes conceivable."),
                vec![ev()],
            ));
        }
    }
    // renamed code: most classes called `a`, `b`, `aa` (ProGuard, R8, DexGuard); common in
    // release builds, it still makes any review slower and less complete
    let total = cx.scan.classes.len();
    if total >= 50 && cx.scan.short_named_classes * 2 > total {
        let mut sample: Vec<(&String, &String)> = cx
            .scan
            .classes
            .iter()
            .filter(|(c, _)| c.rsplit('.').next().is_some_and(|s| s.len() <= 2))
            .collect();
        sample.sort();
        findings.push(finding(
            Rule::PostureObfuscated,
            Severity::Info,
            "code is obfuscated".into(),
            format!(
                "{} of {total} classes have one- or two-letter names: renamed by an obfuscator, which slows review.",
                cx.scan.short_named_classes
            ),
            sample
                .into_iter()
                .take(3)
                .map(|(c, dex)| Evidence::with(dex.clone(), c.clone(), "renamed class"))
                .collect(),
        ));
    }
    // packers
    for (name, prefixes, libs) in PACKERS {
        let mut ev: Vec<Evidence> = cx
            .scan
            .classes
            .iter()
            .filter(|(class, _)| prefixes.iter().any(|p| class.starts_with(p)))
            .take(3)
            .map(|(class, dex)| Evidence::with(dex.clone(), class.clone(), "packer class"))
            .collect();
        for (abi, files) in &s.inventory.native_libraries {
            for f in files {
                let file = f.rsplit('/').next().unwrap_or(f);
                if libs.iter().any(|l| file.starts_with(l)) {
                    ev.push(Evidence::with(
                        format!("lib/{abi}/{file}"),
                        file.to_string(),
                        "packer library",
                    ));
                }
            }
        }
        if !ev.is_empty() {
            ev.truncate(5);
            findings.push(finding(Rule::PosturePacker, Severity::Medium, format!("packed with {name}"),
                format!("{name} hides the app's real code until it runs, so this review (and any static review) sees less than the app does."),
                ev));
        }
    }
}
