//! What vetting knows about the world, shipped in `knowledge/` and compiled in: Android permissions
//! with their protection levels (AOSP, Apache-2.0), the personal data each opens (ours), SDK
//! signatures (apk-analyzer, MIT), Exodus Privacy's tracker signatures (ODbL 1.0), and who owns each
//! SDK vendor and network domain, in which country (ours, with sources).

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::Regex;
use rustc_hash::FxHashMap;
use serde::Deserialize;

const PERMISSIONS: &str = include_str!("../../../knowledge/permissions.json");
const CATEGORIES: &str = include_str!("../../../knowledge/permission_categories.toml");
const SDKS: &str = include_str!("../../../knowledge/sdks.json");
const TRACKERS: &str = include_str!("../../../knowledge/exodus_trackers.json");
const VENDORS: &str = include_str!("../../../knowledge/vendors.toml");

/// Why the knowledge could not be loaded (a broken data file: a build defect, reported, not hidden).
#[derive(Debug, thiserror::Error)]
#[error("knowledge/{file}: {why}")]
pub struct KnowledgeError {
    /// The data file.
    pub file: &'static str,
    /// What is wrong with it.
    pub why: String,
}

/// An Android permission as AOSP defines it.
#[derive(Debug, Clone, Deserialize)]
pub struct Permission {
    /// Protection level: `dangerous`, `normal`, `signature|privileged`, …
    pub level: String,
    /// Permission group, if any.
    pub group: Option<String>,
    /// Label shown to users.
    pub label: Option<String>,
}

#[derive(Deserialize)]
struct PermissionFile {
    permissions: FxHashMap<String, Permission>,
}

/// A group of permissions that open one kind of personal data.
#[derive(Debug, Clone, Deserialize)]
pub struct DataCategory {
    /// Stable id, e.g. `precise_location`.
    pub id: String,
    /// Title.
    pub title: String,
    /// The category of sensitive personal data under 28 CFR 202, if any.
    pub cfr202: Option<String>,
    /// Permission names.
    pub permissions: Vec<String>,
}

#[derive(Deserialize)]
struct CategoryFile {
    category: Vec<DataCategory>,
}

/// An SDK signature.
#[derive(Debug, Clone, Deserialize)]
pub struct Sdk {
    /// Id in the source database.
    pub id: String,
    /// Name.
    pub name: String,
    /// Vendor as the source writes it.
    pub vendor: Option<String>,
    /// Category (ads, analytics, push, …).
    pub category: Option<String>,
    /// Java package prefixes of its classes.
    #[serde(default)]
    pub package_prefixes: Vec<String>,
    /// Native library file names.
    #[serde(default)]
    pub native_libs: Vec<String>,
    /// Manifest component class names it declares.
    #[serde(default)]
    pub components: Vec<String>,
}

#[derive(Deserialize)]
struct SdkFile {
    sdks: Vec<Sdk>,
}

/// An Exodus Privacy tracker signature.
#[derive(Debug, Clone, Deserialize)]
pub struct Tracker {
    /// Exodus id.
    pub id: u32,
    /// Name.
    pub name: String,
    /// Regex alternatives on class names (`.` also matching `/`).
    pub code_signature: Option<String>,
    /// Regex on host names.
    pub network_signature: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Categories (Analytics, Advertisement, …).
    #[serde(default)]
    pub categories: Vec<String>,
}

#[derive(Deserialize)]
struct TrackerFile {
    trackers: Vec<Tracker>,
}

/// A company behind SDKs and domains.
#[derive(Debug, Clone, Deserialize)]
pub struct Vendor {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Vendor strings of the SDK data and tracker-name prefixes that mean this company.
    #[serde(default)]
    pub names: Vec<String>,
    /// Ultimate parent company.
    pub parent: Option<String>,
    /// ISO 3166 alpha-2 country of the parent's headquarters.
    pub country: Option<String>,
    /// Registrable domains it operates.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Where the facts come from.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Context.
    pub note: Option<String>,
}

/// The owner of a network domain that is not an SDK vendor (clouds, CDNs, platforms).
#[derive(Debug, Clone, Deserialize)]
pub struct DomainOwner {
    /// Registrable domain.
    pub domain: String,
    /// Who runs it.
    pub owner: String,
    /// Link to a vendor id.
    pub vendor: Option<String>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<String>,
}

#[derive(Deserialize)]
struct VendorFile {
    #[serde(default)]
    vendor: Vec<Vendor>,
    #[serde(default)]
    domain_owner: Vec<DomainOwner>,
}

/// Who is behind a domain, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainInfo {
    /// The owner's name, when known.
    pub owner: Option<String>,
    /// ISO 3166 alpha-2 country, when known.
    pub country: Option<String>,
    /// How it was attributed: "vendor table", "domain table", "country-code TLD".
    pub basis: &'static str,
}

/// Everything vetting knows, indexed for lookups.
#[derive(Debug)]
pub struct Knowledge {
    /// Permissions by name.
    pub permissions: FxHashMap<String, Permission>,
    /// Personal-data categories.
    pub categories: Vec<DataCategory>,
    category_of: FxHashMap<String, usize>,
    /// SDK signatures.
    pub sdks: Vec<Sdk>,
    /// package prefix → SDK indices
    sdk_prefixes: FxHashMap<String, Vec<usize>>,
    /// native library name → SDK indices
    sdk_libs: FxHashMap<String, Vec<usize>>,
    /// component class name → SDK indices
    sdk_components: FxHashMap<String, Vec<usize>>,
    /// Exodus trackers.
    pub trackers: Vec<Tracker>,
    /// The literal alternatives of the trackers' code signatures (class-name prefixes), and the
    /// tracker of each; matched from the start of a dotted class name.
    tracker_code: AhoCorasick,
    tracker_code_index: Vec<usize>,
    /// (tracker index, host literal): network signatures that are plain host names
    tracker_host_literals: Vec<(usize, String)>,
    /// (tracker index, pattern): the other network signatures, compiled on first use
    tracker_host_patterns: Vec<(usize, String)>,
    tracker_host_regexes: OnceLock<Vec<(usize, Regex)>>,
    /// Vendors.
    pub vendors: Vec<Vendor>,
    vendor_by_name: FxHashMap<String, usize>,
    domains: FxHashMap<String, DomainInfo>,
}

fn json<T: for<'de> Deserialize<'de>>(file: &'static str, text: &str) -> Result<T, KnowledgeError> {
    serde_json::from_str(text).map_err(|e| KnowledgeError {
        file,
        why: e.to_string(),
    })
}

/// Country-code top-level domains in use (ISO 3166 alpha-2 codes, plus `.ac`, `.eu` and `.uk`).
const CCTLDS: &str = "ac ad ae af ag al am an ao ar at au aw az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz ca cd cf cg ch ci cl cm cn co cr cu cv cw cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fm fr ga gb gd ge gg gh gi gm gn gq gr gt gw gy hk hn hr ht hu id ie il im in iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mr mt mu mv mw mx my mz na ne ng ni nl no np nr nz om pa pe pg ph pk pl pr ps pt pw py qa ro rs ru rw sa sb sc sd se sg si sk sl sm sn so sr ss st sv sy sz td tg th tj tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vn vu ws xk ye za zm zw";

/// Country-code top-level domains that name a country (`.cn` → CN); generic ones return None.
pub fn cctld_country(tld: &str) -> Option<String> {
    let tld = tld.to_ascii_lowercase();
    // ISO codes that differ from their ccTLD, and ccTLDs sold as generic names
    let code = match tld.as_str() {
        "uk" => "GB",
        "su" => "RU", // the Soviet Union's, still administered in Russia
        "рф" | "xn--p1ai" => "RU",
        "中国" | "xn--fiqs8s" | "xn--fiqz9s" => "CN",
        "io" | "co" | "tv" | "me" | "ai" | "ly" | "fm" | "gg" | "cc" | "ws" | "to" | "gl" => {
            return None
        }
        "eu" => return None,
        t if t.len() == 2 && CCTLDS.split(' ').any(|c| c == t) => {
            return Some(t.to_ascii_uppercase())
        }
        _ => return None,
    };
    Some(code.to_string())
}

impl Knowledge {
    /// Load and index the bundled knowledge.
    pub fn bundled() -> Result<Knowledge, KnowledgeError> {
        let permissions = json::<PermissionFile>("permissions.json", PERMISSIONS)?.permissions;
        let categories: CategoryFile = toml::from_str(CATEGORIES).map_err(|e| KnowledgeError {
            file: "permission_categories.toml",
            why: e.to_string(),
        })?;
        let categories = categories.category;
        let mut category_of = FxHashMap::default();
        for (i, c) in categories.iter().enumerate() {
            for p in &c.permissions {
                category_of.insert(p.clone(), i);
            }
        }
        let sdks = json::<SdkFile>("sdks.json", SDKS)?.sdks;
        let mut sdk_prefixes: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut sdk_libs: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut sdk_components: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, s) in sdks.iter().enumerate() {
            for p in &s.package_prefixes {
                sdk_prefixes
                    .entry(p.trim_end_matches('.').to_string())
                    .or_default()
                    .push(i);
            }
            for l in &s.native_libs {
                sdk_libs.entry(l.clone()).or_default().push(i);
            }
            for c in &s.components {
                sdk_components.entry(c.clone()).or_default().push(i);
            }
        }
        let trackers = json::<TrackerFile>("exodus_trackers.json", TRACKERS)?.trackers;
        // Exodus's code signatures are alternations of package prefixes ("com.umeng.|com.uc.");
        // as literals they build in a millisecond where 400 regexes take tens of milliseconds,
        // which every `ictguard vet` process would pay at start-up
        let mut literals = Vec::new();
        let mut tracker_code_index = Vec::new();
        let mut tracker_host_literals = Vec::new();
        let mut tracker_host_patterns = Vec::new();
        for (i, t) in trackers.iter().enumerate() {
            if let Some(code) = t.code_signature.as_deref() {
                for alt in code.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                    if !alt
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._$-".contains(c))
                    {
                        return Err(KnowledgeError {
                            file: "exodus_trackers.json",
                            why: format!(
                                "code signature {alt:?} of {} is not a package prefix",
                                t.name
                            ),
                        });
                    }
                    literals.push(alt.to_string());
                    tracker_code_index.push(i);
                }
            }
            if let Some(net) = t.network_signature.as_deref() {
                for alt in net.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                    let unescaped = alt.replace("\\.", ".").replace("\\-", "-");
                    if unescaped
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
                    {
                        tracker_host_literals.push((i, unescaped.to_ascii_lowercase()));
                    } else {
                        tracker_host_patterns.push((i, alt.to_string()));
                    }
                }
            }
        }
        let tracker_code = AhoCorasick::new(&literals).map_err(|e| KnowledgeError {
            file: "exodus_trackers.json",
            why: e.to_string(),
        })?;
        let vendor_file: VendorFile = toml::from_str(VENDORS).map_err(|e| KnowledgeError {
            file: "vendors.toml",
            why: e.to_string(),
        })?;
        let vendors = vendor_file.vendor;
        let mut vendor_by_name = FxHashMap::default();
        let mut domains = FxHashMap::default();
        for (i, v) in vendors.iter().enumerate() {
            for n in v.names.iter().chain(std::iter::once(&v.name)) {
                vendor_by_name.insert(n.to_lowercase(), i);
            }
            vendor_by_name.insert(v.id.to_lowercase(), i);
            for d in &v.domains {
                domains.insert(
                    d.to_ascii_lowercase(),
                    DomainInfo {
                        owner: Some(v.parent.clone().unwrap_or_else(|| v.name.clone())),
                        country: v.country.clone().filter(|c| !c.is_empty()),
                        basis: "vendor table",
                    },
                );
            }
        }
        for d in vendor_file.domain_owner {
            domains
                .entry(d.domain.to_ascii_lowercase())
                .or_insert(DomainInfo {
                    owner: Some(d.owner),
                    country: d.country.filter(|c| !c.is_empty()),
                    basis: "domain table",
                });
        }
        Ok(Knowledge {
            permissions,
            categories,
            category_of,
            sdks,
            sdk_prefixes,
            sdk_libs,
            sdk_components,
            trackers,
            tracker_code,
            tracker_code_index,
            tracker_host_literals,
            tracker_host_patterns,
            tracker_host_regexes: OnceLock::new(),
            vendors,
            vendor_by_name,
            domains,
        })
    }

    /// The personal-data category a permission opens.
    pub fn category_of(&self, permission: &str) -> Option<&DataCategory> {
        self.category_of
            .get(permission)
            .map(|i| &self.categories[*i])
    }

    /// The vendor an SDK vendor string or tracker name means.
    pub fn vendor(&self, name: &str) -> Option<&Vendor> {
        let lower = name.to_lowercase();
        if let Some(i) = self.vendor_by_name.get(&lower) {
            return Some(&self.vendors[*i]);
        }
        // a tracker name that starts with a vendor name ("Umeng Analytics", "Tencent Map LBS"):
        // the longest such name, ending at a word break ("360" must not claim "360Dialog")
        let mut best: Option<(usize, &Vendor)> = None;
        for v in &self.vendors {
            for n in v.names.iter().chain(std::iter::once(&v.name)) {
                let n = n.to_lowercase();
                let breaks = lower.strip_prefix(n.as_str()).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with([' ', '-', '(', '/', ','])
                });
                if n.len() >= 3 && breaks && best.is_none_or(|(len, _)| n.len() > len) {
                    best = Some((n.len(), v));
                }
            }
        }
        best.map(|(_, v)| v)
    }

    /// SDKs whose package prefix is `package` exactly (a dotted Java package name).
    pub fn sdks_with_prefix(&self, package: &str) -> &[usize] {
        self.sdk_prefixes
            .get(package)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// SDKs that ship a native library with this file name.
    pub fn sdks_with_library(&self, file: &str) -> &[usize] {
        self.sdk_libs.get(file).map(Vec::as_slice).unwrap_or(&[])
    }

    /// SDKs that declare a manifest component with this class name.
    pub fn sdks_with_component(&self, class: &str) -> &[usize] {
        self.sdk_components
            .get(class)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Trackers whose code signature matches a dotted class name (a prefix of it).
    pub fn trackers_matching_class(&self, name: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .tracker_code
            .find_overlapping_iter(name)
            .filter(|m| m.start() == 0)
            .map(|m| self.tracker_code_index[m.pattern().as_usize()])
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Trackers whose network signature matches a host name (Exodus searches anywhere in it).
    pub fn trackers_matching_host(&self, host: &str) -> Vec<usize> {
        let host = host.to_ascii_lowercase();
        let regexes = self.tracker_host_regexes.get_or_init(|| {
            self.tracker_host_patterns
                .iter()
                .filter_map(|(i, p)| Regex::new(p).ok().map(|re| (*i, re)))
                .collect()
        });
        let mut out: Vec<usize> = self
            .tracker_host_literals
            .iter()
            .filter(|(_, lit)| host.contains(lit.as_str()))
            .map(|(i, _)| *i)
            .chain(
                regexes
                    .iter()
                    .filter(|(_, re)| re.is_match(&host))
                    .map(|(i, _)| *i),
            )
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Who is behind a host name: the longest known domain suffix, else its country-code TLD.
    pub fn domain(&self, host: &str) -> Option<DomainInfo> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut rest = host.as_str();
        loop {
            if let Some(info) = self.domains.get(rest) {
                return Some(info.clone());
            }
            match rest.split_once('.') {
                Some((_, tail)) if tail.contains('.') || self.domains.contains_key(tail) => {
                    rest = tail
                }
                _ => break,
            }
        }
        let tld = host.rsplit('.').next()?;
        cctld_country(tld).map(|country| DomainInfo {
            owner: None,
            country: Some(country),
            basis: "country-code TLD",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_knowledge_loads_and_indexes() {
        let k = Knowledge::bundled().unwrap();
        assert!(k.permissions.len() > 900);
        assert!(k.permissions["android.permission.ACCESS_FINE_LOCATION"]
            .level
            .contains("dangerous"));
        assert_eq!(
            k.category_of("android.permission.ACCESS_FINE_LOCATION")
                .unwrap()
                .cfr202
                .as_deref(),
            Some("precise_geolocation")
        );
        assert!(k.sdks.len() > 2_000 && k.trackers.len() > 400);
        // Exodus: Umeng's analytics classes
        let umeng: Vec<_> = k
            .trackers_matching_class("com.umeng.analytics.MobclickAgent")
            .into_iter()
            .map(|i| k.trackers[i].name.clone())
            .collect();
        assert!(umeng.iter().any(|n| n.contains("Umeng")), "{umeng:?}");
        assert!(k
            .trackers_matching_class("com.example.refs.MainActivity")
            .is_empty());
        // a network signature: Umeng's hosts
        assert!(k
            .trackers_matching_host("alog.umeng.com")
            .iter()
            .any(|i| k.trackers[*i].name.contains("Umeng")));
    }

    #[test]
    fn domains_by_table_then_cctld() {
        let k = Knowledge::bundled().unwrap();
        assert_eq!(
            k.domain("collect.example.cn").unwrap().country.as_deref(),
            Some("CN")
        );
        assert_eq!(
            k.domain("plugin.example.ru").unwrap().country.as_deref(),
            Some("RU")
        );
        assert_eq!(k.domain("example.io"), None);
        assert_eq!(k.domain("example.com"), None);
        let umeng = k.domain("alog.umeng.com").unwrap();
        assert_eq!(umeng.country.as_deref(), Some("CN"));
        assert_eq!(cctld_country("uk").as_deref(), Some("GB"));
    }
}
