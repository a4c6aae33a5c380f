//! US states and territories by their ISO 3166-2 subdivision codes, so a state rule's
//! jurisdiction and a query's state can be checked against the real list: a code that only has
//! the right shape (`ZZ`) would otherwise match nothing and silently drop every state rule.

/// The fifty states, the District of Columbia and the five inhabited territories (ISO 3166-2:US
/// subdivision codes without the `US-` prefix).
pub const US_STATES: [&str; 56] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI",
];

/// The two-letter code of a US state or territory written `TX`, `tx` or `US-TX`, if it is one.
pub fn us_state_code(text: &str) -> Option<&'static str> {
    let upper = text.trim().to_ascii_uppercase();
    let code = upper.strip_prefix("US-").unwrap_or(&upper);
    US_STATES.iter().copied().find(|s| *s == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_read_in_every_spelling_and_shapes_alone_are_refused() {
        assert_eq!(us_state_code("TX"), Some("TX"));
        assert_eq!(us_state_code(" us-va "), Some("VA"));
        assert_eq!(us_state_code("PR"), Some("PR"));
        assert_eq!(us_state_code("ZZ"), None);
        assert_eq!(us_state_code("US-ZZ"), None);
        assert_eq!(us_state_code("Texas"), None);
        assert_eq!(us_state_code(""), None);
    }

    #[test]
    fn the_list_has_no_duplicates() {
        let mut all = US_STATES.to_vec();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), US_STATES.len());
    }
}
