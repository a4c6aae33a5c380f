//! The generator of `bundled/`, and the check that it is up to date.
//!
//! `rules/` at the workspace root is the rule pack people edit and review. The crate ships a copy
//! in `crates/ictguard-rules/bundled/`: each TOML text (which diagnostics and origins point into)
//! and beside it, as `NAME.toml.json`, the JSON twin of its items that `RulePack::bundled` reads
//! instead of parsing the TOML (the TOML parser was most of the start-up of a process that vets
//! one APK: 3.6 million instructions; JSON of the same items reads in a fraction of that).
//!
//! Each twin holds the file's items as `[span, item]` pairs, where span is the byte range of the
//! item's table in the TOML text (what `toml::Spanned` gives the loader). Dates become
//! `YYYY-MM-DD` strings, which the model reads as it reads quoted dates.
//!
//! This test fails when `bundled/` differs from what `rules/` gives today; run it with
//! `ICTGUARD_REGENERATE=1` to rewrite `bundled/`:
//!
//! ```text
//! ICTGUARD_REGENERATE=1 cargo test -p ictguard-rules --test bundled
//! ```
//!
//! The files are committed, as the regex crate commits its Unicode tables, so that the crate
//! builds from its own folder (a build script reading `../../rules` broke `cargo package`), and
//! a build never regenerates data.
// A separate generator crate under tools/ was the alternative; a test needs no workspace member,
// runs with the crate's tests (so CI notices a stale copy), and uses dependencies the crate has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::{Spanned, Value};

/// A pack file's shape: the same top-level tables as the model's pack file, items left as values.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Shape {
    pack: Option<Value>,
    #[serde(default)]
    order: Vec<Spanned<Value>>,
    #[serde(default)]
    app: Vec<Spanned<Value>>,
    #[serde(default)]
    entity: Vec<Spanned<Value>>,
    #[serde(default)]
    case: Vec<Spanned<Value>>,
    #[serde(default)]
    country_list: Vec<Spanned<Value>>,
    #[serde(default)]
    criterion: Vec<Spanned<Value>>,
    #[serde(default)]
    data_rule: Vec<Spanned<Value>>,
}

type Failure = Box<dyn std::error::Error>;

/// What `bundled/README.md` says, so that nobody edits the copy by hand.
const README: &str = "\
# Generated: do not edit

A copy of `rules/` at the workspace root (the source of truth), with a JSON twin of each file's
items, compiled into the crate by `src/bundled.rs`. Edit `rules/`, then run

    ICTGUARD_REGENERATE=1 cargo test -p ictguard-rules --test bundled

and list a new file in `src/bundled.rs`. See `tests/bundled.rs`.
";

/// The files `bundled/` should hold for the pack under `rules`: (path relative to `bundled/`,
/// contents), sorted by path.
fn generate(rules: &Path) -> Result<BTreeMap<String, String>, Failure> {
    let mut files = Vec::new();
    collect(rules, &mut files)?;
    let mut out = BTreeMap::new();
    out.insert("README.md".to_string(), README.to_string());
    for path in files {
        let name = path
            .strip_prefix(rules)?
            .to_str()
            .ok_or("a file name that is not UTF-8")?
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path)?;
        let json = compile(&text).map_err(|e| format!("rules/{name}: {e}"))?;
        out.insert(format!("{name}.json"), serde_json::to_string(&json)?);
        out.insert(name, text);
    }
    Ok(out)
}

/// What `dir` holds, as (path relative to `dir`, contents).
fn read_tree(dir: &Path) -> Result<BTreeMap<String, String>, Failure> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)?
                    .to_str()
                    .ok_or("a file name that is not UTF-8")?
                    .replace('\\', "/");
                out.insert(name, std::fs::read_to_string(&path)?);
            }
        }
    }
    Ok(out)
}

/// The pack's files under `dir`; `optional/` holds packs users load with `--rules`, not bundled.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() && path.file_name().is_some_and(|n| n == "optional") {
            continue;
        }
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

fn compile(text: &str) -> Result<serde_json::Value, Failure> {
    let shape: Shape = toml::from_str(text)?;
    let mut file = serde_json::Map::new();
    if let Some(pack) = shape.pack {
        file.insert("pack".into(), json(pack)?);
    }
    for (table, items) in [
        ("order", shape.order),
        ("app", shape.app),
        ("entity", shape.entity),
        ("case", shape.case),
        ("country_list", shape.country_list),
        ("criterion", shape.criterion),
        ("data_rule", shape.data_rule),
    ] {
        let mut list = Vec::new();
        for item in items {
            let span = item.span();
            let span = serde_json::json!({ "start": span.start, "end": span.end });
            list.push(serde_json::Value::Array(vec![
                span,
                json(item.into_inner())?,
            ]));
        }
        file.insert(table.into(), serde_json::Value::Array(list));
    }
    Ok(serde_json::Value::Object(file))
}

fn json(v: Value) -> Result<serde_json::Value, Failure> {
    Ok(match v {
        Value::String(s) => s.into(),
        Value::Integer(i) => i.into(),
        Value::Float(f) => serde_json::Number::from_f64(f)
            .ok_or_else(|| format!("{f} cannot be written as JSON"))?
            .into(),
        Value::Boolean(b) => b.into(),
        Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(_), None, None) => dt.to_string().into(),
            _ => return Err(format!("{dt}: a pack date has no time").into()),
        },
        Value::Array(a) => a
            .into_iter()
            .map(json)
            .collect::<Result<Vec<_>, _>>()?
            .into(),
        Value::Table(t) => {
            let map: BTreeMap<String, serde_json::Value> = t
                .into_iter()
                .map(|(k, v)| Ok((k, json(v)?)))
                .collect::<Result<_, Failure>>()?;
            serde_json::Value::Object(map.into_iter().collect())
        }
    })
}

#[test]
fn bundled_is_what_rules_gives() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = crate_dir.join("../../rules");
    let bundled = crate_dir.join("bundled");
    if !rules.is_dir() {
        // built from a package, without the workspace: the copy is all there is
        eprintln!("no rules/ beside the crate; nothing to compare bundled/ with");
        return;
    }
    let want = generate(&rules).expect("rules/ compiles");
    if std::env::var_os("ICTGUARD_REGENERATE").is_some_and(|v| v == "1") {
        if bundled.exists() {
            std::fs::remove_dir_all(&bundled).expect("remove the old bundled/");
        }
        for (name, contents) in &want {
            let dest = bundled.join(name);
            std::fs::create_dir_all(dest.parent().expect("a file has a folder"))
                .expect("create bundled/");
            std::fs::write(&dest, contents).expect("write bundled/");
        }
    }
    let have = read_tree(&bundled).expect("bundled/ readable");
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&have),
        names(&want),
        "bundled/ lists other files than rules/ gives; run \
         ICTGUARD_REGENERATE=1 cargo test -p ictguard-rules --test bundled (and list new files in src/bundled.rs)"
    );
    for (name, contents) in &want {
        assert!(
            have[name] == *contents,
            "bundled/{name} differs from what rules/ gives; run \
             ICTGUARD_REGENERATE=1 cargo test -p ictguard-rules --test bundled"
        );
    }
}
