//! A fresh database for one test, on a backend, with raw SQL for tampering.

use ictguard_store::Store;

/// A fresh, empty database.
pub struct TestDb {
    /// The database argument (a path or a URL).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A new SQLite file.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("audit.db").display().to_string();
        TestDb {
            url,
            _dir: Some(dir),
        }
    }

    /// A new PostgreSQL database, when `ICTGUARD_TEST_POSTGRES` names a server (a URL whose role
    /// may create databases); `None` otherwise, unless `ICTGUARD_REQUIRE_POSTGRES=1` (CI), which
    /// makes its absence a failure.
    pub fn postgres() -> Option<TestDb> {
        match std::env::var("ICTGUARD_TEST_POSTGRES") {
            Ok(_) => panic!("the PostgreSQL test fixture is not written yet"),
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
        ictguard_store::open(&self.url).unwrap()
    }

    /// Run a statement behind the store's back (tampering).
    pub fn execute(&self, sql: &str) {
        rusqlite::Connection::open(&self.url)
            .unwrap()
            .execute(sql, [])
            .unwrap();
    }

    /// The first column of the first row, as text.
    pub fn query_text(&self, sql: &str) -> String {
        rusqlite::Connection::open(&self.url)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }
}
