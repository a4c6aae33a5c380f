//! The `ictguard` binary: a thin layer of commands over the library crates.

mod batch;
mod cli;
mod cmd_apk;
mod cmd_eval;
mod cmd_fleet;
mod cmd_flows;
mod cmd_lists;
mod cmd_rules;
mod cmd_screen;
mod cmd_serve;
mod cmd_store;
mod cmd_vet;
mod output;
mod table;

use ictguard_rules::{Combine, RulePack};

use cli::{Cli, Command, RulesMode};

/// Exit status a script can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Everything allowed (or valid).
    Clean = 0,
    /// At least one block or review (or an invalid pack).
    Flagged = 1,
    /// Something failed.
    Error = 2,
}

fn load_pack(cli: &Cli) -> anyhow::Result<RulePack> {
    match &cli.pack.rules {
        None => Ok(RulePack::bundled()),
        Some(dir) => {
            let combine = match cli.pack.rules_mode {
                RulesMode::Merge => Combine::Merge,
                RulesMode::Replace => Combine::Replace,
            };
            RulePack::with_user_dir(dir, combine).map_err(|e| anyhow::anyhow!("{e}"))
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match &cli.command {
        Command::Rules(cmd) => cmd_rules::run(&cli, cmd),
        Command::Screen(args) => cmd_screen::run(load_pack(&cli)?, args),
        Command::Eval(args) => cmd_eval::run(load_pack(&cli)?, args),
        Command::Apk(cmd) => cmd_apk::run(cmd),
        Command::Vet(args) => cmd_vet::run(|| load_pack(&cli), args),
        Command::Fleet(args) => cmd_fleet::run(load_pack(&cli)?, args),
        Command::Flows(args) => cmd_flows::run(load_pack(&cli)?, args),
        Command::Serve(args) => cmd_serve::serve(&cli.pack, args),
        Command::VetWorker(args) => cmd_serve::vet_worker(&cli.pack, args),
        Command::Keys(cmd) => cmd_store::keys(cmd),
        Command::Audit(cmd) => cmd_store::audit(cmd),
        Command::Lists(cmd) => cmd_lists::run(|| load_pack(&cli), cmd),
        Command::Watch(cmd) => cmd_lists::watch(load_pack(&cli)?, cmd),
    }
}

/// The process's entry point: Rust's own runtime start (SIGPIPE ignored, closed standard
/// descriptors opened on /dev/null, a panic exits 101), then the command.
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run_main())
}

/// Parse the command line, run the command, print the error if any; the exit status.
fn run_main() -> u8 {
    let cli = <Cli as clap::Parser>::parse();
    match run(cli) {
        Ok(outcome) => outcome as u8,
        Err(e) if is_broken_pipe(&e) => 0, // `ictguard … | head` closed early
        Err(e) => {
            eprintln!("ictguard: error: {e:#}");
            Outcome::Error as u8
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>().is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            || c.downcast_ref::<csv::Error>().is_some_and(|ce| matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    })
}

/// Today's date in UTC, the default "as of".
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Parse an `--as-of` value, defaulting to today.
pub fn as_of_or_today(s: Option<&str>) -> anyhow::Result<chrono::NaiveDate> {
    match s {
        Some(s) => ictguard_rules::parse_date(s).map_err(|e| anyhow::anyhow!("--as-of: {e}")),
        None => Ok(today()),
    }
}
