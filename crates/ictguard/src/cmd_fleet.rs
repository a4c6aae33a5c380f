//! `ictguard fleet`: an MDM inventory (device, owner, organisation, package, version) checked
//! against the covered apps on a date, and against vetting reports: which devices carry covered or
//! high-risk apps, counted by app and by organisation.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::{bail, Context as _};
use ictguard_rules::RulePack;
use ictguard_screen::engine::{Decision, ItemKind, Query, ScreenConfig, Screener};
use serde::Serialize;

use crate::cli::FleetArgs;
use crate::{as_of_or_today, Outcome};

/// Columns the inventory must have.
const COLUMNS: [&str; 6] = [
    "device",
    "owner",
    "organization",
    "org_type",
    "package",
    "version",
];
/// Longest field accepted.
const MAX_FIELD: usize = 1024;

/// One device carrying a flagged app.
#[derive(Debug, Serialize)]
struct Flagged {
    line: u64,
    device: String,
    owner: String,
    organization: String,
    org_type: String,
    package: String,
    version: String,
    /// `covered` (a covered app's package id) or `high_risk` (vetted high or critical).
    reason: &'static str,
    /// The covered app's id, when covered.
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<String>,
    /// The screening decision on the date, when covered.
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<Decision>,
    /// Orders bearing on it and their status on the date.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    orders: Vec<String>,
    /// The vetting risk, when vetted.
    #[serde(skip_serializing_if = "Option::is_none")]
    risk: Option<String>,
}

#[derive(Debug, Serialize, Default)]
struct AppCount {
    package: String,
    reason: &'static str,
    devices: usize,
    organizations: BTreeSet<String>,
}

#[derive(Debug, Serialize, Default)]
struct OrgCount {
    organization: String,
    org_type: String,
    devices: usize,
    flagged_devices: usize,
    flagged_apps: BTreeSet<String>,
}

#[derive(Debug, Serialize)]
struct FleetReport {
    as_of: String,
    rows: usize,
    devices: usize,
    bad_rows: Vec<String>,
    flagged: Vec<Flagged>,
    by_app: Vec<AppCount>,
    by_organization: Vec<OrgCount>,
}

/// package → risk, from `ictguard vet --format json` lines.
fn read_vetted(path: &std::path::Path) -> anyhow::Result<HashMap<String, String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = HashMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON line", path.display(), n + 1))?;
        if let (Some(p), Some(r)) = (v["package"].as_str(), v["risk"].as_str()) {
            out.insert(p.to_string(), r.to_string());
        }
    }
    Ok(out)
}

pub fn run(pack: RulePack, args: &FleetArgs) -> anyhow::Result<Outcome> {
    let as_of = as_of_or_today(args.as_of.as_deref())?;
    let vetted = match &args.vetted {
        Some(p) => read_vetted(p)?,
        None => HashMap::new(),
    };
    let screener = Screener::new(pack, Vec::new(), ScreenConfig::default());
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&args.inventory)
        .with_context(|| format!("cannot read {}", args.inventory.display()))?;
    let headers = reader.headers()?.clone();
    let index: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(c))
        })
        .collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(&index)
        .filter(|(c, i)| i.is_none() && matches!(**c, "device" | "package"))
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        bail!(
            "{}: the header lacks {} (columns: {})",
            args.inventory.display(),
            missing.join(", "),
            COLUMNS.join(", ")
        );
    }
    let mut report = FleetReport {
        as_of: as_of.to_string(),
        rows: 0,
        devices: 0,
        bad_rows: Vec::new(),
        flagged: Vec::new(),
        by_app: Vec::new(),
        by_organization: Vec::new(),
    };
    let mut devices: BTreeSet<String> = BTreeSet::new();
    let mut orgs: BTreeMap<String, OrgCount> = BTreeMap::new();
    let mut org_devices: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut flagged_org_devices: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // screening results per package (inventories repeat packages across devices)
    let mut cache: HashMap<String, Option<(String, Decision, Vec<String>)>> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.bad_rows.push(format!("{e}"));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |i: usize| -> String {
            index[i]
                .and_then(|j| record.get(j))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let (device, package) = (field(0), field(4));
        if device.is_empty()
            || package.is_empty()
            || device.len() > MAX_FIELD
            || package.len() > MAX_FIELD
        {
            report.bad_rows.push(format!(
                "line {line}: device and package are required (and short)"
            ));
            continue;
        }
        if !ictguard_rules::valid_app_identifier(&package) {
            report
                .bad_rows
                .push(format!("line {line}: {package:?} is not a package id"));
            continue;
        }
        report.rows += 1;
        devices.insert(device.clone());
        let organization = field(2);
        let org = orgs
            .entry(organization.clone())
            .or_insert_with(|| OrgCount {
                organization: organization.clone(),
                org_type: field(3),
                ..OrgCount::default()
            });
        org_devices
            .entry(organization.clone())
            .or_default()
            .insert(device.clone());
        let covered = cache
            .entry(package.clone())
            .or_insert_with(|| {
                let q = Query {
                    package: Some(package.clone()),
                    ..Query::default()
                };
                let r = screener.screen(&q, as_of).ok()?;
                let m = r.matches.into_iter().find(|m| m.kind == ItemKind::App)?;
                let orders = m
                    .orders
                    .iter()
                    .map(|o| format!("{} {}", o.id, o.status.as_str()))
                    .collect();
                Some((m.id, m.decision, orders))
            })
            .clone();
        let risk = vetted.get(&package).cloned();
        let high_risk = risk
            .as_deref()
            .is_some_and(|r| r == "high" || r == "critical");
        let reason = match (&covered, high_risk) {
            (Some(_), _) => "covered",
            (None, true) => "high_risk",
            (None, false) => continue,
        };
        org.flagged_apps.insert(package.clone());
        flagged_org_devices
            .entry(organization.clone())
            .or_default()
            .insert(device.clone());
        report.flagged.push(Flagged {
            line,
            device,
            owner: field(1),
            organization,
            org_type: field(3),
            package,
            version: field(5),
            reason,
            app: covered.as_ref().map(|c| c.0.clone()),
            decision: covered.as_ref().map(|c| c.1),
            orders: covered.map(|c| c.2).unwrap_or_default(),
            risk,
        });
    }
    report.devices = devices.len();
    let mut by_app: BTreeMap<String, AppCount> = BTreeMap::new();
    for f in &report.flagged {
        let a = by_app.entry(f.package.clone()).or_insert_with(|| AppCount {
            package: f.package.clone(),
            reason: f.reason,
            ..AppCount::default()
        });
        a.devices += 1;
        a.organizations.insert(f.organization.clone());
    }
    report.by_app = by_app.into_values().collect();
    report
        .by_app
        .sort_by(|a, b| b.devices.cmp(&a.devices).then(a.package.cmp(&b.package)));
    for (name, mut o) in orgs {
        o.devices = org_devices.get(&name).map_or(0, BTreeSet::len);
        o.flagged_devices = flagged_org_devices.get(&name).map_or(0, BTreeSet::len);
        report.by_organization.push(o);
    }
    report.by_organization.sort_by(|a, b| {
        b.flagged_devices
            .cmp(&a.flagged_devices)
            .then(a.organization.cmp(&b.organization))
    });

    let mut out = String::new();
    if args.json {
        out = serde_json::to_string(&report)? + "\n";
    } else {
        let _ = writeln!(
            out,
            "{} devices, {} app installs read as of {}; {} installs of covered or high-risk apps",
            report.devices,
            report.rows,
            report.as_of,
            report.flagged.len()
        );
        let _ = writeln!(
            out,
            "\nBY APP\n  {:<40} {:<9} {:>7}  organizations",
            "package", "reason", "devices"
        );
        for a in &report.by_app {
            let _ = writeln!(
                out,
                "  {:<40} {:<9} {:>7}  {}",
                a.package,
                a.reason,
                a.devices,
                a.organizations
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(
            out,
            "\nBY ORGANIZATION\n  {:<32} {:<10} {:>7} {:>8}  apps",
            "organization", "type", "devices", "flagged"
        );
        for o in &report.by_organization {
            let _ = writeln!(
                out,
                "  {:<32} {:<10} {:>7} {:>8}  {}",
                o.organization,
                o.org_type,
                o.devices,
                o.flagged_devices,
                o.flagged_apps
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(out, "\nDEVICES");
        for f in &report.flagged {
            let _ = writeln!(
                out,
                "  {:<20} {:<24} {:<28} {} {} ({}{})",
                f.device,
                f.owner,
                f.organization,
                f.package,
                f.version,
                f.reason,
                match (&f.decision, &f.risk) {
                    (Some(d), _) => format!(", screening {}: {}", d.as_str(), f.orders.join(", ")),
                    (None, Some(r)) => format!(", vetted {r}"),
                    _ => String::new(),
                }
            );
        }
        for b in &report.bad_rows {
            let _ = writeln!(out, "skipped: {b}");
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    if !report.bad_rows.is_empty() {
        eprintln!("ictguard: {} bad rows skipped", report.bad_rows.len());
    }
    Ok(if report.flagged.is_empty() || args.exit_zero {
        Outcome::Clean
    } else {
        Outcome::Flagged
    })
}
