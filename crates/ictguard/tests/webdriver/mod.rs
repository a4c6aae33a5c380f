//! A small W3C WebDriver client for the browser tests: Debian's `chromedriver` driving its
//! headless `chromium`, spoken to over HTTP with `ureq` (already a dev-dependency).
//!
//! Only what the tests use: a session, navigation, finding elements by CSS selector, clicking,
//! typing (file inputs take a path), reading text, running a script, and screenshots.
// Rejected: fantoccini (even without TLS it brings its own hyper client, the `webdriver` crate and,
// through it, two generations of ICU — about fifty more crates to build on a 2-core CI for nine
// JSON endpoints); thirtyfour (reqwest and more still).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The browser and its driver, when both are installed. CI sets `ICTGUARD_REQUIRE_BROWSER=1`, so
/// a missing browser fails there instead of skipping.
pub fn installed() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| names.iter().map(PathBuf::from).find(|p| p.exists());
    let browser = find(&[
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]);
    let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    match (browser, driver) {
        (Some(b), Some(d)) => Some((b, d)),
        _ => {
            assert!(
                std::env::var_os("ICTGUARD_REQUIRE_BROWSER").is_none(),
                "ICTGUARD_REQUIRE_BROWSER is set but chromium or chromedriver is missing (apt-get install chromium chromium-driver)"
            );
            eprintln!("SKIPPED: no chromium and chromedriver (apt-get install chromium chromium-driver) for the browser test");
            None
        }
    }
}

/// A WebDriver session in headless Chromium; ended (and the driver stopped) on drop.
pub struct Browser {
    driver: Child,
    base: String,
    agent: ureq::Agent,
}

/// A found element.
pub struct Element(String);

impl Browser {
    /// Start `chromedriver` on a free loopback port and open a session of a window this size.
    pub fn start(browser: &Path, driver: &Path, width: u32, height: u32) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut b = Browser {
            driver: child,
            base: format!("http://127.0.0.1:{port}"),
            agent,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = b
                .agent
                .get(format!("{}/status", b.base))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": browser.display().to_string(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--hide-scrollbars", "--force-device-scale-factor=1",
                         format!("--window-size={width},{height}")],
            },
        } } });
        let answer = b.call("POST", "/session", Some(caps));
        let id = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_string();
        b.base = format!("{}/session/{id}", b.base);
        // make the page's viewport (not the window around it) the size asked for
        let chrome = b.script(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];",
            json!([]),
        );
        let (dx, dy) = (
            chrome[0].as_u64().unwrap_or(0),
            chrome[1].as_u64().unwrap_or(0),
        );
        b.call(
            "POST",
            "/window/rect",
            Some(json!({ "width": u64::from(width) + dx, "height": u64::from(height) + dy })),
        );
        b
    }

    /// One WebDriver command; its `value`. A WebDriver error fails the test with its message.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let resp = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut resp = resp.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let v: Value = resp.body_mut().read_json().unwrap_or(Value::Null);
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        assert!(
            value.get("error").is_none(),
            "{method} {path}: {}",
            value["message"]
        );
        value
    }

    /// Load a page and wait for it.
    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The page's URL.
    pub fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The page's title.
    pub fn title(&self) -> String {
        self.call("GET", "/title", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> Element {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        Element(
            v[ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("no element {css}"))
                .to_string(),
        )
    }

    /// The first element matching a CSS selector, waiting up to ten seconds for it (for the page
    /// a form submission loads).
    pub fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.count(css) == 0 {
            assert!(
                Instant::now() < deadline,
                "no element {css} on {} after 10 s",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self.find(css)
    }

    /// How many elements match a CSS selector.
    pub fn count(&self, css: &str) -> usize {
        self.call(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )
        .as_array()
        .map_or(0, Vec::len)
    }

    /// Click an element (a submit button submits and waits for the next page).
    pub fn click(&self, e: &Element) {
        self.call("POST", &format!("/element/{}/click", e.0), None);
    }

    /// Type into an element; for a file input, the text is the file's path.
    pub fn type_into(&self, e: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        );
    }

    /// An element's rendered text.
    pub fn text(&self, e: &Element) -> String {
        self.call("GET", &format!("/element/{}/text", e.0), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The text of the first element matching a selector.
    pub fn text_of(&self, css: &str) -> String {
        self.text(&self.find(css))
    }

    /// The page's HTML as the browser holds it.
    pub fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Run a script in the page (WebDriver's own channel: the page's CSP does not apply); what it
    /// returns.
    pub fn script(&self, js: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": js, "args": args })),
        )
    }

    /// A screenshot of the window, as PNG bytes.
    pub fn screenshot(&self) -> Vec<u8> {
        let b64 = self.call("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or(""))
            .expect("the screenshot is base64")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
