//! The screening engine of ictguard: multilingual name normalisation, a candidate index whose cost
//! does not grow with the lists, similarity scoring, restricted-party list loading, and the decision
//! engine that turns matches and rule-pack statuses into block / review / allow with evidence.
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

pub mod bounded;
mod countries;
pub mod engine;
pub mod index;
pub mod lists;
pub mod normalize;
pub mod score;
