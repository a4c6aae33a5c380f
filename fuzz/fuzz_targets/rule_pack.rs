//! A rule-pack file of arbitrary bytes: parsed and validated with the bundled pack, never a panic.
#![no_main]
use ictguard_rules::{Layer, RulePack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let user = Layer::from_files(vec![("fuzz.toml".to_string(), text.to_string())]);
        if let Ok(pack) = RulePack::from_layers(&[Layer::bundled(), user]) {
            let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 1).unwrap();
            let _ = pack.statuses_on(day);
        }
    }
});
