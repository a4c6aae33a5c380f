//! The candidate index is admissible: on random lists and queries, at every threshold, indexed
//! search gives exactly what scoring every name gives. Names are made of a small stock of
//! syllables so that lists share words, and queries are list names with typos (one or two
//! edits), abbreviations, dropped or extra words, changed spacing, reordering, acronyms, Han,
//! Cyrillic, Arabic, and transliterations spelt differently (Muhammad, Mohamed).

use ictguard_screen::index::{Hit, NameIndex};
use ictguard_screen::normalize::normalize_name;
use proptest::prelude::*;

const SYLLABLES: &[&str] = &[
    "ten", "cent", "ali", "pay", "bank", "nacional", "byte", "dance", "kon", "tech", "nology",
    "sber", "ros", "oboron", "export", "china", "trading", "hua", "wei", "zhi", "fu", "bao", "mel",
    "li",
];
const WHOLE: &[&str] = &[
    "支付宝",
    "腾讯",
    "李华",
    "黎华",
    "Сбербанк",
    "Тенсент",
    "Ltd",
    "PJSC",
    "Holdings",
    "of",
    "Muhammad",
    "Mohamed",
    "Husayn",
    "Hussein",
    "Oleksandr",
    "Aleksandr",
    "al-Tikriti",
    "محمد",
    "حسين",
    "التكريتي",
    "2nd",
    "Second",
];

/// A word of one to four syllables, or a whole word in another script or a legal form.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(prop::sample::select(SYLLABLES), 1..5).prop_map(|s| s.concat()),
        1 => prop::sample::select(WHOLE).prop_map(str::to_string),
    ]
}

/// A name of one to four words, sometimes in capitals (as the lists write them).
fn name() -> impl Strategy<Value = String> {
    (prop::collection::vec(word(), 1..5), any::<bool>()).prop_map(|(w, capitals)| {
        let name = w.join(" ");
        if capitals {
            name.to_uppercase()
        } else {
            name
        }
    })
}

/// One edit of a word: substitution, insertion, deletion or transposition.
fn edit(word: &str, kind: u8, at: usize, letter: char) -> String {
    let mut c: Vec<char> = word.chars().collect();
    if c.is_empty() {
        return word.to_string();
    }
    let i = at % c.len();
    match kind % 4 {
        0 => c[i] = letter,
        1 => c.insert(i, letter),
        2 => {
            c.remove(i);
        }
        _ if i + 1 < c.len() => c.swap(i, i + 1),
        _ => {}
    }
    c.into_iter().collect()
}

/// A query derived from a name the way people mistype, shorten or extend names.
fn variant(base: String, ops: Vec<(u8, usize, usize, char)>, extra: String) -> String {
    let mut words: Vec<String> = base.split(' ').map(str::to_string).collect();
    for (op, which, at, letter) in ops {
        let w = which % words.len().max(1);
        match op % 8 {
            7 => {
                // the name's initials, as an acronym
                let initials: String = words.iter().filter_map(|w| w.chars().next()).collect();
                words = vec![initials.to_uppercase()];
            }
            0..=2 => words[w] = edit(&words[w], op / 8, at, letter),
            3 if words[w].chars().count() > 5 => {
                words[w] = words[w].chars().take(4 + at % 3).collect()
            }
            4 if words.len() > 1 => {
                words.remove(w);
            }
            5 => words.push(extra.clone()),
            6 if words.len() > 1 => {
                let joined = words.concat();
                words = vec![joined];
            }
            _ => words.rotate_left(1),
        }
    }
    words.join(" ")
}

fn summary(hits: &[Hit]) -> Vec<(u32, String, String)> {
    hits.iter()
        .map(|h| {
            (
                h.name.record,
                format!("{:.9}", h.similarity.score()),
                h.name.original.clone(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn indexed_search_equals_scoring_every_name(
        list in prop::collection::vec(name(), 1..60),
        picks in prop::collection::vec(
            (any::<prop::sample::Index>(),
             prop::collection::vec((0u8..32, 0usize..8, 0usize..12, prop::char::range('a', 'z')), 0..4),
             word()),
            1..6),
        fresh in prop::collection::vec(name(), 0..3),
    ) {
        let mut index = NameIndex::new();
        for (i, n) in list.iter().enumerate() {
            index.add(i as u32 / 2, n); // two names per record, as aliases are
        }
        index.finish();
        let mut queries: Vec<String> = picks
            .into_iter()
            .map(|(i, ops, extra)| variant(i.get(&list).clone(), ops, extra))
            .collect();
        queries.extend(fresh);
        for q in &queries {
            let norm = normalize_name(q);
            for threshold in [0.5, 0.6, 0.7, 0.75, 0.78, 0.8, 0.85, 0.9, 0.95, 1.0] {
                for limit in [1, 5] {
                    let indexed = summary(&index.search(&norm, threshold, limit));
                    let every = summary(&index.search_every_name(&norm, threshold, limit));
                    prop_assert_eq!(indexed, every, "query {:?} at {} (limit {})", q, threshold, limit);
                }
            }
        }
    }
}
