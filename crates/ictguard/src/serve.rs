//! `ictguard serve`: the HTTP API (axum). Screening answers are what `ictguard screen --json`
//! prints; every decision is written to the hash-chained audit trail before it is answered.
//! Clients send `Authorization: Bearer KEY` (keys from `ictguard keys create`); `screen` keys may
//! screen and read the rules, `admin` keys may also read the audit trail. Errors have one shape:
//! `{"error": {"code": "...", "message": "..."}}`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ictguard_rules::RulePack;
use ictguard_screen::engine::{Decision, Query, ScreenConfig, ScreenResult, Screener};
use ictguard_store::{AuditQuery, AuditWriter, NewRecord, Role, Store, StoreError};
use serde_json::{json, Value};

use crate::cli::{PackArgs, ServeArgs};
use crate::isolation::{Admission, VetFailure, VetPool};
use crate::openapi::{
    AuditPage, CaseList, Health, ResolvedAnswer, RuleItem, RulesList, RulesStatus,
};
use crate::Outcome;

/// Largest request body accepted.
const MAX_BODY: usize = 1 << 20;
/// Largest APK upload accepted.
pub(crate) const MAX_APK: usize = 512 << 20;
/// Largest batch (JSON Lines) accepted.
const MAX_BATCH: usize = 64 << 20;
/// Most queries in one batch.
const MAX_BATCH_LINES: usize = 100_000;
/// Longest a request may take before it is answered with a timeout error.
const REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

/// Request counters for `/metrics`.
#[derive(Default)]
struct Metrics {
    requests: AtomicU64,
    refused: AtomicU64,
    errors: AtomicU64,
    screen_block: AtomicU64,
    screen_review: AtomicU64,
    screen_allow: AtomicU64,
}

impl Metrics {
    /// Count one screening decision.
    fn count(&self, decision: Decision) {
        match decision {
            Decision::Block => &self.screen_block,
            Decision::Review => &self.screen_review,
            Decision::Allow => &self.screen_allow,
        }
        .fetch_add(1, Ordering::Relaxed);
    }
}

pub(crate) struct AppState {
    pub(crate) screener: Screener,
    /// The rules and knowledge vetting reports cite (SARIF's rule list); the vetting itself runs
    /// in worker processes (`vet_pool`).
    pub(crate) vetter: ictguard_vet::Vetter,
    pub(crate) vet_pool: VetPool,
    writer: AuditWriter,
    /// open stores for reads, key checks and case resolutions, one per caller at a time
    pool: Mutex<Vec<Box<dyn Store>>>,
    database: String,
    /// the backend's client blocks on its own runtime (PostgreSQL), so calls from an async worker
    /// must leave the worker first
    leave_worker: bool,
    metrics: Metrics,
    /// the web UI's sign-in sessions
    pub(crate) sessions: crate::web::Sessions,
}

/// An error answer in the one shape.
pub(crate) struct ApiError(
    pub(crate) StatusCode,
    pub(crate) &'static str,
    pub(crate) String,
);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.0,
            Json(json!({ "error": { "code": self.1, "message": self.2 } })),
        )
            .into_response()
    }
}

pub(crate) type ApiResult = Result<Response, ApiError>;

pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
}

impl AppState {
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

    /// The caller's key id, when its key is valid and its role allows `need`.
    fn authorize(&self, headers: &HeaderMap, need: Role) -> Result<String, ApiError> {
        let refuse = |code: &'static str, why: &str| {
            self.metrics.refused.fetch_add(1, Ordering::Relaxed);
            ApiError(StatusCode::UNAUTHORIZED, code, why.to_string())
        };
        let key = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| refuse("unauthorized", "send Authorization: Bearer KEY"))?;
        self.authorize_key(key, need)
    }

    /// The key id, when `key` is valid, not revoked, and its role allows `need`.
    pub(crate) fn authorize_key(&self, key: &str, need: Role) -> Result<String, ApiError> {
        let (id, role) = self.key_role(key)?;
        if need == Role::Admin && role != Role::Admin {
            return Err(self.forbidden());
        }
        Ok(id)
    }

    /// Count and build the refusal of a valid key whose role is not enough.
    pub(crate) fn forbidden(&self) -> ApiError {
        self.metrics.refused.fetch_add(1, Ordering::Relaxed);
        ApiError(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this needs an admin key".into(),
        )
    }

    /// The key id and role of a valid, unrevoked key (one read of the store); unknown or revoked
    /// keys are refused.
    pub(crate) fn key_role(&self, key: &str) -> Result<(String, Role), ApiError> {
        self.with_reader(|db| db.check_key(key.trim()))?
            .ok_or_else(|| {
                self.metrics.refused.fetch_add(1, Ordering::Relaxed);
                ApiError(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "unknown or revoked key".into(),
                )
            })
    }

    /// Screen one query (as of its date, or today), count the decision, and write it to the audit
    /// trail (a review opens a case): the result, its JSON and its audit sequence number, once
    /// committed. `POST /v1/screen` and the web UI both screen through here.
    pub(crate) async fn screen_and_record(
        &self,
        query: &Query,
        actor: String,
    ) -> Result<(ScreenResult, Value, i64), ApiError> {
        let result = self.screener.screen(query, crate::today()).map_err(|e| {
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
        self: &Arc<Self>,
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
                self.metrics.refused.fetch_add(1, Ordering::Relaxed);
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

pub fn run(pack: RulePack, pack_args: &PackArgs, args: &ServeArgs) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(serve(pack, pack_args, args))
}

async fn serve(pack: RulePack, pack_args: &PackArgs, args: &ServeArgs) -> anyhow::Result<Outcome> {
    let writer = AuditWriter::start(&args.database).with_context(|| {
        format!(
            "opening the database {}",
            ictguard_store::display_database(&args.database)
        )
    })?;
    let knowledge = ictguard_vet::Knowledge::bundled();
    let state = Arc::new(AppState {
        vetter: ictguard_vet::Vetter::new(pack.clone(), knowledge),
        vet_pool: VetPool::new(pack_args, args, MAX_APK as u64)?,
        screener: Screener::new(pack, Vec::new(), ScreenConfig::default()),
        writer,
        pool: Mutex::new(Vec::new()),
        database: args.database.clone(),
        leave_worker: ictguard_store::is_postgres_url(&args.database),
        metrics: Metrics::default(),
        sessions: crate::web::Sessions::default(),
    });
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi_json))
        .route("/metrics", get(metrics))
        .route(
            "/v1/screen",
            post(screen).layer(axum::middleware::from_fn_with_state(
                MAX_BODY,
                declared_size,
            )),
        )
        .route(
            "/v1/screen/batch",
            post(screen_batch).layer(axum::middleware::from_fn_with_state(
                MAX_BATCH,
                declared_size,
            )),
        )
        .route(
            "/v1/vet",
            post(vet)
                .layer(DefaultBodyLimit::max(MAX_APK))
                .layer(axum::middleware::from_fn_with_state(MAX_APK, declared_size)),
        )
        .route("/v1/rules", get(rules_list))
        .route("/v1/rules/status", get(rules_status))
        .route("/v1/rules/{id}", get(rules_show))
        .route("/v1/audit", get(audit))
        .route("/v1/cases", get(cases))
        .route("/v1/cases/{id}/resolve", post(resolve))
        .merge(crate::web::routes())
        .fallback(|| async {
            ApiError(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint".into(),
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(deadline))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    use std::io::Write as _;
    std::io::stdout().flush()?;
    let limits = crate::listener::ConnectionLimits {
        max_connections: args.max_connections,
        header_timeout: std::time::Duration::from_secs(args.header_timeout.max(1)),
    };
    crate::listener::serve(listener, app, limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(Outcome::Clean)
}

/// Refuse a body whose declared length is over the limit before reading any of it (the body-limit
/// layer would read up to the limit first).
async fn declared_size(
    State(max): State<usize>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let declared = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            "bad_request",
            format!(
                "the body is {} bytes; the limit is {max}",
                declared.unwrap_or(0)
            ),
        )
        .into_response();
    }
    next.run(req).await
}

/// Answer with a timeout error when a request takes longer than [`REQUEST_DEADLINE`] (work already
/// handed to a blocking thread finishes in the background; its audit record is still written).
async fn deadline(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::time::timeout(REQUEST_DEADLINE, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            format!(
                "the request took longer than {} s",
                REQUEST_DEADLINE.as_secs()
            ),
        )
        .into_response(),
    }
}

/// An `as_of` query parameter, or today.
fn as_of_param(value: Option<&str>) -> Result<chrono::NaiveDate, ApiError> {
    match value {
        Some(d) => ictguard_rules::parse_date(d).map_err(|e| {
            ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_date",
                e.to_string(),
            )
        }),
        None => Ok(crate::today()),
    }
}

#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "the server is up", body = crate::openapi::Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "this document (OpenAPI 3.1)", body = Object)))]
pub(crate) async fn openapi_json() -> Response {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [("content-type", "application/json")],
        DOC.get_or_init(crate::openapi::document).clone(),
    )
        .into_response()
}

#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub(crate) async fn metrics(State(s): State<Arc<AppState>>) -> String {
    let m = &s.metrics;
    let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
    format!(
        "# HELP ictguard_requests_total HTTP requests handled.\n# TYPE ictguard_requests_total counter\nictguard_requests_total {}\n\
         # HELP ictguard_requests_refused_total Requests refused for a missing, revoked or under-privileged key.\n# TYPE ictguard_requests_refused_total counter\nictguard_requests_refused_total {}\n\
         # HELP ictguard_errors_total Requests answered with a 4xx or 5xx for bad input or failure.\n# TYPE ictguard_errors_total counter\nictguard_errors_total {}\n\
         # HELP ictguard_screenings_total Screening decisions, by decision.\n# TYPE ictguard_screenings_total counter\n\
         ictguard_screenings_total{{decision=\"block\"}} {}\nictguard_screenings_total{{decision=\"review\"}} {}\nictguard_screenings_total{{decision=\"allow\"}} {}\n",
        g(&m.requests),
        g(&m.refused),
        g(&m.errors),
        g(&m.screen_block),
        g(&m.screen_review),
        g(&m.screen_allow),
    )
}

/// `POST /v1/screen`: one party, app or transaction (the CLI's fields); the answer is what
/// `ictguard screen --json` prints, written to the audit trail first.
#[utoipa::path(post, path = "/v1/screen", tag = "screening",
    request_body = ictguard_screen::engine::Query,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "the decision with its evidence (what `ictguard screen --json` prints), committed to the audit trail",
         body = ictguard_screen::engine::ScreenResult,
         headers(("x-audit-seq" = i64, description = "the audit record's sequence number"))),
        (status = 400, description = "malformed body", body = crate::openapi::ErrorAnswer),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::openapi::ErrorAnswer),
        (status = 413, description = "the body is over its limit", body = crate::openapi::ErrorAnswer),
        (status = 422, description = "the body or a parameter is invalid", body = crate::openapi::ErrorAnswer)))]
pub(crate) async fn screen(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> ApiResult {
    // screening takes microseconds and a key check one indexed read: both run here, on the async
    // worker; only the commit is waited for, without holding a thread
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    // the key first: the body is read only for a client whose key is accepted
    let actor = s.authorize(&headers, Role::Screen)?;
    let bad = |status: StatusCode, code: &'static str, msg: String| {
        s.metrics.errors.fetch_add(1, Ordering::Relaxed);
        ApiError(status, code, msg)
    };
    use axum::extract::FromRequest as _;
    let body: Result<Json<Value>, JsonRejection> = Json::from_request(request, &()).await;
    let Json(value) = body.map_err(|e| bad(e.status(), "bad_request", e.body_text()))?;
    let query: Query = serde_json::from_value(value).map_err(|e| {
        bad(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_query",
            e.to_string(),
        )
    })?;
    let (_, body, seq) = s
        .screen_and_record(&query, actor)
        .await
        .map_err(|e| bad(e.0, e.1, e.2))?;
    Ok(([("x-audit-seq", seq.to_string())], Json(body)).into_response())
}

/// The audit record of one screening (a `review` opens a case).
fn screen_record(
    query: &Query,
    result: &ictguard_screen::engine::ScreenResult,
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

#[utoipa::path(get, path = "/v1/rules", tag = "rules", security(("api_key" = [])),
    responses((status = 200, description = "the pack's orders, data rules, apps and entities", body = crate::openapi::RulesList),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::openapi::ErrorAnswer)))]
pub(crate) async fn rules_list(State(s): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    s.authorize(&headers, Role::Screen)?;
    let pack = s.screener.pack();
    let item = |id: &str, kind: &str, title: &str, citation: Option<&str>| RuleItem {
        id: id.to_string(),
        kind: kind.to_string(),
        title: title.to_string(),
        citation: citation.map(str::to_string),
    };
    let items = pack
        .orders
        .iter()
        .map(|o| item(&o.item.id, "order", &o.item.title, Some(&o.item.citation)))
        .chain(pack.data_rules.iter().map(|r| {
            item(
                &r.item.id,
                "data_rule",
                &r.item.title,
                Some(&r.item.citation),
            )
        }))
        .chain(
            pack.apps
                .iter()
                .map(|a| item(&a.item.id, "app", &a.item.name, None)),
        )
        .chain(
            pack.entities
                .iter()
                .map(|e| item(&e.item.id, "entity", &e.item.name, None)),
        )
        .collect();
    Ok(Json(RulesList { items }).into_response())
}

#[utoipa::path(get, path = "/v1/rules/{id}", tag = "rules", security(("api_key" = [])),
    params(("id" = String, Path, description = "an order, data rule, app or entity id")),
    responses((status = 200, description = "the item as `ictguard rules show --json` prints it", body = Object),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::openapi::ErrorAnswer),
        (status = 404, description = "no such item", body = crate::openapi::ErrorAnswer)))]
pub(crate) async fn rules_show(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    s.authorize(&headers, Role::Screen)?;
    let mut out = Vec::new();
    ictguard_report::rules::show(&mut out, s.screener.pack(), &id, true).map_err(internal)?;
    let value: Value = serde_json::from_slice(&out).map_err(internal)?;
    if value.is_null() {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no rule-pack item {id:?}"),
        ));
    }
    Ok(Json(value).into_response())
}

#[derive(serde::Deserialize)]
pub(crate) struct StatusParams {
    as_of: Option<String>,
}

#[utoipa::path(get, path = "/v1/rules/status", tag = "rules", security(("api_key" = [])),
    params(("as_of" = Option<String>, Query, description = "a date (YYYY-MM-DD); today when absent")),
    responses((status = 200, description = "every order's status on the date", body = crate::openapi::RulesStatus),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::openapi::ErrorAnswer),
        (status = 422, description = "the body or a parameter is invalid", body = crate::openapi::ErrorAnswer)))]
pub(crate) async fn rules_status(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlQuery(p): UrlQuery<StatusParams>,
) -> ApiResult {
    s.authorize(&headers, Role::Screen)?;
    let date = as_of_param(p.as_of.as_deref())?;
    let orders = s.screener.pack().statuses_on(date);
    Ok(Json(RulesStatus {
        as_of: date,
        orders,
    })
    .into_response())
}

#[utoipa::path(get, path = "/v1/audit", tag = "audit", security(("api_key" = [])),
    params(
        ("after" = Option<i64>, Query, description = "records after this sequence number (paging)"),
        ("limit" = Option<i64>, Query, description = "at most this many, 1..1000 (100)"),
        ("decision" = Option<String>, Query, description = "only this decision"),
        ("subject" = Option<String>, Query, description = "only subjects containing this text"),
        ("kind" = Option<String>, Query, description = "only this kind: screen, vet, case"),
        ("since" = Option<String>, Query, description = "only records at or after this time (RFC 3339 or a date)"),
        ("until" = Option<String>, Query, description = "only records before this time")),
    responses((status = 200, description = "a page of the trail (admins)", body = crate::openapi::AuditPage),
        (status = 400, description = "malformed body", body = crate::openapi::ErrorAnswer),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::openapi::ErrorAnswer),
        (status = 403, description = "the key's role does not allow this", body = crate::openapi::ErrorAnswer)))]
pub(crate) async fn audit(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlQuery(q): UrlQuery<AuditQuery>,
) -> ApiResult {
    let state = s.clone();
    tokio::task::spawn_blocking(move || {
        state.authorize(&headers, Role::Admin)?;
        let records = state.with_reader(|db| db.query(&q))?;
        let next_after = records.last().map(|r| r.seq);
        Ok(Json(AuditPage {
            records,
            next_after,
        })
        .into_response())
    })
    .await
    .map_err(internal)?
}

/// `POST /v1/screen/batch`: JSON Lines in (one query per line), JSON Lines out in the same order,
/// streamed: the body is read as it arrives and answered chunk by chunk. Each answer line is the
/// `screen --json` object or `{"line", "error"}`; a chunk's lines are sent only once their audit
/// records have committed. A failure after the answer has begun (the batch grows past its limits,
/// the trail cannot be written) ends the stream with one `{"error": {...}}` line.
#[utoipa::path(post, path = "/v1/screen/batch", tag = "screening", security(("api_key" = [])),
    request_body(content = String, content_type = "application/x-ndjson", description = "one screening query (as for /v1/screen) per line"),
    responses(
        (status = 200, description = "one line per query, in order: the screening answer or {\"line\", \"error\"}; streamed, each chunk sent once committed; a stream that fails ends with an {\"error\"} line",
         body = String, content_type = "application/x-ndjson"),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::openapi::ErrorAnswer),
        (status = 413, description = "the body is over its limit", body = crate::openapi::ErrorAnswer)))]
pub(crate) async fn screen_batch(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult {
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let actor = s.authorize(&headers, Role::Screen)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<axum::body::Bytes>(4);
    tokio::spawn(batch::run(s, actor, body, tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), rx))
    });
    Ok((
        [("content-type", "application/x-ndjson")],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

/// The streaming batch: read lines, screen them in chunks off the async workers, commit each
/// chunk's records, then send its answers.
mod batch {
    use super::*;
    use futures_util::StreamExt as _;

    /// Longest a batch waits for more of its body, or for the client to take its answers.
    const BATCH_IDLE: std::time::Duration = std::time::Duration::from_secs(60);
    /// Longest line accepted.
    const MAX_LINE: usize = 64 << 10;
    /// Lines screened and committed together, at most.
    const CHUNK_LINES: usize = 1024;

    type Sender = tokio::sync::mpsc::Sender<axum::body::Bytes>;

    fn error_line(code: &str, message: String) -> axum::body::Bytes {
        let mut line = json!({ "error": { "code": code, "message": message } }).to_string();
        line.push('\n');
        line.into()
    }

    pub(super) async fn run(s: Arc<AppState>, actor: String, body: axum::body::Body, tx: Sender) {
        if let Err((code, message)) = pump(&s, &actor, body, &tx).await {
            s.metrics.errors.fetch_add(1, Ordering::Relaxed);
            let _ = tokio::time::timeout(BATCH_IDLE, tx.send(error_line(code, message))).await;
        }
    }

    async fn pump(
        s: &Arc<AppState>,
        actor: &str,
        body: axum::body::Body,
        tx: &Sender,
    ) -> Result<(), (&'static str, String)> {
        let mut stream = body.into_data_stream();
        let mut pending: Vec<u8> = Vec::new();
        let (mut bytes, mut line_no, mut queries) = (0usize, 0usize, 0usize);
        let mut done = false;
        while !done {
            let next = tokio::time::timeout(BATCH_IDLE, stream.next())
                .await
                .map_err(|_| {
                    (
                        "timeout",
                        format!("no more of the body for {} s", BATCH_IDLE.as_secs()),
                    )
                })?;
            match next {
                Some(Ok(data)) => {
                    bytes += data.len();
                    if bytes > MAX_BATCH {
                        return Err((
                            "too_large",
                            format!(
                                "the batch is over {MAX_BATCH} bytes; send the rest in another"
                            ),
                        ));
                    }
                    pending.extend_from_slice(&data);
                }
                Some(Err(e)) => return Err(("bad_request", format!("reading the body: {e}"))),
                None => {
                    done = true;
                    if !pending.is_empty() && !pending.ends_with(b"\n") {
                        pending.push(b'\n');
                    }
                }
            }
            // the complete lines received so far, in chunks
            let complete = pending
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            if complete == 0 {
                if pending.len() > MAX_LINE {
                    return Err((
                        "line_too_long",
                        format!("line {} is over {MAX_LINE} bytes", line_no + 1),
                    ));
                }
                continue;
            }
            let rest = pending.split_off(complete);
            // the complete lines, without the newline that ends the last
            let complete_lines = std::mem::replace(&mut pending, rest);
            let mut lines = complete_lines[..complete - 1].split(|&b| b == b'\n');
            loop {
                // the next chunk's lines, numbered, blank ones skipped (but counted)
                let mut taken = 0;
                let numbered: Vec<(usize, Vec<u8>)> = lines
                    .by_ref()
                    .take(CHUNK_LINES)
                    .inspect(|_| taken += 1)
                    .map(|l| {
                        line_no += 1;
                        (line_no, l.to_vec())
                    })
                    .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
                    .collect();
                if taken == 0 {
                    break;
                }
                queries += numbered.len();
                if queries > MAX_BATCH_LINES {
                    return Err((
                        "too_many_lines",
                        format!(
                            "more than {MAX_BATCH_LINES} queries; send the rest in another batch"
                        ),
                    ));
                }
                if numbered.iter().any(|(_, l)| l.len() > MAX_LINE) {
                    return Err(("line_too_long", format!("a line is over {MAX_LINE} bytes")));
                }
                let state = s.clone();
                let actor = actor.to_string();
                let (text, records) =
                    tokio::task::spawn_blocking(move || screen_chunk(&state, &actor, &numbered))
                        .await
                        .map_err(|e| ("internal", e.to_string()))?;
                if !records.is_empty() {
                    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
                    s.writer
                        .append_with(
                            records,
                            Box::new(move |r| {
                                let _ = done_tx.send(r);
                            }),
                        )
                        .map_err(|e| ("internal", e.to_string()))?;
                    done_rx
                        .await
                        .map_err(|e| ("internal", e.to_string()))?
                        .map_err(|e| ("internal", format!("writing the audit trail: {e}")))?;
                }
                // a client that went away, or that does not read the answers while it sends
                // (a streaming endpoint needs both at once), ends the batch; what was committed
                // stays committed
                match tokio::time::timeout(BATCH_IDLE, tx.send(text.into())).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) | Err(_) => return Ok(()),
                }
            }
        }
        Ok(())
    }

    /// Screen numbered lines: the answer text and the audit records of the screened ones.
    fn screen_chunk(
        s: &AppState,
        actor: &str,
        lines: &[(usize, Vec<u8>)],
    ) -> (String, Vec<NewRecord>) {
        let mut text = String::new();
        let mut records = Vec::new();
        for (n, line) in lines {
            let answer = std::str::from_utf8(line)
                .map_err(|_| "the line is not UTF-8".to_string())
                .and_then(|l| serde_json::from_str::<Query>(l).map_err(|e| e.to_string()))
                .and_then(|q| {
                    s.screener
                        .screen(&q, crate::today())
                        .map(|r| (q, r))
                        .map_err(|e| e.to_string())
                });
            match answer.and_then(|(q, r)| {
                serde_json::to_value(&r)
                    .map(|v| (q, r, v))
                    .map_err(|e| e.to_string())
            }) {
                Ok((q, r, body)) => {
                    s.metrics.count(r.decision);
                    text.push_str(&body.to_string());
                    records.push(screen_record(&q, &r, actor.to_string(), body));
                }
                Err(e) => text.push_str(&json!({ "line": n, "error": e }).to_string()),
            }
            text.push('\n');
        }
        (text, records)
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct VetParams {
    as_of: Option<String>,
    format: Option<String>,
}

/// The multipart form of `POST /v1/vet`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the form for the OpenAPI document; read by web::vet::read_upload
pub(crate) struct VetForm {
    /// The APK file.
    #[schema(format = Binary, content_media_type = "application/vnd.android.package-archive")]
    apk: Vec<u8>,
    /// The date the rules are applied as of (the query parameter wins).
    as_of: Option<String>,
}

/// `POST /v1/vet`: an APK as the raw body, or as the `apk` part of a `multipart/form-data` form;
/// the vetting report as JSON (or `?format=html|sarif`), written to the audit trail.
#[utoipa::path(post, path = "/v1/vet", tag = "vetting", security(("api_key" = [])),
    request_body(description = "the APK's bytes as the body (up to 512 MiB), or a form with the APK as its `apk` part", content(
        (Vec<u8> = "application/vnd.android.package-archive"),
        (VetForm = "multipart/form-data"))),
    params(
        ("as_of" = Option<String>, Query, description = "the date the rules are applied as of (today)"),
        ("format" = Option<String>, Query, description = "json (default), html or sarif")),
    responses(
        (status = 200, description = "the vetting report, committed to the audit trail", content(
            (ictguard_vet::Report = "application/json"),
            (String = "text/html"),
            (Object = "application/sarif+json"))),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::openapi::ErrorAnswer),
        (status = 413, description = "the body is over its limit", body = crate::openapi::ErrorAnswer),
        (status = 422, description = "the body or a parameter is invalid, or the APK could not be vetted within the server's limits (nothing is recorded)", body = crate::openapi::ErrorAnswer),
        (status = 503, description = "every vetting worker is busy and the queue is full (see Retry-After)", body = crate::openapi::ErrorAnswer),
        (status = 504, description = "the vetting took longer than its deadline and was stopped (nothing is recorded)", body = crate::openapi::ErrorAnswer)))]
pub(crate) async fn vet(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlQuery(p): UrlQuery<VetParams>,
    request: axum::extract::Request,
) -> ApiResult {
    s.metrics.requests.fetch_add(1, Ordering::Relaxed);
    // refuse before reading the upload: no key, an unknown format, a full queue
    let actor = s.authorize(&headers, Role::Screen)?;
    let format = p.format.clone().unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "json" | "html" | "sarif") {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_format",
            format!("format {format:?}: expected json, html or sarif"),
        ));
    }
    let admission = match s.admit_vetting() {
        Ok(a) => a,
        Err(busy) => {
            let retry = s.vet_pool.retry_after().to_string();
            let mut response = busy.into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&retry) {
                response.headers_mut().insert("retry-after", v);
            }
            return Ok(response);
        }
    };
    let multipart = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    use axum::extract::FromRequest as _;
    let (body, form_as_of) = if multipart {
        let form = axum::extract::Multipart::from_request(request, &())
            .await
            .map_err(|e| ApiError(e.status(), "bad_request", e.body_text()))?;
        let upload = crate::web::vet::read_upload(form)
            .await
            .map_err(|(status, why)| ApiError(status, "bad_request", why))?;
        if upload.bytes.is_empty() {
            return Err(ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_an_apk",
                "the form has no `apk` file part".into(),
            ));
        }
        (upload.bytes, crate::web::field(&upload.as_of))
    } else {
        let bytes = axum::body::Bytes::from_request(request, &())
            .await
            .map_err(|e| ApiError(e.status(), "bad_request", e.body_text()))?;
        (bytes, None)
    };
    let as_of = as_of_param(p.as_of.as_deref().or(form_as_of.as_deref()))?;
    let (report, value, seq) = s
        .vet_and_record(admission, "upload.apk", body, as_of, actor)
        .await?;
    let vetted = vec![("upload.apk".to_string(), Ok(report))];
    let mut response = match format.as_str() {
        "html" => (
            // the report carries text from the APK: no scripts, no requests, no framing
            [
                ("content-type", "text/html; charset=utf-8"),
                ("x-content-type-options", "nosniff"),
                (
                    "content-security-policy",
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'",
                ),
            ],
            ictguard_report::vetting::html::render(&vetted, as_of),
        )
            .into_response(),
        "sarif" => (
            [("content-type", "application/sarif+json")],
            ictguard_report::vetting::sarif::render(&vetted, &s.vetter).map_err(internal)?,
        )
            .into_response(),
        _ => Json(value).into_response(),
    };
    if let Ok(v) = axum::http::HeaderValue::from_str(&seq.to_string()) {
        response.headers_mut().insert("x-audit-seq", v);
    }
    Ok(response)
}

#[derive(serde::Deserialize)]
pub(crate) struct CaseParams {
    status: Option<String>,
    limit: Option<i64>,
}

/// `GET /v1/cases?status=open|resolved`: the review queue (admins).
#[utoipa::path(get, path = "/v1/cases", tag = "cases", security(("api_key" = [])),
    params(
        ("status" = Option<String>, Query, description = "open or resolved"),
        ("limit" = Option<i64>, Query, description = "at most this many (100)")),
    responses((status = 200, description = "the review queue (admins)", body = crate::openapi::CaseList),
        (status = 400, description = "malformed body", body = crate::openapi::ErrorAnswer),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::openapi::ErrorAnswer),
        (status = 403, description = "the key's role does not allow this", body = crate::openapi::ErrorAnswer)))]
pub(crate) async fn cases(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlQuery(p): UrlQuery<CaseParams>,
) -> ApiResult {
    let state = s.clone();
    tokio::task::spawn_blocking(move || {
        state.authorize(&headers, Role::Admin)?;
        let cases =
            state.with_reader(|db| db.list_cases(p.status.as_deref(), p.limit.unwrap_or(100)))?;
        Ok(Json(CaseList { cases }).into_response())
    })
    .await
    .map_err(internal)?
}

/// `POST /v1/cases/{id}/resolve` with `{"decision", "reason"}`: a reviewer closes a case; the
/// resolution goes into the audit trail.
#[utoipa::path(post, path = "/v1/cases/{id}/resolve", tag = "cases", security(("api_key" = [])),
    params(("id" = i64, Path, description = "the case number")),
    request_body = crate::openapi::Resolution,
    responses((status = 200, description = "resolved; the resolution is in the audit trail", body = crate::openapi::ResolvedAnswer),
        (status = 400, description = "malformed body", body = crate::openapi::ErrorAnswer),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::openapi::ErrorAnswer),
        (status = 403, description = "the key's role does not allow this", body = crate::openapi::ErrorAnswer),
        (status = 404, description = "no such item", body = crate::openapi::ErrorAnswer),
        (status = 409, description = "already resolved", body = crate::openapi::ErrorAnswer),
        (status = 422, description = "the body or a parameter is invalid", body = crate::openapi::ErrorAnswer)))]
pub(crate) async fn resolve(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Json<crate::openapi::Resolution>, JsonRejection>,
) -> ApiResult {
    let state = s.clone();
    tokio::task::spawn_blocking(move || {
        let by = state.authorize(&headers, Role::Admin)?;
        let Json(r) = body.map_err(|e| ApiError(e.status(), "bad_request", e.body_text()))?;
        match state.with_store(|db| db.resolve_case(id, &r.decision, &r.reason, &by))? {
            Ok(ictguard_store::Resolved::Done(seq)) => Ok(Json(ResolvedAnswer {
                case: id,
                status: "resolved".into(),
                audit_seq: seq,
            })
            .into_response()),
            Ok(ictguard_store::Resolved::NoCase) => Err(ApiError(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no case {id}"),
            )),
            Ok(ictguard_store::Resolved::AlreadyResolved) => Err(ApiError(
                StatusCode::CONFLICT,
                "already_resolved",
                format!("case {id} is already resolved"),
            )),
            Err(StoreError::Invalid(why)) => Err(ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_resolution",
                why,
            )),
            Err(e) => Err(internal(e)),
        }
    })
    .await
    .map_err(internal)?
}
