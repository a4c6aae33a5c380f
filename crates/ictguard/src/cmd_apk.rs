//! `ictguard apk …`: read Android packages.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ictguard_apk::Apk;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::ApkCommand;
use crate::Outcome;

/// The bytes of an input file, read into memory within the size limit
/// ([`ictguard_apk::read_apk_file`]).
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    Ok(ictguard_apk::read_apk_file(path)?)
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
                out.write_all(ictguard_report::apk::info_text(&s).as_bytes())?;
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
