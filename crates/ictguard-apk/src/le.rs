//! Little-endian integers read at an offset with bounds checks: what Android's binary XML,
//! string pools and `resources.arsc` are made of. `None` past the end, never a panic.

/// The `u16` at `off`, if the data holds two bytes there.
pub(crate) fn u16_at(d: &[u8], off: usize) -> Option<u16> {
    d.get(off..off.checked_add(2)?)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
}

/// The `u32` at `off`, if the data holds four bytes there.
pub(crate) fn u32_at(d: &[u8], off: usize) -> Option<u32> {
    d.get(off..off.checked_add(4)?)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}
