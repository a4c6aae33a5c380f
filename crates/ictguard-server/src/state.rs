//! [`AppState`]: what every handler shares, and the two ways a decision is made and recorded
//! (screening, vetting), used alike by the API and the web UI.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use ictguard_screen::engine::{Decision, Query, ScreenResult, Screener};
use ictguard_store::{AuditWriter, NewRecord, Store, StoreError};
use serde_json::Value;

use crate::config::{ServerConfig, MAX_APK};
use crate::error::{internal, ApiError, ServeError};
use crate::isolation::{Admission, VetFailure, VetPool};
use crate::metrics::Metrics;
use crate::session::Sessions;

/// The server's shared state: one `Clone` struct of shared parts, cheap to clone per request.
#[derive(Clone)]
pub struct AppState {
    /// The screener in use: replaced whole when newer list snapshots arrive
    /// ([`crate::lists_refresh`]); a request loads it once and keeps that one.
    pub(crate) screener: Arc<arc_swap::ArcSwap<Screener>>,
    /// The rules and knowledge vetting reports cite (SARIF's rule list); the vetting itself runs
    /// in worker processes (`vet_pool`).
    pub(crate) vetter: Arc<ictguard_vet::Vetter>,
    pub(crate) vet_pool: Arc<VetPool>,
    pub(crate) writer: AuditWriter,
    /// open stores for reads, key checks and case resolutions, one per caller at a time
    pool: Arc<Mutex<Vec<Box<dyn Store>>>>,
    database: Arc<str>,
    /// the backend's client blocks on its own runtime (PostgreSQL), so calls from an async worker
    /// must leave the worker first
    leave_worker: bool,
    pub(crate) metrics: Arc<Metrics>,
    /// the web UI's sign-in sessions
    pub(crate) sessions: Arc<Sessions>,
}

impl AppState {
    /// The state of a server started with `config`: its rule pack loaded, its audit writer
    /// started on its database, its vetting pool ready. Binds nothing.
    pub fn new(config: &ServerConfig) -> Result<AppState, ServeError> {
        let pack = config.rules.load().map_err(ServeError::Pack)?;
        let writer =
            AuditWriter::start(&config.database).map_err(|source| ServeError::Database {
                database: ictguard_store::display_database(&config.database),
                source,
            })?;
        let sources = crate::lists_refresh::ListSources {
            pack: pack.clone(),
            files: config.lists.clone(),
            stored: config.stored_lists || config.refresh_lists.is_some(),
            pinned: config.pinned_snapshots.clone(),
        };
        let (screener, versions) = if sources.stored {
            // on a thread of its own: the PostgreSQL client blocks on a runtime of its own,
            // which it cannot do on this (async) one
            let load = || {
                let mut store = ictguard_store::open(&config.database).map_err(|source| {
                    ServeError::Database {
                        database: ictguard_store::display_database(&config.database),
                        source,
                    }
                })?;
                sources.build(Some(store.as_mut()))
            };
            std::thread::scope(|scope| scope.spawn(load).join())
                .map_err(|_| ServeError::Config("loading the stored lists failed".into()))??
        } else {
            sources.build(None)?
        };
        let screener = Arc::new(arc_swap::ArcSwap::from_pointee(screener));
        if let Some(interval) = config.refresh_lists {
            crate::lists_refresh::spawn(
                sources,
                config.database.clone(),
                config.list_mirror.clone(),
                interval,
                Arc::clone(&screener),
                versions,
            )?;
        }
        let knowledge = ictguard_vet::Knowledge::bundled();
        Ok(AppState {
            vetter: Arc::new(ictguard_vet::Vetter::new(pack.clone(), knowledge)),
            vet_pool: Arc::new(VetPool::new(
                &config.rules,
                &config.vetting,
                MAX_APK as u64,
            )?),
            screener,
            writer,
            pool: Arc::new(Mutex::new(Vec::new())),
            database: config.database.as_str().into(),
            leave_worker: ictguard_store::is_postgres_url(&config.database),
            metrics: Arc::new(Metrics::default()),
            sessions: Arc::new(Sessions::default()),
        })
    }

    /// Run `f` on a pooled store (opening one when none is free). Store errors come back as they
    /// are, for the caller to map.
    pub(crate) fn with_store<T>(
        &self,
        f: impl FnOnce(&mut dyn Store) -> Result<T, StoreError>,
    ) -> Result<Result<T, StoreError>, ApiError> {
        let run = || {
            let store = self.pool.lock().map_err(internal)?.pop();
            let mut store = match store {
                Some(s) => s,
                None => ictguard_store::open(&self.database).map_err(internal)?,
            };
            let out = f(store.as_mut());
            // a store that failed may have lost its connection: open a new one next time
            if out.is_ok() {
                if let Ok(mut pool) = self.pool.lock() {
                    if pool.len() < 16 {
                        pool.push(store);
                    }
                }
            }
            Ok(out)
        };
        if self.leave_worker {
            tokio::task::block_in_place(run)
        } else {
            run()
        }
    }

    /// [`Self::with_store`] with store errors as internal errors.
    pub(crate) fn with_reader<T>(
        &self,
        f: impl FnOnce(&mut dyn Store) -> Result<T, StoreError>,
    ) -> Result<T, ApiError> {
        self.with_store(f)?.map_err(internal)
    }

    /// Screen one query (as of its date, or today), count the decision, and write it to the audit
    /// trail (a review opens a case): the result, its JSON and its audit sequence number, once
    /// committed. `POST /v1/screen` and the web UI both screen through here.
    pub(crate) async fn screen_and_record(
        &self,
        query: &Query,
        actor: String,
    ) -> Result<(ScreenResult, Value, i64), ApiError> {
        let result = self
            .screener
            .load()
            .screen(query, crate::as_of::today())
            .map_err(|e| {
                ApiError(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_query",
                    e.to_string(),
                )
            })?;
        self.metrics.count(result.decision);
        let body = serde_json::to_value(&result).map_err(internal)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.writer
            .append_with(
                vec![screen_record(query, &result, actor, body.clone())],
                Box::new(move |r| {
                    let _ = tx.send(r);
                }),
            )
            .map_err(internal)?;
        let seq = rx.await.map_err(internal)?.map_err(internal)?[0];
        Ok((result, body, seq))
    }

    /// Vet an APK in a worker process ([`VetPool`]) and write the report to the audit trail (a
    /// high or critical risk opens a case): the report, its JSON and its audit sequence number.
    /// Nothing is recorded for a vetting that fails or is cut off (a dropped request kills its
    /// worker before any record is written). `POST /v1/vet` and the web UI both vet through here.
    pub(crate) async fn vet_and_record(
        &self,
        admission: Admission,
        file: &str,
        bytes: axum::body::Bytes,
        as_of: chrono::NaiveDate,
        actor: String,
    ) -> Result<(ictguard_vet::Report, Value, i64), ApiError> {
        let report = self
            .vet_pool
            .vet(admission, file, bytes, as_of)
            .await
            .map_err(|e| self.vet_error(e))?;
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let (value, seq) = state.record_vet(&report, actor)?;
            Ok((report, value, seq))
        })
        .await
        .map_err(internal)?
    }

    /// A place in the vetting queue, or 503 when it is full.
    pub(crate) fn admit_vetting(&self) -> Result<Admission, ApiError> {
        self.vet_pool.admit().map_err(|e| self.vet_error(e))
    }

    /// The answer for a vetting that failed.
    pub(crate) fn vet_error(&self, failure: VetFailure) -> ApiError {
        match failure {
            VetFailure::Busy => {
                self.metrics.refused();
                ApiError(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    format!(
                        "every vetting worker is busy and the queue is full; retry after {} s",
                        self.vet_pool.retry_after()
                    ),
                )
            }
            VetFailure::NotAnApk(why) => {
                ApiError(StatusCode::UNPROCESSABLE_ENTITY, "not_an_apk", why)
            }
            VetFailure::Exhausted(why) => ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                "vetting_stopped",
                format!("{why}: the APK could not be vetted within the server's limits (a file built to exhaust analysers does this); nothing was recorded"),
            ),
            VetFailure::TimedOut(after) => ApiError(
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                format!(
                    "vetting took longer than {} s and was stopped; nothing was recorded",
                    after.as_secs_f64()
                ),
            ),
            VetFailure::Internal(why) => internal(why),
        }
    }

    /// Write a vetting report to the audit trail (blocks): its JSON and sequence number.
    fn record_vet(
        &self,
        report: &ictguard_vet::Report,
        actor: String,
    ) -> Result<(Value, i64), ApiError> {
        let value = serde_json::to_value(report).map_err(internal)?;
        let seqs = self
            .writer
            .append(vec![NewRecord {
                kind: "vet".into(),
                subject: report
                    .package
                    .clone()
                    .unwrap_or_else(|| report.sha256.clone()),
                decision: report.recommendation.as_str().into(),
                actor,
                body: value.clone(),
                open_case: (report.risk >= ictguard_vet::Risk::High).then(|| {
                    format!(
                        "app vetted {} risk (score {}): {}",
                        report.risk.as_str(),
                        report.score,
                        report.recommendation.as_str()
                    )
                }),
            }])
            .map_err(internal)?;
        let seq = seqs
            .first()
            .copied()
            .ok_or_else(|| internal("no sequence number"))?;
        Ok((value, seq))
    }
}

/// The audit record of one screening (a `review` opens a case).
pub(crate) fn screen_record(
    query: &Query,
    result: &ScreenResult,
    actor: String,
    body: Value,
) -> NewRecord {
    NewRecord {
        kind: "screen".into(),
        subject: [&query.name, &query.app, &query.package, &query.bundle]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" | "),
        decision: result.decision.as_str().into(),
        actor,
        body,
        open_case: (result.decision == Decision::Review)
            .then(|| format!("screening review: {}", result.reasons.join("; "))),
    }
}
