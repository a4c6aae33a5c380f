//! `ictguard flows` end to end: the JSON Lines contract, CSV and JSON Lines input, bad rows,
//! date order, exit codes.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ictguard"))
        .args(args)
        .output()
        .expect("ictguard runs")
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data-transfers.csv")
        .display()
        .to_string()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn json_lines_per_transfer_then_per_counterparty() {
    let out = run(&["flows", &example(), "--json"]);
    assert_eq!(out.status.code(), Some(2), "bad rows make the run exit 2");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 17") && err.contains("line 18"), "{err}");
    let all = lines(&out);
    let transfers: Vec<&Value> = all
        .iter()
        .filter(|v| v.get("classification").is_some())
        .collect();
    let summaries: Vec<&Value> = all.iter().filter(|v| v["summary"] == true).collect();
    assert_eq!(transfers.len(), 15);
    assert_eq!(summaries.len(), 11);
    for t in &transfers {
        for field in [
            "line",
            "counterparty",
            "classification",
            "reasons",
            "recommendation",
        ] {
            assert!(t.get(field).is_some(), "{field} missing in {t}");
        }
    }
    let at = |line: u64| transfers.iter().find(|t| t["line"] == line).unwrap();
    assert_eq!(at(2)["classification"], "not_covered", "before 2025-04-08");
    assert_eq!(at(4)["classification"], "prohibited");
    assert_eq!(at(4)["section"], "202.301");
    assert_eq!(at(7)["classification"], "restricted");
    assert_eq!(at(8)["concern"]["basis"], "covered_person");
    assert_eq!(at(11)["classification"], "exempt");
    assert_eq!(at(13)["section"], "202.303");
    let totals = all.last().unwrap();
    assert_eq!(
        (totals["transfers"].as_u64(), totals["bad_rows"].as_u64()),
        (Some(15), Some(2))
    );
}

#[test]
fn jsonl_input_csv_output_and_order() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("t.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"date":"2025-06-01","counterparty":"Shenzhen Data Co.","counterparty_country":"CN","kind":"data_brokerage","categories":["biometric"],"us_persons":1001,"government_related":false}"#,
            "\n",
            r#"{"date":"2025-06-02","counterparty":"Berlin Hosting GmbH","counterparty_country":"DE","kind":"vendor","categories":"health","us_persons":"7"}"#,
            "\n"
        ),
    )
    .unwrap();
    let out = run(&["flows", input.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a prohibited transfer flags the run"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = text.lines();
    assert!(rows.next().unwrap().starts_with("line,date,counterparty"));
    assert!(rows.next().unwrap().contains(",prohibited,202.301,"));
    assert!(rows.next().unwrap().contains(",not_covered,"));
    // out of date order: audited in date order, each with its own line
    let late = tmp.path().join("late.csv");
    std::fs::write(
        &late,
        "date,counterparty,counterparty_country,kind,categories,us_persons\n2025-06-02,A,DE,vendor,health,1\n2025-06-01,B,DE,vendor,health,1\n",
    )
    .unwrap();
    let out = run(&["flows", late.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let audited = lines(&out);
    assert_eq!(
        (audited[0]["line"].as_u64(), audited[1]["line"].as_u64()),
        (Some(3), Some(2))
    );
    // an unknown column is a clear error
    let odd = tmp.path().join("odd.csv");
    std::fs::write(&odd, "date,who\n2025-06-02,A\n").unwrap();
    let out = run(&["flows", odd.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown column"));
}

#[test]
fn html_report_has_the_volume_charts() {
    let out = run(&["flows", &example(), "--format", "html"]);
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches("<svg").count(),
        4,
        "country, category, month and category, month"
    );
    assert!(html.contains("Pacific Rim Data Pte. Ltd.") && html.contains("202.303"));
    assert!(html.contains("Rows skipped"));
    assert!(!html.contains("<script") && !html.contains("<link"));
}

/// A file whose header lacks the columns `flows` needs stops the run with no report file left.
#[test]
fn a_fatal_error_leaves_no_report_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.csv");
    std::fs::write(&input, "who,when\nA,2025-01-01\n").unwrap();
    let report = dir.path().join("report.jsonl");
    let out = run(&[
        "flows",
        input.to_str().unwrap(),
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!report.exists());
    // the example has bad rows (exit 2) but the run completes: the report is written
    let out = run(&["flows", &example(), "--output", report.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("transfers audited"), "{stderr}");
    assert!(std::fs::metadata(&report).unwrap().len() > 0);
}

/// Exports are rarely sorted: the example log with its rows scrambled gives every transfer the
/// classification it gets in the sorted log, and the same summaries and totals (issue 16: rows
/// out of order were dropped, and a prohibited transfer went unseen with them).
#[test]
fn an_unsorted_log_is_audited_whole_as_the_sorted_one() {
    let text = std::fs::read_to_string(example()).unwrap();
    let mut rows: Vec<&str> = text.lines().collect();
    let header = rows.remove(0);
    // a fixed scramble: every other row reversed to the end
    let even = rows.iter().step_by(2);
    let odd: Vec<&&str> = rows.iter().skip(1).step_by(2).collect();
    let scrambled: Vec<&str> = even.chain(odd.into_iter().rev()).copied().collect();
    let tmp = tempfile::tempdir().unwrap();
    let unsorted = tmp.path().join("unsorted.csv");
    std::fs::write(&unsorted, format!("{header}\n{}\n", scrambled.join("\n"))).unwrap();
    // a transfer's identity (date, counterparty, volume) and what the audit made of it
    let audit = |path: &str| -> (Vec<String>, Vec<Value>, Value) {
        let all = lines(&run(&["flows", path, "--json"]));
        let mut transfers: Vec<String> = all
            .iter()
            .filter(|v| v.get("classification").is_some())
            .map(|v| {
                format!(
                    "{} {} {} {} {}",
                    v["date"],
                    v["counterparty"],
                    v["us_persons"],
                    v["classification"],
                    v["section"]
                )
            })
            .collect();
        transfers.sort();
        let summaries: Vec<Value> = all
            .iter()
            .filter(|v| v["summary"] == true)
            .cloned()
            .collect();
        (transfers, summaries, all.last().unwrap().clone())
    };
    let (a, b) = (audit(unsorted.to_str().unwrap()), audit(&example()));
    assert_eq!(a.0.len(), 15, "every readable transfer audited");
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert_eq!(a.2, b.2, "the same totals");
    assert_eq!(a.2["by_classification"]["prohibited"], 4);
}

/// A report that lists the first flagged transfers says how many there are in all and where the
/// rest are, in text and in HTML.
#[test]
fn the_report_says_how_many_flagged_transfers_it_leaves_out() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("many.csv");
    let mut text =
        String::from("date,counterparty,counterparty_country,kind,categories,us_persons\n");
    let start = chrono::NaiveDate::from_ymd_opt(2025, 5, 1).unwrap();
    for d in 0..45 {
        text.push_str(&format!(
            "{},Shenzhen Data Co.,CN,data_brokerage,precise_geolocation,5000\n",
            start + chrono::Days::new(d)
        ));
    }
    std::fs::write(&input, text).unwrap();
    let out = run(&["flows", input.to_str().unwrap(), "--exit-zero"]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("(45 in all; the first 40 below, 5 more with --format json"),
        "{report}"
    );
    let out = run(&[
        "flows",
        input.to_str().unwrap(),
        "--format",
        "html",
        "--exit-zero",
    ]);
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(
        html.contains("transfers (45)") && html.contains("the other 5 are in"),
        "{html}"
    );
}
