//! The US foreign-adversary app orders as data: the rule-pack model, a loader and validator, and
//! the status of any order on any date.
//!
//! # What it is for
//!
//! Answering "which law covers this app or entity, and was it in force on that day?" with
//! evidence a person can check. Law is data here: each order's citation, dates and status events
//! (signed, effective, enjoined by which court in which case, revoked by what), what it
//! prohibits, and the apps and entities it covers with all their names, package ids, owners and
//! ownership, live in TOML rule packs. This crate reads them ([`RulePack`], [`Layer`]), checks
//! them with errors that name file, line and field ([`PackErrors`], [`Diagnostic`]), merges a
//! user's pack over the bundled one ([`Combine`]), and works out statuses on a date
//! ([`RulePack::status_of`], [`OrderStatus`], [`Decisive`]) and ownership chains
//! ([`OwnershipChain`]).
//!
//! The pack ictguard ships is compiled in ([`RulePack::bundled`]). Its source of truth is
//! `rules/` at the workspace root, which people edit and review; the crate carries a generated
//! copy in its own `bundled/` folder (each TOML text, which diagnostics point into, and a JSON
//! twin of its items, which loads faster). `tests/bundled.rs` is the generator, and fails when
//! the copy differs from `rules/`: regenerate it with
//! `ICTGUARD_REGENERATE=1 cargo test -p ictguard-rules --test bundled`.
//!
//! # What it is not for
//!
//! It does not match names or identifiers against the pack (that is screening, with
//! normalisation and scoring), read APKs, speak HTTP or store anything. It does not follow the
//! law by itself: a pack says through which date its facts were checked
//! ([`RulePack::horizon_warning`]), and a newer event needs a newer pack. It is not legal advice.
//!
//! # Example
//!
//! ```
//! use ictguard_rules::{Layer, RulePack, Status};
//!
//! let pack = RulePack::bundled();
//! let day = chrono::NaiveDate::from_ymd_opt(2021, 7, 1).unwrap();
//! let status = pack.status_of("EO-13971", day, None).unwrap();
//! assert_eq!(status.status, Status::Revoked);
//! println!("{} on {day}: {}", status.citation, status.status.as_str());
//!
//! // a user's pack with a mistake: the error names the file, line and field
//! let mine = Layer::from_files(vec![(
//!     "mine.toml".into(),
//!     "[[app]]\nid = \"x\"\nname = \"X\"\nverification = \"maybe\"\n".into(),
//! )]);
//! let errors = RulePack::from_layers(&[Layer::bundled(), mine]).unwrap_err();
//! assert_eq!(errors.diagnostics[0].file, "mine.toml");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bundled;
mod countries;
mod date;
pub mod diagnostic;
pub mod model;
pub mod ownership;
pub mod pack;
pub mod status;
mod us_state;

pub use countries::{CountryStanding, Designation};
pub use date::{parse_date, DateError};
pub use diagnostic::{Diagnostic, PackErrors};
pub use model::{Subject, TransactionKind};
pub use ownership::{Ownership, OwnershipChain};
pub use pack::validate::{valid_app_identifier, DATA_CATEGORIES};
pub use pack::{Combine, Layer, RulePack};
pub use status::{Decisive, OrderStatus, PackStamp, ProhibitionStatus, Status};
pub use us_state::{us_state_code, US_STATES};
