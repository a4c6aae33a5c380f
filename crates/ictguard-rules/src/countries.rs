//! Which countries are designated on a date, and what each designation means: a foreign adversary
//! (EO 13873's instruments: the 2020-21 app orders, 15 CFR 791.4, the 2024 act's countries) or a
//! country of concern of a data rule (28 CFR 202.601), which makes a party organised there a covered
//! person. Screening, vetting and flow audits all read designations from here, so they agree on
//! the set on any date.

use chrono::NaiveDate;

use crate::model::CountryMember;
use crate::pack::RulePack;

/// One list's designation of a country.
#[derive(Debug, Clone, Copy)]
pub struct Designation<'a> {
    /// The list's id.
    pub list: &'a str,
    /// The list's citation.
    pub citation: &'a str,
    /// The member entry (name, dates).
    pub member: &'a CountryMember,
}

/// Every designation of a country on a date, by what it means.
#[derive(Debug, Clone, Default)]
pub struct CountryStanding<'a> {
    /// Foreign-adversary designations.
    pub adversary: Vec<Designation<'a>>,
    /// Country-of-concern designations of a data rule.
    pub concern: Vec<Designation<'a>>,
}

impl RulePack {
    /// The country lists that designate `country` on `date`.
    pub fn country_designations(
        &self,
        country: &str,
        date: NaiveDate,
    ) -> Vec<(&str, &str, &crate::model::CountryMember)> {
        let mut out = Vec::new();
        for l in &self.country_lists {
            for m in &l.item.member {
                if m.country.eq_ignore_ascii_case(country)
                    && m.added <= date
                    && m.removed.is_none_or(|r| date < r)
                {
                    out.push((l.item.id.as_str(), l.item.citation.as_str(), m));
                }
            }
        }
        out
    }

    /// The designations of `country` on `date`, split into foreign adversary and country of
    /// concern (a list is the latter when a data rule names it as its countries).
    pub fn country_standing(&self, country: &str, date: NaiveDate) -> CountryStanding<'_> {
        let mut standing = CountryStanding::default();
        for (list, citation, member) in self.country_designations(country, date) {
            let d = Designation {
                list,
                citation,
                member,
            };
            if self.data_rules.iter().any(|r| r.item.countries == list) {
                standing.concern.push(d);
            } else {
                standing.adversary.push(d);
            }
        }
        standing
    }
}
