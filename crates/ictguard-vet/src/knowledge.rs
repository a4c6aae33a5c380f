//! What vetting knows about the world, shipped in `knowledge/` and compiled in: Android permissions
//! with their protection levels (AOSP, Apache-2.0), the personal data each opens (ours), SDK
//! signatures (apk-analyzer, MIT), Exodus Privacy's tracker signatures (ODbL 1.0), and who owns each
//! SDK vendor and network domain, in which country (ours, with sources).
//!
//! The files are parsed, checked and indexed by a generator (`crates/ictguard-vet-gen`, run by
//! hand) into static tables with sorted indexes, committed as `src/knowledge/tables.rs` with the
//! sources' licences in its header, so a process that vets one APK pays nothing to load them: a
//! lookup is a binary search in read-only memory. A test fails while the committed tables are not
//! what `knowledge/` makes.
// Rejected: parsing the JSON and TOML at start-up (about 4 ms and 44 million instructions per
// process, most of a small APK's vetting time); a serialised blob (postcard, bincode) still
// allocates every string and rebuilds the maps; `phf` maps would add a dependency for lookups
// that binary search already does in a few comparisons; a build script reading ../../knowledge
// (what the generator replaced) reaches outside the crate, which then cannot be packaged.

use std::sync::OnceLock;

use regex::Regex;

/// An Android permission as AOSP defines it.
#[derive(Debug, Clone, Copy)]
pub struct Permission {
    /// Protection level: `dangerous`, `normal`, `signature|privileged`, …
    pub level: &'static str,
    /// Permission group, if any.
    pub group: Option<&'static str>,
    /// Label shown to users.
    pub label: Option<&'static str>,
}

/// A group of permissions that open one kind of personal data.
#[derive(Debug, Clone, Copy)]
pub struct DataCategory {
    /// Stable id, e.g. `precise_location`.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// The category of sensitive personal data under 28 CFR 202, if any.
    pub cfr202: Option<&'static str>,
    /// Permission names.
    pub permissions: &'static [&'static str],
}

/// An SDK signature.
#[derive(Debug, Clone, Copy)]
pub struct Sdk {
    /// Id in the source database.
    pub id: &'static str,
    /// Name.
    pub name: &'static str,
    /// Vendor as the source writes it.
    pub vendor: Option<&'static str>,
    /// Category (ads, analytics, push, …).
    pub category: Option<&'static str>,
    /// Java package prefixes of its classes.
    pub package_prefixes: &'static [&'static str],
    /// Native library file names.
    pub native_libs: &'static [&'static str],
    /// Manifest component class names it declares.
    pub components: &'static [&'static str],
}

/// An Exodus Privacy tracker signature.
#[derive(Debug, Clone, Copy)]
pub struct Tracker {
    /// Exodus id.
    pub id: u32,
    /// Name.
    pub name: &'static str,
    /// Regex alternatives on class names (`.` also matching `/`).
    pub code_signature: Option<&'static str>,
    /// Regex on host names.
    pub network_signature: Option<&'static str>,
    /// Website.
    pub website: Option<&'static str>,
    /// Categories (Analytics, Advertisement, …).
    pub categories: &'static [&'static str],
}

/// A company behind SDKs and domains.
#[derive(Debug, Clone, Copy)]
pub struct Vendor {
    /// Stable id.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Vendor strings of the SDK data and tracker-name prefixes that mean this company.
    pub names: &'static [&'static str],
    /// Ultimate parent company.
    pub parent: Option<&'static str>,
    /// ISO 3166 alpha-2 country of the parent's headquarters.
    pub country: Option<&'static str>,
    /// Registrable domains it operates.
    pub domains: &'static [&'static str],
    /// Where the facts come from.
    pub sources: &'static [&'static str],
    /// Context.
    pub note: Option<&'static str>,
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

/// A row of the domain table: a vendor's domain (the vendor's parent, or the vendor, owns it) or a
/// `[[domain_owner]]` row.
struct DomainEntry {
    owner: &'static str,
    country: Option<&'static str>,
    basis: &'static str,
}

/// One literal alternative of the trackers' code signatures (a class-name prefix), sorted.
struct CodeLiteral {
    literal: &'static str,
    /// The longest other literal that is a prefix of this one ([`NO_PARENT`]: none).
    parent: usize,
    /// The trackers whose signature has this alternative.
    trackers: &'static [usize],
}

const NO_PARENT: usize = usize::MAX;

// PERMISSIONS, CATEGORIES, CATEGORY_OF, SDKS, SDK_PREFIXES, SDK_LIBS, SDK_COMPONENTS, TRACKERS,
// TRACKER_CODE, TRACKER_HOST_LITERALS, TRACKER_HOST_PATTERNS, VENDORS, VENDOR_BY_NAME (lower case,
// sorted), VENDOR_NAMES (lower case, in file order), DOMAINS (sorted)
include!("knowledge/tables.rs");

/// The value of `key` in a table sorted by key.
fn lookup<T>(table: &'static [(&'static str, T)], key: &str) -> Option<&'static T> {
    table
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .ok()
        .map(|i| &table[i].1)
}

/// Everything vetting knows, indexed for lookups.
#[derive(Debug, Default)]
pub struct Knowledge {
    /// The trackers' network signatures that are not plain host names, compiled on first use.
    tracker_host_regexes: OnceLock<Vec<(usize, Regex)>>,
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
    /// The bundled knowledge (checked and indexed when the tables were generated).
    pub fn bundled() -> Knowledge {
        Knowledge::default()
    }

    /// An Android permission by name.
    pub fn permission(&self, name: &str) -> Option<&'static Permission> {
        lookup(PERMISSIONS, name)
    }

    /// Number of permissions known.
    pub fn permission_count(&self) -> usize {
        PERMISSIONS.len()
    }

    /// Personal-data categories.
    pub fn categories(&self) -> &'static [DataCategory] {
        CATEGORIES
    }

    /// SDK signatures.
    pub fn sdks(&self) -> &'static [Sdk] {
        SDKS
    }

    /// Exodus trackers.
    pub fn trackers(&self) -> &'static [Tracker] {
        TRACKERS
    }

    /// Vendors.
    pub fn vendors(&self) -> &'static [Vendor] {
        VENDORS
    }

    /// The personal-data category a permission opens.
    pub fn category_of(&self, permission: &str) -> Option<&'static DataCategory> {
        lookup(CATEGORY_OF, permission).map(|i| &CATEGORIES[*i])
    }

    /// The vendor an SDK vendor string or tracker name means.
    pub fn vendor(&self, name: &str) -> Option<&'static Vendor> {
        let lower = name.to_lowercase();
        if let Some(i) = lookup(VENDOR_BY_NAME, &lower) {
            return Some(&VENDORS[*i]);
        }
        // a tracker name that starts with a vendor name ("Umeng Analytics", "Tencent Map LBS"):
        // the longest such name, ending at a word break ("360" must not claim "360Dialog")
        let mut best: Option<(usize, usize)> = None;
        for &(n, i) in VENDOR_NAMES {
            let breaks = lower
                .strip_prefix(n)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '-', '(', '/', ',']));
            if n.len() >= 3 && breaks && best.is_none_or(|(len, _)| n.len() > len) {
                best = Some((n.len(), i));
            }
        }
        best.map(|(_, i)| &VENDORS[i])
    }

    /// SDKs whose package prefix is `package` exactly (a dotted Java package name).
    pub fn sdks_with_prefix(&self, package: &str) -> &'static [usize] {
        lookup(SDK_PREFIXES, package).copied().unwrap_or(&[])
    }

    /// SDKs that ship a native library with this file name.
    pub fn sdks_with_library(&self, file: &str) -> &'static [usize] {
        lookup(SDK_LIBS, file).copied().unwrap_or(&[])
    }

    /// SDKs that declare a manifest component with this class name.
    pub fn sdks_with_component(&self, class: &str) -> &'static [usize] {
        lookup(SDK_COMPONENTS, class).copied().unwrap_or(&[])
    }

    /// Trackers whose code signature matches a dotted class name (a prefix of it).
    pub fn trackers_matching_class(&self, name: &str) -> Vec<usize> {
        // The literals that are prefixes of `name` are all prefixes of the greatest literal not
        // after `name` (anything between a prefix of `name` and `name` starts with that prefix),
        // so they lie on that literal's chain of parents.
        let mut out = Vec::new();
        let after = TRACKER_CODE.partition_point(|c| c.literal <= name);
        let mut at = after.checked_sub(1).unwrap_or(NO_PARENT);
        while let Some(c) = TRACKER_CODE.get(at) {
            if name.starts_with(c.literal) {
                out.extend_from_slice(c.trackers);
            }
            at = c.parent;
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Trackers whose network signature matches a host name (Exodus searches anywhere in it).
    pub fn trackers_matching_host(&self, host: &str) -> Vec<usize> {
        let host = host.to_ascii_lowercase();
        let regexes = self.tracker_host_regexes.get_or_init(|| {
            TRACKER_HOST_PATTERNS
                .iter()
                .filter_map(|(i, p)| Regex::new(p).ok().map(|re| (*i, re)))
                .collect()
        });
        let mut out: Vec<usize> = TRACKER_HOST_LITERALS
            .iter()
            .filter(|(_, lit)| host.contains(lit))
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
            if let Some(e) = lookup(DOMAINS, rest) {
                return Some(DomainInfo {
                    owner: Some(e.owner.to_string()),
                    country: e.country.map(str::to_string),
                    basis: e.basis,
                });
            }
            match rest.split_once('.') {
                Some((_, tail)) if tail.contains('.') || lookup(DOMAINS, tail).is_some() => {
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
        let k = Knowledge::bundled();
        assert!(k.permission_count() > 900);
        assert!(k
            .permission("android.permission.ACCESS_FINE_LOCATION")
            .unwrap()
            .level
            .contains("dangerous"));
        assert_eq!(
            k.category_of("android.permission.ACCESS_FINE_LOCATION")
                .unwrap()
                .cfr202,
            Some("precise_geolocation")
        );
        assert!(k.sdks().len() > 2_000 && k.trackers().len() > 400);
        // Exodus: Umeng's analytics classes
        let umeng: Vec<_> = k
            .trackers_matching_class("com.umeng.analytics.MobclickAgent")
            .into_iter()
            .map(|i| k.trackers()[i].name)
            .collect();
        assert!(umeng.iter().any(|n| n.contains("Umeng")), "{umeng:?}");
        assert!(k
            .trackers_matching_class("com.example.refs.MainActivity")
            .is_empty());
        // a network signature: Umeng's hosts
        assert!(k
            .trackers_matching_host("alog.umeng.com")
            .iter()
            .any(|i| k.trackers()[*i].name.contains("Umeng")));
    }

    #[test]
    fn class_prefix_chains_find_every_literal_that_is_a_prefix() {
        // against the definition: every code-signature literal that `name` starts with
        let k = Knowledge::bundled();
        let naive = |name: &str| {
            let mut out: Vec<usize> = TRACKER_CODE
                .iter()
                .filter(|c| name.starts_with(c.literal))
                .flat_map(|c| c.trackers.iter().copied())
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        };
        let mut names = vec![String::new(), "a".into(), "zzz".into(), "com".into()];
        for c in TRACKER_CODE {
            let l = c.literal;
            names.push(l.to_string());
            names.push(format!("{l}Foo"));
            names.push(format!("{l}.a.B"));
            names.push(format!("{l}zz"));
            names.push(l[..l.len() - 1].to_string());
            names.push(format!("{}~", &l[..l.len() - 1]));
            names.push(format!("{}0", &l[..l.len() - 1]));
        }
        let mut matched = 0;
        for n in &names {
            let got = k.trackers_matching_class(n);
            assert_eq!(got, naive(n), "{n}");
            matched += usize::from(!got.is_empty());
        }
        assert!(matched > TRACKER_CODE.len());
        // nested literals: a class under both com.google.firebase. and com.google.firebase.analytics.
        assert!(TRACKER_CODE.iter().any(|c| c.parent != NO_PARENT));
    }

    #[test]
    fn domains_by_table_then_cctld() {
        let k = Knowledge::bundled();
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
