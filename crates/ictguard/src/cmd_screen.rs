//! `ictguard screen`: one query from flags or JSON, or a batch file.

use std::io::{Read, Write};

use anyhow::{bail, Context};
use ictguard_rules::RulePack;
use ictguard_screen::engine::{Decision, Query, ScreenConfig, Screener};
use ictguard_screen::lists::ListSet;

use crate::cli::{Pending, ScreenArgs, Thresholds};
use crate::{as_of_or_today, Outcome};

/// Largest `--transaction` JSON accepted.
const MAX_TRANSACTION_BYTES: u64 = 1024 * 1024;

pub fn config_from(t: &Thresholds) -> anyhow::Result<ScreenConfig> {
    for (name, v) in [
        ("--block-threshold", t.block_threshold),
        ("--review-threshold", t.review_threshold),
    ] {
        if !(0.0..=1.0).contains(&v) {
            bail!("{name} must be between 0 and 1, got {v}");
        }
    }
    if t.review_threshold > t.block_threshold {
        bail!(
            "--review-threshold ({}) must not exceed --block-threshold ({})",
            t.review_threshold,
            t.block_threshold
        );
    }
    if !(t.ownership_threshold > 0.0 && t.ownership_threshold <= 100.0) {
        bail!(
            "--ownership-threshold must be in (0, 100], got {}",
            t.ownership_threshold
        );
    }
    Ok(ScreenConfig {
        block_threshold: t.block_threshold,
        review_threshold: t.review_threshold,
        ownership_threshold: t.ownership_threshold,
        pending_decision: match t.pending {
            Pending::Review => Decision::Review,
            Pending::Allow => Decision::Allow,
        },
        ..ScreenConfig::default()
    })
}

/// Build a screener from the pack, `--list` files and the snapshots stored in `stored` (a
/// database); problems in list rows are reported, not fatal.
pub fn build_screener(
    pack: RulePack,
    lists: &[std::path::PathBuf],
    stored: Option<&str>,
    pinned: &[i64],
    config: ScreenConfig,
) -> anyhow::Result<Screener> {
    let mut set = ListSet::new();
    for path in lists {
        set.add_file(path)
            .with_context(|| format!("loading list {}", path.display()))?;
    }
    if let Some(database) = stored {
        let mut store = crate::cmd_store::open_existing(database)?;
        let loaded = ictguard_feeds::load_snapshots(store.as_mut(), &mut set, pinned)?;
        anyhow::ensure!(
            !loaded.is_empty(),
            "{}: no list snapshot is stored (run `ictguard lists update --database …` first)",
            ictguard_store::display_database(database)
        );
    }
    let loaded = set.finish();
    for p in loaded.problems.iter().take(20) {
        eprintln!(
            "ictguard: warning: {}:{}: {} (row skipped)",
            p.file, p.line, p.message
        );
    }
    if loaded.problems.len() > 20 {
        eprintln!(
            "ictguard: warning: … and {} more list rows skipped",
            loaded.problems.len() - 20
        );
    }
    Ok(Screener::with_lists(pack, loaded, config))
}

pub fn run(pack: RulePack, args: &ScreenArgs) -> anyhow::Result<Outcome> {
    let config = config_from(&args.thresholds)?;
    let default_as_of = as_of_or_today(args.as_of.as_deref())?;
    let screener = build_screener(
        pack,
        &args.lists,
        args.stored_lists.as_deref(),
        &args.snapshots,
        config,
    )?;

    let relax = |o: Outcome| {
        if args.exit_zero && o == Outcome::Flagged {
            Outcome::Clean
        } else {
            o
        }
    };
    if let Some(input) = &args.input {
        return crate::batch::run(&screener, input, args, default_as_of).map(relax);
    }

    let mut query = match &args.transaction {
        Some(json) => {
            let text = if json == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .take(MAX_TRANSACTION_BYTES + 1)
                    .read_to_string(&mut s)?;
                if s.len() as u64 > MAX_TRANSACTION_BYTES {
                    bail!("--transaction: more than {MAX_TRANSACTION_BYTES} bytes on stdin");
                }
                s
            } else {
                json.clone()
            };
            serde_json::from_str::<Query>(&text)
                .context("--transaction is not a valid transaction object")?
        }
        None => Query::default(),
    };
    // flags fill in (and override) the transaction's fields
    for (slot, flag) in [
        (&mut query.name, &args.name),
        (&mut query.app, &args.app),
        (&mut query.package, &args.package),
        (&mut query.bundle, &args.bundle),
        (&mut query.country, &args.country),
        (&mut query.kind, &args.kind),
        (&mut query.state, &args.state),
    ] {
        if flag.is_some() {
            slot.clone_from(flag);
        }
    }
    if args.as_of.is_some() && query.as_of.is_none() {
        query.as_of.clone_from(&args.as_of);
    }
    let result = screener.screen(&query, default_as_of)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&result)?)?;
    } else {
        ictguard_report::screening::text(&mut out, &result)?;
    }
    Ok(relax(if result.decision == Decision::Allow {
        Outcome::Clean
    } else {
        Outcome::Flagged
    }))
}
