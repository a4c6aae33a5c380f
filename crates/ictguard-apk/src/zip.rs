//! The ZIP container of an APK, read the way Android's installer reads it.
//!
//! Android trusts the central directory: entry names, sizes and compression methods come from it,
//! and the local header is read only to find where the data starts. Flags that other tools choke on
//! (the "encrypted" bit, a data-descriptor bit, local headers that disagree with the directory) are
//! ignored as Android ignores them. Safety comes from limits instead: the number of entries, the size
//! of any entry read, and its compression ratio (zip bombs).
//!
//! Written here rather than taken from the `zip` crate because an APK reader needs what a general
//! ZIP library hides: the offset of the central directory (the APK Signing Block sits just before
//! it), Android's tolerance rules rather than the specification's strictness, and borrowing from
//! the input instead of owning a reader.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::Serialize;

/// Most entries an archive may list.
pub const MAX_ENTRIES: usize = 200_000;
/// Largest entry that will be decompressed.
pub const MAX_ENTRY_BYTES: u64 = 1 << 30;
/// Largest compression ratio accepted for entries over [`RATIO_FLOOR`] bytes.
pub const MAX_RATIO: u64 = 1_000;
/// Entries smaller than this (uncompressed) are exempt from the ratio check.
pub const RATIO_FLOOR: u64 = 1 << 20;
/// Most memory set aside for an entry before inflating it (its declared size may be a lie); the
/// buffer grows past this only as the data really inflates.
const INITIAL_ROOM: u64 = 64 << 20;
/// Size of the pieces [`Zip::stream`] hands over.
const STREAM_PIECE: usize = 64 << 10;

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const CDH_SIG: u32 = 0x0201_4b50;
const LFH_SIG: u32 = 0x0403_4b50;

/// What can go wrong reading the container.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    /// No end-of-central-directory record: not a ZIP file.
    #[error("not a ZIP archive: no end of central directory record")]
    NotZip,
    /// A structure runs past the end of the file or is inconsistent.
    #[error("malformed ZIP: {0}")]
    Malformed(String),
    /// Too many entries.
    #[error("the archive lists {0} entries; the limit is {MAX_ENTRIES}")]
    TooManyEntries(u64),
    /// An entry is too big or compressed suspiciously well.
    #[error("entry {name:?}: {why}")]
    Limit {
        /// The entry.
        name: String,
        /// Which limit.
        why: String,
    },
    /// A compression method Android does not support.
    #[error("entry {name:?}: unsupported compression method {method}")]
    Method {
        /// The entry.
        name: String,
        /// The method number.
        method: u16,
    },
    /// The compressed data does not inflate.
    #[error("entry {name:?}: {why}")]
    Corrupt {
        /// The entry.
        name: String,
        /// What failed.
        why: String,
    },
}

/// One central-directory entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The name (UTF-8, lossily decoded).
    pub name: String,
    /// Compression method (0 stored, 8 deflate).
    pub method: u16,
    /// General-purpose flags (kept for reporting; ignored as Android ignores them).
    pub flags: u16,
    /// CRC-32 of the uncompressed data.
    pub crc32: u32,
    /// Compressed size.
    pub compressed_size: u64,
    /// Uncompressed size.
    pub uncompressed_size: u64,
    /// Offset of the local file header.
    pub local_header_offset: u64,
}

impl Entry {
    /// True when the name could escape an extraction directory (`..`, absolute paths, drive letters).
    /// ictguard never extracts, but reports these: they are a sign of a crafted archive.
    pub fn is_suspicious_path(&self) -> bool {
        let n = &self.name;
        n.starts_with('/')
            || n.starts_with('\\')
            || n.as_bytes().get(1) == Some(&b':')
            || n.split(['/', '\\']).any(|part| part == "..")
    }
}

/// A ZIP archive borrowed from its bytes.
#[derive(Debug, Clone)]
pub struct Zip<'a> {
    data: &'a [u8],
    entries: Vec<Entry>,
    /// Offset of the central directory (the APK Signing Block ends here).
    pub central_directory_offset: u64,
    /// Size of the central directory.
    pub central_directory_size: u64,
    /// Offset of the end-of-central-directory record.
    pub eocd_offset: u64,
    /// Names that appear more than once (Android rejects these since version 9).
    pub duplicate_names: Vec<String>,
    /// The entries [`Zip::read_shared`] keeps once read: none until [`Zip::keep_root_dex`].
    kept: Kept<'a>,
}

/// An entry's uncompressed bytes, or why they cannot be had.
type EntryRead<'a> = Result<Cow<'a, [u8]>, ZipError>;

/// Kept entries and their bytes once read, in local-header order (matched by the whole entry,
/// since a crafted directory can point two entries at one local header). Its `Debug` does not
/// print the bytes, and a clone starts empty-handed.
#[derive(Default)]
struct Kept<'a>(Vec<(Entry, OnceLock<EntryRead<'a>>)>);

impl Clone for Kept<'_> {
    fn clone(&self) -> Self {
        Kept(
            self.0
                .iter()
                .map(|(e, _)| (e.clone(), OnceLock::new()))
                .collect(),
        )
    }
}

impl std::fmt::Debug for Kept<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let read = self
            .0
            .iter()
            .filter(|(_, slot)| slot.get().is_some())
            .count();
        write!(f, "{} kept entries ({read} read)", self.0.len())
    }
}

/// True for a root `classes.dex`, `classes2.dex`, …: the code Android loads.
pub fn is_root_dex(name: &str) -> bool {
    !name.contains('/') && name.starts_with("classes") && name.ends_with(".dex")
}

fn u16_at(d: &[u8], off: usize) -> Option<u16> {
    d.get(off..off.checked_add(2)?)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], off: usize) -> Option<u32> {
    d.get(off..off.checked_add(4)?)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn u64_at(d: &[u8], off: usize) -> Option<u64> {
    d.get(off..off.checked_add(8)?).map(|b| {
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        u64::from_le_bytes(a)
    })
}

fn bad(what: &str) -> ZipError {
    ZipError::Malformed(what.to_string())
}

impl<'a> Zip<'a> {
    /// Read the central directory.
    pub fn parse(data: &'a [u8]) -> Result<Zip<'a>, ZipError> {
        let eocd = find_eocd(data).ok_or(ZipError::NotZip)?;
        let mut count =
            u64::from(u16_at(data, eocd + 10).ok_or_else(|| bad("truncated end record"))?);
        let mut cd_size =
            u64::from(u32_at(data, eocd + 12).ok_or_else(|| bad("truncated end record"))?);
        let mut cd_offset =
            u64::from(u32_at(data, eocd + 16).ok_or_else(|| bad("truncated end record"))?);
        // ZIP64: a locator just before the end record points at the 64-bit end record
        if eocd >= 20 && u32_at(data, eocd - 20) == Some(EOCD64_LOCATOR_SIG) {
            let rec = u64_at(data, eocd - 12).ok_or_else(|| bad("truncated ZIP64 locator"))?;
            let rec = usize::try_from(rec).map_err(|_| bad("ZIP64 record offset out of range"))?;
            if u32_at(data, rec) == Some(EOCD64_SIG) {
                count = u64_at(data, rec + 32).ok_or_else(|| bad("truncated ZIP64 end record"))?;
                cd_size =
                    u64_at(data, rec + 40).ok_or_else(|| bad("truncated ZIP64 end record"))?;
                cd_offset =
                    u64_at(data, rec + 48).ok_or_else(|| bad("truncated ZIP64 end record"))?;
            }
        }
        if count > MAX_ENTRIES as u64 {
            return Err(ZipError::TooManyEntries(count));
        }
        let start =
            usize::try_from(cd_offset).map_err(|_| bad("central directory offset out of range"))?;
        let end = start
            .checked_add(
                usize::try_from(cd_size).map_err(|_| bad("central directory size out of range"))?,
            )
            .filter(|e| *e <= eocd)
            .ok_or_else(|| bad("central directory runs past the end record"))?;
        let cd = &data[start..end];
        let mut entries = Vec::with_capacity(count as usize);
        let mut pos = 0usize;
        // The count in the end record is advisory: Android walks the directory it was given.
        while pos + 46 <= cd.len() && entries.len() < MAX_ENTRIES {
            if u32_at(cd, pos) != Some(CDH_SIG) {
                return Err(bad(&format!(
                    "bad central directory header at offset {}",
                    start + pos
                )));
            }
            let method = u16_at(cd, pos + 10).unwrap_or(0);
            let flags = u16_at(cd, pos + 8).unwrap_or(0);
            let crc32 = u32_at(cd, pos + 16).unwrap_or(0);
            let mut csize = u64::from(u32_at(cd, pos + 20).unwrap_or(0));
            let mut usize_ = u64::from(u32_at(cd, pos + 24).unwrap_or(0));
            let name_len = usize::from(u16_at(cd, pos + 28).unwrap_or(0));
            let extra_len = usize::from(u16_at(cd, pos + 30).unwrap_or(0));
            let comment_len = usize::from(u16_at(cd, pos + 32).unwrap_or(0));
            let mut lho = u64::from(u32_at(cd, pos + 42).unwrap_or(0));
            let name_start = pos + 46;
            let extra_start = name_start + name_len;
            let next = extra_start + extra_len + comment_len;
            let name = cd
                .get(name_start..extra_start)
                .ok_or_else(|| bad("entry name runs past the directory"))?;
            let extra = cd
                .get(extra_start..extra_start + extra_len)
                .ok_or_else(|| bad("extra field runs past the directory"))?;
            // ZIP64 extended information: the fields that are 0xFFFFFFFF, in order
            let mut e = 0;
            while e + 4 <= extra.len() {
                let id = u16_at(extra, e).unwrap_or(0);
                let len = usize::from(u16_at(extra, e + 2).unwrap_or(0));
                let body = extra.get(e + 4..e + 4 + len).unwrap_or(&[]);
                if id == 0x0001 {
                    let mut b = 0;
                    for field in [&mut usize_, &mut csize, &mut lho] {
                        if *field == 0xFFFF_FFFF {
                            if let Some(v) = u64_at(body, b) {
                                *field = v;
                                b += 8;
                            }
                        }
                    }
                }
                e += 4 + len;
            }
            entries.push(Entry {
                name: String::from_utf8_lossy(name).into_owned(),
                method,
                flags,
                crc32,
                compressed_size: csize,
                uncompressed_size: usize_,
                local_header_offset: lho,
            });
            pos = next;
        }
        let mut seen = std::collections::HashSet::new();
        let mut duplicate_names = Vec::new();
        for e in &entries {
            if !seen.insert(e.name.as_str()) {
                duplicate_names.push(e.name.clone());
            }
        }
        Ok(Zip {
            data,
            entries,
            central_directory_offset: cd_offset,
            central_directory_size: cd_size,
            eocd_offset: eocd as u64,
            duplicate_names,
            kept: Kept::default(),
        })
    }

    /// The bytes the archive was read from.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Every entry, in directory order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The first entry with this name.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The raw (still compressed) bytes of an entry.
    pub fn raw(&self, entry: &Entry) -> Result<&'a [u8], ZipError> {
        let lho = usize::try_from(entry.local_header_offset)
            .map_err(|_| bad("local header offset out of range"))?;
        if u32_at(self.data, lho) != Some(LFH_SIG) {
            return Err(ZipError::Corrupt {
                name: entry.name.clone(),
                why: "no local file header where the directory points".into(),
            });
        }
        let name_len =
            usize::from(u16_at(self.data, lho + 26).ok_or_else(|| bad("truncated local header"))?);
        let extra_len =
            usize::from(u16_at(self.data, lho + 28).ok_or_else(|| bad("truncated local header"))?);
        let start = lho + 30 + name_len + extra_len;
        let len =
            usize::try_from(entry.compressed_size).map_err(|_| bad("entry size out of range"))?;
        start
            .checked_add(len)
            .and_then(|end| self.data.get(start..end))
            .ok_or_else(|| ZipError::Corrupt {
                name: entry.name.clone(),
                why: "data runs past the end of the file".into(),
            })
    }

    /// The uncompressed bytes of an entry, checked against the size limits.
    pub fn read(&self, entry: &Entry) -> Result<Cow<'a, [u8]>, ZipError> {
        if let Some(stored) = self.stored_bytes(entry)? {
            return Ok(Cow::Borrowed(stored));
        }
        let mut out = Vec::new();
        self.inflate(entry, usize::MAX, &mut |whole| out = std::mem::take(whole))?;
        Ok(Cow::Owned(out))
    }

    /// From now on, keep each root DEX file's bytes once read, for every later reader: when an
    /// APK is vetted both the v1 signature's digests and the code scan read them, and they are
    /// the largest entries to inflate. Only for a caller that holds them all anyway (the scan
    /// does); otherwise the v1 check streams them in pieces.
    pub fn keep_root_dex(&mut self) {
        let mut kept: Vec<(Entry, OnceLock<EntryRead<'a>>)> = self
            .entries
            .iter()
            .filter(|e| is_root_dex(&e.name))
            .map(|e| (e.clone(), OnceLock::new()))
            .collect();
        kept.sort_by_key(|(e, _)| e.local_header_offset);
        self.kept = Kept(kept);
    }

    /// True when [`Zip::read_shared`] keeps this entry's bytes once read.
    pub fn keeps(&self, entry: &Entry) -> bool {
        self.kept_slot(entry).is_some()
    }

    fn kept_slot(&self, entry: &Entry) -> Option<&OnceLock<EntryRead<'a>>> {
        let kept = &self.kept.0;
        let first =
            kept.partition_point(|(e, _)| e.local_header_offset < entry.local_header_offset);
        kept[first..]
            .iter()
            .take_while(|(e, _)| e.local_header_offset == entry.local_header_offset)
            .find(|(e, _)| e == entry)
            .map(|(_, slot)| slot)
    }

    /// The uncompressed bytes of an entry, as [`Zip::read`] gives them; an entry this archive
    /// [keeps](Zip::keeps) is inflated by the first reader only (others on other threads wait for
    /// it) and then lent to every reader until the archive is dropped.
    pub fn read_shared(&self, entry: &Entry) -> Result<Cow<'_, [u8]>, ZipError> {
        match self.kept_slot(entry) {
            Some(slot) => match slot.get_or_init(|| self.read(entry)) {
                Ok(bytes) => Ok(Cow::Borrowed(bytes)),
                Err(e) => Err(e.clone()),
            },
            None => self.read(entry),
        }
    }

    /// Feed the uncompressed bytes of an entry to `sink` piece by piece, with the limits of
    /// [`Zip::read`] but without holding the whole entry in memory (for digests of large entries).
    pub fn stream(&self, entry: &Entry, sink: &mut dyn FnMut(&[u8])) -> Result<(), ZipError> {
        match self.stored_bytes(entry)? {
            Some(stored) => {
                sink(stored);
                Ok(())
            }
            None => self.inflate(entry, STREAM_PIECE, &mut |piece| sink(piece)),
        }
    }

    /// The size and ratio checks; then the bytes themselves when the entry is stored (or None when
    /// it must be inflated).
    fn stored_bytes(&self, entry: &Entry) -> Result<Option<&'a [u8]>, ZipError> {
        let limit = |why: String| ZipError::Limit {
            name: entry.name.clone(),
            why,
        };
        if entry.uncompressed_size > MAX_ENTRY_BYTES {
            return Err(limit(format!(
                "{} bytes uncompressed, over the {MAX_ENTRY_BYTES}-byte limit",
                entry.uncompressed_size
            )));
        }
        if entry.uncompressed_size > RATIO_FLOOR
            && entry.uncompressed_size / entry.compressed_size.max(1) > MAX_RATIO
        {
            return Err(limit(format!(
                "compression ratio over {MAX_RATIO}:1 ({} → {} bytes): a zip bomb?",
                entry.compressed_size, entry.uncompressed_size
            )));
        }
        let raw = self.raw(entry)?;
        Ok(match entry.method {
            0 => Some(raw),
            // An unknown method number is treated as apksig and Android's verifier treat it: stored
            // when the sizes agree, deflated otherwise (crafted APKs set bogus numbers to trip tools).
            m if m != 8 && entry.compressed_size == entry.uncompressed_size => Some(raw),
            _ => None,
        })
    }

    /// Inflate an entry, never past its declared size (nor the limit). The bytes are written
    /// straight into a vector's spare capacity; whenever it holds `piece` bytes it is handed to
    /// `sink` (which may take it) and emptied, and at the end the rest is, so a large entry is never
    /// whole in memory unless `piece` asks for it. (A buffered reader over the decoder, used before,
    /// allocated and zeroed 96 KiB for every entry, most of the cost of reading a small APK.) Input
    /// that ends before the deflate stream does gives what it holds, as `java.util.zip` readers do
    /// not refuse it either: a digest over the entry then tells.
    fn inflate(
        &self,
        entry: &Entry,
        piece: usize,
        sink: &mut dyn FnMut(&mut Vec<u8>),
    ) -> Result<(), ZipError> {
        let raw = self.raw(entry)?;
        let cap = entry.uncompressed_size.min(MAX_ENTRY_BYTES);
        let corrupt = |why: String| match entry.method {
            8 => ZipError::Corrupt {
                name: entry.name.clone(),
                why,
            },
            method => ZipError::Method {
                name: entry.name.clone(),
                method,
            },
        };
        // room for one byte past the declared size, to notice an entry that inflates to more
        let room =
            |produced: u64| usize::try_from((cap + 1 - produced).min(INITIAL_ROOM)).unwrap_or(0);
        let mut dec = Inflater::take();
        let mut out: Vec<u8> = Vec::with_capacity(room(0).min(piece));
        let mut produced = 0u64; // bytes already handed to `sink`
        loop {
            let consumed = usize::try_from(dec.total_in()).unwrap_or(usize::MAX);
            let before = out.len();
            let status = dec
                .decompress_vec(
                    raw.get(consumed..).unwrap_or_default(),
                    &mut out,
                    flate2::FlushDecompress::None,
                )
                .map_err(|e| corrupt(format!("cannot inflate: {e}")))?;
            if produced + out.len() as u64 > cap {
                return Err(ZipError::Limit {
                    name: entry.name.clone(),
                    why: "inflates to more than its declared size".into(),
                });
            }
            if status == flate2::Status::StreamEnd {
                break;
            }
            let full = out.len() == out.capacity();
            let progressed = out.len() != before || dec.total_in() as usize != consumed;
            if !progressed && !full {
                break; // the input ended first
            }
            if full {
                if out.len() >= piece {
                    produced += out.len() as u64;
                    sink(&mut out);
                    out.clear();
                } else {
                    let more = room(produced + out.len() as u64)
                        .max(1)
                        .min(piece - out.len());
                    out.reserve(more);
                }
            }
        }
        dec.give_back();
        if !out.is_empty() || produced == 0 {
            sink(&mut out);
        }
        Ok(())
    }

    /// The uncompressed bytes of the first entry with this name, if present.
    pub fn read_by_name(&self, name: &str) -> Option<Result<Cow<'a, [u8]>, ZipError>> {
        self.entry(name).map(|e| self.read(e))
    }
}

/// A raw-deflate decoder borrowed from this thread's spare one (made on first use), given back
/// reset once an entry is inflated. A decoder's state is some kilobytes, allocated and set up
/// afresh for every entry before: a tenth of reading a small APK, whose every entry is inflated
/// for the v1 digests. A decoder dropped without being given back (an error) is simply freed.
struct Inflater(flate2::Decompress);

thread_local! {
    static SPARE_INFLATER: std::cell::Cell<Option<flate2::Decompress>> =
        const { std::cell::Cell::new(None) };
}

impl Inflater {
    fn take() -> Inflater {
        let spare = SPARE_INFLATER
            .try_with(std::cell::Cell::take)
            .ok()
            .flatten();
        Inflater(spare.unwrap_or_else(|| flate2::Decompress::new(false)))
    }

    fn give_back(mut self) {
        self.0.reset(false);
        let _ = SPARE_INFLATER.try_with(|spare| spare.set(Some(self.0)));
    }
}

impl std::ops::Deref for Inflater {
    type Target = flate2::Decompress;
    fn deref(&self) -> &flate2::Decompress {
        &self.0
    }
}

impl std::ops::DerefMut for Inflater {
    fn deref_mut(&mut self) -> &mut flate2::Decompress {
        &mut self.0
    }
}

/// The end-of-central-directory record: the last signature within the final 64 KiB + 22 bytes
/// whose comment length reaches exactly to the end of the file (or, failing that, the last one).
fn find_eocd(data: &[u8]) -> Option<usize> {
    if data.len() < 22 {
        return None;
    }
    let lowest = data.len().saturating_sub(22 + 0xFFFF);
    let mut fallback = None;
    let mut i = data.len() - 22;
    loop {
        if u32_at(data, i) == Some(EOCD_SIG) {
            let comment = usize::from(u16_at(data, i + 20).unwrap_or(0));
            if i + 22 + comment == data.len() {
                return Some(i);
            }
            fallback.get_or_insert(i);
        }
        if i == lowest {
            return fallback;
        }
        i -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal stored-entry ZIP built by hand.
    fn tiny_zip(name: &str, body: &[u8]) -> Vec<u8> {
        zip_of(name, 0, body, body.len())
    }

    /// A one-entry ZIP whose entry has compression `method`, the bytes `data` as they sit in the
    /// archive, and `declared` as its uncompressed size.
    fn zip_of(name: &str, method: u16, data: &[u8], declared: usize) -> Vec<u8> {
        let mut z = Vec::new();
        z.extend(LFH_SIG.to_le_bytes());
        z.extend([20, 0, 0, 0]);
        z.extend(method.to_le_bytes());
        z.extend([0, 0, 0, 0]);
        z.extend(0u32.to_le_bytes());
        z.extend((data.len() as u32).to_le_bytes());
        z.extend((declared as u32).to_le_bytes());
        z.extend((name.len() as u16).to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z.extend(name.as_bytes());
        z.extend(data);
        let cd = z.len();
        z.extend(CDH_SIG.to_le_bytes());
        z.extend([20, 0, 20, 0, 1, 0]); // flags: "encrypted" bit set, ignored
        z.extend(method.to_le_bytes());
        z.extend([0, 0, 0, 0]);
        z.extend(0u32.to_le_bytes());
        z.extend((data.len() as u32).to_le_bytes());
        z.extend((declared as u32).to_le_bytes());
        z.extend((name.len() as u16).to_le_bytes());
        z.extend([0u8; 12]);
        z.extend(0u32.to_le_bytes());
        z.extend(name.as_bytes());
        let cd_size = z.len() - cd;
        z.extend(EOCD_SIG.to_le_bytes());
        z.extend([0, 0, 0, 0, 1, 0, 1, 0]);
        z.extend((cd_size as u32).to_le_bytes());
        z.extend((cd as u32).to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z
    }

    fn deflate(body: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(body).unwrap();
        enc.finish().unwrap()
    }

    /// Bytes that compress a little, and differ along their length.
    fn sample(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| ((i * 7 % 251) ^ (i / 1000)) as u8)
            .collect()
    }

    fn streamed(zip: &Zip, entry: &Entry) -> Result<(Vec<u8>, usize), ZipError> {
        let (mut all, mut pieces) = (Vec::new(), 0);
        zip.stream(entry, &mut |piece| {
            all.extend_from_slice(piece);
            pieces += 1;
        })?;
        Ok((all, pieces))
    }

    #[test]
    fn inflates_whole_and_in_pieces_alike() {
        // empty, smaller than one piece, and several pieces long (not a multiple of a piece)
        for len in [0, 1, 5_000, 3 * STREAM_PIECE + 12_345] {
            let body = sample(len);
            let z = zip_of("classes.dex", 8, &deflate(&body), len);
            let zip = Zip::parse(&z).unwrap();
            let entry = &zip.entries()[0];
            assert_eq!(&*zip.read(entry).unwrap(), &body[..], "read, {len} bytes");
            let (all, pieces) = streamed(&zip, entry).unwrap();
            assert_eq!(all, body, "stream, {len} bytes");
            assert_eq!(pieces, len.div_ceil(STREAM_PIECE).max(1), "{len} bytes");
        }
    }

    #[test]
    fn root_dex_files_are_inflated_once_and_lent() {
        let body = sample(50_000);
        let z = zip_of("classes.dex", 8, &deflate(&body), body.len());
        let mut zip = Zip::parse(&z).unwrap();
        // nothing is kept unless asked
        assert!(!zip.keeps(&zip.entries()[0]));
        zip.keep_root_dex();
        let entry = &zip.entries()[0];
        assert!(zip.keeps(entry));
        let (first, second) = (
            zip.read_shared(entry).unwrap(),
            zip.read_shared(entry).unwrap(),
        );
        assert!(matches!(first, Cow::Borrowed(_)));
        assert_eq!(
            first.as_ptr(),
            second.as_ptr(),
            "the same bytes, not a second inflation"
        );
        assert_eq!(&*first, &body[..]);
        // other entries are read afresh each time, and an entry that is not the archive's own is
        // not lent another's bytes
        let z = zip_of("assets/classes.dex", 8, &deflate(&body), body.len());
        let mut other = Zip::parse(&z).unwrap();
        other.keep_root_dex();
        assert!(!other.keeps(&other.entries()[0]));
        // a clone starts empty-handed, and the bytes are not printed
        assert!(format!("{zip:?}").contains("1 kept entries (1 read)"));
        assert!(format!("{:?}", zip.clone()).contains("1 kept entries (0 read)"));
        let mut forged = entry.clone();
        forged.uncompressed_size = 10;
        assert!(!zip.keeps(&forged));
        assert!(zip.read_shared(&forged).is_err());
    }

    #[test]
    fn an_entry_that_inflates_past_its_declared_size_is_refused() {
        let body = sample(10_000);
        for declared in [0, 1, 9_999] {
            let z = zip_of("a", 8, &deflate(&body), declared);
            let zip = Zip::parse(&z).unwrap();
            let entry = &zip.entries()[0];
            for result in [
                zip.read(entry).map(|_| ()),
                streamed(&zip, entry).map(|_| ()),
            ] {
                assert!(
                    matches!(&result, Err(ZipError::Limit { why, .. }) if why.contains("declared size")),
                    "declared {declared}: {result:?}"
                );
            }
        }
        // a declared size larger than the data is no error: the data is what it is
        let z = zip_of("a", 8, &deflate(&body), 20_000);
        assert_eq!(
            &*Zip::parse(&z).unwrap().read_by_name("a").unwrap().unwrap(),
            &body[..]
        );
    }

    #[test]
    fn cut_or_corrupt_deflate_data_is_an_error_or_what_it_holds_never_a_panic() {
        let body = sample(200_000);
        let data = deflate(&body);
        for cut in [0, 1, 10, data.len() / 2, data.len() - 1] {
            let z = zip_of("a", 8, &data[..cut], body.len());
            let zip = Zip::parse(&z).unwrap();
            match zip.read(&zip.entries()[0]) {
                // what inflates is a prefix of the real thing
                Ok(got) => assert!(body.starts_with(&got), "cut at {cut}"),
                Err(e) => assert!(matches!(e, ZipError::Corrupt { .. }), "cut at {cut}: {e}"),
            }
        }
        let garbage = vec![0xFFu8; 1_000];
        let z = zip_of("a", 8, &garbage, 5_000);
        let zip = Zip::parse(&z).unwrap();
        assert!(matches!(
            zip.read(&zip.entries()[0]),
            Err(ZipError::Corrupt { .. })
        ));
        // an unknown method whose sizes differ is inflated, and named in the error when that fails
        let z = zip_of("a", 99, &garbage, 5_000);
        let zip = Zip::parse(&z).unwrap();
        assert!(matches!(
            zip.read(&zip.entries()[0]),
            Err(ZipError::Method { method: 99, .. })
        ));
    }

    #[test]
    fn reads_a_stored_entry_ignoring_the_encryption_flag() {
        let z = tiny_zip("a/b.txt", b"hello");
        let zip = Zip::parse(&z).unwrap();
        assert_eq!(zip.entries().len(), 1);
        assert_eq!(&*zip.read_by_name("a/b.txt").unwrap().unwrap(), b"hello");
        assert!(!zip.entries()[0].is_suspicious_path());
    }

    #[test]
    fn flags_escaping_names() {
        let z = tiny_zip("../../etc/passwd", b"x");
        assert!(Zip::parse(&z).unwrap().entries()[0].is_suspicious_path());
    }

    #[test]
    fn truncations_are_errors_not_panics() {
        let z = tiny_zip("a", b"hello world");
        for cut in 0..z.len() {
            if let Ok(zip) = Zip::parse(&z[..cut]) {
                for e in zip.entries() {
                    let _ = zip.read(e);
                }
            }
        }
        assert_eq!(
            Zip::parse(b"not a zip at all, no").unwrap_err(),
            ZipError::NotZip
        );
    }
}
