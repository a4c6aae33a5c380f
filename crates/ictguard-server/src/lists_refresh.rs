//! Keeping the restricted-party lists current while serving: the screener is built from the
//! pack, the `--list` files and the newest stored snapshots, and rebuilt and swapped in whole
//! when newer snapshots arrive (fetched here on a schedule, or by another replica or a
//! `lists update` run). A request in flight keeps the screener it started with.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use ictguard_feeds::{Budgets, Fetcher, UpdateOptions};
use ictguard_rules::RulePack;
use ictguard_screen::engine::{ScreenConfig, Screener};
use ictguard_screen::lists::ListSet;
use ictguard_store::Store;

use crate::error::ServeError;

/// What a screener is built from.
#[derive(Clone)]
pub(crate) struct ListSources {
    pub(crate) pack: RulePack,
    pub(crate) files: Vec<PathBuf>,
    /// Read the newest snapshots from the store too.
    pub(crate) stored: bool,
    /// Snapshot ids to use instead of their sources' newest.
    pub(crate) pinned: Vec<i64>,
}

impl ListSources {
    /// A screener over the pack, the files and (when `stored`) the newest snapshots in `store`;
    /// the snapshot versions it holds.
    pub(crate) fn build(
        &self,
        store: Option<&mut dyn Store>,
    ) -> Result<(Screener, Vec<i64>), ServeError> {
        let mut set = ListSet::new();
        for path in &self.files {
            set.add_file(path).map_err(ServeError::List)?;
        }
        let mut versions = Vec::new();
        if let Some(store) = store.filter(|_| self.stored) {
            let loaded = ictguard_feeds::load_snapshots(store, &mut set, &self.pinned)
                .map_err(ServeError::StoredLists)?;
            versions = loaded.iter().map(|s| s.id).collect();
        }
        let lists = set.finish();
        if let Some(first) = lists.problems.first() {
            // the server's only log is standard error; a skipped row is worth a line, not a refusal
            eprintln!(
                "ictguard serve: warning: {} list rows skipped (first: {}:{}: {})",
                lists.problems.len(),
                first.file,
                first.line,
                first.message
            );
        }
        let screener = Screener::with_lists(self.pack.clone(), lists, ScreenConfig::default());
        Ok((screener, versions))
    }
}

/// Start the refresh thread: fetch every source now and then every `interval`, and after each
/// run swap in a new screener when the newest stored snapshots differ from those it holds.
/// Failures are logged and the screener in use stays.
pub(crate) fn spawn(
    sources: ListSources,
    database: String,
    mirror: Option<String>,
    interval: Duration,
    screener: Arc<ArcSwap<Screener>>,
    mut versions: Vec<i64>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("lists-refresh".into())
        .spawn(move || {
            let fetcher = Fetcher::new(mirror, Budgets::default());
            loop {
                match refresh_once(&sources, &database, &fetcher, &versions) {
                    Ok(Some((fresh, now))) => {
                        let fresh = Arc::new(fresh);
                        screener.store(Arc::clone(&fresh));
                        eprintln!(
                            "ictguard serve: list snapshots {now:?} in use (were {versions:?})"
                        );
                        versions = now;
                        rescreen_watched(&database, &fresh);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        eprintln!("ictguard serve: lists refresh: {e}; the lists in use stay")
                    }
                }
                std::thread::sleep(interval);
            }
        })
        .map(|_| ())
}

/// Screen the watched subjects against the lists now in use; new hits open review cases.
fn rescreen_watched(database: &str, screener: &Screener) {
    let run = || -> Result<ictguard_feeds::RescreenReport, ictguard_store::StoreError> {
        let mut store = ictguard_store::open(database)?;
        let today = crate::as_of::today();
        ictguard_feeds::rescreen(store.as_mut(), screener, today, "lists-refresh")
    };
    match run() {
        Ok(r) if r.checked > 0 => eprintln!(
            "ictguard serve: rescreened {} watched subjects: {} new hits, {} eased",
            r.checked,
            r.new_hits.len(),
            r.eased
        ),
        Ok(_) => {}
        Err(e) => eprintln!("ictguard serve: rescreening the watched subjects: {e}"),
    }
}

/// One run: update, then a new screener if the newest snapshots changed.
fn refresh_once(
    sources: &ListSources,
    database: &str,
    fetcher: &Fetcher,
    versions: &[i64],
) -> Result<Option<(Screener, Vec<i64>)>, ServeError> {
    let database_error = |source| ServeError::Database {
        database: ictguard_store::display_database(database),
        source,
    };
    let mut store = ictguard_store::open(database).map_err(database_error)?;
    let reports = ictguard_feeds::update(store.as_mut(), fetcher, &UpdateOptions::default())
        .map_err(database_error)?;
    for r in reports
        .iter()
        .filter(|r| r.outcome == ictguard_store::AttemptOutcome::Failed)
    {
        eprintln!("ictguard serve: lists update: {}: {}", r.source, r.message);
    }
    let newest: Vec<i64> = store
        .latest_list_snapshots(false)
        .map_err(database_error)?
        .iter()
        .map(|s| s.id)
        .collect();
    if newest == versions {
        return Ok(None);
    }
    sources.build(Some(store.as_mut())).map(Some)
}
