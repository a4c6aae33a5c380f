//! `ictguard serve` and the hidden `ictguard vet-worker`: the flags mapped onto the server
//! library's configuration (`ictguard_server`), which does the work.

use std::io::Write as _;
use std::time::Duration;

use ictguard_rules::Combine;
use ictguard_server::{ConnectionLimits, PackSource, ServerConfig, VetLimits, WorkerConfig};

use crate::cli::{PackArgs, RulesMode, ServeArgs, VetWorkerArgs};
use crate::Outcome;

/// The rule pack the global flags choose.
fn pack_source(pack: &PackArgs) -> PackSource {
    match &pack.rules {
        None => PackSource::Bundled,
        Some(dir) => PackSource::Dir {
            dir: dir.clone(),
            combine: match pack.rules_mode {
                RulesMode::Merge => Combine::Merge,
                RulesMode::Replace => Combine::Replace,
            },
        },
    }
}

/// `ictguard serve`: print the address once bound, serve until Ctrl-C.
pub fn serve(pack: &PackArgs, args: &ServeArgs) -> anyhow::Result<Outcome> {
    let defaults = VetLimits::default();
    let workers = args.vet_workers.unwrap_or(defaults.workers);
    anyhow::ensure!(workers > 0, "--vet-workers must be at least 1");
    let config = ServerConfig {
        listen: args.listen.clone(),
        database: args.database.clone(),
        rules: pack_source(pack),
        lists: args.lists.clone(),
        stored_lists: args.stored_lists,
        pinned_snapshots: args.snapshots.clone(),
        refresh_lists: args
            .refresh_lists
            .map(|hours| {
                Duration::try_from_secs_f64(hours * 3600.0)
                    .ok()
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| {
                        anyhow::anyhow!("--refresh-lists {hours}: a positive number of hours")
                    })
            })
            .transpose()?,
        list_mirror: args.list_mirror.clone(),
        vetting: VetLimits {
            worker_program: None,
            workers,
            queue: args.vet_queue,
            timeout: Duration::try_from_secs_f64(args.vet_timeout)
                .map_err(|e| anyhow::anyhow!("--vet-timeout {}: {e}", args.vet_timeout))?,
            memory_mib: args.vet_memory,
            cpu_seconds: args.vet_cpu,
        },
        connections: ConnectionLimits {
            max_connections: args.max_connections,
            header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        },
    };
    ictguard_server::run(config, |addr| {
        println!("listening on http://{addr}");
        let _ = std::io::stdout().flush();
    })?;
    Ok(Outcome::Clean)
}

/// `ictguard vet-worker`: how the server vets each upload, in a process of its own.
pub fn vet_worker(pack: &PackArgs, args: &VetWorkerArgs) -> anyhow::Result<Outcome> {
    let config = WorkerConfig {
        as_of: crate::as_of_or_today(args.as_of.as_deref())?,
        name: args.name.clone(),
        max_memory: args.max_memory,
        max_cpu: args.max_cpu,
        max_input: args.max_input,
    };
    ictguard_server::vet_worker(&pack_source(pack), &config)?;
    Ok(Outcome::Clean)
}
