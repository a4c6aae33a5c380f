//! One update run: fetch each source, check what came, store it or say why not.

use ictguard_screen::lists::ListSet;
use ictguard_store::{
    AttemptOutcome, ListSnapshot, NewListSnapshot, SnapshotFile, Store, StoreError,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::catalog::Source;
use crate::fetch::{FetchError, Fetcher, Got};

/// What to update and how strictly.
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// The sources to fetch (empty: every source in the catalogue).
    pub sources: Vec<&'static Source>,
    /// Store a download with fewer than half the entries of the snapshot before it (refused by
    /// default: a truncated publication looks like that).
    pub accept_shrink: bool,
}

/// What became of one source.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateReport {
    /// The source's id.
    pub source: String,
    /// New, unchanged or failed.
    pub outcome: AttemptOutcome,
    /// What happened, in words.
    pub message: String,
    /// The snapshot now in use for the source (the new one, or the previous one), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<i64>,
}

/// Why a source's download was not stored.
#[derive(Debug, thiserror::Error)]
enum Refused {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{file}: the server answered 304 Not Modified, but no copy is stored")]
    NotModifiedWithoutCopy { file: String },
    #[error("{file}: not a list this reader knows: {message}")]
    Malformed { file: String, message: String },
    #[error("{file}: {skipped} of {rows} rows could not be read")]
    RowsSkipped {
        file: String,
        skipped: usize,
        rows: usize,
    },
    #[error("{entries} entries, fewer than the {min} a complete publication has")]
    TooFew { entries: usize, min: usize },
    #[error("{entries} entries, less than half the {before} of the snapshot in use (truncated?); --accept-shrink stores it")]
    Shrunk { entries: usize, before: i64 },
}

/// What a source's fetch came to, before it is stored.
enum Fetched {
    Fresh(NewListSnapshot),
    Unchanged(String),
}

/// Update every source `options` names: fetch, check, store. A source that fails is recorded
/// as failed and keeps its previous snapshot; the others go on. Only a store failure stops the
/// run.
pub fn update(
    store: &mut dyn Store,
    fetcher: &Fetcher,
    options: &UpdateOptions,
) -> Result<Vec<UpdateReport>, StoreError> {
    let previous = store.latest_list_snapshots(true)?;
    let sources: Vec<&Source> = match options.sources.is_empty() {
        true => crate::SOURCES.iter().collect(),
        false => options.sources.clone(),
    };
    let mut reports = Vec::with_capacity(sources.len());
    for source in sources {
        let before = previous.iter().find(|s| s.source == source.id);
        let in_use = before.map(|s| s.id);
        let report = match fetch_source(fetcher, source, before, options) {
            Ok(Fetched::Fresh(snapshot)) => {
                let id = store.save_list_snapshot(&snapshot)?;
                UpdateReport {
                    source: source.id.into(),
                    outcome: AttemptOutcome::New,
                    message: format!("{} entries stored as snapshot {id}", snapshot.entries),
                    snapshot: Some(id),
                }
            }
            Ok(Fetched::Unchanged(why)) => {
                store.record_list_attempt(source.id, AttemptOutcome::Unchanged, &why)?;
                UpdateReport {
                    source: source.id.into(),
                    outcome: AttemptOutcome::Unchanged,
                    message: why,
                    snapshot: in_use,
                }
            }
            Err(why) => {
                let message = match in_use {
                    Some(id) => format!("{why}; snapshot {id} stays in use"),
                    None => format!("{why}; no snapshot of this source is stored"),
                };
                store.record_list_attempt(source.id, AttemptOutcome::Failed, &message)?;
                UpdateReport {
                    source: source.id.into(),
                    outcome: AttemptOutcome::Failed,
                    message,
                    snapshot: in_use,
                }
            }
        };
        reports.push(report);
    }
    Ok(reports)
}

fn fetch_source(
    fetcher: &Fetcher,
    source: &Source,
    before: Option<&ListSnapshot>,
    options: &UpdateOptions,
) -> Result<Fetched, Refused> {
    let mut files = Vec::with_capacity(source.files.len());
    let mut modified = false;
    for file in source.files {
        let url = fetcher.url_of(source, file);
        let have = before.and_then(|s| s.files.iter().find(|f| f.name == file.name));
        match fetcher.get(&url, have)? {
            Got::NotModified => {
                let copy = have.ok_or_else(|| Refused::NotModifiedWithoutCopy {
                    file: file.name.into(),
                })?;
                files.push(copy.clone());
            }
            Got::Body {
                body,
                etag,
                last_modified,
            } => {
                modified = true;
                files.push(SnapshotFile {
                    name: file.name.into(),
                    url,
                    etag,
                    last_modified,
                    sha256: Sha256::digest(&body)
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect(),
                    bytes: body.len() as i64,
                    body,
                });
            }
        }
    }
    if !modified {
        return Ok(Fetched::Unchanged(
            "not modified since the snapshot in use".into(),
        ));
    }
    if let Some(before) = before {
        let same = before.files.len() == files.len()
            && before
                .files
                .iter()
                .zip(&files)
                .all(|(a, b)| a.sha256 == b.sha256);
        if same {
            return Ok(Fetched::Unchanged(
                "the same bytes as the snapshot in use".into(),
            ));
        }
    }
    let (entries, undated_entries) = check(source, &files)?;
    if let Some(before) = before.filter(|b| (entries as i64) * 2 < b.entries) {
        if !options.accept_shrink {
            return Err(Refused::Shrunk {
                entries,
                before: before.entries,
            });
        }
    }
    let published = files
        .first()
        .and_then(|f| f.last_modified.as_deref())
        .and_then(|m| httpdate::parse_http_date(m).ok())
        .map(|t| {
            chrono::DateTime::<chrono::Utc>::from(t)
                .date_naive()
                .to_string()
        });
    Ok(Fetched::Fresh(NewListSnapshot {
        source: source.id.into(),
        fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        published,
        entries: entries as i64,
        files,
        undated_entries,
    }))
}

/// Read the files as the screening will; the number of entries and the ids of those that give
/// no listing date, or why they are no list.
fn check(source: &Source, files: &[SnapshotFile]) -> Result<(usize, Vec<String>), Refused> {
    let mut set = ListSet::new();
    for f in files {
        let summary = set
            .add_reader(&f.name, &f.body[..])
            .map_err(|e| Refused::Malformed {
                file: f.name.clone(),
                message: e.to_string(),
            })?;
        let skipped = summary.skipped.len();
        let rows = summary.records + skipped;
        if skipped > 10.max(rows / 100) {
            return Err(Refused::RowsSkipped {
                file: f.name.clone(),
                skipped,
                rows,
            });
        }
    }
    let loaded = set.finish();
    let entries = loaded.entries.len();
    if entries < source.min_entries {
        return Err(Refused::TooFew {
            entries,
            min: source.min_entries,
        });
    }
    let undated = loaded
        .entries
        .into_iter()
        .filter(|e| e.listed.is_none())
        .map(|e| e.id)
        .collect();
    Ok((entries, undated))
}
