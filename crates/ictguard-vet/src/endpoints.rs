//! Network endpoints named in the code and text assets, with owner and jurisdiction from the
//! offline tables (vendor and domain tables, then country-code TLDs; never live DNS). Endpoints in
//! a foreign-adversary country, and plain-HTTP URLs, are findings.

use crate::report::{Endpoint, Evidence, Finding, SdkFound, Severity};
use crate::rules::Rule;
use crate::Context;

/// Endpoint findings raised per app at most (the table lists them all).
const MAX_FINDINGS: usize = 50;

/// Attribute every endpoint; raise findings for foreign-adversary and cleartext ones.
pub(crate) fn check(
    cx: &Context,
    _sdks: &[SdkFound],
    findings: &mut Vec<Finding>,
) -> Vec<Endpoint> {
    let k = cx.knowledge;
    let mut out = Vec::new();
    for s in &cx.scan.endpoints {
        let info = k.domain(&s.host);
        let private = private_address(&s.host);
        let tracker = k
            .trackers_matching_host(&s.host)
            .first()
            .map(|i| k.trackers()[*i].name.to_string());
        let country = info.as_ref().and_then(|i| i.country.clone());
        let foreign_adversary = country.as_deref().and_then(|c| cx.adversary(c)).is_some();
        out.push(Endpoint {
            host: s.host.clone(),
            url: s.url.clone(),
            owner: info.as_ref().and_then(|i| i.owner.clone()),
            country,
            basis: info
                .as_ref()
                .map(|i| i.basis.to_string())
                .or_else(|| private.then(|| "private or reserved address".to_string())),
            cleartext: s.cleartext,
            foreign_adversary,
            tracker,
            evidence: s
                .places
                .iter()
                .map(|p| {
                    Evidence::with(
                        p.clone(),
                        s.url.clone().unwrap_or_else(|| s.host.clone()),
                        "string",
                    )
                })
                .collect(),
        });
    }
    out.sort_by(|a, b| {
        b.foreign_adversary
            .cmp(&a.foreign_adversary)
            .then(a.host.cmp(&b.host))
    });
    for e in out
        .iter()
        .filter(|e| e.foreign_adversary)
        .take(MAX_FINDINGS)
    {
        let country = e.country.clone().unwrap_or_default();
        findings.push(Finding::new(
            Rule::EndpointAdversary,
            Rule::EndpointAdversary.key(&e.host),
            Severity::Medium,
            format!("endpoint in {country}: {}", e.host),
            format!(
                "The app names {}{}, attributed to {country} by {}; {}.",
                e.url.as_deref().unwrap_or(&e.host),
                e.owner
                    .as_ref()
                    .map(|o| format!(" ({o})"))
                    .unwrap_or_default(),
                e.basis.clone().unwrap_or_default(),
                cx.adversary(&country).unwrap_or_default()
            ),
            e.evidence.clone(),
        ));
    }
    let clear: Vec<&Endpoint> = out
        .iter()
        .filter(|e| e.cleartext && !private_address(&e.host))
        .collect();
    if !clear.is_empty() {
        findings.push(Finding::new(
            Rule::EndpointCleartext,
            Rule::EndpointCleartext.id().into(),
            Severity::Low,
            format!("{} plain-HTTP endpoint(s)", clear.len()),
            "Data sent to these URLs travels unencrypted and can be read or changed on the way."
                .into(),
            clear
                .iter()
                .take(10)
                .flat_map(|e| e.evidence.first().cloned())
                .collect(),
        ));
    }
    out
}

/// RFC 1918 private, link-local, shared and documentation IPv4 ranges.
fn private_address(host: &str) -> bool {
    let o: Vec<u8> = host.split('.').filter_map(|p| p.parse().ok()).collect();
    if o.len() != 4 || host.split('.').count() != 4 {
        return false;
    }
    matches!(
        (o[0], o[1], o[2]),
        (10, _, _) | (192, 168, _) | (169, 254, _) | (192, 0, 2) | (198, 51, 100) | (203, 0, 113)
    ) || (o[0] == 172 && (16..=31).contains(&o[1]))
        || (o[0] == 100 && (64..=127).contains(&o[1]))
}
