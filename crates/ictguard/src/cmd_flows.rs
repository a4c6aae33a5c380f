//! `ictguard flows`: stream a record of data transfers through the 28 CFR 202 audit.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};

use anyhow::{bail, Context as _};
use ictguard_flows::audit::CounterpartySummary;
use ictguard_flows::record::{csv_columns, from_csv, RawTransfer};
use ictguard_flows::{Auditor, Classification, TransferResult};
use ictguard_rules::RulePack;

use crate::cli::{FlowsArgs, FlowsFormat};
use crate::Outcome;

/// Longest JSON line accepted.
const MAX_LINE: usize = 1 << 20;
/// Transfers listed in the text report.
const TEXT_LISTED: usize = 40;

struct Totals {
    transfers: u64,
    bad_rows: u64,
    by_class: BTreeMap<&'static str, u64>,
    listed: Vec<TransferResult>,
}

pub fn run(pack: RulePack, args: &FlowsArgs) -> anyhow::Result<Outcome> {
    let as_of = match &args.as_of {
        Some(d) => {
            Some(ictguard_rules::parse_date(d).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?)
        }
        None => None,
    };
    let format = if args.json {
        FlowsFormat::Json
    } else {
        args.format
    };
    let mut auditor = Auditor::new(pack, &args.rule, as_of)?;
    let sink: Box<dyn Write> = match &args.output {
        Some(p) => {
            Box::new(File::create(p).with_context(|| format!("cannot write {}", p.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    if format == FlowsFormat::Csv {
        out.write_all(&csv_row(&[
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
        ])?)?;
    }
    let mut totals = Totals {
        transfers: 0,
        bad_rows: 0,
        by_class: BTreeMap::new(),
        listed: Vec::new(),
    };
    let emit = |result: Result<TransferResult, String>,
                out: &mut BufWriter<Box<dyn Write>>,
                totals: &mut Totals|
     -> anyhow::Result<()> {
        let r = match result {
            Ok(r) => r,
            Err(why) => {
                totals.bad_rows += 1;
                eprintln!("ictguard: skipped {why}");
                return Ok(());
            }
        };
        totals.transfers += 1;
        *totals
            .by_class
            .entry(r.classification.as_str())
            .or_default() += 1;
        match format {
            FlowsFormat::Json => writeln!(out, "{}", serde_json::to_string(&r)?)?,
            FlowsFormat::Csv => out.write_all(&csv_row(&[
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
            ])?)?,
            FlowsFormat::Text => {
                if r.classification >= Classification::Restricted
                    && totals.listed.len() < TEXT_LISTED
                {
                    totals.listed.push(r);
                }
            }
        }
        Ok(())
    };

    let file =
        File::open(&args.input).with_context(|| format!("cannot read {}", args.input.display()))?;
    let mut reader = BufReader::new(file);
    let jsonl = {
        let ext = args
            .input
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("");
        ext.eq_ignore_ascii_case("jsonl")
            || ext.eq_ignore_ascii_case("ndjson")
            || reader.fill_buf()?.first() == Some(&b'{')
    };
    if jsonl {
        let mut line_no = 0u64;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = Read::take(&mut reader, MAX_LINE as u64 + 1).read_until(b'\n', &mut buf)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            if buf.len() > MAX_LINE {
                bail!("line {line_no}: longer than {MAX_LINE} bytes");
            }
            let text = String::from_utf8_lossy(&buf);
            if text.trim().is_empty() {
                continue;
            }
            let result = serde_json::from_str::<RawTransfer>(&text)
                .map_err(|e| format!("line {line_no}: {e}"))
                .and_then(|raw| raw.check(line_no).map_err(|e| e.to_string()))
                .and_then(|t| auditor.classify(&t).map_err(|e| e.to_string()));
            emit(result, &mut out, &mut totals)?;
        }
    } else {
        let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let columns = csv_columns(csv.headers()?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
        for record in csv.records() {
            let result = match record {
                Ok(rec) => {
                    let line = rec.position().map(|p| p.line()).unwrap_or(0);
                    from_csv(&rec, &columns)
                        .check(line)
                        .map_err(|e| e.to_string())
                        .and_then(|t| auditor.classify(&t).map_err(|e| e.to_string()))
                }
                Err(e) => Err(e.to_string()),
            };
            emit(result, &mut out, &mut totals)?;
        }
    }

    let summaries = auditor.summaries();
    match format {
        FlowsFormat::Json => {
            for s in &summaries {
                writeln!(out, "{}", serde_json::to_string(s)?)?;
            }
            writeln!(
                out,
                "{}",
                serde_json::json!({
                    "totals": true,
                    "rule": args.rule,
                    "transfers": totals.transfers,
                    "bad_rows": totals.bad_rows,
                    "by_classification": totals.by_class,
                })
            )?;
        }
        FlowsFormat::Text => text_report(&mut out, &args.rule, &totals, &summaries)?,
        FlowsFormat::Csv => {}
    }
    out.flush()?;
    eprintln!(
        "ictguard: {} transfers audited under {}: {}; {} bad rows skipped",
        totals.transfers,
        args.rule,
        totals
            .by_class
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        totals.bad_rows
    );
    let flagged =
        totals.by_class.contains_key("prohibited") || totals.by_class.contains_key("restricted");
    Ok(if totals.bad_rows > 0 {
        Outcome::Error
    } else if flagged && !args.exit_zero {
        Outcome::Flagged
    } else {
        Outcome::Clean
    })
}

/// One CSV row (quoted as needed), with its line end.
fn csv_row(fields: &[&str]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(fields)?;
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn text_report(
    out: &mut impl Write,
    rule: &str,
    t: &Totals,
    summaries: &[CounterpartySummary],
) -> anyhow::Result<()> {
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
            "\nPROHIBITED AND RESTRICTED TRANSFERS (first {})",
            t.listed.len()
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
