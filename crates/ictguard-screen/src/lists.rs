//! Restricted-party lists in their published formats: OFAC's legacy CSV files (SDN and non-SDN
//! consolidated: primary records, alternate names, addresses), the Consolidated Screening List CSV,
//! and the BIS Denied Persons list (tab-separated).
//!
//! The format is detected from the content, not the file name. Alternate-name and address files
//! attach to primary records by entity number, in whatever order the files come. Rows that do not
//! fit their format are reported with file and line and skipped; the others are kept. Lines are
//! limited to [`MAX_LINE_BYTES`] so a malicious file cannot make the loader allocate without bound.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use crate::bounded::BoundedLineReader;
pub use crate::countries::country_code;

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
    /// individual, entity, vessel or aircraft, when known.
    pub kind: Option<String>,
    /// Sanctions programs.
    pub programs: Vec<String>,
    /// ISO 3166 alpha-2 codes of the countries in its addresses.
    pub countries: Vec<String>,
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

/// The published formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// OFAC legacy CSV, primary records (12 columns, no header).
    OfacPrimary,
    /// OFAC legacy CSV, alternate names (5 columns).
    OfacAlt,
    /// OFAC legacy CSV, addresses (6 columns).
    OfacAddress,
    /// Consolidated Screening List CSV with header.
    Csl,
    /// BIS Denied Persons List, tab-separated with header.
    Dpl,
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
    #[error("{file}: not a known list format ({why}); expected OFAC legacy CSV (primary, alt or address), Consolidated Screening List CSV or BIS Denied Persons TSV")]
    UnknownFormat {
        /// The file.
        file: String,
        /// What was seen.
        why: String,
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
}

/// Every entry loaded, with the rows skipped.
#[derive(Debug, Clone, Default)]
pub struct LoadedLists {
    /// The entries.
    pub entries: Vec<ListEntry>,
    /// Rows skipped in any file, and alternates or addresses whose primary record never came.
    pub problems: Vec<RowProblem>,
}

/// Detect a file's format from its first line.
pub fn detect_format(first_bytes: &[u8]) -> Result<ListFormat, String> {
    let text = String::from_utf8_lossy(first_bytes);
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    if first.trim().is_empty() {
        return Err("the file is empty".into());
    }
    let lower = first.to_ascii_lowercase();
    if first.contains('\t') && lower.contains("name") && lower.contains("effective_date") {
        return Ok(ListFormat::Dpl);
    }
    if lower.contains("source")
        && lower.contains("name")
        && (lower.contains("alt_names") || lower.contains("entity_number"))
    {
        return Ok(ListFormat::Csl);
    }
    let rec = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(first.as_bytes())
        .records()
        .next()
        .and_then(|r| r.ok())
        .ok_or_else(|| "the first line is not CSV".to_string())?;
    let is_num = |i: usize| {
        rec.get(i)
            .is_some_and(|f| !f.trim().is_empty() && f.trim().bytes().all(|b| b.is_ascii_digit()))
    };
    match rec.len() {
        12 if is_num(0) => Ok(ListFormat::OfacPrimary),
        5 if is_num(0)
            && is_num(1)
            && rec.get(2).is_some_and(|t| {
                matches!(
                    t.trim().to_ascii_lowercase().as_str(),
                    "aka" | "fka" | "nka"
                )
            }) =>
        {
            Ok(ListFormat::OfacAlt)
        }
        6 if is_num(0) && is_num(1) => Ok(ListFormat::OfacAddress),
        n => Err(format!("first line has {n} fields")),
    }
}

/// OFAC writes `-0-` (often with a trailing space) for an empty field.
fn ofac_field(s: &str) -> &str {
    let t = s.trim();
    if t == "-0-" {
        ""
    } else {
        t
    }
}

/// Names quoted after "a.k.a." in OFAC remarks: `a.k.a. 'BNC'`.
fn remark_aliases(remarks: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = remarks;
    while let Some(i) = rest.find("a.k.a. '") {
        rest = &rest[i + 8..];
        if let Some(end) = rest.find('\'') {
            let name = rest[..end].trim();
            if !name.is_empty() {
                out.push(name.to_string());
            }
            rest = &rest[end..];
        } else {
            break;
        }
    }
    out
}

/// "[SDGT] [IRGC]" or "CUBA" or "SDGT; IRGC" into a list.
fn split_programs(s: &str) -> Vec<String> {
    s.split(['[', ']', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_mdy(s: &str) -> Result<Option<NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%m/%d/%Y")
        .map(Some)
        .map_err(|e| format!("invalid date {s:?} ({e})"))
}

fn parse_iso(s: &str) -> Result<Option<NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|e| format!("invalid date {s:?} ({e})"))
}

/// The short code of a CSL source: "Entity List (EL) - Bureau of Industry and Security" → "EL".
fn csl_code(source: &str) -> String {
    match (source.find('('), source.find(')')) {
        (Some(a), Some(b)) if b > a + 1 => source[a + 1..b].trim().to_string(),
        _ => source.trim().to_string(),
    }
}

/// An alternate name waiting for its primary record.
#[derive(Debug)]
struct PendingAlias {
    alias: String,
    file: String,
    line: u64,
}

/// Collects entries from list files; alternates and addresses attach to primary records.
#[derive(Debug, Default)]
pub struct ListSet {
    entries: Vec<ListEntry>,
    /// (list, entity number) → index in `entries`
    by_number: HashMap<(String, String), usize>,
    /// alternates and addresses seen before their primary record
    pending_aliases: HashMap<(String, String), Vec<PendingAlias>>,
    pending_countries: HashMap<(String, String), Vec<String>>,
    problems: Vec<RowProblem>,
}

impl ListSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
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
        let mut reader = BoundedLineReader::new(reader, MAX_LINE_BYTES);
        // read the first line (bounded) to detect the format, then chain it back
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            match reader.read(&mut byte) {
                Ok(0) => break,
                Ok(_) => {
                    head.push(byte[0]);
                    if byte[0] == b'\n' {
                        break;
                    }
                }
                Err(e) => {
                    return Err(ListError::Fatal {
                        file: file_name.into(),
                        line: 1,
                        message: e.to_string(),
                    })
                }
            }
        }
        let format = detect_format(&head).map_err(|why| ListError::UnknownFormat {
            file: file_name.into(),
            why,
        })?;
        let family = if file_name.to_ascii_lowercase().contains("cons") {
            "OFAC-CONS"
        } else {
            "OFAC-SDN"
        };
        let input = std::io::Cursor::new(head).chain(reader);
        let has_header = matches!(format, ListFormat::Csl | ListFormat::Dpl);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(has_header)
            .flexible(true)
            .delimiter(if format == ListFormat::Dpl {
                b'\t'
            } else {
                b','
            })
            .from_reader(input);
        let headers: Vec<String> = if has_header {
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
        let col = |name: &str| headers.iter().position(|h| h == name);
        let mut summary = FileSummary {
            file: file_name.into(),
            format,
            records: 0,
            skipped: Vec::new(),
        };
        let mut record = csv::StringRecord::new();
        loop {
            let line = rdr.position().line();
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map(|p| p.line()).unwrap_or(line);
                    // OFAC files end with a DOS end-of-file mark (0x1A) on a line of its own
                    if record.len() == 1
                        && record[0]
                            .trim_matches(|c: char| c == '\u{1a}' || c.is_whitespace())
                            .is_empty()
                    {
                        continue;
                    }
                    let result = match format {
                        ListFormat::OfacPrimary => {
                            self.ofac_primary(family, file_name, line, &record)
                        }
                        ListFormat::OfacAlt => self.ofac_alt(family, file_name, line, &record),
                        ListFormat::OfacAddress => self.ofac_address(family, &record),
                        ListFormat::Csl => self.csl(file_name, line, &record, &col),
                        ListFormat::Dpl => self.dpl(file_name, line, &record, &col),
                    };
                    match result {
                        Ok(()) => summary.records += 1,
                        Err(message) => summary.skipped.push(RowProblem {
                            file: file_name.into(),
                            line,
                            message,
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

    fn ofac_primary(
        &mut self,
        family: &str,
        file: &str,
        line: u64,
        r: &csv::StringRecord,
    ) -> Result<(), String> {
        if r.len() != 12 {
            return Err(format!(
                "expected 12 fields (OFAC primary record), found {}",
                r.len()
            ));
        }
        let num = r[0].trim();
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("entity number {num:?} is not a number"));
        }
        let name = ofac_field(&r[1]).to_string();
        if name.is_empty() {
            return Err("no name".into());
        }
        let kind = match ofac_field(&r[2]).to_ascii_lowercase().as_str() {
            "" => "entity".to_string(),
            k => k.to_string(),
        };
        let key = (family.to_string(), num.to_string());
        let mut aliases = remark_aliases(ofac_field(&r[11]));
        for PendingAlias { alias, .. } in self.pending_aliases.remove(&key).unwrap_or_default() {
            aliases.push(alias);
        }
        let countries = self.pending_countries.remove(&key).unwrap_or_default();
        let entry = ListEntry {
            id: format!("{family}:{num}"),
            list: family.to_string(),
            source: if family == "OFAC-CONS" {
                "OFAC Consolidated Sanctions (non-SDN)"
            } else {
                "OFAC Specially Designated Nationals"
            }
            .into(),
            name,
            aliases,
            kind: Some(kind),
            programs: split_programs(ofac_field(&r[3])),
            countries,
            listed: None,
            expires: None,
            citation: None,
            file: file.to_string(),
            line,
        };
        if let Some(&i) = self.by_number.get(&key) {
            self.entries[i] = entry; // a later copy of the same record replaces the earlier
        } else {
            self.by_number.insert(key, self.entries.len());
            self.entries.push(entry);
        }
        Ok(())
    }

    fn ofac_alt(
        &mut self,
        family: &str,
        file: &str,
        line: u64,
        r: &csv::StringRecord,
    ) -> Result<(), String> {
        if r.len() != 5 {
            return Err(format!(
                "expected 5 fields (OFAC alternate name), found {}",
                r.len()
            ));
        }
        let alias = ofac_field(&r[3]).to_string();
        if alias.is_empty() {
            return Err("no alternate name".into());
        }
        let key = (family.to_string(), r[0].trim().to_string());
        match self.by_number.get(&key) {
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
        }
        Ok(())
    }

    fn ofac_address(&mut self, family: &str, r: &csv::StringRecord) -> Result<(), String> {
        if r.len() != 6 {
            return Err(format!(
                "expected 6 fields (OFAC address), found {}",
                r.len()
            ));
        }
        let Some(code) = country_code(ofac_field(&r[4])) else {
            return Ok(()); // an address without a recognisable country adds nothing
        };
        let key = (family.to_string(), r[0].trim().to_string());
        match self.by_number.get(&key) {
            Some(&i) => {
                let c = &mut self.entries[i].countries;
                if !c.iter().any(|x| x == code) {
                    c.push(code.to_string());
                }
            }
            None => self
                .pending_countries
                .entry(key)
                .or_default()
                .push(code.to_string()),
        }
        Ok(())
    }

    fn csl(
        &mut self,
        file: &str,
        line: u64,
        r: &csv::StringRecord,
        col: &dyn Fn(&str) -> Option<usize>,
    ) -> Result<(), String> {
        let get = |name: &str| col(name).and_then(|i| r.get(i)).unwrap_or("").trim();
        let name = get("name");
        if name.is_empty() {
            return Err("no name".into());
        }
        let source = get("source").to_string();
        let code = csl_code(&source);
        let number = get("entity_number");
        let id = if number.is_empty() {
            format!("CSL:{code}:L{line}")
        } else {
            format!("CSL:{code}:{number}")
        };
        let mut countries: Vec<String> = Vec::new();
        for address in get("addresses").split(';') {
            if let Some(c) = address.rsplit(',').next().and_then(country_code) {
                if !countries.iter().any(|x| x == c) {
                    countries.push(c.to_string());
                }
            }
        }
        for field in ["nationalities", "citizenships"] {
            for part in get(field).split(';') {
                if let Some(c) = country_code(part) {
                    if !countries.iter().any(|x| x == c) {
                        countries.push(c.to_string());
                    }
                }
            }
        }
        let citation = Some(get("federal_register_notice").to_string()).filter(|s| !s.is_empty());
        self.entries.push(ListEntry {
            id,
            list: "CSL".into(),
            source,
            name: name.to_string(),
            aliases: get("alt_names")
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            kind: Some(get("type").to_ascii_lowercase()).filter(|s| !s.is_empty()),
            programs: split_programs(get("programs")),
            countries,
            listed: parse_iso(get("start_date"))?,
            expires: parse_iso(get("end_date"))?,
            citation,
            file: file.to_string(),
            line,
        });
        Ok(())
    }

    fn dpl(
        &mut self,
        file: &str,
        line: u64,
        r: &csv::StringRecord,
        col: &dyn Fn(&str) -> Option<usize>,
    ) -> Result<(), String> {
        let get = |name: &str| col(name).and_then(|i| r.get(i)).unwrap_or("").trim();
        let name = get("name");
        if name.is_empty() {
            return Err("no name".into());
        }
        let country = get("country");
        self.entries.push(ListEntry {
            id: format!("BIS-DPL:{line}"),
            list: "BIS-DPL".into(),
            source: "BIS Denied Persons List".into(),
            name: name.to_string(),
            aliases: Vec::new(),
            kind: None,
            programs: Vec::new(),
            countries: country_code(country)
                .map(|c| vec![c.to_string()])
                .unwrap_or_default(),
            listed: parse_mdy(get("effective_date"))?,
            expires: parse_mdy(get("expiration_date"))?,
            citation: Some(get("fr_citation").to_string()).filter(|s| !s.is_empty()),
            file: file.to_string(),
            line,
        });
        Ok(())
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
        LoadedLists {
            entries: self.entries,
            problems: self.problems,
        }
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
    fn remarks_and_programs() {
        assert_eq!(
            remark_aliases("a.k.a. 'BNC'; a.k.a. 'X Y'."),
            vec!["BNC", "X Y"]
        );
        assert_eq!(split_programs("[SDGT] [IRGC]"), vec!["SDGT", "IRGC"]);
        assert_eq!(split_programs("CUBA"), vec!["CUBA"]);
        assert_eq!(
            csl_code("Entity List (EL) - Bureau of Industry and Security"),
            "EL"
        );
    }

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
        assert_eq!(e.aliases, vec!["BNC", "NATIONAL BANK OF CUBA"]);
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
        let mut set = ListSet::new();
        let dpl = b"Name\tCountry\tEffective_Date\tExpiration_Date\nA\tUS\t13/45/2020\t\nB\tCN\t06/19/2003\t06/29/2056\n";
        let summary = set.add_reader("dpl.txt", &dpl[..]).unwrap();
        assert_eq!((summary.records, summary.skipped[0].line), (1, 2));
        let e = &set.finish().entries[0];
        assert_eq!(e.expires, NaiveDate::from_ymd_opt(2056, 6, 29));
        assert_eq!(e.countries, vec!["CN"]);
    }

    #[test]
    fn garbage_and_huge_lines_are_errors() {
        let mut set = ListSet::new();
        assert!(matches!(
            set.add_reader("x.csv", &b"\x00\x01\x02garbage"[..]),
            Err(ListError::UnknownFormat { .. })
        ));
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
