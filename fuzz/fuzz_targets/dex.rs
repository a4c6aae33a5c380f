//! Arbitrary bytes as a DEX file: header, then every string, class, method and field reference.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dex) = ictguard_apk::dex::Dex::parse(data) {
        let _ = dex.strings().count();
        for c in dex.class_descriptors() {
            let _ = ictguard_apk::dex::java_name(&c);
        }
        let _ = dex.method_refs().count();
        let _ = dex.field_refs().count();
    }
});
