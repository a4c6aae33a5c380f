//! Security posture that widens exposure: debuggable builds, cleartext traffic, backups, exported
//! components without a permission, debug or weak signing keys, v1-only signing on targets the
//! Janus flaw reaches, signatures that do not verify, and packers.

use crate::report::{Evidence, Finding, FindingKind, Severity};
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

fn finding(
    rule: &str,
    severity: Severity,
    title: String,
    message: String,
    evidence: Vec<Evidence>,
    criteria: &[&str],
) -> Finding {
    Finding {
        rule: rule.into(),
        key: rule.into(),
        kind: FindingKind::Posture,
        severity,
        title,
        message,
        evidence,
        criteria: criteria.iter().map(|c| c.to_string()).collect(),
        data_categories: Vec::new(),
        points: 0,
        suppressed: None,
    }
}

/// Raise the posture findings.
pub(crate) fn check(cx: &Context, findings: &mut Vec<Finding>) {
    let s = cx.summary;
    let app = &s.application;
    let target = s.target_sdk.or(s.min_sdk).unwrap_or(1);
    let manifest = |item: &str, detail: &str| Evidence::with("AndroidManifest.xml", item, detail);

    if app.debuggable == Some(true) {
        findings.push(finding("IG-POSTURE-DEBUGGABLE", Severity::High, "debuggable build".into(),
            "android:debuggable is true: anyone with USB access can attach a debugger and read the app's memory and data.".into(),
            vec![manifest("application android:debuggable", "true")], &["EO-14034-C8"]));
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
            "IG-POSTURE-CLEARTEXT",
            Severity::Low,
            "cleartext traffic allowed".into(),
            "The app may send data over unencrypted HTTP.".into(),
            vec![manifest(
                "application android:usesCleartextTraffic",
                &detail,
            )],
            &["EO-14034-C8"],
        ));
    }
    if app.allow_backup != Some(false) {
        let detail = if app.allow_backup == Some(true) {
            "true"
        } else {
            "not set (Android's default is true)"
        };
        findings.push(finding(
            "IG-POSTURE-BACKUP",
            Severity::Low,
            "app data can be backed up".into(),
            "android:allowBackup lets the app's private data be copied off the device by backup."
                .into(),
            vec![manifest("application android:allowBackup", detail)],
            &["EO-14034-C8"],
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
            "IG-POSTURE-EXPORTED",
            Severity::Low,
            format!(
                "{} exported component(s) without a permission",
                unprotected.len()
            ),
            "Any app on the device can start or query these components.".into(),
            unprotected,
            &["EO-14034-C8"],
        ));
    }
    // signing
    let schemes = s.schemes.unwrap_or(ictguard_apk::Schemes {
        v1: false,
        v2: false,
        v3: false,
    });
    for v in s.signature_verification.iter().filter(|v| !v.verified) {
        findings.push(finding(
            "IG-SIGNATURE-INVALID",
            Severity::High,
            format!("{} signature does not verify", v.scheme),
            format!(
                "The {} signature fails: {}. The APK may have been altered after signing.",
                v.scheme,
                v.reason.clone().unwrap_or_default()
            ),
            vec![Evidence::with(
                if v.scheme == "v1" {
                    "META-INF"
                } else {
                    "APK Signing Block"
                },
                v.scheme,
                v.reason.clone().unwrap_or_default(),
            )],
            &["EO-14034-C5"],
        ));
    }
    if s.signers.is_empty() {
        findings.push(finding("IG-SIGNATURE-INVALID", Severity::High, "unsigned".into(),
            "The APK carries no signature: Android will not install it, and nothing ties it to a developer.".into(),
            vec![Evidence::new("META-INF", "no signature")], &["EO-14034-C5"]));
    }
    let min_sdk = s.min_sdk.unwrap_or(1);
    if schemes.v1 && !schemes.v2 && !schemes.v3 && min_sdk < 24 {
        findings.push(finding("IG-POSTURE-JANUS", Severity::Medium, "v1-only signing (Janus)".into(),
            format!("Signed with JAR signing only and installable on Android before 7.0 (minSdkVersion {min_sdk}): CVE-2017-13156 (Janus) lets a DEX file be prepended without breaking the signature."),
            vec![Evidence::with("META-INF", "v1 only", format!("minSdkVersion {min_sdk}"))], &["EO-14034-C8"]));
    }
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
            findings.push(finding("IG-POSTURE-DEBUG-CERT", Severity::Medium, "signed with a debug certificate".into(),
                "CN=Android Debug is the SDK's debug key, shared by every developer machine: a debug build, not a release.".into(),
                vec![ev()], &["EO-14034-C5"]));
        }
        let weak = match (c.key_algorithm.as_deref(), c.key_bits) {
            (Some("RSA"), Some(b)) if b < 2048 => Some(format!("RSA {b} bits")),
            (Some("DSA"), Some(b)) if b < 2048 => Some(format!("DSA {b} bits")),
            (Some("EC"), Some(b)) if b < 224 => Some(format!("EC {b} bits")),
            _ => None,
        };
        if let Some(weak) = weak {
            findings.push(finding("IG-POSTURE-WEAK-KEY", Severity::Medium, format!("weak signing key ({weak})"),
                format!("A {weak} key is below current guidance (NIST SP 800-57: 2048-bit RSA/DSA, 224-bit EC); a forged update becomes conceivable."),
                vec![ev()], &["EO-14034-C8"]));
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
            "IG-POSTURE-OBFUSCATED",
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
            &["EO-14034-C5"],
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
            findings.push(finding("IG-POSTURE-PACKER", Severity::Medium, format!("packed with {name}"),
                format!("{name} hides the app's real code until it runs, so this review (and any static review) sees less than the app does."),
                ev, &["EO-14034-C5"]));
        }
    }
}
