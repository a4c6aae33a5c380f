//! The BIS Denied Persons List: tab-separated with a header, one row per denial order. Rows have
//! no stable number, so an entry's id is its line.

use super::countries::country_code;
use super::dates::parse_mdy;
use super::source::{FirstLine, ListSource, Parsed, Row};
use super::{ListEntry, RowError};

/// BIS Denied Persons List, tab-separated.
pub(crate) struct DeniedPersons;

impl ListSource for DeniedPersons {
    fn name(&self) -> &'static str {
        "BIS Denied Persons List TSV"
    }

    fn recognizes(&self, first: &FirstLine<'_>) -> bool {
        first.text.contains('\t')
            && first.lower.contains("name")
            && first.lower.contains("effective_date")
    }

    fn has_header(&self) -> bool {
        true
    }

    fn delimiter(&self) -> u8 {
        b'\t'
    }

    fn parse(&self, row: &Row<'_>) -> Result<Parsed, RowError> {
        let name = row.column("name");
        if name.is_empty() {
            return Err(RowError::NoName);
        }
        Ok(Parsed::Entry(ListEntry {
            id: format!("BIS-DPL:{}", row.line),
            list: "BIS-DPL".into(),
            source: "BIS Denied Persons List".into(),
            name: name.to_string(),
            aliases: Vec::new(),
            weak_aliases: Vec::new(),
            kind: None,
            programs: Vec::new(),
            countries: country_code(row.column("country"))
                .map(|c| vec![c.to_string()])
                .unwrap_or_default(),
            dates_of_birth: Vec::new(),
            addresses: {
                let parts = ["street_address", "city", "state", "postal_code", "country"];
                let text = parts
                    .iter()
                    .map(|c| row.column(c))
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                (!text.is_empty()).then_some(text).into_iter().collect()
            },
            listed: parse_mdy(row.column("effective_date"))?,
            expires: parse_mdy(row.column("expiration_date"))?,
            citation: Some(row.column("fr_citation").to_string()).filter(|s| !s.is_empty()),
            file: row.file.to_string(),
            line: row.line,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::source::parse_all;
    use chrono::NaiveDate;

    #[test]
    fn rows_and_a_bad_date() {
        let rows = parse_all(
            &DeniedPersons,
            "dpl.txt",
            "Name\tCountry\tEffective_Date\tExpiration_Date\tFR_Citation\n\
             A\tUS\t13/45/2020\t\t\n\
             B\tCN\t06/19/2003\t06/29/2056\t68 F.R. 1\n\
             \tCN\t06/19/2003\t\t\n",
        );
        assert_eq!(
            rows[0].as_ref().unwrap_err().to_string(),
            "invalid date \"13/45/2020\" (input is out of range)"
        );
        match &rows[1] {
            Ok(Parsed::Entry(e)) => {
                assert_eq!(e.id, "BIS-DPL:3");
                assert_eq!(e.expires, NaiveDate::from_ymd_opt(2056, 6, 29));
                assert_eq!(e.countries, vec!["CN"]);
                assert_eq!(e.citation.as_deref(), Some("68 F.R. 1"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(rows[2].as_ref().unwrap_err(), &RowError::NoName);
    }
}
