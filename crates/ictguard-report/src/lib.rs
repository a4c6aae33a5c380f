//! How ictguard's results are shown: text for people, JSON, SARIF and CSV for machines, and
//! self-contained HTML pages for reports people file and cite.
//!
//! The libraries decide (`ictguard-screen`'s `ScreenResult`, `ictguard-vet`'s `Report`,
//! `ictguard-flows`' classifications, `ictguard-rules`' pack and statuses) and carry their evidence
//! as data; this crate only shows that data. It is what the command line and the HTTP server share,
//! so that a report downloaded from the server is the report the command line writes.
//!
//! Not for: deciding anything, reading input files, or writing to files and sockets (every
//! renderer returns a `String` or writes to a `std::io::Write` the caller chooses).
//!
//! HTML is written with [`maud`] templates, which escape every interpolated value; no renderer
//! escapes text by hand. Pages are self-contained (inline CSS and SVG, no script, no network).
//!
//! ```
//! use ictguard_report::rules;
//! let pack = ictguard_rules::RulePack::bundled();
//! let mut out = Vec::new();
//! rules::list(&mut out, &pack).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("EO-13971"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod apk;
pub mod fleet;
pub mod flows;
mod page;
pub mod rules;
pub mod screening;
pub mod vetting;

/// What a renderer can fail with.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Writing to the caller's output failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A value could not be serialised as JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A CSV row could not be written.
    #[error(transparent)]
    Csv(#[from] csv::Error),
}
