//! The vetting rules, in one table: each rule's id, the kind of finding it raises, its points by
//! severity, the cap on its findings together, the EO 14034 criteria it bears on, and one line
//! saying what it means.
//!
//! The check modules raise findings by naming a [`Rule`], so a misspelt rule is a compile error
//! rather than a finding that silently scores nothing; the assessment, the SARIF rule metadata,
//! the JSON schema's enum of rule ids and `docs/vetting-rules.md` all read this table (the tests
//! check the last two against it).
//!
//! ```
//! use ictguard_vet::rules::{self, Criterion, Rule};
//! use ictguard_vet::Severity;
//!
//! let rule = Rule::SdkAdversary;
//! assert_eq!(rule.id(), "IG-SDK-ADVERSARY");
//! assert_eq!(rule.points_for(Severity::High), 15);
//! assert_eq!(rule.cap(), 30);
//! assert_eq!(rule.criteria(), [Criterion::Surveillance, Criterion::Coercion]);
//! assert_eq!(Rule::from_id("IG-SDK-ADVERSARY"), Some(rule));
//! assert!(rules::all().len() > 20);
//! ```
// Rejected: string ids with a separate points table and text table (what this replaced), where a
// rule missing from the points table scored 0 without a word; rules as data files (MobSF's YAML),
// which would move the scoring formula out of the code the tests pin.

use std::fmt;

use crate::report::{Evidence, Finding, FindingKind, Severity};

/// A criterion of EO 14034 section 2 that findings bear on. The rule pack holds each one's id and
/// wording (`rules/orders/2021-eo14034.toml`); the report carries the pack's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criterion {
    /// `EO-14034-C1`: owned, controlled or managed by persons who support a foreign adversary's
    /// military, intelligence or proliferation activities.
    AdversaryControl,
    /// `EO-14034-C2`: used for surveillance that enables espionage, including a foreign
    /// adversary's access to sensitive data.
    Surveillance,
    /// `EO-14034-C3`: owned, controlled or managed by persons open to coercion or co-option by a
    /// foreign adversary.
    Coercion,
    /// `EO-14034-C4`: owned, controlled or managed by persons involved in malicious cyber
    /// activity.
    MaliciousCyber,
    /// `EO-14034-C5`: no thorough and reliable third-party audit of the application.
    NoAudit,
    /// `EO-14034-C6`: how much data, and how sensitive, the application collects.
    DataCollected,
    /// `EO-14034-C7`: how many users, and how sensitive, the application has.
    Users,
    /// `EO-14034-C8`: whether the risks have been or can be addressed by independently verifiable
    /// measures.
    Mitigation,
}

impl Criterion {
    /// Every criterion, in the order of the order's text.
    pub const ALL: [Criterion; 8] = [
        Criterion::AdversaryControl,
        Criterion::Surveillance,
        Criterion::Coercion,
        Criterion::MaliciousCyber,
        Criterion::NoAudit,
        Criterion::DataCollected,
        Criterion::Users,
        Criterion::Mitigation,
    ];

    /// The rule pack's id (`EO-14034-C1` … `EO-14034-C8`), as reports show it.
    pub fn id(self) -> &'static str {
        match self {
            Criterion::AdversaryControl => "EO-14034-C1",
            Criterion::Surveillance => "EO-14034-C2",
            Criterion::Coercion => "EO-14034-C3",
            Criterion::MaliciousCyber => "EO-14034-C4",
            Criterion::NoAudit => "EO-14034-C5",
            Criterion::DataCollected => "EO-14034-C6",
            Criterion::Users => "EO-14034-C7",
            Criterion::Mitigation => "EO-14034-C8",
        }
    }

    /// The criterion with this id, if there is one.
    pub fn from_id(id: &str) -> Option<Criterion> {
        Criterion::ALL.into_iter().find(|c| c.id() == id)
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One row of the table, indexed by the [`Rule`]'s position.
struct Row {
    id: &'static str,
    kind: FindingKind,
    points: &'static [(Severity, u32)],
    cap: u32,
    criteria: &'static [Criterion],
    text: &'static str,
}

/// The table: one line per rule, read by [`Rule`]'s methods. A rule's text is its variant's doc.
macro_rules! rules {
    ($(
        $name:ident = $id:literal, $kind:ident,
            [$($severity:ident $points:literal),+], cap $cap:literal, [$($criterion:ident),+],
            $text:literal;
    )+) => {
        /// A vetting rule: the id of the findings it raises (see the [module](self) for the table).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $(#[doc = $text] $name,)+
        }

        /// Every rule, in the table's order (SARIF's rule indexes).
        const ALL: &[Rule] = &[$(Rule::$name),+];

        /// The rows, in the order of [`ALL`] (and of the enum's discriminants).
        static TABLE: &[Row] = &[$(
            Row {
                id: $id,
                kind: FindingKind::$kind,
                points: &[$((Severity::$severity, $points)),+],
                cap: $cap,
                criteria: &[$(Criterion::$criterion),+],
                text: $text,
            },
        )+];
    };
}

rules! {
    CoveredApp = "IG-COVERED-APP", Identity,
        [Critical 100, High 60, Medium 20], cap 100, [AdversaryControl],
        "The package id is a covered app's.";
    CoveredCert = "IG-COVERED-CERT", Identity,
        [Critical 100, High 60, Medium 20], cap 100, [AdversaryControl],
        "The APK is signed with a covered app's certificate (perhaps repackaged).";
    CoveredSigner = "IG-COVERED-SIGNER", Ownership,
        [Critical 60, High 40, Medium 20], cap 60, [AdversaryControl, Coercion],
        "The signing certificate names a covered company.";
    SignerAdversary = "IG-SIGNER-ADVERSARY", Ownership,
        [Medium 25], cap 25, [AdversaryControl, Coercion],
        "The signing certificate states a foreign-adversary country.";
    SdkAdversary = "IG-SDK-ADVERSARY", Sdk,
        [High 15, Medium 10], cap 30, [Surveillance, Coercion],
        "An embedded SDK's vendor is in a foreign-adversary country.";
    EndpointAdversary = "IG-ENDPOINT-ADVERSARY", Endpoint,
        [Medium 8], cap 16, [Surveillance],
        "The app names a network endpoint in a foreign-adversary country.";
    AdversaryDataReach = "IG-ADVERSARY-DATA-REACH", Permission,
        [High 10], cap 10, [Surveillance, DataCollected],
        "A foreign-adversary link and access to sensitive personal data in one app.";
    DataAccess = "IG-DATA-ACCESS", Permission,
        [Medium 6, Low 3], cap 24, [DataCollected],
        "The app requests permissions that open a category of personal data.";
    EndpointCleartext = "IG-ENDPOINT-CLEARTEXT", Endpoint,
        [Low 2], cap 2, [Mitigation],
        "The app names plain-HTTP URLs.";
    SignatureInvalid = "IG-SIGNATURE-INVALID", Posture,
        [Critical 40], cap 40, [NoAudit],
        "Android will not install the APK: a signature it checks does not verify, or there is none.";
    ArchivePrefix = "IG-ARCHIVE-PREFIX", Posture,
        [Critical 40, High 15], cap 40, [NoAudit, Mitigation],
        "Data (a DEX file: the Janus shape) in front of the archive's first entry.";
    AnalysisIncomplete = "IG-ANALYSIS-INCOMPLETE", Posture,
        [High 25], cap 25, [NoAudit],
        "Parts of the APK were not read: they would cost more than the analyser's budgets.";
    ArchiveOverlap = "IG-ARCHIVE-OVERLAP", Posture,
        [High 10], cap 10, [NoAudit],
        "Entries of the archive share or overlap their data.";
    SignatureScheme = "IG-SIGNATURE-SCHEME", Posture,
        [Low 3], cap 3, [NoAudit],
        "A signature scheme Android does not check here fails to verify.";
    SignatureExtra = "IG-SIGNATURE-EXTRA", Posture,
        [Low 2], cap 2, [NoAudit],
        "Certificates in signatures that do not verify or that Android ignores.";
    PosturePacker = "IG-POSTURE-PACKER", Posture,
        [Medium 10], cap 10, [NoAudit],
        "The app is packed by a commercial packer that hides its code.";
    PostureDebuggable = "IG-POSTURE-DEBUGGABLE", Posture,
        [High 8], cap 8, [Mitigation],
        "The build is debuggable.";
    PostureJanus = "IG-POSTURE-JANUS", Posture,
        [Medium 6], cap 6, [Mitigation],
        "JAR signing only on Android versions the Janus flaw reaches.";
    PostureDebugCert = "IG-POSTURE-DEBUG-CERT", Posture,
        [Medium 6], cap 6, [NoAudit],
        "Signed with the Android SDK's debug certificate.";
    PostureWeakKey = "IG-POSTURE-WEAK-KEY", Posture,
        [Medium 4], cap 4, [Mitigation],
        "The signing key is below current key-size guidance.";
    PostureCleartext = "IG-POSTURE-CLEARTEXT", Posture,
        [Low 3], cap 3, [Mitigation],
        "The app allows cleartext network traffic.";
    PostureExported = "IG-POSTURE-EXPORTED", Posture,
        [Low 3], cap 3, [Mitigation],
        "Components other apps can reach without a permission.";
    PostureBackup = "IG-POSTURE-BACKUP", Posture,
        [Low 2], cap 2, [Mitigation],
        "App data can be backed up off the device.";
    PostureWeakDigest = "IG-POSTURE-WEAK-DIGEST", Posture,
        [Low 2], cap 2, [Mitigation],
        "The JAR signature Android checks rests on MD5 or SHA-1.";
    PostureObfuscated = "IG-POSTURE-OBFUSCATED", Posture,
        [Info 0], cap 0, [NoAudit],
        "Most classes have one- or two-letter names (renamed by an obfuscator).";
    PosturePreviewSdk = "IG-POSTURE-PREVIEW-SDK", Posture,
        [Info 0], cap 0, [NoAudit],
        "minSdkVersion is a preview platform's codename.";
}

/// Every rule, in the table's order (the order of SARIF's `rules` and of the scoring table).
pub fn all() -> &'static [Rule] {
    ALL
}

impl Rule {
    fn row(self) -> &'static Row {
        // the macro writes the enum and the table from the same lines, in the same order
        &TABLE[self as usize]
    }

    /// The stable id findings carry (`IG-SDK-ADVERSARY`): SARIF's ruleId, what suppressions name.
    pub fn id(self) -> &'static str {
        self.row().id
    }

    /// What the rule's findings are about.
    pub fn kind(self) -> FindingKind {
        self.row().kind
    }

    /// Points per finding by severity, most severe first: the severities the rule raises.
    pub fn points(self) -> &'static [(Severity, u32)] {
        self.row().points
    }

    /// The most the rule's findings earn together.
    pub fn cap(self) -> u32 {
        self.row().cap
    }

    /// The EO 14034 criteria the rule's findings bear on.
    pub fn criteria(self) -> &'static [Criterion] {
        self.row().criteria
    }

    /// One line saying what a finding of this rule means (SARIF's rule description).
    pub fn text(self) -> &'static str {
        self.row().text
    }

    /// The points one finding of this severity earns: the severity's own, else the next one
    /// below it in the table, else nothing.
    pub fn points_for(self, severity: Severity) -> u32 {
        let by = self.points();
        by.iter()
            .find(|(s, _)| *s == severity)
            .or_else(|| by.iter().find(|(s, _)| *s <= severity))
            .map_or(0, |(_, p)| *p)
    }

    /// The rule with this id, if there is one.
    pub fn from_id(id: &str) -> Option<Rule> {
        ALL.iter().copied().find(|r| r.id() == id)
    }

    /// The key of this rule's finding about one subject (`IG-SDK-ADVERSARY:Umeng Analytics`).
    pub fn key(self, subject: &str) -> String {
        format!("{}:{subject}", self.id())
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

// Findings are made from their rule here, so that the report types know nothing of the table.
impl Finding {
    /// A finding of `rule`, before scoring: the rule's id, kind and criteria, no data categories,
    /// no points, not suppressed.
    pub fn new(
        rule: Rule,
        key: String,
        severity: Severity,
        title: String,
        message: String,
        evidence: Vec<Evidence>,
    ) -> Finding {
        Finding {
            rule: rule.id().to_string(),
            key,
            kind: rule.kind(),
            severity,
            title,
            message,
            evidence,
            criteria: rule.criteria().iter().map(|c| c.id().to_string()).collect(),
            data_categories: Vec::new(),
            points: 0,
            suppressed: None,
        }
    }

    /// Whether `rule` raised this finding.
    pub fn is(&self, rule: Rule) -> bool {
        self.rule == rule.id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_own_row_with_text_and_points() {
        assert_eq!(ALL.len(), TABLE.len());
        for (i, rule) in ALL.iter().enumerate() {
            assert_eq!(*rule as usize, i);
            assert!(rule.id().starts_with("IG-"), "{rule}");
            assert!(rule.text().ends_with('.'), "{rule}");
            assert!(!rule.points().is_empty() && !rule.criteria().is_empty());
            assert!(rule.points().iter().all(|(_, p)| *p <= rule.cap()));
            // most severe first, so that `points_for` falls back to the next severity below
            assert!(rule.points().windows(2).all(|w| w[0].0 > w[1].0), "{rule}");
            assert_eq!(Rule::from_id(rule.id()), Some(*rule));
        }
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len());
        assert_eq!(Rule::from_id("IG-NO-SUCH-RULE"), None);
    }

    #[test]
    fn points_fall_back_to_the_next_severity_below() {
        assert_eq!(Rule::DataAccess.points_for(Severity::Medium), 6);
        assert_eq!(Rule::DataAccess.points_for(Severity::High), 6);
        assert_eq!(Rule::DataAccess.points_for(Severity::Info), 0);
        assert_eq!(Rule::CoveredApp.points_for(Severity::Critical), 100);
    }

    #[test]
    fn criteria_ids_round_trip() {
        for c in Criterion::ALL {
            assert_eq!(Criterion::from_id(c.id()), Some(c));
        }
        assert_eq!(Criterion::Mitigation.to_string(), "EO-14034-C8");
    }
}
