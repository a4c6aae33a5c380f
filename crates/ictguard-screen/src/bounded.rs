//! A reader that refuses over-long lines, so a 1 GB line in a batch or list file is an error naming
//! its line instead of an allocation of 1 GB.
//!
//! Parsers downstream (`csv`, `BufRead::read_line`) grow a buffer until they see a newline; putting
//! this reader under them bounds that buffer without changing how they parse.

use std::io::{self, Read};

/// Wraps a reader; fails with `InvalidData` when a line (bytes between `\n`) exceeds the limit.
#[derive(Debug)]
pub struct BoundedLineReader<R> {
    inner: R,
    max_line_bytes: usize,
    /// Bytes of the current line seen so far.
    current: usize,
    /// 1-based number of the current line.
    line: u64,
    /// The error to return on the next call, after the bytes before the long line were handed over.
    pending: Option<u64>,
}

impl<R: Read> BoundedLineReader<R> {
    /// Wrap `inner`, allowing lines of at most `max_line_bytes` bytes (not counting the newline).
    pub fn new(inner: R, max_line_bytes: usize) -> Self {
        BoundedLineReader {
            inner,
            max_line_bytes,
            current: 0,
            line: 1,
            pending: None,
        }
    }

    /// The 1-based number of the line being read.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The reader underneath, for a document read whole under a budget of its own (an XML list
    /// may be one long line).
    pub fn into_inner(self) -> R {
        self.inner
    }

    fn too_long(&self, line: u64) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("line {line} is longer than {} bytes", self.max_line_bytes),
        )
    }
}

impl<R: Read> Read for BoundedLineReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(line) = self.pending {
            return Err(self.too_long(line));
        }
        let n = self.inner.read(buf)?;
        let mut line_start = 0;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.current = 0;
                line_start = i + 1;
            } else {
                self.current += 1;
                if self.current > self.max_line_bytes {
                    // hand over the complete lines before this one; fail on the next call
                    if line_start > 0 {
                        self.pending = Some(self.line);
                        return Ok(line_start);
                    }
                    self.pending = Some(self.line);
                    return Err(self.too_long(self.line));
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_normal_data_through() {
        let data = b"a,b\r\nc,d\n\ne\n".repeat(1000);
        let mut out = Vec::new();
        BoundedLineReader::new(&data[..], 16)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn rejects_a_long_line_with_its_number_keeping_earlier_lines() {
        let mut data = b"ok\nfine\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100));
        data.extend(b"\nafter\n");
        let mut r = BoundedLineReader::new(&data[..], 50);
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("line 3 "), "{err}");
        assert!(out.starts_with(b"ok\nfine\n"));
    }

    #[test]
    fn a_huge_line_fails_without_reading_it_all() {
        struct Endless(u64);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.0 += buf.len() as u64;
                buf.fill(b'y');
                Ok(buf.len())
            }
        }
        let mut src = Endless(0);
        let mut r = BoundedLineReader::new(&mut src, 1 << 20);
        let mut buf = vec![0u8; 8192];
        let err = loop {
            if let Err(e) = r.read(&mut buf) {
                break e;
            }
        };
        assert!(err.to_string().contains("line 1 "));
        assert!(src.0 < 2 << 20, "read {} bytes", src.0);
    }
}
