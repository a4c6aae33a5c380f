//! Print the summary of each APK given, as JSON lines (a quick look; the CLI is `ictguard apk info`).
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable");
        match ictguard_apk::Apk::parse(&bytes) {
            Ok(apk) => println!("{path}: {}", serde_json::to_string(&apk.summary()).unwrap()),
            Err(e) => println!("{path}: error: {e}"),
        }
    }
}
