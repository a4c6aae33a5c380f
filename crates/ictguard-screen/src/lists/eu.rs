//! The EU's consolidated list of persons, groups and entities subject to financial sanctions, as
//! the Commission's Financial Sanctions Files publish it in XML (version 1.1): one
//! `sanctionEntity` per listing, its data in attributes: `designationDate` and
//! `euReferenceNumber` on the entity, `subjectType@code` (person or enterprise), every name as a
//! `nameAlias@wholeName` with `strong` true or false (weak ones are the EU's own "weak aliases"),
//! `citizenship@countryIso2Code` and `address@countryIso2Code`, and the regulations that listed
//! it (`regulation@programme`, `@entryIntoForceDate`).
//!
//! The document is read whole by [`super::whole`].

use super::xml::{leading_date, Document, Lines};
use super::{ListEntry, RowError};

/// The entities of a parsed EU document (its root is `export`).
pub(crate) fn entities(file: &str, doc: &roxmltree::Document<'_>) -> Document {
    let root = doc.root_element();
    let mut out = Document::new(root.attribute("generationDate").and_then(leading_date));
    let mut lines = Lines::new(doc);
    for entity in root.children().filter(|n| n.has_tag_name("sanctionEntity")) {
        let line = lines.of(entity);
        out.keep(file, line, entry(file, line, entity));
    }
    out
}

/// The elements of `node` named `name`.
fn children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    node.children().filter(move |c| c.has_tag_name(name))
}

fn entry(file: &str, line: u64, entity: roxmltree::Node<'_, '_>) -> Result<ListEntry, RowError> {
    let (mut strong, mut weak) = (Vec::new(), Vec::new());
    for alias in children(entity, "nameAlias") {
        let whole = alias.attribute("wholeName").map(str::trim).unwrap_or("");
        let name = match whole.is_empty() {
            false => whole.to_string(),
            true => ["firstName", "middleName", "lastName"]
                .iter()
                .filter_map(|a| alias.attribute(*a).map(str::trim))
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        };
        if name.is_empty() || strong.contains(&name) || weak.contains(&name) {
            continue;
        }
        match alias.attribute("strong") {
            Some("false") => weak.push(name),
            _ => strong.push(name),
        }
    }
    // the first strong name is the entry's name; with none, the first weak one (kept weak)
    let (name, aliases) = match strong.is_empty() {
        false => (strong.remove(0), strong),
        true if !weak.is_empty() => (weak[0].clone(), Vec::new()),
        true => return Err(RowError::NoName),
    };
    let reference = entity
        .attribute("euReferenceNumber")
        .or_else(|| entity.attribute("logicalId"))
        .unwrap_or("?");
    let kind = children(entity, "subjectType")
        .next()
        .and_then(|t| {
            t.attribute("code")
                .or_else(|| t.attribute("classificationCode"))
        })
        .map(|c| match c {
            "person" | "P" => "individual",
            "enterprise" | "E" => "entity",
            other => other,
        })
        .map(str::to_string);
    let mut countries: Vec<String> = Vec::new();
    for node in children(entity, "citizenship").chain(children(entity, "address")) {
        if let Some(code) = node
            .attribute("countryIso2Code")
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| c.len() == 2 && c != "00")
        {
            if !countries.contains(&code) {
                countries.push(code);
            }
        }
    }
    let mut addresses = Vec::new();
    for address in children(entity, "address") {
        let parts = ["street", "city", "zipCode", "region", "countryDescription"];
        let text = parts
            .iter()
            .filter_map(|a| address.attribute(*a).map(str::trim))
            .filter(|p| !p.is_empty() && *p != "UNKNOWN")
            .collect::<Vec<_>>()
            .join(", ");
        if !text.is_empty() && !addresses.contains(&text) {
            addresses.push(text);
        }
    }
    let dates_of_birth: Vec<String> = children(entity, "birthdate")
        .filter_map(|b| {
            let day = b
                .attribute("birthdate")
                .map(str::trim)
                .filter(|d| !d.is_empty());
            let year = b.attribute("year").map(str::trim).filter(|y| !y.is_empty());
            let when = day.or(year)?;
            let circa = if b.attribute("circa") == Some("true") {
                "circa "
            } else {
                ""
            };
            Some(format!("{circa}{when}"))
        })
        .collect();
    let regulations: Vec<roxmltree::Node<'_, '_>> = children(entity, "regulation").collect();
    let mut programs: Vec<String> = Vec::new();
    for r in &regulations {
        if let Some(p) = r
            .attribute("programme")
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            if !programs.iter().any(|x| x == p) {
                programs.push(p.to_string());
            }
        }
    }
    // listed on the designation date; without one, from the earliest regulation in force
    let listed = entity
        .attribute("designationDate")
        .and_then(leading_date)
        .or_else(|| {
            regulations
                .iter()
                .filter_map(|r| r.attribute("entryIntoForceDate").and_then(leading_date))
                .min()
        });
    let citation = regulations
        .iter()
        .find_map(|r| r.attribute("numberTitle"))
        .map(|t| format!("EU {reference}: {t}"))
        .or_else(|| Some(format!("EU {reference}")));
    Ok(ListEntry {
        id: format!("EU-FSF:{reference}"),
        list: "EU-FSF".into(),
        source: "EU consolidated financial sanctions list".into(),
        name,
        aliases,
        weak_aliases: weak,
        kind,
        programs,
        countries,
        dates_of_birth,
        addresses,
        listed,
        expires: None,
        citation,
        file: file.into(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    // shaped as the Commission's FSF 1.1 export is (namespace, attributes, nested regulations)
    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-11-30T18:00:01.123+01:00" globalFileId="1">
  <sanctionEntity designationDate="2022-02-28" designationDetails="" unitedNationId="" euReferenceNumber="EU.6556.93" logicalId="139092">
    <remark>President of the Russian Federation</remark>
    <regulation regulationType="amendment" organisationType="council" publicationDate="2022-02-25" entryIntoForceDate="2022-02-25" numberTitle="2022/336 (OJ L53)" programme="UKR">
      <publicationUrl>https://eur-lex.europa.eu/</publicationUrl>
    </regulation>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Vladimir" middleName="Vladimirovich" lastName="Putin" wholeName="Vladimir Vladimirovich PUTIN" function="President" gender="M" nameLanguage="" strong="true" logicalId="139094"/>
    <nameAlias firstName="" middleName="" lastName="" wholeName="Владимир Владимирович ПУТИН" nameLanguage="RU" strong="true" logicalId="139095"/>
    <nameAlias firstName="" middleName="" lastName="" wholeName="Vova" nameLanguage="" strong="false" logicalId="1"/>
    <citizenship region="" countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION"/>
    <birthdate circa="false" calendarType="GREGORIAN" city="Leningrad" birthdate="1952-10-07" dayOfMonth="7" monthOfYear="10" year="1952"/>
  </sanctionEntity>
  <sanctionEntity euReferenceNumber="EU.1.2" logicalId="2">
    <regulation entryIntoForceDate="2014-07-31" programme="UKR"/>
    <regulation entryIntoForceDate="2014-03-17" programme="UKR"/>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="Some Bank JSC" strong="true"/>
    <address countryIso2Code="00" countryDescription="UNKNOWN"/>
  </sanctionEntity>
  <sanctionEntity euReferenceNumber="EU.9.9" logicalId="3"><subjectType code="person"/></sanctionEntity>
</export>"#;

    #[test]
    fn entities_become_entries_with_strong_and_weak_names() {
        let (format, doc) = super::super::whole::read("eu.xml", DOC.as_bytes()).unwrap();
        assert_eq!(format, super::super::ListFormat::EuXml);
        assert_eq!(doc.generated, NaiveDate::from_ymd_opt(2026, 11, 30));
        assert_eq!(doc.entries.len(), 2);
        let putin = &doc.entries[0];
        assert_eq!(putin.id, "EU-FSF:EU.6556.93");
        assert_eq!(putin.name, "Vladimir Vladimirovich PUTIN");
        assert_eq!(putin.aliases, ["Владимир Владимирович ПУТИН"]);
        assert_eq!(putin.weak_aliases, ["Vova"]);
        assert_eq!(putin.kind.as_deref(), Some("individual"));
        assert_eq!(putin.countries, ["RU"]);
        assert_eq!(putin.dates_of_birth, ["1952-10-07"]);
        assert_eq!(putin.programs, ["UKR"]);
        assert_eq!(putin.listed, NaiveDate::from_ymd_opt(2022, 2, 28));
        assert_eq!(putin.line, 3);
        let bank = &doc.entries[1];
        assert_eq!(bank.kind.as_deref(), Some("entity"));
        assert_eq!(
            bank.listed,
            NaiveDate::from_ymd_opt(2014, 3, 17),
            "earliest regulation"
        );
        assert!(bank.countries.is_empty(), "00 is no country");
        assert_eq!(doc.skipped.len(), 1);
        assert_eq!(doc.skipped[0].message, "no name");
    }

    /// A document on one line longer than any CSV line may be (the line budget does not apply
    /// to a document read whole), loaded through the list set as any list file is.
    #[test]
    fn a_one_line_document_of_megabytes_loads() {
        let entity = r#"<sanctionEntity euReferenceNumber="EU.{n}" logicalId="{n}"><subjectType code="enterprise"/><nameAlias wholeName="Company {n}" strong="true"/></sanctionEntity>"#;
        let mut doc = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><export generationDate="2026-11-30">"#,
        );
        for n in 0..12_000 {
            doc.push_str(&entity.replace("{n}", &n.to_string()));
        }
        doc.push_str("</export>");
        assert!(doc.len() > crate::lists::MAX_LINE_BYTES && !doc.contains('\n'));
        let mut set = crate::lists::ListSet::new();
        let summary = set.add_reader("eu.xml", doc.as_bytes()).unwrap();
        assert_eq!(summary.records, 12_000);
        assert_eq!(summary.format, crate::lists::ListFormat::EuXml);
        assert_eq!(
            summary.provenance.published,
            NaiveDate::from_ymd_opt(2026, 11, 30)
        );
        let loaded = set.finish();
        assert_eq!(loaded.entries[11_999].name, "Company 11999");
    }
}
