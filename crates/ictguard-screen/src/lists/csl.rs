//! The Consolidated Screening List (trade.gov): one CSV with a header, gathering the export and
//! sanctions lists of Commerce, State and Treasury. Each row says which list it comes from in its
//! `source` column.

use super::countries::country_code;
use super::dates::parse_iso;
use super::programs::split_programs;
use super::source::{FirstLine, ListSource, Parsed, Row};
use super::{ListEntry, RowError};

/// Consolidated Screening List CSV.
pub(crate) struct ConsolidatedScreeningList;

impl ListSource for ConsolidatedScreeningList {
    fn name(&self) -> &'static str {
        "Consolidated Screening List CSV"
    }

    fn recognizes(&self, first: &FirstLine<'_>) -> bool {
        let lower = first.lower;
        lower.contains("source")
            && lower.contains("name")
            && (lower.contains("alt_names") || lower.contains("entity_number"))
    }

    fn has_header(&self) -> bool {
        true
    }

    fn parse(&self, row: &Row<'_>) -> Result<Parsed, RowError> {
        let name = row.column("name");
        if name.is_empty() {
            return Err(RowError::NoName);
        }
        let source = row.column("source").to_string();
        let code = csl_code(&source);
        let number = row.column("entity_number");
        let id = if number.is_empty() {
            format!("CSL:{code}:L{}", row.line)
        } else {
            format!("CSL:{code}:{number}")
        };
        let mut countries: Vec<String> = Vec::new();
        let mut add = |c: &str| {
            if !countries.iter().any(|x| x == c) {
                countries.push(c.to_string());
            }
        };
        for address in row.column("addresses").split(';') {
            if let Some(c) = address.rsplit(',').next().and_then(country_code) {
                add(c);
            }
        }
        for field in ["nationalities", "citizenships"] {
            for part in row.column(field).split(';') {
                if let Some(c) = country_code(part) {
                    add(c);
                }
            }
        }
        let citation =
            Some(row.column("federal_register_notice").to_string()).filter(|s| !s.is_empty());
        Ok(Parsed::Entry(ListEntry {
            id,
            list: "CSL".into(),
            source,
            name: name.to_string(),
            aliases: row
                .column("alt_names")
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            weak_aliases: Vec::new(),
            kind: Some(row.column("type").to_ascii_lowercase()).filter(|s| !s.is_empty()),
            programs: split_programs(row.column("programs")),
            countries,
            dates_of_birth: split_list(row.column("dates_of_birth")),
            addresses: split_list(row.column("addresses")),
            listed: parse_iso(row.column("start_date"))?,
            expires: parse_iso(row.column("end_date"))?,
            citation,
            file: row.file.to_string(),
            line: row.line,
        }))
    }
}

/// The parts of a `;`-separated CSL column, trimmed.
fn split_list(column: &str) -> Vec<String> {
    column
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The short code of a CSL source: "Entity List (EL) - Bureau of Industry and Security" → "EL".
fn csl_code(source: &str) -> String {
    match (source.find('('), source.find(')')) {
        (Some(a), Some(b)) if b > a + 1 => source[a + 1..b].trim().to_string(),
        _ => source.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::source::parse_all;

    #[test]
    fn source_codes() {
        assert_eq!(
            csl_code("Entity List (EL) - Bureau of Industry and Security"),
            "EL"
        );
        assert_eq!(
            csl_code(" Nonproliferation Sanctions "),
            "Nonproliferation Sanctions"
        );
    }

    #[test]
    fn a_row_with_countries_and_a_bad_date() {
        let rows = parse_all(
            &ConsolidatedScreeningList,
            "csl.csv",
            "source,entity_number,type,programs,name,addresses,nationalities,start_date,alt_names\n\
             Entity List (EL) - Bureau of Industry and Security,,Entity,EAR,Huawei,\"Shenzhen, CN; Bonn, Germany\",China,2019-05-16,Huawei Technologies; HW\n\
             Entity List (EL) - Bureau of Industry and Security,7,,,X,,,2019-02-30,\n",
        );
        match &rows[0] {
            Ok(Parsed::Entry(e)) => {
                assert_eq!(e.id, "CSL:EL:L2");
                assert_eq!(e.kind.as_deref(), Some("entity"));
                assert_eq!(e.countries, vec!["CN", "DE"]);
                assert_eq!(e.aliases, vec!["Huawei Technologies", "HW"]);
                assert_eq!(e.listed, chrono::NaiveDate::from_ymd_opt(2019, 5, 16));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(rows[1], Err(RowError::Date(_))), "{:?}", rows[1]);
    }
}
