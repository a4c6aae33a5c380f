//! OFAC addresses: entity number, address number, street, city, country, remarks (6 fields).
//! Screening compares countries; the address itself is kept for the reviewer.

use super::{family, field};
use crate::lists::countries::country_code;
use crate::lists::source::{FirstLine, ListSource, Parsed, Row};
use crate::lists::RowError;

/// OFAC legacy CSV, addresses.
pub(crate) struct Address;

impl ListSource for Address {
    fn name(&self) -> &'static str {
        "OFAC legacy CSV, addresses"
    }

    fn recognizes(&self, first: &FirstLine<'_>) -> bool {
        first.field_count() == 6 && first.is_number(0) && first.is_number(1)
    }

    fn parse(&self, row: &Row<'_>) -> Result<Parsed, RowError> {
        let r = row.record;
        if r.len() != 6 {
            return Err(RowError::FieldCount {
                expected: 6,
                what: "OFAC address",
                found: r.len(),
            });
        }
        let text = [field(&r[2]), field(&r[3]), field(&r[4])]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let code = country_code(field(&r[4]));
        if text.is_empty() {
            return Ok(Parsed::Nothing); // an address row that says nothing
        }
        let key = (family(row.file).to_string(), r[0].trim().to_string());
        Ok(Parsed::Address(key, text, code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::source::parse_all;

    #[test]
    fn the_address_and_its_country_are_kept() {
        let rows = parse_all(
            &Address,
            "add.csv",
            "306,199,\"Zweierstrasse 35\",\"Zurich CH-8022\",\"Switzerland\",-0- \n\
             306,200,-0- ,-0- ,\"Atlantis\",-0- \n\
             306,201,-0- ,-0- ,-0- ,-0- \n",
        );
        match &rows[0] {
            Ok(Parsed::Address(_, text, Some("CH"))) => {
                assert_eq!(text, "Zweierstrasse 35, Zurich CH-8022, Switzerland")
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&rows[1], Ok(Parsed::Address(_, t, None)) if t == "Atlantis"),
            "{:?}",
            rows[1]
        );
        assert!(matches!(&rows[2], Ok(Parsed::Nothing)), "{:?}", rows[2]);
    }
}
