//! What can go wrong in a batch: one record (the others go on), opening the input (nothing is
//! screened), or reading it part way (what came before stands, nothing after is trusted).

use crate::engine::QueryError;

use super::columns::Field;

/// A record that could not be screened. The batch goes on with the next one.
#[derive(Debug, thiserror::Error)]
#[error("{problem}")]
pub struct RecordError {
    /// 1-based line where the record starts.
    pub line: u64,
    /// The record's id, when it was read before the problem.
    pub id: Option<String>,
    /// What is wrong.
    pub problem: RecordProblem,
}

/// What is wrong with one record.
#[derive(Debug, thiserror::Error)]
pub enum RecordProblem {
    /// A CSV row the reader cannot parse (e.g. invalid UTF-8 in a file whose first 64 KiB were
    /// UTF-8: name its encoding with `--encoding`).
    #[error("malformed CSV row: {0}")]
    MalformedCsv(csv::Error),
    /// A CSV row with more or fewer fields than the header.
    #[error("row has {found} fields, the header has {header}")]
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        header: usize,
    },
    /// A line that is not JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(serde_json::Error),
    /// A JSON line that is not an object.
    #[error("expected a JSON object")]
    NotAnObject,
    /// A JSON value where a string belongs (only `id` may also be a number).
    #[error("field {key:?} must be a string, got {value}")]
    NotAString {
        /// The key.
        key: String,
        /// The value found.
        value: serde_json::Value,
    },
    /// The query itself is invalid (a bad date, kind or identifier, nothing to screen, …).
    #[error("{0}")]
    Query(QueryError),
}

/// An input whose header cannot be used: nothing is screened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The first bytes (read ahead to settle the encoding and delimiter) cannot be read.
    #[error("cannot read the input")]
    Read(#[source] std::io::Error),
    /// The CSV header cannot be read.
    #[error("cannot read the CSV header")]
    Header(#[source] csv::Error),
    /// A field is mapped to a column the header does not have.
    #[error("no column {column:?} in the header ({})", header.join(", "))]
    UnknownColumn {
        /// The field mapped.
        field: Field,
        /// The column it was mapped to.
        column: String,
        /// The header's column names.
        header: Vec<String>,
    },
    /// No column feeds a name, app, package or bundle.
    #[error("no column to screen: the header ({}) has none of name, app, package, bundle", header.join(", "))]
    NothingToScreen {
        /// The header's column names.
        header: Vec<String>,
    },
}

/// Why a batch stopped before the end of its input.
#[derive(Debug, thiserror::Error)]
pub enum RunError<E> {
    /// The input cannot be read further (an over-long line, a read failure). The records before
    /// it were all handed to the sink; later lines cannot be trusted.
    #[error("line {line}: {source}")]
    Read {
        /// 1-based line where reading failed.
        line: u64,
        /// The failure.
        source: std::io::Error,
    },
    /// The sink refused results (e.g. its output is closed).
    #[error("{0}")]
    Sink(E),
}
