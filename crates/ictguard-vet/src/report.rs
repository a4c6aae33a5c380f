//! The vetting report: findings with evidence, the assessment, and what was seen. This is the
//! `ictguard vet --format json` contract (see `schemas/vet-report.schema.json`).

use ictguard_screen::engine::{Decision, OrderFinding};
use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Minor.
    Low,
    /// Should be addressed.
    Medium,
    /// Serious.
    High,
    /// Prohibitive.
    Critical,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// What a finding is about.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The app is, or is signed as, a covered app.
    Identity,
    /// Who owns or controls the app (developer, signer).
    Ownership,
    /// Access to sensitive personal data.
    Permission,
    /// An embedded third-party SDK or tracker.
    Sdk,
    /// A network endpoint in the code or assets.
    Endpoint,
    /// Security posture that widens exposure.
    Posture,
}

impl FindingKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Identity => "identity",
            FindingKind::Ownership => "ownership",
            FindingKind::Permission => "permission",
            FindingKind::Sdk => "sdk",
            FindingKind::Endpoint => "endpoint",
            FindingKind::Posture => "posture",
        }
    }
}

/// Where in the APK a finding comes from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// The file inside the APK (`AndroidManifest.xml`, `classes2.dex`, `lib/arm64-v8a/libx.so`,
    /// `META-INF/CERT.RSA`, `APK Signing Block`).
    pub file: String,
    /// The item: a permission, class, string, component, certificate fingerprint.
    pub item: String,
    /// More context, when useful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Evidence {
    /// Evidence without detail.
    pub fn new(file: impl Into<String>, item: impl Into<String>) -> Evidence {
        Evidence {
            file: file.into(),
            item: item.into(),
            detail: None,
        }
    }

    /// Evidence with detail.
    pub fn with(
        file: impl Into<String>,
        item: impl Into<String>,
        detail: impl Into<String>,
    ) -> Evidence {
        Evidence {
            file: file.into(),
            item: item.into(),
            detail: Some(detail.into()),
        }
    }
}

/// A reviewer's decision to set a finding aside, as read from a suppressions file.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// Who decided.
    pub who: String,
    /// When (YYYY-MM-DD).
    pub when: String,
    /// Why.
    pub why: String,
    /// Until when it holds, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// One finding.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// The rule that raised it (stable, e.g. `IG-SDK-ADVERSARY`); SARIF's ruleId.
    pub rule: String,
    /// A stable key for this finding in this app (`rule:subject`), used by suppressions.
    pub key: String,
    /// What it is about.
    pub kind: FindingKind,
    /// How serious.
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// What it means, in a sentence or two.
    pub message: String,
    /// Where it comes from.
    pub evidence: Vec<Evidence>,
    /// The EO 14034 criteria it bears on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<String>,
    /// The 28 CFR 202 data categories it bears on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_categories: Vec<String>,
    /// Points it adds to the score (after the caps of its group; 0 when suppressed).
    pub points: u32,
    /// The reviewer's suppression, when one applies (then it does not count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// A covered app or entity the APK matched.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Covered {
    /// Rule-pack id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `app` or `entity`.
    pub kind: String,
    /// How the APK matched it: `package`, `certificate`, `signer`.
    pub matched_by: String,
    /// The value that matched.
    pub value: String,
    /// The screening decision for that match on the date.
    pub decision: Decision,
    /// Orders bearing on it with their status on the date (as in `ictguard screen --json`).
    pub orders: Vec<OrderFinding>,
}

/// An SDK or tracker found in the APK.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SdkFound {
    /// SDK name.
    pub name: String,
    /// Vendor (company).
    pub vendor: Option<String>,
    /// Vendor's ultimate parent.
    pub parent: Option<String>,
    /// ISO 3166 alpha-2 country of the parent, when known.
    pub country: Option<String>,
    /// ads, analytics, push, …
    pub category: Option<String>,
    /// Which signature database found it: `exodus` or `sdk-signatures`.
    pub source: String,
    /// The country is a foreign adversary on the date.
    pub foreign_adversary: bool,
    /// Personal-data categories the app's permissions open to this SDK (it runs with them).
    pub data_reached: Vec<String>,
    /// Where it was seen.
    pub evidence: Vec<Evidence>,
}

/// A network endpoint found in the code or assets.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    /// Host name or IP address.
    pub host: String,
    /// A full URL it appeared in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Owner, when known.
    pub owner: Option<String>,
    /// ISO 3166 alpha-2 country, when known (never from live DNS).
    pub country: Option<String>,
    /// How the owner or country was found.
    pub basis: Option<String>,
    /// Plain `http://`.
    pub cleartext: bool,
    /// The country is a foreign adversary on the date.
    pub foreign_adversary: bool,
    /// An Exodus tracker whose network signature matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracker: Option<String>,
    /// Where it was seen (first few places).
    pub evidence: Vec<Evidence>,
}

/// A requested permission with what it opens.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PermissionUse {
    /// Permission name.
    pub name: String,
    /// AOSP protection level, when the permission is a platform one.
    pub protection_level: Option<String>,
    /// The personal-data category it opens (ours), if any.
    pub category: Option<String>,
    /// Implied by Android for an old target rather than requested.
    pub implied: bool,
}

/// An EO 14034 criterion and the findings that bear on it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CriterionHit {
    /// Criterion id.
    pub id: String,
    /// Its text, as the rule pack records it.
    pub text: String,
    /// Finding keys.
    pub findings: Vec<String>,
}

/// The assessment's outcome.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// Score under 25.
    Low,
    /// 25 to 49.
    Moderate,
    /// 50 to 74.
    High,
    /// 75 and up, or a covered app under an order in force.
    Critical,
}

impl Risk {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Moderate => "moderate",
            Risk::High => "high",
            Risk::Critical => "critical",
        }
    }
}

/// What to do with the app.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Recommendation {
    /// Do not allow it.
    Prohibit,
    /// Allow only under the named conditions.
    Restrict,
    /// No objection.
    Allow,
}

impl Recommendation {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Prohibit => "prohibit",
            Recommendation::Restrict => "restrict",
            Recommendation::Allow => "allow",
        }
    }
}

/// An override applied to a report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverrideApplied {
    /// The recommendation the assessment computed.
    pub computed: Recommendation,
    /// The reviewer's recommendation (the report's `recommendation`).
    pub recommendation: Recommendation,
    /// Who decided.
    pub who: String,
    /// When.
    pub when: String,
    /// Why.
    pub why: String,
    /// Until when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// A signing certificate, as the report shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignerInfo {
    /// SHA-256 of the certificate.
    pub sha256: String,
    /// Subject DN.
    pub subject: Option<String>,
    /// Organisation.
    pub organization: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Key algorithm and size, e.g. "RSA 2048".
    pub key: Option<String>,
}

/// A certificate the APK carries that is not its signer's, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherCertificate {
    /// SHA-256 of the certificate.
    pub sha256: String,
    /// Subject DN.
    pub subject: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// The scheme that carries it (v1, v2, v3, v3.1).
    pub scheme: String,
    /// `does not verify`, `ignored by Android`, `verifies` (an older scheme's signer) or
    /// `not checked`.
    pub status: String,
    /// More, when there is more to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The report on one APK.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The file vetted, as given.
    pub file: String,
    /// SHA-256 of the APK file.
    pub sha256: String,
    /// Package name.
    pub package: Option<String>,
    /// Application label.
    pub label: Option<String>,
    /// versionCode.
    pub version_code: Option<i64>,
    /// versionName.
    pub version_name: Option<String>,
    /// The date assessed as of.
    pub as_of: String,
    /// low, moderate, high, critical.
    pub risk: Risk,
    /// 0..100.
    pub score: u32,
    /// prohibit, restrict, allow (a reviewer's override when one applies; see `override`).
    pub recommendation: Recommendation,
    /// A reviewer's override of the recommendation, with the computed one.
    #[serde(rename = "override", skip_serializing_if = "Option::is_none")]
    pub override_: Option<OverrideApplied>,
    /// Conditions for `restrict` (and what would have to change for `prohibit`).
    pub conditions: Vec<String>,
    /// Why, in words, each pointing at findings.
    pub reasons: Vec<String>,
    /// Covered apps and entities matched.
    pub covered: Vec<Covered>,
    /// SDKs and trackers found.
    pub sdks: Vec<SdkFound>,
    /// Network endpoints found.
    pub endpoints: Vec<Endpoint>,
    /// Requested permissions.
    pub permissions: Vec<PermissionUse>,
    /// The EO 14034 criteria the findings bear on.
    pub criteria: Vec<CriterionHit>,
    /// The APK's signers: certificates of signatures that verify, as Android picks them.
    pub signers: Vec<SignerInfo>,
    /// Certificates present that are not the signers': never scored as the signer.
    pub other_certificates: Vec<OtherCertificate>,
    /// Findings that count.
    pub findings: Vec<Finding>,
    /// Findings a reviewer suppressed (shown, not counted).
    pub suppressed: Vec<Finding>,
    /// Caveats (unreadable parts, knowledge horizon).
    pub warnings: Vec<String>,
    /// Sources to credit for what the report shows.
    pub attribution: Vec<String>,
}
