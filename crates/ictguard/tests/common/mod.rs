//! A fresh database for one test, on a backend: its `--database` argument. (The same fixture as
//! `crates/ictguard-store/tests/common`, without the raw SQL.)

use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh, empty database, dropped (PostgreSQL) or deleted (SQLite) with the value.
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
        let url = dir.path().join("ictguard.db").display().to_string();
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
        let Ok(server) = std::env::var("ICTGUARD_TEST_POSTGRES") else {
            assert!(
                std::env::var("ICTGUARD_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "ICTGUARD_REQUIRE_POSTGRES=1 but ICTGUARD_TEST_POSTGRES is not set"
            );
            return None;
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        // digits and underscores only: safe to write into the statement unquoted
        let name = format!(
            "ictguard_serve_{}_{}_{}",
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
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.drop_pg {
            // FORCE: a server killed mid-test may not have closed its sessions yet
            if let Ok(mut c) = postgres::Client::connect(server, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// `url` with its database (the path) replaced by `name`, options kept.
fn with_database(url: &str, name: &str) -> String {
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
