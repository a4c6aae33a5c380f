//! The views beside plain word matching, through the index as screening uses it: acronyms,
//! names written in Arabic script against their Latin spellings, and transliterations spelt
//! differently. Each is a possible match for review, never a block on its own.

use ictguard_screen::acronym::ACRONYM_SCORE;
use ictguard_screen::index::NameIndex;
use ictguard_screen::normalize::normalize_name;
use ictguard_screen::score::TRANSLITERATION_CAP;

const LISTED: &[&str] = &[
    "LIBERATION TIGERS OF TAMIL EELAM",
    "CARTEL DE JALISCO NUEVA GENERACION",
    "ISIL",
    "OOO TSS",
    "SATTAR",
    "AYSAN",
    "UDAY SADDAM HUSSEIN AL-TIKRITI",
    "ABID HAMID MAHMUD AL-TIKRITI",
    "BASOV, Aleksandr Vasilevich",
    "HASSAN, Ali",
    "TENCENT MUSIC ENTERTAINMENT",
];

fn index() -> NameIndex {
    let mut index = NameIndex::new();
    for (i, name) in LISTED.iter().enumerate() {
        index.add(i as u32, name);
    }
    index.finish();
    index
}

/// The listed name a query meets at the review threshold, with its score.
fn hit(index: &NameIndex, query: &str) -> Option<(&'static str, f64)> {
    let hits = index.search(&normalize_name(query), 0.78, 1);
    hits.first()
        .map(|h| (LISTED[h.name.record as usize], h.similarity.score()))
}

#[test]
fn an_acronym_in_capitals_meets_the_name_it_abbreviates() {
    let index = index();
    assert_eq!(
        hit(&index, "LTTE"),
        Some(("LIBERATION TIGERS OF TAMIL EELAM", ACRONYM_SCORE))
    );
    assert_eq!(
        hit(&index, "CJNG"),
        Some(("CARTEL DE JALISCO NUEVA GENERACION", ACRONYM_SCORE))
    );
    // a word in ordinary case is a word, not initials
    assert_eq!(hit(&index, "Ltte"), None);
    // and a listed acronym meets the name spelt out
    assert_eq!(
        hit(&index, "Islamic State of Iraq and the Levant"),
        Some(("ISIL", ACRONYM_SCORE))
    );
    // three letters are the initials of too many names
    assert_eq!(hit(&index, "Textile South S.A."), None);
}

#[test]
fn arabic_script_meets_latin_spellings_for_review() {
    let index = index();
    let (name, score) = hit(&index, "عابد حامد محمود التكريتي").expect("a hit");
    assert_eq!(name, "ABID HAMID MAHMUD AL-TIKRITI");
    assert!(score <= TRANSLITERATION_CAP, "{score}");
}

#[test]
fn transliterations_spelt_differently_are_for_review() {
    let index = index();
    let (name, score) = hit(&index, "Oleksandr Basov").expect("a hit");
    assert_eq!(name, "BASOV, Aleksandr Vasilevich");
    assert!(score < 0.9, "{score}");
    // a different name that shares a surname is not
    assert_eq!(hit(&index, "Husayn Ali"), None);
    // one word inside a longer name is not
    assert_eq!(hit(&index, "Tencent"), None);
    // nor a listed name inside a longer query by its spelling alone
    assert_eq!(hit(&index, "Software Star Steel"), None);
    // nor one ordinary word spelt like a name
    assert_eq!(hit(&index, "Ocean"), None);
}
