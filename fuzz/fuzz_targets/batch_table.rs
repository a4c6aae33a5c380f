//! Arbitrary bytes as a batch table (CSV in any encoding and delimiter, sniffed) screened against
//! the bundled pack: each row an answer or a row error, the whole a clean error at worst.
#![no_main]
use std::sync::OnceLock;

use ictguard_rules::RulePack;
use ictguard_screen::batch::{Batch, ColumnMap, RecordFormat};
use ictguard_screen::engine::{ScreenConfig, Screener};
use ictguard_screen::intake::TableOptions;
use libfuzzer_sys::fuzz_target;

fn screener() -> &'static Screener {
    static S: OnceLock<Screener> = OnceLock::new();
    S.get_or_init(|| Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default()))
}

fuzz_target!(|data: &[u8]| {
    let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 1).unwrap();
    let Ok((batch, _)) =
        Batch::open_table(data, RecordFormat::Csv, &ColumnMap::new(), TableOptions::default())
    else {
        return;
    };
    let _ = batch.screen(screener(), day, |outcome| outcome.is_ok(), |_, _| Ok::<(), ()>(()));
});
