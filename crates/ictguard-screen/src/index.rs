//! A candidate index over names, so that the cost of a query does not grow with the list.
//!
//! Each name is normalised once; its core tokens (and its spaceless form) go into an inverted index,
//! and every token of four or more characters also goes into a symmetric-deletion index (all strings
//! one deletion away), which finds tokens within one edit, adjacent transpositions included, with
//! hash lookups only. Very common tokens ("china", "trading") are skipped when the query has rarer
//! ones, and candidates are ranked by the rarity of what they share before any scoring, so a query
//! touches a bounded number of names whatever the size of the lists.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::normalize::{normalize_name, sound_key, NormalizedName};
use crate::score::{similarity, Joined, Similarity, Weighted};

/// Score given to a name whose sound key equals a transliterated query's: inside the review band
/// and below blocking, since sound keys are coarse.
pub const SOUND_MATCH_SCORE: f64 = 0.85;
/// Words so common in company names that sharing them says little, in English and pinyin: their
/// weight is capped at [`GENERIC_WEIGHT`] whatever their rarity in the loaded lists (a small list
/// cannot know that "Beijing", "Office" and "Software" are common).
const GENERIC_WORDS: &[&str] = &[
    "international",
    "global",
    "worldwide",
    "china",
    "chinese",
    "beijing",
    "shanghai",
    "shenzhen",
    "hangzhou",
    "guangzhou",
    "hong",
    "kong",
    "singapore",
    "america",
    "american",
    "usa",
    "asia",
    "pacific",
    "world",
    "east",
    "west",
    "north",
    "south",
    "new",
    "the",
    "of",
    "and",
    "de",
    "la",
    "zhongguo",
    "guoji",
    "technology",
    "technologies",
    "information",
    "keji",
    "xinxi",
];
/// The weight of a generic word.
const GENERIC_WEIGHT: f64 = 1.0;
/// Sound keys shorter than this are too coarse to use.
const MIN_SOUND_KEY: usize = 3;

/// Tokens shorter than this are looked up exactly only.
const MIN_FUZZY_LEN: usize = 4;
/// A posting list longer than this is skipped when the query has other tokens.
const MAX_POSTINGS: usize = 2_000;
/// Names scored per query, at most.
const MAX_CANDIDATES: usize = 32;

/// One indexed name: a primary name or alias of some record.
#[derive(Debug, Clone)]
pub struct IndexedName {
    /// The record (app, entity, list entry) this name belongs to.
    pub record: u32,
    /// The name as written in the source.
    pub original: String,
    /// Its normal form.
    pub normalized: NormalizedName,
    tokens: Vec<u32>,
    joined: String,
    /// the Han characters of a name written in Han throughout
    han_joined: Option<Box<str>>,
    sound: String,
}

/// A scored candidate.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    /// The matching name.
    pub name: &'a IndexedName,
    /// Its similarity to the query.
    pub similarity: Similarity,
}

/// The inverted index over names.
#[derive(Debug, Default)]
pub struct NameIndex {
    names: Vec<IndexedName>,
    /// hash of each token's text → its id (the text itself is in `token_text`)
    token_ids: IdsByKey,
    /// hash of each token's full text → token id, to meet deletion variants of the query
    token_hashes: IdsByKey,
    token_text: Vec<String>,
    /// token id → names that contain it
    postings: Vec<Vec<u32>>,
    /// deletion variant → token ids it came from
    deletions: IdsByKey,
    /// sound key of a name's spaceless form → names
    sounds: FxHashMap<String, Vec<u32>>,
    /// token id → (number of distinct records that use it, last record counted)
    record_df: Vec<(u32, u32)>,
    /// distinct records added
    records: u32,
    /// token id → is a generic word
    generic: Vec<bool>,
    /// token id → weight, computed by [`NameIndex::finish`]
    weights: Vec<f64>,
    last_record: Option<u32>,
}

/// Token ids by a 64-bit hash. Nearly every hash names one token, so the first id is kept in the
/// table itself and only the rare others beside it: a vector per hash was most of the cost of
/// building an index (every token of four letters or more adds one hash per letter).
#[derive(Debug, Default)]
struct IdsByKey {
    first: FxHashMap<u64, u32>,
    more: FxHashMap<u64, Vec<u32>>,
}

impl IdsByKey {
    /// Record `id` under `key`, once.
    fn insert(&mut self, key: u64, id: u32) {
        match self.first.entry(key) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(id);
            }
            std::collections::hash_map::Entry::Occupied(o) if *o.get() != id => {
                let more = self.more.entry(key).or_default();
                if !more.contains(&id) {
                    more.push(id);
                }
            }
            std::collections::hash_map::Entry::Occupied(_) => {}
        }
    }

    /// The ids recorded under `key`, first recorded first.
    fn get(&self, key: u64) -> impl Iterator<Item = u32> + '_ {
        self.first
            .get(&key)
            .copied()
            .into_iter()
            .chain(self.more.get(&key).into_iter().flatten().copied())
    }
}

/// Hash of `token` with the byte at `skip` left out (`usize::MAX`: nothing left out). Deletion
/// variants are keyed by hash so that a query builds no strings; a collision only adds a candidate
/// token, which the similarity check then rejects.
fn variant_hash(token: &[u8], skip: usize) -> u64 {
    let mut h = FxHasher::default();
    for (i, b) in token.iter().enumerate() {
        if i != skip {
            h.write_u8(*b);
        }
    }
    h.write_usize(token.len() - usize::from(skip < token.len()));
    h.finish()
}

/// Hashes of every one-deletion variant of `token` (tokens are ASCII).
fn deletion_variants(token: &str) -> impl Iterator<Item = u64> + '_ {
    (0..token.len()).map(move |i| variant_hash(token.as_bytes(), i))
}

impl NameIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty index with room for about `names` names, so that its tables do not grow (and
    /// rehash) one doubling at a time while they are added.
    pub fn with_capacity(names: usize) -> Self {
        // about two distinct tokens a name, about seven letters (deletion variants) a token
        let tokens = names * 2;
        let mut index = Self::default();
        index.names.reserve(names);
        index.token_ids.first.reserve(tokens);
        index.token_hashes.first.reserve(tokens);
        index.deletions.first.reserve(tokens * 7);
        index.token_text.reserve(tokens);
        index.postings.reserve(tokens);
        index.record_df.reserve(tokens);
        index.generic.reserve(tokens);
        index.sounds.reserve(names);
        index
    }

    /// Number of names indexed.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn intern(&mut self, token: &str) -> u32 {
        let hash = variant_hash(token.as_bytes(), usize::MAX);
        if let Some(id) = self.token_id_by_hash(hash, token) {
            return id;
        }
        let id = self.token_text.len() as u32;
        self.token_ids.insert(hash, id);
        self.token_text.push(token.to_string());
        self.postings.push(Vec::new());
        self.record_df.push((0, u32::MAX));
        self.generic.push(GENERIC_WORDS.contains(&token));
        self.weights.clear(); // stale until `finish`
        if token.len() >= MIN_FUZZY_LEN {
            self.token_hashes.insert(hash, id);
            for v in deletion_variants(token) {
                self.deletions.insert(v, id);
            }
        }
        id
    }

    /// The id of a token already in the index.
    fn token_id(&self, token: &str) -> Option<u32> {
        self.token_id_by_hash(variant_hash(token.as_bytes(), usize::MAX), token)
    }

    fn token_id_by_hash(&self, hash: u64, token: &str) -> Option<u32> {
        self.token_ids
            .get(hash)
            .find(|id| self.token_text[*id as usize] == token)
    }

    /// Add a name for `record`. Names that normalise to nothing are ignored.
    pub fn add(&mut self, record: u32, name: &str) {
        let normalized = normalize_name(name);
        if normalized.is_empty() {
            return;
        }
        let joined = normalized.joined();
        let name_id = self.names.len() as u32;
        if self.last_record != Some(record) {
            self.records += 1;
            self.last_record = Some(record);
        }
        let core: Vec<&str> = normalized.core_tokens().collect();
        // the spaceless form is looked up too, so that "zhifubao" finds "zhi fu bao"
        let with_joined = core.len() > 1;
        let mut tokens = Vec::with_capacity(core.len() + 1);
        for w in core
            .iter()
            .copied()
            .chain(with_joined.then_some(joined.as_str()))
        {
            let t = self.intern(w);
            if !tokens.contains(&t) {
                tokens.push(t);
                self.postings[t as usize].push(name_id);
                let df = &mut self.record_df[t as usize];
                if df.1 != record {
                    *df = (df.0 + 1, record);
                }
            }
        }
        drop(core);
        if with_joined {
            tokens.pop(); // the joined pseudo-token is for lookup only, not for scoring
        }
        let sound = sound_key(&joined);
        if sound.len() >= MIN_SOUND_KEY {
            self.sounds.entry(sound.clone()).or_default().push(name_id);
        }
        let han_joined = normalized.han_joined().map(String::into_boxed_str);
        self.names.push(IndexedName {
            record,
            original: name.to_string(),
            normalized,
            tokens,
            joined,
            han_joined,
            sound,
        });
    }

    /// Rarity of a token: inverse document frequency over records (an app's many aliases count
    /// once, so a word repeated across one record's aliases is not made common by it).
    fn weight(&self, token: u32) -> f64 {
        if let Some(w) = self.weights.get(token as usize) {
            return *w;
        }
        self.compute_weight(token)
    }

    fn compute_weight(&self, token: u32) -> f64 {
        let df = self.record_df[token as usize].0.max(1) as f64;
        let n = self.records.max(1) as f64;
        let w = (1.0 + (n / df).ln()).max(0.5);
        if self.generic[token as usize] {
            w.min(GENERIC_WEIGHT)
        } else {
            w
        }
    }

    fn unseen_weight(&self) -> f64 {
        1.0 + (self.records.max(1) as f64).ln()
    }

    /// Compute the token weights once all names are added (searching works before, only slower).
    pub fn finish(&mut self) {
        self.weights = (0..self.token_text.len() as u32)
            .map(|t| self.compute_weight(t))
            .collect();
    }

    fn weight_of_text(&self, token: &str) -> f64 {
        match self.token_id(token) {
            Some(t) => self.weight(t),
            None if GENERIC_WORDS.contains(&token) => GENERIC_WEIGHT,
            // unseen tokens are as rare as the rarest
            None => self.unseen_weight(),
        }
    }

    /// Tokens of the index within one edit of `token` (itself included), with their similarity.
    fn near_tokens(&self, token: &str, out: &mut Vec<(u32, f64)>) {
        if let Some(t) = self.token_id(token) {
            out.push((t, 1.0));
        }
        if token.len() < MIN_FUZZY_LEN {
            return;
        }
        let mut push = |ids: &mut dyn Iterator<Item = u32>| {
            for id in ids {
                if !out.iter().any(|(t, _)| *t == id) {
                    let sim = crate::score::token_similarity(token, &self.token_text[id as usize]);
                    if sim > 0.0 {
                        out.push((id, sim));
                    }
                }
            }
        };
        // the query token with one deletion may equal an index token (an insertion in the query) …
        for v in deletion_variants(token) {
            push(&mut self.token_hashes.get(v));
            // … or an index token's deletion (substitution, transposition)
            push(&mut self.deletions.get(v));
        }
        // an index token with one deletion equals the query token (a deletion in the query)
        push(
            &mut self
                .deletions
                .get(variant_hash(token.as_bytes(), usize::MAX)),
        );
    }

    /// The best-scoring names for a query, best first, with score at least `min_score`.
    pub fn search(&self, query: &NormalizedName, min_score: f64, limit: usize) -> Vec<Hit<'_>> {
        if query.is_empty() || self.names.is_empty() {
            return Vec::new();
        }
        let mut q_words: Vec<&str> = query.core_tokens().collect();
        q_words.sort_unstable();
        q_words.dedup();
        let q_joined = query.joined();
        let q_weighted: Vec<Weighted> = q_words
            .iter()
            .map(|t| Weighted {
                text: t,
                weight: self.weight_of_text(t),
                han: query.han_of(t),
            })
            .collect();
        // Han against Han is compared by characters; only then are a candidate's Han forms needed
        let query_has_han = q_weighted.iter().any(|t| t.han.is_some());
        let q_han_joined = query.han_joined();
        // the query's rarity for the pruning bound: an unseen (misspelt) token counts as the
        // heaviest index token it is near, since that is what a candidate can gain from it
        let mut q_total = 0.0;
        // candidate name → (accumulated rarity of shared tokens, reached through a spaceless or sound form)
        let mut cands: FxHashMap<u32, (f64, bool)> =
            FxHashMap::with_capacity_and_hasher(64, Default::default());
        let mut near = Vec::new();
        let joined_lookup = q_words.len() > 1;
        let many_tokens = joined_lookup;
        for (i, w) in q_words
            .iter()
            .copied()
            .chain(joined_lookup.then_some(q_joined.as_str()))
            .enumerate()
        {
            let via_joined = i == q_words.len();
            near.clear();
            self.near_tokens(w, &mut near);
            if !via_joined {
                q_total += match self.token_id(w) {
                    Some(_) => q_weighted[i].weight,
                    None => near
                        .iter()
                        .map(|(t, _)| self.weight(*t))
                        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
                        .unwrap_or(q_weighted[i].weight),
                };
            }
            for (t, sim) in &near {
                let posting = &self.postings[*t as usize];
                if many_tokens && posting.len() > MAX_POSTINGS {
                    continue;
                }
                let gain = self.weight(*t) * sim;
                for n in posting {
                    let c = cands.entry(*n).or_default();
                    c.0 += gain;
                    c.1 |=
                        via_joined || self.names[*n as usize].tokens.len() < 2 && q_words.len() > 1;
                }
            }
        }
        // a transliterated query also meets names that sound alike
        let q_sound = if query.transliterated {
            sound_key(&q_joined)
        } else {
            String::new()
        };
        if q_sound.len() >= MIN_SOUND_KEY {
            for n in self.sounds.get(&q_sound).into_iter().flatten() {
                cands.entry(*n).or_default().1 = true;
            }
        }
        // A candidate must share enough of the query's rarity to reach `min_score` by its tokens
        // (`min_query_coverage`). Names reached through a spaceless or sound form are kept.
        let needed = q_total * crate::score::min_query_coverage(min_score) - 1e-9;
        let mut ranked: Vec<(u32, f64)> = cands
            .into_iter()
            .filter(|(_, (gain, other_view))| *other_view || *gain >= needed)
            .map(|(n, (gain, other_view))| (n, if other_view { f64::MAX } else { gain }))
            .collect();
        let order = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > MAX_CANDIDATES {
            ranked.select_nth_unstable_by(MAX_CANDIDATES - 1, order);
            ranked.truncate(MAX_CANDIDATES);
        }
        ranked.sort_unstable_by(order);

        let mut c_weighted: Vec<Weighted> = Vec::with_capacity(8);
        let mut hits: Vec<Hit> = Vec::with_capacity(ranked.len());
        for (n, _) in ranked {
            let name = &self.names[n as usize];
            c_weighted.clear();
            c_weighted.extend(name.tokens.iter().map(|t| {
                let text = self.token_text[*t as usize].as_str();
                Weighted {
                    text,
                    weight: self.weight(*t),
                    han: query_has_han
                        .then(|| name.normalized.han_of(text))
                        .flatten(),
                }
            }));
            let mut similarity = similarity(
                &q_weighted,
                Joined {
                    text: &q_joined,
                    han: q_han_joined.as_deref(),
                },
                &c_weighted,
                Joined {
                    text: &name.joined,
                    han: name.han_joined.as_deref(),
                },
            );
            if q_sound.len() >= MIN_SOUND_KEY && name.sound == q_sound {
                similarity.sound = SOUND_MATCH_SCORE;
            }
            if similarity.score() >= min_score {
                hits.push(Hit { name, similarity });
            }
        }
        hits.sort_by(|a, b| {
            b.similarity
                .score()
                .total_cmp(&a.similarity.score())
                .then(a.name.record.cmp(&b.name.record))
        });
        // one hit per record: its best name
        let mut seen = Vec::new();
        hits.retain(|h| {
            if seen.contains(&h.name.record) {
                false
            } else {
                seen.push(h.name.record);
                true
            }
        });
        hits.truncate(limit);
        hits
    }
}
