//! Similarity between two normalised names, in 0..=1.
//!
//! Two views are combined and the better one wins:
//! - **tokens**: each token on one side is paired with its most similar token on the other
//!   (order-free), weighted by how rare the token is in the index (inverse document frequency), so
//!   "Tencent Music Entertainment" is far from "Tencent" while "Smart Media4U" stays close to
//!   "Smart Media4U Technology". Both directions count: what part of the query the candidate
//!   explains and what part of the candidate the query explains.
//! - **joined**: the names with spaces removed, compared by edit distance, so "Zhi Fu Bao" meets
//!   "Zhifubao" and "We Chat" meets "WeChat".
//!
//! Alternatives rejected: plain Jaro-Winkler over whole strings rewards shared prefixes ("Alibaba"
//! vs "Alipay" scores 0.87); token-set ratios (rapidfuzz) ignore token rarity, so a shared
//! "technology" lifts unrelated companies.

/// Tokens less similar than this count as different words.
pub const MIN_TOKEN_SIMILARITY: f64 = 0.7;
/// Similarity of a token of four or more letters to a longer token it begins ("tech", "technology").
pub const ABBREVIATION_SIMILARITY: f64 = 0.8;
/// Spaceless forms less similar than this count as different names (below any useful threshold).
pub const MIN_JOINED_SIMILARITY: f64 = 0.7;
/// A candidate named whole inside a longer query ("ByteDance Ltd (Cayman)", "ByteDance script
/// alert Ltd") scores `CONTAINED_BASE + CONTAINED_SPAN × share`, times how fully it is named, where
/// share is the part of the query's rarity it explains: extra words cost a little, never the whole
/// match, and never reach a block on their own (at most 0.90, the default block threshold).
pub const CONTAINED_BASE: f64 = 0.80;
/// See [`CONTAINED_BASE`].
pub const CONTAINED_SPAN: f64 = 0.10;
/// Below this share of the query the candidate is one name among many words, not what the query
/// names (a list entry "Bank" inside a sentence).
pub const CONTAINED_MIN_SHARE: f64 = 0.25;
/// A one-word candidate shorter than this is found inside unrelated longer names by chance ("Ali",
/// "Mir", "Bank"), so only longer one-word names count as contained.
pub const CONTAINED_MIN_SINGLE_LEN: usize = 6;

/// The highest token-view score a candidate can have when it explains at most `query` of the
/// query's rarity and at most `own` of its own (both clamped to 0..=1): what the candidate index
/// ranks, prunes and stops by. Both views of [`similarity`] grow with both coverages, so this is
/// their value at the bounds.
pub fn token_score_bound(query: f64, own: f64) -> f64 {
    token_view(query.clamp(0.0, 1.0), own.clamp(0.0, 1.0), true, true)
}

/// The least share of the query's rarity (weighted coverage) a candidate must explain to score at
/// least `min_score` by its tokens, through either the two-way view or the contained view: what
/// the candidate index may prune on without losing a match.
pub fn min_query_coverage(min_score: f64) -> f64 {
    // the harmonic mean of two coverages is at least `min` only if each is at least min/(2 - min)
    let two_way = min_score / (2.0 - min_score);
    let contained = ((min_score - CONTAINED_BASE) / CONTAINED_SPAN).max(CONTAINED_MIN_SHARE);
    // the query named whole inside a longer candidate: q × (base + span × c), c at most 1
    let inside = min_score / (CONTAINED_BASE + CONTAINED_SPAN);
    let two_way = two_way.min(inside);
    if contained < 1.0 {
        two_way.min(contained)
    } else {
        two_way
    }
}

/// Optimal-string-alignment distance (edits, adjacent transpositions) between two byte strings, or
/// None when it is more than `k`. Only the diagonal band of width `k` is computed and the work stops
/// as soon as a row exceeds `k`, so comparing unrelated names costs next to nothing.
///
/// Written here because `strsim::osa_distance` computes the full matrix with allocations on every
/// call, which was 56% of a screening query's time.
pub fn osa_within(a: &[u8], b: &[u8], k: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > k {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    if a == b {
        return Some(0);
    }
    if k == 1 {
        return within_one_edit(a, b).then_some(1);
    }
    if bag_distance(a, b) > k {
        return None;
    }
    let k = k.min(u16::MAX as usize - 2);
    const STACK: usize = 64;
    let mut stack = [0u16; 3 * (STACK + 1)];
    let mut heap;
    let w = m + 1;
    let cells: &mut [u16] = if m <= STACK {
        &mut stack[..3 * w]
    } else {
        heap = vec![0u16; 3 * w];
        &mut heap
    };
    let big = (k + 1) as u16;
    // three rows used in rotation: i-2, i-1, i
    let (mut r2, mut r1, mut r0) = (0usize, w, 2 * w);
    for j in 0..w {
        cells[r2 + j] = big;
        cells[r1 + j] = (j as u16).min(big);
    }
    for i in 1..=n {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(m);
        // cells outside the band (left edge, and the cell just right of it) must read as "too far"
        cells[r0] = (i.min(k + 1)) as u16;
        if lo > 1 {
            cells[r0 + lo - 1] = big;
        }
        if hi < m {
            cells[r0 + hi + 1] = big;
        }
        let mut row_min = cells[r0];
        for j in lo..=hi {
            let cost = u16::from(a[i - 1] != b[j - 1]);
            let mut v = (cells[r1 + j - 1] + cost)
                .min(cells[r1 + j] + 1)
                .min(cells[r0 + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(cells[r2 + j - 2] + 1);
            }
            let v = v.min(big);
            cells[r0 + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > k as u16 {
            return None;
        }
        (r2, r1, r0) = (r1, r0, r2);
    }
    let d = cells[r1 + m] as usize;
    (d <= k).then_some(d)
}

/// True when two different strings are one substitution, insertion, deletion or adjacent
/// transposition apart, in linear time.
fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[p..], &b[p..]);
    match ra.len() as isize - rb.len() as isize {
        0 => {
            ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        1 => ra[1..] == *rb,
        -1 => *ra == rb[1..],
        _ => false,
    }
}

/// A lower bound of the edit distance from the characters alone: the larger count of characters
/// one string has and the other lacks (transpositions do not change it).
fn bag_distance(a: &[u8], b: &[u8]) -> usize {
    let mut counts = [0i16; 128];
    for &c in a {
        counts[usize::from(c & 127)] += 1;
    }
    for &c in b {
        counts[usize::from(c & 127)] -= 1;
    }
    let (mut extra_a, mut extra_b) = (0usize, 0usize);
    for &c in a.iter().chain(b) {
        let n = &mut counts[usize::from(c & 127)];
        if *n > 0 {
            extra_a += *n as usize;
        } else {
            extra_b += n.unsigned_abs() as usize;
        }
        *n = 0;
    }
    extra_a.max(extra_b)
}

/// One minus the edit distance over the longer length, or 0 when more than `max_edits(longest)`
/// edits apart or when either string is under four characters (short strings must be equal).
fn edit_similarity(a: &str, b: &str, max_edits: impl Fn(usize) -> usize) -> f64 {
    if a == b {
        return 1.0;
    }
    let longest = a.len().max(b.len());
    if a.len().min(b.len()) < 4 {
        return 0.0;
    }
    match osa_within(a.as_bytes(), b.as_bytes(), max_edits(longest)) {
        Some(d) => 1.0 - d as f64 / longest as f64,
        None => 0.0,
    }
}

/// The most edits allowed for similarity `min` over `len` characters, and never more than
/// [`MAX_EDITS`].
fn edits_allowed(min: f64, len: usize) -> usize {
    (((1.0 - min) * len as f64).floor() as usize).min(MAX_EDITS)
}

/// The most edits a token or spaceless name may be from another and still count as similar. A
/// second edit in long words was once allowed, but finding every such pair needs each long
/// token's two-deletion variants in the index (about three times the memory and build time of
/// the whole index over the published lists), and without them the index silently missed pairs
/// the scorer accepted. One edit keeps retrieval exact and cheap; abbreviations and the other
/// views still meet many longer misspellings.
pub const MAX_EDITS: usize = 1;

/// Similarity of two tokens (lowercase ASCII): 1 when equal; for tokens of four or more characters,
/// one minus the edit distance over the longer length, when that is at least
/// [`MIN_TOKEN_SIMILARITY`] and within [`MAX_EDITS`]; short tokens must be equal. A token that begins a longer, purely alphabetic one is taken
/// for its abbreviation ("tech", "technology").
pub fn token_similarity(a: &str, b: &str) -> f64 {
    if crate::numbers::numbers_differ(a, b) {
        return 0.0; // numbers are not misspelt: unit 77 is not unit 33, ship 2655 not 2656
    }
    let edits = edit_similarity(a, b, |len| edits_allowed(MIN_TOKEN_SIMILARITY, len).max(1));
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    let abbreviation = short.len() >= 4
        && short.len() < long.len()
        && long.starts_with(short)
        && long.bytes().all(|c| c.is_ascii_alphabetic());
    if abbreviation {
        edits.max(ABBREVIATION_SIMILARITY)
    } else {
        edits
    }
}

/// Similarity of the spaceless forms of two names, or 0 below [`MIN_JOINED_SIMILARITY`].
pub fn joined_similarity(a: &str, b: &str) -> f64 {
    if crate::numbers::numbers_differ(a, b) {
        return 0.0; // as in token_similarity
    }
    edit_similarity(a, b, |len| edits_allowed(MIN_JOINED_SIMILARITY, len))
}

/// Similarity of two Han characters that differ but read alike (李 and 黎 are both "li"): the
/// same sound typed through a pinyin keyboard, or a different name; half a match either way.
pub const HAN_HOMOPHONE: f64 = 0.5;

/// Similarity of two words written in Han (simplified forms), character by character: a
/// character that differs but reads alike counts [`HAN_HOMOPHONE`], one that reads differently
/// nothing; more than one character apart in a word under eight characters is a different word
/// (as two edits are in Latin), and so is a word less similar than [`MIN_TOKEN_SIMILARITY`]. A word that begins a longer one is its abbreviation (腾讯 of
/// 腾讯科技), as in [`token_similarity`].
pub fn han_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ca.len() != cb.len() {
        let (short, long) = if ca.len() < cb.len() {
            (&ca, &cb)
        } else {
            (&cb, &ca)
        };
        return if short.len() >= 2 && long.starts_with(short) {
            ABBREVIATION_SIMILARITY
        } else {
            0.0
        };
    }
    let reading = |c: char| {
        use pinyin::ToPinyin;
        c.to_pinyin().map(|p| p.plain())
    };
    let mut same = 0.0;
    for (x, y) in ca.iter().zip(&cb) {
        same += if x == y {
            1.0
        } else if reading(*x).is_some() && reading(*x) == reading(*y) {
            HAN_HOMOPHONE
        } else {
            0.0
        };
    }
    let n = ca.len() as f64;
    let allowed = if ca.len() < 8 {
        1.0
    } else {
        edits_allowed(MIN_TOKEN_SIMILARITY, ca.len()) as f64
    };
    if n - same > allowed || same / n < MIN_TOKEN_SIMILARITY {
        0.0
    } else {
        same / n
    }
}

/// The weight of a word so common in names that sharing it says little ("technology", "china"),
/// whatever its rarity in the loaded lists: see `index::GENERIC_WORDS`.
pub const GENERIC_WEIGHT: f64 = 1.0;

/// Similarity credited to two different words with the same spelling key
/// ([`crate::spelling::spelling_key`]: Husayn and Hussein), in the spelt-alike view only.
pub const TRANSLITERATION_SIMILARITY: f64 = 1.0;
/// The highest score of the spelt-alike view: in the review band, below the default block
/// threshold (0.90), since a spelling key also joins some different names (Muhammad and Mahmud): a
/// reviewer decides.
pub const TRANSLITERATION_CAP: f64 = 0.88;

/// A token with its weight (rarity).
#[derive(Debug, Clone, Copy)]
pub struct Weighted<'a> {
    /// The token text.
    pub text: &'a str,
    /// Its weight, > 0.
    pub weight: f64,
    /// Its Han characters, when written in Han ([`crate::normalize::NameToken::han`]).
    pub han: Option<&'a str>,
    /// A hash of its spelling key ([`spelling_hash`]), 0 when it has none.
    pub spelling: u64,
    /// A hash of its consonant key ([`abjad_hash`]), 0 when it has none.
    pub abjad: u64,
    /// True when written in Arabic or Hebrew script ([`crate::normalize::NameToken::abjad`]).
    pub from_abjad: bool,
}

fn key_hash(key: Option<String>) -> u64 {
    use std::hash::Hasher;
    match key {
        Some(key) => {
            let mut h = rustc_hash::FxHasher::default();
            h.write(key.as_bytes());
            h.finish().max(1)
        }
        None => 0,
    }
}

/// A hash of a word's spelling key ([`crate::spelling::spelling_key`]), never 0; 0 when the word
/// has no key or is written in Han (compared by its characters).
pub fn spelling_hash(text: &str, han: Option<&str>) -> u64 {
    if han.is_some() {
        return 0;
    }
    key_hash(crate::spelling::spelling_key(text))
}

/// A hash of a word's consonant key ([`crate::spelling::abjad_key`]), never 0; 0 when the word
/// has no key or is written in Han.
pub fn abjad_hash(text: &str, han: Option<&str>) -> u64 {
    if han.is_some() {
        return 0;
    }
    key_hash(crate::spelling::abjad_key(text))
}

/// Similarity of two weighted tokens: by characters when both are written in Han, else by their
/// Latin forms (pinyin for Han).
fn pair_similarity(a: &Weighted, b: &Weighted) -> f64 {
    let latin = token_similarity(a.text, b.text);
    match (a.han, b.han) {
        // characters can only tell apart names that sound alike, never join names that do not
        // (so the index, which looks names up by their pinyin, finds every pair that scores)
        (Some(x), Some(y)) => han_similarity(x, y).min(latin),
        _ => latin,
    }
}

/// Similarity of two weighted tokens as the spelt-alike view sees it: at least
/// [`TRANSLITERATION_SIMILARITY`] when their spelling keys agree.
fn spelt_similarity(a: &Weighted, b: &Weighted, strict: f64) -> f64 {
    let alike = (a.spelling != 0 && a.spelling == b.spelling)
        || ((a.from_abjad || b.from_abjad) && a.abjad != 0 && a.abjad == b.abjad);
    if alike {
        strict.max(TRANSLITERATION_SIMILARITY)
    } else {
        strict
    }
}

/// Weighted coverages both ways, strictly and as spelt alike.
#[derive(Debug, Clone, Copy, Default)]
struct Coverages {
    /// How much of the query the candidate explains.
    query: f64,
    /// How much of the candidate the query explains.
    own: f64,
    /// The same two when words spelt alike count ([`spelt_similarity`]).
    spelt_query: f64,
    spelt_own: f64,
    /// Whether the candidate's rarest word is matched, strictly and spelt alike.
    rarest_own: bool,
    spelt_rarest_own: bool,
}

/// Weighted coverage both ways from one pass over the token pairs: how much of `query` the
/// candidate explains, and how much of `cand` the query explains, each in 0..=1, strictly and
/// with words spelt alike credited.
fn coverages(query: &[Weighted], cand: &[Weighted]) -> Coverages {
    const MAX: usize = 16;
    let mut best_c = [(0.0f64, 0.0f64); MAX];
    let (mut q_got, mut q_spelt, mut q_total, mut c_total) = (0.0, 0.0, 0.0, 0.0);
    for t in query {
        let (mut best, mut best_spelt) = (0.0f64, 0.0f64);
        for (j, u) in cand.iter().enumerate() {
            let sim = pair_similarity(t, u);
            let spelt = spelt_similarity(t, u, sim);
            best = best.max(sim);
            best_spelt = best_spelt.max(spelt);
            if j < MAX {
                best_c[j].0 = best_c[j].0.max(sim);
                best_c[j].1 = best_c[j].1.max(spelt);
            }
        }
        q_got += t.weight * best;
        q_spelt += t.weight * best_spelt;
        q_total += t.weight;
    }
    let (mut c_got, mut c_spelt) = (0.0, 0.0);
    let (mut rarest, mut rarest_weight) = ((0.0, 0.0), 0.0);
    for (j, u) in cand.iter().enumerate() {
        let (best, best_spelt) = if j < MAX {
            best_c[j]
        } else {
            query.iter().fold((0.0f64, 0.0f64), |(b, s), t| {
                let sim = pair_similarity(t, u);
                (b.max(sim), s.max(spelt_similarity(t, u, sim)))
            })
        };
        c_got += u.weight * best;
        c_spelt += u.weight * best_spelt;
        c_total += u.weight;
        // words of equal weight tie as the rarest (words seen once in a list): any of them will do
        if u.weight > rarest_weight + 1e-9 {
            (rarest, rarest_weight) = ((best, best_spelt), u.weight);
        } else if u.weight > rarest_weight - 1e-9 {
            rarest = (rarest.0.max(best), rarest.1.max(best_spelt));
        }
    }
    let ratio = |got: f64, total: f64| if total > 0.0 { got / total } else { 0.0 };
    Coverages {
        query: ratio(q_got, q_total),
        own: ratio(c_got, c_total),
        spelt_query: ratio(q_spelt, q_total),
        spelt_own: ratio(c_spelt, c_total),
        rarest_own: rarest.0 > 0.0,
        spelt_rarest_own: rarest.1 > 0.0,
    }
}

/// The two views' scores, kept for evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Token view: weighted coverage both ways, averaged.
    pub tokens: f64,
    /// Joined view.
    pub joined: f64,
    /// Sound view (transliterated queries only): [`crate::index::SOUND_MATCH_SCORE`] when the sound
    /// keys agree, else 0.
    pub sound: f64,
    /// Spelt-alike view: the token view with words of the same spelling key credited, at most
    /// [`TRANSLITERATION_CAP`]; 0 when it adds nothing to the token view.
    pub spelt: f64,
    /// Acronym view: [`crate::acronym::ACRONYM_SCORE`] when one name is the other's initials,
    /// else 0.
    pub acronym: f64,
}

impl Similarity {
    /// The score: the best of the views.
    pub fn score(&self) -> f64 {
        self.tokens
            .max(self.joined)
            .max(self.sound)
            .max(self.spelt)
            .max(self.acronym)
    }
}

/// The token view from the two coverages: their harmonic mean, or, for a candidate named whole
/// inside a longer query (`long_enough`: not a short single word), a score that extra words lower
/// only a little.
fn token_view(q: f64, c: f64, long_enough: bool, inside_allowed: bool) -> f64 {
    // Both sides must be explained: the harmonic mean is low when either is ("Lenovo" explains half
    // of "Lenovo SHAREit"; "Tencent" a third of "Tencent Music Entertainment").
    let two_way = if q + c > 0.0 {
        2.0 * q * c / (q + c)
    } else {
        0.0
    };
    // … unless the candidate is named whole inside a longer query, when the extra words cost a
    // little (only a long one-word name counts: short single words occur inside names by chance)
    let contained = if q >= CONTAINED_MIN_SHARE && long_enough {
        c * (CONTAINED_BASE + CONTAINED_SPAN * q)
    } else {
        0.0
    };
    // … and the same when a query of several words, among them the listed name's rarest, is
    // named whole inside the longer listed name, as a person's name is inside the listed one
    // with middle names and patronymics ("Basov, Aleksandr" in "BASOV, Aleksandr Vasilevich");
    // one query word inside a longer name is not ("Tencent" in "Tencent Music Entertainment"),
    // nor are common words without the name's own ("Payment Technology" in "Tenpay Payment
    // Technology")
    let inside = if c >= CONTAINED_MIN_SHARE && inside_allowed {
        q * (CONTAINED_BASE + CONTAINED_SPAN * c)
    } else {
        0.0
    };
    two_way.max(contained).max(inside).min(1.0)
}

/// A name's spaceless form: its Latin letters, and its Han characters when it is written in Han
/// throughout ([`crate::normalize::NormalizedName::han_joined`]).
#[derive(Debug, Clone, Copy)]
pub struct Joined<'a> {
    /// Core tokens run together.
    pub text: &'a str,
    /// The same in Han characters, when every core token is Han.
    pub han: Option<&'a str>,
}

impl<'a> Joined<'a> {
    /// A spaceless form with no Han.
    pub fn latin(text: &'a str) -> Self {
        Joined { text, han: None }
    }
}

/// Compare a query's tokens with a candidate's.
pub fn similarity(
    query: &[Weighted],
    query_joined: Joined,
    cand: &[Weighted],
    cand_joined: Joined,
) -> Similarity {
    let cov = coverages(query, cand);
    let long_enough = cand.len() > 1
        || cand
            .iter()
            .all(|t| t.text.len() >= CONTAINED_MIN_SINGLE_LEN);
    // a query of at least two words that are not generic (weight above GENERIC_WEIGHT)
    let several = query.iter().filter(|t| t.weight > GENERIC_WEIGHT).count() > 1;
    let tokens = token_view(cov.query, cov.own, long_enough, several && cov.rarest_own);
    // Spelling keys are short and many ordinary words share one with some name ("Ocean" and
    // "Aysan", "Star" and "Sattar"), so the spelt view needs a query of several words with at
    // least one word matched as written (or written in Arabic script, matched by consonants),
    // and never a listed name inside a longer query by spelling alone.
    let spelt_allowed = query.len() > 1 && (cov.query > 0.0 || query.iter().any(|t| t.from_abjad));
    let spelt = if !spelt_allowed {
        0.0
    } else {
        token_view(
            cov.spelt_query,
            cov.spelt_own,
            false,
            several && cov.spelt_rarest_own,
        )
        .min(TRANSLITERATION_CAP)
    };
    Similarity {
        tokens,
        spelt: if spelt > tokens { spelt } else { 0.0 },
        // the spaceless view is for names spaced differently ("Zhi Fu Bao", "We Chat"); between
        // names with as many words it would only blur one word's difference over the whole
        joined: match (query_joined.han, cand_joined.han) {
            _ if query.len() == cand.len() => 0.0,
            (Some(q), Some(c)) => {
                han_similarity(q, c).min(joined_similarity(query_joined.text, cand_joined.text))
            }
            _ => joined_similarity(query_joined.text, cand_joined.text),
        },
        sound: 0.0,
        acronym: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(tokens: &[&'static str]) -> Vec<Weighted<'static>> {
        tokens
            .iter()
            .map(|t| Weighted {
                text: t,
                weight: 1.0,
                han: None,
                spelling: spelling_hash(t, None),
                abjad: abjad_hash(t, None),
                from_abjad: false,
            })
            .collect()
    }

    fn han(word: &'static str, pinyin: &'static str) -> Vec<Weighted<'static>> {
        vec![Weighted {
            text: pinyin,
            weight: 1.0,
            han: Some(word),
            spelling: 0,
            abjad: 0,
            from_abjad: false,
        }]
    }

    #[test]
    fn han_compared_by_characters_pinyin_across_scripts() {
        let j = Joined::latin("lihua");
        // homophones: the same pinyin, different names
        let s = similarity(&han("李华", "lihua"), j, &han("黎华", "lihua"), j);
        assert!(s.score() < 0.78, "{s:?}");
        assert_eq!(
            similarity(&han("李华", "lihua"), j, &han("李华", "lihua"), j).score(),
            1.0
        );
        // Han against Latin: through pinyin
        assert_eq!(
            similarity(&han("李华", "lihua"), j, &w(&["lihua"]), j).score(),
            1.0
        );
        assert_eq!(han_similarity("李华", "王华"), 0.0);
        assert_eq!(han_similarity("腾讯", "腾讯科技"), ABBREVIATION_SIMILARITY);
        // a homophone in a longer word is a possible match, not none
        assert!(han_similarity("阿里巴巴", "阿里八巴") > 0.8);
        // characters never make names similar that sound different
        let sim = |a, pa, b, pb| {
            similarity(
                &han(a, pa),
                Joined::latin(pa),
                &han(b, pb),
                Joined::latin(pb),
            )
            .score()
        };
        assert_eq!(sim("阿里巴巴", "alibaba", "阿里巴黄", "alibahuang"), 0.0);
    }

    #[test]
    fn tokens_tolerate_typos_but_not_short_words() {
        assert_eq!(token_similarity("alipay", "alipay"), 1.0);
        assert!(token_similarity("alipay", "alipya") > 0.8);
        assert_eq!(token_similarity("qq", "qa"), 0.0);
        assert_eq!(token_similarity("alipay", "alibaba"), 0.0);
    }

    #[test]
    fn banded_distance_agrees_with_strsim() {
        let words = [
            "alipay",
            "alipya",
            "alibaba",
            "tencent",
            "tencnet",
            "zhifubao",
            "zhifbao",
            "a",
            "",
            "kingsoftoffice",
            "kingsoftofice",
            "bytedance",
            "bytedanse",
        ];
        for a in words {
            for b in words {
                let full = strsim::osa_distance(a, b);
                for k in 0..6 {
                    let got = osa_within(a.as_bytes(), b.as_bytes(), k);
                    assert_eq!(got, (full <= k).then_some(full), "{a} {b} k={k}");
                }
            }
        }
        let long_a = "x".repeat(100) + "abc";
        let long_b = "x".repeat(100) + "acb";
        assert_eq!(osa_within(long_a.as_bytes(), long_b.as_bytes(), 3), Some(1));
    }

    #[test]
    fn order_free_and_joined() {
        let s = similarity(
            &w(&["media4u", "smart"]),
            Joined::latin("media4usmart"),
            &w(&["smart", "media4u"]),
            Joined::latin("smartmedia4u"),
        );
        assert_eq!(s.score(), 1.0);
        let s = similarity(
            &w(&["zhi", "fu", "bao"]),
            Joined::latin("zhifubao"),
            &w(&["zhifubao"]),
            Joined::latin("zhifubao"),
        );
        assert_eq!(s.score(), 1.0);
    }

    #[test]
    fn extra_query_words_cost_a_little() {
        let cayman = similarity(
            &w(&["bytedance", "cayman"]),
            Joined::latin("bytedancecayman"),
            &w(&["bytedance"]),
            Joined::latin("bytedance"),
        );
        assert!((0.80..0.90).contains(&cayman.score()), "{cayman:?}");
        let more = similarity(
            &w(&["bytedance", "script", "alert"]),
            Joined::latin("bytedancescriptalert"),
            &w(&["bytedance"]),
            Joined::latin("bytedance"),
        );
        assert!((0.80..cayman.score()).contains(&more.score()), "{more:?}");
        // a short one-word entry inside a longer name is chance, not a match
        let ali = similarity(
            &w(&["ali", "hassan"]),
            Joined::latin("alihassan"),
            &w(&["ali"]),
            Joined::latin("ali"),
        );
        assert!(ali.score() < 0.7, "{ali:?}");
        // one word among many is not what the query names
        let lost = similarity(
            &w(&["bytedance", "a", "b", "c", "d"]),
            Joined::latin("bytedanceabcd"),
            &w(&["bytedance"]),
            Joined::latin("bytedance"),
        );
        assert!(lost.score() < 0.7, "{lost:?}");
    }

    #[test]
    fn pruning_coverage_is_below_what_any_view_needs() {
        for min in [0.5, 0.7, 0.78, 0.8, 0.85, 0.9, 0.95, 1.0] {
            let need = min_query_coverage(min);
            // the weakest query coverage that still scores `min` in either view
            for q in (0..=100).map(|i| i as f64 / 100.0) {
                let c = 1.0;
                let two_way = 2.0 * q * c / (q + c).max(1e-12);
                let contained = if q >= CONTAINED_MIN_SHARE {
                    c * (CONTAINED_BASE + CONTAINED_SPAN * q)
                } else {
                    0.0
                };
                if two_way.max(contained) >= min {
                    assert!(
                        q >= need - 1e-12,
                        "min {min}: q {q} scores but needs {need}"
                    );
                }
            }
        }
    }

    /// Words of equal, uncommon weight.
    fn rare(tokens: &[&'static str]) -> Vec<Weighted<'static>> {
        w(tokens)
            .into_iter()
            .map(|t| Weighted { weight: 3.0, ..t })
            .collect()
    }

    fn score(q: &[&'static str], c: &[&'static str]) -> f64 {
        let (qj, cj) = (q.concat(), c.concat());
        similarity(&rare(q), Joined::latin(&qj), &rare(c), Joined::latin(&cj)).score()
    }

    #[test]
    fn a_person_named_without_middle_names_is_a_possible_match() {
        let basov = score(
            &["basov", "aleksandr"],
            &["basov", "aleksandr", "vasilevich"],
        );
        assert!((0.78..0.9).contains(&basov), "{basov}");
        // without the listed name's rarest word it is not: common words alone
        let mut cand = rare(&["tenpay", "payment", "technology"]);
        cand[0].weight = 5.0;
        let query = rare(&["payment", "technology"]);
        let s = similarity(
            &query,
            Joined::latin("paymenttechnology"),
            &cand,
            Joined::latin("tenpaypaymenttechnology"),
        );
        assert!(s.score() < 0.78, "{s:?}");
        // nor is one query word inside a longer name
        assert!(score(&["tencent"], &["tencent", "music", "entertainment"]) < 0.78);
    }

    #[test]
    fn words_spelt_alike_are_for_review_never_a_block() {
        let s = score(
            &["husayn", "ali", "tikriti"],
            &["hussein", "ali", "tikriti"],
        );
        assert!((0.78..=TRANSLITERATION_CAP).contains(&s), "{s}");
        let s = score(&["alexander", "basov"], &["aleksandr", "basov"]);
        assert!((0.78..=TRANSLITERATION_CAP).contains(&s), "{s}");
        // different names keep apart
        assert!(score(&["hassan", "ali", "tikriti"], &["husayn", "ali", "tikriti"]) < 0.78);
    }

    #[test]
    fn numbers_are_not_misspelt() {
        assert!(score(&["hyundai", "mipo", "2655"], &["hyundai", "mipo", "2656"]) < 0.78);
        assert!(
            score(
                &["77", "infantry", "division"],
                &["33", "infantry", "division"]
            ) < 0.78
        );
        assert!(token_similarity("meida4u", "media4u") > 0.8);
        assert_eq!(joined_similarity("export2", "export"), 0.0);
    }

    #[test]
    fn extra_words_cost() {
        let s = similarity(
            &w(&["tencent"]),
            Joined::latin("tencent"),
            &w(&["tencent", "music", "entertainment"]),
            Joined::latin("tencentmusicentertainment"),
        );
        assert!(s.score() < 0.8, "{s:?}");
    }
}
