//! The data committed beside the code agrees with its sources: the JSON schema's enums of rule
//! and criterion ids with the rule table, and the generated knowledge tables with `knowledge/`.

use std::path::PathBuf;

use ictguard_vet::rules::{self, Criterion};
use serde_json::Value;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn schema_enum(schema: &Value, definition: &str) -> Vec<String> {
    schema["definitions"][definition]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("the schema has no enum `{definition}`"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_schema_enums_are_the_rule_table() {
    let text = std::fs::read_to_string(repo("schemas/vet-report.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<&str> = rules::all().iter().map(|r| r.id()).collect();
    assert_eq!(schema_enum(&schema, "rule"), ids);
    let criteria: Vec<&str> = Criterion::ALL.iter().map(|c| c.id()).collect();
    assert_eq!(schema_enum(&schema, "criterion"), criteria);
    // and the findings and the report's criteria use them
    let finding = &schema["definitions"]["finding"]["properties"];
    assert_eq!(finding["rule"]["$ref"], "#/definitions/rule");
    assert_eq!(
        finding["criteria"]["items"]["$ref"],
        "#/definitions/criterion"
    );
}

#[test]
fn every_rule_has_text_points_and_criteria_the_pack_knows() {
    let pack = ictguard_rules::RulePack::bundled();
    for rule in rules::all() {
        assert!(!rule.text().is_empty(), "{rule}");
        assert!(!rule.points().is_empty(), "{rule}");
        for c in rule.criteria() {
            assert!(
                pack.criteria.iter().any(|x| x.item.id == c.id()),
                "{rule}: {c} is not in the bundled pack"
            );
        }
    }
    for c in Criterion::ALL {
        assert!(pack.criteria.iter().any(|x| x.item.id == c.id()), "{c}");
    }
}

/// The generated tables record the SHA-256 of each `knowledge/` file they were made from; a
/// changed file fails here until `cargo run -p ictguard-vet-gen` makes them again (whose own test,
/// `the_committed_tables_are_what_knowledge_makes`, compares the whole text).
#[test]
fn the_knowledge_tables_were_made_from_knowledge_as_it_is() {
    let tables =
        std::fs::read_to_string(repo("crates/ictguard-vet/src/knowledge/tables.rs")).unwrap();
    let header: Vec<&str> = tables.lines().take_while(|l| l.starts_with("//")).collect();
    let recorded: Vec<&str> = header
        .iter()
        .filter_map(|l| l.strip_prefix("//   "))
        .filter(|l| {
            l.get(..64)
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    assert_eq!(recorded.len(), 5, "{header:#?}");
    for line in recorded {
        let (digest, file) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(repo(file)).unwrap();
        assert_eq!(
            ictguard_apk::signing::sha256_hex(&bytes),
            digest,
            "{file} changed since the knowledge tables were generated: run `cargo run -p ictguard-vet-gen`"
        );
    }
    // the licences stay beside the data
    for source in [
        "Exodus Privacy",
        "ODbL 1.0",
        "Apache-2.0",
        "MIT",
        "knowledge/README.md",
    ] {
        assert!(header.iter().any(|l| l.contains(source)), "{source}");
    }
}
