//! DSA signature verification (FIPS 186-4, 4.7) over the `dsa` crate's key and signature types.
//!
//! The `dsa` crate (0.7) parses and checks the key, and its own `verify_prehash` computes the same
//! result, but raises g and y to exponents widened to the size of p: for a 3072-bit key that walks
//! 3072 exponent bits where the exponents (u1, u2 < q) have at most 256, about 20 ms per signature,
//! the whole cost of vetting such an APK. This is its computation with the exponents bounded by the
//! size of q, both powers taken in one pass and the Montgomery parameters of p made once, in
//! variable time: everything here is public (key, signature, message digest), so constant time
//! protects nothing. The test below
//! checks it against `dsa::VerifyingKey::verify_prehash` on good and altered signatures.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Resize};

/// A DSA public key: the domain parameters, as the `dsa` crate reads and checks them, and y.
pub(crate) struct PublicKey {
    components: dsa::Components,
    y: BoxedUint,
}

/// A DSA key from its SubjectPublicKeyInfo, read as `dsa::VerifyingKey` reads it but without its
/// check that y lies in the subgroup of order q (y^q mod p = 1): a full exponentiation, which cost
/// as much as the verification itself, and which Android's verifier (Java's) does not make either,
/// so keys outside the subgroup are accepted as Android accepts them. None when it is not a DSA
/// key or its g or y is out of range.
pub(crate) fn public_key(spki_der: &[u8]) -> Option<PublicKey> {
    use rsa::pkcs8::der::asn1::UintRef;
    use rsa::pkcs8::der::Decode;
    use rsa::pkcs8::spki::SubjectPublicKeyInfoRef;
    let info = SubjectPublicKeyInfoRef::from_der(spki_der).ok()?;
    info.algorithm.assert_algorithm_oid(DSA_OID).ok()?;
    let components: dsa::Components = info.algorithm.parameters_any().ok()?.decode_as().ok()?;
    let y = UintRef::from_der(info.subject_public_key.as_bytes()?).ok()?;
    let y = BoxedUint::from_be_slice_vartime(y.as_bytes());
    let p = components.p().as_ref();
    // as FIPS 186-4 requires: 1 < g < p and 1 < y < p (both are then taken at p's width, which
    // Montgomery arithmetic modulo p needs: a short g such as 2 would otherwise panic there)
    let one = BoxedUint::one();
    let in_range = |v: &BoxedUint| v > &one && v < p;
    (in_range(&y) && in_range(components.g().as_ref())).then_some(PublicKey { components, y })
}

/// id-dsa (RFC 3279).
const DSA_OID: rsa::pkcs8::ObjectIdentifier =
    rsa::pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");

/// True when `sig` is `key`'s signature of the digest `prehash`.
pub(crate) fn verify_prehash(key: &PublicKey, prehash: &[u8], sig: &dsa::Signature) -> bool {
    let c = &key.components;
    let (p, q, g, y) = (c.p(), c.q(), c.g(), &key.y);
    let (r, s) = (sig.r(), sig.s());
    if r.as_ref() >= q.as_ref() || s.as_ref() >= q.as_ref() {
        return false;
    }
    // the scalars at the precision of q, the powers at that of p
    let width = q.bits_precision();
    let (r, s) = (r.resize(width), s.resize(width));
    let Some(w) = Option::<BoxedUint>::from(s.invert_mod(q)) else {
        return false;
    };
    // z: the leftmost min(N, outlen) bits of the digest, in whole bytes as the `dsa` crate takes them
    let z_len = ((q.bit_width() / 8) as usize).min(prehash.len());
    let Some(z) = prehash
        .get(..z_len)
        .and_then(|z| BoxedUint::from_be_slice(z, z_len as u32 * 8).ok())
    else {
        return false;
    };
    let z = z.resize(width);
    let u1 = z.mul_mod(&w, q).resize(p.bits_precision());
    let u2 = r.mul_mod(&w, q).resize(p.bits_precision());
    // v = (g^u1 · y^u2 mod p) mod q; u1 and u2 are below q, so only q's bits are walked
    let params = BoxedMontyParams::new_vartime(p.clone());
    let g = BoxedMontyForm::new((**g).clone().resize(p.bits_precision()), &params);
    let y = BoxedMontyForm::new(y.clone().resize(p.bits_precision()), &params);
    let v = double_pow_vartime(&g, &u1, &y, &u2, q.bit_width())
        .retrieve()
        .rem_vartime(q);
    v == *r
}

/// a^x · b^y by one left-to-right pass over both exponents' `bits` bits (Shamir's trick): a
/// squaring per bit and at most one multiplication, by a, b or a·b, where two separate powers
/// (crypto-bigint's windowed `pow_bounded_exp`) cost half as much again.
fn double_pow_vartime(
    a: &BoxedMontyForm,
    x: &BoxedUint,
    b: &BoxedMontyForm,
    y: &BoxedUint,
    bits: u32,
) -> BoxedMontyForm {
    let ab = a * b;
    let mut acc = BoxedMontyForm::one(a.params());
    for i in (0..bits).rev() {
        acc = acc.square();
        match (x.bit_vartime(i), y.bit_vartime(i)) {
            (true, true) => acc *= &ab,
            (true, false) => acc *= a,
            (false, true) => acc *= b,
            (false, false) => {}
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use dsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
    use rsa::signature::hazmat::{PrehashSigner, PrehashVerifier};

    #[test]
    fn agrees_with_the_dsa_crate_on_good_and_altered_signatures() {
        // apksig's DSA test keys, as the corpus ships them (1024, 2048 and 3072 bits)
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/apk/signing/apksig");
        let mut checked = 0;
        for bits in [1024, 2048, 3072] {
            let Ok(der) = std::fs::read(dir.join(format!("dsa-{bits}.pk8"))) else {
                continue;
            };
            let signer = dsa::SigningKey::from_pkcs8_der(&der).unwrap();
            let key = signer.verifying_key();
            // the key as ours reads it from its SubjectPublicKeyInfo, the crate's own encoding
            let spki = key.to_public_key_der().unwrap();
            let ours = super::public_key(spki.as_bytes()).expect("a DSA key");
            assert_eq!(ours.y, **key.y(), "{bits} bits");
            assert_eq!(ours.components.p().as_ref(), key.components().p().as_ref());
            // digests of SHA-1, SHA-224 and SHA-256 length (a longer one is cut to q's size)
            for len in [20, 28, 32] {
                let digest: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
                let sig = signer.sign_prehash(&digest).unwrap();
                let mut altered = digest.clone();
                altered[len / 2] ^= 1;
                let other =
                    dsa::Signature::from_components(sig.s().clone().get(), sig.r().clone().get())
                        .unwrap();
                for (d, s, valid) in [
                    (&digest, &sig, true),
                    (&altered, &sig, false),
                    (&digest, &other, false),
                ] {
                    assert_eq!(
                        super::verify_prehash(&ours, d, s),
                        valid,
                        "{bits} bits, {len}"
                    );
                    assert_eq!(
                        key.verify_prehash(d, s).is_ok(),
                        valid,
                        "{bits} bits, {len}"
                    );
                }
                checked += 1;
            }
        }
        // not DSA keys: an RSA key, a truncated key, nothing
        let rsa = std::fs::read(dir.join("rsa-2048.x509.pem"));
        if let Ok(pem) = rsa {
            let text = String::from_utf8(pem).unwrap();
            let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
            let cert = crate::jar::b64(&b64).expect("PEM body");
            let spki = crate::verify::certificate_key(&cert).expect("a certificate's key");
            assert!(super::public_key(spki).is_none());
            assert!(super::public_key(&spki[..spki.len() / 2]).is_none());
        }
        assert!(super::public_key(&[]).is_none());
        // crafted keys: g or y of 2 (one limb against p's many) must verify to false, not panic;
        // a g of 1 or a y of p are refused
        if let Ok(der) = std::fs::read(dir.join("dsa-2048.pk8")) {
            let signer = dsa::SigningKey::from_pkcs8_der(&der).unwrap();
            let c = signer.verifying_key().components();
            let (p, q) = (c.p().as_ref().clone(), c.q().as_ref().clone());
            let digest = [7u8; 32];
            let sig = signer.sign_prehash(&digest).unwrap();
            let two = crypto_bigint::BoxedUint::from(2u32);
            let y = signer.verifying_key().y().as_ref().clone();
            for (g, y, readable) in [
                (two.clone(), y.clone(), true),
                (c.g().as_ref().clone(), two.clone(), true),
                (crypto_bigint::BoxedUint::one(), y.clone(), false),
                (c.g().as_ref().clone(), p.clone(), false),
            ] {
                let spki = dsa_spki(&p, &q, &g, &y);
                match super::public_key(&spki) {
                    Some(key) => {
                        assert!(readable);
                        assert!(!super::verify_prehash(&key, &digest, &sig));
                    }
                    None => assert!(!readable),
                }
            }
        }
        if dir.exists() {
            assert_eq!(checked, 9);
        } else {
            eprintln!("no corpus keys (../shared/corpus/apk/signing/apksig): skipped");
        }
    }

    /// A DSA SubjectPublicKeyInfo with the given numbers, whatever they are.
    fn dsa_spki(
        p: &crypto_bigint::BoxedUint,
        q: &crypto_bigint::BoxedUint,
        g: &crypto_bigint::BoxedUint,
        y: &crypto_bigint::BoxedUint,
    ) -> Vec<u8> {
        use rsa::pkcs8::der::asn1::{AnyRef, BitStringRef, UintRef};
        use rsa::pkcs8::der::Encode;
        use rsa::pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
        // the crate's own encoding of (p, q, g), unchecked so that any g can be written
        let params = dsa::Components::from_components_unchecked(p.clone(), q.clone(), g.clone())
            .unwrap()
            .to_der()
            .unwrap();
        let yb = y.to_be_bytes_trimmed_vartime().to_vec();
        let y = UintRef::new(&yb).unwrap().to_der().unwrap();
        SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef {
                oid: super::DSA_OID,
                parameters: Some(AnyRef::try_from(params.as_slice()).unwrap()),
            },
            subject_public_key: BitStringRef::from_bytes(&y).unwrap(),
        }
        .to_der()
        .unwrap()
    }
}
