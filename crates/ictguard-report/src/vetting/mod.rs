//! Renderings of vetting reports (`ictguard_vet::Report`): text for people, JSON Lines and SARIF
//! for machines, one self-contained HTML page for a reviewer's file.

pub mod html;
pub mod sarif;
pub mod text;

use ictguard_vet::{NotVetted, Report};

/// One APK's outcome as the renderers take it: the file's name, and its report or why it could
/// not be vetted.
pub type Vetted = (String, Result<Report, NotVetted>);

/// One JSON object per APK, one per line; an APK that could not be vetted gives
/// `{"file", "error"}` so that a consumer of the stream still learns of it.
pub fn json_lines(vetted: &[Vetted]) -> String {
    let mut out = String::new();
    for (file, r) in vetted {
        let line = match r {
            Ok(report) => serde_json::to_string(report).unwrap_or_default(),
            Err(e) => serde_json::json!({ "file": file, "error": e.to_string() }).to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}
