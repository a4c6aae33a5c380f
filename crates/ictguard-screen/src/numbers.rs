//! Ordinal numbers written as words or with suffixes ("Second", "2nd", "77th") read as their
//! number, so that "2nd Division" meets "Second Division", and numbers compared exactly: "77th
//! Light Infantry Division" is not the 33rd, nor "Hyundai Mipo 2655" the 2656 (see
//! `score::token_similarity`).

/// Ordinal words in English, first to twentieth, then the tens.
const ORDINAL_WORDS: &[(&str, &str)] = &[
    ("first", "1"),
    ("second", "2"),
    ("third", "3"),
    ("fourth", "4"),
    ("fifth", "5"),
    ("sixth", "6"),
    ("seventh", "7"),
    ("eighth", "8"),
    ("ninth", "9"),
    ("tenth", "10"),
    ("eleventh", "11"),
    ("twelfth", "12"),
    ("thirteenth", "13"),
    ("fourteenth", "14"),
    ("fifteenth", "15"),
    ("sixteenth", "16"),
    ("seventeenth", "17"),
    ("eighteenth", "18"),
    ("nineteenth", "19"),
    ("twentieth", "20"),
    ("thirtieth", "30"),
    ("fortieth", "40"),
    ("fiftieth", "50"),
    ("sixtieth", "60"),
    ("seventieth", "70"),
    ("eightieth", "80"),
    ("ninetieth", "90"),
    ("hundredth", "100"),
];

/// The number an ordinal token stands for ("second" → "2", "77th" → "77", "1st" → "1"), or None
/// when the token is not an ordinal.
pub fn ordinal_number(token: &str) -> Option<&str> {
    if let Some((_, n)) = ORDINAL_WORDS.iter().find(|(w, _)| *w == token) {
        return Some(n);
    }
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    let suffix = &token[digits..];
    (digits > 0 && matches!(suffix, "st" | "nd" | "rd" | "th")).then(|| &token[..digits])
}

/// True when two tokens write different numbers: their digits, read in order, differ ("2655" and
/// "2656"; "media4u" and "meida4u" write the same 4). Such tokens never match.
pub fn numbers_differ(a: &str, b: &str) -> bool {
    // this runs for every pair of words scored: no allocation
    fn digits(t: &str) -> impl Iterator<Item = u8> + '_ {
        t.bytes().filter(u8::is_ascii_digit)
    }
    !digits(a).eq(digits(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_as_numbers() {
        assert_eq!(ordinal_number("second"), Some("2"));
        assert_eq!(ordinal_number("2nd"), Some("2"));
        assert_eq!(ordinal_number("77th"), Some("77"));
        assert_eq!(ordinal_number("twentieth"), Some("20"));
        assert_eq!(ordinal_number("seconds"), None);
        assert_eq!(ordinal_number("4u"), None);
        assert_eq!(ordinal_number("th"), None);
        assert_eq!(ordinal_number("2655"), None);
    }

    #[test]
    fn numbers_compared_by_their_digits() {
        assert!(numbers_differ("2655", "2656"));
        assert!(numbers_differ("77", "33"));
        assert!(numbers_differ("media4u", "media"));
        assert!(!numbers_differ("media4u", "meida4u"));
        assert!(!numbers_differ("alipay", "alipya"));
    }
}
