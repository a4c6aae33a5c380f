//! The hash chain: how a record's hash is computed and how a sequence of stored records is checked.

use sha2::{Digest, Sha256};

use crate::{ChainCheck, NewRecord};

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain hash of a record: SHA-256 over the previous hash and every field, each length-prefixed.
pub fn chain_hash(prev: &str, seq: i64, at: &str, r: &NewRecord, body: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        at,
        &r.kind,
        &r.subject,
        &r.decision,
        &r.actor,
        body,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One stored row as the verifier reads it (the body as stored text, not re-serialised).
pub struct StoredRow {
    /// Sequence number.
    pub seq: i64,
    /// Time.
    pub at: String,
    /// Kind, subject, decision and actor (the body is left `Null`).
    pub fields: NewRecord,
    /// The body text exactly as stored.
    pub body: String,
    /// The stored previous hash.
    pub prev_hash: String,
    /// The stored hash.
    pub hash: String,
}

/// Checks rows in sequence order; the first broken one ends the check.
pub struct ChainVerifier {
    prev: String,
    expected_seq: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev: GENESIS.to_string(),
            expected_seq: 1,
        }
    }
}

impl ChainVerifier {
    /// Check the next row; `Some` names the break.
    pub fn check(&mut self, row: &StoredRow) -> Option<ChainCheck> {
        let broken = |why: String| Some(ChainCheck::Broken { seq: row.seq, why });
        if row.seq != self.expected_seq {
            return broken(format!("record {} is missing", self.expected_seq));
        }
        if row.prev_hash != self.prev {
            return broken("its previous-hash does not match the record before".into());
        }
        if chain_hash(&self.prev, row.seq, &row.at, &row.fields, &row.body) != row.hash {
            return broken("its contents do not match its hash (changed after writing)".into());
        }
        self.prev = row.hash.clone();
        self.expected_seq += 1;
        None
    }

    /// The verdict when every row passed.
    pub fn intact(&self) -> ChainCheck {
        ChainCheck::Intact {
            records: self.expected_seq - 1,
        }
    }
}
