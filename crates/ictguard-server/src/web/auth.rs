//! Signing in and out, the key check on every page, and the same-origin check on every POST.
//!
//! A person signs in with an API key from `ictguard keys create`; every request then checks that
//! key again with `AppState::key_role` (the check the API's key extractors make), so a revoked
//! key is refused on the next click. Cross-site requests are refused twice over: the session
//! cookie is `SameSite=Strict` (a browser does not send it from another site), and every POST must
//! carry an `Origin` (or, failing that, a `Referer`) naming this server.

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use ictguard_store::Role;
use maud::html;

use super::layout::{self, page, respond, Nav};
use crate::session;
use crate::state::AppState;

/// Who is signed in.
pub(crate) struct Viewer {
    /// The key's id: the actor in the audit trail.
    pub(crate) key_id: String,
    /// Whether the key is an admin key.
    pub(crate) admin: bool,
}

/// A `303 See Other` to `to`, optionally setting a cookie.
fn see_other(to: &str, cookie: Option<String>) -> Response {
    let mut r = (StatusCode::SEE_OTHER, [("location", to.to_string())]).into_response();
    if let Some(c) = cookie.and_then(|c| c.parse().ok()) {
        r.headers_mut().insert("set-cookie", c);
    }
    r
}

/// Why a page is not shown; answered as a redirect to the sign-in page or as an error page.
pub(crate) enum Refusal {
    /// No valid session: to the sign-in page (saying why, and forgetting the cookie, if there was
    /// a session).
    SignIn(Option<&'static str>),
    /// A valid key without the admin role (the viewer, to show who is signed in).
    NeedsAdmin(Option<Viewer>),
    /// A POST from another site.
    CrossSite,
    /// The key could not be checked.
    Failed(StatusCode, String),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::SignIn(None) => see_other("/ui/signin", None),
            Refusal::SignIn(Some(why)) => see_other(
                &format!("/ui/signin?why={why}"),
                Some(session::clear_cookie()),
            ),
            Refusal::NeedsAdmin(viewer) => layout::error(
                StatusCode::FORBIDDEN,
                viewer.as_ref(),
                "An admin key is needed",
                "This page is for reviewers: you are signed in with a screen key. Sign out and sign in with an admin key (ictguard keys create --role admin) to work the case queue or read the audit trail.",
            ),
            Refusal::CrossSite => layout::error(
                StatusCode::FORBIDDEN,
                None,
                "Refused",
                "This form was not sent from this server's own pages, so it was refused (a cross-site request).",
            ),
            Refusal::Failed(status, why) => layout::error(
                status,
                None,
                "Something went wrong",
                &format!("The key could not be checked: {why}"),
            ),
        }
    }
}

/// The signed-in viewer, when the session's key is valid and its role allows `need`.
pub(crate) fn require(
    state: &AppState,
    headers: &HeaderMap,
    need: Role,
) -> Result<Viewer, Refusal> {
    let token = session::token(headers).ok_or(Refusal::SignIn(None))?;
    let found = state
        .sessions
        .get(&token)
        .ok_or(Refusal::SignIn(Some("ended")))?;
    match state.key_role(&found.key) {
        Ok((key_id, role)) if need == Role::Admin && role != Role::Admin => {
            let _ = state.forbidden(); // counted as the API counts it
                                       // a valid key of the wrong role: show who is signed in, so they can sign out
            Err(Refusal::NeedsAdmin(Some(Viewer {
                key_id,
                admin: false,
            })))
        }
        Ok((key_id, _)) => Ok(Viewer {
            key_id,
            admin: found.admin,
        }),
        Err(e) if e.0 == StatusCode::UNAUTHORIZED => {
            state.sessions.remove(&token);
            Err(Refusal::SignIn(Some("refused")))
        }
        Err(e) => Err(Refusal::Failed(e.0, e.2)),
    }
}

/// Whether a request names this server as its origin: the `Origin` header when there is one, else
/// the `Referer`. A request with neither is refused (browsers send `Origin` with every form POST).
///
/// This server's name is its `Host`, or, behind a reverse proxy, the host the browser used as the
/// proxy passes it on in `X-Forwarded-Host` (its first value). Taking that header from anyone is
/// safe here: a page on another site cannot make a browser send it without a CORS preflight,
/// which this server never grants, so it cannot turn a cross-site POST into a same-origin one.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get("host").and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let forwarded = headers
        .get("x-forwarded-host")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(',').next())
        .map(str::trim)
        .filter(|h| !h.is_empty());
    let names_host = |url: &str| {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"));
        rest.is_some_and(|r| {
            let authority = r.split(['/', '?', '#']).next().unwrap_or("");
            authority.eq_ignore_ascii_case(host)
                || forwarded.is_some_and(|f| authority.eq_ignore_ascii_case(f))
        })
    };
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match (header("origin"), header("referer")) {
        (Some(origin), _) => names_host(origin),
        (None, Some(referer)) => names_host(referer),
        (None, None) => false,
    }
}

/// [`require`] for a POST: first the same-origin check.
pub(crate) fn require_post(
    state: &AppState,
    headers: &HeaderMap,
    need: Role,
) -> Result<Viewer, Refusal> {
    if !same_origin(headers) {
        return Err(Refusal::CrossSite);
    }
    require(state, headers, need)
}

#[derive(serde::Deserialize)]
pub(crate) struct SigninParams {
    why: Option<String>,
}

/// The sign-in form, with a message when there is one.
fn signin_page(status: StatusCode, message: Option<&str>) -> Response {
    let body = html! {
        h1 { "Sign in" }
        @if let Some(m) = message {
            p.flash.error role="alert" { (m) }
        }
        div.card.narrow {
            form method="post" action="/ui/signin" {
                label for="key" { "API key " span.hint { "(from " code { "ictguard keys create" } ")" } }
                input id="key" name="key" type="password" autocomplete="off" required autofocus;
                p { button type="submit" { "Sign in" } }
            }
        }
        p.muted { "A screen key can screen, vet and read the rules; an admin key can also work the case queue and read the audit trail." }
    };
    respond(status, page("Sign in", None, Nav::None, body))
}

/// `GET /ui/signin`.
pub(crate) async fn signin_form(Query(p): Query<SigninParams>) -> Response {
    let message = match p.why.as_deref() {
        Some("refused") => {
            Some("Your key was refused (revoked or unknown). Sign in with a valid key.")
        }
        Some("ended") => Some("Your session has ended. Sign in again."),
        _ => None,
    };
    signin_page(StatusCode::OK, message)
}

#[derive(serde::Deserialize)]
pub(crate) struct SigninForm {
    key: String,
}

/// `POST /ui/signin`: check the key, start a session, set its cookie.
pub(crate) async fn signin(
    State(s): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SigninForm>, FormRejection>,
) -> Response {
    if !same_origin(&headers) {
        return Refusal::CrossSite.into_response();
    }
    let Ok(Form(form)) = form else {
        return signin_page(StatusCode::BAD_REQUEST, Some("Give an API key."));
    };
    let key = form.key.trim();
    let admin = match s.key_role(key) {
        Ok((_, role)) => role == Role::Admin,
        Err(e) => {
            let message = if e.0 == StatusCode::UNAUTHORIZED {
                "That key is unknown or revoked.".to_string()
            } else {
                format!("The key could not be checked: {}", e.2)
            };
            return signin_page(e.0, Some(&message));
        }
    };
    match s.sessions.create(key, admin) {
        Ok(token) => see_other("/ui/", Some(session::set_cookie(&token, &headers))),
        Err(e) => signin_page(StatusCode::INTERNAL_SERVER_ERROR, Some(&e)),
    }
}

/// `POST /ui/signout`: forget the session and its cookie.
pub(crate) async fn signout(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if !same_origin(&headers) {
        return Refusal::CrossSite.into_response();
    }
    if let Some(token) = session::token(&headers) {
        s.sessions.remove(&token);
    }
    see_other("/ui/signin", Some(session::clear_cookie()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_this_servers_origin_may_post() {
        let host = ("host", "127.0.0.1:8080");
        assert!(same_origin(&headers(&[
            host,
            ("origin", "http://127.0.0.1:8080")
        ])));
        assert!(same_origin(&headers(&[
            host,
            ("referer", "http://127.0.0.1:8080/ui/screen")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "http://127.0.0.1:8080.evil.example")
        ])));
        assert!(!same_origin(&headers(&[host, ("origin", "null")])));
        assert!(!same_origin(&headers(&[
            host,
            ("referer", "http://evil.example/127.0.0.1:8080")
        ])));
        // a good Referer does not rescue a bad Origin
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "http://evil.example"),
            ("referer", "http://127.0.0.1:8080/ui/")
        ])));
        assert!(!same_origin(&headers(&[host])));
        assert!(!same_origin(&headers(&[(
            "origin",
            "http://127.0.0.1:8080"
        )])));
    }

    #[test]
    fn behind_a_proxy_the_forwarded_host_is_this_server() {
        // the proxy reaches the server at 127.0.0.1:8080; the browser used ictguard.example
        let host = ("host", "127.0.0.1:8080");
        let forwarded = ("x-forwarded-host", "ictguard.example, 10.0.0.2");
        assert!(same_origin(&headers(&[
            host,
            forwarded,
            ("origin", "https://ictguard.example")
        ])));
        assert!(same_origin(&headers(&[
            host,
            forwarded,
            ("referer", "https://ictguard.example/ui/cases")
        ])));
        // without the header, the public name is not this server's
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "https://ictguard.example")
        ])));
        // only the first (client-facing) value counts, and another site is still refused
        assert!(!same_origin(&headers(&[
            host,
            forwarded,
            ("origin", "http://10.0.0.2")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            forwarded,
            ("origin", "https://evil.example")
        ])));
    }
}
