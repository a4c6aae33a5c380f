//! Legal forms (Ltd., Aktiengesellschaft, ПАО, 有限公司, 株式会社 …): recognised in every language and
//! script the lists use, so that they are never counted as words that tell two names apart.
//!
//! A legal form is either one token ("gmbh", "pjsc", "ooo" as Cyrillic ООО transliterates) or a
//! phrase of several ("public joint stock company", "gesellschaft mit beschrankter haftung",
//! "obshchestvo s ogranichennoy otvetstvennostyu"); a phrase becomes one token spelt as its usual
//! abbreviation, so "Public Joint Stock Company Sberbank" and "ПАО Сбербанк" and "Sberbank PJSC"
//! agree on both the name and the form. The tables hold what registries and the restricted-party
//! lists write (Russian, Ukrainian, German, French, Spanish, Portuguese, Polish, Turkish, Japanese,
//! Korean and Chinese forms); a form missing here is only a word the scorer weighs like others.

use crate::token::NameToken;

/// Chinese (and Japanese) legal-form words in Han, longest first.
pub(crate) const HAN_LEGAL: [&str; 11] = [
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "株式会社",
    "有限会社",
    "集团",
    "集團",
    "控股",
    "公司",
    "股份",
];

/// True for a legal form after transliteration and lower-casing (a `match`, which the compiler
/// turns into a test of the length and a few bytes: this runs for every token of every name).
pub(crate) fn is_legal_form(token: &str) -> bool {
    matches!(
        token,
        "co"
        | "company"
        | "ltd"
        | "limited"
        | "inc"
        | "incorporated"
        | "corp"
        | "corporation"
        | "llc"
        | "plc"
        | "lp"
        | "llp"
        | "pte"
        | "pvt"
        | "gmbh"
        | "ag"
        | "sa"
        | "sas"
        | "srl"
        | "spa"
        | "bv"
        | "nv"
        | "kk"
        | "oy"
        | "ab"
        | "as"
        | "holding"
        | "holdings"
        | "group"
        | "com"
        | "youxian"
        | "gongsi"
        | "youxiangongsi"
        | "gufen"
        | "jituan"
        | "konggu"
        | "zerenyouxiangongsi"
        | "youxianzerengongsi"
        | "gufenyouxiangongsi"
        | "sarl"
        | "bhd"
        | "sdn"
        | "jsc"
        // as Cyrillic transliterates them (Холдингс, Груп, Группа, Корпорейшн, ООО …)
        | "kholdings"
        | "kholding"
        | "grup"
        | "grupp"
        | "gruppa"
        | "korporeyshn"
        | "ooo"
        | "oao"
        | "zao"
        | "pao"
        | "ao"
        | "tov"
        | "pjsc"
        | "ojsc"
        | "cjsc"
        | "aktiengesellschaft"
        | "kgaa"
        | "kg"
        | "mbh"
        | "ltda"
        | "sae"
        | "oyj"
        | "asa"
        | "aps"
        | "tbk"
        | "kabushikigaisha"
        | "kabushikikaisha"
        | "jusighoesa"
        | "yuhanhoesa"
        | "zhushihuishe"
        | "youxianhuishe"
        // as the lists write them elsewhere: e.V. (German association), OOD and EOOD (Bulgarian),
        // s.r.o. (Czech, Slovak), d.o.o. (Yugoslav), S.A.L. (Lebanese), FZE, FZCO, FZC and FZ-LLC
        // (UAE free zones), W.L.L. (Gulf), S.A. de C.V. (Mexican), S.A.C. (Peruvian), Kft., Zrt.
        // and Nyrt. (Hungarian), Lda. (Portuguese), Şti. (Turkish), PT (Indonesian)
        | "ev"
        | "ood"
        | "eood"
        | "sro"
        | "doo"
        | "sal"
        | "fze"
        | "fzco"
        | "fzc"
        | "fzllc"
        | "wll"
        | "cv"
        | "sac"
        | "kft"
        | "zrt"
        | "nyrt"
        | "lda"
        | "sti"
        | "pt"
    )
}

/// Long legal forms, matched with one edit of tolerance ("Coporation", "Limted", "Holdngs").
const LEGAL_FUZZY: [&str; 7] = [
    "corporation",
    "incorporated",
    "company",
    "limited",
    "holdings",
    "holding",
    "technologies",
];

/// The canonical spelling of a legal form, so that "Incorporated" and "Inc." compare equal.
pub fn canonical_legal_form(token: &str) -> &str {
    match token {
        "incorporated" => "inc",
        "limited" => "ltd",
        "company" => "co",
        "corporation" | "korporeyshn" => "corp",
        "holding" | "kholdings" | "kholding" => "holdings",
        "private" => "pte",
        "grup" | "grupp" | "gruppa" => "group",
        "pao" => "pjsc",
        "oao" => "ojsc",
        "zao" => "cjsc",
        "ao" => "jsc",
        "ooo" | "tov" => "llc",
        "aktiengesellschaft" => "ag",
        "kabushikigaisha" | "kabushikikaisha" | "zhushihuishe" | "jusighoesa" => "kk",
        "youxianhuishe" | "yuhanhoesa" => "yk",
        other => other,
    }
}

pub(crate) fn is_fuzzy_legal_form(token: &str) -> bool {
    // six letters or more: one edit; "group": a swap of two neighbours only ("Gruop")
    (token.len() >= 6
        && LEGAL_FUZZY
            .iter()
            .any(|l| crate::score::osa_within(token.as_bytes(), l.as_bytes(), 1).is_some()))
        || (token.len() == 5 && token != "group" && is_adjacent_swap(token.as_bytes(), b"group"))
}

fn is_adjacent_swap(a: &[u8], b: &[u8]) -> bool {
    let diff: Vec<usize> = (0..a.len().min(b.len()))
        .filter(|&i| a[i] != b[i])
        .collect();
    a.len() == b.len()
        && diff.len() == 2
        && diff[1] == diff[0] + 1
        && a[diff[0]] == b[diff[1]]
        && a[diff[1]] == b[diff[0]]
}

/// Merge runs of short pinyin syllables that spell a legal form ("ji tuan" → "jituan", "you xian
/// gong si" → "youxiangongsi"), so that spaced pinyin is recognised like the joined spelling.
pub(crate) fn merge_spaced_legal_forms(tokens: &mut Vec<NameToken>) {
    let mut i = 0;
    while i < tokens.len() {
        let mut merged = None;
        for len in (2..=4).rev() {
            if i + len > tokens.len() || tokens[i..i + len].iter().any(|t| t.text.len() > 4) {
                continue;
            }
            let joined: String = tokens[i..i + len].iter().map(|t| t.text.as_str()).collect();
            if is_legal_form(&joined) {
                merged = Some((len, joined));
                break;
            }
        }
        if let Some((len, text)) = merged {
            tokens.splice(i..i + len, [NameToken::legal_form(text)]);
        }
        i += 1;
    }
}

/// Legal forms written as several words, after transliteration and lower-casing, each with the
/// abbreviation it becomes. Longer phrases come first, so that "public joint stock company" wins
/// over "joint stock company".
const LEGAL_PHRASES: &[(&[&str], &str)] = &[
    (
        &["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"],
        "llc",
    ),
    (
        &["obshchestvo", "s", "ogranichennoi", "otvetstvennostiu"],
        "llc",
    ),
    (
        &["tovaristvo", "z", "obmezhenoyu", "vidpovidalnistyu"],
        "llc",
    ),
    (&["spolka", "z", "ograniczona", "odpowiedzialnoscia"], "llc"),
    (&["sociedad", "de", "responsabilidad", "limitada"], "llc"),
    (&["societe", "a", "responsabilite", "limitee"], "sarl"),
    (&["gesellschaft", "mit", "beschrankter", "haftung"], "gmbh"),
    (&["public", "joint", "stock", "company"], "pjsc"),
    (&["open", "joint", "stock", "company"], "ojsc"),
    (&["closed", "joint", "stock", "company"], "cjsc"),
    (&["publichnoe", "aktsionernoe", "obshchestvo"], "pjsc"),
    (&["publichnoye", "aktsionernoye", "obshchestvo"], "pjsc"),
    (&["otkrytoe", "aktsionernoe", "obshchestvo"], "ojsc"),
    (&["otkrytoye", "aktsionernoye", "obshchestvo"], "ojsc"),
    (&["zakrytoe", "aktsionernoe", "obshchestvo"], "cjsc"),
    (&["zakrytoye", "aktsionernoye", "obshchestvo"], "cjsc"),
    (&["limited", "liability", "company"], "llc"),
    (&["limited", "liability", "partnership"], "llp"),
    (&["public", "limited", "company"], "plc"),
    (&["joint", "stock", "company"], "jsc"),
    (&["aktsionernoe", "obshchestvo"], "jsc"),
    (&["aktsionernoye", "obshchestvo"], "jsc"),
    (&["limited", "partnership"], "lp"),
    (&["societe", "anonyme"], "sa"),
    (&["sociedad", "anonima"], "sa"),
    (&["sociedade", "anonima"], "sa"),
    (&["spolka", "akcyjna"], "sa"),
    (&["anonim", "sirketi"], "as"),
    (&["kabushiki", "kaisha"], "kk"),
    (&["kabushiki", "gaisha"], "kk"),
    (&["jusik", "hoesa"], "kk"),
    (&["chusik", "hoesa"], "kk"),
    (&["yugen", "kaisha"], "yk"),
];

/// Replace every legal-form phrase by one legal-form token spelt as its abbreviation.
pub(crate) fn merge_legal_phrases(tokens: &mut Vec<NameToken>) {
    let mut i = 0;
    while i < tokens.len() {
        let found = LEGAL_PHRASES.iter().find(|(words, _)| {
            tokens.len() - i >= words.len()
                && words.iter().zip(&tokens[i..]).all(|(w, t)| t.text == *w)
        });
        if let Some((words, short)) = found {
            tokens.splice(
                i..i + words.len(),
                [NameToken::legal_form(short.to_string())],
            );
        }
        i += 1;
    }
}
