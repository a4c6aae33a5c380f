//! Delta screening: when the lists change, every watched subject is screened again, and a
//! subject whose decision became more severe (allow to review, review to block) is a new hit,
//! written to the audit trail with a review case opened for it. A subject whose decision eased
//! (an entry removed from a list) is recorded without a case.

use chrono::NaiveDate;
use ictguard_screen::engine::{Decision, Query, Screener};
use ictguard_store::{NewRecord, Store, StoreError};
use serde::Serialize;

/// A watched subject whose decision became more severe.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The watched subject's id.
    pub watch_id: i64,
    /// What it is.
    pub subject: String,
    /// The decision it had (`allow` when never screened).
    pub before: Decision,
    /// The decision it has now.
    pub after: Decision,
    /// The reason, as the screening gives it.
    pub reason: String,
}

/// What one pass over the watched subjects found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RescreenReport {
    /// Subjects screened.
    pub checked: usize,
    /// Subjects whose decision became more severe: each has an audit record and an open case.
    pub new_hits: Vec<Hit>,
    /// Subjects whose decision eased (recorded in the audit trail, no case).
    pub eased: usize,
    /// Stored queries that no longer screen (an unknown kind in an old query, …), left as they
    /// were.
    pub unreadable: usize,
}

/// Screen every watched subject in `store` with `screener` as of `today` (a stored query's own
/// date is ignored: watching is about now), record what changed and open cases for new hits.
pub fn rescreen(
    store: &mut dyn Store,
    screener: &Screener,
    today: NaiveDate,
    actor: &str,
) -> Result<RescreenReport, StoreError> {
    rescreen_after(store, screener, today, actor, 0)
}

/// As [`rescreen`], for the watched subjects with ids above `after` only: those just added are
/// screened without screening the whole watch list again.
pub fn rescreen_after(
    store: &mut dyn Store,
    screener: &Screener,
    today: NaiveDate,
    actor: &str,
    after: i64,
) -> Result<RescreenReport, StoreError> {
    let mut report = RescreenReport::default();
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut after_id = after;
    loop {
        let page = store.list_watched(after_id, 1000)?;
        let Some(last) = page.last() else { break };
        after_id = last.id;
        let mut decisions = Vec::with_capacity(page.len());
        let mut records = Vec::new();
        for w in &page {
            let query: Option<Query> = serde_json::from_str(&w.query).ok();
            let Some(result) = query
                .map(|q| Query { as_of: None, ..q })
                .and_then(|q| screener.screen(&q, today).ok())
            else {
                report.unreadable += 1;
                continue;
            };
            report.checked += 1;
            let before = match w.decision.as_deref() {
                Some("block") => Decision::Block,
                Some("review") => Decision::Review,
                _ => Decision::Allow,
            };
            let after = result.decision;
            decisions.push((w.id, after.as_str().to_string()));
            if after == before {
                continue;
            }
            let reason = result.reasons.first().cloned().unwrap_or_default();
            let body = serde_json::json!({
                "watch_id": w.id,
                "before": before,
                "after": after,
                "result": result,
            });
            let open_case = (after > before).then(|| {
                format!(
                    "delta screening: {} was {} and is now {} against the current lists: {reason}",
                    w.subject,
                    before.as_str(),
                    after.as_str()
                )
            });
            if after > before {
                report.new_hits.push(Hit {
                    watch_id: w.id,
                    subject: w.subject.clone(),
                    before,
                    after,
                    reason,
                });
            } else {
                report.eased += 1;
            }
            records.push(NewRecord {
                kind: "rescreen".into(),
                subject: w.subject.clone(),
                decision: after.as_str().into(),
                actor: actor.into(),
                body,
                open_case,
            });
        }
        // the trail first: a crash in between screens the subject again next time rather than
        // losing its hit
        if !records.is_empty() {
            store.append(&records)?;
        }
        store.set_watched_decisions(&decisions, &at)?;
    }
    Ok(report)
}
