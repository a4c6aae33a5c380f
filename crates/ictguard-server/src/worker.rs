//! The vetting worker's side ([`vet_worker`]): vet one APK read from standard input, inside
//! resource limits, and write its report as one line of JSON to standard output (or
//! `{"error": …}` when the bytes are not a readable APK).
//!
//! The server vets every upload this way (see `isolation`): an APK built to exhaust its analyser
//! can then cost at most this one process, which the kernel stops at its address-space and CPU
//! limits and the server kills at its deadline, and never the server, its other requests or its
//! audit trail. The limits are set on this process before a byte of the APK is read.

use std::io::{Read, Write};

use ictguard_vet::{Knowledge, Vetter};
use rustix::process::{Resource, Rlimit};

use crate::config::PackSource;

/// How much lower than the server's own the worker's scheduling priority is, so that a busy
/// vetting never slows the screening requests the server answers meanwhile.
const NICENESS: i32 = 10;

/// What the server tells a worker (its command line).
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The date to assess as of.
    pub as_of: chrono::NaiveDate,
    /// The file name the report gives.
    pub name: String,
    /// Address-space limit of the process, in bytes.
    pub max_memory: u64,
    /// CPU-time limit of the process, in seconds.
    pub max_cpu: u64,
    /// Largest APK read from standard input, in bytes.
    pub max_input: u64,
}

/// Why a worker could not vet (an APK that is not readable is not one of these: it is answered
/// as `{"error": …}`).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// A limit could not be set on this process.
    #[error("{what}")]
    Limit {
        /// Which.
        what: &'static str,
        /// Why.
        #[source]
        source: rustix::io::Errno,
    },
    /// Standard input could not be read.
    #[error("reading the APK from standard input")]
    Read(#[source] std::io::Error),
    /// More than `max_input` bytes came.
    #[error("the APK is over the {0}-byte limit")]
    TooLarge(u64),
    /// The rule pack did not load.
    #[error("{0}")]
    Pack(ictguard_rules::PackErrors),
    /// The report could not be written.
    #[error(transparent)]
    Write(#[from] std::io::Error),
    /// The report could not be serialised.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Be a vetting worker: set this process's limits, read the APK from standard input, vet it
/// against the pack from `pack`, and print the report. Call it from the program the server runs
/// as its worker (see [`crate::VetLimits`]).
pub fn vet_worker(pack: &PackSource, config: &WorkerConfig) -> Result<(), WorkerError> {
    limit_self(config.max_memory, config.max_cpu)?;
    // one thread: the server runs one worker per core
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(config.max_input + 1)
        .read_to_end(&mut bytes)
        .map_err(WorkerError::Read)?;
    if bytes.len() as u64 > config.max_input {
        return Err(WorkerError::TooLarge(config.max_input));
    }
    let vetter = Vetter::new(
        pack.load().map_err(WorkerError::Pack)?,
        Knowledge::bundled(),
    );
    let line = match vetter.vet(&config.name, &bytes, config.as_of) {
        Ok(report) => serde_json::to_string(&report)?,
        Err(e) => serde_json::json!({ "error": e.to_string() }).to_string(),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// Bound this process's address space and CPU time, and lower its priority. At the CPU limit the
/// kernel sends SIGXCPU (and SIGKILL a second later); past the address-space limit an allocation
/// fails and the process aborts: either way it ends, and the parent says why.
fn limit_self(max_memory: u64, max_cpu: u64) -> Result<(), WorkerError> {
    let fail = |what| move |source| WorkerError::Limit { what, source };
    rustix::process::setrlimit(
        Resource::As,
        Rlimit {
            current: Some(max_memory),
            maximum: Some(max_memory),
        },
    )
    .map_err(fail("setting the address-space limit"))?;
    rustix::process::setrlimit(
        Resource::Cpu,
        Rlimit {
            current: Some(max_cpu),
            maximum: Some(max_cpu + 1),
        },
    )
    .map_err(fail("setting the CPU-time limit"))?;
    rustix::process::nice(NICENESS).map_err(fail("lowering the priority"))?;
    Ok(())
}
