//! The XML list publications, read whole: the UN Security Council Consolidated List
//! (`CONSOLIDATED_LIST`), the EU's consolidated financial sanctions file (`export`) and the UK
//! Sanctions List (`Designations`).
//!
//! A document is read within a byte budget and parsed by `roxmltree` with a node budget; DTDs
//! (and so entity declarations and their expansion) are refused. The first line of an XML file
//! does not say which publication it is, so the root element decides.

use std::io::Read;

use chrono::NaiveDate;

use super::{eu, uk, un, ListEntry, ListError, ListFormat, RowProblem};

/// Largest XML document accepted (the EU file is about 26 MB in 2026).
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 128 << 20;
/// Most XML nodes accepted (the EU file has a few million).
const MAX_NODES: u32 = 20_000_000;

/// What a document held: its entries, the listings skipped, and the date it was generated.
pub(crate) struct Document {
    pub(crate) entries: Vec<ListEntry>,
    pub(crate) skipped: Vec<RowProblem>,
    pub(crate) generated: Option<NaiveDate>,
}

/// Read a whole XML list document; its format and what it held.
pub(crate) fn read(file: &str, mut input: impl Read) -> Result<(ListFormat, Document), ListError> {
    let fatal = |line: u64, message: String| ListError::Fatal {
        file: file.into(),
        line,
        message,
    };
    let mut bytes = Vec::new();
    input
        .by_ref()
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ListError::Io {
            file: file.into(),
            source,
        })?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(fatal(1, format!("larger than {MAX_DOCUMENT_BYTES} bytes")));
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| fatal(1, format!("not UTF-8: {e}")))?;
    let text = text.trim_start_matches('\u{feff}');
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| fatal(e.pos().row as u64, e.to_string()))?;
    match doc.root_element().tag_name().name() {
        "CONSOLIDATED_LIST" => Ok((ListFormat::UnXml, un::listings(file, &doc))),
        "export" => Ok((ListFormat::EuXml, eu::entities(file, &doc))),
        "Designations" => Ok((ListFormat::UkXml, uk::designations(file, &doc))),
        other => Err(fatal(
            1,
            format!("root element {other:?}: none of the UN's CONSOLIDATED_LIST, the EU's export or the UK's Designations"),
        )),
    }
}

/// Line numbers of nodes met in document order, counted forward from the last one: linear in
/// the document, where asking the parser for each node's position would rescan the text from
/// its start every time (quadratic on a document of many listings).
pub(crate) struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(doc: &roxmltree::Document<'a>) -> Self {
        Lines {
            text: doc.input_text(),
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of `node`, which comes after every node asked about before.
    pub(crate) fn of(&mut self, node: roxmltree::Node<'_, '_>) -> u64 {
        let start = node.range().start.max(self.offset).min(self.text.len());
        let between = &self.text.as_bytes()[self.offset..start];
        self.line += between.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = start;
        self.line
    }
}

/// A date written `YYYY-MM-DD`, possibly followed by a time zone or time (xs:date, xs:dateTime).
pub(crate) fn leading_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim().get(..10)?, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_and_foreign_documents_are_errors() {
        let dtd = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CONSOLIDATED_LIST/>"#;
        assert!(read("x.xml", dtd.as_bytes()).is_err());
        let other = read("x.xml", &b"<?xml version=\"1.0\"?><OTHER/>"[..]);
        assert!(other.err().unwrap().to_string().contains("none of"));
        assert!(read("x.xml", &b"<?xml version=\"1.0\"?><CONSOLIDATED_LIST>"[..]).is_err());
        assert!(read("x.xml", &b"\xff\xfe<"[..]).is_err());
    }

    #[test]
    fn dates_with_zones_and_times_read_as_their_day() {
        let day = NaiveDate::from_ymd_opt(2015, 4, 7);
        assert_eq!(leading_date("2015-04-07-04:00"), day);
        assert_eq!(leading_date("2015-04-07T10:00:00Z"), day);
        assert_eq!(leading_date("2015-04-07"), day);
        assert_eq!(leading_date("07/04/2015"), None);
    }
}
