//! Compile the bundled rule pack (`rules/*.toml` at the workspace root, the source of truth) to
//! JSON twins in `$OUT_DIR/rules/`, which `RulePack::bundled` reads instead of parsing the TOML:
//! the TOML parser was most of the start-up of a process that vets one APK (3.6 million
//! instructions; JSON of the same items reads in a fraction of that).
//!
//! Each twin holds the file's items as `[span, item]` pairs, where span is the byte range of the
//! item's table in the TOML text (what `toml::Spanned` gives the loader), so that diagnostics and
//! `origin_of` still point into the TOML file. Dates become `YYYY-MM-DD` strings, which the model
//! reads as it reads quoted dates. The twins go through the same model types, validation and
//! merging as any pack; a test checks that the bundled pack loaded either way is the same.
//!
//! A file the TOML parser rejects fails the build, with the file and the parser's message.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::{Spanned, Value};

/// A pack file's shape: the same top-level tables as `model::PackFile`, items left as values.
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

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Failure> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../rules");
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("rules");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files)?;
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.strip_prefix(&root)?;
        let text = std::fs::read_to_string(&path)?;
        let json = compile(&text).map_err(|e| format!("rules/{}: {e}", name.display()))?;
        let dest = out.join(format!("{}.json", name.display()));
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(dest, serde_json::to_string(&json)?)?;
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
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
