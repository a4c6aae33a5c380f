//! What an APK carries besides its manifest: DEX files, native libraries per ABI, embedded
//! packages, assets, and entries whose names could escape a directory.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::zip::Zip;

/// The contents of the archive, by kind: what a reviewer looks at before any parsing (code in
/// unusual places, native libraries, nested archives, names crafted to confuse).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Inventory {
    /// Number of entries.
    pub entries: usize,
    /// `classes*.dex` at the root, in order.
    pub dex: Vec<String>,
    /// Native libraries by ABI (`lib/<abi>/<name>.so`).
    pub native_libraries: BTreeMap<String, Vec<String>>,
    /// Embedded APK, JAR and DEX files elsewhere in the archive.
    pub embedded: Vec<String>,
    /// Number of files under `assets/`.
    pub assets: usize,
    /// Signature files under META-INF/.
    pub signature_files: Vec<String>,
    /// Entry names that could escape an extraction directory.
    pub suspicious_names: Vec<String>,
    /// Names that appear twice.
    pub duplicate_names: Vec<String>,
    /// Bytes before the first entry's local header (0 for an archive Android opens; a DEX file
    /// there is the Janus shape, CVE-2017-13156).
    pub leading_bytes: u64,
    /// True when the file starts with a DEX header.
    pub starts_with_dex: bool,
    /// How many entries' data overlap another's (crafted archives), and the first pairs.
    pub overlapping_entries: usize,
    /// The first overlapping pairs.
    pub overlaps: Vec<crate::zip::Overlap>,
}

impl Inventory {
    /// Take stock of an archive.
    pub fn of(zip: &Zip) -> Inventory {
        let mut inv = Inventory {
            entries: zip.entries().len(),
            duplicate_names: zip.duplicate_names.clone(),
            leading_bytes: zip.leading_bytes(),
            starts_with_dex: zip.data().starts_with(b"dex\n"),
            overlapping_entries: zip.overlap_count,
            overlaps: zip.overlaps.clone(),
            ..Inventory::default()
        };
        for e in zip.entries() {
            let n = e.name.as_str();
            if e.is_suspicious_path() {
                inv.suspicious_names.push(n.to_string());
            }
            if crate::zip::is_root_dex(n) {
                inv.dex.push(n.to_string());
            } else if let Some(rest) = n.strip_prefix("lib/") {
                if let Some((abi, lib)) = rest.split_once('/') {
                    if lib.ends_with(".so") {
                        inv.native_libraries
                            .entry(abi.to_string())
                            .or_default()
                            .push(lib.to_string());
                    }
                }
            } else if n.starts_with("assets/") {
                inv.assets += 1;
            } else if let Some(sig) = n.strip_prefix("META-INF/") {
                let upper = sig.to_ascii_uppercase();
                if upper.ends_with(".SF")
                    || upper.ends_with(".RSA")
                    || upper.ends_with(".DSA")
                    || upper.ends_with(".EC")
                    || upper == "MANIFEST.MF"
                {
                    inv.signature_files.push(n.to_string());
                }
            }
            if (n.ends_with(".apk") || n.ends_with(".jar") || n.ends_with(".dex"))
                && !inv.dex.iter().any(|d| d == n)
            {
                inv.embedded.push(n.to_string());
            }
        }
        inv.dex.sort_by_key(|d| {
            d.trim_start_matches("classes")
                .trim_end_matches(".dex")
                .parse::<u32>()
                .unwrap_or(1)
        });
        inv
    }
}
