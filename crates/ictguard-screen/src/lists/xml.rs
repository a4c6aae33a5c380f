//! What the readers of the XML lists (UN, EU, UK) share: the document they fill, line numbers
//! counted forward, child text and dates, and the format name detection never picks.

use chrono::NaiveDate;

use super::source::{FirstLine, ListSource, Parsed, Row};
use super::{ListEntry, RowError, RowProblem};

/// What a document held: its entries, the listings skipped, and the date it was generated.
pub(crate) struct Document {
    pub(crate) entries: Vec<ListEntry>,
    pub(crate) skipped: Vec<RowProblem>,
    pub(crate) generated: Option<NaiveDate>,
}

impl Document {
    /// An empty document generated on `generated`.
    pub(crate) fn new(generated: Option<NaiveDate>) -> Self {
        Document {
            entries: Vec::new(),
            skipped: Vec::new(),
            generated,
        }
    }

    /// Keep a listing's entry, or say why it was skipped (with its line).
    pub(crate) fn keep(&mut self, file: &str, line: u64, entry: Result<ListEntry, RowError>) {
        match entry {
            Ok(e) => self.entries.push(e),
            Err(e) => self.skipped.push(RowProblem {
                file: file.into(),
                line,
                message: e.to_string(),
            }),
        }
    }
}

/// A whole-document format that detection never picks (the UN's source claims every XML file
/// and [`super::whole::read`] tells them apart by the root element): it exists to name the
/// format.
pub(crate) struct Named(pub(crate) &'static str);

impl ListSource for Named {
    fn name(&self) -> &'static str {
        self.0
    }

    fn recognizes(&self, _first: &FirstLine<'_>) -> bool {
        false
    }

    fn whole_document(&self) -> bool {
        true
    }

    fn parse(&self, _row: &Row<'_>) -> Result<Parsed, RowError> {
        Err(RowError::NoName)
    }
}

/// The text of the first child element named `name`, trimmed, when not empty.
pub(crate) fn child_text<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
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
    fn dates_with_zones_and_times_read_as_their_day() {
        let day = NaiveDate::from_ymd_opt(2015, 4, 7);
        assert_eq!(leading_date("2015-04-07-04:00"), day);
        assert_eq!(leading_date("2015-04-07T10:00:00Z"), day);
        assert_eq!(leading_date("2015-04-07"), day);
        assert_eq!(leading_date("07/04/2015"), None);
    }
}
