//! TOML dates to `chrono::NaiveDate`.
//!
//! Packs write dates as TOML local dates (`signed = 2021-01-05`), which the `toml` crate hands over as
//! its own `Datetime`; a quoted string is accepted too so that JSON-minded authors are not punished.

use std::fmt;

use chrono::NaiveDate;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A date that is not an ISO 8601 calendar date: what was given, and why chrono refused it.
///
/// The message names the expected form, because it reaches people as is (`--as-of`, API
/// answers, pack diagnostics).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {given:?} ({reason}); expected YYYY-MM-DD")]
pub struct DateError {
    /// The text as given (untrimmed).
    pub given: String,
    /// Why it is not a date: its form, or a day that does not exist.
    // shown in the message, not as a `source()`: error chains printed with `{:#}` stay as they were
    pub reason: chrono::ParseError,
}

/// Parse an ISO 8601 calendar date (`YYYY-MM-DD`), with a message a person can act on.
///
/// One parser for every front door (CLI flags, HTTP parameters, pack files), so that they accept
/// and refuse the same dates.
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|reason| DateError {
        given: s.to_string(),
        reason,
    })
}

/// Reads a date from whichever form the input has: a TOML date (which the `toml` crate hands over
/// as a one-entry map) or a string. One visitor rather than an untagged enum, which buffered every
/// value and built an error message for the form it was not (a fifth of loading the bundled pack's
/// JSON twins, whose dates are strings).
struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date like 2021-01-05")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<NaiveDate, E> {
        parse_date(s).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NaiveDate, A::Error> {
        use serde::de::Error;
        let dt =
            toml::value::Datetime::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                .map_err(|_| A::Error::custom("expected a date like 2021-01-05"))?;
        match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                    .ok_or_else(|| A::Error::custom(format!("impossible date {dt}")))
            }
            _ => Err(A::Error::custom(format!(
                "expected a date without time, like 2021-01-05, got {dt}"
            ))),
        }
    }
}

pub(crate) fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_any(DateVisitor)
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
    fn an_invalid_date_reads_as_before() {
        // the words reach the CLI, the API and pack diagnostics as they are
        let e = parse_date("2021-02-30").unwrap_err();
        assert_eq!(e.given, "2021-02-30");
        assert_eq!(
            e.to_string(),
            "invalid date \"2021-02-30\" (input is out of range); expected YYYY-MM-DD"
        );
        assert_eq!(
            parse_date(" x ").unwrap_err().to_string(),
            "invalid date \" x \" (input contains invalid characters); expected YYYY-MM-DD"
        );
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
        assert!(toml::from_str::<T>("d = 2021-02-30").is_err());
        assert!(toml::from_str::<T>("d = 2021-02-03T10:00:00").is_err());
        assert!(toml::from_str::<T>("d = 10:00:00").is_err());
        assert!(toml::from_str::<T>("d = 5").is_err());
        assert!(toml::from_str::<T>("d = { a = 1 }").is_err());
    }

    #[test]
    fn reads_json_dates_as_the_compiled_pack_writes_them() {
        let t: T = serde_json::from_str(r#"{"d": "2021-01-05"}"#).unwrap();
        assert_eq!(t.d, NaiveDate::from_ymd_opt(2021, 1, 5).unwrap());
        for bad in [
            r#"{"d": "2021-13-01"}"#,
            r#"{"d": 20210105}"#,
            r#"{"d": {"x": 1}}"#,
        ] {
            let e = serde_json::from_str::<T>(bad).err().expect(bad).to_string();
            assert!(e.contains("date"), "{bad}: {e}");
        }
    }
}
