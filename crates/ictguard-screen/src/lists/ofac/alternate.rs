//! OFAC alternate names: entity number, alternate number, type (aka, fka, nka), name, remarks
//! (5 fields).

use super::{family, field};
use crate::lists::source::{FirstLine, ListSource, Parsed, Row};
use crate::lists::RowError;

/// OFAC legacy CSV, alternate names.
pub(crate) struct Alternate;

impl ListSource for Alternate {
    fn name(&self) -> &'static str {
        "OFAC legacy CSV, alternate names"
    }

    fn recognizes(&self, first: &FirstLine<'_>) -> bool {
        first.field_count() == 5
            && first.is_number(0)
            && first.is_number(1)
            && first
                .field(2)
                .is_some_and(|t| matches!(t.to_ascii_lowercase().as_str(), "aka" | "fka" | "nka"))
    }

    fn parse(&self, row: &Row<'_>) -> Result<Parsed, RowError> {
        let r = row.record;
        if r.len() != 5 {
            return Err(RowError::FieldCount {
                expected: 5,
                what: "OFAC alternate name",
                found: r.len(),
            });
        }
        let alias = field(&r[3]).to_string();
        if alias.is_empty() {
            return Err(RowError::NoAlternateName);
        }
        let key = (family(row.file).to_string(), r[0].trim().to_string());
        Ok(Parsed::Alias(key, alias))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::source::parse_all;

    #[test]
    fn names_attach_by_entity_number() {
        let rows = parse_all(
            &Alternate,
            "alt.csv",
            "306,220,\"aka\",\"NATIONAL BANK OF CUBA\",-0- \n306,221,\"aka\",-0- ,-0- \n",
        );
        match &rows[0] {
            Ok(Parsed::Alias(key, alias)) => {
                assert_eq!(key, &("OFAC-SDN".to_string(), "306".to_string()));
                assert_eq!(alias, "NATIONAL BANK OF CUBA");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(rows[1].as_ref().unwrap_err(), &RowError::NoAlternateName);
    }
}
