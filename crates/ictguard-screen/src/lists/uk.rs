//! The UK Sanctions List, as the Foreign, Commonwealth and Development Office publishes it in XML
//! (`sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml`, the one UK list since OFSI's
//! consolidated list closed in January 2026): one `Designation` per listing, its data in
//! elements: `UniqueID`, `DateDesignated` (dd/mm/yyyy), `RegimeName`, `IndividualEntityShip`,
//! and `Names/Name` with `Name1`…`Name6` and `NameType` (primary name or alias).
//!
//! The document is read whole by [`super::whole`].

use chrono::NaiveDate;

use super::countries::country_code;
use super::xml::{child_text, Document, Lines};
use super::{ListEntry, RowError};

/// A UK date, `dd/mm/yyyy` (a part unknown is written `dd` or `mm`: no date then).
fn uk_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%d/%m/%Y").ok()
}

/// The designations of a parsed UK document (its root is `Designations`).
pub(crate) fn designations(file: &str, doc: &roxmltree::Document<'_>) -> Document {
    let root = doc.root_element();
    let mut out = Document::new(child_text(root, "DateGenerated").and_then(uk_date));
    let mut lines = Lines::new(doc);
    for d in root.children().filter(|n| n.has_tag_name("Designation")) {
        let line = lines.of(d);
        out.keep(file, line, entry(file, line, d));
    }
    out
}

fn entry(file: &str, line: u64, d: roxmltree::Node<'_, '_>) -> Result<ListEntry, RowError> {
    let (mut primary, mut aliases) = (None, Vec::new());
    let names = d.children().filter(|c| c.has_tag_name("Names"));
    for name in names.flat_map(|n| n.children().filter(|c| c.has_tag_name("Name"))) {
        let full = ["Name1", "Name2", "Name3", "Name4", "Name5", "Name6"]
            .iter()
            .filter_map(|p| child_text(name, p))
            .collect::<Vec<_>>()
            .join(" ");
        if full.is_empty() {
            continue;
        }
        let is_primary =
            child_text(name, "NameType").is_some_and(|t| t.eq_ignore_ascii_case("primary name"));
        if is_primary && primary.is_none() {
            primary = Some(full);
        } else if !aliases.contains(&full) {
            aliases.push(full);
        }
    }
    let name = match primary {
        Some(p) => p,
        None if !aliases.is_empty() => aliases.remove(0),
        None => return Err(RowError::NoName),
    };
    let reference = child_text(d, "UniqueID").unwrap_or("?");
    let kind = child_text(d, "IndividualEntityShip").map(|k| match k {
        k if k.eq_ignore_ascii_case("individual") => "individual".to_string(),
        k if k.eq_ignore_ascii_case("entity") => "entity".to_string(),
        k if k.eq_ignore_ascii_case("ship") => "vessel".to_string(),
        other => other.to_ascii_lowercase(),
    });
    let mut countries: Vec<String> = Vec::new();
    for node in d
        .descendants()
        .filter(|n| n.has_tag_name("Nationality") || n.has_tag_name("AddressCountry"))
    {
        if let Some(code) = node.text().and_then(|t| country_code(t.trim())) {
            if !countries.iter().any(|c| c == code) {
                countries.push(code.to_string());
            }
        }
    }
    let dates_of_birth: Vec<String> = d
        .descendants()
        .filter(|n| n.has_tag_name("DOB"))
        .filter_map(|n| n.text().map(str::trim).filter(|t| !t.is_empty()))
        .map(str::to_string)
        .collect();
    let mut addresses = Vec::new();
    for address in d.descendants().filter(|n| n.has_tag_name("Address")) {
        let text = address
            .children()
            .filter_map(|c| c.text().map(str::trim))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        if !text.is_empty() && !addresses.contains(&text) {
            addresses.push(text);
        }
    }
    Ok(ListEntry {
        id: format!("UK:{reference}"),
        list: "UK".into(),
        source: "UK Sanctions List".into(),
        name,
        aliases,
        weak_aliases: Vec::new(),
        kind,
        programs: child_text(d, "RegimeName")
            .map(|r| vec![r.to_string()])
            .unwrap_or_default(),
        countries,
        dates_of_birth,
        addresses,
        listed: child_text(d, "DateDesignated").and_then(uk_date),
        expires: None,
        citation: Some(format!("UK Sanctions List {reference}")),
        file: file.into(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    // shaped as the FCDO's UK Sanctions List XML is
    const DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Designations xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <DateGenerated>02/09/2026</DateGenerated>
  <Designation>
    <LastUpdated>04/08/2026</LastUpdated>
    <DateDesignated>25/01/2001</DateDesignated>
    <UniqueID>AFG0006</UniqueID>
    <Names>
      <Name><Name1>MOHAMMAD</Name1><Name2>HASSAN</Name2><Name6>AKHUND</Name6><NameType>Primary Name</NameType></Name>
      <Name><Name6>Mullah Mohammad Hassan</Name6><NameType>Alias</NameType></Name>
    </Names>
    <RegimeName>The Afghanistan (Sanctions) (EU Exit) Regulations 2020</RegimeName>
    <IndividualEntityShip>Individual</IndividualEntityShip>
    <IndividualDetails><Individual><DOBs><DOB>dd/mm/1950</DOB></DOBs><Nationalities><Nationality>Afghanistan</Nationality></Nationalities></Individual></IndividualDetails>
  </Designation>
  <Designation>
    <DateDesignated>dd/mm/2022</DateDesignated>
    <UniqueID>RUS9999</UniqueID>
    <Names><Name><Name6>SOME TANKER</Name6><NameType>Primary Name</NameType></Name></Names>
    <IndividualEntityShip>Ship</IndividualEntityShip>
  </Designation>
  <Designation><UniqueID>X1</UniqueID><Names/></Designation>
</Designations>"#;

    #[test]
    fn designations_become_entries() {
        let (format, doc) = super::super::whole::read("uk.xml", DOC.as_bytes()).unwrap();
        assert_eq!(format, super::super::ListFormat::UkXml);
        assert_eq!(doc.generated, NaiveDate::from_ymd_opt(2026, 9, 2));
        assert_eq!(doc.entries.len(), 2);
        let akhund = &doc.entries[0];
        assert_eq!(akhund.id, "UK:AFG0006");
        assert_eq!(akhund.name, "MOHAMMAD HASSAN AKHUND");
        assert_eq!(akhund.aliases, ["Mullah Mohammad Hassan"]);
        assert_eq!(akhund.kind.as_deref(), Some("individual"));
        assert_eq!(akhund.countries, ["AF"]);
        assert_eq!(akhund.dates_of_birth, ["dd/mm/1950"]);
        assert_eq!(akhund.listed, NaiveDate::from_ymd_opt(2001, 1, 25));
        let tanker = &doc.entries[1];
        assert_eq!(tanker.kind.as_deref(), Some("vessel"));
        assert_eq!(tanker.listed, None, "a date with an unknown day is no date");
        assert_eq!(doc.skipped[0].message, "no name");
    }
}
