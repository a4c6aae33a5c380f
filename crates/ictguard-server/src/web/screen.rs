//! `/ui/screen`: screen a party, app or transaction and see the decision with its evidence. The
//! screening is written to the audit trail as `POST /v1/screen` writes it (a review opens a case).

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use ictguard_rules::{Decisive, TransactionKind};
use ictguard_screen::engine::{ItemKind, Match, Query, ScreenResult};
use ictguard_store::Role;
use maud::{html, Markup};

use super::auth::{require, require_post, Viewer};
use super::layout::{badge, error, page, respond, Nav};
use crate::form::field;
use crate::state::AppState;

/// The form's fields: the API's query fields, as text.
#[derive(Default, serde::Deserialize)]
pub(crate) struct ScreenForm {
    name: Option<String>,
    app: Option<String>,
    package: Option<String>,
    bundle: Option<String>,
    country: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    as_of: Option<String>,
}

impl ScreenForm {
    fn query(&self) -> Query {
        Query {
            id: None,
            name: field(&self.name),
            app: field(&self.app),
            package: field(&self.package),
            bundle: field(&self.bundle),
            country: field(&self.country),
            kind: field(&self.kind),
            state: field(&self.state),
            as_of: field(&self.as_of),
        }
    }
}

/// The screening form, filled with what was asked.
fn form_card(f: &ScreenForm) -> Markup {
    let text = |id: &str, label: &str, hint: &str, value: &Option<String>| {
        html! {
            div {
                label for=(id) { (label) " " span.hint { (hint) } }
                input id=(id) name=(id) type="text" value=[value.as_deref()] autocomplete="off";
            }
        }
    };
    let kind = f.kind.as_deref().unwrap_or("");
    html! {
        div.card {
            form.stack method="post" action="/ui/screen" {
                (text("name", "Party name", "(company or person, any script)", &f.name))
                (text("app", "App name", "", &f.app))
                (text("package", "Android package", "(e.g. com.example.app)", &f.package))
                (text("bundle", "iOS bundle id", "", &f.bundle))
                (text("country", "Country", "(ISO code, optional)", &f.country))
                (text("state", "US state", "(e.g. TX, for state rules; optional)", &f.state))
                div {
                    label for="kind" { "Transaction kind " span.hint { "(optional)" } }
                    select id="kind" name="kind" {
                        option value="" selected[kind.is_empty()] { "any / not given" }
                        @for k in TransactionKind::ALL.iter().filter(|k| **k != TransactionKind::Any) {
                            option value=(k.as_str()) selected[kind == k.as_str()] { (k.as_str().replace('_', " ")) }
                        }
                    }
                }
                div {
                    label for="as_of" { "As of " span.hint { "(default today)" } }
                    input id="as_of" name="as_of" type="date" value=[f.as_of.as_deref()];
                }
                div { button type="submit" { "Screen" } }
            }
        }
    }
}

fn screen_page(
    status: StatusCode,
    viewer: &Viewer,
    f: &ScreenForm,
    before: Option<Markup>,
) -> Response {
    let body = html! {
        h1 { "Screen a party, app or transaction" }
        @if let Some(b) = before { (b) }
        (form_card(f))
    };
    respond(status, page("Screen", Some(viewer), Nav::Screen, body))
}

/// `GET /ui/screen`.
pub(crate) async fn form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    match require(&s, &headers, Role::Screen) {
        Ok(v) => screen_page(StatusCode::OK, &v, &ScreenForm::default(), None),
        Err(r) => r.into_response(),
    }
}

/// `POST /ui/screen`: screen, record, show.
pub(crate) async fn submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ScreenForm>, FormRejection>,
) -> Response {
    let viewer = match require_post(&s, &headers, Role::Screen) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let Ok(Form(f)) = form else {
        return error(
            StatusCode::BAD_REQUEST,
            Some(&viewer),
            "Bad form",
            "The screening form could not be read.",
        );
    };
    let query = f.query();
    match s.screen_and_record(&query, viewer.key_id.clone()).await {
        Ok((result, _, seq)) => screen_page(
            StatusCode::OK,
            &viewer,
            &f,
            Some(decision(&query, &result, seq)),
        ),
        Err(e) => screen_page(
            e.0,
            &viewer,
            &f,
            Some(html! { p.flash.error role="alert" { (e.2) } }),
        ),
    }
}

fn item_kind(k: ItemKind) -> &'static str {
    match k {
        ItemKind::App => "app",
        ItemKind::Entity => "entity",
        ItemKind::List => "list entry",
    }
}

fn event(d: &Decisive) -> Markup {
    html! {
        (d.date) " " (d.event.replace('_', " "))
        @if let Some(by) = &d.by { " by " (by) }
        @if let Some(u) = d.until { " until " (u) }
        @if let Some(c) = &d.citation { br; span.muted { (c) } }
    }
}

/// The decision, its reasons and every match with its evidence.
fn decision(query: &Query, r: &ScreenResult, seq: i64) -> Markup {
    let asked: Vec<String> = [
        ("name", &query.name),
        ("app", &query.app),
        ("package", &query.package),
        ("bundle", &query.bundle),
        ("country", &query.country),
        ("kind", &query.kind),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} “{v}”")))
    .collect();
    html! {
        section.card aria-labelledby="decision-heading" {
            h2 id="decision-heading" { "Decision" }
            div.decision {
                span id="decision" { (badge(r.decision.as_str())) }
                span { "for " (asked.join(", ")) }
                span.muted { "as of " (r.as_of) }
                span.muted id="audit-seq" { "audit record #" (seq) }
            }
            @if r.decision == ictguard_screen::engine::Decision::Review {
                p.flash { "A review case was opened with this record: a reviewer resolves it on the Cases page." }
            }
            h3 { "Why" }
            ul id="reasons" { @for reason in &r.reasons { li { (reason) } } }
            @if let Some(p) = &r.pack {
                p.muted id="pack" {
                    "Rule pack " (p.id) " " (p.version) ", facts checked through " (p.verified_through) "."
                }
            }
            p.muted id="lists" {
                @if r.lists.is_empty() {
                    "No restricted-party list loaded: only the rule pack's apps and entities were screened."
                } @else {
                    "Lists: "
                    @for (i, l) in r.lists.iter().enumerate() {
                        @if i > 0 { "; " }
                        (l.describe())
                    }
                    "."
                }
            }
            @if !r.warnings.is_empty() {
                h3 { "Warnings" }
                ul { @for w in &r.warnings { li { (w) } } }
            }
            @if !r.matches.is_empty() {
                h3 { "Matches" }
                (matches(&r.matches))
            }
            @if !r.country.is_empty() {
                h3 { "Country designations" }
                table {
                    thead { tr { th scope="col" { "Country" } th scope="col" { "List" } th scope="col" { "Name on the list" } th scope="col" { "Citation" } } }
                    tbody {
                        @for c in &r.country {
                            tr { td { (c.country) } td { (c.list) } td { (c.name) } td { (c.citation) } }
                        }
                    }
                }
            }
        }
    }
}

fn matches(ms: &[Match]) -> Markup {
    html! {
        table id="matches" {
            caption.muted { "Items matched, most severe first" }
            thead {
                tr {
                    th scope="col" { "Item" }
                    th scope="col" { "Kind" }
                    th scope="col" { "Field" }
                    th scope="col" { "Input → matched name" }
                    th scope="col" class="num" { "Score" }
                    th scope="col" { "Decision" }
                }
            }
            tbody {
                @for m in ms {
                    tr {
                        td { strong { (m.name) } br; code { (m.id) } }
                        td { (item_kind(m.kind)) }
                        td { (m.field) }
                        td { (m.input) " → " (m.matched) br; span.muted.mono { (m.input_normalized) " ~ " (m.matched_normalized) } }
                        td.num { (format!("{:.3}", m.score)) }
                        td { (badge(m.decision.as_str())) }
                    }
                    tr {
                        td colspan="6" {
                            details {
                                summary { "Evidence for " (m.name) }
                                p { (m.reason) }
                                @if !m.ownership.is_empty() {
                                    p { "Ownership: "
                                        @for o in &m.ownership {
                                            (o.owner) " holds " (format!("{:.1}", o.percent)) "% of " (o.owned)
                                            @for c in &o.chains { " (" (c.chain.join(" → ")) ")" }
                                            "; "
                                        }
                                    }
                                }
                                @if !m.orders.is_empty() {
                                    table {
                                        thead { tr { th scope="col" { "Order" } th scope="col" { "Status" } th scope="col" { "Decided by" } th scope="col" { "Reach" } } }
                                        tbody {
                                            @for o in &m.orders {
                                                tr {
                                                    td { strong { (o.id) } br; span.muted { (o.citation) } }
                                                    td {
                                                        (badge(o.status.as_str()))
                                                        @if !o.implemented { br; "not yet implemented" }
                                                        @if !o.applies_to_kind { br; "does not prohibit this kind" }
                                                        @if let Some(sus) = &o.enforcement_suspended { br; "enforcement suspended: " (event(sus)) }
                                                    }
                                                    td { (event(&o.decided_by)) br; (o.decided_by.note) }
                                                    td { (o.reach) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
