//! `ictguard screen --input`: a batch's flags, progress and summary, and its output as JSON Lines
//! or CSV. Reading and screening the records is `ictguard_screen::batch`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use chrono::NaiveDate;
use ictguard_report::screening::batch as batch_rows;
use ictguard_screen::batch::{
    Batch, ColumnMap, Field, OpenError, RecordFormat, RecordOutcome, RunError,
};
use ictguard_screen::engine::Screener;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{Format, ScreenArgs};
use crate::Outcome;

/// What a rendered row counts as: its decision, or the line and error of a bad row.
type Tally = Result<&'static str, (u64, String)>;

fn format_of(path: &Path, explicit: Option<Format>) -> Option<Format> {
    explicit.or_else(|| {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            // a workbook's first sheet is read as CSV (ictguard_screen::workbook)
            Some("csv" | "xlsx" | "xlsm" | "xlsb" | "xls" | "ods") => Some(Format::Csv),
            Some("jsonl" | "ndjson" | "json") => Some(Format::Jsonl),
            _ => None,
        }
    })
}

/// `--column FIELD=COLUMN` flags: field → source column/key.
fn column_map(flags: &[String]) -> anyhow::Result<ColumnMap> {
    let mut map = ColumnMap::new();
    for f in flags {
        let Some((field, column)) = f.split_once('=') else {
            bail!("--column {f:?}: expected FIELD=COLUMN, e.g. name=counterparty");
        };
        let field: Field = field
            .trim()
            .to_ascii_lowercase()
            .parse()
            .map_err(|e| anyhow!("--column {f:?}: {e}"))?;
        map.map(field, column.trim());
    }
    Ok(map)
}

/// A header that cannot be used, said in terms of the flags.
fn open_error(e: OpenError) -> anyhow::Error {
    match e {
        OpenError::UnknownColumn {
            field, ref column, ..
        } => anyhow!("--column {}={column}: {e}", field.as_str()),
        OpenError::NothingToScreen { .. } => anyhow!(
            "{e}; map one with --column name=COLUMN (or name the delimiter with --delimiter)"
        ),
        OpenError::Header(_) | OpenError::Read(_) => e.into(),
    }
}

pub fn run(
    screener: &Screener,
    input: &Path,
    args: &ScreenArgs,
    default_as_of: NaiveDate,
) -> anyhow::Result<Outcome> {
    if let Some(t) = args.threads {
        // a global pool can be set once per process; the batch command is the only user
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build_global();
    }
    let in_format = format_of(input, args.input_format).with_context(|| {
        format!(
            "cannot tell the format of {}: use --input-format csv|jsonl",
            input.display()
        )
    })?;
    let out_format = match &args.output {
        Some(p) => format_of(p, args.output_format).unwrap_or(Format::Jsonl),
        None => args.output_format.unwrap_or(Format::Jsonl),
    };
    let file = File::open(input).with_context(|| format!("cannot open {}", input.display()))?;
    let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mapping = column_map(&args.columns)?;

    let (sink, output) = crate::output::create(args.output.as_deref())?;
    let mut writer = Writer::new(sink, out_format)?;

    let progress = ProgressBar::new(total_bytes);
    progress.set_style(
        ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} [{bar:30}] {msg} ({eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let mut counts: HashMap<&'static str, u64> = HashMap::new();
    let mut first_errors: Vec<String> = Vec::new();

    let record_format = match in_format {
        Format::Csv => RecordFormat::Csv,
        Format::Jsonl => RecordFormat::JsonLines,
    };
    let (source, options) =
        crate::table::source(input, BufReader::with_capacity(1 << 16, file), &args.table)?;
    let (batch, dialect) = Batch::open_table(source, record_format, &mapping, options)
        .map_err(open_error)
        .with_context(|| format!("{}:1", input.display()))?;
    if let Some(d) = dialect {
        crate::table::note(input, d);
    }
    if !batch.unused_columns().is_empty() {
        eprintln!(
            "ictguard: note: columns not used for screening: {}",
            batch.unused_columns().join(", ")
        );
    }

    // Rendering runs on the worker pool with screening; this thread only writes bytes in order.
    let render_one = |outcome: RecordOutcome| -> (Tally, Vec<u8>) {
        let tally = match &outcome {
            Ok(s) => Ok(s.result.decision.as_str()),
            Err(e) => Err((e.line, e.to_string())),
        };
        let bytes = match out_format {
            Format::Csv => batch_rows::csv_row(&outcome),
            Format::Jsonl => batch_rows::json_line(&outcome),
        };
        (tally, bytes)
    };
    let write_chunk = |rendered: Vec<(Tally, Vec<u8>)>, consumed: u64| -> std::io::Result<()> {
        for (tally, bytes) in rendered {
            match tally {
                Ok(decision) => *counts.entry(decision).or_default() += 1,
                Err((line, e)) => {
                    *counts.entry("bad").or_default() += 1;
                    if first_errors.len() < 10 {
                        first_errors.push(format!("{}:{line}: {e}", input.display()));
                    }
                }
            }
            writer.out.write_all(&bytes)?;
        }
        progress.set_position(consumed);
        progress.set_message(format!(
            "{} block, {} review, {} allow, {} bad",
            counts.get("block").unwrap_or(&0),
            counts.get("review").unwrap_or(&0),
            counts.get("allow").unwrap_or(&0),
            counts.get("bad").unwrap_or(&0)
        ));
        Ok(())
    };
    match batch.screen(screener, default_as_of, render_one, write_chunk) {
        Ok(()) => {}
        Err(RunError::Sink(e)) => return Err(e.into()),
        Err(RunError::Read { line, source }) => {
            // an over-long line (or a read failure) ends the run: later lines cannot be trusted.
            // The rows screened before it are kept, but beside the output, not as it.
            writer.finish()?;
            drop(writer);
            progress.finish_and_clear();
            let kept = match output.keep_partial()? {
                Some(p) => format!("; the rows before it are in {}", p.display()),
                None => String::new(),
            };
            bail!("{}:{line}: {source}{kept}", input.display());
        }
    }
    writer.finish()?;
    drop(writer);
    output.commit()?;
    progress.finish_and_clear();

    let elapsed = started.elapsed().as_secs_f64();
    let total: u64 = counts.values().sum();
    for e in &first_errors {
        eprintln!("ictguard: bad row: {e}");
    }
    eprintln!(
        "ictguard: screened {total} records in {elapsed:.2}s ({:.0}/s): {} block, {} review, {} allow, {} bad rows",
        total as f64 / elapsed.max(1e-9),
        counts.get("block").unwrap_or(&0),
        counts.get("review").unwrap_or(&0),
        counts.get("allow").unwrap_or(&0),
        counts.get("bad").unwrap_or(&0)
    );
    Ok(if counts.get("bad").copied().unwrap_or(0) > 0 {
        Outcome::Error
    } else if counts.get("block").copied().unwrap_or(0) + counts.get("review").copied().unwrap_or(0)
        > 0
    {
        Outcome::Flagged
    } else {
        Outcome::Clean
    })
}

/// Writes rendered results, in order.
struct Writer {
    out: BufWriter<Box<dyn Write>>,
}

impl Writer {
    fn new(out: Box<dyn Write>, format: Format) -> anyhow::Result<Self> {
        let mut w = Writer {
            out: BufWriter::with_capacity(1 << 16, out),
        };
        if format == Format::Csv {
            w.out.write_all(&batch_rows::csv_header()?)?;
        }
        Ok(w)
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}
