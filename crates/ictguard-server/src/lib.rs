//! ictguard's HTTP server: the screening, vetting, rules, audit and case API, its OpenAPI
//! document, the Prometheus metrics and the web UI, over the ictguard libraries and store.
//!
//! Screening answers are what `ictguard screen --json` prints; every decision is written to the
//! hash-chained audit trail before it is answered. Clients send `Authorization: Bearer KEY` (keys
//! from `ictguard keys create`); `screen` keys may screen, vet and read the rules, `admin` keys may
//! also read the audit trail and work the review cases. Errors have one shape:
//! `{"error": {"code": "...", "message": "..."}}`. APK uploads are vetted in a child process
//! within resource limits (see [`vet_worker`]), never in the server.
//!
//! Not for: parsing flags (the `ictguard` binary maps its `serve` flags onto [`ServerConfig`]),
//! or TLS (put a proxy in front).
//!
//! ```no_run
//! let mut config = ictguard_server::ServerConfig::new("audit.db");
//! config.listen = "127.0.0.1:0".into();
//! ictguard_server::run(config, |addr| println!("listening on http://{addr}")).unwrap();
//! ```
//!
//! Tests get the whole application without a port from [`app`]:
//! `app(AppState::new(&config)?)` is an `axum::Router` to call with `tower::ServiceExt::oneshot`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod answers;
mod as_of;
mod auth;
mod config;
mod error;
mod form;
mod handlers;
mod isolation;
mod listener;
mod lists_refresh;
mod metrics;
mod openapi;
mod router;
mod session;
mod state;
mod web;
mod worker;

pub use auth::{AdminKey, ScreenKey};
pub use config::{ConnectionLimits, PackSource, ServerConfig, VetLimits};
pub use error::{ApiError, ServeError};
pub use router::{app, openapi_document};
pub use state::AppState;
pub use worker::{vet_worker, WorkerConfig, WorkerError};

use std::net::SocketAddr;

/// Start the server for `config` on the current Tokio runtime: open the store, load the rule
/// pack, bind `config.listen`, call `listening` with the bound address, and serve until Ctrl-C
/// (then let open requests finish, for up to 30 s).
pub async fn serve(
    config: ServerConfig,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let state = AppState::new(&config)?;
    let app = app(state);
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|source| ServeError::Listen {
            address: config.listen.clone(),
            source,
        })?;
    listening(listener.local_addr()?);
    listener::serve(listener, app, config.connections, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}

/// [`serve`] on a runtime of its own, for a program that has none.
pub fn run(config: ServerConfig, listening: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(serve(config, listening))
}
