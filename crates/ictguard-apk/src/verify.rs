//! Verification of APK Signature Scheme v2 and v3 signers, as apksig does it: the signature over
//! the signed data with the signer's public key, that key matching the first certificate, the
//! signature and digest algorithm lists agreeing, and the content digest of the APK (chunked
//! SHA-256 or SHA-512 over the entries, the central directory and the end record) matching the one
//! the signer signed. Cryptography comes from the RustCrypto crates (`rsa`, `p256`/`p384`/`p521`,
//! `dsa`, `sha2`, through the crate's private `keys` module); the APK-specific parts are written
//! here.

use sha2::{Digest, Sha256, Sha512};

use crate::der;
use crate::keys::{Hash, KeyCache, KeyError, SignatureError};
use crate::zip::Zip;

/// A signature algorithm of schemes v2/v3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    RsaPssSha256,
    RsaPssSha512,
    RsaPkcs1Sha256,
    RsaPkcs1Sha512,
    EcdsaSha256,
    EcdsaSha512,
    DsaSha256,
    /// The verity variants sign a Merkle-tree digest, which is not computed here.
    Verity,
}

impl Algorithm {
    fn from_id(id: u32) -> Option<Algorithm> {
        Some(match id {
            0x0101 => Algorithm::RsaPssSha256,
            0x0102 => Algorithm::RsaPssSha512,
            0x0103 => Algorithm::RsaPkcs1Sha256,
            0x0104 => Algorithm::RsaPkcs1Sha512,
            0x0201 => Algorithm::EcdsaSha256,
            0x0202 => Algorithm::EcdsaSha512,
            0x0301 => Algorithm::DsaSha256,
            0x0421 | 0x0423 | 0x0425 => Algorithm::Verity,
            _ => return None,
        })
    }

    fn sha512(self) -> bool {
        matches!(
            self,
            Algorithm::RsaPssSha512 | Algorithm::RsaPkcs1Sha512 | Algorithm::EcdsaSha512
        )
    }
}

/// Why a v2, v3 or v3.1 scheme block does not verify: what [`crate::signing::Verdict::reason`]
/// says for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SchemeError {
    /// A length prefix cut short.
    #[error("truncated length prefix")]
    TruncatedLength,
    /// A length that overflows when added to its position.
    #[error("length overflow")]
    LengthOverflow,
    /// A length-prefixed value longer than what holds it.
    #[error("a {len}-byte value runs past its container")]
    ValuePastContainer {
        /// The declared length.
        len: usize,
    },
    /// More than a thousand values in one sequence.
    #[error("too many values")]
    TooManyValues,
    /// An (algorithm id, value) record cut short.
    #[error("truncated record")]
    TruncatedRecord,
    /// The signer's public key cannot be used.
    #[error("{0}")]
    Key(KeyError),
    /// A signature does not verify with the signer's key.
    #[error("{0}")]
    Signature(SignatureError),
    /// A verity signature, which signs a Merkle tree that is not computed here.
    #[error("verity signatures are not verified here")]
    Verity,
    /// An offset of the archive's layout that does not fit in memory's address range.
    #[error("offset out of range")]
    OffsetOutOfRange,
    /// The end record lies outside the file.
    #[error("end record out of range")]
    EndRecordOutOfRange,
    /// The end record is cut short.
    #[error("truncated end record")]
    TruncatedEndRecord,
    /// The signing block starts outside the file.
    #[error("entries out of range")]
    EntriesOutOfRange,
    /// The central directory lies outside the file.
    #[error("central directory out of range")]
    CentralDirectoryOutOfRange,
    /// Bytes between the central directory and the end record, which no digest covers.
    #[error("the central directory is not immediately followed by the end record")]
    DirectoryGap,
    /// A block with no signer.
    #[error("no signers")]
    NoSigners,
    /// More signers than [`crate::Limits::max_signers`].
    #[error("analysis stopped: {count} signers, more than the {max} read")]
    TooManySigners {
        /// Signers in the block.
        count: usize,
        /// Signers read.
        max: usize,
    },
    /// One signer's problem, numbered from 1.
    #[error("signer #{number}: {problem}")]
    Signer {
        /// The signer's number, from 1.
        number: usize,
        /// What is wrong with it.
        problem: Box<SchemeError>,
    },
    /// A v3 signer whose SDK range is cut short.
    #[error("truncated SDK range")]
    TruncatedSdkRange,
    /// A signer without signatures.
    #[error("no signatures")]
    NoSignatures,
    /// More signatures than [`MAX_SIGNATURES`].
    #[error("analysis stopped: {count} signatures, more than the {max} read")]
    TooManySignatures {
        /// Signatures of the signer.
        count: usize,
        /// Signatures read.
        max: usize,
    },
    /// Only signature algorithms that are not verified (verity, unknown ids).
    #[error("no supported signature algorithm")]
    NoSupportedAlgorithm,
    /// A v3 signer's SDK range differs from the one it signed.
    #[error("SDK range differs between signer and signed data")]
    SdkRangeDiffers,
    /// A v2 signer says a v3 block exists, and there is none: it was stripped.
    #[error("the signer says the APK is also signed with v3, but there is no v3 block (stripped)")]
    V3Stripped,
    /// A signer without certificates.
    #[error("no certificates")]
    NoCertificates,
    /// The signer's key is not its first certificate's.
    #[error("public key does not match the first certificate")]
    KeyMismatch,
    /// The signatures and the digests name different algorithms.
    #[error("signature and digest algorithm lists differ")]
    AlgorithmListsDiffer,
    /// The APK's content digest is not the one signed.
    #[error("content digest does not match: the APK was changed after signing")]
    ContentDigestMismatch,
}

fn u32_le(d: &[u8], off: usize) -> Option<u32> {
    d.get(off..off.checked_add(4)?)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn take_lp(d: &[u8]) -> Result<(&[u8], &[u8]), SchemeError> {
    let len = u32_le(d, 0).ok_or(SchemeError::TruncatedLength)? as usize;
    let v = d
        .get(4..4usize.checked_add(len).ok_or(SchemeError::LengthOverflow)?)
        .ok_or(SchemeError::ValuePastContainer { len })?;
    Ok((v, &d[4 + len..]))
}

fn lp_sequence(mut d: &[u8]) -> Result<Vec<&[u8]>, SchemeError> {
    let mut out = Vec::new();
    while !d.is_empty() {
        let (v, rest) = take_lp(d)?;
        out.push(v);
        d = rest;
        if out.len() > 1_000 {
            return Err(SchemeError::TooManyValues);
        }
    }
    Ok(out)
}

/// (algorithm id, bytes) records of a digests or signatures list.
fn id_records(list: &[u8]) -> Result<Vec<(u32, &[u8])>, SchemeError> {
    lp_sequence(list)?
        .into_iter()
        .map(|rec| {
            let id = u32_le(rec, 0).ok_or(SchemeError::TruncatedRecord)?;
            let (value, _) = take_lp(rec.get(4..).ok_or(SchemeError::TruncatedRecord)?)?;
            Ok((id, value))
        })
        .collect()
}

/// The SubjectPublicKeyInfo of a certificate, as raw DER.
pub(crate) fn certificate_key(cert: &[u8]) -> Option<&[u8]> {
    let cert = der::read(cert)?;
    let tbs = der::children(cert.contents).next()?;
    let mut fields = der::children(tbs.contents).peekable();
    if fields.peek()?.tag == 0xa0 {
        fields.next();
    }
    // serial, signature algorithm, issuer, validity, subject, then the key
    fields.nth(5).map(|f| f.raw)
}

fn verify_signature(
    alg: Algorithm,
    keys: &KeyCache,
    spki: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> Result<(), SchemeError> {
    let key = keys.get(spki);
    let key = key
        .as_ref()
        .as_ref()
        .map_err(|e| SchemeError::Key(e.clone()))?;
    match alg {
        Algorithm::RsaPkcs1Sha256 | Algorithm::EcdsaSha256 | Algorithm::DsaSha256 => {
            key.verify_prehash(Hash::Sha256, &Sha256::digest(msg), sig)
        }
        Algorithm::RsaPkcs1Sha512 | Algorithm::EcdsaSha512 => {
            key.verify_prehash(Hash::Sha512, &Sha512::digest(msg), sig)
        }
        Algorithm::RsaPssSha256 => key.verify_pss(false, msg, sig),
        Algorithm::RsaPssSha512 => key.verify_pss(true, msg, sig),
        Algorithm::Verity => return Err(SchemeError::Verity),
    }
    .map_err(SchemeError::Signature)
}

/// The content digest of the APK: chunked digests of the entries, the central directory and the
/// end record (with its directory offset pointing at the signing block), then a digest of those.
fn content_digest(zip: &Zip, block_offset: u64, sha512: bool) -> Result<Vec<u8>, SchemeError> {
    let data = zip.data();
    let to_usize = |v: u64| usize::try_from(v).map_err(|_| SchemeError::OffsetOutOfRange);
    let (block_start, cd, eocd) = (
        to_usize(block_offset)?,
        to_usize(zip.central_directory_offset)?,
        to_usize(zip.eocd_offset)?,
    );
    let mut end_record = data
        .get(eocd..)
        .ok_or(SchemeError::EndRecordOutOfRange)?
        .to_vec();
    end_record
        .get_mut(16..20)
        .ok_or(SchemeError::TruncatedEndRecord)?
        .copy_from_slice(&(block_offset as u32).to_le_bytes());
    let sections: [&[u8]; 3] = [
        data.get(..block_start)
            .ok_or(SchemeError::EntriesOutOfRange)?,
        data.get(cd..eocd)
            .ok_or(SchemeError::CentralDirectoryOutOfRange)?,
        &end_record,
    ];
    const CHUNK: usize = 1 << 20;
    let chunks: Vec<&[u8]> = sections.iter().flat_map(|s| s.chunks(CHUNK)).collect();
    // each 1 MiB chunk is digested on its own (0xa5, length, bytes), so they run on every core
    use rayon::prelude::*;
    let digests: Vec<Vec<u8>> = chunks
        .par_iter()
        .map(|chunk| {
            let len = (chunk.len() as u32).to_le_bytes();
            if sha512 {
                Sha512::new()
                    .chain_update([0xa5])
                    .chain_update(len)
                    .chain_update(chunk)
                    .finalize()
                    .to_vec()
            } else {
                Sha256::new()
                    .chain_update([0xa5])
                    .chain_update(len)
                    .chain_update(chunk)
                    .finalize()
                    .to_vec()
            }
        })
        .collect();
    let mut joined = Vec::with_capacity(5 + chunks.len() * 64);
    joined.push(0x5a);
    joined.extend((chunks.len() as u32).to_le_bytes());
    for d in digests {
        joined.extend(d);
    }
    Ok(if sha512 {
        Sha512::digest(&joined).to_vec()
    } else {
        Sha256::digest(&joined).to_vec()
    })
}

/// Additional attribute of a v2 signer naming a newer scheme the APK was also signed with, so that
/// stripping the v3 block (to roll back a key rotation) breaks the v2 signature too.
const STRIPPING_PROTECTION_ATTR: u32 = 0xbeef_f00d;
/// The scheme id that [`STRIPPING_PROTECTION_ATTR`] carries for v3.
const SCHEME_ID_V3: u32 = 3;

/// The APK's content digests (SHA-256 and SHA-512 flavours), computed once and shared by every
/// scheme block and signer that asks for them.
#[derive(Default)]
pub(crate) struct ContentDigests {
    sha256: std::sync::OnceLock<Result<Vec<u8>, SchemeError>>,
    sha512: std::sync::OnceLock<Result<Vec<u8>, SchemeError>>,
}

impl ContentDigests {
    fn get(&self, zip: &Zip, block_offset: u64, sha512: bool) -> Result<Vec<u8>, SchemeError> {
        let cell = if sha512 { &self.sha512 } else { &self.sha256 };
        cell.get_or_init(|| content_digest(zip, block_offset, sha512))
            .clone()
    }
}

/// Most signature records read for one signer (there are seven algorithms, and verity variants).
const MAX_SIGNATURES: usize = 16;

/// Verify one v2 (`v3 == false`) or v3 scheme block value. Ok when every signer verifies.
/// `v3_present` says whether the signing block holds a v3 block (for v2's stripping protection).
/// At most [`crate::Limits::max_signers`] signers, each with at most 16 signatures, are read: a
/// block with more does not verify.
pub(crate) fn verify_scheme(
    zip: &Zip,
    block_offset: u64,
    value: &[u8],
    v3: bool,
    v3_present: bool,
    digests_cache: &ContentDigests,
    keys: &KeyCache,
) -> Result<(), SchemeError> {
    // the central directory must end where the end record starts: nothing may hide in between
    if zip
        .central_directory_offset
        .checked_add(zip.central_directory_size)
        != Some(zip.eocd_offset)
    {
        return Err(SchemeError::DirectoryGap);
    }
    let (signers, _) = take_lp(value)?;
    let signers = lp_sequence(signers)?;
    if signers.is_empty() {
        return Err(SchemeError::NoSigners);
    }
    let max_signers = zip.limits().max_signers;
    if signers.len() > max_signers {
        return Err(SchemeError::TooManySigners {
            count: signers.len(),
            max: max_signers,
        });
    }
    for (n, signer) in signers.iter().enumerate() {
        let fail = |e: SchemeError| SchemeError::Signer {
            number: n + 1,
            problem: Box::new(e),
        };
        let (signed_data, rest) = take_lp(signer).map_err(fail)?;
        let (rest, signer_sdk) = if v3 {
            let min = u32_le(rest, 0).ok_or_else(|| fail(SchemeError::TruncatedSdkRange))?;
            let max = u32_le(rest, 4).ok_or_else(|| fail(SchemeError::TruncatedSdkRange))?;
            (&rest[8..], Some((min, max)))
        } else {
            (rest, None)
        };
        let (signatures, rest) = take_lp(rest).map_err(fail)?;
        let (public_key, _) = take_lp(rest).map_err(fail)?;
        let signatures = id_records(signatures).map_err(fail)?;
        if signatures.is_empty() {
            return Err(fail(SchemeError::NoSignatures));
        }
        if signatures.len() > MAX_SIGNATURES {
            return Err(fail(SchemeError::TooManySignatures {
                count: signatures.len(),
                max: MAX_SIGNATURES,
            }));
        }
        let mut verified_any = false;
        for (id, sig) in &signatures {
            match Algorithm::from_id(*id) {
                Some(Algorithm::Verity) | None => continue,
                Some(alg) => {
                    verify_signature(alg, keys, public_key, signed_data, sig).map_err(fail)?;
                    verified_any = true;
                }
            }
        }
        if !verified_any {
            return Err(fail(SchemeError::NoSupportedAlgorithm));
        }
        // signed data: digests, certificates, (v3: min and max SDK), additional attributes
        let (digests, rest) = take_lp(signed_data).map_err(fail)?;
        let (certificates, rest) = take_lp(rest).map_err(fail)?;
        if let Some((min, max)) = signer_sdk {
            let signed = (u32_le(rest, 0), u32_le(rest, 4));
            if signed != (Some(min), Some(max)) {
                return Err(fail(SchemeError::SdkRangeDiffers));
            }
        }
        if !v3 {
            let (attributes, _) = take_lp(rest).map_err(fail)?;
            // each attribute is a length-prefixed (id, value) with the value running to its end
            let wants_v3 = lp_sequence(attributes).map_err(fail)?.iter().any(|attr| {
                u32_le(attr, 0) == Some(STRIPPING_PROTECTION_ATTR)
                    && u32_le(attr, 4) == Some(SCHEME_ID_V3)
            });
            if wants_v3 && !v3_present {
                return Err(fail(SchemeError::V3Stripped));
            }
        }
        let certificates = lp_sequence(certificates).map_err(fail)?;
        let first = certificates
            .first()
            .ok_or_else(|| fail(SchemeError::NoCertificates))?;
        if certificate_key(first) != Some(public_key) {
            return Err(fail(SchemeError::KeyMismatch));
        }
        let digests = id_records(digests).map_err(fail)?;
        let sig_ids: Vec<u32> = signatures.iter().map(|(id, _)| *id).collect();
        let digest_ids: Vec<u32> = digests.iter().map(|(id, _)| *id).collect();
        if sig_ids != digest_ids {
            return Err(fail(SchemeError::AlgorithmListsDiffer));
        }
        for (id, want) in &digests {
            let Some(alg) = Algorithm::from_id(*id).filter(|a| *a != Algorithm::Verity) else {
                continue;
            };
            let sha512 = alg.sha512();
            let got = digests_cache.get(zip, block_offset, sha512).map_err(fail)?;
            if got != *want {
                return Err(fail(SchemeError::ContentDigestMismatch));
            }
        }
    }
    Ok(())
}
