//! The text rendering of a data-flow audit: totals by classification, the counterparties most
//! serious first (at most 30), and the prohibited and restricted transfers kept in full.

use std::io::Write;

use ictguard_flows::audit::CounterpartySummary;
use ictguard_flows::Tally;

/// Write the text report.
pub fn text(
    out: &mut impl Write,
    rule: &str,
    t: &Tally,
    summaries: &[CounterpartySummary],
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} transfers audited under {rule}; {} bad rows skipped",
        t.transfers, t.bad_rows
    )?;
    for (k, v) in &t.by_class {
        writeln!(out, "  {k:<16} {v}")?;
    }
    writeln!(out, "\nCOUNTERPARTIES (most serious first)")?;
    writeln!(
        out,
        "  {:<40} {:<3} {:<16} {:>9} {:>12}  basis",
        "counterparty", "cc", "worst", "transfers", "US persons"
    )?;
    for s in summaries.iter().take(30) {
        writeln!(
            out,
            "  {:<40} {:<3} {:<16} {:>9} {:>12}  {}",
            s.counterparty,
            s.country,
            s.worst.as_str(),
            s.transfers,
            s.us_persons,
            s.concern
                .as_ref()
                .map(|c| c.detail.clone())
                .unwrap_or_default()
        )?;
    }
    if summaries.len() > 30 {
        writeln!(out, "  … {} more (see --format json)", summaries.len() - 30)?;
    }
    if !t.listed.is_empty() {
        writeln!(
            out,
            "\nPROHIBITED AND RESTRICTED TRANSFERS ({} in all{})",
            t.flagged_count(),
            match t.not_listed() {
                0 => String::new(),
                more => format!(
                    "; the first {} below, {more} more with --format json or --format csv",
                    t.listed.len()
                ),
            }
        )?;
        for r in &t.listed {
            writeln!(
                out,
                "  line {:<6} {} {:<32} {:<15} {:<11} {}",
                r.line,
                r.date,
                r.counterparty,
                r.kind,
                r.classification.as_str(),
                r.section.clone().unwrap_or_default()
            )?;
            for reason in &r.reasons {
                writeln!(out, "      {reason}")?;
            }
            writeln!(out, "      → {}", r.recommendation)?;
        }
    }
    Ok(())
}
