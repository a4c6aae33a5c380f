//! Arbitrary bytes as a workbook (.xlsx, .ods, .xls …): the first sheet as CSV, or a clean error,
//! within the unpacking budget.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ictguard_screen::workbook::workbook_to_csv(data);
});
