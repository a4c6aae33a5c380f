//! The API's handlers, one module per area. Each takes its caller's key as an extractor
//! ([`crate::auth`]) and answers errors as [`crate::error::ApiError`].

pub(crate) mod batch;
pub(crate) mod lists;
pub(crate) mod records;
pub(crate) mod rules;
pub(crate) mod screening;
pub(crate) mod service;
pub(crate) mod vetting;
pub(crate) mod watch;
