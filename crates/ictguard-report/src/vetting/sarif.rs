//! SARIF 2.1.0 rendering of vetting (for code-scanning pipelines such as GitHub's): one run,
//! one rule per finding rule, one result per finding, located at the APK with the file and item
//! inside it as logical locations. Suppressed findings carry SARIF suppressions with the reviewer's
//! name and reason.

use ictguard_vet::{Severity, Vetter};
use serde_json::{json, Value};

use super::Vetted;
use crate::RenderError;

/// The schema the output declares (SARIF 2.1.0 with OASIS Errata 01).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// Render every report as one SARIF log.
pub fn render(vetted: &[Vetted], vetter: &Vetter) -> Result<String, RenderError> {
    let rules: Vec<Value> = ictguard_vet::rules::all()
        .iter()
        .map(|rule| {
            let (id, text, cap) = (rule.id(), rule.text(), rule.cap());
            json!({
                "id": id,
                "name": id.trim_start_matches("IG-").to_lowercase().replace('-', "_"),
                "shortDescription": { "text": text },
                "fullDescription": { "text": format!("{text} Scores up to {cap} points (see the README's vetting section).") },
                "helpUri": "https://github.com/ictguard/ictguard#vetting",
            })
        })
        .collect();
    let rule_index = |id: &str| ictguard_vet::rules::all().iter().position(|r| r.id() == id);
    let mut results = Vec::new();
    let mut artifacts = Vec::new();
    let mut notifications = Vec::new();
    for (file, r) in vetted {
        let report = match r {
            Ok(report) => report,
            Err(e) => {
                notifications.push(json!({
                    "level": "error",
                    "message": { "text": format!("{file}: {e}") },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(file) } } }],
                }));
                continue;
            }
        };
        artifacts.push(json!({
            "location": { "uri": uri(file) },
            "hashes": { "sha-256": report.sha256 },
            "properties": {
                "package": report.package,
                "risk": report.risk,
                "score": report.score,
                "recommendation": report.recommendation,
                "asOf": report.as_of,
            },
        }));
        for (f, suppressed) in report
            .findings
            .iter()
            .map(|f| (f, false))
            .chain(report.suppressed.iter().map(|f| (f, true)))
        {
            // one logical location per place (SARIF wants them unique)
            let mut seen = std::collections::HashSet::new();
            let logical: Vec<Value> = f
                .evidence
                .iter()
                .filter(|e| seen.insert((e.file.clone(), e.item.clone())))
                .take(10)
                .map(|e| {
                    json!({
                        "name": e.item,
                        "fullyQualifiedName": format!("{}!{}", e.file, e.item),
                        "kind": "resource",
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": format!("{}: {}", f.title, f.message) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": uri(file) } },
                    "logicalLocations": logical,
                }],
                "partialFingerprints": {
                    "ictguardFinding/v1": format!("{}|{}", report.package.clone().unwrap_or_default(), f.key),
                },
                "properties": {
                    "key": f.key,
                    "severity": f.severity,
                    "points": f.points,
                    "criteria": f.criteria,
                    "dataCategories": f.data_categories,
                },
            });
            if let Some(i) = rule_index(&f.rule) {
                result["ruleIndex"] = json!(i);
            }
            if suppressed {
                if let Some(s) = &f.suppressed {
                    result["suppressions"] = json!([{
                        "kind": "external",
                        "status": "accepted",
                        "justification": s.why,
                        "properties": { "who": s.who, "when": s.when, "until": s.until },
                    }]);
                }
            }
            results.push(result);
        }
    }
    let pack = vetter.pack();
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ictguard",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/ictguard/ictguard",
                    "rules": rules,
                },
            },
            "artifacts": artifacts,
            "results": results,
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "properties": {
                "rulePack": pack.meta.as_ref().map(|m| m.version.clone()),
                "attribution": vetted.iter().filter_map(|(_, r)| r.as_ref().ok()).flat_map(|r| r.attribution.clone()).collect::<std::collections::BTreeSet<_>>(),
            },
        }],
    });
    Ok(serde_json::to_string_pretty(&log)? + "\n")
}

/// A file path as a relative URI reference (forward slashes, spaces and the like escaped).
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
