//! The token a normalised name is made of, shared by the normaliser and the legal-form tables.

use serde::Serialize;

/// What a token is, for weighting by the scorer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A distinctive word.
    Word,
    /// A legal form (Ltd., Holdings, 有限公司) that says nothing about identity.
    LegalForm,
}

/// One token of a normalised name: lowercase ASCII letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameToken {
    /// The token text.
    pub text: String,
    /// Its kind.
    pub kind: TokenKind,
    /// For a word written in Han, its characters in simplified form: two Han names are compared by
    /// their characters, since different characters read alike (李华, 黎华 are both "lihua");
    /// pinyin (`text`) is for meeting names written in other scripts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub han: Option<String>,
    /// True for a word transliterated from Arabic or Hebrew script, which leave short vowels
    /// unwritten: it is compared with Latin spellings by consonants
    /// ([`crate::spelling::abjad_key`]).
    #[serde(skip)]
    pub abjad: bool,
}

impl NameToken {
    /// A legal-form token (not a word, never written in Han).
    pub(crate) fn legal_form(text: String) -> Self {
        NameToken {
            text,
            kind: TokenKind::LegalForm,
            han: None,
            abjad: false,
        }
    }
}
