//! Command-line flags, defined in one place; `--help` is the manual.
// One module per family of commands; every flag is still defined once, here under `cli`.

mod apps;
mod flows;
mod lists;
mod rules;
mod screening;
mod service;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use apps::*;
pub use flows::*;
pub use lists::*;
pub use rules::*;
pub use screening::*;
pub use service::*;

/// ictguard: enforce and audit the US foreign-adversary app orders.
///
/// Exit codes: 0 everything allowed / valid, 1 at least one block or review (or an invalid pack),
/// 2 an error.
#[derive(Debug, Parser)]
#[command(name = "ictguard", version, about, long_about = None)]
pub struct Cli {
    /// The rule pack, for every subcommand.
    #[command(flatten)]
    pub pack: PackArgs,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The flags that choose the rule pack (global: they may follow the subcommand).
/// How a CSV table is written, when sniffing its first bytes would guess wrong.
#[derive(Debug, Clone, Args)]
pub struct TableArgs {
    /// The CSV input's encoding (a WHATWG label: utf-8, windows-1252, latin1, utf-16le,
    /// shift_jis, gbk …); by default a byte-order mark, else UTF-8 when the first 64 KiB are,
    /// else a guess from them (Windows-1252 for Western text).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// The CSV input's field delimiter; by default whichever of , ; tab | the header uses most.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
}

impl TableArgs {
    /// The options for `ictguard_screen::intake::open_table`.
    pub fn options(&self) -> anyhow::Result<ictguard_screen::intake::TableOptions> {
        Ok(ictguard_screen::intake::TableOptions::parse(
            self.encoding.as_deref(),
            self.delimiter,
        )?)
    }
}

#[derive(Debug, Args)]
pub struct PackArgs {
    /// A directory of rule-pack TOML files to use with the bundled pack.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// How `--rules` combines with the bundled pack.
    #[arg(long, global = true, value_enum, default_value_t = RulesMode::Merge)]
    pub rules_mode: RulesMode,
}

/// How a user's pack combines with the bundled one.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RulesMode {
    /// Add the user's items; same ids replace bundled items.
    Merge,
    /// Use only the user's pack.
    Replace,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect and validate rule packs.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Decide block / review / allow for a party, an app or a transaction, with evidence.
    Screen(Box<ScreenArgs>),
    /// Measure matching precision and recall on a labelled query set.
    Eval(EvalArgs),
    /// Read Android packages: manifest, permissions, components, inventory.
    #[command(subcommand)]
    Apk(ApkCommand),
    /// Vet an app (or every APK under a directory) for national-security risk, with evidence.
    Vet(VetArgs),
    /// Which devices in an MDM inventory carry covered or high-risk apps, as of a date.
    Fleet(FleetArgs),
    /// Classify a record of data transfers under 28 CFR 202 (bulk thresholds, countries of concern).
    Flows(FlowsArgs),
    /// Serve the HTTP API (screening with an audit trail).
    Serve(ServeArgs),
    /// Create and revoke API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Check and export the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Fetch the official restricted-party lists into the store, and show what is stored.
    #[command(subcommand)]
    Lists(ListsCommand),
    /// Subjects screened again whenever the lists change (delta screening).
    #[command(subcommand)]
    Watch(WatchCommand),
    /// Vet one APK from standard input within resource limits, the report as JSON on standard
    /// output (how the server vets each upload, in a process of its own).
    #[command(hide = true)]
    VetWorker(VetWorkerArgs),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_flags_default_to_the_librarys_limits() {
        use clap::Parser;
        let cli = Cli::try_parse_from(["ictguard", "vet", "a.apk"]).unwrap();
        let Command::Vet(args) = cli.command else {
            panic!("not vet")
        };
        assert_eq!(args.limits.limits(), ictguard_apk::Limits::default());
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
