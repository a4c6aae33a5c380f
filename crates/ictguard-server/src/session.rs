//! Sign-in sessions: a random token in an `HttpOnly`, `SameSite=Strict` cookie names a session
//! held in memory, and the session holds the API key the person signed in with.
//!
//! The key is checked against the store on every request (see `auth`), so a revoked key stops
//! working at once; the session only spares typing it again. Signing out forgets the session, so a
//! copied cookie is worthless afterwards. Sessions live in memory: a restart signs everyone out.
// Rejected: the API key itself as the cookie's value. Simpler, but the key would sit in the
// browser's cookie store and signing out could not make a copied cookie useless.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

/// The cookie's name.
const COOKIE: &str = "ictguard_session";
/// Sessions kept at most; past it the least recently used is dropped.
const MAX_SESSIONS: usize = 10_000;
/// A session unused for this long is over.
const IDLE: Duration = Duration::from_secs(8 * 3600);

/// One signed-in person.
#[derive(Clone)]
pub(crate) struct Session {
    /// The API key, checked on every request.
    pub(crate) key: String,
    /// Whether the key was an admin key at sign-in (for the navigation only: each admin page
    /// checks the key's role again).
    pub(crate) admin: bool,
    last_seen: Instant,
}

/// The sessions of the UI, by token.
#[derive(Default)]
pub(crate) struct Sessions {
    by_token: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Start a session for a checked key; its token.
    pub(crate) fn create(&self, key: &str, admin: bool) -> Result<String, String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut map = self.by_token.lock().map_err(|_| "session lock poisoned")?;
        let now = Instant::now();
        map.retain(|_, s| now.duration_since(s.last_seen) < IDLE);
        if map.len() >= MAX_SESSIONS {
            let oldest = map
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(t, _)| t.clone());
            if let Some(t) = oldest {
                map.remove(&t);
            }
        }
        map.insert(
            token.clone(),
            Session {
                key: key.trim().to_string(),
                admin,
                last_seen: now,
            },
        );
        Ok(token)
    }

    /// The live session a token names (and mark it used).
    pub(crate) fn get(&self, token: &str) -> Option<Session> {
        let mut map = self.by_token.lock().ok()?;
        let now = Instant::now();
        let session = map.get_mut(token)?;
        if now.duration_since(session.last_seen) >= IDLE {
            map.remove(token);
            return None;
        }
        session.last_seen = now;
        Some(session.clone())
    }

    /// End a session.
    pub(crate) fn remove(&self, token: &str) {
        if let Ok(mut map) = self.by_token.lock() {
            map.remove(token);
        }
    }
}

/// The session token in a request's cookies.
pub(crate) fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The `Set-Cookie` value that hands a browser its session token; `Secure` when the browser reached
/// the server over HTTPS (a TLS-terminating proxy in front: the page's origin, or the proxy's
/// `X-Forwarded-Proto`, says so), so the cookie is never sent in clear afterwards.
pub(crate) fn set_cookie(token: &str, headers: &HeaderMap) -> String {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let https = ["origin", "referer"]
        .into_iter()
        .filter_map(header)
        .any(|v| v.to_ascii_lowercase().starts_with("https://"))
        || header("x-forwarded-proto").is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let secure = if https { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/ui; HttpOnly; SameSite=Strict{secure}")
}

/// The `Set-Cookie` value that makes a browser forget its session token.
pub(crate) fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_created_found_and_removed() {
        let sessions = Sessions::default();
        let t = sessions.create(" igk_a_b ", true).unwrap();
        assert_eq!(t.len(), 64);
        let s = sessions.get(&t).unwrap();
        assert_eq!((s.key.as_str(), s.admin), ("igk_a_b", true));
        assert!(sessions.get("nope").is_none());
        sessions.remove(&t);
        assert!(sessions.get(&t).is_none());
    }

    #[test]
    fn the_cookie_is_secure_when_the_browser_came_over_https() {
        let mut h = HeaderMap::new();
        h.insert("origin", "http://127.0.0.1:8080".parse().unwrap());
        assert!(!set_cookie("t", &h).contains("Secure"));
        h.insert("origin", "https://ictguard.example".parse().unwrap());
        assert!(set_cookie("t", &h).ends_with("; Secure"));
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(set_cookie("t", &h).contains("HttpOnly; SameSite=Strict; Secure"));
    }

    #[test]
    fn the_token_is_read_from_any_cookie_header() {
        let mut h = HeaderMap::new();
        h.append("cookie", "a=1; ictguard_session=abc; b=2".parse().unwrap());
        assert_eq!(token(&h).as_deref(), Some("abc"));
        let mut h = HeaderMap::new();
        h.append("cookie", "a=1".parse().unwrap());
        h.append("cookie", "ictguard_session=def".parse().unwrap());
        assert_eq!(token(&h).as_deref(), Some("def"));
        h = HeaderMap::new();
        h.append("cookie", "ictguard_session=".parse().unwrap());
        assert_eq!(token(&h), None);
    }
}
