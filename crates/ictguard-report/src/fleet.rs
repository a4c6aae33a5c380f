//! The text rendering of a fleet assessment (`ictguard_vet::fleet`): flagged apps, organisations,
//! then each flagged install and each skipped row. JSON output is the serde form of the report.

use std::fmt::Write as _;

use ictguard_vet::fleet::FleetReport;

/// Render the assessment as text.
pub fn text(report: &FleetReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} devices, {} app installs read as of {}; {} installs of covered or high-risk apps",
        report.devices,
        report.rows,
        report.as_of,
        report.flagged.len()
    );
    let _ = writeln!(
        out,
        "\nBY APP\n  {:<40} {:<9} {:>7}  organizations",
        "package", "reason", "devices"
    );
    for a in &report.by_app {
        let _ = writeln!(
            out,
            "  {:<40} {:<9} {:>7}  {}",
            a.package,
            a.reason,
            a.devices,
            a.organizations
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nBY ORGANIZATION\n  {:<32} {:<10} {:>7} {:>8}  apps",
        "organization", "type", "devices", "flagged"
    );
    for o in &report.by_organization {
        let _ = writeln!(
            out,
            "  {:<32} {:<10} {:>7} {:>8}  {}",
            o.organization,
            o.org_type,
            o.devices,
            o.flagged_devices,
            o.flagged_apps
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(out, "\nDEVICES");
    for f in &report.flagged {
        let _ = writeln!(
            out,
            "  {:<20} {:<24} {:<28} {} {} ({}{})",
            f.device,
            f.owner,
            f.organization,
            f.package,
            f.version,
            f.reason,
            match (&f.decision, &f.risk) {
                (Some(d), _) => format!(", screening {}: {}", d.as_str(), f.orders.join(", ")),
                (None, Some(r)) => format!(", vetted {r}"),
                _ => String::new(),
            }
        );
    }
    for b in &report.bad_rows {
        let _ = writeln!(out, "skipped: {b}");
    }
    out
}
