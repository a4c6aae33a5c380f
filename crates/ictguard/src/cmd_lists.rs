//! `ictguard lists update` and `ictguard lists status`: the official lists as snapshots in the
//! store.

use anyhow::bail;
use ictguard_feeds::{Budgets, Fetcher, UpdateOptions, SOURCES};
use ictguard_store::AttemptOutcome;

use crate::cli::{ListsCommand, ListsStatusArgs, ListsUpdateArgs};
use crate::Outcome;

pub fn run(cmd: &ListsCommand) -> anyhow::Result<Outcome> {
    match cmd {
        ListsCommand::Update(args) => update(args),
        ListsCommand::Status(args) => status(args),
    }
}

/// Fetch every source asked for; exit 1 when one failed (the others are still stored).
fn update(args: &ListsUpdateArgs) -> anyhow::Result<Outcome> {
    let mut sources = Vec::new();
    for id in &args.sources {
        match SOURCES.iter().find(|s| s.id == id) {
            Some(s) => sources.push(s),
            None => bail!(
                "--source {id:?}: expected one of {}",
                SOURCES.iter().map(|s| s.id).collect::<Vec<_>>().join(", ")
            ),
        }
    }
    let mut store = ictguard_store::open(&args.database)?;
    let fetcher = Fetcher::new(args.mirror.clone(), Budgets::default());
    let options = UpdateOptions {
        sources,
        accept_shrink: args.accept_shrink,
    };
    let reports = ictguard_feeds::update(store.as_mut(), &fetcher, &options)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for r in &reports {
            println!("{:<10} {:<9} {}", r.source, r.outcome.as_str(), r.message);
        }
    }
    let failed = reports.iter().any(|r| r.outcome == AttemptOutcome::Failed);
    Ok(if failed {
        Outcome::Flagged
    } else {
        Outcome::Clean
    })
}

/// The snapshot in use and the last attempt of every source in the catalogue.
fn status(args: &ListsStatusArgs) -> anyhow::Result<Outcome> {
    let mut store = crate::cmd_store::open_existing(&args.database)?;
    let snapshots = store.latest_list_snapshots(false)?;
    let attempts = store.latest_list_attempts()?;
    if args.json {
        let out = serde_json::json!({ "snapshots": snapshots, "attempts": attempts });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Outcome::Clean);
    }
    for source in SOURCES {
        println!("{} — {}", source.id, source.name);
        match snapshots.iter().find(|s| s.source == source.id) {
            Some(s) => {
                println!(
                    "  in use: snapshot {}, fetched {}{}, {} entries",
                    s.id,
                    s.fetched_at,
                    s.published
                        .as_deref()
                        .map(|p| format!(", published {p}"))
                        .unwrap_or_default(),
                    s.entries
                );
                for f in &s.files {
                    println!(
                        "    {} {} bytes sha256 {} from {}",
                        f.name, f.bytes, f.sha256, f.url
                    );
                }
            }
            None => println!("  in use: none (never fetched)"),
        }
        if let Some(a) = attempts.iter().find(|a| a.source == source.id) {
            println!(
                "  last attempt: {} {}: {}",
                a.at,
                a.outcome.as_str(),
                a.message
            );
        }
    }
    Ok(Outcome::Clean)
}
