//! The `ictguard` binary: a thin layer of commands over the library crates.
//!
//! On Linux with glibc the process starts at a C `main` of our own (`no_main`) rather than Rust's
//! runtime start: see the `entry` module for why and for what it does in the runtime's place.
#![cfg_attr(all(not(test), target_os = "linux", target_env = "gnu"), no_main)]

mod batch;
mod cli;
mod cmd_apk;
mod cmd_eval;
mod cmd_fleet;
mod cmd_flows;
mod cmd_rules;
mod cmd_screen;
mod cmd_store;
mod cmd_vet;
mod openapi;
mod render;
mod serve;
mod vet_html;
mod vet_sarif;
mod vet_text;
mod web;

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
        Command::Serve(args) => serve::run(load_pack(&cli)?, args),
        Command::Keys(cmd) => cmd_store::keys(cmd),
        Command::Audit(cmd) => cmd_store::audit(cmd),
    }
}

/// The process entry point on Linux with glibc, in place of Rust's runtime start (`lang_start`).
///
/// ictguard is often run once per file (one process per APK in a CI job), so what every process
/// pays before `main` counts. Rust's runtime start reads `/proc/self/maps` (glibc's
/// `pthread_getattr_np` on the main thread, to place a guard page for the stack overflow
/// message) and sets up an alternate signal stack: about a dozen system calls, 0.2 ms of a 1 ms
/// empty program on the CI machine. Of what it does, we keep what changes behaviour: standard
/// descriptors that are closed are opened on /dev/null (so that a file or socket opened later
/// never becomes standard output or error); SIGPIPE is ignored, so that writing to a closed pipe
/// or socket is an error we handle (`| head` exits 0), not a signal that kills the server; a panic
/// exits with status 101; standard output is flushed at exit (`std::process::exit` does). What is
/// given up: a stack overflow (none is known; the fuzzers would report one) is reported by the
/// kernel as SIGSEGV without Rust's "has overflowed its stack" line, and the main thread has no
/// name in panic messages. Command-line arguments still reach `std::env::args_os`: glibc passes them to the
/// standard library's initialiser (which is why this is for glibc only).
#[cfg(all(not(test), target_os = "linux", target_env = "gnu"))]
mod entry {
    #[unsafe(no_mangle)]
    extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
        reopen_closed_standard_descriptors();
        // SAFETY: called before any thread exists; SIG_IGN is a valid disposition
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        let code = std::panic::catch_unwind(super::run_main).unwrap_or(101);
        std::process::exit(code.into())
    }

    /// Open /dev/null on each of descriptors 0, 1 and 2 that is closed, as Rust's runtime does.
    fn reopen_closed_standard_descriptors() {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        // SAFETY: `fds` is a valid array of three pollfd; a zero timeout returns at once
        if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } < 0 {
            return;
        }
        for fd in fds.iter().filter(|p| p.revents & libc::POLLNVAL != 0) {
            // SAFETY: a NUL-terminated path; open returns the lowest free descriptor, which is
            // this closed one since the lower ones are open or were opened just before
            let opened = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
            if opened != fd.fd {
                std::process::abort(); // as Rust's runtime does when it cannot
            }
        }
    }
}

/// Where Rust's runtime starts the process (other platforms; and the unit tests' build, whose
/// harness has its own `main`).
#[cfg(any(test, not(all(target_os = "linux", target_env = "gnu"))))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run_main())
}

/// Parse the command line, run the command, print the error if any; the exit status.
fn run_main() -> u8 {
    let cli = Cli::parse_args();
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
