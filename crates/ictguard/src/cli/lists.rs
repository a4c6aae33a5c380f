//! Flags of `lists`: fetching the official restricted-party lists into the store, and showing
//! what is stored.

use clap::Subcommand;

/// `lists` subcommands.
#[derive(Debug, Subcommand)]
pub enum ListsCommand {
    /// Fetch the official publications (OFAC SDN and non-SDN, Consolidated Screening List, BIS
    /// Denied Persons, the UN, EU and UK lists) into the store as new snapshots, with conditional
    /// requests; a failed or malformed download keeps the previous snapshot in use and says so.
    Update(ListsUpdateArgs),
    /// Show the snapshot in use for every source and its last update attempt.
    Status(ListsStatusArgs),
}

/// `watch` subcommands: subjects screened again whenever the lists change.
#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// Add subjects (JSON Lines of screening queries, or CSV with a header naming id, name, app,
    /// package, bundle, country, kind, state), then screen every watched subject against the
    /// stored lists: a new hit is written to the audit trail with a review case.
    Add(WatchAddArgs),
    /// List the watched subjects and the decision each last got.
    List(WatchListArgs),
}

/// `watch add` arguments.
#[derive(Debug, clap::Args)]
pub struct WatchAddArgs {
    /// The database: an SQLite file path, or a `postgres://` URL.
    #[arg(long)]
    pub database: String,
    /// The subjects: a `.csv` file, or JSON Lines.
    pub file: std::path::PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `watch list` arguments.
#[derive(Debug, clap::Args)]
pub struct WatchListArgs {
    /// The database: an SQLite file path, or a `postgres://` URL.
    #[arg(long)]
    pub database: String,
    /// Print JSON Lines.
    #[arg(long)]
    pub json: bool,
}

/// `lists update` arguments.
#[derive(Debug, clap::Args)]
pub struct ListsUpdateArgs {
    /// The database: an SQLite file path, or a `postgres://` URL.
    #[arg(long)]
    pub database: String,
    /// Only this source (repeatable): ofac-sdn, ofac-cons, csl, bis-dpl, un-sc, eu-fsf, uk.
    #[arg(long = "source", value_name = "ID")]
    pub sources: Vec<String>,
    /// Fetch from this base URL instead of the publishers (serving `<source id>/<file name>`),
    /// e.g. an internal mirror.
    #[arg(long, value_name = "URL")]
    pub mirror: Option<String>,
    /// Store a download with fewer than half the entries of the snapshot in use (refused by
    /// default: a truncated publication looks like that).
    #[arg(long)]
    pub accept_shrink: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `lists status` arguments.
#[derive(Debug, clap::Args)]
pub struct ListsStatusArgs {
    /// The database: an SQLite file path, or a `postgres://` URL.
    #[arg(long)]
    pub database: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
