//! Reading the stored snapshots back for screening.

use ictguard_screen::lists::{Fetched, ListError, ListSet};
use ictguard_store::{ListSnapshot, Store, StoreError};

/// Why the stored snapshots could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
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
    let mut snapshots = store.latest_list_snapshots(true)?;
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
