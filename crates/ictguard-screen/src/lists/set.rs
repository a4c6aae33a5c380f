//! Reading list files into entries: detect each file's format, read its rows through the format's
//! source, and link alternate names and addresses to their primary records, whichever file comes
//! first.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::provenance::{hex, Hashing};
use super::registry::detect_format;
use super::source::{EntityKey, Parsed, Row};
use super::{FileSummary, ListEntry, ListError, ListFile, LoadedLists, RowProblem, MAX_LINE_BYTES};
use crate::bounded::BoundedLineReader;

/// An alternate name waiting for its primary record.
#[derive(Debug)]
struct PendingAlias {
    alias: String,
    file: String,
    line: u64,
}

/// What reading one file's rows gave (its provenance is added once the whole file is read).
struct RowsRead {
    format: super::ListFormat,
    records: usize,
    skipped: Vec<RowProblem>,
    /// The publication date the document itself gives (the UN list's `dateGenerated`).
    published: Option<chrono::NaiveDate>,
}

/// Collects entries from list files; alternates and addresses attach to primary records.
#[derive(Debug, Default)]
pub struct ListSet {
    entries: Vec<ListEntry>,
    /// (list, entity number) → index in `entries`
    by_number: HashMap<EntityKey, usize>,
    /// alternates and addresses seen before their primary record
    pending_aliases: HashMap<EntityKey, Vec<PendingAlias>>,
    pending_addresses: HashMap<EntityKey, Vec<(String, Option<&'static str>)>>,
    problems: Vec<RowProblem>,
    files: Vec<ListFile>,
    first_seen: HashMap<String, chrono::NaiveDate>,
}

impl ListSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Say when an entry was first seen in the publisher's snapshots (the publication date of the
    /// first stored snapshot holding it): for an entry whose list gives no listing date, a date
    /// screened before it is a question, not a match taken as listed.
    pub fn first_seen(&mut self, entry_id: &str, day: chrono::NaiveDate) {
        let e = self.first_seen.entry(entry_id.to_string()).or_insert(day);
        *e = (*e).min(day);
    }

    /// Load one file.
    pub fn add_file(&mut self, path: &Path) -> Result<FileSummary, ListError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let file = std::fs::File::open(path).map_err(|source| ListError::Io {
            file: path.display().to_string(),
            source,
        })?;
        self.add_reader(&name, file)
    }

    /// Load one file's bytes; `file_name` is used in messages and ids, and tells OFAC non-SDN
    /// ("cons") files from SDN ones.
    pub fn add_reader(
        &mut self,
        file_name: &str,
        reader: impl Read,
    ) -> Result<FileSummary, ListError> {
        let published = super::dates::date_in_file_name(file_name);
        self.add_published(file_name, reader, published, None)
    }

    /// Load one file fetched from its publisher: `published` is the publisher's date for it
    /// (listing dates fall back to it), `fetched` where and when it came from.
    pub fn add_fetched(
        &mut self,
        file_name: &str,
        reader: impl Read,
        published: Option<chrono::NaiveDate>,
        fetched: super::Fetched,
    ) -> Result<FileSummary, ListError> {
        self.add_published(file_name, reader, published, Some(fetched))
    }

    fn add_published(
        &mut self,
        file_name: &str,
        reader: impl Read,
        published: Option<chrono::NaiveDate>,
        fetched: Option<super::Fetched>,
    ) -> Result<FileSummary, ListError> {
        let (mut hasher, mut bytes) = (Sha256::new(), 0u64);
        let rows = self.read_rows(file_name, Hashing::new(reader, &mut hasher, &mut bytes))?;
        let provenance = ListFile {
            file: file_name.into(),
            format: rows.format.name().into(),
            records: rows.records,
            bytes,
            sha256: hex(&hasher.finalize()),
            published: rows.published.or(published),
            fetched,
        };
        self.files.push(provenance.clone());
        Ok(FileSummary {
            file: file_name.into(),
            format: rows.format,
            records: rows.records,
            skipped: rows.skipped,
            provenance,
        })
    }

    /// Read every row of one file through its format's source.
    fn read_rows(&mut self, file_name: &str, reader: impl Read) -> Result<RowsRead, ListError> {
        let mut reader = BoundedLineReader::new(reader, MAX_LINE_BYTES);
        let head = first_line(&mut reader).map_err(|e| ListError::Fatal {
            file: file_name.into(),
            line: 1,
            message: e.to_string(),
        })?;
        let format = detect_format(&head).map_err(|why| ListError::UnknownFormat {
            file: file_name.into(),
            why,
        })?;
        let source = format.source();
        if source.whole_document() {
            // read whole under the document's own byte budget: lines may be as long as they like
            let input = std::io::Cursor::new(head).chain(reader.into_inner());
            let (format, doc) = super::whole::read(file_name, input)?;
            let records = doc.entries.len();
            for entry in doc.entries {
                self.keep(Parsed::Entry(entry), file_name, 0);
            }
            self.problems.extend(doc.skipped.iter().cloned());
            return Ok(RowsRead {
                format,
                records,
                skipped: doc.skipped,
                published: doc.generated,
            });
        }
        // the first line was read to detect the format; chain it back in front of the rest (with
        // Windows line ends as `\n`, so line numbers come out right: crate::crlf)
        let input = crate::crlf::CrlfToLf::new(std::io::Cursor::new(head).chain(reader));
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(source.has_header())
            .flexible(true)
            .delimiter(source.delimiter())
            .from_reader(input);
        let headers: Vec<String> = if source.has_header() {
            rdr.headers()
                .map_err(|e| ListError::Fatal {
                    file: file_name.into(),
                    line: 1,
                    message: e.to_string(),
                })?
                .iter()
                .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
                .collect()
        } else {
            Vec::new()
        };
        let mut summary = RowsRead {
            format,
            records: 0,
            skipped: Vec::new(),
            published: None,
        };
        let mut record = csv::StringRecord::new();
        loop {
            let line = rdr.position().line();
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map(|p| p.line()).unwrap_or(line);
                    if is_end_of_file_mark(&record) {
                        continue;
                    }
                    let row = Row {
                        file: file_name,
                        line,
                        record: &record,
                        headers: &headers,
                    };
                    match source.parse(&row) {
                        Ok(parsed) => {
                            self.keep(parsed, file_name, line);
                            summary.records += 1;
                        }
                        Err(e) => summary.skipped.push(RowProblem {
                            file: file_name.into(),
                            line,
                            message: e.to_string(),
                        }),
                    }
                }
                Err(e) => {
                    if let csv::ErrorKind::Io(io) = e.kind() {
                        return Err(ListError::Fatal {
                            file: file_name.into(),
                            line: rdr.position().line(),
                            message: io.to_string(),
                        });
                    }
                    let line = e.position().map(|p| p.line()).unwrap_or(line);
                    summary.skipped.push(RowProblem {
                        file: file_name.into(),
                        line,
                        message: e.to_string(),
                    });
                }
            }
        }
        self.problems.extend(summary.skipped.iter().cloned());
        Ok(summary)
    }

    /// Keep what a row says, linking it to (or holding it for) its primary record.
    fn keep(&mut self, parsed: Parsed, file: &str, line: u64) {
        match parsed {
            Parsed::Entry(entry) => self.entries.push(entry),
            Parsed::Primary(key, mut entry) => {
                for PendingAlias { alias, .. } in
                    self.pending_aliases.remove(&key).unwrap_or_default()
                {
                    entry.aliases.push(alias);
                }
                for (text, code) in self.pending_addresses.remove(&key).unwrap_or_default() {
                    add_address(&mut entry, text, code);
                }
                if let Some(&i) = self.by_number.get(&key) {
                    self.entries[i] = entry; // a later copy of the same record replaces the earlier
                } else {
                    self.by_number.insert(key, self.entries.len());
                    self.entries.push(entry);
                }
            }
            Parsed::Alias(key, alias) => match self.by_number.get(&key) {
                Some(&i) => self.entries[i].aliases.push(alias),
                None => self
                    .pending_aliases
                    .entry(key)
                    .or_default()
                    .push(PendingAlias {
                        alias,
                        file: file.to_string(),
                        line,
                    }),
            },
            Parsed::Address(key, text, code) => match self.by_number.get(&key) {
                Some(&i) => add_address(&mut self.entries[i], text, code),
                None => self
                    .pending_addresses
                    .entry(key)
                    .or_default()
                    .push((text, code)),
            },
            Parsed::Nothing => {}
        }
    }

    /// Finish loading: every entry, and every problem (including alternates and addresses whose
    /// primary record never came).
    pub fn finish(mut self) -> LoadedLists {
        for ((family, num), aliases) in self.pending_aliases.drain() {
            for PendingAlias { file, line, .. } in aliases {
                self.problems.push(RowProblem {
                    file,
                    line,
                    message: format!(
                        "alternate name for {family}:{num}, which no primary file holds"
                    ),
                });
            }
        }
        // rows in file order, not in the order a hash table gives them back
        self.problems
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        LoadedLists {
            entries: self.entries,
            problems: self.problems,
            files: self.files,
            first_seen: self.first_seen,
        }
    }
}

/// The first line (through its `\n`), read a byte at a time so nothing after it is consumed.
fn first_line(reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match reader.read(&mut byte)? {
            0 => break,
            _ => {
                head.push(byte[0]);
                if byte[0] == b'\n' || (head.len() == XML_HEAD && looks_like_xml(&head)) {
                    break;
                }
            }
        }
    }
    Ok(head)
}

/// Bytes of an XML file's start read for detection (its first line may be the whole file).
const XML_HEAD: usize = 256;

fn looks_like_xml(head: &[u8]) -> bool {
    let head = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

/// Attach an address (and its country, once) to an entry.
fn add_address(entry: &mut ListEntry, text: String, code: Option<&'static str>) {
    if let Some(code) = code.filter(|c| !entry.countries.iter().any(|x| x == c)) {
        entry.countries.push(code.to_string());
    }
    if !text.is_empty() && !entry.addresses.contains(&text) {
        entry.addresses.push(text);
    }
}

/// OFAC files end with a DOS end-of-file mark (0x1A) on a line of its own.
fn is_end_of_file_mark(record: &csv::StringRecord) -> bool {
    record.len() == 1
        && record[0]
            .trim_matches(|c: char| c == '\u{1a}' || c.is_whitespace())
            .is_empty()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn alternates_attach_whichever_file_comes_first() {
        let mut set = ListSet::new();
        set.add_reader(
            "alt.csv",
            &b"306,220,\"aka\",\"NATIONAL BANK OF CUBA\",-0- \n"[..],
        )
        .unwrap();
        set.add_reader(
            "add.csv",
            &b"306,199,\"Zweierstrasse 35\",\"Zurich CH-8022\",\"Switzerland\",-0- \n"[..],
        )
        .unwrap();
        set.add_reader("sdn.csv", &b"306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'BNC'.\"\n"[..]).unwrap();
        let loaded = set.finish();
        assert_eq!(loaded.entries.len(), 1);
        let e = &loaded.entries[0];
        assert_eq!(e.id, "OFAC-SDN:306");
        assert_eq!(e.aliases, vec!["NATIONAL BANK OF CUBA"]);
        assert_eq!(e.weak_aliases, vec!["BNC"]);
        assert_eq!(e.countries, vec!["CH"]);
        assert!(loaded.problems.is_empty());
    }

    #[test]
    fn bad_rows_are_reported_and_skipped() {
        let mut set = ListSet::new();
        let data = b"1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n2,\"B\",-0-\n3,\"C\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let summary = set.add_reader("sdn.csv", &data[..]).unwrap();
        assert_eq!(summary.records, 2);
        assert_eq!(summary.skipped.len(), 1);
        assert_eq!(summary.skipped[0].line, 2);
        assert_eq!(
            summary.skipped[0].message,
            "expected 12 fields (OFAC primary record), found 3"
        );
        let mut set = ListSet::new();
        let dpl = b"Name\tCountry\tEffective_Date\tExpiration_Date\nA\tUS\t13/45/2020\t\nB\tCN\t06/19/2003\t06/29/2056\n";
        let summary = set.add_reader("dpl.txt", &dpl[..]).unwrap();
        assert_eq!((summary.records, summary.skipped[0].line), (1, 2));
        let e = &set.finish().entries[0];
        assert_eq!(e.expires, NaiveDate::from_ymd_opt(2056, 6, 29));
        assert_eq!(e.countries, vec!["CN"]);
    }

    #[test]
    fn alternates_without_a_primary_are_problems() {
        let mut set = ListSet::new();
        set.add_reader("alt.csv", &b"7,1,\"aka\",\"NOBODY\",-0- \n\x1a\n"[..])
            .unwrap();
        let loaded = set.finish();
        assert!(loaded.entries.is_empty());
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(
            loaded.problems[0].message,
            "alternate name for OFAC-SDN:7, which no primary file holds"
        );
    }

    #[test]
    fn garbage_and_huge_lines_are_errors() {
        let mut set = ListSet::new();
        match set.add_reader("x.csv", &b"\x00\x01\x02garbage"[..]) {
            Err(e @ ListError::UnknownFormat { .. }) => assert_eq!(
                e.to_string(),
                "x.csv: not a known list format (first line has 1 fields); expected OFAC legacy CSV (primary, alt or address), Consolidated Screening List CSV, BIS Denied Persons TSV, the UN Security Council Consolidated List XML, the EU consolidated financial sanctions XML or the UK Sanctions List XML"
            ),
            other => panic!("expected an unknown format, got {other:?}"),
        }
        let mut big = b"1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_LINE_BYTES + 10));
        match set.add_reader("sdn.csv", &big[..]) {
            Err(ListError::Fatal { line, message, .. }) => {
                assert_eq!(line, 2, "{message}");
                assert!(message.contains("longer than"));
            }
            other => panic!("expected a fatal error, got {other:?}"),
        }
    }
}
