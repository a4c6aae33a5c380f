//! A reader that turns Windows line ends (`\r\n`) into `\n`, so that line numbers come out right
//! for files saved by Excel: the `csv` crate counts a line only at a `\n` it consumes, and with
//! `\r\n` it ends the record at the `\r` and never counts the `\n` (rust-csv issue 395), so every
//! reported line was one too low. A lone `\r` is kept as it is.
//
// Written by hand: no maintained crate does this for a `Read` stream (the ones found normalise
// `char` iterators), and it is one byte of state.

use std::io::{self, Read};

/// Wraps a reader; every `\r` directly followed by `\n` is dropped.
#[derive(Debug)]
pub struct CrlfToLf<R> {
    inner: R,
    /// a `\r` that ended the last chunk, held back until the next byte is known
    held: bool,
}

impl<R: Read> CrlfToLf<R> {
    /// Wrap `inner`.
    pub fn new(inner: R) -> Self {
        CrlfToLf { inner, held: false }
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            // leave room for a held-back `\r` in front
            let start = usize::from(self.held);
            let n = self.inner.read(&mut buf[start..])?;
            if n == 0 {
                // end of input: a held `\r` was a lone one
                return Ok(match std::mem::take(&mut self.held) {
                    true => {
                        buf[0] = b'\r';
                        1
                    }
                    false => 0,
                });
            }
            if self.held {
                buf[0] = b'\r';
                self.held = false;
            }
            let end = start + n;
            let mut out = 0;
            let mut i = 0;
            while i < end {
                let b = buf[i];
                if b == b'\r' {
                    if i + 1 == end {
                        self.held = true; // decide with the next chunk
                        break;
                    }
                    if buf[i + 1] == b'\n' {
                        i += 1; // drop the `\r`, keep the `\n`
                        continue;
                    }
                }
                buf[out] = b;
                out += 1;
                i += 1;
            }
            if out > 0 {
                return Ok(out);
            }
            // the chunk was a lone held-back `\r`: read on
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read through a reader that hands over `chunk` bytes at a time (so `\r\n` can straddle).
    fn through(input: &[u8], chunk: usize) -> Vec<u8> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        CrlfToLf::new(Chunks(input, chunk))
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn crlf_becomes_lf_at_every_chunk_boundary_and_lone_cr_stays() {
        let input = b"a,b\r\nc,\"d\r\ne\"\r\nf\rg\r\n\r";
        for chunk in 1..=input.len() {
            assert_eq!(
                through(input, chunk),
                b"a,b\nc,\"d\ne\"\nf\rg\n\r",
                "chunk {chunk}"
            );
        }
        assert_eq!(through(b"", 4), b"");
    }

    #[test]
    fn csv_line_numbers_are_right_after_it() {
        let input = b"name,date\r\nA,1\r\nB,2\r\n";
        let mut rdr = csv::Reader::from_reader(CrlfToLf::new(&input[..]));
        let lines: Vec<u64> = rdr
            .records()
            .map(|r| r.unwrap().position().unwrap().line())
            .collect();
        assert_eq!(lines, [2, 3]);
    }
}
