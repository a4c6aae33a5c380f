//! Vet an Android app for national-security risk from its own bytes.
//!
//! [`Vetter::vet`] reads an APK with `ictguard-apk`, raises findings (identity and ownership,
//! sensitive data access, embedded SDKs, network endpoints, security posture), each pointing at
//! the bytes it comes from, maps them to the EO 14034 criteria of the rule pack and the data
//! categories of 28 CFR 202, and scores them with a fixed, documented formula ([`assess`]) into a
//! risk level and a recommendation. Every finding belongs to a rule of one table ([`rules`]: id,
//! points, cap, criteria, text); reviewers' suppressions are applied visibly ([`suppress`]); what
//! vetting knows of permissions, SDKs, trackers, vendors and domains is compiled in ([`knowledge`]).
//!
//! What it is for: a reproducible answer, with evidence a reviewer can check, to "is this APK a
//! national-security risk, why, and what do we do?". What it is not for: reading APKs in general
//! (that is `ictguard-apk`, which knows nothing of policy), running the app or watching its
//! traffic (everything here is static and offline, with no DNS), or rendering reports (text, HTML
//! and SARIF are the binary's; the [`Report`] is plain data that serialises to the JSON of
//! `schemas/vet-report.schema.json`).
//!
//! ```no_run
//! # use ictguard_vet::{Vetter, Knowledge};
//! let vetter = Vetter::new(ictguard_rules::RulePack::bundled(), Knowledge::bundled());
//! let bytes = std::fs::read("app.apk").unwrap();
//! let today = chrono::Utc::now().date_naive();
//! let report = vetter.vet("app.apk", &bytes, today).unwrap();
//! println!("{} {} {}", report.risk.as_str(), report.score, report.recommendation.as_str());
//! for finding in &report.findings {
//!     println!("{} +{} {}", finding.rule, finding.points, finding.title);
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod assess;
mod data;
mod endpoints;
pub mod fleet;
mod identity;
pub mod knowledge;
mod posture;
pub mod report;
pub mod rules;
pub mod scan;
mod sdks;
pub mod suppress;

use chrono::NaiveDate;
use ictguard_apk::signing::sha256_hex;
use ictguard_apk::Apk;
use ictguard_rules::RulePack;
use ictguard_screen::engine::{ScreenConfig, Screener};

pub use knowledge::Knowledge;
pub use report::{Finding, FindingKind, Recommendation, Report, Risk, Severity};
pub use suppress::Suppressions;

/// Why an APK could not be vetted at all.
#[derive(Debug, thiserror::Error)]
pub enum VetError {
    /// Not a readable APK.
    #[error("not a readable APK: {0}")]
    Apk(#[from] ictguard_apk::ApkError),
}

/// Why a file named for vetting has no report: it could not be read, or not vetted.
#[derive(Debug, thiserror::Error)]
pub enum NotVetted {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] ictguard_apk::FileError),
    /// Its bytes could not be vetted.
    #[error(transparent)]
    Vet(#[from] VetError),
}

/// Everything an analyser looks at.
pub(crate) struct Context<'a, 'b> {
    pub apk: &'a Apk<'b>,
    pub summary: &'a ictguard_apk::Summary,
    pub scan: &'a scan::CodeScan,
    pub knowledge: &'a Knowledge,
    pub screener: &'a Screener,
    pub as_of: NaiveDate,
}

impl Context<'_, '_> {
    /// The foreign-adversary designation of a country on the date (list id), if any: the
    /// instruments then in force, not the data rules' countries of concern.
    pub fn adversary(&self, country: &str) -> Option<String> {
        self.screener
            .pack()
            .country_standing(country, self.as_of)
            .adversary
            .first()
            .map(|d| format!("{} ({})", d.member.name, d.list))
    }
}

/// What vetting reads from an APK's own bytes before any rule or knowledge applies: the parsed
/// archive, the file's hash, the code scan and the summary with its signatures checked. It needs
/// no [`Vetter`], so a caller can read an APK while its vetter is still being built.
pub struct Examined<'a> {
    apk: Apk<'a>,
    file_sha256: String,
    scan: scan::CodeScan,
    summary: ictguard_apk::Summary,
}

impl<'a> Examined<'a> {
    /// Read an APK: parse it, hash it, scan its code, read and verify its signatures.
    pub fn of(bytes: &'a [u8]) -> Result<Examined<'a>, VetError> {
        Examined::with_limits(bytes, &ictguard_apk::Limits::default())
    }

    /// Read an APK within `limits` (see [`ictguard_apk::Limits`]).
    pub fn with_limits(
        bytes: &'a [u8],
        limits: &ictguard_apk::Limits,
    ) -> Result<Examined<'a>, VetError> {
        let apk = Apk::parse_with(bytes, limits)?;
        // the file's own hash, the code scan and the signatures (hashing the archive again, in
        // chunks), side by side: the file hash cannot be split, so it starts first on one thread;
        // the other scans the code meanwhile, and both share the signature's chunks at the end
        let (file_sha256, (scan, summary)) = rayon::join(
            || sha256_hex(bytes),
            || rayon::join(|| scan::scan(&apk), || apk.summary()),
        );
        Ok(Examined {
            apk,
            file_sha256,
            scan,
            summary,
        })
    }
}

/// Vets APKs against a rule pack with the bundled knowledge. Build once, share across threads.
pub struct Vetter {
    screener: Screener,
    knowledge: Knowledge,
    suppressions: Suppressions,
    limits: ictguard_apk::Limits,
}

impl Vetter {
    /// A vetter over a rule pack.
    pub fn new(pack: RulePack, knowledge: Knowledge) -> Vetter {
        Vetter {
            screener: Screener::new(pack, Vec::new(), ScreenConfig::default()),
            knowledge,
            suppressions: Suppressions::default(),
            limits: ictguard_apk::Limits::default(),
        }
    }

    /// Read APKs within these budgets instead of the defaults (see [`ictguard_apk::Limits`]).
    pub fn with_limits(mut self, limits: ictguard_apk::Limits) -> Vetter {
        self.limits = limits;
        self
    }

    /// Apply a reviewer's suppressions (reported in every report, never silently).
    pub fn with_suppressions(mut self, suppressions: Suppressions) -> Vetter {
        self.suppressions = suppressions;
        self
    }

    /// The knowledge in use.
    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// The rule pack in use.
    pub fn pack(&self) -> &RulePack {
        self.screener.pack()
    }

    /// Vet one APK given as bytes; `file` names it in the report.
    pub fn vet(&self, file: &str, bytes: &[u8], as_of: NaiveDate) -> Result<Report, VetError> {
        Ok(self.assess(file, Examined::with_limits(bytes, &self.limits)?, as_of))
    }

    /// Vet an APK already examined ([`Examined::of`]); `file` names it in the report.
    pub fn assess(&self, file: &str, examined: Examined<'_>, as_of: NaiveDate) -> Report {
        let Examined {
            apk,
            file_sha256,
            scan,
            summary,
        } = examined;
        let cx = Context {
            apk: &apk,
            summary: &summary,
            scan: &scan,
            knowledge: &self.knowledge,
            screener: &self.screener,
            as_of,
        };
        let mut findings = Vec::new();
        let identity = identity::check(&cx, &mut findings);
        let permissions = data::check(&cx, &mut findings);
        let sdks = sdks::check(&cx, &mut findings);
        let endpoints = endpoints::check(&cx, &sdks, &mut findings);
        posture::check(&cx, &mut findings);

        let mut warnings: Vec<String> = summary.problems.clone();
        warnings.extend(scan.problems.iter().cloned());
        // the summary is made beside the code scan, which may spend the archive's budget later
        if apk.zip.budget_exhausted() && !warnings.iter().any(|w| w.contains("archive's budget")) {
            warnings.push("analysis stopped: reading the entries spent the archive's budget; some were not read whole".into());
        }
        warnings.extend(self.screener.pack().horizon_warning(as_of));
        let (findings, suppressed, notes) =
            self.suppressions
                .apply(summary.package.as_deref(), findings, as_of);
        warnings.extend(notes);
        let mut assessment =
            assess::assess(self.screener.pack(), &identity, findings, &sdks, &endpoints);
        let (override_rule, expired) = self
            .suppressions
            .override_for(summary.package.as_deref(), as_of);
        warnings.extend(expired);
        let override_ = override_rule.map(|o| {
            let applied = report::OverrideApplied {
                computed: assessment.recommendation,
                recommendation: o.recommendation,
                who: o.who.clone(),
                when: o.when.to_string(),
                why: o.why.clone(),
                until: o.until.map(|u| u.to_string()),
            };
            assessment.reasons.push(format!(
                "recommendation overridden to {} by {} on {} ({}); computed: {}",
                o.recommendation.as_str(),
                o.who,
                o.when,
                o.why,
                assessment.recommendation.as_str()
            ));
            assessment.recommendation = o.recommendation;
            applied
        });
        let signers = summary
            .signers
            .iter()
            .map(|s| {
                let c = &s.certificate;
                report::SignerInfo {
                    sha256: c.sha256.clone(),
                    subject: c.subject.clone(),
                    organization: c.organization.clone(),
                    country: c.country.clone(),
                    key: c
                        .key_algorithm
                        .as_ref()
                        .map(|a| format!("{a} {}", c.key_bits.unwrap_or(0))),
                }
            })
            .collect();
        let other_certificates = summary
            .other_certificates
            .iter()
            .map(|o| report::OtherCertificate {
                sha256: o.certificate.sha256.clone(),
                subject: o.certificate.subject.clone(),
                country: o.certificate.country.clone(),
                scheme: o.scheme.to_string(),
                status: o.status.to_string(),
                note: o.note.clone(),
            })
            .collect();
        let mut attribution = vec![
            "Android permission data: AOSP (Apache-2.0), as extracted by Androguard".to_string(),
        ];
        if sdks.iter().any(|s| s.source.contains("exodus"))
            || endpoints.iter().any(|e| e.tracker.is_some())
        {
            attribution.push(
                "Tracker signatures: Exodus Privacy (https://exodus-privacy.eu.org), ODbL 1.0"
                    .into(),
            );
        }
        if sdks.iter().any(|s| s.source.contains("sdk-signatures")) {
            attribution
                .push("SDK signatures: apk-analyzer and LibChecker-Rules (MIT, Apache-2.0)".into());
        }
        Report {
            file: file.to_string(),
            sha256: file_sha256,
            package: summary.package.clone(),
            label: summary.application.label.clone(),
            version_code: summary.version_code,
            version_name: summary.version_name.clone(),
            as_of: as_of.to_string(),
            risk: assessment.risk,
            score: assessment.score,
            recommendation: assessment.recommendation,
            override_,
            conditions: assessment.conditions,
            reasons: assessment.reasons,
            covered: identity,
            sdks,
            endpoints,
            permissions,
            criteria: assessment.criteria,
            signers,
            other_certificates,
            findings: assessment.findings,
            suppressed,
            warnings,
            attribution,
        }
    }
}
