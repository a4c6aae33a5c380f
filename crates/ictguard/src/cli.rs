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

impl Cli {
    /// Parse the process's arguments, exiting with clap's message on an error or for help.
    ///
    /// `ictguard vet …`, which scripts and CI run once per APK, is first read by
    /// [`Cli::parse_plain_vet`], without clap: building clap's command (even `vet`'s alone) and
    /// matching against it took 0.15–0.2 ms of the 2.5 ms that vetting a small APK takes, the
    /// first time in a process. Anything that reader does not plainly understand (other
    /// subcommands, help, repeated or unknown flags, values that look like flags, mistakes) is
    /// parsed by clap against the whole command line, so what a person sees is the same.
    pub fn parse_args() -> Cli {
        Cli::parse_plain_vet(std::env::args_os()).unwrap_or_else(Cli::parse)
    }

    /// A plain `vet` command line (its own flags and the global ones, each at most once, values
    /// given as clap takes them), read with `lexopt`; None for anything else. A test holds every
    /// line this accepts to clap's reading of it.
    fn parse_plain_vet<I>(args: I) -> Option<Cli>
    where
        I: IntoIterator,
        I::Item: Into<std::ffi::OsString>,
    {
        use lexopt::Arg::{Long, Short, Value};
        use std::ffi::OsString;

        /// An option's value as clap would take it: not empty and not like a flag.
        fn value(parser: &mut lexopt::Parser) -> Option<OsString> {
            let v = parser.value().ok()?;
            (!v.is_empty() && !v.as_encoded_bytes().starts_with(b"-")).then_some(v)
        }
        /// A choice among `names` (clap's value names for the enum, in order).
        fn choice<T: Copy>(parser: &mut lexopt::Parser, names: &[(&str, T)]) -> Option<T> {
            let v = value(parser)?;
            names.iter().find(|(n, _)| v == *n).map(|(_, t)| *t)
        }
        /// Set a flag's slot, refusing a second time.
        fn once<T>(slot: &mut Option<T>, v: Option<T>) -> Option<()> {
            match slot {
                Some(_) => None,
                None => {
                    *slot = Some(v?);
                    Some(())
                }
            }
        }

        let mut parser = lexopt::Parser::from_iter(args.into_iter().map(Into::into));
        match parser.next().ok()?? {
            Value(v) if v == "vet" => {}
            _ => return None,
        }
        let (mut path, mut as_of, mut format, mut output, mut suppressions) =
            (None, None, None, None, None);
        let (mut exit_zero, mut rules, mut rules_mode) = (None, None, None);
        while let Some(arg) = parser.next().ok()? {
            match arg {
                Value(v) => once(&mut path, (!v.is_empty()).then(|| PathBuf::from(v)))?,
                Long("as-of") => once(&mut as_of, value(&mut parser)?.into_string().ok())?,
                Long("format") => {
                    let names = [
                        ("text", VetFormat::Text),
                        ("json", VetFormat::Json),
                        ("html", VetFormat::Html),
                        ("sarif", VetFormat::Sarif),
                    ];
                    once(&mut format, choice(&mut parser, &names))?
                }
                Short('o') | Long("output") => {
                    once(&mut output, value(&mut parser).map(PathBuf::from))?
                }
                Long("suppressions") => {
                    once(&mut suppressions, value(&mut parser).map(PathBuf::from))?
                }
                Long("exit-zero") => once(&mut exit_zero, Some(true))?,
                Long("rules") => once(&mut rules, value(&mut parser).map(PathBuf::from))?,
                Long("rules-mode") => {
                    let names = [("merge", RulesMode::Merge), ("replace", RulesMode::Replace)];
                    once(&mut rules_mode, choice(&mut parser, &names))?
                }
                _ => return None,
            }
        }
        Some(Cli {
            pack: PackArgs {
                rules,
                rules_mode: rules_mode.unwrap_or(RulesMode::Merge),
            },
            command: Command::Vet(VetArgs {
                path: path?,
                as_of,
                format: format.unwrap_or(VetFormat::Text),
                output,
                suppressions,
                exit_zero: exit_zero.unwrap_or(false),
            }),
        })
    }
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

    fn words(line: &str) -> Vec<&str> {
        std::iter::once("ictguard")
            .chain(line.split_whitespace())
            .collect()
    }

    #[test]
    fn a_plain_vet_line_parses_as_clap_parses_it() {
        for line in [
            "vet app.apk",
            "vet dir --format json --exit-zero",
            "vet app.apk --format sarif -o out.sarif --as-of 2021-02-20",
            "vet app.apk --rules my-rules --rules-mode replace",
            "vet --format=html app.apk --suppressions s.toml",
            "vet -oout.json app.apk",
            "vet -- --odd-name.apk",
            "vet -",
        ] {
            let plain = Cli::parse_plain_vet(words(line)).unwrap_or_else(|| panic!("{line}"));
            let full = Cli::try_parse_from(words(line)).unwrap();
            assert_eq!(format!("{plain:?}"), format!("{full:?}"), "{line}");
        }
        // the global flags before the subcommand, other subcommands, help, version, repeats and
        // mistakes are left to clap
        for line in [
            "--rules r vet app.apk",
            "screen --name Alipay",
            "vet --help",
            "vet -h",
            "vet",
            "vet a.apk b.apk",
            "vet app.apk --format pdf",
            "vet app.apk --format JSON",
            "vet app.apk --format json --format text",
            "vet app.apk --as-of -1",
            "vet app.apk --exit-zero=yes",
            "vet app.apk --bogus",
            "--version",
            "",
        ] {
            assert!(Cli::parse_plain_vet(words(line)).is_none(), "{line}");
        }
        // an empty argument (`vet "$APK"` with APK unset) is clap's to refuse
        for argv in [
            &["ictguard", "vet", ""][..],
            &["ictguard", "vet", "a.apk", "-o", ""],
        ] {
            assert!(Cli::try_parse_from(argv).is_err(), "{argv:?}");
            assert!(Cli::parse_plain_vet(argv).is_none(), "{argv:?}");
        }
    }

    #[test]
    fn every_line_the_plain_reader_takes_clap_takes_alike() {
        // every sequence of up to three of these pieces after `vet`: whatever the plain reader
        // accepts, clap must accept and read the same way
        let pieces = [
            "a.apk",
            "b.apk",
            "-",
            "--",
            "--format json",
            "--format=sarif",
            "--format JSON",
            "--format",
            "--as-of 2021-02-20",
            "--as-of=",
            "--as-of -3",
            "-o out",
            "-oout",
            "--output o.json",
            "--output=",
            "--suppressions s.toml",
            "--exit-zero",
            "--exit-zero=1",
            "--rules r",
            "--rules-mode replace",
            "--rules-mode=merge",
            "--rules-mode bogus",
            "--help",
            "-h",
            "--bogus",
            "-x",
            "-ox",
            "--exit-zero --",
        ];
        let (mut taken, mut lines) = (0, 0);
        let mut check = |line: String| {
            lines += 1;
            if let Some(plain) = Cli::parse_plain_vet(words(&line)) {
                taken += 1;
                let full = Cli::try_parse_from(words(&line))
                    .unwrap_or_else(|e| panic!("{line}: plain reader took it, clap: {e}"));
                assert_eq!(format!("{plain:?}"), format!("{full:?}"), "{line}");
            }
        };
        for a in pieces {
            check(format!("vet {a}"));
            for b in pieces {
                check(format!("vet {a} {b}"));
                for c in pieces {
                    check(format!("vet {a} {b} {c}"));
                }
            }
        }
        assert!(
            taken > 1_000,
            "{taken} of {lines} lines taken: the reader takes too little"
        );
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
