//! The UN Security Council Consolidated List, as the UN publishes it in XML
//! (`scsanctions.un.org/resources/xml/en/consolidated.xml`, schema `sc-sanctions.xsd`): one
//! `INDIVIDUAL` or `ENTITY` element per listing, with its reference number, the sanctions regime
//! (`UN_LIST_TYPE`), the date it was listed, aliases with their quality, nationalities and
//! addresses.
//!
//! The document is read whole by [`super::whole`] (it is about 2 MB in 2026). Each listing is one
//! entry; a listing without a name is a skipped row, as a bad CSV row is.

use chrono::NaiveDate;

use super::countries::country_code;
use super::source::{FirstLine, ListSource, Parsed, Row};
use super::xml::{child_text, Document, Lines};
use super::{ListEntry, RowError};

/// The UN Security Council Consolidated List XML. It claims every XML file in detection (the
/// first line of an XML file does not say which document it is): [`super::whole`] reads the
/// document and tells the UN's from the EU's by the root element.
pub(crate) struct UnConsolidated;

impl ListSource for UnConsolidated {
    fn name(&self) -> &'static str {
        "UN Security Council Consolidated List XML"
    }

    fn recognizes(&self, first: &FirstLine<'_>) -> bool {
        first.text.trim_start().starts_with('<')
    }

    fn whole_document(&self) -> bool {
        true
    }

    fn parse(&self, _row: &Row<'_>) -> Result<Parsed, RowError> {
        // a whole-document format: `super::xml` does the work, never row by row
        Err(RowError::NoName)
    }
}

/// The listings of a parsed UN document (its root is `CONSOLIDATED_LIST`).
pub(crate) fn listings(file: &str, doc: &roxmltree::Document<'_>) -> Document {
    let root = doc.root_element();
    let generated = root
        .attribute("dateGenerated")
        .and_then(|d| d.get(..10))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let mut out = Document::new(generated);
    let mut lines = Lines::new(doc);
    for group in root.children().filter(|n| n.is_element()) {
        for listing in group.children().filter(|n| n.is_element()) {
            let kind = match listing.tag_name().name() {
                "INDIVIDUAL" => "individual",
                "ENTITY" => "entity",
                _ => continue,
            };
            let line = lines.of(listing);
            out.keep(file, line, entry(file, line, kind, listing));
        }
    }
    out
}

fn entry(
    file: &str,
    line: u64,
    kind: &str,
    listing: roxmltree::Node<'_, '_>,
) -> Result<ListEntry, RowError> {
    let name = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|f| child_text(listing, f))
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        return Err(RowError::NoName);
    }
    let reference = child_text(listing, "REFERENCE_NUMBER")
        .or_else(|| child_text(listing, "DATAID"))
        .unwrap_or("?");
    let (mut aliases, mut weak_aliases) = (Vec::new(), Vec::new());
    let alias_tag = match kind {
        "individual" => "INDIVIDUAL_ALIAS",
        _ => "ENTITY_ALIAS",
    };
    for alias in listing.children().filter(|c| c.has_tag_name(alias_tag)) {
        let Some(alias_name) = child_text(alias, "ALIAS_NAME") else {
            continue;
        };
        // the UN marks each alias's quality: "Low" ones are the weak aliases
        match child_text(alias, "QUALITY") {
            Some(q) if q.eq_ignore_ascii_case("low") => weak_aliases.push(alias_name.to_string()),
            _ => aliases.push(alias_name.to_string()),
        }
    }
    let mut countries: Vec<String> = Vec::new();
    let mut add_country = |text: &str| {
        if let Some(code) = country_code(text) {
            if !countries.iter().any(|c| c == code) {
                countries.push(code.to_string());
            }
        }
    };
    for nationality in listing.children().filter(|c| c.has_tag_name("NATIONALITY")) {
        for value in nationality.children().filter(|c| c.has_tag_name("VALUE")) {
            if let Some(t) = value.text() {
                add_country(t.trim());
            }
        }
    }
    let address_tag = match kind {
        "individual" => "INDIVIDUAL_ADDRESS",
        _ => "ENTITY_ADDRESS",
    };
    let mut addresses = Vec::new();
    for address in listing.children().filter(|c| c.has_tag_name(address_tag)) {
        if let Some(country) = child_text(address, "COUNTRY") {
            add_country(country);
        }
        let parts = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"];
        let text = parts
            .iter()
            .filter_map(|p| child_text(address, p))
            .collect::<Vec<_>>()
            .join(", ");
        if !text.is_empty() && !addresses.contains(&text) {
            addresses.push(text);
        }
    }
    // a day, a year, or a range of years, as the UN gives it
    let dates_of_birth: Vec<String> = listing
        .children()
        .filter(|c| c.has_tag_name("INDIVIDUAL_DATE_OF_BIRTH"))
        .filter_map(|d| {
            let circa = child_text(d, "TYPE_OF_DATE")
                .filter(|t| t.eq_ignore_ascii_case("approximately"))
                .map_or("", |_| "circa ");
            let when = child_text(d, "DATE")
                .map(|x| x.get(..10).unwrap_or(x).to_string())
                .or_else(|| child_text(d, "YEAR").map(str::to_string))
                .or_else(|| {
                    child_text(d, "FROM_YEAR")
                        .zip(child_text(d, "TO_YEAR"))
                        .map(|(a, b)| format!("{a} to {b}"))
                })?;
            Some(format!("{circa}{when}"))
        })
        .collect();
    let listed = match child_text(listing, "LISTED_ON") {
        // an xs:date may carry a time zone ("2015-04-07-04:00"): the day is what it says
        Some(d) => Some(
            NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").map_err(|reason| {
                RowError::Date(super::DateError {
                    text: d.to_string(),
                    reason,
                })
            })?,
        ),
        None => None,
    };
    Ok(ListEntry {
        id: format!("UN-SC:{reference}"),
        list: "UN-SC".into(),
        source: "UN Security Council Consolidated List".into(),
        name,
        aliases,
        weak_aliases,
        kind: Some(kind.into()),
        programs: child_text(listing, "UN_LIST_TYPE")
            .map(|p| vec![p.to_string()])
            .unwrap_or_default(),
        countries,
        dates_of_birth,
        addresses,
        listed,
        expires: None,
        citation: Some(format!("UN Security Council, {reference}")),
        file: file.into(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>1</DATAID>
      <FIRST_NAME>ERIC</FIRST_NAME>
      <SECOND_NAME>BADEGE</SECOND_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
      <REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>
      <LISTED_ON>2012-12-31</LISTED_ON>
      <NATIONALITY><VALUE>Democratic Republic of the Congo</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>E. BADEGE</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Eric</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS><CITY>Kigali</CITY><COUNTRY>Rwanda</COUNTRY></INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1971</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
    </INDIVIDUAL>
    <INDIVIDUAL><DATAID>2</DATAID><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <FIRST_NAME>ADF</FIRST_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
      <REFERENCE_NUMBER>CDe.001</REFERENCE_NUMBER>
      <LISTED_ON>2014-06-30-04:00</LISTED_ON>
      <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Allied Democratic Forces</ALIAS_NAME></ENTITY_ALIAS>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>"#;

    #[test]
    fn listings_become_entries_with_their_dates_and_alias_quality() {
        let (format, doc) = super::super::whole::read("consolidated.xml", DOC.as_bytes()).unwrap();
        assert_eq!(format, super::super::ListFormat::UnXml);
        assert_eq!(doc.generated, NaiveDate::from_ymd_opt(2026, 2, 27));
        assert_eq!(doc.entries.len(), 2);
        let eric = &doc.entries[0];
        assert_eq!(eric.id, "UN-SC:CDi.001");
        assert_eq!(eric.name, "ERIC BADEGE");
        assert_eq!(eric.aliases, ["E. BADEGE"]);
        assert_eq!(eric.weak_aliases, ["Eric"]);
        assert_eq!(eric.countries, ["CD", "RW"]);
        assert_eq!(eric.addresses, ["Kigali, Rwanda"]);
        assert_eq!(eric.dates_of_birth, ["1971"]);
        assert_eq!(eric.listed, NaiveDate::from_ymd_opt(2012, 12, 31));
        assert_eq!(eric.line, 4);
        let adf = &doc.entries[1];
        assert_eq!(
            (adf.kind.as_deref(), adf.aliases.len()),
            (Some("entity"), 1)
        );
        assert_eq!(adf.listed, NaiveDate::from_ymd_opt(2014, 6, 30));
        assert_eq!(doc.skipped.len(), 1);
        assert_eq!(doc.skipped[0].message, "no name");
    }
}
