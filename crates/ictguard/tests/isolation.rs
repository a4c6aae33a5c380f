//! The server under hostile uploads: every APK of the hostile corpus (`ictguard_apk::hostile`,
//! each built to exhaust an analyser) is vetted in a worker process with resource limits while a
//! client screens without pause; every screening is answered, `/healthz` holds, the audit trail
//! stays intact, and a vetting that was cut off leaves no record. Also the limits themselves: a
//! full queue answered 503 before the body is read, a deadline that kills the worker, a client
//! that sends no headers disconnected, a cap on open connections.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{key, start_with};
use serde_json::{json, Value};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// Upload an APK: (status, headers' audit sequence, JSON body).
fn upload(url: &str, key: &str, bytes: &[u8]) -> (u16, Option<String>, Value) {
    let mut resp = agent()
        .post(format!("{url}/v1/vet?as_of=2026-11-25"))
        .header("authorization", &format!("Bearer {key}"))
        .header("content-type", "application/vnd.android.package-archive")
        .send(bytes)
        .expect("the server answers");
    let seq = resp
        .headers()
        .get("x-audit-seq")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let status = resp.status().as_u16();
    (
        status,
        seq,
        resp.body_mut().read_json().unwrap_or(Value::Null),
    )
}

/// A real, cleanly signed APK built for the tests.
fn clean_apk() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../ictguard-apk/tests/built/apk/clean.apk"),
    )
    .unwrap()
}

/// The vet records of the trail.
fn vet_records(url: &str, admin: &str) -> Vec<Value> {
    let mut resp = agent()
        .get(format!("{url}/v1/audit?kind=vet&limit=1000"))
        .header("authorization", &format!("Bearer {admin}"))
        .call()
        .unwrap();
    let page: Value = resp.body_mut().read_json().unwrap();
    page["records"].as_array().cloned().unwrap_or_default()
}

/// The ids of this server's live vetting workers.
fn workers_of(server: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // the parent's pid is the 4th field, after the command in parentheses
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if parent == Some(server) && cmdline.windows(10).any(|w| w == b"vet-worker") {
            out.push(pid);
        }
    }
    out
}

fn hostile_uploads_while_screening(db: &str) {
    let screen = key(db, "screen");
    let admin = key(db, "admin");
    let (mut server, url) = start_with(
        db,
        &[
            "--vet-workers",
            "2",
            "--vet-queue",
            "8",
            "--vet-memory",
            "1024",
            "--vet-cpu",
            "20",
            "--vet-timeout",
            "60",
        ],
    );
    let corpus = ictguard_apk::hostile::corpus();
    let stop = AtomicBool::new(false);
    let (answered, failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let mut outcomes = Vec::new();
    std::thread::scope(|scope| {
        // a client screening without pause, and a health check, all through the uploads
        scope.spawn(|| {
            let query =
                json!({ "package": "com.zhiliaoapp.musically", "as_of": "2026-03-01" }).to_string();
            while !stop.load(Ordering::Relaxed) {
                let ok = agent()
                    .post(format!("{url}/v1/screen"))
                    .header("authorization", &format!("Bearer {screen}"))
                    .header("content-type", "application/json")
                    .send(&query)
                    .is_ok_and(|r| r.status() == 200);
                let healthy = agent()
                    .get(format!("{url}/healthz"))
                    .call()
                    .is_ok_and(|r| r.status() == 200);
                if ok && healthy {
                    answered.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let uploads: Vec<_> = corpus
            .iter()
            .map(|h| {
                let (url, screen) = (&url, &screen);
                scope.spawn(move || (h.name, upload(url, screen, &h.bytes)))
            })
            .collect();
        for u in uploads {
            outcomes.push(u.join().unwrap());
        }
        stop.store(true, Ordering::Relaxed);
    });
    let mut recorded = 0;
    for (name, (status, seq, body)) in &outcomes {
        eprintln!(
            "{name}: {status} {}",
            body["error"]["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{} {}", body["risk"], body["recommendation"]))
        );
        match status {
            // vetted: recorded, and the attack is in the report
            200 => {
                assert!(seq.is_some(), "{name}: no audit sequence");
                assert_ne!(body["recommendation"], "allow", "{name}: {body}");
                recorded += 1;
            }
            // not an APK, or stopped at the worker's limits or the deadline: nothing recorded
            422 | 504 => assert!(seq.is_none(), "{name}"),
            other => panic!("{name}: status {other}: {body}"),
        }
    }
    assert!(recorded > 0, "no hostile APK was vetted to the end");
    assert!(answered.load(Ordering::Relaxed) > 0);
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "screenings or health checks failed during the uploads"
    );
    // one record per vetting answered 200, none for the others; the chain is intact
    assert_eq!(vet_records(&url, &admin).len(), recorded);
    assert!(
        workers_of(server.id()).is_empty(),
        "a worker outlived its vetting"
    );
    server.kill().unwrap();
    server.wait().unwrap();
    common::assert_trail_intact(db);
}

fn a_deadline_kills_the_worker_and_records_nothing(db: &str) {
    let screen = key(db, "screen");
    let admin = key(db, "admin");
    // a deadline shorter than the slowest of the corpus takes (thirty bombs read up to the
    // archive's budget: half a second and more)
    let (mut server, url) = start_with(db, &["--vet-timeout", "0.2", "--vet-workers", "1"]);
    let bombs = ictguard_apk::hostile::corpus()
        .into_iter()
        .find(|h| h.name == "many-bombs")
        .unwrap();
    let (status, seq, body) = upload(&url, &screen, &bombs.bytes);
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["error"]["code"], "timeout");
    assert!(seq.is_none());
    // the worker is gone, and nothing reached the trail, then or later
    let gone = Instant::now();
    while !workers_of(server.id()).is_empty() && gone.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        workers_of(server.id()).is_empty(),
        "the worker was not killed"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(vet_records(&url, &admin).is_empty());
    server.kill().unwrap();
    server.wait().unwrap();
}

fn a_worker_at_its_memory_limit_is_stopped_and_records_nothing(db: &str) {
    let screen = key(db, "screen");
    let admin = key(db, "admin");
    // the thirty bombs need about 120 MiB; the worker may have 64 MiB of address space
    let (mut server, url) = start_with(db, &["--vet-memory", "64"]);
    let bombs = ictguard_apk::hostile::corpus()
        .into_iter()
        .find(|h| h.name == "many-bombs")
        .unwrap();
    let (status, seq, body) = upload(&url, &screen, &bombs.bytes);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "vetting_stopped", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("memory limit of 64 MiB"),
        "{body}"
    );
    assert!(seq.is_none());
    assert!(vet_records(&url, &admin).is_empty());
    // the server goes on: a real APK is vetted and recorded
    let clean = clean_apk();
    let (status, seq, body) = upload(&url, &screen, &clean);
    assert_eq!(status, 200, "{body}");
    assert!(seq.is_some());
    assert_eq!(vet_records(&url, &admin).len(), 1);
    server.kill().unwrap();
    server.wait().unwrap();
}

fn a_full_queue_is_refused_before_the_body_is_read(db: &str) {
    let screen = key(db, "screen");
    let (mut server, url) = start_with(db, &["--vet-workers", "1", "--vet-queue", "0"]);
    let addr = url.trim_start_matches("http://").to_string();
    // an upload declaring 100 MB, of which it sends nothing: it holds the one place from the
    // moment its key is accepted
    let head = |stream: &mut TcpStream| {
        write!(
            stream,
            "POST /v1/vet HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {screen}\r\nContent-Length: 100000000\r\n\r\n"
        )
        .unwrap();
    };
    let mut first = TcpStream::connect(&addr).unwrap();
    head(&mut first);
    std::thread::sleep(Duration::from_millis(500));
    // a second is refused at once, before any of its body is read
    let mut second = TcpStream::connect(&addr).unwrap();
    head(&mut second);
    second
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = second.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]).to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: "), "{answer}");
    assert!(answer.contains("\"busy\""), "{answer}");
    // once the first goes away its place is free again
    drop(first);
    std::thread::sleep(Duration::from_millis(300));
    let clean = clean_apk();
    let (status, _, body) = upload(&url, &screen, &clean);
    assert_eq!(status, 200, "{body}");
    server.kill().unwrap();
    server.wait().unwrap();
}

fn silent_clients_are_disconnected_and_connections_capped(db: &str) {
    let (mut server, url) = start_with(db, &["--header-timeout", "2", "--max-connections", "2"]);
    let addr = url.trim_start_matches("http://").to_string();
    // two connections that send nothing take both places
    let idle: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    // a third is accepted only once one of them is let go, at the header timeout
    let started = Instant::now();
    let mut third = TcpStream::connect(&addr).unwrap();
    write!(
        third,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    third.read_to_string(&mut answer).unwrap();
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        waited >= Duration::from_millis(1200),
        "answered after {waited:?}, while both places were taken"
    );
    // and the silent ones were closed by the server
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap_or(0);
        assert!(
            n == 0 || String::from_utf8_lossy(&buf[..n]).contains("408"),
            "a silent connection stayed open"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

on_every_backend!(
    hostile_uploads_while_screening,
    a_deadline_kills_the_worker_and_records_nothing,
    a_worker_at_its_memory_limit_is_stopped_and_records_nothing,
    a_full_queue_is_refused_before_the_body_is_read,
    silent_clients_are_disconnected_and_connections_capped,
);
