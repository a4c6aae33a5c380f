//! The `ResStringPool` chunk shared by binary XML and `resources.arsc`: UTF-8 or UTF-16 strings,
//! addressed by index. Strings are decoded on demand, so a pool of a million strings costs nothing
//! until used.

use crate::axml::{u16_at, u32_at};

const UTF8_FLAG: u32 = 1 << 8;
/// Longest string decoded (characters); longer ones are cut.
pub const MAX_STRING: usize = 1 << 20;

/// A string pool borrowed from its chunk.
#[derive(Debug, Clone, Default)]
pub struct StringPool {
    data: Vec<u8>,
    offsets: Vec<u32>,
    strings_start: usize,
    utf8: bool,
}

impl StringPool {
    /// Parse a string-pool chunk (starting at its chunk header).
    pub fn parse(chunk: &[u8]) -> Result<StringPool, String> {
        let header = usize::from(u16_at(chunk, 2).ok_or("truncated string pool")?);
        let count = u32_at(chunk, 8).ok_or("truncated string pool")? as usize;
        let flags = u32_at(chunk, 16).ok_or("truncated string pool")?;
        let strings_start = u32_at(chunk, 20).ok_or("truncated string pool")? as usize;
        let offsets_at = header;
        let offsets_end = count
            .checked_mul(4)
            .and_then(|n| n.checked_add(offsets_at))
            .filter(|e| *e <= chunk.len())
            .ok_or_else(|| format!("string pool declares {count} strings, more than it holds"))?;
        let offsets = chunk[offsets_at..offsets_end]
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(StringPool {
            data: chunk.to_vec(),
            offsets,
            strings_start,
            utf8: flags & UTF8_FLAG != 0,
        })
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// String `i`, or None when out of range or malformed.
    pub fn get(&self, i: usize) -> Option<String> {
        let off = self
            .strings_start
            .checked_add(*self.offsets.get(i)? as usize)?;
        if self.utf8 {
            // UTF-16 length, then UTF-8 length (each 1 or 2 bytes), then the bytes
            let (_, n1) = utf8_len(&self.data, off)?;
            let (len, n2) = utf8_len(&self.data, off + n1)?;
            let start = off + n1 + n2;
            let bytes = self
                .data
                .get(start..start.checked_add(len.min(MAX_STRING))?)?;
            Some(String::from_utf8_lossy(bytes).into_owned())
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
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
    }
}

fn utf8_len(d: &[u8], off: usize) -> Option<(usize, usize)> {
    let b0 = *d.get(off)? as usize;
    if b0 & 0x80 != 0 {
        Some((((b0 & 0x7F) << 8) | *d.get(off + 1)? as usize, 2))
    } else {
        Some((b0, 1))
    }
}
