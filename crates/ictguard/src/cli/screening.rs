//! Flags of `screen` and `eval`: the query, batch files, lists and thresholds.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Matching and decision thresholds.
#[derive(Debug, Clone, Args)]
pub struct Thresholds {
    /// Name-match score at or above which a match to a prohibited item blocks.
    #[arg(long, default_value_t = 0.90, value_name = "SCORE")]
    pub block_threshold: f64,
    /// Name-match score at or above which a match is reported (and reviewed if below the block threshold).
    #[arg(long, default_value_t = 0.78, value_name = "SCORE")]
    pub review_threshold: f64,
    /// Aggregate ownership (percent) from which an entity is a covered entity's subsidiary.
    #[arg(long, default_value_t = 50.0, value_name = "PERCENT")]
    pub ownership_threshold: f64,
    /// Decision for orders in force but not yet implemented (no agency identification) or not enforced.
    #[arg(long, value_enum, default_value_t = Pending::Review)]
    pub pending: Pending,
}

/// What to decide for an order in force but not yet implemented.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Pending {
    /// Send to a person.
    Review,
    /// Allow, saying why.
    Allow,
}

/// `screen` arguments.
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// A party's name (company or person), any script.
    #[arg(long)]
    pub name: Option<String>,
    /// An app's name.
    #[arg(long)]
    pub app: Option<String>,
    /// An Android package id.
    #[arg(long)]
    pub package: Option<String>,
    /// An iOS bundle id.
    #[arg(long)]
    pub bundle: Option<String>,
    /// The party's country (ISO 3166 alpha-2).
    #[arg(long)]
    pub country: Option<String>,
    /// Transaction kind, or the context of a device or purchase: any, app_store_distribution,
    /// internet_hosting, cdn, transit_peering, code_utilization, payments,
    /// federal_agency_device, federal_contractor_device, state_agency_device, federal_procurement,
    /// defense_procurement, equipment_authorization.
    #[arg(long)]
    pub kind: Option<String>,
    /// The US state the transaction or device is in (TX or US-TX), for state rules.
    #[arg(long)]
    pub state: Option<String>,
    /// Decide as of this date (YYYY-MM-DD); today by default. In a batch, a row's own as_of wins.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// A whole transaction as a JSON object (fields: id, name, app, package, bundle, country, kind, state, as_of); `-` reads stdin.
    #[arg(long, value_name = "JSON")]
    pub transaction: Option<String>,
    /// Batch input: CSV (with header) or JSON Lines, by extension or --input-format.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Batch output file (CSV or JSON Lines, by extension or --output-format); stdout by default.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Input format when the extension does not tell.
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    /// Output format when the extension does not tell (stdout defaults to JSON Lines).
    #[arg(long, value_enum)]
    pub output_format: Option<Format>,
    /// Map a field to a CSV column or JSON key: FIELD=COLUMN (e.g. name=counterparty). Repeatable.
    #[arg(long = "column", value_name = "FIELD=COLUMN")]
    pub columns: Vec<String>,
    /// The CSV input's encoding and delimiter.
    #[command(flatten)]
    pub table: super::TableArgs,
    /// A restricted-party list file (OFAC SDN primary/alt/address CSV, Consolidated Screening List CSV,
    /// BIS Denied Persons TSV, UN Security Council Consolidated List XML, EU Financial Sanctions
    /// Files XML, UK Sanctions List XML); format detected.
    /// Repeatable.
    #[arg(long = "list", value_name = "PATH")]
    pub lists: Vec<PathBuf>,
    /// Also screen against the newest list snapshots stored in this database by `lists update`
    /// (an SQLite file path or a `postgres://` URL).
    #[arg(long, value_name = "DATABASE")]
    pub stored_lists: Option<String>,
    /// With --stored-lists: screen this source against the stored snapshot ID (as `lists status`
    /// shows it) instead of its newest, to repeat a decision on the data it used. Repeatable,
    /// one per source.
    #[arg(long = "snapshot", value_name = "ID", requires = "stored_lists")]
    pub snapshots: Vec<i64>,
    /// Print one JSON object per input.
    #[arg(long)]
    pub json: bool,
    /// Exit 0 even when something is blocked or sent to review (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Worker threads for a batch (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Thresholds.
    #[command(flatten)]
    pub thresholds: Thresholds,
}

/// File formats for batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// `eval` arguments.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled queries (JSON Lines: query, field, expect); the bundled set by default.
    pub file: Option<PathBuf>,
    /// Fail (exit 1) when precision or recall is below this.
    #[arg(long, value_name = "RATIO")]
    pub min: Option<f64>,
    /// List every miss and false positive.
    #[arg(long)]
    pub verbose: bool,
    /// Score labelled name pairs instead (JSON Lines: query, candidate, label, category, split),
    /// e.g. `eval/pairs.jsonl`: precision, recall and F1 per category.
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// With `--pairs`: the half to score (`test` is only ever measured, never tuned on).
    #[arg(long, value_enum, default_value_t = PairSplit::Test)]
    pub split: PairSplit,
    /// Thresholds.
    #[command(flatten)]
    pub thresholds: Thresholds,
}

/// Which half of a pair set `eval --pairs` scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PairSplit {
    /// The half that may be studied.
    Dev,
    /// The half that is only measured.
    Test,
    /// Both.
    All,
}
