//! An order's history as the timeline draws it: its dated events in words and colours, the days
//! its status may change, and the colour of its status on a day (the rule pack's own
//! `status_of`, not re-derived here).

use chrono::{Days, NaiveDate};
use ictguard_rules::model::{EventKind, Order};
use ictguard_rules::{RulePack, Status};

/// One dated event on the timeline.
pub(super) struct Mark {
    pub(super) date: NaiveDate,
    /// What happened, in words.
    pub(super) what: String,
    /// Colour of its marker.
    pub(super) colour: &'static str,
    /// The order or case that did it, with its citation.
    pub(super) by: Option<String>,
    pub(super) note: Option<String>,
}

/// Colour and words for the status bands (also the legend).
pub(super) const STATUS_COLOURS: [(&str, &str); 7] = [
    ("#c3c8d2", "not yet effective"),
    ("#2b8a3e", "in force"),
    ("#a3d9b1", "in force, not yet implemented"),
    ("#f2c14e", "in force, enforcement suspended"),
    ("#e8590c", "enjoined"),
    ("#a4161a", "revoked"),
    ("#8d94a3", "lapsed (its period ended)"),
];

pub(super) fn band_colour(pack: &RulePack, order: &str, day: NaiveDate) -> &'static str {
    let Some(st) = pack.status_of(order, day, None) else {
        return STATUS_COLOURS[0].0;
    };
    match st.status {
        Status::NotYetEffective => STATUS_COLOURS[0].0,
        Status::InForce if st.enforcement_suspended.is_some() => STATUS_COLOURS[3].0,
        Status::InForce if !st.implemented => STATUS_COLOURS[2].0,
        Status::InForce => STATUS_COLOURS[1].0,
        Status::Enjoined => STATUS_COLOURS[4].0,
        Status::Revoked => STATUS_COLOURS[5].0,
        // a divestiture releases one app, not the order: the band shows the order
        Status::Lapsed | Status::Divested => STATUS_COLOURS[6].0,
    }
}

fn event_words(kind: EventKind) -> (&'static str, &'static str) {
    match kind {
        EventKind::Enjoined => ("enjoined", "#e8590c"),
        EventKind::Stayed => ("stayed", "#e8590c"),
        EventKind::InjunctionLifted => ("injunction lifted", "#1c7ed6"),
        EventKind::EnforcementSuspended => ("enforcement suspended", "#c08a00"),
        EventKind::Revoked => ("revoked", "#a4161a"),
        EventKind::Divested => ("divested", "#1c7ed6"),
        EventKind::Upheld => ("upheld", "#1c7ed6"),
        EventKind::Note => ("note", "#5b6474"),
    }
}

/// Every dated event of an order, in date order.
pub(super) fn marks(pack: &RulePack, order: &Order) -> Vec<Mark> {
    let mut out = vec![Mark {
        date: order.signed,
        what: "signed".into(),
        colour: "#5b6474",
        by: None,
        note: None,
    }];
    if let Some(p) = order.published {
        out.push(Mark {
            date: p,
            what: "published".into(),
            colour: "#5b6474",
            by: None,
            note: order.fr_doc.as_ref().map(|d| format!("FR Doc. {d}")),
        });
    }
    out.push(Mark {
        date: order.effective.date,
        what: "effective".into(),
        colour: "#2b8a3e",
        by: None,
        note: Some(order.effective.rule.clone()),
    });
    for p in &order.prohibition {
        if let Some(d) = p.effective.filter(|d| *d != order.effective.date) {
            out.push(Mark {
                date: d,
                what: format!("item {} ({}) effective", p.n, p.kind.as_str()),
                colour: "#2b8a3e",
                by: None,
                note: None,
            });
        }
    }
    for ev in &order.event {
        let (what, colour) = event_words(ev.kind);
        let mut what = what.to_string();
        if !ev.prohibitions.is_empty() {
            let items: Vec<String> = ev.prohibitions.iter().map(u32::to_string).collect();
            what = format!("{what} (items {})", items.join(", "));
        }
        if let Some(u) = ev.until {
            what = format!("{what} until {u}");
        }
        out.push(Mark {
            date: ev.date,
            what,
            colour,
            by: Some(pack.cite(&ev.by)),
            note: Some(ev.note.clone()),
        });
    }
    // an identification ends with the order it implements
    let parent = order.implements.as_deref().and_then(|p| pack.order(p));
    for p in parent.into_iter() {
        for ev in p.event.iter().filter(|e| e.kind == EventKind::Revoked) {
            out.push(Mark {
                date: ev.date,
                what: format!("revoked with {}", p.id),
                colour: "#a4161a",
                by: Some(pack.cite(&ev.by)),
                note: Some(ev.note.clone()),
            });
        }
    }
    out.sort_by_key(|m| m.date);
    out
}

/// The days at which the status may change: each event, and the day after a suspension ends;
/// and the same of every identification that implements the order, since an order's status
/// follows its identifications' (EO 13942 was enjoined through the injunctions against the
/// Commerce identification, not by an event of its own).
pub(super) fn boundaries(
    pack: &RulePack,
    order: &Order,
    marks: &[Mark],
    lo: NaiveDate,
    hi: NaiveDate,
) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = marks.iter().map(|m| m.date).collect();
    let identifications = pack
        .orders
        .iter()
        .map(|o| &o.item)
        .filter(|o| o.implements.as_deref() == Some(order.id.as_str()));
    for o in std::iter::once(order).chain(identifications) {
        if o.id != order.id {
            days.push(o.effective.date);
            days.extend(o.event.iter().map(|e| e.date));
        }
        days.extend(
            o.event
                .iter()
                .filter_map(|e| e.until)
                .chain(o.ends.as_ref().map(|e| e.date))
                .filter_map(|u| u.checked_add_days(Days::new(1))),
        );
    }
    days.push(lo);
    days.push(hi);
    days.retain(|d| *d >= lo && *d <= hi);
    days.sort();
    days.dedup();
    days
}
