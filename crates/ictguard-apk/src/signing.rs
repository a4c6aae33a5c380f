//! APK signatures: the APK Signing Block (schemes v2, v3, v3.1 and the other blocks it may carry)
//! and the v1 (JAR) signature files, read down to the signers' certificates.
//!
//! This module reads the structure (which schemes are present, which certificates sign them, what
//! else is in the signing block), has [`crate::verify`] and [`crate::jar`] verify each scheme, and
//! says whether Android would install the APK ([`install_verdict`]). A certificate is the APK's
//! signer only when the structure that carries it verifies.

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

/// A malformed APK Signing Block or scheme block, shown as `signature: ` and what is wrong.
///
/// What is wrong is kept apart ([`SigningProblem`]) because [`Signatures::problems`] lists it
/// on its own, as it always has.
// shown in the message, not as a `source()`: `{:#}` chains stay as they were
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signature: {0}")]
pub struct SigningError(pub SigningProblem);

/// What is wrong with a signing block or a scheme block's structure. Offsets are in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningProblem {
    /// A length prefix cut short.
    #[error("truncated length prefix")]
    TruncatedLength,
    /// A length-prefixed value longer than what holds it.
    #[error("a {len}-byte value runs past its container")]
    ValuePastContainer {
        /// The declared length.
        len: usize,
    },
    /// More values in one sequence than are read (a crafted block can hold millions).
    #[error("too many values")]
    TooManyValues,
    /// The block's footer (size and magic) is cut short.
    #[error("truncated block footer")]
    TruncatedFooter,
    /// A block size that does not fit in memory's address range.
    #[error("block size out of range")]
    SizeOutOfRange,
    /// A block size larger than what precedes the central directory.
    #[error("block size {size} runs before the start of the file")]
    BeforeStart {
        /// The declared size.
        size: usize,
    },
    /// The size at the block's start differs from the one in its footer.
    #[error("the block's two size fields disagree")]
    SizesDisagree,
    /// An id-value pair cut short.
    #[error("truncated pair")]
    TruncatedPair,
    /// An id-value pair longer than the rest of the block.
    #[error("pair at offset {offset} runs past the block")]
    PairPastBlock {
        /// Where the pair starts.
        offset: usize,
    },
    /// More pairs than are read.
    #[error("too many pairs in the signing block")]
    TooManyPairs,
}

fn fault<T>(problem: SigningProblem) -> Result<T, SigningError> {
    Err(SigningError(problem))
}

/// One id-value pair of the signing block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockEntry {
    /// The id.
    pub id: u32,
    /// Its known name.
    pub name: &'static str,
    /// Size of the value.
    pub size: usize,
    /// True for a second (or later) pair of a signature scheme's id, which Android does not read.
    pub ignored: bool,
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
    /// Whether what carries it verifies (for v1: the JAR signature verifies and this signer
    /// covers every entry); None when the signatures were not verified.
    pub verified: Option<bool>,
    /// Why Android never reads it, when it does not (a second block of its scheme).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

/// Whether Android would install the APK, as far as its signatures decide (see
/// [`install_verdict`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallVerdict {
    /// True when the signatures Android checks verify.
    pub installs: bool,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The signatures an APK carries, in every scheme, with what did not read: the raw material from
/// which [`install_verdict`] and the APK's summary pick what Android would accept.
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
    /// The digest algorithms a v1 signature that verifies rests on, weakest first ("SHA-1").
    pub v1_digests: Vec<&'static str>,
    /// Why Android versions below an API level would not accept a v1 signature that verifies.
    pub v1_older_platforms: Vec<(i64, String)>,
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

/// Whether a scheme verifies, and why not in words a reviewer can check (the reason is the
/// verifier's error message).
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

/// Lowercase hex SHA-256: how certificates are named throughout (as `apksigner` and `keytool`
/// print them), so one helper keeps them comparable.
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
        let (v, rest) = take_lp(d)?;
        out.push(v);
        d = rest;
        if out.len() > MAX_PAIRS {
            return fault(SigningProblem::TooManyValues);
        }
    }
    Ok(out)
}

/// One length-prefixed value and the rest.
fn take_lp(d: &[u8]) -> Result<(&[u8], &[u8]), SigningError> {
    let Some(len) = u32_le(d, 0) else {
        return fault(SigningProblem::TruncatedLength);
    };
    let len = len as usize;
    let Some(v) = d.get(4..4 + len) else {
        return fault(SigningProblem::ValuePastContainer { len });
    };
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
    let Some(size) = u64_le(data, cd - 24) else {
        return fault(SigningProblem::TruncatedFooter);
    };
    let Ok(size) = usize::try_from(size) else {
        return fault(SigningProblem::SizeOutOfRange);
    };
    let Some(start) = cd.checked_sub(size).and_then(|s| s.checked_sub(8)) else {
        return fault(SigningProblem::BeforeStart { size });
    };
    if u64_le(data, start) != Some(size as u64) {
        return fault(SigningProblem::SizesDisagree);
    }
    let mut pairs = Vec::new();
    let mut pos = start + 8;
    let end = cd - 24;
    while pos < end {
        let Some(len) = u64_le(data, pos) else {
            return fault(SigningProblem::TruncatedPair);
        };
        let len = usize::try_from(len)
            .ok()
            // (compared by subtraction: a length near usize::MAX must not overflow the sum)
            .filter(|l| *l >= 4 && (end - pos).checked_sub(8).is_some_and(|room| *l <= room));
        let Some(len) = len else {
            return fault(SigningProblem::PairPastBlock { offset: pos });
        };
        let id = u32_le(data, pos + 8).unwrap_or(0);
        pairs.push((id, &data[pos + 12..pos + 8 + len]));
        pos += 8 + len;
        if pairs.len() > MAX_PAIRS {
            return fault(SigningProblem::TooManyPairs);
        }
    }
    Ok(Some(SigningBlock {
        offset: start as u64,
        pairs,
    }))
}

/// Certificates (DER) of a v2/v3 scheme block value: signers → signed data → certificates. At
/// most `max_signers` signers are read.
fn scheme_certificates(value: &[u8], max_signers: usize) -> Result<Vec<Vec<&[u8]>>, SigningError> {
    let mut out = Vec::new();
    let (signers, _) = take_lp(value)?;
    for signer in length_prefixed(signers)?.into_iter().take(max_signers) {
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
/// `verification` and `v1_signers` stay empty and no signer is marked verified).
///
/// Android reads only the first pair of each scheme id in the signing block (apksig's
/// `findApkSignatureSchemeBlock`); later pairs with the same id are listed, and their signers
/// marked as ignored, but never verified or taken as the APK's signers.
pub fn read_signatures_with(zip: &Zip, verify: bool) -> Signatures {
    let mut sig = Signatures::default();
    let block = match signing_block(zip) {
        Ok(block) => block,
        Err(e) => {
            sig.problems.push(e.0.to_string());
            None
        }
    };
    let pairs: &[(u32, &[u8])] = block.as_ref().map_or(&[], |b| &b.pairs);
    // the index of the pair Android reads for each scheme id: the first with that id
    let first_of = |id: u32| pairs.iter().position(|(i, _)| *i == id);
    let v2_present = first_of(V2_ID).is_some();
    let v3_present = first_of(V3_ID).is_some();
    let v1_block_files: Vec<&crate::zip::Entry> = zip
        .entries()
        .iter()
        .filter(|e| is_v1_signature_block(&e.name))
        .collect();
    let has_v1 = verify && !v1_block_files.is_empty();
    // v1 and the signing block are verified side by side; the content digest is computed once for
    // every v2/v3/v3.1 signer that needs it, and each public key is parsed once for all schemes
    let digests = crate::verify::ContentDigests::default();
    let keys = crate::keys::KeyCache::default();
    let read: Vec<(usize, u32)> = [V2_ID, V3_ID, V31_ID]
        .into_iter()
        .filter_map(|id| first_of(id).map(|at| (at, id)))
        .collect();
    let verify_block = || {
        let Some(block) = block.as_ref().filter(|_| verify) else {
            return Vec::new();
        };
        read.iter()
            .map(|&(at, id)| {
                let value = pairs[at].1;
                let result = crate::verify::verify_scheme(
                    zip,
                    block.offset,
                    value,
                    id != V2_ID,
                    v3_present,
                    &digests,
                    &keys,
                );
                (at, result)
            })
            .collect::<Vec<_>>()
    };
    let verify_jar = || has_v1.then(|| crate::jar::verify_v1(zip, v2_present, v3_present, &keys));
    let (block_results, v1_result) = if verify {
        rayon::join(verify_block, verify_jar)
    } else {
        (Vec::new(), None)
    };
    if let Some(v1) = v1_result {
        match v1 {
            Ok(verified) => {
                sig.v1_signers = verified.signers;
                sig.v1_digests = verified.digests;
                sig.v1_older_platforms = verified.older_platforms;
                sig.verification.push(Verdict {
                    scheme: "v1",
                    verified: true,
                    reason: None,
                });
            }
            Err(reason) => sig.verification.push(Verdict {
                scheme: "v1",
                verified: false,
                reason: Some(reason.to_string()),
            }),
        }
    }
    if let Some(block) = &block {
        sig.block_offset = Some(block.offset);
    }
    for (at, &(id, value)) in pairs.iter().enumerate() {
        let scheme = match id {
            V2_ID => Some("v2"),
            V3_ID => Some("v3"),
            V31_ID => Some("v3.1"),
            _ => None,
        };
        let ignored = scheme.is_some() && first_of(id) != Some(at);
        sig.block_entries.push(BlockEntry {
            id,
            name: block_name(id),
            size: value.len(),
            ignored,
        });
        let Some(scheme) = scheme else {
            continue;
        };
        let result = block_results.iter().find(|(i, _)| *i == at).map(|(_, r)| r);
        if let Some(result) = result {
            sig.verification.push(Verdict {
                scheme,
                verified: result.is_ok(),
                reason: result.as_ref().err().map(ToString::to_string),
            });
        }
        match scheme_certificates(value, zip.limits().max_signers) {
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
                        verified: result.map(Result::is_ok),
                        ignored: ignored.then(|| {
                            format!(
                                "a second {scheme} block in the signing block: Android reads only the first"
                            )
                        }),
                    });
                }
            }
            Err(e) => sig.problems.push(format!("{scheme}: {}", e.0)),
        }
    }
    let v1_verified = sig
        .verification
        .iter()
        .find(|v| v.scheme == "v1")
        .map(|v| v.verified);
    for (n, entry) in v1_block_files.into_iter().enumerate() {
        if n >= zip.limits().max_v1_blocks {
            sig.problems.push(format!(
                "analysis stopped: v1: more than {} signature blocks; the rest were not read",
                zip.limits().max_v1_blocks
            ));
            break;
        }
        match zip.read(entry) {
            Ok(bytes) => match der::pkcs7_certificates(&bytes) {
                Some(certs) if !certs.is_empty() => {
                    let certificates: Vec<String> =
                        certs.iter().map(|c| sig.note_certificate(c)).collect();
                    // a v1 signer is the APK's when v1 verifies and it covers every entry
                    let verified = v1_verified.map(|ok| {
                        ok && certificates
                            .first()
                            .is_some_and(|c| sig.v1_signers.contains(c))
                    });
                    sig.signers.push(Signer {
                        scheme: "v1",
                        certificates,
                        source: entry.name.clone(),
                        verified,
                        ignored: None,
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

/// True for a v1 signature block: `META-INF/*.RSA`, `*.DSA` or `*.EC` (any case, not in a
/// subfolder).
pub(crate) fn is_v1_signature_block(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.starts_with("META-INF/")
        && !upper["META-INF/".len()..].contains('/')
        && (upper.ends_with(".RSA") || upper.ends_with(".DSA") || upper.ends_with(".EC"))
}

/// Whether Android installs an APK, as apksig's `ApkVerifier` decides for the platforms from
/// `min_sdk` up: a scheme that Android reads on some of those platforms must verify when present
/// (v3.1 from API 33, v3 from 28, v2 from 24 unless v3 covers every platform), JAR signing must be
/// present and verify when some platform is older than 24 or no newer scheme is there, and an app
/// targeting API 30 or later, or with targetSandboxVersion 2 or more, needs v2 or newer. None when
/// the signatures were not verified.
pub fn install_verdict(
    sig: &Signatures,
    min_sdk: i64,
    target_sdk: i64,
    target_sandbox: i64,
) -> Option<InstallVerdict> {
    let verdict = |scheme: &str| sig.verification.iter().find(|v| v.scheme == scheme);
    let present_in_block = |scheme: &str| {
        sig.block_entries
            .iter()
            .any(|b| !b.ignored && scheme_of(b.id) == Some(scheme))
    };
    // with nothing verified at all (the caller asked not to), there is no verdict to give
    if sig.verification.is_empty() && (present_in_block("v2") || present_in_block("v3")) {
        return None;
    }
    let fail = |why: String| {
        Some(InstallVerdict {
            installs: false,
            reason: Some(why),
        })
    };
    let mut found = Vec::new();
    for (scheme, from) in [("v3.1", 33), ("v3", 28), ("v2", 24)] {
        if !present_in_block(scheme) {
            continue;
        }
        if scheme == "v2" && min_sdk >= 28 && !found.is_empty() {
            continue; // Android 9 and later read v3 alone
        }
        match verdict(scheme) {
            Some(v) if v.verified => found.push(scheme),
            Some(v) => {
                return fail(format!(
                "the {scheme} signature, which Android {} and later checks, does not verify: {}",
                android_version(from),
                v.reason.clone().unwrap_or_default()
            ))
            }
            None => return None,
        }
    }
    if min_sdk < 24 || found.is_empty() {
        match verdict("v1") {
            Some(v) if v.verified => {
                if let Some((api, why)) = sig
                    .v1_older_platforms
                    .iter()
                    .find(|(api, _)| min_sdk < *api)
                {
                    return fail(format!(
                        "the JAR (v1) signature does not verify on Android below API {api} (minSdkVersion {min_sdk}): {why}"
                    ));
                }
            }
            Some(v) => {
                return fail(if found.is_empty() {
                    format!(
                        "the JAR (v1) signature, its only signature, does not verify: {}",
                        v.reason.clone().unwrap_or_default()
                    )
                } else {
                    format!(
                        "the JAR (v1) signature, which Android before 7.0 checks (minSdkVersion {min_sdk}), does not verify: {}",
                        v.reason.clone().unwrap_or_default()
                    )
                })
            }
            None if found.is_empty() => return fail("the APK is not signed".into()),
            None => {
                return fail(format!(
                "no JAR (v1) signature, which Android before 7.0 needs (minSdkVersion {min_sdk})"
            ))
            }
        }
    }
    if target_sandbox >= 2 && found.is_empty() {
        return fail(format!(
            "targetSandboxVersion {target_sandbox} needs APK Signature Scheme v2 or later; only JAR signing is present"
        ));
    }
    if target_sdk >= 30 && found.is_empty() {
        return fail(format!(
            "targetSdkVersion {target_sdk} needs APK Signature Scheme v2 or later on Android 11 and later; only JAR signing is present"
        ));
    }
    Some(InstallVerdict {
        installs: true,
        reason: None,
    })
}

fn scheme_of(id: u32) -> Option<&'static str> {
    match id {
        V2_ID => Some("v2"),
        V3_ID => Some("v3"),
        V31_ID => Some("v3.1"),
        _ => None,
    }
}

fn android_version(api: i64) -> &'static str {
    match api {
        33 => "13",
        28 => "9",
        _ => "7.0",
    }
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
