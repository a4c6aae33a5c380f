//! Transfers put in date order, whatever order the log has them in: exports are rarely sorted,
//! and the audit's twelve-month windows need every earlier transfer counted before a later one
//! is judged. Up to a bound the transfers are sorted in memory; beyond it each full buffer is
//! sorted and written to an anonymous temporary file (a run), and the runs are merged, so a log
//! of any length is sorted in bounded memory (an external merge sort).
//!
//! The order is by date, then by line: transfers of one day keep the order the log gives them.
//!
//! Written here rather than with the `extsort` crate: its 0.5.0 returns nothing at all when the
//! items fill the last segment exactly (`done()` then iterates the empty buffer and ignores the
//! segments on disk), which a test of ours found at once. The merge is a binary heap over the
//! runs' next transfers.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};

use crate::record::Transfer;

/// Transfers held in memory before a run is spilled, by default (some 100 MB of transfers).
pub const DEFAULT_IN_MEMORY: usize = 500_000;

type Key = (chrono::NaiveDate, u64);

fn key(t: &Transfer) -> Key {
    (t.date, t.line)
}

/// Collects transfers in any order; [`DateSorter::finish`] gives them back in date order.
pub struct DateSorter {
    buffer: Vec<Transfer>,
    runs: Vec<File>,
    max_in_memory: usize,
}

impl DateSorter {
    /// A sorter holding at most `max_in_memory` transfers (at least one) in memory.
    pub fn new(max_in_memory: usize) -> Self {
        DateSorter {
            buffer: Vec::new(),
            runs: Vec::new(),
            max_in_memory: max_in_memory.max(1),
        }
    }

    /// Add a transfer; a full buffer is sorted and spilled to a run.
    pub fn push(&mut self, t: Transfer) -> io::Result<()> {
        self.buffer.push(t);
        if self.buffer.len() >= self.max_in_memory {
            self.spill()?;
        }
        Ok(())
    }

    /// Runs written to temporary files so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort_by_key(key);
        let mut file = tempfile::tempfile()?;
        let mut w = BufWriter::new(&mut file);
        for t in self.buffer.drain(..) {
            serde_json::to_writer(&mut w, &t)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
        drop(w);
        file.rewind()?;
        self.runs.push(file);
        Ok(())
    }

    /// Every transfer added, in date order (then line order).
    pub fn finish(mut self) -> io::Result<Sorted> {
        if self.runs.is_empty() {
            self.buffer.sort_by_key(key);
            return Ok(Sorted(Inner::Memory(self.buffer.into_iter())));
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        let mut runs: Vec<Run> = self.runs.into_iter().map(Run::new).collect();
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (i, run) in runs.iter_mut().enumerate() {
            if let Some(t) = run.next()? {
                heap.push(Reverse(Head(key(&t), i, t)));
            }
        }
        Ok(Sorted(Inner::Merge { runs, heap }))
    }
}

/// One spilled run, read back a transfer at a time.
struct Run {
    lines: BufReader<File>,
    text: String,
}

impl Run {
    fn new(file: File) -> Self {
        Run {
            lines: BufReader::new(file),
            text: String::new(),
        }
    }

    fn next(&mut self) -> io::Result<Option<Transfer>> {
        self.text.clear();
        if self.lines.read_line(&mut self.text)? == 0 {
            return Ok(None);
        }
        serde_json::from_str(&self.text)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

/// A run's next transfer, ordered by its key, then its run.
struct Head(Key, usize, Transfer);

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        (self.0, self.1) == (other.0, other.1)
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0, self.1).cmp(&(other.0, other.1))
    }
}

/// Transfers in date order, from memory or merged from the runs on disk.
pub struct Sorted(Inner);

enum Inner {
    Memory(std::vec::IntoIter<Transfer>),
    Merge {
        runs: Vec<Run>,
        heap: BinaryHeap<Reverse<Head>>,
    },
}

impl Iterator for Sorted {
    type Item = io::Result<Transfer>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Inner::Memory(it) => it.next().map(Ok),
            Inner::Merge { runs, heap } => {
                let Reverse(Head(_, i, t)) = heap.pop()?;
                match runs[i].next() {
                    Ok(Some(next)) => heap.push(Reverse(Head(key(&next), i, next))),
                    Ok(None) => {}
                    Err(e) => return Some(Err(e)),
                }
                Some(Ok(t))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer(line: u64, day: u32) -> Transfer {
        Transfer {
            line,
            date: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                + chrono::Days::new(u64::from(day)),
            counterparty: format!("party {line}"),
            country: "CN".into(),
            parent: None,
            kind: "vendor".into(),
            categories: 1,
            us_persons: line,
            government_related: false,
            exemption: None,
        }
    }

    #[test]
    fn sorted_by_date_then_line_in_memory_and_through_runs() {
        let days = [5u32, 1, 3, 1, 9, 0, 3, 7, 2, 2, 8, 4];
        // 12 transfers: in memory, one a run, runs of two (the last run full), runs of five
        for max in [1000, 1, 2, 5, 12] {
            let mut sorter = DateSorter::new(max);
            for (i, d) in days.iter().enumerate() {
                sorter.push(transfer(i as u64 + 2, *d)).unwrap();
            }
            assert_eq!(sorter.runs() > 0, max <= days.len(), "max {max}");
            let out: Vec<Transfer> = sorter.finish().unwrap().map(Result::unwrap).collect();
            assert_eq!(out.len(), days.len(), "max {max}");
            let keys: Vec<_> = out.iter().map(key).collect();
            let mut want = keys.clone();
            want.sort();
            assert_eq!(keys, want, "max {max}");
            // the transfers come back whole
            assert!(out.contains(&transfer(2, 5)));
        }
    }
}
