//! Downloads under budgets, with conditional requests.

use std::time::Duration;

use ictguard_store::SnapshotFile;

use crate::catalog::{Source, SourceFile};

/// Limits on one download.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    /// Largest file accepted, in bytes (the CSL is about 17 MB in 2026; the default leaves
    /// room for growth and refuses a runaway response).
    pub max_file_bytes: u64,
    /// Longest a whole download may take.
    pub timeout: Duration,
    /// Longest the connection may take to open.
    pub connect_timeout: Duration,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            max_file_bytes: 256 << 20,
            timeout: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(30),
        }
    }
}

/// Why a download failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The server answered with a status other than 200 or 304.
    #[error("{url}: HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The body was larger than the budget.
    #[error("{url}: larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The budget.
        limit: u64,
    },
    /// The connection, TLS, a timeout or the transfer failed.
    #[error("{url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
}

/// What one conditional request got.
pub(crate) enum Got {
    /// 304: the copy we have is current.
    NotModified,
    /// 200: a new body with its validators.
    Body {
        body: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Downloads list files: one HTTP agent (connections reused), its budgets and an optional mirror.
pub struct Fetcher {
    agent: ureq::Agent,
    mirror: Option<String>,
    budgets: Budgets,
}

impl Fetcher {
    /// A fetcher that downloads from the publishers, or from `mirror` when given (a base URL
    /// serving `<source id>/<file name>`, e.g. an internal copy for machines without internet).
    /// Proxies are taken from the usual environment variables (`HTTPS_PROXY`, `NO_PROXY`, …).
    pub fn new(mirror: Option<String>, budgets: Budgets) -> Fetcher {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(budgets.timeout))
            .timeout_connect(Some(budgets.connect_timeout))
            .http_status_as_error(false)
            .proxy(ureq::Proxy::try_from_env())
            .user_agent(concat!(
                "ictguard/",
                env!("CARGO_PKG_VERSION"),
                " (lists update)"
            ))
            .build()
            .into();
        Fetcher {
            agent,
            mirror: mirror.map(|m| m.trim_end_matches('/').to_string()),
            budgets,
        }
    }

    /// Where a file of a source is fetched from: the publisher, or the mirror.
    pub fn url_of(&self, source: &Source, file: &SourceFile) -> String {
        match &self.mirror {
            Some(base) => format!("{base}/{}/{}", source.id, file.name),
            None => file.url.to_string(),
        }
    }

    /// GET `url`, conditional on the validators of the copy we have.
    pub(crate) fn get(&self, url: &str, have: Option<&SnapshotFile>) -> Result<Got, FetchError> {
        let transport = |e: ureq::Error| match e {
            ureq::Error::BodyExceedsLimit(limit) => FetchError::TooLarge {
                url: url.to_string(),
                limit,
            },
            other => FetchError::Transport {
                url: url.to_string(),
                message: other.to_string(),
            },
        };
        let mut request = self.agent.get(url);
        if let Some(have) = have {
            if let Some(etag) = &have.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(modified) = &have.last_modified {
                request = request.header("If-Modified-Since", modified);
            }
        }
        let mut response = request.call().map_err(transport)?;
        match response.status().as_u16() {
            304 if have.is_some() => return Ok(Got::NotModified),
            200 => {}
            status => {
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status,
                })
            }
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (etag, last_modified) = (header("etag"), header("last-modified"));
        let body = response
            .body_mut()
            .with_config()
            .limit(self.budgets.max_file_bytes)
            .read_to_vec()
            .map_err(transport)?;
        Ok(Got::Body {
            body,
            etag,
            last_modified,
        })
    }
}
