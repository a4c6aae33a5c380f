//! `lists update`, `lists status` and `screen --stored-lists` end to end: the binary fetching
//! from a real HTTP publisher on loopback into a real database, then screening against what it
//! stored, every answer naming the snapshot.

// the shared test support; this file uses only its list helper
#[allow(dead_code, unused_imports)]
mod common;

use std::process::{Command, Output};

use ictguard_feeds::testing::Publisher;
use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ictguard"))
        .args(args)
        .output()
        .expect("ictguard runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn lists_are_fetched_stored_shown_and_screened_against() {
    let publisher = Publisher::start();
    publisher.put("ofac-sdn/SDN.CSV", common::shared_list("ofac2021_sdn.csv"));
    publisher.put("ofac-sdn/ALT.CSV", common::shared_list("ofac2021_alt.csv"));
    publisher.put("ofac-sdn/ADD.CSV", common::shared_list("ofac2021_add.csv"));
    publisher.fail("bis-dpl/dpl.txt", 500);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ictguard.db");
    let db = db.to_str().unwrap();
    let update = |extra: &[&str]| {
        let mut args = vec![
            "lists",
            "update",
            "--database",
            db,
            "--mirror",
            &publisher.base,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };

    // a watched party, screened when added: no list yet, nothing to report
    let watch = dir.path().join("watch.csv");
    std::fs::write(
        &watch,
        "id,name\nw1,Banco Nacional de Cuba\nw2,Northwind Traders\n",
    )
    .unwrap();
    let out = run(&[
        "watch",
        "add",
        "--database",
        db,
        watch.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added = json(&out);
    assert_eq!(added["added"], 2);
    assert_eq!(added["rescreen"]["new_hits"].as_array().unwrap().len(), 0);

    // the DPL failing is said, exits 1, and does not stop the SDN
    let out = update(&["--source", "ofac-sdn", "--source", "bis-dpl", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer = json(&out);
    let reports = &answer["sources"];
    assert_eq!(reports[0]["outcome"], "new", "{reports}");
    assert_eq!(reports[1]["outcome"], "failed", "{reports}");
    assert!(reports[1]["message"].as_str().unwrap().contains("HTTP 500"));
    let snapshot = reports[0]["snapshot"].as_i64().unwrap();
    // the new snapshot names the watched bank: a new hit, with a review case
    let hits = answer["rescreen"]["new_hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{answer}");
    assert_eq!(hits[0]["subject"], "Banco Nacional de Cuba");
    assert_eq!(hits[0]["after"], "block");
    let mut store = ictguard_store::open(db).unwrap();
    let cases = store
        .list_cases(Some(ictguard_store::CaseStatus::Open), 10)
        .unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].subject, "Banco Nacional de Cuba");
    let listed =
        String::from_utf8_lossy(&run(&["watch", "list", "--database", db]).stdout).to_string();
    assert!(
        listed.contains("block   Banco Nacional de Cuba"),
        "{listed}"
    );

    // again: nothing new, exit 0
    let out = update(&["--source", "ofac-sdn"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unchanged"));

    // status: the snapshot in use and the last attempt of each source
    let out = run(&["lists", "status", "--database", db, "--json"]);
    let status = json(&out);
    assert_eq!(status["snapshots"][0]["id"], snapshot);
    assert_eq!(status["snapshots"][0]["source"], "ofac-sdn");
    let attempts = status["attempts"].as_array().unwrap();
    let dpl = attempts.iter().find(|a| a["source"] == "bis-dpl").unwrap();
    assert_eq!(dpl["outcome"], "failed");
    let text =
        String::from_utf8_lossy(&run(&["lists", "status", "--database", db]).stdout).to_string();
    assert!(
        text.contains("bis-dpl") && text.contains("in use: none"),
        "{text}"
    );

    // screening against the stored snapshot names it
    let out = run(&[
        "screen",
        "--stored-lists",
        db,
        "--name",
        "Banco Nacional de Cuba",
        "--as-of",
        "2026-12-05",
        "--json",
    ]);
    let r = json(&out);
    assert_eq!(r["decision"], "block", "{r}");
    let files = r["lists"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[0]["fetched"]["snapshot"], snapshot);
    assert_eq!(
        files[0]["fetched"]["url"],
        format!("{}/ofac-sdn/SDN.CSV", publisher.base)
    );

    // pinned to the stored snapshot by its id, the same; an id not stored is an error (exit 2)
    let pinned = snapshot.to_string();
    let screen_pinned = |id: &str| {
        run(&[
            "screen",
            "--stored-lists",
            db,
            "--snapshot",
            id,
            "--name",
            "Banco Nacional de Cuba",
            "--as-of",
            "2026-12-05",
            "--json",
        ])
    };
    let r = json(&screen_pinned(&pinned));
    assert_eq!(r["lists"][0]["fetched"]["snapshot"], snapshot, "{r}");
    let out = screen_pinned("99999");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no list snapshot 99999"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // a mistyped database is an error, not a new empty one
    let missing = dir.path().join("typo.db");
    let out = run(&["lists", "status", "--database", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists());
    let out = run(&["audit", "verify", "--database", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists());
}
