//! A restricted-party list file of arbitrary bytes: detected, loaded or rejected, never a panic.
#![no_main]
use ictguard_screen::lists::ListSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut set = ListSet::new();
    let _ = set.add_reader("fuzz.csv", data);
    let _ = set.finish();
});
