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
    /// US persons by counterparty country, by category and by month (month → all, flagged)
    by_country: BTreeMap<String, u64>,
    by_category: BTreeMap<&'static str, u64>,
    by_month: BTreeMap<String, (u64, u64)>,
    by_month_category: BTreeMap<(String, &'static str), u64>,
    bad: Vec<String>,
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
        by_country: BTreeMap::new(),
        by_category: BTreeMap::new(),
        by_month: BTreeMap::new(),
        by_month_category: BTreeMap::new(),
        bad: Vec::new(),
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
                if totals.bad.len() < 100 {
                    totals.bad.push(why);
                }
                return Ok(());
            }
        };
        totals.transfers += 1;
        *totals
            .by_country
            .entry(r.counterparty_country.clone())
            .or_default() += r.us_persons;
        for c in &r.categories {
            *totals.by_category.entry(c).or_default() += r.us_persons;
        }
        for c in &r.categories {
            *totals
                .by_month_category
                .entry((r.date.format("%Y-%m").to_string(), c))
                .or_default() += r.us_persons;
        }
        let month = totals
            .by_month
            .entry(r.date.format("%Y-%m").to_string())
            .or_default();
        month.0 += r.us_persons;
        if r.classification >= Classification::Restricted {
            month.1 += r.us_persons;
        }
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
            FlowsFormat::Text | FlowsFormat::Html => {
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
        FlowsFormat::Html => {
            out.write_all(html_report(&args.rule, &totals, &summaries).as_bytes())?
        }
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

/// The HTML report: totals, charts of US persons by country, category and month (with the share in
/// prohibited or restricted transfers), counterparties and the flagged transfers.
fn html_report(rule: &str, t: &Totals, summaries: &[CounterpartySummary]) -> String {
    use crate::vet_html::{bar_chart, esc, STYLE};
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ictguard data-flow audit</title><style>{STYLE}</style></head><body><main><h1>Data-flow audit under {}</h1><p>{} transfers audited; {} bad rows skipped. Generated by ictguard {}.</p>",
        esc(rule),
        t.transfers,
        t.bad_rows,
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("<table><caption>Transfers by classification</caption><tbody>");
    for (k, v) in &t.by_class {
        let _ = write!(out, "<tr><th>{}</th><td>{v}</td></tr>", esc(k));
    }
    out.push_str("</tbody></table><h2>Volumes</h2><div class=\"charts\">");
    let country: Vec<(String, f64, &str)> = t
        .by_country
        .iter()
        .map(|(c, n)| (c.clone(), *n as f64, "#3b5bdb"))
        .collect();
    let category: Vec<(String, f64, &str)> = t
        .by_category
        .iter()
        .map(|(c, n)| (c.replace('_', " "), *n as f64, "#a16207"))
        .collect();
    out.push_str(&bar_chart(
        "US persons by counterparty country",
        &country,
        "",
    ));
    out.push_str(&bar_chart("US persons by data category", &category, ""));
    let months: Vec<(String, f64, &str)> = t
        .by_month
        .iter()
        .flat_map(|(m, (all, flagged))| {
            [
                (format!("{m} all"), *all as f64, "#5b6474"),
                (format!("{m} flagged"), *flagged as f64, "#8b1a1a"),
            ]
        })
        .collect();
    let month_category: Vec<(String, f64, &str)> = t
        .by_month_category
        .iter()
        .map(|((m, c), n)| (format!("{m} {}", c.replace('_', " ")), *n as f64, "#a16207"))
        .collect();
    out.push_str(&bar_chart(
        "US persons by month and category",
        &month_category,
        "",
    ));
    out.push_str(&bar_chart(
        "US persons by month (flagged: prohibited or restricted)",
        &months,
        "",
    ));
    out.push_str("</div><h2>Counterparties</h2><table><thead><tr><th>counterparty</th><th>country</th><th>worst</th><th>transfers</th><th>US persons</th><th>basis</th><th>recommendation</th></tr></thead><tbody>");
    for s in summaries.iter().take(500) {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.counterparty),
            esc(&s.country),
            s.worst.as_str(),
            s.transfers,
            s.us_persons,
            esc(&s.concern.as_ref().map(|c| c.detail.clone()).unwrap_or_default()),
            esc(&s.recommendation)
        );
    }
    out.push_str("</tbody></table>");
    if !t.listed.is_empty() {
        let _ = write!(out, "<h2>Prohibited and restricted transfers (first {})</h2><table><thead><tr><th>line</th><th>date</th><th>counterparty</th><th>kind</th><th>classification</th><th>why</th><th>what to do</th></tr></thead><tbody>", t.listed.len());
        for r in &t.listed {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                r.line,
                r.date,
                esc(&r.counterparty),
                esc(&r.kind),
                r.classification.as_str(),
                esc(r.section.as_deref().unwrap_or("")),
                r.reasons.iter().map(|x| esc(x)).collect::<Vec<_>>().join("<br>"),
                esc(&r.recommendation)
            );
        }
        out.push_str("</tbody></table>");
    }
    if !t.bad.is_empty() {
        out.push_str("<h2>Rows skipped</h2><ul>");
        for b in &t.bad {
            let _ = write!(out, "<li>{}</li>", esc(b));
        }
        out.push_str("</ul>");
    }
    out.push_str("</main></body></html>\n");
    out
}
