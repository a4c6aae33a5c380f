//! The audit: each transfer classified under the data rule as the rule counts, with the figures
//! that decide it. Transfers come in date order; per counterparty the audit keeps only the
//! transfers of the look-back window, with running totals, so memory follows the number of
//! counterparties and the window, not the input.

use std::collections::VecDeque;

use chrono::{Months, NaiveDate};
use ictguard_rules::model::{DataClause, DataRule};
use ictguard_rules::RulePack;
use ictguard_screen::engine::{ItemKind, Query, ScreenConfig, Screener};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::record::{category_names, CategorySet, Transfer, CATEGORIES};

/// The classification of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// The rule does not reach it.
    NotCovered,
    /// Exempt under a section of the rule.
    Exempt,
    /// With a country of concern or covered person, but under every threshold so far.
    BelowThreshold,
    /// Allowed only with the security requirements (or, for other foreign persons' data
    /// brokerage, the contract terms).
    Restricted,
    /// Prohibited.
    Prohibited,
}

impl Classification {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::NotCovered => "not_covered",
            Classification::Exempt => "exempt",
            Classification::BelowThreshold => "below_threshold",
            Classification::Restricted => "restricted",
            Classification::Prohibited => "prohibited",
        }
    }
}

/// One category's figures over the window.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Category (or `combined: a+b`).
    pub category: String,
    /// US persons (or devices) with this counterparty in the window, this transfer included.
    pub window_total: u64,
    /// Bulk when the total is more than this.
    pub threshold: u64,
    /// The section that sets the threshold.
    pub section: String,
    /// Whether the total crossed it.
    pub bulk: bool,
}

/// Why the counterparty is a country of concern or a covered person.
#[derive(Debug, Clone, Serialize)]
pub struct Concern {
    /// `country_of_concern` or `covered_person`.
    pub basis: String,
    /// In words, with the list or entity.
    pub detail: String,
}

/// The result for one transfer.
#[derive(Debug, Clone, Serialize)]
pub struct TransferResult {
    /// Input line.
    pub line: u64,
    /// Date of the transfer.
    pub date: NaiveDate,
    /// Counterparty as written.
    pub counterparty: String,
    /// Its country.
    pub counterparty_country: String,
    /// Kind of transaction.
    pub kind: String,
    /// Categories.
    pub categories: Vec<&'static str>,
    /// US persons in this transfer.
    pub us_persons: u64,
    /// The classification.
    pub classification: Classification,
    /// The section of the rule that decides it.
    pub section: Option<String>,
    /// Why, in words.
    pub reasons: Vec<String>,
    /// The figures over the window.
    pub figures: Vec<Figure>,
    /// Country-of-concern or covered-person status, when it applies.
    pub concern: Option<Concern>,
    /// What to do.
    pub recommendation: String,
}

/// The summary for one counterparty.
#[derive(Debug, Clone, Serialize)]
pub struct CounterpartySummary {
    /// Always true: tells summary lines from transfer lines.
    pub summary: bool,
    /// Counterparty.
    pub counterparty: String,
    /// Its country (the last given).
    pub country: String,
    /// Country-of-concern or covered-person status.
    pub concern: Option<Concern>,
    /// Transfers read.
    pub transfers: u64,
    /// US persons in all its transfers.
    pub us_persons: u64,
    /// Count by classification.
    pub by_classification: FxHashMap<&'static str, u64>,
    /// The most serious classification.
    pub worst: Classification,
    /// The highest 12-month total reached, by category.
    pub peak_window_totals: Vec<(String, u64)>,
    /// What to do.
    pub recommendation: String,
}

struct Entry {
    date: NaiveDate,
    categories: CategorySet,
    us_persons: u64,
}

struct CounterpartyState {
    name: String,
    country: String,
    window: VecDeque<Entry>,
    /// running totals by exact category set (256 possible sets)
    by_set: FxHashMap<CategorySet, u64>,
    transfers: u64,
    us_persons: u64,
    by_class: FxHashMap<&'static str, u64>,
    worst: Classification,
    peak: [u64; 7],
    concern: Option<Concern>,
}

/// Classifies transfers under one data rule, in date order.
pub struct Auditor {
    rule: DataRule,
    screener: Screener,
    as_of: Option<NaiveDate>,
    states: FxHashMap<String, CounterpartyState>,
    screened: FxHashMap<String, Option<Concern>>,
    last_date: Option<NaiveDate>,
}

/// The audit cannot start.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// No such rule in the pack.
    #[error("the rule pack has no data rule {0:?}")]
    NoRule(String),
}

/// A transfer out of date order.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {date} is before the previous transfer's {previous}: the input must be in date order")]
pub struct OutOfOrder {
    /// Line.
    pub line: u64,
    /// Its date.
    pub date: NaiveDate,
    /// The latest date seen before it.
    pub previous: NaiveDate,
}

fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Auditor {
    /// An auditor for a data rule of the pack (`28-CFR-202`); with `as_of`, every transfer is
    /// judged by the rule as it stood that day, otherwise by the rule on the transfer's own date.
    pub fn new(
        pack: RulePack,
        rule_id: &str,
        as_of: Option<NaiveDate>,
    ) -> Result<Auditor, AuditError> {
        let rule = pack
            .data_rule(rule_id)
            .cloned()
            .ok_or_else(|| AuditError::NoRule(rule_id.to_string()))?;
        Ok(Auditor {
            rule,
            screener: Screener::new(pack, Vec::new(), ScreenConfig::default()),
            as_of,
            states: FxHashMap::default(),
            screened: FxHashMap::default(),
            last_date: None,
        })
    }

    /// The rule in use.
    pub fn rule(&self) -> &DataRule {
        &self.rule
    }

    fn in_force(&self, day: NaiveDate) -> bool {
        day >= self.rule.effective && self.rule.ended.is_none_or(|e| day < e)
    }

    /// Is the country a country of concern on the day?
    fn concern_country(&self, country: &str, day: NaiveDate) -> Option<String> {
        self.screener
            .pack()
            .country_standing(country, day)
            .concern
            .into_iter()
            .find(|d| d.list == self.rule.countries)
            .map(|d| format!("{} ({})", d.member.name, d.list))
    }

    /// Is a named party a covered person through the rule pack's entities: organised in a country
    /// of concern, or owned 50% or more by an entity that is?
    fn covered_entity(&mut self, name: &str, day: NaiveDate) -> Option<Concern> {
        let k = key(name);
        if let Some(hit) = self.screened.get(&k) {
            return hit.clone();
        }
        let q = Query {
            name: Some(name.to_string()),
            ..Query::default()
        };
        let threshold = self.screener.config().block_threshold;
        let found = self.screener.screen(&q, day).ok().and_then(|r| {
            r.matches
                .into_iter()
                .filter(|m| m.kind == ItemKind::Entity && m.score >= threshold)
                .find_map(|m| {
                    let pack = self.screener.pack();
                    let entity = pack.entity(&m.id)?;
                    if let Some(list) = self.concern_country(&entity.country, day) {
                        return Some(Concern {
                            basis: "covered_person".into(),
                            detail: format!(
                                "{name:?} matches {} (score {:.2}), organised in {list} (202.211(a))",
                                entity.name, m.score
                            ),
                        });
                    }
                    pack.owners_of(&entity.id).into_iter().find_map(|o| {
                        let owner = pack.entity(&o.owner)?;
                        let list = self.concern_country(&owner.country, day)?;
                        (o.percent >= 50.0).then(|| Concern {
                            basis: "covered_person".into(),
                            detail: format!(
                                "{name:?} matches {}, {:.0}% owned by {} of {list} (202.211(a))",
                                entity.name, o.percent, owner.name
                            ),
                        })
                    })
                })
        });
        self.screened.insert(k, found.clone());
        found
    }

    /// Classify the next transfer (they must come in date order).
    pub fn classify(&mut self, t: &Transfer) -> Result<TransferResult, OutOfOrder> {
        if let Some(previous) = self.last_date {
            if t.date < previous {
                return Err(OutOfOrder {
                    line: t.line,
                    date: t.date,
                    previous,
                });
            }
        }
        self.last_date = Some(t.date);
        let day = self.as_of.unwrap_or(t.date);
        // the window: after the same day `window_months` months earlier, up to this transfer
        let window_start = t
            .date
            .checked_sub_months(Months::new(self.rule.window_months))
            .unwrap_or(NaiveDate::MIN);

        // the counterparty: country of concern, or covered person by name or by parent
        let concern = match self.concern_country(&t.country, day) {
            Some(list) => Some(Concern {
                basis: "country_of_concern".into(),
                detail: format!("{} is in {list}", t.country),
            }),
            None => {
                let by_name = self.covered_entity(&t.counterparty, day);
                by_name.or_else(|| {
                    let parent = t.parent.clone()?;
                    self.covered_entity(&parent, day).map(|c| Concern {
                        basis: c.basis,
                        detail: format!("its parent {}", c.detail),
                    })
                })
            }
        };

        let in_force = self.in_force(day);
        // the window: drop what is older than it, add this transfer
        let k = key(&t.counterparty);
        let state = self.states.entry(k).or_insert_with(|| CounterpartyState {
            name: t.counterparty.clone(),
            country: t.country.clone(),
            window: VecDeque::new(),
            by_set: FxHashMap::default(),
            transfers: 0,
            us_persons: 0,
            by_class: FxHashMap::default(),
            worst: Classification::NotCovered,
            peak: [0; 7],
            concern: None,
        });
        while state.window.front().is_some_and(|e| e.date <= window_start) {
            let e = state.window.pop_front().expect("front exists");
            if let Some(total) = state.by_set.get_mut(&e.categories) {
                *total -= e.us_persons;
            }
        }
        // one entry per day and set of categories: the window holds at most a year of days per
        // counterparty, however many transfers there are
        match state
            .window
            .iter_mut()
            .rev()
            .take_while(|e| e.date == t.date)
            .find(|e| e.categories == t.categories)
        {
            Some(e) => e.us_persons += t.us_persons,
            None => state.window.push_back(Entry {
                date: t.date,
                categories: t.categories,
                us_persons: t.us_persons,
            }),
        }
        *state.by_set.entry(t.categories).or_default() += t.us_persons;
        state.country.clone_from(&t.country);
        state.transfers += 1;
        state.us_persons += t.us_persons;
        if concern.is_some() {
            state.concern.clone_from(&concern);
        }

        // figures: each category of this transfer, and the combination
        let total_for = |set: CategorySet| -> u64 {
            state
                .by_set
                .iter()
                .filter(|(s, _)| **s & set != 0)
                .map(|(_, n)| *n)
                .sum()
        };
        let mut figures = Vec::new();
        for (i, name) in CATEGORIES.iter().enumerate() {
            let bit = 1u8 << i;
            if t.categories & bit == 0 {
                continue;
            }
            let total = total_for(bit);
            state.peak[i] = state.peak[i].max(total);
            if let Some(th) = self.rule.threshold.iter().find(|x| x.category == *name) {
                figures.push(Figure {
                    category: name.to_string(),
                    window_total: total,
                    threshold: th.more_than,
                    section: th.section.clone(),
                    bulk: total > th.more_than,
                });
            }
        }
        if figures.len() > 1 {
            // combined data: the lowest threshold of its categories (202.205(g))
            let lowest = figures
                .iter()
                .min_by_key(|f| f.threshold)
                .expect("two or more figures")
                .clone();
            let total = total_for(t.categories);
            figures.push(Figure {
                category: format!("combined: {}", category_names(t.categories).join("+")),
                window_total: total,
                threshold: lowest.threshold,
                section: "202.205(g)".into(),
                bulk: total > lowest.threshold,
            });
        }
        let bulk = figures.iter().any(|f| f.bulk);

        let mut reasons = Vec::new();
        let clause =
            |list: &[DataClause], kind: &str| list.iter().find(|c| c.kind == kind).cloned();
        let (classification, section, recommendation) = if !in_force {
            reasons.push(format!(
                "{} is not in force on {day} (effective {})",
                self.rule.id, self.rule.effective
            ));
            (Classification::NotCovered, None, "no action".to_string())
        } else if let Some(ex) = t
            .exemption
            .as_deref()
            .and_then(|e| clause(&self.rule.exemption, e))
        {
            reasons.push(format!("exempt: {} ({})", ex.text, ex.section));
            (
                Classification::Exempt,
                Some(ex.section),
                "no action: exempt; keep the records that show the exemption applies".to_string(),
            )
        } else if let Some(concern) = &concern {
            reasons.push(format!(
                "the counterparty is a {}: {}",
                concern.basis.replace('_', " "),
                concern.detail
            ));
            describe(&mut reasons, &figures, t.government_related);
            let omic = t.categories & 0b11 != 0
                && figures
                    .iter()
                    .any(|f| f.bulk && (f.category == "genomic" || f.category == "other_omic"));
            let covered_kind = t.kind != "other";
            match (covered_kind, bulk || t.government_related) {
                (false, _) => {
                    reasons.push("not data brokerage or a vendor, employment or investment agreement: not a covered data transaction (202.210)".into());
                    (
                        Classification::NotCovered,
                        Some("202.210".into()),
                        "no action".to_string(),
                    )
                }
                (true, false) => (
                    Classification::BelowThreshold,
                    figures.first().map(|f| f.section.clone()),
                    format!(
                        "no action now; watch the 12-month totals ({})",
                        watch(&figures)
                    ),
                ),
                (true, true) => {
                    if let Some(c) = clause(&self.rule.prohibited, "omic").filter(|_| omic) {
                        reasons.push(format!("prohibited: {} ({})", c.text, c.section));
                        (Classification::Prohibited, Some(c.section), "stop: do not carry out this transfer, and review past ones with this counterparty".to_string())
                    } else if let Some(c) = clause(&self.rule.prohibited, &t.kind) {
                        reasons.push(format!("prohibited: {} ({})", c.text, c.section));
                        (Classification::Prohibited, Some(c.section), "stop: do not carry out this transfer, and review past ones with this counterparty".to_string())
                    } else if let Some(c) = self
                        .rule
                        .restricted
                        .iter()
                        .find(|c| c.kind == t.kind && c.concern_only)
                        .cloned()
                    {
                        reasons.push(format!("restricted: {} ({})", c.text, c.section));
                        (Classification::Restricted, Some(c.section), "allowed only with the security requirements of 202.248 (CISA), due diligence, audits and records".to_string())
                    } else {
                        (Classification::NotCovered, None, "no action".to_string())
                    }
                }
            }
        } else if t.country != "US" && (bulk || t.government_related) {
            // data brokerage with any other foreign person needs the contract terms (202.302)
            match self
                .rule
                .restricted
                .iter()
                .find(|c| c.kind == t.kind && !c.concern_only)
            {
                Some(c) => {
                    reasons.push(format!("a foreign person outside the countries of concern, with bulk or government-related data: {} ({})", c.text, c.section));
                    describe(&mut reasons, &figures, t.government_related);
                    (Classification::Restricted, Some(c.section.clone()), "allowed only if the contract bars onward transfer to countries of concern and covered persons, with reporting of known violations".to_string())
                }
                None => {
                    reasons.push(
                        "the counterparty is neither in a country of concern nor a covered person"
                            .into(),
                    );
                    (Classification::NotCovered, None, "no action".to_string())
                }
            }
        } else {
            reasons.push(
                "the counterparty is neither in a country of concern nor a covered person".into(),
            );
            (Classification::NotCovered, None, "no action".to_string())
        };

        *state.by_class.entry(classification.as_str()).or_default() += 1;
        state.worst = state.worst.max(classification);
        Ok(TransferResult {
            line: t.line,
            date: t.date,
            counterparty: t.counterparty.clone(),
            counterparty_country: t.country.clone(),
            kind: t.kind.clone(),
            categories: category_names(t.categories),
            us_persons: t.us_persons,
            classification,
            section,
            reasons,
            figures,
            concern,
            recommendation,
        })
    }

    /// One summary per counterparty, the most serious first.
    pub fn summaries(&self) -> Vec<CounterpartySummary> {
        let mut out: Vec<CounterpartySummary> = self
            .states
            .values()
            .map(|s| CounterpartySummary {
                summary: true,
                counterparty: s.name.clone(),
                country: s.country.clone(),
                concern: s.concern.clone(),
                transfers: s.transfers,
                us_persons: s.us_persons,
                by_classification: s.by_class.clone(),
                worst: s.worst,
                peak_window_totals: CATEGORIES
                    .iter()
                    .zip(s.peak)
                    .filter(|(_, n)| *n > 0)
                    .map(|(c, n)| (c.to_string(), n))
                    .collect(),
                recommendation: match s.worst {
                    Classification::Prohibited => {
                        "stop the prohibited transfers and review the relationship".into()
                    }
                    Classification::Restricted => {
                        "keep to the security requirements (or contract terms) for every transfer"
                            .into()
                    }
                    Classification::BelowThreshold => "watch the 12-month totals".into(),
                    _ => "no action".into(),
                },
            })
            .collect();
        out.sort_by(|a, b| {
            b.worst
                .cmp(&a.worst)
                .then(b.us_persons.cmp(&a.us_persons))
                .then(a.counterparty.cmp(&b.counterparty))
        });
        out
    }
}

fn describe(reasons: &mut Vec<String>, figures: &[Figure], government_related: bool) {
    if government_related {
        reasons.push("government-related data: covered regardless of volume (202.222)".into());
    }
    for f in figures.iter().filter(|f| f.bulk) {
        reasons.push(format!(
            "bulk {}: {} in the 12 months to this transfer, more than {} ({})",
            f.category, f.window_total, f.threshold, f.section
        ));
    }
}

fn watch(figures: &[Figure]) -> String {
    figures
        .iter()
        .map(|f| {
            format!(
                "{} {} of more than {}",
                f.category, f.window_total, f.threshold
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
