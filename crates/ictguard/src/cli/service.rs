//! Flags of the service commands: `serve`, the hidden `vet-worker` the server spawns, `keys` and
//! `audit`.

use clap::Subcommand;

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
    /// A restricted-party list file to screen against, as `screen --list` takes (repeatable);
    /// every decision and audit record names each file's format, size and SHA-256.
    #[arg(long = "list", value_name = "PATH")]
    pub lists: Vec<std::path::PathBuf>,
    /// Also screen against the newest list snapshots stored in the database (`lists update`).
    #[arg(long)]
    pub stored_lists: bool,
    /// With --stored-lists: screen this source against the stored snapshot ID instead of its
    /// newest (a version the team has checked). Repeatable, one per source; not with
    /// --refresh-lists.
    #[arg(
        long = "snapshot",
        value_name = "ID",
        requires = "stored_lists",
        conflicts_with = "refresh_lists"
    )]
    pub snapshots: Vec<i64>,
    /// Fetch the official lists every HOURS (the first time at start, in the background) and
    /// swap in new snapshots without dropping a request; implies --stored-lists.
    #[arg(long, value_name = "HOURS")]
    pub refresh_lists: Option<f64>,
    /// Fetch the lists from this base URL (serving `<source id>/<file name>`) instead of the
    /// publishers.
    #[arg(long, value_name = "URL")]
    pub list_mirror: Option<String>,
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
    /// List the keys made: id, role, label, when made and when revoked (never the secrets).
    List {
        /// The database: an SQLite file path, or a `postgres://` URL.
        #[arg(long)]
        database: String,
        /// One JSON object per key.
        #[arg(long)]
        json: bool,
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
