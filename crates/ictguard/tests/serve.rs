//! `ictguard serve` on loopback, spoken to over HTTP: keys and roles, the screening contract,
//! errors in one shape, the audit trail, and durability when the server is killed mid-batch. Each
//! test runs on every backend: an SQLite file, and a PostgreSQL database when
//! `ICTGUARD_TEST_POSTGRES` names a server (see `common`).

mod common;

use common::{bin, key, start};

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

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

/// POST a request head declaring `len` bytes of body without sending them; the status and JSON
/// body of the answer.
fn oversized(url: &str, key: &str, len: usize) -> (u16, Value) {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /v1/screen HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    stream.write_all(b"{").unwrap();
    // read until the answer's JSON has arrived (the server may keep the connection open, waiting
    // for a body that never comes)
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut answer = String::new();
    let mut buf = [0u8; 4096];
    while !answer.contains("}}") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    let status: u16 = answer.split(' ').nth(1).unwrap().parse().unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    // a chunked body: take the JSON object out of it
    let json = body
        .find('{')
        .and_then(|a| body.rfind('}').map(|b| &body[a..=b]))
        .unwrap_or("null");
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

fn screening_keys_roles_errors_and_audit(db: &str) {
    let screen_key = key(db, "screen");
    let admin_key = key(db, "admin");
    let (mut server, url) = start(db);

    assert_eq!(get(&format!("{url}/healthz"), None).0, 200);

    // no key, a wrong key: refused in the one error shape
    // app-store distribution of TikTok on the day the 2024 act took effect, before any delay
    let query = json!({ "package": "com.zhiliaoapp.musically", "kind": "app_store_distribution", "as_of": "2025-01-19" }).to_string();
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
            "--kind",
            "app_store_distribution",
            "--as-of",
            "2025-01-19",
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
    // oversized: the server answers from the declared length, before the body (a client that
    // kept writing would see the connection closed), so send only the head here
    let (status, body) = oversized(&url, &screen_key, 2 << 20);
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
    assert_eq!(get(&format!("{url}/metrics"), None).0, 401);
    let (_, metrics) = get(&format!("{url}/metrics"), Some(&screen_key));
    assert!(
        metrics.contains("ictguard_screenings_total{decision=\"block\"} 1"),
        "{metrics}"
    );

    // the auth scheme in any case, as HTTP auth schemes are matched
    let lower = agent()
        .post(&format!("{url}/v1/screen"))
        .header("authorization", &format!("bearer {screen_key}"))
        .header("content-type", "application/json")
        .send(query.as_str())
        .unwrap();
    assert_eq!(lower.status().as_u16(), 200);

    // keys are listed without their secrets, and a revoked key stops working at once
    let id = screen_key.split('_').nth(1).unwrap();
    let listed = bin()
        .args(["keys", "list", "--database", db, "--json"])
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.contains(&format!("\"id\":\"{id}\"")), "{listed}");
    assert!(!listed.contains(&screen_key), "no secret is shown");
    assert!(bin()
        .args(["keys", "revoke", id, "--database", db])
        .status()
        .unwrap()
        .success());
    let listed = bin()
        .args(["keys", "list", "--database", db, "--json"])
        .output()
        .unwrap();
    let revoked: Vec<serde_json::Value> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|k: &serde_json::Value| k["id"] == id)
        .collect();
    assert!(revoked[0]["revoked"].is_string(), "{revoked:?}");
    assert_eq!(
        post(&format!("{url}/v1/screen"), Some(&screen_key), &query).0,
        401
    );

    server.kill().unwrap();
    let _ = server.wait();
    common::assert_trail_intact(db);
}

fn every_acknowledged_decision_survives_sigkill(db: &str) {
    let k = key(db, "screen");
    let (mut server, url) = start(db);
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
    let mut store = ictguard_store::open(db).unwrap();
    let check = store.verify().unwrap();
    let ictguard_store::ChainCheck::Intact { records } = check else {
        panic!("chain broken: {check:?}");
    };
    let max_acked = *acked.iter().max().unwrap();
    assert!(
        records >= max_acked,
        "acknowledged {max_acked} but {records} in the trail"
    );
    for seq in &acked {
        let found = store
            .query(&ictguard_store::AuditQuery {
                after: Some(seq - 1),
                limit: Some(1),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            found.first().map(|r| r.seq),
            Some(*seq),
            "acknowledged record {seq} is missing"
        );
    }
}

fn batch_screening_and_apk_vetting_over_http(db: &str) {
    let k = key(db, "screen");
    let admin = key(db, "admin");
    let (mut server, url) = start(db);

    // a batch: answers in order, a bad line answered with its number, good lines audited
    let batch = "{\"name\":\"Tencent Holdings Ltd.\",\"as_of\":\"2021-03-01\"}\n{\"colour\":\"red\"}\n{\"package\":\"com.tencent.mm\",\"as_of\":\"2026-03-01\"}\n";
    let mut resp = agent()
        .post(&format!("{url}/v1/screen/batch"))
        .header("authorization", &format!("Bearer {k}"))
        .send(batch)
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.body_mut().read_to_string().unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["decision"], "review");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["decision"], "allow");

    // an APK upload: the vetting report, audited
    let apk = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ictguard-apk/tests/built/apk/refs.apk"),
    )
    .unwrap();
    let mut resp = agent()
        .post(&format!("{url}/v1/vet?as_of=2026-11-25"))
        .header("authorization", &format!("Bearer {k}"))
        .header("content-type", "application/vnd.android.package-archive")
        .send(&apk[..])
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let report: Value = resp.body_mut().read_json().unwrap();
    assert_eq!(report["package"], "com.example.refs");
    assert_eq!(report["recommendation"], "restrict");
    let mut resp = agent()
        .post(&format!("{url}/v1/vet?format=sarif"))
        .header("authorization", &format!("Bearer {k}"))
        .send(&apk[..])
        .unwrap();
    let sarif: Value = resp.body_mut().read_json().unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // the HTML rendering carries text from the APK: served sandboxed, with no scripts
    let resp = agent()
        .post(&format!("{url}/v1/vet?format=html"))
        .header("authorization", &format!("Bearer {k}"))
        .send(&apk[..])
        .unwrap();
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    // the same APK as a multipart form, with the date as a part
    let boundary = "ictguard-test-boundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"as_of\"\r\n\r\n2021-03-01\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"apk\"; filename=\"refs.apk\"\r\n\
         Content-Type: application/vnd.android.package-archive\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&apk);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut resp = agent()
        .post(&format!("{url}/v1/vet"))
        .header("authorization", &format!("Bearer {k}"))
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .send(&form[..])
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let from_form: Value = resp.body_mut().read_json().unwrap();
    assert_eq!(
        (from_form["package"].as_str(), from_form["as_of"].as_str()),
        (Some("com.example.refs"), Some("2021-03-01"))
    );
    assert_eq!(from_form["sha256"], report["sha256"]);
    let (status, body) = post(&format!("{url}/v1/vet"), Some(&k), "not an apk");
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("not_an_apk"))
    );

    let (_, text) = get(&format!("{url}/v1/audit?kind=vet"), Some(&admin));
    let audit: Value = serde_json::from_str(&text).unwrap();
    let records = audit["records"].as_array().unwrap();
    assert_eq!(records.len(), 4);
    assert_eq!(records[0]["subject"], "com.example.refs");
    assert_eq!(records[0]["decision"], "restrict");
    let (_, text) = get(&format!("{url}/v1/audit?kind=screen"), Some(&admin));
    let audit: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(audit["records"].as_array().unwrap().len(), 2);
    server.kill().unwrap();
    let _ = server.wait();
}

fn review_results_open_cases_that_reviewers_resolve(db: &str) {
    let k = key(db, "screen");
    let admin = key(db, "admin");
    let (mut server, url) = start(db);
    // a review-band screening opens a case; an allow does not
    let review = json!({ "name": "Tencent Holdings Ltd.", "as_of": "2021-03-01" }).to_string();
    assert_eq!(
        post(&format!("{url}/v1/screen"), Some(&k), &review).1["decision"],
        "review"
    );
    let allow = json!({ "name": "Northwind Traders LLC" }).to_string();
    assert_eq!(
        post(&format!("{url}/v1/screen"), Some(&k), &allow).1["decision"],
        "allow"
    );

    assert_eq!(get(&format!("{url}/v1/cases"), Some(&k)).0, 403);
    let (status, text) = get(&format!("{url}/v1/cases?status=open"), Some(&admin));
    assert_eq!(status, 200);
    let cases: Value = serde_json::from_str(&text).unwrap();
    let cases = cases["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["subject"], "Tencent Holdings Ltd.");
    let id = cases[0]["id"].as_i64().unwrap();

    let resolve = format!("{url}/v1/cases/{id}/resolve");
    let body = json!({ "decision": "allow", "reason": "EO 13971 not implemented; no identified transaction" }).to_string();
    assert_eq!(post(&resolve, Some(&k), &body).0, 403);
    let (status, answer) = post(&resolve, Some(&admin), &body);
    assert_eq!((status, answer["status"].as_str()), (200, Some("resolved")));
    let (status, answer) = post(&resolve, Some(&admin), &body);
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (409, Some("already_resolved"))
    );
    let (status, _) = post(&format!("{url}/v1/cases/999/resolve"), Some(&admin), &body);
    assert_eq!(status, 404);
    let (status, answer) = post(&resolve, Some(&admin), r#"{"decision":"allow"}"#);
    assert_eq!(status, 422, "{answer}");

    let (_, text) = get(&format!("{url}/v1/audit?kind=case"), Some(&admin));
    let audit: Value = serde_json::from_str(&text).unwrap();
    let records = audit["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["decision"], "allow");
    assert_eq!(records[0]["body"]["case"], id);
    server.kill().unwrap();
    let _ = server.wait();
    let verify = bin()
        .args(["audit", "verify", "--database", db])
        .output()
        .unwrap();
    assert!(verify.status.success());
}

/// Read from `r` until `n` newline-terminated lines of the chunked body have arrived; returns them.
fn read_answer_lines(r: &mut impl std::io::Read, seen: &mut Vec<u8>, n: usize) -> Vec<Value> {
    let mut buf = [0u8; 4096];
    loop {
        // the JSON lines inside the chunked framing: every line that parses as JSON
        let lines: Vec<Value> = String::from_utf8_lossy(seen)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v.is_object())
            .collect();
        if lines.len() >= n {
            return lines;
        }
        let got = r.read(&mut buf).unwrap();
        assert!(
            got > 0,
            "the server closed the stream after {} lines",
            lines.len()
        );
        seen.extend_from_slice(&buf[..got]);
    }
}

fn batch_answers_stream_before_the_body_ends_and_each_answer_is_audited(db: &str) {
    use std::io::Write;
    let k = key(db, "screen");
    let admin = key(db, "admin");
    let (mut server, url) = start(db);
    let addr = url.strip_prefix("http://").unwrap();
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        conn,
        "POST /v1/screen/batch HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {k}\r\n\
         Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    let chunk = |conn: &mut std::net::TcpStream, text: &str| {
        write!(conn, "{:x}\r\n{text}\r\n", text.len()).unwrap();
        conn.flush().unwrap();
    };
    // two lines, the second split across chunks: only the first is complete
    chunk(
        &mut conn,
        "{\"name\":\"Alipay\",\"as_of\":\"2021-02-20\"}\n{\"package\":\"com.tencent",
    );
    let mut seen = Vec::new();
    let first = read_answer_lines(&mut conn, &mut seen, 1);
    // EO 13971 was in force but never implemented: a review
    assert_eq!(first[0]["decision"], "review", "{first:?}");
    // answered before the body ended, and already in the trail
    let (_, text) = get(&format!("{url}/v1/audit?kind=screen"), Some(&admin));
    let audit: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(audit["records"].as_array().unwrap().len(), 1);
    // the rest of the split line, a bad line, and a blank one; then the end of the body
    chunk(&mut conn, ".mm\",\"as_of\":\"2026-03-01\"}\nnot json\n\n");
    conn.write_all(b"0\r\n\r\n").unwrap();
    let all = read_answer_lines(&mut conn, &mut seen, 3);
    assert_eq!(all[1]["decision"], "allow", "{all:?}");
    assert_eq!(
        (all[2]["line"].as_u64(), all[2]["error"].is_string()),
        (Some(3), true)
    );
    let (_, text) = get(&format!("{url}/v1/audit?kind=screen"), Some(&admin));
    let audit: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(audit["records"].as_array().unwrap().len(), 2);
    // batch decisions are counted like single ones
    let (_, metrics) = get(&format!("{url}/metrics"), Some(&admin));
    assert!(
        metrics.contains("ictguard_screenings_total{decision=\"review\"} 1")
            && metrics.contains("ictguard_screenings_total{decision=\"allow\"} 1"),
        "{metrics}"
    );
    // a line over its limit (64 KiB) ends the stream with an error line, in the one shape
    let mut long = String::from("{\"name\":\"");
    long.push_str(&"x".repeat(70 << 10));
    long.push_str("\"}\n");
    let mut resp = agent()
        .post(&format!("{url}/v1/screen/batch"))
        .header("authorization", &format!("Bearer {k}"))
        .send(format!("{{\"name\":\"Acme\"}}\n{long}").as_str())
        .unwrap();
    let text = resp.body_mut().read_to_string().unwrap();
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["error"]["code"], "line_too_long", "{text}");
    server.kill().unwrap();
    let _ = server.wait();
}

/// The OpenAPI document, and which of its operations real answers have been checked against.
struct Contract {
    doc: Value,
    checked: std::collections::BTreeSet<(String, String)>,
}

/// Make every object schema that lists its properties refuse others, so that an answer with a
/// field the document does not describe fails validation.
fn strict(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(strict);
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}

impl Contract {
    fn fetch(url: &str) -> Contract {
        let (status, text) = get(&format!("{url}/openapi.json"), None);
        assert_eq!(status, 200);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        Contract {
            doc,
            checked: Default::default(),
        }
    }

    /// Check one real answer against what the document says `method template` answers with
    /// `status` and `content_type`.
    fn check(&mut self, method: &str, template: &str, status: u16, content_type: &str, body: &str) {
        let op = &self.doc["paths"][template][method];
        assert!(op.is_object(), "{method} {template} is not in the document");
        let response = &op["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{method} {template} answered {status}, which the document does not list"
        );
        let media = content_type.split(';').next().unwrap().trim();
        let schema = &response["content"][media]["schema"];
        assert!(
            schema.is_object(),
            "{method} {template} {status} answered {media}, which the document does not list"
        );
        let mut root = schema.clone();
        let mut components = self.doc["components"].clone();
        strict(&mut components);
        strict(&mut root);
        root["components"] = components;
        root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        let validator = jsonschema::validator_for(&root).expect("the document's schema compiles");
        let instances: Vec<Value> = match media {
            "application/x-ndjson" => {
                for line in body.lines() {
                    serde_json::from_str::<Value>(line).expect("every line is JSON");
                }
                vec![Value::String(body.to_string())]
            }
            m if m.ends_with("json") => vec![serde_json::from_str(body).unwrap()],
            _ => vec![Value::String(body.to_string())],
        };
        for instance in &instances {
            let errors: Vec<String> = validator
                .iter_errors(instance)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .take(5)
                .collect();
            assert!(
                errors.is_empty(),
                "{method} {template} {status}: the answer does not match the document: {errors:#?}"
            );
        }
        self.checked
            .insert((method.to_string(), template.to_string()));
    }

    /// Every operation the document lists was checked against a real answer.
    fn all_checked(&self) {
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                assert!(
                    self.checked.contains(&(method.clone(), path.clone())),
                    "{method} {path} is documented but was not exercised"
                );
            }
        }
    }
}

/// (status, content type, body)
fn call(method: &str, url: &str, key: Option<&str>, body: Option<&[u8]>) -> (u16, String, String) {
    let agent = agent();
    let auth = key.map(|k| format!("Bearer {k}"));
    let mut resp = match (method, body) {
        ("get", _) => {
            let mut req = agent.get(url);
            if let Some(a) = &auth {
                req = req.header("authorization", a);
            }
            req.call().unwrap()
        }
        (_, body) => {
            let mut req = agent.post(url).header("content-type", "application/json");
            if let Some(a) = &auth {
                req = req.header("authorization", a);
            }
            req.send(body.unwrap_or_default()).unwrap()
        }
    };
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        resp.status().as_u16(),
        ct,
        resp.body_mut().read_to_string().unwrap(),
    )
}

/// (method, documented path, concrete path, key, body, expected status)
type Call<'a> = (
    &'a str,
    &'a str,
    String,
    Option<&'a str>,
    Option<&'a [u8]>,
    u16,
);

fn every_answer_matches_the_openapi_document(db: &str) {
    let k = key(db, "screen");
    let admin = key(db, "admin");
    let (mut server, url) = start(db);
    let mut contract = Contract::fetch(&url);
    let apk = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ictguard-apk/tests/built/apk/refs.apk"),
    )
    .unwrap();
    let tiktok = br#"{"package":"com.zhiliaoapp.musically","as_of":"2026-03-01"}"#;
    let review = br#"{"name":"Tencent Holdings Ltd.","as_of":"2021-03-01"}"#;
    let batch = b"{\"name\":\"Alipay\"}\n{\"colour\":\"red\"}\n";
    let requests: Vec<Call> = vec![
        ("get", "/healthz", "/healthz".into(), None, None, 200),
        ("get", "/metrics", "/metrics".into(), Some(&k), None, 200),
        ("get", "/metrics", "/metrics".into(), None, None, 401),
        (
            "get",
            "/openapi.json",
            "/openapi.json".into(),
            None,
            None,
            200,
        ),
        (
            "post",
            "/v1/screen",
            "/v1/screen".into(),
            Some(&k),
            Some(tiktok),
            200,
        ),
        (
            "post",
            "/v1/screen",
            "/v1/screen".into(),
            Some(&k),
            Some(review),
            200,
        ),
        (
            "post",
            "/v1/screen",
            "/v1/screen".into(),
            None,
            Some(tiktok),
            401,
        ),
        (
            "post",
            "/v1/screen",
            "/v1/screen".into(),
            Some(&k),
            Some(b"{x"),
            400,
        ),
        (
            "post",
            "/v1/screen",
            "/v1/screen".into(),
            Some(&k),
            Some(b"{\"colour\":1}"),
            422,
        ),
        (
            "post",
            "/v1/screen/batch",
            "/v1/screen/batch".into(),
            Some(&k),
            Some(batch),
            200,
        ),
        (
            "post",
            "/v1/screen/batch",
            "/v1/screen/batch".into(),
            None,
            Some(batch),
            401,
        ),
        (
            "post",
            "/v1/vet",
            "/v1/vet?as_of=2026-11-25".into(),
            Some(&k),
            Some(&apk),
            200,
        ),
        (
            "post",
            "/v1/vet",
            "/v1/vet?format=html".into(),
            Some(&k),
            Some(&apk),
            200,
        ),
        (
            "post",
            "/v1/vet",
            "/v1/vet?format=sarif".into(),
            Some(&k),
            Some(&apk),
            200,
        ),
        (
            "post",
            "/v1/vet",
            "/v1/vet".into(),
            Some(&k),
            Some(b"not an apk"),
            422,
        ),
        ("get", "/v1/rules", "/v1/rules".into(), Some(&k), None, 200),
        ("get", "/v1/rules", "/v1/rules".into(), None, None, 401),
        ("get", "/v1/lists", "/v1/lists".into(), Some(&k), None, 200),
        ("get", "/v1/lists", "/v1/lists".into(), None, None, 401),
        (
            "get",
            "/v1/rules/{id}",
            "/v1/rules/EO-13971".into(),
            Some(&k),
            None,
            200,
        ),
        (
            "get",
            "/v1/rules/{id}",
            "/v1/rules/NOPE".into(),
            Some(&k),
            None,
            404,
        ),
        (
            "get",
            "/v1/rules/status",
            "/v1/rules/status?as_of=2021-03-01".into(),
            Some(&k),
            None,
            200,
        ),
        (
            "get",
            "/v1/rules/status",
            "/v1/rules/status?as_of=soon".into(),
            Some(&k),
            None,
            422,
        ),
        (
            "get",
            "/v1/audit",
            "/v1/audit?kind=screen&limit=5".into(),
            Some(&admin),
            None,
            200,
        ),
        ("get", "/v1/audit", "/v1/audit".into(), Some(&k), None, 403),
        (
            "get",
            "/v1/cases",
            "/v1/cases?status=open".into(),
            Some(&admin),
            None,
            200,
        ),
        ("get", "/v1/cases", "/v1/cases".into(), Some(&k), None, 403),
        (
            "post",
            "/v1/cases/{id}/resolve",
            "/v1/cases/1/resolve".into(),
            Some(&admin),
            Some(br#"{"decision":"allow","reason":" "}"#),
            422,
        ),
        (
            "post",
            "/v1/cases/{id}/resolve",
            "/v1/cases/1/resolve".into(),
            Some(&admin),
            Some(br#"{"decision":"allow","reason":"a different company"}"#),
            200,
        ),
        (
            "post",
            "/v1/cases/{id}/resolve",
            "/v1/cases/1/resolve".into(),
            Some(&admin),
            Some(br#"{"decision":"block","reason":"again"}"#),
            409,
        ),
        (
            "post",
            "/v1/cases/{id}/resolve",
            "/v1/cases/999/resolve".into(),
            Some(&admin),
            Some(br#"{"decision":"block","reason":"x"}"#),
            404,
        ),
        (
            "post",
            "/v1/cases/{id}/resolve",
            "/v1/cases/1/resolve".into(),
            Some(&admin),
            Some(b"{"),
            400,
        ),
        (
            "post",
            "/v1/cases/{id}/resolve",
            "/v1/cases/1/resolve".into(),
            Some(&k),
            Some(br#"{"decision":"allow","reason":"r"}"#),
            403,
        ),
        (
            "post",
            "/v1/watch",
            "/v1/watch".into(),
            Some(&admin),
            Some(br#"{"subjects":[{"name":"Tencent Holdings"},{"name":"Northwind"}]}"#),
            200,
        ),
        (
            "post",
            "/v1/watch",
            "/v1/watch".into(),
            Some(&admin),
            Some(br#"{"subjects":[]}"#),
            422,
        ),
        (
            "post",
            "/v1/watch",
            "/v1/watch".into(),
            Some(&admin),
            Some(b"{"),
            400,
        ),
        (
            "post",
            "/v1/watch",
            "/v1/watch".into(),
            Some(&k),
            Some(br#"{"subjects":[{"name":"x"}]}"#),
            403,
        ),
        (
            "get",
            "/v1/watch",
            "/v1/watch?limit=1".into(),
            Some(&admin),
            None,
            200,
        ),
        ("get", "/v1/watch", "/v1/watch".into(), Some(&k), None, 403),
    ];
    for (method, template, path, key, body, expected) in requests {
        let (status, ct, text) = call(method, &format!("{url}{path}"), key, body);
        assert_eq!(status, expected, "{method} {path}: {text}");
        contract.check(method, template, status, &ct, &text);
    }
    // an oversized body is refused from its declared length, in the documented shape
    let (status, body) = oversized(&url, &k, 2 << 20);
    contract.check(
        "post",
        "/v1/screen",
        status,
        "application/json",
        &body.to_string(),
    );
    contract.all_checked();
    server.kill().unwrap();
    let _ = server.wait();
}

/// Two servers on one database (replicas behind a balancer): every answer has its own record, and
/// the trail is one chain.
fn two_servers_on_one_database_keep_one_chain(db: &str) {
    let k = key(db, "screen");
    let servers = [start(db), start(db)];
    let clients: Vec<_> = (0..4)
        .map(|t| {
            let (url, k) = (servers[t % 2].1.clone(), k.clone());
            std::thread::spawn(move || {
                let agent = agent();
                (0..50)
                    .map(|i| {
                        let body = json!({ "name": format!("Replica {t} party {i}") }).to_string();
                        let r = agent
                            .post(&format!("{url}/v1/screen"))
                            .header("authorization", &format!("Bearer {k}"))
                            .header("content-type", "application/json")
                            .send(&body)
                            .unwrap();
                        assert_eq!(r.status().as_u16(), 200);
                        r.headers()["x-audit-seq"]
                            .to_str()
                            .unwrap()
                            .parse::<i64>()
                            .unwrap()
                    })
                    .collect::<Vec<i64>>()
            })
        })
        .collect();
    let mut seqs: Vec<i64> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    seqs.sort();
    seqs.dedup();
    assert_eq!(seqs.len(), 200, "two answers share a record");
    for (mut server, _) in servers {
        server.kill().unwrap();
        let _ = server.wait();
    }
    let check = ictguard_store::open(db).unwrap().verify().unwrap();
    assert_eq!(
        check,
        ictguard_store::ChainCheck::Intact {
            records: *seqs.last().unwrap()
        }
    );
}

on_every_backend!(
    screening_keys_roles_errors_and_audit,
    every_acknowledged_decision_survives_sigkill,
    batch_screening_and_apk_vetting_over_http,
    review_results_open_cases_that_reviewers_resolve,
    two_servers_on_one_database_keep_one_chain,
    batch_answers_stream_before_the_body_ends_and_each_answer_is_audited,
    every_answer_matches_the_openapi_document,
);
