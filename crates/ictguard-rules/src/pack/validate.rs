//! Checks that a merged pack is consistent: references resolve, dates are possible, values are sane.
//!
//! Parsing already rejects unknown keys and malformed values; this module checks what only the whole
//! pack can tell.

use chrono::Days;

use super::{ItemKind, Origin, RulePack};
use crate::diagnostic::Diagnostic;
use crate::model::{EventKind, OrderKind};

struct Checker<'a> {
    pack: &'a RulePack,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(
        &mut self,
        kind: ItemKind,
        id: &str,
        origin: &Origin,
        path: &[(&str, Option<usize>)],
        message: String,
    ) {
        let src = &self.pack.sources[origin.file];
        let mut field = format!("{}[{id}]", kind.table());
        for (name, index) in path {
            field.push('.');
            field.push_str(name);
            if let Some(i) = index {
                field.push_str(&format!("[{i}]"));
            }
        }
        self.out.push(Diagnostic {
            file: src.name.clone(),
            line: src.field_line(&origin.span, path),
            field,
            message,
        });
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

fn valid_country(c: &str) -> bool {
    c.len() == 2 && c.chars().all(|c| c.is_ascii_uppercase())
}

/// A plausible Android package id or iOS bundle id: dot-separated segments of [A-Za-z0-9_-].
pub fn valid_app_identifier(s: &str) -> bool {
    s.contains('.')
        && s.len() <= 255
        && s.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// Every problem in the pack.
pub fn validate(pack: &RulePack) -> Vec<Diagnostic> {
    let mut c = Checker {
        pack,
        out: Vec::new(),
    };
    check_orders(&mut c);
    check_order_terms(&mut c);
    check_apps(&mut c);
    check_entities(&mut c);
    check_others(&mut c);
    check_data_rules(&mut c);
    c.out
}

/// The data categories transfer records may name.
pub const DATA_CATEGORIES: &[&str] = &[
    "genomic",
    "other_omic",
    "biometric",
    "precise_geolocation",
    "health",
    "financial",
    "personal_identifiers",
];

fn check_data_rules(c: &mut Checker) {
    let pack = c.pack;
    for lr in &pack.data_rules {
        let (r, at) = (&lr.item, &lr.origin);
        let k = ItemKind::DataRule;
        if pack.country_list(&r.countries).is_none() {
            c.error(
                k,
                &r.id,
                at,
                &[("countries", None)],
                format!("unknown country list {:?}", r.countries),
            );
        }
        if let Some(end) = r.ended {
            if end <= r.effective {
                c.error(
                    k,
                    &r.id,
                    at,
                    &[("ended", None)],
                    format!("ended {end} is not after effective {}", r.effective),
                );
            }
        }
        if r.window_months == 0 || r.window_months > 120 {
            c.error(
                k,
                &r.id,
                at,
                &[("window_months", None)],
                "the window must be 1 to 120 months".into(),
            );
        }
        let mut seen = Vec::new();
        for (i, t) in r.threshold.iter().enumerate() {
            if !DATA_CATEGORIES.contains(&t.category.as_str()) {
                c.error(
                    k,
                    &r.id,
                    at,
                    &[("threshold", Some(i)), ("category", None)],
                    format!(
                        "unknown category {:?}; expected one of {}",
                        t.category,
                        DATA_CATEGORIES.join(", ")
                    ),
                );
            }
            if seen.contains(&t.category) {
                c.error(
                    k,
                    &r.id,
                    at,
                    &[("threshold", Some(i)), ("category", None)],
                    format!("category {:?} has two thresholds", t.category),
                );
            }
            seen.push(t.category.clone());
        }
        for (field, clauses) in [("prohibited", &r.prohibited), ("restricted", &r.restricted)] {
            for (i, cl) in clauses.iter().enumerate() {
                for cat in &cl.categories {
                    if !DATA_CATEGORIES.contains(&cat.as_str()) {
                        c.error(
                            k,
                            &r.id,
                            at,
                            &[(field, Some(i)), ("categories", None)],
                            format!("unknown category {cat:?}"),
                        );
                    }
                }
            }
        }
    }
}

fn check_orders(c: &mut Checker) {
    let pack = c.pack;
    for lo in &pack.orders {
        let (o, at) = (&lo.item, &lo.origin);
        let k = ItemKind::Order;
        if !valid_id(&o.id) {
            c.error(
                k,
                &o.id,
                at,
                &[("id", None)],
                "ids may hold only letters, digits, '.', '_' and '-'".into(),
            );
        }
        if o.effective.date < o.signed {
            c.error(
                k,
                &o.id,
                at,
                &[("effective", None)],
                format!(
                    "effective date {} is before the order was signed ({})",
                    o.effective.date, o.signed
                ),
            );
        }
        if let Some(days) = o.effective.days_after_signing {
            let computed = o.signed.checked_add_days(Days::new(days.into()));
            if computed != Some(o.effective.date) {
                c.error(
                    k,
                    &o.id,
                    at,
                    &[("effective", None)],
                    format!(
                        "effective date {} does not agree with its rule: {} + {days} days is {}",
                        o.effective.date,
                        o.signed,
                        computed
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "out of range".into())
                    ),
                );
            }
        }
        if let Some(p) = o.published {
            if p < o.signed {
                c.error(
                    k,
                    &o.id,
                    at,
                    &[("published", None)],
                    format!("published {p} before signed {}", o.signed),
                );
            }
        }
        let mut numbers = Vec::new();
        for (i, p) in o.prohibition.iter().enumerate() {
            if numbers.contains(&p.n) {
                c.error(
                    k,
                    &o.id,
                    at,
                    &[("prohibition", Some(i)), ("n", None)],
                    format!("prohibition number {} is used twice", p.n),
                );
            }
            numbers.push(p.n);
            if let Some(e) = p.effective {
                if e < o.effective.date {
                    c.error(
                        k,
                        &o.id,
                        at,
                        &[("prohibition", Some(i)), ("effective", None)],
                        format!(
                            "prohibition takes effect {e}, before the order does ({})",
                            o.effective.date
                        ),
                    );
                }
            }
        }
        for (i, ev) in o.event.iter().enumerate() {
            let here = |f: &'static str| [("event", Some(i)), (f, None)];
            if ev.date < o.signed {
                c.error(
                    k,
                    &o.id,
                    at,
                    &here("date"),
                    format!(
                        "event on {} is before the order was signed ({})",
                        ev.date, o.signed
                    ),
                );
            }
            match pack.kind_of(&ev.by) {
                Some(ItemKind::Order) => {
                    let by = pack.order(&ev.by).expect("indexed");
                    if by.signed > ev.date {
                        c.error(
                            k,
                            &o.id,
                            at,
                            &here("date"),
                            format!(
                                "event on {} is attributed to {} which was only signed on {}",
                                ev.date, by.id, by.signed
                            ),
                        );
                    }
                }
                Some(ItemKind::Case) => {}
                Some(other) => c.error(
                    k,
                    &o.id,
                    at,
                    &here("by"),
                    format!(
                        "{:?} is a {}, but events are caused by an order or a court case",
                        ev.by,
                        other.table()
                    ),
                ),
                None => c.error(
                    k,
                    &o.id,
                    at,
                    &here("by"),
                    format!("unknown order or case {:?}", ev.by),
                ),
            }
            match (ev.kind, ev.until) {
                (EventKind::EnforcementSuspended, None) => c.error(
                    k,
                    &o.id,
                    at,
                    &here("until"),
                    "a suspension needs its last day in `until`".into(),
                ),
                (EventKind::EnforcementSuspended, Some(u)) if u < ev.date => c.error(
                    k,
                    &o.id,
                    at,
                    &here("until"),
                    format!("suspension ends ({u}) before it starts ({})", ev.date),
                ),
                (EventKind::EnforcementSuspended, _) => {}
                (_, Some(_)) => c.error(
                    k,
                    &o.id,
                    at,
                    &here("until"),
                    "`until` is only meaningful for enforcement_suspended events".into(),
                ),
                _ => {}
            }
            for n in &ev.prohibitions {
                if !numbers.contains(n) {
                    c.error(
                        k,
                        &o.id,
                        at,
                        &here("prohibitions"),
                        format!("the order has no prohibition number {n}"),
                    );
                }
            }
        }
        for (field, ids, want) in [
            ("covers", &o.covers.apps, ItemKind::App),
            ("covers", &o.covers.entities, ItemKind::Entity),
        ] {
            for id in ids {
                if pack.kind_of(id) != Some(want) {
                    c.error(
                        k,
                        &o.id,
                        at,
                        &[(field, None)],
                        format!("unknown {} {id:?}", want.table()),
                    );
                }
            }
        }
        for id in &o.identified_by {
            match pack.order(id) {
                Some(ident)
                    if ident.kind == OrderKind::AgencyIdentification
                        && ident.implements.as_deref() == Some(o.id.as_str()) => {}
                Some(_) => c.error(
                    k,
                    &o.id,
                    at,
                    &[("identified_by", None)],
                    format!(
                        "{id:?} must be an agency_identification whose `implements` is {:?}",
                        o.id
                    ),
                ),
                None => c.error(
                    k,
                    &o.id,
                    at,
                    &[("identified_by", None)],
                    format!("unknown order {id:?}"),
                ),
            }
        }
        if !o.identified_by.is_empty() && !o.requires_identification {
            c.error(
                k,
                &o.id,
                at,
                &[("identified_by", None)],
                "identified_by is set but requires_identification is false".into(),
            );
        }
        match (&o.implements, o.kind) {
            (Some(parent), _) => match pack.order(parent) {
                Some(p) if p.identified_by.contains(&o.id) => {}
                Some(_) => c.error(
                    k,
                    &o.id,
                    at,
                    &[("implements", None)],
                    format!("{parent:?} does not list {:?} in its identified_by", o.id),
                ),
                None => c.error(
                    k,
                    &o.id,
                    at,
                    &[("implements", None)],
                    format!("unknown order {parent:?}"),
                ),
            },
            (None, OrderKind::AgencyIdentification) => c.error(
                k,
                &o.id,
                at,
                &[("implements", None)],
                "an agency identification must name the order it implements".into(),
            ),
            _ => {}
        }
    }
}

/// An order's own end, its divestitures and its open questions: dates in order, apps that exist.
fn check_order_terms(c: &mut Checker) {
    let pack = c.pack;
    for lo in &pack.orders {
        let (o, at) = (&lo.item, &lo.origin);
        let k = ItemKind::Order;
        if let Some(ends) = o.ends.as_ref().filter(|e| e.date < o.effective.date) {
            let why = format!(
                "its effect ends ({}) before it begins ({})",
                ends.date, o.effective.date
            );
            c.error(k, &o.id, at, &[("ends", None)], why);
        }
        let state = |j: &str| j.starts_with("US-") && crate::us_state_code(j).is_some();
        if let Some(j) = o.jurisdiction.as_deref().filter(|j| !state(j)) {
            let why =
                format!("jurisdiction {j:?} is not a US state or territory as ISO 3166-2 (US-TX)");
            c.error(k, &o.id, at, &[("jurisdiction", None)], why);
        }
        let mut apps: Vec<(&'static str, Option<usize>, &String)> = Vec::new();
        for (i, ev) in o.event.iter().enumerate() {
            if (ev.kind == EventKind::Divested) == ev.apps.is_empty() {
                let why = "a divested event names the apps it releases, and only it does".into();
                c.error(k, &o.id, at, &[("event", Some(i)), ("apps", None)], why);
            }
            apps.extend(ev.apps.iter().map(|a| ("event", Some(i), a)));
        }
        for (i, q) in o.open_question.iter().enumerate() {
            if let Some((f, u)) = q.from.zip(q.until).filter(|(f, u)| u < f) {
                let why = format!("the question closes ({u}) before it opens ({f})");
                c.error(
                    k,
                    &o.id,
                    at,
                    &[("open_question", Some(i)), ("until", None)],
                    why,
                );
            }
            apps.extend(q.apps.iter().map(|a| ("open_question", Some(i), a)));
            for e in q
                .entities
                .iter()
                .filter(|e| pack.kind_of(e) != Some(ItemKind::Entity))
            {
                let why = format!("unknown entity {e:?}");
                let path = [("open_question", Some(i)), ("entities", None)];
                c.error(k, &o.id, at, &path, why);
            }
        }
        for (table, i, app) in apps {
            if pack.kind_of(app) != Some(ItemKind::App) {
                let why = format!("unknown app {app:?}");
                c.error(k, &o.id, at, &[(table, i), ("apps", None)], why);
            }
        }
    }
}

fn check_apps(c: &mut Checker) {
    let pack = c.pack;
    for la in &pack.apps {
        let (a, at) = (&la.item, &la.origin);
        let k = ItemKind::App;
        if !valid_id(&a.id) {
            c.error(
                k,
                &a.id,
                at,
                &[("id", None)],
                "ids may hold only letters, digits, '.', '_' and '-'".into(),
            );
        }
        for (field, ids) in [("android", &a.android), ("ios", &a.ios)] {
            for id in ids {
                if !valid_app_identifier(id) {
                    c.error(
                        k,
                        &a.id,
                        at,
                        &[(field, None)],
                        format!("{id:?} is not a valid package/bundle identifier"),
                    );
                }
            }
        }
        for cert in &a.certificates {
            let hex = cert.len() == 64
                && cert
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !hex {
                c.error(
                    k,
                    &a.id,
                    at,
                    &[("certificates", None)],
                    format!("{cert:?} is not a SHA-256 fingerprint (64 lowercase hex digits)"),
                );
            }
        }
        for d in a.developers.iter().chain(a.owner.iter()) {
            if pack.entity(d).is_none() {
                let field = if a.owner.as_deref() == Some(d.as_str()) {
                    "owner"
                } else {
                    "developers"
                };
                c.error(
                    k,
                    &a.id,
                    at,
                    &[(field, None)],
                    format!("unknown entity {d:?}"),
                );
            }
        }
    }
}

fn check_entities(c: &mut Checker) {
    let pack = c.pack;
    for le in &pack.entities {
        let (e, at) = (&le.item, &le.origin);
        let k = ItemKind::Entity;
        if !valid_id(&e.id) {
            c.error(
                k,
                &e.id,
                at,
                &[("id", None)],
                "ids may hold only letters, digits, '.', '_' and '-'".into(),
            );
        }
        if !valid_country(&e.country) {
            c.error(
                k,
                &e.id,
                at,
                &[("country", None)],
                format!(
                    "{:?} is not an ISO 3166 alpha-2 code (two capital letters)",
                    e.country
                ),
            );
        }
        let mut total = 0.0;
        for p in &e.parents {
            if pack.entity(&p.id).is_none() {
                c.error(
                    k,
                    &e.id,
                    at,
                    &[("parents", None)],
                    format!("unknown parent entity {:?}", p.id),
                );
            }
            if p.id == e.id {
                c.error(
                    k,
                    &e.id,
                    at,
                    &[("parents", None)],
                    "an entity cannot own itself".into(),
                );
            }
            if !(p.percent > 0.0 && p.percent <= 100.0) {
                c.error(
                    k,
                    &e.id,
                    at,
                    &[("parents", None)],
                    format!("ownership {}% is outside (0, 100]", p.percent),
                );
            }
            total += p.percent;
        }
        if total > 100.0 + 1e-9 {
            c.error(
                k,
                &e.id,
                at,
                &[("parents", None)],
                format!("owners' shares add up to {total}%, more than 100%"),
            );
        }
    }
}

fn check_others(c: &mut Checker) {
    let pack = c.pack;
    for ll in &pack.country_lists {
        let (l, at) = (&ll.item, &ll.origin);
        for (i, m) in l.member.iter().enumerate() {
            if !valid_country(&m.country) {
                c.error(
                    ItemKind::CountryList,
                    &l.id,
                    at,
                    &[("member", Some(i)), ("country", None)],
                    format!("{:?} is not an ISO 3166 alpha-2 code", m.country),
                );
            }
            if let Some(r) = m.removed {
                if r <= m.added {
                    c.error(
                        ItemKind::CountryList,
                        &l.id,
                        at,
                        &[("member", Some(i)), ("removed", None)],
                        format!("removed {r} is not after added {}", m.added),
                    );
                }
            }
        }
    }
    for lc in &pack.criteria {
        if pack.order(&lc.item.order).is_none() {
            c.error(
                ItemKind::Criterion,
                &lc.item.id,
                &lc.origin,
                &[("order", None)],
                format!("unknown order {:?}", lc.item.order),
            );
        }
    }
    for lc in &pack.cases {
        if !valid_id(&lc.item.id) {
            c.error(
                ItemKind::Case,
                &lc.item.id,
                &lc.origin,
                &[("id", None)],
                "ids may hold only letters, digits, '.', '_' and '-'".into(),
            );
        }
    }
}
