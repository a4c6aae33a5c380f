//! `ictguard fleet`: an MDM inventory checked against the covered apps on a date and against
//! vetting reports (the assessment is `ictguard_vet::fleet`; the text is `ictguard_report::fleet`).

use std::collections::HashMap;
use std::io::Write as _;

use anyhow::Context as _;
use ictguard_rules::RulePack;
use ictguard_screen::engine::{ScreenConfig, Screener};
use ictguard_vet::fleet::{self, FleetError};

use crate::cli::FleetArgs;
use crate::{as_of_or_today, Outcome};

/// package → risk, from `ictguard vet --format json` lines.
fn read_vetted(path: &std::path::Path) -> anyhow::Result<HashMap<String, String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = HashMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON line", path.display(), n + 1))?;
        if let (Some(p), Some(r)) = (v["package"].as_str(), v["risk"].as_str()) {
            out.insert(p.to_string(), r.to_string());
        }
    }
    Ok(out)
}

pub fn run(pack: RulePack, args: &FleetArgs) -> anyhow::Result<Outcome> {
    let as_of = as_of_or_today(args.as_of.as_deref())?;
    let vetted = match &args.vetted {
        Some(p) => read_vetted(p)?,
        None => HashMap::new(),
    };
    let screener = Screener::new(pack, Vec::new(), ScreenConfig::default());
    let inventory = std::fs::File::open(&args.inventory)
        .with_context(|| format!("cannot read {}", args.inventory.display()))?;
    let (inventory, dialect) = crate::table::open(&args.inventory, inventory, &args.table)?;
    let report = fleet::assess(inventory, dialect.delimiter, &screener, &vetted, as_of).map_err(
        |e| match e {
            FleetError::MissingColumns(_) => anyhow::anyhow!("{}: {e}", args.inventory.display()),
            FleetError::Csv(e) => e.into(),
        },
    )?;
    let out = if args.json {
        serde_json::to_string(&report)? + "\n"
    } else {
        ictguard_report::fleet::text(&report)
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    if !report.bad_rows.is_empty() {
        eprintln!("ictguard: {} bad rows skipped", report.bad_rows.len());
    }
    Ok(if report.flagged.is_empty() || args.exit_zero {
        Outcome::Clean
    } else {
        Outcome::Flagged
    })
}
