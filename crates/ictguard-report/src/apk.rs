//! The text rendering of `apk info` for one APK: package, version, SDK levels, permissions,
//! exported components, each signature scheme's verdict, Android's install verdict, the signers
//! and the certificates that do not sign, problems, DEX counts and the archive inventory.

use std::fmt::Write as _;

use ictguard_apk::Summary;

/// Render one APK's summary as text.
pub fn info_text(s: &Summary) -> String {
    let mut out = String::new();
    let or_none = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let _ = writeln!(out, "package        {}", or_none(s.package.clone()));
    let _ = writeln!(
        out,
        "version        {} ({})",
        or_none(s.version_name.clone()),
        or_none(s.version_code.map(|v| v.to_string()))
    );
    let _ = writeln!(
        out,
        "label          {}",
        or_none(s.application.label.clone())
    );
    let _ = writeln!(
        out,
        "sdk            min {} target {}",
        or_none(s.min_sdk.map(|v| v.to_string())),
        or_none(s.target_sdk.map(|v| v.to_string()))
    );
    let _ = writeln!(out, "permissions    {}", s.permissions.len());
    for p in &s.permissions {
        let _ = writeln!(out, "  {p}");
    }
    for p in &s.implied_permissions {
        let _ = writeln!(out, "  implied: {p}");
    }
    let a = &s.application;
    let _ = writeln!(
        out,
        "application    debuggable={:?} allowBackup={:?} usesCleartextTraffic={:?}",
        a.debuggable, a.allow_backup, a.uses_cleartext_traffic
    );
    let _ = writeln!(out, "exported       {}", s.exported_components.len());
    for c in &s.exported_components {
        let _ = writeln!(out, "  {c}");
    }
    let _ = match &s.schemes {
        Some(sc) => writeln!(
            out,
            "signatures     v1 {} · v2 {} · v3 {}",
            verdict(sc.v1, &s.signature_verification, "v1"),
            verdict(sc.v2, &s.signature_verification, "v2"),
            verdict(sc.v3, &s.signature_verification, "v3"),
        ),
        None => writeln!(out, "signatures     not verified (--no-verify)"),
    };
    for v in s.signature_verification.iter().filter(|v| !v.verified) {
        let _ = writeln!(
            out,
            "  {} fails: {}",
            v.scheme,
            v.reason.as_deref().unwrap_or("?")
        );
    }
    if let Some(v) = &s.install {
        let _ = match &v.reason {
            None => writeln!(out, "android        installs it"),
            Some(why) => writeln!(out, "android        REFUSES it: {why}"),
        };
    }
    let _ = writeln!(out, "signers        {}", s.signers.len());
    for signer in &s.signers {
        let c = &signer.certificate;
        let _ = writeln!(
            out,
            "  {}",
            c.subject.as_deref().unwrap_or("(unreadable certificate)")
        );
        let _ = writeln!(out, "    sha256 {}", c.sha256);
        if let (Some(alg), Some(bits)) = (&c.key_algorithm, c.key_bits) {
            let _ = writeln!(
                out,
                "    key {alg} {bits} bits, valid {} to {}, schemes {}",
                c.not_before.as_deref().unwrap_or("?"),
                c.not_after.as_deref().unwrap_or("?"),
                signer.schemes.join(", ")
            );
        }
    }
    for o in &s.other_certificates {
        let _ = writeln!(
            out,
            "  not a signer ({} {}): {}{}",
            o.scheme,
            o.status,
            o.certificate
                .subject
                .as_deref()
                .unwrap_or("(unreadable certificate)"),
            o.note
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
        let _ = writeln!(out, "    sha256 {}", o.certificate.sha256);
    }
    for p in &s.problems {
        let _ = writeln!(out, "problem        {p}");
    }
    for d in s.code.iter().flatten() {
        let _ = match &d.error {
            None => writeln!(
                out,
                "dex            {}: {} classes, {} strings, {} method and {} field references",
                d.name, d.classes, d.strings, d.method_refs, d.field_refs
            ),
            Some(e) => writeln!(out, "dex            {}: unreadable: {e}", d.name),
        };
    }
    let inv = &s.inventory;
    let _ = writeln!(
        out,
        "archive        {} entries, dex {:?}, native {:?}, {} assets",
        inv.entries,
        inv.dex,
        inv.native_libraries.keys().collect::<Vec<_>>(),
        inv.assets
    );
    if !inv.suspicious_names.is_empty() {
        let _ = writeln!(out, "  suspicious entry names: {:?}", inv.suspicious_names);
    }
    out
}

/// "verified", "fails" or "absent" for one scheme of `apk info`.
fn verdict(ok: bool, verdicts: &[ictguard_apk::signing::Verdict], scheme: &str) -> &'static str {
    if ok {
        "verified"
    } else if verdicts.iter().any(|v| v.scheme == scheme) {
        "FAILS"
    } else {
        "absent"
    }
}
