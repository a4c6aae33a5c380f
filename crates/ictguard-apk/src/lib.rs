//! Read an Android package (APK) the way Android does, with no policy in it: the ZIP container,
//! the binary XML manifest and its model, and an inventory of what the package carries.
//!
//! Everything borrows from the bytes it is given, every read is bounds-checked, and malformed input
//! is an `Err`, never a panic. It is useful on its own, like `goblin` or `object`:
//!
//! ```no_run
//! let bytes = std::fs::read("app.apk").unwrap();
//! let apk = ictguard_apk::Apk::parse(&bytes).unwrap();
//! println!("{:?} {:?}", apk.manifest.package, apk.manifest.requested_permissions());
//! ```
//!
//! Still to come (see the project's issues): `resources.arsc`, DEX, and verifying the v1/v2/v3
//! signatures (their certificates are read already).

pub mod arsc;
pub mod axml;
pub mod cert;
pub mod der;
pub mod dex;
mod dsa_verify;
pub mod inventory;
pub mod jar;
pub mod manifest;
mod rsa_verify;
pub mod signing;
pub mod strings;
pub mod verify;
pub mod zip;

use std::borrow::Cow;

use serde::Serialize;

pub use manifest::Manifest;
pub use zip::{Zip, ZipError};

/// An entry's uncompressed bytes, or why they cannot be read.
pub type EntryBytes<'a> = Result<std::borrow::Cow<'a, [u8]>, ZipError>;

/// Most DEX files read from nested archives and non-root entries of one APK.
pub const MAX_NESTED_DEX: usize = 64;

/// Why an APK cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApkError {
    /// The container is broken.
    #[error(transparent)]
    Zip(#[from] ZipError),
    /// There is no `AndroidManifest.xml`.
    #[error("no AndroidManifest.xml in the archive")]
    NoManifest,
    /// The manifest does not parse.
    #[error("AndroidManifest.xml: {0}")]
    Manifest(#[from] axml::AxmlError),
}

/// A parsed APK.
#[derive(Debug, Clone)]
pub struct Apk<'a> {
    /// The container.
    pub zip: Zip<'a>,
    /// The decoded manifest document.
    pub manifest_xml: axml::Document,
    /// The manifest model.
    pub manifest: Manifest,
}

impl<'a> Apk<'a> {
    /// Read the container and the manifest.
    pub fn parse(data: &'a [u8]) -> Result<Apk<'a>, ApkError> {
        let zip = Zip::parse(data)?;
        let bytes = zip
            .read_by_name("AndroidManifest.xml")
            .ok_or(ApkError::NoManifest)??;
        let manifest_xml = axml::parse(&bytes)?;
        // the model reads references (a label, a versionName, a boolean) through resources.arsc,
        // which is parsed only when the manifest makes any; `manifest_xml` keeps them as written
        let table = manifest_xml
            .root
            .has_references()
            .then(|| zip.read_by_name("resources.arsc"))
            .flatten()
            .and_then(Result::ok)
            .and_then(|bytes| arsc::ResourceTable::parse(bytes).ok());
        let manifest = match table {
            Some(table) => {
                let mut resolved = manifest_xml.clone();
                resolved.root.resolve_references(&|id| table.resolve(id));
                Manifest::from_document(&resolved)
            }
            None => Manifest::from_document(&manifest_xml),
        };
        Ok(Apk {
            zip,
            manifest_xml,
            manifest,
        })
    }

    /// The summary `ictguard apk info` prints.
    pub fn summary(&self) -> Summary {
        self.summary_with(true)
    }

    /// The summary; with `verify` false the signatures are read (signers and their certificates)
    /// but not verified, which skips hashing the whole archive, and `schemes` is None.
    pub fn summary_with(&self, verify: bool) -> Summary {
        let m = &self.manifest;
        let signatures = signing::read_signatures_with(&self.zip, verify);
        Summary {
            package: m.package.clone(),
            version_code: m.version_code,
            version_name: m.version_name.clone(),
            min_sdk: m.min_sdk,
            target_sdk: m.target_sdk,
            max_sdk: m.max_sdk,
            permissions: m.requested_permissions(),
            implied_permissions: m
                .implied_permissions()
                .iter()
                .map(|(p, why)| format!("{p} ({why})"))
                .collect(),
            declared_permissions: m.permissions.iter().map(|p| p.name.clone()).collect(),
            application: m.application.clone(),
            exported_components: m
                .components
                .iter()
                .filter(|c| c.exported)
                .map(|c| format!("{} {}", c.kind, c.name))
                .collect(),
            inventory: inventory::Inventory::of(&self.zip),
            signers: signer_summary(&signatures),
            schemes: verify.then(|| Schemes {
                v1: signatures
                    .verification
                    .iter()
                    .any(|v| v.scheme == "v1" && v.verified),
                v2: signatures
                    .verification
                    .iter()
                    .any(|v| v.scheme == "v2" && v.verified),
                v3: signatures
                    .verification
                    .iter()
                    .any(|v| v.scheme == "v3" && v.verified),
            }),
            signature_verification: signatures.verification.clone(),
            code: None,
        }
    }

    /// The resource table (`resources.arsc`), when the APK has one.
    pub fn resources(&self) -> Option<Result<arsc::ResourceTable<'a>, arsc::ArscError>> {
        let bytes = self.zip.read_by_name("resources.arsc")?;
        Some(
            bytes
                .map_err(|e| arsc::ArscError(e.to_string()))
                .and_then(arsc::ResourceTable::parse),
        )
    }

    /// Every DEX file the APK carries: the root `classes*.dex` in load order, then DEX files stored
    /// elsewhere in the archive (`assets/x.dex`) and the `classes*.dex` of APK and JAR files nested
    /// one level down (plugins, packers' payloads), named `outer!inner`. At most
    /// [`MAX_NESTED_DEX`] nested files are read.
    pub fn all_dex_files(&self) -> Vec<(String, EntryBytes<'_>)> {
        let inventory = inventory::Inventory::of(&self.zip);
        let mut out = self.dex_files();
        let mut nested = 0usize;
        for name in &inventory.embedded {
            if nested >= MAX_NESTED_DEX {
                break;
            }
            let Some(entry) = self.zip.entry(name) else {
                continue;
            };
            let bytes = match self.zip.read(entry) {
                Ok(b) => b,
                Err(e) => {
                    out.push((name.clone(), Err(e)));
                    continue;
                }
            };
            if bytes.starts_with(b"dex\n") {
                nested += 1;
                out.push((name.clone(), Ok(Cow::Owned(bytes.into_owned()))));
                continue;
            }
            // an archive: its own classes*.dex (anything unreadable is skipped: many such files are
            // not archives at all, or are encrypted on purpose)
            let Ok(inner) = Zip::parse(&bytes) else {
                continue;
            };
            let inner_inventory = inventory::Inventory::of(&inner);
            for dex in inner_inventory.dex {
                if nested >= MAX_NESTED_DEX {
                    break;
                }
                if let Some(e) = inner.entry(&dex) {
                    nested += 1;
                    out.push((
                        format!("{name}!{dex}"),
                        inner.read(e).map(|b| Cow::Owned(b.into_owned())),
                    ));
                }
            }
        }
        out
    }

    /// Read every DEX file ([`Apk::all_dex_files`]) completely (all strings decoded, every class,
    /// method and field reference resolved) and count what it holds. DEX files are read in
    /// parallel.
    pub fn code_summary(&self) -> Vec<DexSummary> {
        use rayon::prelude::*;
        self.all_dex_files()
            .into_par_iter()
            .map(|(name, data)| {
                let read = data.map_err(|e| e.to_string()).and_then(|data| {
                    let dex = dex::Dex::parse(&data).map_err(|e| e.0)?;
                    Ok(DexSummary {
                        name: name.clone(),
                        version: Some(dex.version),
                        classes: dex.class_descriptors().count(),
                        strings: dex.strings().count(),
                        method_refs: dex.method_refs().count(),
                        field_refs: dex.field_refs().count(),
                        error: None,
                    })
                });
                read.unwrap_or_else(|e| DexSummary {
                    name,
                    version: None,
                    classes: 0,
                    strings: 0,
                    method_refs: 0,
                    field_refs: 0,
                    error: Some(e),
                })
            })
            .collect()
    }

    /// The bytes of every root `classes*.dex`, in load order (classes.dex, classes2.dex, …),
    /// inflated in parallel, and only once however often they are asked for (the v1 signature
    /// check reads them too: [`Zip::read_shared`]).
    pub fn dex_files(&self) -> Vec<(String, EntryBytes<'_>)> {
        use rayon::prelude::*;
        inventory::Inventory::of(&self.zip)
            .dex
            .into_par_iter()
            .filter_map(|name| {
                self.zip
                    .entry(&name)
                    .map(|e| (name, self.zip.read_shared(e)))
            })
            .collect()
    }

    /// Every signature structure the APK carries.
    pub fn signatures(&self) -> signing::Signatures {
        signing::read_signatures(&self.zip)
    }
}

/// One signing certificate and the schemes that carry it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SignerSummary {
    /// The certificate: `sha256` (lowercase hex of the DER), `sha1`, subject, issuer, validity,
    /// serial and key.
    #[serde(flatten)]
    pub certificate: cert::Certificate,
    /// Schemes in which it signs (present; see `schemes` for whether they verify).
    pub schemes: Vec<&'static str>,
}

/// The APK's signers as Android sees them: those of the newest scheme present up to v3 (v3 carries
/// key rotation, so its signer is the current one), each with every scheme that carries the same
/// certificate. v3.1 targets newer platforms only and is listed in `signatures()`.
fn signer_summary(sig: &signing::Signatures) -> Vec<SignerSummary> {
    let newest = ["v3", "v2", "v1"]
        .into_iter()
        .find(|s| sig.signers.iter().any(|x| x.scheme == *s));
    let Some(newest) = newest else {
        return Vec::new();
    };
    let mut out: Vec<SignerSummary> = sig
        .signers
        .iter()
        .filter(|s| s.scheme == newest)
        .filter_map(|s| s.certificates.first())
        // v1 signers that do not cover every entry are not signers of the APK (Android ignores them)
        .filter(|c| newest != "v1" || sig.v1_signers.is_empty() || sig.v1_signers.contains(c))
        .map(|c| SignerSummary {
            certificate: sig
                .certificates
                .iter()
                .find(|x| &x.sha256 == c)
                .cloned()
                .unwrap_or_else(|| unreachable_certificate(c)),
            schemes: Vec::new(),
        })
        .collect();
    out.dedup_by(|a, b| a.certificate.sha256 == b.certificate.sha256);
    for s in &sig.signers {
        let Some(first) = s.certificates.first() else {
            continue;
        };
        if let Some(o) = out.iter_mut().find(|o| &o.certificate.sha256 == first) {
            if !o.schemes.contains(&s.scheme) {
                o.schemes.push(s.scheme);
            }
        }
    }
    out
}

/// A certificate known only by its fingerprint (every signer certificate is also in
/// `Signatures::certificates`, so this is a fallback that keeps the summary total).
fn unreachable_certificate(sha256: &str) -> cert::Certificate {
    let mut c = cert::Certificate::parse(&[]);
    c.sha256 = sha256.to_string();
    c.sha1.clear();
    c
}

/// What `ictguard apk info --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Package name.
    pub package: Option<String>,
    /// versionCode.
    pub version_code: Option<i64>,
    /// versionName.
    pub version_name: Option<String>,
    /// minSdkVersion.
    pub min_sdk: Option<i64>,
    /// targetSdkVersion.
    pub target_sdk: Option<i64>,
    /// maxSdkVersion.
    pub max_sdk: Option<i64>,
    /// Requested permissions (uses-permission, uses-permission-sdk-23 and those Android implies), sorted.
    pub permissions: Vec<String>,
    /// The implied ones, with why.
    pub implied_permissions: Vec<String>,
    /// Permissions the app defines.
    pub declared_permissions: Vec<String>,
    /// Application flags.
    pub application: manifest::Application,
    /// Components reachable by other apps.
    pub exported_components: Vec<String>,
    /// What the archive carries.
    pub inventory: inventory::Inventory,
    /// Signing certificates (of the newest scheme present, as Android picks them) with the schemes
    /// that carry them. See `schemes` for whether the signatures hold.
    pub signers: Vec<SignerSummary>,
    /// Which schemes are present and verify (None when verification was skipped).
    pub schemes: Option<Schemes>,
    /// The verdict for each scheme present, with the reason when it fails.
    pub signature_verification: Vec<signing::Verdict>,
    /// What each DEX file holds, when asked for (`apk info --code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Vec<DexSummary>>,
}

/// What one DEX file holds (see [`Apk::code_summary`]).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DexSummary {
    /// Entry name, e.g. `classes2.dex`.
    pub name: String,
    /// DEX format version (35 to 41), when readable.
    pub version: Option<u32>,
    /// Classes defined.
    pub classes: usize,
    /// Strings in the pool.
    pub strings: usize,
    /// Method references.
    pub method_refs: usize,
    /// Field references.
    pub field_refs: usize,
    /// Why the file could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Per signature scheme: present and verifies.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Schemes {
    /// JAR signing.
    pub v1: bool,
    /// APK Signature Scheme v2.
    pub v2: bool,
    /// APK Signature Scheme v3.
    pub v3: bool,
}
