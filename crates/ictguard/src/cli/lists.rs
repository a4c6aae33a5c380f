//! Flags of `lists`: fetching the official restricted-party lists into the store, and showing
//! what is stored.

use clap::Subcommand;

/// `lists` subcommands.
#[derive(Debug, Subcommand)]
pub enum ListsCommand {
    /// Fetch the official publications (OFAC SDN and non-SDN, Consolidated Screening List, BIS
    /// Denied Persons) into the store as new snapshots, with conditional requests; a failed or
    /// malformed download keeps the previous snapshot in use and says so.
    Update(ListsUpdateArgs),
    /// Show the snapshot in use for every source and its last update attempt.
    Status(ListsStatusArgs),
}

/// `lists update` arguments.
#[derive(Debug, clap::Args)]
pub struct ListsUpdateArgs {
    /// The database: an SQLite file path, or a `postgres://` URL.
    #[arg(long)]
    pub database: String,
    /// Only this source (repeatable): ofac-sdn, ofac-cons, csl, bis-dpl.
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
