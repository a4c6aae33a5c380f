//! The trait every list format implements, and what it sees and gives.
//!
//! A source is a pure function from one row to what the row says ([`Parsed`]); [`ListSet`]
//! keeps the entries and links alternates and addresses to their primary records, so no source
//! holds state across rows or files.
//
// Rejected: handing each source the `ListSet` to push into. Every source would then know how
// entries are stored and linked, and a parser could not be tested without a set.
//
// [`ListSet`]: super::ListSet

use super::{ListEntry, RowError};

/// The first line of a file, as format detection sees it.
pub(crate) struct FirstLine<'a> {
    /// The line, without a byte-order mark or line end.
    pub text: &'a str,
    /// The same in ASCII lower case, for header names written in any case.
    pub lower: &'a str,
    /// Its fields read as one comma-separated record, or `None` when it is not CSV.
    pub fields: Option<&'a csv::StringRecord>,
}

impl FirstLine<'_> {
    /// How many comma-separated fields the line has (0 when it is not CSV).
    pub fn field_count(&self) -> usize {
        self.fields.map_or(0, csv::StringRecord::len)
    }

    /// Field `i` with surrounding space removed, when the line has it.
    pub fn field(&self, i: usize) -> Option<&str> {
        self.fields.and_then(|r| r.get(i)).map(str::trim)
    }

    /// Whether field `i` is a non-empty run of ASCII digits (an OFAC entity number).
    pub fn is_number(&self, i: usize) -> bool {
        self.field(i)
            .is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    }
}

/// One row of a list file.
pub(crate) struct Row<'a> {
    /// The file's name, for messages, ids and (OFAC) which list it is.
    pub file: &'a str,
    /// 1-based line where the row starts.
    pub line: u64,
    /// The row's fields.
    pub record: &'a csv::StringRecord,
    /// The file's header names in lower case (empty for formats without a header).
    pub headers: &'a [String],
}

impl Row<'_> {
    /// The trimmed value of the column with this (lower-case) header name; empty when the file
    /// has no such column or the row is short.
    pub fn column(&self, name: &str) -> &str {
        self.headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
            .trim()
    }
}

/// A party's key in a list whose files link rows by entity number: (list, entity number).
pub(crate) type EntityKey = (String, String);

/// What one row says.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// A complete entry.
    Entry(ListEntry),
    /// A primary record that alternates and addresses attach to; a later copy replaces it.
    Primary(EntityKey, ListEntry),
    /// Another name of the primary record with this key.
    Alias(EntityKey, String),
    /// An address of the primary record with this key: its text, and its country (ISO 3166
    /// alpha-2) when recognised.
    Address(EntityKey, String, Option<&'static str>),
    /// A valid row that adds nothing (an address without a recognisable country).
    Nothing,
}

/// One published list format.
pub(crate) trait ListSource: Sync {
    /// The format's name, as a person would say it.
    fn name(&self) -> &'static str;

    /// Whether a file whose first line this is has this format.
    fn recognizes(&self, first: &FirstLine<'_>) -> bool;

    /// Whether the first line is a header naming the columns.
    fn has_header(&self) -> bool {
        false
    }

    /// The byte between fields.
    fn delimiter(&self) -> u8 {
        b','
    }

    /// Whether the format is a whole document (XML) read at once by its own reader, not row by
    /// row ([`super::un`]).
    fn whole_document(&self) -> bool {
        false
    }

    /// What one row says, or why it does not fit the format.
    fn parse(&self, row: &Row<'_>) -> Result<Parsed, RowError>;
}

/// Rows for a source's unit tests: parse the text (with its header, if the format has one) and
/// hand back each row's result.
#[cfg(test)]
pub(crate) fn parse_all(
    source: &dyn ListSource,
    file: &str,
    text: &str,
) -> Vec<Result<Parsed, RowError>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(source.has_header())
        .flexible(true)
        .delimiter(source.delimiter())
        .from_reader(text.as_bytes());
    let headers: Vec<String> = if source.has_header() {
        let h = rdr.headers().expect("a header");
        h.iter().map(|h| h.trim().to_ascii_lowercase()).collect()
    } else {
        Vec::new()
    };
    rdr.records()
        .map(|r| {
            let record = r.expect("a CSV record");
            let line = record.position().map_or(0, |p| p.line());
            source.parse(&Row {
                file,
                line,
                record: &record,
                headers: &headers,
            })
        })
        .collect()
}
