//! Arbitrary bytes vetted whole: the APK read within its budgets, its signatures verified, its code
//! scanned, findings raised and assessed, as `ictguard vet` does. Run with an RSS limit and a
//! per-input timeout (`run.sh`), so that a resource bug (memory, time) is a crash, not a slow run.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn vetter() -> &'static ictguard_vet::Vetter {
    static VETTER: OnceLock<ictguard_vet::Vetter> = OnceLock::new();
    VETTER.get_or_init(|| {
        ictguard_vet::Vetter::new(
            ictguard_rules::RulePack::bundled(),
            ictguard_vet::Knowledge::bundled(),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 1, 19).expect("a date");
    if let Ok(report) = vetter().vet("fuzz.apk", data, as_of) {
        let _ = serde_json::to_string(&report);
    }
});
