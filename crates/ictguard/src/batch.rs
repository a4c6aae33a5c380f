//! Batch screening: stream records from CSV or JSON Lines, screen them on all cores in chunks, and
//! write results in input order. Memory is bounded by the chunk size, not the file size.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use ictguard_screen::bounded::BoundedLineReader;
use ictguard_screen::engine::{Query, ScreenResult, Screener};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::{Format, ScreenArgs};
use crate::Outcome;

/// Records screened per parallel chunk.
const CHUNK: usize = 4096;
/// Longest input line accepted.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The query fields a column can map to.
const FIELDS: [&str; 8] = [
    "id", "name", "app", "package", "bundle", "country", "kind", "as_of",
];

/// One input record: its line and either a query or what was wrong with it.
struct Row {
    line: u64,
    query: Result<Query, String>,
}

/// A chunk of parsed rows with the input bytes consumed so far, or the error that stops reading.
enum Chunk {
    Rows(Vec<Row>, u64),
    Fatal(u64, String),
}

/// Where rows come from.
enum Source<R: std::io::Read> {
    Csv(csv::Reader<R>, CsvPlan, usize),
    Jsonl(BufReader<R>),
}

impl<R: std::io::Read> Source<R> {
    /// Parse rows into chunks and send them until the input ends, a fatal error, or the receiver goes.
    fn produce(
        self,
        mapping: &HashMap<String, String>,
        total_bytes: u64,
        tx: &std::sync::mpsc::SyncSender<Chunk>,
    ) {
        let mut rows = Vec::with_capacity(CHUNK);
        let send = |rows: &mut Vec<Row>, consumed: u64| {
            tx.send(Chunk::Rows(
                std::mem::replace(rows, Vec::with_capacity(CHUNK)),
                consumed,
            ))
            .is_ok()
        };
        match self {
            Source::Csv(mut rdr, plan, width) => {
                let mut record = csv::StringRecord::new();
                loop {
                    let line_before = rdr.position().line();
                    match rdr.read_record(&mut record) {
                        Ok(false) => break,
                        Ok(true) => {
                            let line = record.position().map(|p| p.line()).unwrap_or(line_before);
                            rows.push(Row {
                                line,
                                query: plan.query(&record, width),
                            });
                        }
                        Err(e) => {
                            if let csv::ErrorKind::Io(io) = e.kind() {
                                let _ = send(&mut rows, rdr.position().byte());
                                let _ =
                                    tx.send(Chunk::Fatal(rdr.position().line(), io.to_string()));
                                return;
                            }
                            let line = e.position().map(|p| p.line()).unwrap_or(line_before);
                            rows.push(Row {
                                line,
                                query: Err(format!("malformed CSV row: {e}")),
                            });
                        }
                    }
                    if rows.len() == CHUNK && !send(&mut rows, rdr.position().byte()) {
                        return;
                    }
                }
                let _ = send(&mut rows, total_bytes);
            }
            Source::Jsonl(mut lines) => {
                let mut buf = String::new();
                let (mut line, mut consumed) = (0u64, 0u64);
                loop {
                    buf.clear();
                    line += 1;
                    let n = match lines.read_line(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) => {
                            let _ = send(&mut rows, consumed);
                            let _ = tx.send(Chunk::Fatal(line, e.to_string()));
                            return;
                        }
                    };
                    consumed += n as u64;
                    if buf.trim().is_empty() {
                        continue;
                    }
                    rows.push(Row {
                        line,
                        query: json_query(&buf, mapping),
                    });
                    if rows.len() == CHUNK && !send(&mut rows, consumed) {
                        return;
                    }
                }
                let _ = send(&mut rows, consumed);
            }
        }
    }
}

/// What a rendered row counts as: its decision, or the line and error of a bad row.
type Tally = Result<&'static str, (u64, String)>;

/// One output record.
enum Outcome1 {
    Done(u64, ScreenResult),
    Bad(u64, String),
}

fn format_of(path: &Path, explicit: Option<Format>) -> Option<Format> {
    explicit.or_else(|| {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Some(Format::Csv),
            Some("jsonl" | "ndjson" | "json") => Some(Format::Jsonl),
            _ => None,
        }
    })
}

/// `--column FIELD=COLUMN` flags: field → source column/key.
fn column_map(flags: &[String]) -> anyhow::Result<HashMap<String, String>> {
    let mut map = HashMap::new();
    for f in flags {
        let Some((field, column)) = f.split_once('=') else {
            bail!("--column {f:?}: expected FIELD=COLUMN, e.g. name=counterparty");
        };
        let field = field.trim().to_ascii_lowercase();
        if !FIELDS.contains(&field.as_str()) {
            bail!(
                "--column {f:?}: unknown field {field:?}; fields are {}",
                FIELDS.join(", ")
            );
        }
        map.insert(field, column.trim().to_string());
    }
    Ok(map)
}

fn set_field(q: &mut Query, field: &str, value: String) {
    let value = Some(value).filter(|v| !v.trim().is_empty());
    match field {
        "id" => q.id = value,
        "name" => q.name = value,
        "app" => q.app = value,
        "package" => q.package = value,
        "bundle" => q.bundle = value,
        "country" => q.country = value,
        "kind" => q.kind = value,
        "as_of" => q.as_of = value,
        _ => {}
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

    let sink: Box<dyn Write> = match &args.output {
        Some(p) => {
            Box::new(File::create(p).with_context(|| format!("cannot create {}", p.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
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

    // Screening and rendering run on the worker pool; this thread only writes bytes in order.
    let mut process = |rows: Vec<Row>, consumed: u64, writer: &mut Writer| -> anyhow::Result<()> {
        let rendered: Vec<(Tally, Vec<u8>)> = rows
            .into_par_iter()
            .map(|row| {
                let outcome = match row.query {
                    Ok(q) => match screener.screen(&q, default_as_of) {
                        Ok(r) => Outcome1::Done(row.line, r),
                        Err(e) => Outcome1::Bad(row.line, e.to_string()),
                    },
                    Err(e) => Outcome1::Bad(row.line, e),
                };
                let tally = match &outcome {
                    Outcome1::Done(_, r) => Ok(r.decision.as_str()),
                    Outcome1::Bad(line, e) => Err((*line, e.clone())),
                };
                (tally, render(out_format, &outcome))
            })
            .collect();
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

    let reader = BoundedLineReader::new(BufReader::with_capacity(1 << 16, file), MAX_LINE_BYTES);
    let source = match in_format {
        Format::Csv => {
            let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
            let headers = rdr
                .headers()
                .with_context(|| format!("{}:1: cannot read the CSV header", input.display()))?
                .clone();
            let plan =
                csv_plan(&headers, &mapping).with_context(|| format!("{}:1", input.display()))?;
            Source::Csv(rdr, plan, headers.len())
        }
        Format::Jsonl => Source::Jsonl(BufReader::new(reader)),
    };
    // Parsing runs on its own thread, a chunk ahead of screening.
    let fatal = std::thread::scope(|scope| -> anyhow::Result<Option<String>> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(2);
        let mapping = &mapping;
        scope.spawn(move || source.produce(mapping, total_bytes, &tx));
        for chunk in rx {
            match chunk {
                Chunk::Rows(rows, consumed) => process(rows, consumed, &mut writer)?,
                Chunk::Fatal(line, message) => {
                    return Ok(Some(format!("{}:{line}: {message}", input.display())))
                }
            }
        }
        Ok(None)
    })?;
    if let Some(message) = fatal {
        // an over-long line (or a read failure) ends the run: later lines cannot be trusted
        writer.finish()?;
        progress.finish_and_clear();
        bail!(message);
    }
    writer.finish()?;
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

/// Which CSV column feeds which query field.
struct CsvPlan {
    columns: Vec<(usize, &'static str)>,
}

fn csv_plan(
    headers: &csv::StringRecord,
    mapping: &HashMap<String, String>,
) -> anyhow::Result<CsvPlan> {
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let mut columns = Vec::new();
    for field in FIELDS {
        let col = match mapping.get(field) {
            Some(c) => Some(find(c).with_context(|| {
                format!(
                    "--column {field}={c}: no column {c:?} in the header ({})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                )
            })?),
            None => find(field),
        };
        if let Some(i) = col {
            columns.push((i, field));
        }
    }
    if !columns
        .iter()
        .any(|(_, f)| matches!(*f, "name" | "app" | "package" | "bundle"))
    {
        bail!(
            "no column to screen: the header ({}) has none of name, app, package, bundle; map one with --column name=COLUMN",
            headers.iter().collect::<Vec<_>>().join(", ")
        );
    }
    let used: Vec<usize> = columns.iter().map(|(i, _)| *i).collect();
    let ignored: Vec<&str> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, h)| h)
        .collect();
    if !ignored.is_empty() {
        eprintln!(
            "ictguard: note: columns not used for screening: {}",
            ignored.join(", ")
        );
    }
    Ok(CsvPlan { columns })
}

impl CsvPlan {
    fn query(&self, record: &csv::StringRecord, width: usize) -> Result<Query, String> {
        if record.len() != width {
            return Err(format!(
                "row has {} fields, the header has {width}",
                record.len()
            ));
        }
        let mut q = Query::default();
        for (i, field) in &self.columns {
            if let Some(v) = record.get(*i) {
                set_field(&mut q, field, v.to_string());
            }
        }
        Ok(q)
    }
}

fn json_query(line: &str, mapping: &HashMap<String, String>) -> Result<Query, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = value.as_object().ok_or("expected a JSON object")?;
    let mut q = Query::default();
    for field in FIELDS {
        let key = mapping.get(field).map(String::as_str).unwrap_or(field);
        match obj.get(key) {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(s)) => set_field(&mut q, field, s.clone()),
            Some(serde_json::Value::Number(n)) if field == "id" => {
                set_field(&mut q, field, n.to_string())
            }
            Some(other) => return Err(format!("field {key:?} must be a string, got {other}")),
        }
    }
    Ok(q)
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
            w.out.write_all(&csv_line(&CSV_HEADER.map(String::from))?)?;
        }
        Ok(w)
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

const CSV_HEADER: [&str; 12] = [
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
];

fn csv_line(fields: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(256));
    w.write_record(fields)?;
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// One result as a JSON line or a CSV row (runs on the worker pool).
fn render(format: Format, r: &Outcome1) -> Vec<u8> {
    let rendered = match (format, r) {
        (Format::Jsonl, Outcome1::Done(line, res)) => serde_json::to_value(res)
            .map(|mut v| {
                if let Some(o) = v.as_object_mut() {
                    o.insert("line".into(), (*line).into());
                }
                v
            })
            .and_then(|v| serde_json::to_vec(&v))
            .map_err(anyhow::Error::from),
        (Format::Jsonl, Outcome1::Bad(line, e)) => {
            serde_json::to_vec(&serde_json::json!({"line": line, "error": e}))
                .map_err(anyhow::Error::from)
        }
        (Format::Csv, Outcome1::Done(line, res)) => {
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
                line.to_string(),
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
            ])
        }
        (Format::Csv, Outcome1::Bad(line, e)) => {
            let mut rec = vec![line.to_string()];
            rec.extend(std::iter::repeat_n(String::new(), 10));
            rec.push(e.clone());
            csv_line(&rec)
        }
    };
    match rendered {
        Ok(mut bytes) => {
            if format == Format::Jsonl {
                bytes.push(b'\n');
            }
            bytes
        }
        // serialising our own types cannot fail; if it ever does, say so in the output
        Err(e) => format!("{{\"error\":\"cannot render result: {e}\"}}\n").into_bytes(),
    }
}
