//! Read an Android package (APK) the way Android reads it, and nothing more.
//!
//! # What it is for
//!
//! Taking an APK apart to look at it: the ZIP container ([`zip`]) as Android's reader sees it
//! (aliased entries, bytes before the first entry, bogus compression methods), the binary XML
//! manifest ([`axml`]) and its model ([`manifest`]: package, SDK levels, permissions asked for
//! and implied, components and whether they are exported), the resource table ([`arsc`]) for
//! the values the manifest refers to, the DEX files ([`dex`]: strings, classes, method and field
//! references, including DEX files nested in other archives), the v1 (JAR), v2, v3 and v3.1
//! signatures verified as apksig verifies them ([`signing`], with [`jar`] and the scheme
//! verifier) and their X.509 certificates ([`cert`]), and an [`inventory`] of what the archive
//! carries (native libraries, embedded archives, signature files, suspicious names).
//!
//! Hostile input is the normal case. Everything borrows from the bytes it is given, every read is
//! bounds-checked, and a malformed file is an `Err`, never a panic. Every amplification a crafted
//! file can attempt (entries that alias one stream, string pools whose indexes all name one long
//! string, thousands of signer infos) is bounded by a budget in [`Limits`]; a budget that runs out
//! is an error, or a note that says what was not read (`analysis stopped: …`). Errors are types
//! ([`ApkError`], [`ZipError`], [`axml::AxmlError`], [`arsc::ArscError`], [`dex::DexError`],
//! [`signing::SigningError`]) whose variants carry the offsets and counts involved.
//!
//! # What it is not for
//!
//! It holds no policy: it does not say whether an app is risky, which SDKs it embeds, or what a
//! permission means for a user; that judgement belongs to the caller (ictguard's `vet` crate is
//! one). It does not write, sign or repair APKs, decompile bytecode, run code, or check a
//! certificate against a trust store (Android does not either: an APK signer's certificate is
//! self-signed as a rule).
//!
//! # Example
//!
//! ```no_run
//! use ictguard_apk::{Apk, Limits};
//!
//! let bytes = std::fs::read("app.apk")?;
//! // the default limits suit one APK on a workstation; a server vetting uploads may want less
//! let apk = Apk::parse_with(&bytes, &Limits::default())?;
//! println!("package: {:?}", apk.manifest.package);
//! for permission in apk.manifest.requested_permissions() {
//!     println!("asks for: {permission}");
//! }
//! // signatures verified, and whether Android would install the file
//! let summary = apk.summary();
//! if let Some(install) = &summary.install {
//!     println!("Android installs it: {} {:?}", install.installs, install.reason);
//! }
//! for signer in &summary.signers {
//!     println!("signed by {} ({:?})", signer.certificate.sha256, signer.schemes);
//! }
//! // every DEX file, one at a time, with what could not be read
//! let skipped = apk.visit_dex_files(&mut |name, bytes| match bytes {
//!     Ok(bytes) => match ictguard_apk::dex::Dex::parse(bytes) {
//!         Ok(dex) => println!("{name}: {} classes", dex.class_descriptors().count()),
//!         Err(e) => println!("{name}: {e}"),
//!     },
//!     Err(e) => println!("{name}: {e}"),
//! });
//! for note in skipped.iter().chain(&summary.problems) {
//!     println!("not read: {note}");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod arsc;
pub mod axml;
pub mod cert;
pub mod der;
pub mod dex;
pub mod file;
#[cfg(feature = "hostile")]
pub mod hostile;
pub mod inventory;
pub mod jar;
mod keys;
mod le;
pub mod limits;
pub mod manifest;
pub mod signing;
pub mod strings;
pub mod verify;
pub mod zip;

use serde::Serialize;

pub use file::{read_apk_file, FileError};
pub use limits::Limits;

/// What [`Apk::visit_dex_files`] hands each DEX file to: its name and its bytes, or why they
/// could not be read.
pub type DexVisitor<'v> = dyn FnMut(&str, Result<&[u8], ZipError>) + 'v;
pub use manifest::Manifest;
pub use zip::{Zip, ZipError};

/// Why an APK cannot be read at all: its container or its manifest is broken.
///
/// Anything less (a signature that does not verify, a DEX file or a resource table that does not
/// parse) is not an error here but part of what is reported, because a damaged APK is evidence
/// too.
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

/// A parsed APK: the container and the manifest, read once. Everything else (signatures, DEX
/// files, resources) is read from [`Apk::zip`] when asked for, so a caller pays only for what it
/// uses.
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
    /// Read the container and the manifest, with the default [`Limits`].
    pub fn parse(data: &'a [u8]) -> Result<Apk<'a>, ApkError> {
        Apk::parse_with(data, &Limits::default())
    }

    /// Read the container and the manifest within `limits`, which also bound every later read of
    /// this APK (its entries, DEX files, signatures).
    pub fn parse_with(data: &'a [u8], limits: &Limits) -> Result<Apk<'a>, ApkError> {
        let zip = Zip::parse_with(data, limits)?;
        let bytes = zip
            .read_by_name("AndroidManifest.xml")
            .ok_or(ApkError::NoManifest)??;
        let manifest_xml = axml::parse_with(&bytes, limits)?;
        // the model reads references (a label, a versionName, a boolean) through resources.arsc,
        // which is parsed only when the manifest makes any; `manifest_xml` keeps them as written
        let table = manifest_xml
            .root
            .has_references()
            .then(|| zip.read_by_name("resources.arsc"))
            .flatten()
            .and_then(Result::ok)
            .and_then(|bytes| arsc::ResourceTable::parse_with(bytes, limits).ok());
        let manifest = match table {
            Some(table) => {
                // each id resolved once, however often the manifest names it
                let resolved_ids = std::cell::RefCell::new(std::collections::HashMap::new());
                let mut resolved = manifest_xml.clone();
                resolved.root.resolve_references(&|id| {
                    resolved_ids
                        .borrow_mut()
                        .entry(id)
                        .or_insert_with(|| table.resolve(id))
                        .clone()
                });
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

    /// The summary `ictguard apk info` prints, signatures verified. Verifying hashes the whole
    /// archive; [`Apk::summary_with`] can skip it.
    pub fn summary(&self) -> Summary {
        self.summary_with(true)
    }

    /// The summary; with `verify` false the signatures are read (signers and their certificates)
    /// but not verified, which skips hashing the whole archive, and `schemes` and `install` are
    /// None.
    pub fn summary_with(&self, verify: bool) -> Summary {
        let m = &self.manifest;
        let signatures = signing::read_signatures_with(&self.zip, verify);
        let scheme_ok = |scheme: &str| {
            signatures
                .verification
                .iter()
                .any(|v| v.scheme == scheme && v.verified)
        };
        let (signers, other_certificates) = signer_summary(&signatures, verify);
        let signature_verdict = if verify {
            signing::install_verdict(
                &signatures,
                m.effective_min_sdk(),
                m.effective_target_sdk(),
                m.target_sandbox_version.unwrap_or(1),
            )
        } else {
            None
        };
        let mut problems = signatures.problems.clone();
        if self.zip.budget_exhausted() {
            problems.push(
                "analysis stopped: reading the entries spent the archive's budget; some were not read whole"
                    .into(),
            );
        }
        Summary {
            package: m.package.clone(),
            version_code: m.version_code,
            version_name: m.version_name.clone(),
            min_sdk: m.min_sdk,
            min_sdk_codename: m.min_sdk_codename.clone(),
            target_sdk: m.target_sdk,
            target_sdk_codename: m.target_sdk_codename.clone(),
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
            signers,
            other_certificates,
            schemes: verify.then(|| Schemes {
                v1: scheme_ok("v1"),
                v2: scheme_ok("v2"),
                v3: scheme_ok("v3"),
            }),
            install: signature_verdict.clone().map(|v| self.archive_verdict(v)),
            signature_verdict,
            v1_digests: signatures.v1_digests.clone(),
            signature_verification: signatures.verification.clone(),
            problems,
            code: None,
        }
    }

    /// Android's verdict once the archive itself is considered: since the Janus fix (CVE-2017-13156,
    /// December 2017) its ZIP reader refuses a file that does not start with a local file header,
    /// whatever the signatures say.
    fn archive_verdict(&self, signatures: signing::InstallVerdict) -> signing::InstallVerdict {
        match self.zip.leading_bytes() {
            0 => signatures,
            leading => signing::InstallVerdict {
                installs: false,
                reason: Some(format!(
                    "the file does not start with a ZIP entry ({leading} bytes come first): Android since the Janus fix (CVE-2017-13156) refuses to open it"
                )),
            },
        }
    }

    /// The resource table (`resources.arsc`), when the APK has one.
    pub fn resources(&self) -> Option<Result<arsc::ResourceTable<'a>, arsc::ArscError>> {
        let bytes = self.zip.read_by_name("resources.arsc")?;
        Some(
            bytes
                .map_err(arsc::ArscError::Read)
                .and_then(|b| arsc::ResourceTable::parse_with(b, self.zip.limits())),
        )
    }

    /// Hand every DEX file the APK carries to `visit`, one at a time (each is dropped before the
    /// next is read, so memory holds one): the root `classes*.dex` in load order, then DEX files
    /// stored elsewhere in the archive (`assets/x.dex`) and the `classes*.dex` of APK and JAR files
    /// nested one level down (plugins, packers' payloads), named `outer!inner`. Entries that alias
    /// one already read are skipped, and the limits on root DEX files, nested archives and nested
    /// DEX files apply. Returns what was not read, and why.
    pub fn visit_dex_files(&self, visit: &mut DexVisitor<'_>) -> Vec<String> {
        let limits = self.zip.limits();
        let inventory = inventory::Inventory::of(&self.zip);
        let mut skipped = Vec::new();
        // entries that alias one already read are skipped, and counted in one note
        let mut aliases = (0usize, None::<(String, String)>);
        let mut alias = |entry: &zip::Entry| {
            let first = self.zip.alias_of(entry)?;
            aliases.0 += 1;
            aliases
                .1
                .get_or_insert_with(|| (entry.name.clone(), first.name.clone()));
            Some(())
        };
        if inventory.dex.len() > limits.max_root_dex {
            skipped.push(format!(
                "analysis stopped: {} root DEX files; only the first {} were read",
                inventory.dex.len(),
                limits.max_root_dex
            ));
        }
        for name in inventory.dex.iter().take(limits.max_root_dex) {
            let Some(entry) = self.zip.entry(name) else {
                continue;
            };
            if alias(entry).is_some() {
                continue;
            }
            match self.zip.read(entry) {
                Ok(bytes) => visit(name, Ok(&bytes)),
                Err(e) => visit(name, Err(e)),
            }
        }
        let (mut archives, mut nested) = (0usize, 0usize);
        for name in &inventory.embedded {
            let Some(entry) = self.zip.entry(name) else {
                continue;
            };
            if alias(entry).is_some() {
                continue;
            }
            if nested >= limits.max_nested_dex || archives >= limits.max_nested_archives {
                skipped.push(format!(
                    "analysis stopped: {name} and the embedded files after it were not read: the limit of {} nested archives or {} nested DEX files was reached",
                    limits.max_nested_archives, limits.max_nested_dex
                ));
                break;
            }
            let bytes = match self.zip.read(entry) {
                Ok(b) => b,
                Err(e) => {
                    visit(name, Err(e));
                    continue;
                }
            };
            if bytes.starts_with(b"dex\n") {
                nested += 1;
                visit(name, Ok(&bytes));
                continue;
            }
            // an archive: its own classes*.dex (anything unreadable is skipped: many such files are
            // not archives at all, or are encrypted on purpose)
            archives += 1;
            let Ok(inner) = self.zip.parse_nested(&bytes) else {
                continue;
            };
            for dex in inventory::Inventory::of(&inner).dex {
                if nested >= limits.max_nested_dex {
                    break;
                }
                let Some(e) = inner.entry(&dex) else {
                    continue;
                };
                if inner.alias_of(e).is_some() {
                    continue;
                }
                nested += 1;
                let label = format!("{name}!{dex}");
                match inner.read(e) {
                    Ok(b) => visit(&label, Ok(&b)),
                    Err(err) => visit(&label, Err(err)),
                }
            }
        }
        if let (n, Some((entry, first))) = aliases {
            skipped.push(format!(
                "{n} entries hold the same data as an earlier one and were read once (the first: {entry} as {first})"
            ));
        }
        skipped
    }

    /// Read every DEX file ([`Apk::visit_dex_files`]) completely (all strings decoded, every
    /// class, method and field reference resolved) and count what it holds.
    pub fn code_summary(&self) -> Vec<DexSummary> {
        let limits = *self.zip.limits();
        let mut out = Vec::new();
        let skipped = self.visit_dex_files(&mut |name, data| {
            let read = data.map_err(|e| e.to_string()).and_then(|data| {
                let dex = dex::Dex::parse_with(data, &limits).map_err(|e| e.0.to_string())?;
                let summary = DexSummary {
                    name: name.to_string(),
                    version: Some(dex.version),
                    classes: dex.class_descriptors().count(),
                    strings: dex.strings().count(),
                    method_refs: dex.method_refs().count(),
                    field_refs: dex.field_refs().count(),
                    error: dex.budget_exhausted().then(|| {
                        "analysis stopped: reading its strings spent the file's budget; the counts are partial".to_string()
                    }),
                };
                Ok(summary)
            });
            out.push(read.unwrap_or_else(|e| DexSummary {
                name: name.to_string(),
                version: None,
                classes: 0,
                strings: 0,
                method_refs: 0,
                field_refs: 0,
                error: Some(e),
            }));
        });
        out.extend(skipped.into_iter().map(|why| DexSummary {
            name: String::new(),
            version: None,
            classes: 0,
            strings: 0,
            method_refs: 0,
            field_refs: 0,
            error: Some(why),
        }));
        out
    }

    /// Every signature structure the APK carries, verified, as found: for the signers Android
    /// would pick among them, see [`Apk::summary`].
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
    /// Schemes in which it signs (and verifies, when the signatures were verified).
    pub schemes: Vec<&'static str>,
}

/// A certificate the APK carries that is not its signer's: in a scheme that does not verify, in a
/// block Android never reads, or beside the signer in an older scheme.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OtherCertificate {
    /// The certificate.
    #[serde(flatten)]
    pub certificate: cert::Certificate,
    /// The scheme that carries it.
    pub scheme: &'static str,
    /// Where (a META-INF file for v1).
    pub source: String,
    /// `does not verify`, `ignored by Android`, `verifies` (an older scheme's signer, when the
    /// newest names another, as after a key rotation) or `not checked`.
    pub status: &'static str,
    /// Why, when there is more to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The APK's signers as Android sees them, and the other certificates it carries. The signers are
/// those of the newest scheme up to v3 whose signature verifies (v3 carries key rotation, so its
/// signer is the current one), each with every verifying scheme that carries the same
/// certificate; without verification (`verify` false), those of the newest scheme present. A
/// certificate from a block that does not verify, or that Android ignores, is never a signer.
/// v3.1 targets newer platforms only and is listed in `signatures()`.
fn signer_summary(
    sig: &signing::Signatures,
    verify: bool,
) -> (Vec<SignerSummary>, Vec<OtherCertificate>) {
    let counts = |s: &signing::Signer| {
        s.ignored.is_none()
            && if verify {
                s.verified == Some(true)
            } else {
                // v1 signers that do not cover every entry are not signers of the APK
                s.scheme != "v1"
                    || sig.v1_signers.is_empty()
                    || s.certificates
                        .first()
                        .is_some_and(|c| sig.v1_signers.contains(c))
            }
    };
    let details = |sha256: &str| {
        sig.certificates
            .iter()
            .find(|x| x.sha256 == sha256)
            .cloned()
            .unwrap_or_else(|| unreachable_certificate(sha256))
    };
    let newest = ["v3", "v2", "v1"]
        .into_iter()
        .find(|scheme| sig.signers.iter().any(|x| x.scheme == *scheme && counts(x)));
    let mut out: Vec<SignerSummary> = Vec::new();
    for s in sig
        .signers
        .iter()
        .filter(|s| Some(s.scheme) == newest && counts(s))
    {
        let Some(first) = s.certificates.first() else {
            continue;
        };
        if !out.iter().any(|o| &o.certificate.sha256 == first) {
            out.push(SignerSummary {
                certificate: details(first),
                schemes: Vec::new(),
            });
        }
    }
    let mut others: Vec<OtherCertificate> = Vec::new();
    for s in &sig.signers {
        let Some(first) = s.certificates.first() else {
            continue;
        };
        if counts(s) {
            if let Some(o) = out.iter_mut().find(|o| &o.certificate.sha256 == first) {
                if !o.schemes.contains(&s.scheme) {
                    o.schemes.push(s.scheme);
                }
                continue;
            }
        }
        let (status, note) = match (&s.ignored, s.verified) {
            (Some(why), _) => ("ignored by Android", Some(why.clone())),
            (None, Some(false)) => ("does not verify", None),
            (None, Some(true)) if s.scheme == "v3.1" => (
                "verifies",
                Some("v3.1 names the signer for Android 13 and later".to_string()),
            ),
            (None, Some(true)) => (
                "verifies",
                Some(format!(
                    "the {} signer; the newest scheme ({}) names another",
                    s.scheme,
                    newest.unwrap_or("none")
                )),
            ),
            (None, None) => ("not checked", None),
        };
        if others
            .iter()
            .any(|o| o.certificate.sha256 == *first && o.scheme == s.scheme)
        {
            continue;
        }
        others.push(OtherCertificate {
            certificate: details(first),
            scheme: s.scheme,
            source: s.source.clone(),
            status,
            note,
        });
    }
    (out, others)
}

/// A certificate known only by its fingerprint (every signer certificate is also in
/// `Signatures::certificates`, so this is a fallback that keeps the summary total).
fn unreachable_certificate(sha256: &str) -> cert::Certificate {
    let mut c = cert::Certificate::parse(&[]);
    c.sha256 = sha256.to_string();
    c.sha1.clear();
    c
}

/// What `ictguard apk info --json` prints: everything read of an APK in one serialisable record,
/// so that a report can show the evidence without reading the APK again.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Package name.
    pub package: Option<String>,
    /// versionCode.
    pub version_code: Option<i64>,
    /// versionName.
    pub version_name: Option<String>,
    /// minSdkVersion as a number.
    pub min_sdk: Option<i64>,
    /// minSdkVersion when it is a preview platform's codename (Android applies it as 10000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_sdk_codename: Option<String>,
    /// targetSdkVersion as a number.
    pub target_sdk: Option<i64>,
    /// targetSdkVersion when it is a codename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_sdk_codename: Option<String>,
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
    /// The APK's signers: the certificates of the newest scheme whose signature verifies, as
    /// Android picks them, with the verifying schemes that carry them (when verification was
    /// skipped, those of the newest scheme present).
    pub signers: Vec<SignerSummary>,
    /// Certificates the APK carries that are not its signers', each with why (a signature that
    /// does not verify, a block Android ignores).
    pub other_certificates: Vec<OtherCertificate>,
    /// Which schemes are present and verify (None when verification was skipped).
    pub schemes: Option<Schemes>,
    /// Whether Android would install the APK, and why not: its signatures
    /// (`signature_verdict`) and the archive's shape (a file that does not start with an entry is
    /// refused). None when verification was skipped.
    pub install: Option<signing::InstallVerdict>,
    /// Whether the signatures hold as apksig judges them for the platforms from minSdkVersion up
    /// (what `apksigner verify` says). None when verification was skipped.
    pub signature_verdict: Option<signing::InstallVerdict>,
    /// The digest algorithms a verifying v1 signature rests on, weakest first.
    pub v1_digests: Vec<&'static str>,
    /// The verdict for each scheme present (the first block of each), with the reason when it fails.
    pub signature_verification: Vec<signing::Verdict>,
    /// What could not be read of the signatures or the archive, and analyses stopped by a budget.
    pub problems: Vec<String>,
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

/// Per signature scheme: present and verifies. Kept beside the install verdict because a scheme
/// can verify and still not be the one Android checks on a given platform version.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Schemes {
    /// JAR signing.
    pub v1: bool,
    /// APK Signature Scheme v2.
    pub v2: bool,
    /// APK Signature Scheme v3.
    pub v3: bool,
}
