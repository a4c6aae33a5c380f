//! The web UI of `ictguard serve`, against the real binary on loopback: refusals spoken to over
//! plain HTTP (no session, a revoked key, a screen key on admin pages, cross-site posts, hostile
//! input), and a person's work driven in headless Chromium over WebDriver (sign in, screen a name
//! that blocks and one that lands in review, upload an APK from the corpus, resolve the review's
//! case, read it in the audit trail, read EO 13971's timeline), with a screenshot of every step.
//! Each runs on SQLite and, when `ICTGUARD_TEST_POSTGRES` names a server, on PostgreSQL.

mod common;
mod webdriver;

use common::{bin, key};

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Child;

use serde_json::json;

/// The server, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start the server on a free loopback port.
fn start(db: &str) -> Server {
    let (child, url) = common::start(db);
    Server { child, url }
}

/// An agent that follows no redirects and treats no status as an error.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// An HTTP answer: status, `Location`, `Set-Cookie`, body.
struct Answer {
    status: u16,
    location: String,
    cookie: String,
    body: String,
}

fn answer(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut resp = resp.unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (location, cookie) = (header("location"), header("set-cookie"));
    Answer {
        status: resp.status().as_u16(),
        location,
        cookie,
        body: resp.body_mut().read_to_string().unwrap_or_default(),
    }
}

/// GET with an optional session cookie (`name=value`).
fn get(url: &str, cookie: Option<&str>) -> Answer {
    let mut req = agent().get(url);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    answer(req.call())
}

/// POST a form with an optional cookie and `Origin`.
fn post_form(
    url: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
    form: &[(&str, &str)],
) -> Answer {
    let mut req = agent().post(url);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    answer(req.send_form(form.iter().copied()))
}

/// Sign in over HTTP; the session cookie (`name=value`).
fn sign_in(url: &str, key: &str) -> String {
    let a = post_form(
        &format!("{url}/ui/signin"),
        None,
        Some(url),
        &[("key", key)],
    );
    assert_eq!((a.status, a.location.as_str()), (303, "/ui/"), "{}", a.body);
    assert!(
        a.cookie.contains("HttpOnly") && a.cookie.contains("SameSite=Strict"),
        "{}",
        a.cookie
    );
    a.cookie.split(';').next().unwrap().to_string()
}

/// POST a request head to `/ui/vet` declaring `len` bytes of body without sending them; the
/// status and the start of the answer.
fn declared_upload(url: &str, cookie: &str, len: usize) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /ui/vet HTTP/1.1\r\nHost: {addr}\r\nOrigin: {url}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut answer = String::new();
    let mut buf = [0u8; 4096];
    while !answer.contains("</html>") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

fn pages_refuse_without_a_valid_session_and_cross_site_posts(db: &str) {
    let screen_key = key(db, "screen");
    let admin_key = key(db, "admin");
    let server = start(db);
    let url = server.url.clone();

    // no cookie, or a made-up one: every page sends you to sign in
    for page in [
        "/ui/",
        "/ui/screen",
        "/ui/vet",
        "/ui/rules",
        "/ui/cases",
        "/ui/audit",
    ] {
        let a = get(&format!("{url}{page}"), None);
        assert_eq!(
            (a.status, a.location.as_str()),
            (303, "/ui/signin"),
            "{page}"
        );
        let a = get(&format!("{url}{page}"), Some("ictguard_session=forged"));
        assert_eq!(a.status, 303, "{page}");
        assert!(a.location.starts_with("/ui/signin"), "{page}");
    }
    assert_eq!(get(&format!("{url}/"), None).location, "/ui/");
    let a = get(&format!("{url}/ui/signin"), None);
    assert_eq!(a.status, 200);
    assert!(a.body.contains(r#"<label for="key""#) && a.body.contains(r#"lang="en""#));

    // a wrong key is refused on the sign-in form
    let a = post_form(
        &format!("{url}/ui/signin"),
        None,
        Some(&url),
        &[("key", "igk_nope_nope")],
    );
    assert_eq!(a.status, 401);
    assert!(a.body.contains("unknown or revoked"));

    // a screen key can screen but not open the admin pages, which say why
    let screen = sign_in(&url, &screen_key);
    assert_eq!(get(&format!("{url}/ui/screen"), Some(&screen)).status, 200);
    for page in ["/ui/cases", "/ui/audit", "/ui/audit/verify"] {
        let a = get(&format!("{url}{page}"), Some(&screen));
        assert_eq!(a.status, 403, "{page}");
        assert!(a.body.contains("admin key"), "{page}");
    }
    let a = post_form(
        &format!("{url}/ui/cases/1/resolve"),
        Some(&screen),
        Some(&url),
        &[("decision", "allow"), ("reason", "x")],
    );
    assert_eq!(a.status, 403);

    // a POST from another site, or with no origin at all, is refused even with a good cookie
    let screen_form = [("name", "ByteDance")];
    for origin in [Some("http://evil.example"), Some("null"), None] {
        let a = post_form(
            &format!("{url}/ui/screen"),
            Some(&screen),
            origin,
            &screen_form,
        );
        assert_eq!(a.status, 403, "{origin:?}");
        assert!(a.body.contains("cross-site"), "{origin:?}");
    }
    let a = post_form(
        &format!("{url}/ui/signin"),
        None,
        Some("http://evil.example"),
        &[("key", &admin_key)],
    );
    assert_eq!(a.status, 403);
    assert!(a.cookie.is_empty());

    // hostile input comes back escaped, and is still screened and audited
    let hostile = r#"<script>alert("x")</script> & <img src=x onerror=alert(1)>"#;
    let a = post_form(
        &format!("{url}/ui/screen"),
        Some(&screen),
        Some(&url),
        &[("name", hostile)],
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        !a.body.contains("<script>alert") && !a.body.contains("<img src=x"),
        "unescaped input"
    );
    assert!(a
        .body
        .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x"));
    assert!(a.body.contains(r#"id="audit-seq""#));
    // bad input is an error on the page, not a crash
    let a = post_form(
        &format!("{url}/ui/screen"),
        Some(&screen),
        Some(&url),
        &[("name", "")],
    );
    assert_eq!(a.status, 422);
    assert!(a.body.contains("nothing to screen"));
    let a = post_form(
        &format!("{url}/ui/screen"),
        Some(&screen),
        Some(&url),
        &[("name", "x"), ("as_of", "2026-02-30")],
    );
    assert_eq!(a.status, 422);

    // an upload that is not an APK is a clear error
    let boundary = "----ictguardtest";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"apk\"; filename=\"notes.apk\"\r\nContent-Type: application/octet-stream\r\n\r\nnot a zip\r\n--{boundary}--\r\n"
    );
    let resp = agent()
        .post(format!("{url}/ui/vet"))
        .header("cookie", &screen)
        .header("origin", &url)
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .send(body.as_bytes());
    let a = answer(resp);
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(
        a.body.contains("notes.apk could not be read as an APK"),
        "{}",
        a.body
    );

    // an upload declared larger than the limit is refused before any of it is read
    let (status, page) = declared_upload(&url, &screen, 600 << 20);
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("larger than the limit of 512 MiB"), "{page}");

    // signing out ends the session: the old cookie no longer works
    let a = post_form(&format!("{url}/ui/signout"), Some(&screen), Some(&url), &[]);
    assert_eq!((a.status, a.location.as_str()), (303, "/ui/signin"));
    assert!(a.cookie.contains("Max-Age=0"));
    assert_eq!(get(&format!("{url}/ui/screen"), Some(&screen)).status, 303);

    // a revoked key's session is refused at once
    let admin = sign_in(&url, &admin_key);
    assert_eq!(get(&format!("{url}/ui/audit"), Some(&admin)).status, 200);
    let id = admin_key.split('_').nth(1).unwrap();
    let out = bin()
        .args(["keys", "revoke", id, "--database"])
        .arg(db)
        .output()
        .unwrap();
    assert!(out.status.success());
    let a = get(&format!("{url}/ui/audit"), Some(&admin));
    assert_eq!(
        (a.status, a.location.as_str()),
        (303, "/ui/signin?why=refused")
    );
    assert!(a.cookie.contains("Max-Age=0"));
    // and the session is gone for good
    assert_eq!(
        get(&format!("{url}/ui/audit"), Some(&admin)).location,
        "/ui/signin?why=ended"
    );

    // the API is untouched: the UI's screenings are in the trail like the API's
    let checker = key(db, "admin");
    let mut resp = agent()
        .get(format!("{url}/v1/audit?kind=screen"))
        .header("authorization", &format!("Bearer {checker}"))
        .call()
        .unwrap();
    let trail: serde_json::Value = resp.body_mut().read_json().unwrap();
    let subjects: Vec<&str> = trail["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["subject"].as_str())
        .collect();
    assert_eq!(subjects, [hostile]);
}

/// Where the screenshots go: a folder per backend (the tests run side by side).
fn shots_dir(db: &str) -> PathBuf {
    let backend = if db.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("web-ui-screenshots")
        .join(backend);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Pixels of one colour (within a small tolerance), and the image's size and number of distinct
/// colours.
fn inspect(png_path: &Path, rgb: [u8; 3]) -> (usize, u32, u32, usize) {
    let decoder = png::Decoder::new(BufReader::new(std::fs::File::open(png_path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let n = pixels
        .clone()
        .filter(|p| p[..3].iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 6))
        .count();
    let distinct: std::collections::HashSet<&[u8]> = pixels.map(|p| &p[..3]).collect();
    (n, info.width, info.height, distinct.len())
}

/// The page header's colour, and the pixels of it in a screenshot of the top of a page.
const HEADER: ([u8; 3], usize) = ([0x16, 0x21, 0x3e], 20_000);

/// Save a screenshot and check it is a real picture of a page: a PNG of the window's size, not
/// blank, with at least so many pixels of each colour given.
fn shot(b: &webdriver::Browser, dir: &Path, name: &str, expect: &[([u8; 3], usize)]) {
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, b.screenshot()).unwrap();
    let (_, w, h, distinct) = inspect(&path, [0, 0, 0]);
    assert_eq!((w, h), (1280, 1000), "{}", path.display());
    assert!(
        distinct > 50,
        "{} looks blank ({distinct} colours)",
        path.display()
    );
    for (rgb, at_least) in expect {
        let (n, ..) = inspect(&path, *rgb);
        assert!(
            n >= *at_least,
            "{}: {n} pixels of {rgb:02x?}",
            path.display()
        );
    }
}

/// Fill a text field by its id.
fn fill(b: &webdriver::Browser, id: &str, text: &str) {
    b.type_into(&b.find(&format!("#{id}")), text);
}

/// Set a date field (typing into a date input depends on the browser's locale).
fn set_date(b: &webdriver::Browser, id: &str, date: &str) {
    b.script(
        "document.getElementById(arguments[0]).value = arguments[1];",
        json!([id, date]),
    );
}

fn corpus_apk() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/apk/android/TC/bin/TC-debug.apk");
    std::fs::canonicalize(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn a_reviewers_day_in_headless_chromium(db: &str) {
    let Some((chromium, chromedriver)) = webdriver::installed() else {
        return;
    };
    let shots = shots_dir(db);
    let screen_key = key(db, "screen");
    let admin_key = key(db, "admin");
    let sdn = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/lists/sdn_2024-05-03.csv"
    );
    let (child, url) = common::start_with(db, &["--list", sdn]);
    let server = Server { child, url };
    let url = server.url.clone();
    let b = webdriver::Browser::start(&chromium, &chromedriver, 1280, 1000);

    // sign in with a screen key
    b.goto(&format!("{url}/ui/"));
    assert!(b.url().ends_with("/ui/signin"), "{}", b.url());
    assert!(b.title().starts_with("Sign in"));
    shot(&b, &shots, "01-sign-in", &[HEADER]);
    fill(&b, "key", &screen_key);
    b.click(&b.find("main button[type=submit]"));
    b.wait_for("ul.tiles");
    assert!(b.url().ends_with("/ui/"), "{}", b.url());
    assert_eq!(
        b.count("ul.tiles li"),
        3,
        "a screen key sees no admin pages"
    );
    shot(&b, &shots, "02-home", &[HEADER]);

    // a name that blocks: the decision and its evidence
    b.click(&b.find("a[href='/ui/screen']"));
    b.wait_for("#name");
    fill(&b, "name", "Kaspersky Lab");
    set_date(&b, "as_of", "2024-10-01");
    b.click(&b.find("main form button[type=submit]"));
    assert_eq!(b.text(&b.wait_for("#decision")).to_lowercase(), "block");
    let matches = b.text_of("#matches");
    assert!(
        matches.contains("AO Kaspersky Lab") && matches.contains("1.000"),
        "{matches}"
    );
    b.click(&b.find("#matches details summary"));
    let evidence = b.text_of("#matches details");
    assert!(
        evidence.contains("ICTS-KASPERSKY-2024") && evidence.contains("89 FR 52434"),
        "{evidence}"
    );
    assert!(b.text_of("#audit-seq").starts_with("audit record #"));
    // the answer names the pack and the horizon of its facts
    assert!(b.text_of("#pack").contains("facts checked through"));
    shot(
        &b,
        &shots,
        "03-screen-block",
        &[HEADER, ([0xa4, 0x16, 0x1a], 1500)],
    );

    // a listed party: the server screens against the list it was started with, and says which
    b.goto(&format!("{url}/ui/screen"));
    fill(&b, "name", "Banco Nacional de Cuba");
    set_date(&b, "as_of", "2024-06-01");
    b.click(&b.find("main form button[type=submit]"));
    assert_eq!(b.text(&b.wait_for("#decision")).to_lowercase(), "block");
    assert!(b.text_of("#matches").contains("OFAC-SDN:306"));
    let lists = b.text_of("#lists");
    assert!(
        lists.contains("sdn_2024-05-03.csv") && lists.contains("14965 records"),
        "{lists}"
    );

    // a near match lands in review and opens a case
    b.goto(&format!("{url}/ui/screen"));
    fill(&b, "name", "TikTak");
    set_date(&b, "as_of", "2026-03-01");
    b.click(&b.find("main form button[type=submit]"));
    assert_eq!(b.text(&b.wait_for("#decision")).to_lowercase(), "review");
    assert!(b.text_of("#reasons").contains("uncertain match"));
    assert!(b.source().contains("A review case was opened"));
    shot(
        &b,
        &shots,
        "04-screen-review",
        &[HEADER, ([0x9a, 0x4a, 0x00], 1500)],
    );

    // upload an APK from the corpus through the file input
    b.goto(&format!("{url}/ui/vet"));
    fill(&b, "apk", &corpus_apk().display().to_string());
    set_date(&b, "as_of", "2026-03-01");
    b.click(&b.find("main form button[type=submit]"));
    assert_eq!(b.text(&b.wait_for("#package")), "org.t0t0.androguard.TC");
    assert_eq!(b.text_of("#risk").to_lowercase(), "moderate");
    assert_eq!(b.text_of("#recommendation").to_lowercase(), "restrict");
    assert_eq!(b.count("iframe.report"), 1);
    shot(
        &b,
        &shots,
        "05-vet-report",
        &[HEADER, ([0x9a, 0x4a, 0x00], 800)],
    );

    // as an admin, resolve the review's case through the form
    b.click(&b.find("header form button"));
    b.wait_for("#key");
    assert!(b.url().ends_with("/ui/signin"), "{}", b.url());
    fill(&b, "key", &admin_key);
    b.click(&b.find("main button[type=submit]"));
    b.wait_for("ul.tiles");
    assert_eq!(
        b.count("ul.tiles li"),
        5,
        "an admin key sees the admin pages too"
    );
    b.goto(&format!("{url}/ui/cases"));
    assert_eq!(
        b.count("section[id^=case-]"),
        1,
        "one open case: the review"
    );
    let case = b.text_of("section[id^=case-] h3");
    assert!(case.contains("TikTak"), "{case}");
    shot(&b, &shots, "06-case-open", &[HEADER]);
    b.click(&b.find("section[id^=case-] select option[value=allow]"));
    fill(&b, "reason-1", "A different company: TikTak is not TikTok");
    b.click(&b.find("section[id^=case-] button[type=submit]"));
    let flash = b.text(&b.wait_for("#flash"));
    assert!(flash.starts_with("Case 1 resolved"), "{flash}");
    assert_eq!(b.count("section[id^=case-]"), 0);
    let resolved = b.text_of("#case-1");
    assert!(
        resolved.contains("TikTak") && resolved.contains("A different company"),
        "{resolved}"
    );
    shot(
        &b,
        &shots,
        "07-case-resolved",
        &[HEADER, ([0x0b, 0x6b, 0x3a], 300)],
    );

    // the audit trail lists the resolution, and the chain verifies
    b.click(&b.find("#flash a"));
    let records = b.text(&b.wait_for("#records"));
    assert!(records.contains("case 1: TikTak"), "{records}");
    assert!(records.to_lowercase().contains("allow"));
    assert_eq!(b.count("#records tbody tr"), 1, "filtered to kind=case");
    b.goto(&format!("{url}/ui/audit"));
    assert_eq!(
        b.count("#records tbody tr"),
        5,
        "block, list block, review, vet, case"
    );
    shot(&b, &shots, "08-audit", &[HEADER]);
    b.click(&b.find("main form[action='/ui/audit/verify'] button"));
    assert!(b
        .text(&b.wait_for("#chain"))
        .contains("All 5 records hash correctly"));
    shot(
        &b,
        &shots,
        "09-chain-verified",
        &[HEADER, ([0x0b, 0x6b, 0x3a], 300)],
    );

    // the rules: EO 13971's timeline, as of a day it was in force
    b.goto(&format!("{url}/ui/rules?as_of=2021-03-01#order-EO-13971"));
    let section = b.text_of("#order-EO-13971");
    assert!(section.contains("2021-01-05 — signed"), "{section}");
    assert!(
        section.contains("2021-06-09 — revoked by EO-14034"),
        "{section}"
    );
    assert!(section.contains("not yet implemented"), "{section}");
    assert_eq!(
        b.count("#order-EO-13971 svg.timeline rect.band"),
        3,
        "not yet effective, in force unimplemented, revoked"
    );
    // the timeline's bands: in force but not implemented (light green), then revoked (red)
    shot(
        &b,
        &shots,
        "10-rules-eo13971",
        &[([0xa3, 0xd9, 0xb1], 5000), ([0xa4, 0x16, 0x1a], 1000)],
    );
}

on_every_backend!(
    pages_refuse_without_a_valid_session_and_cross_site_posts,
    a_reviewers_day_in_headless_chromium,
);
