//! `cargo run -p ictguard-vet-gen [-- --check]`: write `crates/ictguard-vet/src/knowledge/tables.rs`
//! from `knowledge/` (or, with `--check`, exit 1 when the committed file differs).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("crates/ictguard-vet/src/knowledge/tables.rs");
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let text = match ictguard_vet_gen::tables(&root.join("knowledge")) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if check {
        if std::fs::read_to_string(&out).ok().as_deref() == Some(text.as_str()) {
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{} is not what knowledge/ makes: run `cargo run -p ictguard-vet-gen`",
            out.display()
        );
        return ExitCode::from(1);
    }
    if let Err(e) = std::fs::write(&out, text) {
        eprintln!("error: {}: {e}", out.display());
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
