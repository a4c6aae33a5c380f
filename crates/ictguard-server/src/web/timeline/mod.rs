//! An order's status timeline as an inline SVG: a band coloured by the order's status over time
//! (computed with the rule pack's own `status_of` at every change, not re-derived here), numbered
//! markers for the dated events, year ticks and the "as of" date; and the same events as a
//! numbered list, the text equivalent of the picture.

use chrono::{Datelike, Days, NaiveDate};
use ictguard_rules::model::Order;
use ictguard_rules::RulePack;
use maud::{html, Markup};

mod history;

use history::{band_colour, boundaries, marks, Mark, STATUS_COLOURS};

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 20.0;
const RIGHT: f64 = 980.0;
const BAND_Y: f64 = 76.0;
const HEIGHT: f64 = 136.0;
/// Centres of the marker rows above the band, nearest first.
const ROWS: [f64; 3] = [52.0, 32.0, 12.0];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const BAND_H: f64 = 18.0;

/// One marker on the axis: the events of one day, by their numbers in the list.
struct Pin {
    x: f64,
    y: f64,
    label: String,
    colour: &'static str,
}

impl Pin {
    fn width(&self) -> f64 {
        if self.label.chars().count() == 1 {
            18.0
        } else {
            10.0 + 6.5 * self.label.chars().count() as f64
        }
    }
}

/// One pin per day with events, lifted a row when it would overlap one already placed.
fn pins(marks: &[Mark], x: &impl Fn(NaiveDate) -> f64) -> Vec<Pin> {
    let mut out: Vec<Pin> = Vec::new();
    let mut i = 0;
    while i < marks.len() {
        let day = marks[i].date;
        let n = marks[i..].iter().take_while(|m| m.date == day).count();
        let label = if n == 1 {
            (i + 1).to_string()
        } else {
            format!("{}–{}", i + 1, i + n)
        };
        let mut pin = Pin {
            x: x(day),
            y: ROWS[0],
            label,
            // the day's last event decides (a revocation after an effective date, say)
            colour: marks[i + n - 1].colour,
        };
        let fits = |y: f64, pin: &Pin| {
            out.iter()
                .all(|p| p.y != y || (p.x - pin.x).abs() >= (p.width() + pin.width()) / 2.0 + 2.0)
        };
        pin.y = ROWS.into_iter().find(|y| fits(*y, &pin)).unwrap_or(ROWS[0]);
        out.push(pin);
        i += n;
    }
    out
}

/// The timeline of `order`, with `as_of` marked.
pub(crate) fn timeline(pack: &RulePack, order: &Order, as_of: NaiveDate) -> Markup {
    let marks = marks(pack, order);
    // the axis spans the order's own events; an "as of" outside them is named at the edge
    let first = marks.first().map_or(as_of, |m| m.date);
    // ... and the end of any suspension, to show what follows it
    let suspended_until = order.event.iter().filter_map(|e| e.until).max();
    let last = marks
        .last()
        .map_or(as_of, |m| m.date)
        .max(suspended_until.unwrap_or(NaiveDate::MIN));
    let span = (last - first).num_days().max(60);
    // a little room before the first event, more after the last (to show the status it leaves)
    let before = Days::new((span / 25).max(10) as u64);
    let after = Days::new((span / 8).max(20) as u64);
    let lo = first.checked_sub_days(before).unwrap_or(first);
    let hi = last.checked_add_days(after).unwrap_or(last);
    let total = (hi - lo).num_days().max(1) as f64;
    let x = |d: NaiveDate| LEFT + (d - lo).num_days() as f64 / total * (RIGHT - LEFT);

    let days = boundaries(pack, order, &marks, lo, hi);
    // one band per stretch of the same status
    let mut bands: Vec<(f64, f64, &str)> = Vec::new();
    for w in days.windows(2) {
        let colour = band_colour(pack, &order.id, w[0]);
        match bands.last_mut() {
            Some(last) if last.2 == colour => last.1 = x(w[1]),
            _ => bands.push((x(w[0]), x(w[1]), colour)),
        }
    }
    let ticks = ticks(lo, hi, &x);
    let pins = pins(&marks, &x);
    let title_id = format!("tl-{}", order.id);
    let label_y = HEIGHT - 4.0;
    html! {
        svg.timeline viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-labelledby=(title_id) xmlns="http://www.w3.org/2000/svg" {
            title id=(title_id) { "Status timeline of " (order.id) ", as of " (as_of) }
            @for (x0, x1, colour) in &bands {
                rect.band x=(format!("{x0:.1}")) y=(BAND_Y) width=(format!("{:.1}", (x1 - x0).max(0.5))) height=(BAND_H) fill=(colour) {}
            }
            line x1=(LEFT) x2=(RIGHT) y1=(BAND_Y + BAND_H) y2=(BAND_Y + BAND_H) stroke="#525c6e" stroke-width="1" {}
            @for (tx, label, major) in &ticks {
                line x1=(format!("{tx:.1}")) x2=(format!("{tx:.1}")) y1=(BAND_Y + BAND_H) y2=(BAND_Y + BAND_H + if *major { 7.0 } else { 4.0 }) stroke="#525c6e" {}
                @if !label.is_empty() {
                    text x=(format!("{tx:.1}")) y=(BAND_Y + BAND_H + 19.0) font-size="12" font-weight=(if *major { "700" } else { "400" }) text-anchor="middle" fill="#525c6e" { (label) }
                }
            }
            // stems first, then the pins over them, so no stem crosses a number
            @for p in &pins {
                line x1=(format!("{:.1}", p.x)) x2=(format!("{:.1}", p.x)) y1=(p.y + 9.0) y2=(BAND_Y) stroke=(p.colour) stroke-width="1.5" {}
            }
            @for p in &pins {
                rect.pin x=(format!("{:.1}", p.x - p.width() / 2.0)) y=(p.y - 9.0) width=(format!("{:.1}", p.width())) height="18" rx="9" fill=(p.colour) stroke="#fff" stroke-width="1.5" {}
                text x=(format!("{:.1}", p.x)) y=(p.y + 4.0) font-size="11" font-weight="700" text-anchor="middle" fill="#fff" { (p.label) }
            }
            @if as_of > hi {
                text x=(RIGHT) y=(label_y) font-size="12" font-weight="700" fill="#16213e" text-anchor="end" { "as of " (as_of) " →" }
            } @else if as_of < lo {
                text x=(LEFT) y=(label_y) font-size="12" font-weight="700" fill="#16213e" text-anchor="start" { "← as of " (as_of) }
            } @else {
                @let ax = x(as_of);
                line x1=(format!("{ax:.1}")) x2=(format!("{ax:.1}")) y1=(BAND_Y - 8.0) y2=(BAND_Y + BAND_H + 8.0) stroke="#16213e" stroke-width="2.5" stroke-dasharray="4 3" {}
                text x=(format!("{ax:.1}")) y=(label_y) font-size="12" font-weight="700" fill="#16213e"
                    text-anchor=(if ax > WIDTH - 90.0 { "end" } else if ax < 90.0 { "start" } else { "middle" }) {
                    "as of " (as_of)
                }
            }
        }
        ol.events {
            @for m in &marks {
                li {
                    time datetime=(m.date) { (m.date) } " — " strong { (m.what) }
                    @if let Some(by) = &m.by { " by " (by) }
                    @if let Some(n) = &m.note { ": " span.muted { (n) } }
                }
            }
        }
    }
}

/// Axis ticks between two days: (x, label, whether it starts a year). Years only over long
/// spans; months (labelled every one, two or three) over short ones.
fn ticks(lo: NaiveDate, hi: NaiveDate, x: &impl Fn(NaiveDate) -> f64) -> Vec<(f64, String, bool)> {
    let days = (hi - lo).num_days();
    if days > 3 * 365 {
        let years: Vec<i32> = (lo.year() + 1..=hi.year()).collect();
        let step = years.len().div_ceil(12).max(1);
        return years
            .iter()
            .enumerate()
            .filter_map(|(i, y)| {
                let d = NaiveDate::from_ymd_opt(*y, 1, 1)?;
                Some((
                    x(d),
                    if i % step == 0 {
                        y.to_string()
                    } else {
                        String::new()
                    },
                    true,
                ))
            })
            .collect();
    }
    let every = if days > 2 * 365 {
        3
    } else if days > 365 {
        2
    } else {
        1
    };
    let mut out = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(lo.year(), lo.month(), 1);
    while let Some(d) = month.filter(|d| *d <= hi) {
        if d > lo {
            let label = if d.month() == 1 {
                d.year().to_string()
            } else if (d.month() - 1) % every == 0 {
                MONTHS[d.month0() as usize].to_string()
            } else {
                String::new()
            };
            out.push((x(d), label, d.month() == 1));
        }
        month = d.checked_add_months(chrono::Months::new(1));
    }
    out
}

/// The legend of the status colours.
pub(crate) fn legend() -> Markup {
    html! {
        p.muted {
            @for (colour, words) in STATUS_COLOURS {
                span style="white-space:nowrap;margin-right:14px" {
                    svg width="14" height="14" style="vertical-align:-2px;margin-right:4px" { rect width="14" height="14" fill=(colour) {} }
                    (words)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        ictguard_rules::parse_date(s).unwrap()
    }

    #[test]
    fn bands_follow_the_packs_own_status() {
        let pack = RulePack::bundled();
        let order = pack.order("EO-13971").unwrap();
        let svg = timeline(&pack, order, day("2021-03-01")).into_string();
        // not yet effective, in force but not implemented, revoked: one band each, in order
        let fills: Vec<&str> = svg
            .split("<rect class=\"band\" ")
            .skip(1)
            .filter_map(|r| r.split("fill=\"").nth(1)?.split('"').next())
            .collect();
        assert_eq!(fills, ["#c3c8d2", "#a3d9b1", "#a4161a"]);
        assert!(svg.contains("2021-06-09</time> — <strong>revoked</strong> by EO-14034"));
        assert!(svg.contains("as of 2021-03-01"));
    }

    #[test]
    fn an_identification_ends_with_the_order_it_implements() {
        let pack = RulePack::bundled();
        let order = pack.order("COMMERCE-ID-TIKTOK-2020").unwrap();
        let svg = timeline(&pack, order, day("2020-10-01")).into_string();
        assert!(svg.contains("revoked with EO-13942"), "{svg}");
        assert!(svg.contains("<strong>enjoined"), "{svg}");
        // the injunction shows as its own band, and the four items of 12 November share a pin
        assert!(svg.contains("fill=\"#e8590c\""), "{svg}");
        assert!(svg.contains(">6–9</text>"), "{svg}");
    }

    /// EO 13942's status follows its Commerce identification: enjoined from 2020-09-27, as
    /// `rules status` says, not "not yet effective" until its revocation.
    #[test]
    fn an_order_is_drawn_with_its_identifications_status() {
        let pack = RulePack::bundled();
        let order = pack.order("EO-13942").unwrap();
        assert_eq!(
            band_colour(&pack, &order.id, day("2020-10-15")),
            band_colour(&pack, "COMMERCE-ID-TIKTOK-2020", day("2020-10-15"))
        );
        let svg = timeline(&pack, order, day("2020-10-15")).into_string();
        let enjoined = band_colour(&pack, &order.id, day("2020-10-15"));
        assert!(
            svg.contains(&format!("fill=\"{enjoined}\"")),
            "an enjoined band: {svg}"
        );
    }

    #[test]
    fn a_suspension_ends_on_the_axis() {
        let pack = RulePack::bundled();
        let order = pack.order("PAFACA-2024").unwrap();
        let svg = timeline(&pack, order, day("2026-11-25")).into_string();
        let fills: Vec<&str> = svg
            .split("<rect class=\"band\" ")
            .skip(1)
            .filter_map(|r| r.split("fill=\"").nth(1)?.split('"').next())
            .collect();
        // not yet effective; in force for one day (19 January 2025); suspended (one band across
        // the extensions); in force again after 23 January 2026
        assert_eq!(fills, ["#c3c8d2", "#2b8a3e", "#f2c14e", "#2b8a3e"], "{svg}");
    }

    #[test]
    fn ticks_are_months_over_short_spans_and_years_over_long_ones() {
        let x = |d: NaiveDate| (d - day("2020-01-01")).num_days() as f64;
        let short = ticks(day("2021-01-10"), day("2021-06-20"), &x);
        let labels: Vec<&str> = short.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["Feb", "Mar", "Apr", "May", "Jun"]);
        let long = ticks(day("2020-06-01"), day("2026-03-01"), &x);
        let labels: Vec<&str> = long.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["2021", "2022", "2023", "2024", "2025", "2026"]);
    }
}
