//! APK signatures: the APK Signing Block (schemes v2, v3, v3.1 and the other blocks it may carry)
//! and the v1 (JAR) signature files, read down to the signers' certificates.
//!
//! This module reads structure only: which schemes are present, which certificates sign them, and
//! what else is in the signing block. It does not yet verify digests or signatures; what it returns
//! says "present", never "verified".

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::der;
use crate::zip::Zip;

const MAGIC: &[u8; 16] = b"APK Sig Block 42";
/// Block ids of the signing schemes.
pub const V2_ID: u32 = 0x7109_871a;
/// APK Signature Scheme v3.
pub const V3_ID: u32 = 0xf053_68c0;
/// APK Signature Scheme v3.1.
pub const V31_ID: u32 = 0x1b93_ad61;
/// Most pairs read from a signing block.
const MAX_PAIRS: usize = 1_000;

/// Names of the signing-block entries seen in the wild (AOSP and common channel tools).
pub fn block_name(id: u32) -> &'static str {
    match id {
        V2_ID => "APK Signature Scheme v2",
        V3_ID => "APK Signature Scheme v3",
        V31_ID => "APK Signature Scheme v3.1",
        0x4272_6577 => "verity padding",
        0x6dff_800d => "source stamp v2",
        0x2b09_189e => "source stamp v1",
        0x504b_4453 => "dependency info (Google Play)",
        0x2146_444e => "Google Play frosting",
        0x7177_7777 => "Walle channel",
        0xff3b_5998 => "VasDolly channel (v2)",
        _ => "unknown",
    }
}

/// A malformed signature structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signature: {0}")]
pub struct SigningError(pub String);

/// One id-value pair of the signing block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockEntry {
    /// The id.
    pub id: u32,
    /// Its known name.
    pub name: &'static str,
    /// Size of the value.
    pub size: usize,
}

/// A signer found in a scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// v1, v2, v3 or v3.1.
    pub scheme: &'static str,
    /// SHA-256 of each certificate (DER), lowercase hex, signer's own first.
    pub certificates: Vec<String>,
    /// Where it was found (a META-INF file for v1).
    pub source: String,
}

/// The signatures an APK carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Signatures {
    /// Offset of the signing block, when there is one.
    pub block_offset: Option<u64>,
    /// Every entry of the signing block.
    pub block_entries: Vec<BlockEntry>,
    /// Signers by scheme.
    pub signers: Vec<Signer>,
    /// Problems met while reading (malformed structures): these schemes cannot verify.
    pub problems: Vec<String>,
    /// Verdicts per scheme present (v1, v2, v3, v3.1): for v2/v3 true when every signer's signature,
    /// key, algorithm lists and content digest check out; for v1 when a signer's signature holds and
    /// covers every entry; with the reason when not.
    pub verification: Vec<Verdict>,
    /// The v1 signers that verify and cover every entry (SHA-256 of their certificates).
    pub v1_signers: Vec<String>,
    /// Every certificate met in any scheme, once each, in the order first met.
    pub certificates: Vec<crate::cert::Certificate>,
}

impl Signatures {
    /// Fingerprint a certificate and remember its details.
    fn note_certificate(&mut self, der: &[u8]) -> String {
        let sha256 = sha256_hex(der);
        if !self.certificates.iter().any(|c| c.sha256 == sha256) {
            self.certificates.push(crate::cert::Certificate::parse(der));
        }
        sha256
    }
}

/// Whether a scheme verifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// v2, v3 or v3.1.
    pub scheme: &'static str,
    /// True when it verifies.
    pub verified: bool,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn u32_le(d: &[u8], off: usize) -> Option<u32> {
    d.get(off..off.checked_add(4)?)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn u64_le(d: &[u8], off: usize) -> Option<u64> {
    d.get(off..off.checked_add(8)?).map(|b| {
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        u64::from_le_bytes(a)
    })
}

/// Split a sequence of uint32-length-prefixed values.
fn length_prefixed(mut d: &[u8]) -> Result<Vec<&[u8]>, SigningError> {
    let mut out = Vec::new();
    while !d.is_empty() {
        let len =
            u32_le(d, 0).ok_or_else(|| SigningError("truncated length prefix".into()))? as usize;
        let v = d
            .get(4..4 + len)
            .ok_or_else(|| SigningError(format!("a {len}-byte value runs past its container")))?;
        out.push(v);
        d = &d[4 + len..];
        if out.len() > MAX_PAIRS {
            return Err(SigningError("too many values".into()));
        }
    }
    Ok(out)
}

/// One length-prefixed value and the rest.
fn take_lp(d: &[u8]) -> Result<(&[u8], &[u8]), SigningError> {
    let len = u32_le(d, 0).ok_or_else(|| SigningError("truncated length prefix".into()))? as usize;
    let v = d
        .get(4..4 + len)
        .ok_or_else(|| SigningError(format!("a {len}-byte value runs past its container")))?;
    Ok((v, &d[4 + len..]))
}

/// The APK Signing Block: where it starts, and its id-value pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningBlock<'a> {
    /// Offset of the block in the file.
    pub offset: u64,
    /// (id, value) pairs in order.
    pub pairs: Vec<(u32, &'a [u8])>,
}

/// Find and split the APK Signing Block that ends where the central directory starts.
pub fn signing_block<'a>(zip: &Zip<'a>) -> Result<Option<SigningBlock<'a>>, SigningError> {
    let data = zip.data();
    let Ok(cd) = usize::try_from(zip.central_directory_offset) else {
        return Ok(None);
    };
    if cd < 32 || data.get(cd - 16..cd) != Some(&MAGIC[..]) {
        return Ok(None);
    }
    let size =
        u64_le(data, cd - 24).ok_or_else(|| SigningError("truncated block footer".into()))?;
    let size = usize::try_from(size).map_err(|_| SigningError("block size out of range".into()))?;
    let start = cd
        .checked_sub(size)
        .and_then(|s| s.checked_sub(8))
        .ok_or_else(|| {
            SigningError(format!(
                "block size {size} runs before the start of the file"
            ))
        })?;
    if u64_le(data, start) != Some(size as u64) {
        return Err(SigningError("the block's two size fields disagree".into()));
    }
    let mut pairs = Vec::new();
    let mut pos = start + 8;
    let end = cd - 24;
    while pos < end {
        let len = u64_le(data, pos).ok_or_else(|| SigningError("truncated pair".into()))?;
        let len = usize::try_from(len)
            .ok()
            // (compared by subtraction: a length near usize::MAX must not overflow the sum)
            .filter(|l| *l >= 4 && (end - pos).checked_sub(8).is_some_and(|room| *l <= room));
        let Some(len) = len else {
            return Err(SigningError(format!(
                "pair at offset {pos} runs past the block"
            )));
        };
        let id = u32_le(data, pos + 8).unwrap_or(0);
        pairs.push((id, &data[pos + 12..pos + 8 + len]));
        pos += 8 + len;
        if pairs.len() > MAX_PAIRS {
            return Err(SigningError("too many pairs in the signing block".into()));
        }
    }
    Ok(Some(SigningBlock {
        offset: start as u64,
        pairs,
    }))
}

/// Certificates (DER) of a v2/v3 scheme block value: signers → signed data → certificates.
fn scheme_certificates(value: &[u8]) -> Result<Vec<Vec<&[u8]>>, SigningError> {
    let mut out = Vec::new();
    let (signers, _) = take_lp(value)?;
    for signer in length_prefixed(signers)? {
        let (signed_data, _) = take_lp(signer)?;
        let (_digests, rest) = take_lp(signed_data)?;
        let (certs, _) = take_lp(rest)?;
        out.push(length_prefixed(certs)?);
    }
    Ok(out)
}

/// Read and verify every signature the APK carries.
pub fn read_signatures(zip: &Zip) -> Signatures {
    read_signatures_with(zip, true)
}

/// Read every signature the APK carries; verify them only when `verify` is true (otherwise
/// `verification` and `v1_signers` stay empty).
pub fn read_signatures_with(zip: &Zip, verify: bool) -> Signatures {
    let mut sig = Signatures::default();
    let block = match signing_block(zip) {
        Ok(block) => block,
        Err(e) => {
            sig.problems.push(e.0);
            None
        }
    };
    let pairs: &[(u32, &[u8])] = block.as_ref().map_or(&[], |b| &b.pairs);
    let v2_present = pairs.iter().any(|(id, _)| *id == V2_ID);
    let v3_present = pairs.iter().any(|(id, _)| *id == V3_ID);
    let has_v1 = verify
        && zip.entries().iter().any(|e| {
            let u = e.name.to_ascii_uppercase();
            u.starts_with("META-INF/")
                && (u.ends_with(".RSA") || u.ends_with(".DSA") || u.ends_with(".EC"))
        });
    // v1 and the signing block are verified side by side; the content digest is computed once for
    // every v2/v3/v3.1 signer that needs it
    let digests = crate::verify::ContentDigests::default();
    let verify_block = || {
        let Some(block) = block.as_ref().filter(|_| verify) else {
            return Vec::new();
        };
        pairs
            .iter()
            .filter(|(id, _)| matches!(*id, V2_ID | V3_ID | V31_ID))
            .map(|&(id, value)| {
                crate::verify::verify_scheme(zip, block, value, id != V2_ID, v3_present, &digests)
            })
            .collect::<Vec<_>>()
    };
    let verify_jar = || has_v1.then(|| crate::jar::verify_v1(zip, v2_present, v3_present));
    let (block_results, v1_result) = if verify {
        rayon::join(verify_block, verify_jar)
    } else {
        (Vec::new(), None)
    };
    if let Some(v1) = v1_result {
        match v1 {
            Ok(signers) => {
                sig.v1_signers = signers;
                sig.verification.push(Verdict {
                    scheme: "v1",
                    verified: true,
                    reason: None,
                });
            }
            Err(reason) => sig.verification.push(Verdict {
                scheme: "v1",
                verified: false,
                reason: Some(reason),
            }),
        }
    }
    if let Some(block) = &block {
        sig.block_offset = Some(block.offset);
    }
    let mut results = block_results.into_iter();
    for &(id, value) in pairs {
        sig.block_entries.push(BlockEntry {
            id,
            name: block_name(id),
            size: value.len(),
        });
        let scheme = match id {
            V2_ID => "v2",
            V3_ID => "v3",
            V31_ID => "v3.1",
            _ => continue,
        };
        if verify {
            let result = results.next().unwrap_or(Err("not verified".into()));
            sig.verification.push(Verdict {
                scheme,
                verified: result.is_ok(),
                reason: result.err(),
            });
        }
        match scheme_certificates(value) {
            Ok(signers) => {
                for certificates in signers {
                    let certificates = certificates
                        .iter()
                        .map(|c| sig.note_certificate(c))
                        .collect();
                    sig.signers.push(Signer {
                        scheme,
                        certificates,
                        source: "APK Signing Block".into(),
                    });
                }
            }
            Err(e) => sig.problems.push(format!("{scheme}: {}", e.0)),
        }
    }
    for entry in zip.entries() {
        let upper = entry.name.to_ascii_uppercase();
        let is_block = upper.starts_with("META-INF/")
            && !upper["META-INF/".len()..].contains('/')
            && (upper.ends_with(".RSA") || upper.ends_with(".DSA") || upper.ends_with(".EC"));
        if !is_block {
            continue;
        }
        match zip.read(entry) {
            Ok(bytes) => match der::pkcs7_certificates(&bytes) {
                Some(certs) if !certs.is_empty() => {
                    let certificates = certs.iter().map(|c| sig.note_certificate(c)).collect();
                    sig.signers.push(Signer {
                        scheme: "v1",
                        certificates,
                        source: entry.name.clone(),
                    })
                }
                _ => sig.problems.push(format!(
                    "v1: {}: not a PKCS#7 SignedData with certificates",
                    entry.name
                )),
            },
            Err(e) => sig.problems.push(format!("v1: {e}")),
        }
    }
    sig
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ZIP with no entries whose central directory starts right after `block`.
    fn zip_after(block: &[u8]) -> Vec<u8> {
        let mut out = block.to_vec();
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    /// A signing block with the given pair bytes and consistent size fields.
    fn block(pairs: &[u8]) -> Vec<u8> {
        let size = (pairs.len() + 24) as u64;
        let mut out = size.to_le_bytes().to_vec();
        out.extend_from_slice(pairs);
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(MAGIC);
        out
    }

    #[test]
    fn pair_lengths_that_overflow_are_errors() {
        // found by the `signatures` fuzz target: a pair length near 2^64 overflowed the bounds sum
        for len in [u64::MAX, u64::MAX - 7, 1 << 63, 3] {
            let mut pairs = len.to_le_bytes().to_vec();
            pairs.extend_from_slice(&[0u8; 12]);
            let apk = zip_after(&block(&pairs));
            let zip = Zip::parse(&apk).unwrap();
            assert!(signing_block(&zip).is_err(), "length {len}");
            let sig = read_signatures(&zip);
            assert!(!sig.problems.is_empty());
        }
    }

    #[test]
    fn a_well_formed_pair_is_read() {
        let mut pairs = 8u64.to_le_bytes().to_vec();
        pairs.extend_from_slice(&0x1234_5678u32.to_le_bytes());
        pairs.extend_from_slice(b"abcd");
        let apk = zip_after(&block(&pairs));
        let zip = Zip::parse(&apk).unwrap();
        let b = signing_block(&zip).unwrap().unwrap();
        assert_eq!(b.pairs, vec![(0x1234_5678, &b"abcd"[..])]);
    }
}
