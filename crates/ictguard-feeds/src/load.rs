//! Reading the stored snapshots back for screening.

use ictguard_screen::lists::{Fetched, ListError, ListSet};
use ictguard_store::{ListSnapshot, Store, StoreError};

/// Why the stored snapshots could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A pinned snapshot that is not in the store.
    #[error("no list snapshot {0} is stored (`ictguard lists status` shows them)")]
    NoSnapshot(i64),
    /// Two pinned snapshots of one source.
    #[error("snapshots {0} and {1} are both of {2}: pin one snapshot per source")]
    TwoPins(i64, i64, String),
    /// A stored file no longer reads (a newer reader than the one that checked it?).
    #[error("snapshot {snapshot}: {source}")]
    List {
        /// The snapshot.
        snapshot: i64,
        /// The reader's error.
        source: ListError,
    },
}

/// Add the newest snapshot of every source in the store to `set`, each file with its URL, fetch
/// time and version, and the first-seen dates of its undated entries (snapshot history); the
/// snapshots loaded (without their bytes).
pub fn load_latest(
    store: &mut dyn Store,
    set: &mut ListSet,
) -> Result<Vec<ListSnapshot>, LoadError> {
    load_snapshots(store, set, &[])
}

/// As [`load_latest`], except that a source with a snapshot in `pinned` (ids, as `lists status`
/// shows them) is screened against that snapshot, not its newest: to repeat an earlier decision
/// on the data it used, or to hold a deployment on a version a team has checked.
pub fn load_snapshots(
    store: &mut dyn Store,
    set: &mut ListSet,
    pinned: &[i64],
) -> Result<Vec<ListSnapshot>, LoadError> {
    let mut pins: Vec<ListSnapshot> = Vec::with_capacity(pinned.len());
    for &id in pinned {
        let snapshot = store
            .list_snapshot(id, true)?
            .ok_or(LoadError::NoSnapshot(id))?;
        if let Some(other) = pins.iter().find(|p| p.source == snapshot.source) {
            return Err(LoadError::TwoPins(other.id, id, snapshot.source));
        }
        pins.push(snapshot);
    }
    let mut snapshots: Vec<ListSnapshot> = store
        .latest_list_snapshots(true)?
        .into_iter()
        .filter(|s| pins.iter().all(|p| p.source != s.source))
        .collect();
    snapshots.extend(pins);
    snapshots.sort_by(|a, b| a.source.cmp(&b.source));
    for snapshot in &mut snapshots {
        for (entry, day) in store.list_entries_first_seen(&snapshot.source)? {
            if let Ok(day) = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
                set.first_seen(&entry, day);
            }
        }
        let published = snapshot
            .published
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        for file in &mut snapshot.files {
            let fetched = Fetched {
                source: snapshot.source.clone(),
                url: file.url.clone(),
                at: snapshot.fetched_at.clone(),
                snapshot: snapshot.id,
            };
            set.add_fetched(&file.name, &file.body[..], published, fetched)
                .map_err(|source| LoadError::List {
                    snapshot: snapshot.id,
                    source,
                })?;
            file.body = Vec::new();
        }
    }
    Ok(snapshots)
}
