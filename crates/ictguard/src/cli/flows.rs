//! Flags of `flows`.

use std::path::PathBuf;

/// Report formats of `flows`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FlowsFormat {
    /// A readable summary.
    Text,
    /// One JSON line per transfer, then one per counterparty, then the totals.
    Json,
    /// One CSV row per transfer.
    Csv,
    /// A self-contained HTML report with charts (volumes by country, category and month).
    Html,
}

/// `flows` arguments.
#[derive(Debug, clap::Args)]
pub struct FlowsArgs {
    /// The transfers: CSV with a header, or JSON Lines (`.jsonl`), in any order (they are put
    /// in date order before the audit).
    pub input: PathBuf,
    /// Judge every transfer by the rule as it stood on this date (default: each transfer's own date).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Short for --format json.
    #[arg(long)]
    pub json: bool,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: FlowsFormat,
    /// Write the report here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The data rule to apply.
    #[arg(long, default_value = "28-CFR-202")]
    pub rule: String,
    /// Exit 0 even when transfers are prohibited or restricted.
    #[arg(long)]
    pub exit_zero: bool,
    /// The CSV input's encoding and delimiter.
    #[command(flatten)]
    pub table: super::TableArgs,
}
