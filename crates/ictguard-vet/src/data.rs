//! Sensitive data access: each requested permission with its protection level and the personal
//! data it opens, and one finding per category of personal data reached.

use std::collections::BTreeMap;

use crate::report::{Evidence, Finding, PermissionUse, Severity};
use crate::rules::Rule;
use crate::Context;

/// Categories whose data the EO 14034 review weighs most (location, communications, sensors).
const MOST_SENSITIVE: &[&str] = &[
    "precise_location",
    "sms_call_log",
    "microphone",
    "camera",
    "contacts",
];

/// List the permissions and raise one finding per personal-data category they open.
pub(crate) fn check(cx: &Context, findings: &mut Vec<Finding>) -> Vec<PermissionUse> {
    let implied: Vec<&str> = cx
        .summary
        .implied_permissions
        .iter()
        .filter_map(|p| p.split(' ').next())
        .collect();
    let mut uses = Vec::new();
    let mut by_category: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in &cx.summary.permissions {
        let level = cx.knowledge.permission(name).map(|p| p.level.to_string());
        let category = cx.knowledge.category_of(name);
        // normal-level permissions (ACCESS_WIFI_STATE, say) open little on their own; dangerous,
        // signature and privileged ones count, as do those outside AOSP's list in a category
        let counts = category.is_some()
            && level.as_deref().is_none_or(|l| {
                l.contains("dangerous")
                    || l.contains("signature")
                    || l.contains("privileged")
                    || l.contains("appop")
            });
        if counts {
            by_category
                .entry(category.map(|c| c.id.to_string()).unwrap_or_default())
                .or_default()
                .push(name.clone());
        }
        uses.push(PermissionUse {
            name: name.clone(),
            protection_level: level,
            category: category.map(|c| c.id.to_string()),
            implied: implied.contains(&name.as_str()),
        });
    }
    for (id, permissions) in by_category {
        let Some(category) = cx.knowledge.categories().iter().find(|c| c.id == id) else {
            continue;
        };
        let severity = if MOST_SENSITIVE.contains(&id.as_str()) {
            Severity::Medium
        } else {
            Severity::Low
        };
        let mut finding = Finding::new(
            Rule::DataAccess,
            Rule::DataAccess.key(&id),
            severity,
            format!("reaches {}", category.title.to_lowercase()),
            format!(
                "The app requests {} ({}){}.",
                permissions.join(", "),
                category.title.to_lowercase(),
                category
                    .cfr202
                    .map(|c| format!(", sensitive personal data under 28 CFR 202 ({c})"))
                    .unwrap_or_default()
            ),
            permissions
                .iter()
                .map(|p| {
                    let level = cx
                        .knowledge
                        .permission(p)
                        .map_or("not an AOSP permission", |x| x.level);
                    Evidence::with(
                        "AndroidManifest.xml",
                        p.clone(),
                        format!("uses-permission, protection level {level}"),
                    )
                })
                .collect(),
        );
        finding.data_categories = category.cfr202.iter().map(|c| c.to_string()).collect();
        findings.push(finding);
    }
    uses
}
