//! The text rendering of `ictguard vet`: the full report for one APK, a summary table for many.

use std::fmt::Write;

use ictguard_vet::Report;

use super::Vetted;

/// Render reports as text.
pub fn render(vetted: &[Vetted], single: bool) -> String {
    let mut out = String::new();
    if single {
        if let Some((_, Ok(r))) = vetted.first() {
            full(&mut out, r);
        }
        return out;
    }
    let _ = writeln!(
        out,
        "{:<9} {:>5} {:<9} {:<40} file",
        "risk", "score", "verdict", "package"
    );
    let mut sorted: Vec<&Vetted> = vetted.iter().collect();
    sorted.sort_by_key(|(_, r)| std::cmp::Reverse(r.as_ref().map(|r| r.score).unwrap_or(0)));
    for (file, r) in sorted {
        match r {
            Ok(r) => {
                let _ = writeln!(
                    out,
                    "{:<9} {:>5} {:<9} {:<40} {}",
                    r.risk.as_str(),
                    r.score,
                    r.recommendation.as_str(),
                    r.package.as_deref().unwrap_or("-"),
                    file
                );
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "{:<9} {:>5} {:<9} {:<40} {file}: {e}",
                    "error", "-", "-", "-"
                );
            }
        }
    }
    let count = |risk: &str| {
        vetted
            .iter()
            .filter(|(_, r)| r.as_ref().is_ok_and(|r| r.risk.as_str() == risk))
            .count()
    };
    let _ = writeln!(
        out,
        "\n{} APKs: {} critical, {} high, {} moderate, {} low, {} unreadable",
        vetted.len(),
        count("critical"),
        count("high"),
        count("moderate"),
        count("low"),
        vetted.iter().filter(|(_, r)| r.is_err()).count()
    );
    out
}

fn full(out: &mut String, r: &Report) {
    let _ = writeln!(
        out,
        "{}  {}  {}",
        r.package.as_deref().unwrap_or("(no package)"),
        r.version_name.as_deref().unwrap_or("-"),
        r.label.as_deref().unwrap_or("")
    );
    let _ = writeln!(
        out,
        "risk {} · score {}/100 · recommendation {} · as of {}",
        r.risk.as_str().to_uppercase(),
        r.score,
        r.recommendation.as_str().to_uppercase(),
        r.as_of
    );
    if let Some(o) = &r.override_ {
        let _ = writeln!(
            out,
            "  OVERRIDE: {} by {} on {} ({}); computed: {}",
            o.recommendation.as_str(),
            o.who,
            o.when,
            o.why,
            o.computed.as_str()
        );
    }
    for reason in &r.reasons {
        let _ = writeln!(out, "  why: {reason}");
    }
    for c in &r.conditions {
        let _ = writeln!(out, "  condition: {c}");
    }
    if !r.findings.is_empty() {
        let _ = writeln!(out, "\nFINDINGS");
        for f in &r.findings {
            let _ = writeln!(
                out,
                "  [{:<8}] +{:<3} {}  ({})",
                f.severity.as_str(),
                f.points,
                f.title,
                f.key
            );
            for e in f.evidence.iter().take(3) {
                let _ = writeln!(
                    out,
                    "             {} › {}{}",
                    e.file,
                    e.item,
                    e.detail
                        .as_ref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                );
            }
        }
    }
    if !r.suppressed.is_empty() {
        let _ = writeln!(out, "\nSUPPRESSED BY REVIEWERS (not counted)");
        for f in &r.suppressed {
            if let Some(s) = &f.suppressed {
                let _ = writeln!(out, "  {}  by {} on {}: {}", f.key, s.who, s.when, s.why);
            }
        }
    }
    if !r.sdks.is_empty() {
        let _ = writeln!(out, "\nSDKS");
        for s in &r.sdks {
            let _ = writeln!(
                out,
                "  {:<36} {:<28} {:<3} {}",
                s.name,
                s.vendor.as_deref().unwrap_or("?"),
                s.country.as_deref().unwrap_or("?"),
                if s.foreign_adversary {
                    "FOREIGN ADVERSARY"
                } else {
                    ""
                }
            );
        }
    }
    if !r.endpoints.is_empty() {
        let _ = writeln!(out, "\nENDPOINTS");
        for e in r.endpoints.iter().take(25) {
            let _ = writeln!(
                out,
                "  {:<40} {:<3} {}{}",
                e.host,
                e.country.as_deref().unwrap_or("?"),
                e.owner.as_deref().unwrap_or(""),
                if e.foreign_adversary {
                    "  FOREIGN ADVERSARY"
                } else {
                    ""
                }
            );
        }
        if r.endpoints.len() > 25 {
            let _ = writeln!(
                out,
                "  … and {} more (see --format json)",
                r.endpoints.len() - 25
            );
        }
    }
    if !r.criteria.is_empty() {
        let _ = writeln!(out, "\nEO 14034 CRITERIA");
        for c in &r.criteria {
            let _ = writeln!(out, "  {}  {}  ← {}", c.id, c.text, c.findings.join(", "));
        }
    }
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    for a in &r.attribution {
        let _ = writeln!(out, "source: {a}");
    }
}
