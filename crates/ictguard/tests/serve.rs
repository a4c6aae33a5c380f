//! `ictguard serve` on loopback, spoken to over HTTP: keys and roles, the screening contract,
//! errors in one shape, the audit trail, and durability when the server is killed mid-batch.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ictguard"))
}

/// Start the server on a free port; returns the child and its base URL.
fn start(db: &Path) -> (Child, String) {
    let mut child = bin()
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("address line")
        .to_string();
    (child, url)
}

fn key(db: &Path, role: &str) -> String {
    let out = bin()
        .args(["keys", "create", "--role", role, "--database"])
        .arg(db)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// (status, JSON body)
fn post(url: &str, key: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = agent().post(url).header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("authorization", &format!("Bearer {k}"));
    }
    let mut resp = req.send(body).unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_json().unwrap_or(Value::Null))
}

fn get(url: &str, key: Option<&str>) -> (u16, String) {
    let mut req = agent().get(url);
    if let Some(k) = key {
        req = req.header("authorization", &format!("Bearer {k}"));
    }
    let mut resp = req.call().unwrap();
    (
        resp.status().as_u16(),
        resp.body_mut().read_to_string().unwrap(),
    )
}

#[test]
fn screening_keys_roles_errors_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ictguard.db");
    let screen_key = key(&db, "screen");
    let admin_key = key(&db, "admin");
    let (mut server, url) = start(&db);

    assert_eq!(get(&format!("{url}/healthz"), None).0, 200);

    // no key, a wrong key: refused in the one error shape
    let query = json!({ "package": "com.zhiliaoapp.musically", "as_of": "2026-03-01" }).to_string();
    let (status, body) = post(&format!("{url}/v1/screen"), None, &query);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = post(&format!("{url}/v1/screen"), Some("igk_nope_nope"), &query);
    assert_eq!(status, 401);

    // the answer is the CLI's
    let (status, body) = post(&format!("{url}/v1/screen"), Some(&screen_key), &query);
    assert_eq!(status, 200, "{body}");
    let cli = bin()
        .args([
            "screen",
            "--json",
            "--package",
            "com.zhiliaoapp.musically",
            "--as-of",
            "2026-03-01",
        ])
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(body, cli);
    assert_eq!(body["decision"], "block");

    // bad input: malformed, unknown field, oversized
    let (status, body) = post(&format!("{url}/v1/screen"), Some(&screen_key), "{not json");
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );
    let (status, body) = post(
        &format!("{url}/v1/screen"),
        Some(&screen_key),
        r#"{"colour":"red"}"#,
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_query"))
    );
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(2 << 20));
    let (status, body) = post(&format!("{url}/v1/screen"), Some(&screen_key), &big);
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "bad_request");

    // the audit trail: admins only
    assert_eq!(get(&format!("{url}/v1/audit"), Some(&screen_key)).0, 403);
    let (status, text) = get(&format!("{url}/v1/audit?decision=block"), Some(&admin_key));
    assert_eq!(status, 200);
    let audit: Value = serde_json::from_str(&text).unwrap();
    let records = audit["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["subject"], "com.zhiliaoapp.musically");
    assert_eq!(records[0]["body"]["decision"], "block");

    // rules and metrics
    let (status, text) = get(&format!("{url}/v1/rules/EO-13971"), Some(&screen_key));
    assert_eq!(status, 200);
    assert!(text.contains("86 FR 1249"));
    assert_eq!(
        get(&format!("{url}/v1/rules/NOPE"), Some(&screen_key)).0,
        404
    );
    let (_, text) = get(
        &format!("{url}/v1/rules/status?as_of=2021-03-01"),
        Some(&screen_key),
    );
    assert!(text.contains("EO-13971"));
    let (_, metrics) = get(&format!("{url}/metrics"), None);
    assert!(
        metrics.contains("ictguard_screenings_total{decision=\"block\"} 1"),
        "{metrics}"
    );

    // a revoked key stops working at once
    let id = screen_key.split('_').nth(1).unwrap();
    assert!(bin()
        .args(["keys", "revoke", id, "--database"])
        .arg(&db)
        .status()
        .unwrap()
        .success());
    assert_eq!(
        post(&format!("{url}/v1/screen"), Some(&screen_key), &query).0,
        401
    );

    server.kill().unwrap();
    let _ = server.wait();
    let verify = bin()
        .args(["audit", "verify", "--database"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn every_acknowledged_decision_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ictguard.db");
    let k = key(&db, "screen");
    let (mut server, url) = start(&db);
    let acked: Arc<Mutex<Vec<i64>>> = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|t| {
            let (url, k, acked, stop) = (url.clone(), k.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let agent = agent();
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let body = json!({ "name": format!("Client {t} party {i}") }).to_string();
                    let resp = agent
                        .post(&format!("{url}/v1/screen"))
                        .header("authorization", &format!("Bearer {k}"))
                        .header("content-type", "application/json")
                        .send(&body);
                    match resp {
                        Ok(r) if r.status().as_u16() == 200 => {
                            let seq: i64 = r.headers()["x-audit-seq"]
                                .to_str()
                                .unwrap()
                                .parse()
                                .unwrap();
                            acked.lock().unwrap().push(seq);
                        }
                        _ => break, // the server is gone
                    }
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 300 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SIGKILL: no chance to flush or shut down
    server.kill().unwrap();
    let _ = server.wait();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let conn = ictguard_store::open(&db).unwrap();
    let check = ictguard_store::verify(&conn).unwrap();
    let ictguard_store::ChainCheck::Intact { records } = check else {
        panic!("chain broken: {check:?}");
    };
    let max_acked = *acked.iter().max().unwrap();
    assert!(
        records >= max_acked,
        "acknowledged {max_acked} but {records} in the trail"
    );
    for seq in &acked {
        let found: i64 = conn
            .query_row("SELECT count(*) FROM audit WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(found, 1, "acknowledged record {seq} is missing");
    }
}
