//! Write the hostile-APK corpus ([`ictguard_apk::hostile::corpus`]) to a directory, one
//! `<name>.apk` per attack class, for benchmarks and fuzz seeds:
//!
//! ```text
//! cargo run -p ictguard-apk --features hostile --example hostile -- /tmp/hostile
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: hostile DIR (writes one hostile APK per attack class into DIR)");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("hostile: cannot create {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    for h in ictguard_apk::hostile::corpus() {
        let path = dir.join(h.file_name());
        if let Err(e) = std::fs::write(&path, &h.bytes) {
            eprintln!("hostile: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("{}\t{} bytes\t{}", path.display(), h.bytes.len(), h.what);
    }
    ExitCode::SUCCESS
}
