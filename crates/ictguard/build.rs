//! Link the `ictguard` binary as a position-dependent executable on x86-64 Linux: its objects are
//! still compiled position-independent, but the dynamic loader then has no relocations to apply at
//! start-up, which cuts the fixed cost of every run (about 1.65 ms to 1.3 ms here; ictguard is often
//! run once per file, e.g. per APK). The price is that the executable's own code is not at a random
//! address (ASLR still applies to the heap, stack and libraries); ictguard's parsers are safe Rust.
//! Build with `ICTGUARD_PIE=1` to keep a position-independent executable.
fn main() {
    println!("cargo:rerun-if-env-changed=ICTGUARD_PIE");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target == "x86_64-unknown-linux-gnu" && std::env::var_os("ICTGUARD_PIE").is_none() {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
