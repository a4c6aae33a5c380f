//! RSASSA-PKCS1-v1_5 signature verification (RFC 8017 §8.2.2) over the `rsa` crate's key type.
//!
//! The `rsa` crate (0.10) parses and checks the key and supplies the DigestInfo prefixes; its own
//! `verify_prehash` computes the same verdict, but raises the signature to the public exponent with
//! crypto-bigint's fixed-window exponentiation, which for the usual e = 65537 (17 bits) spends about
//! 40 modular multiplications where square-and-multiply needs 17. That was 2.7 ms a signature with
//! the 16384-bit keys of apksig's test vectors and 40 µs with a 2048-bit key, and an APK often
//! carries three signatures (v1, v2, v3). This is the same computation in variable time, which
//! protects nothing here: key, signature and digest are all public. The block is checked the way
//! RFC 8017 recommends, by building the expected encoding and comparing it whole. The test below
//! compares verdicts with the `rsa` crate's on good, altered and swapped signatures for every key
//! size the corpus signs with.
//!
//! The key is held as [`RsaKey`], checked as the `rsa` crate checks a public key (the same reasons,
//! in its words) but with its Montgomery parameters computed in variable time (the crate's
//! constant-time division for R² mod n was a third of the cost of a 2048-bit verification, and the
//! modulus is public).
//!
//! RSASSA-PSS (rare in APKs) stays with the `rsa` crate ([`RsaKey::to_rsa`]).

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use rsa::Pkcs1v15Sign;

/// An RSA public key: the public exponent and the modulus's Montgomery parameters (which hold
/// the modulus).
pub(crate) struct RsaKey {
    e: BoxedUint,
    params: BoxedMontyParams,
}

impl RsaKey {
    /// The key (n, e), with the checks `rsa::PublicKey::new_with_size_limits` makes: n odd and of
    /// `min_bits..=max_bits` bits, e odd, 2 ≤ e ≤ 2³³ − 1 and e < n. The error names what failed.
    pub(crate) fn new(
        n: BoxedUint,
        e: BoxedUint,
        min_bits: u32,
        max_bits: u32,
    ) -> Result<RsaKey, &'static str> {
        let bits = n.bit_width_vartime();
        if bits < min_bits {
            return Err("modulus too small");
        }
        if bits > max_bits {
            return Err("modulus too large");
        }
        if e.cmp_vartime(&n).is_ge() || !n.bit_vartime(0) {
            return Err("invalid modulus");
        }
        if !e.bit_vartime(0) {
            return Err("invalid exponent");
        }
        if e.cmp_vartime(BoxedUint::from(2u32)).is_lt() {
            return Err("public exponent too small");
        }
        if e.bit_width_vartime() > 33 {
            return Err("public exponent too large");
        }
        let odd = Odd::new(n).into_option().ok_or("invalid modulus")?;
        Ok(RsaKey {
            params: BoxedMontyParams::new_vartime(odd),
            e,
        })
    }

    /// The modulus.
    fn n(&self) -> &BoxedUint {
        self.params.modulus().as_ref()
    }

    /// The modulus's length in bytes.
    pub(crate) fn size(&self) -> usize {
        (self.n().bit_width_vartime() as usize).div_ceil(8)
    }

    /// The same key as the `rsa` crate's type (for RSASSA-PSS).
    pub(crate) fn to_rsa(&self) -> Result<rsa::PublicKey, String> {
        rsa::PublicKey::new_with_size_limits(self.n().clone(), self.e.clone(), 0..=usize::MAX)
            .map_err(|err| format!("bad RSA key: {err}"))
    }
}

/// True when `sig` is `key`'s PKCS#1 v1.5 signature of the digest `hashed` under `scheme` (the
/// digest's DigestInfo prefix and length, as `Pkcs1v15Sign::new::<D>()` gives them).
pub(crate) fn verify_prehash(
    key: &RsaKey,
    scheme: &Pkcs1v15Sign,
    hashed: &[u8],
    sig: &[u8],
) -> bool {
    if scheme.hash_len.is_some_and(|len| len != hashed.len()) {
        return false;
    }
    // RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus
    let k = key.size();
    let prefix = &scheme.prefix[..];
    let t_len = prefix.len() + hashed.len();
    if sig.len() != k || k < t_len + 11 {
        return false;
    }
    // step 2 (RSAVP1): s < n, m = s^e mod n
    let params = &key.params;
    let Ok(s) = BoxedUint::from_be_slice(sig, params.bits_precision()) else {
        return false;
    };
    if s >= *key.n() {
        return false;
    }
    let m = pow_vartime(&BoxedMontyForm::new(s, params), &key.e).retrieve();
    let wide = m.to_be_bytes();
    let Some((high, em)) = wide.split_at_checked(wide.len().saturating_sub(k)) else {
        return false;
    };
    if em.len() != k || high.iter().any(|b| *b != 0) {
        return false;
    }
    // steps 3 and 4: EM' = 0x00 0x01 PS 0x00 prefix hash, PS being k − tLen − 3 bytes of 0xFF
    let ps_end = k - t_len - 1;
    em[0] == 0x00
        && em[1] == 0x01
        && em[2..ps_end].iter().all(|b| *b == 0xFF)
        && em[ps_end] == 0x00
        && &em[ps_end + 1..k - hashed.len()] == prefix
        && &em[k - hashed.len()..] == hashed
}

/// `base` to the power `e`, left-to-right square-and-multiply over e's bits.
fn pow_vartime(base: &BoxedMontyForm, e: &BoxedUint) -> BoxedMontyForm {
    let bits = e.bit_width_vartime();
    if bits == 0 {
        return BoxedMontyForm::one(base.params());
    }
    let mut acc = base.clone();
    for i in (0..bits - 1).rev() {
        acc = acc.square();
        if e.bit_vartime(i) {
            acc *= base;
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::hazmat::PrehashVerifier;
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;
    use rsa::Pkcs1v15Sign;
    use sha2::{Digest, Sha256, Sha512};

    #[test]
    fn agrees_with_the_rsa_crate_on_good_altered_and_swapped_signatures() {
        // apksig's RSA test keys, as the corpus ships them
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/apk/signing/apksig");
        let mut checked = 0;
        for bits in [1024u32, 2048, 3072, 4096, 8192, 16384] {
            let Ok(der) = std::fs::read(dir.join(format!("rsa-{bits}.pk8"))) else {
                continue;
            };
            let private = rsa::PrivateKey::from_pkcs8_der(&der).unwrap();
            let key = private.to_public_key();
            assert_eq!(key.n().as_ref().bit_width_vartime(), bits);
            let ours_key =
                super::RsaKey::new(key.n().as_ref().clone(), key.e().clone(), 1024, 16384)
                    .expect("a good key");
            assert_eq!(ours_key.size(), key.size());
            let msg = format!("signed with {bits} bits");
            let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(private.clone());
            let good = signer.sign(msg.as_bytes()).to_vec();
            let other = signer.sign(b"another message").to_vec();
            let digest = Sha256::digest(msg.as_bytes()).to_vec();
            let mut altered_digest = digest.clone();
            altered_digest[7] ^= 1;
            let mut altered_sig = good.clone();
            altered_sig[bits as usize / 16] ^= 0x40;
            let mut long_sig = good.clone();
            long_sig.insert(0, 0);
            let n_bytes = key.n().as_ref().to_be_bytes_trimmed_vartime().to_vec();
            let verifier = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone());
            let scheme = Pkcs1v15Sign::new::<Sha256>();
            for (d, s, valid) in [
                (&digest, &good, true),
                (&altered_digest, &good, false),
                (&digest, &altered_sig, false),
                (&digest, &other, false),
                (&digest, &long_sig, false),
                (&digest, &n_bytes, false),
                (&digest[..31].to_vec(), &good, false),
            ] {
                let ours = super::verify_prehash(&ours_key, &scheme, d, s);
                let theirs = rsa::pkcs1v15::Signature::from_bytes_with_max_len(s, 16384 / 8)
                    .is_ok_and(|sig| verifier.verify_prehash(d, &sig).is_ok());
                assert_eq!(ours, valid, "{bits} bits: ours");
                assert_eq!(theirs, valid, "{bits} bits: the rsa crate");
            }
            // the prefix names the digest: a SHA-256 signature is not a SHA-512 one
            let sha512 = Sha512::digest(msg.as_bytes()).to_vec();
            assert!(!super::verify_prehash(
                &ours_key,
                &Pkcs1v15Sign::new::<Sha512>(),
                &sha512,
                &good
            ));
            checked += 1;
        }
        assert_eq!(checked, 6, "the corpus's RSA keys are all there");
    }

    #[test]
    fn refuses_the_keys_the_rsa_crate_refuses_in_its_words() {
        use crypto_bigint::BoxedUint;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/apk/signing/apksig");
        let der = std::fs::read(dir.join("rsa-2048.pk8")).unwrap();
        let n = rsa::PrivateKey::from_pkcs8_der(&der)
            .unwrap()
            .n()
            .as_ref()
            .clone();
        let big = |v: u64| BoxedUint::from(v);
        let even_n = n.wrapping_add(BoxedUint::from(1u32));
        let small_n = BoxedUint::from_be_slice(&[0xC5; 64], 512).unwrap(); // 512 bits, odd
        let cases = [
            (n.clone(), big(65537)),
            (n.clone(), big(3)),
            (n.clone(), big((1 << 33) - 1)),
            (even_n, big(65537)),
            (n.clone(), big(65536)),
            (n.clone(), big(1)),
            (n.clone(), big(1 << 33 | 1)),
            (small_n.clone(), big(65537)),
            (small_n.clone(), small_n.clone()),
        ];
        for (limits, (n, e)) in [1024..=4096, 512..=4096]
            .into_iter()
            .flat_map(|l| cases.iter().map(move |c| (l.clone(), c)))
        {
            let theirs = rsa::PublicKey::new_with_size_limits(n.clone(), e.clone(), limits.clone())
                .map(|_| ())
                .map_err(|err| err.to_string());
            let ours = super::RsaKey::new(
                n.clone(),
                e.clone(),
                *limits.start() as u32,
                *limits.end() as u32,
            )
            .map(|_| ())
            .map_err(str::to_string);
            assert_eq!(
                ours,
                theirs,
                "n of {} bits, e = {e}, {limits:?}",
                n.bit_width_vartime()
            );
        }
    }
}
