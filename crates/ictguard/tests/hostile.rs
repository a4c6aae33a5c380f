//! Hostile APKs ([`ictguard_apk::hostile`]) against the `ictguard` binary, each run under a 1 GiB
//! address-space limit and 10 s of CPU (util-linux's `prlimit`): every one must end by itself
//! with a status a script can read (0, 1 or 2: never a signal, never a panic's 101), and its
//! report must show that the attack was noticed. Each run's wall time, CPU time and peak memory
//! are printed (`cargo test -p ictguard --test hostile -- --nocapture`), measured by GNU time when
//! it is installed.
//!
//! A limit of address space rather than of resident memory, because it is what the kernel
//! enforces: an allocation past it fails (Rust aborts), which is what a hostile APK must never
//! cause. Without `prlimit` the tests fail, unless `ICTGUARD_HOSTILE_WITHOUT_LIMITS=1` lets them
//! skip (CI installs util-linux).

use std::ffi::OsStr;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use ictguard_apk::hostile::{self, Hostile};
use serde_json::Value;

/// The address space the binary may use: 1 GiB.
const ADDRESS_SPACE: u64 = 1 << 30;
/// The CPU time one APK may cost, in seconds.
const CPU_SECONDS: u64 = 10;
/// Set to 1 to skip these tests where `prlimit` is missing.
const SKIP_WITHOUT_LIMITS: &str = "ICTGUARD_HOSTILE_WITHOUT_LIMITS";
/// A fixed date, so that reports do not depend on the day the tests run.
const AS_OF: &str = "2026-11-25";

/// The runs are measured one at a time, so that their times are their own.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// How a limited run ended, and what it cost.
struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    /// Seconds.
    wall: f64,
    /// User + system seconds, when GNU time measured them.
    cpu: Option<f64>,
    /// Peak resident memory in KiB, when GNU time measured it.
    peak_kib: Option<u64>,
}

impl Run {
    /// `12.3 s wall, 4.5 s CPU, 67 MiB peak, exit 1`.
    fn costs(&self) -> String {
        let cpu = self
            .cpu
            .map_or("? s CPU".to_string(), |c| format!("{c:.2} s CPU"));
        let peak = self.peak_kib.map_or("? MiB peak".to_string(), |k| {
            format!("{} MiB peak", k / 1024)
        });
        let end = match (self.code, self.signal) {
            (_, Some(s)) => format!("killed by signal {s}"),
            (Some(c), None) => format!("exit {c}"),
            (None, None) => "no status".into(),
        };
        format!("{:.2} s wall, {cpu}, {peak}, {end}", self.wall)
    }
}

/// An executable on the PATH.
fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `prlimit`, or None when it is missing and the environment allows skipping; a clear failure
/// otherwise.
fn prlimit() -> Option<PathBuf> {
    let found = tool("prlimit");
    if found.is_none() {
        assert!(
            std::env::var(SKIP_WITHOUT_LIMITS).is_ok_and(|v| v == "1"),
            "prlimit (util-linux) is needed to run the hostile APKs under limits: install util-linux, or set {SKIP_WITHOUT_LIMITS}=1 to skip these tests"
        );
        eprintln!("prlimit is missing: hostile APK tests skipped ({SKIP_WITHOUT_LIMITS}=1)");
    }
    found
}

/// Run the ictguard binary with `args` under the address-space limit and `cpu_seconds` of CPU,
/// measured by GNU time when it is there (its statistics go to a file of their own, so the
/// binary's standard error stays its own).
fn limited(prlimit: &Path, args: &[&OsStr], cpu_seconds: u64, scratch: &Path) -> Run {
    let stats = scratch.join("time.txt");
    let time = tool("time");
    let mut cmd = match &time {
        Some(time) => {
            let mut c = Command::new(time);
            c.args(["-f", "%e %U %S %M", "-o"]).arg(&stats).arg("--");
            c.arg(prlimit);
            c
        }
        None => Command::new(prlimit),
    };
    cmd.arg(format!("--as={ADDRESS_SPACE}"))
        .arg(format!("--cpu={cpu_seconds}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_ictguard"))
        .args(args);
    let _ = std::fs::remove_file(&stats);
    let started = Instant::now();
    let out = cmd.output().expect("the limited run starts");
    let wall = started.elapsed().as_secs_f64();
    let mut run = Run {
        code: out.status.code(),
        signal: out.status.signal(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        wall,
        cpu: None,
        peak_kib: None,
    };
    // GNU time: "Command terminated by signal N" or "Command exited with non-zero status N"
    // before the formatted line, and its own status 128 + N for a signal
    if let Ok(text) = std::fs::read_to_string(&stats) {
        for line in text.lines() {
            if let Some(sig) = line.strip_prefix("Command terminated by signal ") {
                run.signal = sig.trim().parse().ok();
                run.code = None;
            }
        }
        let numbers: Vec<f64> = text
            .lines()
            .last()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        if let [wall, user, system, peak] = numbers[..] {
            run.wall = wall;
            run.cpu = Some(user + system);
            run.peak_kib = Some(peak as u64);
        }
    }
    run
}

/// The rules of a report's findings.
fn rules(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|x| x["rule"].as_str()).collect())
        .unwrap_or_default()
}

/// Why the report does not show the attack of `name` as noticed, or None when it does.
fn unnoticed(name: &str, report: &Value) -> Option<String> {
    let rules = rules(report);
    let has = |rule: &str| rules.contains(&rule);
    let stopped = has("IG-ANALYSIS-INCOMPLETE")
        || report["warnings"].as_array().is_some_and(|w| {
            w.iter()
                .filter_map(Value::as_str)
                .any(|w| w.contains("analysis stopped"))
        });
    let ok = match name {
        // the aliases are found, and the stream's declared size refused
        "overlapping-dex" => has("IG-ARCHIVE-OVERLAP") && stopped,
        "aliased-jars" => has("IG-ARCHIVE-OVERLAP"),
        // only the archive's read budget, or a DEX or string pool's work budget, stops these
        "many-bombs" | "dex-strings" | "arsc-strings" | "manifest-strings" => stopped,
        // the signer infos past the limit are named in the signature's failure
        "signer-infos" => {
            stopped
                || report["findings"].as_array().is_some_and(|f| {
                    f.iter().any(|x| {
                        x["rule"] == "IG-SIGNATURE-INVALID"
                            && x["evidence"].to_string().contains("signer infos")
                    })
                })
        }
        // a class added to the corpus later: any sign that something was refused or stopped
        _ => stopped || has("IG-ARCHIVE-OVERLAP"),
    };
    (!ok).then(|| {
        format!(
            "the report does not show the attack as noticed: findings {rules:?}, warnings {}",
            report["warnings"]
        )
    })
}

/// What is wrong with one hostile APK's limited run, if anything.
fn check(h: &Hostile, file: &Path, run: &Run) -> Option<String> {
    if let Some(sig) = run.signal {
        return Some(format!(
            "killed by signal {sig} (the limits: {ADDRESS_SPACE} bytes of address space, {CPU_SECONDS} s of CPU); stderr: {}",
            run.stderr.trim()
        ));
    }
    match run.code {
        Some(0 | 1) => {
            let lines: Vec<&str> = run.stdout.lines().collect();
            let [line] = lines[..] else {
                return Some(format!("{} lines of JSON, not one", lines.len()));
            };
            match serde_json::from_str::<Value>(line) {
                Err(e) => Some(format!("the report is not JSON: {e}")),
                Ok(report) if report["recommendation"].is_string() => unnoticed(h.name, &report),
                Ok(other) => Some(format!("not a report: {}", &other.to_string()[..200])),
            }
        }
        Some(2) => {
            let path = file.display().to_string();
            let reason = run
                .stderr
                .lines()
                .find_map(|l| l.split_once(&path).map(|(_, after)| after.trim()))
                .unwrap_or_default();
            (reason.trim_start_matches(':').trim().len() < 10).then(|| {
                format!(
                    "exit 2 without naming the file and a reason: {}",
                    run.stderr.trim()
                )
            })
        }
        Some(code) => Some(format!(
            "exit {code} (101 is a panic); stderr: {}",
            run.stderr.trim()
        )),
        None => Some("no exit status".into()),
    }
}

/// Vet `h` alone under the limits: its costs, printed, and what is wrong with the run, if anything.
fn vet_one(prlimit: &Path, h: &Hostile, scratch: &Path) -> Option<String> {
    let file = scratch.join(h.file_name());
    std::fs::write(&file, &h.bytes).unwrap();
    let args = [
        OsStr::new("vet"),
        file.as_os_str(),
        OsStr::new("--format"),
        OsStr::new("json"),
        OsStr::new("--as-of"),
        OsStr::new(AS_OF),
    ];
    let run = limited(prlimit, &args, CPU_SECONDS, scratch);
    eprintln!("{:<18} {:>9} bytes: {}", h.name, h.bytes.len(), run.costs());
    let wrong = check(h, &file, &run);
    std::fs::remove_file(&file).unwrap();
    wrong.map(|why| format!("{}: {why}", h.name))
}

#[test]
fn every_hostile_apk_ends_by_itself_within_the_limits_and_is_noticed() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(prlimit) = prlimit() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let failures: Vec<String> = hostile::corpus()
        .iter()
        .filter_map(|h| vet_one(&prlimit, h, tmp.path()))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The corpus's 20,000 aliases, scaled towards the 200,000 entries an archive may list: each
/// alias is read once, and each entry is found by name through an index, not a walk of the whole
/// directory (which made this quadratic: 150,000 aliases cost over 10 s of CPU).
#[test]
fn aliases_towards_the_entry_limit_stay_cheap() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(prlimit) = prlimit() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let h = Hostile {
        name: "aliased-jars",
        what: "150,000 aliases of one stream",
        bytes: hostile::aliased_jars(150_000, 1000),
    };
    assert_eq!(vet_one(&prlimit, &h, tmp.path()), None);
}

#[test]
fn a_directory_of_hostile_apks_and_a_good_one_is_vetted_to_the_end() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(prlimit) = prlimit() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("apks");
    std::fs::create_dir(&dir).unwrap();
    let corpus = hostile::corpus();
    for h in &corpus {
        std::fs::write(dir.join(h.file_name()), &h.bytes).unwrap();
    }
    let good =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ictguard-apk/tests/built/apk/clean.apk");
    std::fs::copy(good, dir.join("clean.apk")).unwrap();
    let files = corpus.len() as u64 + 1;
    let args = [
        OsStr::new("vet"),
        dir.as_os_str(),
        OsStr::new("--format"),
        OsStr::new("json"),
        OsStr::new("--as-of"),
        OsStr::new(AS_OF),
    ];
    // the APKs are vetted side by side, in one address space: the limit holds them all
    let run = limited(&prlimit, &args, CPU_SECONDS * files, tmp.path());
    eprintln!("vet DIR ({files} APKs): {}", run.costs());
    assert_eq!(run.signal, None, "{}", run.stderr);
    assert!(
        matches!(run.code, Some(0..=2)),
        "{}: {}",
        run.costs(),
        run.stderr
    );
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len() as u64, files, "one line per APK");
    let line = |name: &str| {
        lines
            .iter()
            .find(|l| l["file"].as_str().is_some_and(|f| f.ends_with(name)))
    };
    let clean = line("/clean.apk").expect("the good APK's line");
    assert!(clean["recommendation"].is_string(), "{clean}");
    assert_eq!(clean["package"], "com.example.clean");
    for h in &corpus {
        let l =
            line(&format!("/{}", h.file_name())).unwrap_or_else(|| panic!("{}: no line", h.name));
        let reported = l["recommendation"].is_string();
        let refused = l["error"].as_str().is_some_and(|e| !e.is_empty());
        assert!(
            reported || refused,
            "{}: neither a report nor an error",
            h.name
        );
        if reported {
            assert_eq!(unnoticed(h.name, l), None, "{}", h.name);
        }
    }
    assert!(
        run.stderr.contains(&format!("vetted {files} APKs")),
        "{}",
        run.stderr
    );
}
