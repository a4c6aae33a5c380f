//! Command-line flags, defined in one place; `--help` is the manual.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Vet one APK from standard input within resource limits, the report as JSON on standard
    /// output (how the server vets each upload, in a process of its own).
    #[command(hide = true)]
    VetWorker(VetWorkerArgs),
}

/// `vet-worker` arguments (set by the server).
#[derive(Debug, clap::Args)]
pub struct VetWorkerArgs {
    /// The date to assess as of (default today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// The file name the report gives.
    #[arg(long, default_value = "upload.apk")]
    pub name: String,
    /// Address-space limit of the process, in bytes.
    #[arg(long)]
    pub max_memory: u64,
    /// CPU-time limit of the process, in seconds.
    #[arg(long)]
    pub max_cpu: u64,
    /// Largest APK read from standard input, in bytes.
    #[arg(long)]
    pub max_input: u64,
}

/// `serve` arguments.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The database: an SQLite file path, or a `postgres://` URL.
    #[arg(long)]
    pub database: String,
    /// Vettings run at once, each in a process of its own (default: one per core).
    #[arg(long, value_name = "N")]
    pub vet_workers: Option<usize>,
    /// Vettings that may wait for a worker; when this many wait, an upload is answered 503 with
    /// Retry-After before its body is read.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub vet_queue: usize,
    /// Longest a vetting may take, in seconds (fractions allowed); past it the worker is killed
    /// and nothing is recorded.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub vet_timeout: f64,
    /// Address-space limit of each vetting worker, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 2048)]
    pub vet_memory: u64,
    /// CPU-time limit of each vetting worker, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub vet_cpu: u64,
    /// Most connections open at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Longest a client may take to send a request's headers, and the longest an idle
    /// connection stays open between requests, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub header_timeout: u64,
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it once.
    Create {
        /// `screen` (screening clients) or `admin` (reviewers and administrators).
        #[arg(long)]
        role: String,
        /// A label to recognise it by.
        #[arg(long, default_value = "")]
        label: String,
        /// The database: an SQLite file path, or a `postgres://` URL.
        #[arg(long)]
        database: String,
    },
    /// Revoke a key by its id.
    Revoke {
        /// The key id (the part after `igk_`).
        id: String,
        /// The database: an SQLite file path, or a `postgres://` URL.
        #[arg(long)]
        database: String,
    },
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain: exit 0 only when it is intact; otherwise name the first broken record.
    Verify {
        /// The database: an SQLite file path, or a `postgres://` URL.
        #[arg(long)]
        database: String,
    },
    /// Write the trail as JSON Lines or CSV for auditors.
    Export {
        /// The database: an SQLite file path, or a `postgres://` URL.
        #[arg(long)]
        database: String,
        /// `jsonl` or `csv`.
        #[arg(long, default_value = "jsonl")]
        format: String,
    },
}

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
    /// The transfers: CSV with a header, or JSON Lines (`.jsonl`), in date order.
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
}

/// `fleet` arguments.
#[derive(Debug, clap::Args)]
pub struct FleetArgs {
    /// The inventory: CSV with a header naming `device`, `owner`, `organization`, `org_type`
    /// (`agency` or `contractor`), `package` and `version`.
    pub inventory: PathBuf,
    /// Assess as of this date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Reports from `ictguard vet --format json` (JSON Lines): apps vetted high or critical count
    /// as high-risk.
    #[arg(long)]
    pub vetted: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Exit 0 even when devices carry flagged apps.
    #[arg(long)]
    pub exit_zero: bool,
}

/// Report formats of `vet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VetFormat {
    /// A readable summary.
    Text,
    /// One JSON object per APK (JSON Lines for a directory); see schemas/vet-report.schema.json.
    Json,
    /// A self-contained HTML report with charts.
    Html,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// `vet` arguments.
#[derive(Debug, clap::Args)]
pub struct VetArgs {
    /// An APK file or a directory of APKs.
    pub path: PathBuf,
    /// Assess as of this date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: VetFormat,
    /// Write the report here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// A reviewer's suppressions file (TOML); applied findings are reported as suppressed.
    #[arg(long)]
    pub suppressions: Option<PathBuf>,
    /// Exit 0 even when an app is to be restricted or prohibited.
    #[arg(long)]
    pub exit_zero: bool,
    /// The budgets an APK is read within (defaults read every real APK; raise them only for a
    /// file you trust that stops with "analysis stopped").
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Budgets for reading one APK (see `ictguard_apk::Limits`).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct LimitArgs {
    /// Most bytes all reads of an APK's entries may produce together, in MiB, at least (16 times
    /// the file's size when that is more).
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    pub max_read_mib: u64,
    /// Largest entry read whole into memory (manifest, resources.arsc, a DEX file), in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 128)]
    pub max_entry_mib: u64,
}

impl LimitArgs {
    /// The library's limits with these budgets.
    pub fn limits(&self) -> ictguard_apk::Limits {
        ictguard_apk::Limits {
            min_total_read: self.max_read_mib.saturating_mul(1 << 20),
            max_entry_in_memory: self.max_entry_mib.saturating_mul(1 << 20),
            ..ictguard_apk::Limits::default()
        }
    }
}

/// `apk` subcommands.
#[derive(Debug, Subcommand)]
pub enum ApkCommand {
    /// Summary of an APK, or of every APK under a directory (in parallel, one JSON line each).
    Info {
        /// An APK file or a directory.
        path: PathBuf,
        /// Print JSON (always one line per file for a directory).
        #[arg(long)]
        json: bool,
        /// Read the signers but do not verify the signatures (no hashing of the whole archive;
        /// `schemes` is null).
        #[arg(long)]
        no_verify: bool,
        /// Also read every DEX file completely and count its classes, strings and references.
        #[arg(long)]
        code: bool,
    },
    /// The decoded AndroidManifest.xml as text XML.
    Manifest {
        /// The APK.
        file: PathBuf,
    },
    /// The class names defined in the APK's DEX files (or in a bare .dex file).
    Classes {
        /// The APK or DEX file.
        file: PathBuf,
    },
    /// The strings of the APK's DEX files (or of a bare .dex file).
    Strings {
        /// The APK or DEX file.
        file: PathBuf,
    },
}

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
    /// Transaction kind: any, app_store_distribution, internet_hosting, cdn, transit_peering,
    /// code_utilization, payments.
    #[arg(long)]
    pub kind: Option<String>,
    /// Decide as of this date (YYYY-MM-DD); today by default. In a batch, a row's own as_of wins.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// A whole transaction as a JSON object (fields: id, name, app, package, bundle, country, kind, as_of); `-` reads stdin.
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
    /// A restricted-party list file (OFAC SDN primary/alt/address CSV, Consolidated Screening List CSV,
    /// BIS Denied Persons TSV); format detected. Repeatable.
    #[arg(long = "list", value_name = "PATH")]
    pub lists: Vec<PathBuf>,
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
    /// Thresholds.
    #[command(flatten)]
    pub thresholds: Thresholds,
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
