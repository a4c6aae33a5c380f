//! The official restricted-party lists as live data: fetched from their publishers, checked,
//! and kept as versioned snapshots in the ictguard store, so every screening can say which
//! publication it used and a bad download never replaces a good one.
//!
//! # What it is for
//!
//! [`catalog`] names each publication (OFAC's SDN and consolidated non-SDN lists in their legacy
//! CSV files, the Consolidated Screening List, BIS's Denied Persons List, the UN Security
//! Council Consolidated List, the EU's consolidated financial sanctions list, the UK Sanctions
//! List) and where its files
//! are. [`Fetcher`] downloads them with conditional requests (`If-None-Match`,
//! `If-Modified-Since`) under size and time budgets, through an optional mirror. [`update`]
//! fetches each source, reads the files with the screening crate's list readers, refuses what is
//! malformed or suspiciously small, and stores a new snapshot in one transaction; a failure is
//! recorded and the previous snapshot stays in use. [`load_latest`] reads the newest snapshot of
//! every source back for screening, each file carrying its URL, fetch time and version.
//! [`rescreen`] screens the watched subjects again after the lists change and opens a review
//! case for each new hit (delta screening).
//!
//! # What it is not for
//!
//! It does not match names (that is `ictguard-screen`) or schedule itself: the server calls
//! [`update`] on its timer, the command line once.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod catalog;
mod fetch;
mod load;
mod rescreen;
#[cfg(feature = "testing")]
pub mod testing;
mod update;

pub use catalog::{Source, SourceFile, SOURCES};
pub use fetch::{Budgets, FetchError, Fetcher};
pub use load::{load_latest, load_snapshots, LoadError};
pub use rescreen::{rescreen, rescreen_after, Hit, RescreenReport};
pub use update::{update, UpdateOptions, UpdateReport};
