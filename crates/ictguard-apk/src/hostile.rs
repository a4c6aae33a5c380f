//! Hostile APKs, written byte by byte: one per kind of attack on an APK reader's memory or time,
//! at sizes that took ictguard down before [`crate::Limits`] bounded them. For tests (of this crate
//! and of the crates above it), benchmarks and fuzz seeds; compiled only with the `hostile`
//! feature, so no build of ictguard carries it.
//!
//! ```
//! for h in ictguard_apk::hostile::corpus() {
//!     assert!(ictguard_apk::Zip::parse(&h.bytes).is_ok(), "{}", h.name);
//! }
//! ```
//!
//! Every file is a ZIP that [`crate::Apk::parse`] opens, with a small valid binary manifest, so the
//! attack reaches the parser it aims at (except `manifest-strings`, whose attack is the
//! manifest). Nothing is read from disk: the certificate of the v1 signature is made here too.
//! The pieces are written by hand (a ZIP writer whose directory may point any name at any local
//! entry, binary XML, `resources.arsc`, DEX, DER) rather than with the `zip` crate or a signing
//! tool, because those refuse to write what an attacker writes: two names over one stream, a
//! string pool whose million indexes name one string, five thousand signer infos.
//!
//! Deflate bombs cost no compression time: one MiB of zeros is compressed once with a full flush
//! (which ends byte-aligned and resets the history, so the output is a run of independent
//! non-final blocks), that chunk is repeated N times (after a first MiB compressed the same way,
//! which may start with a header) and a final empty block closes the stream: N MiB from about
//! 1 KiB per MiB, built in milliseconds.

use sha2::Digest;

/// One hostile APK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hostile {
    /// A short name, usable as a file name (`overlapping-dex`).
    pub name: &'static str,
    /// What it attacks, and how.
    pub what: &'static str,
    /// The APK.
    pub bytes: Vec<u8>,
}

impl Hostile {
    /// `<name>.apk`.
    pub fn file_name(&self) -> String {
        format!("{}.apk", self.name)
    }
}

/// One APK per attack class, at the sizes that hurt the reader before its budgets (each file
/// 12 MB at most): (a) `overlapping-dex`, (b) `manifest-strings`, (c) `dex-strings`,
/// (d) `aliased-jars`, (e) `signer-infos`, (f) `many-bombs`, (g) `arsc-strings`.
pub fn corpus() -> Vec<Hostile> {
    vec![
        Hostile {
            name: "overlapping-dex",
            what: "16 root classesN.dex entries over one deflate stream of 1000 MiB of zeros (about 1 MB): a reader that inflates each entry holds 16000 MiB",
            bytes: overlapping_dex(16, 1000),
        },
        Hostile {
            name: "manifest-strings",
            what: "a binary manifest whose 30,000 attributes all name, and take their value from, one string of 1 Mi characters: decoding each attribute costs 4 MiB",
            bytes: manifest_strings(30_000),
        },
        Hostile {
            name: "dex-strings",
            what: "a 1 MiB classes.dex whose 128 Ki string ids all point at one half-megabyte run with a NUL only at the file's last byte: finding each end again is quadratic",
            bytes: dex_strings(1 << 20, true),
        },
        Hostile {
            name: "aliased-jars",
            what: "20,000 assets/*.jar entries over one deflate stream of 1000 MiB of zeros: a reader that opens each nested archive inflates 20,000 x 1000 MiB",
            bytes: aliased_jars(20_000, 1000),
        },
        Hostile {
            name: "signer-infos",
            what: "a v1 signature block with 5,000 SignerInfos that do not verify, under a 16384-bit RSA certificate: each costs a key read and an RSA operation",
            bytes: signer_infos(5_000, 16_384),
        },
        Hostile {
            name: "many-bombs",
            what: "30 distinct assets/*.jar deflate bombs, each a DEX file of 100 MiB (about 106 KB each, under the 1000:1 ratio check): only the archive's total read budget stops them, and a reader that keeps the DEX files it finds holds 3000 MiB",
            bytes: many_bombs(30, 100),
        },
        Hostile {
            name: "arsc-strings",
            what: "a resources.arsc whose global string pool has 1,000,000 indexes naming one string of 1 Mi characters holding \"://\", and a manifest label that refers into it: the URL scan decodes 2 MiB per index",
            bytes: arsc_strings(1_000_000),
        },
    ]
}

/// (a) `copies` root `classes.dex`, `classes2.dex`, … entries listed over one local entry: a
/// deflate stream of `mib` MiB of zeros, declared at that size for each name.
pub fn overlapping_dex(copies: usize, mib: u32) -> Vec<u8> {
    let mut zip = ZipWriter::default();
    zip.deflated(
        "AndroidManifest.xml",
        &manifest("com.example.hostile.overlap", None, 0),
    );
    let bomb = Bomb::zeros(mib);
    let stream = zip.local("classes.dex", 8, &bomb.stream, bomb.crc, bomb.size);
    for k in 1..=copies {
        let name = if k == 1 {
            "classes.dex".to_string()
        } else {
            format!("classes{k}.dex")
        };
        zip.list(&name, stream);
    }
    zip.finish()
}

/// (b) A manifest whose `application` element has `attributes` attributes, each naming one
/// string of 1 Mi characters and taking it as its value.
pub fn manifest_strings(attributes: usize) -> Vec<u8> {
    let mut zip = ZipWriter::default();
    zip.stored(
        "AndroidManifest.xml",
        &manifest("com.example.hostile.manifest", None, attributes),
    );
    zip.finish()
}

/// (c) A `classes.dex` of about `size` bytes: half string ids, every one pointing at the same
/// string data item, and half one run of `A` that item starts; with `terminated`, a NUL at the
/// file's last byte ends it (every id then names one long string, which a reader decodes again
/// for each id), without it the run never ends (a reader that searches for the end from each id
/// scans the rest of the file each time).
pub fn dex_strings(size: usize, terminated: bool) -> Vec<u8> {
    let size = size.max(0x200);
    let ids = (size - dex::HEADER) / 2 / 4;
    let data_at = dex::HEADER + 4 * ids;
    let mut run = vec![b'A'; size - data_at];
    // the string data item: its length in UTF-16 units (uleb128), then the bytes
    let len = (run.len() - 6) as u32;
    run[..5].copy_from_slice(&uleb128_5(len));
    if terminated {
        if let Some(last) = run.last_mut() {
            *last = 0;
        }
    }
    let offsets = vec![data_at as u32; ids];
    let mut zip = ZipWriter::default();
    zip.deflated(
        "AndroidManifest.xml",
        &manifest("com.example.hostile.dex", None, 0),
    );
    zip.deflated("classes.dex", &dex::file(&offsets, &run));
    zip.finish()
}

/// (d) `aliases` entries `assets/pluginN.jar` listed over one local entry: a deflate stream of
/// `mib` MiB of zeros.
pub fn aliased_jars(aliases: usize, mib: u32) -> Vec<u8> {
    let mut zip = ZipWriter::default();
    zip.deflated(
        "AndroidManifest.xml",
        &manifest("com.example.hostile.jars", None, 0),
    );
    let bomb = Bomb::zeros(mib);
    let stream = zip.local("assets/plugin0.jar", 8, &bomb.stream, bomb.crc, bomb.size);
    for k in 0..aliases {
        zip.list(&format!("assets/plugin{k}.jar"), stream);
    }
    zip.finish()
}

/// (e) A v1-signed APK (`META-INF/MANIFEST.MF`, `CERT.SF`, `CERT.RSA`) whose signature block holds
/// `infos` SignerInfos with signatures that do not verify, under a self-made certificate with an
/// RSA key of `key_bits` bits (a multiple of 8, at least 1024). The manifest lists every entry
/// with its correct digest, so a verifier gets as far as the signer infos.
pub fn signer_infos(infos: usize, key_bits: usize) -> Vec<u8> {
    let android_manifest = manifest("com.example.hostile.signers", None, 0);
    let mf = format!(
        "Manifest-Version: 1.0\r\nCreated-By: ictguard hostile corpus\r\n\r\nName: AndroidManifest.xml\r\nSHA-256-Digest: {}\r\n\r\n",
        b64(&sha2::Sha256::digest(&android_manifest))
    );
    let sf = format!(
        "Signature-Version: 1.0\r\nCreated-By: ictguard hostile corpus\r\nSHA-256-Digest-Manifest: {}\r\n\r\n",
        b64(&sha2::Sha256::digest(mf.as_bytes()))
    );
    let block = pkcs7::signed_data(infos, key_bits.max(1024) / 8);
    let mut zip = ZipWriter::default();
    zip.deflated("AndroidManifest.xml", &android_manifest);
    zip.deflated("META-INF/MANIFEST.MF", mf.as_bytes());
    zip.deflated("META-INF/CERT.SF", sf.as_bytes());
    zip.stored("META-INF/CERT.RSA", &block);
    zip.finish()
}

/// (f) `bombs` distinct entries `assets/bombN.jar`, each its own deflate stream of a DEX file of
/// `mib` MiB (a header with empty tables, then zeros; checksum and signature left zero), padded
/// (with empty stored blocks) to stay under the 1000:1 ratio check. A DEX file inside a `.jar` is
/// what packers ship; a reader that keeps the DEX files it finds holds them all at once.
pub fn many_bombs(bombs: usize, mib: u32) -> Vec<u8> {
    let mut zip = ZipWriter::default();
    zip.deflated(
        "AndroidManifest.xml",
        &manifest("com.example.hostile.bombs", None, 0),
    );
    let mut header = dex::file(&[], &[]);
    header[8..32].fill(0);
    header[32..36].copy_from_slice(&(mib.clamp(1, 4095) << 20).to_le_bytes());
    let bomb = Bomb::starting_with(&header, mib);
    for k in 0..bombs {
        let name = format!("assets/bomb{k}.jar");
        let stream = zip.local(&name, 8, &bomb.stream, bomb.crc, bomb.size);
        zip.list(&name, stream);
    }
    zip.finish()
}

/// (g) A stored `resources.arsc` whose global string pool has `indexes` indexes, all naming one
/// string of 1 Mi characters that holds `://` (so a URL scan decodes it), and one string resource
/// `0x7f010000` whose value is that string, to which the manifest's `android:label` refers (so
/// reading the manifest reads the table).
pub fn arsc_strings(indexes: usize) -> Vec<u8> {
    let mut long = String::from("https://hostile.example/");
    long.extend(std::iter::repeat_n('a', (1 << 20) - long.len()));
    let global = res::string_pool(&[&long], &vec![0; indexes.max(1)]);
    let table = arsc::table(&global, "com.example.hostile.arsc", "string", "app_name");
    let mut zip = ZipWriter::default();
    zip.deflated(
        "AndroidManifest.xml",
        &manifest("com.example.hostile.arsc", Some(0x7f01_0000), 0),
    );
    zip.stored("resources.arsc", &table);
    zip.finish()
}

/// Standard base64, as JAR manifests write digests.
fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `v` as a uleb128 of exactly five bytes (padded with continuation bytes), so that its length is
/// known before the value.
fn uleb128_5(v: u32) -> [u8; 5] {
    let mut out = [0u8; 5];
    for (i, b) in out.iter_mut().enumerate() {
        *b = ((v >> (7 * i)) & 0x7f) as u8 | if i < 4 { 0x80 } else { 0 };
    }
    out
}

/// Bytes that look random and are the same on every run (xorshift64), for signatures and keys.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A raw deflate stream of zeros, its CRC-32 and its size.
struct Bomb {
    stream: Vec<u8>,
    crc: u32,
    size: u32,
}

impl Bomb {
    /// `mib` MiB of zeros (at most 4095); see [`Bomb::starting_with`].
    fn zeros(mib: u32) -> Bomb {
        Bomb::starting_with(&[], mib)
    }

    /// `mib` MiB (at most 4095, at least 1) that start with `head` (at most 1 MiB) and are zeros
    /// after it: the first MiB compressed on its own, then one compressed MiB of zeros repeated,
    /// then empty stored blocks (5 bytes each, producing nothing) so that the ratio of size to
    /// stream stays under 1000:1, then a final empty fixed-Huffman block.
    fn starting_with(head: &[u8], mib: u32) -> Bomb {
        let mib = mib.clamp(1, 4095);
        let mut first = vec![0u8; 1 << 20];
        let head = &head[..head.len().min(first.len())];
        first[..head.len()].copy_from_slice(head);
        let zeros = vec![0u8; 1 << 20];
        let size = mib << 20;
        let mut stream = Vec::with_capacity(1100 * mib as usize + 8);
        stream.extend(full_flush(&first));
        let chunk = full_flush(&zeros);
        for _ in 1..mib {
            stream.extend_from_slice(&chunk);
        }
        // at most 999:1, with a margin
        let wanted = (size as usize).div_ceil(990);
        while stream.len() + 2 < wanted {
            stream.extend_from_slice(&[0x00, 0x00, 0x00, 0xff, 0xff]);
        }
        // BFINAL = 1, BTYPE = 01 (fixed Huffman), end of block (7 zero bits): 10 bits
        stream.extend_from_slice(&[0x03, 0x00]);
        let mut one = flate2::Crc::new();
        one.update(&zeros);
        let mut crc = flate2::Crc::new();
        crc.update(&first);
        for _ in 1..mib {
            crc.combine(&one);
        }
        Bomb {
            stream,
            crc: crc.sum(),
            size,
        }
    }
}

/// `data` deflated with a full flush, which ends the output on a byte boundary (after an empty
/// stored block) and forgets the history: the output decodes alone, so such pieces can follow
/// one another in one stream.
fn full_flush(data: &[u8]) -> Vec<u8> {
    let mut compress = flate2::Compress::new(flate2::Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() / 500 + 1024);
    while (compress.total_in() as usize) < data.len() {
        let at = compress.total_in() as usize;
        if out.len() == out.capacity() {
            out.reserve(64 << 10);
        }
        let before = out.len();
        let status = compress.compress_vec(&data[at..], &mut out, flate2::FlushCompress::Full);
        if status.is_err() || (out.len() == before && compress.total_in() as usize == at) {
            break;
        }
    }
    // the flush marker may still be pending when the output filled up
    while out.len() == out.capacity() {
        out.reserve(64 << 10);
        let before = out.len();
        let _ = compress.compress_vec(&[], &mut out, flate2::FlushCompress::Full);
        if out.len() == before {
            break;
        }
    }
    out
}

/// Where a local entry sits and what a directory entry naming it must say.
#[derive(Debug, Clone, Copy)]
struct Local {
    header_offset: u32,
    method: u16,
    crc: u32,
    compressed: u32,
    uncompressed: u32,
}

/// A ZIP archive written by hand: local entries, then a central directory that may list any
/// local entry under any number of names (so that names alias one stream), then the end record.
#[derive(Default)]
struct ZipWriter {
    bytes: Vec<u8>,
    directory: Vec<(String, Local)>,
}

impl ZipWriter {
    const LOCAL: u32 = 0x0403_4b50;
    const CENTRAL: u32 = 0x0201_4b50;
    const END: u32 = 0x0605_4b50;
    /// 1980-01-01, the earliest date a ZIP can hold.
    const DOS_DATE: u16 = 0x0021;

    /// Write a local entry (header, then `data` as it is to be stored); it is not listed until
    /// [`ZipWriter::list`] names it.
    fn local(
        &mut self,
        name: &str,
        method: u16,
        data: &[u8],
        crc: u32,
        uncompressed: u32,
    ) -> Local {
        let local = Local {
            header_offset: self.bytes.len() as u32,
            method,
            crc,
            compressed: data.len() as u32,
            uncompressed,
        };
        let b = &mut self.bytes;
        b.extend(Self::LOCAL.to_le_bytes());
        b.extend(20u16.to_le_bytes()); // version needed
        b.extend(0u16.to_le_bytes()); // flags
        b.extend(method.to_le_bytes());
        b.extend(0u16.to_le_bytes()); // time
        b.extend(Self::DOS_DATE.to_le_bytes());
        b.extend(crc.to_le_bytes());
        b.extend(local.compressed.to_le_bytes());
        b.extend(uncompressed.to_le_bytes());
        b.extend((name.len() as u16).to_le_bytes());
        b.extend(0u16.to_le_bytes()); // extra length
        b.extend(name.as_bytes());
        b.extend(data);
        local
    }

    /// List `local` in the central directory as `name`.
    fn list(&mut self, name: &str, local: Local) {
        self.directory.push((name.to_string(), local));
    }

    /// Write and list an entry stored as it is.
    fn stored(&mut self, name: &str, data: &[u8]) {
        let local = self.local(name, 0, data, crc32(data), data.len() as u32);
        self.list(name, local);
    }

    /// Write and list an entry deflated.
    fn deflated(&mut self, name: &str, data: &[u8]) {
        use std::io::Write;
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        // writing to a vector cannot fail
        let packed = enc
            .write_all(data)
            .and_then(|()| enc.finish())
            .unwrap_or_default();
        let local = self.local(name, 8, &packed, crc32(data), data.len() as u32);
        self.list(name, local);
    }

    /// The central directory and the end record after the local entries: the archive.
    fn finish(mut self) -> Vec<u8> {
        let start = self.bytes.len() as u32;
        let b = &mut self.bytes;
        for (name, l) in &self.directory {
            b.extend(Self::CENTRAL.to_le_bytes());
            b.extend(20u16.to_le_bytes()); // version made by
            b.extend(20u16.to_le_bytes()); // version needed
            b.extend(0u16.to_le_bytes()); // flags
            b.extend(l.method.to_le_bytes());
            b.extend(0u16.to_le_bytes()); // time
            b.extend(Self::DOS_DATE.to_le_bytes());
            b.extend(l.crc.to_le_bytes());
            b.extend(l.compressed.to_le_bytes());
            b.extend(l.uncompressed.to_le_bytes());
            b.extend((name.len() as u16).to_le_bytes());
            b.extend([0u8; 8]); // extra and comment lengths, disk, internal attributes
            b.extend(0u32.to_le_bytes()); // external attributes
            b.extend(l.header_offset.to_le_bytes());
            b.extend(name.as_bytes());
        }
        let size = b.len() as u32 - start;
        let count = self.directory.len().min(0xffff) as u16;
        b.extend(Self::END.to_le_bytes());
        b.extend([0u8; 4]); // disk numbers
        b.extend(count.to_le_bytes());
        b.extend(count.to_le_bytes());
        b.extend(size.to_le_bytes());
        b.extend(start.to_le_bytes());
        b.extend(0u16.to_le_bytes()); // comment length
        self.bytes
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// The `ResChunk`s that binary XML and `resources.arsc` share (AOSP's `ResourceTypes.h`).
mod res {
    pub(super) const STRING_POOL: u16 = 0x0001;

    /// A chunk: type, header size, total size, then the rest of the header and the body.
    pub(super) fn chunk(kind: u16, header_rest: &[u8], body: &[u8]) -> Vec<u8> {
        let header = 8 + header_rest.len();
        let mut out = Vec::with_capacity(header + body.len());
        out.extend(kind.to_le_bytes());
        out.extend((header as u16).to_le_bytes());
        out.extend(((header + body.len()) as u32).to_le_bytes());
        out.extend(header_rest);
        out.extend(body);
        out
    }

    /// A UTF-16 string pool whose index `i` names `strings[slots[i]]`: with `slots` 0, 1, 2, …
    /// an ordinary pool; with many slots naming one string, the aliasing attackers write.
    pub(super) fn string_pool(strings: &[&str], slots: &[u32]) -> Vec<u8> {
        let mut data = Vec::new();
        let mut at = Vec::with_capacity(strings.len());
        for s in strings {
            at.push(data.len() as u32);
            let units: Vec<u16> = s.encode_utf16().collect();
            let n = units.len();
            if n > 0x7fff {
                // the long form: the high bit set on the first unit, 31 bits in all
                data.extend((0x8000 | (n >> 16) as u16).to_le_bytes());
                data.extend((n as u16).to_le_bytes());
            } else {
                data.extend((n as u16).to_le_bytes());
            }
            data.extend(units.iter().flat_map(|u| u.to_le_bytes()));
            data.extend([0, 0]);
        }
        while data.len() % 4 != 0 {
            data.push(0);
        }
        let header = 28u32;
        let strings_start = header + 4 * slots.len() as u32;
        let mut rest = Vec::with_capacity(20);
        rest.extend((slots.len() as u32).to_le_bytes());
        rest.extend(0u32.to_le_bytes()); // styles
        rest.extend(0u32.to_le_bytes()); // flags: UTF-16, not sorted
        rest.extend(strings_start.to_le_bytes());
        rest.extend(0u32.to_le_bytes()); // styles start
        let mut body = Vec::with_capacity(4 * slots.len() + data.len());
        for &s in slots {
            body.extend(at.get(s as usize).copied().unwrap_or(0).to_le_bytes());
        }
        body.extend(data);
        chunk(STRING_POOL, &rest, &body)
    }
}

/// The Android namespace.
const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";
/// `android:minSdkVersion`, `android:targetSdkVersion` and `android:label` (the resource map
/// names them by these ids).
const ATTR_IDS: [u32; 3] = [0x0101_020c, 0x0101_0270, 0x0101_0001];

/// A binary manifest: `<manifest package><uses-sdk minSdkVersion="21" targetSdkVersion="34"/>
/// <application android:label="@label"/></manifest>`, the label a reference when given; with
/// `long_attributes`, the application also has that many attributes whose name and string value
/// are one string of 1 Mi characters.
fn manifest(package: &str, label: Option<u32>, long_attributes: usize) -> Vec<u8> {
    // the attribute names first, in the order of the resource map
    let long = "A".repeat(if long_attributes > 0 { 1 << 20 } else { 0 });
    let strings = [
        "minSdkVersion",
        "targetSdkVersion",
        "label",
        "android",
        ANDROID_NS,
        "manifest",
        "package",
        package,
        "uses-sdk",
        "application",
        long.as_str(),
    ];
    let (min_sdk, target_sdk, label_name, prefix, uri) = (0, 1, 2, 3, 4);
    let (manifest_tag, package_name, package_value, uses_sdk, application, long_at) =
        (5, 6, 7, 8, 9, 10);
    let slots: Vec<u32> = (0..strings.len() as u32).collect();
    let none = u32::MAX;
    let int = |name, v| axml::Attr {
        ns: uri,
        name,
        raw: none,
        kind: 0x10,
        data: v,
    };
    let mut app_attrs = Vec::new();
    if let Some(id) = label {
        app_attrs.push(axml::Attr {
            ns: uri,
            name: label_name,
            raw: none,
            kind: 0x01,
            data: id,
        });
    }
    app_attrs.extend((0..long_attributes).map(|_| axml::Attr {
        ns: none,
        name: long_at,
        raw: long_at,
        kind: 0x03,
        data: long_at,
    }));
    let package_attr = axml::Attr {
        ns: none,
        name: package_name,
        raw: package_value,
        kind: 0x03,
        data: package_value,
    };
    axml::document(
        &res::string_pool(&strings, &slots),
        &ATTR_IDS,
        &[
            axml::start_namespace(prefix, uri),
            axml::start_element(manifest_tag, &[package_attr]),
            axml::start_element(uses_sdk, &[int(min_sdk, 21), int(target_sdk, 34)]),
            axml::end_element(uses_sdk),
            axml::start_element(application, &app_attrs),
            axml::end_element(application),
            axml::end_element(manifest_tag),
            axml::end_namespace(prefix, uri),
        ],
    )
}

/// Android binary XML (`ResXMLTree`): the document chunk, a resource map, and nodes.
mod axml {
    use super::res::chunk;

    const XML: u16 = 0x0003;
    const START_NAMESPACE: u16 = 0x0100;
    const END_NAMESPACE: u16 = 0x0101;
    const START_ELEMENT: u16 = 0x0102;
    const END_ELEMENT: u16 = 0x0103;
    const RESOURCE_MAP: u16 = 0x0180;

    /// An attribute: namespace, name and raw value as string indexes (`u32::MAX` for none), and
    /// its typed value (`Res_value` type and data).
    pub(super) struct Attr {
        pub ns: u32,
        pub name: u32,
        pub raw: u32,
        pub kind: u8,
        pub data: u32,
    }

    /// The document: its string pool, the resource ids of its first strings, then the nodes.
    pub(super) fn document(pool: &[u8], resource_ids: &[u32], nodes: &[Vec<u8>]) -> Vec<u8> {
        let map: Vec<u8> = resource_ids
            .iter()
            .flat_map(|id| id.to_le_bytes())
            .collect();
        let mut body = pool.to_vec();
        body.extend(chunk(RESOURCE_MAP, &[], &map));
        for n in nodes {
            body.extend(n);
        }
        chunk(XML, &[], &body)
    }

    /// A node's header: line number and comment (none).
    fn node_header() -> Vec<u8> {
        let mut h = 1u32.to_le_bytes().to_vec();
        h.extend(u32::MAX.to_le_bytes());
        h
    }

    fn pair(a: u32, b: u32) -> Vec<u8> {
        let mut v = a.to_le_bytes().to_vec();
        v.extend(b.to_le_bytes());
        v
    }

    pub(super) fn start_namespace(prefix: u32, uri: u32) -> Vec<u8> {
        chunk(START_NAMESPACE, &node_header(), &pair(prefix, uri))
    }

    pub(super) fn end_namespace(prefix: u32, uri: u32) -> Vec<u8> {
        chunk(END_NAMESPACE, &node_header(), &pair(prefix, uri))
    }

    /// An element without namespace.
    pub(super) fn start_element(name: u32, attrs: &[Attr]) -> Vec<u8> {
        let mut body = pair(u32::MAX, name);
        body.extend(20u16.to_le_bytes()); // attributes start, after this extension
        body.extend(20u16.to_le_bytes()); // attribute size
        body.extend((attrs.len().min(0xffff) as u16).to_le_bytes());
        body.extend([0u8; 6]); // id, class and style attribute indexes: none
        for a in attrs.iter().take(0xffff) {
            body.extend(a.ns.to_le_bytes());
            body.extend(a.name.to_le_bytes());
            body.extend(a.raw.to_le_bytes());
            body.extend(8u16.to_le_bytes()); // Res_value size
            body.push(0);
            body.push(a.kind);
            body.extend(a.data.to_le_bytes());
        }
        chunk(START_ELEMENT, &node_header(), &body)
    }

    pub(super) fn end_element(name: u32) -> Vec<u8> {
        chunk(END_ELEMENT, &node_header(), &pair(u32::MAX, name))
    }
}

/// `resources.arsc`: a table of one package with one type and one entry.
mod arsc {
    use super::res::{chunk, string_pool};

    const TABLE: u16 = 0x0002;
    const PACKAGE: u16 = 0x0200;
    const TYPE: u16 = 0x0201;
    const TYPE_SPEC: u16 = 0x0202;
    /// The size of a `ResTable_config` as aapt2 writes it.
    const CONFIG_SIZE: u32 = 64;

    /// A table over the global string pool `global`, with package 0x7f named `package` holding
    /// resource `0x7f010000` (type `type_name`, key `key`) whose value is string 0 of the pool.
    pub(super) fn table(global: &[u8], package: &str, type_name: &str, key: &str) -> Vec<u8> {
        let types = string_pool(&[type_name], &[0]);
        let keys = string_pool(&[key], &[0]);
        // typeSpec: id 1, one entry, no configuration flags
        let mut spec_rest = vec![1u8, 0, 0, 0];
        spec_rest.extend(1u32.to_le_bytes());
        let spec = chunk(TYPE_SPEC, &spec_rest, &0u32.to_le_bytes());
        // type: id 1, one entry, the default configuration (all zero)
        let header = 8 + 12 + CONFIG_SIZE;
        let mut type_rest = vec![1u8, 0, 0, 0];
        type_rest.extend(1u32.to_le_bytes());
        type_rest.extend((header + 4).to_le_bytes()); // entries start, after one offset
        type_rest.extend(CONFIG_SIZE.to_le_bytes());
        type_rest.extend(vec![0u8; CONFIG_SIZE as usize - 4]);
        let mut entries = 0u32.to_le_bytes().to_vec(); // entry 0 at offset 0
        entries.extend(8u16.to_le_bytes()); // entry size
        entries.extend(0u16.to_le_bytes()); // flags
        entries.extend(0u32.to_le_bytes()); // key 0
        entries.extend(8u16.to_le_bytes()); // Res_value size
        entries.push(0);
        entries.push(0x03); // a string
        entries.extend(0u32.to_le_bytes()); // string 0 of the global pool
        let kind = chunk(TYPE, &type_rest, &entries);
        // the package header: id, name (128 UTF-16 units), where its type and key pools are
        let header = 288u32;
        let mut rest = 0x7fu32.to_le_bytes().to_vec();
        let mut name: Vec<u16> = package.encode_utf16().take(127).collect();
        name.resize(128, 0);
        rest.extend(name.iter().flat_map(|u| u.to_le_bytes()));
        rest.extend(header.to_le_bytes()); // type strings
        rest.extend(1u32.to_le_bytes()); // last public type
        rest.extend((header + types.len() as u32).to_le_bytes()); // key strings
        rest.extend(1u32.to_le_bytes()); // last public key
        rest.extend(0u32.to_le_bytes()); // type id offset
        let mut body = types;
        body.extend(keys);
        body.extend(spec);
        body.extend(kind);
        let package = chunk(PACKAGE, &rest, &body);
        let mut table_body = global.to_vec();
        table_body.extend(package);
        chunk(TABLE, &1u32.to_le_bytes(), &table_body)
    }
}

/// A DEX file with only a header, string ids and data.
mod dex {
    use sha1::Digest;

    pub(super) const HEADER: usize = 0x70;

    /// A version 035 DEX file whose string ids are `offsets` (file offsets of string data items)
    /// and whose data section, right after them, is `data`; checksum and signature are correct.
    pub(super) fn file(offsets: &[u32], data: &[u8]) -> Vec<u8> {
        let ids_at = HEADER as u32;
        let data_at = ids_at + 4 * offsets.len() as u32;
        let size = data_at + data.len() as u32;
        let mut f = Vec::with_capacity(size as usize);
        f.extend(b"dex\n035\0");
        f.extend([0u8; 4 + 20]); // checksum and signature, filled in last
        f.extend(size.to_le_bytes());
        f.extend((HEADER as u32).to_le_bytes());
        f.extend(0x1234_5678u32.to_le_bytes()); // endian tag
        f.extend([0u8; 12]); // link size and offset, map offset
        f.extend((offsets.len() as u32).to_le_bytes());
        f.extend(ids_at.to_le_bytes());
        f.extend([0u8; 40]); // type, proto, field, method and class tables: empty
        f.extend((data.len() as u32).to_le_bytes());
        f.extend(data_at.to_le_bytes());
        f.extend(offsets.iter().flat_map(|o| o.to_le_bytes()));
        f.extend(data);
        let signature = sha1::Sha1::digest(&f[32..]);
        f[12..32].copy_from_slice(&signature);
        let checksum = adler32(&f[12..]);
        f[8..12].copy_from_slice(&checksum.to_le_bytes());
        f
    }

    fn adler32(data: &[u8]) -> u32 {
        const MOD: u32 = 65_521;
        let (mut a, mut b) = (1u32, 0u32);
        // 5552 bytes is the most that cannot overflow before the reduction
        for block in data.chunks(5552) {
            for &x in block {
                a += u32::from(x);
                b += a;
            }
            a %= MOD;
            b %= MOD;
        }
        (b << 16) | a
    }
}

/// A PKCS#7 SignedData (the v1 signature block) with a self-made certificate, written as DER.
mod pkcs7 {
    use super::noise;

    /// An element: tag, definite length, contents.
    fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
        let n = contents.len();
        let mut out = vec![tag];
        if n < 0x80 {
            out.push(n as u8);
        } else {
            let bytes = (n as u32).to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            out.push(0x80 | (4 - skip) as u8);
            out.extend(&bytes[skip..]);
        }
        out.extend(contents);
        out
    }

    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    fn set(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x31, &parts.concat())
    }

    /// An OBJECT IDENTIFIER from its arcs.
    fn oid(arcs: &[u64]) -> Vec<u8> {
        let mut body = Vec::new();
        let first = arcs.first().copied().unwrap_or(0) * 40 + arcs.get(1).copied().unwrap_or(0);
        for &arc in std::iter::once(&first).chain(arcs.iter().skip(2)) {
            let mut groups = vec![(arc & 0x7f) as u8];
            let mut rest = arc >> 7;
            while rest > 0 {
                groups.push(0x80 | (rest & 0x7f) as u8);
                rest >>= 7;
            }
            body.extend(groups.iter().rev());
        }
        tlv(0x06, &body)
    }

    /// A non-negative INTEGER from big-endian bytes.
    fn uint(bytes: &[u8]) -> Vec<u8> {
        let mut body = bytes.to_vec();
        if body.first().is_none_or(|b| b & 0x80 != 0) {
            body.insert(0, 0);
        }
        tlv(0x02, &body)
    }

    /// An AlgorithmIdentifier with NULL parameters.
    fn algorithm(arcs: &[u64]) -> Vec<u8> {
        seq(&[&oid(arcs), &[0x05, 0x00]])
    }

    const RSA: &[u64] = &[1, 2, 840, 113_549, 1, 1, 1];
    const SHA256_WITH_RSA: &[u64] = &[1, 2, 840, 113_549, 1, 1, 11];
    const SHA256: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 2, 1];
    const SIGNED_DATA: &[u64] = &[1, 2, 840, 113_549, 1, 7, 2];
    const DATA: &[u64] = &[1, 2, 840, 113_549, 1, 7, 1];
    const COMMON_NAME: &[u64] = &[2, 5, 4, 3];

    /// A ContentInfo holding a SignedData: one certificate with an RSA key of `key_bytes` bytes,
    /// and `infos` SignerInfos naming it, each with a different signature that does not verify
    /// (a number below the modulus, so that checking it costs the whole RSA operation).
    pub(super) fn signed_data(infos: usize, key_bytes: usize) -> Vec<u8> {
        let name = seq(&[&set(&[&seq(&[
            &oid(COMMON_NAME),
            &tlv(0x0c, b"ictguard hostile corpus"),
        ])])]);
        let serial = uint(&[0x4e, 0x0d, 0x15, 0xea]);
        // an odd modulus with its top bits set: a key RSA libraries accept (it need not be a
        // product of two primes for anyone to check a signature with it)
        let mut modulus = noise(0x5eed_cafe, key_bytes);
        modulus[0] |= 0xc0;
        if let Some(last) = modulus.last_mut() {
            *last |= 1;
        }
        let rsa_key = seq(&[&uint(&modulus), &uint(&[0x01, 0x00, 0x01])]);
        let mut key_bits = vec![0u8]; // no unused bits
        key_bits.extend(&rsa_key);
        let spki = seq(&[&algorithm(RSA), &tlv(0x03, &key_bits)]);
        let validity = seq(&[&tlv(0x17, b"250101000000Z"), &tlv(0x17, b"491231235959Z")]);
        let tbs = seq(&[
            &tlv(0xa0, &uint(&[2])),
            &serial,
            &algorithm(SHA256_WITH_RSA),
            &name,
            &validity,
            &name,
            &spki,
        ]);
        let mut cert_signature = vec![0u8];
        cert_signature.extend(noise(7, key_bytes));
        let certificate = seq(&[
            &tbs,
            &algorithm(SHA256_WITH_RSA),
            &tlv(0x03, &cert_signature),
        ]);

        let sid = seq(&[&name, &serial]);
        let (version, digest, signature_alg) = (uint(&[1]), algorithm(SHA256), algorithm(RSA));
        let mut signer_infos = Vec::with_capacity(infos * (key_bytes + 96));
        for i in 0..infos {
            let mut signature = noise(0x9e37_79b9 ^ ((i as u64) << 20), key_bytes);
            signature[0] = 0x01; // below the modulus
            signer_infos.extend(seq(&[
                &version,
                &sid,
                &digest,
                &signature_alg,
                &tlv(0x04, &signature),
            ]));
        }
        let signed = seq(&[
            &version,
            &set(&[&digest]),
            &seq(&[&oid(DATA)]),
            &tlv(0xa0, &certificate),
            &tlv(0x31, &signer_infos),
        ]);
        seq(&[&oid(SIGNED_DATA), &tlv(0xa0, &signed)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Apk, Zip};

    #[test]
    fn a_bomb_inflates_to_exactly_its_size_with_its_crc() {
        let bomb = Bomb::starting_with(b"dex\n035\0", 3);
        let mut dec = flate2::Decompress::new(false);
        let mut out = Vec::with_capacity(4 << 20);
        let status = dec
            .decompress_vec(&bomb.stream, &mut out, flate2::FlushDecompress::Finish)
            .unwrap();
        assert_eq!(status, flate2::Status::StreamEnd);
        assert_eq!(
            dec.total_in() as usize,
            bomb.stream.len(),
            "no trailing bytes"
        );
        assert_eq!(out.len(), 3 << 20);
        assert!(out.starts_with(b"dex\n035\0"));
        assert!(out[8..].iter().all(|b| *b == 0));
        assert_eq!(crc32(&out), bomb.crc);
        // under the ratio check, with little to spare
        let ratio = u64::from(bomb.size) / bomb.stream.len() as u64;
        assert!((900..1000).contains(&ratio), "{ratio}");
    }

    #[test]
    fn every_file_opens_and_carries_its_attack() {
        let corpus = corpus();
        assert_eq!(corpus.len(), 7);
        for h in &corpus {
            assert!(
                h.bytes.len() <= 12 << 20,
                "{}: {} bytes",
                h.name,
                h.bytes.len()
            );
            let zip = Zip::parse(&h.bytes).unwrap_or_else(|e| panic!("{}: {e}", h.name));
            match Apk::parse(&h.bytes) {
                Ok(apk) => assert!(
                    apk.manifest
                        .package
                        .as_deref()
                        .is_some_and(|p| p.starts_with("com.example.hostile.")),
                    "{}",
                    h.name
                ),
                // the one attack on the manifest itself stops its parser
                Err(e) => assert!(
                    h.name == "manifest-strings" && e.to_string().contains("analysis stopped"),
                    "{}: {e}",
                    h.name
                ),
            }
            let names = |prefix: &str| {
                zip.entries()
                    .iter()
                    .filter(|e| e.name.starts_with(prefix))
                    .count()
            };
            match h.name {
                "overlapping-dex" => {
                    assert_eq!(names("classes"), 16);
                    assert_eq!(zip.overlap_count, 15);
                }
                "aliased-jars" => {
                    assert_eq!(names("assets/plugin"), 20_000);
                    assert_eq!(zip.overlap_count, 19_999);
                }
                "many-bombs" => {
                    assert_eq!(names("assets/bomb"), 30);
                    assert_eq!(zip.overlap_count, 0, "distinct streams");
                    let bomb = zip.read_by_name("assets/bomb29.jar").unwrap().unwrap();
                    assert_eq!(bomb.len(), 100 << 20);
                    let dex = crate::dex::Dex::parse(&bomb).unwrap();
                    assert_eq!(dex.string_count(), 0);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn the_manifest_is_what_android_reads() {
        let doc = crate::axml::parse(&manifest("com.example.m", Some(0x7f01_0000), 0)).unwrap();
        let m = crate::Manifest::from_document(&doc);
        assert_eq!(m.package.as_deref(), Some("com.example.m"));
        assert_eq!((m.min_sdk, m.target_sdk), (Some(21), Some(34)));
        let app = doc
            .root
            .elements()
            .find(|e| e.name == "application")
            .unwrap();
        assert_eq!(
            app.android_attr(0x0101_0001, "label"),
            Some(&crate::axml::Value::Reference(0x7f01_0000))
        );
    }

    #[test]
    fn the_resource_table_resolves_the_label_to_the_long_string() {
        let bytes = arsc_strings(1_000);
        let apk = Apk::parse(&bytes).unwrap();
        let table = apk.resources().unwrap().unwrap();
        let Some(crate::axml::Value::String(s)) = table.resolve(0x7f01_0000) else {
            panic!("no string");
        };
        assert!(s.starts_with("https://hostile.example/aaa"));
        assert_eq!(s.chars().count(), 1 << 20);
        assert_eq!(table.package_names(), ["com.example.hostile.arsc"]);
    }

    #[test]
    fn every_dex_string_id_names_one_long_string() {
        for terminated in [true, false] {
            let bytes = dex_strings(64 << 10, terminated);
            let zip = Zip::parse(&bytes).unwrap();
            let data = zip.read_by_name("classes.dex").unwrap().unwrap();
            assert_eq!(data.len(), 64 << 10);
            let dex = crate::dex::Dex::parse(&data).unwrap();
            assert_eq!(dex.string_count(), ((64 << 10) - 0x70) / 8);
            let first = dex.string_bytes(0);
            if terminated {
                let s = first.unwrap();
                assert!(s.len() > 30_000 && s.iter().all(|b| *b == b'A'));
                assert_eq!(dex.string_bytes(1).map(<[u8]>::len), Some(s.len()));
            } else {
                assert_eq!(first, None, "no end");
            }
        }
    }

    #[test]
    fn the_signature_block_holds_every_signer_info_under_a_readable_certificate() {
        let bytes = signer_infos(40, 2048);
        let zip = Zip::parse(&bytes).unwrap();
        let block = zip.read_by_name("META-INF/CERT.RSA").unwrap().unwrap();
        let certs = crate::der::pkcs7_certificates(&block).unwrap();
        assert_eq!(certs.len(), 1);
        let cert = crate::cert::Certificate::parse(certs[0]);
        assert_eq!(cert.key_bits, Some(2048), "{cert:?}");
        let ci = crate::der::read(&block).unwrap();
        let explicit = crate::der::children(ci.contents).nth(1).unwrap();
        let sd = crate::der::read(explicit.contents).unwrap();
        let infos = crate::der::children(sd.contents)
            .filter(|t| t.tag == 0x31)
            .last()
            .unwrap();
        assert_eq!(crate::der::children(infos.contents).count(), 40);
        // the verifier reaches the signer infos, and stops at its limit
        let sig = crate::signing::read_signatures(&zip);
        let v1 = sig.verification.iter().find(|v| v.scheme == "v1").unwrap();
        assert!(!v1.verified);
        assert!(format!("{v1:?}").contains("signer infos"), "{v1:?}");
    }
}
