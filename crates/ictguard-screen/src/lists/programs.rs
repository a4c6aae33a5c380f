//! Sanctions programs as the formats write them: `[SDGT] [IRGC]` (OFAC), `CUBA`, `SDGT; IRGC` (CSL).

/// The programs in a field, in order.
pub(crate) fn split_programs(s: &str) -> Vec<String> {
    s.split(['[', ']', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_semicolons_and_plain() {
        assert_eq!(split_programs("[SDGT] [IRGC]"), vec!["SDGT", "IRGC"]);
        assert_eq!(split_programs("SDGT; IRGC"), vec!["SDGT", "IRGC"]);
        assert_eq!(split_programs("CUBA"), vec!["CUBA"]);
        assert!(split_programs(" ").is_empty());
    }
}
