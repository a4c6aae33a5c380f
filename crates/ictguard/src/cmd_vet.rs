//! `ictguard vet`: vet one APK or a directory of them, and render the reports.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use ictguard_rules::RulePack;
use ictguard_vet::{Knowledge, Recommendation, Report, Suppressions, Vetter};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::{VetArgs, VetFormat};
use crate::cmd_apk::{apks_under, read};
use crate::{as_of_or_today, Outcome};

/// One APK's outcome: its report, or why it could not be vetted.
type Vetted = (String, Result<Report, String>);

/// A single APK smaller than this is vetted on the calling thread alone: hashing and verifying it
/// takes less time than starting the thread pool and handing work between its threads (vetting a
/// 5 KB APK took 0.8 ms with the pool, 0.5 ms without, of a whole run of about 2.4 ms). From a few
/// hundred kilobytes up the pool pays (a 426 KB APK: 5.8 ms alone, 5.6 ms with it; 827 KB: 10.1
/// and 9.3 ms).
const ONE_THREAD_BELOW_BYTES: u64 = 256 << 10;

pub fn run(pack: RulePack, args: &VetArgs) -> anyhow::Result<Outcome> {
    let as_of = as_of_or_today(args.as_of.as_deref())?;
    let mut vetter = Vetter::new(pack, Knowledge::bundled());
    if let Some(path) = &args.suppressions {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let s = Suppressions::parse(&text).with_context(|| path.display().to_string())?;
        vetter = vetter.with_suppressions(s);
    }
    let files = if args.path.is_dir() {
        apks_under(&args.path)?
    } else {
        vec![args.path.clone()]
    };
    if let [file] = files.as_slice() {
        let small = std::fs::metadata(file).is_ok_and(|m| m.len() < ONE_THREAD_BELOW_BYTES);
        if small {
            // this thread becomes the whole global pool, so rayon's joins run inline; if a pool
            // already exists (a library caller), it is kept
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .use_current_thread()
                .build_global();
        }
    }
    let progress = if files.len() < 2 {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(files.len() as u64).with_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} APKs vetted ({eta})")
                .expect("static template"),
        )
    };
    let vet_one = |f: &std::path::PathBuf| -> Vetted {
        let name = f.display().to_string();
        let result = read(f)
            .map_err(|e| format!("{e:#}"))
            .and_then(|bytes| vetter.vet(&name, &bytes, as_of).map_err(|e| e.to_string()));
        progress.inc(1);
        (name, result)
    };
    let vetted: Vec<Vetted> = if files.len() == 1 {
        files.iter().map(vet_one).collect()
    } else {
        files.par_iter().map(vet_one).collect()
    };
    progress.finish_and_clear();

    let single = !args.path.is_dir();
    if single {
        if let (_, Err(e)) = &vetted[0] {
            anyhow::bail!("{}: {e}", args.path.display());
        }
    }
    let rendered = match args.format {
        VetFormat::Json => render_json(&vetted),
        VetFormat::Text => crate::vet_text::render(&vetted, single),
        VetFormat::Sarif => crate::vet_sarif::render(&vetted, &vetter)?,
        VetFormat::Html => crate::vet_html::render(&vetted, as_of),
    };
    match &args.output {
        Some(path) => write_file(path, rendered.as_bytes())?,
        None => std::io::stdout().lock().write_all(rendered.as_bytes())?,
    }
    let failed = vetted.iter().filter(|(_, r)| r.is_err()).count();
    if !single {
        eprintln!(
            "ictguard: vetted {} APKs, {failed} could not be read",
            vetted.len()
        );
    }
    let flagged = vetted.iter().any(|(_, r)| {
        r.as_ref()
            .is_ok_and(|r| r.recommendation != Recommendation::Allow)
    });
    // the process ends after this command: leave the indexes to the OS rather than free them one by
    // one (0.1 ms of a small APK's 2 ms)
    std::mem::forget(vetter);
    std::mem::forget(vetted);
    Ok(if failed > 0 {
        Outcome::Error
    } else if flagged && !args.exit_zero {
        Outcome::Flagged
    } else {
        Outcome::Clean
    })
}

/// One JSON object per APK, one per line; an unreadable APK gives `{"file", "error"}`.
fn render_json(vetted: &[Vetted]) -> String {
    let mut out = String::new();
    for (file, r) in vetted {
        let line = match r {
            Ok(report) => serde_json::to_string(report).unwrap_or_default(),
            Err(e) => serde_json::json!({ "file": file, "error": e }).to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
