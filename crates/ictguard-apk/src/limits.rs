//! The budgets that bound the work and memory one APK may cost, whatever its bytes say.
//!
//! An APK may be built to attack the tools that read it: a few megabytes can declare gigabytes of
//! entries, point many entries at one compressed stream, or make every string of a pool the same
//! long one. Each limit here bounds one such amplification; their defaults read every real APK
//! seen (the corpus, a 100 MB app) with room to spare. A limit that is reached is an error that
//! names it ("analysis stopped: …"), never an abort, and callers report what they could read.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The budgets for reading one APK. [`Limits::default`] is what ictguard uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries the central directory may list.
    pub max_entries: usize,
    /// Largest uncompressed size of an entry that is hashed or scanned as a stream (its bytes are
    /// never whole in memory).
    pub max_entry_bytes: u64,
    /// Largest uncompressed size of an entry that is read whole into memory: the manifest,
    /// `resources.arsc`, a DEX file, a nested archive.
    pub max_entry_in_memory: u64,
    /// Most bytes that reading entries may produce in all (inflated, or stored and handed over),
    /// at least: the budget is this or [`Limits::read_per_file_byte`] times the file's size,
    /// whichever is larger. Entries that alias one another are read once.
    pub min_total_read: u64,
    /// See [`Limits::min_total_read`].
    pub read_per_file_byte: u64,
    /// Most root `classes*.dex` files read.
    pub max_root_dex: usize,
    /// Most nested archives (APK and JAR files inside the APK) opened for their DEX files.
    pub max_nested_archives: usize,
    /// Most DEX files read from nested archives and non-root entries.
    pub max_nested_dex: usize,
    /// Most v1 signature blocks (`META-INF/*.RSA|DSA|EC`) checked.
    pub max_v1_blocks: usize,
    /// Most SignerInfos checked in one v1 signature block.
    pub max_signer_infos: usize,
    /// Most signers read from one v2/v3 block.
    pub max_signers: usize,
    /// Bytes of strings that one string pool (of a binary XML document or `resources.arsc`) may
    /// examine or decode, beyond twice the pool's own size.
    pub string_work_floor: u64,
    /// Bytes of strings one DEX file may decode, beyond four times the file's size.
    pub dex_string_work_floor: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_entries: 200_000,
            max_entry_bytes: 1 << 30,
            max_entry_in_memory: 128 << 20,
            min_total_read: 1 << 30,
            read_per_file_byte: 16,
            max_root_dex: 512,
            max_nested_archives: 64,
            max_nested_dex: 64,
            max_v1_blocks: 16,
            max_signer_infos: 16,
            max_signers: 16,
            string_work_floor: 16 << 20,
            dex_string_work_floor: 64 << 20,
        }
    }
}

impl Limits {
    /// The total read budget for a file of `len` bytes.
    pub fn total_read_for(&self, len: usize) -> u64 {
        self.min_total_read
            .max(self.read_per_file_byte.saturating_mul(len as u64))
    }
}

/// An amount of work that may be spent, from any thread, until it runs out; once it has run out
/// it stays out, and says so. The default allows nothing.
#[derive(Debug, Default)]
pub(crate) struct Allowance {
    left: AtomicU64,
    exhausted: AtomicBool,
}

impl Allowance {
    /// An allowance of `amount`.
    pub(crate) fn new(amount: u64) -> Allowance {
        Allowance {
            left: AtomicU64::new(amount),
            exhausted: AtomicBool::new(false),
        }
    }

    /// Spend `n`; false (and nothing spent) when less than `n` is left.
    pub(crate) fn spend(&self, n: u64) -> bool {
        let spent = self
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(n)
            })
            .is_ok();
        if !spent {
            self.exhausted.store(true, Ordering::Relaxed);
        }
        spent
    }

    /// True once a spend has been refused.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted.load(Ordering::Relaxed)
    }
}

impl Clone for Allowance {
    fn clone(&self) -> Allowance {
        Allowance {
            left: AtomicU64::new(self.left.load(Ordering::Relaxed)),
            exhausted: AtomicBool::new(self.exhausted()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_allowance_refuses_what_it_cannot_cover_and_remembers() {
        let a = Allowance::new(10);
        assert!(a.spend(4) && a.spend(6));
        assert!(!a.exhausted());
        assert!(!a.spend(1));
        assert!(a.exhausted());
        assert!(a.spend(0), "nothing costs nothing");
        let big = Limits::default();
        assert_eq!(big.total_read_for(1 << 20), 1 << 30);
        assert_eq!(big.total_read_for(100 << 20), 1600 << 20);
    }
}
