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

/// The most edits allowed for similarity `min` over `len` characters.
fn edits_allowed(min: f64, len: usize) -> usize {
    ((1.0 - min) * len as f64).floor() as usize
}

/// Similarity of two tokens (lowercase ASCII): 1 when equal; for tokens of four or more characters,
/// one minus the edit distance over the longer length, when that is at least
/// [`MIN_TOKEN_SIMILARITY`]; short tokens must be equal, and two edits in a word under eight
/// characters make a different word. A token that begins a longer, purely alphabetic one is taken
/// for its abbreviation ("tech", "technology").
pub fn token_similarity(a: &str, b: &str) -> f64 {
    let edits = edit_similarity(a, b, |len| {
        if len < 8 {
            1
        } else {
            edits_allowed(MIN_TOKEN_SIMILARITY, len)
        }
    });
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
    edit_similarity(a, b, |len| edits_allowed(MIN_JOINED_SIMILARITY, len))
}

/// A token with its weight (rarity).
#[derive(Debug, Clone, Copy)]
pub struct Weighted<'a> {
    /// The token text.
    pub text: &'a str,
    /// Its weight, > 0.
    pub weight: f64,
}

/// Weighted coverage both ways from one pass over the token pairs: how much of `query` the
/// candidate explains, and how much of `cand` the query explains, each in 0..=1.
fn coverages(query: &[Weighted], cand: &[Weighted]) -> (f64, f64) {
    const MAX: usize = 16;
    let mut best_c = [0.0f64; MAX];
    let (mut q_got, mut q_total, mut c_total) = (0.0, 0.0, 0.0);
    for t in query {
        let mut best = 0.0f64;
        for (j, u) in cand.iter().enumerate() {
            let sim = token_similarity(t.text, u.text);
            best = best.max(sim);
            if j < MAX {
                best_c[j] = best_c[j].max(sim);
            }
        }
        q_got += t.weight * best;
        q_total += t.weight;
    }
    let mut c_got = 0.0;
    for (j, u) in cand.iter().enumerate() {
        let best = if j < MAX {
            best_c[j]
        } else {
            query
                .iter()
                .map(|t| token_similarity(t.text, u.text))
                .fold(0.0, f64::max)
        };
        c_got += u.weight * best;
        c_total += u.weight;
    }
    let ratio = |got: f64, total: f64| if total > 0.0 { got / total } else { 0.0 };
    (ratio(q_got, q_total), ratio(c_got, c_total))
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
}

impl Similarity {
    /// The score: the best of the views.
    pub fn score(&self) -> f64 {
        self.tokens.max(self.joined).max(self.sound)
    }
}

/// Compare a query's tokens with a candidate's.
pub fn similarity(
    query: &[Weighted],
    query_joined: &str,
    cand: &[Weighted],
    cand_joined: &str,
) -> Similarity {
    let (q, c) = coverages(query, cand);
    // Both sides must be explained: the harmonic mean is low when either is ("Lenovo" explains half
    // of "Lenovo SHAREit"; "Tencent" a third of "Tencent Music Entertainment").
    let tokens = if q + c > 0.0 {
        2.0 * q * c / (q + c)
    } else {
        0.0
    };
    Similarity {
        tokens: tokens.min(1.0),
        // the spaceless view is for names spaced differently ("Zhi Fu Bao", "We Chat"); between
        // names with as many words it would only blur one word's difference over the whole
        joined: if query.len() != cand.len() {
            joined_similarity(query_joined, cand_joined)
        } else {
            0.0
        },
        sound: 0.0,
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
            })
            .collect()
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
            "media4usmart",
            &w(&["smart", "media4u"]),
            "smartmedia4u",
        );
        assert_eq!(s.score(), 1.0);
        let s = similarity(
            &w(&["zhi", "fu", "bao"]),
            "zhifubao",
            &w(&["zhifubao"]),
            "zhifubao",
        );
        assert_eq!(s.score(), 1.0);
    }

    #[test]
    fn extra_words_cost() {
        let s = similarity(
            &w(&["tencent"]),
            "tencent",
            &w(&["tencent", "music", "entertainment"]),
            "tencentmusicentertainment",
        );
        assert!(s.score() < 0.8, "{s:?}");
    }
}
