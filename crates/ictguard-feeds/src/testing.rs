//! Test support (feature `testing`): a list publisher on loopback: real HTTP (axum), files by path, each with an
//! entity tag and Last-Modified, `If-None-Match` answered with 304, and every request counted.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// What the publisher serves at a path.
#[derive(Clone)]
pub enum Served {
    /// A file with its entity tag.
    File {
        /// The bytes.
        body: Vec<u8>,
        /// The entity tag, quoted.
        etag: String,
        /// Its `Last-Modified`, an HTTP date.
        modified: String,
    },
    /// An error status.
    Status(u16),
    /// Nothing until this long has passed, then 200 with an empty body (a server that hangs).
    Stall(std::time::Duration),
}

#[derive(Default)]
struct Inner {
    files: HashMap<String, Served>,
    /// (path, answered status) of every request, in order
    log: Vec<(String, u16)>,
}

/// The running publisher.
#[derive(Clone)]
pub struct Publisher {
    /// `http://127.0.0.1:PORT`: the mirror URL to fetch from.
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl Publisher {
    /// Start on a free loopback port (the server runs on a thread of its own until the test ends).
    pub fn start() -> Publisher {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let state = inner.clone();
        let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let app = axum::Router::new()
                    .route("/{*path}", axum::routing::get(serve))
                    .with_state(state);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx.recv().unwrap();
        Publisher {
            base: format!("http://{addr}"),
            inner,
        }
    }

    /// Serve `body` at `path` under a new entity tag, last modified on 3 December 2026.
    pub fn put(&self, path: &str, body: Vec<u8>) {
        self.put_modified(path, body, "Thu, 03 Dec 2026 12:00:00 GMT");
    }

    /// Serve `body` at `path` under a new entity tag, last modified at `modified` (an HTTP date).
    pub fn put_modified(&self, path: &str, body: Vec<u8>, modified: &str) {
        let mut inner = self.inner.lock().unwrap();
        let etag = format!("\"{}-{}\"", body.len(), inner.log.len());
        let modified = modified.to_string();
        inner.files.insert(
            path.to_string(),
            Served::File {
                body,
                etag,
                modified,
            },
        );
    }

    /// Answer `status` at `path`.
    pub fn fail(&self, path: &str, status: u16) {
        let mut inner = self.inner.lock().unwrap();
        inner.files.insert(path.to_string(), Served::Status(status));
    }

    /// Answer nothing at `path` for `delay`.
    pub fn stall(&self, path: &str, delay: std::time::Duration) {
        let mut inner = self.inner.lock().unwrap();
        inner.files.insert(path.to_string(), Served::Stall(delay));
    }

    /// The requests so far, as (path, status).
    pub fn log(&self) -> Vec<(String, u16)> {
        self.inner.lock().unwrap().log.clone()
    }
}

async fn serve(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let served = inner.lock().unwrap().files.get(&path).cloned();
    if let Some(Served::Stall(delay)) = served {
        tokio::time::sleep(delay).await;
    }
    let mut inner = inner.lock().unwrap();
    let (status, response) = match served {
        None => (404, StatusCode::NOT_FOUND.into_response()),
        Some(Served::Stall(_)) => (200, StatusCode::OK.into_response()),
        Some(Served::Status(s)) => (s, StatusCode::from_u16(s).unwrap().into_response()),
        Some(Served::File {
            body,
            etag,
            modified,
        }) => {
            let current = headers
                .get("if-none-match")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == etag);
            if current {
                (
                    304,
                    (StatusCode::NOT_MODIFIED, [("etag", etag)]).into_response(),
                )
            } else {
                let headers = [("etag", etag), ("last-modified", modified)];
                (200, (StatusCode::OK, headers, body).into_response())
            }
        }
    };
    inner.log.push((path, status));
    response
}
