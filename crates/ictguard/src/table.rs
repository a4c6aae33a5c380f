//! A table a command reads (`screen --input`, `flows`, `fleet`): a workbook's first sheet as
//! CSV, or the file in the encoding and delimiter its flags name or its first bytes show, and a
//! note on standard error when that is not UTF-8 with commas. One place, so the three commands
//! read tables alike.

use std::io::{Cursor, Read};
use std::path::Path;

use anyhow::Context as _;
use ictguard_screen::intake::{open_table, Decoded, Dialect, TableOptions};
use ictguard_screen::workbook;

use crate::cli::TableArgs;

/// What to decode and how: a workbook's sheet as CSV (plain UTF-8 with commas), or `file` with
/// the flags' options.
pub fn source(
    path: &Path,
    file: impl Read + Send + 'static,
    args: &TableArgs,
) -> anyhow::Result<(Box<dyn Read + Send>, TableOptions)> {
    if workbook::is_workbook(path) {
        let csv = workbook::read_workbook(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok((Box::new(Cursor::new(csv)), TableOptions::default()))
    } else {
        Ok((Box::new(file), args.options()?))
    }
}

/// Say what a table was read as, when it was not UTF-8 with commas.
pub fn note(path: &Path, dialect: Dialect) {
    if !dialect.is_plain() {
        eprintln!(
            "ictguard: note: read {} as {}",
            path.display(),
            dialect.describe()
        );
    }
}

/// The table at `path` (already opened as `file`) as UTF-8, with its dialect, said when unusual.
pub fn open(
    path: &Path,
    file: impl Read + Send + 'static,
    args: &TableArgs,
) -> anyhow::Result<(Decoded<Box<dyn Read + Send>>, Dialect)> {
    let (source, options) = source(path, file, args)?;
    let (decoded, dialect) =
        open_table(source, options).with_context(|| format!("cannot read {}", path.display()))?;
    note(path, dialect);
    Ok((decoded, dialect))
}
