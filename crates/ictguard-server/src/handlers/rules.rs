//! The rule pack: `GET /v1/rules`, `GET /v1/rules/{id}`, `GET /v1/rules/status`.

use axum::extract::{Path, Query as UrlQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::Value;

use crate::answers::{RuleItem, RulesList, RulesStatus};
use crate::as_of::as_of_param;
use crate::auth::ScreenKey;
use crate::error::{internal, ApiError, ApiResult};
use crate::state::AppState;

#[utoipa::path(get, path = "/v1/rules", tag = "rules", security(("api_key" = [])),
    responses((status = 200, description = "the pack's orders, data rules, apps and entities", body = crate::answers::RulesList),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn rules_list(State(s): State<AppState>, _: ScreenKey) -> ApiResult {
    let screener = s.screener.load_full();
    let pack = screener.pack();
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
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 404, description = "no such item", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn rules_show(
    State(s): State<AppState>,
    Path(id): Path<String>,
    _: ScreenKey,
) -> ApiResult {
    let mut out = Vec::new();
    ictguard_report::rules::show(&mut out, s.screener.load().pack(), &id, true)
        .map_err(internal)?;
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
    responses((status = 200, description = "every order's status on the date", body = crate::answers::RulesStatus),
        (status = 401, description = "no key, or an unknown or revoked key", body = crate::answers::ErrorAnswer),
        (status = 422, description = "the body or a parameter is invalid", body = crate::answers::ErrorAnswer)))]
pub(crate) async fn rules_status(
    State(s): State<AppState>,
    UrlQuery(p): UrlQuery<StatusParams>,
    _: ScreenKey,
) -> ApiResult {
    let date = as_of_param(p.as_of.as_deref())?;
    let orders = s.screener.load().pack().statuses_on(date);
    Ok(Json(RulesStatus {
        as_of: date,
        orders,
    })
    .into_response())
}
