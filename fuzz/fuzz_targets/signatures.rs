//! Arbitrary bytes as the signature structures: a PKCS#7 SignedData block (certificates pulled out),
//! an X.509 certificate read for its fields, and an APK Signing Block placed before a minimal
//! central directory so that the block parser and the v2/v3/v1 verifiers see it.
#![no_main]
use libfuzzer_sys::fuzz_target;

/// A ZIP with no entries whose central directory starts right after `block`.
fn zip_after(block: &[u8]) -> Vec<u8> {
    let mut out = block.to_vec();
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&0u32.to_le_bytes()); // central directory size
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}

fuzz_target!(|data: &[u8]| {
    if let Some(certs) = ictguard_apk::der::pkcs7_certificates(data) {
        for c in certs {
            let _ = ictguard_apk::cert::Certificate::parse(c);
        }
    }
    let _ = ictguard_apk::cert::Certificate::parse(data);
    let apk = zip_after(data);
    if let Ok(zip) = ictguard_apk::Zip::parse(&apk) {
        let _ = ictguard_apk::signing::read_signatures(&zip);
    }
});
