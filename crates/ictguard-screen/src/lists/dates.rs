//! Dates as the list formats write them: `MM/DD/YYYY` (BIS) and `YYYY-MM-DD` (CSL). An empty field
//! is no date, not an error.

use chrono::NaiveDate;

/// A date field that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {text:?} ({reason})")]
pub struct DateError {
    /// The field, trimmed.
    pub text: String,
    /// Why chrono refused it.
    // not a `#[source]`: the message already says it, and error chains would repeat it
    pub reason: chrono::ParseError,
}

/// A US-style date, `06/19/2003`.
pub(crate) fn parse_mdy(s: &str) -> Result<Option<NaiveDate>, DateError> {
    parse(s, "%m/%d/%Y")
}

/// An ISO 8601 date, `2003-06-19`.
pub(crate) fn parse_iso(s: &str) -> Result<Option<NaiveDate>, DateError> {
    parse(s, "%Y-%m-%d")
}

/// The publication date a list file's name carries, as `sdn_2024-05-03.csv` does: the last
/// `YYYY-MM-DD` in the name that is a real date. A name without one says nothing.
pub(crate) fn date_in_file_name(name: &str) -> Option<NaiveDate> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(9)).rev().find_map(|i| {
        let w = &b[i..i + 10];
        let shape = w.iter().enumerate().all(|(j, c)| match j {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
        let bounded = |k: Option<&u8>| k.is_none_or(|c| !c.is_ascii_digit());
        (shape && bounded(b.get(i + 10)) && (i == 0 || bounded(b.get(i - 1))))
            .then(|| NaiveDate::parse_from_str(&name[i..i + 10], "%Y-%m-%d").ok())
            .flatten()
    })
}

fn parse(s: &str, format: &str) -> Result<Option<NaiveDate>, DateError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, format)
        .map(Some)
        .map_err(|reason| DateError {
            text: s.to_string(),
            reason,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_dates_from_file_names() {
        assert_eq!(
            date_in_file_name("sdn_2024-05-03.csv"),
            NaiveDate::from_ymd_opt(2024, 5, 3)
        );
        assert_eq!(
            date_in_file_name("2021-01-05_to_2024-05-03.csv"),
            NaiveDate::from_ymd_opt(2024, 5, 3)
        );
        assert_eq!(date_in_file_name("sdn.csv"), None);
        assert_eq!(date_in_file_name("sdn_2024-13-03.csv"), None);
        assert_eq!(date_in_file_name("x12024-05-031.csv"), None);
        assert_eq!(
            date_in_file_name("é2024-05-03"),
            NaiveDate::from_ymd_opt(2024, 5, 3)
        );
    }

    #[test]
    fn empty_is_no_date_and_bad_dates_say_why() {
        assert_eq!(parse_iso(" "), Ok(None));
        assert_eq!(
            parse_mdy("06/19/2003 "),
            Ok(NaiveDate::from_ymd_opt(2003, 6, 19))
        );
        assert_eq!(
            parse_iso("2021-02-30").unwrap_err().to_string(),
            "invalid date \"2021-02-30\" (input is out of range)"
        );
        assert_eq!(
            parse_mdy("13/45/2020").unwrap_err().to_string(),
            "invalid date \"13/45/2020\" (input is out of range)"
        );
    }
}
