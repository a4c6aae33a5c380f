//! Which list files a decision used: each file's name, format, record count, size and SHA-256,
//! taken while it is read, so that a result (and the audit record made of it) says exactly which
//! publication it was screened against.

use std::io::Read;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// One list file as loaded.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListFile {
    /// The file's name.
    pub file: String,
    /// Its detected format ([`super::ListFormat::name`]).
    pub format: String,
    /// Records read from it.
    pub records: usize,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// The day the list was published, when known (from an ISO date in the file's name, as in
    /// `sdn_2024-05-03.csv`): an entry with no listing date of its own was on the list by then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<chrono::NaiveDate>,
    /// Where the file came from, when it was fetched from a publisher (`lists update`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched: Option<Fetched>,
}

/// Where a fetched list file came from: the publisher's source, the URL, when, and the stored
/// snapshot (version) it belongs to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fetched {
    /// The source's id (`ofac-sdn`).
    pub source: String,
    /// The URL it was downloaded from.
    pub url: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The stored snapshot's version.
    pub snapshot: i64,
}

impl ListFile {
    /// `file (format, N records, sha256 abcdef012345…)`, for text reports.
    pub fn describe(&self) -> String {
        format!(
            "{} ({}{}, {} records, sha256 {}…{})",
            self.file,
            self.format,
            self.published
                .map(|d| format!(", published {d}"))
                .unwrap_or_default(),
            self.records,
            &self.sha256[..self.sha256.len().min(12)],
            self.fetched
                .as_ref()
                .map(|f| format!(", snapshot {} fetched {} from {}", f.snapshot, f.at, f.url))
                .unwrap_or_default()
        )
    }
}

/// A reader that hashes and counts what passes through it.
pub(crate) struct Hashing<'a, R> {
    inner: R,
    hasher: &'a mut Sha256,
    bytes: &'a mut u64,
}

impl<'a, R: Read> Hashing<'a, R> {
    pub(crate) fn new(inner: R, hasher: &'a mut Sha256, bytes: &'a mut u64) -> Self {
        Hashing {
            inner,
            hasher,
            bytes,
        }
    }
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        *self.bytes += n as u64;
        Ok(n)
    }
}

/// Lowercase hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_what_is_read() {
        let (mut h, mut n) = (Sha256::new(), 0u64);
        let mut out = Vec::new();
        Hashing::new(&b"abc"[..], &mut h, &mut n)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(n, 3);
        // SHA-256("abc") from FIPS 180-2, appendix B.1
        assert_eq!(
            hex(&h.finalize()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
