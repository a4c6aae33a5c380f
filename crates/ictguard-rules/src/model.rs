//! The rule-pack data model: what a pack file may contain.
//!
//! Every struct denies unknown keys, so a misspelt field in a user's pack is an error that names the
//! file and line instead of a silently ignored setting.

use std::ops::Range;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::date::{de_date, de_opt_date};

/// One TOML file of a rule pack. Any file may hold any of these arrays; a pack is the union of its files.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    /// Pack metadata; at most one file of a pack carries it.
    pub pack: Option<PackMeta>,
    /// Orders, statutes, regulations and agency identifications.
    #[serde(default)]
    pub order: Vec<toml::Spanned<Order>>,
    /// Covered applications.
    #[serde(default)]
    pub app: Vec<toml::Spanned<App>>,
    /// Companies and other legal persons, with ownership.
    #[serde(default)]
    pub entity: Vec<toml::Spanned<Entity>>,
    /// Court cases referenced by status events.
    #[serde(default)]
    pub case: Vec<toml::Spanned<Case>>,
    /// Lists of countries (foreign adversaries, countries of concern).
    #[serde(default)]
    pub country_list: Vec<toml::Spanned<CountryList>>,
    /// Evaluation criteria (EO 14034 and the ICTS rule).
    #[serde(default)]
    pub criterion: Vec<toml::Spanned<Criterion>>,
    /// Data-transfer rules (28 CFR 202): categories, bulk thresholds, classes of transaction.
    #[serde(default)]
    pub data_rule: Vec<toml::Spanned<DataRule>>,
}

/// A pack file's items, each with the byte span of its table in the file's TOML text: read from
/// the TOML ([`PackFile`]), or from the JSON twin that `tests/bundled.rs` makes of a bundled file,
/// whose items are `[span, item]` pairs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileItems {
    pub pack: Option<PackMeta>,
    #[serde(default)]
    pub order: Vec<(Range<usize>, Order)>,
    #[serde(default)]
    pub app: Vec<(Range<usize>, App)>,
    #[serde(default)]
    pub entity: Vec<(Range<usize>, Entity)>,
    #[serde(default)]
    pub case: Vec<(Range<usize>, Case)>,
    #[serde(default)]
    pub country_list: Vec<(Range<usize>, CountryList)>,
    #[serde(default)]
    pub criterion: Vec<(Range<usize>, Criterion)>,
    #[serde(default)]
    pub data_rule: Vec<(Range<usize>, DataRule)>,
}

impl From<PackFile> for FileItems {
    fn from(f: PackFile) -> FileItems {
        fn items<T>(list: Vec<toml::Spanned<T>>) -> Vec<(Range<usize>, T)> {
            list.into_iter()
                .map(|s| (s.span(), s.into_inner()))
                .collect()
        }
        FileItems {
            pack: f.pack,
            order: items(f.order),
            app: items(f.app),
            entity: items(f.entity),
            case: items(f.case),
            country_list: items(f.country_list),
            criterion: items(f.criterion),
            data_rule: items(f.data_rule),
        }
    }
}

/// Identity and version of a rule pack.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    /// Short machine name, e.g. `us-foreign-adversary-apps`.
    pub id: String,
    /// Version of the pack's content (date-based, e.g. `2026.11.24`).
    pub version: String,
    /// Human title.
    pub title: String,
    /// Facts were checked against sources up to this date; answers for later dates carry a warning.
    #[serde(deserialize_with = "de_date")]
    pub verified_through: NaiveDate,
    /// Free text: scope, caveats.
    #[serde(default)]
    pub notes: Option<String>,
}

/// How far a fact was checked against a primary source.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Read in the primary text (Federal Register, eCFR, statute, court record) or a verbatim copy.
    Verified,
    /// Some fields verified; the rest are listed in `unverified`.
    Partial,
    /// Read only in secondary commentary.
    Secondary,
    /// Not confirmed in any source.
    #[default]
    Unverified,
}

/// The legal nature of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// A presidential executive order.
    ExecutiveOrder,
    /// An agency's identification of prohibited transactions implementing an order.
    AgencyIdentification,
    /// An act of Congress.
    Statute,
    /// A regulation (CFR part).
    Regulation,
}

/// An order, statute or rule, with its dates and what it prohibits.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// Stable id, e.g. `EO-13971`.
    pub id: String,
    /// Legal nature.
    pub kind: OrderKind,
    /// Official title.
    pub title: String,
    /// Official citation (Federal Register, Public Law, CFR).
    pub citation: String,
    /// Federal Register document number, when published there.
    #[serde(default)]
    pub fr_doc: Option<String>,
    /// Signed, enacted or announced.
    #[serde(deserialize_with = "de_date")]
    pub signed: NaiveDate,
    /// Published in the Federal Register.
    #[serde(default, deserialize_with = "de_opt_date")]
    pub published: Option<NaiveDate>,
    /// When the prohibitions begin, and by what rule.
    pub effective: Effective,
    /// When the order's effect ends by its own terms (a delay of enforcement for a period, a
    /// designation for a term): from the day after, its status is `lapsed`.
    #[serde(default)]
    pub ends: Option<Ends>,
    /// Our summary of what the order does (own words).
    pub summary: String,
    /// Where it binds, when narrower than the United States: a state as ISO 3166-2 (`US-TX`).
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// The prohibitions bite only on transactions an agency identifies (e.g. EO 13971 sec. 1(e)).
    #[serde(default)]
    pub requires_identification: bool,
    /// Orders (agency identifications) that implement this one.
    #[serde(default)]
    pub identified_by: Vec<String>,
    /// For an agency identification: the order it implements.
    #[serde(default)]
    pub implements: Option<String>,
    /// What the order covers.
    #[serde(default)]
    pub covers: Covers,
    /// The prohibited transaction kinds.
    #[serde(default)]
    pub prohibition: Vec<Prohibition>,
    /// Status events over time.
    #[serde(default)]
    pub event: Vec<StatusEvent>,
    /// Points of law or fact the record leaves unclear; a screening they bear on goes to review
    /// with the question in its result.
    #[serde(default)]
    pub open_question: Vec<OpenQuestion>,
    /// How well this entry was checked.
    pub verification: Verification,
    /// Points not yet checked against a primary source.
    #[serde(default)]
    pub unverified: Vec<String>,
    /// Where the facts were checked (URLs or citations).
    #[serde(default)]
    pub sources: Vec<String>,
}

/// When an order's prohibitions begin.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Effective {
    /// The rule in words, e.g. "45 days after the date of the order".
    pub rule: String,
    /// Days after signing, when the rule is a count of days.
    #[serde(default)]
    pub days_after_signing: Option<u32>,
    /// The resulting date. When `days_after_signing` is given too, the two must agree.
    #[serde(deserialize_with = "de_date")]
    pub date: NaiveDate,
}

/// When an order's effect ends by its own terms.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ends {
    /// The rule in words, e.g. "75 days after signing".
    pub rule: String,
    /// The last day of effect (inclusive).
    #[serde(deserialize_with = "de_date")]
    pub date: NaiveDate,
}

/// A question the record leaves open, and where it bears.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OpenQuestion {
    /// The question, in words a reviewer can act on.
    pub question: String,
    /// First day it is open (default: always).
    #[serde(default, deserialize_with = "de_opt_date")]
    pub from: Option<NaiveDate>,
    /// Last day it is open (default: still open).
    #[serde(default, deserialize_with = "de_opt_date")]
    pub until: Option<NaiveDate>,
    /// Apps it bears on (with `entities` empty too, the default: every app and party the order
    /// reaches).
    #[serde(default)]
    pub apps: Vec<String>,
    /// Entities it bears on, and the parties they own through the order's subsidiary reach
    /// (e.g. only the three makers a statute covers for some uses alone).
    #[serde(default)]
    pub entities: Vec<String>,
    /// Transaction kinds it bears on (default: every kind).
    #[serde(default)]
    pub kinds: Vec<TransactionKind>,
}

/// What a screening is about, for deciding which questions bear on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    /// The covered app matched, if the screening matched an app.
    pub app: Option<&'a str>,
    /// The covered entity matched, and the covered owner it is reached through, if a party.
    pub entities: &'a [&'a str],
}

impl OpenQuestion {
    /// Whether the question bears on a screening of `subject` for `kind` on `date`.
    pub fn bears_on(
        &self,
        subject: Subject<'_>,
        kind: Option<TransactionKind>,
        date: NaiveDate,
    ) -> bool {
        let scoped = !self.apps.is_empty() || !self.entities.is_empty();
        let on_app = subject
            .app
            .is_some_and(|a| self.apps.iter().any(|x| x == a));
        let on_entity = subject
            .entities
            .iter()
            .any(|e| self.entities.iter().any(|x| x == e));
        self.from.is_none_or(|f| f <= date)
            && self.until.is_none_or(|u| date <= u)
            && (!scoped || on_app || on_entity)
            && (self.kinds.is_empty() || kind.is_some_and(|k| self.kinds.contains(&k)))
    }
}

/// What an order covers.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Covers {
    /// Ids of covered apps.
    #[serde(default)]
    pub apps: Vec<String>,
    /// Ids of covered entities.
    #[serde(default)]
    pub entities: Vec<String>,
    /// Entities owned by a covered entity (at or above the ownership threshold) are covered too.
    #[serde(default)]
    pub subsidiaries: bool,
    /// Every app a covered entity operates (the app's `owner`, or with `subsidiaries` an entity it
    /// owns) is covered too, as the 2024 act covers any app operated by ByteDance or TikTok.
    #[serde(default)]
    pub operated_apps: bool,
}

/// Kinds of transaction an order can prohibit. `any` stands for every transaction with the covered persons.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// Any transaction with the covered persons.
    Any,
    /// Distributing, maintaining or updating the app through an app store.
    AppStoreDistribution,
    /// Internet hosting for the app.
    InternetHosting,
    /// Content delivery network services.
    Cdn,
    /// Internet transit or peering.
    TransitPeering,
    /// Using the app's code, functions or services in other software.
    CodeUtilization,
    /// Transferring funds or processing payments through the app.
    Payments,
    /// Having the app or product on a device or system of a federal executive agency.
    FederalAgencyDevice,
    /// Having it on a device a federal contractor uses in performing a federal contract.
    FederalContractorDevice,
    /// Having it on a device of a state government.
    StateAgencyDevice,
    /// A federal agency buying it, or contracting with the party (procurement bans).
    FederalProcurement,
    /// The Defense Department buying it or contracting with the party: bans that bind only it
    /// (e.g. NDAA FY2024 sec. 805). A federal procurement ban binds it too.
    DefenseProcurement,
    /// An FCC equipment authorisation for a device (needed to import or market it in the US).
    EquipmentAuthorization,
}

impl TransactionKind {
    /// Every kind, for help texts and validation.
    pub const ALL: [TransactionKind; 13] = [
        TransactionKind::Any,
        TransactionKind::AppStoreDistribution,
        TransactionKind::InternetHosting,
        TransactionKind::Cdn,
        TransactionKind::TransitPeering,
        TransactionKind::CodeUtilization,
        TransactionKind::Payments,
        TransactionKind::FederalAgencyDevice,
        TransactionKind::FederalContractorDevice,
        TransactionKind::StateAgencyDevice,
        TransactionKind::FederalProcurement,
        TransactionKind::DefenseProcurement,
        TransactionKind::EquipmentAuthorization,
    ];

    /// The snake_case name used in packs and output.
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Any => "any",
            TransactionKind::AppStoreDistribution => "app_store_distribution",
            TransactionKind::InternetHosting => "internet_hosting",
            TransactionKind::Cdn => "cdn",
            TransactionKind::TransitPeering => "transit_peering",
            TransactionKind::CodeUtilization => "code_utilization",
            TransactionKind::Payments => "payments",
            TransactionKind::FederalAgencyDevice => "federal_agency_device",
            TransactionKind::FederalContractorDevice => "federal_contractor_device",
            TransactionKind::StateAgencyDevice => "state_agency_device",
            TransactionKind::FederalProcurement => "federal_procurement",
            TransactionKind::DefenseProcurement => "defense_procurement",
            TransactionKind::EquipmentAuthorization => "equipment_authorization",
        }
    }

    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One numbered prohibition of an order.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Prohibition {
    /// Item number as in the order (1-based).
    pub n: u32,
    /// The kind of transaction prohibited.
    pub kind: TransactionKind,
    /// Our summary of the item.
    pub summary: String,
    /// When this item takes effect, if later than the order's effective date.
    #[serde(default, deserialize_with = "de_opt_date")]
    pub effective: Option<NaiveDate>,
}

/// What happened to an order on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A court enjoined the order or some of its prohibitions.
    Enjoined,
    /// A court stayed the order or some of its prohibitions (they cannot be enforced meanwhile).
    Stayed,
    /// An injunction or stay was lifted or vacated.
    InjunctionLifted,
    /// The government's enforcement was suspended (e.g. non-enforcement directions), until `until`.
    EnforcementSuspended,
    /// The order was revoked or repealed.
    Revoked,
    /// A qualified divestiture: from this day the order no longer reaches the `apps` named.
    Divested,
    /// A court upheld the order (informational; status unchanged).
    Upheld,
    /// Anything else worth showing on the timeline (status unchanged).
    Note,
}

/// A dated status event.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StatusEvent {
    /// The day it took effect.
    #[serde(deserialize_with = "de_date")]
    pub date: NaiveDate,
    /// What happened.
    pub kind: EventKind,
    /// The order or court case that did it (an id in the pack).
    pub by: String,
    /// Prohibition numbers it applies to; empty means all.
    #[serde(default)]
    pub prohibitions: Vec<u32>,
    /// For `divested`: the apps the order no longer reaches.
    #[serde(default)]
    pub apps: Vec<String>,
    /// Last day of a suspension (inclusive), for `enforcement_suspended`.
    #[serde(default, deserialize_with = "de_opt_date")]
    pub until: Option<NaiveDate>,
    /// Our description of the event.
    pub note: String,
}

/// A covered application.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// Stable id, e.g. `alipay`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Every other name: Chinese characters, pinyin, spellings, misspellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Android package ids.
    #[serde(default)]
    pub android: Vec<String>,
    /// iOS bundle ids.
    #[serde(default)]
    pub ios: Vec<String>,
    /// SHA-256 fingerprints (lowercase hex of the DER certificate) of the keys that sign the app's
    /// Android packages: a package signed with one of them is this app, whatever it is called.
    #[serde(default)]
    pub certificates: Vec<String>,
    /// Developer entity ids.
    #[serde(default)]
    pub developers: Vec<String>,
    /// Owning entity id.
    #[serde(default)]
    pub owner: Option<String>,
    /// Context (e.g. "a payment function inside WeChat").
    #[serde(default)]
    pub note: Option<String>,
    /// How well this entry was checked.
    pub verification: Verification,
    /// Points not yet checked.
    #[serde(default)]
    pub unverified: Vec<String>,
    /// Sources for the identifiers and ownership.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A company or other legal person.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// Stable id, e.g. `tencent`.
    pub id: String,
    /// Legal name.
    pub name: String,
    /// Other names in any script.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// ISO 3166 alpha-2 country of headquarters.
    pub country: String,
    /// Direct owners.
    #[serde(default)]
    pub parents: Vec<Parent>,
    /// Context.
    #[serde(default)]
    pub note: Option<String>,
    /// How well this entry was checked.
    pub verification: Verification,
    /// Sources.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A direct owner of an entity.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Parent {
    /// Owner entity id.
    pub id: String,
    /// Share held, in percent (0 < p <= 100).
    pub percent: f64,
    /// Basis of the figure.
    #[serde(default)]
    pub note: Option<String>,
}

/// A court case referenced by events.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Stable id.
    pub id: String,
    /// Caption, e.g. "U.S. WeChat Users Alliance v. Trump".
    pub caption: String,
    /// Court, e.g. "N.D. Cal.".
    pub court: String,
    /// Docket number.
    pub docket: String,
    /// Reporter citation when published.
    #[serde(default)]
    pub reporter: Option<String>,
    /// How well this entry was checked.
    pub verification: Verification,
    /// Sources.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A list of countries designated by a rule, with dates.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CountryList {
    /// Stable id, e.g. `15-CFR-791.4`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Citation.
    pub citation: String,
    /// What the designation is for (and not for).
    pub summary: String,
    /// Members with their dates.
    pub member: Vec<CountryMember>,
    /// How well this entry was checked.
    pub verification: Verification,
    /// Points not yet checked.
    #[serde(default)]
    pub unverified: Vec<String>,
    /// Sources.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// One country (or regime) on a country list.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CountryMember {
    /// ISO 3166 alpha-2 code.
    pub country: String,
    /// Name as the rule gives it.
    pub name: String,
    /// First day on the list.
    #[serde(deserialize_with = "de_date")]
    pub added: NaiveDate,
    /// First day off the list, if removed.
    #[serde(default, deserialize_with = "de_opt_date")]
    pub removed: Option<NaiveDate>,
    /// Context (e.g. "the Maduro regime, not the state").
    #[serde(default)]
    pub note: Option<String>,
}

/// An evaluation criterion (used by app vetting).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable id, e.g. `EO-14034-C1`.
    pub id: String,
    /// The order or rule that sets it.
    pub order: String,
    /// Category: ownership_control, surveillance_espionage, data, users, assurance, mitigation, ...
    pub category: String,
    /// Our wording of the criterion.
    pub text: String,
    /// How well this entry was checked.
    pub verification: Verification,
}

/// A rule on transfers of US persons' data (the Data Security Program, 28 CFR 202): which
/// countries, which categories at which bulk thresholds, which classes of transaction it prohibits
/// or restricts, and which are exempt.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataRule {
    /// Stable id, e.g. `28-CFR-202`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Citation.
    pub citation: String,
    /// First day in force.
    #[serde(deserialize_with = "de_date")]
    pub effective: NaiveDate,
    /// Last day in force, if it has ended.
    #[serde(default, deserialize_with = "de_opt_date")]
    pub ended: Option<NaiveDate>,
    /// The country list of its countries of concern.
    pub countries: String,
    /// Months of the look-back window over which volumes are aggregated (12: "the preceding 12
    /// months"); a transfer counts when it is after the same day that many months earlier.
    pub window_months: u32,
    /// Summary in our words.
    pub summary: String,
    /// Bulk thresholds by data category.
    pub threshold: Vec<DataThreshold>,
    /// Data covered regardless of volume (government-related data).
    #[serde(default)]
    pub government_related: Vec<DataClause>,
    /// Prohibited classes of transaction.
    #[serde(default)]
    pub prohibited: Vec<DataClause>,
    /// Restricted classes of transaction (allowed only with the security requirements).
    #[serde(default)]
    pub restricted: Vec<DataClause>,
    /// Exemptions.
    #[serde(default)]
    pub exemption: Vec<DataClause>,
    /// How well this entry was checked.
    pub verification: Verification,
    /// Points not yet checked.
    #[serde(default)]
    pub unverified: Vec<String>,
    /// Sources.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A bulk threshold: more than `more_than` US persons (or devices) in the window.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataThreshold {
    /// Category id as transfer records name it: `genomic`, `other_omic`, `biometric`,
    /// `precise_geolocation`, `health`, `financial`, `personal_identifiers`.
    pub category: String,
    /// The section that sets it.
    pub section: String,
    /// Bulk when the count is more than this.
    pub more_than: u64,
    /// What is counted: "US persons" or "US devices".
    pub unit: String,
}

/// A clause of a data rule: a class of transaction, an exemption, a kind of government data.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataClause {
    /// Id as transfer records name it (`data_brokerage`, `vendor`, `financial_services`, …).
    pub kind: String,
    /// The section.
    pub section: String,
    /// Our wording.
    pub text: String,
    /// Categories it is limited to, if any (the 'omic prohibition).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Only with a country of concern or covered person (true), or with any foreign person (false).
    #[serde(default = "yes")]
    pub concern_only: bool,
}

fn yes() -> bool {
    true
}
