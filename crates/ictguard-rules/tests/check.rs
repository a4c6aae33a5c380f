//! `rules check`: a user's pack with mistakes gives errors naming file, line and field.

use ictguard_rules::{Combine, Diagnostic, Layer, RulePack};

fn errors_of(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let layer = Layer::from_files(
        files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
    );
    match RulePack::from_layers(&[layer]) {
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics,
    }
}

const ENTITY: &str = r#"
[[entity]]
id = "acme"
name = "Acme Co."
country = "CN"
verification = "verified"
"#;

fn order(extra: &str) -> String {
    format!(
        r#"[[order]]
id = "EO-1"
kind = "executive_order"
title = "t"
citation = "1 FR 1"
signed = 2021-01-05
effective = {{ rule = "45 days after signing", days_after_signing = 45, date = 2021-02-19 }}
summary = "s"
verification = "verified"
{extra}"#
    )
}

#[test]
fn a_valid_user_pack_loads() {
    let o = order("covers = { entities = [\"acme\"] }\n");
    assert_eq!(errors_of(&[("a.toml", ENTITY), ("o.toml", &o)]), vec![]);
}

#[test]
fn unknown_key_names_file_line_and_field() {
    let text = format!("{ENTITY}colour = \"red\"\n");
    let errs = errors_of(&[("ents.toml", &text)]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].file, "ents.toml");
    assert_eq!(errs[0].line, 7);
    assert_eq!(errs[0].field, "colour");
    assert!(
        errs[0].message.contains("unknown field"),
        "{}",
        errs[0].message
    );
}

#[test]
fn dangling_reference_is_an_error() {
    let o = order("covers = { entities = [\"nobody\"] }\n");
    let errs = errors_of(&[("o.toml", &o)]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        (errs[0].line, errs[0].field.as_str()),
        (10, "order[EO-1].covers")
    );
    assert!(errs[0].message.contains("nobody"));
}

#[test]
fn dangling_event_cause_points_at_the_event_line() {
    let o = order(
        "\n[[order.event]]\ndate = 2021-06-09\nkind = \"revoked\"\nby = \"EO-99\"\nnote = \"n\"\n",
    );
    let errs = errors_of(&[("o.toml", &o)]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        (errs[0].line, errs[0].field.as_str()),
        (14, "order[EO-1].event[0].by")
    );
}

#[test]
fn duplicate_ids_in_one_pack() {
    let errs = errors_of(&[("a.toml", ENTITY), ("b.toml", ENTITY)]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].file, "b.toml");
    assert_eq!(errs[0].line, 3);
    assert!(errs[0].message.contains("a.toml:3"), "{}", errs[0].message);
}

#[test]
fn impossible_dates() {
    // rule and date disagree
    let bad = order("").replace("date = 2021-02-19", "date = 2021-02-20");
    let errs = errors_of(&[("o.toml", &bad)]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].field, "order[EO-1].effective");
    assert!(
        errs[0].message.contains("2021-02-19"),
        "{}",
        errs[0].message
    );
    // effective before signing
    let bad = order("").replace(
        "days_after_signing = 45, date = 2021-02-19",
        "date = 2020-12-01",
    );
    assert!(errors_of(&[("o.toml", &bad)])[0]
        .message
        .contains("before the order was signed"));
    // 30 February
    let bad = order("").replace("signed = 2021-01-05", "signed = \"2021-02-30\"");
    let errs = errors_of(&[("o.toml", &bad)]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].line, 6);
    // an event before signing, attributed to an order signed later
    let bad = order(
        "\n[[order.event]]\ndate = 2020-06-09\nkind = \"note\"\nby = \"EO-1\"\nnote = \"n\"\n",
    );
    let errs = errors_of(&[("o.toml", &bad)]);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs.iter().all(|e| e.line == 12));
    // suspension ending before it starts
    let bad = order("\n[[order.event]]\ndate = 2021-06-09\nkind = \"enforcement_suspended\"\nby = \"EO-1\"\nuntil = 2021-06-01\nnote = \"n\"\n");
    let errs = errors_of(&[("o.toml", &bad)]);
    assert_eq!((errs.len(), errs[0].line), (1, 15), "{errs:?}");
}

#[test]
fn bad_ownership_and_identifiers() {
    let text = r#"
[[entity]]
id = "a"
name = "A"
country = "china"
parents = [{ id = "a", percent = 120.0 }]
verification = "verified"

[[app]]
id = "x"
name = "X"
android = ["not a package"]
owner = "zzz"
verification = "verified"
"#;
    let errs = errors_of(&[("p.toml", text)]);
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"entity[a].country"), "{fields:?}");
    assert!(fields.contains(&"entity[a].parents"), "{fields:?}");
    assert!(fields.contains(&"app[x].android"), "{fields:?}");
    assert!(fields.contains(&"app[x].owner"), "{fields:?}");
    let owner = errs.iter().find(|e| e.field == "app[x].owner").unwrap();
    assert_eq!(owner.line, 13);
}

#[test]
fn user_dir_merges_over_bundled_or_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    // a user's own counterparty, owned 60% through Tenpay by Tencent
    std::fs::write(
        dir.path().join("mine.toml"),
        r#"[[entity]]
id = "shenzhen-widget"
name = "Shenzhen Widget Payments Co., Ltd."
country = "CN"
parents = [{ id = "tenpay", percent = 60.0 }]
verification = "verified"
"#,
    )
    .unwrap();
    let merged = RulePack::with_user_dir(dir.path(), Combine::Merge).expect("merges");
    assert!(merged.order("EO-13971").is_some());
    let own = merged.ownership("shenzhen-widget", "tencent").unwrap();
    assert!((own.percent - 60.0).abs() < 1e-9);
    let replaced = RulePack::with_user_dir(dir.path(), Combine::Replace);
    let errs = replaced
        .expect_err("tenpay is not in the user's pack alone")
        .diagnostics;
    assert_eq!((errs[0].file.as_str(), errs[0].line), ("mine.toml", 5));
    // a user's item with a bundled id overrides it
    std::fs::write(
        dir.path().join("mine.toml"),
        ENTITY.replace("acme", "tenpay"),
    )
    .unwrap();
    let over = RulePack::with_user_dir(dir.path(), Combine::Merge).unwrap();
    assert_eq!(over.entity("tenpay").unwrap().name, "Acme Co.");
}

#[test]
fn the_bundled_pack_is_valid_and_cited() {
    let pack = RulePack::bundled();
    for o in &pack.orders {
        assert!(!o.item.citation.is_empty());
        assert!(
            !o.item.sources.is_empty() || !o.item.unverified.is_empty(),
            "{} needs a source",
            o.item.id
        );
    }
    for id in [
        "EO-13942",
        "EO-13943",
        "EO-13971",
        "EO-14034",
        "COMMERCE-ID-TIKTOK-2020",
        "COMMERCE-ID-WECHAT-2020",
        "PAFACA-2024",
    ] {
        assert!(pack.order(id).is_some(), "{id}");
    }
    for id in [
        "wechat-users-alliance-v-trump",
        "tiktok-v-trump",
        "marland-v-trump",
    ] {
        assert!(pack.case(id).is_some(), "{id}");
    }
    assert!(pack.country_list("15-CFR-791.4").is_some());
    assert_eq!(pack.orders_covering_app("alipay").count(), 1);
}

#[test]
fn app_certificates_must_be_sha256_fingerprints() {
    let good = "a".repeat(64);
    let app = |cert: &str| {
        format!(
            "[[app]]\nid = \"x\"\nname = \"X\"\nandroid = [\"com.example.x\"]\ncertificates = [\"{cert}\"]\nverification = \"verified\"\n"
        )
    };
    assert_eq!(errors_of(&[("apps.toml", &app(&good))]), vec![]);
    for bad in ["AB:CD", &"A".repeat(64), &"a".repeat(63)] {
        let errs = errors_of(&[("apps.toml", &app(bad))]);
        assert_eq!(errs.len(), 1, "{bad}: {errs:?}");
        assert!(errs[0].field.ends_with("certificates"), "{:?}", errs[0]);
        assert!(errs[0].message.contains("SHA-256"));
    }
}

#[test]
fn ends_divestitures_and_open_questions_are_checked() {
    let bad = order(
        r#"ends = { rule = "before it began", date = 2021-01-31 }

[[order.event]]
date = 2021-03-01
kind = "divested"
by = "EO-1"
note = "names no app"

[[order.open_question]]
question = "q"
from = 2021-05-01
until = 2021-04-01
apps = ["no-such-app"]
"#,
    );
    let errs = errors_of(&[("a.toml", ENTITY), ("o.toml", &bad)]);
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"order[EO-1].ends"), "{errs:?}");
    assert!(fields.contains(&"order[EO-1].event[0].apps"), "{errs:?}");
    assert!(
        fields.contains(&"order[EO-1].open_question[0].until"),
        "{errs:?}"
    );
    assert!(
        fields.contains(&"order[EO-1].open_question[0].apps"),
        "{errs:?}"
    );
    assert_eq!(errs.len(), 4, "{errs:?}");
}
