//! The status of an order on a date, and the event that decides it.
//!
//! An order's life: signed → (effective) → possibly enjoined, suspended, lifted → revoked. Each numbered
//! prohibition can take effect and be enjoined on its own dates (the 2020 TikTok identification had
//! items starting on 27 September and 12 November, enjoined by different courts). An order whose
//! prohibitions apply only to transactions an agency identifies takes its status from those
//! identifications; with none identified it is "effective but not yet implemented", which is said
//! explicitly rather than folded into "in force" or "allowed".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{EventKind, Order, Prohibition, StatusEvent, TransactionKind, Verification};
use crate::pack::RulePack;

/// The legal status of an order (or one prohibition) on a date.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Effective and not enjoined or revoked.
    InForce,
    /// Blocked by a court.
    Enjoined,
    /// Revoked or repealed.
    Revoked,
    /// Signed but not yet effective (or not yet signed).
    NotYetEffective,
    /// Its effect ended by its own terms (a delay of enforcement whose period ran out).
    Lapsed,
    /// It no longer reaches this app: a qualified divestiture (for an app's findings only).
    Divested,
}

impl Status {
    /// The snake_case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InForce => "in_force",
            Status::Enjoined => "enjoined",
            Status::Revoked => "revoked",
            Status::NotYetEffective => "not_yet_effective",
            Status::Lapsed => "lapsed",
            Status::Divested => "divested",
        }
    }
}

/// The event that decides a status, shown as evidence.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decisive {
    /// When it happened (or will happen).
    pub date: NaiveDate,
    /// What: signed, effective, enjoined, injunction_lifted, revoked, lapsed, divested,
    /// enforcement_suspended, identification_pending.
    pub event: String,
    /// The order or case that caused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Citation of `by` (Federal Register, docket).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// Explanation in words.
    pub note: String,
    /// Last day the event's effect lasts (suspensions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

/// The pack an answer came from and the horizon of its facts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackStamp {
    /// The pack's id.
    pub id: String,
    /// Its version (the date its facts were last checked).
    pub version: String,
    /// Facts were checked through this date; later answers carry a warning.
    pub verified_through: NaiveDate,
}

/// Status of one numbered prohibition.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ProhibitionStatus {
    /// The order the prohibition belongs to.
    pub order: String,
    /// Item number.
    pub n: u32,
    /// Transaction kind.
    pub kind: TransactionKind,
    /// Status on the date.
    pub status: Status,
    /// The event that decides it.
    pub decided_by: Decisive,
    /// A suspension of enforcement covering the date, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforcement_suspended: Option<Decisive>,
}

/// Status of an order on a date, for a transaction kind (or all kinds).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct OrderStatus {
    /// Order id.
    pub order: String,
    /// Official citation.
    pub citation: String,
    /// The date asked about.
    pub as_of: NaiveDate,
    /// Status.
    pub status: Status,
    /// False when the order is effective but its prohibitions wait for an agency to identify
    /// transactions and none are identified yet.
    pub implemented: bool,
    /// False when a transaction kind was asked about and the order does not prohibit it.
    pub applies_to_kind: bool,
    /// The event that decides the status.
    pub decided_by: Decisive,
    /// A suspension of enforcement covering the date, if any (the order stays in force).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforcement_suspended: Option<Decisive>,
    /// The prohibitions considered, with their own status.
    pub prohibitions: Vec<ProhibitionStatus>,
    /// How far the order's facts were checked against a primary source.
    pub verification: Verification,
    /// Apps the order no longer reaches on the date (qualified divestitures), with the event.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub divested: Vec<Decisive>,
    /// Questions the record leaves open about the order on the date (each says where it bears).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub open_questions: Vec<String>,
}

/// Whether a prohibition of kind `p` reaches a transaction of the kind asked about. A purchase
/// by the Defense Department is also a federal purchase, so federal procurement bans reach it;
/// a ban on Defense purchases alone does not reach another agency's.
fn kind_matches(p: TransactionKind, asked: Option<TransactionKind>) -> bool {
    match asked {
        None | Some(TransactionKind::Any) => true,
        Some(TransactionKind::DefenseProcurement) => matches!(
            p,
            TransactionKind::Any
                | TransactionKind::DefenseProcurement
                | TransactionKind::FederalProcurement
        ),
        Some(k) => p == TransactionKind::Any || p == k,
    }
}

fn in_scope(ev: &StatusEvent, n: u32) -> bool {
    ev.prohibitions.is_empty() || ev.prohibitions.contains(&n)
}

impl RulePack {
    fn decisive_event(&self, ev: &StatusEvent, event: &str) -> Decisive {
        Decisive {
            date: ev.date,
            event: event.to_string(),
            by: Some(ev.by.clone()),
            citation: Some(self.cite(&ev.by)),
            note: ev.note.clone(),
            until: ev.until,
        }
    }

    /// The revocation of `order` (or of the order it implements) on or before `date`.
    fn revocation(&self, order: &Order, date: NaiveDate) -> Option<Decisive> {
        let own = order
            .event
            .iter()
            .find(|e| e.kind == EventKind::Revoked && e.date <= date);
        if let Some(ev) = own {
            return Some(self.decisive_event(ev, "revoked"));
        }
        let parent = order.implements.as_deref().and_then(|p| self.order(p))?;
        let mut d = self.revocation(parent, date)?;
        d.note = format!(
            "{} (revocation of {}, which this identification implements)",
            d.note, parent.id
        );
        Some(d)
    }

    fn prohibition_status(
        &self,
        order: &Order,
        p: &Prohibition,
        date: NaiveDate,
    ) -> ProhibitionStatus {
        let effective = p.effective.unwrap_or(order.effective.date);
        let mut status = Status::InForce;
        let mut decided_by = Decisive {
            date: effective,
            event: "effective".into(),
            by: Some(order.id.clone()),
            citation: Some(order.citation.clone()),
            note: if p.effective.is_some() {
                format!("item {} takes effect on {effective}", p.n)
            } else {
                format!("takes effect {effective}: {}", order.effective.rule)
            },
            until: None,
        };
        let mut court = order
            .event
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::Enjoined | EventKind::Stayed | EventKind::InjunctionLifted
                )
            })
            .filter(|e| e.date <= date && in_scope(e, p.n))
            .collect::<Vec<_>>();
        court.sort_by_key(|e| e.date);
        if let Some(last) = court.last() {
            if matches!(last.kind, EventKind::Enjoined | EventKind::Stayed) {
                status = Status::Enjoined;
                let what = if last.kind == EventKind::Stayed {
                    "stayed"
                } else {
                    "enjoined"
                };
                decided_by = self.decisive_event(last, what);
            } else if date >= effective {
                decided_by = self.decisive_event(last, "injunction_lifted");
            }
        }
        if date < effective {
            // An injunction that came before the start date is recorded, but the item is not yet in effect.
            if status == Status::Enjoined {
                decided_by.note = format!(
                    "{} (before item {} took effect on {effective})",
                    decided_by.note, p.n
                );
            }
            status = Status::NotYetEffective;
            if court
                .last()
                .is_none_or(|l| l.kind == EventKind::InjunctionLifted)
            {
                decided_by.note = format!("not yet effective: {}", decided_by.note);
            }
        }
        let enforcement_suspended = order
            .event
            .iter()
            .filter(|e| e.kind == EventKind::EnforcementSuspended && in_scope(e, p.n))
            .filter(|e| e.date <= date && e.until.is_some_and(|u| date <= u))
            .max_by_key(|e| e.date)
            .map(|e| self.decisive_event(e, "enforcement_suspended"));
        ProhibitionStatus {
            order: order.id.clone(),
            n: p.n,
            kind: p.kind,
            status,
            decided_by,
            enforcement_suspended: if status == Status::InForce {
                enforcement_suspended
            } else {
                None
            },
        }
    }

    /// Status of an order on `date`, for transactions of `kind` (None: any kind), with its
    /// verification level, the apps divested from it and the questions open about it then.
    pub fn status_of(
        &self,
        order_id: &str,
        date: NaiveDate,
        kind: Option<TransactionKind>,
    ) -> Option<OrderStatus> {
        let mut st = self.legal_status(order_id, date, kind)?;
        let order = self.order(order_id)?;
        st.verification = order.verification;
        st.divested = order
            .event
            .iter()
            .filter(|e| e.kind == EventKind::Divested && e.date <= date)
            .map(|e| {
                let mut d = self.decisive_event(e, "divested");
                d.note = format!("{}: {}", e.apps.join(", "), d.note);
                d
            })
            .collect();
        st.open_questions = order
            .open_question
            .iter()
            .filter(|q| q.from.is_none_or(|f| f <= date) && q.until.is_none_or(|u| date <= u))
            .map(|q| {
                let mut scope: Vec<&str> = q.apps.iter().map(String::as_str).collect();
                scope.extend(q.entities.iter().map(String::as_str));
                scope.extend(q.kinds.iter().map(|k| k.as_str()));
                match scope.is_empty() {
                    true => q.question.clone(),
                    false => format!("[{}] {}", scope.join(", "), q.question),
                }
            })
            .collect();
        Some(st)
    }

    /// The legal status alone (see [`RulePack::status_of`]).
    fn legal_status(
        &self,
        order_id: &str,
        date: NaiveDate,
        kind: Option<TransactionKind>,
    ) -> Option<OrderStatus> {
        let order = self.order(order_id)?;
        let mut st = OrderStatus {
            order: order.id.clone(),
            citation: order.citation.clone(),
            as_of: date,
            status: Status::InForce,
            implemented: true,
            applies_to_kind: true,
            decided_by: Decisive {
                date: order.effective.date,
                event: "effective".into(),
                by: Some(order.id.clone()),
                citation: Some(order.citation.clone()),
                note: format!(
                    "effective {}: {}",
                    order.effective.date, order.effective.rule
                ),
                until: None,
            },
            enforcement_suspended: None,
            prohibitions: Vec::new(),
            verification: order.verification,
            divested: Vec::new(),
            open_questions: Vec::new(),
        };
        if date < order.signed {
            st.status = Status::NotYetEffective;
            st.decided_by = Decisive {
                date: order.signed,
                event: "signed".into(),
                by: Some(order.id.clone()),
                citation: Some(order.citation.clone()),
                note: format!("not signed until {}", order.signed),
                until: None,
            };
            return Some(st);
        }
        if let Some(rev) = self.revocation(order, date) {
            st.status = Status::Revoked;
            st.decided_by = rev;
            return Some(st);
        }
        if let Some(ends) = order.ends.as_ref().filter(|e| date > e.date) {
            st.status = Status::Lapsed;
            st.decided_by = Decisive {
                date: ends.date,
                event: "lapsed".into(),
                by: Some(order.id.clone()),
                citation: Some(order.citation.clone()),
                note: format!("its effect ended after {} ({})", ends.date, ends.rule),
                until: None,
            };
            return Some(st);
        }
        if date < order.effective.date
            && (order.prohibition.is_empty() || order.requires_identification)
        {
            st.status = Status::NotYetEffective;
            st.decided_by.note = format!(
                "not yet effective: takes effect {} ({})",
                order.effective.date, order.effective.rule
            );
            return Some(st);
        }
        if order.requires_identification {
            let idents: Vec<&Order> = order
                .identified_by
                .iter()
                .filter_map(|id| self.order(id))
                .filter(|i| i.signed <= date)
                .collect();
            if idents.is_empty() {
                st.implemented = false;
                st.decided_by = Decisive {
                    date: order.effective.date,
                    event: "identification_pending".into(),
                    by: Some(order.id.clone()),
                    citation: Some(order.citation.clone()),
                    note: format!(
                        "effective since {} but not yet implemented: its prohibitions reach only transactions the agency identifies, and none had been identified as of {date}",
                        order.effective.date
                    ), until: None };
                return Some(st);
            }
            let mut without_items = None;
            for ident in idents {
                if let Some(sub) = self.status_of(&ident.id, date, kind) {
                    if sub.prohibitions.is_empty() {
                        without_items.get_or_insert(sub);
                    } else {
                        st.prohibitions.extend(sub.prohibitions);
                    }
                }
            }
            if let (true, Some(sub)) = (st.prohibitions.is_empty(), without_items) {
                st.status = sub.status;
                st.decided_by = sub.decided_by;
                return Some(st);
            }
        } else {
            st.prohibitions = order
                .prohibition
                .iter()
                .map(|p| self.prohibition_status(order, p, date))
                .collect();
        }
        combine(&mut st, kind);
        Some(st)
    }

    /// The divestiture after which `order` no longer reaches `app`, if one happened by `date`.
    pub fn divestiture(&self, order: &str, app: &str, date: NaiveDate) -> Option<Decisive> {
        self.order(order)?
            .event
            .iter()
            .filter(|e| e.kind == EventKind::Divested && e.date <= date)
            .find(|e| e.apps.iter().any(|a| a == app))
            .map(|e| self.decisive_event(e, "divested"))
    }

    /// The open questions of `order` that bear on a screening of `subject` for `kind` on
    /// `date`.
    pub fn open_questions(
        &self,
        order: &str,
        subject: crate::model::Subject<'_>,
        kind: Option<TransactionKind>,
        date: NaiveDate,
    ) -> Vec<&crate::model::OpenQuestion> {
        self.order(order)
            .map(|o| {
                o.open_question
                    .iter()
                    .filter(|q| q.bears_on(subject, kind, date))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Status of every order on a date.
    pub fn statuses_on(&self, date: NaiveDate) -> Vec<OrderStatus> {
        self.orders
            .iter()
            .filter_map(|o| self.status_of(&o.item.id, date, None))
            .collect()
    }

    /// Which pack decided, and how current its facts are: every answer carries it.
    pub fn stamp(&self) -> Option<PackStamp> {
        self.meta.as_ref().map(|m| PackStamp {
            id: m.id.clone(),
            version: m.version.clone(),
            verified_through: m.verified_through,
        })
    }

    /// A warning when `date` is later than the facts in the pack were checked.
    pub fn horizon_warning(&self, date: NaiveDate) -> Option<String> {
        let meta = self.meta.as_ref()?;
        (date > meta.verified_through).then(|| {
            format!(
                "the rule pack's facts were checked through {}; events after that date (new orders, injunctions, revocations) may be missing",
                meta.verified_through
            )
        })
    }
}

/// Fold prohibition statuses into the order's: in force if any relevant item is, else enjoined if any
/// is, else not yet effective.
fn combine(st: &mut OrderStatus, kind: Option<TransactionKind>) {
    if st.prohibitions.is_empty() {
        return;
    }
    let relevant: Vec<&ProhibitionStatus> = st
        .prohibitions
        .iter()
        .filter(|p| kind_matches(p.kind, kind))
        .collect();
    let pool: Vec<&ProhibitionStatus> = if relevant.is_empty() {
        st.applies_to_kind = false;
        st.prohibitions.iter().collect()
    } else {
        relevant
    };
    let pick = |s: Status| {
        pool.iter()
            .filter(|p| p.status == s)
            .min_by_key(|p| (p.enforcement_suspended.is_some(), p.n))
    };
    let chosen = pick(Status::InForce)
        .or_else(|| pick(Status::Enjoined))
        .or_else(|| {
            pool.iter()
                .filter(|p| p.status == Status::NotYetEffective)
                .min_by_key(|p| p.decided_by.date)
        });
    if let Some(p) = chosen {
        st.status = p.status;
        st.decided_by = p.decided_by.clone();
        if p.order != st.order {
            st.decided_by.note = format!("{} ({} item {})", st.decided_by.note, p.order, p.n);
        }
        st.enforcement_suspended = p.enforcement_suspended.clone();
    }
}
