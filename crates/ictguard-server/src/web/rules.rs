//! `/ui/rules?as_of=`: the rule pack's orders with their status on a date and their status
//! timelines, its data rules, and its covered apps.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use ictguard_rules::{OrderStatus, RulePack, Status};
use ictguard_store::Role;
use maud::{html, Markup};

use super::auth::require;
use super::layout::{badge, page, respond, Nav};
use super::timeline::{legend, timeline};
use crate::form::field;
use crate::state::AppState;

#[derive(serde::Deserialize)]
pub(crate) struct RulesParams {
    as_of: Option<String>,
}

/// `GET /ui/rules`.
pub(crate) async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<RulesParams>,
) -> Response {
    let viewer = match require(&s, &headers, Role::Screen) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let (as_of, problem) = match field(&p.as_of) {
        None => (crate::as_of::today(), None),
        Some(d) => match ictguard_rules::parse_date(&d) {
            Ok(d) => (d, None),
            Err(e) => (crate::as_of::today(), Some(e.to_string())),
        },
    };
    let screener = s.screener.load_full();
    let pack = screener.pack();
    let body = html! {
        h1 { "Rule pack" }
        @if let Some(m) = &pack.meta {
            p.muted { (m.title) " — " code { (m.id) " " (m.version) } ", facts checked through " (m.verified_through) "." }
        }
        @if let Some(e) = &problem {
            p.flash.error role="alert" { "That date could not be read (" (e) "); showing today." }
        }
        @if let Some(w) = pack.horizon_warning(as_of) {
            p.flash.warn { "Note: " (w) }
        }
        form.card method="get" action="/ui/rules" {
            label for="as_of" { "Status as of" }
            div style="display:flex;gap:10px;max-width:420px" {
                input id="as_of" name="as_of" type="date" value=(as_of);
                button type="submit" { "Show" }
            }
        }
        (orders(pack, as_of))
        (data_rules(pack, as_of))
        (apps(pack))
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    respond(status, page("Rules", Some(&viewer), Nav::Rules, body))
}

fn status_words(st: &OrderStatus) -> Markup {
    html! {
        (badge(st.status.as_str()))
        @if st.status == Status::InForce && !st.implemented { " " span.muted { "not yet implemented" } }
        @if st.enforcement_suspended.is_some() { " " span.muted { "enforcement suspended" } }
    }
}

fn orders(pack: &RulePack, as_of: NaiveDate) -> Markup {
    let statuses = pack.statuses_on(as_of);
    html! {
        h2 id="orders" { "Orders on " (as_of) }
        table {
            thead { tr { th scope="col" { "Order" } th scope="col" { "Title" } th scope="col" { "Status" } th scope="col" { "Decided by" } } }
            tbody {
                @for st in &statuses {
                    tr {
                        td { a href={ "#order-" (st.order) } { (st.order) } }
                        td { (pack.order(&st.order).map(|o| o.title.as_str()).unwrap_or("")) }
                        td { (status_words(st)) }
                        td { (st.decided_by.date) " " (st.decided_by.event.replace('_', " ")) @if let Some(by) = &st.decided_by.by { " by " (by) } }
                    }
                }
            }
        }
        h2 { "Status timelines" }
        (legend())
        @for (o, st) in pack.orders.iter().map(|o| &o.item).zip(&statuses) {
            section.card id={ "order-" (o.id) } aria-labelledby={ "h-" (o.id) } {
                h3 id={ "h-" (o.id) } { (o.id) ": " (o.title) }
                p.muted { (o.citation) }
                p { "On " (as_of) ": " (status_words(st)) " — " (st.decided_by.note) }
                (timeline(pack, o, as_of))
                details {
                    summary { "What it does" }
                    p { (o.summary) }
                    @if !o.prohibition.is_empty() {
                        ol {
                            @for p in &o.prohibition {
                                li value=(p.n) { strong { (p.kind.as_str().replace('_', " ")) } ": " (p.summary) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn data_rules(pack: &RulePack, as_of: NaiveDate) -> Markup {
    html! {
        h2 id="data-rules" { "Data rules" }
        @if pack.data_rules.is_empty() {
            p { "None in this pack." }
        }
        @for r in pack.data_rules.iter().map(|r| &r.item) {
            @let in_force = r.effective <= as_of && r.ended.is_none_or(|e| e > as_of);
            section.card aria-labelledby={ "h-" (r.id) } {
                h3 id={ "h-" (r.id) } { (r.id) ": " (r.title) }
                p.muted { (r.citation) }
                p {
                    (badge(if in_force { "in_force" } else if r.effective > as_of { "not_yet_effective" } else { "ended" }))
                    " effective " (r.effective)
                    @if let Some(e) = r.ended { ", ended " (e) }
                    "; countries of concern: " code { (r.countries) } "; look-back " (r.window_months) " months"
                }
                p { (r.summary) }
                table {
                    caption.muted { "Bulk thresholds" }
                    thead { tr { th scope="col" { "Category" } th scope="col" class="num" { "More than" } th scope="col" { "Counted in" } th scope="col" { "Section" } } }
                    tbody {
                        @for t in &r.threshold {
                            tr { td { (t.category.replace('_', " ")) } td.num { (t.more_than) } td { (t.unit) } td { (t.section) } }
                        }
                    }
                }
                details {
                    summary { "Prohibited, restricted and exempt transactions" }
                    @for (heading, clauses) in [("Prohibited", &r.prohibited), ("Restricted", &r.restricted), ("Exempt", &r.exemption)] {
                        @if !clauses.is_empty() {
                            h4 { (heading) }
                            ul { @for c in clauses { li { strong { (c.kind.replace('_', " ")) } " (" (c.section) "): " (c.text) } } }
                        }
                    }
                }
            }
        }
    }
}

fn apps(pack: &RulePack) -> Markup {
    html! {
        h2 id="apps" { "Covered apps" }
        table {
            thead { tr { th scope="col" { "App" } th scope="col" { "Other names" } th scope="col" { "Android packages" } th scope="col" { "Orders" } } }
            tbody {
                @for a in pack.apps.iter().map(|a| &a.item) {
                    tr {
                        td { strong { (a.name) } br; code { (a.id) } }
                        td { (a.aliases.join(", ")) }
                        td { @for p in &a.android { code { (p) } br; } }
                        td { (pack.orders_covering_app(&a.id).map(|o| o.id.as_str()).collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
        }
    }
}
