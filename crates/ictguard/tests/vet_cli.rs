//! `ictguard vet` end to end: the JSON contract against its published schema, SARIF against the
//! OASIS SARIF 2.1.0 schema, the HTML report, directories, suppressions, exit codes, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ictguard"))
        .args(args)
        .output()
        .expect("ictguard runs")
}

fn built(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ictguard-apk/tests/built/apk")
        .join(name)
        .display()
        .to_string()
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn validator(path: PathBuf) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn json_reports_follow_the_published_schema() {
    let schema = validator(repo("schemas/vet-report.schema.json"));
    let dir = built("");
    let out = run(&["vet", &dir, "--format", "json", "--as-of", "2026-11-25"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "restrict/prohibit apps flag the run"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let reports: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 7);
    for r in &reports {
        let errs = errors(&schema, r);
        assert!(errs.is_empty(), "{}: {errs:#?}", r["file"]);
    }
    let refs = reports
        .iter()
        .find(|r| r["package"] == "com.example.refs")
        .unwrap();
    assert_eq!(refs["recommendation"], "restrict");
    let umeng = refs["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["country"] == "CN")
        .unwrap();
    assert!(umeng["vendor"].is_string());
    let covered = reports
        .iter()
        .find(|r| r["package"] == "com.intsig.camscanner")
        .unwrap();
    assert_eq!(covered["covered"][0]["id"], "camscanner");
    assert_eq!(covered["covered"][0]["orders"][0]["status"], "revoked");
    // the schema has teeth: a report without a risk fails it
    let mut broken = refs.clone();
    broken.as_object_mut().unwrap().remove("risk");
    assert!(!errors(&schema, &broken).is_empty());

    // one clean app exits 0; --exit-zero makes any run exit 0
    let clean = run(&["vet", &built("clean.apk"), "--format", "json"]);
    assert_eq!(clean.status.code(), Some(0));
    let flagged = run(&["vet", &built("refs.apk"), "--exit-zero"]);
    assert_eq!(flagged.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&flagged.stdout).contains("RESTRICT"));
}

#[test]
fn sarif_is_valid_sarif_2_1_0_with_suppressions() {
    let schema = validator(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json"),
    );
    let tmp = tempfile::tempdir().unwrap();
    let suppressions = tmp.path().join("suppressions.toml");
    std::fs::write(
        &suppressions,
        "[[suppression]]\nfinding = \"IG-POSTURE-DEBUGGABLE\"\nwho = \"A. Reviewer\"\nwhen = 2026-11-20\nwhy = \"test build\"\n",
    )
    .unwrap();
    let sarif_path = tmp.path().join("out.sarif");
    let out = run(&[
        "vet",
        &built("refs.apk"),
        "--format",
        "sarif",
        "--suppressions",
        suppressions.to_str().unwrap(),
        "-o",
        sarif_path.to_str().unwrap(),
        "--exit-zero",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let errs = errors(&schema, &sarif);
    assert!(errs.is_empty(), "{errs:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "IG-SDK-ADVERSARY" && r["level"] == "error"));
    let suppressed = results
        .iter()
        .find(|r| r["ruleId"] == "IG-POSTURE-DEBUGGABLE")
        .unwrap();
    assert_eq!(suppressed["suppressions"][0]["justification"], "test build");
    // every result's rule is described in the driver
    let rules: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(results
        .iter()
        .all(|r| rules.contains(&r["ruleId"].as_str().unwrap())));
}

#[test]
fn html_report_is_self_contained() {
    let out = run(&["vet", &built("refs.apk"), "--format", "html", "--exit-zero"]);
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.matches("<svg").count() >= 3, "three charts");
    assert!(html.contains("com.umeng.analytics.MobclickAgent"));
    assert!(html.contains("Exodus Privacy"));
    // nothing fetched from the network: no scripts, stylesheets or images by URL
    for needle in ["<script", "<link", "src=\"http", "url(http"] {
        assert!(!html.contains(needle), "{needle}");
    }
}

#[test]
fn a_file_changed_while_it_is_read_fails_alone_never_the_run() {
    // Another process truncates and rewrites an APK while `vet DIR` reads it. A reader that maps
    // the file would take SIGBUS on the pages cut off and end the whole run; ictguard reads each
    // file into memory, so that file is an error or a report of what it held, and the run goes on.
    use std::os::unix::process::ExitStatusExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    let big = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/apk/tests/com.example.android.tvleanback.apk");
    let bytes = std::fs::read(&big).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(built("clean.apk"), tmp.path().join("clean.apk")).unwrap();
    let victim = tmp.path().join("victim.apk");
    std::fs::write(&victim, &bytes).unwrap();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            // rewrite the file in place and cut it short, again and again
            let mut cut = bytes.len() / 3;
            while !stop.load(Ordering::Relaxed) {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&victim)
                    .unwrap();
                f.set_len(cut as u64).unwrap();
                std::io::Write::write_all(&mut &f, &bytes).unwrap();
                cut = (cut * 7 + 12_345) % bytes.len();
            }
        });
        for _ in 0..8 {
            let out = run(&["vet", tmp.path().to_str().unwrap(), "--format", "json"]);
            assert_eq!(out.status.signal(), None, "killed by a signal");
            assert!(matches!(out.status.code(), Some(0..=2)), "{:?}", out.status);
            let text = String::from_utf8_lossy(&out.stdout);
            let lines: Vec<Value> = text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert_eq!(lines.len(), 2, "{text}");
            assert!(lines
                .iter()
                .any(|r| r["file"].as_str().unwrap().ends_with("clean.apk")
                    && r["recommendation"].is_string()));
        }
        stop.store(true, Ordering::Relaxed);
    });
}

#[test]
fn the_budgets_can_be_set_and_say_what_stopped() {
    // no entry may be read whole: not even the manifest, so the APK cannot be vetted, and the
    // error says which budget stopped it
    let out = run(&["vet", &built("refs.apk"), "--max-entry-mib", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("analysis stopped") && err.contains("AndroidManifest.xml"),
        "{err}"
    );
    // the defaults read it
    let out = run(&["vet", &built("refs.apk"), "--format", "json", "--exit-zero"]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| !w.as_str().unwrap().contains("analysis stopped")));
}

#[test]
fn bad_input_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("junk.apk");
    std::fs::write(&junk, b"PK\x03\x04 this is not a zip").unwrap();
    let out = run(&["vet", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a readable APK"), "{err}");
    let out = run(&[
        "vet",
        &built("refs.apk"),
        "--suppressions",
        junk.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("suppressions"));
}

#[test]
fn fleet_counts_devices_by_app_and_organization() {
    let inventory = repo("examples/fleet.csv");
    let tmp = tempfile::tempdir().unwrap();
    let vetted = tmp.path().join("vetted.jsonl");
    let out = run(&[
        "vet",
        &built(""),
        "--format",
        "json",
        "-o",
        vetted.to_str().unwrap(),
        "--as-of",
        "2026-11-25",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&[
        "fleet",
        inventory.to_str().unwrap(),
        "--vetted",
        vetted.to_str().unwrap(),
        // an agency phone with TikTok: the No TikTok on Government Devices Act binds whatever
        // the 2024 act's enforcement delays said
        "--as-of",
        "2025-06-01",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "flagged devices");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["devices"], 6);
    assert_eq!(r["bad_rows"].as_array().unwrap().len(), 1);
    let flagged = r["flagged"].as_array().unwrap();
    let tiktok = flagged
        .iter()
        .find(|f| f["package"] == "com.zhiliaoapp.musically")
        .unwrap();
    assert_eq!(
        (tiktok["reason"].as_str(), tiktok["decision"].as_str()),
        (Some("covered"), Some("block"))
    );
    let refs = flagged
        .iter()
        .find(|f| f["package"] == "com.example.refs")
        .unwrap();
    assert_eq!(
        (refs["reason"].as_str(), refs["risk"].as_str()),
        (Some("high_risk"), Some("high"))
    );
    assert!(!flagged
        .iter()
        .any(|f| f["package"] == "com.example.clean" || f["package"] == "com.slack"));
    let agency = r["by_organization"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["org_type"] == "agency")
        .unwrap();
    assert_eq!(
        (
            agency["devices"].as_u64(),
            agency["flagged_devices"].as_u64()
        ),
        (Some(3), Some(3))
    );
    // the 2024 act's enforcement delay does not reach the government-device ban: on an agency
    // phone TikTok was a block while app stores were told they would not be penalised
    let out = run(&[
        "fleet",
        inventory.to_str().unwrap(),
        "--as-of",
        "2025-02-01",
        "--json",
    ]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tiktok = r["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"] == "com.zhiliaoapp.musically")
        .unwrap();
    assert_eq!(tiktok["decision"], "block");
}

/// Headless Chromium, if installed (`apt-get install chromium`); CI sets ICTGUARD_REQUIRE_BROWSER=1
/// so that a missing browser fails there instead of skipping.
fn chromium() -> Option<PathBuf> {
    let found = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("ICTGUARD_REQUIRE_BROWSER").is_none(),
            "ICTGUARD_REQUIRE_BROWSER is set but no Chromium is installed"
        );
        eprintln!("SKIPPED: no Chromium (apt-get install chromium) for the browser test");
    }
    found
}

/// Pixels of one colour (within a small tolerance) in an RGB(A) screenshot.
fn count_colour(png_path: &Path, rgb: [u8; 3]) -> (usize, u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let n = buf[..info.buffer_size()]
        .chunks(channels)
        .filter(|p| p[..3].iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 6))
        .count();
    (n, info.width, info.height)
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else { return };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vet-html");
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("refs.html");
    let out = run(&[
        "vet",
        &built("refs.apk"),
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
        "--as-of",
        "2026-11-25",
        "--exit-zero",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let shot = dir.join("refs.png");
    let _ = std::fs::remove_file(&shot);
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,1400",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (_, w, h) = count_colour(&shot, [0, 0, 0]);
    assert_eq!((w, h), (1200, 1400));
    // the summary's risk badge (high: #c2410c), the score-by-kind bars (#3b5bdb), the CN SDK bar
    // (foreign adversary: #8b1a1a) and the data-reached bars (#a16207) are drawn
    for (what, rgb, at_least) in [
        ("risk badge", [0xc2, 0x41, 0x0c], 1500),
        ("score bars", [0x3b, 0x5b, 0xdb], 3000),
        ("adversary SDK bar", [0x8b, 0x1a, 0x1a], 1500),
        ("data bars", [0xa1, 0x62, 0x07], 3000),
    ] {
        let (n, _, _) = count_colour(&shot, rgb);
        assert!(
            n >= at_least,
            "{what}: {n} pixels of {rgb:02x?} in {}",
            shot.display()
        );
    }
}

/// A state agency's phones are screened against its own state's device rules (`state` column),
/// with the optional pack of state bans loaded. A plain `agency` with a state is a state agency;
/// `federal_agency` stays federal wherever it is; a state that is no state is reported and the
/// install still assessed.
#[test]
fn fleet_applies_a_states_device_ban_by_the_state_column() {
    let tmp = tempfile::tempdir().unwrap();
    let inventory = tmp.path().join("fleet.csv");
    std::fs::write(
        &inventory,
        "device,organization,org_type,state,package\n\
         TX-1,Texas DPS,state,TX,com.bd.nproject\n\
         CA-1,Caltrans,state,CA,com.bd.nproject\n\
         TX-2,Texas DOT,agency,TX,com.bd.nproject\n\
         TX-3,Texas DIR,state,Texas,com.bd.nproject\n\
         FED-1,GSA Region 7,federal_agency,TX,com.bd.nproject\n\
         FED-2,GSA Region 7,federal_agency,TX,com.zhiliaoapp.musically\n",
    )
    .unwrap();
    let states = repo("rules/optional/us-states");
    let out = run(&[
        "--rules",
        states.to_str().unwrap(),
        "fleet",
        inventory.to_str().unwrap(),
        "--as-of",
        "2025-03-01",
        "--json",
    ]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let decision = |device: &str| {
        r["flagged"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["device"] == device)
            .map(|f| f["decision"].as_str().unwrap().to_string())
    };
    assert_eq!(decision("TX-1").as_deref(), Some("block"), "{r}");
    assert_eq!(decision("CA-1").as_deref(), Some("allow"), "{r}");
    assert_eq!(decision("TX-2").as_deref(), Some("block"), "{r}");
    // "Texas" is not a state code: said, and the state rule then asks for the state
    assert_eq!(decision("TX-3").as_deref(), Some("review"), "{r}");
    let bad = r["bad_rows"].as_array().unwrap();
    assert!(
        bad.len() == 1 && bad[0].as_str().unwrap().contains("line 5: state \"Texas\""),
        "{r}"
    );
    // a federal office in Texas: Texas's rule does not bind it, the federal device act does
    assert_eq!(decision("FED-1").as_deref(), Some("allow"), "{r}");
    assert_eq!(decision("FED-2").as_deref(), Some("block"), "{r}");
}

/// An inventory saved with Windows line ends names the same line for a bad row.
#[test]
fn fleet_names_the_right_line_with_windows_line_ends() {
    let tmp = tempfile::tempdir().unwrap();
    let inventory = tmp.path().join("fleet.csv");
    std::fs::write(
        &inventory,
        "device,organization,org_type,state,package\r\nTX-1,Texas DPS,state,TX,com.bd.nproject\r\nTX-3,Texas DIR,state,Texas,com.bd.nproject\r\n",
    )
    .unwrap();
    let out = run(&[
        "fleet",
        inventory.to_str().unwrap(),
        "--as-of",
        "2025-03-01",
        "--json",
    ]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bad = r["bad_rows"][0].as_str().unwrap();
    assert!(bad.starts_with("line 3: state \"Texas\""), "{bad}");
}
