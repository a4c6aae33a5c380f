//! TOML dates to `chrono::NaiveDate`.
//!
//! Packs write dates as TOML local dates (`signed = 2021-01-05`), which the `toml` crate hands over as
//! its own `Datetime`; a quoted string is accepted too so that JSON-minded authors are not punished.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum DateRepr {
    Toml(toml::value::Datetime),
    Text(String),
}

fn to_date<E: serde::de::Error>(repr: DateRepr) -> Result<NaiveDate, E> {
    match repr {
        DateRepr::Toml(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                    .ok_or_else(|| E::custom(format!("impossible date {dt}")))
            }
            _ => Err(E::custom(format!(
                "expected a date without time, like 2021-01-05, got {dt}"
            ))),
        },
        DateRepr::Text(s) => parse_date(&s).map_err(E::custom),
    }
}

/// Parse an ISO 8601 calendar date (`YYYY-MM-DD`), with a message a person can act on.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|e| format!("invalid date {s:?} ({e}); expected YYYY-MM-DD"))
}

pub(crate) fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    to_date(
        DateRepr::deserialize(d)
            .map_err(|_| serde::de::Error::custom("expected a date like 2021-01-05"))?,
    )
}

pub(crate) fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    de_date(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(deserialize_with = "de_date")]
        d: NaiveDate,
    }

    #[test]
    fn reads_toml_dates_and_strings() {
        let t: T = toml::from_str("d = 2021-01-05").unwrap();
        assert_eq!(t.d, NaiveDate::from_ymd_opt(2021, 1, 5).unwrap());
        let t: T = toml::from_str("d = \"2021-02-19\"").unwrap();
        assert_eq!(t.d, NaiveDate::from_ymd_opt(2021, 2, 19).unwrap());
    }

    #[test]
    fn rejects_impossible_and_timed_dates() {
        assert!(toml::from_str::<T>("d = \"2021-02-30\"").is_err());
        assert!(toml::from_str::<T>("d = 2021-02-03T10:00:00").is_err());
        assert!(toml::from_str::<T>("d = 5").is_err());
    }
}
