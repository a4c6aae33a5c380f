//! The decision engine: a query in, block / review / allow out, with the evidence for it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use ictguard_rules::{
    Decisive, OrderStatus, Ownership, PackStamp, RulePack, Status, Subject, TransactionKind,
};
use serde::{Deserialize, Serialize};

use crate::index::NameIndex;
use crate::lists::{ListEntry, ListFile, LoadedLists};
use crate::normalize::{
    canonical_legal_form, normalize_identifier, normalize_name, NormalizedName, TokenKind,
};

/// The outcome of screening, ordered from least to most severe.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// No order in force prohibits it.
    Allow,
    /// A person must look: an uncertain match, or an order in force that is not yet implemented or
    /// whose enforcement is suspended.
    Review,
    /// A confident match to something an order in force prohibits.
    Block,
}

impl Decision {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Review => "review",
            Decision::Block => "block",
        }
    }
}

/// Tunable thresholds.
#[derive(Debug, Clone)]
pub struct ScreenConfig {
    /// A name match at or above this score can block.
    pub block_threshold: f64,
    /// A name match at or above this score (and below `block_threshold`) goes to review; below it is
    /// no match.
    pub review_threshold: f64,
    /// Aggregate ownership (percent) at which an entity counts as a covered entity's subsidiary.
    pub ownership_threshold: f64,
    /// Decision when the order is in force but not yet implemented or not enforced.
    pub pending_decision: Decision,
    /// Matches reported per query, at most.
    pub max_matches: usize,
}

impl Default for ScreenConfig {
    fn default() -> Self {
        ScreenConfig {
            block_threshold: 0.90,
            review_threshold: 0.78,
            ownership_threshold: 50.0,
            pending_decision: Decision::Review,
            max_matches: 5,
        }
    }
}

/// One party, app or transaction to screen.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// Caller's reference, echoed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A party's name (company or person), any script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// An app's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// An Android package id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// An iOS bundle id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// The party's country (ISO 3166 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The transaction kind (e.g. `app_store_distribution`, `payments`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The US state the transaction or device is in (`TX` or `US-TX`), for state rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The date to decide as of (YYYY-MM-DD); the caller's default otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

impl Query {
    /// What the query is about, for lists and cases: its name, app, package or bundle id,
    /// whichever is given first (empty when none is).
    pub fn subject(&self) -> &str {
        [&self.name, &self.app, &self.package, &self.bundle]
            .into_iter()
            .flatten()
            .map(|f| f.trim())
            .find(|f| !f.is_empty())
            .unwrap_or_default()
    }
}

/// An order (or list) bearing on a match, with its status on the date.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderFinding {
    /// Order or list id.
    pub id: String,
    /// Status on the date.
    pub status: Status,
    /// Citation.
    pub citation: String,
    /// False when effective but awaiting an agency's identification of transactions.
    pub implemented: bool,
    /// False when the transaction kind asked about is not one the order prohibits.
    pub applies_to_kind: bool,
    /// The event that decides the status.
    pub decided_by: Decisive,
    /// A suspension of enforcement covering the date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforcement_suspended: Option<Decisive>,
    /// How the order reaches the match: "covers the app", "covers the entity", "subsidiary of X", "listed".
    pub reach: String,
    /// When no transaction kind was given: the only kinds the order prohibits on the date (it
    /// does not bind every dealing with the party, so the match goes to review).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_kinds: Vec<TransactionKind>,
    /// Questions the record leaves open that bear on this match (it goes to review).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_questions: Vec<String>,
    /// The state the order binds in, when the query names no state or another one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_in: Option<String>,
    /// How far the order's facts were checked (verified, partial, secondary, unverified); none
    /// for a list entry, whose file is the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<ictguard_rules::model::Verification>,
}

/// Where a matched item came from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A covered app in the rule pack.
    App,
    /// An entity in the rule pack.
    Entity,
    /// An entry of a loaded restricted-party list.
    List,
}

/// One matched item with its evidence.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    /// Item id (pack id or list entry id).
    pub id: String,
    /// Item's display name.
    pub name: String,
    /// App, entity or list entry.
    pub kind: ItemKind,
    /// Match score, 0..1 (1 for identifiers).
    pub score: f64,
    /// Which input field matched: name, app, package, bundle.
    pub field: String,
    /// The input value.
    pub input: String,
    /// The item's name or identifier that matched (an alias, perhaps).
    pub matched: String,
    /// Normal form of the input.
    pub input_normalized: String,
    /// Normal form of the matched name.
    pub matched_normalized: String,
    /// Orders and lists bearing on the item, with status.
    pub orders: Vec<OrderFinding>,
    /// Ownership that brings the item under an order (subsidiaries).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ownership: Vec<Ownership>,
    /// Country of the item, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// This match's own decision.
    pub decision: Decision,
    /// Why, in words.
    pub reason: String,
    /// Legal forms the input and the matched name share (a tie-breaker: "TikTok Inc." is the
    /// company, not the app).
    #[serde(skip)]
    pub legal_forms_shared: usize,
    /// True when the name matched is one of the list entry's weak aliases (then the match is at
    /// most a review).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub weak_alias: bool,
    /// For a list entry: what the list says of it, for the reviewer (absent for pack items).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<Listing>,
}

/// What a restricted-party list says of a matched entry: enough for a reviewer to tell a true
/// hit from a namesake without opening the list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// The list (`OFAC-SDN`, `CSL`, `UN-SC`, `EU-FSF`, `UK`, …).
    pub list: String,
    /// The list's own name for where the entry comes from (for the CSL, its source list).
    pub source: String,
    /// individual, entity, vessel or aircraft, when the list says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    /// Sanctions programs or regimes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    /// Its other names (strong aliases).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Its weak aliases (broad names given to confirm a hit, not to screen on).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weak_aliases: Vec<String>,
    /// Countries of its nationality or addresses (ISO 3166 alpha-2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Dates of birth as the list writes them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dates_of_birth: Vec<String>,
    /// Addresses as the list writes them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// The day it was listed, when the list says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed: Option<NaiveDate>,
    /// The source record: file and line.
    pub record: String,
}

impl Listing {
    fn of(e: &ListEntry) -> Self {
        Listing {
            list: e.list.clone(),
            source: e.source.clone(),
            entity_type: e.kind.clone(),
            programs: e.programs.clone(),
            aliases: e.aliases.clone(),
            weak_aliases: e.weak_aliases.clone(),
            countries: e.countries.clone(),
            dates_of_birth: e.dates_of_birth.clone(),
            addresses: e.addresses.clone(),
            listed: e.listed,
            record: format!("{}:{}", e.file, e.line),
        }
    }
}

/// A country list that designates the query's country on the date.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CountryFinding {
    /// Country code as given.
    pub country: String,
    /// List id.
    pub list: String,
    /// Citation.
    pub citation: String,
    /// Name on the list.
    pub name: String,
}

/// The result for one query.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ScreenResult {
    /// Caller's reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// block, review or allow.
    pub decision: Decision,
    /// The date decided as of.
    pub as_of: NaiveDate,
    /// The transaction kind considered, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<TransactionKind>,
    /// Matches, most severe and best first.
    pub matches: Vec<Match>,
    /// Foreign-adversary designations of the given country.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub country: Vec<CountryFinding>,
    /// The decision in words.
    pub reasons: Vec<String>,
    /// Caveats (e.g. the date is past what the pack's facts cover).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The rule pack that decided, with the date its facts were checked through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<PackStamp>,
    /// The restricted-party list files screened against (empty: none was loaded, and only the
    /// pack's apps and entities were screened).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<ListFile>))]
    pub lists: Arc<[ListFile]>,
}

/// A query that cannot be screened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing to screen.
    #[error("nothing to screen: give a name, app, package or bundle")]
    Empty,
    /// A date that does not parse.
    #[error("{0}")]
    BadDate(String),
    /// An unknown transaction kind.
    #[error("unknown transaction kind {0:?}; expected one of: {kinds}", kinds = kind_names())]
    BadKind(String),
    /// A state that is not a two-letter US state code.
    #[error("state {0:?} is not a US state or territory code (TX or US-TX)")]
    BadState(String),
    /// An identifier that cannot be a package or bundle id.
    #[error("{field} {value:?} is not a valid app identifier")]
    BadIdentifier {
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// A field far too long to be a name.
    #[error("{field} is {len} bytes long; the limit is {max}")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

fn kind_names() -> String {
    TransactionKind::ALL.map(TransactionKind::as_str).join(", ")
}

/// What a query asks about besides names: the transaction kind and the US state it is in.
#[derive(Debug, Clone, Copy)]
struct Asked<'a> {
    kind: Option<TransactionKind>,
    /// Two letters, upper case (`TX`).
    state: Option<&'a str>,
}

/// Longest field accepted in a query.
pub const MAX_FIELD_BYTES: usize = 4_096;

#[derive(Debug, Clone, Copy)]
enum Record {
    App(usize),
    Entity(usize),
    List(usize),
}

/// Screens queries against a rule pack and restricted-party lists. Build once, share across threads.
pub struct Screener {
    pack: RulePack,
    lists: Vec<ListEntry>,
    records: Vec<Record>,
    names: NameIndex,
    /// The apps' names alone, for `app` queries: built on the first one, since most uses (party
    /// names, package ids, vetting an APK) never ask and it is a third of the build.
    app_names: OnceLock<NameIndex>,
    identifiers: HashMap<String, Vec<(usize, &'static str, String)>>,
    config: ScreenConfig,
    /// the list files the entries came from, named in every result
    list_files: Arc<[ListFile]>,
    /// First-seen dates from snapshot history, for entries without a listing date.
    first_seen: HashMap<String, NaiveDate>,
}

impl Screener {
    /// Build the indexes.
    pub fn new(pack: RulePack, lists: Vec<ListEntry>, config: ScreenConfig) -> Self {
        let mut records = Vec::new();
        let name_count = pack
            .apps
            .iter()
            .map(|a| 1 + a.item.aliases.len())
            .chain(pack.entities.iter().map(|e| 1 + e.item.aliases.len()))
            .chain(
                lists
                    .iter()
                    .map(|e| 1 + e.aliases.len() + e.weak_aliases.len()),
            )
            .sum();
        let mut names = NameIndex::with_capacity(name_count);
        let mut identifiers: HashMap<String, Vec<(usize, &'static str, String)>> = HashMap::new();
        for (i, la) in pack.apps.iter().enumerate() {
            let a = &la.item;
            let r = records.len() as u32;
            records.push(Record::App(i));
            for n in std::iter::once(&a.name).chain(&a.aliases) {
                names.add(r, n);
            }
            for (field, ids) in [("package", &a.android), ("bundle", &a.ios)] {
                for id in ids {
                    if let Some(k) = normalize_identifier(id) {
                        identifiers
                            .entry(k)
                            .or_default()
                            .push((i, field, id.clone()));
                    }
                }
            }
        }
        for (i, le) in pack.entities.iter().enumerate() {
            let r = records.len() as u32;
            records.push(Record::Entity(i));
            for n in std::iter::once(&le.item.name).chain(&le.item.aliases) {
                names.add(r, n);
            }
        }
        for (i, e) in lists.iter().enumerate() {
            let r = records.len() as u32;
            records.push(Record::List(i));
            for n in std::iter::once(&e.name)
                .chain(&e.aliases)
                .chain(&e.weak_aliases)
            {
                names.add(r, n);
            }
        }
        names.finish();
        Screener {
            pack,
            lists,
            records,
            names,
            app_names: OnceLock::new(),
            identifiers,
            config,
            list_files: Arc::from(Vec::new()),
            first_seen: HashMap::new(),
        }
    }

    /// Build the indexes over loaded list files, which every result then names (file, format,
    /// records, size, SHA-256): a decision says which publication it was screened against.
    pub fn with_lists(pack: RulePack, lists: LoadedLists, config: ScreenConfig) -> Self {
        let mut screener = Self::new(pack, lists.entries, config);
        screener.list_files = Arc::from(lists.files);
        screener.first_seen = lists.first_seen;
        screener
    }

    /// Number of list entries screened against.
    pub fn list_entries(&self) -> usize {
        self.lists.len()
    }

    /// The list files in use (none when the screener was built from entries alone).
    pub fn list_files(&self) -> &[ListFile] {
        &self.list_files
    }

    /// The rule pack in use.
    pub fn pack(&self) -> &RulePack {
        &self.pack
    }

    fn app_names(&self) -> &NameIndex {
        self.app_names.get_or_init(|| {
            let mut index = NameIndex::new();
            for (i, la) in self.pack.apps.iter().enumerate() {
                // apps are the first records, in order
                let r = self.record_of_app(i) as u32;
                for n in std::iter::once(&la.item.name).chain(&la.item.aliases) {
                    index.add(r, n);
                }
            }
            index.finish();
            index
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ScreenConfig {
        &self.config
    }

    /// Number of names indexed (all apps, entities and list entries with aliases).
    pub fn indexed_names(&self) -> usize {
        self.names.len()
    }

    /// Screen one query. `default_as_of` is used when the query carries no date.
    pub fn screen(&self, q: &Query, default_as_of: NaiveDate) -> Result<ScreenResult, QueryError> {
        for (field, v) in [
            ("name", &q.name),
            ("app", &q.app),
            ("package", &q.package),
            ("bundle", &q.bundle),
        ] {
            if let Some(v) = v {
                if v.len() > MAX_FIELD_BYTES {
                    return Err(QueryError::TooLong {
                        field,
                        len: v.len(),
                        max: MAX_FIELD_BYTES,
                    });
                }
            }
        }
        let as_of = match q.as_of.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => {
                ictguard_rules::parse_date(s).map_err(|e| QueryError::BadDate(e.to_string()))?
            }
            None => default_as_of,
        };
        let kind = match q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(k) => {
                Some(TransactionKind::parse(k).ok_or_else(|| QueryError::BadKind(k.to_string()))?)
            }
            None => None,
        };
        let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(
                ictguard_rules::us_state_code(s)
                    .ok_or_else(|| QueryError::BadState(s.to_string()))?,
            ),
            None => None,
        };
        let asked = Asked { kind, state };
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (name, app, package, bundle) = (
            present(&q.name),
            present(&q.app),
            present(&q.package),
            present(&q.bundle),
        );
        if name.is_none() && app.is_none() && package.is_none() && bundle.is_none() {
            return Err(QueryError::Empty);
        }

        let mut matches: Vec<Match> = Vec::new();
        for (field, value) in [("package", &package), ("bundle", &bundle)] {
            let Some(value) = value else { continue };
            let key = normalize_identifier(value).ok_or_else(|| QueryError::BadIdentifier {
                field,
                value: value.clone(),
            })?;
            for (app_idx, kind_of_id, original) in self.identifiers.get(&key).into_iter().flatten()
            {
                if *kind_of_id != field {
                    continue;
                }
                let r = self.record_of_app(*app_idx);
                matches.push(
                    self.build_match(r, 1.0, field, value, original, &key, &key, as_of, asked),
                );
            }
        }
        for (field, value) in [("name", &name), ("app", &app)] {
            let Some(value) = value else { continue };
            let index = if field == "app" {
                self.app_names()
            } else {
                &self.names
            };
            let norm = normalize_name(value);
            for hit in index.search(&norm, self.config.review_threshold, self.config.max_matches) {
                let r = hit.name.record as usize;
                let score = (hit.similarity.score() * 1000.0).round() / 1000.0;
                let mut m = self.build_match(
                    r,
                    score,
                    field,
                    value,
                    &hit.name.original,
                    &norm.display(),
                    &hit.name.normalized.display(),
                    as_of,
                    asked,
                );
                m.legal_forms_shared = shared_legal_forms(&norm, &hit.name.normalized);
                if let Record::List(i) = self.records[r] {
                    if self.lists[i].weak_aliases.contains(&hit.name.original) {
                        weak_alias_at_most_review(&mut m);
                    }
                }
                matches.push(m);
            }
        }
        // one match per item: keep the strongest evidence; among equal scores, prefer the item whose
        // full name (legal form included) is the one written ("TikTok Pte. Ltd." is the company,
        // not the app)
        let exact = |m: &Match| m.input_normalized == m.matched_normalized;
        matches.sort_by(|a, b| {
            b.decision
                .cmp(&a.decision)
                .then(b.score.total_cmp(&a.score))
                .then(b.legal_forms_shared.cmp(&a.legal_forms_shared))
                .then(exact(b).cmp(&exact(a)))
                .then(a.id.cmp(&b.id))
        });
        let mut seen: Vec<String> = Vec::new();
        matches.retain(|m| {
            let keep = !seen.contains(&m.id);
            seen.push(m.id.clone());
            keep
        });
        matches.truncate(self.config.max_matches);
        let mut warnings: Vec<String> = self.pack.horizon_warning(as_of).into_iter().collect();
        if !warnings.is_empty() {
            past_the_horizon(&mut matches, self.pack.stamp().as_ref());
        }
        warnings.extend(self.no_state_rules(asked));

        let decision = matches
            .iter()
            .map(|m| m.decision)
            .max()
            .unwrap_or(Decision::Allow);
        let mut reasons: Vec<String> = matches.iter().map(|m| m.reason.clone()).collect();
        if matches.is_empty() {
            reasons.push("no covered app, entity or listed party matched".into());
        }
        let mut country = Vec::new();
        if let Some(c) = present(&q.country) {
            for (list, citation, member) in self.pack.country_designations(&c, as_of) {
                country.push(CountryFinding {
                    country: c.to_ascii_uppercase(),
                    list: list.to_string(),
                    citation: citation.to_string(),
                    name: member.name.clone(),
                });
            }
            if !country.is_empty() {
                reasons.push(self.country_reason(&c.to_ascii_uppercase(), &country, as_of));
            }
        }
        Ok(ScreenResult {
            id: q.id.clone(),
            decision,
            as_of,
            kind,
            matches,
            country,
            reasons,
            warnings,
            pack: self.pack.stamp(),
            lists: Arc::clone(&self.list_files),
        })
    }

    /// A warning when a state device is screened and no rule of that state (or of any state)
    /// is loaded: the bundled pack holds none, so an allow there says nothing about the state.
    fn no_state_rules(&self, asked: Asked<'_>) -> Option<String> {
        if asked.kind != Some(TransactionKind::StateAgencyDevice) {
            return None;
        }
        let wanted = asked.state.map(|s| format!("US-{s}"));
        let loaded = self.pack.orders.iter().any(|o| {
            o.item.jurisdiction.is_some() && (wanted.is_none() || o.item.jurisdiction == wanted)
        });
        let whose = asked.state.unwrap_or("any state");
        (!loaded).then(|| {
            format!(
                "no rule of {whose} is loaded, so this answer does not say the state allows it (state device bans are not bundled; the optional pack rules/optional/us-states holds those found)"
            )
        })
    }

    /// What the designations of a query's country mean, list by list: a foreign adversary under
    /// one rule, a country of concern under the data rule (which makes a party organised there a
    /// covered person). None of them blocks the party by itself.
    fn country_reason(&self, code: &str, found: &[CountryFinding], as_of: NaiveDate) -> String {
        let standing = self.pack.country_standing(code, as_of);
        let (data, adversary): (Vec<&CountryFinding>, Vec<&CountryFinding>) = found
            .iter()
            .partition(|f| standing.concern.iter().any(|d| d.list == f.list));
        let mut parts = Vec::new();
        if !adversary.is_empty() {
            let lists: Vec<String> = adversary
                .iter()
                .map(|f| format!("{} (which names {})", f.list, f.name))
                .collect();
            parts.push(format!(
                "is listed as a foreign adversary under {}",
                lists.join(", ")
            ));
        }
        if !data.is_empty() {
            let lists: Vec<&str> = data.iter().map(|f| f.list.as_str()).collect();
            parts.push(format!(
                "is a country of concern under {}: a party organised, headquartered or principally based there is a covered person (28 CFR 202.211), with whom bulk sensitive-data and government-related-data transactions are prohibited or restricted",
                lists.join(", ")
            ));
        }
        format!(
            "country {code} {}; the designation alone does not block this party or transaction",
            parts.join("; and ")
        )
    }

    fn record_of_app(&self, app_idx: usize) -> usize {
        // apps are indexed first, in order
        app_idx
    }

    #[allow(clippy::too_many_arguments)]
    fn build_match(
        &self,
        record: usize,
        score: f64,
        field: &str,
        input: &str,
        matched: &str,
        input_norm: &str,
        matched_norm: &str,
        as_of: NaiveDate,
        asked: Asked<'_>,
    ) -> Match {
        let (id, name, item_kind, country, mut orders, ownership) = match self.records[record] {
            Record::App(i) => {
                let a = &self.pack.apps[i].item;
                let orders = self.app_orders(a, as_of, asked);
                (
                    a.id.clone(),
                    a.name.clone(),
                    ItemKind::App,
                    None,
                    orders,
                    Vec::new(),
                )
            }
            Record::Entity(i) => {
                let e = &self.pack.entities[i].item;
                let (orders, ownership) = self.entity_orders(&e.id, as_of, asked);
                (
                    e.id.clone(),
                    e.name.clone(),
                    ItemKind::Entity,
                    Some(e.country.clone()),
                    orders,
                    ownership,
                )
            }
            Record::List(i) => {
                let e = &self.lists[i];
                let published = self
                    .list_files
                    .iter()
                    .find(|f| f.file == e.file)
                    .and_then(|f| f.published);
                let seen = self.first_seen.get(&e.id).copied();
                let orders = vec![list_finding(e, published, seen, as_of)];
                (
                    e.id.clone(),
                    e.name.clone(),
                    ItemKind::List,
                    e.countries.first().cloned(),
                    orders,
                    Vec::new(),
                )
            }
        };
        orders.sort_by(|a, b| a.id.cmp(&b.id));
        let listing = match self.records[record] {
            Record::List(i) => Some(Listing::of(&self.lists[i])),
            _ => None,
        };
        let (decision, reason) =
            self.decide(&name, score, field, input, matched, &orders, &ownership);
        Match {
            id,
            name,
            kind: item_kind,
            score,
            field: field.to_string(),
            input: input.to_string(),
            matched: matched.to_string(),
            input_normalized: input_norm.to_string(),
            matched_normalized: matched_norm.to_string(),
            orders,
            ownership,
            country,
            decision,
            reason,
            legal_forms_shared: 0,
            weak_alias: false,
            listing,
        }
    }

    /// Orders reaching an app: by name, or (for orders that cover every app a covered entity
    /// operates) through its owner; a divestiture releases the app from an order.
    fn app_orders(
        &self,
        a: &ictguard_rules::model::App,
        as_of: NaiveDate,
        asked: Asked<'_>,
    ) -> Vec<OrderFinding> {
        let mut reached: Vec<(&str, String)> = self
            .pack
            .orders_covering_app(&a.id)
            .map(|o| (o.id.as_str(), "covers the app".to_string()))
            .collect();
        if let Some(owner) = a.owner.as_deref() {
            let mut operators = vec![(owner.to_string(), None)];
            operators.extend(
                self.pack
                    .owners_of(owner)
                    .into_iter()
                    .filter(|o| o.percent + 1e-9 >= self.config.ownership_threshold)
                    .map(|o| (o.owner, Some(o.percent))),
            );
            for (operator, held) in operators {
                let name = self
                    .pack
                    .entity(&operator)
                    .map_or(operator.as_str(), |e| &e.name);
                let reach = match held {
                    None => format!("operated by {name}"),
                    Some(p) => format!("operated by a company {p:.1}% owned by {name}"),
                };
                for o in self.pack.orders_covering_entity(&operator) {
                    let fits = o.covers.operated_apps && (held.is_none() || o.covers.subsidiaries);
                    if fits && !reached.iter().any(|(id, _)| *id == o.id) {
                        reached.push((o.id.as_str(), reach.clone()));
                    }
                }
            }
        }
        reached
            .into_iter()
            .filter_map(|(id, reach)| {
                let mut st = self.pack.status_of(id, as_of, asked.kind)?;
                if let Some(d) = self.pack.divestiture(id, &a.id, as_of) {
                    st.status = Status::Divested;
                    st.decided_by = d;
                    st.enforcement_suspended = None;
                }
                let subject = Subject {
                    app: Some(&a.id),
                    entities: &[],
                };
                Some(self.finding(st, &reach, subject, asked))
            })
            .collect()
    }

    /// An order's status as evidence for a match, with what narrows or clouds it.
    fn finding(
        &self,
        st: OrderStatus,
        reach: &str,
        subject: Subject<'_>,
        asked: Asked<'_>,
    ) -> OrderFinding {
        let kind = asked.kind;
        let unspecified = kind.is_none_or(|k| k == TransactionKind::Any);
        let in_force: Vec<TransactionKind> = st
            .prohibitions
            .iter()
            .filter(|p| p.status == Status::InForce)
            .map(|p| p.kind)
            .collect();
        let mut only_kinds = Vec::new();
        if unspecified
            && st.status == Status::InForce
            && !in_force.is_empty()
            && !in_force.contains(&TransactionKind::Any)
        {
            only_kinds = in_force;
            only_kinds.sort();
            only_kinds.dedup();
        }
        // a question bears where the order reaches: on a kind the order does not prohibit only
        // when the question names that kind (is a CDN a host?); on a divested app only when it
        // names the app
        let open_questions = match st.status {
            Status::InForce | Status::Divested => self
                .pack
                .open_questions(&st.order, subject, kind, st.as_of)
                .into_iter()
                .filter(|q| st.applies_to_kind || !q.kinds.is_empty())
                .filter(|q| st.status != Status::Divested || !q.apps.is_empty())
                .map(|q| q.question.clone())
                .collect(),
            _ => Vec::new(),
        };
        // a state's rule binds in that state: elsewhere it does not apply; with no state given
        // the match needs one (review)
        let jurisdiction = self
            .pack
            .order(&st.order)
            .and_then(|o| o.jurisdiction.clone());
        let mut applies_to_kind = st.applies_to_kind;
        let only_in = jurisdiction.filter(|_| st.applies_to_kind).filter(|j| {
            let here = asked
                .state
                .is_some_and(|s| j.strip_prefix("US-") == Some(s));
            if !here && asked.state.is_some() {
                applies_to_kind = false;
            }
            !here
        });
        OrderFinding {
            id: st.order,
            status: st.status,
            citation: st.citation,
            implemented: st.implemented,
            applies_to_kind,
            decided_by: st.decided_by,
            enforcement_suspended: st.enforcement_suspended,
            reach: reach.to_string(),
            only_kinds,
            open_questions,
            only_in,
            verification: Some(st.verification),
        }
    }

    /// Orders reaching an entity directly, or through ownership by a covered entity.
    fn entity_orders(
        &self,
        id: &str,
        as_of: NaiveDate,
        asked: Asked<'_>,
    ) -> (Vec<OrderFinding>, Vec<Ownership>) {
        let mut orders: Vec<OrderFinding> = self
            .pack
            .orders_covering_entity(id)
            .filter_map(|o| self.pack.status_of(&o.id, as_of, asked.kind))
            .map(|st| {
                let subject = Subject {
                    app: None,
                    entities: &[id],
                };
                self.finding(st, "covers the entity", subject, asked)
            })
            .collect();
        let mut ownership = Vec::new();
        for own in self.pack.owners_of(id) {
            if own.percent + 1e-9 < self.config.ownership_threshold {
                continue;
            }
            let mut used = false;
            for o in self.pack.orders_covering_entity(&own.owner) {
                if !o.covers.subsidiaries || orders.iter().any(|f| f.id == o.id) {
                    continue;
                }
                if let Some(st) = self.pack.status_of(&o.id, as_of, asked.kind) {
                    let owner = self
                        .pack
                        .entity(&own.owner)
                        .map(|e| e.name.as_str())
                        .unwrap_or(&own.owner);
                    let reach = format!("subsidiary: {:.1}% owned by {owner}", own.percent);
                    let subject = Subject {
                        app: None,
                        entities: &[id, own.owner.as_str()],
                    };
                    orders.push(self.finding(st, &reach, subject, asked));
                    used = true;
                }
            }
            if used {
                ownership.push(own);
            }
        }
        (orders, ownership)
    }

    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        name: &str,
        score: f64,
        field: &str,
        input: &str,
        matched: &str,
        orders: &[OrderFinding],
        ownership: &[Ownership],
    ) -> (Decision, String) {
        let head = format!("{field} {input:?} matched {name} via {matched:?} (score {score:.3})");
        let confident = score >= self.config.block_threshold;
        // an order binds this match outright only when it is in force, implemented, enforced,
        // prohibits the kind asked about (or every kind), and nothing about it is left open
        let clear = |o: &&OrderFinding| {
            o.only_kinds.is_empty() && o.open_questions.is_empty() && o.only_in.is_none()
        };
        let prohibiting: Vec<&OrderFinding> = orders
            .iter()
            .filter(|o| {
                o.status == Status::InForce
                    && o.implemented
                    && o.applies_to_kind
                    && o.enforcement_suspended.is_none()
            })
            .filter(clear)
            .collect();
        let pending: Vec<&OrderFinding> = orders
            .iter()
            .filter(|o| {
                o.status == Status::InForce
                    && o.applies_to_kind
                    && (!o.implemented || o.enforcement_suspended.is_some())
            })
            .filter(clear)
            .collect();
        let open: Vec<&OrderFinding> = orders
            .iter()
            .filter(|o| matches!(o.status, Status::InForce | Status::Divested))
            .filter(|o| o.applies_to_kind || !o.open_questions.is_empty())
            .filter(|o| !clear(o))
            .collect();
        let own = ownership
            .first()
            .map(|o| {
                format!(
                    "; owned {:.1}% through {}",
                    o.percent,
                    o.chains
                        .iter()
                        .map(|c| c.chain.join(" → "))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            })
            .unwrap_or_default();
        if !prohibiting.is_empty() {
            let cites = prohibiting
                .iter()
                .map(|o| format!("{} ({}) in force: {}", o.id, o.citation, o.decided_by.note))
                .collect::<Vec<_>>()
                .join("; ");
            return if confident {
                (Decision::Block, format!("{head}{own}; {cites}"))
            } else {
                (
                    Decision::Review,
                    format!(
                        "{head}{own}: uncertain match (below {:.2}); {cites}",
                        self.config.block_threshold
                    ),
                )
            };
        }
        if !open.is_empty() {
            let cites = open
                .iter()
                .map(|o| {
                    let mut why = format!("{} ({}) {}", o.id, o.citation, o.status.as_str().replace('_', " "));
                    if !o.only_kinds.is_empty() {
                        let kinds: Vec<&str> = o.only_kinds.iter().map(|k| k.as_str()).collect();
                        why.push_str(&format!(
                            ", but it prohibits only {} transactions: screen with the transaction kind",
                            kinds.join(", ")
                        ));
                    }
                    if let Some(j) = &o.only_in {
                        why.push_str(&format!(
                            ", but it binds only in {j}: screen with the state"
                        ));
                    }
                    for q in &o.open_questions {
                        why.push_str(&format!("; open question: {q}"));
                    }
                    why
                })
                .collect::<Vec<_>>()
                .join("; ");
            let unsure = if confident {
                String::new()
            } else {
                format!(
                    ": uncertain match (below {:.2})",
                    self.config.block_threshold
                )
            };
            return (Decision::Review, format!("{head}{own}{unsure}; {cites}"));
        }
        if !pending.is_empty() {
            let cites = pending
                .iter()
                .map(|o| match &o.enforcement_suspended {
                    Some(s) => format!(
                        "{} in force, but enforcement suspended from {}{} by {}: {}",
                        o.id,
                        s.date,
                        s.until.map(|u| format!(" to {u}")).unwrap_or_default(),
                        s.citation.as_deref().or(s.by.as_deref()).unwrap_or("?"),
                        s.note
                    ),
                    None => format!("{} ({}): {}", o.id, o.citation, o.decided_by.note),
                })
                .collect::<Vec<_>>()
                .join("; ");
            return (
                self.config.pending_decision.max(if confident {
                    Decision::Allow
                } else {
                    Decision::Review
                }),
                format!("{head}{own}; {cites}"),
            );
        }
        let why = if orders.is_empty() {
            "no order covers it".to_string()
        } else {
            orders
                .iter()
                .map(|o| {
                    if let (Status::InForce, false, Some(j)) =
                        (o.status, o.applies_to_kind, &o.only_in)
                    {
                        format!("{} binds only in {j}", o.id)
                    } else if o.status == Status::InForce && !o.applies_to_kind {
                        format!("{} does not prohibit this kind of transaction", o.id)
                    } else {
                        format!(
                            "{} {}: {}",
                            o.id,
                            o.status.as_str().replace('_', " "),
                            o.decided_by.note
                        )
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        (Decision::Allow, format!("{head}{own}; allowed: {why}"))
    }
}

/// After the date the pack's facts were checked through, a match to something an order covers is
/// at least a review: an order may have been lifted, suspended or made since, and the pack cannot
/// say it was not. A list entry keeps its decision (the list file has its own date).
fn past_the_horizon(matches: &mut [Match], stamp: Option<&PackStamp>) {
    let through = stamp.map_or("an earlier date".to_string(), |s| {
        s.verified_through.to_string()
    });
    for m in matches.iter_mut() {
        if m.kind != ItemKind::List && !m.orders.is_empty() && m.decision == Decision::Allow {
            m.decision = Decision::Review;
            m.reason = format!(
                "{}; review: the date is after the pack's facts were checked ({through}), and an order covering it may have changed since",
                m.reason
            );
        }
    }
}

/// A match through a weak alias alone: OFAC does not expect screening on weak aliases, only their
/// use to confirm a hit found otherwise, so it goes to a reviewer and never blocks by itself.
fn weak_alias_at_most_review(m: &mut Match) {
    m.weak_alias = true;
    let note = format!(
        "matched only a weak alias ({:?}), a broad or generic name the list gives to help confirm a hit, not to screen on",
        m.matched
    );
    if m.decision == Decision::Block {
        m.decision = Decision::Review;
        m.reason = format!("{}; review, not block: {note}", m.reason);
    } else {
        m.reason = format!("{}; {note}", m.reason);
    }
}

/// How many legal forms two names share, in canonical spelling ("Incorporated" = "Inc.").
fn shared_legal_forms(a: &NormalizedName, b: &NormalizedName) -> usize {
    let legal = |n: &NormalizedName| -> Vec<String> {
        n.tokens
            .iter()
            .filter(|t| t.kind == TokenKind::LegalForm)
            .map(|t| canonical_legal_form(&t.text).to_string())
            .collect()
    };
    let (la, lb) = (legal(a), legal(b));
    la.iter().filter(|t| lb.contains(t)).count()
}

/// A list entry is in force from its listing until it expires. Its listing date is the list's own
/// field when it has one; otherwise only the publication it came from is known (`published`), and
/// a date before that publication is a question for a reviewer, not a listing; with neither, the
/// entry is taken as listed on the date screened, and the finding says that no date is known.
fn list_finding(
    e: &ListEntry,
    published: Option<NaiveDate>,
    first_seen: Option<NaiveDate>,
    as_of: NaiveDate,
) -> OrderFinding {
    let citation = match &e.citation {
        Some(c) => format!("{}; {c}", e.source),
        None if e.programs.is_empty() => e.source.clone(),
        None => format!("{} [{}]", e.source, e.programs.join("] [")),
    };
    let mut status = Status::InForce;
    let mut open_questions = Vec::new();
    let at = format!("{}:{}", e.file, e.line);
    let (date, event, note) = match (e.listed, published) {
        (Some(d), _) => (d, "listed", format!("listed {d} ({at})")),
        // snapshot history: the first stored snapshot that held it, when earlier than this file
        (None, _) if first_seen.is_some_and(|s| published.is_none_or(|p| s < p)) => {
            let s = first_seen.unwrap_or(as_of);
            if as_of < s {
                open_questions.push(format!(
                    "the entry was first seen in the list's snapshot published {s}, after {as_of}, and the list gives no listing date: check whether it was listed on {as_of}"
                ));
            }
            (
                s,
                "first_seen_in_snapshot",
                format!("first seen in the snapshot published {s} ({at}); the list gives no listing date"),
            )
        }
        (None, Some(p)) => {
            if as_of < p {
                open_questions.push(format!(
                    "the entry is on the list published {p}, after {as_of}, and the list gives no listing date: check whether it was listed on {as_of}"
                ));
            }
            (
                p,
                "on_list_published",
                format!("on the list published {p} ({at}); the list gives no listing date"),
            )
        }
        (None, None) => (
            as_of,
            "listing_date_unknown",
            format!(
                "on the list as loaded ({at}); neither the entry nor the file gives a date, so it is taken as listed on the date screened"
            ),
        ),
    };
    let mut decided_by = Decisive {
        date,
        event: event.into(),
        by: Some(e.list.clone()),
        citation: Some(citation.clone()),
        note,
        until: None,
    };
    if let Some(d) = e.listed.filter(|d| as_of < *d) {
        status = Status::NotYetEffective;
        decided_by.note = format!("listed only from {d}");
    } else if let Some(x) = e.expires.filter(|x| as_of >= *x) {
        status = Status::Revoked;
        decided_by.date = x;
        decided_by.event = "expired".into();
        decided_by.note = format!("listing expired {x}");
    }
    OrderFinding {
        id: e.list.clone(),
        status,
        citation,
        implemented: true,
        applies_to_kind: true,
        decided_by,
        enforcement_suspended: None,
        reach: "listed".into(),
        only_kinds: Vec::new(),
        open_questions,
        only_in: None,
        verification: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_names_are_indexed_on_the_first_app_query() {
        let s = Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default());
        let day = NaiveDate::from_ymd_opt(2020, 9, 20).unwrap();
        let by_name = Query {
            name: Some("Tencent Holdings".into()),
            ..Query::default()
        };
        assert!(!s.screen(&by_name, day).unwrap().matches.is_empty());
        assert!(
            s.app_names.get().is_none(),
            "a name query needs no app index"
        );
        let by_app = Query {
            app: Some("微信".into()),
            ..Query::default()
        };
        let r = s.screen(&by_app, day).unwrap();
        let m = r.matches.first().expect("WeChat by its Chinese name");
        assert_eq!((m.kind, m.field.as_str()), (ItemKind::App, "app"));
        assert!(m.name.contains("WeChat"), "{}", m.name);
        assert!(s.app_names.get().is_some());
    }
}
