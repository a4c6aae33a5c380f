//! Multilingual name normalisation for matching.
//!
//! Pipeline, in one pass over the characters after NFKC:
//! 1. NFKC folds width and compatibility forms (ＷｅＣｈａｔ → WeChat); input is capped at
//!    [`MAX_CHARS`] characters so cost is bounded.
//! 2. Han runs: Chinese legal-form words (有限公司, 集团, 控股 …) are split off as legal tokens, and
//!    each remaining run becomes one token of toneless pinyin (支付宝 → `zhifubao`), since Chinese
//!    writes words without spaces; the scorer compares spaceless forms, so "Zhi Fu Bao" still meets it.
//! 3. Other non-ASCII letters go to Latin through `any_ascii` (Cyrillic, Greek, kana, Hangul, Arabic,
//!    accented Latin), then lower case.
//! 4. Tokens split on anything not a letter or digit; apostrophes join (O'Neil → oneil); dotted
//!    single letters join (S.A. → sa); entering or leaving Han text splits (QQ钱包 → qq qianbao).
//! 5. Legal forms in English, other European languages and pinyin are marked [`TokenKind::LegalForm`]
//!    so the scorer can ignore them.
//!
//! Rejected: regex-based cleaning (slower, and a `RegexSet` of legal forms costs more to build than
//! it saves); transliterating Han per character with spaces (splits Chinese words into syllables,
//! which then match any name sharing a common syllable such as "hua" or "xin").

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

pub use crate::legal_form::canonical_legal_form;
use crate::legal_form::{
    is_fuzzy_legal_form, is_legal_form, merge_legal_phrases, merge_spaced_legal_forms, HAN_LEGAL,
};
pub use crate::token::{NameToken, TokenKind};

/// Characters of input considered; the rest is ignored.
pub const MAX_CHARS: usize = 1_024;

/// A name in normal form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NormalizedName {
    /// Tokens in order.
    pub tokens: Vec<NameToken>,
    /// True when some of it was transliterated from a script other than Latin or Han (Cyrillic,
    /// kana, Hangul …), whose Latin spellings vary: the matcher then also compares sound keys.
    #[serde(skip)]
    pub transliterated: bool,
    /// True when the name has letters and none in lower case ("LTTE", "CJNG"): a one-word name so
    /// written may be an acronym ([`crate::acronym`]).
    #[serde(skip)]
    pub capitals: bool,
}

impl NormalizedName {
    /// Word tokens (legal forms removed), falling back to all tokens when there are no words.
    pub fn core_tokens(&self) -> impl Iterator<Item = &str> {
        let has_words = self.tokens.iter().any(|t| t.kind == TokenKind::Word);
        self.tokens
            .iter()
            .filter(move |t| !has_words || t.kind == TokenKind::Word)
            .map(|t| t.text.as_str())
    }

    /// Core tokens separated by spaces.
    pub fn key(&self) -> String {
        self.core_tokens().collect::<Vec<_>>().join(" ")
    }

    /// Core tokens with no separator ("zhi fu bao" → "zhifubao").
    pub fn joined(&self) -> String {
        self.core_tokens().collect()
    }

    /// The Han characters of the core tokens, run together, when every core token is written in
    /// Han: two such names are compared by characters, not by pinyin.
    pub fn han_joined(&self) -> Option<String> {
        let has_words = self.tokens.iter().any(|t| t.kind == TokenKind::Word);
        let mut out = String::new();
        for t in self
            .tokens
            .iter()
            .filter(|t| !has_words || t.kind == TokenKind::Word)
        {
            out.push_str(t.han.as_deref()?);
        }
        (!out.is_empty()).then_some(out)
    }

    /// True when a core token, by its text, was transliterated from Arabic or Hebrew script.
    pub fn abjad_of(&self, text: &str) -> bool {
        self.tokens.iter().any(|t| t.text == text && t.abjad)
    }

    /// The Han form of a core token, by its text (None when not written in Han).
    pub fn han_of(&self, text: &str) -> Option<&str> {
        self.tokens
            .iter()
            .find(|t| t.text == text && t.han.is_some())
            .and_then(|t| t.han.as_deref())
    }

    /// All tokens, legal forms included, separated by spaces (for evidence).
    pub fn display(&self) -> String {
        self.tokens
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// True when the name has no tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Han text is transliterated word by word; everything else goes through `any_ascii` together, so
/// accented Latin stays inside its word (Société → societe).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Han,
    Other,
}

fn script_of(c: char) -> Script {
    if is_han(c) {
        Script::Han
    } else {
        Script::Other
    }
}

/// Pinyin of a Han run without tones, one syllable per character, concatenated.
fn han_to_pinyin(run: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::with_capacity(run.len() * 2);
    for p in run.to_pinyin().flatten() {
        out.push_str(p.plain());
    }
    out
}

/// Split a Han run into words and legal forms, transliterated.
fn push_han_run(run: &str, tokens: &mut Vec<NameToken>) {
    let mut rest = run;
    let mut word = String::new();
    let flush = |word: &mut String, tokens: &mut Vec<NameToken>| {
        if !word.is_empty() {
            let text = han_to_pinyin(word);
            if !text.is_empty() {
                tokens.push(NameToken {
                    text,
                    kind: TokenKind::Word,
                    han: Some(simplet2s::convert(word)),
                    abjad: false,
                });
            }
            word.clear();
        }
    };
    while let Some(c) = rest.chars().next() {
        if let Some(legal) = HAN_LEGAL.iter().find(|l| rest.starts_with(**l)) {
            flush(&mut word, tokens);
            tokens.push(NameToken::legal_form(han_to_pinyin(legal)));
            rest = &rest[legal.len()..];
        } else {
            word.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    flush(&mut word, tokens);
}

/// Lower-case ASCII alphanumerics of a transliteration; other characters split. `abjad`: the text
/// was transliterated from Arabic or Hebrew script ([`NameToken::abjad`]).
fn push_latin(text: &str, abjad: bool, tokens: &mut Vec<NameToken>) {
    let mut cur = String::new();
    let push = |cur: &mut String, tokens: &mut Vec<NameToken>| {
        tokens.push(NameToken {
            text: std::mem::take(cur),
            kind: TokenKind::Word,
            han: None,
            abjad,
        })
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '’' {
            // O'Neil → oneil
        } else if !cur.is_empty() {
            push(&mut cur, tokens);
        }
    }
    if !cur.is_empty() {
        push(&mut cur, tokens);
    }
}

/// Letters of the Arabic and Hebrew scripts (with their presentation forms).
fn is_abjad_letter(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Normalise a name written in any script.
pub fn normalize_name(raw: &str) -> NormalizedName {
    // ASCII is its own NFKC form, and most names are ASCII: skip the normaliser's per-character
    // work for them
    let folded: std::borrow::Cow<str> = if raw.is_ascii() {
        std::borrow::Cow::Borrowed(&raw[..raw.len().min(MAX_CHARS)])
    } else {
        std::borrow::Cow::Owned(raw.chars().take(MAX_CHARS).nfkc().collect())
    };
    let mut tokens: Vec<NameToken> = Vec::new();
    // Segments of one script; punctuation belongs to the segment it sits in.
    let mut seg = String::new();
    let mut seg_script = Script::Other;
    let mut dotted = false; // inside a dotted abbreviation like "S.A."
                            // the characters, for looking around dots; most names fit the stack buffer
    let mut stack = ['\0'; 128];
    let heap: Vec<char>;
    let chars: &[char] = if folded.len() <= stack.len() {
        let mut n = 0;
        for c in folded.chars() {
            stack[n] = c;
            n += 1;
        }
        &stack[..n]
    } else {
        heap = folded.chars().collect();
        &heap
    };
    let mut transliterated = false;
    let mut flush = |seg: &mut String, script: Script, tokens: &mut Vec<NameToken>| {
        if seg.is_empty() {
            return;
        }
        match script {
            Script::Han => push_han_run(seg, tokens),
            Script::Other if seg.is_ascii() => push_latin(seg, false, tokens),
            Script::Other => {
                // accented Latin is only spelt differently; other scripts are transliterated
                transliterated |= seg
                    .chars()
                    .any(|c| c.is_alphabetic() && !c.is_ascii() && !is_latin_letter(c));
                // word by word, so that only words written in an abjad are marked so
                for word in seg.split_whitespace() {
                    let abjad = word.chars().any(is_abjad_letter);
                    push_latin(&any_ascii::any_ascii(word), abjad, tokens)
                }
            }
        }
        seg.clear();
    };
    for (i, &c) in chars.iter().enumerate() {
        if c.is_control() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\u{2060}') {
            continue;
        }
        if c == '.' {
            // join single letters around dots: S.A. → SA, U.S. → US
            let prev_single = i >= 1
                && chars[i - 1].is_alphanumeric()
                && (i < 2 || !chars[i - 2].is_alphanumeric());
            let next_single = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
                && chars.get(i + 2).is_none_or(|n| !n.is_alphanumeric());
            if prev_single && (next_single || dotted) {
                dotted = true;
                continue;
            }
            dotted = false;
            seg.push(' ');
            continue;
        }
        if c.is_whitespace() {
            dotted = false;
        }
        if !c.is_alphanumeric() && c != '\'' && c != '’' {
            seg.push(' ');
            continue;
        }
        let script = script_of(c);
        // accented Latin letters and other scripts are transliterated together
        if script != seg_script && !seg.trim().is_empty() {
            flush(&mut seg, seg_script, &mut tokens);
        }
        if script != seg_script {
            seg.clear();
        }
        seg_script = script;
        seg.push(c);
    }
    flush(&mut seg, seg_script, &mut tokens);
    for t in &mut tokens {
        if let Some(n) = crate::numbers::ordinal_number(&t.text) {
            t.text = n.to_string();
        }
    }
    merge_spaced_legal_forms(&mut tokens);
    merge_legal_phrases(&mut tokens);
    let n = tokens.len();
    for (i, t) in tokens.iter_mut().enumerate() {
        // a misspelt long legal form counts as one, except as the first word of a name
        if is_legal_form(&t.text) || (i > 0 && n > 1 && is_fuzzy_legal_form(&t.text)) {
            t.kind = TokenKind::LegalForm;
        }
    }
    // "private limited" is a legal form only in that pairing
    for i in 0..tokens.len().saturating_sub(1) {
        if tokens[i].text == "private" && matches!(tokens[i + 1].text.as_str(), "limited" | "ltd") {
            tokens[i].kind = TokenKind::LegalForm;
        }
    }
    let capitals =
        folded.chars().any(char::is_alphabetic) && !folded.chars().any(char::is_lowercase);
    NormalizedName {
        tokens,
        transliterated,
        capitals,
    }
}

/// Letters of the Latin script beyond ASCII (accented letters, ß, ø …).
fn is_latin_letter(c: char) -> bool {
    matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF)
}

/// A rough sound key of a spaceless ASCII name, for names transliterated from other scripts whose
/// Latin spellings vary (Тенсент → tensent, テンセント → tensento, both meet Tencent as `tnsnt`).
///
/// The first letter stays; vowels (and y, h, w after a consonant) drop; consonants that
/// transliterations confuse fold together (c before e/i/y and s/z/x → s; c, k, q, g → k; d → t;
/// b → p; v, w → w; l, r → r; j, zh → j; ch → c); repeats collapse.
pub fn sound_key(joined: &str) -> String {
    let b = joined.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut last = 0u8;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let (class, step) = match c {
            b'c' if next == b'h' => (b'c', 2),
            b'z' if next == b'h' => (b'j', 2),
            b'c' if matches!(next, b'e' | b'i' | b'y') => (b's', 1),
            b's' | b'z' | b'x' => (b's', 1),
            b'c' | b'k' | b'q' | b'g' => (b'k', 1),
            b'd' | b't' => (b't', 1),
            b'b' | b'p' => (b'p', 1),
            b'v' | b'w' => (b'w', 1),
            b'l' | b'r' => (b'r', 1),
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'h' => (if i == 0 { b'a' } else { 0 }, 1),
            other => (other, 1),
        };
        if class != 0 && class != last {
            out.push(class as char);
        }
        if class != 0 {
            last = class;
        }
        i += step;
    }
    out
}

/// Normalise an Android package id or iOS bundle id for exact lookup: trimmed (with surrounding
/// quotes removed) and ASCII-lowercased. None when it cannot be an identifier.
pub fn normalize_identifier(raw: &str) -> Option<String> {
    let s = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if s.is_empty()
        || s.len() > 255
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return None;
    }
    Some(s.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_its_own_nfkc_form() {
        // what the fast path of `normalize_name` rests on
        let ascii: String = (0u8..128).map(char::from).collect();
        assert_eq!(ascii.nfkc().collect::<String>(), ascii);
    }

    fn key(s: &str) -> String {
        normalize_name(s).key()
    }

    #[test]
    fn chinese_to_pinyin_with_legal_forms() {
        assert_eq!(normalize_name("支付宝").joined(), "zhifubao");
        assert_eq!(normalize_name("Zhi Fu Bao").joined(), "zhifubao");
        assert_eq!(key("腾讯控股有限公司"), "tengxun");
        assert_eq!(key("Tengxun Konggu Youxian Gongsi"), "tengxun");
        assert_eq!(key("騰訊控股有限公司"), "tengxun");
        assert_eq!(key("QQ钱包"), "qq qianbao");
    }

    #[test]
    fn latin_folding() {
        assert_eq!(key("Tencent Holdings Ltd."), "tencent");
        assert!(normalize_name("Tencent Holdings Ltd.")
            .display()
            .contains("holdings ltd"));
        assert_eq!(key("ＷｅＣｈａｔ"), "wechat");
        assert_eq!(
            key("Smart Media4U Technology Pte. Ltd."),
            "smart media4u technology"
        );
        assert_eq!(key("Ant Group Co., Ltd."), "ant");
        assert_eq!(key("Société Générale S.A."), "societe generale");
        assert_eq!(key("O'Neil & Sons"), "oneil sons");
        assert_eq!(
            normalize_name("Alipay.com Co., Ltd.").display(),
            "alipay com co ltd"
        );
        assert_eq!(key("U.S. Steel"), "us steel");
        assert_eq!(key("Тенсент"), "tensent");
    }

    #[test]
    fn sound_keys_meet_across_transliterations() {
        assert_eq!(sound_key("tencent"), sound_key("tensento"));
        assert_eq!(sound_key("tiktok"), sound_key("tigtog"));
        assert_eq!(sound_key("tiktok"), sound_key("teitkutotku"));
        assert_eq!(sound_key("alibaba"), sound_key("aribaba"));
        assert_eq!(sound_key("bytedance"), sound_key("baytdens"));
        assert_ne!(sound_key("tencent"), sound_key("tennant"));
        assert!(normalize_name("Тенсент").transliterated);
        assert!(!normalize_name("Société Générale").transliterated);
        assert!(!normalize_name("支付宝").transliterated);
    }

    #[test]
    fn ordinals_read_as_numbers() {
        assert_eq!(
            key("2nd Light Infantry Division"),
            key("Second Light Infantry Division")
        );
        assert_eq!(key("77TH DIVISION"), "77 division");
    }

    #[test]
    fn arabic_script_words_are_marked() {
        let n = normalize_name("عدي صدام Hussein");
        assert!(n.tokens.iter().take(2).all(|t| t.abjad));
        assert!(!n.tokens[2].abjad);
        assert!(normalize_name("LTTE").capitals);
        assert!(!normalize_name("Ltte").capitals);
    }

    #[test]
    fn misspelt_and_foreign_legal_forms() {
        assert_eq!(key("Kingsoft Coporation"), "kingsoft");
        assert_eq!(key("Тенсент Холдингс"), "tensent");
        assert_eq!(key("阿里巴巴集團"), "alibaba");
        assert_eq!(key("Ma Yi Ji Tuan"), "ma yi");
        assert_eq!(key("Tengxun Kong Gu You Xian Gong Si"), "tengxun");
        assert_eq!(key("Ant Gruop"), "ant");
        assert_eq!(canonical_legal_form("incorporated"), "inc");
    }

    #[test]
    fn identifiers() {
        assert_eq!(
            normalize_identifier(" com.eg.android.AlipayGphone ").as_deref(),
            Some("com.eg.android.alipaygphone")
        );
        assert_eq!(normalize_identifier("not a package"), None);
        assert_eq!(normalize_identifier(""), None);
    }

    #[test]
    fn never_panics_and_tokens_are_ascii() {
        let alphabet: Vec<char> = "aZ9 .,'&-_支付宝騰訊Тенсентé\u{301}\u{0}😀ｗ·/()[]ß\u{200B}"
            .chars()
            .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let len = (x % 40) as usize;
            let s: String = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    alphabet[(x % alphabet.len() as u64) as usize]
                })
                .collect();
            for t in normalize_name(&s).tokens {
                assert!(
                    !t.text.is_empty()
                        && t.text
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                    "{s:?} → {:?}",
                    t.text
                );
            }
        }
        assert!(normalize_name(&"x".repeat(100_000)).tokens[0].text.len() <= MAX_CHARS);
    }

    fn forms(s: &str) -> Vec<String> {
        normalize_name(s)
            .tokens
            .into_iter()
            .filter(|t| t.kind == TokenKind::LegalForm)
            .map(|t| canonical_legal_form(&t.text).to_string())
            .collect()
    }

    #[test]
    fn phrases_in_many_languages_become_one_form() {
        assert_eq!(
            key("Public Joint Stock Company Sberbank of Russia"),
            "sberbank of russia"
        );
        assert_eq!(
            forms("PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA"),
            ["pjsc"]
        );
        assert_eq!(forms("ПАО Сбербанк"), ["pjsc"]);
        assert_eq!(forms("Sberbank PJSC"), ["pjsc"]);
        assert_eq!(forms("Публичное акционерное общество Сбербанк"), ["pjsc"]);
        assert_eq!(key("Публичное акционерное общество Сбербанк"), "sberbank");
        assert_eq!(
            forms("Общество с ограниченной ответственностью Ромашка"),
            ["llc"]
        );
        assert_eq!(forms("OOO Romashka"), ["llc"]);
        assert_eq!(forms("Romashka Limited Liability Company"), ["llc"]);
        assert_eq!(forms("Siemens Aktiengesellschaft"), ["ag"]);
        assert_eq!(forms("Siemens AG"), ["ag"]);
        assert_eq!(
            forms("Muster Gesellschaft mit beschränkter Haftung"),
            ["gmbh"]
        );
        assert_eq!(forms("Renault Société Anonyme"), ["sa"]);
        assert_eq!(key("Toyota Kabushiki Kaisha"), "toyota");
        assert_eq!(key("トヨタ株式会社"), key("トヨタ"));
        assert_eq!(key("삼성전자 주식회사"), key("삼성전자"));
        assert_eq!(
            key("Joint Stock Company Rosoboronexport"),
            "rosoboronexport"
        );
        assert_eq!(forms("Акционерное общество Рособоронэкспорт"), ["jsc"]);
    }

    #[test]
    fn words_of_a_phrase_alone_stay_words() {
        // "public", "open", "joint" and "stock" name companies too; only the whole phrase is a form
        assert_eq!(key("Public Stock Exchange"), "public stock exchange");
        assert_eq!(key("Open Joint Ventures"), "open joint ventures");
        // a name that is only a legal form keeps it (nothing else identifies it)
        assert_eq!(key("Limited Liability Company"), "llc");
    }
}
