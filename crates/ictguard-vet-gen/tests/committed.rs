//! The tables committed in `ictguard-vet` are what the generator makes from `knowledge/` today.

use std::path::PathBuf;

#[test]
fn the_committed_tables_are_what_knowledge_makes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let made = ictguard_vet_gen::tables(&root.join("knowledge")).unwrap();
    let committed =
        std::fs::read_to_string(root.join("crates/ictguard-vet/src/knowledge/tables.rs")).unwrap();
    // not assert_eq!: the file is a megabyte; say where they part
    if made != committed {
        let line = made
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .map_or(made.lines().count().min(committed.lines().count()), |i| i);
        panic!(
            "crates/ictguard-vet/src/knowledge/tables.rs differs from what knowledge/ makes from line {}: run `cargo run -p ictguard-vet-gen`",
            line + 1
        );
    }
}
