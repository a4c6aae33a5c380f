//! Renderings of screening: the text of one result for a person (the decision, the matches with
//! their scores and fields, the orders and their status events, the reasons), and a batch's rows
//! as JSON Lines or CSV ([`batch`]).

pub mod batch;

use std::io::{self, Write};

use ictguard_rules::Status;
use ictguard_screen::engine::{Decision, ScreenResult};

/// One screening result for a person.
pub fn text(out: &mut impl Write, r: &ScreenResult) -> io::Result<()> {
    let label = match r.decision {
        Decision::Block => "BLOCK",
        Decision::Review => "REVIEW",
        Decision::Allow => "ALLOW",
    };
    let kind = r
        .kind
        .map(|k| format!(", transaction kind {}", k.as_str()))
        .unwrap_or_default();
    let id =
        r.id.as_deref()
            .map(|i| format!("[{i}] "))
            .unwrap_or_default();
    writeln!(out, "{id}{label}  as of {}{kind}", r.as_of)?;
    for m in &r.matches {
        let kind = serde_json::to_value(m.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        writeln!(
            out,
            "  match {} — {} ({kind} {}), score {:.3}, {}",
            m.decision.as_str(),
            m.name,
            m.id,
            m.score,
            m.field
        )?;
        writeln!(
            out,
            "        input {:?} → {:?}; matched {:?} → {:?}",
            m.input, m.input_normalized, m.matched, m.matched_normalized
        )?;
        if let Some(l) = &m.listing {
            let mut said = vec![l.source.clone()];
            said.extend(l.entity_type.clone());
            if !l.programs.is_empty() {
                said.push(format!("programs {}", l.programs.join(", ")));
            }
            if !l.countries.is_empty() {
                said.push(format!("countries {}", l.countries.join(", ")));
            }
            if !l.dates_of_birth.is_empty() {
                said.push(format!("born {}", l.dates_of_birth.join(" or ")));
            }
            said.push(format!("record {}", l.record));
            writeln!(out, "        listed: {}", said.join("; "))?;
            for a in l.addresses.iter().take(3) {
                writeln!(out, "        address: {a}")?;
            }
            if l.addresses.len() > 3 {
                writeln!(
                    out,
                    "        … and {} more addresses",
                    l.addresses.len() - 3
                )?;
            }
            if !l.aliases.is_empty() || !l.weak_aliases.is_empty() {
                let mut names: Vec<String> = l.aliases.iter().map(|a| format!("{a:?}")).collect();
                names.extend(l.weak_aliases.iter().map(|a| format!("{a:?} (weak)")));
                writeln!(out, "        also known as: {}", names.join(", "))?;
            }
        }
        for own in &m.ownership {
            for c in &own.chains {
                writeln!(
                    out,
                    "        owned {:.1}% via {}",
                    c.percent,
                    c.chain.join(" → ")
                )?;
            }
        }
        for o in &m.orders {
            let mut st = o.status.as_str().to_string();
            if o.status == Status::InForce && !o.implemented {
                st.push_str(", not implemented");
            }
            if let (false, Some(j)) = (o.applies_to_kind, &o.only_in) {
                st.push_str(&format!(", binds only in {j}"));
            } else if !o.applies_to_kind {
                st.push_str(", does not prohibit this kind");
            }
            if let Some(v) = o.verification.and_then(|v| serde_json::to_value(v).ok()) {
                st.push_str(&format!(", facts {}", v.as_str().unwrap_or("?")));
            }
            writeln!(
                out,
                "        {} [{st}] {} — {} ({})",
                o.id, o.citation, o.decided_by.note, o.reach
            )?;
            if !o.only_kinds.is_empty() {
                let kinds: Vec<&str> = o.only_kinds.iter().map(|k| k.as_str()).collect();
                writeln!(out, "          prohibits only: {}", kinds.join(", "))?;
            }
            for q in &o.open_questions {
                writeln!(out, "          open question: {q}")?;
            }
            if let Some(s) = &o.enforcement_suspended {
                writeln!(
                    out,
                    "          enforcement suspended by {}: {}",
                    s.by.as_deref().unwrap_or("?"),
                    s.note
                )?;
            }
        }
    }
    for c in &r.country {
        writeln!(
            out,
            "  country {} on {} ({}) as {}",
            c.country, c.list, c.citation, c.name
        )?;
    }
    for reason in &r.reasons {
        writeln!(out, "  why: {reason}")?;
    }
    if let Some(p) = &r.pack {
        writeln!(
            out,
            "  pack: {} {} (facts checked through {})",
            p.id, p.version, p.verified_through
        )?;
    }
    if r.lists.is_empty() {
        writeln!(
            out,
            "  lists: none loaded (only the pack's apps and entities were screened)"
        )?;
    }
    for l in r.lists.iter() {
        writeln!(out, "  list: {}", l.describe())?;
    }
    for w in &r.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    Ok(())
}
