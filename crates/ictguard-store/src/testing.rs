//! Test support (feature `testing`): a fresh database for one test on a backend, with raw SQL for
//! tampering. Shared by this crate's tests and the server's (`crates/ictguard/tests`).

use std::sync::atomic::{AtomicU32, Ordering};

use crate::Store;

/// A fresh, empty database.
pub struct TestDb {
    /// The database argument (a path or a URL).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The server URL and the name of a PostgreSQL database to drop at the end.
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    /// A new SQLite file.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("audit.db").display().to_string();
        TestDb {
            url,
            _dir: Some(dir),
            drop_pg: None,
        }
    }

    /// A new PostgreSQL database, when `ICTGUARD_TEST_POSTGRES` names a server (a URL whose role
    /// may create databases); `None` otherwise, unless `ICTGUARD_REQUIRE_POSTGRES=1` (CI), which
    /// makes its absence a failure.
    pub fn postgres() -> Option<TestDb> {
        match std::env::var("ICTGUARD_TEST_POSTGRES") {
            Ok(server) => {
                static COUNTER: AtomicU32 = AtomicU32::new(0);
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos();
                // digits and underscores only: safe to write into the statement unquoted
                let name = format!(
                    "ictguard_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    nanos % 1_000_000_000_000
                );
                postgres::Client::connect(&server, postgres::NoTls)
                    .unwrap_or_else(|e| panic!("ICTGUARD_TEST_POSTGRES={server}: {e:?}"))
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                Some(TestDb {
                    url: with_database(&server, &name),
                    _dir: None,
                    drop_pg: Some((server, name)),
                })
            }
            Err(_) => {
                assert!(
                    std::env::var("ICTGUARD_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "ICTGUARD_REQUIRE_POSTGRES=1 but ICTGUARD_TEST_POSTGRES is not set"
                );
                None
            }
        }
    }

    /// Open the store.
    pub fn open(&self) -> Box<dyn Store> {
        crate::open(&self.url).unwrap()
    }

    /// Run a statement behind the store's back (tampering).
    pub fn execute(&self, sql: &str) {
        if crate::is_postgres_url(&self.url) {
            self.pg().batch_execute(sql).unwrap();
        } else {
            rusqlite::Connection::open(&self.url)
                .unwrap()
                .execute(sql, [])
                .unwrap();
        }
    }

    /// The first column of the first row, as text.
    pub fn query_text(&self, sql: &str) -> String {
        if crate::is_postgres_url(&self.url) {
            self.pg().query_one(sql, &[]).unwrap().get(0)
        } else {
            rusqlite::Connection::open(&self.url)
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap()
        }
    }

    fn pg(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.drop_pg {
            // FORCE: an audit writer thread may still hold a connection
            if let Ok(mut c) = postgres::Client::connect(server, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// `url` with its database (the path) replaced by `name`, options kept.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, options) = match url.split_once('?') {
        Some((b, o)) => (b, format!("?{o}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{name}{options}", &base[..host_end])
}
