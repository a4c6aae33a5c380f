//! [`ServerConfig`]: everything a server is started with, as plain values (the binary maps its
//! `serve` flags onto it), and the fixed limits on request bodies.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use ictguard_rules::{Combine, PackErrors, RulePack};

/// Largest request body accepted.
pub(crate) const MAX_BODY: usize = 1 << 20;
/// Largest APK upload accepted.
pub(crate) const MAX_APK: usize = 512 << 20;
/// Largest batch (JSON Lines) accepted.
pub(crate) const MAX_BATCH: usize = 64 << 20;
/// Most queries in one batch.
pub(crate) const MAX_BATCH_LINES: usize = 100_000;
/// Longest a request may take before it is answered with a timeout error.
pub(crate) const REQUEST_DEADLINE: Duration = Duration::from_secs(120);

/// How a server is started.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    pub listen: String,
    /// The database: an SQLite file path, or a `postgres://` URL.
    pub database: String,
    /// The rule pack to screen and vet against (the vetting workers load the same).
    pub rules: PackSource,
    /// Restricted-party list files to screen against (OFAC, CSL, BIS formats), loaded at start;
    /// every decision names each file's format, size and SHA-256.
    pub lists: Vec<PathBuf>,
    /// Also screen against the newest list snapshots in the database (`lists update`).
    pub stored_lists: bool,
    /// With `stored_lists`: these snapshot ids instead of their sources' newest (one per
    /// source; not with `refresh_lists`).
    pub pinned_snapshots: Vec<i64>,
    /// Fetch the official lists on this schedule (the first time at start, in the background)
    /// and swap in new snapshots without dropping a request; implies `stored_lists`.
    pub refresh_lists: Option<Duration>,
    /// Fetch the lists from this base URL instead of the publishers.
    pub list_mirror: Option<String>,
    /// The vetting workers and their limits.
    pub vetting: VetLimits,
    /// The limits on connections.
    pub connections: ConnectionLimits,
}

impl ServerConfig {
    /// A server on `127.0.0.1:8080` over `database`, with the bundled pack and the default limits.
    pub fn new(database: impl Into<String>) -> ServerConfig {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            database: database.into(),
            rules: PackSource::Bundled,
            lists: Vec::new(),
            stored_lists: false,
            pinned_snapshots: Vec::new(),
            refresh_lists: None,
            list_mirror: None,
            vetting: VetLimits::default(),
            connections: ConnectionLimits::default(),
        }
    }
}

/// Where the rule pack comes from.
#[derive(Debug, Clone, Default)]
pub enum PackSource {
    /// The pack bundled with ictguard.
    #[default]
    Bundled,
    /// A directory of rule-pack TOML files, combined with the bundled pack.
    Dir {
        /// The directory.
        dir: PathBuf,
        /// Merged into the bundled pack, or replacing it.
        combine: Combine,
    },
}

impl PackSource {
    /// Load the pack.
    pub fn load(&self) -> Result<RulePack, PackErrors> {
        match self {
            PackSource::Bundled => Ok(RulePack::bundled()),
            PackSource::Dir { dir, combine } => RulePack::with_user_dir(dir, *combine),
        }
    }

    /// The global flags that choose this pack on the worker program's command line
    /// (`--rules DIR --rules-mode merge|replace`), the directory made absolute so that the worker
    /// finds it wherever it runs.
    pub(crate) fn worker_args(&self) -> std::io::Result<Vec<OsString>> {
        let mut args = Vec::new();
        if let PackSource::Dir { dir, combine } = self {
            args.push("--rules".into());
            args.push(std::path::absolute(dir)?.into_os_string());
            args.push("--rules-mode".into());
            args.push(
                match combine {
                    Combine::Merge => "merge",
                    Combine::Replace => "replace",
                }
                .into(),
            );
        }
        Ok(args)
    }
}

/// The vetting workers: each upload is vetted by a child process of `worker_program`, run as
/// `PROGRAM [--rules DIR --rules-mode MODE] vet-worker --as-of DATE --name NAME --max-memory
/// BYTES --max-cpu SECONDS --max-input BYTES` with the APK on its standard input; the program
/// calls [`crate::vet_worker`].
#[derive(Debug, Clone)]
pub struct VetLimits {
    /// The program to run; this process's own executable when `None`.
    pub worker_program: Option<PathBuf>,
    /// Vettings run at once (at least 1).
    pub workers: usize,
    /// Vettings that may wait for a worker; past that an upload is answered 503 with
    /// Retry-After before its body is read.
    pub queue: usize,
    /// Longest a vetting may take; past it the worker is killed and nothing is recorded.
    pub timeout: Duration,
    /// Address-space limit of each worker, in MiB.
    pub memory_mib: u64,
    /// CPU-time limit of each worker, in seconds.
    pub cpu_seconds: u64,
}

impl Default for VetLimits {
    /// One worker per core, 8 waiting, 60 s, 2048 MiB, 60 s of CPU.
    fn default() -> VetLimits {
        VetLimits {
            worker_program: None,
            workers: std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            queue: 8,
            timeout: Duration::from_secs(60),
            memory_mib: 2048,
            cpu_seconds: 60,
        }
    }
}

/// The limits on connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Most connections open at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Longest a client may take to send a request's headers, or stay idle between requests.
    pub header_timeout: Duration,
}

impl Default for ConnectionLimits {
    /// 1024 connections, 30 s.
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(30),
        }
    }
}
