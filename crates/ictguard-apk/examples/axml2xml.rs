//! Decode binary XML files to text XML (a quick look; the CLI is `ictguard apk manifest`).
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable");
        match ictguard_apk::axml::parse(&bytes) {
            Ok(doc) => {
                let m = ictguard_apk::Manifest::from_document(&doc);
                println!(
                    "{path}: package={:?} version={:?}/{:?} sdk={:?}/{:?} perms={}",
                    m.package,
                    m.version_code,
                    m.version_name,
                    m.min_sdk,
                    m.target_sdk,
                    m.uses_permissions.len()
                );
            }
            Err(e) => println!("{path}: error: {e}"),
        }
    }
}
