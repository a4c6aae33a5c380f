//! `ictguard lists update`, `lists status` and `watch`: the official lists as snapshots in the
//! store, and the subjects screened again when they change.

use anyhow::{bail, Context as _};
use ictguard_feeds::{Budgets, Fetcher, RescreenReport, UpdateOptions, SOURCES};
use ictguard_rules::RulePack;
use ictguard_screen::engine::{Query, ScreenConfig, Screener};
use ictguard_screen::lists::ListSet;
use ictguard_store::{AttemptOutcome, NewWatched, Store};

use crate::cli::{ListsCommand, ListsStatusArgs, ListsUpdateArgs, WatchCommand};
use crate::Outcome;

pub fn run(
    pack: impl FnOnce() -> anyhow::Result<RulePack>,
    cmd: &ListsCommand,
) -> anyhow::Result<Outcome> {
    match cmd {
        ListsCommand::Update(args) => update(pack, args),
        ListsCommand::Status(args) => status(args),
    }
}

/// A screener over the pack and the newest stored snapshots (none stored: the pack alone).
fn screener_from_store(pack: RulePack, store: &mut dyn Store) -> anyhow::Result<Screener> {
    let mut set = ListSet::new();
    ictguard_feeds::load_latest(store, &mut set)?;
    Ok(Screener::with_lists(
        pack,
        set.finish(),
        ScreenConfig::default(),
    ))
}

/// Screen the watched subjects again; the report.
fn rescreen(pack: RulePack, store: &mut dyn Store) -> anyhow::Result<RescreenReport> {
    let screener = screener_from_store(pack, store)?;
    let today = chrono::Local::now().date_naive();
    Ok(ictguard_feeds::rescreen(store, &screener, today, "cli")?)
}

fn print_rescreen(r: &RescreenReport) {
    println!(
        "rescreened {} watched subjects: {} new hits (review cases opened), {} eased{}",
        r.checked,
        r.new_hits.len(),
        r.eased,
        match r.unreadable {
            0 => String::new(),
            n => format!(", {n} unreadable"),
        }
    );
    for h in &r.new_hits {
        println!(
            "  {} {} → {}: {}",
            h.subject,
            h.before.as_str(),
            h.after.as_str(),
            h.reason
        );
    }
}

/// Fetch every source asked for, then screen the watched subjects again when a new snapshot
/// came; exit 1 when a source failed (the others are still stored).
fn update(
    pack: impl FnOnce() -> anyhow::Result<RulePack>,
    args: &ListsUpdateArgs,
) -> anyhow::Result<Outcome> {
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
    let changed = reports.iter().any(|r| r.outcome == AttemptOutcome::New);
    let rescreened = match changed && !store.list_watched(0, 1)?.is_empty() {
        true => Some(rescreen(pack()?, store.as_mut())?),
        false => None,
    };
    if args.json {
        let out = serde_json::json!({ "sources": reports, "rescreen": rescreened });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for r in &reports {
            println!("{:<10} {:<9} {}", r.source, r.outcome.as_str(), r.message);
        }
        if let Some(r) = &rescreened {
            print_rescreen(r);
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

pub fn watch(pack: RulePack, cmd: &WatchCommand) -> anyhow::Result<Outcome> {
    match cmd {
        WatchCommand::Add(args) => {
            let text = std::fs::read_to_string(&args.file)
                .with_context(|| format!("reading {}", args.file.display()))?;
            let csv = args
                .file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let queries = read_queries(&text, csv)?;
            let subjects = queries
                .iter()
                .map(|q| {
                    Ok(NewWatched {
                        subject: q.subject().to_string(),
                        query: serde_json::to_string(q)?,
                        by: "cli".into(),
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let mut store = ictguard_store::open(&args.database)?;
            let ids = store.add_watched(&subjects)?;
            let report = rescreen(pack, store.as_mut())?;
            if args.json {
                let out = serde_json::json!({ "added": ids.len(), "rescreen": report });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!("added {} subjects to watch", ids.len());
                print_rescreen(&report);
            }
            Ok(match report.new_hits.is_empty() {
                true => Outcome::Clean,
                false => Outcome::Flagged,
            })
        }
        WatchCommand::List(args) => {
            let mut store = crate::cmd_store::open_existing(&args.database)?;
            let mut after = 0;
            loop {
                let page = store.list_watched(after, 1000)?;
                let Some(last) = page.last() else { break };
                after = last.id;
                for w in &page {
                    if args.json {
                        println!("{}", serde_json::to_string(w)?);
                    } else {
                        println!(
                            "{:>6}  {:<7} {}  (checked {})",
                            w.id,
                            w.decision.as_deref().unwrap_or("-"),
                            w.subject,
                            w.checked_at.as_deref().unwrap_or("never")
                        );
                    }
                }
            }
            Ok(Outcome::Clean)
        }
    }
}

/// Screening queries from JSON Lines, or CSV with a header of query fields; every one must
/// screen (a subject that could never be screened is refused up front, with its line).
fn read_queries(text: &str, csv: bool) -> anyhow::Result<Vec<Query>> {
    let queries: Vec<(usize, Query)> = if csv {
        csv::Reader::from_reader(text.as_bytes())
            .deserialize::<Query>()
            .enumerate()
            .map(|(i, q)| {
                q.map(|q| (i + 2, q))
                    .with_context(|| format!("line {}", i + 2))
            })
            .collect::<anyhow::Result<_>>()?
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l)
                    .map(|q| (i + 1, q))
                    .with_context(|| format!("line {}", i + 1))
            })
            .collect::<anyhow::Result<_>>()?
    };
    let probe = Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default());
    let today = chrono::Local::now().date_naive();
    for (line, q) in &queries {
        probe
            .screen(q, today)
            .with_context(|| format!("line {line}: this subject cannot be screened"))?;
    }
    Ok(queries.into_iter().map(|(_, q)| q).collect())
}
