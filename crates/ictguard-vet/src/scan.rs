//! One pass over an APK's code and text assets: the classes it defines (for SDK detection) and the
//! network endpoints its strings name. DEX files are read and scanned one at a time (a crafted
//! APK can declare many large ones), and nothing but the classes and the endpoint candidates is
//! kept; what a budget stopped is reported in `problems`.

use std::sync::OnceLock;

use ictguard_apk::Apk;
use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::knowledge::cctld_country;

/// Most bytes of one text asset scanned for endpoints.
const MAX_ASSET_BYTES: u64 = 2 << 20;
/// Most bytes of text assets scanned in all.
const MAX_ASSETS_TOTAL: u64 = 32 << 20;
/// Places kept per endpoint as evidence.
const MAX_PLACES: usize = 3;
/// Problems kept in full (a crafted APK can have a problem per entry); the rest are counted.
const MAX_PROBLEMS: usize = 20;

/// A host, URL or address seen in the APK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// Lowercase host name or IP address.
    pub host: String,
    /// The URL, when the host came from one.
    pub url: Option<String>,
    /// `http://` (or `ws://`, `ftp://`): sent in clear.
    pub cleartext: bool,
    /// The files it appeared in (first few).
    pub places: Vec<String>,
}

/// What the scan found.
#[derive(Debug, Default)]
pub struct CodeScan {
    /// Every class defined (dotted Java name) → the DEX file that defines it first.
    pub classes: FxHashMap<String, String>,
    /// Endpoints by host, in order of first sighting.
    pub endpoints: Vec<Sighting>,
    /// DEX files read.
    pub dex_files: Vec<String>,
    /// Strings read from DEX files.
    pub strings: usize,
    /// Classes whose simple name is one or two lower-case letters (`a.b.c`): ProGuard/R8-style
    /// renaming.
    pub short_named_classes: usize,
    /// Problems (unreadable DEX files or assets).
    pub problems: Vec<String>,
}

fn url_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(https?|wss?|ftp)://([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?(?:[/?#][^\s\x22'<>\\`{}|^]*)?",
        )
        .expect("valid URL pattern")
    })
}

fn host_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?){1,8}(?::[0-9]{1,5})?$")
            .expect("valid host pattern")
    })
}

/// Generic TLDs accepted for a bare host name (a string that is only a host, with no scheme).
const BARE_GENERIC_TLDS: &[&str] = &["com", "net", "org", "info", "biz"];
/// Two-letter endings that are far more often file extensions than country domains.
const FILE_LIKE_TLDS: &[&str] = &[
    "so", "sh", "py", "pl", "md", "rs", "cc", "mk", "ps", "am", "in", "it", "is", "do", "as", "js",
    "ts", "cs", "fs", "hs", "ml", "rb", "go", "kt", "pm", "db", "gz", "bz", "xz", "ai", "me", "im",
    "io", "tv", "co", "lo", "ex", "pb", "gl", "cu",
];
/// First labels of Java package names written in reverse-domain order (`com.example.app`).
const PACKAGE_ROOTS: &[&str] = &[
    "com",
    "org",
    "net",
    "io",
    "android",
    "androidx",
    "java",
    "javax",
    "kotlin",
    "kotlinx",
    "dalvik",
    "sun",
    "junit",
    "okhttp3",
    "retrofit2",
    "edu",
    "gov",
    "de",
    "fr",
    "uk",
    "cn",
    "ru",
    "jp",
    "me",
    "app",
    "dev",
    "info",
    "co",
    "tv",
    "in",
    "us",
    "ch",
    "nl",
    "se",
    "it",
    "es",
    "pl",
    "br",
    "kr",
];

/// A bare string that is plausibly a host name, not a Java package or file name.
fn bare_host(s: &str) -> Option<String> {
    if s.len() > 253 || !host_re().is_match(s) {
        return None;
    }
    let host = s.split(':').next()?;
    if is_ipv4(host) {
        // a bare dotted quad is as often a version number as an address: only URLs count
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let (first, tld) = (labels[0], *labels.last()?);
    if PACKAGE_ROOTS.contains(&first) || tld.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let generic = BARE_GENERIC_TLDS.contains(&tld);
    let country = tld.len() == 2 && !FILE_LIKE_TLDS.contains(&tld) && cctld_country(tld).is_some();
    (generic || (country && labels.len() >= 2)).then(|| host.to_string())
}

fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// An IPv4 address worth reporting: valid octets, not 0.x, loopback, multicast or broadcast, and
/// not shaped like a version number (`2.0.0.0`).
fn plausible_ip(s: &str) -> bool {
    let octets: Vec<u32> = s.split('.').filter_map(|p| p.parse().ok()).collect();
    octets.len() == 4
        && octets.iter().all(|o| *o <= 255)
        && !s.split('.').any(|p| p.len() > 1 && p.starts_with('0'))
        && octets[0] != 0
        && octets[0] != 127
        && octets[0] < 224
        && octets[1..] != [0, 0, 0]
}

/// The endpoints one string names.
fn endpoints_in(text: &str, mut found: impl FnMut(String, Option<String>, bool)) {
    let mut any = false;
    for m in url_re().captures_iter(text) {
        any = true;
        let scheme = m[1].to_ascii_lowercase();
        let host = m[2].trim_matches(['[', ']']).to_ascii_lowercase();
        if host.contains('.') || host.contains(':') {
            if is_ipv4(&host) && !plausible_ip(&host) {
                continue;
            }
            let cleartext = matches!(scheme.as_str(), "http" | "ws" | "ftp");
            found(host, Some(m[0].to_string()), cleartext);
        }
    }
    if !any && text.len() <= 253 {
        if let Some(host) = bare_host(&text.to_ascii_lowercase()) {
            if text.bytes().all(|b| !b.is_ascii_uppercase()) {
                found(host, None, false);
            }
        }
    }
}

/// Text assets worth scanning for endpoints.
fn is_text_asset(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("assets/") || lower.starts_with("res/raw/"))
        && [
            ".json",
            ".xml",
            ".js",
            ".html",
            ".htm",
            ".txt",
            ".properties",
            ".cfg",
            ".conf",
            ".ini",
            ".yaml",
            ".yml",
            ".plist",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// What one DEX file gave.
#[derive(Default)]
struct Partial {
    classes: Vec<String>,
    endpoints: Vec<(String, Option<String>, bool)>,
    strings: usize,
    problem: Option<String>,
}

/// Scan one DEX file's classes and strings.
fn scan_dex(name: &str, bytes: &[u8], limits: &ictguard_apk::Limits) -> Partial {
    let mut part = Partial::default();
    let dex = match ictguard_apk::dex::Dex::parse_with(bytes, limits) {
        Ok(d) => d,
        Err(e) => {
            part.problem = Some(format!("{name}: {}", e.0));
            return part;
        }
    };
    let mut classes: FxHashSet<String> = FxHashSet::default();
    for c in dex.class_descriptors() {
        let class = ictguard_apk::dex::java_name(&c);
        if classes.insert(class.clone()) {
            part.classes.push(class);
        }
    }
    let mut seen: FxHashSet<String> = FxHashSet::default();
    for raw in dex.string_bytes_all() {
        part.strings += 1;
        // cheap filters on the raw bytes first: a URL has "://"; a bare host has a dot, is
        // short, and has no space, slash, upper-case letter or other byte a host cannot hold
        let url = memchr::memmem::find(raw, b"://").is_some();
        let host = !url
            && raw.len() < 254
            && raw.contains(&b'.')
            && raw
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.:".contains(b));
        if !(url || host) {
            continue;
        }
        let s = String::from_utf8_lossy(raw);
        endpoints_in(&s, |host, url, clear| {
            let key = url.clone().unwrap_or_else(|| host.clone());
            if seen.insert(key) {
                part.endpoints.push((host, url, clear));
            }
        });
    }
    if dex.budget_exhausted() {
        part.problem = Some(format!(
            "analysis stopped: {name}: reading its strings spent the file's budget; the rest of its strings and classes were not scanned"
        ));
    } else if part.strings < dex.string_count() {
        // string ids that point at no well-formed string (no NUL before the next string's data):
        // what they say is unknown, and Android's verifier would refuse the file
        part.problem = Some(format!(
            "analysis incomplete: {name}: {} of its {} strings are malformed and were not read",
            dex.string_count() - part.strings,
            dex.string_count()
        ));
    }
    part
}

/// Scan an APK's DEX files (all of them, nested ones too) and text assets.
pub fn scan(apk: &Apk) -> CodeScan {
    let limits = *apk.zip.limits();
    let mut out = CodeScan::default();
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut add =
        |out: &mut CodeScan, host: String, url: Option<String>, clear: bool, place: String| {
            let at = *index.entry(host.clone()).or_insert_with(|| {
                out.endpoints.push(Sighting {
                    host,
                    url: None,
                    cleartext: false,
                    places: Vec::new(),
                });
                out.endpoints.len() - 1
            });
            let s = &mut out.endpoints[at];
            if (s.url.is_none() || (clear && !s.cleartext)) && url.is_some() {
                s.url = url;
            }
            s.cleartext |= clear;
            if s.places.len() < MAX_PLACES && !s.places.contains(&place) {
                s.places.push(place);
            }
        };
    let mut over_budget: Vec<String> = Vec::new();
    // each DEX file is merged into the scan as soon as it is read, before the next is read
    let skipped = apk.visit_dex_files(&mut |name, bytes| {
        let part = match bytes {
            Ok(b) => scan_dex(name, b, &limits),
            Err(ictguard_apk::ZipError::Budget { .. }) => {
                over_budget.push(name.to_string());
                Partial::default()
            }
            Err(e) => Partial {
                problem: Some(format!("{name}: {e}")),
                ..Partial::default()
            },
        };
        out.dex_files.push(name.to_string());
        out.strings += part.strings;
        out.problems.extend(part.problem);
        for class in part.classes {
            let simple = class.rsplit('.').next().unwrap_or(&class);
            if simple.len() <= 2 && simple.bytes().all(|b| b.is_ascii_lowercase()) {
                out.short_named_classes += 1;
            }
            out.classes.entry(class).or_insert_with(|| name.to_string());
        }
        for (host, url, clear) in part.endpoints {
            add(&mut out, host, url, clear, name.to_string());
        }
    });
    out.problems.extend(skipped);

    // string resources (URLs only: resource strings are prose, where bare words are not hosts)
    match apk.resources() {
        Some(Ok(table)) => {
            for text in table.strings_containing("://") {
                for token in text
                    .split(char::is_whitespace)
                    .filter(|t| t.contains("://"))
                {
                    let mut found = Vec::new();
                    endpoints_in(token, |h, u, c| found.push((h, u, c)));
                    for (h, u, c) in found {
                        add(&mut out, h, u, c, "resources.arsc".to_string());
                    }
                }
            }
            if table.budget_exhausted() {
                out.problems.push("analysis stopped: resources.arsc: reading its strings spent the table's budget; the rest were not scanned".into());
            }
        }
        Some(Err(e)) => out.problems.push(e.to_string()),
        None => {}
    }
    // text assets
    let mut budget = MAX_ASSETS_TOTAL;
    for entry in apk.zip.entries() {
        if !is_text_asset(&entry.name)
            || entry.uncompressed_size > MAX_ASSET_BYTES
            || apk.zip.alias_of(entry).is_some()
        {
            continue;
        }
        if entry.uncompressed_size > budget {
            out.problems
                .push("text assets past the scan budget were not read".into());
            break;
        }
        budget -= entry.uncompressed_size;
        match apk.zip.read(entry) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let mut found = Vec::new();
                for token in text.split(|c: char| c.is_whitespace() || "\"'<>,;()[]{}=".contains(c))
                {
                    if token.contains("://") {
                        endpoints_in(token, |h, u, c| found.push((h, u, c)));
                    }
                }
                for (h, u, c) in found {
                    add(&mut out, h, u, c, entry.name.clone());
                }
            }
            Err(ictguard_apk::ZipError::Budget { .. }) => over_budget.push(entry.name.clone()),
            Err(e) => out.problems.push(format!("{}: {e}", entry.name)),
        }
    }
    // entries the archive's read budget left unread: one note for all of them
    if let Some(first) = over_budget.first() {
        out.problems.push(format!(
            "analysis stopped: {} entries were not read whole because reading the archive's entries spent its budget of {} bytes (the first: {first})",
            over_budget.len(),
            limits.total_read_for(apk.zip.data().len())
        ));
    }
    if out.problems.len() > MAX_PROBLEMS {
        let more = out.problems.len() - MAX_PROBLEMS;
        // keep the first of each kind of problem before cutting, so a budget note is never lost
        out.problems
            .sort_by_key(|p| !p.contains("analysis stopped"));
        out.problems.truncate(MAX_PROBLEMS);
        out.problems
            .push(format!("and {more} more problems of the same kinds"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(s: &str) -> Vec<(String, bool)> {
        let mut v = Vec::new();
        endpoints_in(s, |h, _, c| v.push((h, c)));
        v
    }

    #[test]
    fn urls_hosts_and_addresses() {
        assert_eq!(
            hosts("https://collect.example.cn/v1/upload"),
            vec![("collect.example.cn".to_string(), false)]
        );
        assert_eq!(
            hosts("see http://203.0.113.7:8080/beacon now"),
            vec![("203.0.113.7".to_string(), true)]
        );
        assert_eq!(
            hosts("plugin.example.ru"),
            vec![("plugin.example.ru".to_string(), false)]
        );
        assert_eq!(
            hosts("api.example.com"),
            vec![("api.example.com".to_string(), false)]
        );
        // Java packages, file names, versions and class names are not hosts
        for not in [
            "com.example.refs.MainActivity",
            "com.umeng.analytics",
            "android.support.v4.app",
            "libpangolin.so",
            "config.properties",
            "2.0.0.0",
            "127.0.0.1",
            "main.py",
            "Foo.Bar",
            "http://localhost/x",
            "2.12.9.2",
            "goog.exo.ui",
        ] {
            assert!(hosts(not).is_empty(), "{not}: {:?}", hosts(not));
        }
    }

    #[test]
    fn text_assets() {
        assert!(is_text_asset("assets/config.json"));
        assert!(!is_text_asset("assets/image.png"));
        assert!(!is_text_asset("res/layout/main.xml"));
    }
}
