//! Renderings of a data-flow audit (`ictguard-flows`): one CSV row or JSON line per transfer as it
//! is classified, then the counterparties and totals as JSON, text or one HTML page.

mod html;
mod text;

pub use html::html;
pub use text::text;

use ictguard_flows::audit::CounterpartySummary;
use ictguard_flows::{Tally, TransferResult};

use crate::RenderError;

/// The CSV header row of [`csv_row`].
pub fn csv_header() -> Result<Vec<u8>, RenderError> {
    row(&[
        "line",
        "date",
        "counterparty",
        "counterparty_country",
        "kind",
        "categories",
        "us_persons",
        "classification",
        "section",
        "recommendation",
        "reasons",
    ])
}

/// One transfer as a CSV row (quoted as needed), with its line end.
pub fn csv_row(r: &TransferResult) -> Result<Vec<u8>, RenderError> {
    row(&[
        &r.line.to_string(),
        &r.date.to_string(),
        &r.counterparty,
        &r.counterparty_country,
        &r.kind,
        &r.categories.join(";"),
        &r.us_persons.to_string(),
        r.classification.as_str(),
        r.section.as_deref().unwrap_or(""),
        &r.recommendation,
        &r.reasons.join(" | "),
    ])
}

fn row(fields: &[&str]) -> Result<Vec<u8>, RenderError> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(fields)?;
    w.into_inner().map_err(|e| RenderError::Io(e.into_error()))
}

/// One transfer as a JSON line.
pub fn json_line(r: &TransferResult) -> Result<String, RenderError> {
    Ok(serde_json::to_string(r)? + "\n")
}

/// The end of the JSON Lines stream: one line per counterparty, then the totals.
pub fn json_tail(
    rule: &str,
    tally: &Tally,
    summaries: &[CounterpartySummary],
) -> Result<String, RenderError> {
    let mut out = String::new();
    for s in summaries {
        out.push_str(&serde_json::to_string(s)?);
        out.push('\n');
    }
    out.push_str(
        &serde_json::json!({
            "totals": true,
            "rule": rule,
            "transfers": tally.transfers,
            "bad_rows": tally.bad_rows,
            "by_classification": tally.by_class,
        })
        .to_string(),
    );
    out.push('\n');
    Ok(out)
}
