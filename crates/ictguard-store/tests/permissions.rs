//! A new SQLite database, which holds the audit trail, the cases and the keys' hashes, is
//! readable and writable by its owner only, and so are the WAL and shared-memory files SQLite
//! makes beside it.

#[cfg(unix)]
#[test]
fn a_new_database_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let mut store = ictguard_store::open(path.to_str().unwrap()).unwrap();
    store.create_key(ictguard_store::Role::Screen, "x").unwrap();
    for file in ["new.db", "new.db-wal", "new.db-shm"] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{file}: {mode:o}");
    }
}
