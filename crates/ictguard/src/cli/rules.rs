//! Flags of `rules`.

use clap::Subcommand;
use std::path::PathBuf;

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List orders, apps, entities, cases and country lists.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one item of the pack by id.
    Show {
        /// The id (e.g. EO-13971, alipay, tencent, marland-v-trump).
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Which orders are in force, enjoined, revoked or not yet effective on a date.
    Status {
        /// The date (YYYY-MM-DD); today by default.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a user's rule-pack directory; every error names file, line and field.
    Check {
        /// The directory.
        dir: PathBuf,
        /// Check the directory on its own, without the bundled pack to resolve references.
        #[arg(long)]
        standalone: bool,
    },
}
