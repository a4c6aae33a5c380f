//! What the server tests share: the binary, a server on a free loopback port, keys made with the
//! real `ictguard keys create`, a fresh database per test on either backend (the store's test
//! support), and one `#[test]` per backend and case.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub use ictguard_store::testing::TestDb;

/// The `ictguard` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ictguard"))
}

/// Start the server on a free port; returns the child and its base URL.
#[allow(dead_code)] // not every test file starts a server without flags
pub fn start(db: &str) -> (Child, String) {
    start_with(db, &[])
}

/// Start the server on a free port with more flags; returns the child and its base URL.
#[allow(dead_code)] // not every test file starts a server with flags
pub fn start_with(db: &str, flags: &[&str]) -> (Child, String) {
    let mut child = bin()
        .args(["serve", "--listen", "127.0.0.1:0", "--database", db])
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("address line")
        .to_string();
    (child, url)
}

/// A new key of a role.
pub fn key(db: &str, role: &str) -> String {
    let out = bin()
        .args(["keys", "create", "--role", role, "--database", db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// One `#[test]` per backend and case, so a failure names both; each case takes the database
/// argument.
#[macro_export]
macro_rules! on_every_backend {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $case() { super::$case(&super::common::TestDb::sqlite().url); } )*
        }
        mod postgres {
            $( #[test] fn $case() {
                if let Some(db) = super::common::TestDb::postgres() { super::$case(&db.url); }
            } )*
        }
    };
}

/// Assert that the audit trail in `db` verifies as one intact chain (`ictguard audit verify`).
#[allow(dead_code)] // not every test file checks the trail
pub fn assert_trail_intact(db: &str) {
    let verify = bin()
        .args(["audit", "verify", "--database", db])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

/// The bytes of a list file in `shared/lists`.
#[allow(dead_code)] // only the list tests read list files
pub fn shared_list(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/lists")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
