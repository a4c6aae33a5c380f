//! Compile the bundled knowledge (`knowledge/` at the workspace root, the source of truth) into
//! static Rust tables, so that `ictguard vet` neither parses 1 MB of JSON and TOML nor builds hash
//! maps and an automaton at start-up: the tables, their sorted indexes and the Exodus code-signature
//! prefix chains are written to `$OUT_DIR/knowledge_tables.rs` and included by `src/knowledge.rs`.
//!
//! A broken data file fails the build with the file and the reason (what `Knowledge::bundled`
//! returned as an error when it parsed at run time).
//!
//! The types here mirror the files; `src/knowledge.rs` has the borrowed twins the tables are made
//! of. Every index keeps the semantics of the run-time maps it replaces (later entries overwrite
//! earlier ones, `domain_owner` rows never overwrite a vendor's domain), so lookups answer the same.
// Rejected: serialising the parsed data (postcard, bincode) still allocates every string at start-up
// and rebuilds the maps; generated statics cost nothing until a page of them is read.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Deserialize)]
struct Permission {
    level: String,
    group: Option<String>,
    label: Option<String>,
}

#[derive(Deserialize)]
struct PermissionFile {
    permissions: BTreeMap<String, Permission>,
}

#[derive(Deserialize)]
struct DataCategory {
    id: String,
    title: String,
    cfr202: Option<String>,
    permissions: Vec<String>,
}

#[derive(Deserialize)]
struct CategoryFile {
    category: Vec<DataCategory>,
}

#[derive(Deserialize)]
struct Sdk {
    id: String,
    name: String,
    vendor: Option<String>,
    category: Option<String>,
    #[serde(default)]
    package_prefixes: Vec<String>,
    #[serde(default)]
    native_libs: Vec<String>,
    #[serde(default)]
    components: Vec<String>,
}

#[derive(Deserialize)]
struct SdkFile {
    sdks: Vec<Sdk>,
}

#[derive(Deserialize)]
struct Tracker {
    id: u32,
    name: String,
    code_signature: Option<String>,
    network_signature: Option<String>,
    website: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
}

#[derive(Deserialize)]
struct TrackerFile {
    trackers: Vec<Tracker>,
}

#[derive(Deserialize)]
struct Vendor {
    id: String,
    name: String,
    #[serde(default)]
    names: Vec<String>,
    parent: Option<String>,
    country: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
struct DomainOwner {
    domain: String,
    owner: String,
    country: Option<String>,
}

#[derive(Deserialize)]
struct VendorFile {
    #[serde(default)]
    vendor: Vec<Vendor>,
    #[serde(default)]
    domain_owner: Vec<DomainOwner>,
}

type Failure = Box<dyn std::error::Error>;

fn main() {
    if let Err(e) = run() {
        // a build script reports by exit status; the message names the file and the defect
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Failure> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../knowledge");
    let read = |file: &str| -> Result<String, Failure> {
        let path = root.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        std::fs::read_to_string(&path).map_err(|e| format!("knowledge/{file}: {e}").into())
    };
    let permissions: PermissionFile = serde_json::from_str(&read("permissions.json")?)
        .map_err(|e| format!("knowledge/permissions.json: {e}"))?;
    let categories: CategoryFile = toml::from_str(&read("permission_categories.toml")?)
        .map_err(|e| format!("knowledge/permission_categories.toml: {e}"))?;
    let sdks: SdkFile = serde_json::from_str(&read("sdks.json")?)
        .map_err(|e| format!("knowledge/sdks.json: {e}"))?;
    let trackers: TrackerFile = serde_json::from_str(&read("exodus_trackers.json")?)
        .map_err(|e| format!("knowledge/exodus_trackers.json: {e}"))?;
    let vendors: VendorFile = toml::from_str(&read("vendors.toml")?)
        .map_err(|e| format!("knowledge/vendors.toml: {e}"))?;

    let mut out = String::new();
    write_permissions(&mut out, &permissions, &categories);
    write_sdks(&mut out, &sdks.sdks);
    write_trackers(&mut out, &trackers.trackers)?;
    write_vendors(&mut out, &vendors);
    let dest = Path::new(&std::env::var("OUT_DIR")?).join("knowledge_tables.rs");
    std::fs::write(&dest, out)?;
    Ok(())
}

/// A Rust string literal (`Debug` of a `str` is one).
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn opt(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("Some({})", lit(s)),
        None => "None".into(),
    }
}

fn strs(list: &[String]) -> String {
    let items: Vec<String> = list.iter().map(|s| lit(s)).collect();
    format!("&[{}]", items.join(", "))
}

fn indices(list: &[usize]) -> String {
    let items: Vec<String> = list.iter().map(usize::to_string).collect();
    format!("&[{}]", items.join(", "))
}

/// `static NAME: &[(&str, &[usize])]`, sorted by key (a `BTreeMap` iterates in `str` order).
fn write_index(out: &mut String, name: &str, map: &BTreeMap<String, Vec<usize>>) {
    let _ = writeln!(out, "static {name}: &[(&str, &[usize])] = &[");
    for (k, v) in map {
        let _ = writeln!(out, "    ({}, {}),", lit(k), indices(v));
    }
    out.push_str("];\n");
}

fn write_permissions(out: &mut String, p: &PermissionFile, c: &CategoryFile) {
    out.push_str("static PERMISSIONS: &[(&str, Permission)] = &[\n");
    for (name, p) in &p.permissions {
        let _ = writeln!(
            out,
            "    ({}, Permission {{ level: {}, group: {}, label: {} }}),",
            lit(name),
            lit(&p.level),
            opt(&p.group),
            opt(&p.label)
        );
    }
    out.push_str("];\nstatic CATEGORIES: &[DataCategory] = &[\n");
    let mut category_of = BTreeMap::new();
    for (i, c) in c.category.iter().enumerate() {
        let _ = writeln!(
            out,
            "    DataCategory {{ id: {}, title: {}, cfr202: {}, permissions: {} }},",
            lit(&c.id),
            lit(&c.title),
            opt(&c.cfr202),
            strs(&c.permissions)
        );
        for p in &c.permissions {
            category_of.insert(p.clone(), i);
        }
    }
    out.push_str("];\nstatic CATEGORY_OF: &[(&str, usize)] = &[\n");
    for (p, i) in &category_of {
        let _ = writeln!(out, "    ({}, {i}),", lit(p));
    }
    out.push_str("];\n");
}

fn write_sdks(out: &mut String, sdks: &[Sdk]) {
    out.push_str("static SDKS: &[Sdk] = &[\n");
    let mut prefixes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut libs: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut components: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in sdks.iter().enumerate() {
        let _ = writeln!(
            out,
            "    Sdk {{ id: {}, name: {}, vendor: {}, category: {}, package_prefixes: {}, native_libs: {}, components: {} }},",
            lit(&s.id),
            lit(&s.name),
            opt(&s.vendor),
            opt(&s.category),
            strs(&s.package_prefixes),
            strs(&s.native_libs),
            strs(&s.components)
        );
        for p in &s.package_prefixes {
            let key = p.trim_end_matches('.').to_string();
            prefixes.entry(key).or_default().push(i);
        }
        for l in &s.native_libs {
            libs.entry(l.clone()).or_default().push(i);
        }
        for c in &s.components {
            components.entry(c.clone()).or_default().push(i);
        }
    }
    out.push_str("];\n");
    write_index(out, "SDK_PREFIXES", &prefixes);
    write_index(out, "SDK_LIBS", &libs);
    write_index(out, "SDK_COMPONENTS", &components);
}

fn write_trackers(out: &mut String, trackers: &[Tracker]) -> Result<(), Failure> {
    out.push_str("static TRACKERS: &[Tracker] = &[\n");
    // Exodus's code signatures are alternations of package prefixes ("com.umeng.|com.uc."): each
    // literal, the trackers it stands for, and the longest other literal that is a prefix of it
    let mut code: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut host_literals = Vec::new();
    let mut host_patterns = Vec::new();
    for (i, t) in trackers.iter().enumerate() {
        let _ = writeln!(
            out,
            "    Tracker {{ id: {}, name: {}, code_signature: {}, network_signature: {}, website: {}, categories: {} }},",
            t.id,
            lit(&t.name),
            opt(&t.code_signature),
            opt(&t.network_signature),
            opt(&t.website),
            strs(&t.categories)
        );
        if let Some(sig) = t.code_signature.as_deref() {
            for alt in sig.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                if !alt
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._$-".contains(c))
                {
                    return Err(format!(
                        "knowledge/exodus_trackers.json: code signature {alt:?} of {} is not a package prefix",
                        t.name
                    )
                    .into());
                }
                let list = code.entry(alt.to_string()).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        if let Some(net) = t.network_signature.as_deref() {
            for alt in net.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                let unescaped = alt.replace("\\.", ".").replace("\\-", "-");
                if unescaped
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
                {
                    host_literals.push((i, unescaped.to_ascii_lowercase()));
                } else {
                    host_patterns.push((i, alt.to_string()));
                }
            }
        }
    }
    out.push_str("];\nstatic TRACKER_CODE: &[CodeLiteral] = &[\n");
    let literals: Vec<&String> = code.keys().collect();
    for (lit_index, (literal, list)) in code.iter().enumerate() {
        // literals are sorted, so every prefix of this one comes before it
        let parent = (0..lit_index)
            .rev()
            .find(|&j| literal.starts_with(literals[j].as_str()));
        let parent = parent.map_or("NO_PARENT".to_string(), |j| j.to_string());
        let _ = writeln!(
            out,
            "    CodeLiteral {{ literal: {}, parent: {parent}, trackers: {} }},",
            lit(literal),
            indices(list)
        );
    }
    out.push_str("];\nstatic TRACKER_HOST_LITERALS: &[(usize, &str)] = &[\n");
    for (i, h) in &host_literals {
        let _ = writeln!(out, "    ({i}, {}),", lit(h));
    }
    out.push_str("];\nstatic TRACKER_HOST_PATTERNS: &[(usize, &str)] = &[\n");
    for (i, p) in &host_patterns {
        let _ = writeln!(out, "    ({i}, {}),", lit(p));
    }
    out.push_str("];\n");
    Ok(())
}

fn write_vendors(out: &mut String, file: &VendorFile) {
    out.push_str("static VENDORS: &[Vendor] = &[\n");
    let mut by_name = BTreeMap::new();
    let mut names_in_order = Vec::new();
    let mut domains: BTreeMap<String, (String, Option<String>, &str)> = BTreeMap::new();
    for (i, v) in file.vendor.iter().enumerate() {
        let _ = writeln!(
            out,
            "    Vendor {{ id: {}, name: {}, names: {}, parent: {}, country: {}, domains: {}, sources: {}, note: {} }},",
            lit(&v.id),
            lit(&v.name),
            strs(&v.names),
            opt(&v.parent),
            opt(&v.country),
            strs(&v.domains),
            strs(&v.sources),
            opt(&v.note)
        );
        for n in v.names.iter().chain(std::iter::once(&v.name)) {
            by_name.insert(n.to_lowercase(), i);
            names_in_order.push((n.to_lowercase(), i));
        }
        by_name.insert(v.id.to_lowercase(), i);
        for d in &v.domains {
            let owner = v.parent.clone().unwrap_or_else(|| v.name.clone());
            let country = v.country.clone().filter(|c| !c.is_empty());
            domains.insert(d.to_ascii_lowercase(), (owner, country, "vendor table"));
        }
    }
    for d in &file.domain_owner {
        domains.entry(d.domain.to_ascii_lowercase()).or_insert((
            d.owner.clone(),
            d.country.clone().filter(|c| !c.is_empty()),
            "domain table",
        ));
    }
    out.push_str("];\nstatic VENDOR_BY_NAME: &[(&str, usize)] = &[\n");
    for (n, i) in &by_name {
        let _ = writeln!(out, "    ({}, {i}),", lit(n));
    }
    out.push_str("];\nstatic VENDOR_NAMES: &[(&str, usize)] = &[\n");
    for (n, i) in &names_in_order {
        let _ = writeln!(out, "    ({}, {i}),", lit(n));
    }
    out.push_str("];\nstatic DOMAINS: &[(&str, DomainEntry)] = &[\n");
    for (d, (owner, country, basis)) in &domains {
        let _ = writeln!(
            out,
            "    ({}, DomainEntry {{ owner: {}, country: {}, basis: {} }}),",
            lit(d),
            lit(owner),
            opt(country),
            lit(basis)
        );
    }
    out.push_str("];\n");
}
