//! Arbitrary bytes as resources.arsc: parsed, then ids resolved across packages, types and entries.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = ictguard_apk::arsc::ResourceTable::parse(data) {
        let _ = table.package_names();
        for package in [0x01u32, 0x7f] {
            for ty in 1..4u32 {
                for entry in 0..4u32 {
                    let _ = table.resolve(package << 24 | ty << 16 | entry);
                }
            }
        }
    }
});
