//! The rows of a screening batch's output: one JSON line, or one CSV row, per input record — the
//! record's decision with its top match, or the line and error of a record that could not be
//! screened. Runs on the batch's worker pool, so each row is rendered on its own.

use ictguard_screen::batch::RecordOutcome;

use crate::RenderError;

/// The columns of the CSV output (later ones added at the end, so that positions stay).
const CSV_HEADER: [&str; 16] = [
    "line",
    "id",
    "decision",
    "as_of",
    "match_id",
    "match_name",
    "match_kind",
    "score",
    "field",
    "orders",
    "reason",
    "error",
    "pack_version",
    "facts_checked_through",
    "warnings",
    "lists",
];

/// The CSV header row, with its line end.
pub fn csv_header() -> Result<Vec<u8>, RenderError> {
    csv_line(&CSV_HEADER.map(String::from))
}

fn csv_line(fields: &[String]) -> Result<Vec<u8>, RenderError> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(256));
    w.write_record(fields)?;
    w.into_inner().map_err(|e| RenderError::Io(e.into_error()))
}

/// One record as a JSON line (the screening result with its input line, or the line and error).
pub fn json_line(r: &RecordOutcome) -> Vec<u8> {
    let rendered = match r {
        Ok(s) => serde_json::to_value(&s.result)
            .map(|mut v| {
                if let Some(o) = v.as_object_mut() {
                    o.insert("line".into(), s.line.into());
                }
                v
            })
            .and_then(|v| serde_json::to_vec(&v))
            .map_err(RenderError::from),
        // a rejected record keeps its id, so the caller can match the error to its row
        Err(e) => {
            let mut v = serde_json::json!({"line": e.line, "error": e.to_string()});
            if let (Some(id), Some(o)) = (&e.id, v.as_object_mut()) {
                o.insert("id".into(), id.clone().into());
            }
            serde_json::to_vec(&v).map_err(RenderError::from)
        }
    };
    or_error_line(rendered.map(|mut bytes| {
        bytes.push(b'\n');
        bytes
    }))
}

/// One record as a CSV row: the decision and its top match, or the line and error.
pub fn csv_row(r: &RecordOutcome) -> Vec<u8> {
    let rendered = match r {
        Ok(s) => {
            let res = &s.result;
            let top = res.matches.first();
            let orders = top
                .map(|m| {
                    m.orders
                        .iter()
                        .map(|o| format!("{}:{}", o.id, o.status.as_str()))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            let kind = top
                .and_then(|m| serde_json::to_value(m.kind).ok())
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            csv_line(&[
                s.line.to_string(),
                res.id.clone().unwrap_or_default(),
                res.decision.as_str().to_string(),
                res.as_of.to_string(),
                top.map(|m| m.id.clone()).unwrap_or_default(),
                top.map(|m| m.name.clone()).unwrap_or_default(),
                kind,
                top.map(|m| format!("{:.3}", m.score)).unwrap_or_default(),
                top.map(|m| m.field.clone()).unwrap_or_default(),
                orders,
                res.reasons.join(" | "),
                String::new(),
                res.pack
                    .as_ref()
                    .map(|p| p.version.clone())
                    .unwrap_or_default(),
                res.pack
                    .as_ref()
                    .map(|p| p.verified_through.to_string())
                    .unwrap_or_default(),
                res.warnings.join(" | "),
                // file@sha256 of each list, so a row says which publication decided it
                res.lists
                    .iter()
                    .map(|l| format!("{}@sha256:{}", l.file, l.sha256))
                    .collect::<Vec<_>>()
                    .join(" "),
            ])
        }
        Err(e) => {
            let mut rec = vec![e.line.to_string(), e.id.clone().unwrap_or_default()];
            rec.extend(std::iter::repeat_n(String::new(), 9));
            rec.push(e.to_string());
            rec.extend(std::iter::repeat_n(String::new(), 4));
            csv_line(&rec)
        }
    };
    or_error_line(rendered)
}

/// Serialising our own types cannot fail; if it ever does, the output says so in the row's place.
fn or_error_line(rendered: Result<Vec<u8>, RenderError>) -> Vec<u8> {
    rendered
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot render result: {e}\"}}\n").into_bytes())
}
