//! Audit transfers of US persons' data under the Justice Department's Data Security Program
//! (28 CFR 202), as the rule pack records it: which transfers are prohibited, which are restricted
//! (allowed only with the security requirements), which are exempt or under the bulk thresholds,
//! and what to do.
//!
//! Records are read with [`record`] (CSV or JSON Lines, every field checked) and classified in date
//! order by [`audit::Auditor`], which aggregates each counterparty's volumes over the rule's 12-month
//! window as the rule counts them: per category, the combination at its lowest threshold, and
//! government-related data regardless of volume. Counterparties are checked against the countries
//! of concern on the date and, through the screening engine, against the rule pack's entities (a
//! covered person by its own country or a 50%-or-more owner's).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod audit;
pub mod order;
pub mod record;
pub mod tally;

pub use audit::{Auditor, Classification, TransferResult};
pub use order::DateSorter;
pub use record::{BadRow, Transfer};
pub use tally::Tally;
