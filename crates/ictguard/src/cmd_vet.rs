//! `ictguard vet`: vet one APK or a directory of them, and render the reports.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use ictguard_report::vetting::Vetted;
use ictguard_rules::RulePack;
use ictguard_vet::{Knowledge, NotVetted, Recommendation, Suppressions, Vetter};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::{VetArgs, VetFormat};
use crate::cmd_apk::apks_under;
use crate::{as_of_or_today, Outcome};

pub fn run(
    load_pack: impl FnOnce() -> anyhow::Result<RulePack>,
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
        let vetter =
            Vetter::new(load_pack()?, Knowledge::bundled()).with_limits(args.limits.limits());
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
    let vetter = build()?;
    // one APK at a time per core; an APK that cannot be read or vetted is reported and the run
    // goes on with the next
    let vetted: Vec<Vetted> = files
        .par_iter()
        .map(|f| {
            let name = f.display().to_string();
            let result = ictguard_apk::read_apk_file(f)
                .map_err(NotVetted::from)
                .and_then(|bytes| Ok(vetter.vet(&name, &bytes, as_of)?));
            progress.inc(1);
            (name, result)
        })
        .collect();
    progress.finish_and_clear();

    let single = !args.path.is_dir();
    if single {
        if let (_, Err(e)) = &vetted[0] {
            anyhow::bail!("{}: {e}", args.path.display());
        }
    }
    let rendered = match args.format {
        VetFormat::Json => ictguard_report::vetting::json_lines(&vetted),
        VetFormat::Text => ictguard_report::vetting::text::render(&vetted, single),
        VetFormat::Sarif => ictguard_report::vetting::sarif::render(&vetted, &vetter)?,
        VetFormat::Html => ictguard_report::vetting::html::render(&vetted, as_of),
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
    Ok(if failed > 0 {
        Outcome::Error
    } else if flagged && !args.exit_zero {
        Outcome::Flagged
    } else {
        Outcome::Clean
    })
}

/// Write a report whole: a failure part-way leaves the earlier file of that name as it was.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let (mut sink, output) = crate::output::create(Some(path))?;
    sink.write_all(bytes)
        .and_then(|()| sink.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    drop(sink);
    output.commit()
}
