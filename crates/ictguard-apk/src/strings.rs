//! The `ResStringPool` chunk shared by binary XML and `resources.arsc`: UTF-8 or UTF-16 strings,
//! addressed by index. Strings are decoded on demand, so a pool of a million strings costs nothing
//! until used. What is read of them draws on a budget (twice the pool's size plus
//! [`crate::Limits::string_work_floor`]), because indexes may alias: a pool whose million indexes
//! all name one string of a million characters would otherwise cost a million times its size.

use std::borrow::Cow;
use std::sync::Arc;

use crate::le::{u16_at, u32_at};
use crate::limits::{Allowance, Limits};

const UTF8_FLAG: u32 = 1 << 8;
/// Longest string decoded (characters); longer ones are cut.
pub const MAX_STRING: usize = 1 << 20;

/// Why a string-pool chunk could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StringPoolError {
    /// The chunk ends before its header does.
    #[error("truncated string pool")]
    Truncated,
    /// The offset table the header declares does not fit in the chunk.
    #[error("string pool declares {count} strings, more than it holds")]
    TooManyStrings {
        /// The declared number of strings.
        count: usize,
    },
}

/// A string pool over its chunk's bytes (borrowed when the chunk is, as in a stored
/// `resources.arsc`, whose pool can be megabytes). Nothing is copied or decoded up front, not even
/// the offset table: string `i` is found when asked for.
#[derive(Debug, Clone, Default)]
pub struct StringPool<'a> {
    data: Cow<'a, [u8]>,
    count: usize,
    offsets_at: usize,
    strings_start: usize,
    utf8: bool,
    /// What reading strings may still cost, in bytes (shared by the pools of one document).
    work: Arc<Allowance>,
}

impl<'a> StringPool<'a> {
    /// Parse a string-pool chunk (starting at its chunk header), with the default limits.
    pub fn parse(chunk: impl Into<Cow<'a, [u8]>>) -> Result<StringPool<'a>, StringPoolError> {
        StringPool::parse_with(chunk, &Limits::default())
    }

    /// Parse a string-pool chunk; reading its strings may cost twice its size plus
    /// [`Limits::string_work_floor`] bytes.
    pub fn parse_with(
        chunk: impl Into<Cow<'a, [u8]>>,
        limits: &Limits,
    ) -> Result<StringPool<'a>, StringPoolError> {
        let data = chunk.into();
        let work = limits
            .string_work_floor
            .saturating_add(2 * data.len() as u64);
        StringPool::parse_sharing(data, Arc::new(Allowance::new(work)))
    }

    /// Parse a string-pool chunk whose reads draw on `work`, a budget shared with others (the
    /// pools of one binary XML document).
    pub(crate) fn parse_sharing(
        data: Cow<'a, [u8]>,
        work: Arc<Allowance>,
    ) -> Result<StringPool<'a>, StringPoolError> {
        let header = usize::from(u16_at(&data, 2).ok_or(StringPoolError::Truncated)?);
        let count = u32_at(&data, 8).ok_or(StringPoolError::Truncated)? as usize;
        let flags = u32_at(&data, 16).ok_or(StringPoolError::Truncated)?;
        let strings_start = u32_at(&data, 20).ok_or(StringPoolError::Truncated)? as usize;
        let offsets_at = header;
        count
            .checked_mul(4)
            .and_then(|n| n.checked_add(offsets_at))
            .filter(|e| *e <= data.len())
            .ok_or(StringPoolError::TooManyStrings { count })?;
        Ok(StringPool {
            data,
            count,
            offsets_at,
            strings_start,
            utf8: flags & UTF8_FLAG != 0,
            work,
        })
    }

    /// True when reading strings has spent the pool's budget: strings asked for since then are
    /// missing.
    pub fn budget_exhausted(&self) -> bool {
        self.work.exhausted()
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// String `i`, or None when out of range or malformed.
    pub fn get(&self, i: usize) -> Option<String> {
        Some(match self.raw(i)? {
            Raw::Utf8(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Raw::Utf16(bytes) => {
                let units: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|b| u16::from_le_bytes([b[0], b[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
        })
    }

    /// String `i` when it contains `needle`, or None. The test runs on the stored bytes, so the
    /// many strings without it are never decoded.
    pub fn get_containing(&self, i: usize, needle: &Needle) -> Option<String> {
        let found = match self.raw(i)? {
            Raw::Utf8(bytes) => needle.utf8.find(bytes).is_some(),
            // at an even offset: a code unit boundary
            Raw::Utf16(bytes) => needle.utf16.find_iter(bytes).any(|at| at % 2 == 0),
        };
        if found {
            self.get(i)
        } else {
            None
        }
    }

    /// The stored bytes of string `i`, cut at [`MAX_STRING`] characters.
    fn raw(&self, i: usize) -> Option<Raw<'_>> {
        if i >= self.count {
            return None;
        }
        let offset = u32_at(&self.data, self.offsets_at + 4 * i)? as usize;
        let off = self.strings_start.checked_add(offset)?;
        if self.utf8 {
            // UTF-16 length, then UTF-8 length (each 1 or 2 bytes), then the bytes
            let (_, n1) = utf8_len(&self.data, off)?;
            let (len, n2) = utf8_len(&self.data, off + n1)?;
            let start = off + n1 + n2;
            let bytes = self
                .data
                .get(start..start.checked_add(len.min(MAX_STRING))?)?;
            self.work
                .spend(bytes.len() as u64 + 1)
                .then_some(Raw::Utf8(bytes))
        } else {
            let first = u16_at(&self.data, off)? as usize;
            let (len, start) = if first & 0x8000 != 0 {
                (
                    ((first & 0x7FFF) << 16) | u16_at(&self.data, off + 2)? as usize,
                    off + 4,
                )
            } else {
                (first, off + 2)
            };
            let len = len.min(MAX_STRING);
            let bytes = self
                .data
                .get(start..start.checked_add(len.checked_mul(2)?)?)?;
            self.work
                .spend(bytes.len() as u64 + 1)
                .then_some(Raw::Utf16(bytes))
        }
    }
}

/// An ASCII text to look for in stored strings, prepared once for both encodings (a resource
/// table can hold a hundred thousand strings).
pub struct Needle {
    utf8: memchr::memmem::Finder<'static>,
    utf16: memchr::memmem::Finder<'static>,
}

impl Needle {
    /// Prepare `ascii` (non-ASCII characters would not be found in UTF-16 strings).
    pub fn new(ascii: &str) -> Needle {
        let wide: Vec<u8> = ascii.bytes().flat_map(|b| [b, 0]).collect();
        Needle {
            utf8: memchr::memmem::Finder::new(ascii.as_bytes()).into_owned(),
            utf16: memchr::memmem::Finder::new(&wide).into_owned(),
        }
    }
}

/// A string as stored: UTF-8 bytes, or UTF-16LE code units.
enum Raw<'a> {
    Utf8(&'a [u8]),
    Utf16(&'a [u8]),
}

fn utf8_len(d: &[u8], off: usize) -> Option<(usize, usize)> {
    let b0 = *d.get(off)? as usize;
    if b0 & 0x80 != 0 {
        Some((((b0 & 0x7F) << 8) | *d.get(off + 1)? as usize, 2))
    } else {
        Some((b0, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A string-pool chunk holding `strings`, UTF-8 or UTF-16 encoded as aapt writes them.
    fn pool(strings: &[&str], utf8: bool) -> Vec<u8> {
        let mut offsets = Vec::new();
        let mut body = Vec::new();
        for s in strings {
            offsets.push(body.len() as u32);
            if utf8 {
                body.push(s.chars().count() as u8);
                body.push(s.len() as u8);
                body.extend(s.as_bytes());
                body.push(0);
            } else {
                let units: Vec<u16> = s.encode_utf16().collect();
                body.extend((units.len() as u16).to_le_bytes());
                body.extend(units.iter().flat_map(|u| u.to_le_bytes()));
                body.extend([0, 0]);
            }
        }
        let strings_start = 28 + 4 * strings.len() as u32;
        let mut chunk = Vec::new();
        chunk.extend(1u16.to_le_bytes());
        chunk.extend(28u16.to_le_bytes());
        chunk.extend((strings_start + body.len() as u32).to_le_bytes());
        chunk.extend((strings.len() as u32).to_le_bytes());
        chunk.extend(0u32.to_le_bytes());
        chunk.extend((if utf8 { UTF8_FLAG } else { 0 }).to_le_bytes());
        chunk.extend(strings_start.to_le_bytes());
        chunk.extend(0u32.to_le_bytes());
        chunk.extend(offsets.iter().flat_map(|o| o.to_le_bytes()));
        chunk.extend(body);
        chunk
    }

    #[test]
    fn strings_containing_a_needle_in_either_encoding() {
        let strings = [
            "see https://example.cn/a",
            "no link here",
            "支付宝 http://203.0.113.7/",
            "",
            // in UTF-16LE these bytes hold ":\0/\0/\0" at an odd offset, across code units: no match
            "\u{3a41}\u{2f00}\u{2f00}\u{4100}",
        ];
        for utf8 in [true, false] {
            let chunk = pool(&strings, utf8);
            let p = StringPool::parse(&chunk[..]).unwrap();
            assert_eq!(p.len(), strings.len());
            let all: Vec<String> = (0..p.len()).filter_map(|i| p.get(i)).collect();
            assert_eq!(all, strings, "utf8: {utf8}");
            let needle = Needle::new("://");
            let found: Vec<String> = (0..p.len())
                .filter_map(|i| p.get_containing(i, &needle))
                .collect();
            assert_eq!(found, [strings[0], strings[2]], "utf8: {utf8}");
            assert_eq!(p.get_containing(99, &needle), None);
        }
    }
}
