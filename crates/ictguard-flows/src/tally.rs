//! The totals of an audit run, as the reports show them: transfers by classification, US persons
//! by counterparty country, by category and by month (all, and in flagged transfers), the first
//! flagged transfers in full, and the rows that could not be read.
//!
//! Kept apart from [`Auditor`](crate::Auditor), which decides each transfer: a tally only counts
//! what was decided, so the command line, a server or a binding can each count their own run.

use std::collections::BTreeMap;

use crate::{Classification, TransferResult};

/// Prohibited and restricted transfers a tally keeps in full (the rest are only counted).
pub const LISTED: usize = 40;
/// Unreadable rows a tally keeps the reason of (the rest are only counted).
pub const BAD_KEPT: usize = 100;

/// The totals of one audit run.
#[derive(Debug, Default)]
pub struct Tally {
    /// Transfers classified.
    pub transfers: u64,
    /// Rows that could not be read or classified.
    pub bad_rows: u64,
    /// Transfers by classification.
    pub by_class: BTreeMap<&'static str, u64>,
    /// The first [`LISTED`] prohibited or restricted transfers (when kept with [`Tally::keep`]).
    pub listed: Vec<TransferResult>,
    /// US persons by counterparty country.
    pub by_country: BTreeMap<String, u64>,
    /// US persons by data category.
    pub by_category: BTreeMap<&'static str, u64>,
    /// US persons by month (`YYYY-MM`): in all transfers, and in prohibited or restricted ones.
    pub by_month: BTreeMap<String, (u64, u64)>,
    /// US persons by month and data category.
    pub by_month_category: BTreeMap<(String, &'static str), u64>,
    /// The first [`BAD_KEPT`] reasons rows were skipped.
    pub bad: Vec<String>,
}

impl Tally {
    /// Prohibited and restricted transfers counted, listed or not.
    pub fn flagged_count(&self) -> u64 {
        ["prohibited", "restricted"]
            .iter()
            .map(|c| self.by_class.get(c).copied().unwrap_or(0))
            .sum()
    }

    /// Prohibited and restricted transfers counted but not kept in [`Tally::listed`].
    pub fn not_listed(&self) -> u64 {
        self.flagged_count()
            .saturating_sub(self.listed.len() as u64)
    }

    /// Count a row that could not be read or classified, keeping its reason while there is room.
    pub fn skip(&mut self, why: String) {
        self.bad_rows += 1;
        if self.bad.len() < BAD_KEPT {
            self.bad.push(why);
        }
    }

    /// Count a classified transfer.
    pub fn count(&mut self, r: &TransferResult) {
        self.transfers += 1;
        *self
            .by_country
            .entry(r.counterparty_country.clone())
            .or_default() += r.us_persons;
        for c in &r.categories {
            *self.by_category.entry(*c).or_default() += r.us_persons;
        }
        let month = r.date.format("%Y-%m").to_string();
        for c in &r.categories {
            *self
                .by_month_category
                .entry((month.clone(), *c))
                .or_default() += r.us_persons;
        }
        let m = self.by_month.entry(month).or_default();
        m.0 += r.us_persons;
        if r.classification >= Classification::Restricted {
            m.1 += r.us_persons;
        }
        *self.by_class.entry(r.classification.as_str()).or_default() += 1;
    }

    /// Keep a counted transfer in full when it is prohibited or restricted and there is room.
    pub fn keep(&mut self, r: TransferResult) {
        if r.classification >= Classification::Restricted && self.listed.len() < LISTED {
            self.listed.push(r);
        }
    }

    /// Whether any transfer was prohibited or restricted.
    pub fn flagged(&self) -> bool {
        self.by_class.contains_key("prohibited") || self.by_class.contains_key("restricted")
    }
}
