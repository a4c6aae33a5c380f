//! Reviewers' suppressions and overrides, read from a TOML file:
//!
//! ```toml
//! [[suppression]]
//! finding = "IG-SDK-ADVERSARY:Umeng Analytics"   # a finding key, or a rule id for all its findings
//! package = "com.example.app"                      # optional: only for this app
//! who = "A. Reviewer"
//! when = 2026-11-20
//! why = "SDK disabled by remote config; verified in traffic capture 2026-11-19"
//! until = 2027-05-20                               # optional
//! ```
//!
//! A suppressed finding moves to the report's `suppressed` list with the reviewer's name, date and
//! reason, and no longer counts toward the score. Nothing is applied silently: expired and unused
//! suppressions are reported as warnings.
//!
//! An override replaces the recommendation for one package, keeping the computed one beside it:
//!
//! ```toml
//! [[override]]
//! package = "com.example.app"
//! recommendation = "allow"          # prohibit, restrict or allow
//! who = "Chief Information Security Officer"
//! when = 2026-11-21
//! why = "accepted risk for the pilot, memo 2026-114"
//! until = 2027-02-21
//! ```

use chrono::NaiveDate;
use serde::Deserialize;

use crate::report::{Finding, Suppression};

/// One reviewer decision.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A finding key (`IG-SDK-ADVERSARY:Umeng Analytics`) or a rule id (`IG-POSTURE-BACKUP`).
    pub finding: String,
    /// Only for this package, when given.
    #[serde(default)]
    pub package: Option<String>,
    /// Who decided.
    pub who: String,
    /// When (a TOML date, or a YYYY-MM-DD string).
    #[serde(deserialize_with = "date")]
    pub when: NaiveDate,
    /// Why.
    pub why: String,
    /// Last day it holds, when limited.
    #[serde(default, deserialize_with = "optional_date")]
    pub until: Option<NaiveDate>,
}

/// A TOML date (`2026-11-20`) or a string holding one.
fn date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match Either::deserialize(d)? {
        Either::Toml(t) => t.to_string(),
        Either::Text(s) => s,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a date (YYYY-MM-DD)")))
}

fn optional_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    date(d).map(Some)
}

/// A reviewer's override of the recommendation for one package.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The package it applies to.
    pub package: String,
    /// The recommendation that replaces the computed one.
    pub recommendation: crate::report::Recommendation,
    /// Who decided.
    pub who: String,
    /// When.
    #[serde(deserialize_with = "date")]
    pub when: NaiveDate,
    /// Why.
    pub why: String,
    /// Last day it holds, when limited.
    #[serde(default, deserialize_with = "optional_date")]
    pub until: Option<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    suppression: Vec<Rule>,
    #[serde(default, rename = "override")]
    overrides: Vec<Override>,
}

/// A set of suppressions and overrides.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    rules: Vec<Rule>,
    overrides: Vec<Override>,
}

/// A suppressions file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SuppressionError {
    /// Not TOML, or not the shape of a suppressions file (an unknown field, a bad date).
    #[error("suppressions file: {0}")]
    Toml(#[from] toml::de::Error),
    /// A suppression or override that does not say who decided, or why.
    #[error("suppressions file: {what} #{number}: `who` and `why` must say who decided and why")]
    Unexplained {
        /// `suppression` or `override`.
        what: &'static str,
        /// Its place in the file among its kind, from 1.
        number: usize,
    },
}

impl Suppressions {
    /// Parse a suppressions file's text.
    pub fn parse(text: &str) -> Result<Suppressions, SuppressionError> {
        let file: File = toml::from_str(text)?;
        for (i, r) in file.suppression.iter().enumerate() {
            if r.why.trim().is_empty() || r.who.trim().is_empty() {
                return Err(SuppressionError::Unexplained {
                    what: "suppression",
                    number: i + 1,
                });
            }
        }
        for (i, o) in file.overrides.iter().enumerate() {
            if o.why.trim().is_empty() || o.who.trim().is_empty() {
                return Err(SuppressionError::Unexplained {
                    what: "override",
                    number: i + 1,
                });
            }
        }
        Ok(Suppressions {
            rules: file.suppression,
            overrides: file.overrides,
        })
    }

    /// Number of rules (suppressions and overrides).
    pub fn len(&self) -> usize {
        self.rules.len() + self.overrides.len()
    }

    /// The override for a package on a date, if one holds; an expired one gives a warning.
    pub fn override_for(
        &self,
        package: Option<&str>,
        as_of: NaiveDate,
    ) -> (Option<&Override>, Option<String>) {
        let Some(o) = self
            .overrides
            .iter()
            .find(|o| Some(o.package.as_str()) == package)
        else {
            return (None, None);
        };
        match o.until {
            Some(u) if as_of > u => (
                None,
                Some(format!(
                    "override of {} by {} expired on {u}; the computed recommendation stands",
                    o.package, o.who
                )),
            ),
            _ => (Some(o), None),
        }
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.overrides.is_empty()
    }

    /// Split findings into (counted, suppressed), with warnings about expired rules.
    pub fn apply(
        &self,
        package: Option<&str>,
        findings: Vec<Finding>,
        as_of: NaiveDate,
    ) -> (Vec<Finding>, Vec<Finding>, Vec<String>) {
        let mut counted = Vec::new();
        let mut suppressed = Vec::new();
        let mut warnings = Vec::new();
        for mut f in findings {
            let rule = self.rules.iter().find(|r| {
                (r.finding == f.key || r.finding == f.rule)
                    && r.package.as_deref().is_none_or(|p| Some(p) == package)
            });
            match rule {
                Some(r) if r.until.is_some_and(|u| as_of > u) => {
                    warnings.push(format!(
                        "suppression of {} by {} expired on {}; the finding counts",
                        f.key,
                        r.who,
                        r.until.unwrap_or(as_of)
                    ));
                    counted.push(f);
                }
                Some(r) => {
                    f.suppressed = Some(Suppression {
                        who: r.who.clone(),
                        when: r.when.to_string(),
                        why: r.why.clone(),
                        until: r.until.map(|u| u.to_string()),
                    });
                    f.points = 0;
                    suppressed.push(f);
                }
                None => counted.push(f),
            }
        }
        (counted, suppressed, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FindingKind, Severity};

    fn finding(key: &str) -> Finding {
        Finding {
            rule: key.split(':').next().unwrap().into(),
            key: key.into(),
            kind: FindingKind::Posture,
            severity: Severity::Low,
            title: String::new(),
            message: String::new(),
            evidence: Vec::new(),
            criteria: Vec::new(),
            data_categories: Vec::new(),
            points: 3,
            suppressed: None,
        }
    }

    #[test]
    fn by_key_rule_package_and_date() {
        let s = Suppressions::parse(
            r#"
[[suppression]]
finding = "IG-SDK-ADVERSARY:Umeng Analytics"
package = "com.example.refs"
who = "A. Reviewer"
when = 2026-11-20
why = "disabled by remote config"
until = 2027-01-31

[[suppression]]
finding = "IG-POSTURE-BACKUP"
who = "B. Reviewer"
when = 2026-11-21
why = "backups go to the agency's MDM only"
"#,
        )
        .unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let all = || {
            vec![
                finding("IG-SDK-ADVERSARY:Umeng Analytics"),
                finding("IG-POSTURE-BACKUP"),
                finding("IG-POSTURE-DEBUGGABLE"),
            ]
        };
        let (counted, suppressed, warnings) =
            s.apply(Some("com.example.refs"), all(), d("2026-12-01"));
        assert_eq!(counted.len(), 1);
        assert_eq!(suppressed.len(), 2);
        assert!(suppressed
            .iter()
            .all(|f| f.points == 0 && f.suppressed.is_some()));
        assert!(warnings.is_empty());
        // another package: only the package-free rule applies
        let (counted, _, _) = s.apply(Some("com.other"), all(), d("2026-12-01"));
        assert_eq!(counted.len(), 2);
        // expired: counted, with a warning
        let (counted, _, warnings) = s.apply(Some("com.example.refs"), all(), d("2027-02-01"));
        assert_eq!(counted.len(), 2);
        assert!(warnings[0].contains("expired"));
    }

    #[test]
    fn a_suppression_needs_who_and_why() {
        assert!(Suppressions::parse(
            "[[suppression]]\nfinding = \"X\"\nwho = \"\"\nwhen = 2026-01-01\nwhy = \"\"\n"
        )
        .is_err());
        assert!(Suppressions::parse("[[suppression]]\nfinding = \"X\"\nwho = \"a\"\nwhen = 2026-01-01\nwhy = \"b\"\nextra = 1\n").is_err());
    }
}
