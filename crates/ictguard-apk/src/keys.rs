//! Signers' public keys, read from their SubjectPublicKeyInfo once per APK, and signature checks
//! with them. Every step of the cryptography is RustCrypto's (`rsa`, `p256`/`p384`/`p521`,
//! `dsa`): keys are read and checked by the crates' own constructors, and signatures verified by
//! their `verify` calls. What is written here is only which algorithm to ask for.
//!
//! One APK can carry the same key in its v1, v2 and v3 signatures, and a crafted one can repeat
//! a signer info thousands of times: [`KeyCache`] reads each distinct key once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rsa::pkcs8::DecodePublicKey;
use rsa::signature::hazmat::PrehashVerifier;
use sha2::Digest;

/// Smallest RSA modulus accepted, in bits.
pub(crate) const MIN_RSA_BITS: usize = 1024;
/// Largest RSA modulus accepted, in bits (apksig's test suite signs with 16384-bit keys).
pub(crate) const MAX_RSA_BITS: usize = 16_384;

/// Why a signer's public key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum KeyError {
    /// A DSA key the `dsa` crate refuses.
    #[error("DSA key refused: its parameters or its public value are not a valid key (y must be a power of g in the subgroup of order q; a key made to verify any message, such as g = y = p - 1, is not)")]
    DsaRefused,
    /// Neither RSA, EC on P-256/384/521, nor DSA.
    #[error("unsupported public key")]
    Unsupported,
    /// Labelled RSA, but the key does not decode.
    #[error("not an RSA key")]
    NotRsa,
    /// An RSA key the `rsa` crate refuses (its size, its exponent).
    #[error("bad RSA key: {0}")]
    BadRsa(rsa::Error),
}

/// Why a signature does not verify with a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignatureError {
    /// The signature's arithmetic does not hold.
    #[error("signature does not verify (signature error)")]
    NotVerified,
    /// The crypto crate refused the signature or its encoding, with its message.
    // the crates' error types are not `Clone`, which the shared digest results need
    #[error("signature does not verify ({reason})")]
    Refused {
        /// The crate's message.
        reason: String,
    },
    /// DSA with a digest Android does not pair with it.
    #[error("DSA with this digest is not supported by Android")]
    DsaDigest,
    /// An RSASSA-PSS signature with an EC or DSA key.
    #[error("an RSASSA-PSS signature with a key that is not RSA")]
    PssWithoutRsa,
}

/// The crypto crate's refusal as a [`SignatureError`].
fn refused(e: impl std::fmt::Display) -> SignatureError {
    SignatureError::Refused {
        reason: e.to_string(),
    }
}

/// A digest a signature is made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Hash {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The digest of `data`.
    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Md5 => md5::Md5::digest(data).to_vec(),
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// The PKCS#1 v1.5 scheme for this digest (its DigestInfo prefix).
    fn pkcs1v15(self) -> rsa::Pkcs1v15Sign {
        match self {
            Hash::Md5 => rsa::Pkcs1v15Sign::new::<md5::Md5>(),
            Hash::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            Hash::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
            Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            Hash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            Hash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }

    /// The name reviewers know it by.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Hash::Md5 => "MD5",
            Hash::Sha1 => "SHA-1",
            Hash::Sha224 => "SHA-224",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }
}

/// A public key of one of the kinds APKs are signed with.
#[derive(Debug)]
pub(crate) enum PublicKey {
    Rsa(rsa::PublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Dsa(dsa::VerifyingKey),
}

impl PublicKey {
    /// Read a SubjectPublicKeyInfo (DER) through the crate for its algorithm, which checks it.
    pub(crate) fn parse(spki: &[u8]) -> Result<PublicKey, KeyError> {
        if let Some(rsa) = rsa_key(spki) {
            return rsa.map(PublicKey::Rsa);
        }
        if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(spki) {
            return Ok(PublicKey::P256(k));
        }
        if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_der(spki) {
            return Ok(PublicKey::P384(k));
        }
        if let Ok(k) = p521::ecdsa::VerifyingKey::from_public_key_der(spki) {
            return Ok(PublicKey::P521(k));
        }
        if is_dsa(spki) {
            // the crate refuses keys whose y is not in the subgroup of order q (y^q mod p ≠ 1),
            // which degenerate keys made to verify anything (g = y = p − 1) are not
            return dsa::VerifyingKey::from_public_key_der(spki)
                .map(PublicKey::Dsa)
                .map_err(|_| KeyError::DsaRefused);
        }
        Err(KeyError::Unsupported)
    }

    /// Verify `sig` over the digest `prehash` (made with `hash`) as PKCS#1 v1.5 for RSA, ECDSA
    /// (DER signature) for EC keys and DSA (DER signature) for DSA keys.
    pub(crate) fn verify_prehash(
        &self,
        hash: Hash,
        prehash: &[u8],
        sig: &[u8],
    ) -> Result<(), SignatureError> {
        match self {
            PublicKey::Rsa(k) => k
                .verify(hash.pkcs1v15(), prehash, sig)
                .map_err(|_| SignatureError::NotVerified),
            PublicKey::P256(k) => {
                let s = p256::ecdsa::DerSignature::try_from(sig).map_err(refused)?;
                k.verify_prehash(prehash, &s).map_err(refused)
            }
            PublicKey::P384(k) => {
                let s = p384::ecdsa::DerSignature::try_from(sig).map_err(refused)?;
                k.verify_prehash(prehash, &s).map_err(refused)
            }
            PublicKey::P521(k) => {
                let s = p521::ecdsa::DerSignature::try_from(sig).map_err(refused)?;
                k.verify_prehash(prehash, &s).map_err(refused)
            }
            PublicKey::Dsa(k) => {
                // as Android: DSA with SHA-1, SHA-224 and SHA-256 only
                if matches!(hash, Hash::Sha384 | Hash::Sha512 | Hash::Md5) {
                    return Err(SignatureError::DsaDigest);
                }
                let s = dsa::Signature::try_from(sig).map_err(refused)?;
                k.verify_prehash(prehash, &s)
                    .map_err(|_| SignatureError::NotVerified)
            }
        }
    }

    /// Verify an RSASSA-PSS signature over `msg` (salt as long as the digest, as apksig signs).
    pub(crate) fn verify_pss(
        &self,
        sha512: bool,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), SignatureError> {
        use rsa::signature::Verifier;
        let PublicKey::Rsa(k) = self else {
            return Err(SignatureError::PssWithoutRsa);
        };
        let s =
            rsa::pss::Signature::from_bytes_with_max_len(sig, MAX_RSA_BITS / 8).map_err(refused)?;
        if sha512 {
            rsa::pss::VerifyingKey::<sha2::Sha512>::new(k.clone()).verify(msg, &s)
        } else {
            rsa::pss::VerifyingKey::<sha2::Sha256>::new(k.clone()).verify(msg, &s)
        }
        .map_err(refused)
    }
}

/// id-dsa (RFC 3279).
const DSA_OID: rsa::pkcs8::ObjectIdentifier =
    rsa::pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");

fn is_dsa(spki: &[u8]) -> bool {
    use rsa::pkcs8::der::Decode;
    rsa::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(spki)
        .is_ok_and(|info| info.algorithm.oid == DSA_OID)
}

/// An RSA key from a SubjectPublicKeyInfo: None when the key is not RSA, an error when it is but
/// the crate refuses it. Moduli from [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`] are accepted (the
/// crate's own decoder stops at 4096).
fn rsa_key(spki: &[u8]) -> Option<Result<rsa::PublicKey, KeyError>> {
    use rsa::pkcs1::der::Decode;
    const RSA_OID: rsa::pkcs8::ObjectIdentifier =
        rsa::pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    let info = rsa::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(spki).ok()?;
    if info.algorithm.oid != RSA_OID {
        return None;
    }
    let read = || -> Result<rsa::PublicKey, KeyError> {
        let bits = info.subject_public_key.as_bytes().ok_or(KeyError::NotRsa)?;
        let key: rsa::pkcs1::RsaPublicKey<rsa::pkcs1::UintRef<'_>> =
            rsa::pkcs1::RsaPublicKey::from_der(bits).map_err(|_| KeyError::NotRsa)?;
        let n = rsa::BoxedUint::from_be_slice_vartime(key.modulus.as_bytes());
        let e = rsa::BoxedUint::from_be_slice_vartime(key.public_exponent.as_bytes());
        rsa::PublicKey::new_with_size_limits(n, e, MIN_RSA_BITS..=MAX_RSA_BITS)
            .map_err(KeyError::BadRsa)
    };
    Some(read())
}

/// A key as read, or why it could not be.
pub(crate) type KeyRead = Arc<Result<PublicKey, KeyError>>;

/// Public keys read so far for one APK, by their SubjectPublicKeyInfo bytes.
#[derive(Default)]
pub(crate) struct KeyCache(Mutex<HashMap<Vec<u8>, KeyRead>>);

impl KeyCache {
    /// The key of this SubjectPublicKeyInfo, read on first use.
    pub(crate) fn get(&self, spki: &[u8]) -> KeyRead {
        if let Some(k) = self.0.lock().ok().and_then(|m| m.get(spki).cloned()) {
            return k;
        }
        // read outside the lock: two threads may read the same key once each, harmlessly
        let key = Arc::new(PublicKey::parse(spki));
        if let Ok(mut m) = self.0.lock() {
            m.entry(spki.to_vec()).or_insert_with(|| key.clone());
        }
        key
    }
}
