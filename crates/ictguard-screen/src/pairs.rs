//! Matching quality on labelled name pairs (query, candidate, same party or not), as other people
//! label them: the lists' own alias groups and different records with similar names
//! (`eval/pairs.jsonl`, built by `tools/make_pairs.py`).
//!
//! Every distinct candidate goes into one index (so word rarity is as in a real list of names), and
//! a pair is predicted a match when the candidate is among the query's hits at the threshold.

use serde::Deserialize;

use crate::index::NameIndex;
use crate::normalize::normalize_name;

/// One labelled pair.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledPair {
    /// The name screened.
    pub query: String,
    /// The listed name it is compared with.
    pub candidate: String,
    /// True when both name the same party.
    pub label: bool,
    /// The kind of variation (transliteration, legal_form …, or negative).
    pub category: String,
    /// `dev` (may be studied) or `test` (only measured).
    pub split: String,
    /// Where the pair comes from.
    #[serde(default)]
    pub source: String,
}

/// The score each pair's candidate gets for its query, when at or above `threshold`.
pub fn predict(pairs: &[LabelledPair], threshold: f64) -> Vec<Option<f64>> {
    let mut candidates: Vec<&str> = pairs.iter().map(|p| p.candidate.as_str()).collect();
    candidates.sort_unstable();
    candidates.dedup();
    let mut index = NameIndex::with_capacity(candidates.len());
    for (i, c) in candidates.iter().enumerate() {
        index.add(i as u32, c);
    }
    index.finish();
    pairs
        .iter()
        .map(|p| {
            let record = candidates.binary_search(&p.candidate.as_str()).ok()? as u32;
            index
                .search(&normalize_name(&p.query), threshold, candidates.len())
                .into_iter()
                .find(|h| h.name.record == record)
                .map(|h| h.similarity.score())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(q: &str, c: &str, label: bool) -> LabelledPair {
        LabelledPair {
            query: q.into(),
            candidate: c.into(),
            label,
            category: "test".into(),
            split: "dev".into(),
            source: String::new(),
        }
    }

    #[test]
    fn a_pair_is_predicted_from_the_candidates_hit() {
        let pairs = [
            pair("Banco Nacional de Cuba", "BANCO NACIONAL DE CUBA", true),
            pair("Tencent", "AEROCARIBBEAN AIRLINES", false),
        ];
        let got = predict(&pairs, 0.78);
        assert_eq!(got[0], Some(1.0));
        assert_eq!(got[1], None);
    }
}
