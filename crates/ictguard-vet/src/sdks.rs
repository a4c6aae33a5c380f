//! Embedded SDKs and trackers, from DEX class names (Exodus code signatures and SDK package
//! prefixes), native library names and manifest components, each with its vendor, parent company
//! and country; an SDK from a foreign-adversary country is a finding, with the personal data the
//! app's permissions open to it.

use std::collections::BTreeMap;

use rayon::slice::ParallelSliceMut;

use crate::report::{Evidence, Finding, SdkFound, Severity};
use crate::rules::Rule;
use crate::Context;

/// Evidence items kept per SDK.
const MAX_EVIDENCE: usize = 5;

/// Find the SDKs; raise a finding for each one from a foreign-adversary country.
pub(crate) fn check(cx: &Context, findings: &mut Vec<Finding>) -> Vec<SdkFound> {
    let k = cx.knowledge;
    // (source, index) → evidence
    let mut hits: BTreeMap<(&'static str, usize), Vec<Evidence>> = BTreeMap::new();
    let mut note = |key: (&'static str, usize), ev: Evidence| {
        let list = hits.entry(key).or_default();
        if list.len() < MAX_EVIDENCE && !list.contains(&ev) {
            list.push(ev);
        }
    };

    // classes: each package prefix of each class once, then the Exodus regexes on the classes;
    // in name order (names are unique, so an unstable sort is as deterministic), on every core
    let mut classes: Vec<(&String, &String)> = cx.scan.classes.iter().collect();
    classes.par_sort_unstable();
    let mut previous = "";
    for (class, dex) in &classes {
        let mut end = 0;
        while let Some(dot) = class[end..].find('.') {
            end += dot;
            let package = &class[..end];
            // the classes of a package ("P.") are neighbours in name order: the first of them is
            // where the package is first seen
            if !previous.starts_with(&class[..=end]) {
                for &i in k.sdks_with_prefix(package) {
                    note(
                        ("sdk-signatures", i),
                        Evidence::with(dex.as_str(), class.as_str(), format!("package {package}")),
                    );
                }
            }
            end += 1;
        }
        previous = class;
        for i in k.trackers_matching_class(class) {
            note(
                ("exodus", i),
                Evidence::with(
                    dex.as_str(),
                    class.as_str(),
                    "class name matches the Exodus code signature",
                ),
            );
        }
        for &i in k.sdks_with_component(class) {
            note(
                ("sdk-signatures", i),
                Evidence::with(
                    dex.as_str(),
                    class.as_str(),
                    "class of a component the SDK declares",
                ),
            );
        }
    }
    // manifest components the SDKs declare
    for component in &cx.apk.manifest.components {
        for &i in k.sdks_with_component(&component.name) {
            note(
                ("sdk-signatures", i),
                Evidence::with(
                    "AndroidManifest.xml",
                    component.name.clone(),
                    format!("{} declared by the SDK", component.kind),
                ),
            );
        }
    }
    // native libraries
    for (abi, libs) in &cx.summary.inventory.native_libraries {
        for lib in libs {
            let file = lib.rsplit('/').next().unwrap_or(lib);
            for &i in k.sdks_with_library(file) {
                note(
                    ("sdk-signatures", i),
                    Evidence::with(
                        format!("lib/{abi}/{file}"),
                        file.to_string(),
                        "native library of the SDK",
                    ),
                );
            }
        }
    }

    let reached = reached_categories(cx);
    let mut out: Vec<SdkFound> = Vec::new();
    for ((source, i), evidence) in hits {
        let (name, vendor_name, category) = match source {
            "exodus" => {
                let t = &k.trackers()[i];
                (
                    t.name.to_string(),
                    None,
                    t.categories.first().map(|c| c.to_string()),
                )
            }
            _ => {
                let s = &k.sdks()[i];
                (
                    s.name.to_string(),
                    s.vendor.map(str::to_string),
                    s.category.map(str::to_string),
                )
            }
        };
        let vendor = vendor_name
            .as_deref()
            .and_then(|v| k.vendor(v))
            .or_else(|| k.vendor(&name))
            .or_else(|| {
                // an Exodus tracker: its website's domain
                let t = (source == "exodus").then(|| &k.trackers()[i])?;
                let host = t.website?.split("://").nth(1)?.split('/').next()?;
                k.vendors().iter().find(|v| {
                    v.domains
                        .iter()
                        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
                })
            });
        let country = vendor
            .and_then(|v| v.country)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        // the same SDK found twice (both databases, or two entries of one) is one SDK: same vendor,
        // and the same name (one containing the other) or the same classes
        let lower = name.to_lowercase();
        if let Some(existing) = out.iter_mut().find(|o| {
            let other = o.name.to_lowercase();
            o.vendor.is_some()
                && o.vendor.as_deref() == vendor.map(|v| v.name)
                && (other.contains(&lower)
                    || lower.contains(&other)
                    || o.evidence
                        .iter()
                        .any(|e| evidence.iter().any(|f| f.item == e.item)))
        }) {
            if !existing.source.contains(source) {
                existing.source = format!("{}+{source}", existing.source);
            }
            for e in evidence {
                let known = existing
                    .evidence
                    .iter()
                    .any(|x| x.file == e.file && x.item == e.item);
                if existing.evidence.len() < MAX_EVIDENCE && !known {
                    existing.evidence.push(e);
                }
            }
            continue;
        }
        let foreign_adversary = country.as_deref().and_then(|c| cx.adversary(c)).is_some();
        out.push(SdkFound {
            name,
            vendor: vendor.map(|v| v.name.to_string()).or(vendor_name),
            parent: vendor.and_then(|v| v.parent).map(str::to_string),
            country,
            category,
            source: source.to_string(),
            foreign_adversary,
            data_reached: reached.clone(),
            evidence,
        });
    }
    out.sort_by(|a, b| {
        b.foreign_adversary
            .cmp(&a.foreign_adversary)
            .then(a.name.cmp(&b.name))
    });

    for sdk in out.iter().filter(|s| s.foreign_adversary) {
        let country = sdk.country.clone().unwrap_or_default();
        let designation = cx.adversary(&country).unwrap_or_default();
        findings.push(Finding::new(
            Rule::SdkAdversary,
            Rule::SdkAdversary.key(&sdk.name),
            if sdk.data_reached.is_empty() {
                Severity::Medium
            } else {
                Severity::High
            },
            format!(
                "{} SDK from {country}: {}",
                sdk.category.clone().unwrap_or_else(|| "third-party".into()),
                sdk.name
            ),
            format!(
                "{} ({}{}) is embedded; {designation}. It runs with the app's permissions{}.",
                sdk.name,
                sdk.vendor.clone().unwrap_or_default(),
                sdk.parent
                    .as_ref()
                    .filter(|p| Some(*p) != sdk.vendor.as_ref())
                    .map(|p| format!(", part of {p}"))
                    .unwrap_or_default(),
                if sdk.data_reached.is_empty() {
                    String::new()
                } else {
                    format!(", which open: {}", sdk.data_reached.join(", "))
                }
            ),
            sdk.evidence.clone(),
        ));
    }
    out
}

/// The personal-data categories the app's permissions open (an embedded SDK runs with all of them).
fn reached_categories(cx: &Context) -> Vec<String> {
    let mut out: Vec<String> = cx
        .summary
        .permissions
        .iter()
        .filter_map(|p| {
            let level = cx
                .knowledge
                .permission(p)
                .map(|x| x.level)
                .unwrap_or("dangerous");
            (level.contains("dangerous") || level.contains("signature") || level.contains("appop"))
                .then(|| cx.knowledge.category_of(p).map(|c| c.id.to_string()))
                .flatten()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
