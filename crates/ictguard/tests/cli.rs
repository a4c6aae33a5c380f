//! The `ictguard` binary end to end: exit codes, JSON contracts, batch behaviour, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ictguard"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("ictguard runs")
}

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel)
}

fn json_of(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn screen_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["screen", "--json"];
    all.extend_from_slice(args);
    let out = run(&all);
    (out.status.code().unwrap(), json_of(&out))
}

#[test]
fn rules_list_show_status() {
    let out = run(&["rules", "list"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "EO-13942",
        "EO-13943",
        "EO-13971",
        "EO-14034",
        "PAFACA-2024",
        "marland-v-trump",
        "15-CFR-791.4",
    ] {
        assert!(text.contains(id), "{id} missing from rules list");
    }
    let out = run(&["rules", "show", "EO-13971"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("86 FR 1249"));
    assert_eq!(run(&["rules", "show", "EO-99999"]).status.code(), Some(2));

    let out = run(&["rules", "status", "--as-of", "2021-02-20", "--json"]);
    let v = json_of(&out);
    let eo = v["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["order"] == "EO-13971")
        .unwrap();
    assert_eq!(eo["status"], "in_force");
    assert_eq!(eo["implemented"], false);
    let out = run(&["rules", "status", "--as-of", "2021-06-09"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("EO-13971") && l.contains("revoked")),
        "{text}"
    );
    assert_eq!(
        run(&["rules", "status", "--as-of", "2021-13-01"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn rules_check_reports_file_line_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[[entity]]\nid = \"x\"\nname = \"X\"\ncountry = \"CN\"\nparents = [{ id = \"ghost\", percent = 10.0 }]\nverification = \"verified\"\n",
    )
    .unwrap();
    let out = run(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("bad.toml:5: entity[x].parents: unknown parent entity \"ghost\""),
        "{text}"
    );
    std::fs::write(
        dir.path().join("bad.toml"),
        "[[entity]]\nid = \"x\"\nname = \"X\"\ncountry = \"CN\"\nverification = \"verified\"\n",
    )
    .unwrap();
    assert_eq!(
        run(&["rules", "check", dir.path().to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn eo13971_effective_but_not_implemented_goes_to_review_and_says_so() {
    let (code, v) = screen_json(&[
        "--package",
        "com.eg.android.AlipayGphone",
        "--as-of",
        "2021-02-20",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["decision"], "review");
    assert_eq!(v["as_of"], "2021-02-20");
    let m = &v["matches"][0];
    assert_eq!(m["id"], "alipay");
    assert_eq!(m["field"], "package");
    assert_eq!(m["score"], 1.0);
    assert_eq!(m["orders"][0]["id"], "EO-13971");
    assert_eq!(m["orders"][0]["status"], "in_force");
    assert_eq!(m["orders"][0]["implemented"], false);
    assert!(
        v["reasons"][0]
            .as_str()
            .unwrap()
            .contains("not yet implemented"),
        "{v}"
    );
    // before it took effect, and after revocation: allowed, with the status named
    let (code, v) = screen_json(&[
        "--package",
        "com.eg.android.AlipayGphone",
        "--as-of",
        "2021-02-18",
    ]);
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")));
    assert_eq!(v["matches"][0]["orders"][0]["status"], "not_yet_effective");
    let (code, v) = screen_json(&["--name", "支付宝", "--as-of", "2021-06-09"]);
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")));
    assert_eq!(v["matches"][0]["orders"][0]["status"], "revoked");
    assert_eq!(v["matches"][0]["orders"][0]["decided_by"]["by"], "EO-14034");
    // --pending allow: allowed, still saying why
    let (code, v) = screen_json(&[
        "--name",
        "Zhi Fu Bao",
        "--as-of",
        "2021-03-01",
        "--pending",
        "allow",
    ]);
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")));
    assert_eq!(v["matches"][0]["id"], "alipay");
}

#[test]
fn tiktok_and_wechat_court_dates() {
    let (code, v) = screen_json(&[
        "--app",
        "TikTok",
        "--kind",
        "app_store_distribution",
        "--as-of",
        "2020-09-27",
    ]);
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")));
    let orders = v["matches"][0]["orders"].as_array().unwrap();
    let eo = orders.iter().find(|o| o["id"] == "EO-13942").unwrap();
    assert_eq!(eo["status"], "enjoined");
    assert_eq!(eo["decided_by"]["by"], "tiktok-v-trump");
    let (_, v) = screen_json(&[
        "--app",
        "WeChat",
        "--kind",
        "payments",
        "--as-of",
        "2020-09-19",
    ]);
    assert_eq!(v["matches"][0]["orders"][0]["status"], "not_yet_effective");
    let (_, v) = screen_json(&[
        "--app",
        "WeChat",
        "--kind",
        "payments",
        "--as-of",
        "2020-09-20",
    ]);
    assert_eq!(v["matches"][0]["orders"][0]["status"], "enjoined");
}

#[test]
fn pafaca_blocks_then_enforcement_suspended() {
    let (code, v) = screen_json(&[
        "--name",
        "ByteDance Ltd.",
        "--kind",
        "app_store_distribution",
        "--as-of",
        "2025-01-19",
    ]);
    assert_eq!((code, v["decision"].as_str()), (1, Some("block")), "{v}");
    let (code, v) = screen_json(&[
        "--name",
        "ByteDance Ltd.",
        "--kind",
        "app_store_distribution",
        "--as-of",
        "2025-02-01",
    ]);
    assert_eq!((code, v["decision"].as_str()), (1, Some("review")), "{v}");
    let pafaca = v["matches"][0]["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "PAFACA-2024")
        .unwrap()
        .clone();
    assert_eq!(pafaca["status"], "in_force");
    assert_eq!(pafaca["enforcement_suspended"]["by"], "EO-14166");
    // a kind the act does not prohibit
    let (code, v) = screen_json(&[
        "--name",
        "ByteDance Ltd.",
        "--kind",
        "payments",
        "--as-of",
        "2025-01-19",
    ]);
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")), "{v}");
}

#[test]
fn ownership_chain_reaches_a_covered_entity() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("counterparties.toml"),
        "[[entity]]\nid = \"widget-pay\"\nname = \"Shenzhen Widget Payments Co., Ltd.\"\ncountry = \"CN\"\nparents = [{ id = \"tenpay\", percent = 60.0 }]\nverification = \"verified\"\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, v) = screen_json(&[
        "--rules",
        d,
        "--name",
        "Shenzhen Widget Payments",
        "--as-of",
        "2021-03-01",
    ]);
    assert_eq!((code, v["decision"].as_str()), (1, Some("review")), "{v}");
    let m = &v["matches"][0];
    assert_eq!(m["id"], "widget-pay");
    // Tencent (covered by EO 13971 with its subsidiaries) holds 60% through Tenpay
    assert_eq!(m["ownership"][0]["owner"], "tencent");
    assert_eq!(m["ownership"][0]["percent"], 60.0);
    assert_eq!(
        m["ownership"][0]["chains"][0]["chain"],
        serde_json::json!(["widget-pay", "tenpay", "tencent"])
    );
    assert!(m["orders"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"] == "EO-13971"));
    let (code, v) = screen_json(&[
        "--rules",
        d,
        "--name",
        "Shenzhen Widget Payments",
        "--as-of",
        "2021-03-01",
        "--ownership-threshold",
        "75",
    ]);
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")), "{v}");
}

#[test]
fn transaction_json_and_errors() {
    let (code, v) = screen_json(&[
        "--transaction",
        r#"{"id":"tx-1","app":"微信","kind":"payments","as_of":"2020-09-20"}"#,
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["id"], "tx-1");
    assert_eq!(v["matches"][0]["id"], "wechat");
    let out = run(&["screen", "--transaction", r#"{"nmae":"x"}"#]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nmae"));
    let out = run(&["screen", "--name", "Alipay", "--as-of", "2021-02-30"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["screen", "--name", "Alipay", "--kind", "bribery"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown transaction kind"));
    assert_eq!(run(&["screen"]).status.code(), Some(2));
}

#[test]
fn sdn_list_match_blocks() {
    let sdn = shared("lists/sdn_2024-05-03.csv");
    let (code, v) = screen_json(&[
        "--list",
        sdn.to_str().unwrap(),
        "--name",
        "Banco Nacional de Cuba",
        "--as-of",
        "2024-06-01",
    ]);
    assert_eq!((code, v["decision"].as_str()), (1, Some("block")), "{v}");
    assert_eq!(v["matches"][0]["orders"][0]["id"], "OFAC-SDN");
    assert_eq!(v["matches"][0]["orders"][0]["status"], "in_force");
}

#[test]
fn batch_keeps_good_rows_and_reports_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id,counterparty,package,as_of,kind\n\
         a,Tencent Holdings Ltd,,2021-03-01,\n\
         b,Acme Widgets Inc,,2021-03-01,\n\
         c,Alipay,,2021-02-30,\n\
         d,too,many,fields,here,!\n\
         e,,com.zhiliaoapp.musically,2025-01-19,app_store_distribution\n\
         f,Alipay,,2021-03-01,bribery\n",
    )
    .unwrap();
    let output = dir.path().join("out.jsonl");
    let out = run(&[
        "screen",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--column",
        "name=counterparty",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "bad rows make the run an error: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(
        (lines[0]["line"].as_u64(), lines[0]["decision"].as_str()),
        (Some(2), Some("review"))
    );
    assert_eq!(lines[1]["decision"], "allow");
    assert_eq!(lines[2]["line"], 4);
    assert!(lines[2]["error"].as_str().unwrap().contains("2021-02-30"));
    assert_eq!(lines[3]["line"], 5);
    assert!(lines[3]["error"].as_str().unwrap().contains("fields"));
    assert_eq!(
        (lines[4]["id"].as_str(), lines[4]["decision"].as_str()),
        (Some("e"), Some("block"))
    );
    assert_eq!(lines[5]["line"], 7);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 bad rows"), "{stderr}");

    // an unknown mapped column is an error naming the header
    let out = run(&[
        "screen",
        "--input",
        input.to_str().unwrap(),
        "--column",
        "name=company",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column \"company\""));
}

#[test]
fn batch_csv_output_and_jsonl_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{\"id\":\"1\",\"name\":\"字节跳动\",\"as_of\":\"2020-11-13\"}\nnot json\n{\"id\":\"3\",\"name\":\"John Smith\"}\n").unwrap();
    let output = dir.path().join("out.csv");
    let out = run(&[
        "screen",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--as-of",
        "2021-03-01",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let mut rdr = csv::Reader::from_path(&output).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][4], "bytedance");
    assert_eq!(&rows[0][3], "2020-11-13");
    assert_eq!(&rows[1][0], "2");
    assert!(rows[1][11].contains("invalid JSON"));
    assert_eq!(&rows[2][2], "allow");
    // every screened row names the pack and the horizon of its facts
    let header = rdr.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (version, through) = (at("pack_version"), at("facts_checked_through"));
    assert!(rows[0][version].starts_with("20"), "{:?}", &rows[0]);
    assert_eq!(rows[0][version].replace('.', "-"), rows[0][through]);
    assert_eq!(&rows[1][version], "", "a bad row has no pack");
}

#[test]
fn batch_csv_carries_the_horizon_warning_past_the_packs_facts() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,app,as_of\n1,WeChat,2030-01-01\n").unwrap();
    let output = dir.path().join("out.csv");
    run(&[
        "screen",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    let mut rdr = csv::Reader::from_path(&output).unwrap();
    let header = rdr.headers().unwrap().clone();
    let row = rdr.records().next().unwrap().unwrap();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(row[at("warnings")].contains("checked through"), "{row:?}");
    assert_eq!(
        &row[at("decision")],
        "review",
        "a covered app past the horizon"
    );
}

#[test]
fn batch_rejects_a_huge_line_without_losing_earlier_rows() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let mut text = String::from("{\"name\":\"Tencent\"}\n{\"name\":\"");
    text.push_str(&"x".repeat(3 * 1024 * 1024));
    text.push_str("\"}\n");
    std::fs::write(&input, text).unwrap();
    let output = dir.path().join("out.jsonl");
    let out = run(&[
        "screen",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":2:"), "names the line: {stderr}");
    // the good row before it is kept, beside the output where it cannot pass for a whole run
    assert!(!output.exists());
    let partial = dir.path().join("out.jsonl.partial");
    assert!(stderr.contains("out.jsonl.partial"), "{stderr}");
    let kept = std::fs::read_to_string(&partial).unwrap();
    assert_eq!(kept.lines().count(), 1, "the good row before it is kept");
}

#[test]
fn evaluation_set_meets_the_floor() {
    let out = run(&["eval", "--min", "0.98"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let all = text.lines().find(|l| l.starts_with("ALL")).unwrap();
    let n: usize = all.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(n >= 300, "at least 300 labelled queries, got {n}");
}

#[test]
fn pair_evaluation_reports_f1_per_category() {
    let pairs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../eval/pairs.jsonl");
    let out = run(&["eval", "--pairs", pairs, "--split", "all"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let all = text.lines().find(|l| l.starts_with("ALL")).unwrap();
    let n: usize = all.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(n >= 2000, "at least 2,000 labelled pairs, got {n}");
    for category in [
        "negative",
        "transliteration",
        "legal_form",
        "extra_tokens",
        "typos",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(category)),
            "{category}: {text}"
        );
    }
    // the test half as measured on 2026-12-06 (linkable F1 0.598): a floor against regressions,
    // far from the 0.90 the issue asks for (see docs/matching.md)
    let out = run(&["eval", "--pairs", pairs, "--min", "0.55"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // and a floor above what it reaches is reported as a failure
    let out = run(&["eval", "--pairs", pairs, "--min", "0.99"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn apk_info_manifest_and_directories() {
    let apk = shared("corpus/apk/tests/com.politedroid_4.apk");
    let out = run(&["apk", "info", "--json", apk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(v["package"], "com.politedroid");
    assert_eq!(v["version_code"], 4);
    assert_eq!(v["min_sdk"], 3);
    assert!(v["target_sdk"].is_null());
    let perms: Vec<&str> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(perms.contains(&"android.permission.READ_CALENDAR"));
    assert!(perms.windows(2).all(|w| w[0] < w[1]), "sorted");

    let out = run(&["apk", "manifest", apk.to_str().unwrap()]);
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.contains("package=\"com.politedroid\"")
            && xml
                .contains("<uses-permission android:name=\"android.permission.READ_CALENDAR\" />"),
        "{xml}"
    );

    // a directory: one JSON line per APK, broken ones with an error, exit 2 when any failed
    let out = run(&[
        "apk",
        "info",
        shared("corpus/apk/android").to_str().unwrap(),
    ]);
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 6, "{}", lines.len());
    assert!(lines.iter().all(|l| l["file"].is_string()));

    // not an APK: a clear error and exit 2
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("x.apk");
    std::fs::write(&bogus, b"PK\x03\x04 but not really").unwrap();
    let out = run(&["apk", "info", bogus.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a ZIP archive"));
}

#[test]
fn apk_info_code_and_no_verify() {
    // a v2-signed APK over the mmap threshold, with its DEX read whole
    let apk = shared("corpus/apk/tests/com.example.android.tvleanback.apk");
    let path = apk.to_str().unwrap();
    let v = json_of(&run(&["apk", "info", "--json", "--code", path]));
    assert_eq!(v["schemes"]["v1"], true);
    assert_eq!(v["schemes"]["v2"], true);
    let signer = &v["signers"][0];
    assert_eq!(signer["sha256"].as_str().unwrap().len(), 64);
    assert!(signer["subject"].as_str().unwrap().contains("CN="));
    let dex = &v["code"][0];
    assert_eq!(dex["name"], "classes.dex");
    let classes = run(&["apk", "classes", path]);
    let listed = String::from_utf8_lossy(&classes.stdout).lines().count() as u64;
    assert_eq!(dex["classes"].as_u64(), Some(listed));
    assert!(dex["strings"].as_u64().unwrap() > 1000);

    // without verification: the same signers, no verdicts
    let quick = json_of(&run(&["apk", "info", "--json", "--no-verify", path]));
    assert!(quick["schemes"].is_null());
    assert_eq!(quick["signers"][0]["sha256"], signer["sha256"]);
    assert_eq!(quick["package"], v["package"]);
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_not_by_signal() {
    // `ictguard … | head`: the reader goes away before anything is written. SIGPIPE is ignored
    // (Rust's runtime start does it), so the write fails with EPIPE and the run ends with status 0
    // and nothing on stderr.
    use std::process::Stdio;
    let corpus = shared("corpus/apk/signing/apksig");
    for args in [
        &["rules", "list"][..],
        &["vet", corpus.to_str().unwrap(), "--format", "json"],
    ] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ictguard runs");
        drop(child.stdout.take()); // the read end closes before the first write
        let out = child.wait_with_output().expect("ictguard ends");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(out.status.signal(), None, "{args:?} was killed by a signal");
        }
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_server_started_without_standard_error_holds_dev_null_there() {
    // started with descriptor 2 closed, the server's database file or a client's socket would
    // take it, and every message meant for standard error would be written there; Rust's runtime
    // start opens /dev/null on closed standard descriptors first
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let mut cmd = bin();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(&db)
        .stdout(Stdio::piped());
    // SAFETY: close(2) is async-signal-safe
    unsafe {
        cmd.pre_exec(|| {
            libc::close(2);
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("ictguard serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let fd2 = std::fs::read_link(format!("/proc/{}/fd/2", child.id()));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(line.starts_with("listening on "), "{line}");
    assert_eq!(fd2.unwrap(), Path::new("/dev/null"));
}

#[cfg(target_os = "linux")]
#[test]
fn the_binary_is_a_position_independent_executable() {
    // ELF type at offset 16: ET_DYN (3) for a PIE, whose code is placed at a random address like
    // the libraries'; ET_EXEC (2) for a fixed-address executable. Debug and release link alike.
    let elf = std::fs::read(env!("CARGO_BIN_EXE_ictguard")).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF");
    assert_eq!(
        u16::from_le_bytes([elf[16], elf[17]]),
        3,
        "not ET_DYN: not PIE"
    );
}

/// A CSV saved with Windows line ends (as Excel writes it) names the same lines as one with `\n`:
/// the bad row is line 3 in both, not the header's line 2.
#[test]
fn windows_line_ends_keep_line_numbers_right() {
    let dir = tempfile::tempdir().unwrap();
    for (name, end) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
        let input = dir.path().join(name);
        let text = [
            "id,name,as_of",
            "r1,Alice,2026-01-01",
            "r2,Bob,2026-02-30",
            "r3,Carol,2026-01-01",
            "",
        ]
        .join(end);
        std::fs::write(&input, text).unwrap();
        let output = dir.path().join(format!("{name}.jsonl"));
        let out = run(&[
            "screen",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{name}:3: invalid date")),
            "{name}: {stderr}"
        );
        let lines: Vec<Value> = std::fs::read_to_string(&output)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let numbers: Vec<i64> = lines.iter().map(|l| l["line"].as_i64().unwrap()).collect();
        assert_eq!(numbers, [2, 3, 4], "{name}");
        // the rejected row keeps its id
        assert_eq!(lines[1]["id"], "r2", "{name}");
    }
}

/// `--exit-zero` turns "something was flagged" into 0 for a single query too, as the help says.
#[test]
fn exit_zero_holds_for_a_single_query() {
    let args = [
        "screen",
        "--name",
        "Tencent Holdings",
        "--kind",
        "defense_procurement",
        "--as-of",
        "2026-07-01",
    ];
    assert_eq!(run(&args).status.code(), Some(1));
    let mut relaxed = args.to_vec();
    relaxed.push("--exit-zero");
    assert_eq!(run(&relaxed).status.code(), Some(0));
}

/// A batch that stops on a fatal error leaves no output file behind, and an earlier file of the
/// same name stays as it was; a batch that succeeds replaces it whole.
#[test]
fn output_files_are_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.jsonl");
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "counterparty\nAlice\n").unwrap();
    // no column to screen: fatal before any row
    let out = run(&[
        "screen",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!output.exists(), "a header-only or empty file was left");
    std::fs::write(&output, "earlier results\n").unwrap();
    let out = run(&[
        "screen",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "earlier results\n"
    );
    // mapped, it succeeds and replaces the file
    let out = run(&[
        "screen",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--column",
        "name=counterparty",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&output)
        .unwrap()
        .contains("\"decision\":\"allow\""));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".ictguard-"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}
