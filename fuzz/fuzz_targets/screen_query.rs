//! A query of arbitrary fields screened against the bundled pack: an answer or an error.
#![no_main]
use std::sync::OnceLock;

use ictguard_rules::RulePack;
use ictguard_screen::engine::{Query, ScreenConfig, Screener};
use libfuzzer_sys::fuzz_target;

fn screener() -> &'static Screener {
    static S: OnceLock<Screener> = OnceLock::new();
    S.get_or_init(|| Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default()))
}

fuzz_target!(|data: &[u8]| {
    let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 1).unwrap();
    let _ = screener().screen(&fields_from_bytes(data), day);
});

/// Arbitrary bytes as the query's fields (split on 0xFF), so the fuzzer reaches the matcher directly.
fn fields_from_bytes(data: &[u8]) -> Query {
    let mut parts = data.split(|b| *b == 0xFF).map(|p| String::from_utf8_lossy(p).into_owned());
    Query {
        name: parts.next(),
        app: parts.next(),
        package: parts.next(),
        kind: parts.next(),
        as_of: parts.next(),
        ..Query::default()
    }
}
