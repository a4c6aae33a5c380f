//! Vetting uploads in child processes: the server's isolation from hostile APKs.
//!
//! Each vetting runs `ictguard vet-worker` (this same binary by default; see [`VetLimits`]) with the APK on its standard input,
//! under an address-space and a CPU-time limit it sets on itself before reading a byte, at a lower
//! priority. At most `workers` run at once; at most `queue` more wait for one, and an upload past
//! that is refused (503, `Retry-After`) before its body is read. A vetting that outlives its
//! deadline, or whose request is dropped (the client went away, the request deadline passed), has
//! its process killed, and since the audit record is written only from a finished report, nothing
//! is recorded for it. Screening never waits on any of this: it runs in the server process, and
//! vetting only awaits its child.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use ictguard_vet::Report;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::{PackSource, VetLimits};

/// Longest report a worker may print (a report is tens of kilobytes).
const MAX_REPORT_BYTES: u64 = 64 << 20;
/// How much of a worker's standard error is kept to explain a failure.
const MAX_STDERR_BYTES: u64 = 16 << 10;

/// Why an upload was not vetted.
#[derive(Debug)]
pub(crate) enum VetFailure {
    /// Every worker is busy and the queue is full: try again later.
    Busy,
    /// The bytes are not a readable APK.
    NotAnApk(String),
    /// The worker hit a resource limit (a file built to exhaust analysers, or one too large).
    Exhausted(String),
    /// The vetting took longer than its deadline; the worker was killed.
    TimedOut(Duration),
    /// Something else went wrong running the worker.
    Internal(String),
}

/// The vetting workers of one server.
pub(crate) struct VetPool {
    exe: PathBuf,
    /// The global flags that choose the rule pack, passed on so the worker vets against the
    /// server's pack.
    pack_args: Vec<OsString>,
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    memory: u64,
    cpu_seconds: u64,
    deadline: Duration,
    max_input: u64,
}

/// A place in the vetting queue, held from before an upload is read until its vetting ends.
pub(crate) struct Admission(#[allow(dead_code)] OwnedSemaphorePermit);

impl VetPool {
    /// The pool for `limits`, whose workers load the pack from `pack` and read at most
    /// `max_input` bytes.
    pub(crate) fn new(
        pack: &PackSource,
        limits: &VetLimits,
        max_input: u64,
    ) -> Result<VetPool, crate::error::ServeError> {
        if limits.workers == 0 {
            return Err(crate::error::ServeError::Config(
                "vetting needs at least one worker".into(),
            ));
        }
        let exe = match &limits.worker_program {
            Some(p) => p.clone(),
            None => std::env::current_exe()?,
        };
        Ok(VetPool {
            exe,
            pack_args: pack.worker_args()?,
            running: Arc::new(Semaphore::new(limits.workers)),
            admitted: Arc::new(Semaphore::new(limits.workers + limits.queue)),
            memory: limits.memory_mib.saturating_mul(1 << 20),
            cpu_seconds: limits.cpu_seconds,
            deadline: limits.timeout,
            max_input,
        })
    }

    /// A place in the queue, or [`VetFailure::Busy`] when every worker is busy and the queue is
    /// full. Take it before reading an upload.
    pub(crate) fn admit(&self) -> Result<Admission, VetFailure> {
        self.admitted
            .clone()
            .try_acquire_owned()
            .map(Admission)
            .map_err(|_| VetFailure::Busy)
    }

    /// Seconds a refused client should wait before trying again: about one vetting's deadline
    /// shared among the workers.
    pub(crate) fn retry_after(&self) -> u64 {
        (self.deadline.as_secs() / 4).clamp(1, 30)
    }

    /// Vet `bytes` in a worker, as of `as_of`, naming the file `name` in the report. Waits for a
    /// free worker (the admission says it may), then for the report, at most the deadline.
    pub(crate) async fn vet(
        &self,
        _admission: Admission,
        name: &str,
        bytes: axum::body::Bytes,
        as_of: chrono::NaiveDate,
    ) -> Result<Report, VetFailure> {
        let _running = self
            .running
            .acquire()
            .await
            .map_err(|e| VetFailure::Internal(e.to_string()))?;
        let mut child = tokio::process::Command::new(&self.exe)
            .args(&self.pack_args)
            .arg("vet-worker")
            .arg("--as-of")
            .arg(as_of.to_string())
            .arg("--name")
            .arg(name)
            .arg("--max-memory")
            .arg(self.memory.to_string())
            .arg("--max-cpu")
            .arg(self.cpu_seconds.to_string())
            .arg("--max-input")
            .arg(self.max_input.to_string())
            .env("RAYON_NUM_THREADS", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // dropped (deadline, a client gone): the worker dies with the request
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| VetFailure::Internal(format!("cannot start a vetting worker: {e}")))?;
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(VetFailure::Internal(
                "the worker's pipes are missing".into(),
            ));
        };
        let work = async {
            // feed the APK while reading what comes back (a pipe holds only so much)
            let feed = async move {
                // a worker that stops reading (it failed, or hit a limit) is not an error here:
                // its exit status says what happened
                let _ = stdin.write_all(&bytes).await;
                drop(stdin);
            };
            let read_out = async {
                let mut out = Vec::new();
                stdout
                    .take(MAX_REPORT_BYTES)
                    .read_to_end(&mut out)
                    .await
                    .map(|_| out)
            };
            let read_err = async {
                let mut err = Vec::new();
                let _ = stderr.take(MAX_STDERR_BYTES).read_to_end(&mut err).await;
                err
            };
            let ((), out, err) = tokio::join!(feed, read_out, read_err);
            let status = child.wait().await;
            (status, out, err)
        };
        let (status, out, err) = match tokio::time::timeout(self.deadline, work).await {
            Ok(done) => done,
            // the work future is dropped: the child goes with it (kill_on_drop)
            Err(_) => return Err(VetFailure::TimedOut(self.deadline)),
        };
        let status = status.map_err(|e| VetFailure::Internal(e.to_string()))?;
        let stderr = String::from_utf8_lossy(&err);
        if !status.success() {
            return Err(self.explain(status, &stderr));
        }
        let out = out.map_err(|e| VetFailure::Internal(e.to_string()))?;
        let value: serde_json::Value = serde_json::from_slice(&out).map_err(|e| {
            VetFailure::Internal(format!("the worker's report does not parse: {e}"))
        })?;
        if let Some(error) = value.get("error").and_then(|e| e.as_str()) {
            return Err(VetFailure::NotAnApk(error.to_string()));
        }
        serde_json::from_value(value)
            .map_err(|e| VetFailure::Internal(format!("the worker's report does not parse: {e}")))
    }

    /// Why a worker ended badly, from its exit status and standard error.
    fn explain(&self, status: std::process::ExitStatus, stderr: &str) -> VetFailure {
        use rustix::process::Signal;
        use std::os::unix::process::ExitStatusExt;
        let last = stderr.lines().last().unwrap_or("").trim();
        let (xcpu, kill, abrt) = (
            Signal::XCPU.as_raw(),
            Signal::KILL.as_raw(),
            Signal::ABORT.as_raw(),
        );
        match status.signal() {
            Some(s) if s == xcpu || s == kill => VetFailure::Exhausted(format!(
                "vetting the APK used up its CPU-time limit of {} s",
                self.cpu_seconds
            )),
            Some(s) if s == abrt && stderr.contains("memory allocation") => {
                VetFailure::Exhausted(format!(
                    "vetting the APK needed more than its memory limit of {} MiB",
                    self.memory >> 20
                ))
            }
            Some(signal) => VetFailure::Internal(format!(
                "the vetting worker died of signal {signal}: {last}"
            )),
            None if stderr.contains("memory allocation") => VetFailure::Exhausted(format!(
                "vetting the APK needed more than its memory limit of {} MiB",
                self.memory >> 20
            )),
            None => VetFailure::Internal(format!("the vetting worker failed ({status}): {last}")),
        }
    }
}
