//! The ZIP container of an APK, read the way Android's installer reads it.
//!
//! Android trusts the central directory: entry names, sizes and compression methods come from it,
//! and the local header is read only to find where the data starts. Flags that other tools choke on
//! (the "encrypted" bit, a data-descriptor bit, local headers that disagree with the directory) are
//! ignored as Android ignores them. Safety comes from limits instead ([`Limits`]): the number of
//! entries, the size of any entry read (streamed, or whole in memory), its compression ratio (zip
//! bombs), and the bytes all reads together may produce. Entries whose data overlap are found and
//! reported (Android does not refuse them; crafted archives alias one compressed stream under many
//! names to make readers inflate it again and again), and [`Zip::alias_of`] lets readers read an
//! alias once.
//!
//! Written here rather than taken from the `zip` crate because an APK reader needs what a general
//! ZIP library hides: the offset of the central directory (the APK Signing Block sits just before
//! it), Android's tolerance rules rather than the specification's strictness, and borrowing from
//! the input instead of owning a reader.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::limits::{Allowance, Limits};

/// Largest compression ratio accepted for entries over [`RATIO_FLOOR`] bytes.
pub const MAX_RATIO: u64 = 1_000;
/// Entries smaller than this (uncompressed) are exempt from the ratio check.
pub const RATIO_FLOOR: u64 = 1 << 20;
/// Size of the pieces [`Zip::stream`] hands over.
const STREAM_PIECE: usize = 64 << 10;
/// Overlapping pairs kept for the report (all are counted).
pub const MAX_OVERLAPS_KEPT: usize = 64;

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const CDH_SIG: u32 = 0x0201_4b50;
const LFH_SIG: u32 = 0x0403_4b50;

/// What can go wrong reading the container or one of its entries. The `analysis stopped`
/// variants ([`ZipError::Limit`], [`ZipError::Budget`]) mean a limit was reached, not that the
/// file is broken: reports say what was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    /// No end-of-central-directory record: not a ZIP file.
    #[error("not a ZIP archive: no end of central directory record")]
    NotZip,
    /// A structure runs past the end of the file or is inconsistent.
    #[error("malformed ZIP: {0}")]
    Malformed(Malformed),
    /// Too many entries.
    #[error("the archive lists {0} entries; the limit is {1}")]
    TooManyEntries(u64, usize),
    /// An entry is too big or compressed suspiciously well.
    #[error("analysis stopped: entry {name:?}: {why}")]
    Limit {
        /// The entry.
        name: String,
        /// Which limit.
        why: EntryLimit,
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
        why: Corruption,
    },
    /// The bytes all reads of this archive may produce ([`Limits::min_total_read`]) are spent.
    #[error("analysis stopped: entry {name:?} was not read whole: reading this archive's entries has produced the {budget} bytes its budget allows")]
    Budget {
        /// The entry being read.
        name: String,
        /// The budget, in bytes.
        budget: u64,
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
    /// Where the entry's data starts (after its local header), when the local header is there.
    pub data_offset: Option<u64>,
    /// Its position in the central directory.
    pub index: usize,
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

/// A ZIP archive borrowed from its bytes: the central directory is read up front, entries are
/// inflated when asked for, each within the [`Limits`] and the archive's shared read budget (so
/// that entries aliasing one compressed stream cannot multiply the work).
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
    /// Pairs of entries whose data overlap (the first [`MAX_OVERLAPS_KEPT`]: a crafted archive
    /// can make millions).
    pub overlaps: Vec<Overlap>,
    /// How many entries overlap an earlier one (in data order).
    pub overlap_count: usize,
    /// For each entry (by index), the first entry whose data is exactly its own (same start,
    /// compressed size and method), when that is another entry.
    aliases: Vec<Option<u32>>,
    /// Entry positions sorted by name (then position), made on the first lookup by name: an
    /// archive may list 200,000 entries, and a linear search per name is quadratic.
    by_name: OnceLock<Vec<u32>>,
    limits: Limits,
    /// What reads of entries may still produce, shared by every clone and nested archive.
    budget: Arc<Allowance>,
    budget_total: u64,
}

/// Two entries whose data ranges overlap: a crafted archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overlap {
    /// The entry whose data starts later (or, for aliases, comes later in the directory).
    pub entry: String,
    /// The entry it overlaps.
    pub with: String,
    /// True when both have exactly the same data (one stream under two names).
    pub alias: bool,
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

/// What is inconsistent in the archive's directory ([`ZipError::Malformed`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// The end of central directory record is cut short.
    #[error("truncated end record")]
    TruncatedEndRecord,
    /// The ZIP64 locator is cut short.
    #[error("truncated ZIP64 locator")]
    TruncatedZip64Locator,
    /// The ZIP64 end record's offset does not fit in memory's address range.
    #[error("ZIP64 record offset out of range")]
    Zip64OffsetOutOfRange,
    /// The ZIP64 end record is cut short.
    #[error("truncated ZIP64 end record")]
    TruncatedZip64EndRecord,
    /// The directory's offset does not fit in memory's address range.
    #[error("central directory offset out of range")]
    DirectoryOffsetOutOfRange,
    /// The directory's size does not fit in memory's address range.
    #[error("central directory size out of range")]
    DirectorySizeOutOfRange,
    /// The directory overlaps the end record.
    #[error("central directory runs past the end record")]
    DirectoryPastEndRecord,
    /// A directory header without its signature.
    #[error("bad central directory header at offset {offset}")]
    BadHeader {
        /// Where in the file the header should start.
        offset: usize,
    },
    /// An entry's name longer than the rest of the directory.
    #[error("entry name runs past the directory")]
    NamePastDirectory,
    /// An entry's extra field longer than the rest of the directory.
    #[error("extra field runs past the directory")]
    ExtraPastDirectory,
    /// An entry's compressed size that does not fit in memory's address range.
    #[error("entry size out of range")]
    EntrySizeOutOfRange,
}

/// Which limit an entry ran into ([`ZipError::Limit`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryLimit {
    /// Bigger than [`Limits::max_entry_in_memory`], asked for whole.
    #[error("{size} bytes uncompressed, over the {max}-byte limit for an entry read whole")]
    InMemory {
        /// The declared uncompressed size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Bigger than [`Limits::max_entry_bytes`].
    #[error("{size} bytes uncompressed, over the {max}-byte limit")]
    Size {
        /// The declared uncompressed size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Compressed better than [`MAX_RATIO`] to 1.
    #[error(
        "compression ratio over {MAX_RATIO}:1 ({compressed} → {uncompressed} bytes): a zip bomb?"
    )]
    Ratio {
        /// The compressed size.
        compressed: u64,
        /// The declared uncompressed size.
        uncompressed: u64,
    },
    /// Inflates to more bytes than the directory declares.
    #[error("inflates to more than its declared size")]
    DeclaredSize,
}

/// Why an entry's data cannot be read ([`ZipError::Corrupt`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Corruption {
    /// No local file header where the directory points.
    #[error("no complete local file header where the directory points")]
    NoLocalHeader,
    /// The compressed data runs past the end of the file.
    #[error("data runs past the end of the file")]
    PastEnd,
    /// The deflate stream is broken, with the inflater's message.
    // flate2's error is not `Clone`, which `ZipError` is
    #[error("cannot inflate: {reason}")]
    Inflate {
        /// The inflater's message.
        reason: String,
    },
}

fn bad(what: Malformed) -> ZipError {
    ZipError::Malformed(what)
}

impl<'a> Zip<'a> {
    /// Read the central directory, with the default [`Limits`].
    pub fn parse(data: &'a [u8]) -> Result<Zip<'a>, ZipError> {
        Zip::parse_with(data, &Limits::default())
    }

    /// Read the central directory within `limits`; every read of an entry later draws on one
    /// budget for the whole archive ([`Limits::min_total_read`]).
    pub fn parse_with(data: &'a [u8], limits: &Limits) -> Result<Zip<'a>, ZipError> {
        let total = limits.total_read_for(data.len());
        Zip::parse_sharing(data, limits, Arc::new(Allowance::new(total)), total)
    }

    /// An archive stored inside this one (a nested APK or JAR), read within the same limits and
    /// drawing on the same budget.
    pub fn parse_nested<'b>(&self, data: &'b [u8]) -> Result<Zip<'b>, ZipError> {
        Zip::parse_sharing(data, &self.limits, self.budget.clone(), self.budget_total)
    }

    fn parse_sharing(
        data: &'a [u8],
        limits: &Limits,
        budget: Arc<Allowance>,
        budget_total: u64,
    ) -> Result<Zip<'a>, ZipError> {
        let eocd = find_eocd(data).ok_or(ZipError::NotZip)?;
        let mut count =
            u64::from(u16_at(data, eocd + 10).ok_or_else(|| bad(Malformed::TruncatedEndRecord))?);
        let mut cd_size =
            u64::from(u32_at(data, eocd + 12).ok_or_else(|| bad(Malformed::TruncatedEndRecord))?);
        let mut cd_offset =
            u64::from(u32_at(data, eocd + 16).ok_or_else(|| bad(Malformed::TruncatedEndRecord))?);
        // ZIP64: a locator just before the end record points at the 64-bit end record
        if eocd >= 20 && u32_at(data, eocd - 20) == Some(EOCD64_LOCATOR_SIG) {
            let rec =
                u64_at(data, eocd - 12).ok_or_else(|| bad(Malformed::TruncatedZip64Locator))?;
            let rec = usize::try_from(rec).map_err(|_| bad(Malformed::Zip64OffsetOutOfRange))?;
            if u32_at(data, rec) == Some(EOCD64_SIG) {
                count = u64_at(data, rec + 32)
                    .ok_or_else(|| bad(Malformed::TruncatedZip64EndRecord))?;
                cd_size = u64_at(data, rec + 40)
                    .ok_or_else(|| bad(Malformed::TruncatedZip64EndRecord))?;
                cd_offset = u64_at(data, rec + 48)
                    .ok_or_else(|| bad(Malformed::TruncatedZip64EndRecord))?;
            }
        }
        if count > limits.max_entries as u64 {
            return Err(ZipError::TooManyEntries(count, limits.max_entries));
        }
        let start =
            usize::try_from(cd_offset).map_err(|_| bad(Malformed::DirectoryOffsetOutOfRange))?;
        let end = start
            .checked_add(
                usize::try_from(cd_size).map_err(|_| bad(Malformed::DirectorySizeOutOfRange))?,
            )
            .filter(|e| *e <= eocd)
            .ok_or_else(|| bad(Malformed::DirectoryPastEndRecord))?;
        let cd = &data[start..end];
        // each entry takes at least 46 bytes of the directory
        let mut entries = Vec::with_capacity((count as usize).min(cd.len() / 46));
        let mut pos = 0usize;
        // The count in the end record is advisory: Android walks the directory it was given.
        while pos + 46 <= cd.len() {
            if entries.len() >= limits.max_entries {
                return Err(ZipError::TooManyEntries(
                    entries.len() as u64 + 1,
                    limits.max_entries,
                ));
            }
            if u32_at(cd, pos) != Some(CDH_SIG) {
                return Err(bad(Malformed::BadHeader {
                    offset: start + pos,
                }));
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
                .ok_or_else(|| bad(Malformed::NamePastDirectory))?;
            let extra = cd
                .get(extra_start..extra_start + extra_len)
                .ok_or_else(|| bad(Malformed::ExtraPastDirectory))?;
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
                data_offset: local_data_start(data, lho).map(|s| s as u64),
                index: entries.len(),
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
        let (overlaps, overlap_count, aliases) = find_overlaps(&entries);
        Ok(Zip {
            data,
            entries,
            central_directory_offset: cd_offset,
            central_directory_size: cd_size,
            eocd_offset: eocd as u64,
            duplicate_names,
            overlaps,
            overlap_count,
            aliases,
            by_name: OnceLock::new(),
            limits: *limits,
            budget,
            budget_total,
        })
    }

    /// The bytes the archive was read from.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The limits it is read within.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Every entry, in directory order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The first entry with this name.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        let order = self.by_name.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.entries.len() as u32).collect();
            // stable: among entries of one name, directory order
            order.sort_by(|a, b| {
                self.entries[*a as usize]
                    .name
                    .cmp(&self.entries[*b as usize].name)
            });
            order
        });
        let first = order.partition_point(|i| self.entries[*i as usize].name.as_str() < name);
        order
            .get(first)
            .map(|i| &self.entries[*i as usize])
            .filter(|e| e.name == name)
    }

    /// The earlier entry whose data is exactly `entry`'s (the same compressed stream under another
    /// name), if any: reading `entry` would give the same bytes again.
    pub fn alias_of(&self, entry: &Entry) -> Option<&Entry> {
        if self.entries.get(entry.index) != Some(entry) {
            return None; // not one of this archive's entries
        }
        let first = (*self.aliases.get(entry.index)?)? as usize;
        self.entries.get(first)
    }

    /// True when the bytes produced by reads of this archive have reached its budget (some read
    /// was cut short).
    pub fn budget_exhausted(&self) -> bool {
        self.budget.exhausted()
    }

    /// How many bytes before the first local file header: 0 for an archive as Android opens it
    /// (libziparchive refuses a file that does not start with a local header, the fix for Janus,
    /// CVE-2017-13156); anything else is data placed in front of the entries, such as a DEX file
    /// that older Android versions would run.
    pub fn leading_bytes(&self) -> u64 {
        if self.data.starts_with(&LFH_SIG.to_le_bytes()) {
            return 0;
        }
        self.entries
            .iter()
            .map(|e| e.local_header_offset)
            .min()
            .unwrap_or(self.central_directory_offset)
    }

    /// The raw (still compressed) bytes of an entry.
    pub fn raw(&self, entry: &Entry) -> Result<&'a [u8], ZipError> {
        let start = local_data_start(self.data, entry.local_header_offset).ok_or_else(|| {
            ZipError::Corrupt {
                name: entry.name.clone(),
                why: Corruption::NoLocalHeader,
            }
        })?;
        let len = usize::try_from(entry.compressed_size)
            .map_err(|_| bad(Malformed::EntrySizeOutOfRange))?;
        start
            .checked_add(len)
            .and_then(|end| self.data.get(start..end))
            .ok_or_else(|| ZipError::Corrupt {
                name: entry.name.clone(),
                why: Corruption::PastEnd,
            })
    }

    /// The uncompressed bytes of an entry, whole in memory: for entries up to
    /// [`Limits::max_entry_in_memory`] (a stored entry is borrowed, not copied).
    pub fn read(&self, entry: &Entry) -> Result<Cow<'a, [u8]>, ZipError> {
        if entry.uncompressed_size > self.limits.max_entry_in_memory {
            return Err(ZipError::Limit {
                name: entry.name.clone(),
                why: EntryLimit::InMemory {
                    size: entry.uncompressed_size,
                    max: self.limits.max_entry_in_memory,
                },
            });
        }
        if let Some(stored) = self.stored_bytes(entry)? {
            self.spend(entry, stored.len())?;
            return Ok(Cow::Borrowed(stored));
        }
        let mut out = Vec::new();
        self.inflate(entry, usize::MAX, &mut |whole| out = std::mem::take(whole))?;
        Ok(Cow::Owned(out))
    }

    /// The uncompressed bytes of an entry handed to `sink` in pieces of at most 64 KiB as they are
    /// inflated, so that even a large entry is never whole in memory (for digests of large entries).
    pub fn stream(&self, entry: &Entry, sink: &mut dyn FnMut(&[u8])) -> Result<(), ZipError> {
        match self.stored_bytes(entry)? {
            Some(stored) => {
                for piece in stored.chunks(STREAM_PIECE) {
                    self.spend(entry, piece.len())?;
                    sink(piece);
                }
                if stored.is_empty() {
                    sink(stored);
                }
                Ok(())
            }
            None => self.inflate(entry, STREAM_PIECE, &mut |piece| sink(piece)),
        }
    }

    /// Draw `n` bytes read from the archive's budget.
    fn spend(&self, entry: &Entry, n: usize) -> Result<(), ZipError> {
        if self.budget.spend(n as u64) {
            Ok(())
        } else {
            Err(ZipError::Budget {
                name: entry.name.clone(),
                budget: self.budget_total,
            })
        }
    }

    /// The size and ratio checks; then the bytes themselves when the entry is stored (or None when
    /// it must be inflated).
    fn stored_bytes(&self, entry: &Entry) -> Result<Option<&'a [u8]>, ZipError> {
        let limit = |why: EntryLimit| ZipError::Limit {
            name: entry.name.clone(),
            why,
        };
        let max = self.limits.max_entry_bytes;
        if entry.uncompressed_size > max {
            return Err(limit(EntryLimit::Size {
                size: entry.uncompressed_size,
                max,
            }));
        }
        if entry.uncompressed_size > RATIO_FLOOR
            && entry.uncompressed_size / entry.compressed_size.max(1) > MAX_RATIO
        {
            return Err(limit(EntryLimit::Ratio {
                compressed: entry.compressed_size,
                uncompressed: entry.uncompressed_size,
            }));
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

    /// Inflate an entry, never past its declared size (nor the limit), each byte drawn from the
    /// archive's budget. The bytes are written straight into a vector's spare capacity; whenever
    /// it holds `piece` bytes it is handed to `sink` (which may take it) and emptied, and at the
    /// end the rest is, so a large entry is never whole in memory unless `piece` asks for it. The
    /// vector grows by doubling but never past the declared size (plus the one byte that tells an
    /// entry that inflates to more), so a whole entry costs at most its declared size. Input that
    /// ends before the deflate stream does gives what it holds, as `java.util.zip` readers do not
    /// refuse it either: a digest over the entry then tells.
    fn inflate(
        &self,
        entry: &Entry,
        piece: usize,
        sink: &mut dyn FnMut(&mut Vec<u8>),
    ) -> Result<(), ZipError> {
        let raw = self.raw(entry)?;
        let cap = entry.uncompressed_size.min(self.limits.max_entry_bytes);
        let corrupt = |why: Corruption| match entry.method {
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
        let room = |produced: u64| usize::try_from(cap + 1 - produced).unwrap_or(usize::MAX);
        let mut dec = Inflater::take();
        let mut out: Vec<u8> = Vec::with_capacity(room(0).min(piece).min(STREAM_PIECE));
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
                .map_err(|e| {
                    corrupt(Corruption::Inflate {
                        reason: e.to_string(),
                    })
                })?;
            self.spend(entry, out.len() - before)?;
            if produced + out.len() as u64 > cap {
                return Err(ZipError::Limit {
                    name: entry.name.clone(),
                    why: EntryLimit::DeclaredSize,
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
                    // double, but never past the declared size (+1) nor the piece
                    let len = out.len();
                    let want = (len.max(STREAM_PIECE / 2) * 2)
                        .min(room(produced))
                        .min(piece)
                        .max(len + 1);
                    out.reserve_exact(want - len);
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

/// Where the data of the entry whose local header is at `lho` starts: after the header's fixed
/// part, name and extra field; None when no complete local header is there.
fn local_data_start(data: &[u8], lho: u64) -> Option<usize> {
    let lho = usize::try_from(lho).ok()?;
    if u32_at(data, lho)? != LFH_SIG {
        return None;
    }
    let name_len = usize::from(u16_at(data, lho.checked_add(26)?)?);
    let extra_len = usize::from(u16_at(data, lho.checked_add(28)?)?);
    let start = lho.checked_add(30 + name_len + extra_len)?;
    (start <= data.len()).then_some(start)
}

/// The entries whose data ranges overlap an earlier one's (in data order): the first few pairs,
/// how many there are, and for each entry the first entry with exactly its data (an alias).
/// Entries without a readable local header have no data range and overlap nothing.
fn find_overlaps(entries: &[Entry]) -> (Vec<Overlap>, usize, Vec<Option<u32>>) {
    let mut aliases = vec![None; entries.len()];
    // (start, end, index) in data order; an empty entry occupies no bytes
    let mut ranges: Vec<(u64, u64, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let start = e.data_offset?;
            Some((start, start.saturating_add(e.compressed_size), i))
        })
        .collect();
    ranges.sort_unstable();
    let (mut kept, mut count) = (Vec::new(), 0usize);
    // the entry reaching furthest so far, and the first entry of the current run of aliases
    let mut furthest: Option<(u64, usize)> = None;
    let mut run: Option<(u64, u64, usize)> = None;
    for &(start, end, i) in &ranges {
        let e = &entries[i];
        let alias_of = run
            .filter(|&(s, en, first)| {
                s == start
                    && en == end
                    && entries[first].method == e.method
                    && entries[first].compressed_size == e.compressed_size
            })
            .map(|(_, _, first)| first);
        if alias_of.is_none() {
            run = Some((start, end, i));
        }
        let overlapped = match alias_of {
            Some(first) => Some((first, true)),
            None => furthest
                .filter(|&(f_end, _)| start < f_end && end > start)
                .map(|(_, f)| (f, false)),
        };
        if let Some((other, alias)) = overlapped {
            count += 1;
            aliases[i] = alias.then_some(other as u32);
            if kept.len() < MAX_OVERLAPS_KEPT {
                kept.push(Overlap {
                    entry: e.name.clone(),
                    with: entries[other].name.clone(),
                    alias,
                });
            }
        }
        if furthest.is_none_or(|(f_end, _)| end > f_end) {
            furthest = Some((end, i));
        }
    }
    (kept, count, aliases)
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

    /// An archive whose directory lists `listed` (name, index of the local entry it points at,
    /// declared size) over the local entries `local` (name, method, data as stored).
    fn zip_listing(local: &[(&str, u16, &[u8])], listed: &[(&str, usize, usize)]) -> Vec<u8> {
        let mut z = Vec::new();
        let mut headers = Vec::new();
        for (name, method, data) in local {
            headers.push((z.len() as u32, *method, data.len() as u32));
            z.extend(LFH_SIG.to_le_bytes());
            z.extend([20, 0, 0, 0]);
            z.extend(method.to_le_bytes());
            z.extend([0u8; 8]);
            z.extend((data.len() as u32).to_le_bytes());
            z.extend(0u32.to_le_bytes());
            z.extend((name.len() as u16).to_le_bytes());
            z.extend(0u16.to_le_bytes());
            z.extend(name.as_bytes());
            z.extend(*data);
        }
        let cd = z.len();
        for (name, at, declared) in listed {
            let (lho, method, csize) = headers[*at];
            z.extend(CDH_SIG.to_le_bytes());
            z.extend([20, 0, 20, 0, 0, 0]);
            z.extend(method.to_le_bytes());
            z.extend([0u8; 8]);
            z.extend(csize.to_le_bytes());
            z.extend((*declared as u32).to_le_bytes());
            z.extend((name.len() as u16).to_le_bytes());
            z.extend([0u8; 12]);
            z.extend(lho.to_le_bytes());
            z.extend(name.as_bytes());
        }
        let cd_size = z.len() - cd;
        z.extend(EOCD_SIG.to_le_bytes());
        z.extend([0u8; 4]);
        z.extend((listed.len() as u16).to_le_bytes());
        z.extend((listed.len() as u16).to_le_bytes());
        z.extend((cd_size as u32).to_le_bytes());
        z.extend((cd as u32).to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z
    }

    #[test]
    fn entries_that_alias_or_overlap_are_found() {
        let body = sample(100_000);
        let packed = deflate(&body);
        // three names over one stream, and one entry whose header sits inside another's data
        let mut stored = b"xxxx".to_vec();
        stored.extend(zip_of("inner", 0, b"hello", 5));
        let z = zip_listing(
            &[("classes.dex", 8, &packed), ("big", 0, &stored)],
            &[
                ("classes.dex", 0, body.len()),
                ("classes2.dex", 0, body.len()),
                ("classes3.dex", 0, body.len()),
                ("big", 1, stored.len()),
            ],
        );
        let mut zip = Zip::parse(&z).unwrap();
        let e = zip.entries().to_vec();
        assert_eq!(zip.alias_of(&e[0]), None);
        assert_eq!(
            zip.alias_of(&e[1]).map(|a| a.name.as_str()),
            Some("classes.dex")
        );
        assert_eq!(
            zip.alias_of(&e[2]).map(|a| a.name.as_str()),
            Some("classes.dex")
        );
        assert_eq!(zip.alias_of(&e[3]), None);
        assert_eq!(zip.overlap_count, 2);
        assert!(zip
            .overlaps
            .iter()
            .all(|o| o.alias && o.with == "classes.dex"));
        // a forged entry is nobody's alias
        let mut forged = e[1].clone();
        forged.uncompressed_size = 1;
        assert_eq!(zip.alias_of(&forged), None);
        // now point a fifth name at the local header inside "big"'s data: an overlap, not an alias
        let inner_at = z.windows(5).position(|w| w == b"inner").unwrap() - 30;
        zip.entries.push(Entry {
            name: "inner".into(),
            method: 0,
            flags: 0,
            crc32: 0,
            compressed_size: 5,
            uncompressed_size: 5,
            local_header_offset: inner_at as u64,
            data_offset: local_data_start(&z, inner_at as u64).map(|s| s as u64),
            index: 4,
        });
        let (overlaps, count, aliases) = find_overlaps(&zip.entries);
        assert_eq!(count, 3);
        assert_eq!(aliases[4], None);
        assert!(overlaps.contains(&Overlap {
            entry: "inner".into(),
            with: "big".into(),
            alias: false
        }));
    }

    #[test]
    fn reads_draw_on_one_budget_and_stop_with_a_clear_error() {
        let body = sample(300_000);
        let z = zip_of("a", 8, &deflate(&body), body.len());
        let limits = Limits {
            min_total_read: 700_000,
            read_per_file_byte: 0,
            ..Limits::default()
        };
        let zip = Zip::parse_with(&z, &limits).unwrap();
        let entry = &zip.entries()[0];
        assert_eq!(&*zip.read(entry).unwrap(), &body[..]);
        assert_eq!(streamed(&zip, entry).unwrap().0, body);
        assert!(!zip.budget_exhausted());
        // a clone and a nested archive spend the same budget
        let third = zip.clone();
        let err = third.read(entry).unwrap_err();
        assert!(
            matches!(
                err,
                ZipError::Budget {
                    budget: 700_000,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().starts_with("analysis stopped"));
        assert!(zip.budget_exhausted());
        let nested = zip.parse_nested(&z).unwrap();
        assert!(nested.read(&nested.entries()[0]).is_err());
        // stored entries count too
        let z = tiny_zip("s", &body);
        let zip = Zip::parse_with(&z, &limits).unwrap();
        for _ in 0..2 {
            zip.read(&zip.entries()[0]).unwrap();
        }
        assert!(zip.read(&zip.entries()[0]).is_err());
    }

    #[test]
    fn a_whole_read_is_capped_and_never_holds_more_than_declared() {
        let body = sample(3 * STREAM_PIECE + 5);
        let z = zip_of("a", 8, &deflate(&body), body.len());
        let limits = Limits {
            max_entry_in_memory: body.len() as u64 - 1,
            ..Limits::default()
        };
        let zip = Zip::parse_with(&z, &limits).unwrap();
        assert!(matches!(
            zip.read(&zip.entries()[0]),
            Err(ZipError::Limit { .. })
        ));
        // streaming is still allowed
        assert_eq!(streamed(&zip, &zip.entries()[0]).unwrap().0, body);
        // a generous declared size does not reserve it: the vector grows with the data, and never
        // past the declared size plus one
        for declared in [body.len(), body.len() + 1, 20 << 20] {
            let z = zip_of("a", 8, &deflate(&body), declared);
            let zip = Zip::parse(&z).unwrap();
            let got = zip.read(&zip.entries()[0]).unwrap();
            assert_eq!(&*got, &body[..]);
            let Cow::Owned(v) = got else { panic!() };
            assert!(v.capacity() <= declared + 1, "{declared}: {}", v.capacity());
            assert!(
                v.capacity() <= 2 * body.len(),
                "{declared}: {}",
                v.capacity()
            );
        }
    }

    #[test]
    fn data_in_front_of_the_first_entry_is_measured() {
        let z = tiny_zip("a", b"hello");
        assert_eq!(Zip::parse(&z).unwrap().leading_bytes(), 0);
        let mut janus = b"dex\n035\0".to_vec();
        janus.resize(112, 0);
        let zip_at = janus.len() as u32;
        janus.extend(&z);
        // the directory's offsets move with the entries
        let n = janus.len();
        let cd_at = u32_at(&janus, n - 6).unwrap() + zip_at;
        janus[n - 6..n - 2].copy_from_slice(&cd_at.to_le_bytes());
        let lho_at = cd_at as usize + 42;
        janus[lho_at..lho_at + 4].copy_from_slice(&zip_at.to_le_bytes());
        let zip = Zip::parse(&janus).unwrap();
        assert_eq!(zip.leading_bytes(), 112);
        assert_eq!(&*zip.read_by_name("a").unwrap().unwrap(), b"hello");
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
                    matches!(&result, Err(ZipError::Limit { why, .. }) if why.to_string().contains("declared size")),
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
