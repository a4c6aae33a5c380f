//! `ictguard apk …`: read Android packages.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use ictguard_apk::Apk;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::ApkCommand;
use crate::Outcome;

/// Largest APK read (a 4 GiB ZIP is the format's own ceiling without ZIP64).
const MAX_APK_BYTES: u64 = 4 << 30;

/// The bytes of an input file, read into memory: a file another process truncates or rewrites
/// while it is read gives an error or the bytes it held, never a fault (a memory map of it would
/// raise SIGBUS on the pages cut off).
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read as _;
    let cannot = || format!("cannot read {}", path.display());
    let file = std::fs::File::open(path).with_context(cannot)?;
    let len = file.metadata().with_context(cannot)?.len();
    if len > MAX_APK_BYTES {
        bail!(
            "{}: {len} bytes, over the {MAX_APK_BYTES}-byte limit",
            path.display()
        );
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // at most one byte past the limit: a file that grows while it is read is still refused
    file.take(MAX_APK_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(cannot)?;
    if bytes.len() as u64 > MAX_APK_BYTES {
        bail!("{}: over the {MAX_APK_BYTES}-byte limit", path.display());
    }
    Ok(bytes)
}

pub(crate) fn apks_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("cannot list {}", d.display()))?
        {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("apk")) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub fn run(cmd: &ApkCommand) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    match cmd {
        ApkCommand::Info {
            path,
            json,
            no_verify,
            code,
        } if path.is_dir() => {
            let files = apks_under(path)?;
            let progress = ProgressBar::new(files.len() as u64);
            progress.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} APKs ({eta})")
                    .expect("static template"),
            );
            let lines: Vec<(String, bool)> = files
                .par_iter()
                .map(|f| {
                    let line = match read(f).and_then(|b| Apk::parse(&b).map(|a| full_summary(&a, *no_verify, *code)).map_err(anyhow::Error::from)) {
                        Ok(s) => {
                            let mut v = serde_json::to_value(&s).unwrap_or_default();
                            v["file"] = f.display().to_string().into();
                            (v.to_string(), true)
                        }
                        Err(e) => (serde_json::json!({"file": f.display().to_string(), "error": format!("{e:#}")}).to_string(), false),
                    };
                    progress.inc(1);
                    line
                })
                .collect();
            progress.finish_and_clear();
            let _ = json; // a directory always gives JSON lines
            let failed = lines.iter().filter(|(_, ok)| !ok).count();
            for (line, _) in &lines {
                writeln!(out, "{line}")?;
            }
            eprintln!(
                "ictguard: read {} APKs, {failed} could not be read",
                lines.len()
            );
            Ok(if failed > 0 {
                Outcome::Error
            } else {
                Outcome::Clean
            })
        }
        ApkCommand::Info {
            path,
            json,
            no_verify,
            code,
        } => {
            let bytes = read(path)?;
            let apk = Apk::parse(&bytes)
                .with_context(|| format!("{} is not a readable APK", path.display()))?;
            let s = full_summary(&apk, *no_verify, *code);
            if *json {
                writeln!(out, "{}", serde_json::to_string(&s)?)?;
            } else {
                let or_none = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                writeln!(out, "package        {}", or_none(s.package.clone()))?;
                writeln!(
                    out,
                    "version        {} ({})",
                    or_none(s.version_name.clone()),
                    or_none(s.version_code.map(|v| v.to_string()))
                )?;
                writeln!(
                    out,
                    "label          {}",
                    or_none(s.application.label.clone())
                )?;
                writeln!(
                    out,
                    "sdk            min {} target {}",
                    or_none(s.min_sdk.map(|v| v.to_string())),
                    or_none(s.target_sdk.map(|v| v.to_string()))
                )?;
                writeln!(out, "permissions    {}", s.permissions.len())?;
                for p in &s.permissions {
                    writeln!(out, "  {p}")?;
                }
                for p in &s.implied_permissions {
                    writeln!(out, "  implied: {p}")?;
                }
                let a = &s.application;
                writeln!(
                    out,
                    "application    debuggable={:?} allowBackup={:?} usesCleartextTraffic={:?}",
                    a.debuggable, a.allow_backup, a.uses_cleartext_traffic
                )?;
                writeln!(out, "exported       {}", s.exported_components.len())?;
                for c in &s.exported_components {
                    writeln!(out, "  {c}")?;
                }
                match &s.schemes {
                    Some(sc) => writeln!(
                        out,
                        "signatures     v1 {} · v2 {} · v3 {}",
                        verdict(sc.v1, &s.signature_verification, "v1"),
                        verdict(sc.v2, &s.signature_verification, "v2"),
                        verdict(sc.v3, &s.signature_verification, "v3"),
                    )?,
                    None => writeln!(out, "signatures     not verified (--no-verify)")?,
                }
                for v in s.signature_verification.iter().filter(|v| !v.verified) {
                    writeln!(
                        out,
                        "  {} fails: {}",
                        v.scheme,
                        v.reason.as_deref().unwrap_or("?")
                    )?;
                }
                if let Some(v) = &s.install {
                    match &v.reason {
                        None => writeln!(out, "android        installs it")?,
                        Some(why) => writeln!(out, "android        REFUSES it: {why}")?,
                    }
                }
                writeln!(out, "signers        {}", s.signers.len())?;
                for signer in &s.signers {
                    let c = &signer.certificate;
                    writeln!(
                        out,
                        "  {}",
                        c.subject.as_deref().unwrap_or("(unreadable certificate)")
                    )?;
                    writeln!(out, "    sha256 {}", c.sha256)?;
                    if let (Some(alg), Some(bits)) = (&c.key_algorithm, c.key_bits) {
                        writeln!(
                            out,
                            "    key {alg} {bits} bits, valid {} to {}, schemes {}",
                            c.not_before.as_deref().unwrap_or("?"),
                            c.not_after.as_deref().unwrap_or("?"),
                            signer.schemes.join(", ")
                        )?;
                    }
                }
                for o in &s.other_certificates {
                    writeln!(
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
                    )?;
                    writeln!(out, "    sha256 {}", o.certificate.sha256)?;
                }
                for p in &s.problems {
                    writeln!(out, "problem        {p}")?;
                }
                for d in s.code.iter().flatten() {
                    match &d.error {
                        None => writeln!(
                            out,
                            "dex            {}: {} classes, {} strings, {} method and {} field references",
                            d.name, d.classes, d.strings, d.method_refs, d.field_refs
                        )?,
                        Some(e) => writeln!(out, "dex            {}: unreadable: {e}", d.name)?,
                    }
                }
                let inv = &s.inventory;
                writeln!(
                    out,
                    "archive        {} entries, dex {:?}, native {:?}, {} assets",
                    inv.entries,
                    inv.dex,
                    inv.native_libraries.keys().collect::<Vec<_>>(),
                    inv.assets
                )?;
                if !inv.suspicious_names.is_empty() {
                    writeln!(out, "  suspicious entry names: {:?}", inv.suspicious_names)?;
                }
            }
            Ok(Outcome::Clean)
        }
        ApkCommand::Classes { file } | ApkCommand::Strings { file } => {
            let bytes = read(file)?;
            let classes = matches!(cmd, ApkCommand::Classes { .. });
            // one DEX file at a time: print it, then read the next
            let print = |out: &mut dyn Write, name: &str, data: &[u8]| -> anyhow::Result<()> {
                let dex = ictguard_apk::dex::Dex::parse(data).with_context(|| name.to_string())?;
                if classes {
                    for c in dex.class_descriptors() {
                        writeln!(out, "{}", ictguard_apk::dex::java_name(&c))?;
                    }
                } else {
                    for s in dex.strings() {
                        writeln!(out, "{}", s.escape_debug())?;
                    }
                }
                if dex.budget_exhausted() {
                    eprintln!("ictguard: {name}: analysis stopped: reading its strings spent the file's budget; the list is partial");
                }
                Ok(())
            };
            if bytes.starts_with(b"dex\n") {
                print(&mut out, &file.display().to_string(), &bytes)?;
            } else {
                let apk = Apk::parse(&bytes).with_context(|| {
                    format!("{} is not a readable APK or DEX file", file.display())
                })?;
                let mut failed = Ok(());
                let skipped = apk.visit_dex_files(&mut |name, data| {
                    if failed.is_ok() {
                        failed = data
                            .with_context(|| format!("reading {name}"))
                            .and_then(|d| print(&mut out, name, d));
                    }
                });
                failed?;
                for why in skipped {
                    eprintln!("ictguard: {why}");
                }
            }
            Ok(Outcome::Clean)
        }
        ApkCommand::Manifest { file } => {
            let bytes = read(file)?;
            let apk = Apk::parse(&bytes)
                .with_context(|| format!("{} is not a readable APK", file.display()))?;
            write!(out, "{}", apk.manifest_xml.to_xml())?;
            Ok(Outcome::Clean)
        }
    }
}

/// The summary `apk info` prints, with the DEX counts when asked.
fn full_summary(apk: &Apk, no_verify: bool, code: bool) -> ictguard_apk::Summary {
    let mut summary = apk.summary_with(!no_verify);
    if code {
        summary.code = Some(apk.code_summary());
    }
    summary
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
