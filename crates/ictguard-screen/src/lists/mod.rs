//! Restricted-party lists in their published formats: OFAC's legacy CSV files (SDN and non-SDN
//! consolidated: primary records, alternate names, addresses), the Consolidated Screening List CSV,
//! and the BIS Denied Persons list (tab-separated).
//!
//! The format is detected from the content, not the file name. Alternate-name and address files
//! attach to primary records by entity number, in whatever order the files come. Rows that do not
//! fit their format are reported with file and line and skipped; the others are kept. Lines are
//! limited to [`MAX_LINE_BYTES`] so a malicious file cannot make the loader allocate without bound.
//!
//! Each format is one module behind one trait (`ListSource`): how to recognise its first line and
//! how to turn one row into an entry. The registry ([`ListFormat`]) names them in the order they
//! are tried, and [`ListSet`] reads files through them. Adding a format means one new module, one
//! line in the registry, and its test.
//
// The shape follows moov-io Watchman, which keeps one package per list source mapping into one
// entity type. An enum with a match per format (what this was before) put every parser in one
// file and made each new list touch every match.

mod countries;
mod csl;
mod dates;
mod dpl;
mod eu;
mod ofac;
mod programs;
mod provenance;
mod registry;
mod set;
mod source;
mod uk;
mod un;
mod whole;
mod xml;

use chrono::NaiveDate;
use serde::Serialize;

pub use countries::country_code;
pub use dates::DateError;
pub use provenance::{Fetched, ListFile};
pub use registry::{detect_format, DetectError, ListFormat};
pub use set::ListSet;

/// Longest line accepted in a list file.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// One listed party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListEntry {
    /// Stable id: `OFAC-SDN:36`, `OFAC-CONS:9639`, `CSL:EL:<n>`, `BIS-DPL:<line>`.
    pub id: String,
    /// The list: `OFAC-SDN`, `OFAC-CONS`, `CSL` or `BIS-DPL`.
    pub list: String,
    /// Human name of the list (for the CSL, its `source` column).
    pub source: String,
    /// Primary name.
    pub name: String,
    /// Other names (a.k.a., f.k.a., n.k.a.).
    pub aliases: Vec<String>,
    /// Weak aliases: broad or generic names (nicknames, noms de guerre, common acronyms) that OFAC
    /// lists to help confirm a hit, not to screen on (OFAC FAQs 122–124; in the CSV files they are
    /// the names quoted in a record's remarks). A match through one alone is never a block.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub weak_aliases: Vec<String>,
    /// individual, entity, vessel or aircraft, when known.
    pub kind: Option<String>,
    /// Sanctions programs.
    pub programs: Vec<String>,
    /// ISO 3166 alpha-2 codes of the countries in its addresses.
    pub countries: Vec<String>,
    /// Dates of birth as the list writes them (a day, a year, a range), for telling a person
    /// from a namesake.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dates_of_birth: Vec<String>,
    /// Addresses as the list writes them, one line each.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub addresses: Vec<String>,
    /// First day listed, when the format says.
    pub listed: Option<NaiveDate>,
    /// Day the listing ends, when the format says.
    pub expires: Option<NaiveDate>,
    /// Federal Register notice, when given.
    pub citation: Option<String>,
    /// File it came from.
    pub file: String,
    /// 1-based line of its record.
    pub line: u64,
}

/// A list file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The file cannot be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is in no known format.
    #[error("{file}: not a known list format ({why}); expected OFAC legacy CSV (primary, alt or address), Consolidated Screening List CSV, BIS Denied Persons TSV, the UN Security Council Consolidated List XML, the EU consolidated financial sanctions XML or the UK Sanctions List XML")]
    UnknownFormat {
        /// The file.
        file: String,
        /// What was seen.
        // not a `#[source]`: the message already says it, and error chains would repeat it
        why: DetectError,
    },
    /// A problem that stops reading (e.g. an over-long line).
    #[error("{file}:{line}: {message}")]
    Fatal {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// What went wrong.
        message: String,
    },
}

/// Why one row of a list file was skipped. The text goes into [`RowProblem::message`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// The row has the wrong number of fields for its format.
    #[error("expected {expected} fields ({what}), found {found}")]
    FieldCount {
        /// Fields the format has.
        expected: usize,
        /// What kind of row the format expects, e.g. "OFAC primary record".
        what: &'static str,
        /// Fields the row has.
        found: usize,
    },
    /// An OFAC entity number that is not a number.
    #[error("entity number {0:?} is not a number")]
    EntityNumber(String),
    /// The row names no one.
    #[error("no name")]
    NoName,
    /// An alternate-name row without the name.
    #[error("no alternate name")]
    NoAlternateName,
    /// A date field that does not parse.
    #[error(transparent)]
    Date(#[from] DateError),
}

/// A row skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// What is wrong with it.
    pub message: String,
}

/// What one file gave.
#[derive(Debug, Clone)]
pub struct FileSummary {
    /// The file.
    pub file: String,
    /// Its detected format.
    pub format: ListFormat,
    /// Records read.
    pub records: usize,
    /// Rows skipped.
    pub skipped: Vec<RowProblem>,
    /// Its name, format, size and hash, as results cite it.
    pub provenance: ListFile,
}

/// Every entry loaded, with the rows skipped.
#[derive(Debug, Clone, Default)]
pub struct LoadedLists {
    /// The entries.
    pub entries: Vec<ListEntry>,
    /// Rows skipped in any file, and alternates or addresses whose primary record never came.
    pub problems: Vec<RowProblem>,
    /// Every file read, in the order read: what results name as the lists they used.
    pub files: Vec<ListFile>,
    /// For entries whose list gives no listing date: the publication date of the first stored
    /// snapshot that held them (snapshot history, [`ListSet::first_seen`]), by entry id.
    pub first_seen: std::collections::HashMap<String, NaiveDate>,
}
