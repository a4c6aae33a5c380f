//! `serve --refresh-lists`: the server fetches the lists from a real HTTP publisher on loopback,
//! screens against them, and swaps in a newer publication while a client screens without pause:
//! every request answered, every answer naming the snapshot it used. On every backend.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{key, start_with};
use ictguard_feeds::testing::Publisher;
use serde_json::Value;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn lists(url: &str, key: &str) -> Value {
    let mut resp = agent()
        .get(&format!("{url}/v1/lists"))
        .header("authorization", &format!("Bearer {key}"))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.body_mut().read_json().unwrap()
}

/// The snapshot version of the SDN file the server screens against, if any.
fn sdn_in_use(lists: &Value) -> Option<i64> {
    lists["files"]
        .as_array()?
        .iter()
        .find(|f| f["file"] == "SDN.CSV")?["fetched"]["snapshot"]
        .as_i64()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "waited a minute for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn the_server_keeps_its_lists_current(db: &str) {
    let publisher = Publisher::start();
    publisher.put("ofac-sdn/SDN.CSV", common::shared_list("ofac2021_sdn.csv"));
    publisher.put("ofac-sdn/ALT.CSV", common::shared_list("ofac2021_alt.csv"));
    publisher.put("ofac-sdn/ADD.CSV", common::shared_list("ofac2021_add.csv"));
    publisher.put("bis-dpl/dpl.txt", common::shared_list("ofac2021_dpl.txt"));
    let key = key(db, "screen");
    // a watched party: the first snapshot the server fetches names it
    let dir = tempfile::tempdir().unwrap();
    let watch = dir.path().join("watch.jsonl");
    std::fs::write(&watch, "{\"name\": \"Banco Nacional de Cuba\"}\n").unwrap();
    let added = common::bin()
        .args(["watch", "add", "--database", db, watch.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        added.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    // every 0.0005 h = 1.8 s
    let (mut child, url) = start_with(
        db,
        &[
            "--refresh-lists",
            "0.0005",
            "--list-mirror",
            &publisher.base,
        ],
    );
    wait_for("the first snapshot", || {
        sdn_in_use(&lists(&url, &key)).is_some()
    });
    let first = sdn_in_use(&lists(&url, &key)).unwrap();

    // a client screens without pause while a new publication is fetched and swapped in
    let stop = Arc::new(AtomicBool::new(false));
    let client = {
        let (url, key, stop) = (url.clone(), key.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let mut resp = agent()
                    .post(&format!("{url}/v1/screen"))
                    .header("authorization", &format!("Bearer {key}"))
                    .header("content-type", "application/json")
                    .send(r#"{"name": "Banco Nacional de Cuba", "as_of": "2026-12-05"}"#)
                    .unwrap();
                assert_eq!(resp.status().as_u16(), 200);
                let r: Value = resp.body_mut().read_json().unwrap();
                assert_eq!(r["decision"], "block", "{r}");
                seen.push(
                    r["lists"]
                        .as_array()
                        .and_then(|l| l.iter().find(|f| f["file"] == "SDN.CSV"))
                        .and_then(|f| f["fetched"]["snapshot"].as_i64()),
                );
            }
            seen
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    publisher.put(
        "ofac-sdn/SDN.CSV",
        common::shared_list("sdn_2024-05-03.csv"),
    );
    wait_for("the new snapshot", || {
        sdn_in_use(&lists(&url, &key)) > Some(first)
    });
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let seen = client.join().unwrap();
    let second = sdn_in_use(&lists(&url, &key)).unwrap();
    assert!(seen.len() > 10, "{} screenings", seen.len());
    assert_eq!(seen.first(), Some(&Some(first)));
    assert_eq!(seen.last(), Some(&Some(second)));
    assert!(
        seen.iter().all(|s| *s == Some(first) || *s == Some(second)),
        "{seen:?}"
    );

    // delta screening opened one case for the watched bank; every screening's audit record
    // names the snapshot it used
    let mut store = ictguard_store::open(db).unwrap();
    wait_for("the delta-screening case", || {
        !store
            .list_cases(Some(ictguard_store::CaseStatus::Open), 10)
            .unwrap()
            .is_empty()
    });
    let cases = store
        .list_cases(Some(ictguard_store::CaseStatus::Open), 10)
        .unwrap();
    assert_eq!(
        (cases.len(), cases[0].kind.as_str()),
        (1, "rescreen"),
        "{cases:?}"
    );
    let trail = store
        .query(&ictguard_store::AuditQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .unwrap();
    let screened: Vec<&ictguard_store::Record> =
        trail.iter().filter(|r| r.kind == "screen").collect();
    assert!(!screened.is_empty());
    for r in screened {
        let snapshot = r.body["lists"]
            .as_array()
            .and_then(|l| l.iter().find(|f| f["file"] == "SDN.CSV"))
            .and_then(|f| f["fetched"]["snapshot"].as_i64());
        assert!(
            snapshot == Some(first) || snapshot == Some(second),
            "{}",
            r.body
        );
    }

    // the sources the publisher lacks are failures, said in /v1/lists, the others in use
    let now = lists(&url, &key);
    let attempts = now["attempts"].as_array().unwrap();
    let csl = attempts.iter().find(|a| a["source"] == "csl").unwrap();
    assert_eq!(csl["outcome"], "failed");
    assert!(
        csl["message"].as_str().unwrap().contains("HTTP 404"),
        "{csl}"
    );
    let sources: Vec<&str> = now["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["bis-dpl", "ofac-sdn"]);
    child.kill().unwrap();
    let _ = child.wait();
}

/// Watched subjects added through the API (admins): screened at once against the lists in use,
/// a hit opening a review case, then listed with the decision each got.
fn subjects_are_watched_through_the_api(db: &str) {
    let dir = tempfile::tempdir().unwrap();
    let sdn = dir.path().join("sdn.csv");
    std::fs::write(&sdn, common::shared_list("ofac2021_sdn.csv")).unwrap();
    let admin = key(db, "admin");
    let screen = key(db, "screen");
    let (mut child, url) = start_with(db, &["--list", sdn.to_str().unwrap()]);
    let post = |key: &str, body: &str| {
        let mut resp = agent()
            .post(&format!("{url}/v1/watch"))
            .header("authorization", &format!("Bearer {key}"))
            .header("content-type", "application/json")
            .send(body)
            .unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.body_mut().read_json().unwrap();
        (status, body)
    };
    let (status, added) = post(
        &admin,
        r#"{"subjects": [{"name": "Banco Nacional de Cuba"}, {"name": "Northwind Traders"}]}"#,
    );
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["ids"].as_array().unwrap().len(), 2, "{added}");
    assert_eq!(added["checked"], 2);
    let hits = added["new_hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{added}");
    assert_eq!(hits[0]["subject"], "Banco Nacional de Cuba");
    assert_ne!(hits[0]["after"], "allow");

    // listed, each with its decision
    let mut resp = agent()
        .get(&format!("{url}/v1/watch"))
        .header("authorization", &format!("Bearer {admin}"))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let page: Value = resp.body_mut().read_json().unwrap();
    let subjects = page["subjects"].as_array().unwrap();
    assert_eq!(subjects.len(), 2, "{page}");
    assert_eq!(subjects[0]["decision"], hits[0]["after"]);
    assert_eq!(subjects[1]["decision"], "allow");

    // the hit has its review case
    let mut store = ictguard_store::open(db).unwrap();
    let cases = store
        .list_cases(Some(ictguard_store::CaseStatus::Open), 10)
        .unwrap();
    assert!(
        cases.iter().any(|c| c.subject == "Banco Nacional de Cuba"),
        "{cases:?}"
    );

    // only admins; nothing, too many or a subject that cannot screen is refused whole
    assert_eq!(post(&screen, r#"{"subjects": [{"name": "x"}]}"#).0, 403);
    assert_eq!(post(&admin, r#"{"subjects": []}"#).0, 422);
    let many = format!(
        "{{\"subjects\": [{}]}}",
        vec![r#"{"name": "x"}"#; 1001].join(",")
    );
    assert_eq!(post(&admin, &many).0, 422);
    let (status, _) = post(
        &admin,
        r#"{"subjects": [{"name": "Acme"}, {"name": "Acme", "as_of": "not a date"}]}"#,
    );
    assert_eq!(status, 422);
    assert_eq!(store.list_watched(0, 100).unwrap().len(), 2);
    child.kill().unwrap();
    let _ = child.wait();
    common::assert_trail_intact(db);
}

on_every_backend!(
    the_server_keeps_its_lists_current,
    subjects_are_watched_through_the_api
);
