//! The assessment: a fixed, documented formula from findings to a score, a risk level and a
//! recommendation, so that two reviewers with the same APK, rule pack and date get the same answer.
//!
//! **Score.** Each finding earns the points of its rule (the table in [`crate::rules`], shown in
//! `docs/vetting-rules.md`); a rule's findings together earn at most its cap; the sum is capped
//! at 100. When the app links to a foreign adversary (a covered match, an adversary SDK, endpoint
//! or signer) *and* reaches sensitive personal data, a combined finding (`IG-ADVERSARY-DATA-REACH`,
//! 10 points) records that the adversary link can reach the data (EO 14034's surveillance
//! criterion). Suppressed findings earn nothing.
//!
//! **Risk.** critical: score ≥ 75, or any critical finding (a covered app matched under an order in
//! force, a signature Android would refuse, a Janus-shaped file it would run); high: ≥ 50;
//! moderate: ≥ 25; low: below 25.
//!
//! **Recommendation.** prohibit when critical; restrict, with the conditions the findings name,
//! when high or moderate; allow when low.

use std::collections::BTreeMap;

use ictguard_rules::RulePack;

use crate::report::{
    Covered, CriterionHit, Endpoint, Evidence, Finding, Recommendation, Risk, SdkFound, Severity,
};
use crate::rules::Rule;

/// The points a finding of `rule` at `severity` earns, and the cap of its rule. A rule id that is
/// not in the table (a finding made outside this crate) earns nothing.
fn points_for(rule: &str, severity: Severity) -> (u32, u32) {
    Rule::from_id(rule).map_or((0, 0), |r| (r.points_for(severity), r.cap()))
}

/// The rules whose findings link the app to a foreign adversary (for the combined finding).
const ADVERSARY_LINKS: &[Rule] = &[
    Rule::CoveredApp,
    Rule::CoveredCert,
    Rule::CoveredSigner,
    Rule::SignerAdversary,
    Rule::SdkAdversary,
    Rule::EndpointAdversary,
];

/// The outcome of [`assess`].
#[derive(Debug)]
pub struct Assessment {
    /// Risk level.
    pub risk: Risk,
    /// 0..100.
    pub score: u32,
    /// What to do.
    pub recommendation: Recommendation,
    /// Conditions to allow it (for `restrict`).
    pub conditions: Vec<String>,
    /// Why, pointing at findings.
    pub reasons: Vec<String>,
    /// Criteria the findings bear on.
    pub criteria: Vec<CriterionHit>,
    /// The findings with their points, most points first.
    pub findings: Vec<Finding>,
}

/// Score the findings and decide.
pub fn assess(
    pack: &RulePack,
    covered: &[Covered],
    mut findings: Vec<Finding>,
    sdks: &[SdkFound],
    endpoints: &[Endpoint],
) -> Assessment {
    // the combined finding: an adversary link that can reach sensitive data
    let adversary_links: Vec<&Finding> = findings
        .iter()
        .filter(|f| ADVERSARY_LINKS.iter().any(|r| f.is(*r)))
        .collect();
    let data: Vec<&Finding> = findings.iter().filter(|f| f.is(Rule::DataAccess)).collect();
    if !adversary_links.is_empty() && !data.is_empty() {
        let mut evidence: Vec<Evidence> = adversary_links
            .iter()
            .filter_map(|f| f.evidence.first().cloned())
            .take(5)
            .collect();
        evidence.extend(
            data.iter()
                .filter_map(|f| f.evidence.first().cloned())
                .take(5),
        );
        let links: Vec<String> = adversary_links.iter().map(|f| f.key.clone()).collect();
        let prefix = Rule::DataAccess.key("");
        let reached: Vec<String> = data
            .iter()
            .map(|f| f.key.trim_start_matches(prefix.as_str()).to_string())
            .collect();
        let data_categories = data
            .iter()
            .flat_map(|f| f.data_categories.clone())
            .collect();
        let mut reach = Finding::new(
            Rule::AdversaryDataReach,
            Rule::AdversaryDataReach.id().into(),
            Severity::High,
            "a foreign-adversary link can reach sensitive data".into(),
            format!(
                "The app links to a foreign adversary ({}) and opens {} to everything that runs in it.",
                links.join(", "),
                reached.join(", ")
            ),
            evidence,
        );
        reach.data_categories = data_categories;
        findings.push(reach);
    }

    // points, with each rule's cap
    let mut used: BTreeMap<String, u32> = BTreeMap::new();
    for f in &mut findings {
        let (p, cap) = points_for(&f.rule, f.severity);
        let so_far = used.entry(f.rule.clone()).or_default();
        let take = p.min(cap.saturating_sub(*so_far));
        *so_far += take;
        f.points = take;
    }
    let score = findings.iter().map(|f| f.points).sum::<u32>().min(100);
    findings.sort_by(|a, b| {
        b.points
            .cmp(&a.points)
            .then(b.severity.cmp(&a.severity))
            .then(a.key.cmp(&b.key))
    });

    // a critical finding is prohibitive whatever the score (suppressed ones are not here)
    let critical = findings.iter().any(|f| f.severity == Severity::Critical);
    let risk = if critical || score >= 75 {
        Risk::Critical
    } else if score >= 50 {
        Risk::High
    } else if score >= 25 {
        Risk::Moderate
    } else {
        Risk::Low
    };
    let recommendation = match risk {
        Risk::Critical => Recommendation::Prohibit,
        Risk::High | Risk::Moderate => Recommendation::Restrict,
        Risk::Low => Recommendation::Allow,
    };

    let mut reasons = Vec::new();
    for c in covered {
        let orders: Vec<String> = c
            .orders
            .iter()
            .map(|o| format!("{} {}", o.id, o.status.as_str()))
            .collect();
        reasons.push(format!(
            "matches covered {} {} by {} ({}): screening says {}{}",
            c.kind,
            c.name,
            c.matched_by,
            c.value,
            c.decision.as_str(),
            if orders.is_empty() {
                String::new()
            } else {
                format!(" under {}", orders.join(", "))
            }
        ));
    }
    reasons.push(format!(
        "score {score}: {}",
        findings
            .iter()
            .filter(|f| f.points > 0)
            .map(|f| format!("{} (+{}, {})", f.title, f.points, f.key))
            .collect::<Vec<_>>()
            .join("; ")
    ));
    if findings.iter().all(|f| f.points == 0) {
        reasons.pop();
        reasons.push("score 0: no finding counts".into());
    }

    let conditions = if recommendation == Recommendation::Restrict {
        conditions_for(&findings, sdks, endpoints)
    } else {
        Vec::new()
    };

    let mut by_criterion: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &findings {
        for c in &f.criteria {
            by_criterion
                .entry(c.clone())
                .or_default()
                .push(f.key.clone());
        }
    }
    let criteria = by_criterion
        .into_iter()
        .map(|(id, keys)| CriterionHit {
            text: pack
                .criteria
                .iter()
                .find(|c| c.item.id == id)
                .map(|c| c.item.text.clone())
                .unwrap_or_default(),
            id,
            findings: keys,
        })
        .collect();

    Assessment {
        risk,
        score,
        recommendation,
        conditions,
        reasons,
        criteria,
        findings,
    }
}

/// The conditions under which a `restrict` app may be used, one per kind of finding.
fn conditions_for(findings: &[Finding], sdks: &[SdkFound], endpoints: &[Endpoint]) -> Vec<String> {
    let mut out = Vec::new();
    let has = |rule: Rule| findings.iter().any(|f| f.is(rule));
    for s in sdks.iter().filter(|s| s.foreign_adversary) {
        out.push(format!(
            "remove {} ({}, {}) from the build, or prove it inactive",
            s.name,
            s.vendor.clone().unwrap_or_else(|| "unknown vendor".into()),
            s.country.clone().unwrap_or_default()
        ));
    }
    let hosts: Vec<&str> = endpoints
        .iter()
        .filter(|e| e.foreign_adversary)
        .map(|e| e.host.as_str())
        .collect();
    if !hosts.is_empty() {
        out.push(format!("block network traffic to {}", hosts.join(", ")));
    }
    if has(Rule::CoveredSigner)
        || has(Rule::SignerAdversary)
        || has(Rule::CoveredApp)
        || has(Rule::CoveredCert)
    {
        out.push("establish who owns and controls the developer before approval".into());
    }
    let sensitive: Vec<String> = findings
        .iter()
        .filter(|f| f.is(Rule::DataAccess) && f.severity >= Severity::Medium)
        .flat_map(|f| f.evidence.iter().map(|e| e.item.clone()))
        .collect();
    if !sensitive.is_empty() {
        out.push(format!(
            "deny {} through the device-management policy unless the mission needs them",
            sensitive.join(", ")
        ));
    }
    for (rule, text) in [
        (
            Rule::SignatureInvalid,
            "obtain a correctly signed build from the developer",
        ),
        (
            Rule::ArchivePrefix,
            "obtain the developer's original build: this file carries data in front of its entries",
        ),
        (
            Rule::ArchiveOverlap,
            "obtain the developer's original build: this archive was crafted",
        ),
        (
            Rule::AnalysisIncomplete,
            "review the parts this analysis could not read by hand, or obtain a build that can be analysed in full",
        ),
        (Rule::PosturePacker, "obtain an unpacked build for review"),
        (
            Rule::PostureDebuggable,
            "install only a release build (android:debuggable false)",
        ),
        (
            Rule::PostureDebugCert,
            "install only a build signed with the developer's release key",
        ),
        (
            Rule::PostureJanus,
            "require a build signed with APK Signature Scheme v2 or later",
        ),
        (
            Rule::PostureCleartext,
            "enforce encrypted traffic (no cleartext in the network security config)",
        ),
        (
            Rule::PostureBackup,
            "disable app-data backup through the device-management policy",
        ),
    ] {
        if has(rule) {
            out.push(text.into());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::FindingKind;

    fn f(rule: &str, key: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            key: key.into(),
            kind: FindingKind::Posture,
            severity,
            title: key.into(),
            message: String::new(),
            evidence: vec![Evidence::new("AndroidManifest.xml", key)],
            criteria: vec!["EO-14034-C8".into()],
            data_categories: Vec::new(),
            points: 0,
            suppressed: None,
        }
    }

    #[test]
    fn caps_thresholds_and_combination() {
        let pack = RulePack::bundled();
        // nothing: low, allow
        let a = assess(&pack, &[], Vec::new(), &[], &[]);
        assert_eq!(
            (a.score, a.risk, a.recommendation),
            (0, Risk::Low, Recommendation::Allow)
        );
        // three adversary SDKs (15 each) are capped at 30; with location (6) and the combination (10)
        let findings = vec![
            f("IG-SDK-ADVERSARY", "IG-SDK-ADVERSARY:a", Severity::High),
            f("IG-SDK-ADVERSARY", "IG-SDK-ADVERSARY:b", Severity::High),
            f("IG-SDK-ADVERSARY", "IG-SDK-ADVERSARY:c", Severity::High),
            f(
                "IG-DATA-ACCESS",
                "IG-DATA-ACCESS:precise_location",
                Severity::Medium,
            ),
        ];
        let a = assess(&pack, &[], findings, &[], &[]);
        assert_eq!(a.score, 30 + 6 + 10);
        assert_eq!(a.risk, Risk::Moderate);
        assert_eq!(a.recommendation, Recommendation::Restrict);
        assert!(a
            .findings
            .iter()
            .any(|x| x.rule == "IG-ADVERSARY-DATA-REACH" && x.points == 10));
        assert!(a
            .conditions
            .iter()
            .any(|c| c.contains("ACCESS") || c.contains("IG-DATA-ACCESS:precise_location")));
        // a covered app under an order in force is critical whatever else
        let a = assess(
            &pack,
            &[],
            vec![f("IG-COVERED-APP", "IG-COVERED-APP:x", Severity::Critical)],
            &[],
            &[],
        );
        assert_eq!(
            (a.score, a.risk, a.recommendation),
            (100, Risk::Critical, Recommendation::Prohibit)
        );
        // the criteria carry the pack's text
        let a = assess(
            &pack,
            &[],
            vec![f(
                "IG-POSTURE-DEBUGGABLE",
                "IG-POSTURE-DEBUGGABLE",
                Severity::High,
            )],
            &[],
            &[],
        );
        assert_eq!(a.score, 8);
        assert!(a.criteria[0].text.contains("independently verifiable"));
    }
}
