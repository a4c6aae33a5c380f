//! v1 (JAR) signature verification, as apksig does it: each signature block (PKCS#7 SignedData in
//! `META-INF/*.RSA|DSA|EC`) must sign its `.SF` file with the signer's certificate; the `.SF` must
//! match `MANIFEST.MF` (as a whole, or section by section); and the manifest must list every entry
//! of the archive with a matching digest. A signer whose `.SF` does not cover every entry is
//! ignored, as Android ignores it; at least one signer must cover everything. A `.SF` that says the
//! APK was also signed with v2 or v3 (`X-Android-APK-Signed`) while those schemes are missing is the
//! mark of stripped signatures, and fails.

use std::collections::{BTreeMap, HashMap};

use rsa::pkcs8::DecodePublicKey;
use rsa::signature::hazmat::PrehashVerifier;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::der;
use crate::zip::Zip;

/// A digest algorithm of the JAR format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Md5 => md5::Md5::digest(data).to_vec(),
            Hash::Sha1 => Sha1::digest(data).to_vec(),
            Hash::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// A fresh incremental hasher of this algorithm.
    fn hasher(self) -> Box<dyn sha2::digest::DynDigest + Send> {
        match self {
            Hash::Md5 => Box::new(md5::Md5::new()),
            Hash::Sha1 => Box::new(Sha1::new()),
            Hash::Sha224 => Box::new(sha2::Sha224::new()),
            Hash::Sha256 => Box::new(Sha256::new()),
            Hash::Sha384 => Box::new(Sha384::new()),
            Hash::Sha512 => Box::new(Sha512::new()),
        }
    }

    /// The attribute-name prefix: `SHA-256-Digest`, `SHA1-Digest`.
    fn jar_name(self) -> &'static str {
        match self {
            Hash::Md5 => "MD5",
            Hash::Sha1 => "SHA1",
            Hash::Sha224 => "SHA-224",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    fn from_oid(oid: &[u8]) -> Option<Hash> {
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
        let v = section.get(&format!("{}-{suffix}", h.jar_name()))?;
        Some(b64(v).as_deref() == Some(&h.digest(data)[..]))
    })
}

/// Does an archive entry match the digest its manifest section gives? The entry is inflated and
/// hashed piece by piece, so a large entry never sits whole in memory, unless the archive keeps it
/// for other readers ([`Zip::keep_root_dex`]).
fn entry_matches(zip: &Zip, entry: &crate::zip::Entry, section: &Section) -> Result<(), String> {
    let Some((hash, want)) = HASHES.iter().find_map(|h| {
        section
            .get(&format!("{}-Digest", h.jar_name()))
            .map(|v| (*h, v))
    }) else {
        return Err(format!(
            "{:?} has no supported digest in the manifest",
            entry.name
        ));
    };
    let mut hasher = hash.hasher();
    if zip.keeps(entry) {
        // a root DEX file the caller keeps (vetting: the code scan reads it too), inflated once
        hasher.update(&zip.read_shared(entry).map_err(|err| err.to_string())?);
    } else {
        zip.stream(entry, &mut |chunk| hasher.update(chunk))
            .map_err(|err| err.to_string())?;
    }
    if b64(want).as_deref() == Some(&hasher.finalize()[..]) {
        Ok(())
    } else {
        Err(format!(
            "{:?} does not match its manifest digest",
            entry.name
        ))
    }
}

/// Verify the PKCS#7 block over the `.SF` bytes; returns the signer certificate's SHA-256.
fn verify_block(block: &[u8], sf: &[u8]) -> Result<String, String> {
    let ci = der::read(block)
        .filter(|t| t.tag == 0x30)
        .ok_or("not a PKCS#7 ContentInfo")?;
    let explicit = der::children(ci.contents)
        .find(|t| t.tag == 0xa0)
        .ok_or("no SignedData")?;
    let sd = der::read(explicit.contents)
        .filter(|t| t.tag == 0x30)
        .ok_or("no SignedData")?;
    let certs = der::pkcs7_certificates(block).ok_or("no certificates")?;
    let signer_cert = *certs.first().ok_or("no certificates")?;
    let infos = der::children(sd.contents)
        .filter(|t| t.tag == 0x31)
        .last()
        .ok_or("no signer infos")?;
    // apksig accepts the block when any signer info verifies
    let mut last_error = String::from("no signer info");
    // a malformed signer info fails the block; one whose signature or digest is wrong gives way
    // to the next
    for info in der::children(infos.contents) {
        match verify_signer_info(info, sf, signer_cert) {
            Ok(()) => return Ok(crate::signing::sha256_hex(signer_cert)),
            Err(SignerInfoError::Malformed(e)) => return Err(e),
            Err(SignerInfoError::Mismatch(e)) => last_error = e,
        }
    }
    Err(last_error)
}

/// Why a SignerInfo does not verify.
enum SignerInfoError {
    /// Its structure is wrong.
    Malformed(String),
    /// Its signature or digest does not match.
    Mismatch(String),
}

impl From<&str> for SignerInfoError {
    fn from(s: &str) -> Self {
        SignerInfoError::Malformed(s.to_string())
    }
}

/// Verify one SignerInfo over the `.SF` bytes with the signer certificate.
fn verify_signer_info(
    info: der::Tlv,
    sf: &[u8],
    signer_cert: &[u8],
) -> Result<(), SignerInfoError> {
    let mut fields = der::children(info.contents);
    let (_version, _sid) = (fields.next(), fields.next());
    let digest_alg = fields.next().ok_or("truncated signer info")?;
    let hash = der::children(digest_alg.contents)
        .next()
        .and_then(|oid| Hash::from_oid(oid.contents))
        .ok_or("unsupported digest algorithm")?;
    let mut next = fields.next().ok_or("truncated signer info")?;
    let mut signed_attrs = None;
    if next.tag == 0xa0 {
        signed_attrs = Some(next);
        next = fields.next().ok_or("truncated signer info")?;
    }
    let _signature_alg = next;
    let signature = fields
        .next()
        .filter(|t| t.tag == 0x04)
        .ok_or("no signature")?
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
                return Err("signed attributes need exactly one content type".into());
            }
            if content_type[0].contents != ID_DATA {
                return Err(SignerInfoError::Mismatch(
                    "signed content type is not id-data".into(),
                ));
            }
            let md = values(MESSAGE_DIGEST);
            if md.len() != 1 {
                return Err("signed attributes need exactly one message digest".into());
            }
            if md[0].contents != hash.digest(sf) {
                return Err(SignerInfoError::Mismatch(
                    "the signature block signs a different .SF".into(),
                ));
            }
            let mut reencoded = attrs.raw.to_vec();
            reencoded[0] = 0x31;
            hash.digest(&reencoded)
        }
        None => hash.digest(sf),
    };
    let key =
        crate::verify::certificate_key(signer_cert).ok_or("certificate without a public key")?;
    verify_prehashed(hash, key, &message_hash, signature).map_err(SignerInfoError::Mismatch)
}

fn verify_prehashed(hash: Hash, key: &[u8], prehash: &[u8], sig: &[u8]) -> Result<(), String> {
    let bad = |e: &dyn std::fmt::Display| format!("signature does not verify ({e})");
    if let Ok(k) = crate::verify::rsa_key(key) {
        let scheme = match hash {
            Hash::Md5 => rsa::Pkcs1v15Sign::new::<md5::Md5>(),
            Hash::Sha1 => rsa::Pkcs1v15Sign::new::<Sha1>(),
            Hash::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
            Hash::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
            Hash::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
            Hash::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
        };
        return if crate::rsa_verify::verify_prehash(&k, &scheme, prehash, sig) {
            Ok(())
        } else {
            Err(crate::verify::NOT_VERIFIED.into())
        };
    }
    if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(key) {
        let s = p256::ecdsa::DerSignature::try_from(sig).map_err(|e| bad(&e))?;
        return k.verify_prehash(prehash, &s).map_err(|e| bad(&e));
    }
    if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_der(key) {
        let s = p384::ecdsa::DerSignature::try_from(sig).map_err(|e| bad(&e))?;
        return k.verify_prehash(prehash, &s).map_err(|e| bad(&e));
    }
    if let Ok(k) = p521::ecdsa::VerifyingKey::from_public_key_der(key) {
        let s = p521::ecdsa::DerSignature::try_from(sig).map_err(|e| bad(&e))?;
        return k.verify_prehash(prehash, &s).map_err(|e| bad(&e));
    }
    if let Some(k) = crate::dsa_verify::public_key(key) {
        // as in apksig: DSA is verified with SHA-1, SHA-224 and SHA-256 only
        if matches!(hash, Hash::Sha384 | Hash::Sha512 | Hash::Md5) {
            return Err("DSA with this digest is not supported by Android".into());
        }
        let s = dsa::Signature::try_from(sig).map_err(|e| bad(&e))?;
        return if crate::dsa_verify::verify_prehash(&k, prehash, &s) {
            Ok(())
        } else {
            Err(crate::verify::NOT_VERIFIED.into())
        };
    }
    Err("unsupported public key".into())
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

/// Verify the v1 signature. `v2_present` and `v3_present` feed the stripping check. Ok holds the
/// SHA-256 of each signer certificate that verifies and covers every entry.
pub fn verify_v1(zip: &Zip, v2_present: bool, v3_present: bool) -> Result<Vec<String>, String> {
    let manifest_entry = zip
        .entry("META-INF/MANIFEST.MF")
        .ok_or("no META-INF/MANIFEST.MF")?;
    let manifest = zip.read(manifest_entry).map_err(|e| e.to_string())?;
    let msections = sections(&manifest);
    let main = msections.first().ok_or("empty manifest")?;
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
    for e in zip.entries() {
        if e.name.ends_with('/') || is_signature_file(&e.name) {
            continue;
        }
        if e.name.contains(['\r', '\n']) {
            return Err(format!(
                "entry name {:?} has a line break, which a JAR manifest cannot list",
                e.name
            ));
        }
        if !names.insert(e.name.as_str()) {
            return Err(format!("duplicate entry {:?}", e.name));
        }
        let section = by_name
            .get(e.name.as_str())
            .ok_or_else(|| format!("{:?} is not in the manifest", e.name))?;
        to_digest.push((e, *section));
    }
    for name in by_name.keys() {
        if !names.contains(name) {
            return Err(format!(
                "the manifest lists {name:?}, which is not in the archive"
            ));
        }
    }

    let mut signers = Vec::new();
    let mut failures = Vec::new();
    for e in zip.entries() {
        let upper = e.name.to_ascii_uppercase();
        if !is_signature_file(&e.name)
            || !(upper.ends_with(".RSA") || upper.ends_with(".DSA") || upper.ends_with(".EC"))
        {
            continue;
        }
        let base = &e.name[..e.name.rfind('.').unwrap_or(e.name.len())];
        let Some(sf_entry) = zip
            .entries()
            .iter()
            .find(|x| x.name.eq_ignore_ascii_case(&format!("{base}.SF")))
        else {
            failures.push(format!("{}: no matching .SF", e.name));
            continue;
        };
        let block = zip.read(e).map_err(|err| err.to_string())?;
        let sf = zip.read(sf_entry).map_err(|err| err.to_string())?;
        let cert = match verify_block(&block, &sf) {
            Ok(c) => c,
            Err(why) => {
                failures.push(format!("{}: {why}", e.name));
                continue;
            }
        };
        let sfs = sections(&sf);
        let sf_main = sfs.first().ok_or("empty .SF")?;
        if let Some(signed_with) = sf_main.get("X-Android-APK-Signed") {
            let ids: Vec<&str> = signed_with.split(',').map(str::trim).collect();
            if (ids.contains(&"2") && !v2_present) || (ids.contains(&"3") && !v3_present) {
                return Err(format!("{}: says the APK was signed with v{signed_with} too, and that signature is gone (stripped)", sf_entry.name));
            }
        }
        // the whole manifest, or else its main attributes and every section, must match the .SF
        let whole = digest_matches(sf_main, "Digest-Manifest", &manifest) == Some(true);
        if !whole {
            if digest_matches(sf_main, "Digest-Manifest-Main-Attributes", main.raw) == Some(false) {
                failures.push(format!("{}: main attributes do not match", sf_entry.name));
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
                        failures.push(format!(
                            "{}: section {name:?} does not match",
                            sf_entry.name
                        ));
                        ok = false;
                    }
                }
            }
            if !ok {
                continue;
            }
        }
        signers.push(cert);
    }
    if signers.is_empty() {
        return Err(failures
            .first()
            .cloned()
            .unwrap_or_else(|| "no v1 signer covers every entry".into()));
    }
    // the entries' digests, on every core; the first failure in archive order is the one reported
    use rayon::prelude::*;
    if let Some(err) = to_digest
        .par_iter()
        .map(|(e, section)| entry_matches(zip, e, section).err())
        .find_map_first(|r| r)
    {
        return Err(err);
    }
    Ok(signers)
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
