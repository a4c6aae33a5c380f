//! OFAC primary records: entity number, name, type, programs, …, remarks (12 fields).

use super::{family, field, remark_aliases};
use crate::lists::programs::split_programs;
use crate::lists::source::{FirstLine, ListSource, Parsed, Row};
use crate::lists::{ListEntry, RowError};

/// OFAC legacy CSV, primary records.
pub(crate) struct Primary;

impl ListSource for Primary {
    fn name(&self) -> &'static str {
        "OFAC legacy CSV, primary records"
    }

    fn recognizes(&self, first: &FirstLine<'_>) -> bool {
        first.field_count() == 12 && first.is_number(0)
    }

    fn parse(&self, row: &Row<'_>) -> Result<Parsed, RowError> {
        let r = row.record;
        if r.len() != 12 {
            return Err(RowError::FieldCount {
                expected: 12,
                what: "OFAC primary record",
                found: r.len(),
            });
        }
        let num = r[0].trim();
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RowError::EntityNumber(num.to_string()));
        }
        let name = field(&r[1]).to_string();
        if name.is_empty() {
            return Err(RowError::NoName);
        }
        let kind = match field(&r[2]).to_ascii_lowercase().as_str() {
            "" => "entity".to_string(),
            k => k.to_string(),
        };
        let family = family(row.file);
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
            aliases: Vec::new(),
            weak_aliases: remark_aliases(field(&r[11])),
            kind: Some(kind),
            programs: split_programs(field(&r[3])),
            countries: Vec::new(),
            dates_of_birth: remark_dates_of_birth(field(&r[11])),
            addresses: Vec::new(),
            listed: None,
            expires: None,
            citation: None,
            file: row.file.to_string(),
            line: row.line,
        };
        Ok(Parsed::Primary(
            (family.to_string(), num.to_string()),
            entry,
        ))
    }
}

/// The dates of birth a record's remarks give ("DOB 19 Jun 1951; POB …", "DOB circa 1960"):
/// the legacy CSV has no field for them.
fn remark_dates_of_birth(remarks: &str) -> Vec<String> {
    remarks
        .split(';')
        .filter_map(|part| part.trim().strip_prefix("DOB "))
        .map(|d| d.trim().trim_end_matches('.').to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::source::parse_all;

    #[test]
    fn dates_of_birth_come_from_the_remarks() {
        assert_eq!(
            remark_dates_of_birth("DOB 19 Jun 1951; POB Giza, Egypt; DOB circa 1955."),
            ["19 Jun 1951", "circa 1955"]
        );
        assert!(remark_dates_of_birth("a.k.a. 'X'").is_empty());
    }

    #[test]
    fn a_record_with_remarks_and_a_bad_one() {
        let rows = parse_all(
            &Primary,
            "cons_prim.csv",
            "9639,\"X CORP\",-0- ,\"[SDGT] [IRGC]\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'XC'.\"\n\
             A1,\"Y\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n\
             3,\"Z\",-0-\n",
        );
        match &rows[0] {
            Ok(Parsed::Primary(key, e)) => {
                assert_eq!(key, &("OFAC-CONS".to_string(), "9639".to_string()));
                assert_eq!(e.id, "OFAC-CONS:9639");
                assert_eq!(e.kind.as_deref(), Some("entity"));
                assert_eq!(e.programs, vec!["SDGT", "IRGC"]);
                assert_eq!(e.weak_aliases, vec!["XC"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            rows[1].as_ref().unwrap_err().to_string(),
            "entity number \"A1\" is not a number"
        );
        assert_eq!(
            rows[2].as_ref().unwrap_err().to_string(),
            "expected 12 fields (OFAC primary record), found 3"
        );
    }
}
