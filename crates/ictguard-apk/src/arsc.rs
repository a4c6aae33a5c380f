//! `resources.arsc`, the compiled resource table: enough of it to resolve the references a
//! manifest makes (`@string/app_name`, `@bool/…`) for the default configuration.
//!
//! The table is a chunk tree: a global string pool, then packages, each with type and key string
//! pools and, per resource type, one chunk per configuration (locale, density, …) holding entries.
//! A resource id is `0xPPTTEEEE`: package, type, entry. Written by hand because no maintained
//! crate reads ARSC (the `arsc` and `apk-info` crates were looked at: unmaintained or reading only a
//! subset); the layout is AOSP's `ResourceTypes.h`.

use std::borrow::Cow;

use crate::axml::{typed_value, Value};
use crate::le::{u16_at, u32_at};
use crate::limits::{Allowance, Limits};
use crate::strings::{StringPool, StringPoolError};
use crate::zip::ZipError;

const RES_STRING_POOL_TYPE: u16 = 0x0001;
const RES_TABLE_TYPE: u16 = 0x0002;
const RES_TABLE_PACKAGE_TYPE: u16 = 0x0200;
const RES_TABLE_TYPE_TYPE: u16 = 0x0201;

/// Type chunk flag: entries are (index, offset / 4) pairs sorted by index.
const FLAG_SPARSE: u8 = 0x01;
/// Type chunk flag: entry offsets are 16-bit, in units of 4 bytes.
const FLAG_OFFSET16: u8 = 0x02;
/// Entry flag: a bag (style, array, plural), not a single value.
const ENTRY_COMPLEX: u16 = 0x0001;
/// Entry flag: the compact 8-byte form (key, flags with the type in the high byte, data).
const ENTRY_COMPACT: u16 = 0x0008;

/// Most chunks walked in one table (packages × types × configurations).
const MAX_CHUNKS: usize = 1_000_000;
/// Deepest chain of references followed (`@string/a` → `@string/b` → …).
const MAX_REFERENCE_DEPTH: usize = 16;
/// Most type chunks looked at by all [`ResourceTable::resolve`] calls on one table together: a
/// table can hold a million configurations of one type, and a manifest a hundred thousand
/// references into it.
const MAX_RESOLVE_STEPS: u64 = 4_000_000;

/// Why a resource table could not be read. Offsets are from the start of the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArscError {
    /// The entry `resources.arsc` could not be read from the archive.
    // the archive's message shown after the prefix, not as a `source()`, so that `{:#}` chains
    // stay as they were
    #[error("resources.arsc: {0}")]
    Read(ZipError),
    /// A chunk header cut short by the end of the data.
    #[error("resources.arsc: truncated chunk header")]
    TruncatedChunkHeader,
    /// A chunk whose sizes contradict each other or overrun its container.
    #[error("resources.arsc: chunk 0x{kind:04x} at {offset} (header {header}, size {size}) does not fit")]
    ChunkDoesNotFit {
        /// The chunk's type.
        kind: u16,
        /// Where it starts.
        offset: usize,
        /// Its declared header size.
        header: usize,
        /// Its declared total size.
        size: usize,
    },
    /// The first chunk is not a resource table.
    #[error("resources.arsc: not a resource table (chunk type 0x{kind:04x})")]
    NotATable {
        /// The first chunk's type.
        kind: u16,
    },
    /// The global string pool does not read.
    #[error("resources.arsc: {0}")]
    StringPool(StringPoolError),
    /// A package chunk too short for its id.
    #[error("resources.arsc: truncated package")]
    TruncatedPackage,
    /// More chunks than one table may hold (a crafted table can declare millions).
    #[error("resources.arsc: more than {max} chunks")]
    TooManyChunks {
        /// The limit.
        max: usize,
    },
}

/// One configuration's chunk of one resource type.
#[derive(Debug, Clone)]
struct TypeChunk {
    type_id: u8,
    /// The default configuration (every qualifier unset).
    default_config: bool,
    flags: u8,
    /// End of the chunk.
    end: usize,
    /// Offset of the entry-offset array.
    offsets_at: usize,
    entry_count: usize,
    /// Offset where the entries begin.
    entries_at: usize,
}

/// One package of the table.
#[derive(Debug, Clone)]
struct Package {
    id: u8,
    name: String,
    types: Vec<TypeChunk>,
}

/// A parsed resource table over the bytes of `resources.arsc` (borrowed when stored, owned when
/// inflated).
#[derive(Debug, Clone)]
pub struct ResourceTable<'a> {
    data: Cow<'a, [u8]>,
    strings: StringPool<'a>,
    packages: Vec<Package>,
    /// What resolving may still cost, in type chunks looked at.
    steps: Allowance,
}

/// The chunk at `at`: (type, header size, total size), checked against the end of its container.
fn chunk_at(data: &[u8], at: usize, end: usize) -> Result<(u16, usize, usize), ArscError> {
    let kind = u16_at(data, at).ok_or(ArscError::TruncatedChunkHeader)?;
    let header = usize::from(u16_at(data, at + 2).unwrap_or(0));
    let size = u32_at(data, at + 4).ok_or(ArscError::TruncatedChunkHeader)? as usize;
    if header < 8 || size < header || at.checked_add(size).is_none_or(|e| e > end) {
        return Err(ArscError::ChunkDoesNotFit {
            kind,
            offset: at,
            header,
            size,
        });
    }
    Ok((kind, header, size))
}

impl<'a> ResourceTable<'a> {
    /// Read the table's structure (string pools are decoded only when a value is asked for),
    /// with the default limits.
    pub fn parse(bytes: impl Into<Cow<'a, [u8]>>) -> Result<ResourceTable<'a>, ArscError> {
        ResourceTable::parse_with(bytes, &Limits::default())
    }

    /// Read the table's structure within `limits` (its string pool's budget).
    pub fn parse_with(
        bytes: impl Into<Cow<'a, [u8]>>,
        limits: &Limits,
    ) -> Result<ResourceTable<'a>, ArscError> {
        let mut table = ResourceTable {
            data: bytes.into(),
            strings: StringPool::default(),
            packages: Vec::new(),
            steps: Allowance::new(MAX_RESOLVE_STEPS),
        };
        // the string pool borrows the bytes the table borrows (a stored resources.arsc, the usual
        // case); only a table inflated into memory of its own has its pool copied
        let borrowed: Option<&'a [u8]> = match &table.data {
            Cow::Borrowed(b) => Some(b),
            Cow::Owned(_) => None,
        };
        let data = &table.data[..];
        let (kind, header, size) = chunk_at(data, 0, data.len())?;
        if kind != RES_TABLE_TYPE {
            return Err(ArscError::NotATable { kind });
        }
        let mut at = header;
        let mut chunks = 0usize;
        let mut strings = None;
        let mut packages = Vec::new();
        while at + 8 <= size {
            let (kind, _, len) = chunk_at(data, at, size)?;
            match kind {
                RES_STRING_POOL_TYPE if strings.is_none() => {
                    let chunk: Cow<'a, [u8]> = match borrowed {
                        Some(b) => Cow::Borrowed(&b[at..at + len]),
                        None => Cow::Owned(data[at..at + len].to_vec()),
                    };
                    strings =
                        Some(StringPool::parse_with(chunk, limits).map_err(ArscError::StringPool)?);
                }
                RES_TABLE_PACKAGE_TYPE => packages.push(read_package(data, at, len, &mut chunks)?),
                _ => {}
            }
            at += len;
        }
        table.strings = strings.unwrap_or_default();
        table.packages = packages;
        Ok(table)
    }
}

fn read_package(
    data: &[u8],
    start: usize,
    len: usize,
    chunks: &mut usize,
) -> Result<Package, ArscError> {
    let (_, header, _) = chunk_at(data, start, start + len)?;
    let id = u32_at(data, start + 8).ok_or(ArscError::TruncatedPackage)?;
    let name: String = char::decode_utf16(
        (0..128)
            .map_while(|i| u16_at(data, start + 12 + i * 2))
            .take_while(|c| *c != 0),
    )
    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
    .collect();
    let mut package = Package {
        id: (id & 0xff) as u8,
        name,
        types: Vec::new(),
    };
    let end = start + len;
    let mut at = start + header;
    while at + 8 <= end {
        *chunks += 1;
        if *chunks > MAX_CHUNKS {
            return Err(ArscError::TooManyChunks { max: MAX_CHUNKS });
        }
        let (kind, chunk_header, chunk_len) = chunk_at(data, at, end)?;
        if kind == RES_TABLE_TYPE_TYPE {
            if let Some(t) = type_chunk(data, at, chunk_header, chunk_len) {
                package.types.push(t);
            }
        }
        at += chunk_len;
    }
    Ok(package)
}

impl ResourceTable<'_> {
    /// Every string of the table's global string pool (the values of string resources), decoded.
    pub fn strings(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.strings.len()).filter_map(|i| self.strings.get(i))
    }

    /// The strings of the global string pool that contain `needle` (ASCII), decoded; the others
    /// are skipped without decoding them. Strings past the pool's budget are not read
    /// ([`ResourceTable::budget_exhausted`]).
    pub fn strings_containing<'s>(&'s self, needle: &str) -> impl Iterator<Item = String> + 's {
        let needle = crate::strings::Needle::new(needle);
        (0..self.strings.len()).filter_map(move |i| self.strings.get_containing(i, &needle))
    }

    /// True when reading strings or resolving references has spent its budget: what was asked
    /// since then is missing.
    pub fn budget_exhausted(&self) -> bool {
        self.strings.budget_exhausted() || self.steps.exhausted()
    }

    /// Package names in the table.
    pub fn package_names(&self) -> Vec<String> {
        self.packages.iter().map(|p| p.name.clone()).collect()
    }

    /// The value of resource `id` in the default configuration (or, when it has none there, in the
    /// first configuration that defines it), with references followed. None for an unknown id or a
    /// bag (style, array).
    pub fn resolve(&self, id: u32) -> Option<Value> {
        let mut id = id;
        for _ in 0..MAX_REFERENCE_DEPTH {
            match self.value(id)? {
                Value::Reference(next) if next != 0 => id = next,
                value => return Some(value),
            }
        }
        None
    }

    /// The value of `id` itself, without following references.
    fn value(&self, id: u32) -> Option<Value> {
        let package = self.packages.iter().find(|p| u32::from(p.id) == id >> 24)?;
        let type_id = ((id >> 16) & 0xff) as u8;
        let index = (id & 0xffff) as usize;
        // the default configuration first, then the others in order; each chunk looked at costs a
        // step of the table's budget
        let of_type = |default: bool| {
            package
                .types
                .iter()
                .filter(move |t| t.type_id == type_id && t.default_config == default)
        };
        of_type(true)
            .chain(of_type(false))
            .take_while(|_| self.steps.spend(1))
            .find_map(|t| self.entry_value(t, index))
    }

    fn entry_value(&self, t: &TypeChunk, index: usize) -> Option<Value> {
        let data = &self.data[..];
        let offset = if t.flags & FLAG_SPARSE != 0 {
            // (index u16, offset/4 u16) pairs, sorted by index: a binary search
            let pair = |i: usize| {
                let at = t.offsets_at + i * 4;
                Some((
                    usize::from(u16_at(data, at)?),
                    usize::from(u16_at(data, at + 2)?) * 4,
                ))
            };
            let (mut lo, mut hi) = (0, t.entry_count);
            loop {
                if lo >= hi {
                    return None;
                }
                let mid = lo + (hi - lo) / 2;
                let (i, offset) = pair(mid)?;
                match i.cmp(&index) {
                    std::cmp::Ordering::Equal => break offset,
                    std::cmp::Ordering::Less => lo = mid + 1,
                    std::cmp::Ordering::Greater => hi = mid,
                }
            }
        } else {
            if index >= t.entry_count {
                return None;
            }
            if t.flags & FLAG_OFFSET16 != 0 {
                let o = u16_at(data, t.offsets_at + index * 2)?;
                if o == 0xffff {
                    return None;
                }
                usize::from(o) * 4
            } else {
                let o = u32_at(data, t.offsets_at + index * 4)?;
                if o == u32::MAX {
                    return None;
                }
                o as usize
            }
        };
        let at = t.entries_at.checked_add(offset)?;
        if at + 8 > t.end {
            return None;
        }
        let size = u16_at(data, at)?;
        let flags = u16_at(data, at + 2)?;
        if flags & ENTRY_COMPACT != 0 {
            let dtype = (flags >> 8) as u8;
            let value = u32_at(data, at + 4)?;
            return Some(typed_value(dtype, value, u32::MAX, &self.strings));
        }
        if flags & ENTRY_COMPLEX != 0 {
            return None;
        }
        let v = at.checked_add(usize::from(size))?;
        if v + 8 > t.end {
            return None;
        }
        let dtype = *data.get(v + 3)?;
        let value = u32_at(data, v + 4)?;
        Some(typed_value(dtype, value, u32::MAX, &self.strings))
    }
}

/// The layout of a type chunk, or None when its header is too short to hold one.
fn type_chunk(data: &[u8], start: usize, header: usize, len: usize) -> Option<TypeChunk> {
    let type_id = *data.get(start + 8)?;
    let flags = *data.get(start + 9)?;
    let entry_count = u32_at(data, start + 12)? as usize;
    let entries_start = u32_at(data, start + 16)? as usize;
    let config_size = u32_at(data, start + 20)? as usize;
    // the configuration follows its own size field; all zero is the default configuration
    let config_end = (start + 20).checked_add(config_size)?.min(start + header);
    let default_config = data.get(start + 24..config_end)?.iter().all(|b| *b == 0);
    let end = start + len;
    let offsets_at = start + header;
    let entries_at = start.checked_add(entries_start)?;
    let offset_width = if flags & FLAG_SPARSE != 0 {
        4
    } else if flags & FLAG_OFFSET16 != 0 {
        2
    } else {
        4
    };
    if entries_at > end || offsets_at.checked_add(entry_count.checked_mul(offset_width)?)? > end {
        return None;
    }
    Some(TypeChunk {
        type_id,
        default_config,
        flags,
        end,
        offsets_at,
        entry_count,
        entries_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_is_not_a_table() {
        assert!(ResourceTable::parse(b"").is_err());
        assert!(ResourceTable::parse(&[0x03, 0, 8, 0, 8, 0, 0, 0]).is_err());
        // a table header whose size runs past the data
        assert!(ResourceTable::parse(&[0x02, 0, 12, 0, 0xff, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn empty_table_resolves_nothing() {
        let t = ResourceTable::parse(&[0x02, 0, 12, 0, 12, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(t.resolve(0x7f01_0000), None);
    }
}
