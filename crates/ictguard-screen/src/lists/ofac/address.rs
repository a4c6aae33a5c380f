//! OFAC addresses: entity number, address number, street, city, country, remarks (6 fields).
//! Only the country is kept: screening compares countries, not streets.

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
        let Some(code) = country_code(field(&r[4])) else {
            return Ok(Parsed::Nothing); // an address without a recognisable country adds nothing
        };
        let key = (family(row.file).to_string(), r[0].trim().to_string());
        Ok(Parsed::Country(key, code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::source::parse_all;

    #[test]
    fn the_country_is_kept() {
        let rows = parse_all(
            &Address,
            "add.csv",
            "306,199,\"Zweierstrasse 35\",\"Zurich CH-8022\",\"Switzerland\",-0- \n\
             306,200,-0- ,-0- ,\"Atlantis\",-0- \n",
        );
        assert!(
            matches!(&rows[0], Ok(Parsed::Country(_, "CH"))),
            "{:?}",
            rows[0]
        );
        assert!(matches!(&rows[1], Ok(Parsed::Nothing)), "{:?}", rows[1]);
    }
}
