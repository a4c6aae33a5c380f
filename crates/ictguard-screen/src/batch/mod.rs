//! Batch screening: stream records from CSV or JSON Lines, screen them on all cores in chunks, and
//! hand the results back in input order. Memory is bounded by the chunk size, not the input size.
//!
//! A record that cannot be screened (a malformed row, a bad date) is a [`RecordError`] naming its
//! line and, when known, its id; the batch goes on. A line longer than [`MAX_LINE_BYTES`] or a
//! failing read stops it ([`RunError::Read`]) after every record before it was handed over.
//!
//! Parsing runs on its own thread, a chunk ahead of screening; screening and the caller's `map`
//! run on the current rayon pool (call inside `ThreadPool::install` to bound it); the caller's
//! `sink` runs on the calling thread, chunk by chunk, in input order. Writing results (CSV, JSON
//! Lines, a database) is the caller's business.
//!
//! ```
//! use ictguard_rules::RulePack;
//! use ictguard_screen::batch::{Batch, ColumnMap, Field, RecordFormat};
//! use ictguard_screen::engine::{ScreenConfig, Screener};
//!
//! let screener = Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default());
//! let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 1).unwrap();
//! let input = "ref,counterparty\n1,Tencent Holdings\n2,Acme Widgets\n3\n";
//! let mut columns = ColumnMap::new();
//! columns.map(Field::Id, "ref").map(Field::Name, "counterparty");
//! let batch = Batch::open(input.as_bytes(), RecordFormat::Csv, &columns).unwrap();
//! let mut seen = Vec::new();
//! batch
//!     .screen(&screener, day, |outcome| match outcome {
//!         Ok(s) => format!("{}: {}", s.line, s.result.decision.as_str()),
//!         Err(e) => format!("{}: {e}", e.line),
//!     }, |chunk, _bytes_read| {
//!         seen.extend(chunk);
//!         Ok::<_, std::convert::Infallible>(())
//!     })
//!     .unwrap();
//! assert_eq!(seen, ["2: review", "3: allow", "4: row has 1 fields, the header has 2"]);
//! ```

mod columns;
mod csv_rows;
mod error;
mod json_lines;

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::SyncSender;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::bounded::BoundedLineReader;
use crate::engine::{Query, ScreenResult, Screener};
use crate::intake::{open_table, Decoded, Dialect, TableOptions};

pub use columns::{ColumnMap, Field, UnknownField};
pub use error::{OpenError, RecordError, RecordProblem, RunError};

use csv_rows::CsvPlan;
use json_lines::json_query;

/// Records screened per parallel chunk (and the most results held at once, twice over: one chunk
/// parsed ahead while another is screened).
pub const CHUNK_RECORDS: usize = 4096;

/// Longest input line accepted.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// How the records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// Comma-separated values with a header row naming the columns.
    Csv,
    /// One JSON object per line; blank lines are skipped.
    JsonLines,
}

/// A record screened.
#[derive(Debug, Clone)]
pub struct Screened {
    /// 1-based line where the record starts.
    pub line: u64,
    /// The decision with its evidence.
    pub result: ScreenResult,
}

/// What became of one record.
pub type RecordOutcome = Result<Screened, RecordError>;

/// One input record: its line and either a query or what was wrong with it.
struct Row {
    line: u64,
    query: Result<Query, RecordError>,
}

/// A chunk of parsed rows with the input bytes consumed so far, or the error that stops reading.
enum Chunk {
    Rows(Vec<Row>, u64),
    Fatal(u64, std::io::Error),
}

/// Where rows come from.
enum Source<R: Read> {
    // boxed: the decoder's buffers make this variant several times the other's size
    Csv(
        Box<csv::Reader<crate::crlf::CrlfToLf<BoundedLineReader<Decoded<R>>>>>,
        CsvPlan,
    ),
    Jsonl(BufReader<BoundedLineReader<R>>, ColumnMap),
}

/// An input opened for screening: the header (if any) read and the columns planned.
pub struct Batch<R: Read> {
    source: Source<R>,
}

impl<R: Read + Send> Batch<R> {
    /// Open `input` (it need not be buffered beyond what a `File` gives; the readers buffer). For
    /// CSV, the header is read now and every mapped column must be in it.
    pub fn open(input: R, format: RecordFormat, columns: &ColumnMap) -> Result<Self, OpenError> {
        Self::open_table(input, format, columns, TableOptions::default()).map(|(batch, _)| batch)
    }

    /// As [`Self::open`], a CSV input in the encoding and with the delimiter `options` name, or
    /// else those sniffed from its first bytes ([`crate::intake`]); the dialect read (None for
    /// JSON Lines, which is UTF-8).
    pub fn open_table(
        input: R,
        format: RecordFormat,
        columns: &ColumnMap,
        options: TableOptions,
    ) -> Result<(Self, Option<Dialect>), OpenError> {
        let (source, dialect) = match format {
            RecordFormat::Csv => {
                let (decoded, dialect) = open_table(input, options).map_err(OpenError::Read)?;
                let reader = BoundedLineReader::new(decoded, MAX_LINE_BYTES);
                // Windows line ends as `\n`, so line numbers come out right (crate::crlf)
                let mut rdr = csv::ReaderBuilder::new()
                    .flexible(true)
                    .delimiter(dialect.delimiter)
                    .from_reader(crate::crlf::CrlfToLf::new(reader));
                let headers = rdr.headers().map_err(OpenError::Header)?.clone();
                let plan = CsvPlan::new(&headers, columns)?;
                (Source::Csv(Box::new(rdr), plan), Some(dialect))
            }
            RecordFormat::JsonLines => {
                let reader = BoundedLineReader::new(input, MAX_LINE_BYTES);
                (Source::Jsonl(BufReader::new(reader), columns.clone()), None)
            }
        };
        Ok((Batch { source }, dialect))
    }

    /// CSV header names that feed no field (empty for JSON Lines), so a caller can say so.
    pub fn unused_columns(&self) -> &[String] {
        match &self.source {
            Source::Csv(_, plan) => &plan.unused,
            Source::Jsonl(..) => &[],
        }
    }

    /// Screen every record as of its own `as_of`, else `default_as_of`. `map` turns each outcome
    /// into what the caller keeps (e.g. rendered bytes) on the worker pool; `sink` receives them
    /// a chunk at a time in input order, with the input bytes consumed so far (for progress).
    ///
    /// Stops at the first read failure or sink error; what the sink received before stands.
    pub fn screen<T, E>(
        self,
        screener: &Screener,
        default_as_of: NaiveDate,
        map: impl Fn(RecordOutcome) -> T + Sync + Send,
        mut sink: impl FnMut(Vec<T>, u64) -> Result<(), E>,
    ) -> Result<(), RunError<E>>
    where
        T: Send,
    {
        let source = self.source;
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(2);
            scope.spawn(move || source.produce(&tx));
            for chunk in rx {
                match chunk {
                    Chunk::Rows(rows, consumed) => {
                        let mapped: Vec<T> = rows
                            .into_par_iter()
                            .map(|row| map(screen_row(screener, row, default_as_of)))
                            .collect();
                        sink(mapped, consumed).map_err(RunError::Sink)?;
                    }
                    Chunk::Fatal(line, source) => return Err(RunError::Read { line, source }),
                }
            }
            Ok(())
        })
    }
}

/// Screen one parsed row.
fn screen_row(screener: &Screener, row: Row, default_as_of: NaiveDate) -> RecordOutcome {
    let q = row.query?;
    match screener.screen(&q, default_as_of) {
        Ok(result) => Ok(Screened {
            line: row.line,
            result,
        }),
        Err(e) => Err(RecordError {
            line: row.line,
            id: q.id,
            problem: RecordProblem::Query(e),
        }),
    }
}

impl<R: Read> Source<R> {
    /// Parse rows into chunks and send them until the input ends, a fatal error, or the receiver goes.
    fn produce(self, tx: &SyncSender<Chunk>) {
        let mut rows = Vec::with_capacity(CHUNK_RECORDS);
        let send = |rows: &mut Vec<Row>, consumed: u64| {
            tx.send(Chunk::Rows(
                std::mem::replace(rows, Vec::with_capacity(CHUNK_RECORDS)),
                consumed,
            ))
            .is_ok()
        };
        match self {
            Source::Csv(mut rdr, plan) => {
                let mut record = csv::StringRecord::new();
                loop {
                    let line_before = rdr.position().line();
                    match rdr.read_record(&mut record) {
                        Ok(false) => break,
                        Ok(true) => {
                            let line = record.position().map(|p| p.line()).unwrap_or(line_before);
                            rows.push(Row {
                                line,
                                query: plan.query(&record, line),
                            });
                        }
                        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                            let line = rdr.position().line();
                            let _ = send(&mut rows, rdr.position().byte());
                            if let csv::ErrorKind::Io(io) = e.into_kind() {
                                let _ = tx.send(Chunk::Fatal(line, io));
                            }
                            return;
                        }
                        Err(e) => {
                            let line = e.position().map(|p| p.line()).unwrap_or(line_before);
                            rows.push(Row {
                                line,
                                query: Err(RecordError {
                                    line,
                                    id: None,
                                    problem: RecordProblem::MalformedCsv(e),
                                }),
                            });
                        }
                    }
                    if rows.len() == CHUNK_RECORDS && !send(&mut rows, rdr.position().byte()) {
                        return;
                    }
                }
                let _ = send(&mut rows, rdr.position().byte());
            }
            Source::Jsonl(mut lines, mapping) => {
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
                            let _ = tx.send(Chunk::Fatal(line, e));
                            return;
                        }
                    };
                    consumed += n as u64;
                    if buf.trim().is_empty() {
                        continue;
                    }
                    rows.push(Row {
                        line,
                        query: json_query(&buf, line, &mapping),
                    });
                    if rows.len() == CHUNK_RECORDS && !send(&mut rows, consumed) {
                        return;
                    }
                }
                let _ = send(&mut rows, consumed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ictguard_rules::RulePack;

    use super::*;
    use crate::engine::ScreenConfig;

    fn screener() -> Screener {
        Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default())
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 3, 1).unwrap()
    }

    /// One outcome as (line, decision or error text, id).
    type Seen = (u64, String, Option<String>);

    /// Every outcome, in order.
    fn run(
        input: &[u8],
        format: RecordFormat,
    ) -> Result<Vec<Seen>, RunError<std::convert::Infallible>> {
        let batch = Batch::open(input, format, &ColumnMap::new()).unwrap();
        let mut out = Vec::new();
        batch
            .screen(
                &screener(),
                day(),
                |o| match o {
                    Ok(s) => (s.line, s.result.decision.as_str().to_string(), s.result.id),
                    Err(e) => (e.line, e.to_string(), e.id),
                },
                |chunk, _| {
                    out.extend(chunk);
                    Ok(())
                },
            )
            .map(|()| out)
    }

    #[test]
    fn json_lines_in_order_with_errors_kept_by_line_and_id() {
        let out = run(
            b"{\"id\":\"a\",\"name\":\"Tencent\"}\n\n{\"id\":\"b\",\"name\":\"Alipay\",\"as_of\":\"2021-02-30\"}\nnot json\n{\"id\":\"d\",\"name\":\"Acme\"}\n",
            RecordFormat::JsonLines,
        )
        .unwrap();
        assert_eq!(out.len(), 4, "the blank line is skipped: {out:?}");
        assert_eq!((out[0].0, out[0].1.as_str()), (1, "review"));
        assert_eq!((out[1].0, out[1].2.as_deref()), (3, Some("b")));
        assert!(out[1].1.contains("2021-02-30"), "{}", out[1].1);
        assert_eq!(out[2].0, 4);
        assert!(out[2].1.starts_with("invalid JSON"));
        assert_eq!((out[3].0, out[3].1.as_str()), (5, "allow"));
    }

    #[test]
    fn more_records_than_a_chunk_stay_in_order() {
        let mut input = String::from("id,name\n");
        for i in 0..CHUNK_RECORDS + 10 {
            input.push_str(&format!("{i},Acme {i}\n"));
        }
        let out = run(input.as_bytes(), RecordFormat::Csv).unwrap();
        assert_eq!(out.len(), CHUNK_RECORDS + 10);
        for (i, (line, _, id)) in out.iter().enumerate() {
            assert_eq!((*line, id.clone()), (i as u64 + 2, Some(i.to_string())));
        }
    }

    #[test]
    fn a_huge_line_stops_the_batch_after_the_rows_before_it() {
        let mut input = b"{\"name\":\"Tencent\"}\n{\"name\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        input.extend(b"\"}\n");
        let batch = Batch::open(&input[..], RecordFormat::JsonLines, &ColumnMap::new()).unwrap();
        let mut got = 0;
        let r = batch.screen(
            &screener(),
            day(),
            |_| (),
            |chunk, _| {
                got += chunk.len();
                Ok::<_, std::convert::Infallible>(())
            },
        );
        match r {
            Err(RunError::Read { line, source }) => {
                assert_eq!(line, 2);
                assert!(source.to_string().contains("longer than"), "{source}");
            }
            other => panic!("expected a read error, got {other:?}"),
        }
        assert_eq!(got, 1);
    }

    #[test]
    fn a_sink_error_stops_the_batch() {
        let batch =
            Batch::open(&b"name\nA\nB\n"[..], RecordFormat::Csv, &ColumnMap::new()).unwrap();
        let r = batch.screen(&screener(), day(), |_| (), |_, _| Err("closed"));
        assert!(matches!(r, Err(RunError::Sink("closed"))));
    }
}
