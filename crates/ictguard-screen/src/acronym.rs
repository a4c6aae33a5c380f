//! Acronyms: "LTTE" for "Liberation Tigers of Tamil Eelam", "CJNG" for "Cartel de Jalisco Nueva
//! Generacion", "PGPIC" for "Persian Gulf Petrochemical Industry Co." Lists name many
//! organisations by their initials in one place and in full in another.
//!
//! An acronym is weak evidence (many names share initials), so a match through one alone is a
//! review, never a block ([`ACRONYM_SCORE`]), and only a word of [`MIN_LEN`] letters or more
//! written in capitals (or dotted, L.T.T.E.) is read as one on the query's side; on a list's side,
//! where every name is in capitals, any one-word name of that length is.

use crate::token::{NameToken, TokenKind};

/// Score of a name whose initials spell the other name's one word: in the review band, below
/// blocking.
pub const ACRONYM_SCORE: f64 = 0.8;
/// Fewer letters than this are initials of too many names (among 30,000 listed names, every
/// three-letter string of common initials names a few).
pub const MIN_LEN: usize = 4;
/// More letters than this are not an acronym.
pub const MAX_LEN: usize = 10;

/// Small words that acronyms leave out ("of", "the", "de" …).
const LEFT_OUT: &[&str] = &[
    "of", "the", "and", "for", "in", "on", "at", "to", "de", "des", "du", "del", "della", "di",
    "da", "do", "dos", "das", "la", "le", "les", "los", "las", "y", "e", "et", "und", "der", "die",
];

/// True when a one-word name may be an acronym: [`MIN_LEN`]..=[`MAX_LEN`] ASCII letters.
pub fn may_be_acronym(word: &str) -> bool {
    (MIN_LEN..=MAX_LEN).contains(&word.len()) && word.bytes().all(|c| c.is_ascii_lowercase())
}

/// The acronyms a name of several words may be written as: the initials of its words without
/// the small words, with and without its legal forms ("pgpic" and "pgpi" for "Persian Gulf
/// Petrochemical Industry Co."). Empty for names of fewer than [`MIN_LEN`] words.
pub fn acronyms(tokens: &[NameToken]) -> Vec<String> {
    let kept: Vec<&NameToken> = tokens
        .iter()
        .filter(|t| !LEFT_OUT.contains(&t.text.as_str()) && t.han.is_none())
        .collect();
    let initials = |with_legal: bool| -> String {
        kept.iter()
            .filter(|t| with_legal || t.kind == TokenKind::Word)
            .filter_map(|t| t.text.bytes().next())
            .filter(u8::is_ascii_lowercase)
            .map(char::from)
            .collect()
    };
    let mut out: Vec<String> = [initials(true), initials(false)]
        .into_iter()
        .filter(|a| may_be_acronym(a))
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_name;

    fn of(name: &str) -> Vec<String> {
        acronyms(&normalize_name(name).tokens)
    }

    #[test]
    fn initials_without_small_words_with_and_without_legal_forms() {
        assert_eq!(of("Liberation Tigers of Tamil Eelam"), vec!["ltte"]);
        assert_eq!(of("CARTEL DE JALISCO NUEVA GENERACION"), vec!["cjng"]);
        assert!(of("PERSIAN GULF PETROCHEMICAL INDUSTRY CO.").contains(&"pgpic".to_string()));
        assert!(of("PERSIAN GULF PETROCHEMICAL INDUSTRY CO.").contains(&"pgpi".to_string()));
        assert!(of("Tencent Holdings").is_empty());
        assert!(!may_be_acronym("ab"));
        assert!(!may_be_acronym("a1b2"));
    }
}
