//! Rule packs for the US foreign-adversary app orders: the model, a loader that merges the bundled
//! pack with a user's, a validator whose every error names file, line and field, and the status of
//! any order on any date.
//!
//! This crate knows nothing of matching, APKs or HTTP. Law is data here: dates, citations, covered
//! apps and entities live in TOML files under `rules/`, compiled into the binary.
//!
//! ```
//! use ictguard_rules::{RulePack, Status};
//! let pack = RulePack::bundled();
//! let day = chrono::NaiveDate::from_ymd_opt(2021, 7, 1).unwrap();
//! let st = pack.status_of("EO-13971", day, None).unwrap();
//! assert_eq!(st.status, Status::Revoked);
//! ```
#![forbid(unsafe_code)]

mod bundled;
mod date;
pub mod diagnostic;
pub mod model;
pub mod ownership;
pub mod pack;
pub mod status;
mod validate;

pub use date::{parse_date, DateError};
pub use diagnostic::{Diagnostic, PackErrors};
pub use model::TransactionKind;
pub use ownership::{Ownership, OwnershipChain};
pub use pack::{Combine, Layer, RulePack};
pub use status::{Decisive, OrderStatus, ProhibitionStatus, Status};
pub use validate::{valid_app_identifier, DATA_CATEGORIES};
