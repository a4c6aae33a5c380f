//! The registry of list formats: which exist, in which order detection tries them, and which
//! source reads each.

use super::source::{FirstLine, ListSource};
use super::{csl, dpl, ofac, un, xml};

/// Declares [`ListFormat`] and its sources from one table, so the two cannot drift apart.
macro_rules! registry {
    ($($(#[doc = $doc:literal])* $format:ident => $source:expr,)*) => {
        /// The published formats, in the order detection tries them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ListFormat {
            $($(#[doc = $doc])* $format,)*
        }

        impl ListFormat {
            /// Every format, in the order detection tries them.
            pub const ALL: &'static [ListFormat] = &[$(ListFormat::$format,)*];

            /// The source that reads this format.
            pub(crate) fn source(self) -> &'static dyn ListSource {
                match self {
                    $(ListFormat::$format => &$source,)*
                }
            }
        }
    };
}

// Order matters where two formats could claim a line: the Denied Persons header is tab-separated
// and must be tried before the CSL's header words.
registry! {
    /// BIS Denied Persons List, tab-separated with header.
    Dpl => dpl::DeniedPersons,
    /// Consolidated Screening List CSV with header.
    Csl => csl::ConsolidatedScreeningList,
    /// OFAC legacy CSV, primary records (12 columns, no header).
    OfacPrimary => ofac::Primary,
    /// OFAC legacy CSV, alternate names (5 columns).
    OfacAlt => ofac::Alternate,
    /// OFAC legacy CSV, addresses (6 columns).
    OfacAddress => ofac::Address,
    /// UN Security Council Consolidated List XML (claims every XML file: the document's root
    /// element then decides between it and the EU's).
    UnXml => un::UnConsolidated,
    /// EU consolidated financial sanctions list XML (Financial Sanctions Files 1.1).
    EuXml => xml::Named("EU consolidated financial sanctions list XML"),
    /// UK Sanctions List XML (FCDO).
    UkXml => xml::Named("UK Sanctions List XML"),
}

impl ListFormat {
    /// The format's name, as a person would say it (e.g. for a load summary).
    pub fn name(self) -> &'static str {
        self.source().name()
    }
}

/// Why a file's first line fits no known format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// There is no first line.
    #[error("the file is empty")]
    Empty,
    /// The first line cannot be read as comma-separated fields.
    #[error("the first line is not CSV")]
    NotCsv,
    /// The first line is CSV, but no format has that many fields with those values.
    #[error("first line has {0} fields")]
    FieldCount(usize),
}

/// Detect a file's format from its first line.
pub fn detect_format(first_bytes: &[u8]) -> Result<ListFormat, DetectError> {
    let text = String::from_utf8_lossy(first_bytes);
    let text = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("");
    if text.trim().is_empty() {
        return Err(DetectError::Empty);
    }
    let lower = text.to_ascii_lowercase();
    let fields = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .next()
        .and_then(Result::ok);
    let first = FirstLine {
        text,
        lower: &lower,
        fields: fields.as_ref(),
    };
    if let Some(&format) = ListFormat::ALL
        .iter()
        .find(|f| f.source().recognizes(&first))
    {
        return Ok(format);
    }
    match &fields {
        None => Err(DetectError::NotCsv),
        Some(r) => Err(DetectError::FieldCount(r.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        assert_eq!(detect_format(b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"), Ok(ListFormat::OfacPrimary));
        assert_eq!(
            detect_format(b"36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \n"),
            Ok(ListFormat::OfacAlt)
        );
        assert_eq!(
            detect_format(b"36,25,-0- ,\"Havana\",\"Cuba\",-0- \n"),
            Ok(ListFormat::OfacAddress)
        );
        assert_eq!(
            detect_format(b"source,entity_number,type,programs,name,title,addresses\n"),
            Ok(ListFormat::Csl)
        );
        assert_eq!(
            detect_format(b"\"Name\"\t\"Street_Address\"\t\"Effective_Date\"\n"),
            Ok(ListFormat::Dpl)
        );
        assert!(detect_format(b"hello,world\n").is_err());
        assert!(detect_format(b"").is_err());
        assert!(detect_format(&[0xff, 0xfe, 0x00, 0x41]).is_err());
    }

    #[test]
    fn detection_errors_say_what_was_seen() {
        assert_eq!(
            detect_format(b"\xef\xbb\xbf \n").unwrap_err().to_string(),
            "the file is empty"
        );
        assert_eq!(
            detect_format(b"hello,world\n").unwrap_err().to_string(),
            "first line has 2 fields"
        );
        // an alternate-name line whose type is not aka/fka/nka is no format
        assert_eq!(
            detect_format(b"36,12,\"xyz\",\"AERO-CARIBBEAN\",-0- \n"),
            Err(DetectError::FieldCount(5))
        );
    }

    #[test]
    fn every_format_has_a_name() {
        for f in ListFormat::ALL {
            assert!(!f.name().is_empty(), "{f:?}");
        }
    }
}
