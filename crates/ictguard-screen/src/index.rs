//! A candidate index over names, so that the cost of a query does not grow with the lists.
//!
//! Each name is normalised once; its core tokens (and its spaceless form) go into an inverted index.
//! Every token of four or more characters also goes into a symmetric-deletion index (its strings
//! one deletion away), which finds every token the scorer would call similar
//! ([`crate::score::MAX_EDITS`]: one edit, adjacent transpositions included) with hash lookups
//! only, and the tokens in sorted order give the abbreviations the scorer accepts ("tech" of
//! "technology") by binary search.
//!
//! Retrieval is admissible: a name the scorer would rate at or above the threshold is never
//! pruned. Each candidate gathers an upper bound of the share of the query it can explain; names
//! that cannot reach the threshold by any view are dropped, the rest are scored best bound first,
//! and scoring stops once no remaining bound can enter the answer. Very common tokens ("china",
//! "trading") are skipped only while what they could add stays below what a match needs.
//! [`NameIndex::search_every_name`] scores every name, for tests that compare the two.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::normalize::{normalize_name, sound_key, NormalizedName};
use crate::score::{
    abjad_hash, similarity, spelling_hash, Joined, Similarity, Weighted, GENERIC_WEIGHT,
};

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
    // the Arabic article and the words joining a name to a father's, as "the" and "de" above
    "al",
    "el",
    "ibn",
    "bint",
    "ould",
];
/// Sound keys shorter than this are too coarse to use.
const MIN_SOUND_KEY: usize = 3;

/// Tokens shorter than this are looked up exactly only.
const MIN_FUZZY_LEN: usize = 4;
/// A posting list longer than this is skipped when what its token could add to a candidate cannot
/// make a match alone (the bound still counts it).
const MAX_POSTINGS: usize = 2_000;
/// Shortest abbreviation the scorer accepts (`token_similarity`).
const MIN_ABBREVIATION: usize = 4;

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
    /// token id → hash of its spelling key (0: none), see [`crate::spelling`]
    spellings: Vec<u64>,
    /// hash of a spelling key → token ids spelt so
    by_spelling: IdsByKey,
    /// token id → hash of its consonant key (0: none), see [`crate::spelling::abjad_key`]
    abjads: Vec<u64>,
    /// token id → written in Arabic or Hebrew script in some name
    from_abjad: Vec<bool>,
    /// hash of a consonant key → token ids
    by_abjad: IdsByKey,
    /// alphabetic tokens of more than [`MIN_ABBREVIATION`] characters in text order, for the
    /// tokens a query token abbreviates (a prefix range); built by [`NameIndex::finish`]
    by_text: Vec<u32>,
    /// sound key of a name's spaceless form → names
    sounds: FxHashMap<String, Vec<u32>>,
    /// acronym of a name of several words ([`crate::acronym::acronyms`]) → names
    by_acronym: FxHashMap<String, Vec<u32>>,
    /// token id → (number of distinct records that use it, last record counted)
    record_df: Vec<(u32, u32)>,
    /// distinct records added
    records: u32,
    /// token id → is a generic word
    generic: Vec<bool>,
    /// token id → is the spaceless form of some name of several words (never skipped in a
    /// search, since the joined view may score what it reaches)
    joins_a_name: Vec<bool>,
    /// token id → weight, computed by [`NameIndex::finish`]
    weights: Vec<f64>,
    /// name → the sum of its tokens' weights, computed by [`NameIndex::finish`]
    own_totals: Vec<f64>,
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

/// True for a token that may be abbreviated: alphabetic and longer than the shortest abbreviation
/// (as `token_similarity` requires of the longer token).
fn abbreviable(token: &str) -> bool {
    token.len() > MIN_ABBREVIATION && token.bytes().all(|c| c.is_ascii_alphabetic())
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
        self.joins_a_name.push(false);
        let spelling = spelling_hash(token, None);
        self.spellings.push(spelling);
        if spelling != 0 {
            self.by_spelling.insert(spelling, id);
        }
        let abjad = abjad_hash(token, None);
        self.abjads.push(abjad);
        self.from_abjad.push(false);
        if abjad != 0 {
            self.by_abjad.insert(abjad, id);
        }
        self.weights.clear(); // stale until `finish`
        self.by_text.clear();
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
            if normalized.abjad_of(w) {
                self.from_abjad[t as usize] = true;
            }
            if with_joined && w == joined {
                self.joins_a_name[t as usize] = true;
            }
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
        for a in crate::acronym::acronyms(&normalized.tokens) {
            self.by_acronym.entry(a).or_default().push(name_id);
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
        self.own_totals = self
            .names
            .iter()
            .map(|n| n.tokens.iter().map(|t| self.weights[*t as usize]).sum())
            .collect();
        let mut by_text: Vec<u32> = (0..self.token_text.len() as u32)
            .filter(|t| abbreviable(&self.token_text[*t as usize]))
            .collect();
        by_text.sort_unstable_by(|a, b| {
            self.token_text[*a as usize].cmp(&self.token_text[*b as usize])
        });
        self.by_text = by_text;
    }

    /// Index tokens that `prefix` abbreviates: longer alphabetic tokens that begin with it.
    fn abbreviated_by(&self, prefix: &str, out: &mut dyn FnMut(u32)) {
        let text = |t: &u32| self.token_text[*t as usize].as_str();
        if self.weights.len() != self.token_text.len() {
            // not finished: look at every token (slow, but the same answer)
            (0..self.token_text.len() as u32)
                .filter(|t| {
                    abbreviable(text(t)) && text(t).starts_with(prefix) && text(t) != prefix
                })
                .for_each(&mut *out);
            return;
        }
        let start = self.by_text.partition_point(|t| text(t) < prefix);
        self.by_text[start..]
            .iter()
            .take_while(|t| text(t).starts_with(prefix))
            .filter(|t| text(t) != prefix)
            .copied()
            .for_each(out);
    }

    fn weight_of_text(&self, token: &str) -> f64 {
        match self.token_id(token) {
            Some(t) => self.weight(t),
            None if GENERIC_WORDS.contains(&token) => GENERIC_WEIGHT,
            // unseen tokens are as rare as the rarest
            None => self.unseen_weight(),
        }
    }

    /// Every token of the index the scorer finds similar to `token` (itself included), with that
    /// similarity: within [`crate::score::MAX_EDITS`] by symmetric deletion, abbreviations
    /// either way, and tokens of the same spelling key (`spelling`, 0 for none) at
    /// [`crate::score::TRANSLITERATION_SIMILARITY`].
    fn near_tokens(&self, token: &str, keys: Keys, out: &mut Vec<(u32, f64)>) {
        let Keys {
            spelling,
            abjad,
            from_abjad,
        } = keys;
        if let Some(t) = self.token_id(token) {
            out.push((t, 1.0));
        }
        // ids already looked at (a prefix may reach hundreds of tokens: no linear rescans)
        let mut seen: rustc_hash::FxHashSet<u32> = out.iter().map(|(t, _)| *t).collect();
        let mut push = |ids: &mut dyn Iterator<Item = u32>| {
            for id in ids {
                if seen.insert(id) {
                    let mut sim =
                        crate::score::token_similarity(token, &self.token_text[id as usize]);
                    let abjad_alike = abjad != 0
                        && self.abjads[id as usize] == abjad
                        && (from_abjad || self.from_abjad[id as usize]);
                    if (spelling != 0 && self.spellings[id as usize] == spelling) || abjad_alike {
                        sim = sim.max(crate::score::TRANSLITERATION_SIMILARITY);
                    }
                    if sim > 0.0 {
                        out.push((id, sim));
                    }
                }
            }
        };
        if spelling != 0 {
            push(&mut self.by_spelling.get(spelling));
        }
        if abjad != 0 {
            push(&mut self.by_abjad.get(abjad));
        }
        if token.len() < MIN_FUZZY_LEN {
            return;
        }
        let bytes = token.as_bytes();
        let whole = variant_hash(bytes, usize::MAX);
        // one edit: a deletion on either side or both (substitution, transposition)
        for v in deletion_variants(token) {
            push(&mut self.token_hashes.get(v));
            push(&mut self.deletions.get(v));
        }
        push(&mut self.deletions.get(whole));
        // abbreviations: the query token begins a longer index token, or an index token begins it
        let mut longer = Vec::new();
        self.abbreviated_by(token, &mut |t| longer.push(t));
        push(&mut longer.into_iter());
        if abbreviable(token) {
            for len in MIN_ABBREVIATION..token.len() {
                push(
                    &mut self
                        .token_hashes
                        .get(variant_hash(&bytes[..len], usize::MAX)),
                );
            }
        }
    }

    /// The query's words (deduplicated), weights and spaceless forms, as every view scores them.
    fn prepare<'q>(&self, query: &'q NormalizedName) -> Prepared<'q> {
        let mut words: Vec<&str> = query.core_tokens().collect();
        words.sort_unstable();
        words.dedup();
        let weighted: Vec<Weighted> = words
            .iter()
            .map(|t| {
                let han = query.han_of(t);
                Weighted {
                    text: t,
                    weight: self.weight_of_text(t),
                    han,
                    spelling: spelling_hash(t, han),
                    abjad: abjad_hash(t, han),
                    from_abjad: query.abjad_of(t),
                }
            })
            .collect();
        let joined = query.joined();
        let sound = if query.transliterated {
            sound_key(&joined)
        } else {
            String::new()
        };
        Prepared {
            has_han: weighted.iter().any(|t| t.han.is_some()),
            han_joined: query.han_joined(),
            words,
            weighted,
            joined,
            sound,
            acronym: acronym_word(query).map(str::to_string),
            initials: crate::acronym::acronyms(&query.tokens),
        }
    }

    /// The similarity of one indexed name to a prepared query, by every view (`buf` holds the
    /// name's weighted tokens, reused from name to name).
    fn score_name<'s>(
        &'s self,
        q: &Prepared,
        name: &'s IndexedName,
        buf: &mut Vec<Weighted<'s>>,
    ) -> Similarity {
        buf.clear();
        buf.extend(name.tokens.iter().map(|t| {
            let text = self.token_text[*t as usize].as_str();
            let han = q.has_han.then(|| name.normalized.han_of(text)).flatten();
            Weighted {
                text,
                weight: self.weight(*t),
                han,
                spelling: if han.is_some() {
                    0
                } else {
                    self.spellings[*t as usize]
                },
                abjad: if han.is_some() {
                    0
                } else {
                    self.abjads[*t as usize]
                },
                from_abjad: self.from_abjad[*t as usize] && name.normalized.abjad_of(text),
            }
        }));
        let mut sim = similarity(
            &q.weighted,
            Joined {
                text: &q.joined,
                han: q.han_joined.as_deref(),
            },
            buf,
            Joined {
                text: &name.joined,
                han: name.han_joined.as_deref(),
            },
        );
        if q.sound.len() >= MIN_SOUND_KEY && name.sound == q.sound {
            sim.sound = SOUND_MATCH_SCORE;
        }
        let initials_of = |word: &str, of: &NormalizedName| {
            crate::acronym::acronyms(&of.tokens)
                .iter()
                .any(|a| a == word)
        };
        let spelt_out = match (&q.acronym, acronym_word(&name.normalized)) {
            (Some(word), _) => initials_of(word, &name.normalized),
            (None, Some(word)) => q.initials.iter().any(|a| a == word),
            (None, None) => false,
        };
        if spelt_out {
            sim.acronym = crate::acronym::ACRONYM_SCORE;
        }
        sim
    }

    /// The best-scoring names for a query, best first, with score at least `min_score`, one per
    /// record (its best name), at most `limit`. Equal to [`Self::search_every_name`], at a cost
    /// that does not grow with the index.
    pub fn search(&self, query: &NormalizedName, min_score: f64, limit: usize) -> Vec<Hit<'_>> {
        if query.is_empty() || self.names.is_empty() || limit == 0 {
            return Vec::new();
        }
        let q = self.prepare(query);
        // Each query word reaches the index tokens the scorer finds similar to it. What a
        // candidate can gain from a word is the word's weight times that similarity (the scorer's
        // query coverage takes the best of its tokens, so the sum over them bounds it).
        let mut near = Vec::new();
        // (what a candidate's query coverage can gain, what its own coverage can gain, token)
        let mut reached: Vec<(f64, f64, u32)> = Vec::new();
        for (w, word) in q.words.iter().zip(&q.weighted) {
            near.clear();
            self.near_tokens(
                w,
                Keys {
                    spelling: word.spelling,
                    abjad: word.abjad,
                    from_abjad: word.from_abjad,
                },
                &mut near,
            );
            reached.extend(
                near.iter()
                    .map(|(t, sim)| (word.weight * sim, self.weight(*t) * sim, *t)),
            );
        }
        let q_total: f64 = q.weighted.iter().map(|w| w.weight).sum();
        let needed = q_total * crate::score::min_query_coverage(min_score) - 1e-9;
        // Skip the longest posting lists while all they could add together stays below a match:
        // a name reached only through them cannot match, and every other name is credited with
        // their whole gain in its bound.
        reached
            .sort_unstable_by_key(|(_, _, t)| std::cmp::Reverse(self.postings[*t as usize].len()));
        let (mut skipped_q, mut skipped_c) = (0.0, 0.0);
        let mut first_kept = 0;
        while let Some((gain, c_gain, t)) = reached.get(first_kept) {
            if self.postings[*t as usize].len() <= MAX_POSTINGS
                || skipped_q + gain >= needed
                || self.joins_a_name[*t as usize]
            {
                break;
            }
            skipped_q += gain;
            skipped_c += c_gain;
            first_kept += 1;
        }
        // candidate name → gains for its query and its own coverage, and whether it is reached
        // through a spaceless or sound form (then always scored)
        let mut cands: FxHashMap<u32, Gains> =
            FxHashMap::with_capacity_and_hasher(1024, Default::default());
        // Rarest gains first: once what the remaining tokens could add, with the skipped ones,
        // stays below a match, a name first met there cannot match and is not taken in; the
        // names already in are still credited (the bound stays an upper bound).
        let kept = &mut reached[first_kept..];
        kept.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
        let mut rest = vec![0.0; kept.len() + 1];
        for i in (0..kept.len()).rev() {
            rest[i] = rest[i + 1] + kept[i].0;
        }
        for (i, (gain, c_gain, t)) in kept.iter().enumerate() {
            let open = skipped_q + rest[i] >= needed;
            let joins = self.joins_a_name[*t as usize];
            for n in &self.postings[*t as usize] {
                // reached through a name's spaceless form (not one of its words): the joined
                // view may score it ("tencent" against "Ten Cent"); only a token that is some
                // name's spaceless form can do that
                let other_view = joins && !self.names[*n as usize].tokens.contains(t);
                let c = if open || other_view {
                    cands.entry(*n).or_default()
                } else {
                    match cands.get_mut(n) {
                        Some(c) => c,
                        None => continue,
                    }
                };
                c.query += gain;
                c.own += c_gain;
                c.other_view |= other_view;
            }
        }
        // the spaceless form meets names spaced differently ("zhi fu bao", "zhifubao")
        if q.words.len() > 1 {
            near.clear();
            self.near_tokens(&q.joined, Keys::default(), &mut near);
            for (t, _) in &near {
                for n in &self.postings[*t as usize] {
                    cands.entry(*n).or_default().other_view = true;
                }
            }
        }
        // a query that may be an acronym meets the names it is the initials of, and a query of
        // several words the one-word names its initials spell
        if let Some(word) = &q.acronym {
            for n in self.by_acronym.get(word.as_str()).into_iter().flatten() {
                cands.entry(*n).or_default().other_view = true;
            }
        }
        for a in &q.initials {
            if let Some(t) = self.token_id(a) {
                for n in &self.postings[t as usize] {
                    if acronym_word(&self.names[*n as usize].normalized).is_some() {
                        cands.entry(*n).or_default().other_view = true;
                    }
                }
            }
        }
        // a transliterated query also meets names that sound alike
        if q.sound.len() >= MIN_SOUND_KEY {
            for n in self.sounds.get(&q.sound).into_iter().flatten() {
                cands.entry(*n).or_default().other_view = true;
            }
        }
        // each candidate's bound on its score, from both coverages; those that cannot reach
        // `min_score` are dropped
        let mut ranked: Vec<(u32, f64)> = cands
            .into_iter()
            .filter_map(|(n, g)| {
                let bound = if g.other_view {
                    f64::INFINITY
                } else {
                    let own_total: f64 = match self.own_totals.get(n as usize) {
                        Some(total) => *total,
                        None => self.names[n as usize]
                            .tokens
                            .iter()
                            .map(|t| self.weight(*t))
                            .sum(),
                    };
                    crate::score::token_score_bound(
                        (g.query + skipped_q) / q_total,
                        (g.own + skipped_c) / own_total,
                    )
                };
                (bound >= min_score - 1e-9).then_some((n, bound))
            })
            .collect();
        ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));

        let mut buf = Vec::new();
        let mut hits: Vec<Hit> = Vec::new();
        // the best score of each record found so far, best first, at most `limit`
        let mut top: Vec<(f64, u32)> = Vec::with_capacity(limit + 1);
        for (n, bound) in ranked {
            if top.len() >= limit && bound + 1e-9 < top[limit - 1].0 {
                break; // no name left can enter the answer
            }
            let name = &self.names[n as usize];
            let similarity = self.score_name(&q, name, &mut buf);
            let score = similarity.score();
            if score < min_score {
                continue;
            }
            hits.push(Hit { name, similarity });
            match top.iter_mut().find(|(_, r)| *r == name.record) {
                Some(best) => best.0 = best.0.max(score),
                None => top.push((score, name.record)),
            }
            top.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            top.truncate(limit);
        }
        best_per_record(hits, limit)
    }

    /// Every name scored, no index used: the answer [`Self::search`] must give, for tests that
    /// compare them and for auditing a surprising answer. Its cost grows with the index.
    pub fn search_every_name(
        &self,
        query: &NormalizedName,
        min_score: f64,
        limit: usize,
    ) -> Vec<Hit<'_>> {
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let q = self.prepare(query);
        let mut buf = Vec::new();
        let hits = self
            .names
            .iter()
            .filter_map(|name| {
                let similarity = self.score_name(&q, name, &mut buf);
                (similarity.score() >= min_score).then_some(Hit { name, similarity })
            })
            .collect();
        best_per_record(hits, limit)
    }
}

/// What a candidate can gain from the query's words: upper bounds of the weighted coverage of the
/// query (`query`) and of its own tokens (`own`), and whether another view reached it.
#[derive(Debug, Default, Clone, Copy)]
struct Gains {
    query: f64,
    own: f64,
    other_view: bool,
}

/// The one word of a name that may be an acronym: written in capitals, of
/// [`crate::acronym::may_be_acronym`] length and letters.
fn acronym_word(name: &NormalizedName) -> Option<&str> {
    if !name.capitals {
        return None;
    }
    let mut core = name.core_tokens();
    match (core.next(), core.next()) {
        (Some(word), None) if crate::acronym::may_be_acronym(word) => Some(word),
        _ => None,
    }
}

/// A query word's keys for meeting other spellings ([`crate::spelling`]).
#[derive(Debug, Default, Clone, Copy)]
struct Keys {
    spelling: u64,
    abjad: u64,
    from_abjad: bool,
}

/// A query as the scorer sees it.
struct Prepared<'q> {
    /// the query's one word when it may be an acronym
    acronym: Option<String>,
    /// the acronyms the query's words spell ([`crate::acronym::acronyms`]), computed once
    initials: Vec<String>,
    words: Vec<&'q str>,
    weighted: Vec<Weighted<'q>>,
    joined: String,
    han_joined: Option<String>,
    has_han: bool,
    sound: String,
}

/// Hits best first (ties by record), one per record (its best name), at most `limit`.
fn best_per_record(mut hits: Vec<Hit<'_>>, limit: usize) -> Vec<Hit<'_>> {
    hits.sort_by(|a, b| {
        b.similarity
            .score()
            .total_cmp(&a.similarity.score())
            .then(a.name.record.cmp(&b.name.record))
            // names of one record that score alike: the same one whichever way they were found
            .then(a.name.original.cmp(&b.name.original))
    });
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
