//! The page shell every page shares (head, styles, navigation, sign-out), the response headers
//! of every page, error pages, and the home page.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ictguard_store::Role;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::auth::{require, Viewer};
use crate::state::AppState;

/// The one style sheet, inline (no external requests). Colours meet WCAG AA contrast on white.
const STYLE: &str = r#"
:root{--ink:#1d2433;--muted:#525c6e;--line:#d5dae3;--bg:#f6f7f9;--accent:#2747b8;--bad:#a4161a;--warn:#9a4a00;--ok:#0b6b3a}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}
:focus-visible{outline:3px solid #f59f00;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:2}
header.top{background:#16213e;color:#fff;display:flex;flex-wrap:wrap;align-items:center;gap:6px 22px;padding:10px 24px}
header.top .brand{font-weight:700;font-size:18px;color:#fff;text-decoration:none;letter-spacing:.3px}
header.top nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:4px;margin:0;padding:0}
header.top nav a{color:#dfe6ff;text-decoration:none;padding:6px 10px;border-radius:6px;display:block}
header.top nav a:hover{background:#26335c}
header.top nav a[aria-current=page]{background:#fff;color:#16213e;font-weight:600}
header.top .who{margin-left:auto;display:flex;align-items:center;gap:10px;font-size:14px;color:#dfe6ff}
header.top .who button{background:transparent;color:#fff;border:1px solid #8c9bd0;padding:4px 10px}
main{max-width:1100px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:26px;margin:8px 0 14px}h2{font-size:20px;margin:26px 0 10px}h3{font-size:17px;margin:18px 0 8px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin:14px 0}
form.stack{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:12px 18px;align-items:end}
form.stack .wide{grid-column:1/-1}
label{display:block;font-weight:600;font-size:14px;margin-bottom:4px}
.hint{font-weight:400;color:var(--muted);font-size:13px}
input,select,textarea{font:inherit;width:100%;padding:7px 9px;border:1px solid #8a94a6;border-radius:6px;background:#fff;color:var(--ink)}
textarea{min-height:70px}
button{font:inherit;font-weight:600;background:var(--accent);color:#fff;border:0;border-radius:6px;padding:8px 16px;cursor:pointer}
button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:7px 9px;text-align:left;vertical-align:top}
th{background:#eef1f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:999px;padding:2px 12px;font-weight:700;font-size:14px;color:#fff;background:#5b6474;text-transform:uppercase;letter-spacing:.4px}
.badge.bad{background:var(--bad)}.badge.warn{background:var(--warn)}.badge.ok{background:var(--ok)}
.decision{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
.decision .badge{font-size:20px;padding:4px 18px}
.flash{border-left:5px solid var(--ok);background:#e9f6ef;padding:10px 14px;border-radius:6px;margin:12px 0}
.flash.error{border-color:var(--bad);background:#fbecec}
.flash.warn{border-color:var(--warn);background:#fdf3e6}
.narrow{max-width:560px}
.muted{color:var(--muted)}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
details>summary{cursor:pointer;font-weight:600}
pre{white-space:pre-wrap;word-break:break-word;background:#f1f3f7;padding:10px;border-radius:6px;font-size:12px;max-height:360px;overflow:auto}
ul.tiles{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:14px}
ul.tiles a{display:block;height:100%;background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;text-decoration:none;color:var(--ink)}
ul.tiles a:hover{border-color:var(--accent)}
ul.tiles strong{display:block;color:var(--accent);font-size:17px}
ol.events{margin:6px 0;padding-left:22px;font-size:14px}
svg.timeline{width:100%;height:auto;display:block;margin:6px 0}
iframe.report{width:100%;height:1600px;border:1px solid var(--line);border-radius:10px;background:#fff}
.pager{display:flex;gap:14px;align-items:center;margin:12px 0}
.card>h2:first-child,.card>h3:first-child{margin-top:0}
.decision{margin-bottom:12px}
caption{text-align:left;padding:4px 0}
input:not([type=file]),select{height:38px}
"#;

/// Which navigation entry a page is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Home,
    Screen,
    Vet,
    Rules,
    Cases,
    Audit,
    None,
}

/// A whole page: the shell around `body`.
pub(crate) fn page(title: &str, viewer: Option<&Viewer>, current: Nav, body: Markup) -> Markup {
    let mut entries = vec![
        (Nav::Home, "/ui/", "Home"),
        (Nav::Screen, "/ui/screen", "Screen"),
        (Nav::Vet, "/ui/vet", "Vet an APK"),
        (Nav::Rules, "/ui/rules", "Rules"),
    ];
    if viewer.is_some_and(|v| v.admin) {
        entries.push((Nav::Cases, "/ui/cases", "Cases"));
        entries.push((Nav::Audit, "/ui/audit", "Audit trail"));
    }
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) " · ictguard" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/ui/" { "ictguard" }
                    @if let Some(v) = viewer {
                        nav aria-label="Main" {
                            ul {
                                @for (nav, href, label) in &entries {
                                    li { a href=(href) aria-current=[(*nav == current).then_some("page")] { (label) } }
                                }
                            }
                        }
                        div.who {
                            span { "Key " code { (v.key_id) } " (" (if v.admin { "admin" } else { "screen" }) ")" }
                            form method="post" action="/ui/signout" {
                                button type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    (body)
                }
            }
        }
    }
}

/// A page as a response, with the headers every page carries: no caching (pages hold decisions),
/// and a content security policy that allows nothing but the page's own inline styles and forms
/// posting back to this server.
pub(crate) fn respond(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [
            ("content-type", "text/html; charset=utf-8"),
            ("cache-control", "no-store"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "same-origin"),
            (
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// An error page.
pub(crate) fn error(
    status: StatusCode,
    viewer: Option<&Viewer>,
    title: &str,
    message: &str,
) -> Response {
    respond(
        status,
        page(
            title,
            viewer,
            Nav::None,
            html! {
                h1 { (title) }
                p.flash.error role="alert" { (message) }
                p { a href="/ui/" { "Back to the start page" } }
            },
        ),
    )
}

/// The colour class of a decision, risk or recommendation word.
pub(crate) fn tone(word: &str) -> &'static str {
    match word {
        "block" | "prohibit" | "critical" | "high" | "revoked" | "enjoined" | "broken" => "bad",
        "review" | "restrict" | "moderate" | "not_yet_effective" => "warn",
        "allow" | "low" | "in_force" | "intact" => "ok",
        _ => "",
    }
}

/// A stored time (RFC 3339, UTC) as people read it: `2026-11-25 14:17:16 UTC`.
pub(crate) fn when(at: &str) -> String {
    match at.get(..19) {
        Some(t) if at.len() > 19 => format!("{} UTC", t.replace('T', " ")),
        _ => at.to_string(),
    }
}

/// A decision (or risk) as a coloured badge.
pub(crate) fn badge(word: &str) -> Markup {
    html! { span class={ "badge " (tone(word)) } { (word.replace('_', " ")) } }
}

/// `GET /ui/`: what there is to do here.
pub(crate) async fn home(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let viewer = match require(&s, &headers, Role::Screen) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let mut tiles = vec![
        (
            "/ui/screen",
            "Screen",
            "A party, app or transaction: block, review or allow, with the evidence.",
        ),
        (
            "/ui/vet",
            "Vet an APK",
            "Upload an Android app and read its national-security risk report.",
        ),
        (
            "/ui/rules",
            "Rules",
            "The orders and data rules in force, and each order's status timeline.",
        ),
    ];
    if viewer.admin {
        tiles.push((
            "/ui/cases",
            "Cases",
            "The review queue: resolve cases opened by reviews and high-risk apps.",
        ));
        tiles.push((
            "/ui/audit",
            "Audit trail",
            "Every decision, hash-chained; filter, page and verify it.",
        ));
    }
    let body = html! {
        h1 { "ictguard" }
        p.muted { "Compliance checks against US orders on foreign-adversary apps. Every decision made here is written to the audit trail." }
        ul.tiles {
            @for (href, name, what) in &tiles {
                li { a href=(href) { strong { (name) } span { (what) } } }
            }
        }
    };
    respond(
        StatusCode::OK,
        page("Start", Some(&viewer), Nav::Home, body),
    )
}

/// A page under `/ui/` that does not exist: a page saying so, not the API's JSON.
pub(crate) async fn not_found() -> Response {
    let body = html! {
        h1 { "Not found" }
        p { "There is no page at this address. " a href="/ui/" { "Start again" } "." }
    };
    respond(
        StatusCode::NOT_FOUND,
        page("Not found", None, Nav::None, body),
    )
}
