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

/// Similarity of two tokens: 1 when equal; for tokens of four or more characters, one minus the
/// optimal-string-alignment distance over the longer length (typos and transpositions); short tokens
/// must be equal.
pub fn token_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la < 4 || lb < 4 {
        return 0.0;
    }
    let dist = strsim::osa_distance(a, b) as f64;
    let sim = 1.0 - dist / la.max(lb) as f64;
    // two edits in a short word is a different word
    if dist >= 2.0 && la.max(lb) < 8 {
        return 0.0;
    }
    sim.max(0.0)
}

/// Similarity of the spaceless forms of two names (edit distance over the longer length).
pub fn joined_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la < 4 || lb < 4 {
        return 0.0;
    }
    let dist = strsim::osa_distance(a, b) as f64;
    (1.0 - dist / la.max(lb) as f64).max(0.0)
}

/// A token with its weight (rarity).
#[derive(Debug, Clone, Copy)]
pub struct Weighted<'a> {
    /// The token text.
    pub text: &'a str,
    /// Its weight, > 0.
    pub weight: f64,
}

/// How well tokens of `from` are covered by tokens of `to`, weighted, in 0..=1.
fn coverage(from: &[Weighted], to: &[Weighted]) -> f64 {
    let total: f64 = from.iter().map(|t| t.weight).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let got: f64 = from
        .iter()
        .map(|t| {
            t.weight
                * to.iter()
                    .map(|u| token_similarity(t.text, u.text))
                    .fold(0.0, f64::max)
        })
        .sum();
    got / total
}

/// The two views' scores, kept for evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Token view: weighted coverage both ways, averaged.
    pub tokens: f64,
    /// Joined view.
    pub joined: f64,
}

impl Similarity {
    /// The score: the better of the two views.
    pub fn score(&self) -> f64 {
        self.tokens.max(self.joined)
    }
}

/// Compare a query's tokens with a candidate's.
pub fn similarity(
    query: &[Weighted],
    query_joined: &str,
    cand: &[Weighted],
    cand_joined: &str,
) -> Similarity {
    let q = coverage(query, cand);
    let c = coverage(cand, query);
    // Both sides count alike: a query that leaves half of a name unexplained ("Lenovo" against
    // "Lenovo SHAREit") is as doubtful as a name that explains half of the query.
    let tokens = 0.5 * q + 0.5 * c;
    Similarity {
        tokens: tokens.min(1.0),
        joined: joined_similarity(query_joined, cand_joined),
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
