//! Flags of the app commands: `apk`, `vet` and `fleet`.

use clap::Subcommand;
use std::path::PathBuf;

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
    /// The inventory's encoding and delimiter.
    #[command(flatten)]
    pub table: super::TableArgs,
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
