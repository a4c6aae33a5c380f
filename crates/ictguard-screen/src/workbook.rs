//! Workbooks as tables: the first sheet of an Excel (.xlsx, .xlsm, .xlsb, .xls) or OpenDocument
//! (.ods) file, read with `calamine` and handed on as CSV (UTF-8, commas) to the same readers as
//! a CSV file, with each row on the line of its sheet row, so an error names the row Excel shows.
//! Cells are written as a person reads them: whole numbers without a decimal point, dates as
//! YYYY-MM-DD (with the time when there is one), errors and empty cells as nothing.
//!
//! Budgets: at most [`MAX_WORKBOOK_BYTES`] on disk; a zipped workbook (.xlsx, .xlsm, .xlsb,
//! .ods) is inflated once first, entry by entry, and refused when its parts come to more than
//! [`MAX_UNPACKED_BYTES`] (counted as inflated, not as declared, so a zip bomb stops at the
//! budget) or more than [`MAX_PARTS`] parts; only then does `calamine` read it.

use std::io::{self, Cursor, Read};
use std::path::Path;

use calamine::{Data, Reader};

/// Largest workbook file read.
pub const MAX_WORKBOOK_BYTES: u64 = 64 << 20;
/// Largest total of a zipped workbook's parts, inflated.
pub const MAX_UNPACKED_BYTES: u64 = 256 << 20;
/// Most parts (zip entries) a workbook may have.
pub const MAX_PARTS: usize = 10_000;

/// Extensions read as workbooks.
const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Why a workbook cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// The file.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// Over a budget.
    #[error("{0}")]
    OverBudget(String),
    /// Not a workbook calamine can read, or one with no sheet.
    #[error("not a readable workbook: {0}")]
    Unreadable(String),
}

/// True when `path` names a workbook by its extension.
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The first sheet of the workbook at `path`, as CSV text.
pub fn read_workbook(path: &Path) -> Result<Vec<u8>, WorkbookError> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_WORKBOOK_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_WORKBOOK_BYTES {
        return Err(WorkbookError::OverBudget(format!(
            "a workbook over {} MiB",
            MAX_WORKBOOK_BYTES >> 20
        )));
    }
    workbook_to_csv(&bytes)
}

/// The first sheet of a workbook in memory, as CSV text.
pub fn workbook_to_csv(bytes: &[u8]) -> Result<Vec<u8>, WorkbookError> {
    if bytes.starts_with(b"PK") {
        check_unpacked(bytes)?;
    }
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| WorkbookError::Unreadable(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| WorkbookError::Unreadable("it has no sheet".into()))?
        .map_err(|e| WorkbookError::Unreadable(e.to_string()))?;
    let mut out = Vec::new();
    // rows above the first filled one stay as empty lines, so line numbers are sheet rows
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    out.extend(std::iter::repeat_n(b'\n', first_row as usize));
    {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        for row in range.rows() {
            let mut fields: Vec<String> = vec![String::new(); first_col as usize];
            fields.extend(row.iter().map(cell_text));
            writer
                .write_record(&fields)
                .map_err(|e| WorkbookError::Io(e.into()))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// Inflate every part of a zipped workbook once, counting, within the budgets.
fn check_unpacked(bytes: &[u8]) -> Result<(), WorkbookError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| WorkbookError::Unreadable(e.to_string()))?;
    if archive.len() > MAX_PARTS {
        return Err(WorkbookError::OverBudget(format!(
            "a workbook of {} parts (at most {MAX_PARTS})",
            archive.len()
        )));
    }
    let mut left = MAX_UNPACKED_BYTES;
    for i in 0..archive.len() {
        let mut part = archive
            .by_index(i)
            .map_err(|e| WorkbookError::Unreadable(e.to_string()))?;
        let n = io::copy(&mut (&mut part).take(left + 1), &mut io::sink())?;
        if n > left {
            return Err(WorkbookError::OverBudget(format!(
                "a workbook over {} MiB unpacked",
                MAX_UNPACKED_BYTES >> 20
            )));
        }
        left -= n;
    }
    Ok(())
}

/// A cell as a person reads it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => d.as_f64().to_string(),
        },
    }
}
