//! Tables as people have them: text in the encoding their tool wrote (UTF-8, Windows-1252 or
//! Latin-1 from Excel, UTF-16 with a byte-order mark …) and fields separated by commas,
//! semicolons (Excel in much of Europe), tabs or bars. The batch, `flows` and `fleet` readers
//! open their CSV input through [`open_table`], which settles both from the first bytes unless
//! the caller names them, and hands on UTF-8.
//!
//! Encoding: a byte-order mark decides; else text that is valid UTF-8 in its first
//! [`SNIFF_BYTES`] is UTF-8 (and passes through untouched, so a bad byte further on is still
//! reported on its row); else Mozilla's detector (`chardetng`) guesses, which for Western text is
//! Windows-1252 (of which Latin-1 is a subset). Delimiter: the candidate that occurs most often
//! outside quotes in the header line, a comma when none does.

use std::io::{self, Cursor, Read};

use encoding_rs::{Encoding, UTF_8};

/// Bytes read ahead to settle the encoding and the delimiter.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Delimiters a header is sniffed for, in order of preference when counts tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// What the caller knows of a table's dialect: `None` fields are sniffed.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// The encoding (from `--encoding`).
    pub encoding: Option<&'static Encoding>,
    /// The field delimiter (from `--delimiter`).
    pub delimiter: Option<u8>,
}

/// A dialect that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// Not an encoding label of the WHATWG Encoding Standard.
    #[error("unknown encoding {0:?} (try utf-8, windows-1252, latin1, utf-16le, shift_jis, gbk)")]
    UnknownEncoding(String),
    /// A delimiter that is not one ASCII character other than a quote or a line end.
    #[error("delimiter {0:?}: one ASCII character other than a quote or a line end")]
    BadDelimiter(char),
}

impl TableOptions {
    /// Options from command-line values: an encoding label (any WHATWG label: `latin1`,
    /// `cp1252`, `utf-16le` …) and a delimiter character.
    pub fn parse(encoding: Option<&str>, delimiter: Option<char>) -> Result<Self, IntakeError> {
        let encoding = encoding
            .map(|label| {
                Encoding::for_label(label.trim().as_bytes())
                    .ok_or_else(|| IntakeError::UnknownEncoding(label.to_string()))
            })
            .transpose()?;
        let delimiter = delimiter
            .map(|c| match c {
                '"' | '\n' | '\r' => Err(IntakeError::BadDelimiter(c)),
                c if c.is_ascii() => Ok(c as u8),
                c => Err(IntakeError::BadDelimiter(c)),
            })
            .transpose()?;
        Ok(TableOptions {
            encoding,
            delimiter,
        })
    }
}

/// How a table was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// Its encoding.
    pub encoding: &'static Encoding,
    /// Its field delimiter.
    pub delimiter: u8,
}

impl Dialect {
    /// True for UTF-8 and commas, the dialect nobody needs to be told about.
    pub fn is_plain(&self) -> bool {
        self.encoding == UTF_8 && self.delimiter == b','
    }

    /// "windows-1252, ';'-separated", for a note to the user.
    pub fn describe(&self) -> String {
        let delimiter = match self.delimiter {
            b'\t' => "tab".to_string(),
            d => format!("'{}'", d as char),
        };
        format!("{}, {delimiter}-separated", self.encoding.name())
    }
}

/// The table's text as UTF-8, decoded as it is read.
pub type Decoded<R> = encoding_rs_io::DecodeReaderBytes<io::Chain<Cursor<Vec<u8>>, R>, Vec<u8>>;

/// Open a table: read ahead up to [`SNIFF_BYTES`], settle the encoding and delimiter (those in
/// `options` win), and return the whole input decoded to UTF-8 with the dialect found.
pub fn open_table<R: Read>(
    mut input: R,
    options: TableOptions,
) -> io::Result<(Decoded<R>, Dialect)> {
    let mut head = Vec::with_capacity(8 * 1024);
    (&mut input)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    let complete = head.len() < SNIFF_BYTES;
    let encoding = options
        .encoding
        .unwrap_or_else(|| detect_encoding(&head, complete));
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(&header_line(&head, encoding)));
    // UTF-8 goes through as it is (without its byte-order mark), so an invalid byte further on is
    // reported on its row rather than replaced; other encodings are decoded, a byte-order mark
    // naming the encoding better than a guess or a label
    let utf8 = encoding == UTF_8 && Encoding::for_bom(&head).is_none_or(|(e, _)| e == UTF_8);
    if utf8 && head.starts_with(b"\xef\xbb\xbf") {
        head.drain(..3);
    }
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding((!utf8).then_some(encoding))
        .bom_override(true)
        .utf8_passthru(true)
        .build(Cursor::new(head).chain(input));
    Ok((
        decoded,
        Dialect {
            encoding,
            delimiter,
        },
    ))
}

/// The encoding of a table from its first bytes (`complete`: the whole input).
fn detect_encoding(head: &[u8], complete: bool) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(head) {
        return encoding;
    }
    match std::str::from_utf8(head) {
        Ok(_) => return UTF_8,
        // a character cut by the read-ahead's end is still UTF-8
        Err(e) if e.error_len().is_none() && !complete => return UTF_8,
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(head, complete);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// The first line of the table, decoded.
fn header_line(head: &[u8], encoding: &'static Encoding) -> String {
    let (text, _, _) = encoding.decode(head);
    text.lines().next().unwrap_or_default().to_string()
}

/// The delimiter that occurs most often outside double quotes in `header`; a comma when none.
fn sniff_delimiter(header: &str) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = DELIMITERS.iter().position(|d| *d == b) {
                counts[i] += 1;
            }
        }
    }
    // the first of the highest counts, so a tie keeps the comma
    let best = counts
        .iter()
        .enumerate()
        .fold(0, |best, (i, n)| if *n > counts[best] { i } else { best });
    DELIMITERS[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], options: TableOptions) -> (String, Dialect) {
        let (mut decoded, dialect) = open_table(bytes, options).unwrap();
        let mut text = String::new();
        decoded.read_to_string(&mut text).unwrap();
        (text, dialect)
    }

    #[test]
    fn latin1_from_excel_is_decoded() {
        // "Müller" as Windows-1252 / Latin-1 writes it
        let (text, dialect) = read(b"id;name\r\n1;M\xfcller GmbH\r\n", TableOptions::default());
        assert_eq!(text, "id;name\r\n1;Müller GmbH\r\n");
        assert_eq!(dialect.encoding, encoding_rs::WINDOWS_1252);
        assert_eq!(dialect.delimiter, b';');
        assert!(!dialect.is_plain());
    }

    #[test]
    fn utf8_and_boms() {
        let (text, dialect) = read("name\nMüller\n".as_bytes(), TableOptions::default());
        assert_eq!(
            (text.as_str(), dialect.is_plain()),
            ("name\nMüller\n", true)
        );
        // UTF-16 with its byte-order mark, as Excel's "Unicode text" writes
        let mut utf16 = vec![0xff, 0xfe];
        for u in "name\tcountry\nMüller\tDE\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let (text, dialect) = read(&utf16, TableOptions::default());
        assert_eq!(text, "name\tcountry\nMüller\tDE\n");
        assert_eq!(dialect.encoding, encoding_rs::UTF_16LE);
        assert_eq!(dialect.delimiter, b'\t');
        // a UTF-8 byte-order mark is dropped, so the first column keeps its name
        let (text, _) = read(b"\xef\xbb\xbfname\nA\n", TableOptions::default());
        assert_eq!(text, "name\nA\n");
    }

    #[test]
    fn invalid_utf8_after_the_read_ahead_is_left_for_the_row() {
        let mut bytes = b"name\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'a', SNIFF_BYTES));
        bytes.extend_from_slice(b"\nM\xfcller\n");
        let (mut decoded, dialect) = open_table(&bytes[..], TableOptions::default()).unwrap();
        assert_eq!(dialect.encoding, UTF_8);
        let mut out = Vec::new();
        decoded.read_to_end(&mut out).unwrap();
        let first_difference = out.iter().zip(&bytes).position(|(a, b)| a != b);
        assert_eq!(
            (out.len(), first_difference),
            (bytes.len(), None),
            "passed through untouched"
        );
    }

    #[test]
    fn delimiters_are_sniffed_outside_quotes_and_named_ones_win() {
        assert_eq!(sniff_delimiter("id,name,country"), b',');
        assert_eq!(sniff_delimiter("id;name;country"), b';');
        assert_eq!(sniff_delimiter("\"a,b\";c"), b';');
        assert_eq!(sniff_delimiter("name"), b',');
        assert_eq!(sniff_delimiter("a|b|c"), b'|');
        let named = TableOptions::parse(Some("latin1"), Some(';')).unwrap();
        let (text, dialect) = read(b"a,b\n\xe9,x\n", named);
        assert_eq!(text, "a,b\né,x\n");
        assert_eq!(dialect.delimiter, b';');
        assert!(TableOptions::parse(Some("klingon"), None).is_err());
        assert!(TableOptions::parse(None, Some('"')).is_err());
        assert!(TableOptions::parse(None, Some('§')).is_err());
    }
}
