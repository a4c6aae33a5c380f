//! Text renderings of the rule pack for people: the list of its items, one item shown whole, and
//! the status of every order on a date. JSON output is the serde form of the same data.

use std::io::{self, Write};

use chrono::NaiveDate;
use ictguard_rules::{OrderStatus, RulePack, Status};

fn status_label(st: &OrderStatus) -> String {
    let mut s = st.status.as_str().to_string();
    if st.status == Status::InForce && !st.implemented {
        s.push_str(" (not implemented)");
    }
    if st.enforcement_suspended.is_some() {
        s.push_str(" (enforcement suspended)");
    }
    s
}

/// `rules list`.
pub fn list(out: &mut impl Write, pack: &RulePack) -> io::Result<()> {
    if let Some(m) = &pack.meta {
        writeln!(
            out,
            "{} {} (facts checked through {})\n",
            m.id, m.version, m.verified_through
        )?;
    }
    writeln!(out, "ORDERS")?;
    writeln!(
        out,
        "  {:<26} {:<22} {:<11} {:<11} TITLE",
        "ID", "KIND", "SIGNED", "EFFECTIVE"
    )?;
    for o in &pack.orders {
        let o = &o.item;
        let kind = serde_json::to_value(o.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:<26} {:<22} {:<11} {:<11} {}",
            o.id, kind, o.signed, o.effective.date, o.title
        )?;
    }
    writeln!(out, "\nAPPS")?;
    for a in &pack.apps {
        let a = &a.item;
        let orders: Vec<&str> = pack
            .orders_covering_app(&a.id)
            .map(|o| o.id.as_str())
            .collect();
        writeln!(
            out,
            "  {:<12} {:<12} {:<36} {}",
            a.id,
            a.name,
            a.android.join(", "),
            orders.join(", ")
        )?;
    }
    writeln!(out, "\nENTITIES")?;
    for e in &pack.entities {
        let e = &e.item;
        let parents: Vec<String> = e
            .parents
            .iter()
            .map(|p| format!("{} {}%", p.id, p.percent))
            .collect();
        writeln!(
            out,
            "  {:<16} {:<40} {}  {}",
            e.id,
            e.name,
            e.country,
            parents.join(", ")
        )?;
    }
    writeln!(out, "\nCOURT CASES")?;
    for c in &pack.cases {
        let c = &c.item;
        writeln!(
            out,
            "  {:<30} {} ({}, No. {})",
            c.id, c.caption, c.court, c.docket
        )?;
    }
    writeln!(out, "\nCOUNTRY LISTS")?;
    for l in &pack.country_lists {
        let l = &l.item;
        let members: Vec<&str> = l.member.iter().map(|m| m.country.as_str()).collect();
        writeln!(
            out,
            "  {:<36} {}  [{}]",
            l.id,
            l.citation,
            members.join(" ")
        )?;
    }
    writeln!(out, "\nDATA RULES")?;
    for r in &pack.data_rules {
        let r = &r.item;
        writeln!(
            out,
            "  {:<36} {}  effective {}",
            r.id, r.citation, r.effective
        )?;
    }
    Ok(())
}

/// `rules show ID` for a data-transfer rule.
fn show_data_rule(out: &mut impl Write, r: &ictguard_rules::model::DataRule) -> io::Result<()> {
    writeln!(out, "{}  {}", r.id, r.title)?;
    writeln!(out, "  citation      {}", r.citation)?;
    writeln!(out, "  effective     {}", r.effective)?;
    if let Some(end) = r.ended {
        writeln!(out, "  ended         {end}")?;
    }
    writeln!(out, "  countries     {}", r.countries)?;
    writeln!(out, "  window        {} months", r.window_months)?;
    writeln!(out, "  {}", r.summary.trim().replace('\n', "\n  "))?;
    writeln!(out, "  BULK THRESHOLDS (more than)")?;
    for t in &r.threshold {
        writeln!(
            out,
            "    {:<22} {:>7} {:<11} {}",
            t.category, t.more_than, t.unit, t.section
        )?;
    }
    for (title, clauses) in [
        ("REGARDLESS OF VOLUME", &r.government_related),
        ("PROHIBITED", &r.prohibited),
        ("RESTRICTED", &r.restricted),
        ("EXEMPT", &r.exemption),
    ] {
        writeln!(out, "  {title}")?;
        for c in clauses {
            writeln!(out, "    {:<24} {:<11} {}", c.kind, c.section, c.text)?;
        }
    }
    Ok(())
}

/// `rules show ID`.
pub fn show(out: &mut impl Write, pack: &RulePack, id: &str, json: bool) -> io::Result<()> {
    let value = if let Some(o) = pack.order(id) {
        serde_json::to_value(o)
    } else if let Some(a) = pack.app(id) {
        serde_json::to_value(a)
    } else if let Some(e) = pack.entity(id) {
        serde_json::to_value(e)
    } else if let Some(c) = pack.case(id) {
        serde_json::to_value(c)
    } else if let Some(l) = pack.country_list(id) {
        serde_json::to_value(l)
    } else if let Some(r) = pack.data_rule(id) {
        serde_json::to_value(r)
    } else {
        Ok(serde_json::Value::Null)
    }
    .map_err(io::Error::other)?;
    if json {
        return writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&value).map_err(io::Error::other)?
        );
    }
    if let Some(r) = pack.data_rule(id) {
        show_data_rule(out, r)?;
    }
    if let Some(o) = pack.order(id) {
        writeln!(out, "{}  {}", o.id, o.title)?;
        writeln!(out, "  citation      {}", o.citation)?;
        writeln!(out, "  signed        {}", o.signed)?;
        writeln!(
            out,
            "  effective     {} ({})",
            o.effective.date, o.effective.rule
        )?;
        if o.requires_identification {
            let by = if o.identified_by.is_empty() {
                "none".to_string()
            } else {
                o.identified_by.join(", ")
            };
            writeln!(
                out,
                "  implemented   only through agency identification: {by}"
            )?;
        }
        if let Some(p) = &o.implements {
            writeln!(out, "  implements    {p}")?;
        }
        let covered: Vec<&str> = o
            .covers
            .apps
            .iter()
            .chain(&o.covers.entities)
            .map(String::as_str)
            .collect();
        if !covered.is_empty() {
            let subs = if o.covers.subsidiaries {
                " and their subsidiaries"
            } else {
                ""
            };
            writeln!(out, "  covers        {}{subs}", covered.join(", "))?;
        }
        let verification = serde_json::to_value(o.verification)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        writeln!(out, "  verification  {verification}")?;
        for u in &o.unverified {
            writeln!(out, "    open: {u}")?;
        }
        writeln!(out, "\n  {}", o.summary.trim().replace('\n', "\n  "))?;
        if !o.prohibition.is_empty() {
            writeln!(out, "\n  PROHIBITIONS")?;
            for p in &o.prohibition {
                let from = p.effective.unwrap_or(o.effective.date);
                writeln!(
                    out,
                    "    {}. {:<22} from {from}  {}",
                    p.n,
                    p.kind.as_str(),
                    p.summary
                )?;
            }
        }
        if !o.event.is_empty() {
            writeln!(out, "\n  EVENTS")?;
            for e in &o.event {
                let scope = if e.prohibitions.is_empty() {
                    String::new()
                } else {
                    format!(" items {:?}", e.prohibitions)
                };
                let until = e.until.map(|u| format!(" until {u}")).unwrap_or_default();
                let kind = serde_json::to_value(e.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "    {} {kind}{scope}{until} by {}: {}",
                    e.date,
                    pack.cite(&e.by),
                    e.note
                )?;
            }
        }
        if let Some(at) = pack.origin_of(id) {
            writeln!(out, "\n  defined at {at}")?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&value).map_err(io::Error::other)?
    )?;
    if let Some(e) = pack.entity(id) {
        for own in pack.owners_of(&e.id) {
            let chains: Vec<String> = own.chains.iter().map(|c| c.chain.join(" → ")).collect();
            writeln!(
                out,
                "owned {:.1}% by {} ({})",
                own.percent,
                own.owner,
                chains.join("; ")
            )?;
        }
    }
    if let Some(at) = pack.origin_of(id) {
        writeln!(out, "defined at {at}")?;
    }
    Ok(())
}

/// `rules status --as-of DATE`.
pub fn status(
    out: &mut impl Write,
    pack: &RulePack,
    date: NaiveDate,
    statuses: &[OrderStatus],
) -> io::Result<()> {
    writeln!(out, "Status of orders on {date}\n")?;
    writeln!(out, "  {:<26} {:<36} DECIDED BY", "ORDER", "STATUS")?;
    for st in statuses {
        let by = st
            .decided_by
            .by
            .as_deref()
            .map(|b| pack.cite(b))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:<26} {:<36} {} {} {by}",
            st.order,
            status_label(st),
            st.decided_by.date,
            st.decided_by.event
        )?;
        writeln!(out, "  {:<26} {:<36} {}", "", "", st.decided_by.note)?;
        let checked = serde_json::to_value(st.verification)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        writeln!(out, "  {:<26} {:<36} facts {checked}", "", "")?;
        for d in &st.divested {
            writeln!(
                out,
                "  {:<26} {:<36} divested {}: {}",
                "", "", d.date, d.note
            )?;
        }
        for q in &st.open_questions {
            writeln!(out, "  {:<26} {:<36} open question {q}", "", "")?;
        }
        if let Some(s) = &st.enforcement_suspended {
            writeln!(
                out,
                "  {:<26} {:<36} enforcement suspended by {}: {}",
                "",
                "",
                pack.cite(s.by.as_deref().unwrap_or("")),
                s.note
            )?;
        }
    }
    writeln!(out, "\nForeign-adversary country lists on {date}")?;
    for l in &pack.country_lists {
        let l = &l.item;
        let on: Vec<&str> = l
            .member
            .iter()
            .filter(|m| m.added <= date && m.removed.is_none_or(|r| date < r))
            .map(|m| m.country.as_str())
            .collect();
        let on = if on.is_empty() {
            "(not yet in effect)".to_string()
        } else {
            on.join(" ")
        };
        writeln!(out, "  {:<36} {on}", l.id)?;
    }
    if let Some(w) = pack.horizon_warning(date) {
        writeln!(out, "\nwarning: {w}")?;
    }
    Ok(())
}
