//! Dalvik executables (`classes*.dex`): the string pool, types, classes, and method and field
//! references, for versions 035 to 041. Only the tables are read, not the bytecode.
//!
//! Every table's count × item size is checked against the file before it is read, and strings are
//! decoded lazily from Modified UTF-8, so a hostile file can neither read out of bounds nor make the
//! reader allocate more than the file's size. Where each string ends is found once for the whole
//! file, each string's search bounded by where the next string's data begins (string data items
//! never overlap in a valid file), so that string ids all pointing into one long run without a NUL
//! cost a pass over the file, not one pass per id. Strings read draw on a work budget
//! ([`crate::Limits::dex_string_work_floor`] plus four times the file's size): a file whose ids
//! all name one huge string stops being read, and says so ([`Dex::budget_exhausted`]).

use std::sync::OnceLock;

use serde::Serialize;

use crate::limits::{Allowance, Limits};

/// A malformed DEX file, shown as `DEX: ` and what is wrong with it.
///
/// What is wrong is kept apart ([`DexProblem`]) because reports list it under the file's name,
/// where the `DEX:` prefix would say nothing new.
// shown in the message, not as a `source()`: `{:#}` chains stay as they were
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DEX: {0}")]
pub struct DexError(pub DexProblem);

/// What is wrong with a DEX file's header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DexProblem {
    /// Fewer than the 8 bytes of the magic.
    #[error("file shorter than the magic")]
    TooShort,
    /// The magic is not `dex\n` followed by a version and a zero byte.
    #[error("not a DEX file (bad magic)")]
    BadMagic,
    /// The version in the magic is not three digits.
    #[error("bad version in the magic")]
    BadVersion,
    /// A version outside 035 to 041.
    #[error("unsupported DEX version {version:03}")]
    UnsupportedVersion {
        /// The version number.
        version: u32,
    },
    /// Shorter than the 0x70-byte header.
    #[error("header truncated")]
    HeaderTruncated,
    /// A byte order other than little-endian.
    #[error("unsupported endianness tag")]
    Endianness,
    /// A table the header declares runs past the end of the file.
    #[error("{table} table ({count} items at offset {offset}) runs past the end")]
    TablePastEnd {
        /// Which table (`string`, `type`, `field`, `method`, `class`).
        table: &'static str,
        /// Its declared item count.
        count: usize,
        /// Its declared offset.
        offset: usize,
    },
}

fn u16_at(d: &[u8], off: usize) -> Option<u16> {
    d.get(off..off.checked_add(2)?)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], off: usize) -> Option<u32> {
    d.get(off..off.checked_add(4)?)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A table: count and offset, checked to lie inside the file.
#[derive(Debug, Clone, Copy, Default)]
struct Table {
    count: usize,
    offset: usize,
}

/// A parsed DEX file borrowed from its bytes: only the header is read up front, and the tables it
/// points to are checked against the file size, so that the strings, classes and references are
/// decoded lazily, one at a time, however large the file.
#[derive(Debug, Clone)]
pub struct Dex<'a> {
    data: &'a [u8],
    /// Format version, e.g. 35 or 39.
    pub version: u32,
    strings: Table,
    types: Table,
    fields: Table,
    methods: Table,
    classes: Table,
    /// Where each string ends, found on first use.
    ends: OnceLock<StringEnds>,
    /// What reading strings may still cost, in bytes.
    work: Allowance,
}

/// The distinct offsets of the string data items, sorted, and where each one's bytes end (the NUL
/// after them), or `u32::MAX` when there is no NUL before the next item begins.
#[derive(Debug, Clone, Default)]
struct StringEnds {
    starts: Vec<u32>,
    ends: Vec<u32>,
}

impl StringEnds {
    fn find(data: &[u8], ids: Table) -> StringEnds {
        let mut starts: Vec<u32> = (0..ids.count)
            .filter_map(|i| u32_at(data, ids.offset + i * 4))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        let ends = starts
            .iter()
            .enumerate()
            .map(|(k, &off)| {
                let limit = starts
                    .get(k + 1)
                    .map_or(data.len(), |next| (*next as usize).min(data.len()));
                let Some(bytes_at) = skip_uleb128(data, off as usize).filter(|b| *b < limit) else {
                    return u32::MAX;
                };
                memchr::memchr(0, &data[bytes_at..limit])
                    .map_or(u32::MAX, |n| (bytes_at + n) as u32)
            })
            .collect();
        StringEnds { starts, ends }
    }

    /// Where the string whose data item is at `off` ends.
    fn end_of(&self, off: u32) -> Option<usize> {
        let k = self.starts.binary_search(&off).ok()?;
        let end = self.ends[k];
        (end != u32::MAX).then_some(end as usize)
    }
}

/// The offset just past the uleb128 at `pos` (at most 5 bytes).
fn skip_uleb128(data: &[u8], mut pos: usize) -> Option<usize> {
    for _ in 0..5 {
        let b = *data.get(pos)?;
        pos += 1;
        if b & 0x80 == 0 {
            return Some(pos);
        }
    }
    Some(pos)
}

/// A method reference: `Lcom/example/Foo;->bar`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRef {
    /// The declaring class's descriptor.
    pub class: String,
    /// The member's name.
    pub name: String,
}

impl<'a> Dex<'a> {
    /// Read the header and check every table against the file size, with the default limits.
    pub fn parse(data: &'a [u8]) -> Result<Dex<'a>, DexError> {
        Dex::parse_with(data, &Limits::default())
    }

    /// Read the header and check every table against the file size; strings read later draw on
    /// a budget of [`Limits::dex_string_work_floor`] plus four times the file's size.
    pub fn parse_with(data: &'a [u8], limits: &Limits) -> Result<Dex<'a>, DexError> {
        let magic = data.get(..8).ok_or(DexError(DexProblem::TooShort))?;
        if &magic[..4] != b"dex\n" || magic[7] != 0 {
            return Err(DexError(DexProblem::BadMagic));
        }
        let version: u32 = std::str::from_utf8(&magic[4..7])
            .ok()
            .and_then(|v| v.parse().ok())
            .ok_or(DexError(DexProblem::BadVersion))?;
        if !(35..=41).contains(&version) {
            return Err(DexError(DexProblem::UnsupportedVersion { version }));
        }
        if data.len() < 0x70 {
            return Err(DexError(DexProblem::HeaderTruncated));
        }
        if u32_at(data, 0x28) != Some(0x1234_5678) {
            return Err(DexError(DexProblem::Endianness));
        }
        let table = |count_at: usize, item: usize, what: &'static str| -> Result<Table, DexError> {
            let count = u32_at(data, count_at).unwrap_or(0) as usize;
            let offset = u32_at(data, count_at + 4).unwrap_or(0) as usize;
            let end = count.checked_mul(item).and_then(|n| n.checked_add(offset));
            match end {
                Some(end) if count == 0 || end <= data.len() => Ok(Table { count, offset }),
                _ => Err(DexError(DexProblem::TablePastEnd {
                    table: what,
                    count,
                    offset,
                })),
            }
        };
        Ok(Dex {
            data,
            version,
            strings: table(0x38, 4, "string")?,
            types: table(0x40, 4, "type")?,
            fields: table(0x50, 8, "field")?,
            methods: table(0x58, 8, "method")?,
            classes: table(0x60, 32, "class")?,
            ends: OnceLock::new(),
            work: Allowance::new(
                limits
                    .dex_string_work_floor
                    .saturating_add(4 * data.len() as u64),
            ),
        })
    }

    /// True when reading strings has spent the file's budget: strings asked for since then are
    /// missing, and what was read of the file is partial.
    pub fn budget_exhausted(&self) -> bool {
        self.work.exhausted()
    }

    /// Number of strings in the pool.
    pub fn string_count(&self) -> usize {
        self.strings.count
    }

    /// String `i` of the pool (Modified UTF-8 decoded), or None when out of range or malformed.
    pub fn string(&self, i: usize) -> Option<String> {
        self.string_bytes(i).map(decode_mutf8)
    }

    /// The raw Modified UTF-8 bytes of string `i` (ASCII strings are their own text), for cheap
    /// filtering before decoding.
    pub fn string_bytes(&self, i: usize) -> Option<&'a [u8]> {
        if i >= self.strings.count {
            return None;
        }
        let off = u32_at(self.data, self.strings.offset + i * 4)?;
        let ends = self
            .ends
            .get_or_init(|| StringEnds::find(self.data, self.strings));
        let end = ends.end_of(off)?;
        // the uleb128 length in UTF-16 units is not needed: the string ends at its NUL byte
        let start = skip_uleb128(self.data, off as usize)?;
        let bytes = self.data.get(start..end)?;
        self.work.spend(bytes.len() as u64 + 1).then_some(bytes)
    }

    /// The raw bytes of every string of the pool, in order.
    pub fn string_bytes_all(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.strings.count).filter_map(|i| self.string_bytes(i))
    }

    /// Every string of the pool, in order (malformed ones skipped).
    pub fn strings(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.strings.count).filter_map(|i| self.string(i))
    }

    /// The descriptor of type `i` (`Lcom/example/Foo;`).
    pub fn type_descriptor(&self, i: usize) -> Option<String> {
        if i >= self.types.count {
            return None;
        }
        self.string(u32_at(self.data, self.types.offset + i * 4)? as usize)
    }

    /// The descriptors of the classes this file defines, in order.
    pub fn class_descriptors(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.classes.count).filter_map(|i| {
            let type_idx = u32_at(self.data, self.classes.offset + i * 32)? as usize;
            self.type_descriptor(type_idx)
        })
    }

    fn member(&self, table: Table, i: usize) -> Option<MemberRef> {
        let at = table.offset + i * 8;
        let class = self.type_descriptor(usize::from(u16_at(self.data, at)?))?;
        let name = self.string(u32_at(self.data, at + 4)? as usize)?;
        Some(MemberRef { class, name })
    }

    /// Every method this file references (its own and others').
    pub fn method_refs(&self) -> impl Iterator<Item = MemberRef> + '_ {
        (0..self.methods.count).filter_map(|i| self.member(self.methods, i))
    }

    /// Every field this file references.
    pub fn field_refs(&self) -> impl Iterator<Item = MemberRef> + '_ {
        (0..self.fields.count).filter_map(|i| self.member(self.fields, i))
    }
}

/// `Lcom/example/Foo$Bar;` → `com.example.Foo$Bar`; arrays and primitives are left as they are.
pub fn java_name(descriptor: &str) -> String {
    match descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
    {
        Some(inner) => inner.replace('/', "."),
        None => descriptor.to_string(),
    }
}

/// Modified UTF-8 (Java's): NUL as C0 80, characters beyond the BMP as two 3-byte surrogates.
fn decode_mutf8(bytes: &[u8]) -> String {
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (unit, len) = if b < 0x80 {
            (u16::from(b), 1)
        } else if b & 0xe0 == 0xc0 && i + 1 < bytes.len() {
            (
                (u16::from(b & 0x1f) << 6) | u16::from(bytes[i + 1] & 0x3f),
                2,
            )
        } else if b & 0xf0 == 0xe0 && i + 2 < bytes.len() {
            (
                (u16::from(b & 0x0f) << 12)
                    | (u16::from(bytes[i + 1] & 0x3f) << 6)
                    | u16::from(bytes[i + 2] & 0x3f),
                3,
            )
        } else {
            (0xfffd, 1)
        };
        units.push(unit);
        i += len;
    }
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_mutf8() {
        assert_eq!(java_name("Lcom/example/Foo$Bar;"), "com.example.Foo$Bar");
        assert_eq!(java_name("[I"), "[I");
        assert_eq!(decode_mutf8(b"a\xc0\x80b"), "a\0b");
        assert_eq!(decode_mutf8("é中".as_bytes()), "é中");
        // a supplementary character as two surrogates
        assert_eq!(decode_mutf8(&[0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]), "😀");
    }

    #[test]
    fn rejects_garbage_and_lying_tables() {
        assert!(Dex::parse(b"not a dex").is_err());
        let mut h = vec![0u8; 0x70];
        h[..8].copy_from_slice(b"dex\n035\0");
        h[0x28..0x2c].copy_from_slice(&0x1234_5678u32.to_le_bytes());
        assert!(Dex::parse(&h).is_ok());
        h[0x38..0x3c].copy_from_slice(&0xffff_ffffu32.to_le_bytes());
        assert!(
            Dex::parse(&h).is_err(),
            "a string table larger than the file"
        );
    }
}
