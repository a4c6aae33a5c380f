//! Arbitrary bytes as an APK: the ZIP directory, every entry read, the manifest if any.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(zip) = ictguard_apk::Zip::parse(data) {
        for e in zip.entries().iter().take(64) {
            let _ = zip.read(e);
        }
    }
    if let Ok(apk) = ictguard_apk::Apk::parse(data) {
        let _ = apk.summary();
    }
});
