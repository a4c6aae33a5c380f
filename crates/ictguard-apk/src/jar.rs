//! v1 (JAR) signature verification, as apksig does it: each signature block (PKCS#7 SignedData in
//! `META-INF/*.RSA|DSA|EC`) must sign its `.SF` file with the signer's certificate; the `.SF` must
//! match `MANIFEST.MF` (as a whole, or section by section); and the manifest must list every entry
//! of the archive with a matching digest. A signer whose `.SF` does not cover every entry is
//! ignored, as Android ignores it; at least one signer must cover everything. A `.SF` that says the
//! APK was also signed with v2 or v3 (`X-Android-APK-Signed`) while those schemes are missing is the
//! mark of stripped signatures, and fails.

use std::collections::{BTreeMap, HashMap};

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::der;
use crate::keys::{Hash, KeyCache, KeyError, SignatureError};
use crate::zip::{Zip, ZipError};

/// Why the v1 signature does not verify: what [`crate::signing::Verdict::reason`] says for v1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum V1Error {
    /// A signature file or an entry could not be read from the archive.
    #[error("{0}")]
    Read(ZipError),
    /// No `META-INF/MANIFEST.MF`.
    #[error("no META-INF/MANIFEST.MF")]
    NoManifest,
    /// A manifest without even a main section.
    #[error("empty manifest")]
    EmptyManifest,
    /// An entry name a manifest section cannot hold.
    #[error("entry name {name:?} has a line break, which a JAR manifest cannot list")]
    LineBreak {
        /// The entry.
        name: String,
    },
    /// Two entries of one name, which a manifest cannot tell apart.
    #[error("duplicate entry {name:?}")]
    Duplicate {
        /// The entry.
        name: String,
    },
    /// An entry the manifest does not list.
    #[error("{name:?} is not in the manifest")]
    NotInManifest {
        /// The entry.
        name: String,
    },
    /// An entry listed without a digest of a supported algorithm.
    #[error("{name:?} has no supported digest in the manifest")]
    NoSupportedDigest {
        /// The entry.
        name: String,
    },
    /// A manifest section for an entry the archive does not hold.
    #[error("the manifest lists {name:?}, which is not in the archive")]
    NotInArchive {
        /// The name listed.
        name: String,
    },
    /// More signature blocks than [`crate::Limits::max_v1_blocks`].
    #[error("analysis stopped: {count} signature blocks, more than the {max} read")]
    TooManyBlocks {
        /// Blocks in the archive.
        count: usize,
        /// Blocks read.
        max: usize,
    },
    /// A `.SF` without even a main section.
    #[error("empty .SF")]
    EmptySf,
    /// A `.SF` saying v2 or v3 signed the APK too, when those blocks are gone.
    #[error(
        "{sf}: says the APK was signed with v{schemes} too, and that signature is gone (stripped)"
    )]
    Stripped {
        /// The `.SF` file.
        sf: String,
        /// Its `X-Android-APK-Signed` value.
        schemes: String,
    },
    /// The first signer's failure, when no signer covers every entry.
    #[error("{file}: {problem}")]
    Signer {
        /// The signature block or `.SF` file.
        file: String,
        /// What is wrong with it.
        problem: SignerFailure,
    },
    /// Every signer verifies, but none covers every entry.
    #[error("no v1 signer covers every entry")]
    NoSignerCoversAll,
    /// An entry's digest missing from those computed (a defect, not a property of the APK).
    #[error("an entry's digest was not computed")]
    DigestNotComputed,
    /// An entry whose data is not what the manifest's digest says.
    #[error("{name:?} does not match its manifest digest")]
    DigestMismatch {
        /// The entry.
        name: String,
    },
}

/// Why one signer (a signature block and its `.SF`) does not count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignerFailure {
    /// A signature block without its `.SF`.
    #[error("no matching .SF")]
    NoMatchingSf,
    /// The block does not verify over the `.SF`.
    #[error("{0}")]
    Block(BlockError),
    /// The `.SF`'s digest of the manifest's main attributes is wrong.
    #[error("main attributes do not match")]
    MainAttributes,
    /// The `.SF`'s digest of a manifest section is wrong.
    #[error("section {name:?} does not match")]
    Section {
        /// The section's name.
        name: String,
    },
}

/// Why a PKCS#7 signature block does not verify over its `.SF`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BlockError {
    /// Not a ContentInfo.
    #[error("not a PKCS#7 ContentInfo")]
    NotContentInfo,
    /// A ContentInfo without SignedData.
    #[error("no SignedData")]
    NoSignedData,
    /// SignedData without certificates.
    #[error("no certificates")]
    NoCertificates,
    /// SignedData without its set of signer infos.
    #[error("no signer infos")]
    NoSignerInfos,
    /// An empty set of signer infos.
    #[error("no signer info")]
    NoSignerInfo,
    /// More signer infos than [`crate::Limits::max_signer_infos`].
    #[error("analysis stopped: more than {max} signer infos: the block was not read further")]
    TooManySignerInfos {
        /// Signer infos read.
        max: usize,
    },
    /// The last signer info's failure.
    #[error("{0}")]
    SignerInfo(SignerInfoError),
}

/// A fresh incremental hasher of this algorithm.
fn hasher(hash: Hash) -> Box<dyn sha2::digest::DynDigest + Send> {
    match hash {
        Hash::Md5 => Box::new(md5::Md5::new()),
        Hash::Sha1 => Box::new(Sha1::new()),
        Hash::Sha224 => Box::new(sha2::Sha224::new()),
        Hash::Sha256 => Box::new(Sha256::new()),
        Hash::Sha384 => Box::new(Sha384::new()),
        Hash::Sha512 => Box::new(Sha512::new()),
    }
}

/// The attribute-name prefix: `SHA-256-Digest`, `SHA1-Digest`.
fn jar_name(hash: Hash) -> &'static str {
    match hash {
        Hash::Md5 => "MD5",
        Hash::Sha1 => "SHA1",
        Hash::Sha224 => "SHA-224",
        Hash::Sha256 => "SHA-256",
        Hash::Sha384 => "SHA-384",
        Hash::Sha512 => "SHA-512",
    }
}

/// The digest algorithm a PKCS#7 AlgorithmIdentifier's OID names.
fn hash_from_oid(oid: &[u8]) -> Option<Hash> {
    Some(match oid {
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05] => Hash::Md5,
        [0x2b, 0x0e, 0x03, 0x02, 0x1a] => Hash::Sha1,
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04] => Hash::Sha224,
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01] => Hash::Sha256,
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02] => Hash::Sha384,
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03] => Hash::Sha512,
        _ => return None,
    })
}

/// Digest attributes are checked strongest first, and only the strongest present counts (as in
/// apksig: a weak digest that disagrees beside a strong one that agrees does not fail).
const HASHES: [Hash; 6] = [
    Hash::Sha512,
    Hash::Sha384,
    Hash::Sha256,
    Hash::Sha224,
    Hash::Sha1,
    Hash::Md5,
];

/// A section of a manifest or `.SF`: its attributes and its raw bytes (for section digests).
#[derive(Debug, Clone)]
struct Section<'a> {
    attrs: Vec<(String, String)>,
    raw: &'a [u8],
}

impl Section<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Split a manifest into sections (the first is the main section), joining continuation lines.
fn sections(text: &[u8]) -> Vec<Section<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = text[pos..]
            .iter()
            .position(|b| *b == b'\n')
            .map(|i| pos + i + 1)
            .unwrap_or(text.len());
        let line = &text[pos..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.is_empty() {
            out.push(Section {
                attrs: std::mem::take(&mut attrs),
                raw: &text[start..end],
            });
            start = end;
        } else if content[0] == b' ' {
            if let Some(last) = attrs.last_mut() {
                last.1.push_str(&String::from_utf8_lossy(&content[1..]));
            }
        } else if let Some(colon) = content.iter().position(|b| *b == b':') {
            let key = String::from_utf8_lossy(&content[..colon])
                .trim()
                .to_string();
            let value = String::from_utf8_lossy(&content[colon + 1..])
                .trim_start()
                .to_string();
            attrs.push((key, value));
        }
        pos = end;
    }
    if start < text.len() || !attrs.is_empty() {
        out.push(Section {
            attrs,
            raw: &text[start..],
        });
    }
    out
}

/// Standard base64, as JAR manifests write digests, read as `java.util.Base64` (apksig) reads it:
/// padding optional, but nothing after it; surrounding spaces ignored. None when it is not base64.
pub(crate) fn b64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;
    const AS_JAVA_READS_IT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    AS_JAVA_READS_IT.decode(s.trim()).ok()
}

/// Does `section` carry a digest (of any supported algorithm) equal to `data`'s? None when it has
/// no supported digest at all.
fn digest_matches(section: &Section, suffix: &str, data: &[u8]) -> Option<bool> {
    HASHES.iter().find_map(|h| {
        let v = section.get(&format!("{}-{suffix}", jar_name(*h)))?;
        Some(b64(v).as_deref() == Some(&h.digest(data)[..]))
    })
}

/// The digest an entry's manifest section gives, strongest algorithm first: (algorithm, base64).
fn entry_digest<'s>(
    entry: &crate::zip::Entry,
    section: &'s Section,
) -> Result<(Hash, &'s str), V1Error> {
    HASHES
        .iter()
        .find_map(|h| {
            section
                .get(&format!("{}-Digest", jar_name(*h)))
                .map(|v| (*h, v))
        })
        .ok_or_else(|| V1Error::NoSupportedDigest {
            name: entry.name.clone(),
        })
}

/// An archive entry's digest, inflated and hashed piece by piece so that even a large entry is
/// never whole in memory.
fn digest_of(zip: &Zip, entry: &crate::zip::Entry, hash: Hash) -> Result<Vec<u8>, ZipError> {
    let mut hasher = hasher(hash);
    zip.stream(entry, &mut |chunk| hasher.update(chunk))?;
    Ok(hasher.finalize().to_vec())
}

/// Verify the PKCS#7 block over the `.SF` bytes; returns the signer certificate's SHA-256.
/// A signature block that verifies: the signer certificate's SHA-256, the digest its signer info
/// signs with, and why Android before 7.0 would not accept it (it reads only the first signer
/// info), if that one does not verify.
struct BlockVerified {
    certificate: String,
    hash: Hash,
    first_info_fails: Option<String>,
}

fn verify_block(
    block: &[u8],
    sf: &[u8],
    keys: &KeyCache,
    max_infos: usize,
) -> Result<BlockVerified, BlockError> {
    let ci = der::read(block)
        .filter(|t| t.tag == 0x30)
        .ok_or(BlockError::NotContentInfo)?;
    let explicit = der::children(ci.contents)
        .find(|t| t.tag == 0xa0)
        .ok_or(BlockError::NoSignedData)?;
    let sd = der::read(explicit.contents)
        .filter(|t| t.tag == 0x30)
        .ok_or(BlockError::NoSignedData)?;
    let certs = der::pkcs7_certificates(block).ok_or(BlockError::NoCertificates)?;
    let signer_cert = *certs.first().ok_or(BlockError::NoCertificates)?;
    let infos = der::children(sd.contents)
        .filter(|t| t.tag == 0x31)
        .last()
        .ok_or(BlockError::NoSignerInfos)?;
    // apksig accepts the block when any signer info verifies (Android 7.0 and later); before 7.0
    // Android read the first signer info only
    let mut last_error = BlockError::NoSignerInfo;
    let mut first_info_fails = None;
    // a malformed signer info fails the block; one whose signature or digest is wrong gives way
    // to the next
    for (n, info) in der::children(infos.contents).enumerate() {
        if n >= max_infos {
            return Err(BlockError::TooManySignerInfos { max: max_infos });
        }
        match verify_signer_info(info, sf, signer_cert, keys) {
            Ok(hash) => {
                return Ok(BlockVerified {
                    certificate: crate::signing::sha256_hex(signer_cert),
                    hash,
                    first_info_fails,
                })
            }
            Err(e) if e.is_malformed() => return Err(BlockError::SignerInfo(e)),
            Err(e) => {
                if n == 0 {
                    first_info_fails = Some(format!(
                        "its first signer info, the only one Android before 7.0 reads, does not verify: {e}"
                    ));
                }
                last_error = BlockError::SignerInfo(e)
            }
        }
    }
    Err(last_error)
}

/// Why a SignerInfo does not verify: its structure is wrong ([`SignerInfoError::is_malformed`],
/// which fails the whole block), or its signature or digest does not match (the next signer info
/// may still verify).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignerInfoError {
    /// Fewer fields than a SignerInfo has.
    #[error("truncated signer info")]
    Truncated,
    /// A digest algorithm that is not MD5 or SHA-1/2.
    #[error("unsupported digest algorithm")]
    UnsupportedDigest,
    /// No signature octet string.
    #[error("no signature")]
    NoSignature,
    /// Signed attributes with no content type, or several.
    #[error("signed attributes need exactly one content type")]
    ContentTypeCount,
    /// Signed attributes with no message digest, or several.
    #[error("signed attributes need exactly one message digest")]
    MessageDigestCount,
    /// A signer certificate whose public key cannot be found.
    #[error("certificate without a public key")]
    NoPublicKey,
    /// Signed content of another type than data.
    #[error("signed content type is not id-data")]
    NotIdData,
    /// The signed message digest is not the `.SF`'s.
    #[error("the signature block signs a different .SF")]
    DifferentSf,
    /// The signer's key cannot be used.
    #[error("{0}")]
    Key(KeyError),
    /// The signature does not verify with the key.
    #[error("{0}")]
    Signature(SignatureError),
}

impl SignerInfoError {
    /// True when the structure is wrong, false when a signature or digest does not match.
    fn is_malformed(&self) -> bool {
        matches!(
            self,
            SignerInfoError::Truncated
                | SignerInfoError::UnsupportedDigest
                | SignerInfoError::NoSignature
                | SignerInfoError::ContentTypeCount
                | SignerInfoError::MessageDigestCount
                | SignerInfoError::NoPublicKey
        )
    }
}

/// Verify one SignerInfo over the `.SF` bytes with the signer certificate; the digest algorithm it
/// signs with.
fn verify_signer_info(
    info: der::Tlv,
    sf: &[u8],
    signer_cert: &[u8],
    keys: &KeyCache,
) -> Result<Hash, SignerInfoError> {
    let mut fields = der::children(info.contents);
    let (_version, _sid) = (fields.next(), fields.next());
    let digest_alg = fields.next().ok_or(SignerInfoError::Truncated)?;
    let hash = der::children(digest_alg.contents)
        .next()
        .and_then(|oid| hash_from_oid(oid.contents))
        .ok_or(SignerInfoError::UnsupportedDigest)?;
    let mut next = fields.next().ok_or(SignerInfoError::Truncated)?;
    let mut signed_attrs = None;
    if next.tag == 0xa0 {
        signed_attrs = Some(next);
        next = fields.next().ok_or(SignerInfoError::Truncated)?;
    }
    let _signature_alg = next;
    let signature = fields
        .next()
        .filter(|t| t.tag == 0x04)
        .ok_or(SignerInfoError::NoSignature)?
        .contents;
    let message_hash = match signed_attrs {
        Some(attrs) => {
            // content-type must be id-data, and messageDigest (exactly one value) the .SF's digest;
            // the signature covers the attributes re-tagged as a SET
            const CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
            const MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
            const ID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
            let values = |oid: &[u8]| -> Vec<der::Tlv> {
                der::children(attrs.contents)
                    .filter(|a| {
                        der::children(a.contents)
                            .next()
                            .is_some_and(|o| o.contents == oid)
                    })
                    .filter_map(|a| der::children(a.contents).nth(1))
                    .flat_map(|set| der::children(set.contents).collect::<Vec<_>>())
                    .collect()
            };
            let content_type = values(CONTENT_TYPE);
            if content_type.len() != 1 {
                return Err(SignerInfoError::ContentTypeCount);
            }
            if content_type[0].contents != ID_DATA {
                return Err(SignerInfoError::NotIdData);
            }
            let md = values(MESSAGE_DIGEST);
            if md.len() != 1 {
                return Err(SignerInfoError::MessageDigestCount);
            }
            if md[0].contents != hash.digest(sf) {
                return Err(SignerInfoError::DifferentSf);
            }
            let mut reencoded = attrs.raw.to_vec();
            reencoded[0] = 0x31;
            hash.digest(&reencoded)
        }
        None => hash.digest(sf),
    };
    let spki = crate::verify::certificate_key(signer_cert).ok_or(SignerInfoError::NoPublicKey)?;
    let key = keys.get(spki);
    let key = key
        .as_ref()
        .as_ref()
        .map_err(|e| SignerInfoError::Key(e.clone()))?;
    key.verify_prehash(hash, &message_hash, signature)
        .map_err(SignerInfoError::Signature)?;
    Ok(hash)
}

fn is_signature_file(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let Some(rest) = upper.strip_prefix("META-INF/") else {
        return false;
    };
    !rest.contains('/')
        && (rest == "MANIFEST.MF"
            || rest.ends_with(".SF")
            || rest.ends_with(".RSA")
            || rest.ends_with(".DSA")
            || rest.ends_with(".EC"))
}

/// A v1 signature that verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Verified {
    /// SHA-256 of each signer certificate that verifies and covers every entry.
    pub signers: Vec<String>,
    /// The digest algorithms the signature rests on: those its signer infos sign with and those
    /// the manifest gives for the entries, weakest first.
    pub digests: Vec<&'static str>,
    /// Why older Android versions would not accept it, each with the first API level that does:
    /// (24, …) when only a later signer info verifies, (18, …) when a SHA-1 digest beside a
    /// stronger one is wrong (Android before 4.3 checks SHA-1 digests only).
    pub older_platforms: Vec<(i64, String)>,
}

/// Verify the v1 signature. `v2_present` and `v3_present` feed the stripping check. At most
/// [`crate::Limits::max_v1_blocks`] signature blocks are read (more is an error), each with at most
/// [`crate::Limits::max_signer_infos`] signer infos; entries that alias one another are hashed once.
pub(crate) fn verify_v1(
    zip: &Zip,
    v2_present: bool,
    v3_present: bool,
    keys: &KeyCache,
) -> Result<V1Verified, V1Error> {
    let limits = zip.limits();
    let manifest_entry = zip
        .entry("META-INF/MANIFEST.MF")
        .ok_or(V1Error::NoManifest)?;
    let manifest = zip.read(manifest_entry).map_err(V1Error::Read)?;
    let msections = sections(&manifest);
    let main = msections.first().ok_or(V1Error::EmptyManifest)?;
    // in name order, so that the failure reported (the first found) is the same on every run
    let by_name: BTreeMap<&str, &Section> = msections
        .iter()
        .skip(1)
        .filter_map(|s| s.get("Name").map(|n| (n, s)))
        .collect();

    // every entry outside the signature files must be listed (digests are checked last, the
    // expensive part, once a signature holds)
    let mut names = std::collections::HashSet::new();
    let mut to_digest = Vec::new();
    // SHA-1 digests beside stronger ones, which only Android before 4.3 checks
    let mut legacy_digests = Vec::new();
    for e in zip.entries() {
        if e.name.ends_with('/') || is_signature_file(&e.name) {
            continue;
        }
        if e.name.contains(['\r', '\n']) {
            return Err(V1Error::LineBreak {
                name: e.name.clone(),
            });
        }
        if !names.insert(e.name.as_str()) {
            return Err(V1Error::Duplicate {
                name: e.name.clone(),
            });
        }
        let section = by_name
            .get(e.name.as_str())
            .ok_or_else(|| V1Error::NotInManifest {
                name: e.name.clone(),
            })?;
        let (hash, want) = entry_digest(e, section)?;
        to_digest.push((e, hash, want));
        if hash != Hash::Sha1 {
            if let Some(sha1) = section.get("SHA1-Digest") {
                legacy_digests.push((e, Hash::Sha1, sha1));
            }
        }
    }
    for name in by_name.keys() {
        if !names.contains(name) {
            return Err(V1Error::NotInArchive {
                name: name.to_string(),
            });
        }
    }

    let blocks: Vec<&crate::zip::Entry> = zip
        .entries()
        .iter()
        .filter(|e| crate::signing::is_v1_signature_block(&e.name))
        .collect();
    if blocks.len() > limits.max_v1_blocks {
        return Err(V1Error::TooManyBlocks {
            count: blocks.len(),
            max: limits.max_v1_blocks,
        });
    }
    let mut signers = Vec::new();
    let mut digests = Vec::new();
    let mut failures = Vec::new();
    let mut older_platforms = Vec::new();
    for e in blocks {
        let base = &e.name[..e.name.rfind('.').unwrap_or(e.name.len())];
        let Some(sf_entry) = zip
            .entries()
            .iter()
            .find(|x| x.name.eq_ignore_ascii_case(&format!("{base}.SF")))
        else {
            failures.push((e.name.clone(), SignerFailure::NoMatchingSf));
            continue;
        };
        let block = zip.read(e).map_err(V1Error::Read)?;
        let sf = zip.read(sf_entry).map_err(V1Error::Read)?;
        let verified = match verify_block(&block, &sf, keys, limits.max_signer_infos) {
            Ok(v) => v,
            Err(why) => {
                failures.push((e.name.clone(), SignerFailure::Block(why)));
                continue;
            }
        };
        let sfs = sections(&sf);
        let sf_main = sfs.first().ok_or(V1Error::EmptySf)?;
        if let Some(signed_with) = sf_main.get("X-Android-APK-Signed") {
            let ids: Vec<&str> = signed_with.split(',').map(str::trim).collect();
            if (ids.contains(&"2") && !v2_present) || (ids.contains(&"3") && !v3_present) {
                return Err(V1Error::Stripped {
                    sf: sf_entry.name.clone(),
                    schemes: signed_with.to_string(),
                });
            }
        }
        // the whole manifest, or else its main attributes and every section, must match the .SF
        let whole = digest_matches(sf_main, "Digest-Manifest", &manifest) == Some(true);
        if !whole {
            if digest_matches(sf_main, "Digest-Manifest-Main-Attributes", main.raw) == Some(false) {
                failures.push((sf_entry.name.clone(), SignerFailure::MainAttributes));
                continue;
            }
            let sf_by_name: HashMap<&str, &Section> = sfs
                .iter()
                .skip(1)
                .filter_map(|s| s.get("Name").map(|n| (n, s)))
                .collect();
            let mut ok = true;
            for (name, section) in &by_name {
                match sf_by_name
                    .get(name)
                    .map(|s| digest_matches(s, "Digest", section.raw))
                {
                    Some(Some(true)) => {}
                    // a section the .SF does not cover: this signer does not sign everything
                    None => ok = false,
                    Some(_) => {
                        failures.push((
                            sf_entry.name.clone(),
                            SignerFailure::Section {
                                name: name.to_string(),
                            },
                        ));
                        ok = false;
                    }
                }
            }
            if !ok {
                continue;
            }
        }
        if let Some(why) = verified.first_info_fails {
            older_platforms.push((24, format!("{}: {why}", e.name)));
        }
        // Android before 4.3 checks SHA-1 digests: one beside a stronger digest must match too
        if let Some(name) = sha1_mismatch_in_sf(sf_main, &sfs, &manifest, &by_name) {
            older_platforms.push((
                18,
                format!(
                    "{}: the SHA-1 digest of {name} does not match",
                    sf_entry.name
                ),
            ));
        }
        signers.push(verified.certificate);
        digests.push(verified.hash);
    }
    if signers.is_empty() {
        return Err(match failures.into_iter().next() {
            Some((file, problem)) => V1Error::Signer { file, problem },
            None => V1Error::NoSignerCoversAll,
        });
    }
    // the entries' digests, on every core, each distinct piece of data once per algorithm (names
    // that alias one stream share it); the first failure in archive order is the one reported
    use rayon::prelude::*;
    let key =
        |e: &crate::zip::Entry, hash: Hash| (zip.alias_of(e).map_or(e.index, |a| a.index), hash);
    let mut wanted: Vec<(usize, Hash)> = to_digest
        .iter()
        .chain(&legacy_digests)
        .map(|(e, h, _)| key(e, *h))
        .collect();
    wanted.sort_unstable_by_key(|(i, h)| (*i, h.name()));
    wanted.dedup();
    let computed: HashMap<(usize, Hash), Result<Vec<u8>, ZipError>> = wanted
        .into_par_iter()
        .map(|(i, hash)| ((i, hash), digest_of(zip, &zip.entries()[i], hash)))
        .collect();
    for (e, hash, want) in &to_digest {
        let got = computed
            .get(&key(e, *hash))
            .ok_or(V1Error::DigestNotComputed)?
            .as_ref()
            .map_err(|e| V1Error::Read(e.clone()))?;
        if b64(want).as_deref() != Some(&got[..]) {
            return Err(V1Error::DigestMismatch {
                name: e.name.clone(),
            });
        }
        digests.push(*hash);
    }
    if let Some((e, _, _)) = legacy_digests.iter().find(|(e, hash, want)| {
        computed
            .get(&key(e, *hash))
            .and_then(|r| r.as_ref().ok())
            .is_none_or(|got| b64(want).as_deref() != Some(&got[..]))
    }) {
        older_platforms.push((
            18,
            format!(
                "the SHA-1 digest of {:?} in the manifest does not match",
                e.name
            ),
        ));
    }
    digests.sort_unstable_by_key(|h| strength(*h));
    digests.dedup();
    Ok(V1Verified {
        signers,
        digests: digests.into_iter().map(Hash::name).collect(),
        older_platforms,
    })
}

/// The first SHA-1 digest of a `.SF` (of the whole manifest, its main attributes or a section) that
/// does not match what it names, beside a stronger one: what Android before 4.3 refuses.
fn sha1_mismatch_in_sf(
    sf_main: &Section,
    sfs: &[Section],
    manifest: &[u8],
    by_name: &BTreeMap<&str, &Section>,
) -> Option<String> {
    let wrong = |section: &Section, attr: &str, data: &[u8]| {
        section
            .get(attr)
            .is_some_and(|v| b64(v).as_deref() != Some(&Hash::Sha1.digest(data)[..]))
    };
    if wrong(sf_main, "SHA1-Digest-Manifest", manifest) {
        return Some("the manifest".into());
    }
    for section in sfs.iter().skip(1) {
        let Some(name) = section.get("Name") else {
            continue;
        };
        if let Some(m) = by_name.get(name) {
            if wrong(section, "SHA1-Digest", m.raw) {
                return Some(format!("the manifest section {name:?}"));
            }
        }
    }
    None
}

/// Weakest first: MD5, SHA-1, SHA-224, …
fn strength(hash: Hash) -> usize {
    HASHES.len() - HASHES.iter().position(|h| *h == hash).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_sections_and_continuations() {
        let m = b"Manifest-Version: 1.0\r\nCreated-By: x\r\n\r\nName: res/a\r\n very/long.png\r\nSHA-256-Digest: abc=\r\n\r\n";
        let s = sections(m);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].get("Name"), Some("res/avery/long.png"));
        assert!(s[1].raw.starts_with(b"Name:") && s[1].raw.ends_with(b"\r\n\r\n"));
        assert_eq!(b64("aGVsbG8="), Some(b"hello".to_vec()));
    }
}
