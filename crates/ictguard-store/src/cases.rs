//! Review cases: what a case is, where it stands, and the decisions a reviewer may close it with.
//! The words are typed here so that a backend, the API and the web form cannot disagree on them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{NewRecord, StoreError};

/// Where a review case stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    /// Waiting for a reviewer.
    Open,
    /// A reviewer has decided it.
    Resolved,
}

impl CaseStatus {
    /// The word a backend keeps and the API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Resolved => "resolved",
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseStatus {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(CaseStatus::Open),
            "resolved" => Ok(CaseStatus::Resolved),
            _ => Err(UnknownWord::Status(s.to_string())),
        }
    }
}

/// A reviewer's decision on a case: a screening is blocked or allowed, a vetting gets one of the
/// three recommendations.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseDecision {
    /// The party or app may not be dealt with (a screening).
    Block,
    /// Nothing stands in the way (either kind).
    Allow,
    /// The app may not be used (a vetting).
    Prohibit,
    /// The app may be used only under conditions (a vetting).
    Restrict,
}

impl CaseDecision {
    /// Every decision, in the order the messages list them.
    pub const ALL: [CaseDecision; 4] = [
        CaseDecision::Block,
        CaseDecision::Allow,
        CaseDecision::Prohibit,
        CaseDecision::Restrict,
    ];

    /// The word a backend keeps and the API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseDecision::Block => "block",
            CaseDecision::Allow => "allow",
            CaseDecision::Prohibit => "prohibit",
            CaseDecision::Restrict => "restrict",
        }
    }
}

impl fmt::Display for CaseDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseDecision {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownWord::Decision(s.to_string()))
    }
}

/// A word that is not a case status or decision (as a caller wrote it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownWord {
    /// Not `open` or `resolved`.
    #[error("a case's status is open or resolved, not {0:?}")]
    Status(String),
    /// Not one of the decisions; empty when none was given.
    #[error("{}", decision_message(.0))]
    Decision(String),
}

fn decision_message(word: &str) -> String {
    if word.trim().is_empty() {
        return "a resolution needs a decision and a reason".into();
    }
    let all: Vec<&str> = CaseDecision::ALL.iter().map(|d| d.as_str()).collect();
    format!(
        "a case is resolved with one of {}, not {word:?}",
        all.join(", ")
    )
}

impl From<UnknownWord> for StoreError {
    fn from(e: UnknownWord) -> Self {
        StoreError::Invalid(e.to_string())
    }
}

/// A review case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Case {
    /// Case number.
    pub id: i64,
    /// When it was opened.
    pub opened: String,
    /// The audit record that opened it.
    pub audit_seq: i64,
    /// `screen` or `vet`.
    pub kind: String,
    /// What it is about.
    pub subject: String,
    /// Why it was opened.
    pub reason: String,
    /// Open, or resolved.
    pub status: CaseStatus,
    /// The reviewer's decision.
    pub resolution: Option<CaseDecision>,
    /// The reviewer's reason.
    pub resolution_reason: Option<String>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<String>,
    /// The audit record of the resolution.
    pub resolution_seq: Option<i64>,
}

/// How resolving a case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Resolved; the audit record of the resolution.
    Done(i64),
    /// No such case.
    NoCase,
    /// Already resolved.
    AlreadyResolved,
}

/// The decisions a reviewer may resolve a case of a kind with: a vetting's recommendation, or a
/// screening's block or allow.
pub fn resolution_choices(kind: &str) -> &'static [CaseDecision] {
    match kind {
        "vet" => &[
            CaseDecision::Prohibit,
            CaseDecision::Restrict,
            CaseDecision::Allow,
        ],
        _ => &[CaseDecision::Block, CaseDecision::Allow],
    }
}

/// The audit record of a case's resolution (a reason is required, and the decision must be one
/// the case's kind allows).
pub(crate) fn resolution_record(
    id: i64,
    subject: &str,
    kind: &str,
    decision: CaseDecision,
    reason: &str,
    by: &str,
) -> Result<NewRecord, StoreError> {
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a resolution needs a decision and a reason".into(),
        ));
    }
    let choices = resolution_choices(kind);
    if !choices.contains(&decision) {
        let words: Vec<&str> = choices.iter().map(|d| d.as_str()).collect();
        return Err(StoreError::Invalid(format!(
            "a {kind} case is resolved with one of {}, not {:?}",
            words.join(", "),
            decision.as_str()
        )));
    }
    Ok(NewRecord {
        kind: "case".into(),
        subject: format!("case {id}: {subject}"),
        decision: decision.as_str().to_string(),
        actor: by.to_string(),
        body: serde_json::json!({ "case": id, "decision": decision, "reason": reason }),
        open_case: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_as_itself() {
        for d in CaseDecision::ALL {
            assert_eq!(d.as_str().parse::<CaseDecision>(), Ok(d));
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
        for s in [CaseStatus::Open, CaseStatus::Resolved] {
            assert_eq!(s.as_str().parse::<CaseStatus>(), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn unknown_words_are_refused_with_what_would_do() {
        let e = "Allow".parse::<CaseDecision>().unwrap_err().to_string();
        assert!(
            e.contains("block, allow, prohibit, restrict") && e.contains("\"Allow\""),
            "{e}"
        );
        let e = " ".parse::<CaseDecision>().unwrap_err().to_string();
        assert_eq!(e, "a resolution needs a decision and a reason");
        assert!("closed".parse::<CaseStatus>().is_err());
    }

    #[test]
    fn a_decision_must_fit_the_kind_of_case() {
        let record = |kind, d| resolution_record(1, "x", kind, d, "checked", "r");
        assert!(record("vet", CaseDecision::Block).is_err());
        assert!(record("screen", CaseDecision::Restrict).is_err());
        assert!(record("screen", CaseDecision::Block).is_ok());
        assert!(record("vet", CaseDecision::Allow).is_ok());
        assert!(record("vet", CaseDecision::Allow)
            .map(|r| r.decision == "allow")
            .unwrap());
    }
}
