//! `ictguard vet-worker` (hidden): vet one APK read from standard input, inside resource limits,
//! and write its report as one line of JSON to standard output (or `{"error": …}` when the bytes
//! are not a readable APK).
//!
//! The server vets every upload this way (see `isolation`): an APK built to exhaust its analyser
//! can then cost at most this one process, which the kernel stops at its address-space and CPU
//! limits and the server kills at its deadline, and never the server, its other requests or its
//! audit trail. The limits are set on this process before a byte of the APK is read.

use std::io::{Read, Write};

use anyhow::Context as _;
use ictguard_rules::RulePack;
use ictguard_vet::{Knowledge, Vetter};
use rustix::process::{Resource, Rlimit};

use crate::cli::VetWorkerArgs;
use crate::Outcome;

/// How much lower than the server's own the worker's scheduling priority is, so that a busy
/// vetting never slows the screening requests the server answers meanwhile.
const NICENESS: i32 = 10;

pub fn run(
    load_pack: impl FnOnce() -> anyhow::Result<RulePack>,
    args: &VetWorkerArgs,
) -> anyhow::Result<Outcome> {
    limit_self(args.max_memory, args.max_cpu)?;
    // one thread: the server runs one worker per core
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    let as_of = crate::as_of_or_today(args.as_of.as_deref())?;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(args.max_input + 1)
        .read_to_end(&mut bytes)
        .context("reading the APK from standard input")?;
    anyhow::ensure!(
        bytes.len() as u64 <= args.max_input,
        "the APK is over the {}-byte limit",
        args.max_input
    );
    let vetter = Vetter::new(load_pack()?, Knowledge::bundled());
    let line = match vetter.vet(&args.name, &bytes, as_of) {
        Ok(report) => serde_json::to_string(&report)?,
        Err(e) => serde_json::json!({ "error": e.to_string() }).to_string(),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(Outcome::Clean)
}

/// Bound this process's address space and CPU time, and lower its priority. At the CPU limit the
/// kernel sends SIGXCPU (and SIGKILL a second later); past the address-space limit an allocation
/// fails and the process aborts: either way it ends, and the parent says why.
fn limit_self(max_memory: u64, max_cpu: u64) -> anyhow::Result<()> {
    rustix::process::setrlimit(
        Resource::As,
        Rlimit {
            current: Some(max_memory),
            maximum: Some(max_memory),
        },
    )
    .context("setting the address-space limit")?;
    rustix::process::setrlimit(
        Resource::Cpu,
        Rlimit {
            current: Some(max_cpu),
            maximum: Some(max_cpu + 1),
        },
    )
    .context("setting the CPU-time limit")?;
    rustix::process::nice(NICENESS).context("lowering the priority")?;
    Ok(())
}
