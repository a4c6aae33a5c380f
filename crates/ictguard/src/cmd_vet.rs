//! `ictguard vet`: vet one APK or a directory of them, and render the reports.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use ictguard_rules::RulePack;
use ictguard_vet::{Examined, Knowledge, Recommendation, Report, Suppressions, Vetter};
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

pub fn run(
    load_pack: impl FnOnce() -> anyhow::Result<RulePack> + Send,
    args: &VetArgs,
) -> anyhow::Result<Outcome> {
    let as_of = as_of_or_today(args.as_of.as_deref())?;
    let suppressions = match &args.suppressions {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Some(Suppressions::parse(&text).with_context(|| path.display().to_string())?)
        }
        None => None,
    };
    let build = move || -> anyhow::Result<Vetter> {
        let vetter = Vetter::new(load_pack()?, Knowledge::bundled());
        Ok(match suppressions {
            Some(s) => vetter.with_suppressions(s),
            None => vetter,
        })
    };
    let files = if args.path.is_dir() {
        apks_under(&args.path)?
    } else {
        vec![args.path.clone()]
    };
    let progress = if files.len() < 2 {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(files.len() as u64).with_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} APKs vetted ({eta})")
                .expect("static template"),
        )
    };
    let (vetter, vetted) = if let [file] = files.as_slice() {
        let (vetter, one) = vet_alongside_build(file, build, as_of)?;
        (vetter, vec![one])
    } else {
        let vetter = build()?;
        let vetted = files
            .par_iter()
            .map(|f| {
                let name = f.display().to_string();
                let result = read(f)
                    .map_err(|e| format!("{e:#}"))
                    .and_then(|bytes| vetter.vet(&name, &bytes, as_of).map_err(|e| e.to_string()));
                progress.inc(1);
                (name, result)
            })
            .collect();
        (vetter, vetted)
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

/// Vet one APK while its vetter is built: the rule pack and the screening indexes (`build`) on a
/// thread of their own, the APK read, hashed, scanned and its signatures checked on this one, then
/// the assessment, which needs both. The two halves take about as long for a small APK, and a
/// process that vets one APK (a CI job's way) otherwise runs them one after the other on one of
/// two cores. (On the CI machine the gain is 4–5% of the corpus run, not the half of the build's
/// share it could be: the kernel often starts the new thread on the same CPU, and waking the
/// other, idle virtual CPU takes a while; pinning the thread away gained no more.) An error of
/// the build (a user's rule pack) is reported before the APK's.
fn vet_alongside_build(
    file: &Path,
    build: impl FnOnce() -> anyhow::Result<Vetter> + Send,
    as_of: chrono::NaiveDate,
) -> anyhow::Result<(Vetter, Vetted)> {
    if std::fs::metadata(file).is_ok_and(|m| m.len() < ONE_THREAD_BELOW_BYTES) {
        // this thread becomes the whole global pool, so rayon's joins run inline; if a pool
        // already exists (a library caller), it is kept
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build_global();
    }
    std::thread::scope(|scope| {
        let builder = scope.spawn(build);
        let name = file.display().to_string();
        let bytes = read(file).map_err(|e| format!("{e:#}"));
        let examined = bytes
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|b| Examined::of(b).map_err(|e| e.to_string()));
        let vetter = match builder.join() {
            Ok(built) => built?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let result = examined.map(|e| vetter.assess(&name, e, as_of));
        Ok((vetter, (name, result)))
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
