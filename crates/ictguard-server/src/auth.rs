//! Who is calling: the API key in `Authorization: Bearer KEY`, checked against the store on every
//! request, as an extractor ([`ScreenKey`], [`AdminKey`]) so that a handler that takes one cannot
//! run for a caller without it. A `screen` key may screen, vet and read the rules; an `admin` key
//! may do everything. Refusals are counted and answered in the one error shape: 401 for a
//! missing, unknown or revoked key, 403 for a key whose role is not enough.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use ictguard_store::Role;

use crate::error::ApiError;
use crate::state::AppState;

/// A caller with a valid `screen` or `admin` key; holds the key's id (the actor in the audit
/// trail).
#[derive(Debug, Clone)]
pub struct ScreenKey(pub String);

/// A caller with a valid `admin` key; holds the key's id.
#[derive(Debug, Clone)]
pub struct AdminKey(pub String);

impl FromRequestParts<AppState> for ScreenKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        s.authorize(&parts.headers, Role::Screen).map(ScreenKey)
    }
}

impl FromRequestParts<AppState> for AdminKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        s.authorize(&parts.headers, Role::Admin).map(AdminKey)
    }
}

/// The token of an `Authorization: Bearer TOKEN` header value. The scheme is matched without
/// regard to case, as HTTP auth schemes are (RFC 9110, 11.1): `bearer` and `BEARER` too.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim_start();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl AppState {
    /// The caller's key id, when its key is valid and its role allows `need`.
    fn authorize(&self, headers: &HeaderMap, need: Role) -> Result<String, ApiError> {
        let key = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .ok_or_else(|| {
                self.metrics.refused();
                ApiError(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "send Authorization: Bearer KEY".into(),
                )
            })?;
        let (id, role) = self.key_role(key)?;
        if need == Role::Admin && role != Role::Admin {
            return Err(self.forbidden());
        }
        Ok(id)
    }

    /// Count and build the refusal of a valid key whose role is not enough.
    pub(crate) fn forbidden(&self) -> ApiError {
        self.metrics.refused();
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
                self.metrics.refused();
                ApiError(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "unknown or revoked key".into(),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_matched_without_regard_to_case() {
        for value in [
            "Bearer igk_a.b",
            "bearer igk_a.b",
            "BEARER  igk_a.b",
            " Bearer igk_a.b ",
        ] {
            assert_eq!(bearer_token(value), Some("igk_a.b"), "{value:?}");
        }
        for value in [
            "Basic igk_a.b",
            "Bearer",
            "Bearer ",
            "igk_a.b",
            "Bearerigk_a.b",
        ] {
            assert_eq!(bearer_token(value), None, "{value:?}");
        }
    }
}
