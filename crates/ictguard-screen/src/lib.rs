//! The screening engine of ictguard: is this party, app or transaction covered by a US
//! foreign-adversary order or a restricted-party list, as of a given date, and why?
//!
//! What it holds: multilingual name normalisation ([`normalize`]), a candidate index whose cost
//! does not grow with the lists ([`index`]), similarity scoring ([`score`]), the restricted-party
//! lists in their published formats ([`lists`]), the decision engine that turns matches and
//! rule-pack statuses into block / review / allow with evidence ([`engine`]), and batch screening
//! of CSV or JSON Lines records on all cores ([`batch`]).
//!
//! What it is not for: it does not fetch lists from their publishers, store decisions, render
//! reports or serve HTTP (the `ictguard` binary and server do), and it knows nothing of APKs. The
//! law itself (orders, dates, covered apps) is data in the rule pack (`ictguard-rules`), not code
//! here.
//!
//! ```
//! use ictguard_rules::RulePack;
//! use ictguard_screen::engine::{Decision, Query, ScreenConfig, Screener};
//! let screener = Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default());
//! let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 1).unwrap();
//! let q = Query { name: Some("支付宝".into()), ..Query::default() };
//! let r = screener.screen(&q, day).unwrap();
//! assert_eq!(r.matches[0].id, "alipay");
//! assert_eq!(r.decision, Decision::Review); // EO 13971 in force but never implemented
//! ```
#![forbid(unsafe_code)]
// Every public item says why it exists: this crate is meant to be used without the rest of
// ictguard (from Rust and, through bindings, from Python), so its docs are its manual.
#![warn(missing_docs)]

pub mod acronym;
pub mod batch;
pub mod bounded;
pub mod crlf;
pub mod engine;
pub mod index;
pub mod intake;
mod legal_form;
pub mod lists;
pub mod normalize;
mod numbers;
pub mod pairs;
pub mod score;
pub mod spelling;
mod token;
#[cfg(feature = "workbooks")]
pub mod workbook;
