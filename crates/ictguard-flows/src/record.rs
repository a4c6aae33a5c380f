//! A record of one data transfer, read from a CSV row or a JSON line, checked field by field.
//!
//! Columns (the names other tools use): `date` (YYYY-MM-DD), `counterparty`,
//! `counterparty_country` (ISO 3166 alpha-2), `parent` (optional: the counterparty's controlling
//! owner), `kind` (`data_brokerage`, `vendor`, `employment`, `investment`, `other`), `categories`
//! (`;`-separated: `genomic`, `other_omic`, `biometric`, `precise_geolocation`, `health`,
//! `financial`, `personal_identifiers`), `us_persons` (US persons or devices), `government_related`
//! (true/false), and optionally `exemption` (an exemption kind of the rule, e.g.
//! `financial_services`).

use chrono::NaiveDate;
use serde::Deserialize;

/// The data categories, in bit order (the rule pack's list).
pub const CATEGORIES: &[&str] = ictguard_rules::DATA_CATEGORIES;

/// The transaction kinds.
pub const KINDS: [&str; 5] = [
    "data_brokerage",
    "vendor",
    "employment",
    "investment",
    "other",
];

/// Longest text field accepted.
const MAX_FIELD: usize = 1024;

/// A set of categories as bits of [`CATEGORIES`].
pub type CategorySet = u8;

/// One transfer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct Transfer {
    /// Line (CSV line or JSON Lines line number) in the input.
    pub line: u64,
    /// Day of the transfer.
    pub date: NaiveDate,
    /// The foreign party.
    pub counterparty: String,
    /// Its country, upper case.
    pub country: String,
    /// Its controlling owner, if given.
    pub parent: Option<String>,
    /// The kind of transaction.
    pub kind: String,
    /// The categories of data.
    pub categories: CategorySet,
    /// US persons (or devices) whose data it carries.
    pub us_persons: u64,
    /// Government-related data.
    pub government_related: bool,
    /// An exemption claimed, if any.
    pub exemption: Option<String>,
}

/// A row that cannot be read, with why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {why}")]
pub struct BadRow {
    /// Its line.
    pub line: u64,
    /// What is wrong.
    pub why: String,
}

/// The raw fields of a row.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransfer {
    /// date
    #[serde(default)]
    pub date: Option<String>,
    /// counterparty
    #[serde(default)]
    pub counterparty: Option<String>,
    /// counterparty_country
    #[serde(default)]
    pub counterparty_country: Option<String>,
    /// parent
    #[serde(default)]
    pub parent: Option<String>,
    /// kind
    #[serde(default)]
    pub kind: Option<String>,
    /// categories
    #[serde(default)]
    pub categories: Option<serde_json::Value>,
    /// us_persons
    #[serde(default)]
    pub us_persons: Option<serde_json::Value>,
    /// government_related
    #[serde(default)]
    pub government_related: Option<serde_json::Value>,
    /// exemption
    #[serde(default)]
    pub exemption: Option<String>,
}

/// A category name the rule does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category {name:?} (expected {expected})", expected = CATEGORIES.join(", "))]
pub struct UnknownCategory {
    /// The name as written (trimmed).
    pub name: String,
}

/// Bits of the named categories.
pub fn category_bits(names: &[&str]) -> Result<CategorySet, UnknownCategory> {
    let mut bits = 0u8;
    for n in names {
        let n = n.trim();
        if n.is_empty() {
            continue;
        }
        let i = CATEGORIES
            .iter()
            .position(|c| *c == n)
            .ok_or_else(|| UnknownCategory {
                name: n.to_string(),
            })?;
        bits |= 1 << i;
    }
    Ok(bits)
}

/// The names of the categories in a set.
pub fn category_names(bits: CategorySet) -> Vec<&'static str> {
    CATEGORIES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, c)| *c)
        .collect()
}

fn text(v: &Option<String>, field: &str, required: bool) -> Result<Option<String>, String> {
    let t = v.as_deref().map(str::trim).filter(|t| !t.is_empty());
    match t {
        None if required => Err(format!("{field} is missing")),
        Some(t) if t.len() > MAX_FIELD => Err(format!("{field} is longer than {MAX_FIELD} bytes")),
        t => Ok(t.map(str::to_string)),
    }
}

impl RawTransfer {
    /// Check every field.
    pub fn check(self, line: u64) -> Result<Transfer, BadRow> {
        let bad = |why: String| BadRow { line, why };
        let date_text = text(&self.date, "date", true)
            .map_err(bad)?
            .unwrap_or_default();
        let date = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d")
            .map_err(|_| bad(format!("date {date_text:?} is not a date (YYYY-MM-DD)")))?;
        let counterparty = text(&self.counterparty, "counterparty", true)
            .map_err(bad)?
            .unwrap_or_default();
        let country = text(&self.counterparty_country, "counterparty_country", true)
            .map_err(bad)?
            .unwrap_or_default()
            .to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(bad(format!(
                "counterparty_country {country:?} is not an ISO 3166 alpha-2 code"
            )));
        }
        let parent = text(&self.parent, "parent", false).map_err(bad)?;
        let kind = text(&self.kind, "kind", true)
            .map_err(bad)?
            .unwrap_or_default();
        if !KINDS.contains(&kind.as_str()) {
            return Err(bad(format!(
                "unknown kind {kind:?} (expected {})",
                KINDS.join(", ")
            )));
        }
        let categories = match &self.categories {
            None | Some(serde_json::Value::Null) => 0,
            Some(serde_json::Value::String(s)) => {
                category_bits(&s.split(';').collect::<Vec<_>>()).map_err(|e| bad(e.to_string()))?
            }
            Some(serde_json::Value::Array(a)) => {
                let names: Vec<&str> = a.iter().filter_map(|v| v.as_str()).collect();
                if names.len() != a.len() {
                    return Err(bad("categories must be names".into()));
                }
                category_bits(&names).map_err(|e| bad(e.to_string()))?
            }
            Some(other) => return Err(bad(format!("categories {other} is not a list"))),
        };
        if categories == 0 {
            return Err(bad("no data category given".into()));
        }
        let us_persons = match &self.us_persons {
            Some(serde_json::Value::Number(n)) => n.as_u64().ok_or_else(|| {
                bad(format!(
                    "us_persons {n} is not a count (a whole number, 0 or more)"
                ))
            })?,
            Some(serde_json::Value::String(s)) => s.trim().parse::<u64>().map_err(|_| {
                bad(format!(
                    "us_persons {s:?} is not a count (a whole number, 0 or more)"
                ))
            })?,
            _ => return Err(bad("us_persons is missing".into())),
        };
        let government_related = match &self.government_related {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "" | "false" | "no" | "0" => false,
                "true" | "yes" | "1" => true,
                other => {
                    return Err(bad(format!(
                        "government_related {other:?} is not true or false"
                    )))
                }
            },
            Some(other) => {
                return Err(bad(format!(
                    "government_related {other} is not true or false"
                )))
            }
        };
        let exemption = text(&self.exemption, "exemption", false).map_err(bad)?;
        Ok(Transfer {
            line,
            date,
            counterparty,
            country,
            parent,
            kind,
            categories,
            us_persons,
            government_related,
            exemption,
        })
    }
}

/// Read a CSV header row into the column positions of the known fields.
pub fn csv_columns(headers: &csv::StringRecord) -> Result<Vec<(usize, &'static str)>, String> {
    const FIELDS: [&str; 9] = [
        "date",
        "counterparty",
        "counterparty_country",
        "parent",
        "kind",
        "categories",
        "us_persons",
        "government_related",
        "exemption",
    ];
    let mut out = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_ascii_lowercase();
        match FIELDS.iter().find(|f| **f == h) {
            Some(f) => out.push((i, *f)),
            None => {
                return Err(format!(
                    "unknown column {h:?} (columns: {})",
                    FIELDS.join(", ")
                ))
            }
        }
    }
    for required in [
        "date",
        "counterparty",
        "counterparty_country",
        "kind",
        "categories",
        "us_persons",
    ] {
        if !out.iter().any(|(_, f)| *f == required) {
            return Err(format!("the header lacks {required}"));
        }
    }
    Ok(out)
}

/// A CSV row as raw fields.
pub fn from_csv(record: &csv::StringRecord, columns: &[(usize, &'static str)]) -> RawTransfer {
    let mut raw = RawTransfer::default();
    for (i, field) in columns {
        let v = record.get(*i).map(str::to_string);
        match *field {
            "date" => raw.date = v,
            "counterparty" => raw.counterparty = v,
            "counterparty_country" => raw.counterparty_country = v,
            "parent" => raw.parent = v,
            "kind" => raw.kind = v,
            "categories" => raw.categories = v.map(serde_json::Value::String),
            "us_persons" => raw.us_persons = v.map(serde_json::Value::String),
            "government_related" => raw.government_related = v.map(serde_json::Value::String),
            _ => raw.exemption = v,
        }
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(date: &str, cats: &str, n: &str) -> RawTransfer {
        RawTransfer {
            date: Some(date.into()),
            counterparty: Some("X".into()),
            counterparty_country: Some("cn".into()),
            kind: Some("vendor".into()),
            categories: Some(serde_json::Value::String(cats.into())),
            us_persons: Some(serde_json::Value::String(n.into())),
            ..RawTransfer::default()
        }
    }

    #[test]
    fn bad_rows_say_why() {
        assert!(raw("2025-05-01", "health;financial", "10").check(2).is_ok());
        let why = |r: RawTransfer| r.check(7).unwrap_err().why;
        assert!(why(raw("2025-13-01", "health", "1")).contains("not a date"));
        assert!(why(raw("2025-05-01", "dna", "1")).contains("unknown category"));
        assert!(why(raw("2025-05-01", "health", "-5")).contains("not a count"));
        assert!(why(raw("2025-05-01", "health", "1.5")).contains("not a count"));
        assert!(why(raw("2025-05-01", "", "1")).contains("no data category"));
        let t = raw("2025-05-01", "health;financial", "10")
            .check(2)
            .unwrap();
        assert_eq!(category_names(t.categories), vec!["health", "financial"]);
        assert_eq!(t.country, "CN");
    }
}
