//! What a signing certificate says about who signed: subject, issuer, validity, serial, key, and
//! fingerprints. Parsing is `x509-parser`'s; this module only picks the fields a reviewer reads.
//! Android does not check certificate validity or chains for APK signatures, so neither do we: a
//! certificate that `x509-parser` cannot read still has its fingerprints and a `parse_error`.

use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// One X.509 certificate, as a reviewer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// SHA-256 of the DER encoding, lowercase hex (what `apksigner --print-certs` prints).
    pub sha256: String,
    /// SHA-1 of the DER encoding, lowercase hex.
    pub sha1: String,
    /// Subject distinguished name (RFC 4514 style).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Issuer distinguished name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Subject common name (CN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// Subject organisation (O).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Subject country (C), as written in the certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Serial number, lowercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Start of validity, RFC 3339 (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// End of validity, RFC 3339 (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// Public key algorithm: "RSA", "EC", "DSA" or the key's OID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_algorithm: Option<String>,
    /// Key size in bits (modulus for RSA, field size for EC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_bits: Option<usize>,
    /// Signature algorithm of the certificate itself (OID name, e.g. "sha256WithRSAEncryption").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_algorithm: Option<String>,
    /// Whether subject and issuer are the same (self-signed, as almost every APK signer is).
    pub self_signed: bool,
    /// Why the fields above are missing, when the DER is not a certificate `x509-parser` reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_error: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rfc3339(timestamp: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(timestamp, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// A distinguished name as keytool and apksigner print it: most specific first (RFC 4514 order),
/// short attribute names, `+` inside a multi-valued RDN.
fn distinguished_name(name: &x509_parser::x509::X509Name) -> String {
    let rdns: Vec<String> = name
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|attr| {
                    let oid = attr.attr_type().to_id_string();
                    let key = match oid.as_str() {
                        "2.5.4.3" => "CN",
                        "2.5.4.6" => "C",
                        "2.5.4.7" => "L",
                        "2.5.4.8" => "ST",
                        "2.5.4.9" => "STREET",
                        "2.5.4.10" => "O",
                        "2.5.4.11" => "OU",
                        "2.5.4.5" => "SERIALNUMBER",
                        "1.2.840.113549.1.9.1" => "EMAILADDRESS",
                        "0.9.2342.19200300.100.1.25" => "DC",
                        other => other,
                    }
                    .to_string();
                    let value = attr
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|_| format!("#{}", hex(attr.attr_value().data)));
                    format!("{key}={value}")
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}

/// Size of a named elliptic curve, from its OID.
fn named_curve_bits(oid: &str) -> Option<usize> {
    match oid {
        "1.2.840.10045.3.1.7" | "1.3.132.0.10" => Some(256), // P-256, secp256k1
        "1.3.132.0.33" => Some(224),                         // P-224
        "1.3.132.0.34" => Some(384),                         // P-384
        "1.3.132.0.35" => Some(521),                         // P-521
        _ => None,
    }
}

/// Bit length of p in DSA parameters (the contents of `SEQUENCE { p, q, g }`).
fn dsa_prime_bits(params: &[u8]) -> Option<usize> {
    let p = crate::der::children(params)
        .next()
        .filter(|t| t.tag == 0x02)?;
    let digits = p.contents.iter().position(|b| *b != 0)?;
    let top = p.contents[digits];
    Some((p.contents.len() - digits - 1) * 8 + (8 - top.leading_zeros() as usize))
}

/// The first attribute value that is text.
fn first_text<'a>(
    mut values: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
) -> Option<String> {
    values.find_map(|a| a.as_str().ok().map(str::to_string))
}

/// Short names of the signature algorithms APK certificates are signed with, as x509-parser's OID
/// registry gives them (a test checks the two agree): the registry, built on first use, took more
/// time than the rest of reading a certificate.
const SIGNATURE_ALGORITHMS: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.113549.1.1.10", "rsassa-pss"),
    ("1.2.840.113549.1.1.11", "sha256WithRSAEncryption"),
    ("1.2.840.113549.1.1.12", "sha384WithRSAEncryption"),
    ("1.2.840.113549.1.1.13", "sha512WithRSAEncryption"),
    ("1.2.840.113549.1.1.14", "sha224WithRSAEncryption"),
    ("1.2.840.10040.4.3", "dsa-with-sha1"),
    ("1.2.840.10045.4.3.1", "ecdsa-with-SHA224"),
    ("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"),
    ("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"),
    ("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"),
];

/// The short name of a signature algorithm, or its dotted OID when it has none.
fn signature_algorithm_name(oid: &x509_parser::der_parser::oid::Oid) -> String {
    let id = oid.to_id_string();
    match SIGNATURE_ALGORITHMS.iter().find(|(known, _)| *known == id) {
        Some((_, name)) => name.to_string(),
        None => x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
            .map(str::to_string)
            .unwrap_or(id),
    }
}

impl Certificate {
    /// Read a DER certificate. Never fails: unreadable certificates keep their fingerprints.
    pub fn parse(der: &[u8]) -> Certificate {
        let mut out = Certificate {
            sha256: hex(&Sha256::digest(der)),
            sha1: hex(&Sha1::digest(der)),
            subject: None,
            issuer: None,
            common_name: None,
            organization: None,
            country: None,
            serial: None,
            not_before: None,
            not_after: None,
            key_algorithm: None,
            key_bits: None,
            signature_algorithm: None,
            self_signed: false,
            parse_error: None,
        };
        let cert = match X509Certificate::from_der(der) {
            Ok((_, cert)) => cert,
            Err(e) => {
                out.parse_error = Some(e.to_string());
                return out;
            }
        };
        let subject = cert.subject();
        out.subject = Some(distinguished_name(subject));
        out.issuer = Some(distinguished_name(cert.issuer()));
        out.common_name = first_text(subject.iter_common_name());
        out.organization = first_text(subject.iter_organization());
        out.country = first_text(subject.iter_country());
        out.serial = Some(hex(cert.raw_serial()));
        out.not_before = rfc3339(cert.validity().not_before.timestamp());
        out.not_after = rfc3339(cert.validity().not_after.timestamp());
        out.self_signed = cert.subject().as_raw() == cert.issuer().as_raw();
        out.signature_algorithm = Some(signature_algorithm_name(
            &cert.signature_algorithm.algorithm,
        ));
        match cert.public_key().parsed() {
            Ok(key) => {
                let name = match key {
                    PublicKey::RSA(_) => "RSA".to_string(),
                    PublicKey::EC(_) => "EC".to_string(),
                    PublicKey::DSA(_) => "DSA".to_string(),
                    _ => cert.public_key().algorithm.algorithm.to_id_string(),
                };
                let bits = match key {
                    // the size of a DSA key is that of its prime p, in the algorithm parameters
                    PublicKey::DSA(_) => cert
                        .public_key()
                        .algorithm
                        .parameters
                        .as_ref()
                        .and_then(|p| dsa_prime_bits(p.data)),
                    // an EC key has the size of its named curve (P-521 keys are 521 bits, not 528)
                    PublicKey::EC(_) => cert
                        .public_key()
                        .algorithm
                        .parameters
                        .as_ref()
                        .and_then(|p| p.as_oid().ok())
                        .and_then(|oid| named_curve_bits(&oid.to_id_string()))
                        .or(Some(key.key_size())),
                    _ => Some(key.key_size()),
                };
                out.key_algorithm = Some(name);
                out.key_bits = bits.filter(|b| *b > 0);
            }
            Err(_) => {
                out.key_algorithm = Some(cert.public_key().algorithm.algorithm.to_id_string());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_algorithm_names_are_the_oid_registry_s() {
        use std::str::FromStr;
        let registry = x509_parser::objects::oid_registry();
        for (id, name) in SIGNATURE_ALGORITHMS {
            let oid = x509_parser::der_parser::oid::Oid::from_str(id).unwrap();
            assert_eq!(x509_parser::objects::oid2sn(&oid, registry), Ok(*name));
            assert_eq!(signature_algorithm_name(&oid), *name);
        }
        // not in the table: the registry's name, else the dotted OID
        let oid = x509_parser::der_parser::oid::Oid::from_str("1.2.840.113549.1.1.2").unwrap();
        assert_eq!(signature_algorithm_name(&oid), "md2WithRSAEncryption");
        let oid = x509_parser::der_parser::oid::Oid::from_str("2.16.840.1.101.3.4.3.2").unwrap();
        assert_eq!(signature_algorithm_name(&oid), "2.16.840.1.101.3.4.3.2");
    }

    #[test]
    fn not_a_certificate_keeps_its_fingerprints() {
        let c = Certificate::parse(b"not DER at all");
        assert_eq!(c.sha256.len(), 64);
        assert_eq!(c.sha1.len(), 40);
        assert!(c.parse_error.is_some());
        assert!(c.subject.is_none() && c.key_algorithm.is_none());
    }
}
