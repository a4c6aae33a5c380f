//! `ictguard flows`: stream a record of data transfers through the 28 CFR 202 audit.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};

use anyhow::{bail, Context as _};
use ictguard_flows::record::{csv_columns, from_csv, RawTransfer};
use ictguard_flows::{Auditor, DateSorter, Tally, Transfer, TransferResult};
use ictguard_report::flows;
use ictguard_rules::RulePack;

use crate::cli::{FlowsArgs, FlowsFormat};
use crate::Outcome;

/// Longest JSON line accepted.
const MAX_LINE: usize = 1 << 20;

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
    let (sink, output) = crate::output::create(args.output.as_deref())?;
    let mut out = BufWriter::new(sink);
    if format == FlowsFormat::Csv {
        out.write_all(&flows::csv_header()?)?;
    }
    let mut totals = Tally::default();
    let emit = |result: Result<TransferResult, String>,
                out: &mut BufWriter<Box<dyn Write>>,
                totals: &mut Tally|
     -> anyhow::Result<()> {
        let r = match result {
            Ok(r) => r,
            Err(why) => {
                eprintln!("ictguard: skipped {why}");
                totals.skip(why);
                return Ok(());
            }
        };
        totals.count(&r);
        match format {
            FlowsFormat::Json => out.write_all(flows::json_line(&r)?.as_bytes())?,
            FlowsFormat::Csv => out.write_all(&flows::csv_row(&r)?)?,
            FlowsFormat::Text | FlowsFormat::Html => totals.keep(r),
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
    // Transfers are gathered and put in date order first (on disk beyond a bound): the audit
    // needs every earlier transfer counted before a later one is judged, and logs are rarely
    // sorted. Rows that cannot be read are reported as they are met.
    let mut sorter = DateSorter::new(ictguard_flows::order::DEFAULT_IN_MEMORY);
    let mut take = |row: Result<Transfer, String>,
                    out: &mut BufWriter<Box<dyn Write>>,
                    totals: &mut Tally|
     -> anyhow::Result<()> {
        match row {
            Ok(t) => Ok(sorter.push(t)?),
            Err(why) => emit(Err(why), out, totals),
        }
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
            let row = serde_json::from_str::<RawTransfer>(&text)
                .map_err(|e| format!("line {line_no}: {e}"))
                .and_then(|raw| raw.check(line_no).map_err(|e| e.to_string()));
            take(row, &mut out, &mut totals)?;
        }
    } else {
        let (decoded, dialect) = crate::table::open(&args.input, reader, &args.table)?;
        // Windows line ends as `\n`, so the lines named in errors are right
        let mut csv = csv::ReaderBuilder::new()
            .flexible(true)
            .delimiter(dialect.delimiter)
            .from_reader(ictguard_screen::crlf::CrlfToLf::new(decoded));
        let columns = csv_columns(csv.headers()?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
        for record in csv.records() {
            let row = match record {
                Ok(rec) => {
                    let line = rec.position().map(|p| p.line()).unwrap_or(0);
                    from_csv(&rec, &columns)
                        .check(line)
                        .map_err(|e| e.to_string())
                }
                Err(e) => Err(e.to_string()),
            };
            take(row, &mut out, &mut totals)?;
        }
    }
    for t in sorter.finish()? {
        let t = t?;
        emit(
            auditor.classify(&t).map_err(|e| e.to_string()),
            &mut out,
            &mut totals,
        )?;
    }

    let summaries = auditor.summaries();
    match format {
        FlowsFormat::Json => {
            out.write_all(flows::json_tail(&args.rule, &totals, &summaries)?.as_bytes())?
        }
        FlowsFormat::Text => flows::text(&mut out, &args.rule, &totals, &summaries)?,
        FlowsFormat::Html => {
            out.write_all(flows::html(&args.rule, &totals, &summaries).as_bytes())?
        }
        FlowsFormat::Csv => {}
    }
    out.flush()?;
    drop(out);
    output.commit()?;
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
    let flagged = totals.flagged();
    Ok(if totals.bad_rows > 0 {
        Outcome::Error
    } else if flagged && !args.exit_zero {
        Outcome::Flagged
    } else {
        Outcome::Clean
    })
}
