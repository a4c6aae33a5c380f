//! Fleet assessment: an MDM inventory (device, owner, organisation, package, version) checked
//! against the covered apps on a date and against vetting reports — which devices carry covered or
//! high-risk apps, counted by app and by organisation.
//!
//! A security team asks this of 40,000 devices at once; the command line, the server and a Python
//! binding all call [`assess`] and render the [`FleetReport`] their own way.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use chrono::NaiveDate;
use ictguard_rules::TransactionKind;
use ictguard_screen::engine::{Decision, ItemKind, Query, Screener};
use serde::Serialize;

/// Columns an inventory is read by (`device` and `package` are required; `state`, the US state
/// of a state agency, decides which state's device rules apply).
pub const COLUMNS: [&str; 7] = [
    "device",
    "owner",
    "organization",
    "org_type",
    "package",
    "version",
    "state",
];
/// Longest device or package field accepted.
const MAX_FIELD: usize = 1024;

/// Why an inventory could not be assessed at all (a bad row is reported in the report instead).
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The CSV could not be read.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// The header lacks a required column.
    #[error("the header lacks {missing} (columns: {columns})", missing = .0.join(", "), columns = COLUMNS.join(", "))]
    MissingColumns(Vec<&'static str>),
}

/// One device carrying a flagged app.
#[derive(Debug, Serialize)]
pub struct Flagged {
    /// The inventory line.
    pub line: u64,
    /// The device id.
    pub device: String,
    /// Its owner.
    pub owner: String,
    /// Its organisation.
    pub organization: String,
    /// `agency`, `contractor` or `state`, as the inventory says: it decides which device bans
    /// apply ([`device_context`]).
    pub org_type: String,
    /// The app's package id.
    pub package: String,
    /// The app's version.
    pub version: String,
    /// `covered` (a covered app's package id) or `high_risk` (vetted high or critical).
    pub reason: &'static str,
    /// The covered app's id, when covered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// The screening decision on the date, when covered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Orders bearing on it and their status on the date.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<String>,
    /// The vetting risk, when vetted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
}

/// Devices carrying one flagged app.
#[derive(Debug, Serialize, Default)]
pub struct AppCount {
    /// The app's package id.
    pub package: String,
    /// Why it is flagged (as [`Flagged::reason`]).
    pub reason: &'static str,
    /// Installs of it.
    pub devices: usize,
    /// Organisations with it installed.
    pub organizations: BTreeSet<String>,
}

/// One organisation's devices and flagged apps.
#[derive(Debug, Serialize, Default)]
pub struct OrgCount {
    /// The organisation.
    pub organization: String,
    /// `agency` or `contractor`, as the inventory says.
    pub org_type: String,
    /// Its devices.
    pub devices: usize,
    /// Its devices carrying a flagged app.
    pub flagged_devices: usize,
    /// The flagged apps installed there.
    pub flagged_apps: BTreeSet<String>,
}

/// The assessment of one inventory.
#[derive(Debug, Serialize)]
pub struct FleetReport {
    /// The date assessed.
    pub as_of: String,
    /// App installs read.
    pub rows: usize,
    /// Distinct devices.
    pub devices: usize,
    /// Rows skipped, with the reason.
    pub bad_rows: Vec<String>,
    /// Every install of a covered or high-risk app.
    pub flagged: Vec<Flagged>,
    /// Flagged apps, most installed first.
    pub by_app: Vec<AppCount>,
    /// Organisations, most flagged devices first.
    pub by_organization: Vec<OrgCount>,
}

/// A covered app's screening outcome for a package: app id, decision, orders with status.
type Covered = Option<(String, Decision, Vec<String>)>;

/// Assess an inventory (CSV with a header naming [`COLUMNS`], fields separated by `delimiter`,
/// decoded to UTF-8 by the caller: see `ictguard_screen::intake`) on a date. `vetted` maps package
/// ids to vetting risk levels (from `ictguard vet --format json`): `high` and `critical` flag.
pub fn assess(
    inventory: impl Read,
    delimiter: u8,
    screener: &Screener,
    vetted: &HashMap<String, String>,
    as_of: NaiveDate,
) -> Result<FleetReport, FleetError> {
    // Windows line ends as `\n`, so the lines named in `bad_rows` are right
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(ictguard_screen::crlf::CrlfToLf::new(inventory));
    let headers = reader.headers()?.clone();
    let index: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(c))
        })
        .collect();
    let missing: Vec<&'static str> = COLUMNS
        .iter()
        .zip(&index)
        .filter(|(c, i)| i.is_none() && matches!(**c, "device" | "package"))
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        return Err(FleetError::MissingColumns(missing));
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
    let mut cache: HashMap<(String, Option<TransactionKind>, Option<String>), Covered> =
        HashMap::new();
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
        let state = match field(6) {
            s if s.is_empty() => None,
            s => match ictguard_rules::us_state_code(&s) {
                Some(code) => Some(code.to_string()),
                None => {
                    // the install is still assessed (a state rule then asks for the state)
                    report.bad_rows.push(format!(
                        "line {line}: state {s:?} is not a US state code (TX); screened without a state"
                    ));
                    None
                }
            },
        };
        let context = device_context(&field(3), state.is_some());
        let covered = cache
            .entry((package.clone(), context, state.clone()))
            .or_insert_with(|| covered_app(screener, &package, context, state, as_of))
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
    Ok(report)
}

/// What having an app on a device of this kind of organisation is, in the rules' terms: the
/// device bans bind federal agencies, federal contractors and (in state packs) state agencies.
/// A plain `agency` is a state agency when the row names a state (the `state` column is the
/// state of a state agency) and a federal one otherwise; `federal_agency` and `state_agency` say
/// it outright. Another `org_type` screens the app without a context.
pub fn device_context(org_type: &str, state_given: bool) -> Option<TransactionKind> {
    match org_type
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
        .as_str()
    {
        "agency" if state_given => Some(TransactionKind::StateAgencyDevice),
        "agency" | "federal_agency" | "federal" => Some(TransactionKind::FederalAgencyDevice),
        "contractor" | "federal_contractor" => Some(TransactionKind::FederalContractorDevice),
        "state" | "state_agency" => Some(TransactionKind::StateAgencyDevice),
        _ => None,
    }
}

/// The covered app a package id is, with its decision and orders on the date (for the device
/// context, when known), if any.
fn covered_app(
    screener: &Screener,
    package: &str,
    context: Option<TransactionKind>,
    state: Option<String>,
    as_of: NaiveDate,
) -> Covered {
    let q = Query {
        package: Some(package.to_string()),
        kind: context.map(|k| k.as_str().to_string()),
        state,
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
}
