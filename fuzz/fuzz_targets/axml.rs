//! Arbitrary bytes as binary XML: parsed, rendered, read as a manifest.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = ictguard_apk::axml::parse(data) {
        let _ = doc.to_xml();
        let _ = ictguard_apk::Manifest::from_document(&doc);
    }
});
