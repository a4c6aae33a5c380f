//! API keys: the presented form (`igk_ID_SECRET`), how secrets are hashed and compared. Only the
//! SHA-256 of a secret is stored.

use sha2::{Digest, Sha256};

use crate::chain::hex;
use crate::StoreError;

/// A role an API key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May screen and vet.
    Screen,
    /// May also read the audit trail and manage cases.
    Admin,
}

impl Role {
    /// Parse `screen` or `admin`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "screen" => Some(Role::Screen),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Screen => "screen",
            Role::Admin => "admin",
        }
    }
}

/// A new key: its id, the hash to store, and the key to give the client once.
pub(crate) struct NewKey {
    pub id: String,
    pub secret_hash: String,
    pub presented: String,
}

pub(crate) fn new_key() -> Result<NewKey, StoreError> {
    let id = random_hex(6)?;
    let secret = random_hex(24)?;
    Ok(NewKey {
        presented: format!("igk_{id}_{secret}"),
        secret_hash: sha256_hex(&secret),
        id,
    })
}

/// Split a presented key into (id, secret), when it has the key's shape.
pub(crate) fn split(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix("igk_")?.split_once('_')
}

/// Whether `secret` hashes to `stored`, comparing every byte (no early exit on a difference).
pub(crate) fn secret_matches(secret: &str, stored: &str) -> bool {
    let given = sha256_hex(secret);
    given.len() == stored.len()
        && given
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf))
        .map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(hex(&buf))
}

/// An API key as `keys list` shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyInfo {
    /// Its id (the part after `igk_`, as `keys revoke` takes it).
    pub id: String,
    /// Its role.
    pub role: Role,
    /// The label given when it was made.
    pub label: String,
    /// When it was made (RFC 3339, UTC).
    pub created: String,
    /// When it was revoked, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
}
