//! Identity and ownership: is this a covered app (by package id, or by the key that signs it), and
//! is it signed by a covered company or from a foreign-adversary country?

use ictguard_screen::engine::{Decision, ItemKind, Query};

use crate::report::{Covered, Evidence, Finding, Severity};
use crate::rules::Rule;
use crate::Context;

/// Raise identity and ownership findings; return the covered items matched.
pub(crate) fn check(cx: &Context, findings: &mut Vec<Finding>) -> Vec<Covered> {
    let mut covered: Vec<Covered> = Vec::new();
    let pack = cx.screener.pack();

    // the package id, exactly, against covered apps' identifiers
    if let Some(package) = cx.summary.package.as_deref() {
        let q = Query {
            package: Some(package.to_string()),
            ..Query::default()
        };
        if let Ok(r) = cx.screener.screen(&q, cx.as_of) {
            for m in r.matches.iter().filter(|m| m.kind == ItemKind::App) {
                covered.push(Covered {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    kind: "app".into(),
                    matched_by: "package".into(),
                    value: package.to_string(),
                    decision: m.decision,
                    orders: m.orders.clone(),
                });
                findings.push(Finding::new(
                    Rule::CoveredApp,
                    Rule::CoveredApp.key(&m.id),
                    severity_of(m.decision),
                    format!("package id of a covered app: {}", m.name),
                    format!("The package id {package} is {}'s; {}", m.name, m.reason),
                    vec![Evidence::with(
                        "AndroidManifest.xml",
                        package,
                        "manifest package",
                    )],
                ));
            }
        }
    }

    // the signing key: a covered app's certificate signs this APK, whatever it is called
    for signer in &cx.summary.signers {
        let sha = &signer.certificate.sha256;
        for app in pack.apps.iter().map(|a| &a.item) {
            if !app.certificates.iter().any(|c| c.eq_ignore_ascii_case(sha)) {
                continue;
            }
            // the orders and decision for that app, as screening gives them
            let q = Query {
                package: app.android.first().cloned(),
                app: app.android.is_empty().then(|| app.name.clone()),
                ..Query::default()
            };
            let Ok(r) = cx.screener.screen(&q, cx.as_of) else {
                continue;
            };
            let Some(m) = r.matches.iter().find(|m| m.id == app.id) else {
                continue;
            };
            if covered
                .iter()
                .any(|c| c.id == app.id && c.matched_by == "certificate")
            {
                continue;
            }
            covered.push(Covered {
                id: app.id.clone(),
                name: app.name.clone(),
                kind: "app".into(),
                matched_by: "certificate".into(),
                value: sha.clone(),
                decision: m.decision,
                orders: m.orders.clone(),
            });
            let repackaged = cx
                .summary
                .package
                .as_deref()
                .is_some_and(|p| !app.android.iter().any(|a| a.eq_ignore_ascii_case(p)));
            findings.push(Finding::new(
                Rule::CoveredCert,
                Rule::CoveredCert.key(&app.id),
                severity_of(m.decision),
                format!("signed with {}'s key", app.name),
                if repackaged {
                    format!("The APK is signed with the certificate that signs {}, under another package id: a covered app repackaged. {}", app.name, m.reason)
                } else {
                    format!("The APK is signed with {}'s certificate. {}", app.name, m.reason)
                },
                vec![Evidence::with("signing certificate", sha.clone(), signer.certificate.subject.clone().unwrap_or_default())],
            ));
        }
    }

    // who signed it: the certificate's organisation and common name against covered entities
    for signer in &cx.summary.signers {
        let c = &signer.certificate;
        let mut names: Vec<&str> = c.organization.iter().map(String::as_str).collect();
        if let Some(cn) = c.common_name.as_deref() {
            if !names.contains(&cn) {
                names.push(cn);
            }
        }
        for name in names {
            let q = Query {
                name: Some(name.to_string()),
                ..Query::default()
            };
            let Ok(r) = cx.screener.screen(&q, cx.as_of) else {
                continue;
            };
            for m in r.matches.iter().filter(|m| {
                m.decision != Decision::Allow || m.score >= cx.screener.config().review_threshold
            }) {
                if covered.iter().any(|x| x.id == m.id) {
                    continue;
                }
                covered.push(Covered {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    kind: match m.kind {
                        ItemKind::App => "app",
                        ItemKind::Entity => "entity",
                        ItemKind::List => "list",
                    }
                    .into(),
                    matched_by: "signer".into(),
                    value: name.to_string(),
                    decision: m.decision,
                    orders: m.orders.clone(),
                });
                findings.push(Finding::new(
                    Rule::CoveredSigner,
                    Rule::CoveredSigner.key(&m.id),
                    severity_of(m.decision),
                    format!("signed by {}", m.name),
                    format!(
                        "The signing certificate names {name:?}, which matches {} (score {:.2}). {}",
                        m.name, m.score, m.reason
                    ),
                    vec![Evidence::with("signing certificate", c.sha256.clone(), c.subject.clone().unwrap_or_default())],
                ));
            }
        }
        // the country the signer states: self-declared, but a foreign adversary's is worth a look
        if let Some(country) = c.country.as_deref() {
            if let Some(designation) = cx.adversary(country) {
                findings.push(Finding::new(
                    Rule::SignerAdversary,
                    Rule::SignerAdversary.key(&c.sha256),
                    Severity::Medium,
                    format!("signer in a foreign-adversary country ({country})"),
                    format!(
                        "The signing certificate gives C={country}: {designation} on {}. The field is the signer's own statement, not proof of control.",
                        cx.as_of
                    ),
                    vec![Evidence::with("signing certificate", c.sha256.clone(), c.subject.clone().unwrap_or_default())],
                ));
            }
        }
    }
    covered
}

fn severity_of(d: Decision) -> Severity {
    match d {
        Decision::Block => Severity::Critical,
        Decision::Review => Severity::High,
        Decision::Allow => Severity::Medium,
    }
}
