//! Spelling keys: one key for the Latin spellings of a word transliterated from Arabic, Persian,
//! Cyrillic and other scripts, whose vowels and consonant clusters each transliteration system
//! writes its own way (Muhammad, Mohammed, Mohamed; Husayn, Hussein; Aleksandr, Alexander,
//! Oleksandr; Awlaki, Aulaqi; Vasilevich, Vasilyevich).
//!
//! The key keeps a word's consonant skeleton: its first letter (any vowel as `a`), then its
//! consonants with the clusters transliterations write differently folded into one letter (kh,
//! sh/ch/tch, zh/dj, th, dh, ph, q/ck/c → k, x → ks), repeats collapsed, vowels (and a y or w
//! after the first letter, and the h that ends a word after a vowel: Abdullah, Abdulla) dropped.
//! A vowel's quality is lost with it, so some different names share a key (Muhammad and Mahmud);
//! only a diphthong (ay, ai, ei) is kept, as `y`, which tells Husayn from Hassan.
//! Two words with the same key are "spelt alike": the scorer credits them as a possible match
//! that a reviewer must decide, never as the same word (see `score::TRANSLITERATION_CAP`).
//!
//! Written here because no maintained crate does this: phonetic crates (Soundex, Metaphone and
//! their kin) key English pronunciation, folding far more (Soundex keeps four symbols), and
//! would make every pair of short Arabic names alike.

/// Keys shorter than this say too little (they would join "Ali", "Ala" and "Ole").
pub const MIN_KEY_LEN: usize = 3;

/// Consonant keys ([`abjad_key`]) are compared only against a word written in an abjad, whose
/// short names have two consonants (عابد, Abid: `bd`), so two are enough.
pub const MIN_ABJAD_KEY_LEN: usize = 2;

/// The letter a two-letter cluster that transliterations write differently is folded to (kh, sh
/// and ch, zh and dj, gh, th, dh, ph, ck), or None for other pairs.
fn digraph(c: u8, next: u8) -> Option<&'static [u8]> {
    Some(match (c, next) {
        (b'k', b'h') => b"x",
        (b's' | b'c', b'h') => b"$",
        (b'z', b'h') | (b'd', b'j') => b"j",
        (b'g', b'h') => b"g",
        (b't', b'h') => b"t",
        (b'd', b'h') => b"d",
        (b'p', b'h') => b"f",
        (b'c', b'k') => b"k",
        _ => return None,
    })
}

/// A key as its letters are folded: a letter repeated collapses (Muhammad, Mohamed), but not
/// across a dropped letter (Mamun is not Mun; Habib keeps both b's).
struct Skeleton(Vec<u8>);

impl Skeleton {
    fn with_capacity(n: usize) -> Self {
        Skeleton(Vec::with_capacity(n + 1))
    }

    /// Add a folded letter (or letters), or an empty class for a dropped letter.
    fn push(&mut self, class: &[u8]) {
        if class.is_empty() {
            self.0.push(b'.');
        }
        for &k in class {
            if self.0.last() != Some(&k) {
                self.0.push(k);
            }
        }
    }

    fn finish(self) -> String {
        self.0
            .into_iter()
            .filter(|c| *c != b'.')
            .map(char::from)
            .collect()
    }
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The spelling key of a lower-case ASCII word, or None when the word is not purely alphabetic or
/// its key is shorter than [`MIN_KEY_LEN`].
pub fn spelling_key(word: &str) -> Option<String> {
    let b = word.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_lowercase) {
        return None;
    }
    // a word-final h after a vowel is silent (Abdullah, Fatimah)
    let end = if b.len() > 2 && b[b.len() - 1] == b'h' && is_vowel(b[b.len() - 2]) {
        b.len() - 1
    } else {
        b.len()
    };
    let mut key = Skeleton::with_capacity(end);
    let mut i = 0;
    while i < end {
        let c = b[i];
        let next = if i + 1 < end { b[i + 1] } else { 0 };
        let after = if i + 2 < end { b[i + 2] } else { 0 };
        let (class, step): (&[u8], usize) = match (c, next, digraph(c, next)) {
            (b't', b'c', _) if after == b'h' => (b"$", 3),
            (b'd', b'z', _) if after == b'h' => (b"j", 3),
            (_, _, Some(folded)) => (folded, 2),
            (b'c', b'e' | b'i' | b'y', _) => (b"s", 1),
            (b'c' | b'q', _, _) => (b"k", 1),
            (b'x', _, _) => (b"ks", 1),
            // the diphthong of Husayn, Hussein, Hussain, Shaykh, Sheikh (apart from Hassan)
            (b'a' | b'e', b'y' | b'i', _) if i > 0 => (b"y", 2),
            (v, _, _) if is_vowel(v) || (i > 0 && matches!(v, b'y' | b'w')) => {
                (if i == 0 { b"a" } else { b"" }, 1)
            }
            _ => (std::slice::from_ref(&b[i]), 1),
        };
        key.push(class);
        i += step;
    }
    let key = key.finish();
    (key.len() >= MIN_KEY_LEN).then_some(key)
}

/// The consonant key of a word for comparing a name transliterated from Arabic or Hebrew script
/// (an abjad: short vowels unwritten, long ones written as y and w, ayn and alif lost in
/// transliteration, the article joined: التكريتي → `ltkryty`) with its Latin spellings (Tikriti,
/// al-Tikriti): the word's consonants as in [`spelling_key`], without vowels, without y and w
/// after the first letter, and without a leading article (al-, el-, or l- before a consonant)
/// when at least [`MIN_KEY_LEN`] consonants remain. Coarser than [`spelling_key`] (Hassan and
/// Husayn share one), so it is compared only when one side was written in an abjad.
pub fn abjad_key(word: &str) -> Option<String> {
    let b = word.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_lowercase) {
        return None;
    }
    let consonants = |w: &[u8]| -> String {
        let mut key = Skeleton::with_capacity(w.len());
        let mut i = 0;
        while i < w.len() {
            let next = w.get(i + 1).copied().unwrap_or(0);
            let (class, step): (&[u8], usize) = match (w[i], digraph(w[i], next)) {
                (_, Some(folded)) => (folded, 2),
                (b'c' | b'q', _) => (b"k", 1),
                (v, _) if is_vowel(v) => (b"", 1),
                (b'y' | b'w', _) if i > 0 => (b"", 1),
                _ => (std::slice::from_ref(&w[i]), 1),
            };
            key.push(class);
            i += step;
        }
        key.finish()
    };
    let whole = consonants(b);
    let without_article = if b.starts_with(b"al") || b.starts_with(b"el") {
        Some(&b[2..])
    } else if b.len() > 1 && b[0] == b'l' && !is_vowel(b[1]) && b[1] != b'l' {
        Some(&b[1..])
    } else {
        None
    };
    let key = match without_article.map(consonants) {
        Some(rest) if rest.len() >= MIN_KEY_LEN => rest,
        _ => whole,
    };
    (key.len() >= MIN_ABJAD_KEY_LEN).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        spelling_key(a).is_some() && spelling_key(a) == spelling_key(b)
    }

    #[test]
    fn transliterations_of_one_name_share_a_key() {
        for group in [
            &["muhammad", "mohammed", "mohamed", "muhamad", "mohammad"][..],
            &["husayn", "hussein", "hussain", "hossein", "husein"],
            &["yusuf", "youssef", "yousef", "yusef"],
            &["aleksandr", "alexander", "oleksandr", "aleksander"],
            &["awlaki", "aulaqi"],
            &["vasilevich", "vasilyevich"],
            &["abdullah", "abdulla"],
            &["qassem", "kassem", "qasem"],
            &["chaudhry", "choudhry"],
            &["khaled", "khalid"],
            &["sheikh", "shaykh", "shaikh", "cheikh"],
            &["zhukov", "jukov"],
            &["industry", "industri"],
        ] {
            for a in group {
                for b in group {
                    assert!(
                        same(a, b),
                        "{a} {b}: {:?} {:?}",
                        spelling_key(a),
                        spelling_key(b)
                    );
                }
            }
        }
    }

    #[test]
    fn abjad_transliterations_meet_latin_spellings() {
        for (arabic, latin) in [
            ("ltkryty", "tikriti"),
            ("ltkryty", "altikriti"),
            ("hsyn", "hussein"),
            ("sdm", "saddam"),
            ("bshyr", "bashir"),
            ("mhmwd", "mahmud"),
            ("lhbyb", "habib"),
            ("ltyf", "latif"),
        ] {
            assert!(
                abjad_key(arabic).is_some() && abjad_key(arabic) == abjad_key(latin),
                "{arabic} {latin}: {:?} {:?}",
                abjad_key(arabic),
                abjad_key(latin)
            );
        }
        assert_ne!(abjad_key("mhmd"), abjad_key("hmd"));
        assert_eq!(abjad_key("bd"), abjad_key("abid"));
        assert_eq!(abjad_key("y"), None);
    }

    #[test]
    fn different_names_keep_different_keys() {
        for (a, b) in [
            ("hassan", "husayn"),
            ("khalid", "halid"),
            ("walid", "khalid"),
            ("tencent", "tennant"),
            ("mamun", "mun"),
            ("ahmad", "hamad"),
        ] {
            assert!(!same(a, b), "{a} {b}: {:?}", spelling_key(a));
        }
        // short keys and words with digits have none
        assert_eq!(spelling_key("ali"), None);
        assert_eq!(spelling_key("media4u"), None);
        assert_eq!(spelling_key(""), None);
    }
}
